// SPDX-License-Identifier: GPL-2.0
/*
 * dev-files: fds on /dev/null, /dev/zero, /dev/urandom and on two
 * directories (O_DIRECTORY) keep their device, flags and behaviour, and
 * the directory fds still resolve relative names.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "zdtmtst.h"

struct dfd {
	int fd;
	const char *path;
	int flags;
	int fl_before;
	struct stat st;
};

static struct dfd fds[] = {
	{ .fd = 10, .path = "/dev/null", .flags = O_WRONLY },
	{ .fd = 11, .path = "/dev/zero", .flags = O_RDONLY },
	{ .fd = 12, .path = "/dev/urandom", .flags = O_RDONLY | O_NONBLOCK },
	{ .fd = 13, .path = "devfiles.dir", .flags = O_RDONLY | O_DIRECTORY },
	{ .fd = 14, .path = "/usr", .flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC },
};

static int open_at(struct dfd *d)
{
	int fd = open(d->path, d->flags);

	if (fd < 0 || dup3(fd, d->fd, d->flags & O_CLOEXEC) != d->fd)
		return -1;
	close(fd);
	d->fl_before = fcntl(d->fd, F_GETFL);
	return fstat(d->fd, &d->st);
}

static int setup(void)
{
	int fd;

	mkdir("devfiles.dir", 0755);
	fd = open("devfiles.dir/inside", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, "inside\n", 7) != 7)
		return -1;
	close(fd);
	for (size_t i = 0; i < ARRAY_SIZE(fds); i++)
		if (open_at(&fds[i]))
			return -1;
	return 0;
}

static void check_one(struct dfd *d)
{
	struct stat st;

	if (fstat(d->fd, &st)) {
		fail("fd %d (%s): %m", d->fd, d->path);
		return;
	}
	if (st.st_rdev != d->st.st_rdev || st.st_ino != d->st.st_ino ||
	    st.st_dev != d->st.st_dev || (st.st_mode & S_IFMT) != (d->st.st_mode & S_IFMT))
		fail("fd %d no longer refers to %s", d->fd, d->path);
	if (fcntl(d->fd, F_GETFL) != d->fl_before)
		fail("fd %d (%s): F_GETFL %#x, was %#x", d->fd, d->path, fcntl(d->fd, F_GETFL),
		     d->fl_before);
}

static void check_behaviour(void)
{
	char buf[64], zero[64] = { 0 };
	int fd;

	if (write(10, "x", 1) != 1)
		fail("/dev/null write: %m");
	if (read(11, buf, sizeof(buf)) != sizeof(buf) || memcmp(buf, zero, sizeof(buf)))
		fail("/dev/zero read");
	if (read(12, buf, 16) != 16)
		fail("/dev/urandom read: %m");
	if (major(fds[0].st.st_rdev) != 1 || minor(fds[0].st.st_rdev) != 3)
		fail("/dev/null is not 1:3");
	fd = openat(13, "inside", O_RDONLY);
	if (fd < 0 || read(fd, buf, 7) != 7 || memcmp(buf, "inside\n", 7))
		fail("openat on the directory fd failed");
	if (fd >= 0)
		close(fd);
	if (faccessat(14, "bin", F_OK, 0))
		fail("/usr fd cannot see bin: %m");
	if (fcntl(14, F_GETFD) != FD_CLOEXEC)
		fail("fd 14 lost FD_CLOEXEC");
}

int main(int argc, char **argv)
{
	test_init(argc, argv);
	if (setup()) {
		fail("set-up: %m");
		return 1;
	}
	test_daemon();
	test_waitsig();

	for (size_t i = 0; i < ARRAY_SIZE(fds); i++)
		check_one(&fds[i]);
	check_behaviour();
	return test_result();
}
