/* SPDX-License-Identifier: GPL-2.0 */
/* stats-dump and stats-restore: what a dump or restore cost, in CRIU's terms. */
#ifndef CRIU_INCLUDE_STATS_H
#define CRIU_INCLUDE_STATS_H

#include <stdint.h>

#include "common/compiler.h"

struct dump_stats {
	uint64_t freezing_us, frozen_us, memdump_us, memwrite_us, total_us;
	uint64_t pages_scanned, pages_written, pages_zero;
};

struct restore_stats {
	uint64_t forking_us, restore_us;
	uint64_t pages_us;		/* wall time from the first task filling to the last */
	uint64_t pages_us_summed;	/* each task's filling time, summed */
	uint64_t pages_restored;
	uint64_t pids_spun;		/* spin: pids burnt to reach the wanted ones */
	uint32_t pid_max;
	int spin_passes;		/* spin: passes the plan allows */
	uint32_t nr_tasks;
	const char *pid_method;
};

uint64_t stats_now_us(void);
int stats_write_dump(int dirfd, const struct dump_stats *s) __must_check;
int stats_write_restore(int dirfd, const struct restore_stats *s) __must_check;
/* What --display-stats prints, through the logger's LOG_MSG level. */
void stats_print_dump(const struct dump_stats *s);
void stats_print_restore(const struct restore_stats *s);

#endif /* CRIU_INCLUDE_STATS_H */
