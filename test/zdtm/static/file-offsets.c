// SPDX-License-Identifier: GPL-2.0
/*
 * file-offsets: regular files open at chosen fd numbers (7, 42, 200,
 * 201, 202) with different access modes, O_CLOEXEC, O_NONBLOCK and
 * offsets. After restore each fd has the same offset, flags and file,
 * reads the expected bytes, and 7 and 202 still share one open file
 * description (moving one moves the other).
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zdtmtst.h"

#define FILE_SIZE	(64 << 10)

struct ofd {
	int fd;
	const char *file;
	int flags;
	off_t off;
	int fl_before, fd_before;
	struct stat st;
};

static struct ofd fds[] = {
	{ .fd = 7, .file = "offsets.a", .flags = O_RDONLY, .off = 1000 },
	{ .fd = 42, .file = "offsets.b", .flags = O_WRONLY | O_CLOEXEC, .off = 5000 },
	{ .fd = 200, .file = "offsets.c", .flags = O_RDWR | O_NONBLOCK, .off = 12345 },
	{ .fd = 201, .file = "offsets.a", .flags = O_RDONLY | O_CLOEXEC, .off = 0 },
};

#define SHARED_FD 202 /* dup of fd 7 */

static uint64_t seed_of(const char *file)
{
	return 0xf00 + file[strlen(file) - 1];
}

static int make_file(const char *name)
{
	static char buf[FILE_SIZE];
	int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0)
		return -1;
	pattern_fill(buf, sizeof(buf), seed_of(name));
	if (write(fd, buf, sizeof(buf)) != sizeof(buf)) {
		close(fd);
		return -1;
	}
	return close(fd);
}

static int open_at(struct ofd *o)
{
	int fd = open(o->file, o->flags);

	if (fd < 0)
		return -1;
	if (fd != o->fd) {
		if (dup3(fd, o->fd, o->flags & O_CLOEXEC) < 0)
			return -1;
		close(fd);
	}
	if (lseek(o->fd, o->off, SEEK_SET) != o->off || fstat(o->fd, &o->st))
		return -1;
	o->fl_before = fcntl(o->fd, F_GETFL);
	o->fd_before = fcntl(o->fd, F_GETFD);
	return 0;
}

static int setup(void)
{
	if (make_file("offsets.a") || make_file("offsets.b") || make_file("offsets.c"))
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(fds); i++)
		if (open_at(&fds[i]))
			return -1;
	return dup2(7, SHARED_FD) == SHARED_FD ? 0 : -1;
}

/* The bytes at the current offset are the file's, and the offset moves. */
static void check_read(struct ofd *o)
{
	char buf[16], want[FILE_SIZE];

	pattern_fill(want, sizeof(want), seed_of(o->file));
	if (read(o->fd, buf, sizeof(buf)) != sizeof(buf) ||
	    memcmp(buf, want + o->off, sizeof(buf)))
		fail("fd %d: read at %lld gives wrong bytes", o->fd, (long long)o->off);
}

static void check_fd(struct ofd *o)
{
	struct stat st;
	off_t off = lseek(o->fd, 0, SEEK_CUR);

	if (off != o->off)
		fail("fd %d: offset %lld, want %lld", o->fd, (long long)off, (long long)o->off);
	if (fcntl(o->fd, F_GETFL) != o->fl_before)
		fail("fd %d: F_GETFL %#x, was %#x", o->fd, fcntl(o->fd, F_GETFL), o->fl_before);
	if (fcntl(o->fd, F_GETFD) != o->fd_before)
		fail("fd %d: F_GETFD %#x, was %#x", o->fd, fcntl(o->fd, F_GETFD), o->fd_before);
	if (fstat(o->fd, &st) || st.st_ino != o->st.st_ino || st.st_dev != o->st.st_dev)
		fail("fd %d: not the same file any more", o->fd);
	if ((o->flags & O_ACCMODE) != O_WRONLY)
		check_read(o);
}

/* A write through the O_RDWR fd lands at its offset. */
static void check_write(void)
{
	char buf[8] = "restored", back[8];
	struct ofd *o = &fds[2];
	off_t off = lseek(o->fd, 0, SEEK_CUR);

	if (write(o->fd, buf, sizeof(buf)) != sizeof(buf) ||
	    pread(o->fd, back, sizeof(back), off) != sizeof(back) || memcmp(buf, back, 8))
		fail("fd %d: write at the restored offset failed", o->fd);
}

int main(int argc, char **argv)
{
	off_t off;

	test_init(argc, argv);
	if (setup()) {
		fail("set-up: %m");
		return 1;
	}
	test_daemon();
	test_waitsig();

	for (size_t i = 0; i < ARRAY_SIZE(fds); i++)
		check_fd(&fds[i]);
	/* fd 7 was read 16 bytes by check_fd: its dup must have moved too. */
	off = lseek(SHARED_FD, 0, SEEK_CUR);
	if (off != fds[0].off + 16)
		fail("fd %d no longer shares fd 7's offset (%lld)", SHARED_FD, (long long)off);
	if (fcntl(SHARED_FD, F_GETFD) != 0)
		fail("fd %d: F_GETFD %#x", SHARED_FD, fcntl(SHARED_FD, F_GETFD));
	check_write();
	return test_result();
}
