// SPDX-License-Identifier: GPL-2.0
/*
 * sleep-nanosleep: the main thread sits in a relative nanosleep() when
 * checkpointed. Only SIGTERM may end a sleep early (EINTR); a sleep that
 * returns success must have lasted its full length; the remaining time
 * reported on EINTR must be sane.
 */
#include <errno.h>
#include <time.h>

#include "zdtmtst.h"

#define SLEEP_SEC 5

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	struct timespec req = { SLEEP_SEC, 0 }, rem;

	test_init(argc, argv);
	test_daemon();

	while (!test_sigterm) {
		long long start = now_ns();
		int ret = nanosleep(&req, &rem);
		long long slept = now_ns() - start;

		if (ret == 0 && slept < SLEEP_SEC * 1000000000LL) {
			fail("nanosleep returned after %lld ms of %d s", slept / 1000000,
			     SLEEP_SEC);
			break;
		}
		if (ret && errno != EINTR) {
			fail("nanosleep: %m");
			break;
		}
		if (ret && !test_sigterm) {
			fail("nanosleep: EINTR without SIGTERM after %lld ms", slept / 1000000);
			break;
		}
		if (ret && (rem.tv_sec > SLEEP_SEC || rem.tv_sec < 0))
			fail("nanosleep: remaining time %ld s", (long)rem.tv_sec);
	}
	return test_result();
}
