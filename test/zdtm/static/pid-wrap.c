// SPDX-License-Identifier: GPL-2.0
/*
 * pid-wrap: a tree whose PIDs do not grow with its depth, as after the
 * PID counter wrapped. The root R places its child A at the top of the
 * PID space; A's children are B1, the lowest free PID (below R), and B2,
 * just below A; B2's child D lies between B1 and B2; R's second child C
 * is low too, below R. Creating them in ascending PID order is
 * impossible, since parents come first. PIDs are chosen with clone3 and
 * set_tid, or ns_last_pid, which needs CAP_CHECKPOINT_RESTORE over the
 * PID namespace (see the .desc privs). After restore everyone checks its
 * pid and parent; parents reap children with their exit codes.
 * --low=N: the low members start at N instead of 2 (300 is where the
 * kernel's counter goes after pid_max, so spinning can reach them).
 */
#include <errno.h>
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

#include "zdtmtst.h"

enum { A, B1, B2, D, C, NR_MEMBERS };

static const struct {
	const char *name;
	int parent;	/* -1: the root */
} specs[NR_MEMBERS] = {
	[A] = { "A", -1 },
	[B1] = { "B1", A },
	[B2] = { "B2", A },
	[D] = { "D", B2 },
	[C] = { "C", -1 },
};

#define EXIT_OK(i)	(10 + (i))
#define NS_LAST_PID	"/proc/sys/kernel/ns_last_pid"

static pid_t pids[NR_MEMBERS];
static pid_t root_pid, pid_max, low = 2;
static int clone3_err, ns_last_pid_err;

static pid_t by_set_tid(pid_t want)
{
	struct clone_args args = {
		.exit_signal = SIGCHLD,
		.set_tid = (uintptr_t)&want,
		.set_tid_size = 1,
	};

	return syscall(SYS_clone3, &args, sizeof(args));
}

/* Under the lock other ns_last_pid users (pidhold, criu) take too. */
static pid_t by_ns_last_pid(pid_t want)
{
	char buf[16];
	int fd, len = snprintf(buf, sizeof(buf), "%d", want - 1);
	pid_t pid = -1;

	fd = open(NS_LAST_PID, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -1;
	flock(fd, LOCK_EX);
	if (write(fd, buf, len) == len) {
		pid = fork();
		if (pid == 0 && getpid() != want)
			_exit(0);
		if (pid > 0 && pid != want) {
			waitpid(pid, NULL, 0);
			errno = EEXIST;	/* someone else got it: try another */
			pid = -1;
		}
	}
	close(fd);
	return pid;
}

/* A child with pid want: 0 in the child, -1 with EEXIST when taken. */
static pid_t fork_at(pid_t want)
{
	pid_t pid;

	if (!clone3_err) {
		pid = by_set_tid(want);
		if (pid >= 0 || (errno != EPERM && errno != ENOSYS))
			return pid;
		clone3_err = errno;
	}
	if (!ns_last_pid_err) {
		pid = by_ns_last_pid(want);
		if (pid >= 0 || errno == EEXIST)
			return pid;
		ns_last_pid_err = errno;
	}
	errno = EPERM;
	return -1;
}

/* First free pid from start towards end (exclusive) that we can take. */
static pid_t fork_near(pid_t start, int dir, pid_t end)
{
	for (pid_t p = start; p != end && p > 1 && p < pid_max; p += dir) {
		pid_t pid;

		if (kill(p, 0) == 0 || errno != ESRCH)
			continue;
		pid = fork_at(p);
		if (pid >= 0 || errno != EEXIST)
			return pid;
	}
	errno = ENOSPC;
	return -1;
}

/* Where member i goes; what its parent knows is all it may use. */
static pid_t place(int i)
{
	pid_t pid;

	switch (i) {
	case A:
		return fork_near(pid_max - 1, -1, root_pid);
	case B1:
		return fork_near(low, 1, pids[A]);
	case B2:
		return fork_near(pids[A] - 1, -1, pids[B1]);
	case D:
		return fork_near(pids[B1] + 1, 1, pids[B2]);
	default:
		/* a fresh PID namespace may have no free pid below the root */
		pid = fork_near(low, 1, root_pid);
		if (pid < 0 && errno == ENOSPC)
			pid = fork_near(root_pid + 1, 1, pid_max);
		return pid;
	}
}

static void __attribute__((noreturn)) member(int self);

static int spawn_children(int self)
{
	for (int i = 0; i < NR_MEMBERS; i++) {
		if (specs[i].parent != self)
			continue;
		pids[i] = place(i);
		if (pids[i] == 0) {
			pids[i] = getpid();
			member(i);
		}
		if (pids[i] < 0) {
			if (clone3_err && ns_last_pid_err)
				fail("%s: can't choose its pid: clone3 with set_tid: %s, %s: %s; this "
				     "needs CAP_CHECKPOINT_RESTORE", specs[i].name,
				     strerror(clone3_err), NS_LAST_PID, strerror(ns_last_pid_err));
			else
				fail("%s: no free pid where it belongs: %m", specs[i].name);
			return -1;
		}
	}
	return 0;
}

static void finish(int self)
{
	for (int i = 0; i < NR_MEMBERS; i++)
		if (specs[i].parent == self && pids[i] > 0)
			kill(pids[i], SIGTERM);
	for (int i = 0; i < NR_MEMBERS; i++)
		if (specs[i].parent == self && pids[i] > 0)
			tree_reap(pids[i], EXIT_OK(i), specs[i].name);
}

static void member(int self)
{
	struct tree_ids ids;
	int ok;

	tree_ids_get(&ids);
	test_msg("%s: pid %d, parent %d", specs[self].name, ids.pid, ids.ppid);
	ok = !spawn_children(self);
	tree_ready_done(ok);
	test_waitsig();
	tree_ids_check(&ids, specs[self].name);
	finish(self);
	_exit(test_failures() ? 1 : EXIT_OK(self));
}

int main(int argc, char **argv)
{
	struct tree_ids ids;
	char buf[32];

	test_init(argc, argv);
	root_pid = getpid();
	if (test_opt("low"))
		low = atoi(test_opt("low"));
	if (read_file("/proc/sys/kernel/pid_max", buf, sizeof(buf)) <= 0 ||
	    (pid_max = atoi(buf)) < 1000) {
		fail("can't read a usable pid_max");
		return 1;
	}
	if (tree_ready_init())
		return 1;
	tree_ids_get(&ids);
	ids.ppid = 0;
	if (spawn_children(-1) || tree_ready_wait(NR_MEMBERS)) {
		finish(-1);
		return 1;
	}
	test_msg("root: A %d, C %d (pid_max %d, pids from %s)", pids[A], pids[C], pid_max,
		 clone3_err ? "ns_last_pid" : "clone3 set_tid");
	test_daemon();
	test_waitsig();

	tree_ids_check(&ids, "root");
	finish(-1);
	return test_result();
}
