// SPDX-License-Identifier: GPL-2.0
/*
 * file-append: a file opened O_APPEND and written before and after the
 * checkpoint holds all lines in order. The fd's offset is moved to 0
 * first, so a restore that drops O_APPEND overwrites the head.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "zdtmtst.h"

#define FILE_NAME	"append.log"
#define LINES		50
#define FD		9

static int add_lines(int from, int to)
{
	char line[64];

	for (int i = from; i < to; i++) {
		int n = snprintf(line, sizeof(line), "line %04d of the append test\n", i);

		if (write(FD, line, n) != n)
			return -1;
	}
	return 0;
}

static void check_content(void)
{
	static char buf[LINES * 2 * 64], want[LINES * 2 * 64];
	int len = 0;

	for (int i = 0; i < LINES * 2; i++)
		len += snprintf(want + len, sizeof(want) - len,
				"line %04d of the append test\n", i);
	if (read_file(FILE_NAME, buf, sizeof(buf)) != len || memcmp(buf, want, len))
		fail("%s does not hold the %d lines in order", FILE_NAME, LINES * 2);
}

int main(int argc, char **argv)
{
	int fd;

	test_init(argc, argv);
	fd = open(FILE_NAME, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
	if (fd < 0 || dup2(fd, FD) != FD) {
		fail("open %s: %m", FILE_NAME);
		return 1;
	}
	close(fd);
	if (add_lines(0, LINES) || lseek(FD, 0, SEEK_SET)) {
		fail("write: %m");
		return 1;
	}
	test_daemon();
	test_waitsig();

	if (!(fcntl(FD, F_GETFL) & O_APPEND))
		fail("fd %d lost O_APPEND", FD);
	if (add_lines(LINES, LINES * 2))
		fail("write after restore: %m");
	check_content();
	return test_result();
}
