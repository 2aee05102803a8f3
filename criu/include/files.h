/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Open files: files.img (one entry per open file description), fdinfo-N.img
 * (a task's fd table), fs-PID.img (cwd, root, umask), remap-fpath.img and
 * ghost-file-N.img (unlinked files, stored with their content).
 */
#ifndef CRIU_INCLUDE_FILES_H
#define CRIU_INCLUDE_FILES_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/compiler.h"
#include "common/list.h"

/* fd_types of fdinfo.proto */
enum file_kind {
	FILE_KIND_REG = 1,
	FILE_KIND_PIPE = 2,
	FILE_KIND_FIFO = 3,
	FILE_KIND_UNIXSK = 5,
	FILE_KIND_EVENTFD = 6,
	FILE_KIND_EVENTPOLL = 7,
	FILE_KIND_INOTIFY = 8,
	FILE_KIND_SIGNALFD = 9,
	FILE_KIND_TTY = 11,
	FILE_KIND_TIMERFD = 17,
	FILE_KIND_MEMFD = 18,
};

#define FILES_MAX_FDS (1 << 20)

#define FILES_BUILD_ID_MAX 64

struct reg_file {
	char *path;		/* for an external file, its id: file[mnt_id:inode] */
	uint32_t flags;		/* open flags (O_ACCMODE, O_APPEND, ...) */
	uint64_t pos;
	bool has_size;		/* a file only appended to (a log) may grow: no size */
	bool ext;		/* --external: given back with --inherit-fd */
	uint32_t n_build_id;	/* an ELF file's GNU build-id, for --file-validation */
	uint8_t build_id[FILES_BUILD_ID_MAX];
	uint64_t size;
	uint32_t mode;		/* st_mode */
	uint64_t rdev;		/* for device nodes */
	bool ghost;		/* unlinked: content in ghost-file-<remap_id>.img */
	uint32_t remap_id;
	int src_fd;		/* dump: an fd on the file for copying a ghost's data */
	uint64_t dev, ino;	/* dump: identity, to store an unlinked file once */
};

struct pipe_file {
	uint64_t pipe_id;	/* the pipe's inode number */
	uint32_t flags;
	uint32_t size;		/* F_GETPIPE_SZ */
	bool has_data;		/* data in pipes-data.img (the first end holds it) */
	uint32_t data_len;
	uint8_t *data;
};

struct file_ops;
struct usk_state;

struct file_entry {
	uint32_t id;
	enum file_kind kind;
	const struct file_ops *ops;	/* the kind's handler (files/file-ops.h) */
	struct reg_file reg;
	struct pipe_file pipe;
	void *priv;		/* the state of kinds other than these two */
	struct list_head list;
	int rst_fd;		/* restore: criu's fd on it, -1 until opened */
};

/* Dump: an fd already dumped, to find the fds that share its description. */
struct dumped_fd {
	pid_t pid;
	int fd;
	uint64_t dev, ino;
	uint32_t id;
};

/* All the files of one dump or restore. */
struct file_ids {
	struct list_head files;
	uint32_t next_id;
	uint32_t next_remap_id;
	int nr_dumped, cap_dumped;
	struct dumped_fd *dumped;	/* every task's, so sharing across tasks shows */
	int nr_desc, cap_desc;
	int *desc;		/* dump: one index into dumped per open file description */
	void *tty;		/* the terminals (files/tty-internal.h) */
	struct usk_state *usk;		/* dump: unix sockets' sock_diag table (unix-sk-dump.c) */
	struct list_head locks;		/* file locks (file-locks.c) */
};

struct fd_entry {
	int fd;
	uint32_t id;
	bool cloexec;
};

struct fd_table {
	int nr;
	struct fd_entry *fds;
};

struct fs_state {
	uint32_t cwd_id, root_id;
	uint32_t umask;
};

void files_init(struct file_ids *f);
void files_free(struct file_ids *f);
struct file_entry *files_find(const struct file_ids *f, uint32_t id);

/* Dump: a file reached through /proc/PID/<link> (exe, cwd, root, fd/N). */
int files_add_proc_link(struct file_ids *f, pid_t pid, const char *link, uint32_t flags,
			uint32_t *id) __must_check;
/* Dump: a mapped file by path; dev/ino from the mapping must match. */
int files_add_mapped(struct file_ids *f, const char *path, unsigned int dev_major,
		     unsigned int dev_minor, unsigned long ino, uint32_t flags,
		     uint32_t *id) __must_check;
/* Dump: the memfd (inode ino) task pid maps at [start, end), opened with flags. */
int files_add_mapped_memfd(struct file_ids *f, pid_t pid, unsigned long start, unsigned long end,
			   unsigned long ino, uint32_t flags, uint32_t *id) __must_check;
int files_dump_fds(struct file_ids *f, pid_t pid, struct fd_table *t) __must_check;
int files_dump_fs(struct file_ids *f, pid_t pid, struct fs_state *fs) __must_check;

int files_write_images(int dirfd, struct file_ids *f) __must_check;
int files_write_fdinfo(int dirfd, uint32_t files_id, const struct file_ids *f,
		       const struct fd_table *t) __must_check;
int files_write_fs(int dirfd, pid_t pid, const struct fs_state *fs) __must_check;

/* Restore: read and check everything before anything is created. */
int files_read_images(int dirfd, struct file_ids *f) __must_check;
int files_read_fdinfo(int dirfd, uint32_t files_id, struct file_ids *f,
		      struct fd_table *t) __must_check;
int files_read_fs(int dirfd, pid_t pid, const struct file_ids *f,
		  struct fs_state *fs) __must_check;
/* Open file id as it was (position, flags); returns a new fd owned by the caller. */
int files_open(struct file_ids *f, int dirfd, uint32_t id) __must_check;
/* Open every file of the dump in criu, once, before any task exists. */
int files_open_all(struct file_ids *f, int dirfd) __must_check;
/* Move criu's copies above fd number above, once for every task that inherits them. */
int files_lift_all(struct file_ids *f, int above) __must_check;
/* Close criu's copies (tasks have theirs). */
void files_close_all(struct file_ids *f);
/* The highest fd this process has open, -1 on error. */
int files_max_open_fd(void);
/* Install the fd table: every target fd number ends up open as dumped. */
int files_restore_fds(struct file_ids *f, int dirfd, const struct fd_table *t) __must_check;
int files_restore_fs(struct file_ids *f, int dirfd, const struct fs_state *fs) __must_check;
void fd_table_free(struct fd_table *t);
/*
 * Close every fd but the task's table and service fds, before the restorer;
 * then take the task's POSIX locks, which any close() of their file drops.
 */
int files_close_restore_fds(struct file_ids *f, const struct fd_table *t) __must_check;
/* Close criu's fds on recreated unlinked files. */
void files_close_ghosts(void);

/*
 * Controlling terminals, in the restoring tasks. A session leader takes its
 * terminal right after setsid(), before it forks (children inherit it);
 * the foreground group is set once the task's fds are in place and every
 * group exists: files_fg_group() says which (0: none), files_set_fg() sets it.
 */
int files_take_ctty(struct file_ids *f, pid_t pid) __must_check;
pid_t files_fg_group(const struct file_ids *f, pid_t pid, pid_t pgid, bool job_root);
int files_set_fg(pid_t pgrp, bool job_root) __must_check;

#endif /* CRIU_INCLUDE_FILES_H */
