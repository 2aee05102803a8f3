// SPDX-License-Identifier: GPL-2.0
/* stats-dump and stats-restore images, and their --display-stats form. */
#include <fcntl.h>
#include <string.h>
#include <time.h>

#define LOG_PREFIX "stats: "
#include "image.h"
#include "images.h"
#include "log.h"
#include "stats.h"

uint64_t stats_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000ULL + ts.tv_nsec / 1000;
}

static uint32_t us32(uint64_t v)
{
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

int stats_write_dump(int dirfd, const struct dump_stats *s)
{
	StatsEntry e = STATS_ENTRY__INIT;
	DumpStatsEntry d = DUMP_STATS_ENTRY__INIT;

	d.freezing_time = us32(s->freezing_us);
	d.frozen_time = us32(s->frozen_us);
	d.memdump_time = us32(s->memdump_us);
	d.memwrite_time = us32(s->memwrite_us);
	d.pages_scanned = s->pages_scanned;
	d.pages_written = s->pages_written;
	d.has_dump_time = 1;
	d.dump_time = us32(s->total_us);
	e.dump = &d;
	return img_write_one(dirfd, IMG_STATS_DUMP, 0, &e);
}

int stats_write_restore(int dirfd, const struct restore_stats *s)
{
	StatsEntry e = STATS_ENTRY__INIT;
	RestoreStatsEntry r = RESTORE_STATS_ENTRY__INIT;

	r.forking_time = us32(s->forking_us);
	r.restore_time = us32(s->restore_us);
	r.has_pages_restored = 1;
	r.pages_restored = s->pages_restored;
	r.pid_method = (char *)s->pid_method;
	r.has_nr_tasks = 1;
	r.nr_tasks = s->nr_tasks;
	r.has_pages_time = 1;
	r.pages_time = us32(s->pages_us);
	r.has_pids_spun = 1;
	r.pids_spun = s->pids_spun;
	e.restore = &r;
	return img_write_one(dirfd, IMG_STATS_RESTORE, 0, &e);
}

void stats_print_dump(const struct dump_stats *s)
{
	pr_msg("Displaying dump stats:\n");
	pr_msg("Freezing time: %llu us\n", (unsigned long long)s->freezing_us);
	pr_msg("Frozen time: %llu us\n", (unsigned long long)s->frozen_us);
	pr_msg("Memory dump time: %llu us\n", (unsigned long long)s->memdump_us);
	pr_msg("Memory write time: %llu us\n", (unsigned long long)s->memwrite_us);
	pr_msg("Memory pages scanned: %llu (0x%llx)\n", (unsigned long long)s->pages_scanned,
	       (unsigned long long)s->pages_scanned);
	pr_msg("Memory pages skipped as zero: %llu (0x%llx)\n",
	       (unsigned long long)s->pages_zero, (unsigned long long)s->pages_zero);
	pr_msg("Memory pages written: %llu (0x%llx)\n", (unsigned long long)s->pages_written,
	       (unsigned long long)s->pages_written);
	pr_msg("Dump time: %llu us\n", (unsigned long long)s->total_us);
}

void stats_print_restore(const struct restore_stats *s)
{
	pr_msg("Displaying restore stats:\n");
	pr_msg("Tasks: %u\n", s->nr_tasks);
	pr_msg("PID method: %s\n", s->pid_method ? s->pid_method : "?");
	pr_msg("Forking time: %llu us\n", (unsigned long long)s->forking_us);
	pr_msg("Forking time per task: %llu us\n",
	       (unsigned long long)(s->nr_tasks ? s->forking_us / s->nr_tasks : 0));
	pr_msg("Memory restore time: %llu us\n", (unsigned long long)s->pages_us);
	pr_msg("Memory restore time summed over tasks: %llu us\n",
	       (unsigned long long)s->pages_us_summed);
	if (s->pages_us)
		pr_msg("Memory restore throughput: %.2f GB/s\n",
		       s->pages_restored * 4096.0 / s->pages_us / 1000.0);
	if (s->pid_method && !strcmp(s->pid_method, "spin"))
		pr_msg("PIDs spun through: %llu of pid_max %u (%.2f passes)\n",
		       (unsigned long long)s->pids_spun, s->pid_max,
		       s->pid_max ? (double)s->pids_spun / s->pid_max : 0.0);
	pr_msg("Memory pages restored: %llu (0x%llx)\n", (unsigned long long)s->pages_restored,
	       (unsigned long long)s->pages_restored);
	pr_msg("Restore time: %llu us\n", (unsigned long long)s->restore_us);
}
