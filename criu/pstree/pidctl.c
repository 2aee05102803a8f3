// SPDX-License-Identifier: GPL-2.0
/*
 * Exact-PID task creation (DESIGN.md section 5). clone3/set_tid needs no
 * lock; ns_last_pid is written and the PID verified under an flock on the
 * sysctl shared by every restoring task; the spinner burns PIDs with vfork
 * (about 20x faster than fork here) until the counter sits just below the
 * wanted PID.
 */
#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define LOG_PREFIX "pidctl: "
#include "kdat.h"
#include "log.h"
#include "pidctl.h"
#include "proc-parse.h"
#include "pstree.h"

#define NS_LAST_PID "/proc/sys/kernel/ns_last_pid"
#define NS_LAST_PID_TRIES 16

int pidctl_init(struct pidctl *pc, enum pid_method requested)
{
	const struct kdat *k = kdat_get();
	char why[512];

	memset(pc, 0, sizeof(*pc));
	pc->ns_last_pid_fd = -1;
	pc->clone3_ok = k->clone3_set_tid.res == PROBE_OK || k->clone3_set_tid.res == PROBE_NO_CAP;
	pc->pid_max = k->pid_max;
	if (requested == PID_METHOD_AUTO) {
		pc->method = kdat_auto_pid_method(k, why, sizeof(why));
		pr_info("pid method %s: %s\n", pid_method_name(pc->method), why);
	} else {
		if (kdat_pid_method_usable(k, requested, why, sizeof(why))) {
			pr_err("can't use --pid-method %s: %s\n", pid_method_name(requested), why);
			return -1;
		}
		pc->method = requested;
	}
	if (pc->method == PID_METHOD_SPIN && requested == PID_METHOD_AUTO) {
		if (kdat_probe_fork_rate())
			pr_warn("can't measure the fork rate\n");
		pr_warn("only spinning is left to get exact PIDs: up to ~%.1f s per task "
			"(pid_max %u); %s\n", kdat_spin_seconds(k), k->pid_max, kdat_cap_hint());
	}
	if (pc->method == PID_METHOD_NS_LAST_PID) {
		pc->ns_last_pid_fd = open(NS_LAST_PID, O_RDWR | O_CLOEXEC);
		if (pc->ns_last_pid_fd < 0) {
			pr_perror("can't open %s", NS_LAST_PID);
			return -1;
		}
	}
	return 0;
}

void pidctl_fini(struct pidctl *pc)
{
	if (pc->ns_last_pid_fd >= 0)
		close(pc->ns_last_pid_fd);
	pc->ns_last_pid_fd = -1;
}

static void describe_holder(pid_t pid, char *buf, size_t len)
{
	char path[64], *comm, *status;
	long tgid = -1;

	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	comm = proc_read_file(path, NULL);
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	status = proc_read_file(path, NULL);
	if (status) {
		struct proc_status st;

		if (!proc_parse_status(status, &st)) {
			tgid = st.tgid;
			if (st.state == 'Z')
				tgid = -2;
			proc_status_free(&st);
		}
	}
	if (comm)
		comm[strcspn(comm, "\n")] = 0;
	if (tgid == -2)
		snprintf(buf, len, "a zombie '%s' not yet reaped by its parent", comm ? comm : "?");
	else if (tgid > 0 && tgid != pid)
		snprintf(buf, len, "thread of process %ld '%s'", tgid, comm ? comm : "?");
	else
		snprintf(buf, len, "process '%s'", comm ? comm : "? (not visible in /proc)");
	free(comm);
	free(status);
}

static int check_one(pid_t pid, const char *what)
{
	char holder[256];

	if (kill(pid, 0) && errno == ESRCH)
		return 0;
	describe_holder(pid, holder, sizeof(holder));
	pr_err("%s %d is taken by %s: free it before restoring\n", what, pid, holder);
	return -1;
}

int pidctl_check_free(const struct pstree *t)
{
	struct pstree_item *it;
	int ret = 0;

	list_for_each_entry(it, &t->items, list)
		for (int i = 0; i < it->nr_threads; i++)
			ret |= check_one(it->threads[i], i ? "thread id" : "pid");
	return ret ? -1 : 0;
}

static pid_t raw_clone3(uint64_t flags, pid_t *set_tid)
{
	struct clone_args ca = { 0 };

	ca.flags = flags;
	ca.exit_signal = flags & CLONE_PARENT ? 0 : SIGCHLD;
	if (set_tid) {
		ca.set_tid = (uint64_t)set_tid;
		ca.set_tid_size = 1;
	}
	return syscall(SYS_clone3, &ca, sizeof(ca));
}

/* A plain fork: clone3 when allowed, else the legacy clone. */
static pid_t plain_fork(struct pidctl *pc, int flags)
{
	uint64_t cf = flags & PIDCTL_SIBLING ? CLONE_PARENT : 0;

	if (pc->clone3_ok)
		return raw_clone3(cf, NULL);
	/* with CLONE_PARENT the kernel uses criu's own exit signal anyway */
	return syscall(SYS_clone, cf | SIGCHLD, 0, 0, 0, 0);
}

/* Fork; a child with the wrong pid leaves at once and is reaped. */
static pid_t fork_expect(struct pidctl *pc, pid_t want, int flags, int *wrong)
{
	pid_t pid = plain_fork(pc, flags);

	*wrong = 0;
	if (pid == 0 && syscall(SYS_getpid) != want)
		_exit(0);	/* someone took the pid first: this child is a dud */
	if (pid <= 0 || pid == want)
		return pid;
	/* not ours: it exits; as a sibling it is reaped by criu's parent */
	*wrong = 1;
	if (!(flags & PIDCTL_SIBLING))
		waitpid(pid, NULL, 0);
	return pid;
}

static pid_t fork_ns_last_pid(struct pidctl *pc, pid_t want, int flags)
{
	pid_t pid = -1;

	if (flock(pc->ns_last_pid_fd, LOCK_EX)) {
		pr_perror("can't lock %s", NS_LAST_PID);
		return -1;
	}
	for (int i = 0; i < NS_LAST_PID_TRIES; i++) {
		char buf[32];
		int len = snprintf(buf, sizeof(buf), "%d", want - 1), wrong;

		if (pwrite(pc->ns_last_pid_fd, buf, len, 0) != len) {
			pr_perror("can't write %d to %s", want - 1, NS_LAST_PID);
			pid = -1;
			break;
		}
		pid = fork_expect(pc, want, flags, &wrong);
		if (pid == 0)
			return 0;
		if (pid < 0 || !wrong)
			break;
		pr_debug("pid %d went to another task, got %d; retrying\n", want, pid);
		pid = -1;
	}
	flock(pc->ns_last_pid_fd, LOCK_UN);
	if (pid != want && pid >= 0)
		pr_err("pid %d keeps being taken by other tasks\n", want);
	return pid == want ? pid : -1;
}

/* One burnt PID: vfork shares our memory, so it is cheap. */
static pid_t burn_one(void)
{
	pid_t pid = vfork();

	if (pid == 0)
		_exit(0);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	return pid;
}

static pid_t fork_spin(struct pidctl *pc, pid_t want, int flags)
{
	unsigned long budget = 4UL * (pc->pid_max ? pc->pid_max : 4194304) + 1000;

	for (int tries = 0; tries < NS_LAST_PID_TRIES; tries++) {
		pid_t last = 0;
		int wrong;

		while (last != want - 1) {
			last = burn_one();
			if (last < 0) {
				pr_perror("can't fork while spinning to pid %d", want);
				return -1;
			}
			if (!budget--) {
				pr_err("spun through the whole PID space without reaching %d\n", want);
				return -1;
			}
			pc->spun++;
		}
		pid_t pid = fork_expect(pc, want, flags, &wrong);

		if (pid <= 0 || !wrong)
			return pid;
	}
	pr_err("pid %d keeps being taken by other tasks while spinning\n", want);
	return -1;
}

pid_t pidctl_fork(struct pidctl *pc, pid_t want, int flags)
{
	pid_t pid;

	switch (pc->method) {
	case PID_METHOD_SET_TID:
		pid = raw_clone3(flags & PIDCTL_SIBLING ? CLONE_PARENT : 0, &want);
		if (pid < 0)
			pr_perror("clone3 with set_tid %d failed", want);
		break;
	case PID_METHOD_NS_LAST_PID:
		pid = fork_ns_last_pid(pc, want, flags);
		break;
	default:
		pid = fork_spin(pc, want, flags);
		break;
	}
	if (pid > 0 && pid != want) {
		pr_err("asked for pid %d, got %d\n", want, pid);
		return -1;
	}
	return pid;
}
