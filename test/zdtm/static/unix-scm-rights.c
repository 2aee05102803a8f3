// SPDX-License-Identifier: GPL-2.0
/*
 * unix-scm-rights: a file descriptor in flight (SCM_RIGHTS) waits in a
 * socket's queue. criu can't dump that: the dump must fail saying so and
 * leave the test as it was; then the descriptor still arrives.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zdtmtst.h"

int main(int argc, char **argv)
{
	char cbuf[CMSG_SPACE(sizeof(int))], c = 'x';
	struct iovec iov = { &c, 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			     .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm;
	struct stat st;
	int p[2], fd, got;

	test_init(argc, argv);
	fd = open("/dev/null", O_RDONLY);
	if (fd < 0 || socketpair(AF_UNIX, SOCK_DGRAM, 0, p)) {
		fail("set-up: %m");
		return 1;
	}
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	if (sendmsg(p[0], &mh, 0) != 1) {
		fail("sendmsg: %m");
		return 1;
	}
	close(fd);
	test_daemon();
	test_waitsig();

	memset(cbuf, 0, sizeof(cbuf));
	mh.msg_controllen = sizeof(cbuf);
	if (recvmsg(p[1], &mh, MSG_DONTWAIT) != 1 || !(cm = CMSG_FIRSTHDR(&mh)) ||
	    cm->cmsg_type != SCM_RIGHTS) {
		fail("the descriptor in flight is lost");
		return test_result();
	}
	memcpy(&got, CMSG_DATA(cm), sizeof(int));
	if (fstat(got, &st) || !S_ISCHR(st.st_mode))
		fail("the descriptor in flight is not /dev/null any more");
	return test_result();
}
