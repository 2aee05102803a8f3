/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Exact-PID task creation: clone3 with set_tid, else ns_last_pid + fork
 * under a lock, else a built-in fork spinner. One plan per restore, chosen
 * from what the kernel allows, explained when something is missing.
 */
#ifndef CRIU_INCLUDE_PIDCTL_H
#define CRIU_INCLUDE_PIDCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/compiler.h"
#include "options.h"

struct pstree;
struct pidctl_shared;

struct pidctl {
	enum pid_method method;
	int ns_last_pid_fd;	/* ns_last_pid: the sysctl, flock()ed as the lock */
	pid_t ns_last_pid_owner;	/* the task that opened it */
	int last_pid_fd;	/* spin: ns_last_pid read-only, to see the counter */
	pid_t last_pid_owner;
	bool clone3_ok;		/* for the plain forks of the other methods */
	unsigned int pid_max;
	unsigned long spun;	/* PIDs burnt by the spinner, for the report */
	struct pidctl_shared *sh;	/* spin: the order every restoring task follows */
	size_t sh_len;
	int passes;		/* passes over the PID space the plan costs */
};

/* Pick the method (requested or auto) and check it can work; errors say how to fix. */
int pidctl_init(struct pidctl *pc, enum pid_method requested) __must_check;
void pidctl_fini(struct pidctl *pc);
/* Drop this task's ns_last_pid fd (its number may be reused by the task's fds). */
void pidctl_drop_fd(struct pidctl *pc, bool close_it);
/* Every pid and tid of the tree is free; else name the holder and fail. */
int pidctl_check_free(const struct pstree *t) __must_check;

/*
 * The restore-wide plan, built before the first fork. Spinning creates
 * tasks in ascending pid order from the root's (cyclically, a parent before
 * its children), then threads, so the counter crosses the PID space once
 * for the tasks (more only for trees whose children have lower pids).
 */
int pidctl_plan(struct pidctl *pc, const struct pstree *t) __must_check;
/* Every pid of the plan is reachable from where the counter is now; else say which not. */
int pidctl_plan_check(struct pidctl *pc) __must_check;
/* Passes over the PID space the plan needs (for the cost report). */
int pidctl_plan_passes(const struct pidctl *pc);

#define PIDCTL_SIBLING 1	/* create as criu's sibling (CLONE_PARENT) */

/* Like fork(): 0 in the child, the pid (== want) in the parent, -1 on error. */
pid_t pidctl_fork(struct pidctl *pc, pid_t want, int flags) __must_check;
/* A thread with tid want, started at entry(arg) (see arch_clone_thread). */
pid_t pidctl_clone_thread(struct pidctl *pc, pid_t want, void *clone_args, size_t size,
			  uint64_t entry, uint64_t arg) __must_check;

#endif /* CRIU_INCLUDE_PIDCTL_H */
