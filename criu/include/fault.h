/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CR_FAULT_H
#define CR_FAULT_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Fault injection for tests: CRIU_FAULT=<code> in criu's environment.
 * Codes are this criu's own, above CRIU's range (CRIU's mean other
 * things here, so they are refused rather than misread).
 */
enum fault {
	FI_NONE = 0,
	/*
	 * restore: the root fails right after its first child's clone
	 * returns, before it lists the child, and that child starts 300 ms
	 * late: as if criu killed the root inside its clone.
	 */
	FI_RESTORE_KILLED_IN_CLONE = 1001,
	/*
	 * dump: fail once every image but the inventory is written, the
	 * latest point a dump can fail at (the tree must go on as it was).
	 */
	FI_DUMP_LATE = 1002,
	/*
	 * restore: no area is mapped at its own address; every one goes
	 * through the premap region and is moved by the restorer (the path
	 * an area takes when criu's own mappings are in its way).
	 */
	FI_RESTORE_NO_IN_PLACE = 1003,
};

extern enum fault fi_strategy;

/* Reads CRIU_FAULT; -1 with err filled for a code this criu does not inject. */
int fault_init(char *err, size_t len);

static inline bool fault_injected(enum fault f)
{
	return fi_strategy == f;
}

#endif
