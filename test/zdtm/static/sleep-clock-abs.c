// SPDX-License-Identifier: GPL-2.0
/*
 * sleep-clock-abs: the main thread sits in clock_nanosleep(CLOCK_MONOTONIC,
 * TIMER_ABSTIME) when checkpointed. It may only return at or after its
 * deadline, or with EINTR because of SIGTERM.
 */
#include <time.h>

#include "zdtmtst.h"

#define SLEEP_SEC 5

int main(int argc, char **argv)
{
	struct timespec deadline, now;
	int ret;

	test_init(argc, argv);
	test_daemon();

	while (!test_sigterm) {
		clock_gettime(CLOCK_MONOTONIC, &deadline);
		deadline.tv_sec += SLEEP_SEC;
		ret = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, NULL);
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (ret == 0 && (now.tv_sec < deadline.tv_sec ||
				 (now.tv_sec == deadline.tv_sec && now.tv_nsec < deadline.tv_nsec))) {
			fail("clock_nanosleep returned %ld ms before its deadline",
			     (long)((deadline.tv_sec - now.tv_sec) * 1000 +
				    (deadline.tv_nsec - now.tv_nsec) / 1000000));
			break;
		}
		if (ret && !test_sigterm) {
			fail("clock_nanosleep returned %d without SIGTERM", ret);
			break;
		}
	}
	return test_result();
}
