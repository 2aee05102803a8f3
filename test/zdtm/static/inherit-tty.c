// SPDX-License-Identifier: GPL-2.0
/*
 * inherit-tty: fd 5 is the slave of a pty whose master the runner holds
 * (--tty=PATH), opened without making it our terminal. "before" goes
 * there before the dump, which marks the terminal --external; the restore
 * gets the slave of another pty of the runner's with --inherit-fd, where
 * "after" must arrive. The inherited fd is the runner's own, with its
 * flags: only the access mode must be the same.
 */
#include <fcntl.h>
#include <unistd.h>

#include "zdtmtst.h"

#define FD 5

int main(int argc, char **argv)
{
	const char *path;
	int fd, flags;

	test_init(argc, argv);
	path = test_opt("tty");
	fd = path ? open(path, O_RDWR | O_NOCTTY) : -1;
	if (fd < 0 || dup2(fd, FD) != FD || !isatty(FD) || write(FD, "before\n", 7) != 7) {
		fail("can't set fd %d up on the terminal %s: %m", FD, path ? path : "(no --tty)");
		return 1;
	}
	close(fd);
	flags = fcntl(FD, F_GETFL) & O_ACCMODE;
	test_daemon();
	test_waitsig();
	if (!isatty(FD) || (fcntl(FD, F_GETFL) & O_ACCMODE) != flags)
		fail("fd %d is no longer a terminal with access mode %d (flags 0%o)", FD, flags,
		     fcntl(FD, F_GETFL));
	if (write(FD, "after\n", 6) != 6)
		fail("can't write to the inherited terminal: %m");
	return test_result();
}
