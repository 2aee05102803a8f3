/* SPDX-License-Identifier: GPL-2.0 */
/*
 * File locks as /proc/locks and the "lock:" lines of /proc/PID/fdinfo/N
 * print them. The parser is pure, so unit tests feed it recorded lines.
 */
#ifndef CRIU_INCLUDE_PROC_LOCKS_H
#define CRIU_INCLUDE_PROC_LOCKS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/compiler.h"

/* Kinds, with the values of file_lock_entry.flag (CRIU's FL_*). */
#define PROC_LOCK_POSIX	1
#define PROC_LOCK_FLOCK	2
#define PROC_LOCK_OFD	4
#define PROC_LOCK_LEASE	8
#define PROC_LOCK_OTHER	0x100	/* ACCESS, DELEG, UNKNOWN: nothing a task can hold */

#define PROC_LOCK_EOF	(-1LL)	/* end of a lock that runs to the end of the file */

struct proc_lock {
	unsigned int id;
	int kind;		/* PROC_LOCK_* */
	int type;		/* F_RDLCK, F_WRLCK, F_UNLCK */
	bool blocked;		/* a waiter ("->"), not a holder */
	pid_t pid;		/* -1 for OFD locks */
	unsigned int maj, min;	/* the file's device; both 0 for "<none>" */
	unsigned long long ino;
	long long start, end;	/* end is PROC_LOCK_EOF or the last byte */
};

/* One line of /proc/locks, or of fdinfo (with its "lock:" prefix). */
int proc_parse_lock_line(const char *line, struct proc_lock *l) __must_check;
/* A kind's name, for messages. */
const char *proc_lock_kind_name(int kind);

#endif /* CRIU_INCLUDE_PROC_LOCKS_H */
