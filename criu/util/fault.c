// SPDX-License-Identifier: GPL-2.0
/* CRIU_FAULT: which failure a test asks criu to inject (see fault.h). */
#include <stdio.h>
#include <stdlib.h>

#include "fault.h"

enum fault fi_strategy = FI_NONE;

int fault_init(char *err, size_t len)
{
	const char *v = getenv("CRIU_FAULT");
	char *end;
	long code;

	if (!v || !*v)
		return 0;
	code = strtol(v, &end, 10);
	if (*end || (code != FI_RESTORE_KILLED_IN_CLONE && code != FI_DUMP_LATE &&
		     code != FI_RESTORE_NO_IN_PLACE)) {
		snprintf(err, len, "CRIU_FAULT=%s: not a fault this criu injects (it knows %d: "
			 "restore, the root killed inside its first clone; %d: dump, failing once "
			 "the images are written; %d: restore, no area mapped in place)", v,
			 FI_RESTORE_KILLED_IN_CLONE, FI_DUMP_LATE, FI_RESTORE_NO_IN_PLACE);
		return -1;
	}
	fi_strategy = code;
	return 0;
}
