// SPDX-License-Identifier: GPL-2.0
/*
 * memfd: a sealable memfd with a name holding spaces, 3 pages of data, a
 * hole, a partial last page, seals against shrinking and growing, opened
 * three ways: the memfd fd (position 1234), a dup of it, and a read-only
 * reopen through /proc (position 77); an empty unsealable memfd with
 * MFD_CLOEXEC; and a MFD_NOEXEC_SEAL one with a write seal. After restore
 * names, sizes, content, seals, modes, positions and sharing are the same.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zdtmtst.h"

#ifndef MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL 0x0008U
#endif
#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC 0x0020
#endif

#define NAME1 "zdtm memfd: one"
#define SIZE1 (5 * PAGE_SZ + 100)
#define SEED 77

static char data[SIZE1];

static void fill(void)
{
	pattern_fill(data, 3 * PAGE_SZ, SEED);
	memset(data + 3 * PAGE_SZ, 0, PAGE_SZ);	/* left a hole */
	pattern_fill(data + 4 * PAGE_SZ, PAGE_SZ + 100, SEED + 1);
}

static void check_link(int fd, const char *name)
{
	char proc[64], link[256], want[256];
	ssize_t n;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	snprintf(want, sizeof(want), "/memfd:%s (deleted)", name);
	n = readlink(proc, link, sizeof(link) - 1);
	link[n > 0 ? n : 0] = 0;
	if (strcmp(link, want))
		fail("fd %d links to '%s', expected '%s'", fd, link, want);
}

static void check_one(int fd, int dup_fd, int ro)
{
	static char buf[SIZE1];
	struct stat st, st2;

	check_link(fd, NAME1);
	if (fstat(fd, &st) || fstat(ro, &st2) || st.st_size != SIZE1 || st.st_ino != st2.st_ino)
		fail("memfd one: size %lld, or its reopen is another inode", (long long)st.st_size);
	if (fcntl(fd, F_GET_SEALS) != (F_SEAL_SHRINK | F_SEAL_GROW))
		fail("memfd one has seals 0x%x", fcntl(fd, F_GET_SEALS));
	if ((st.st_mode & 07777) != 0777)
		fail("memfd one has mode 0%o", st.st_mode & 07777);
	if (lseek(fd, 0, SEEK_CUR) != 1234 || lseek(ro, 0, SEEK_CUR) != 77)
		fail("positions %lld and %lld, expected 1234 and 77",
		     (long long)lseek(fd, 0, SEEK_CUR), (long long)lseek(ro, 0, SEEK_CUR));
	if (lseek(dup_fd, 10, SEEK_SET) != 10 || lseek(fd, 0, SEEK_CUR) != 10)
		fail("the dup does not share the position");
	if ((fcntl(ro, F_GETFL) & O_ACCMODE) != O_RDONLY || fcntl(fd, F_GETFD) & FD_CLOEXEC)
		fail("open flags or FD_CLOEXEC changed");
	if (pread(ro, buf, SIZE1, 0) != SIZE1 || memcmp(buf, data, SIZE1))
		fail("memfd one's content changed");
	/* the reopen shares the inode: a write through one shows through the other */
	if (pwrite(fd, "Z", 1, 5) != 1 || pread(ro, buf, 1, 5) != 1 || buf[0] != 'Z')
		fail("a write through the memfd does not show through its reopen");
}

int main(int argc, char **argv)
{
	int one, dup_one, ro, two, three;
	char proc[64];
	struct stat st;

	test_init(argc, argv);
	fill();
	one = memfd_create(NAME1, MFD_ALLOW_SEALING);
	two = memfd_create("two", MFD_CLOEXEC);
	three = memfd_create("three", MFD_NOEXEC_SEAL);
	if (one < 0 || two < 0 || three < 0 || write(one, data, sizeof(data)) != sizeof(data) ||
	    write(three, "abc", 3) != 3) {
		fail("memfd set-up: %m");
		return 1;
	}
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", one);
	ro = open(proc, O_RDONLY);
	dup_one = dup(one);
	if (ro < 0 || fcntl(one, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW) ||
	    fcntl(three, F_ADD_SEALS, F_SEAL_WRITE) || lseek(one, 1234, SEEK_SET) != 1234 ||
	    lseek(ro, 77, SEEK_SET) != 77) {
		fail("memfd set-up: %m");
		return 1;
	}
	test_daemon();
	test_waitsig();

	check_one(one, dup_one, ro);
	check_link(two, "two");
	if (fstat(two, &st) || st.st_size || fcntl(two, F_GET_SEALS) != F_SEAL_SEAL ||
	    !(fcntl(two, F_GETFD) & FD_CLOEXEC))
		fail("memfd two: size %lld, seals 0x%x", (long long)st.st_size,
		     fcntl(two, F_GET_SEALS));
	check_link(three, "three");
	if (fstat(three, &st) || st.st_size != 3 || (st.st_mode & 07777) != 0666 ||
	    fcntl(three, F_GET_SEALS) != (F_SEAL_WRITE | F_SEAL_EXEC) ||
	    pwrite(three, "x", 1, 0) >= 0)
		fail("memfd three: size %lld, mode 0%o, seals 0x%x", (long long)st.st_size,
		     st.st_mode & 07777, fcntl(three, F_GET_SEALS));
	return test_result();
}
