// SPDX-License-Identifier: GPL-2.0
/*
 * fd-unsupported: one fd of a kind criu does not dump (--kind=NAME: inet
 * TCP listener, inet6 UDP, netlink, pidfd, io_uring, userfaultfd). The
 * dump must fail naming the kind and the fd, and the task must run on as
 * before: afterwards the fd is still there, of the same kind, and works.
 */
#include <fcntl.h>
#include <linux/io_uring.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "zdtmtst.h"

#define FD 7

static int make(const char *kind)
{
	if (!strcmp(kind, "inet")) {
		struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
		int s = socket(AF_INET, SOCK_STREAM, 0);

		if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 4))
			return -1;
		return s;
	}
	if (!strcmp(kind, "inet6-udp"))
		return socket(AF_INET6, SOCK_DGRAM, 0);
	if (!strcmp(kind, "netlink"))
		return socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
	if (!strcmp(kind, "pidfd"))
		return syscall(SYS_pidfd_open, getpid(), 0);
	if (!strcmp(kind, "io_uring")) {
		struct io_uring_params p = { 0 };

		return syscall(SYS_io_uring_setup, 4, &p);
	}
	if (!strcmp(kind, "userfaultfd"))
		return syscall(SYS_userfaultfd, O_CLOEXEC | 1 /* UFFD_USER_MODE_ONLY */);
	return -1;
}

/* The fd still works as its kind does. */
static int works(const char *kind, int fd)
{
	struct stat st;
	int type;
	socklen_t sl = sizeof(type);

	if (fstat(fd, &st))
		return 0;
	if (!strcmp(kind, "inet") || !strcmp(kind, "inet6-udp") || !strcmp(kind, "netlink"))
		return S_ISSOCK(st.st_mode) && !getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &sl);
	if (!strcmp(kind, "pidfd"))
		return !syscall(SYS_pidfd_send_signal, fd, 0, NULL, 0);
	return 1;
}

int main(int argc, char **argv)
{
	const char *kind;
	int fd;

	test_init(argc, argv);
	kind = test_opt("kind");
	if (!kind)
		kind = "inet";
	fd = make(kind);
	if (fd < 0 || dup2(fd, FD) != FD) {
		fail("can't make a %s fd: %m", kind);
		return test_result();
	}
	close(fd);
	test_daemon();
	test_waitsig();
	if (!works(kind, FD))
		fail("fd %d is no longer a working %s: %m", FD, kind);
	return test_result();
}
