/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers shared inside criu/files/. */
#ifndef CRIU_FILES_FILES_INTERNAL_H
#define CRIU_FILES_FILES_INTERNAL_H

#include <stdbool.h>
#include <sys/stat.h>

#include "files.h"

struct file_entry *files_new_entry(struct file_ids *f, enum file_kind kind, uint32_t id);
struct file_entry *files_add_reg(struct file_ids *f, pid_t pid, const char *link,
				 uint32_t flags, uint64_t pos, const char *what);
bool files_dev_supported(dev_t rdev);
int files_check_kind(const struct stat *st, const char *path, const char *what);

/* regular files */
int reg_open(struct file_ids *f, struct file_entry *fe, int dirfd);

/* pipes and FIFOs: copy what sits in the pipe behind fd of task pid */
int pipe_steal_data(pid_t pid, int fd, struct pipe_file *p);
#define PIPE_MAX_DATA (16u << 20)

#endif /* CRIU_FILES_FILES_INTERNAL_H */
