// SPDX-License-Identifier: GPL-2.0
/*
 * epoll-shared: an epoll instance inherited by a child, watching an
 * eventfd at fd 10 (always writable) and a pipe's read end. The child
 * closed its fd 10 and put another pipe's write end (also writable) there,
 * and it has the watched read end at another number. Only the parent may
 * add the watches again: after restore epoll_wait reports each watch
 * exactly once, in both tasks, and the parent can still modify them.
 */
#include <signal.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "zdtmtst.h"

#define EFD 10
#define RD 11
#define D_EFD 0xe0
#define D_RD 0x70

/* The events epoll reports now: 1 per data value seen, 0x100 for anything else. */
static int seen(int ep)
{
	struct epoll_event ev[8];
	int n = epoll_wait(ep, ev, 8, 0), got = 0;

	for (int i = 0; i < n; i++) {
		if (ev[i].data.u64 == D_EFD)
			got += 1;
		else if (ev[i].data.u64 == D_RD)
			got += 0x10;
		else
			got += 0x100;
	}
	return got;
}

static int child(int ep, int *sync)
{
	int q[2];

	if (pipe(q) || dup2(q[1], EFD) != EFD || dup2(RD, 20) != 20 || close(RD))
		return 2;
	close(sync[0]);
	if (write(sync[1], "r", 1) != 1)
		return 2;
	test_waitsig();
	if (seen(ep) != 0x11) {
		test_msg("child: epoll reports %x, expected 11\n", seen(ep));
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct epoll_event ev = { .events = EPOLLOUT, .data.u64 = D_EFD };
	int ep, p[2], sync[2], status, r;
	pid_t pid;
	char c;

	test_init(argc, argv);
	ep = epoll_create1(0);
	if (ep < 0 || dup2(eventfd(0, 0), EFD) != EFD || pipe(p) || dup2(p[0], RD) != RD ||
	    pipe(sync) || epoll_ctl(ep, EPOLL_CTL_ADD, EFD, &ev)) {
		fail("set-up: %m");
		return 1;
	}
	ev = (struct epoll_event){ .events = EPOLLIN, .data.u64 = D_RD };
	if (epoll_ctl(ep, EPOLL_CTL_ADD, RD, &ev) || write(p[1], "x", 1) != 1) {
		fail("set-up: %m");
		return 1;
	}
	pid = fork();
	if (pid == 0)
		_exit(child(ep, sync));
	close(sync[1]);
	if (pid < 0 || read(sync[0], &c, 1) != 1) {
		fail("the child did not start");
		return 1;
	}
	test_daemon();
	test_waitsig();

	if ((r = seen(ep)) != 0x11)
		fail("parent: epoll reports %x, expected 11 (each watch once)", r);
	kill(pid, SIGTERM);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		fail("the child failed (status %#x)", status);
	ev = (struct epoll_event){ .events = EPOLLIN, .data.u64 = D_RD };
	if (epoll_ctl(ep, EPOLL_CTL_MOD, RD, &ev))
		fail("EPOLL_CTL_MOD on fd %d: %m", RD);
	return test_result();
}
