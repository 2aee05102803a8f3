// SPDX-License-Identifier: GPL-2.0
/*
 * umask: an unusual file creation mask must survive, both as the value
 * umask() returns and in the mode of a file created afterwards.
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zdtmtst.h"

#define TEST_MASK 0123

int main(int argc, char **argv)
{
	mode_t got;
	struct stat st;
	int fd;

	test_init(argc, argv);
	umask(TEST_MASK);
	test_daemon();
	test_waitsig();

	got = umask(TEST_MASK);
	if (got != TEST_MASK)
		fail("umask is %04o, want %04o", got, TEST_MASK);
	/* The mask must also be the one the kernel applies. */
	unlink("umask.probe");
	fd = open("umask.probe", O_CREAT | O_WRONLY | O_EXCL, 0666);
	if (fd < 0 || fstat(fd, &st))
		fail("can't create umask.probe: %m");
	else if ((st.st_mode & 07777) != (0666 & ~TEST_MASK))
		fail("new file mode %04o, want %04o", st.st_mode & 07777, 0666 & ~TEST_MASK);
	if (fd >= 0)
		close(fd);
	unlink("umask.probe");
	return test_result();
}
