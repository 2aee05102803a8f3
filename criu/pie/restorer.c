// SPDX-License-Identifier: GPL-2.0
/*
 * The restorer: runs in the restoring task after criu's code jumped here,
 * on a stack of its own, with every signal blocked. It replaces criu's
 * address space with the dumped one, restores process-wide state, creates
 * the other threads, then every thread finishes itself (rst-thread.c).
 */
#include <linux/futex.h>
#include <linux/mman.h>
#include <linux/prctl.h>
#include <linux/sched.h>

#include "rst-internal.h"

#ifndef PR_TIMER_CREATE_RESTORE_IDS
#define PR_TIMER_CREATE_RESTORE_IDS 77
#endif
#define MREMAP_MAYMOVE_FIXED (MREMAP_MAYMOVE | MREMAP_FIXED)
#define RST_SIGKILL 9
#define RST_SIGSTOP 19

void rst_fail(const struct rst_args *a)
{
	struct rst_shared *sh = (struct rst_shared *)a->shared;

	__atomic_store_n(&sh->error, 1, __ATOMIC_SEQ_CST);
	__atomic_sub_fetch(&sh->nr_in_progress, 1, __ATOMIC_SEQ_CST);
	sys_futex(&sh->nr_in_progress, 1 /* FUTEX_WAKE */, 1 << 30, 0, 0, 0);
	sys_exit_group(1);
	for (;;)
		;
}

static int move_area(const struct rst_move *m, const char *what)
{
	long r;

	if (m->src == m->dst)
		return 0;
	r = (long)sys_mremap((void *)m->src, m->len, m->len, MREMAP_MAYMOVE_FIXED,
			     (void *)m->dst);
	if (r != (long)m->dst) {
		rst_err("can't move %s %lx -> %lx (%lx bytes): %ld\n", what, m->src, m->dst,
			m->len, r);
		return -1;
	}
	return 0;
}

/* Drop criu's mappings, then put the premapped task areas where they belong. */
static int rebuild_address_space(const struct rst_args *a)
{
	const struct rst_range *un = (const struct rst_range *)a->unmap;
	const struct rst_move *mv = (const struct rst_move *)a->moves;
	long r;

	for (uint32_t i = 0; i < a->nr_vdso; i++)
		if (move_area(&a->vdso_tmp[i], "vdso area"))
			return -1;
	for (uint32_t i = 0; i < a->nr_unmap; i++) {
		r = sys_munmap((void *)un[i].start, un[i].len);
		if (r) {
			rst_err("can't unmap %lx-%lx: %ld\n", un[i].start,
				un[i].start + un[i].len, r);
			return -1;
		}
	}
	for (uint32_t i = 0; i < a->nr_moves; i++)
		if (move_area(&mv[i], "memory area"))
			return -1;
	if (a->premap_len && sys_munmap((void *)a->premap_start, a->premap_len)) {
		rst_err("can't drop the premap region\n");
		return -1;
	}
	for (uint32_t i = 0; i < a->nr_vdso; i++) {
		if (a->unmap_vdso) {
			sys_munmap((void *)a->vdso_tmp[i].dst, a->vdso_tmp[i].len);
			continue;
		}
		if (move_area(&a->vdso_final[i], "vdso area"))
			return -1;
	}
	return 0;
}

static int restore_mm(const struct rst_args *a)
{
	long r = sys_prctl(PR_SET_MM, PR_SET_MM_MAP, (unsigned long)&a->mm, sizeof(a->mm), 0);

	if (r) {
		rst_err("PR_SET_MM_MAP failed: %ld\n", r);
		return -1;
	}
	if (a->thp_disabled && sys_prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0)) {
		rst_err("can't disable THP\n");
		return -1;
	}
	return 0;
}

static int restore_signal_actions(const struct rst_args *a)
{
	for (int sig = 1; sig <= RST_NSIG; sig++) {
		long r;

		if (sig == RST_SIGKILL || sig == RST_SIGSTOP)
			continue;
		r = sys_rt_sigaction(sig, &a->sa[sig - 1], 0, 8);
		if (r) {
			rst_err("can't restore the action of signal %d: %ld\n", sig, r);
			return -1;
		}
	}
	return 0;
}

static int restore_limits(const struct rst_args *a)
{
	for (int i = 0; i < RST_NRLIMITS; i++) {
		uint64_t lim[2] = { a->rlim_cur[i], a->rlim_max[i] };
		long r = sys_prlimit64(0, i, lim, 0);

		if (r) {
			rst_err("can't restore resource limit %d: %ld\n", i, r);
			return -1;
		}
	}
	return 0;
}

/* struct sigevent as the kernel reads it (64 bytes). */
struct ksigevent {
	uint64_t value;
	int32_t signo, notify, tid;
	int32_t pad[11];
};

static int create_timer(const struct rst_timer *t, int linear)
{
	struct ksigevent sev = { t->sival, (int32_t)t->signo, (int32_t)t->notify, t->notify_tid,
				 { 0 } };
	uint64_t its[4] = { t->isec, t->insec, t->vsec, t->vnsec };
	int id = t->id;
	long r;

	for (;;) {
		r = sys_timer_create(t->clock, &sev, &id);
		if (r) {
			rst_err("can't create posix timer %u: %ld\n", t->id, r);
			return -1;
		}
		if ((uint32_t)id == t->id)
			break;
		/* without explicit ids the kernel counts up: burn the ones below */
		if (!linear || (uint32_t)id > t->id) {
			rst_err("posix timer %u came back as %d\n", t->id, id);
			return -1;
		}
		sys_timer_delete(id);
		id = t->id;
	}
	r = sys_timer_settime(id, 0, its, 0);
	if (r) {
		rst_err("can't arm posix timer %u: %ld\n", t->id, r);
		return -1;
	}
	return 0;
}

static int restore_timers(const struct rst_args *a)
{
	const struct rst_timer *t = (const struct rst_timer *)a->timers;
	int linear;

	for (int i = 0; i < 3; i++) {
		uint64_t itv[4] = { a->itimers[i][0], a->itimers[i][1], a->itimers[i][2],
				    a->itimers[i][3] };
		long r = sys_setitimer(i, itv, 0);

		if (r) {
			rst_err("can't restore interval timer %d: %ld\n", i, r);
			return -1;
		}
	}
	if (!a->nr_timers)
		return 0;
	linear = sys_prctl(PR_TIMER_CREATE_RESTORE_IDS, 1, 0, 0, 0) != 0;
	for (uint32_t i = 0; i < a->nr_timers; i++)
		if (create_timer(&t[i], linear))
			return -1;
	if (!linear)
		sys_prctl(PR_TIMER_CREATE_RESTORE_IDS, 0, 0, 0, 0);
	return 0;
}

/*
 * The other threads were created by criu's code before the jump, parked
 * here until the address space is the dumped one.
 */
COMPEL_EXPORT void rst_thread_entry(struct rst_thread *t)
{
	const struct rst_args *a = (const struct rst_args *)t->args;

	/* a spinner or ns_last_pid race gave us another tid: criu retries */
	if (sys_gettid() != t->tid)
		sys_exit(0);
	/* we came here through criu's code: tell criu it may now unmap it */
	__atomic_add_fetch((uint32_t *)&a->threads_started, 1, __ATOMIC_SEQ_CST);
	sys_futex((void *)&a->threads_started, FUTEX_WAKE_PRIVATE, 1, 0, 0, 0);
	while (!__atomic_load_n(&a->mm_ready, __ATOMIC_SEQ_CST))
		sys_futex((void *)&a->mm_ready, FUTEX_WAIT_PRIVATE, 0, 0, 0, 0);
	rst_thread_finish(a, t);
}

/*
 * Drop every signal this process got while it was criu (children that
 * exited as zombies, spinners reaped): only the dumped ones are queued.
 */
static int drain_signals(void)
{
	uint64_t all = ~0ULL, zero[2] = { 0, 0 };
	uint8_t info[RST_SIGINFO_SIZE];

	for (int i = 0; i < 4096; i++) {
		long r = sys_rt_sigtimedwait(&all, info, zero, 8);

		if (r == -11)	/* EAGAIN: nothing left */
			return 0;
		if (r < 0) {
			rst_err("can't drain pending signals: %ld\n", r);
			return -1;
		}
	}
	rst_err("too many stray signals\n");
	return -1;
}

static void release_threads(struct rst_args *a)
{
	__atomic_store_n(&a->mm_ready, 1, __ATOMIC_SEQ_CST);
	sys_futex(&a->mm_ready, FUTEX_WAKE_PRIVATE, 1 << 30, 0, 0, 0);
}

static int restore_task(const struct rst_args *a)
{
	if (rebuild_address_space(a) || restore_mm(a))
		return -1;
	if (sys_personality(a->personality) < 0) {
		rst_err("can't set personality %x\n", a->personality);
		return -1;
	}
	if (restore_signal_actions(a) || restore_limits(a))
		return -1;
	if (a->child_subreaper && sys_prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)) {
		rst_err("can't make the task a child subreaper\n");
		return -1;
	}
	if (drain_signals())
		return -1;
	release_threads((struct rst_args *)a);
	/* after the threads: a timer may name one of them */
	return restore_timers(a);
}

COMPEL_ENTRY void rst_task_entry(struct rst_args *a)
{
	if (a->version != RST_ARGS_VERSION || a->size != sizeof(*a))
		sys_exit_group(2);	/* no log fd we could trust */
	rst_log_init(a);
	rst_info("restoring task %d\n", a->pid);
	if (restore_task(a))
		rst_fail(a);
	rst_thread_finish(a, (const struct rst_thread *)a->threads);
}
