// SPDX-License-Identifier: GPL-2.0
/*
 * The logger. Lines carry the time elapsed since log_init() so that slow
 * steps stand out; LOG_MSG lines are the tool's own output and carry none.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static int log_fd = STDERR_FILENO;
static int log_level = LOG_DEFAULT_LEVEL;
static struct timespec log_start;

int log_init(const char *path, int dirfd)
{
	clock_gettime(CLOCK_MONOTONIC, &log_start);
	if (!path || !strcmp(path, "-")) {
		log_fd = STDERR_FILENO;
		return 0;
	}
	int fd = openat(dirfd, path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0) {
		int e = errno;

		log_fd = STDERR_FILENO;
		pr_err("can't open log file '%s': %s\n", path, strerror(e));
		return -1;
	}
	log_fd = fd;
	return 0;
}

void log_fini(void)
{
	if (log_fd > STDERR_FILENO)
		close(log_fd);
	log_fd = STDERR_FILENO;
}

void log_set_level(int level)
{
	log_level = level < LOG_MSG ? LOG_MSG : level;
}

int log_get_level(void)
{
	return log_level;
}

int log_get_fd(void)
{
	return log_fd;
}

int log_move_fd(int newfd)
{
	if (newfd == log_fd)
		return 0;
	if (dup3(log_fd, newfd, O_CLOEXEC) < 0) {
		pr_perror("can't move the log to fd %d", newfd);
		return -1;
	}
	if (log_fd > STDERR_FILENO)
		close(log_fd);
	log_fd = newfd;
	return 0;
}

void log_get_start(long *sec, long *usec)
{
	*sec = log_start.tv_sec;
	*usec = log_start.tv_nsec / 1000;
}

void log_print(int level, const char *fmt, ...)
{
	char buf[4096];
	int n = 0, saved = errno;
	va_list ap;

	if (level > log_level)
		return;
	if (level != LOG_MSG) {
		struct timespec now;
		long sec, usec;

		clock_gettime(CLOCK_MONOTONIC, &now);
		sec = now.tv_sec - log_start.tv_sec;
		usec = (now.tv_nsec - log_start.tv_nsec) / 1000;
		if (usec < 0) {
			usec += 1000000;
			sec--;
		}
		n = snprintf(buf, sizeof(buf), "(%02ld.%06ld) ", sec, usec);
	}
	va_start(ap, fmt);
	int m = vsnprintf(buf + n, sizeof(buf) - n, fmt, ap);
	va_end(ap);
	if (m < 0)
		m = 0;
	n += m;
	if (n >= (int)sizeof(buf)) {
		n = sizeof(buf) - 1;
		buf[n - 1] = '\n';
	}
	/* One write per line keeps lines whole when tasks share the log. CRIU's
	 * own output (LOG_MSG: check's verdict, --display-stats) goes to stdout. */
	if (write(level == LOG_MSG ? STDOUT_FILENO : log_fd, buf, n) < 0) {
		/* nowhere left to report it */
	}
	errno = saved;
}
