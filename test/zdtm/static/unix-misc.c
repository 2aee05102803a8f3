// SPDX-License-Identifier: GPL-2.0
/*
 * unix-misc: unusual unix socket states. An accepted connection whose
 * listener was closed (the name stays the accepted socket's); a stream
 * socket whose peer closed with data still queued for it (data, then
 * EOF); a datagram socket whose peer closed (the next send is refused);
 * a datagram socketpair end that connected elsewhere while its partner
 * still points at it (and holds what it sent before; it may not send
 * back); a bound stream socket that neither listens nor connects; one end
 * of a pair shut down for reading.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "zdtmtst.h"

static socklen_t addr_of(const char *name, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	snprintf(sa->sun_path, sizeof(sa->sun_path), "%s", name);
	return offsetof(struct sockaddr_un, sun_path) + strlen(name) + 1;
}

static int name_is(int fd, const char *want)
{
	struct sockaddr_un sa;
	socklen_t len = sizeof(sa);

	return !getsockname(fd, (struct sockaddr *)&sa, &len) &&
	       len > offsetof(struct sockaddr_un, sun_path) && !strcmp(sa.sun_path, want);
}

int main(int argc, char **argv)
{
	int l, c, a, dead[2], dd[2], p[2], srv, lone, sh[2];
	struct sockaddr_un sa;
	socklen_t len;
	char buf[64];

	test_init(argc, argv);
	l = socket(AF_UNIX, SOCK_STREAM, 0);
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	srv = socket(AF_UNIX, SOCK_DGRAM, 0);
	lone = socket(AF_UNIX, SOCK_STREAM, 0);
	len = addr_of("misc.listen", &sa);
	if (bind(l, (struct sockaddr *)&sa, len) || listen(l, 1) ||
	    connect(c, (struct sockaddr *)&sa, len) || (a = accept(l, NULL, NULL)) < 0) {
		fail("listener: %m");
		return 1;
	}
	close(l);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, dead) || send(dead[1], "bye", 3, 0) != 3 ||
	    socketpair(AF_UNIX, SOCK_DGRAM, 0, dd) || socketpair(AF_UNIX, SOCK_DGRAM, 0, p) ||
	    socketpair(AF_UNIX, SOCK_STREAM, 0, sh)) {
		fail("socketpair: %m");
		return 1;
	}
	close(dead[1]);
	close(dd[1]);
	len = addr_of("misc.srv", &sa);
	if (bind(srv, (struct sockaddr *)&sa, len) || send(p[0], "to-p1", 5, 0) != 5 ||
	    connect(p[0], (struct sockaddr *)&sa, len) || send(p[0], "to-srv", 6, 0) != 6) {
		fail("datagram set-up: %m");
		return 1;
	}
	len = addr_of("misc.lone", &sa);
	if (bind(lone, (struct sockaddr *)&sa, len) || shutdown(sh[0], SHUT_RD) ||
	    send(sh[0], "up", 2, 0) != 2) {
		fail("set-up: %m");
		return 1;
	}
	test_daemon();
	test_waitsig();

	if (!name_is(a, "misc.listen"))
		fail("the accepted socket lost its listener's name");
	if (send(c, "x", 1, 0) != 1 || recv(a, buf, 1, 0) != 1 || buf[0] != 'x')
		fail("the accepted connection is broken");
	if (recv(dead[0], buf, sizeof(buf), MSG_DONTWAIT) != 3 || memcmp(buf, "bye", 3) ||
	    recv(dead[0], buf, sizeof(buf), MSG_DONTWAIT) != 0)
		fail("the stream whose peer closed: not its data, then EOF");
	if (send(dd[0], "?", 1, MSG_DONTWAIT) != -1 || errno != ECONNREFUSED)
		fail("the datagram socket whose peer closed can send (%m)");
	if (recv(p[1], buf, sizeof(buf), MSG_DONTWAIT) != 5 || memcmp(buf, "to-p1", 5))
		fail("the partner of the reconnected end lost its datagram");
	if (send(p[1], "no", 2, MSG_DONTWAIT) != -1 || errno != EPERM)
		fail("the partner may send to the end that connected elsewhere (%m)");
	if (recv(srv, buf, sizeof(buf), MSG_DONTWAIT) != 6 || memcmp(buf, "to-srv", 6))
		fail("the server lost its datagram");
	if (recv(p[0], buf, sizeof(buf), MSG_DONTWAIT) != -1 ||
	    send(p[0], "again", 5, 0) != 5 || recv(srv, buf, sizeof(buf), 0) != 5)
		fail("the reconnected end is not connected to the server");
	if (!name_is(lone, "misc.lone"))
		fail("the lone bound socket lost its name");
	if (recv(sh[1], buf, sizeof(buf), MSG_DONTWAIT) != 2 ||
	    recv(sh[0], buf, sizeof(buf), MSG_DONTWAIT) != 0 ||
	    send(sh[1], "z", 1, MSG_NOSIGNAL) != -1 || errno != EPIPE)
		fail("the pair shut down for reading changed");
	return test_result();
}
