// SPDX-License-Identifier: GPL-2.0
/* The spin plan: ascending from the root, parents first, threads last. */
#include <stdlib.h>

#include "pidctl.h"
#include "pstree.h"
#include "unit.h"
#include "../../criu/pstree/pidctl-internal.h"

static struct pstree_item *add(struct pstree *t, struct pstree_item *parent, pid_t pid,
			       int nr_threads)
{
	struct pstree_item *it = pstree_add(t, parent, pid);

	it->nr_threads = nr_threads;
	it->threads = calloc(nr_threads, sizeof(pid_t));
	it->threads[0] = pid;
	for (int i = 1; i < nr_threads; i++)
		it->threads[i] = pid + 1000 + i;
	return it;
}

UNIT_TEST(pidctl_plan_ascending_one_pass)
{
	struct pidctl pc = { .method = PID_METHOD_SPIN, .ns_last_pid_fd = -1 };
	struct pstree t;
	struct pstree_item *root;

	pstree_init(&t);
	root = add(&t, NULL, 100, 1);
	add(&t, root, 400, 1);
	add(&t, root, 200, 1);
	add(&t, root, 300, 1);
	EXPECT_EQ(pidctl_plan(&pc, &t), 0);
	EXPECT_EQ(pc.sh->nr, 4);
	EXPECT_EQ(pc.sh->order[0], 100);
	EXPECT_EQ(pc.sh->order[1], 200);
	EXPECT_EQ(pc.sh->order[2], 300);
	EXPECT_EQ(pc.sh->order[3], 400);
	EXPECT_EQ(pidctl_plan_passes(&pc), 1);
	pidctl_fini(&pc);
	pstree_free(&t);
}

UNIT_TEST(pidctl_plan_wrapped_tree)
{
	struct pidctl pc = { .method = PID_METHOD_SPIN, .ns_last_pid_fd = -1 };
	struct pstree t;
	struct pstree_item *root, *mid;

	pstree_init(&t);
	root = add(&t, NULL, 100, 1);
	add(&t, root, 50, 1);		/* wrapped: below the root, parent placed */
	mid = add(&t, root, 150, 3);	/* two threads */
	add(&t, mid, 120, 1);		/* below its parent: waits a pass */
	add(&t, root, 200, 1);
	EXPECT_EQ(pidctl_plan(&pc, &t), 0);
	EXPECT_EQ(pc.sh->nr, 7);
	EXPECT_EQ(pc.sh->order[0], 100);
	EXPECT_EQ(pc.sh->order[1], 150);
	EXPECT_EQ(pc.sh->order[2], 200);
	EXPECT_EQ(pc.sh->order[3], 50);
	EXPECT_EQ(pc.sh->order[4], 120);
	EXPECT_EQ(pc.sh->order[5], 1151);	/* threads after every task, ascending */
	EXPECT_EQ(pc.sh->order[6], 1152);
	EXPECT_EQ(pidctl_plan_passes(&pc), 3);	/* two for tasks, one for threads */
	pidctl_fini(&pc);
	pstree_free(&t);
}

UNIT_TEST(pidctl_plan_only_for_spin)
{
	struct pidctl pc = { .method = PID_METHOD_SET_TID, .ns_last_pid_fd = -1 };
	struct pstree t;

	pstree_init(&t);
	add(&t, NULL, 100, 1);
	EXPECT_EQ(pidctl_plan(&pc, &t), 0);
	EXPECT(pc.sh == NULL);
	pstree_free(&t);
}

UNIT_TEST(pidctl_plan_low_pids_after_the_counter)
{
	struct pidctl pc = { .method = PID_METHOD_SPIN, .ns_last_pid_fd = -1 };
	struct pstree t;
	struct pstree_item *root;

	pstree_init(&t);
	root = add(&t, NULL, 5000, 1);
	add(&t, root, 100, 1);		/* after the wrap: the kernel restarts at 300 */
	add(&t, root, 6000, 1);
	EXPECT_EQ(pidctl_plan(&pc, &t), 0);
	EXPECT_EQ(pidctl_plan_unreachable(&pc, 4000), 100);
	pidctl_fini(&pc);
	pstree_free(&t);

	pstree_init(&t);
	root = add(&t, NULL, 50, 1);	/* a fresh PID namespace: still below */
	add(&t, root, 60, 1);
	add(&t, root, 7000, 1);
	EXPECT_EQ(pidctl_plan(&pc, &t), 0);
	EXPECT_EQ(pidctl_plan_unreachable(&pc, 10), 0);
	EXPECT_EQ(pidctl_plan_unreachable(&pc, 55), 50);
	pidctl_fini(&pc);
	pstree_free(&t);

	pstree_init(&t);
	root = add(&t, NULL, 9000, 1);	/* high pids wrap fine */
	add(&t, root, 400, 1);
	EXPECT_EQ(pidctl_plan(&pc, &t), 0);
	EXPECT_EQ(pidctl_plan_unreachable(&pc, 9500), 0);
	pidctl_fini(&pc);
	pstree_free(&t);
}

/* A pretend PID space: pids 300-309 and 990-999 in use, pid_max 1000. */
static bool fake_in_use(pid_t p)
{
	return (p >= 300 && p < 310) || (p >= 990 && p < 1000);
}

UNIT_TEST(pidctl_next_is_across_the_wrap)
{
	EXPECT(pidctl_next_is(99, 100, 1000, fake_in_use));
	EXPECT(!pidctl_next_is(98, 100, 1000, fake_in_use));
	EXPECT(pidctl_next_is(299, 310, 1000, fake_in_use));	/* 300-309 skipped */
	EXPECT(!pidctl_next_is(100, 100, 1000, fake_in_use));	/* behind the counter */
	/* past pid_max the kernel restarts at 300: the first free pid there is next */
	EXPECT(pidctl_next_is(999, 310, 1000, fake_in_use));
	EXPECT(pidctl_next_is(989, 310, 1000, fake_in_use));	/* 990-999 in use */
	EXPECT(!pidctl_next_is(988, 310, 1000, fake_in_use));	/* 989 comes first */
	EXPECT(!pidctl_next_is(999, 311, 1000, fake_in_use));	/* 310 comes first */
	EXPECT(!pidctl_next_is(999, 200, 1000, fake_in_use));	/* never below 300 */
	EXPECT(!pidctl_next_is(-1, 400, 1000, fake_in_use));
}
