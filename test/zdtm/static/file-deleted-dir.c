// SPDX-License-Identifier: GPL-2.0
/*
 * file-deleted-dir: a file whose directory was removed after it was
 * unlinked ("/d/f (deleted)" with /d gone), an fd on a directory that was
 * removed, and the working directory in another removed directory. After
 * restore the file holds its data at its offset, the directories are
 * deleted and empty, and nothing is left under the old names.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zdtmtst.h"

#define SIZE (8 << 10)

static char data[SIZE], base[PATH_MAX];

static int is_deleted(int fd, const char *name)
{
	char path[64], link[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return 0;
	link[n] = 0;
	return strstr(link, name) && n > 10 && !strcmp(link + n - 10, " (deleted)");
}

int main(int argc, char **argv)
{
	char buf[SIZE], path[PATH_MAX + 16];
	uint32_t seed = 77;
	struct stat st;
	int file, dir;

	test_init(argc, argv);
	datagen(data, sizeof(data), &seed);
	if (!getcwd(base, sizeof(base)) || mkdir("gone", 0700) || mkdir("gone/deeper", 0700) ||
	    mkdir("dirfd", 0750) || mkdir("cwd", 0700)) {
		fail("set-up: %m");
		return 1;
	}
	file = open("gone/deeper/f", O_RDWR | O_CREAT, 0640);
	dir = open("dirfd", O_RDONLY | O_DIRECTORY);
	if (file < 0 || dir < 0 || write(file, data, sizeof(data)) != sizeof(data) ||
	    lseek(file, 100, SEEK_SET) != 100 || unlink("gone/deeper/f") ||
	    rmdir("gone/deeper") || rmdir("gone") || rmdir("dirfd") || chdir("cwd") ||
	    rmdir("../cwd")) {
		fail("set-up: %m");
		return 1;
	}
	test_daemon();
	test_waitsig();
	if (pread(file, buf, sizeof(buf), 0) != sizeof(buf) || memcmp(buf, data, sizeof(buf)) ||
	    lseek(file, 0, SEEK_CUR) != 100 || !is_deleted(file, "gone/deeper/f"))
		fail("the unlinked file lost its data, offset or name");
	if (fstat(dir, &st) || !S_ISDIR(st.st_mode) || st.st_nlink || (st.st_mode & 0777) != 0750 ||
	    !is_deleted(dir, "dirfd"))
		fail("the directory fd is not on a deleted directory (mode 0%o, %lu links)",
		     st.st_mode, (unsigned long)st.st_nlink);
	if (stat(".", &st) || st.st_nlink || openat(AT_FDCWD, "x", O_CREAT | O_RDWR, 0600) >= 0)
		fail("the working directory is not a deleted one");
	snprintf(path, sizeof(path), "%s/gone", base);
	if (!access(path, F_OK) || !access("../dirfd", F_OK))
		fail("a removed directory came back");
	return test_result();
}
