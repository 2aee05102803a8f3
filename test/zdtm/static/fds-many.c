// SPDX-License-Identifier: GPL-2.0
/*
 * fds-many: 6 separate opens of /dev/null and 2 pipes at low fds, plus a
 * dup at fd 50. Restore installs the table with criu's copies of every file
 * moved above fd 50, where they reach the service fd slots (from 64): none
 * of them may take a slot a service fd is installed in later. After restore
 * every fd is open with its flags, and each pipe still carries data.
 */
#include <fcntl.h>
#include <unistd.h>

#include "zdtmtst.h"

#define NR 6
#define HIGH_FD 50

int main(int argc, char **argv)
{
	int null[NR], p[2][2];
	char c;

	test_init(argc, argv);
	for (int i = 0; i < NR; i++) {
		null[i] = open("/dev/null", i % 2 ? O_RDONLY : O_WRONLY | O_APPEND);
		if (null[i] < 0) {
			fail("open /dev/null: %m");
			return 1;
		}
	}
	if (pipe(p[0]) || pipe(p[1]) || dup2(null[1], HIGH_FD) != HIGH_FD) {
		fail("set-up: %m");
		return 1;
	}
	test_daemon();
	test_waitsig();

	for (int i = 0; i < NR; i++) {
		int fl = fcntl(null[i], F_GETFL);

		if (fl < 0 || (fl & O_ACCMODE) != (i % 2 ? O_RDONLY : O_WRONLY))
			fail("fd %d on /dev/null has flags 0%o", null[i], fl);
	}
	if ((fcntl(HIGH_FD, F_GETFL) & O_ACCMODE) != O_RDONLY)
		fail("fd %d lost its flags", HIGH_FD);
	for (int i = 0; i < 2; i++)
		if (write(p[i][1], "y", 1) != 1 || read(p[i][0], &c, 1) != 1 || c != 'y')
			fail("pipe %d does not carry data", i);
	return test_result();
}
