// SPDX-License-Identifier: GPL-2.0
/*
 * inherit-file: fd 5 holds the runner's file (--path=FILE, holding
 * "0123456789") read-write at offset 3; the dump marks it --external (or
 * not) and the restore gets it back from the runner with --inherit-fd.
 * After restore fd 5 must be the same file, read-write, at offset 3, and
 * read "34" from there.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zdtmtst.h"

#define FD 5

int main(int argc, char **argv)
{
	const char *path;
	struct stat before, now;
	char buf[3] = { 0 };
	int fd;

	test_init(argc, argv);
	path = test_opt("path");
	if (!path) {
		fail("no --path");
		return 1;
	}
	fd = open(path, O_RDWR);
	if (fd < 0 || dup2(fd, FD) != FD || lseek(FD, 3, SEEK_SET) != 3 || fstat(FD, &before)) {
		fail("can't set fd %d up on %s: %m", FD, path);
		return 1;
	}
	close(fd);
	test_daemon();
	test_waitsig();
	if (fstat(FD, &now) || now.st_dev != before.st_dev || now.st_ino != before.st_ino)
		fail("fd %d is no longer %s", FD, path);
	if ((fcntl(FD, F_GETFL) & O_ACCMODE) != O_RDWR)
		fail("fd %d has flags 0%o, not read-write", FD, fcntl(FD, F_GETFL));
	if (lseek(FD, 0, SEEK_CUR) != 3)
		fail("fd %d is at offset %lld, not 3", FD, (long long)lseek(FD, 0, SEEK_CUR));
	if (read(FD, buf, 2) != 2 || strcmp(buf, "34"))
		fail("fd %d read '%s', not '34'", FD, buf);
	return test_result();
}
