// SPDX-License-Identifier: GPL-2.0
/*
 * sigtrap-kept: criu's dump asks the task for its state with a batch of
 * syscalls that ends on an int3, and the kernel resets an ignored SIGTRAP
 * it forces through to SIG_DFL. The parent ignores SIGTRAP; the child
 * ignores it too, blocks it and has one pending. The test is dumped once
 * with --leave-running before the real dump, so what that first dump leaves
 * behind is what the second one saves: after restore both still ignore
 * SIGTRAP, and the child's SIGTRAP is still pending.
 */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "zdtmtst.h"

static int ignores_trap(void)
{
	struct sigaction sa;

	return !sigaction(SIGTRAP, NULL, &sa) && sa.sa_handler == SIG_IGN;
}

static int child(int sync)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTRAP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) || kill(getpid(), SIGTRAP) ||
	    write(sync, "r", 1) != 1)
		return 2;
	test_waitsig();
	if (!ignores_trap()) {
		test_msg("child: SIGTRAP is no longer ignored\n");
		return 1;
	}
	if (sigpending(&set) || !sigismember(&set, SIGTRAP)) {
		test_msg("child: the pending SIGTRAP is gone\n");
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int sync[2], status;
	pid_t pid;
	char c;

	test_init(argc, argv);
	if (signal(SIGTRAP, SIG_IGN) == SIG_ERR || pipe(sync)) {
		fail("set-up: %m");
		return 1;
	}
	pid = fork();
	if (pid == 0)
		_exit(child(sync[1]));
	close(sync[1]);
	if (pid < 0 || read(sync[0], &c, 1) != 1) {
		fail("the child did not start");
		return 1;
	}
	test_daemon();
	test_waitsig();

	if (!ignores_trap())
		fail("SIGTRAP is no longer ignored");
	kill(pid, SIGTERM);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		fail("the child failed (status %#x)", status);
	return test_result();
}
