// SPDX-License-Identifier: GPL-2.0
/*
 * posix-timer: a periodic CLOCK_MONOTONIC timer (SIGEV_SIGNAL with a
 * value) keeps its id, its interval and its signal value; a one-shot
 * CLOCK_REALTIME timer far away keeps its expiry; a disarmed one stays
 * disarmed.
 */
#include <time.h>

#include "zdtmtst.h"

#define PERIOD_NS	30000000L
#define FAR_SEC		1000
#define MONO_VALUE	0xabc
#define WAIT_TICKS	4

static timer_t t_mono, t_far, t_off;
static int sig_mono;
static volatile int ticks, bad_value, bad_id;

static void handler(int signo, siginfo_t *si, void *uc)
{
	(void)signo;
	(void)uc;
	if (si->si_value.sival_int != MONO_VALUE || si->si_code != SI_TIMER)
		bad_value++;
	if (si->si_timerid != (int)(long)t_mono)
		bad_id++;
	ticks++;
}

static int make_timer(clockid_t clk, int signo, int value, timer_t *t)
{
	struct sigevent sev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = signo };

	sev.sigev_value.sival_int = value;
	return timer_create(clk, &sev, t);
}

static int setup(void)
{
	struct sigaction sa = { .sa_sigaction = handler, .sa_flags = SA_SIGINFO | SA_RESTART };
	struct itimerspec periodic = { { 0, PERIOD_NS }, { 0, PERIOD_NS } };
	struct itimerspec far = { { 0, 0 }, { FAR_SEC, 0 } };

	sig_mono = SIGRTMIN + 1;
	sigemptyset(&sa.sa_mask);
	sigaction(sig_mono, &sa, NULL);
	signal(SIGUSR2, SIG_IGN);
	if (make_timer(CLOCK_MONOTONIC, sig_mono, MONO_VALUE, &t_mono) ||
	    make_timer(CLOCK_REALTIME, SIGUSR2, 77, &t_far) ||
	    make_timer(CLOCK_MONOTONIC, SIGUSR2, 78, &t_off))
		return -1;
	if (timer_settime(t_mono, 0, &periodic, NULL) || timer_settime(t_far, 0, &far, NULL))
		return -1;
	return 0;
}

static void check_settings(void)
{
	struct itimerspec it;

	if (timer_gettime(t_mono, &it))
		fail("timer_gettime(periodic): %m");
	else if (it.it_interval.tv_sec || it.it_interval.tv_nsec != PERIOD_NS ||
		 it.it_value.tv_sec || it.it_value.tv_nsec > PERIOD_NS ||
		 (!it.it_value.tv_sec && !it.it_value.tv_nsec))
		fail("periodic timer: interval %ld ns, value %ld.%09ld", it.it_interval.tv_nsec,
		     it.it_value.tv_sec, it.it_value.tv_nsec);
	if (timer_gettime(t_far, &it))
		fail("timer_gettime(far): %m");
	else if (it.it_interval.tv_sec || it.it_interval.tv_nsec ||
		 it.it_value.tv_sec < FAR_SEC - 120 || it.it_value.tv_sec >= FAR_SEC)
		fail("far timer: value %ld s, interval %ld s", it.it_value.tv_sec,
		     it.it_interval.tv_sec);
	if (timer_gettime(t_off, &it))
		fail("timer_gettime(disarmed): %m");
	else if (it.it_value.tv_sec || it.it_value.tv_nsec)
		fail("disarmed timer is armed: %ld s", it.it_value.tv_sec);
	if (timer_getoverrun(t_mono) < 0)
		fail("timer_getoverrun: %m");
}

int main(int argc, char **argv)
{
	int before;

	test_init(argc, argv);
	if (setup()) {
		fail("can't set up timers: %m");
		return 1;
	}
	test_daemon();
	test_waitsig();

	check_settings();
	before = ticks;
	test_sleep_ms(PERIOD_NS / 1000000 * (WAIT_TICKS + 2));
	if (ticks - before < WAIT_TICKS)
		fail("periodic timer fired %d times in %d periods", ticks - before,
		     WAIT_TICKS + 2);
	if (bad_value)
		fail("%d timer signals carried the wrong value or code", bad_value);
	if (bad_id)
		fail("%d timer signals carried the wrong timer id", bad_id);
	return test_result();
}
