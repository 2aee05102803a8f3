// SPDX-License-Identifier: GPL-2.0
/*
 * comm: the task name set with PR_SET_NAME is the same after restore,
 * through PR_GET_NAME and /proc/self/comm.
 */
#include <string.h>
#include <sys/prctl.h>

#include "zdtmtst.h"

#define NAME "zdtm-comm-xyz"

int main(int argc, char **argv)
{
	char name[17] = "", comm[64];

	test_init(argc, argv);
	if (prctl(PR_SET_NAME, NAME)) {
		fail("PR_SET_NAME: %m");
		return 1;
	}
	test_daemon();
	test_waitsig();

	if (prctl(PR_GET_NAME, name) || strcmp(name, NAME))
		fail("PR_GET_NAME says '%s', want '%s'", name, NAME);
	if (read_file("/proc/self/comm", comm, sizeof(comm)) < 0 || strcmp(comm, NAME "\n"))
		fail("/proc/self/comm says '%s'", comm);
	return test_result();
}
