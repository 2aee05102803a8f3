// SPDX-License-Identifier: GPL-2.0
/*
 * zombies: children that ended with distinct exit codes or signals, none
 * reaped before the checkpoint, plus a zombie whose parent is a living
 * child of the root. After restore each is still a zombie (not running),
 * with its pid, parent, group, session and name, and its parent reaps it
 * with the status it died with; no other child appears.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "zdtmtst.h"

#define MIDDLE_OK	20
#define GRANDCHILD_CODE	9

struct zombie {
	int code;	/* exit code, or the signal when sig is set */
	int sig;
	char name[16];
	pid_t pid;
};

static struct zombie zombies[] = {
	{ .code = 0 },
	{ .code = 3 },
	{ .code = 77 },
	{ .code = SIGUSR2, .sig = 1 },
	{ .code = SIGKILL, .sig = 1 },
};

static void __attribute__((noreturn)) die_as(const struct zombie *z)
{
	prctl(PR_SET_NAME, z->name);
	if (z->sig) {
		signal(z->code, SIG_DFL);
		raise(z->code);
	}
	_exit(z->code);
}

static pid_t spawn_zombie(struct zombie *z, const char *name)
{
	snprintf(z->name, sizeof(z->name), "%s", name);
	z->pid = fork();
	if (z->pid == 0)
		die_as(z);
	if (z->pid < 0)
		fail("fork: %m");
	return z->pid;
}

/* Block until pid has ended, without reaping it. */
static void wait_zombie(pid_t pid)
{
	siginfo_t si;

	while (waitid(P_PID, pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid != pid)
		test_sleep_ms(1);
}

/* Still a zombie of ours, in our group and session, with its name? */
static void check_zombie(const struct zombie *z, const char *who)
{
	struct tree_stat st;

	if (tree_stat_of(z->pid, &st)) {
		fail("%s: pid %d is gone before we reaped it", who, z->pid);
		return;
	}
	if (st.state != 'Z' || st.ppid != getpid() || st.pgid != getpgrp() ||
	    st.sid != getsid(0) || strcmp(st.comm, z->name))
		fail("%s (pid %d): state %c ppid %d pgid %d sid %d name '%s', want Z %d %d %d "
		     "'%s'", who, z->pid, st.state, st.ppid, st.pgid, st.sid, st.comm, getpid(),
		     getpgrp(), getsid(0), z->name);
}

/* A zombie must be reapable at once, with the status it died with. */
static void reap_zombie(const struct zombie *z, const char *who)
{
	char how[32];
	int status = 0;
	pid_t got = waitpid(z->pid, &status, WNOHANG);

	if (got != z->pid) {
		fail("%s: waitpid(%d, WNOHANG) gave %d: %s", who, z->pid, got,
		     got < 0 ? strerror(errno) : "still running");
		return;
	}
	if (z->sig ? !WIFSIGNALED(status) || WTERMSIG(status) != z->code
		   : !WIFEXITED(status) || WEXITSTATUS(status) != z->code)
		fail("%s (pid %d) ended with %s, want %s %d", who, z->pid,
		     tree_status_str(status, how, sizeof(how)), z->sig ? "signal" : "exit",
		     z->code);
}

/* A living child whose own child is a zombie it has not reaped. */
static void __attribute__((noreturn)) middle(void)
{
	struct zombie gz = { .code = GRANDCHILD_CODE };
	struct tree_ids ids;

	tree_ids_get(&ids);
	if (spawn_zombie(&gz, "zomb-grandchild") < 0) {
		tree_ready_done(0);
		_exit(1);
	}
	wait_zombie(gz.pid);
	tree_ready_done(1);
	test_waitsig();

	tree_ids_check(&ids, "middle");
	check_zombie(&gz, "grandchild zombie");
	reap_zombie(&gz, "grandchild zombie");
	_exit(test_failures() ? 1 : MIDDLE_OK);
}

int main(int argc, char **argv)
{
	char name[16], who[32];
	pid_t mid;
	int i;

	test_init(argc, argv);
	if (tree_ready_init())
		return 1;
	mid = fork();
	if (mid == 0)
		middle();
	for (i = 0; i < (int)ARRAY_SIZE(zombies); i++) {
		snprintf(name, sizeof(name), "zomb-%d", i);
		if (spawn_zombie(&zombies[i], name) < 0)
			return 1;
	}
	if (mid < 0 || tree_ready_wait(1)) {
		fail("set-up of the middle child failed");
		return 1;
	}
	for (i = 0; i < (int)ARRAY_SIZE(zombies); i++)
		wait_zombie(zombies[i].pid);
	test_daemon();
	test_waitsig();

	for (i = 0; i < (int)ARRAY_SIZE(zombies); i++) {
		snprintf(who, sizeof(who), "zombie %d", i);
		check_zombie(&zombies[i], who);
	}
	for (i = 0; i < (int)ARRAY_SIZE(zombies); i++) {
		snprintf(who, sizeof(who), "zombie %d", i);
		reap_zombie(&zombies[i], who);
	}
	kill(mid, SIGTERM);
	tree_reap(mid, MIDDLE_OK, "middle child");
	if (waitpid(-1, NULL, WNOHANG) != -1 || errno != ECHILD)
		fail("a child we never made appeared");
	return test_result();
}
