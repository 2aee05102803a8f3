// SPDX-License-Identifier: GPL-2.0
/*
 * inherit-stdout: stdout is a pipe or a unix socket whose other end is the
 * runner's (--keep-stdout=1; verdict lines go to stderr). "before" is
 * written there before the dump; restore gets a descriptor of the runner's
 * back with --inherit-fd, so "after" reaches the runner, which checks it
 * read each line exactly once, and where.
 */
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zdtmtst.h"

int main(int argc, char **argv)
{
	struct stat st;
	mode_t kind;
	int flags;

	test_init(argc, argv);
	/* a pipe or socket nobody reads would kill us; report it instead */
	signal(SIGPIPE, SIG_IGN);
	if (fstat(1, &st) || !(S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)) ||
	    write(1, "before\n", 7) != 7) {
		fail("stdout is not the runner's pipe or socket: %m");
		return 1;
	}
	kind = st.st_mode & S_IFMT;
	flags = fcntl(1, F_GETFL);
	test_daemon();
	test_waitsig();
	if (fstat(1, &st) || (st.st_mode & S_IFMT) != kind || fcntl(1, F_GETFL) != flags)
		fail("stdout is no longer what it was (mode 0%o, flags 0%o; were 0%o, 0%o)",
		     st.st_mode & S_IFMT, fcntl(1, F_GETFL), kind, flags);
	if (write(1, "after\n", 6) != 6)
		fail("can't write to the inherited stdout: %m");
	return test_result();
}
