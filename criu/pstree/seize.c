// SPDX-License-Identifier: GPL-2.0
/*
 * Seize a live tree: PTRACE_SEIZE + PTRACE_INTERRUPT every thread, walking
 * children top-down (a stopped parent forks no more) and re-reading each
 * task's threads until the set stops growing. Any failure releases every
 * thread seized so far, leaving the tree as it was.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

#define LOG_PREFIX "seize: "
#include "log.h"
#include "proc-parse.h"
#include "pstree.h"

#define SEIZE_MAX_SIGNALS 64	/* signal-delivery-stops tolerated per thread */

/* Wait until tid is in the interrupt (or group) stop we asked for. */
static int wait_interrupt_stop(pid_t tid)
{
	for (int i = 0; i < SEIZE_MAX_SIGNALS; i++) {
		int status, sig;

		if (waitpid(tid, &status, __WALL) != tid) {
			pr_perror("can't wait for thread %d", tid);
			return -1;
		}
		if (!WIFSTOPPED(status)) {
			pr_err("thread %d exited while being seized (status 0x%x)\n", tid, status);
			return -1;
		}
		if ((status >> 16) == PTRACE_EVENT_STOP)
			return 0;
		/*
		 * A signal arrived first. Deliver it (as if it came just before
		 * the dump); the interrupt stays pending and stops the thread next.
		 */
		sig = WSTOPSIG(status);
		pr_debug("thread %d: delivering signal %d before the stop\n", tid, sig);
		if (ptrace(PTRACE_CONT, tid, 0, sig)) {
			pr_perror("can't resume thread %d", tid);
			return -1;
		}
	}
	pr_err("thread %d keeps receiving signals; can't stop it\n", tid);
	return -1;
}

static int seize_thread(pid_t tid)
{
	if (ptrace(PTRACE_SEIZE, tid, 0, PTRACE_O_TRACESYSGOOD)) {
		if (errno == EPERM)
			pr_perror("can't seize thread %d (ptrace needs the same user or "
				  "CAP_SYS_PTRACE)", tid);
		else
			pr_perror("can't seize thread %d", tid);
		return -1;
	}
	if (ptrace(PTRACE_INTERRUPT, tid, 0, 0)) {
		pr_perror("can't interrupt thread %d", tid);
		ptrace(PTRACE_DETACH, tid, 0, 0);
		return -1;
	}
	if (wait_interrupt_stop(tid)) {
		ptrace(PTRACE_DETACH, tid, 0, 0);
		return -1;
	}
	return 0;
}

static bool has_tid(const struct pstree_item *it, pid_t tid)
{
	for (int i = 0; i < it->nr_threads; i++)
		if (it->threads[i] == tid)
			return true;
	return false;
}

static int add_tid(struct pstree_item *it, pid_t tid)
{
	pid_t *n = realloc(it->threads, (it->nr_threads + 1) * sizeof(pid_t));

	if (!n)
		return -1;
	it->threads = n;
	it->threads[it->nr_threads++] = tid;
	return 0;
}

/* Seize every thread of one task, main thread first, until no new ones. */
static int seize_threads(struct pstree_item *it)
{
	for (int round = 0;; round++) {
		pid_t *tids;
		int nr, added = 0;

		if (proc_read_threads(it->pid, &tids, &nr))
			return -1;
		for (int i = 0; i < nr; i++) {
			if (has_tid(it, tids[i]))
				continue;
			if (seize_thread(tids[i]) || add_tid(it, tids[i])) {
				free(tids);
				return -1;
			}
			added++;
		}
		free(tids);
		if (!added)
			return 0;
		if (round > 1000) {
			pr_err("task %d keeps creating threads\n", it->pid);
			return -1;
		}
	}
}

static int task_state(pid_t pid, struct proc_stat *st)
{
	if (proc_read_stat(pid, 0, st))
		return -1;
	return 0;
}

static int seize_task(struct pstree_item *it)
{
	struct proc_stat st;
	bool stopped;

	if (task_state(it->pid, &st))
		return -1;
	/* once traced it reads 't' whatever it was: look before */
	stopped = st.state == 'T';
	if (st.state == 'Z') {
		/* nothing to seize: its pid, ids and exit status are all it has */
		it->state = TASK_DEAD;
		it->exit_code = st.exit_code;
		memcpy(it->comm, st.comm, sizeof(it->comm));
		it->pgid = st.pgid;
		it->sid = st.sid;
		it->nr_threads = 1;
		it->threads = malloc(sizeof(pid_t));
		if (!it->threads)
			return -1;
		it->threads[0] = it->pid;
		return 0;
	}
	/* The main thread goes first so that threads[0] == pid. */
	if (seize_thread(it->pid) || add_tid(it, it->pid))
		return -1;
	if (seize_threads(it))
		return -1;
	/* Read ids only now: a stopped task can no longer change them. */
	if (task_state(it->pid, &st))
		return -1;
	it->pgid = st.pgid;
	it->sid = st.sid;
	if (stopped)
		it->state = TASK_STOPPED;
	return 0;
}

static int collect_children(struct pstree *t, struct pstree_item *it)
{
	for (int i = 0; i < it->nr_threads; i++) {
		pid_t *kids;
		int nr;

		if (proc_read_children(it->pid, it->threads[i], &kids, &nr))
			return -1;
		for (int k = 0; k < nr; k++) {
			if (pstree_find(t, kids[k]))
				continue;
			if (!pstree_add(t, it, kids[k])) {
				free(kids);
				return -1;
			}
		}
		free(kids);
	}
	return 0;
}

int pstree_seize(pid_t root, struct pstree *t)
{
	struct pstree_item *it;

	pstree_init(t);
	if (root == getpid()) {
		pr_err("criu can't dump itself\n");
		return -1;
	}
	if (!pstree_add(t, NULL, root))
		return -1;
	/* items is in insertion order, so this walks the tree top-down */
	list_for_each_entry(it, &t->items, list) {
		if (it->pid == getpid()) {
			pr_err("criu (pid %d) is inside the tree it dumps\n", it->pid);
			goto err;
		}
		if (seize_task(it))
			goto err;
		if (it->state != TASK_DEAD && collect_children(t, it))
			goto err;
		pr_info("seized task %d (%d threads)\n", it->pid, it->nr_threads);
	}
	return 0;
err:
	pstree_unseize(t, UNSEIZE_RESUME);
	pstree_free(t);
	return -1;
}

static void detach_thread(pid_t tid, int sig)
{
	if (ptrace(PTRACE_DETACH, tid, 0, sig) && errno != ESRCH)
		pr_perror("can't detach thread %d", tid);
}

int pstree_unseize(struct pstree *t, enum unseize_mode mode)
{
	struct pstree_item *it;

	list_for_each_entry(it, &t->items, list) {
		if (it->state == TASK_DEAD)
			continue;	/* never seized */
		if (mode == UNSEIZE_KILL) {
			kill(it->pid, SIGKILL);
			/*
			 * Collect the tracer's notifications so the tree is truly gone;
			 * the leader is reported only after every other thread.
			 */
			for (int i = it->nr_threads - 1; i >= 0; i--) {
				int status;

				while (waitpid(it->threads[i], &status, __WALL) > 0 &&
				       !WIFEXITED(status) && !WIFSIGNALED(status))
					;
			}
			continue;
		}
		/*
		 * A signal passed to PTRACE_DETACH from an interrupt stop is dropped:
		 * queue the SIGSTOP first, it takes effect once the task runs.
		 */
		if (mode == UNSEIZE_STOP || it->state == TASK_STOPPED)
			kill(it->pid, SIGSTOP);
		for (int i = 0; i < it->nr_threads; i++)
			detach_thread(it->threads[i], 0);
	}
	return 0;
}
