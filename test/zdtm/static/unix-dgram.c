// SPDX-License-Identifier: GPL-2.0
/*
 * unix-dgram: a datagram socketpair with messages queued both ways (sizes
 * 0 to 60000 bytes, boundaries kept); a server bound to a relative path
 * holding datagrams from two bound clients (one connected to it), one
 * unbound client and an abstract-named one, each with its sender address;
 * and a socket bound to a name that was then removed. After restore each
 * message comes back in order with its sender, the clients still reach
 * the server, and the removed name is still the socket's but has no file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "zdtmtst.h"

static const size_t sizes[] = { 1, 0, 60000, 4096, 17 };
static char buf[65536], msg[65536];
static char abs_name[64];

static socklen_t addr_of(const char *name, struct sockaddr_un *sa)
{
	size_t len = name[0] ? strlen(name) + 1 : 1 + strlen(name + 1);

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	memcpy(sa->sun_path, name, len);
	return offsetof(struct sockaddr_un, sun_path) + len;
}

static int bound(const char *name)
{
	struct sockaddr_un sa;
	socklen_t len = addr_of(name, &sa);
	int fd = socket(AF_UNIX, SOCK_DGRAM, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, len))
		return -1;
	return fd;
}

static void make_msg(size_t len, int tag)
{
	for (size_t i = 0; i < len; i++)
		msg[i] = (char)(tag * 31 + i * 7);
}

static int send_to(int fd, const char *name, size_t len, int tag)
{
	struct sockaddr_un sa;
	socklen_t alen = addr_of(name, &sa);

	make_msg(len, tag);
	return sendto(fd, msg, len, 0, (struct sockaddr *)&sa, alen) == (ssize_t)len ? 0 : -1;
}

/* The next datagram must be len bytes of tag, from a sender named from (or none). */
static void expect(int fd, size_t len, int tag, const char *from, const char *what)
{
	struct sockaddr_un sa;
	socklen_t alen = sizeof(sa);
	ssize_t n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&sa, &alen);
	size_t want = from ? (from[0] ? strlen(from) + 1 : 1 + strlen(from + 1)) : 0;

	make_msg(len, tag);
	if (n != (ssize_t)len || memcmp(buf, msg, len)) {
		fail("%s: got %zd bytes (%m), want %zu of message %d", what, n, len, tag);
		return;
	}
	alen = alen > offsetof(struct sockaddr_un, sun_path) ?
	       alen - offsetof(struct sockaddr_un, sun_path) : 0;
	if (alen != want ||
	    (want && memcmp(sa.sun_path, from, want)))
		fail("%s: message %d came from another sender", what, tag);
}

int main(int argc, char **argv)
{
	int p[2], srv, c1, c2, c3, c4, gone;
	struct sockaddr_un sa;
	socklen_t alen;
	struct stat st;

	test_init(argc, argv);
	snprintf(abs_name, sizeof(abs_name), "%czdtm-dgram-%d", 0, getpid());
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, p)) {
		fail("socketpair: %m");
		return 1;
	}
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		make_msg(sizes[i], i);
		if (send(p[0], msg, sizes[i], 0) != (ssize_t)sizes[i] ||
		    send(p[1], msg, sizes[i], 0) != (ssize_t)sizes[i]) {
			fail("send: %m");
			return 1;
		}
	}
	srv = bound("dgram.srv");
	c1 = bound("dgram.c1");
	c2 = bound("dgram.c2");
	c3 = socket(AF_UNIX, SOCK_DGRAM, 0);
	c4 = bound(abs_name);
	gone = bound("dgram.gone");
	alen = addr_of("dgram.srv", &sa);
	if (srv < 0 || c1 < 0 || c2 < 0 || c3 < 0 || c4 < 0 || gone < 0 ||
	    connect(c2, (struct sockaddr *)&sa, alen) || unlink("dgram.gone") ||
	    fchmod(srv, 0) || chmod("dgram.srv", 0640)) {
		fail("set-up: %m");
		return 1;
	}
	if (send_to(c1, "dgram.srv", 100, 10) || send(c2, "", 0, 0) ||
	    send_to(c3, "dgram.srv", 200, 11) || send_to(c4, "dgram.srv", 300, 12) ||
	    send_to(c1, "dgram.srv", 5, 13) || send_to(gone, "dgram.c1", 50, 14)) {
		fail("sendto: %m");
		return 1;
	}
	test_daemon();
	test_waitsig();

	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		expect(p[1], sizes[i], i, NULL, "pair a -> b");
		expect(p[0], sizes[i], i, NULL, "pair b -> a");
	}
	expect(srv, 100, 10, "dgram.c1", "server");
	expect(srv, 0, 0, "dgram.c2", "server");
	expect(srv, 200, 11, NULL, "server");
	expect(srv, 300, 12, abs_name, "server");
	expect(srv, 5, 13, "dgram.c1", "server");
	expect(c1, 50, 14, "dgram.gone", "client 1");
	if (recv(srv, buf, 1, MSG_DONTWAIT) != -1 || recv(p[0], buf, 1, MSG_DONTWAIT) != -1)
		fail("more datagrams than were sent");
	if (stat("dgram.srv", &st) || !S_ISSOCK(st.st_mode) || (st.st_mode & 0777) != 0640)
		fail("the server's socket file is gone or lost its mode");
	if (!stat("dgram.gone", &st))
		fail("the removed name has a file again");
	alen = sizeof(sa);
	if (getsockname(gone, (struct sockaddr *)&sa, &alen) || strcmp(sa.sun_path, "dgram.gone"))
		fail("the socket of the removed name lost it");
	make_msg(1, 40);
	if (send(c2, msg, 1, 0) != 1 || send_to(c1, "dgram.srv", 3, 20))
		fail("the clients can't reach the server: %m");
	expect(srv, 1, 40, "dgram.c2", "server after restore");
	expect(srv, 3, 20, "dgram.c1", "server after restore");
	if (send_to(srv, "dgram.c1", 1, 30))
		fail("the server can't reach client 1: %m");
	return test_result();
}
