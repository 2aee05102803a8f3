/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Service fds: criu's own fds in a restoring task (log, images dir, page
 * image, control channel), kept at fixed numbers above every fd the task
 * will own so that installing its fd table never clobbers them.
 */
#ifndef CRIU_INCLUDE_SERVICEFD_H
#define CRIU_INCLUDE_SERVICEFD_H

#include <stdbool.h>

#include "common/compiler.h"

enum sfd_type {
	SFD_LOG,
	SFD_IMG_DIR,
	SFD_WORK_DIR,
	SFD_PAGES,
	SFD_EXE,
	SFD_CTL,
	SFD_MAX,
};

/* Place service fds at [base, base + SFD_MAX); base must be above all task fds. */
int sfd_set_base(int base) __must_check;
int sfd_base(void);
/* Move fd to its service slot (close-on-exec) and close the old number. */
int sfd_install(enum sfd_type t, int fd) __must_check;
int sfd_get(enum sfd_type t);
void sfd_close(enum sfd_type t);
bool sfd_is_service(int fd);

#endif /* CRIU_INCLUDE_SERVICEFD_H */
