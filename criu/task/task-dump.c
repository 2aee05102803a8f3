// SPDX-License-Identifier: GPL-2.0
/*
 * Collect the core state of a seized task: per-thread registers, masks,
 * queued signals, alternate stack, credentials and rseq; per-task signal
 * handlers, timers, limits and attributes. Outside interfaces first
 * (ptrace, /proc); syscalls inside the task only for what nothing else shows.
 */
#include <linux/elf.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#define LOG_PREFIX "task: "
#include "arch.h"
#include "log.h"
#include "proc-parse.h"
#include "remote.h"
#include "task-internal.h"
#include "task.h"

#ifndef PTRACE_GET_RSEQ_CONFIGURATION
#define PTRACE_GET_RSEQ_CONFIGURATION 0x420f
#endif
#ifndef PTRACE_PEEKSIGINFO_SHARED
#define PTRACE_PEEKSIGINFO_SHARED (1 << 0)
#endif

struct peeksiginfo {
	uint64_t off;
	uint32_t flags;
	int32_t nr;
};

struct rseq_config_arg {
	uint64_t ptr;
	uint32_t size, sig, flags, pad;
};

static int dump_sigqueue(pid_t tid, bool shared, struct sigqueue *q)
{
	uint8_t buf[32][TASK_SIGINFO_SIZE];
	struct peeksiginfo arg = { 0, shared ? PTRACE_PEEKSIGINFO_SHARED : 0, 32 };

	for (;;) {
		long n = ptrace(PTRACE_PEEKSIGINFO, tid, &arg, buf);

		if (n < 0) {
			pr_perror("can't peek %s signals of thread %d", shared ? "shared" : "own",
				  tid);
			return -1;
		}
		if (n == 0)
			return 0;
		for (long i = 0; i < n; i++)
			if (sigqueue_add(q, buf[i]))
				return -1;
		arg.off += n;
	}
}

static int dump_rseq(pid_t tid, struct rseq_cfg *r)
{
	struct rseq_config_arg cfg = { 0 };
	long n = ptrace(PTRACE_GET_RSEQ_CONFIGURATION, tid, sizeof(cfg), &cfg);

	if (n < 0) {
		pr_perror("can't read rseq configuration of thread %d", tid);
		return -1;
	}
	r->ptr = cfg.ptr;
	r->len = cfg.size;
	r->sig = cfg.sig;
	return 0;
}

/*
 * Reading seccomp filters needs CAP_SYS_ADMIN. Filters the thread shares
 * with criu came from outside the tree (a container's profile): the
 * restored task inherits them from criu again. Its own extra ones can't be
 * restored, so they fail the dump.
 */
static int check_seccomp(pid_t tid, const struct proc_status *st)
{
	static struct proc_status self;
	static bool have_self;

	if (!st->seccomp)
		return 0;
	if (!have_self) {
		if (proc_read_status(getpid(), 0, &self))
			return -1;
		proc_status_free(&self);
		have_self = true;
	}
	if (st->seccomp == self.seccomp && st->seccomp_filters == self.seccomp_filters)
		return 0;
	pr_err("thread %d runs under seccomp mode %d with %d filters of its own (criu has "
	       "mode %d, %d filters): seccomp is not supported yet\n", tid, st->seccomp,
	       st->seccomp_filters, self.seccomp, self.seccomp_filters);
	return -1;
}

static int dump_creds(pid_t pid, pid_t tid, struct creds *c)
{
	struct proc_status st;

	if (proc_read_status(pid, tid, &st))
		return -1;
	c->uid = st.uid[0];
	c->euid = st.uid[1];
	c->suid = st.uid[2];
	c->fsuid = st.uid[3];
	c->gid = st.gid[0];
	c->egid = st.gid[1];
	c->sgid = st.gid[2];
	c->fsgid = st.gid[3];
	c->cap_inh = st.cap_inh;
	c->cap_prm = st.cap_prm;
	c->cap_eff = st.cap_eff;
	c->cap_bnd = st.cap_bnd;
	c->cap_amb = st.cap_amb;
	c->no_new_privs = st.no_new_privs;
	c->ngroups = st.ngroups;
	c->groups = (uint32_t *)st.groups;	/* ownership moves to creds */
	st.groups = NULL;
	return check_seccomp(tid, &st);
}

static int read_comm(pid_t pid, pid_t tid, char comm[16])
{
	char path[64], *buf;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/comm", pid, tid);
	buf = proc_read_file(path, NULL);
	if (!buf) {
		pr_perror("can't read %s", path);
		return -1;
	}
	buf[strcspn(buf, "\n")] = 0;
	snprintf(comm, 16, "%s", buf);
	free(buf);
	return 0;
}

/*
 * What only the task itself can report is asked by syscalls run inside it,
 * in one batch: per thread in that thread, the task-wide state in the main
 * thread's batch. Each answer lands at its own place in the scratch page.
 */
#define SA_OFF		0			/* TASK_NSIG kernel sigactions */
#define ITIMER_OFF	(TASK_NSIG * 32)	/* three itimervals */
#define SUBREAPER_OFF	(ITIMER_OFF + 3 * 32)	/* int */
#define ALTSTACK_OFF	(SUBREAPER_OFF + 8)	/* stack_t */
#define TIDADDR_OFF	(ALTSTACK_OFF + 24)	/* the clear_child_tid pointer */
#define PDEATH_OFF	(TIDADDR_OFF + 8)	/* int */
#define SCRATCH_USED	(PDEATH_OFF + 8)
#define MAX_QUERIES	(4 + TASK_NSIG + 3 + 1)

struct queries {
	struct remote_call c[MAX_QUERIES];
	int n;
};

static void ask(struct queries *q, long nr, unsigned long a1, unsigned long a2,
		unsigned long a3, unsigned long a4)
{
	q->c[q->n++] = (struct remote_call){ nr, { a1, a2, a3, a4 }, 0 };
}

static void ask_thread(struct queries *q, unsigned long scratch)
{
	ask(q, SYS_sigaltstack, 0, scratch + ALTSTACK_OFF, 0, 0);
	ask(q, SYS_prctl, PR_GET_TID_ADDRESS, scratch + TIDADDR_OFF, 0, 0);
	ask(q, SYS_prctl, PR_GET_PDEATHSIG, scratch + PDEATH_OFF, 0, 0);
	ask(q, SYS_prctl, PR_GET_SECUREBITS, 0, 0, 0);
}

static int thread_answers(const struct remote_call *c, const char *buf, struct thread_core *th)
{
	uint64_t v[3];

	if (c[0].res || c[1].res || c[2].res || c[3].res < 0) {
		pr_err("can't read the state of thread %d from inside it\n", th->tid);
		return -1;
	}
	memcpy(v, buf + ALTSTACK_OFF, sizeof(v));
	th->sas_sp = v[0];
	th->sas_flags = (uint32_t)v[1];
	th->sas_size = v[2];
	memcpy(&th->clear_tid_addr, buf + TIDADDR_OFF, sizeof(th->clear_tid_addr));
	memcpy(&th->pdeath_sig, buf + PDEATH_OFF, sizeof(th->pdeath_sig));
	th->creds.secbits = c[3].res;
	return 0;
}

static void ask_task(struct queries *q, unsigned long scratch)
{
	for (int sig = 1; sig <= TASK_NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			ask(q, SYS_rt_sigaction, sig, 0, scratch + SA_OFF + (sig - 1) * 32, 8);
	for (int which = 0; which < 3; which++)
		ask(q, SYS_getitimer, which, scratch + ITIMER_OFF + which * 32, 0, 0);
	ask(q, SYS_prctl, PR_GET_CHILD_SUBREAPER, scratch + SUBREAPER_OFF, 0, 0);
}

static int task_answers(const struct remote_call *c, const char *buf, struct task_core *tc)
{
	int subreaper;

	for (int sig = 1; sig <= TASK_NSIG; sig++) {
		uint64_t ksa[4];

		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		if ((c++)->res) {
			pr_err("can't read the action of signal %d\n", sig);
			return -1;
		}
		memcpy(ksa, buf + SA_OFF + (sig - 1) * 32, sizeof(ksa));
		tc->sa[sig - 1].handler = ksa[0];
		tc->sa[sig - 1].flags = ksa[1];
		tc->sa[sig - 1].restorer = ksa[2];
		tc->sa[sig - 1].mask = ksa[3];
	}
	for (int which = 0; which < 3; which++) {
		uint64_t v[4];	/* it_interval {sec, usec}, it_value {sec, usec} */

		if ((c++)->res) {
			pr_err("can't read interval timer %d\n", which);
			return -1;
		}
		memcpy(v, buf + ITIMER_OFF + which * 32, sizeof(v));
		tc->itimers[which] = (struct itimer_state){ v[0], v[1], v[2], v[3] };
	}
	if (c->res) {
		pr_err("can't read the child subreaper attribute\n");
		return -1;
	}
	memcpy(&subreaper, buf + SUBREAPER_OFF, sizeof(subreaper));
	tc->child_subreaper = subreaper != 0;
	return 0;
}

static int dump_posix_timer_values(struct remote *r, struct posix_timer_state *t)
{
	uint64_t v[4];	/* it_interval {sec, nsec}, it_value {sec, nsec} */
	long res;

	if (remote_syscall(r, SYS_timer_gettime, &res, t->id, r->scratch, 0, 0) || res ||
	    remote_read(r, 0, v, sizeof(v))) {
		pr_err("can't read posix timer %u\n", t->id);
		return -1;
	}
	t->isec = v[0];
	t->insec = v[1];
	t->vsec = v[2];
	t->vnsec = v[3];
	if (remote_syscall(r, SYS_timer_getoverrun, &res, t->id, 0, 0, 0) || res < 0) {
		pr_err("can't read the overrun of posix timer %u\n", t->id);
		return -1;
	}
	t->overrun = res;
	return 0;
}

static int dump_posix_timers(pid_t pid, struct remote *r, struct task_core *tc)
{
	if (task_parse_posix_timers(pid, tc))
		return -1;
	for (int i = 0; i < tc->nr_posix_timers; i++)
		if (dump_posix_timer_values(r, &tc->posix_timers[i]))
			return -1;
	return 0;
}

/* th: the thread's own state (NULL: none); tc: the task-wide state (NULL: none). */
static int dump_remote(pid_t pid, pid_t tid, struct thread_core *th, struct task_core *tc)
{
	char buf[SCRATCH_USED];
	struct queries q = { .n = 0 };
	struct remote r;
	int nt, ret = -1;

	if (remote_open(&r, tid))
		return -1;
	if (th)
		ask_thread(&q, r.scratch);
	nt = q.n;
	if (tc)
		ask_task(&q, r.scratch);
	if (remote_batch(&r, q.c, q.n) || remote_read(&r, 0, buf, sizeof(buf)))
		goto out;
	if (th && thread_answers(q.c, buf, th))
		goto out;
	if (tc && (task_answers(q.c + nt, buf, tc) || dump_posix_timers(pid, &r, tc)))
		goto out;
	ret = 0;
out:
	if (remote_close(&r))
		ret = -1;
	return ret;
}

/* tc: the main thread reports the task-wide state too (NULL: another thread). */
static int task_dump_thread(pid_t pid, struct thread_core *th, struct task_core *tc)
{
	pid_t tid = th->tid;

	if (arch_dump_regs(tid, &th->regs, &th->xsave, &th->xsave_len))
		return -1;
	if (ptrace(PTRACE_GETSIGMASK, tid, sizeof(th->blocked), &th->blocked)) {
		pr_perror("can't read the signal mask of thread %d", tid);
		return -1;
	}
	if (dump_sigqueue(tid, false, &th->pending) || dump_rseq(tid, &th->rseq))
		return -1;
	if (syscall(SYS_get_robust_list, tid, &th->robust_list, &th->robust_len)) {
		pr_perror("can't read the robust futex list of thread %d", tid);
		return -1;
	}
	if (dump_creds(pid, tid, &th->creds) || read_comm(pid, tid, th->comm))
		return -1;
	return dump_remote(pid, tid, th, tc);
}

static int dump_personality(pid_t pid, uint32_t *pers)
{
	char path[64], *buf;

	snprintf(path, sizeof(path), "/proc/%d/personality", pid);
	buf = proc_read_file(path, NULL);
	if (!buf) {
		pr_perror("can't read %s", path);
		return -1;
	}
	*pers = strtoul(buf, NULL, 16);
	free(buf);
	return 0;
}

int task_dump_core(pid_t pid, const pid_t *tids, int nr_threads, struct task_core *tc)
{
	bool main_thread = false;
	struct proc_stat st;

	tc->threads = calloc(nr_threads, sizeof(*tc->threads));
	if (!tc->threads)
		return -1;
	tc->nr_threads = nr_threads;
	if (proc_read_stat(pid, 0, &st) || dump_personality(pid, &tc->personality))
		return -1;
	tc->flags = st.flags;
	tc->exit_code = st.exit_code;
	if (read_comm(pid, pid, tc->comm) || task_parse_limits(pid, tc))
		return -1;
	if (dump_sigqueue(pid, true, &tc->shared_pending))
		return -1;
	for (int i = 0; i < nr_threads; i++) {
		tc->threads[i].tid = tids[i];
		main_thread |= tids[i] == pid;
		if (task_dump_thread(pid, &tc->threads[i], tids[i] == pid ? tc : NULL))
			return -1;
	}
	/* without its main thread among them, the task is asked on its own */
	return main_thread ? 0 : dump_remote(pid, pid, NULL, tc);
}
