// SPDX-License-Identifier: GPL-2.0
/*
 * sleep-wait: the main thread sits in sigsuspend() with a temporary mask
 * when checkpointed. It may only wake for SIGTERM, and afterwards the
 * mask must be the one from before sigsuspend (the kernel keeps it aside
 * during the call, so a restore must use that one, not the temporary).
 */
#include <errno.h>

#include "zdtmtst.h"

int main(int argc, char **argv)
{
	sigset_t normal, during, now;
	int ret;

	test_init(argc, argv);
	/* Normally SIGTERM and SIGUSR2 are blocked, SIGUSR1 is not. */
	sigemptyset(&normal);
	sigaddset(&normal, SIGTERM);
	sigaddset(&normal, SIGUSR2);
	sigprocmask(SIG_SETMASK, &normal, NULL);
	/* While waiting: SIGTERM open, SIGUSR1 and SIGUSR2 blocked. */
	sigemptyset(&during);
	sigaddset(&during, SIGUSR1);
	sigaddset(&during, SIGUSR2);
	test_daemon();

	ret = sigsuspend(&during);
	if (ret != -1 || errno != EINTR || !test_sigterm)
		fail("sigsuspend returned %d (%m) with sigterm=%d", ret, test_sigterm);

	sigprocmask(SIG_SETMASK, NULL, &now);
	for (int i = 1; i < _NSIG; i++)
		if (sigismember(&now, i) != sigismember(&normal, i))
			fail("after sigsuspend signal %d is %sblocked", i,
			     sigismember(&now, i) ? "" : "not ");
	return test_result();
}
