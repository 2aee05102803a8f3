// SPDX-License-Identifier: GPL-2.0
/*
 * epoll-closed: an epoll instance still watches a pipe through the fd
 * number it was added with, but that fd was closed (the pipe stays open
 * at another fd, so the kernel keeps the watch). The watch cannot be added
 * again under that number: the dump must refuse, and the test goes on.
 */
#include <sys/epoll.h>
#include <unistd.h>

#include "zdtmtst.h"

int main(int argc, char **argv)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 7 };
	int p[2], ep, keep;

	test_init(argc, argv);
	ep = epoll_create1(0);
	if (ep < 0 || pipe(p) || epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev) ||
	    (keep = dup(p[0])) < 0 || close(p[0]) || write(p[1], "x", 1) != 1) {
		fail("set-up: %m");
		return 1;
	}
	test_daemon();
	test_waitsig();

	if (epoll_wait(ep, &ev, 1, 0) != 1 || ev.data.u64 != 7)
		fail("the watch of the closed fd is gone");
	return test_result();
}
