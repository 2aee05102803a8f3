/* SPDX-License-Identifier: GPL-2.0 */
/* inotify: finding the path of a watched inode at dump time. Private to criu/files/. */
#ifndef CRIU_FILES_INOTIFY_H
#define CRIU_FILES_INOTIFY_H

#include <stddef.h>
#include <sys/types.h>

struct fdinfo_inotify_wd;

/* A path (in out) that leads to the inode watch w of task pid is on; -1, logged, if none. */
int inotify_find_path(pid_t pid, const struct fdinfo_inotify_wd *w, char *out, size_t size);

#endif /* CRIU_FILES_INOTIFY_H */
