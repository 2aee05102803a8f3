/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers shared inside criu/files/. */
#ifndef CRIU_FILES_FILES_INTERNAL_H
#define CRIU_FILES_FILES_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "files.h"

struct file_entry *files_new_entry(struct file_ids *f, enum file_kind kind, uint32_t id);
struct file_entry *files_add_reg(struct file_ids *f, pid_t pid, const char *link,
				 uint32_t flags, uint64_t pos, const char *what);
bool files_dev_supported(dev_t rdev);
int files_check_kind(const struct stat *st, const char *path, const char *what);

/* What an img_for_each_entry() callback needs that reads more images. */
struct files_read_ctx {
	int dirfd;
	struct file_ids *f;
};

/* --inherit-fd (inherit.c) */
int files_inherit_check(void);
int files_open_inherited(struct file_entry *fe, bool *used);
bool files_inherited(const struct file_entry *fe);
void files_inherit_report(const bool *used);

/* The GNU build-id of an ELF file: its length, 0 if none, -1 on error. */
int files_build_id(int fd, uint8_t *id, size_t max);
/* Size and, with --file-validation buildid, build-id of a file the dump met. */
void files_note_content(struct reg_file *r, const char *path, const struct stat *st);
/* An fd the user marked --external file[mnt_id:inode]. */
struct fd_parms;
bool files_is_external(const struct fd_parms *p);

/* regular files */
int reg_open(struct file_ids *f, struct file_entry *fe, int dirfd);
int reg_open_inherited(struct file_entry *fe, int fd);

/* file locks (file-locks.c): noted per fd at dump, taken back at restore */
struct proc_fdinfo;
int locks_note_fd(struct file_ids *f, pid_t pid, int fd, uint32_t id,
		  const struct proc_fdinfo *fi, const char *link, const char *what);
int locks_dump_finish(struct file_ids *f);
int locks_write(int dirfd, const struct file_ids *f);
int locks_read(int dirfd, struct file_ids *f);
int locks_bind_fdtable(struct file_ids *f, pid_t pid, const struct fd_table *t);
int locks_take_ofd(struct file_ids *f);
int locks_take_posix(struct file_ids *f);
void locks_free(struct file_ids *f);

/* pipes and FIFOs: copy what sits in the pipe behind fd of task pid */
int pipe_steal_data(pid_t pid, int fd, uint32_t flags, struct pipe_file *p);
#define PIPE_MAX_DATA (16u << 20)

#endif /* CRIU_FILES_FILES_INTERNAL_H */
