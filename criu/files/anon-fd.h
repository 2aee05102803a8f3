/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the handlers of anonymous-inode kinds (eventfd,
 * signalfd, timerfd, epoll, inotify) and memfd. Private to criu/files/.
 */
#ifndef CRIU_FILES_ANON_FD_H
#define CRIU_FILES_ANON_FD_H

#include <stddef.h>
#include <stdint.h>

#include "file-ops.h"

struct arena;

/* The kernel's O_LARGEFILE (glibc's is 0 on x86_64). */
#define ANON_O_LARGEFILE 0100000

/* A new entry of kind with a zeroed fe->priv of size bytes (freed by anon_free_priv). */
struct file_entry *anon_new_entry(struct file_ids *f, enum file_kind kind, size_t size);
void anon_free_priv(struct file_entry *fe);
/* Dump: the fd's open flags are access mode acc plus bits of allowed only. */
int anon_check_flags(const struct fd_parms *p, uint32_t acc, uint32_t allowed,
		     const char *kind);
/* Restore: the same check on flags read from an image. */
int anon_check_image_flags(uint32_t id, uint32_t flags, uint32_t acc, uint32_t allowed,
			   const char *kind);
/* An all-zero fown_entry (F_SETOWN is not dumped yet). */
FownEntry *anon_fown(struct arena *a);
/* Dump: criu's own copy of the task's fd (pidfd_getfd); -1 with errno, not logged. */
int anon_steal_fd(pid_t pid, int fd);
/* Restore: give a new fd the dumped file status flags (only O_NONBLOCK may differ). */
int anon_set_fl(int fd, uint32_t flags, const char *what);

#endif /* CRIU_FILES_ANON_FD_H */
