// SPDX-License-Identifier: GPL-2.0
/*
 * signalfd: SIGUSR1, SIGUSR2 and SIGRTMIN+2 blocked and watched by a
 * non-blocking signalfd; SIGUSR1 is pending at checkpoint time. After
 * restore the signalfd reads the pending SIGUSR1, then a SIGUSR2 and a
 * queued SIGRTMIN+2 sent after restore, and nothing else.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "zdtmtst.h"

static void expect(int fd, int signo, int value)
{
	struct signalfd_siginfo si;
	ssize_t n = read(fd, &si, sizeof(si));

	if (n != sizeof(si)) {
		fail("signalfd read for signal %d: %zd (%m)", signo, n);
		return;
	}
	if ((int)si.ssi_signo != signo || (int)si.ssi_pid != getpid() ||
	    (value && si.ssi_int != value))
		fail("signalfd read signal %u from %u value %d, expected %d from %d value %d",
		     si.ssi_signo, si.ssi_pid, si.ssi_int, signo, getpid(), value);
}

int main(int argc, char **argv)
{
	struct signalfd_siginfo si;
	union sigval v = { .sival_int = 4242 };
	sigset_t mask, cur;
	int fd;

	test_init(argc, argv);
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR1);
	sigaddset(&mask, SIGUSR2);
	sigaddset(&mask, SIGRTMIN + 2);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0 || kill(getpid(), SIGUSR1)) {
		fail("signalfd set-up: %m");
		return 1;
	}
	test_daemon();
	test_waitsig();

	sigprocmask(SIG_BLOCK, NULL, &cur);
	if (!sigismember(&cur, SIGUSR2) || !sigismember(&cur, SIGRTMIN + 2))
		fail("the signals are not blocked any more");
	if (!(fcntl(fd, F_GETFL) & O_NONBLOCK))
		fail("the signalfd lost O_NONBLOCK");
	expect(fd, SIGUSR1, 0);
	if (kill(getpid(), SIGUSR2) || sigqueue(getpid(), SIGRTMIN + 2, v))
		fail("can't send signals: %m");
	expect(fd, SIGUSR2, 0);
	expect(fd, SIGRTMIN + 2, 4242);
	if (read(fd, &si, sizeof(si)) >= 0 || errno != EAGAIN)
		fail("the signalfd has more to read");
	return test_result();
}
