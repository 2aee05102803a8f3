/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Exact-PID task creation: clone3 with set_tid, else ns_last_pid + fork
 * under a lock, else a built-in fork spinner. One plan per restore, chosen
 * from what the kernel allows, explained when something is missing.
 */
#ifndef CRIU_INCLUDE_PIDCTL_H
#define CRIU_INCLUDE_PIDCTL_H

#include <stdbool.h>
#include <sys/types.h>

#include "common/compiler.h"
#include "options.h"

struct pstree;

struct pidctl {
	enum pid_method method;
	int ns_last_pid_fd;	/* ns_last_pid: the sysctl, flock()ed as the lock */
	bool clone3_ok;		/* for the plain forks of the other methods */
	unsigned int pid_max;
	unsigned long spun;	/* PIDs burnt by the spinner, for the report */
};

/* Pick the method (requested or auto) and check it can work; errors say how to fix. */
int pidctl_init(struct pidctl *pc, enum pid_method requested) __must_check;
void pidctl_fini(struct pidctl *pc);
/* Every pid and tid of the tree is free; else name the holder and fail. */
int pidctl_check_free(const struct pstree *t) __must_check;

#define PIDCTL_SIBLING 1	/* create as criu's sibling (CLONE_PARENT) */

/* Like fork(): 0 in the child, the pid (== want) in the parent, -1 on error. */
pid_t pidctl_fork(struct pidctl *pc, pid_t want, int flags) __must_check;

#endif /* CRIU_INCLUDE_PIDCTL_H */
