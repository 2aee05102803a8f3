// SPDX-License-Identifier: GPL-2.0
/*
 * memhog: the "Memhog" shape of DESIGN.md. The checkpointed root is
 * /bin/sh itself: it starts --nr=N memhog-child processes in the
 * background, each filling --mib=M MiB with its own pattern and ticking
 * every 100 ms, and waits for them. A pipe (fds 3 and 4, closed before
 * the runner may dump) tells the shell when every child's memory is full.
 * On SIGTERM the shell checks each recorded $! is still its running
 * child, ends them all and writes PASS only if every one exited 0 (each
 * child checks all its memory, its pid, its parent and its stdout).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "zdtmtst.h"

/*
 * $1 pidfile, $2 the child binary, $3 N, $4 M. Only builtins besides the
 * children, so the shell's own children are exactly the N hogs.
 */
static const char script[] =
	"pidfile=$1 child=$2 nr=$3 mib=$4\n"
	"stop=0\n"
	"trap 'stop=1' TERM\n"
	"pids=\n"
	"i=0\n"
	"while [ $i -lt $nr ]; do\n"
	"  \"$child\" $i $mib $$ 4 3<&- >hog.$i.log &\n"
	"  pids=\"$pids $!\"\n"
	"  eval \"pid_$i=$!\"\n"
	"  i=$((i + 1))\n"
	"done\n"
	"exec 4>&-\n"
	/* EOF on fd 3 once every child has reported and closed its end */
	"n=0\n"
	"while read idx pid <&3; do\n"
	"  eval \"want=\\$pid_$idx\"\n"
	"  if [ \"$pid\" != \"$want\" ]; then\n"
	"    echo \"FAIL: child $idx reports pid $pid, but \\$! was $want\"\n"
	"  fi\n"
	"  n=$((n + 1))\n"
	"done\n"
	"exec 3<&-\n"
	"if [ $n -ne $nr ]; then\n"
	"  echo \"FAIL: only $n of $nr children filled their memory\"\n"
	"  kill $pids\n"
	"  exit 1\n"
	"fi\n"
	"echo $$ > \"$pidfile\"\n"
	"kill -USR1 $PPID\n"
	/* wait returns early for a TERM that came before it, not for one whose
	 * trap already ran: hence the test before it */
	"if [ $stop = 0 ]; then wait; fi\n"
	"if [ $stop = 0 ]; then echo 'FAIL: every child ended before SIGTERM'; exit 1; fi\n"
	"fails=0\n"
	"read pid < \"$pidfile\"\n"
	"if [ \"$pid\" != $$ ]; then echo \"FAIL: \\$\\$ is $$, pidfile says $pid\"; fails=1; fi\n"
	/* each recorded pid must still be our child: field 4 of its stat */
	"ours=\n"
	"i=0\n"
	"for p in $pids; do\n"
	"  st=\n"
	"  read st 2>/dev/null < /proc/$p/stat\n"
	"  set -- $st\n"
	"  if [ \"$4\" = $$ ] && [ \"$3\" != Z ]; then\n"
	"    ours=\"$ours $p\"\n"
	"  else\n"
	"    echo \"FAIL: child $i (pid $p) is not our running child: stat '$1 $2 $3 $4'\"\n"
	"    fails=1\n"
	"  fi\n"
	"  i=$((i + 1))\n"
	"done\n"
	"if [ -n \"$ours\" ]; then kill -TERM $ours; fi\n"
	"i=0\n"
	"for p in $pids; do\n"
	"  case \" $ours \" in\n"
	"  *\" $p \"*)\n"
	"    wait $p\n"
	"    st=$?\n"
	"    if [ $st -ne 0 ]; then echo \"FAIL: child $i (pid $p) ended with $st\"; fails=1; fi\n"
	"  esac\n"
	"  i=$((i + 1))\n"
	"done\n"
	"if [ $fails = 0 ]; then echo PASS; exit 0; fi\n"
	"exit 1\n";

/* memhog-child sits next to us, wherever the runner staged the binaries. */
static int child_path(char *buf, size_t len)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	if (n <= 0)
		return -1;
	self[n] = '\0';
	slash = strrchr(self, '/');
	if (!slash)
		return -1;
	*slash = '\0';
	if (snprintf(buf, len, "%s/memhog-child", self) >= (int)len)
		return -1;
	return access(buf, X_OK);
}

int main(int argc, char **argv)
{
	const char *pidfile, *nr, *mib;
	char child[PATH_MAX];
	int p[2];

	test_init(argc, argv);
	nr = test_opt("nr") ?: "8";
	mib = test_opt("mib") ?: "8";
	pidfile = test_pidfile();
	if (!pidfile) {
		fprintf(stderr, "memhog needs --pidfile and --outfile\n");
		return 1;
	}
	if (atoi(nr) < 1 || atoi(mib) < 1 || child_path(child, sizeof(child))) {
		fail("need --nr and --mib >= 1 and an executable memhog-child next to us");
		return 1;
	}
	/* The script expects the pipe at fds 3 (read) and 4 (write): the
	 * library left only 0-2 open, so pipe() returns exactly those. */
	if (pipe(p) || p[0] != 3 || p[1] != 4) {
		fail("readiness pipe: %m (fds %d %d)", p[0], p[1]);
		return 1;
	}
	/* The starter still waits for SIGUSR1: the script sends it. */
	execl("/bin/sh", "sh", "-c", script, "sh", pidfile, child, nr, mib, (char *)NULL);
	fail("exec /bin/sh: %m");
	return 1;
}
