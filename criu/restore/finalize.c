// SPDX-License-Identifier: GPL-2.0
/*
 * The end of a restore, in criu: once every thread waits at the barrier,
 * trace them all, let them go, and stop each right after its rt_sigreturn
 * (it then runs the dumped registers). The restorer cannot unmap the code
 * it runs from, so criu unmaps the bootstrap region from outside, then
 * detaches; tasks dumped stopped (or --leave-stopped) stay stopped.
 */
#include <linux/futex.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define LOG_PREFIX "restore: "
#include "log.h"
#include "proc-parse.h"
#include "options.h"
#include "../pie/restorer.h"
#include "remote.h"
#include "restore-internal.h"

#ifndef PTRACE_GET_SYSCALL_INFO
#define PTRACE_GET_SYSCALL_INFO 0x420e
#endif
#define SYSCALL_INFO_ENTRY 1
#define SYSCALL_INFO_EXIT 2
#define NR_RT_SIGRETURN 15

struct syscall_info {
	uint8_t op;
	uint8_t pad[3];
	uint32_t arch;
	uint64_t ip, sp;
	union {
		struct {
			uint64_t nr, args[6];
		} entry;
		struct {
			int64_t rval;
			uint8_t is_error;
		} exit;
	};
};

struct traced {
	pid_t tid;
	int state;	/* 0 running, 1 in rt_sigreturn, 2 returned */
};

static int seize_all(struct restore_ctx *ctx, struct traced *t, int *n)
{
	struct pstree_item *it;

	*n = 0;
	pstree_for_each(&ctx->tree, it)
		for (int i = 0; it->state != TASK_DEAD && i < it->nr_threads; i++) {
			pid_t tid = it->threads[i];
			int status;

			if (ptrace(PTRACE_SEIZE, tid, 0, PTRACE_O_TRACESYSGOOD) ||
			    ptrace(PTRACE_INTERRUPT, tid, 0, 0) ||
			    waitpid(tid, &status, __WALL) != tid || !WIFSTOPPED(status) ||
			    ptrace(PTRACE_SYSCALL, tid, 0, 0)) {
				pr_perror("can't trace restored thread %d", tid);
				return -1;
			}
			t[(*n)++] = (struct traced){ tid, 0 };
		}
	return 0;
}

static struct traced *find(struct traced *t, int n, pid_t tid)
{
	for (int i = 0; i < n; i++)
		if (t[i].tid == tid)
			return &t[i];
	return NULL;
}

/* Run every thread to the stop right after its rt_sigreturn. */
static int run_to_sigreturn(struct traced *t, int n)
{
	int done = 0;

	while (done < n) {
		struct syscall_info si;
		int status, sig = 0;
		pid_t tid = waitpid(-1, &status, __WALL);
		struct traced *tr = tid > 0 ? find(t, n, tid) : NULL;

		if (tid < 0) {
			pr_perror("lost the restored threads");
			return -1;
		}
		if (!tr)
			continue;
		if (WIFEXITED(status) || WIFSIGNALED(status)) {
			pr_err("restored thread %d died (status 0x%x)\n", tid, status);
			return -1;
		}
		if (WSTOPSIG(status) == (SIGTRAP | 0x80)) {
			if (ptrace(PTRACE_GET_SYSCALL_INFO, tid, sizeof(si), &si) <= 0) {
				pr_perror("can't read the syscall of thread %d", tid);
				return -1;
			}
			if (si.op == SYSCALL_INFO_ENTRY && si.entry.nr == NR_RT_SIGRETURN) {
				tr->state = 1;
			} else if (si.op == SYSCALL_INFO_EXIT && tr->state == 1) {
				tr->state = 2;
				done++;
				continue;	/* stays stopped, running the dumped state */
			}
		} else if ((status >> 16) == 0) {
			sig = WSTOPSIG(status);	/* a signal: pass it on */
		}
		if (ptrace(PTRACE_SYSCALL, tid, 0, sig)) {
			pr_perror("can't resume thread %d", tid);
			return -1;
		}
	}
	return 0;
}

static int drop_bootstrap(const struct rst_shared_task *st)
{
	struct remote r;
	long res;
	int ret;

	if (!st->bootstrap_len)
		return 0;	/* a zombie */
	if (remote_open_at_stop(&r, st->pid))
		return -1;
	ret = remote_syscall(&r, SYS_munmap, &res, st->bootstrap_start, st->bootstrap_len, 0, 0);
	if (!ret && res) {
		pr_err("can't unmap the restorer from task %d: %ld\n", st->pid, res);
		ret = -1;
	}
	/* the restorer left it dumpable so that we could trace it */
	if (st->dumpable == 2)	/* suid_dumpable's value: not one prctl takes */
		pr_warn("task %d was dumpable only for root (suid_dumpable 2); now dumpable\n",
			st->pid);
	else if (!ret && st->dumpable != 1 &&
		 (remote_syscall(&r, SYS_prctl, &res, PR_SET_DUMPABLE, st->dumpable, 0, 0) ||
		  res)) {
		pr_err("can't restore the dumpable flag of task %d\n", st->pid);
		ret = -1;
	}
	if (remote_close(&r))
		ret = -1;
	return ret;
}

/* A task detached with SIGSTOP stops once it runs: wait so criu exits after. */
static void wait_stopped(pid_t pid)
{
	for (int i = 0; i < 2000; i++) {
		struct proc_stat st;

		if (proc_read_stat(pid, 0, &st) || st.state == 'T')
			return;
		usleep(1000);
	}
	pr_warn("task %d did not stop\n", pid);
}

static void detach_all(struct restore_ctx *ctx)
{
	struct pstree_item *it;

	pstree_for_each(&ctx->tree, it) {
		bool stop = opts->leave_stopped || it->state == TASK_STOPPED;

		if (it->state == TASK_DEAD)
			continue;
		for (int i = it->nr_threads - 1; i >= 0; i--)
			if (ptrace(PTRACE_DETACH, it->threads[i], 0, stop && !i ? SIGSTOP : 0))
				pr_perror("can't detach thread %d", it->threads[i]);
		if (stop)
			wait_stopped(it->pid);
	}
}

int restore_finalize(struct restore_ctx *ctx)
{
	struct rst_shared *sh = ctx->shared;
	struct traced *t = calloc(ctx->nr_threads + 1, sizeof(*t));
	int n, ret = -1;

	if (!t)
		return -1;
	if (seize_all(ctx, t, &n))
		goto out;
	__atomic_store_n(&sh->go, 1, __ATOMIC_SEQ_CST);
	syscall(SYS_futex, &sh->go, FUTEX_WAKE, 1 << 30, NULL, NULL, 0);
	if (run_to_sigreturn(t, n))
		goto out;
	for (uint32_t i = 0; i < sh->nr_tasks; i++)
		if (drop_bootstrap(&sh->tasks[i]))
			goto out;
	detach_all(ctx);
	ret = 0;
out:
	free(t);
	return ret;
}
