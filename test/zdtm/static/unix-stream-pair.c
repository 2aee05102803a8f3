// SPDX-License-Identifier: GPL-2.0
/*
 * unix-stream-pair: a stream socketpair with data queued both ways (100000
 * bytes one way, 3000 the other), one end non-blocking with a smaller
 * send buffer, the other with SO_PASSCRED; and a second pair whose one end
 * was shut down for writing after queueing data. After restore every byte
 * is there, in order, options and flags are kept, the shut-down pair
 * reads to EOF and refuses writes, and the first pair still carries data.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "zdtmtst.h"

#define BIG	100000
#define SMALL	3000

static char big[BIG], small[SMALL], tail[500], got[BIG];

static int read_all(int fd, char *buf, size_t len, const char *what)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = recv(fd, buf + done, len - done, MSG_DONTWAIT);

		if (n <= 0) {
			fail("%s: read %zu of %zu bytes, then %zd (%m)", what, done, len, n);
			return -1;
		}
		done += n;
	}
	return 0;
}

static int get_opt(int fd, int opt)
{
	int v = -1;
	socklen_t l = sizeof(v);

	getsockopt(fd, SOL_SOCKET, opt, &v, &l);
	return v;
}

static void check_pair(int a, int b, int sndbuf)
{
	char c;

	if (!(fcntl(a, F_GETFL) & O_NONBLOCK) || fcntl(b, F_GETFL) & O_NONBLOCK)
		fail("the ends lost their O_NONBLOCK state");
	if (get_opt(a, SO_SNDBUF) != sndbuf)
		fail("SO_SNDBUF is %d, want %d", get_opt(a, SO_SNDBUF), sndbuf);
	if (get_opt(b, SO_PASSCRED) != 1 || get_opt(a, SO_PASSCRED) != 0)
		fail("SO_PASSCRED changed");
	if (get_opt(a, SO_TYPE) != SOCK_STREAM)
		fail("the socket is not a stream socket any more");
	if (!read_all(b, got, BIG, "a -> b") && memcmp(got, big, BIG))
		fail("a -> b: the data changed");
	if (!read_all(a, got, SMALL, "b -> a") && memcmp(got, small, SMALL))
		fail("b -> a: the data changed");
	if (recv(b, &c, 1, MSG_DONTWAIT) != -1 || errno != EAGAIN)
		fail("more data than was written");
	if (send(a, "x", 1, 0) != 1 || recv(b, &c, 1, 0) != 1 || c != 'x' ||
	    send(b, "y", 1, 0) != 1 || recv(a, &c, 1, MSG_WAITALL) != 1 || c != 'y')
		fail("the pair does not carry data any more");
}

static void check_shut(int c, int d)
{
	char buf[sizeof(tail)];

	if (read_all(d, buf, sizeof(tail), "shut pair") == 0 && memcmp(buf, tail, sizeof(tail)))
		fail("shut pair: the data changed");
	if (recv(d, buf, 1, MSG_DONTWAIT) != 0)
		fail("shut pair: no EOF after the data");
	if (send(c, "z", 1, MSG_NOSIGNAL) != -1 || errno != EPIPE)
		fail("shut pair: writing after SHUT_WR did not fail with EPIPE (%m)");
	if (send(d, "w", 1, MSG_NOSIGNAL) != 1 || recv(c, buf, 1, 0) != 1 || buf[0] != 'w')
		fail("shut pair: the other direction is broken");
}

int main(int argc, char **argv)
{
	int p[2], s[2], one = 1, sndbuf = 65536, have;
	uint32_t seed = 3;

	test_init(argc, argv);
	datagen(big, sizeof(big), &seed);
	datagen(small, sizeof(small), &seed);
	datagen(tail, sizeof(tail), &seed);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, p) || socketpair(AF_UNIX, SOCK_STREAM, 0, s)) {
		fail("socketpair: %m");
		return 1;
	}
	if (setsockopt(p[0], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf)) ||
	    setsockopt(p[1], SOL_SOCKET, SO_PASSCRED, &one, sizeof(one))) {
		fail("setsockopt: %m");
		return 1;
	}
	have = get_opt(p[0], SO_SNDBUF);
	/* a smaller send buffer still takes it all: the receiver's side holds it */
	sndbuf = 4 << 20;
	setsockopt(p[1], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	if (write(p[1], small, SMALL) != SMALL || fcntl(p[0], F_SETFL, O_NONBLOCK)) {
		fail("write b -> a: %m");
		return 1;
	}
	for (size_t done = 0; done < BIG;) {
		ssize_t n = write(p[0], big + done, BIG - done);

		if (n <= 0) {
			fail("write a -> b: %m (the send buffer is too small)");
			return 1;
		}
		done += n;
	}
	if (write(s[0], tail, sizeof(tail)) != sizeof(tail) || shutdown(s[0], SHUT_WR)) {
		fail("shut pair: %m");
		return 1;
	}
	test_daemon();
	test_waitsig();

	check_pair(p[0], p[1], have);
	check_shut(s[0], s[1]);
	return test_result();
}
