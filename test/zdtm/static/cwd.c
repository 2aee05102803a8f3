// SPDX-License-Identifier: GPL-2.0
/*
 * cwd: the working directory, a test-made directory with a space in its
 * name, is the same after restore by path and by inode, and relative
 * paths resolve in it.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zdtmtst.h"

#define DIR_NAME "cwd.dir/sub dir"

int main(int argc, char **argv)
{
	char before[PATH_MAX], now[PATH_MAX], probe[PATH_MAX + 16];
	struct stat st_before, st_now, st_probe;
	int fd;

	test_init(argc, argv);
	mkdir("cwd.dir", 0755);
	mkdir(DIR_NAME, 0755);
	if (chdir(DIR_NAME) || !getcwd(before, sizeof(before)) || stat(".", &st_before)) {
		fail("can't enter %s: %m", DIR_NAME);
		return 1;
	}
	test_daemon();
	test_waitsig();

	if (!getcwd(now, sizeof(now))) {
		fail("getcwd: %m");
		return test_result();
	}
	if (strcmp(now, before))
		fail("cwd is '%s', was '%s'", now, before);
	if (stat(".", &st_now) || st_now.st_ino != st_before.st_ino ||
	    st_now.st_dev != st_before.st_dev)
		fail("cwd is another directory with the same name");
	fd = creat("probe", 0644);
	snprintf(probe, sizeof(probe), "%s/probe", before);
	if (fd < 0 || stat(probe, &st_probe))
		fail("relative create did not land in the cwd");
	if (fd >= 0)
		close(fd);
	unlink("probe");
	return test_result();
}
