// SPDX-License-Identifier: GPL-2.0
/*
 * tree-pgrp: sessions and process groups across a tree. Under the root:
 * G leads a group, its sibling J joined G's group, G's child stays in it;
 * S leads a new session, in which S1 stays in S's group, S2 leads another
 * group and S3 joined its sibling S2's group. After restore every member
 * has its pid, parent, group and session, and each parent sees its
 * children in the groups and sessions it put them in.
 */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "zdtmtst.h"

enum how { STAY, OWN_GROUP, JOIN, SETSID };

struct spec {
	const char *name;
	int parent;	/* index into specs, -1 for the root */
	enum how how;
	int leader;	/* for JOIN: the earlier sibling whose group it joins */
};

static const struct spec specs[] = {
	{ "G", -1, OWN_GROUP, 0 },
	{ "J", -1, JOIN, 0 },
	{ "S", -1, SETSID, 0 },
	{ "G's child", 0, STAY, 0 },
	{ "S1", 2, STAY, 0 },
	{ "S2", 2, OWN_GROUP, 0 },
	{ "S3", 2, JOIN, 5 },
};

#define NR_MEMBERS	((int)ARRAY_SIZE(specs))
#define EXIT_OK(i)	(10 + (i))

/* Pids this process knows: those it forked, and its elders' copies. */
static pid_t pids[NR_MEMBERS];

static pid_t group_of(int i)
{
	return specs[i].how == JOIN ? pids[specs[i].leader] : pids[i];
}

/* Both sides call setpgid, so neither depends on which runs first. */
static int place(int i, int in_child)
{
	pid_t who = in_child ? 0 : pids[i];

	switch (specs[i].how) {
	case STAY:
		return 0;
	case SETSID:
		return in_child && setsid() < 0 ? -1 : 0;
	default:
		return setpgid(who, group_of(i));
	}
}

/* What a parent expects of child i, seen from outside. */
static void check_child(int i)
{
	pid_t pgid = specs[i].how == STAY ? getpgrp() : group_of(i);
	pid_t sid = specs[i].how == SETSID ? pids[i] : getsid(0);
	struct tree_stat st;

	if (tree_stat_of(pids[i], &st))
		fail("%s (pid %d) is gone", specs[i].name, pids[i]);
	else if (st.ppid != getpid() || st.pgid != pgid || st.sid != sid)
		fail("%s (pid %d): ppid/pgid/sid %d/%d/%d, want %d/%d/%d", specs[i].name,
		     pids[i], st.ppid, st.pgid, st.sid, getpid(), pgid, sid);
}

static void __attribute__((noreturn)) member(int self);

static int spawn_children(int self)
{
	for (int i = 0; i < NR_MEMBERS; i++) {
		if (specs[i].parent != self)
			continue;
		pids[i] = fork();
		if (pids[i] < 0) {
			fail("fork: %m");
			return -1;
		}
		if (pids[i] == 0) {
			pids[i] = getpid();
			if (place(i, 1))
				fail("%s: can't take its place: %m", specs[i].name);
			member(i);
		}
		/* Whether or not the child got there first, the result is the same. */
		if (place(i, 0))
			fail("%s: setpgid from the parent: %m", specs[i].name);
	}
	return 0;
}

/* Check our children from outside, end them and reap them. */
static void finish(int self)
{
	for (int i = 0; i < NR_MEMBERS; i++)
		if (specs[i].parent == self) {
			check_child(i);
			kill(pids[i], SIGTERM);
		}
	for (int i = 0; i < NR_MEMBERS; i++)
		if (specs[i].parent == self)
			tree_reap(pids[i], EXIT_OK(i), specs[i].name);
}

static void member(int self)
{
	struct tree_ids ids;
	int ok = !spawn_children(self) && !test_failures();

	tree_ids_get(&ids);
	tree_ready_done(ok);
	test_waitsig();
	tree_ids_check(&ids, specs[self].name);
	finish(self);
	_exit(test_failures() ? 1 : EXIT_OK(self));
}

int main(int argc, char **argv)
{
	struct tree_ids ids;

	test_init(argc, argv);
	if (tree_ready_init())
		return 1;
	tree_ids_get(&ids);
	ids.ppid = 0;
	spawn_children(-1);
	if (tree_ready_wait(NR_MEMBERS)) {
		finish(-1);
		return 1;
	}
	test_daemon();
	test_waitsig();

	tree_ids_check(&ids, "root");
	finish(-1);
	return test_result();
}
