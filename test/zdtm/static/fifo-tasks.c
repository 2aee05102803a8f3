// SPDX-License-Identifier: GPL-2.0
/*
 * fifo-tasks: a FIFO shared by two tasks. The child is blocked in read()
 * on its read end when checkpointed; the parent holds the write end and
 * had queued nothing. After restore the parent writes, the child's read
 * (restarted, still waiting on the same FIFO) returns those bytes, and it
 * answers through a second FIFO whose read end, the parent's, is
 * non-blocking.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "zdtmtst.h"

static volatile int *state;

static void child(void)
{
	int in = open("fifo.down", O_RDONLY), out = open("fifo.up", O_WRONLY);
	char buf[16];
	ssize_t n;

	if (in < 0 || out < 0)
		_exit(1);
	*state = 1;
	n = read(in, buf, sizeof(buf));	/* blocks until the parent writes */
	if (n != 5 || memcmp(buf, "hello", 5))
		_exit(2);
	if (write(out, "world", 5) != 5)
		_exit(3);
	_exit(0);
}

int main(int argc, char **argv)
{
	char buf[32];
	int down, up, status;
	pid_t pid;

	test_init(argc, argv);
	state = mmap(NULL, PAGE_SZ, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (state == MAP_FAILED || mkfifo("fifo.down", 0600) || mkfifo("fifo.up", 0600)) {
		fail("set-up: %m");
		return 1;
	}
	pid = fork();
	if (pid == 0)
		child();
	down = open("fifo.down", O_WRONLY);
	up = open("fifo.up", O_RDONLY);
	if (pid < 0 || down < 0 || up < 0) {
		fail("open: %m");
		return 1;
	}
	while (!*state)
		test_sleep_ms(1);
	if (write(down, "", 0) || fcntl(up, F_SETFL, O_NONBLOCK)) {
		fail("set-up: %m");
		return 1;
	}
	test_daemon();
	test_waitsig();

	if (write(down, "hello", 5) != 5)
		fail("write to the waiting child: %m");
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		fail("the child did not get the data (status 0x%x)", status);
	else if (read(up, buf, sizeof(buf)) != 5 || memcmp(buf, "world", 5))
		fail("the child's answer is not there");
	return test_result();
}
