/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The logger: CRIU-style lines "(ss.uuuuuu) text" on stderr or in a log
 * file. It is one of the three globals the style guide allows.
 */
#ifndef CRIU_INCLUDE_LOG_H
#define CRIU_INCLUDE_LOG_H

#include <errno.h>
#include <string.h>

#include "common/compiler.h"

enum log_level {
	LOG_MSG = 0,	/* user-facing output, never timestamped */
	LOG_ERROR = 1,
	LOG_WARN = 2,
	LOG_INFO = 3,
	LOG_DEBUG = 4,
};

#define LOG_DEFAULT_LEVEL LOG_WARN

#ifndef LOG_PREFIX
#define LOG_PREFIX ""
#endif

/* Open the log: path NULL or "-" means stderr; relative paths use dirfd. */
int log_init(const char *path, int dirfd) __must_check;
void log_fini(void);
void log_set_level(int level);
int log_get_level(void);
int log_get_fd(void);
/* Move the log to fd number newfd (restore keeps it out of the task's way). */
int log_move_fd(int newfd) __must_check;
/* Seconds and microseconds since the logger started, for the restorer. */
void log_get_start(long *sec, long *usec);
void log_print(int level, const char *fmt, ...) __printf(2, 3);

#define pr_msg(fmt, ...) log_print(LOG_MSG, fmt, ##__VA_ARGS__)
#define pr_info(fmt, ...) log_print(LOG_INFO, LOG_PREFIX fmt, ##__VA_ARGS__)
#define pr_debug(fmt, ...) log_print(LOG_DEBUG, LOG_PREFIX fmt, ##__VA_ARGS__)
#define pr_warn(fmt, ...) \
	log_print(LOG_WARN, "Warn  (%s:%d): " LOG_PREFIX fmt, __FILE__, __LINE__, ##__VA_ARGS__)
#define pr_err(fmt, ...) \
	log_print(LOG_ERROR, "Error (%s:%d): " LOG_PREFIX fmt, __FILE__, __LINE__, ##__VA_ARGS__)
/* The errno-appending form, for use right after a failing call. */
#define pr_perror(fmt, ...)                                                        \
	do {                                                                       \
		int __e = errno;                                                   \
		pr_err(fmt ": %s\n", ##__VA_ARGS__, strerror(__e));                \
		errno = __e;                                                       \
	} while (0)
#define pr_pwarn(fmt, ...)                                                         \
	do {                                                                       \
		int __e = errno;                                                   \
		pr_warn(fmt ": %s\n", ##__VA_ARGS__, strerror(__e));               \
		errno = __e;                                                       \
	} while (0)

#endif /* CRIU_INCLUDE_LOG_H */
