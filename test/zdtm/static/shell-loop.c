// SPDX-License-Identifier: GPL-2.0
/*
 * shell-loop: the checkpointed process is /bin/sh itself. The library
 * daemonizes and redirects output, then this program execs a builtin-only
 * script that writes the pidfile and signals the starter itself (only
 * once its TERM trap is set), counts in a loop, and on SIGTERM checks its
 * variables and $$ and writes PASS or FAIL to the inherited outfile.
 */
#include <stdio.h>
#include <unistd.h>

#include "zdtmtst.h"

/* $1 is the pidfile. No external commands: the shell must stay alone. */
static const char script[] =
	"pidfile=$1\n"
	"greeting='hello, world'\n"
	"answer=42\n"
	"n=0\n"
	"stop=0\n"
	"trap 'stop=1' TERM\n"
	"echo $$ > \"$pidfile\"\n"
	"kill -USR1 $PPID\n"
	"while [ $stop = 0 ]; do n=$((n + 1)); done\n"
	"read pid < \"$pidfile\"\n"
	"if [ \"$pid\" != \"$$\" ]; then echo \"FAIL: \\$\\$ is $$, pidfile says $pid\"; exit 1; fi\n"
	"if [ \"$greeting\" != 'hello, world' ] || [ \"$answer\" != 42 ]; then\n"
	"  echo \"FAIL: variables changed: '$greeting' '$answer'\"; exit 1\n"
	"fi\n"
	"if [ $n -le 0 ]; then echo \"FAIL: the loop counter is $n\"; exit 1; fi\n"
	"m=$n; i=0; while [ $i -lt 1000 ]; do i=$((i + 1)); m=$((m + 1)); done\n"
	"if [ $m -ne $((n + 1000)) ]; then echo \"FAIL: arithmetic broken\"; exit 1; fi\n"
	"echo PASS\n";

int main(int argc, char **argv)
{
	const char *pidfile;

	test_init(argc, argv);
	pidfile = test_pidfile();
	if (!pidfile) {
		fprintf(stderr, "shell-loop needs --pidfile and --outfile\n");
		return 1;
	}
	/* The starter still waits for SIGUSR1: the script sends it. */
	execl("/bin/sh", "sh", "-c", script, "sh", pidfile, (char *)NULL);
	fail("exec /bin/sh: %m");
	return 1;
}
