/* SPDX-License-Identifier: GPL-2.0 */
/* `criu dump`: dump the tree rooted at a pid into an images directory. */
#ifndef CRIU_INCLUDE_DUMP_H
#define CRIU_INCLUDE_DUMP_H

#include <sys/types.h>

#include "common/compiler.h"

int cr_dump_tasks(int dirfd, pid_t root) __must_check;

#endif /* CRIU_INCLUDE_DUMP_H */
