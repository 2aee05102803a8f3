// SPDX-License-Identifier: GPL-2.0
/*
 * inherit-pipe: stdout is a pipe whose reader is the runner (--keep-stdout=1;
 * verdict lines go to stderr). "before" is written there before the dump;
 * restore gets the runner's write end back with --inherit-fd, so "after"
 * reaches the runner, which checks it read each line exactly once.
 */
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zdtmtst.h"

int main(int argc, char **argv)
{
	struct stat st;
	int flags;

	test_init(argc, argv);
	/* a pipe nobody reads would kill us; report it instead */
	signal(SIGPIPE, SIG_IGN);
	if (fstat(1, &st) || !S_ISFIFO(st.st_mode) || write(1, "before\n", 7) != 7) {
		fail("stdout is not the runner's pipe: %m");
		return 1;
	}
	flags = fcntl(1, F_GETFL);
	test_daemon();
	test_waitsig();
	if (fstat(1, &st) || !S_ISFIFO(st.st_mode) || fcntl(1, F_GETFL) != flags)
		fail("stdout is no longer the pipe it was (flags 0%o, were 0%o)",
		     fcntl(1, F_GETFL), flags);
	if (write(1, "after\n", 6) != 6)
		fail("can't write to the inherited pipe: %m");
	return test_result();
}
