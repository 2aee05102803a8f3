/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One handler per kind of open file (STYLE.md section 3): how to dump it,
 * how it looks in files.img, which extra images it owns, how criu reopens
 * it before the tasks exist, and what a task must still do once its fd
 * table is in place. Private to criu/files/.
 */
#ifndef CRIU_FILES_FILE_OPS_H
#define CRIU_FILES_FILE_OPS_H

#include <stdbool.h>
#include <sys/stat.h>

#include "files.h"
#include "images.h"
#include "proc-parse.h"

struct arena;

/* What the dump knows of one fd when it asks the handlers. */
struct fd_parms {
	pid_t pid;
	int fd;
	const char *link;		/* what /proc/PID/fd/N points to */
	const struct stat *st;		/* stat of the file behind it */
	const struct proc_fdinfo *fi;	/* pos, flags (no O_CLOEXEC), kind lines */
	const char *what;		/* "fd N of task P", for messages */
};

struct file_ops {
	const char *name;
	enum file_kind kind;		/* fd_types of fdinfo.proto */
	/* dump: is this fd of this kind? (the regular-file handler is the last resort) */
	bool (*match)(const struct fd_parms *p);
	/* dump: record the fd's open file description; *id names its entry */
	int (*dump)(struct file_ids *f, const struct fd_parms *p, uint32_t *id);
	/* dump: once per live task, after its fds (optional) */
	int (*dump_task)(struct file_ids *f, pid_t pid);
	/* files.img: the kind's part of a file_entry, written and read back checked */
	int (*to_image)(const struct file_entry *fe, FileEntry *e, struct arena *a);
	int (*from_image)(struct file_ids *f, const FileEntry *e, struct file_entry *fe);
	/* the kind's own images, once per dump / restore (optional) */
	int (*write_extra)(int dirfd, const struct file_ids *f);
	int (*read_extra)(int dirfd, struct file_ids *f);
	/* restore, in criu before any task: open it and set fe->rst_fd */
	int (*open)(struct file_ids *f, struct file_entry *fe, int dirfd);
	/* restore: true if open must run in the task instead (optional) */
	bool (*opens_in_task)(const struct file_entry *fe);
	/* --inherit-fd: the resource as CRIU names it, e.g. pipe:[123] (optional) */
	int (*inherit_key)(const struct file_entry *fe, char *buf, size_t len);
	/* set fe->rst_fd from criu's inherited fd (optional; default: a dup of it) */
	int (*open_inherited)(struct file_entry *fe, int fd);
	/* restore, in a task once its fds are installed (optional) */
	int (*task_fixup)(struct file_ids *f, struct file_entry *fe, int fd);
	void (*free)(struct file_entry *fe);
	/* free the kind's state of the whole dump or restore (optional) */
	void (*free_state)(struct file_ids *f);
	/* dump: once every task's fds are in, before files.img is written (optional) */
	int (*dump_finish)(struct file_ids *f);
	int open_order;		/* lower opens first: epoll after what it watches */
};

extern const struct file_ops reg_file_ops, pipe_file_ops;
extern const struct file_ops tty_file_ops;
extern const struct file_ops fifo_file_ops;
extern const struct file_ops unix_sk_file_ops;
extern const struct file_ops eventfd_file_ops;
extern const struct file_ops signalfd_file_ops;
extern const struct file_ops timerfd_file_ops;
extern const struct file_ops epoll_file_ops;
extern const struct file_ops inotify_file_ops;
extern const struct file_ops memfd_file_ops;

const struct file_ops *file_ops_by_kind(enum file_kind kind);
const struct file_ops *file_ops_match(const struct fd_parms *p);
/* Walk every handler (for the extra images). */
#define for_each_file_ops(ops) \
	for (const struct file_ops *const *__o = file_ops_all; (ops = *__o); __o++)
extern const struct file_ops *const file_ops_all[];

#endif /* CRIU_FILES_FILE_OPS_H */
