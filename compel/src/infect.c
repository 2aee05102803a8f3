// SPDX-License-Identifier: GPL-2.0
/*
 * Borrowing a ptrace-stopped thread to run syscalls in it: compel_prepare()
 * saves what the thread was, compel_syscall() runs one syscall at the
 * gadget with PTRACE_SYSCALL, compel_release() puts everything back.
 */
#include <signal.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"

/*
 * Only two kinds of stop can be borrowed: one in the signal path (the
 * PTRACE_EVENT_STOP of PTRACE_INTERRUPT or of a group stop) and a
 * syscall-exit-stop. At syscall entry the kernel would run our orig_rax
 * of -1 as "skip the syscall" and report an exit stop we don't expect; a
 * signal-delivery stop would lose its signal when we resume.
 */
static int check_stop(pid_t tid)
{
	struct __ptrace_syscall_info info;
	siginfo_t si;

	if (ptrace(PTRACE_GET_SYSCALL_INFO, tid, sizeof(info), &info) < 0) {
		int err = errno;

		pr_perror("can't query %d (seized and stopped?)", tid);
		return -err;
	}
	if (info.op == PTRACE_SYSCALL_INFO_EXIT)
		return 0;
	if (info.op != PTRACE_SYSCALL_INFO_NONE) {
		pr_err("%d is in a syscall-entry or seccomp stop; resume it to a later stop",
		       tid);
		return -EINVAL;
	}
	if (ptrace(PTRACE_GETSIGINFO, tid, 0, &si)) {
		/* A group stop of a PTRACE_ATTACH-ed thread has no siginfo. */
		if (errno == EINVAL)
			return 0;
		pr_perror("can't get the stop reason of %d", tid);
		return -EINVAL;
	}
	/* PTRACE_EVENT_* stops carry signal | event << 8 as si_code. */
	if ((si.si_code >> 8) > 0 && (si.si_code & 0xff) == si.si_signo)
		return 0;
	if (si.si_signo == SIGTRAP && si.si_code == SIGTRAP)
		pr_err("%d is in a syscall stop; seize it with PTRACE_O_TRACESYSGOOD so that "
		       "entry and exit can be told apart", tid);
	else
		pr_err("%d is in a signal-delivery stop (signal %d); resume it first", tid,
		       si.si_signo);
	return -EINVAL;
}

struct compel_ctl *compel_prepare(pid_t tid)
{
	struct compel_ctl *ctl;

	ctl = calloc(1, sizeof(*ctl));
	if (!ctl) {
		pr_err("out of memory");
		return NULL;
	}
	ctl->tid = tid;
	ctl->mem_fd = -1;
	if (check_stop(tid) || compel_get_regs(tid, &ctl->regs))
		goto err;
	if (!compel_arch_native(&ctl->regs)) {
		pr_err("%d is not a native 64-bit thread", tid);
		goto err;
	}
	if (ptrace(PTRACE_GETSIGMASK, tid, sizeof(ctl->sigmask), &ctl->sigmask)) {
		pr_perror("can't get the signal mask of %d", tid);
		goto err;
	}
	/*
	 * Block everything so no signal-delivery stop comes between us and our
	 * syscalls; signals arriving meanwhile stay pending for the thread.
	 */
	if (compel_set_sigmask(tid, ~0ULL))
		goto err;
	ctl->sigmask_blocked = 1;
	if (compel_find_gadget(ctl))
		goto err;
	pr_debug("%d: prepared, ip %#lx, syscall %ld, result %ld", tid,
		 compel_arch_ip(&ctl->regs), compel_arch_syscall_nr(&ctl->regs),
		 compel_arch_retval(&ctl->regs));
	return ctl;
err:
	compel_release(ctl);
	return NULL;
}

static int check_at_gadget(struct compel_ctl *ctl, compel_regs_t *regs, long nr)
{
	int ret = compel_get_regs(ctl->tid, regs);

	if (ret)
		return ret;
	if (compel_arch_ip(regs) != ctl->gadget + COMPEL_SYSCALL_INSN_LEN ||
	    compel_arch_syscall_nr(regs) != nr) {
		pr_err("%d: unexpected syscall stop at %#lx (syscall %ld)", ctl->tid,
		       compel_arch_ip(regs), compel_arch_syscall_nr(regs));
		return -EIO;
	}
	return 0;
}

static int run_once(struct compel_ctl *ctl, long nr, const unsigned long *args, long *ret)
{
	compel_regs_t regs = ctl->regs;
	int err;

	compel_arch_prep_syscall(&regs, ctl->gadget, nr, args);
	err = compel_set_regs(ctl->tid, &regs);
	if (err)
		return err;
	ctl->regs_changed = 1;
	/* One stop at syscall entry, one at exit, where the result is. */
	err = compel_resume_to_syscall_stop(ctl);
	if (!err)
		err = check_at_gadget(ctl, &regs, nr);
	if (!err)
		err = compel_resume_to_syscall_stop(ctl);
	if (!err)
		err = check_at_gadget(ctl, &regs, nr);
	if (!err)
		*ret = compel_arch_retval(&regs);
	return err;
}

int compel_syscall(struct compel_ctl *ctl, long nr, long *ret, unsigned long a1,
		   unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5,
		   unsigned long a6)
{
	unsigned long args[6] = { a1, a2, a3, a4, a5, a6 };
	long cur = nr;
	int i, err;

	if (ctl->dead)
		return -ESRCH;
	/*
	 * SIGSTOP or a PTRACE_INTERRUPT from someone else can interrupt our
	 * syscall even with every signal blocked; restart it the way the
	 * kernel would for a thread without a handler.
	 */
	for (i = 0; i < 16; i++) {
		err = run_once(ctl, cur, args, ret);
		if (err)
			return err;
		if (*ret == -ERESTART_RESTARTBLOCK)
			cur = __NR_restart_syscall;
		else if (!compel_restart_code(*ret))
			break;
		pr_debug("%d: syscall %ld interrupted, restarting", ctl->tid, nr);
	}
	pr_debug("%d: syscall %ld = %ld", ctl->tid, nr, *ret);
	return 0;
}

/* Would the kernel restart (or abort) the syscall the thread was stopped in? */
static int restart_pending(const compel_regs_t *regs)
{
	long r = compel_arch_retval(regs);

	if (compel_arch_syscall_nr(regs) < 0)
		return 0;
	return compel_restart_code(r);
}

static int restore_thread(struct compel_ctl *ctl)
{
	int ret = 0, err;

	if (ctl->regs_changed) {
		if (restart_pending(&ctl->regs))
			ret = compel_trap_in_signal_path(ctl);
		err = compel_set_regs(ctl->tid, &ctl->regs);
		ret = ret ? ret : err;
	}
	if (ctl->sigmask_blocked) {
		err = compel_set_sigmask(ctl->tid, ctl->sigmask);
		ret = ret ? ret : err;
	}
	if (ctl->lost_stop && syscall(SYS_tkill, ctl->tid, SIGSTOP)) {
		pr_perror("can't send SIGSTOP to %d again", ctl->tid);
		ret = ret ? ret : -ESRCH;
	}
	if (ctl->lost_trap && syscall(SYS_tkill, ctl->tid, COMPEL_BATCH_TRAP_SIG)) {
		pr_perror("can't send signal %d to %d again", COMPEL_BATCH_TRAP_SIG, ctl->tid);
		ret = ret ? ret : -ESRCH;
	}
	return ret;
}

int compel_release(struct compel_ctl *ctl)
{
	int ret = 0, err;

	if (!ctl)
		return 0;
	/* Each step runs even if an earlier one failed: restore all we can. */
	err = compel_unmap_scratch(ctl);
	ret = ret ? ret : err;
	if (!ctl->dead) {
		err = compel_unpatch_gadget(ctl);
		ret = ret ? ret : err;
		err = restore_thread(ctl);
		ret = ret ? ret : err;
	}
	compel_close_mem(ctl);
	if (ret)
		pr_err("%d: could not restore everything", ctl->tid);
	else
		pr_debug("%d: released", ctl->tid);
	free(ctl);
	return ret;
}

uint64_t compel_saved_sigmask(const struct compel_ctl *ctl)
{
	return ctl->sigmask;
}

unsigned long compel_syscall_ip(const struct compel_ctl *ctl)
{
	return ctl->gadget;
}
