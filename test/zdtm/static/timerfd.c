// SPDX-License-Identifier: GPL-2.0
/*
 * timerfd: an hour-long relative timer, one due in 2 s, a periodic one
 * that expired unread, an absolute CLOCK_REALTIME one, a one-shot that
 * expired unread and a disarmed one holding 5 ticks set with
 * TFD_IOC_SET_TICKS. After restore the relative timer has no more than its
 * time left, the absolute one keeps its expiry, pending ticks read back,
 * the periodic one fires again and the 2 s one fires.
 */
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "zdtmtst.h"

#ifndef TFD_IOC_SET_TICKS
#define TFD_IOC_SET_TICKS _IOW('T', 0, uint64_t)
#endif

#define HOUR 3600
#define ABS_AHEAD 1000

static double now(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double secs(const struct timespec *ts)
{
	return ts->tv_sec + ts->tv_nsec / 1e9;
}

static int make(clockid_t c, int flags, int tflags, double value, double interval)
{
	struct itimerspec it = {
		{ (time_t)interval, (long)((interval - (time_t)interval) * 1e9) },
		{ (time_t)value, (long)((value - (time_t)value) * 1e9) },
	};
	int fd = timerfd_create(c, flags);

	if (fd < 0 || timerfd_settime(fd, tflags, &it, NULL))
		return -1;
	return fd;
}

/* When a CLOCK_REALTIME timer expires; the earliest of a few reads, in case one is preempted. */
static double expiry(int fd)
{
	struct itimerspec it;
	double best = 1e18;

	for (int i = 0; i < 5; i++) {
		double v;

		timerfd_gettime(fd, &it);
		v = now(CLOCK_REALTIME) + secs(&it.it_value);
		best = v < best ? v : best;
	}
	return best;
}

/* Wait up to ms for fd to be readable and read its ticks; 0 if it never was. */
static uint64_t ticks(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	uint64_t n = 0;

	if (poll(&p, 1, ms) != 1 || read(fd, &n, sizeof(n)) != sizeof(n))
		return 0;
	return n;
}

int main(int argc, char **argv)
{
	int rel, soon, periodic, abs, fired, held;
	double t0, abs_at, v, elapsed;
	struct itimerspec it;
	uint64_t five = 5, n;

	test_init(argc, argv);
	t0 = now(CLOCK_MONOTONIC);
	abs_at = (double)(time_t)now(CLOCK_REALTIME) + ABS_AHEAD;
	rel = make(CLOCK_MONOTONIC, 0, 0, HOUR, 0);
	soon = make(CLOCK_MONOTONIC, 0, 0, 2, 0);
	periodic = make(CLOCK_MONOTONIC, TFD_NONBLOCK, 0, 0.001, 0.2);
	abs = make(CLOCK_REALTIME, TFD_CLOEXEC, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET,
		   abs_at, 0);
	fired = make(CLOCK_BOOTTIME, TFD_NONBLOCK, 0, 0.001, 0);
	held = make(CLOCK_MONOTONIC, 0, 0, 0, 0);
	if (rel < 0 || soon < 0 || periodic < 0 || abs < 0 || fired < 0 || held < 0 ||
	    ioctl(held, TFD_IOC_SET_TICKS, &five)) {
		fail("timerfd set-up: %m");
		return 1;
	}
	test_sleep_ms(50);	/* periodic and fired expire, unread */
	test_daemon();
	test_waitsig();

	elapsed = now(CLOCK_MONOTONIC) - t0;
	timerfd_gettime(rel, &it);
	v = secs(&it.it_value);
	if (v > HOUR || v < HOUR - elapsed - 1 || it.it_interval.tv_sec || it.it_interval.tv_nsec)
		fail("the hour timer has %.3f s left after %.3f s", v, elapsed);
	v = expiry(abs);
	/* the expiry itself, not the time left: a restore must not shift it by its downtime */
	if (v < abs_at - 0.002 || v > abs_at + 0.005)
		fail("the absolute timer expires at %.6f, not %.0f", v, abs_at);
	if ((n = ticks(fired, 0)) != 1)
		fail("the expired one-shot timer reads %llu ticks", (unsigned long long)n);
	timerfd_gettime(fired, &it);
	if (it.it_value.tv_sec || it.it_value.tv_nsec)
		fail("the expired one-shot timer is armed again");
	if ((n = ticks(held, 0)) != 5)
		fail("the timer holding 5 ticks reads %llu", (unsigned long long)n);
	if (!ticks(periodic, 0))
		fail("the periodic timer that expired has no tick");
	if (!ticks(periodic, 1000))
		fail("the periodic timer does not fire again");
	timerfd_gettime(periodic, &it);
	if (it.it_interval.tv_sec || it.it_interval.tv_nsec != 200000000)
		fail("the periodic timer's interval is %.3f s", secs(&it.it_interval));
	if ((n = ticks(soon, 3000)) != 1)
		fail("the 2 s timer read %llu ticks within 3 s", (unsigned long long)n);
	if (!(fcntl(periodic, F_GETFL) & O_NONBLOCK) || fcntl(rel, F_GETFL) & O_NONBLOCK)
		fail("O_NONBLOCK changed");
	return test_result();
}
