// SPDX-License-Identifier: GPL-2.0
/*
 * eventfd: a non-blocking eventfd holding a count wider than 32 bits, a
 * blocking EFD_SEMAPHORE one holding 3, and a dup of the first. After
 * restore each reads back its count (the semaphore one 1 at a time, three
 * times), the dup shares the first's counter, and the flags are the same.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "zdtmtst.h"

#define BIG_COUNT 0x123456789abULL

static int readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

int main(int argc, char **argv)
{
	uint64_t v = BIG_COUNT;
	int big, sem, dup_fd;

	test_init(argc, argv);
	big = eventfd(0, EFD_NONBLOCK);
	sem = eventfd(3, EFD_SEMAPHORE | EFD_CLOEXEC);
	if (big < 0 || sem < 0 || write(big, &v, sizeof(v)) != sizeof(v)) {
		fail("eventfd set-up: %m");
		return 1;
	}
	dup_fd = dup(big);
	test_daemon();
	test_waitsig();

	if (!(fcntl(big, F_GETFL) & O_NONBLOCK) || fcntl(sem, F_GETFL) & O_NONBLOCK)
		fail("O_NONBLOCK changed");
	if (!(fcntl(sem, F_GETFD) & FD_CLOEXEC) || fcntl(big, F_GETFD) & FD_CLOEXEC)
		fail("FD_CLOEXEC changed");
	v = 1;
	if (write(dup_fd, &v, sizeof(v)) != sizeof(v))
		fail("write to the dup: %m");
	if (read(big, &v, sizeof(v)) != sizeof(v) || v != BIG_COUNT + 1)
		fail("the big eventfd reads %llx, expected %llx", (unsigned long long)v,
		     BIG_COUNT + 1);
	if (read(big, &v, sizeof(v)) >= 0 || errno != EAGAIN)
		fail("the big eventfd is not empty and non-blocking after a read");
	for (int i = 0; i < 3; i++)
		if (read(sem, &v, sizeof(v)) != sizeof(v) || v != 1)
			fail("semaphore read %d gave %llu, expected 1", i, (unsigned long long)v);
	if (readable(sem))
		fail("the semaphore eventfd still has a count after 3 reads");
	return test_result();
}
