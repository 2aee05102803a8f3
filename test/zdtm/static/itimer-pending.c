// SPDX-License-Identifier: GPL-2.0
/*
 * itimer-pending: a periodic ITIMER_REAL whose SIGALRM is blocked and
 * pending at checkpoint time. The kernel re-arms such a timer only when the
 * signal is taken, so it reads a zero value with its interval; a restore
 * that sets it back as read disarms it. After restore the interval must be
 * there, the signal still pending, and the timer ticking once unblocked.
 */
#include <sys/time.h>

#include "zdtmtst.h"

#define REAL_US		50000
#define WAIT_TICKS	4

static volatile int ticks;

static void on_alarm(int signo)
{
	(void)signo;
	ticks++;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = SA_RESTART };
	struct itimerval real = { { 0, REAL_US }, { 0, REAL_US } }, it;
	sigset_t alrm, pending;

	test_init(argc, argv);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	sigemptyset(&alrm);
	sigaddset(&alrm, SIGALRM);
	sigprocmask(SIG_BLOCK, &alrm, NULL);
	if (setitimer(ITIMER_REAL, &real, NULL)) {
		fail("setitimer: %m");
		return 1;
	}
	/* let it expire: now it waits for its signal to be taken */
	test_sleep_ms(REAL_US / 1000 * 3);
	if (getitimer(ITIMER_REAL, &it) || it.it_value.tv_sec || it.it_value.tv_usec)
		test_msg("the expired timer reads %ld.%06ld\n", (long)it.it_value.tv_sec,
			 (long)it.it_value.tv_usec);
	test_daemon();
	test_waitsig();

	if (getitimer(ITIMER_REAL, &it)) {
		fail("getitimer: %m");
		return 1;
	}
	if (it.it_interval.tv_sec || it.it_interval.tv_usec != REAL_US)
		fail("interval %ld.%06ld, want 0.%06d", (long)it.it_interval.tv_sec,
		     (long)it.it_interval.tv_usec, REAL_US);
	sigpending(&pending);
	if (!sigismember(&pending, SIGALRM))
		fail("SIGALRM is no longer pending");
	sigprocmask(SIG_UNBLOCK, &alrm, NULL);
	test_sleep_ms(REAL_US / 1000 * (WAIT_TICKS + 3));
	if (ticks < WAIT_TICKS)
		fail("ITIMER_REAL ticked %d times in %d intervals", ticks, WAIT_TICKS + 3);
	return test_result();
}
