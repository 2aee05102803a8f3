// SPDX-License-Identifier: GPL-2.0
/*
 * unix-ext: sockets connected to peers the runner holds outside the tree
 * (the ext-unix-sk check in zdtm_files.py): a datagram socket connected
 * to the runner's server "ext.dgram" (it sent "before"), and a stream
 * socket connected to the runner's listener "ext.stream", and one end of
 * a stream socket pair (from the runner through "ext.pass") whose other
 * end, the runner's, sent "queued". After restore (with --ext-unix-sk)
 * the first two are connected to those names again and each sends
 * "after", which the runner checks; the pair's end, dumped with
 * --ext-unix-sk=INO, still holds "queued" but is disconnected.
 */
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

/* The runner binds its peers to absolute paths in our working directory. */
static int peer_is(int fd, const char *name)
{
	struct sockaddr_un sa;
	socklen_t len = sizeof(sa);
	size_t n, m = strlen(name);

	if (getpeername(fd, (struct sockaddr *)&sa, &len) ||
	    len <= offsetof(struct sockaddr_un, sun_path))
		return 0;
	n = strnlen(sa.sun_path, sizeof(sa.sun_path));
	return n > m && sa.sun_path[n - m - 1] == '/' && !strcmp(sa.sun_path + n - m, name);
}

/* The end of the runner's socket pair, through SCM_RIGHTS. */
static int get_pair_end(void)
{
	char cbuf[CMSG_SPACE(sizeof(int))], c;
	struct iovec iov = { &c, 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			     .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm;
	struct sockaddr_un sa;
	int s = socket(AF_UNIX, SOCK_STREAM, 0), fd = -1;

	if (s < 0 || connect(s, (struct sockaddr *)&sa, addr_of("ext.pass", &sa)) ||
	    recvmsg(s, &mh, 0) != 1 || !(cm = CMSG_FIRSTHDR(&mh)) || cm->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	close(s);
	return fd;
}

int main(int argc, char **argv)
{
	struct sockaddr_un sa;
	char buf[16];
	int d, s, p;

	test_init(argc, argv);
	p = get_pair_end();
	d = socket(AF_UNIX, SOCK_DGRAM, 0);
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	if (p < 0 || d < 0 || s < 0 || connect(d, (struct sockaddr *)&sa, addr_of("ext.dgram", &sa)) ||
	    connect(s, (struct sockaddr *)&sa, addr_of("ext.stream", &sa)) ||
	    send(d, "before", 6, 0) != 6) {
		fail("set-up (the runner's peers are missing?): %m");
		return 1;
	}
	test_daemon();
	test_waitsig();

	if (!peer_is(d, "ext.dgram") || !peer_is(s, "ext.stream"))
		fail("the sockets are not connected to their peers' names");
	if (send(d, "after", 5, 0) != 5)
		fail("the datagram socket can't reach its peer: %m");
	if (send(s, "after", 5, MSG_NOSIGNAL) != 5)
		fail("the stream socket can't reach its peer: %m");
	if (recv(p, buf, sizeof(buf), MSG_DONTWAIT) != 6 || memcmp(buf, "queued", 6))
		fail("the socket pair's end lost what was queued for it");
	if (recv(p, buf, sizeof(buf), MSG_DONTWAIT) != 0)
		fail("the socket pair's end is not disconnected (no EOF)");
	return test_result();
}
