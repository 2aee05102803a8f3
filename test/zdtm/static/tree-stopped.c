// SPDX-License-Identifier: GPL-2.0
/*
 * tree-stopped: a child stopped by SIGSTOP at checkpoint time must come
 * back stopped (not running), and continue normally on SIGCONT.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "zdtmtst.h"

static char state_of(pid_t pid)
{
	char path[64], buf[256], *p;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return '?';
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	p = strrchr(buf, ')');
	return p && p[1] ? p[2] : '?';
}

int main(int argc, char **argv)
{
	int status;
	pid_t child;

	test_init(argc, argv);
	child = fork();
	if (child == 0) {
		/* counts until told to stop for good */
		for (;;)
			usleep(10000);
	}
	kill(child, SIGSTOP);
	if (waitpid(child, &status, WUNTRACED) != child || !WIFSTOPPED(status)) {
		fail("child did not stop");
		return 1;
	}
	test_daemon();
	test_waitsig();

	if (state_of(child) != 'T')
		fail("child %d is in state '%c' after restore, not stopped", child,
		     state_of(child));
	kill(child, SIGCONT);
	usleep(100000);
	if (state_of(child) == 'T')
		fail("child %d did not continue on SIGCONT", child);
	kill(child, SIGKILL);
	if (waitpid(child, &status, 0) != child || !WIFSIGNALED(status))
		fail("child %d did not end as killed", child);
	return test_result();
}
