/* SPDX-License-Identifier: GPL-2.0 */
/* The spin plan shared by pidctl's files (private to criu/pstree/). */
#ifndef CRIU_PSTREE_PIDCTL_INTERNAL_H
#define CRIU_PSTREE_PIDCTL_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "pidctl.h"

struct pidctl_shared {
	uint32_t turn;		/* futex: index of the next pid to create */
	uint32_t nr;
	int32_t order[];
};

/* The kernel's RESERVED_PIDS: the counter wraps to it, not to 1. */
#define PIDCTL_RESERVED_PIDS 300

/* The last pid the kernel handed out (ns_last_pid, read-only); -1 if unknown. */
pid_t pidctl_read_last_pid(struct pidctl *pc);
/* The first pid of the plan spinning can't reach from counter last; 0 if none. */
pid_t pidctl_plan_unreachable(const struct pidctl *pc, pid_t last);

/* Whether the kernel's next pid after last is want (in_use: a pid not free). */
bool pidctl_next_is(pid_t last, pid_t want, pid_t pid_max, bool (*in_use)(pid_t));

int pidctl_cmp_int(const void *a, const void *b);
/* Block until it is want's turn in the plan; then create it and advance. */
void pidctl_wait_turn(struct pidctl *pc, pid_t want);
void pidctl_next_turn(struct pidctl *pc);

#endif /* CRIU_PSTREE_PIDCTL_INTERNAL_H */
