// SPDX-License-Identifier: GPL-2.0
/* Parsers of /proc/PID/timers and /proc/PID/limits for the core image. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#define LOG_PREFIX "task: "
#include "log.h"
#include "proc-parse.h"
#include "task-internal.h"

#ifndef SIGEV_THREAD_ID
#define SIGEV_THREAD_ID 4
#endif

static int parse_notify(const char *v, struct posix_timer_state *t)
{
	static const struct {
		const char *name;
		uint32_t val;
	} kinds[] = { { "signal/", SIGEV_SIGNAL }, { "none/", SIGEV_NONE },
		      { "thread/", SIGEV_THREAD } };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(kinds); i++)
		if (!strncmp(v, kinds[i].name, strlen(kinds[i].name)))
			break;
	if (i == ARRAY_SIZE(kinds))
		return -1;
	t->notify = kinds[i].val;
	v += strlen(kinds[i].name);
	if (!strncmp(v, "tid.", 4))
		t->notify |= SIGEV_THREAD_ID;
	else if (strncmp(v, "pid.", 4))
		return -1;
	t->notify_tid = atoi(v + 4);
	return 0;
}

static struct posix_timer_state *new_timer(struct task_core *tc)
{
	struct posix_timer_state *n;

	if (tc->nr_posix_timers >= TASK_MAX_TIMERS)
		return NULL;
	n = realloc(tc->posix_timers, (tc->nr_posix_timers + 1) * sizeof(*n));
	if (!n)
		return NULL;
	tc->posix_timers = n;
	memset(&n[tc->nr_posix_timers], 0, sizeof(*n));
	return &n[tc->nr_posix_timers++];
}

int task_parse_timers_text(const char *text, struct task_core *tc)
{
	struct posix_timer_state *t = NULL;
	const char *line = text;

	while (*line) {
		const char *nl = strchr(line, '\n');

		if (!nl)
			nl = line + strlen(line);
		if (!strncmp(line, "ID: ", 4)) {
			if (!(t = new_timer(tc)))
				return -1;
			t->id = strtoul(line + 4, NULL, 10);
		} else if (!t) {
			return -1;
		} else if (!strncmp(line, "signal: ", 8)) {
			char *slash;

			t->signo = strtoul(line + 8, &slash, 10);
			if (*slash != '/')
				return -1;
			t->sival = strtoull(slash + 1, NULL, 16);
		} else if (!strncmp(line, "notify: ", 8)) {
			if (parse_notify(line + 8, t))
				return -1;
		} else if (!strncmp(line, "ClockID: ", 9)) {
			t->clock = strtoul(line + 9, NULL, 10);
		}
		line = *nl ? nl + 1 : nl;
	}
	return 0;
}

int task_parse_posix_timers(pid_t pid, struct task_core *tc)
{
	char path[64], *buf;
	int ret;

	snprintf(path, sizeof(path), "/proc/%d/timers", pid);
	buf = proc_read_file(path, NULL);
	if (!buf) {
		pr_perror("can't read %s", path);
		return -1;
	}
	ret = task_parse_timers_text(buf, tc);
	if (ret)
		pr_err("can't parse %s\n", path);
	free(buf);
	return ret;
}

static int parse_limit(const char *s, uint64_t *v, const char **end)
{
	char *e;

	while (*s == ' ')
		s++;
	if (!strncmp(s, "unlimited", 9)) {
		*v = RLIM_INFINITY;
		*end = s + 9;
		return 0;
	}
	*v = strtoull(s, &e, 10);
	if (e == s)
		return -1;
	*end = e;
	return 0;
}

/* Rows are in RLIMIT_* order after a header; values start at column 26. */
int task_parse_limits_text(const char *text, struct task_core *tc)
{
	const char *line = strchr(text, '\n');
	int n = 0;

	while (line && *++line && n < TASK_NRLIMITS) {
		const char *p;

		if (strlen(line) < 26)
			return -1;
		if (parse_limit(line + 25, &tc->rlim_cur[n], &p) ||
		    parse_limit(p, &tc->rlim_max[n], &p))
			return -1;
		n++;
		line = strchr(line, '\n');
	}
	return n == TASK_NRLIMITS ? 0 : -1;
}

int task_parse_limits(pid_t pid, struct task_core *tc)
{
	char path[64], *buf;
	int ret;

	snprintf(path, sizeof(path), "/proc/%d/limits", pid);
	buf = proc_read_file(path, NULL);
	if (!buf) {
		pr_perror("can't read %s", path);
		return -1;
	}
	ret = task_parse_limits_text(buf, tc);
	if (ret)
		pr_err("can't parse %s\n", path);
	free(buf);
	return ret;
}
