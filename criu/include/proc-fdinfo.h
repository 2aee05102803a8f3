/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Parsers of the kind-specific lines of /proc/PID/fdinfo/N (what
 * proc_parse_fdinfo() leaves in proc_fdinfo.extra) for eventfd, signalfd,
 * timerfd, epoll and inotify, and of /proc/PID/mountinfo lines. Pure: text
 * in, struct out, every number range-checked.
 */
#ifndef CRIU_INCLUDE_PROC_FDINFO_H
#define CRIU_INCLUDE_PROC_FDINFO_H

#include <stdint.h>
#include <sys/types.h>

#include "common/compiler.h"

struct fdinfo_eventfd {
	uint64_t count;
	int semaphore;		/* 0 or 1; -1 when the kernel does not say (before 6.5) */
};

int proc_parse_eventfd(const char *extra, struct fdinfo_eventfd *e) __must_check;
int proc_parse_signalfd(const char *extra, uint64_t *sigmask) __must_check;

struct fdinfo_timerfd {
	int clockid;
	uint64_t ticks;
	uint32_t settime_flags;
	uint64_t value_sec, value_nsec;		/* time left, 0 when disarmed */
	uint64_t interval_sec, interval_nsec;
};

int proc_parse_timerfd(const char *extra, struct fdinfo_timerfd *t) __must_check;

#define FDINFO_MAX_WATCHES (1 << 20)

struct fdinfo_epoll_tfd {
	int tfd;		/* the fd number the watch was added with */
	uint32_t events;
	uint64_t data;
	int64_t pos;
	uint64_t ino;
	uint32_t sdev;		/* kernel dev_t encoding: see proc_kdev_to_dev() */
};

/* *v is malloc'ed (NULL when there is no watch). */
int proc_parse_epoll(const char *extra, struct fdinfo_epoll_tfd **v, int *nr) __must_check;

#define FDINFO_FHANDLE_MAX 128	/* MAX_HANDLE_SZ */

struct fdinfo_inotify_wd {
	int wd;
	uint64_t ino;
	uint32_t sdev;		/* kernel dev_t encoding */
	uint32_t mask, ignored_mask;
	uint32_t fh_bytes;	/* 0: the kernel gave no handle */
	int fh_type;
	uint8_t fh[FDINFO_FHANDLE_MAX];
};

int proc_parse_inotify(const char *extra, struct fdinfo_inotify_wd **v, int *nr) __must_check;

/* fdinfo prints a superblock's s_dev as the kernel keeps it (major << 20 | minor). */
dev_t proc_kdev_to_dev(uint32_t kdev);

struct proc_mountinfo {
	int mnt_id;
	unsigned int major, minor;
	char root[4096];	/* the mount's root inside its filesystem */
	char mountpoint[4096];	/* octal escapes (\040) undone */
};

int proc_parse_mountinfo_line(const char *line, struct proc_mountinfo *m) __must_check;

#endif /* CRIU_INCLUDE_PROC_FDINFO_H */
