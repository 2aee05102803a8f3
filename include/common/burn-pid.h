/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One PID burnt, as criu spins: vfork shares our memory, so it is cheap.
 * Shared with the benchmark, which measures the spinning rate criu gets.
 */
#ifndef COMMON_BURN_PID_H
#define COMMON_BURN_PID_H

#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/* noinline: the vfork child must leave from the frame that called vfork */
static __attribute__((noinline, unused)) pid_t burn_pid(void)
{
	pid_t pid = vfork();

	if (pid == 0)
		_exit(0);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	return pid;
}

#endif /* COMMON_BURN_PID_H */
