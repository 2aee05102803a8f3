// SPDX-License-Identifier: GPL-2.0
/*
 * shell-job: run by the runner as a job of `sh` on a pty (--job=1): its
 * own process group, in the foreground, fds 0-2 on the shell's terminal,
 * echo turned off there. Dumped with -j, restored with -j by a criu that
 * runs on another pty: then fds 0-2 are that terminal, it is the
 * controlling terminal, the job's group is its foreground group, the
 * session is criu's, and echo is still off.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "zdtmtst.h"

int main(int argc, char **argv)
{
	struct stat st[3];
	unsigned int ctty = 0;
	char before[64], now[64];
	struct termios t;
	pid_t sid;
	int fd;

	test_init(argc, argv);
	if (!isatty(0) || ttyname_r(0, before, sizeof(before)) || getpgrp() != getpid() ||
	    tcgetpgrp(0) != getpgrp() || getsid(0) == getpid() || tcgetattr(0, &t)) {
		fail("not a foreground shell job on a terminal: %m");
		return 1;
	}
	t.c_lflag &= ~ECHO;
	if (tcsetattr(0, TCSANOW, &t)) {
		fail("tcsetattr: %m");
		return 1;
	}
	sid = getsid(0);
	test_daemon();
	test_waitsig();

	for (int i = 0; i < 3; i++)
		if (fstat(i, &st[i]) || !isatty(i) || st[i].st_rdev != st[0].st_rdev)
			fail("fd %d is not the job's terminal", i);
	if (ttyname_r(0, now, sizeof(now)) || !strcmp(now, before))
		fail("the terminal is %s, as before the dump: not criu's", now);
	fd = open("/dev/tty", O_RDWR);
	if (fd < 0 || ioctl(fd, TIOCGDEV, &ctty) || ctty != st[0].st_rdev)
		fail("%s is not the controlling terminal: %m", now);
	if (fd >= 0)
		close(fd);
	if (tcgetpgrp(0) != getpgrp() || getpgrp() != getpid())
		fail("the job (group %d) is not in the foreground (%d)", getpgrp(), tcgetpgrp(0));
	if (getsid(0) == sid)
		fail("the job is still in the shell's session %d", sid);
	if (tcgetattr(0, &t) || (t.c_lflag & ECHO))
		fail("echo is on again on %s", now);
	return test_result();
}
