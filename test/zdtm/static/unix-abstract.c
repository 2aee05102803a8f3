// SPDX-License-Identifier: GPL-2.0
/*
 * unix-abstract: abstract names. A seqpacket listener with an accepted
 * connection (messages both ways) and a client waiting in its backlog, and
 * a datagram socket with an automatic (autobind) name holding a datagram
 * sent to that name. After restore every socket has its name, the names
 * can be reached, the backlog gives its client back and the data is there.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "zdtmtst.h"

static struct sockaddr_un lname, aname;
static socklen_t llen, alen;
static char buf[4096];

static int same_name(int fd, int peer, const struct sockaddr_un *want, socklen_t wlen)
{
	struct sockaddr_un sa;
	socklen_t len = sizeof(sa);
	int r = peer ? getpeername(fd, (struct sockaddr *)&sa, &len) :
		       getsockname(fd, (struct sockaddr *)&sa, &len);

	return !r && len == wlen && !memcmp(&sa, want, len);
}

static int expect(int fd, const char *want, const char *what)
{
	ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

	if (n != (ssize_t)strlen(want) || memcmp(buf, want, n)) {
		fail("%s: got %zd bytes (%m), want \"%s\"", what, n, want);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int l, c0, a0, c1, a1, d, s, c2;

	test_init(argc, argv);
	lname.sun_family = AF_UNIX;
	llen = offsetof(struct sockaddr_un, sun_path) + 1 +
	       snprintf(lname.sun_path + 1, sizeof(lname.sun_path) - 1, "zdtm-abs-%d", getpid());
	l = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	c0 = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	c1 = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	d = socket(AF_UNIX, SOCK_DGRAM, 0);
	s = socket(AF_UNIX, SOCK_DGRAM, 0);
	aname.sun_family = AF_UNIX;
	if (l < 0 || bind(l, (struct sockaddr *)&lname, llen) || listen(l, 4) ||
	    connect(c0, (struct sockaddr *)&lname, llen) || (a0 = accept(l, NULL, NULL)) < 0 ||
	    connect(c1, (struct sockaddr *)&lname, llen) ||
	    bind(d, (struct sockaddr *)&aname, sizeof(sa_family_t))) {
		fail("set-up: %m");
		return 1;
	}
	alen = sizeof(aname);
	if (getsockname(d, (struct sockaddr *)&aname, &alen) || alen <= sizeof(sa_family_t) ||
	    send(c0, "up", 2, 0) != 2 || send(a0, "down", 4, 0) != 4 ||
	    sendto(s, "hello", 5, 0, (struct sockaddr *)&aname, alen) != 5) {
		fail("set-up: %m");
		return 1;
	}
	test_daemon();
	test_waitsig();

	if (!same_name(l, 0, &lname, llen) || !same_name(a0, 0, &lname, llen) ||
	    !same_name(c0, 1, &lname, llen) || !same_name(c1, 1, &lname, llen))
		fail("the listener's name is not where it was");
	if (!same_name(d, 0, &aname, alen))
		fail("the automatic name changed");
	expect(a0, "up", "accepted pair, up");
	expect(c0, "down", "accepted pair, down");
	expect(d, "hello", "datagram to the automatic name");
	fcntl(l, F_SETFL, O_NONBLOCK);
	a1 = accept(l, NULL, NULL);
	if (a1 < 0 || send(c1, "late", 4, 0) != 4 || expect(a1, "late", "waiting client"))
		fail("the waiting client is gone: %m");
	if (accept(l, NULL, NULL) != -1)
		fail("the backlog holds more than it had");
	c2 = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	if (connect(c2, (struct sockaddr *)&lname, llen) || accept(l, NULL, NULL) < 0)
		fail("the listener can't be reached by its name: %m");
	if (sendto(s, "again", 5, 0, (struct sockaddr *)&aname, alen) != 5 ||
	    expect(d, "again", "the automatic name after restore"))
		fail("the automatic name can't be reached");
	return test_result();
}
