// SPDX-License-Identifier: GPL-2.0
/*
 * sleep-pause: the main thread sits in pause() when checkpointed and
 * may only return from it because SIGTERM arrived.
 */
#include <errno.h>
#include <unistd.h>

#include "zdtmtst.h"

int main(int argc, char **argv)
{
	int ret;

	test_init(argc, argv);
	test_daemon();

	/* The runner waits a little before SIGTERM, so this is not racy in practice. */
	while (!test_sigterm) {
		ret = pause();
		if (ret != -1 || errno != EINTR)
			fail("pause returned %d (%m)", ret);
		if (!test_sigterm) {
			fail("pause returned without SIGTERM");
			break;
		}
	}
	return test_result();
}
