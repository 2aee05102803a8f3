// SPDX-License-Identifier: GPL-2.0
/*
 * The tree part of a restoring task, before it restores anything of its
 * own: its session, the group it leads, its children (each created with
 * its exact pid, in parallel with the other parents), the group it joins
 * once every task exists, and, for a zombie, its exit at the very end.
 */
#include <linux/futex.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define LOG_PREFIX "restore: "
#include "fault.h"
#include "log.h"
#include "options.h"
#include "../pie/restorer.h"
#include "restore-internal.h"

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000ULL + ts.tv_nsec / 1000;
}

static void futex_wake_all(uint32_t *w)
{
	syscall(SYS_futex, w, FUTEX_WAKE, 1 << 30, NULL, NULL, 0);
}

/* Wait until *w reaches want. */
static void futex_wait_for(uint32_t *w, uint32_t want)
{
	for (;;) {
		uint32_t v = __atomic_load_n(w, __ATOMIC_SEQ_CST);

		if (v >= want)
			return;
		syscall(SYS_futex, w, FUTEX_WAIT, v, NULL, NULL, 0);
	}
}

uint32_t rst_reserve_slot(struct restore_ctx *ctx)
{
	return __atomic_fetch_add(&ctx->shared->nr_tasks, 1, __ATOMIC_SEQ_CST);
}

/*
 * One more task exists (its creator's clone returned, the pid is taken):
 * the creator lists it, so that a failure anywhere kills it even while it
 * still waits below; the last one stamps the forking time. Threads come
 * later, once memory is in, and are not counted.
 */
void rst_note_created(struct restore_ctx *ctx, uint32_t slot, pid_t pid)
{
	struct rst_shared *sh = ctx->shared;
	uint32_t n;

	__atomic_store_n(&sh->tasks[slot].pid, pid, __ATOMIC_SEQ_CST);
	n = __atomic_add_fetch(&sh->nr_created, 1, __ATOMIC_SEQ_CST);

	if (n == (uint32_t)ctx->tree.nr_items) {
		__atomic_store_n(&sh->created_at_us, now_us(), __ATOMIC_SEQ_CST);
		futex_wake_all(&sh->nr_created);
	}
}

/*
 * Under a VM's shadow paging every page fault is dear (~70 us here), and a
 * new task faults on each page of code it runs (fork copies no page table
 * entries of file mappings) and of stack it writes. A leaf that went on
 * at once would spend ~1 ms in faults, on the CPU its parent needs to fork
 * the next sibling: leaves wait until every task exists, having run as
 * little code as possible. Raw syscalls: the libc page of syscall() is the
 * one the clone returned through.
 */
void rst_task_start(struct restore_ctx *ctx, const struct pstree_item *it, uint32_t slot)
{
	struct rst_shared *sh = ctx->shared;

	if (fault_injected(FI_RESTORE_KILLED_IN_CLONE) && it->parent && !it->parent->parent) {
		struct timespec late = { 0, 300 * 1000 * 1000 };

		syscall(SYS_nanosleep, &late, NULL);
	}
	/*
	 * Our creator gone, nothing to finish for. A creator killed inside
	 * its clone (criu failing elsewhere) neither lists us nor passes the
	 * death signal on: we are already someone else's child then, maybe
	 * after criu killed what was listed, and must not go on. (The root
	 * of --restore-sibling is not criu's child: it has no creator to
	 * follow.)
	 */
	if (it->parent || !opts->restore_sibling) {
		syscall(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		if (syscall(SYS_getppid) != ctx->creator)
			syscall(SYS_exit_group, 1);
	}
	/* the creator writes it too: a creator killed inside its clone can't */
	__atomic_store_n(&sh->tasks[slot].pid, it->pid, __ATOMIC_SEQ_CST);
	if (list_empty(&it->children))
		futex_wait_for(&sh->nr_created, ctx->tree.nr_items);
}

static int start_session(struct restore_ctx *ctx, const struct pstree_item *it)
{
	if (it->sid == it->pid && setsid() < 0) {
		pr_perror("task %d: can't start its session", it->pid);
		return -1;
	}
	/* before the children are forked: they inherit the controlling terminal */
	if (it->sid == it->pid && files_take_ctty(&ctx->files, it->pid))
		return -1;
	if (getsid(0) != it->sid && !(opts->shell_job && !it->parent)) {
		pr_err("task %d: session %d can't be recreated (we are in %d)\n", it->pid,
		       it->sid, getsid(0));
		return -1;
	}
	/* a group leader first: members join once every task exists */
	if (it->pgid == it->pid && getpgid(0) != it->pid && setpgid(0, 0)) {
		pr_perror("task %d: can't lead its process group", it->pid);
		return -1;
	}
	return 0;
}

/* CRIU_FAULT: fail as if killed inside the clone, the new task unlisted. */
static void fail_before_listing(struct restore_ctx *ctx, const struct pstree_item *it,
				pid_t child)
{
	pr_err("fault injected: task %d fails before it lists its child %d\n", it->pid, child);
	__atomic_store_n(&ctx->shared->error, 1, __ATOMIC_SEQ_CST);
	futex_wake_all(&ctx->shared->nr_in_progress);
	for (;;)
		pause();
}

static int fork_children(struct restore_ctx *ctx, struct pstree_item *it)
{
	struct pstree_item *c;

	ctx->creator = getpid();
	list_for_each_entry(c, &it->children, sibling) {
		uint32_t slot = rst_reserve_slot(ctx);
		pid_t pid = pidctl_fork(&ctx->pc, c->pid, 0);

		if (pid == 0)
			restore_task(ctx, c, slot);
		if (pid > 0 && fault_injected(FI_RESTORE_KILLED_IN_CLONE) && !it->parent)
			fail_before_listing(ctx, it, pid);
		if (pid > 0)
			rst_note_created(ctx, slot, pid);
		if (pid < 0) {
			pr_err("task %d: can't create child %d\n", it->pid, c->pid);
			return -1;
		}
	}
	return 0;
}

static int join_group(struct restore_ctx *ctx, const struct pstree_item *it)
{
	struct rst_shared *sh = ctx->shared;
	bool keep = opts->shell_job && !it->parent && it->pgid != it->pid;
	uint32_t all = ctx->tree.nr_items;

	/* in it already (a child stays in its parent's group): nothing to wait for */
	if (!keep && getpgid(0) != it->pgid) {
		futex_wait_for(&sh->nr_forked, all);
		if (setpgid(0, it->pgid)) {
			pr_perror("task %d: can't join process group %d", it->pid, it->pgid);
			return -1;
		}
	}
	/* waiters want the whole count: waking them earlier only steals the CPU */
	if (__atomic_add_fetch(&sh->nr_grouped, 1, __ATOMIC_SEQ_CST) == all)
		futex_wake_all(&sh->nr_grouped);
	return 0;
}

void rst_wait_grouped(struct restore_ctx *ctx)
{
	futex_wait_for(&ctx->shared->nr_grouped, ctx->tree.nr_items);
}

/* A zombie leaves once every group it may lead is complete. */
static void exit_as_zombie(struct restore_ctx *ctx, const struct pstree_item *it)
{
	struct rst_task *t = rst_task_of(it);
	int status = t->core.exit_code;

	futex_wait_for(&ctx->shared->nr_grouped, ctx->tree.nr_items);
	prctl(PR_SET_NAME, t->core.comm);
	if (status & 0x7f) {
		sigset_t set;

		signal(status & 0x7f, SIG_DFL);
		sigemptyset(&set);
		sigaddset(&set, status & 0x7f);
		sigprocmask(SIG_UNBLOCK, &set, NULL);
		kill(getpid(), status & 0x7f);
	}
	_exit((status >> 8) & 0xff);
}

/* The zombies among our children must be dead before signals are drained. */
static int wait_zombie_children(const struct pstree_item *it)
{
	struct pstree_item *c;

	list_for_each_entry(c, &it->children, sibling) {
		siginfo_t si;

		if (c->state != TASK_DEAD)
			continue;
		if (waitid(P_PID, c->pid, &si, WEXITED | WNOWAIT)) {
			pr_perror("task %d: zombie child %d did not exit", it->pid, c->pid);
			return -1;
		}
	}
	return 0;
}

int restore_tree_part(struct restore_ctx *ctx, struct pstree_item *it)
{
	uint32_t all = ctx->tree.nr_items;

	ctx->pc.spun = 0;	/* our parent's count came with the fork */
	if (start_session(ctx, it))
		return -1;
	/* counted only once it leads its group, so members never join too early */
	if (__atomic_add_fetch(&ctx->shared->nr_forked, 1, __ATOMIC_SEQ_CST) == all)
		futex_wake_all(&ctx->shared->nr_forked);
	if (fork_children(ctx, it) || join_group(ctx, it))
		return -1;
	if (it->state == TASK_DEAD)
		exit_as_zombie(ctx, it);
	return wait_zombie_children(it);
}
