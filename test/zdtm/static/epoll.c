// SPDX-License-Identifier: GPL-2.0
/*
 * epoll: one instance watching a pipe's read end (level), an eventfd
 * (edge-triggered), a second eventfd that is not ready, and the pipe's
 * write end (one-shot), at fd numbers 40, 41, 42 and 43; fd 44 is a dup of
 * 41 that is not watched. After restore epoll_wait reports exactly the
 * ready watches with their data, edge and one-shot watches only once, and
 * the watches are keyed by the same fd numbers: EPOLL_CTL_MOD works on 42,
 * re-arms 43, and answers ENOENT for 44.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "zdtmtst.h"

enum { RD = 40, EFD, IDLE, WR, EFD_DUP };

#define D_RD	0x1111000000000001ULL
#define D_EFD	0x2222
#define D_IDLE	0x3333
#define D_WR	0x4444
#define D_MOD	0x5555

static int watch(int ep, int fd, uint32_t events, uint64_t data)
{
	struct epoll_event ev = { .events = events, .data.u64 = data };

	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

/* The set of data values epoll_wait reports, as a bit mask by index in want[]. */
static unsigned int wait_set(int ep, const uint64_t *want, const uint32_t *what, int nr)
{
	struct epoll_event ev[8];
	unsigned int got = 0;
	int n = epoll_wait(ep, ev, 8, 0);

	for (int i = 0; i < n; i++) {
		int k;

		for (k = 0; k < nr && want[k] != ev[i].data.u64; k++)
			;
		if (k == nr || !(ev[i].events & what[k])) {
			fail("epoll reported data %llx events %x",
			     (unsigned long long)ev[i].data.u64, ev[i].events);
			continue;
		}
		got |= 1u << k;
	}
	return got;
}

int main(int argc, char **argv)
{
	const uint64_t want[] = { D_RD, D_EFD, D_IDLE, D_WR, D_MOD };
	const uint32_t what[] = { EPOLLIN, EPOLLIN, EPOLLIN, EPOLLOUT, EPOLLIN };
	struct epoll_event ev;
	uint64_t one = 1;
	unsigned int got;
	int p[2], ep;

	test_init(argc, argv);
	if (pipe(p) || dup2(p[0], RD) != RD || dup2(p[1], WR) != WR ||
	    dup2(eventfd(0, 0), EFD) != EFD || dup2(eventfd(0, EFD_NONBLOCK), IDLE) != IDLE ||
	    dup2(EFD, EFD_DUP) != EFD_DUP) {
		fail("set-up: %m");
		return 1;
	}
	close(p[0]);
	close(p[1]);
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0 || watch(ep, RD, EPOLLIN, D_RD) || watch(ep, EFD, EPOLLIN | EPOLLET, D_EFD) ||
	    watch(ep, IDLE, EPOLLIN, D_IDLE) || watch(ep, WR, EPOLLOUT | EPOLLONESHOT, D_WR) ||
	    write(WR, "x", 1) != 1 || write(EFD, &one, sizeof(one)) != sizeof(one)) {
		fail("epoll set-up: %m");
		return 1;
	}
	test_daemon();
	test_waitsig();

	got = wait_set(ep, want, what, 5);
	if (got != 0xb)
		fail("first epoll_wait reported set %x, expected b", got);
	got = wait_set(ep, want, what, 5);
	if (got != 0x1)
		fail("second epoll_wait reported set %x, expected 1 (level only)", got);
	ev = (struct epoll_event){ .events = EPOLLIN, .data.u64 = D_MOD };
	if (epoll_ctl(ep, EPOLL_CTL_MOD, IDLE, &ev))
		fail("EPOLL_CTL_MOD on fd %d: %m", IDLE);
	ev = (struct epoll_event){ .events = EPOLLOUT | EPOLLONESHOT, .data.u64 = D_WR };
	if (epoll_ctl(ep, EPOLL_CTL_MOD, WR, &ev))
		fail("EPOLL_CTL_MOD on fd %d: %m", WR);
	if (!epoll_ctl(ep, EPOLL_CTL_MOD, EFD_DUP, &ev) || errno != ENOENT)
		fail("EPOLL_CTL_MOD on the unwatched dup fd %d did not say ENOENT", EFD_DUP);
	if (write(IDLE, &one, sizeof(one)) != sizeof(one))
		fail("write to the idle eventfd: %m");
	got = wait_set(ep, want, what, 5);
	if (got != 0x19)
		fail("third epoll_wait reported set %x, expected 19", got);
	if (epoll_ctl(ep, EPOLL_CTL_DEL, RD, NULL))
		fail("EPOLL_CTL_DEL on fd %d: %m", RD);
	return test_result();
}
