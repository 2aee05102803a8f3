// SPDX-License-Identifier: GPL-2.0
/*
 * file-unlinked: a file opened, written and then unlinked. After restore
 * the fd still reads the data at its offset, has no links, shows as
 * "(deleted)" in /proc/self/fd, and nothing came back under the old name.
 * --hold=N also keeps /dev/null open at the N fds above it: criu's own fd
 * of the recreated file then shares its number with one of them, which a
 * restoring task must not close.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zdtmtst.h"

#define FILE_NAME	"unlinked.data"
#define DATA_SIZE	(20 << 10)
#define OFFSET		777
#define FD		5

static char data[DATA_SIZE];

static void check_link(void)
{
	char link[PATH_MAX], path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", FD);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0) {
		fail("readlink %s: %m", path);
		return;
	}
	link[n] = '\0';
	if (!strstr(link, FILE_NAME) || n < 10 || strcmp(link + n - 10, " (deleted)"))
		fail("fd link is '%s'", link);
}

int main(int argc, char **argv)
{
	char buf[DATA_SIZE];
	uint32_t seed = 0x1234;
	struct stat st;
	int fd;

	int hold;

	test_init(argc, argv);
	hold = atoi(test_opt("hold") ?: "0");
	for (int i = 1; i <= hold; i++) {
		int n = open("/dev/null", O_RDONLY);

		if (n < 0 || dup2(n, FD + i) != FD + i) {
			fail("open /dev/null at %d: %m", FD + i);
			return 1;
		}
		if (n != FD + i)
			close(n);
	}
	fd = open(FILE_NAME, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || dup2(fd, FD) != FD) {
		fail("open: %m");
		return 1;
	}
	close(fd);
	datagen(data, sizeof(data), &seed);
	if (write(FD, data, sizeof(data)) != sizeof(data) || lseek(FD, OFFSET, SEEK_SET) != OFFSET ||
	    unlink(FILE_NAME)) {
		fail("set-up: %m");
		return 1;
	}
	test_daemon();
	test_waitsig();

	if (fstat(FD, &st))
		fail("fstat: %m");
	else if (st.st_nlink != 0 || st.st_size != DATA_SIZE)
		fail("nlink %lu size %lld, want 0 and %d", (unsigned long)st.st_nlink,
		     (long long)st.st_size, DATA_SIZE);
	if (lseek(FD, 0, SEEK_CUR) != OFFSET)
		fail("offset is %lld, want %d", (long long)lseek(FD, 0, SEEK_CUR), OFFSET);
	if (pread(FD, buf, sizeof(buf), 0) != sizeof(buf) || memcmp(buf, data, sizeof(buf)) ||
	    datachk(buf, sizeof(buf)))
		fail("data of the unlinked file changed");
	check_link();
	for (int i = 1; i <= hold; i++)
		if (fcntl(FD + i, F_GETFD) < 0)
			fail("fd %d is gone after restore", FD + i);
	if (access(FILE_NAME, F_OK) == 0 || errno != ENOENT)
		fail("%s exists again after restore", FILE_NAME);
	if (write(FD, "more", 4) != 4)
		fail("write after restore: %m");
	return test_result();
}
