// SPDX-License-Identifier: GPL-2.0
/*
 * What every thread restores for itself (TLS, rseq, robust list, tid
 * address, name, credentials, its queued signals), then the barrier all
 * threads of the restore meet at, then rt_sigreturn into the dumped state.
 */
#include <linux/futex.h>
#include <linux/prctl.h>

#include "rst-internal.h"

#define FUTEX_SHARED_WAIT 0	/* the block is shared between processes */
#define FUTEX_SHARED_WAKE 1

static int queue_signals(int pid, int tid, uint64_t infos, uint32_t nr, int shared)
{
	const uint8_t *si = (const uint8_t *)infos;

	for (uint32_t i = 0; i < nr; i++, si += RST_SIGINFO_SIZE) {
		int signo = *(const int *)si;
		long r = shared ? sys_rt_sigqueueinfo(pid, signo, (void *)si) :
				  sys_rt_tgsigqueueinfo(pid, tid, signo, (void *)si);

		if (r) {
			rst_err("can't queue signal %d for %d: %ld\n", signo, tid, r);
			return -1;
		}
	}
	return 0;
}

static int restore_thread(const struct rst_args *a, const struct rst_thread *t)
{
	long r;

	if (arch_rst_set_tls(t))
		return -1;
	if (t->rseq_len) {
		r = sys_rseq((void *)t->rseq_ptr, t->rseq_len, 0, t->rseq_sig);
		if (r) {
			rst_err("can't register rseq of thread %d: %ld\n", t->tid, r);
			return -1;
		}
	}
	if (t->robust_list && sys_set_robust_list((void *)t->robust_list, t->robust_len)) {
		rst_err("can't restore the robust list of thread %d\n", t->tid);
		return -1;
	}
	sys_set_tid_address((int *)t->clear_tid_addr);
	if (sys_prctl(PR_SET_NAME, (unsigned long)t->comm, 0, 0, 0)) {
		rst_err("can't restore the name of thread %d\n", t->tid);
		return -1;
	}
	if (rst_restore_creds(&t->creds))
		return -1;
	/* after the credentials: the kernel clears it when they change */
	if (sys_prctl(PR_SET_PDEATHSIG, t->pdeath_sig, 0, 0, 0)) {
		rst_err("can't restore the death signal of thread %d\n", t->tid);
		return -1;
	}
	if (queue_signals(a->pid, t->tid, t->signals, t->nr_signals, 0))
		return -1;
	if (t == (const struct rst_thread *)a->threads &&
	    queue_signals(a->pid, t->tid, a->shared_signals, a->nr_shared_signals, 1))
		return -1;
	return 0;
}

static void wait_for_go(struct rst_shared *sh)
{
	if (__atomic_sub_fetch(&sh->nr_in_progress, 1, __ATOMIC_SEQ_CST) == 0)
		sys_futex(&sh->nr_in_progress, FUTEX_SHARED_WAKE, 1 << 30, 0, 0, 0);
	while (!__atomic_load_n(&sh->go, __ATOMIC_SEQ_CST))
		sys_futex(&sh->go, FUTEX_SHARED_WAIT, 0, 0, 0, 0);
}

void rst_thread_finish(const struct rst_args *a, const struct rst_thread *t)
{
	struct rst_shared *sh = (struct rst_shared *)a->shared;
	int is_main = t == (const struct rst_thread *)a->threads;

	if (restore_thread(a, t))
		rst_fail(a);
	/*
	 * criu traces every thread next: a restore without CAP_SYS_PTRACE can
	 * only trace a dumpable task, and a credential change above may have
	 * cleared it. criu sets the dumped value once the task runs the dumped
	 * state.
	 */
	sys_prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
	rst_debug("thread %d is ready\n", t->tid);
	wait_for_go(sh);
	if (__atomic_load_n(&sh->error, __ATOMIC_SEQ_CST))
		sys_exit_group(1);
	if (is_main) {
		for (uint32_t i = 0; i < a->nr_close; i++)
			sys_close(a->close_fds[i]);
	}
	arch_rst_sigreturn(t->sigframe);
}
