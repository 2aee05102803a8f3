// SPDX-License-Identifier: GPL-2.0
/*
 * unix-seqpacket: a seqpacket socketpair with messages of 1 to 30000 bytes
 * queued both ways, one end non-blocking. After restore each message comes
 * back whole and in order (a short read truncates just that one message),
 * and the pair still carries messages.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "zdtmtst.h"

static const size_t sizes[] = { 30000, 1, 512, 7000, 3 };
static char msg[32768], buf[32768];

static void make_msg(size_t len, int tag)
{
	for (size_t i = 0; i < len; i++)
		msg[i] = (char)(tag * 13 + i * 5);
}

static void expect(int fd, size_t len, int tag, const char *what)
{
	ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

	make_msg(len, tag);
	if (n != (ssize_t)len || memcmp(buf, msg, len))
		fail("%s: got %zd bytes (%m), want message %d of %zu", what, n, tag, len);
}

int main(int argc, char **argv)
{
	int p[2];
	size_t i;

	test_init(argc, argv);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, p) || fcntl(p[1], F_SETFL, O_NONBLOCK)) {
		fail("socketpair: %m");
		return 1;
	}
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		make_msg(sizes[i], i);
		if (send(p[0], msg, sizes[i], 0) != (ssize_t)sizes[i]) {
			fail("send: %m");
			return 1;
		}
		make_msg(sizes[i], i + 10);
		if (send(p[1], msg, sizes[i], 0) != (ssize_t)sizes[i]) {
			fail("send: %m");
			return 1;
		}
	}
	test_daemon();
	test_waitsig();

	if (!(fcntl(p[1], F_GETFL) & O_NONBLOCK) || fcntl(p[0], F_GETFL) & O_NONBLOCK)
		fail("the ends lost their O_NONBLOCK state");
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		expect(p[1], sizes[i], i, "a -> b");
		expect(p[0], sizes[i], i + 10, "b -> a");
	}
	if (recv(p[0], buf, 1, MSG_DONTWAIT) != -1 || errno != EAGAIN)
		fail("more messages than were sent");
	make_msg(100, 99);
	if (send(p[1], msg, 100, 0) != 100 || recv(p[0], buf, 10, 0) != 10 ||
	    recv(p[0], buf, 1, MSG_DONTWAIT) != -1)
		fail("the pair lost its message boundaries");
	return test_result();
}
