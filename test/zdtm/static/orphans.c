// SPDX-License-Identifier: GPL-2.0
/*
 * orphans: the root is a child subreaper. A middle child starts three
 * children and exits (the root reaps it), so they are reparented to the
 * root; one of them has a child of its own, another leads its own group.
 * After restore the orphans' parent is still the root, which reaps them,
 * and the root is still a subreaper: a new orphan comes to it too.
 */
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "zdtmtst.h"

#define NR_ORPHANS	3
#define MIDDLE_CODE	33
#define ORPHAN_OK(i)	(40 + (i))
#define GRANDKID_OK	50

static pid_t root_pid;

static int wait_adopted(void)
{
	for (int i = 0; i < 5000; i++) {
		if (getppid() == root_pid)
			return 0;
		test_sleep_ms(1);
	}
	fail("pid %d: not adopted by the root %d (parent %d)", getpid(), root_pid, getppid());
	return -1;
}

static void __attribute__((noreturn)) grandkid(void)
{
	struct tree_ids ids;

	tree_ids_get(&ids);
	tree_ready_done(1);
	test_waitsig();
	_exit(tree_ids_check(&ids, "orphan 1's child") ? 1 : GRANDKID_OK);
}

static void __attribute__((noreturn)) orphan(int i)
{
	struct tree_ids ids;
	char who[32];
	pid_t kid = 0;
	int ok = 1;

	if (i == 2)
		setpgid(0, 0);
	if (i == 1) {
		kid = fork();
		if (kid == 0)
			grandkid();
		ok = kid > 0;
	}
	ok &= !wait_adopted();
	tree_ids_get(&ids);
	tree_ready_done(ok);
	test_waitsig();

	snprintf(who, sizeof(who), "orphan %d", i);
	if (kid > 0) {
		kill(kid, SIGTERM);
		ok &= !tree_reap(kid, GRANDKID_OK, "orphan 1's child");
	}
	ok &= !tree_ids_check(&ids, who);
	_exit(ok ? ORPHAN_OK(i) : 1);
}

/* Starts the orphans-to-be, tells the root their pids, and exits. */
static void __attribute__((noreturn)) middle(int pids_fd)
{
	pid_t orphans[NR_ORPHANS];
	int ok = 1;

	for (int i = 0; i < NR_ORPHANS; i++) {
		orphans[i] = fork();
		if (orphans[i] == 0) {
			close(pids_fd);
			orphan(i);
		}
		ok &= orphans[i] > 0;
	}
	/* Less than PIPE_BUF: one write, read whole by the root. */
	ok &= write(pids_fd, orphans, sizeof(orphans)) == sizeof(orphans);
	tree_ready_done(ok);
	_exit(MIDDLE_CODE);
}

/* After restore a new orphan must come to us as well. */
static void check_subreaper(void)
{
	int on = 0, pfd[2];
	pid_t x, y = 0;

	if (prctl(PR_GET_CHILD_SUBREAPER, &on) || !on) {
		fail("the root is no longer a child subreaper");
		return;
	}
	if (pipe(pfd)) {
		fail("pipe: %m");
		return;
	}
	x = fork();
	if (x == 0) {
		y = fork();
		if (y > 0 && write(pfd[1], &y, sizeof(y)) != sizeof(y))
			_exit(1);
		if (y == 0) {
			/* outlive the new middle one, then leave */
			for (int i = 0; i < 5000 && getppid() != root_pid; i++)
				test_sleep_ms(1);
		}
		_exit(0);
	}
	close(pfd[1]);
	if (x < 0 || read(pfd[0], &y, sizeof(y)) != sizeof(y) || tree_reap(x, 0, "new middle"))
		fail("can't make a new orphan");
	else
		tree_reap(y, 0, "the new orphan");
	close(pfd[0]);
}

int main(int argc, char **argv)
{
	pid_t mid, orphans[NR_ORPHANS];
	struct tree_stat st;
	char who[32];
	int pfd[2], i;

	test_init(argc, argv);
	root_pid = getpid();
	if (prctl(PR_SET_CHILD_SUBREAPER, 1)) {
		fail("PR_SET_CHILD_SUBREAPER: %m");
		return 1;
	}
	if (tree_ready_init() || pipe(pfd)) {
		fail("pipe: %m");
		return 1;
	}
	mid = fork();
	if (mid == 0) {
		close(pfd[0]);
		middle(pfd[1]);
	}
	close(pfd[1]);
	if (mid < 0 || read(pfd[0], orphans, sizeof(orphans)) != sizeof(orphans)) {
		fail("the middle child did not report its children");
		return 1;
	}
	close(pfd[0]);
	if (tree_reap(mid, MIDDLE_CODE, "middle child"))
		return 1;
	/* middle + orphans + orphan 1's child */
	if (tree_ready_wait(NR_ORPHANS + 2))
		return 1;
	test_daemon();
	test_waitsig();

	for (i = 0; i < NR_ORPHANS; i++) {
		if (tree_stat_of(orphans[i], &st))
			fail("orphan %d (pid %d) is gone", i, orphans[i]);
		else if (st.ppid != root_pid)
			fail("orphan %d (pid %d) has parent %d, not the root %d", i, orphans[i],
			     st.ppid, root_pid);
		kill(orphans[i], SIGTERM);
	}
	for (i = 0; i < NR_ORPHANS; i++) {
		snprintf(who, sizeof(who), "orphan %d", i);
		tree_reap(orphans[i], ORPHAN_OK(i), who);
	}
	check_subreaper();
	return test_result();
}
