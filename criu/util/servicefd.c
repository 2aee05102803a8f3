// SPDX-License-Identifier: GPL-2.0
/* Service fds at fixed numbers above a restoring task's own fds. */
#include <fcntl.h>
#include <unistd.h>

#include "log.h"
#include "servicefd.h"

static int sfd_first = -1;
static int sfd_used[SFD_MAX];

int sfd_set_base(int base)
{
	if (base < 3) {
		pr_err("bad service fd base %d\n", base);
		return -1;
	}
	sfd_first = base;
	return 0;
}

int sfd_base(void)
{
	return sfd_first;
}

int sfd_install(enum sfd_type t, int fd)
{
	int target = sfd_first + (int)t;

	if (sfd_first < 0 || t >= SFD_MAX)
		return -1;
	if (fd != target) {
		if (dup3(fd, target, O_CLOEXEC) < 0) {
			pr_perror("can't move fd %d to service fd %d", fd, target);
			return -1;
		}
		close(fd);
	}
	sfd_used[t] = 1;
	return target;
}

int sfd_get(enum sfd_type t)
{
	return sfd_first >= 0 && sfd_used[t] ? sfd_first + (int)t : -1;
}

void sfd_close(enum sfd_type t)
{
	if (sfd_get(t) >= 0)
		close(sfd_first + t);
	sfd_used[t] = 0;
}

bool sfd_is_service(int fd)
{
	return sfd_first >= 0 && fd >= sfd_first && fd < sfd_first + SFD_MAX &&
	       sfd_used[fd - sfd_first];
}
