// SPDX-License-Identifier: GPL-2.0
/*
 * unix-tasks: sockets across tasks. Parent and child each hold one end of
 * a stream socketpair, with data queued both ways; both hold the same end
 * of a datagram pair (one open file, inherited) whose other end, the
 * parent's, queued three datagrams. After restore each task reads what
 * was sent to it, the child takes one datagram and the parent sees the
 * two others (the socket is still one), and the stream still works.
 */
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "zdtmtst.h"

static char to_child[2000], to_parent[3000], buf[4096];
static volatile int *ready;

static int read_all(int fd, char *b, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = recv(fd, b + done, len - done, 0);

		if (n <= 0)
			return -1;
		done += n;
	}
	return 0;
}

static void child(int s, int d)
{
	test_msg("child %d ready\n", getpid());
	*ready = 1;
	test_waitsig();
	if (read_all(s, buf, sizeof(to_child)) || memcmp(buf, to_child, sizeof(to_child))) {
		fail("child: the stream data is not there");
		_exit(1);
	}
	if (recv(d, buf, sizeof(buf), MSG_DONTWAIT) != 1 || buf[0] != 'a') {
		fail("child: the first datagram is not there");
		_exit(1);
	}
	if (send(s, "ok", 2, 0) != 2)
		_exit(1);
	_exit(0);
}

int main(int argc, char **argv)
{
	int s[2], d[2], status;
	uint32_t seed = 5;
	pid_t pid;

	test_init(argc, argv);
	datagen(to_child, sizeof(to_child), &seed);
	datagen(to_parent, sizeof(to_parent), &seed);
	ready = mmap(NULL, PAGE_SZ, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (ready == MAP_FAILED || socketpair(AF_UNIX, SOCK_STREAM, 0, s) ||
	    socketpair(AF_UNIX, SOCK_DGRAM, 0, d)) {
		fail("set-up: %m");
		return 1;
	}
	pid = fork();
	if (pid < 0) {
		fail("fork: %m");
		return 1;
	}
	if (pid == 0) {
		close(s[0]);
		close(d[1]);
		if (write(s[1], to_parent, sizeof(to_parent)) != sizeof(to_parent))
			_exit(1);
		child(s[1], d[0]);
	}
	close(s[1]);
	if (write(s[0], to_child, sizeof(to_child)) != sizeof(to_child) ||
	    send(d[1], "a", 1, 0) != 1 || send(d[1], "b", 1, 0) != 1 ||
	    send(d[1], "c", 1, 0) != 1) {
		fail("send: %m");
		return 1;
	}
	while (!*ready)
		test_sleep_ms(1);
	test_daemon();
	test_waitsig();

	kill(pid, SIGTERM);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		fail("the child failed (status 0x%x)", status);
	if (read_all(s[0], buf, sizeof(to_parent)) || memcmp(buf, to_parent, sizeof(to_parent)))
		fail("parent: the stream data is not there");
	if (read_all(s[0], buf, 2) || memcmp(buf, "ok", 2))
		fail("parent: the child's answer did not come");
	if (recv(d[0], buf, sizeof(buf), MSG_DONTWAIT) != 1 || buf[0] != 'b' ||
	    recv(d[0], buf, sizeof(buf), MSG_DONTWAIT) != 1 || buf[0] != 'c')
		fail("parent: the shared socket is not one socket any more");
	return test_result();
}
