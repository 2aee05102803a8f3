/* SPDX-License-Identifier: GPL-2.0 */
/* `criu restore`: recreate the dumped tree with its exact pids. */
#ifndef CRIU_INCLUDE_RESTORE_H
#define CRIU_INCLUDE_RESTORE_H

#include "common/compiler.h"

/* 0 when the tree runs detached; the root's exit status when criu waited. */
int cr_restore_tasks(int dirfd, int workfd) __must_check;

#endif /* CRIU_INCLUDE_RESTORE_H */
