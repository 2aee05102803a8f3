// SPDX-License-Identifier: GPL-2.0
/*
 * pdeath-creds: a child that runs as another user (uid and gid 65534 when
 * the test starts as root, without capabilities then) asked for SIGUSR2
 * when its parent dies. After restore it must still run as that user and
 * still ask for SIGUSR2: the kernel forgets the death signal whenever a
 * task's credentials change, as they do while criu restores them.
 */
#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "zdtmtst.h"

#define NOBODY		65534
#define EXIT_GOOD	0
#define EXIT_SETUP	2
#define EXIT_SIGNAL	3
#define EXIT_USER	4

/* A user namespace may map no 65534 (EINVAL): the child stays root there. */
static int become(uid_t uid, gid_t gid)
{
	if (setresgid(gid, gid, gid))
		return errno == EINVAL ? 1 : -1;
	if (setgroups(0, NULL) || setresuid(uid, uid, uid))
		return -1;
	return 0;
}

static void __attribute__((noreturn)) kid(void)
{
	uid_t uid = getuid();
	gid_t gid = getgid();
	int sig = 0, r = 0;

	if (!uid) {
		r = become(NOBODY, NOBODY);
		if (r == 0)
			uid = gid = NOBODY;
	}
	if (r < 0) {
		tree_ready_done(0);
		_exit(EXIT_SETUP);
	}
	/* after the switch: it would clear the signal too */
	if (prctl(PR_SET_PDEATHSIG, SIGUSR2)) {
		tree_ready_done(0);
		_exit(EXIT_SETUP);
	}
	tree_ready_done(1);
	test_waitsig();
	if (prctl(PR_GET_PDEATHSIG, &sig) || sig != SIGUSR2)
		_exit(EXIT_SIGNAL);
	if (getuid() != uid || geteuid() != uid || getgid() != gid || getegid() != gid)
		_exit(EXIT_USER);
	_exit(EXIT_GOOD);
}

int main(int argc, char **argv)
{
	pid_t pid;

	test_init(argc, argv);
	if (tree_ready_init())
		return 1;
	pid = fork();
	if (pid < 0) {
		fail("fork: %m");
		return 1;
	}
	if (pid == 0)
		kid();
	if (tree_ready_wait(1))
		return 1;
	test_daemon();
	test_waitsig();
	kill(pid, SIGTERM);
	/* exit 3: the death signal was lost, 4: the user changed */
	tree_reap(pid, EXIT_GOOD, "child");
	return test_result();
}
