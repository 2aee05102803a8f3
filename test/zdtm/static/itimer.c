// SPDX-License-Identifier: GPL-2.0
/*
 * itimer: ITIMER_REAL ticking every 50 ms keeps ticking after restore
 * with the same interval; ITIMER_VIRTUAL and ITIMER_PROF, armed far in
 * the future, keep their interval and a sane remaining value.
 */
#include <sys/time.h>

#include "zdtmtst.h"

#define REAL_US		50000
#define LONG_SEC	1000
#define WAIT_TICKS	4
#define TICK_SLACK_US	20000

static volatile int ticks;

static void on_alarm(int signo)
{
	(void)signo;
	ticks++;
}

static long tv_us(const struct timeval *tv)
{
	return tv->tv_sec * 1000000L + tv->tv_usec;
}

static void check_timer(int which, const char *name, long interval_us)
{
	struct itimerval it;

	if (getitimer(which, &it)) {
		fail("getitimer(%s): %m", name);
		return;
	}
	if (tv_us(&it.it_interval) != interval_us)
		fail("%s interval %ld us, want %ld", name, tv_us(&it.it_interval), interval_us);
	/* The kernel may round the value up to its next tick. */
	if (tv_us(&it.it_value) <= 0 || tv_us(&it.it_value) > interval_us + TICK_SLACK_US)
		fail("%s value %ld us, interval %ld", name, tv_us(&it.it_value), interval_us);
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = SA_RESTART };
	struct itimerval real = { { 0, REAL_US }, { 0, REAL_US } };
	struct itimerval slow = { { LONG_SEC, 0 }, { LONG_SEC, 0 } };
	int before;

	test_init(argc, argv);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	if (setitimer(ITIMER_REAL, &real, NULL) || setitimer(ITIMER_VIRTUAL, &slow, NULL) ||
	    setitimer(ITIMER_PROF, &slow, NULL)) {
		fail("setitimer: %m");
		return 1;
	}
	test_daemon();
	test_waitsig();

	check_timer(ITIMER_REAL, "ITIMER_REAL", REAL_US);
	check_timer(ITIMER_VIRTUAL, "ITIMER_VIRTUAL", LONG_SEC * 1000000L);
	check_timer(ITIMER_PROF, "ITIMER_PROF", LONG_SEC * 1000000L);
	before = ticks;
	test_sleep_ms(REAL_US / 1000 * (WAIT_TICKS + 2));
	if (ticks - before < WAIT_TICKS)
		fail("ITIMER_REAL ticked %d times in %d intervals", ticks - before,
		     WAIT_TICKS + 2);
	return test_result();
}
