// SPDX-License-Identifier: GPL-2.0
/*
 * file-opath: O_PATH fds on a regular file, a directory, a FIFO, a symlink
 * itself (O_NOFOLLOW), a unix socket's file and a device node. After
 * restore each is O_PATH again, on the same inode, and still usable as a
 * starting point (fstatat, openat through /proc/self/fd).
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "zdtmtst.h"

#define NR 6

static const char *const names[NR] = { "opath.file", "opath.dir", "opath.fifo", "opath.link",
				       "opath.sock", "/dev/null" };
static int fds[NR];
static struct stat before[NR];

static int setup(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = open(names[0], O_WRONLY | O_CREAT | O_TRUNC, 0640), sk;

	if (fd < 0 || write(fd, "data", 4) != 4 || mkdir(names[1], 0750) ||
	    mkfifo(names[2], 0600) || symlink(names[0], names[3]))
		return -1;
	close(fd);
	/* a bound socket leaves its file behind; only the file is kept */
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", names[4]);
	sk = socket(AF_UNIX, SOCK_STREAM, 0);
	if (sk < 0 || bind(sk, (struct sockaddr *)&sa, sizeof(sa)))
		return -1;
	close(sk);
	for (int i = 0; i < NR; i++) {
		fds[i] = open(names[i], O_PATH | (i == 3 ? O_NOFOLLOW : 0));
		if (fds[i] < 0 || fstat(fds[i], &before[i]))
			return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	char proc[64], buf[8];
	struct stat st;
	int fd;

	test_init(argc, argv);
	if (setup()) {
		fail("set-up: %m");
		return 1;
	}
	test_daemon();
	test_waitsig();
	for (int i = 0; i < NR; i++) {
		int fl = fcntl(fds[i], F_GETFL);

		if (fl < 0 || !(fl & O_PATH) || fstat(fds[i], &st) ||
		    st.st_ino != before[i].st_ino || st.st_dev != before[i].st_dev ||
		    (st.st_mode & S_IFMT) != (before[i].st_mode & S_IFMT))
			fail("%s: not the O_PATH fd it was (flags 0%o)", names[i], fl);
	}
	/* the directory still anchors lookups, the file still opens for reading */
	if (mkdirat(fds[1], "sub", 0700) || fstatat(fds[1], "sub", &st, 0))
		fail("the O_PATH directory does not anchor lookups: %m");
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fds[0]);
	fd = open(proc, O_RDONLY);
	if (fd < 0 || read(fd, buf, sizeof(buf)) != 4 || memcmp(buf, "data", 4))
		fail("the O_PATH file does not open for reading: %m");
	return test_result();
}
