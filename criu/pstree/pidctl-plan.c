// SPDX-License-Identifier: GPL-2.0
/*
 * The spin plan: one order of every pid and tid of the restore, shared by
 * all restoring tasks, so that spinning crosses the PID space once instead
 * of once per task. Tasks come in cyclic ascending order from the root's
 * pid; a task whose parent is not placed yet waits for the next pass.
 * Threads come after all tasks (theirs exist only once memory is loaded).
 */
#include <linux/futex.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define LOG_PREFIX "pidctl: "
#include "kdat.h"
#include "log.h"
#include "pidctl.h"
#include "pidctl-internal.h"
#include "pstree.h"

struct cand {
	pid_t pid;
	const struct pstree_item *it;	/* NULL for a thread */
	bool placed;
};

static int cmp_pid(const void *a, const void *b)
{
	return ((const struct cand *)a)->pid - ((const struct cand *)b)->pid;
}

static bool is_placed(const struct cand *c, int n, const struct pstree_item *it)
{
	for (int i = 0; i < n; i++)
		if (c[i].it == it)
			return c[i].placed;
	return false;
}

/* Place tasks pass by pass: each pass walks pids upwards from the root's. */
static int order_tasks(struct cand *c, int n, pid_t from, int32_t *out, int *passes)
{
	int done = 0, start = 0;

	while (start < n && c[start].pid < from)
		start++;
	for (*passes = 0; done < n; (*passes)++) {
		int before = done;

		for (int k = 0; k < n; k++) {
			struct cand *x = &c[(start + k) % n];

			if (x->placed || (x->it->parent && !is_placed(c, n, x->it->parent)))
				continue;
			x->placed = true;
			out[done++] = x->pid;
		}
		if (done == before) {
			pr_err("the spin plan makes no progress\n");
			return -1;
		}
	}
	return 0;
}

int pidctl_plan(struct pidctl *pc, const struct pstree *t)
{
	struct pstree_item *it;
	struct cand *c;
	int nt = 0, nth = 0, k = 0, passes = 0;

	if (pc->method != PID_METHOD_SPIN)
		return 0;
	pstree_for_each(t, it) {
		nt++;
		nth += it->nr_threads - 1;
	}
	pc->sh_len = sizeof(struct pidctl_shared) + (nt + nth) * sizeof(int32_t);
	pc->sh = mmap(NULL, pc->sh_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	c = calloc(nt + 1, sizeof(*c));
	if (pc->sh == MAP_FAILED || !c) {
		pr_err("out of memory for the spin plan\n");
		pc->sh = NULL;
		free(c);
		return -1;
	}
	pstree_for_each(t, it)
		c[k++] = (struct cand){ it->pid, it, false };
	qsort(c, nt, sizeof(*c), cmp_pid);
	if (order_tasks(c, nt, t->root->pid, pc->sh->order, &passes)) {
		free(c);
		return -1;
	}
	free(c);
	/* threads: ascending, after every task */
	k = nt;
	pstree_for_each(t, it)
		for (int i = 1; i < it->nr_threads; i++)
			pc->sh->order[k++] = it->threads[i];
	qsort(pc->sh->order + nt, nth, sizeof(int32_t), pidctl_cmp_int);
	pc->sh->nr = nt + nth;
	pc->passes = passes + (nth ? 1 : 0);
	pr_info("spin plan: %d tasks in %d pass(es), %d threads\n", nt, passes, nth);
	return 0;
}

pid_t pidctl_plan_unreachable(const struct pidctl *pc, pid_t last)
{
	pid_t counter = last;

	if (!pc->sh || last < 0)
		return 0;
	for (uint32_t i = 0; i < pc->sh->nr; i++) {
		pid_t p = pc->sh->order[i];

		/* past pid_max the kernel restarts at RESERVED_PIDS, not at 1 */
		if (p <= counter && p < PIDCTL_RESERVED_PIDS)
			return p;
		counter = p;
	}
	return 0;
}

/*
 * The kernel hands out the first free pid after last, up to pid_max, then
 * wraps to RESERVED_PIDS: want comes next if every pid on that way to it is
 * in use (by our own tasks, say).
 */
bool pidctl_next_is(pid_t last, pid_t want, pid_t pid_max, bool (*in_use)(pid_t))
{
	pid_t p;

	if (last < 0)
		return false;
	if (last < want) {
		for (p = last + 1; p < want; p++)
			if (!in_use(p))
				return false;
		return true;
	}
	if (want < PIDCTL_RESERVED_PIDS || want >= pid_max)
		return false;
	for (p = last + 1; p < pid_max; p++)
		if (!in_use(p))
			return false;
	for (p = PIDCTL_RESERVED_PIDS; p < want; p++)
		if (!in_use(p))
			return false;
	return true;
}

int pidctl_plan_check(struct pidctl *pc)
{
	pid_t last = pidctl_read_last_pid(pc);
	pid_t p = pidctl_plan_unreachable(pc, last);

	if (!p)
		return 0;
	pr_err("pid %d can't be reached by spinning: the PID counter (now %d) must pass it "
	       "first, and after pid_max the kernel starts again at %d, never below; %s\n",
	       p, last, PIDCTL_RESERVED_PIDS, kdat_cap_hint());
	return -1;
}

int pidctl_plan_passes(const struct pidctl *pc)
{
	return pc->passes;
}

int pidctl_cmp_int(const void *a, const void *b)
{
	return *(const int32_t *)a - *(const int32_t *)b;
}

void pidctl_wait_turn(struct pidctl *pc, pid_t want)
{
	struct pidctl_shared *sh = pc->sh;

	for (;;) {
		uint32_t turn = __atomic_load_n(&sh->turn, __ATOMIC_SEQ_CST);

		if (turn < sh->nr && sh->order[turn] == want)
			return;
		syscall(SYS_futex, &sh->turn, FUTEX_WAIT, turn, NULL, NULL, 0);
	}
}

void pidctl_next_turn(struct pidctl *pc)
{
	__atomic_add_fetch(&pc->sh->turn, 1, __ATOMIC_SEQ_CST);
	syscall(SYS_futex, &pc->sh->turn, FUTEX_WAKE, 1 << 30, NULL, NULL, 0);
}
