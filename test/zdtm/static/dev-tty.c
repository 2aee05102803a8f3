// SPDX-License-Identifier: GPL-2.0
/*
 * dev-tty: the session leader took a pty slave as controlling terminal and
 * closed it, keeping the master; it and its child each hold /dev/tty open.
 * After restore both fds are /dev/tty again, stand for the same pty, and
 * what the child writes there comes out of the leader's master.
 */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "zdtmtst.h"

#define TTY_FD 7

static volatile unsigned int *slave_dev;

static int check_dev_tty(int fd, const char *who)
{
	char link[64];
	unsigned int dev = 0;
	struct stat st;
	ssize_t n;

	n = readlink("/proc/self/fd/7", link, sizeof(link) - 1);
	if (n > 0)
		link[n] = 0;
	if (n != 8 || strcmp(link, "/dev/tty") || fstat(fd, &st) ||
	    st.st_rdev != makedev(5, 0) || ioctl(fd, TIOCGDEV, &dev) || dev != *slave_dev) {
		fail("%s: fd %d is '%s', device %u:%u, not /dev/tty of %u:%u", who, fd,
		     n > 0 ? link : "?", major(dev), minor(dev), major(*slave_dev),
		     minor(*slave_dev));
		return 0;
	}
	return 1;
}

static __attribute__((noreturn)) void child(void)
{
	int fd = open("/dev/tty", O_RDWR), ok;

	if (fd < 0 || dup2(fd, TTY_FD) != TTY_FD)
		_exit(2);
	close(fd);
	__atomic_store_n(&slave_dev[1], 1, __ATOMIC_SEQ_CST);
	test_waitsig();
	ok = check_dev_tty(TTY_FD, "child");
	if (write(TTY_FD, "hi", 2) != 2)
		ok = 0;
	_exit(ok ? 0 : 1);
}

int main(int argc, char **argv)
{
	struct pollfd pfd;
	char name[64], buf[16];
	struct stat st;
	int m, s, fd, status, ok = 1;
	pid_t kid;

	test_init(argc, argv);
	slave_dev = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	m = posix_openpt(O_RDWR | O_NOCTTY);
	if (slave_dev == MAP_FAILED || m < 0 || grantpt(m) || unlockpt(m) ||
	    ptsname_r(m, name, sizeof(name)) || (s = open(name, O_RDWR)) < 0 || fstat(s, &st) ||
	    (fd = open("/dev/tty", O_RDWR)) < 0 || dup2(fd, TTY_FD) != TTY_FD) {
		fail("set-up: %m");
		return 1;
	}
	close(fd);
	close(s);
	*slave_dev = st.st_rdev;
	kid = fork();
	if (kid == 0)
		child();
	while (!__atomic_load_n(&slave_dev[1], __ATOMIC_SEQ_CST))
		usleep(1000);
	test_daemon();
	test_waitsig();
	ok = check_dev_tty(TTY_FD, "leader");
	kill(kid, SIGTERM);
	if (waitpid(kid, &status, 0) != kid || !WIFEXITED(status) || WEXITSTATUS(status)) {
		fail("child: status 0x%x", status);
		ok = 0;
	}
	pfd = (struct pollfd){ .fd = m, .events = POLLIN };
	if (poll(&pfd, 1, 1000) != 1 || read(m, buf, sizeof(buf)) != 2 || memcmp(buf, "hi", 2)) {
		fail("the child's write did not come out of the master");
		ok = 0;
	}
	return ok ? test_result() : 1;
}
