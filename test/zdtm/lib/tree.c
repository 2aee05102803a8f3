// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers for process-tree tests: a readiness pipe the whole tree reports
 * through (closed before the runner dumps, so it adds no state), the ids
 * a member checks after restore, and reaping with exit-status checks.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "zdtmtst.h"

static int ready_fd[2] = { -1, -1 };

int tree_ready_init(void)
{
	if (pipe2(ready_fd, O_CLOEXEC)) {
		fail("pipe for readiness: %m");
		return -1;
	}
	return 0;
}

static void close_ready(void)
{
	for (int i = 0; i < 2; i++)
		if (ready_fd[i] >= 0) {
			close(ready_fd[i]);
			ready_fd[i] = -1;
		}
}

void tree_ready_done(int ok)
{
	char c = ok ? '+' : '!';

	/* One byte is atomic on a pipe: reports of members never mix. */
	while (ready_fd[1] >= 0 && write(ready_fd[1], &c, 1) < 0 && errno == EINTR)
		;
	close_ready();
}

int tree_ready_wait(int nr)
{
	int plus = 0, bang = 0;
	char buf[256];
	ssize_t n;

	close(ready_fd[1]);
	ready_fd[1] = -1;
	/* EOF comes once every member closed its copy: all have reported. */
	while ((n = read(ready_fd[0], buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fail("reading the readiness pipe: %m");
			break;
		}
		for (ssize_t i = 0; i < n; i++) {
			plus += buf[i] == '+';
			bang += buf[i] == '!';
		}
	}
	close_ready();
	if (plus == nr && !bang)
		return 0;
	fail("set-up: %d of %d members ready, %d failed", plus, nr, bang);
	return -1;
}

void tree_ids_get(struct tree_ids *ids)
{
	ids->pid = getpid();
	ids->ppid = getppid();
	ids->pgid = getpgrp();
	ids->sid = getsid(0);
}

int tree_ids_check(const struct tree_ids *was, const char *who)
{
	struct tree_ids now;

	tree_ids_get(&now);
	if (!was->ppid)
		now.ppid = 0;
	if (now.pid == was->pid && now.ppid == was->ppid && now.pgid == was->pgid &&
	    now.sid == was->sid)
		return 0;
	fail("%s: pid/ppid/pgid/sid %d/%d/%d/%d, were %d/%d/%d/%d", who, now.pid, now.ppid,
	     now.pgid, now.sid, was->pid, was->ppid, was->pgid, was->sid);
	return -1;
}

int tree_stat_of(pid_t pid, struct tree_stat *st)
{
	char path[64], buf[1024], *l, *r;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (read_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	/* comm may hold spaces and parentheses: it ends at the last ')' */
	l = strchr(buf, '(');
	r = strrchr(buf, ')');
	if (!l || !r || r < l)
		return -1;
	n = r - l - 1;
	if (n >= sizeof(st->comm))
		n = sizeof(st->comm) - 1;
	memcpy(st->comm, l + 1, n);
	st->comm[n] = '\0';
	if (sscanf(r + 1, " %c %d %d %d", &st->state, &st->ppid, &st->pgid, &st->sid) != 4)
		return -1;
	return 0;
}

const char *tree_status_str(int status, char *buf, size_t len)
{
	if (WIFEXITED(status))
		snprintf(buf, len, "exit %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "signal %d", WTERMSIG(status));
	else
		snprintf(buf, len, "status %#x", status);
	return buf;
}

int tree_reap(pid_t pid, int code, const char *who)
{
	char how[32];
	int status;
	pid_t got;

	do
		got = waitpid(pid, &status, 0);
	while (got < 0 && errno == EINTR);
	if (got != pid) {
		fail("%s: pid %d is not our child any more: %m", who, pid);
		return -1;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == code)
		return 0;
	fail("%s (pid %d) ended with %s, want exit %d", who, pid,
	     tree_status_str(status, how, sizeof(how)), code);
	return -1;
}
