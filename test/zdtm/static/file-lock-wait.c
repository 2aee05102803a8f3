// SPDX-License-Identifier: GPL-2.0
/*
 * file-lock-wait: the child waits in flock() for a lock a process outside
 * the tree holds on lock.held (the runner's lock-held-outside check takes
 * it first). It must still wait after restore, and get the lock once the
 * holder lets go; the parent checks that it did.
 */
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "zdtmtst.h"

static volatile int *state;	/* 1: about to wait, 2: got the lock */

static void child(void)
{
	int fd = open("lock.held", O_RDWR);

	if (fd < 0)
		_exit(1);
	*state = 1;
	if (flock(fd, LOCK_EX))
		_exit(2);
	*state = 2;
	test_waitsig();
	_exit(0);
}

int main(int argc, char **argv)
{
	int status;
	pid_t pid;

	test_init(argc, argv);
	state = mmap(NULL, PAGE_SZ, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (state == MAP_FAILED) {
		fail("mmap: %m");
		return 1;
	}
	pid = fork();
	if (pid < 0) {
		fail("fork: %m");
		return 1;
	}
	if (pid == 0)
		child();
	while (!*state)
		test_sleep_ms(1);
	test_sleep_ms(50);	/* let it reach flock() */
	if (*state != 1) {
		fail("the child got the lock: nobody holds it (run it with the runner)");
		return 1;
	}
	test_daemon();
	test_waitsig();

	for (int i = 0; i < 5000 && *state != 2; i++)
		test_sleep_ms(1);
	if (*state != 2)
		fail("the child did not get the lock once its holder let go");
	kill(pid, SIGTERM);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		fail("the child failed (status 0x%x)", status);
	return test_result();
}
