// SPDX-License-Identifier: GPL-2.0
/*
 * ptrace plumbing for injection: registers, the signal mask, and driving
 * the thread from one stop to the next while telling our syscall stops
 * apart from everything else that can stop a traced thread meanwhile.
 */
#include <elf.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include "internal.h"

/* Far more stops than one injected syscall can cause: something is wrong. */
#define MAX_FOREIGN_STOPS	1000

enum stop_kind {
	STOP_SYSCALL,	/* syscall-entry or syscall-exit stop */
	STOP_EVENT,	/* PTRACE_EVENT_*: interrupt, group stop under SEIZE, clone... */
	STOP_GROUP,	/* group stop of a PTRACE_ATTACH-ed thread */
	STOP_SIGNAL,	/* signal-delivery stop */
};

int compel_get_regs(pid_t tid, compel_regs_t *regs)
{
	struct iovec iov = { regs, sizeof(*regs) };

	if (ptrace(PTRACE_GETREGSET, tid, NT_PRSTATUS, &iov)) {
		int err = errno;

		pr_perror("can't get registers of %d", tid);
		return -err;
	}
	/* A compat (32-bit) thread has a smaller register set. */
	if (iov.iov_len != sizeof(*regs)) {
		pr_err("%d has a foreign register set (%zu bytes)", tid, iov.iov_len);
		return -EINVAL;
	}
	return 0;
}

int compel_set_regs(pid_t tid, const compel_regs_t *regs)
{
	struct iovec iov = { (void *)regs, sizeof(*regs) };

	if (ptrace(PTRACE_SETREGSET, tid, NT_PRSTATUS, &iov)) {
		int err = errno;

		pr_perror("can't set registers of %d", tid);
		return -err;
	}
	return 0;
}

int compel_set_sigmask(pid_t tid, uint64_t mask)
{
	if (ptrace(PTRACE_SETSIGMASK, tid, sizeof(mask), &mask)) {
		int err = errno;

		pr_perror("can't set the signal mask of %d", tid);
		return -err;
	}
	return 0;
}

static int wait_stop(struct compel_ctl *ctl, int *status)
{
	pid_t p;

	do {
		p = waitpid(ctl->tid, status, __WALL);
	} while (p < 0 && errno == EINTR);
	if (p < 0) {
		int err = errno;

		pr_perror("can't wait for %d", ctl->tid);
		return -err;
	}
	if (WIFEXITED(*status) || WIFSIGNALED(*status)) {
		pr_err("%d died during injection (status %#x)", ctl->tid, *status);
		ctl->dead = 1;
		return -ESRCH;
	}
	return 0;
}

/* si is filled for STOP_SIGNAL. */
static int classify(struct compel_ctl *ctl, int status, enum stop_kind *kind, siginfo_t *si)
{
	int sig = WSTOPSIG(status);

	if (sig == (SIGTRAP | 0x80)) {
		*kind = STOP_SYSCALL;
		return 0;
	}
	if (status >> 16) {
		*kind = STOP_EVENT;
		return 0;
	}
	if (ptrace(PTRACE_GETSIGINFO, ctl->tid, 0, si)) {
		int err = errno;

		if (err == EINVAL) {
			*kind = STOP_GROUP;
			return 0;
		}
		pr_perror("can't get the stop reason of %d", ctl->tid);
		return -err;
	}
	/* Without PTRACE_O_TRACESYSGOOD a syscall stop is a bare SIGTRAP. */
	*kind = (sig == SIGTRAP && si->si_code == SIGTRAP) ? STOP_SYSCALL : STOP_SIGNAL;
	return 0;
}

/*
 * A stop that is not ours. All signals but SIGKILL and SIGSTOP are blocked,
 * so a signal here is SIGSTOP (kept and sent again by release) or a fault
 * forced by our own instruction, which we must not deliver.
 */
static int foreign_stop(struct compel_ctl *ctl, int status, enum stop_kind kind)
{
	int sig = WSTOPSIG(status);

	if (kind != STOP_SIGNAL) {
		pr_debug("%d: ptrace stop %#x during injection, going on", ctl->tid, status);
		return 0;
	}
	if (sig == SIGSTOP) {
		pr_info("%d: SIGSTOP during injection, will send it again", ctl->tid);
		ctl->lost_stop = 1;
		return 0;
	}
	pr_err("%d: signal %d during injection", ctl->tid, sig);
	return -EFAULT;
}

enum want_stop {
	WANT_SYSCALL,		/* a syscall-entry or -exit stop */
	WANT_EVENT_STOP,	/* PTRACE_EVENT_STOP */
	WANT_TRAP,		/* the batch code's closing trap */
};

/* Resume with the given request and wait for a stop of the wanted kind. */
static int resume_until(struct compel_ctl *ctl, int request, enum want_stop want)
{
	enum stop_kind kind = STOP_SIGNAL;
	int i, status, ret;
	siginfo_t si;

	for (i = 0; i < MAX_FOREIGN_STOPS; i++) {
		if (ptrace(request, ctl->tid, 0, 0)) {
			int err = errno;

			pr_perror("can't resume %d", ctl->tid);
			return -err;
		}
		ret = wait_stop(ctl, &status);
		if (!ret)
			ret = classify(ctl, status, &kind, &si);
		if (ret)
			return ret;
		if (want == WANT_SYSCALL && kind == STOP_SYSCALL)
			return 0;
		if (want == WANT_EVENT_STOP && kind == STOP_EVENT &&
		    (status >> 16) == PTRACE_EVENT_STOP)
			return 0;
		if (want == WANT_TRAP && kind == STOP_SIGNAL &&
		    WSTOPSIG(status) == COMPEL_BATCH_TRAP_SIG) {
			/* The kernel's own trap (int3) says SI_KERNEL; a sent one can't. */
			if (si.si_code == SI_KERNEL)
				return 0;
			/* Dequeued by this stop and not delivered: release sends it again. */
			pr_info("%d: signal %d sent during injection, will send it again",
				ctl->tid, WSTOPSIG(status));
			ctl->lost_trap = 1;
			continue;
		}
		ret = foreign_stop(ctl, status, kind);
		if (ret)
			return ret;
	}
	pr_err("%d: too many unexpected stops", ctl->tid);
	return -EIO;
}

int compel_resume_to_syscall_stop(struct compel_ctl *ctl)
{
	return resume_until(ctl, PTRACE_SYSCALL, WANT_SYSCALL);
}

/*
 * Our last syscall left the thread in a syscall-exit-stop; from there the
 * kernel only runs its syscall-restart logic if a signal is pending. Queue
 * a PTRACE_INTERRUPT and continue: the thread stops again inside the signal
 * path, where the caller's PTRACE_INTERRUPT had stopped it, and the restart
 * rules apply to whatever registers are set there when it is resumed.
 */
int compel_trap_in_signal_path(struct compel_ctl *ctl)
{
	compel_regs_t regs;
	int ret;

	ret = compel_get_regs(ctl->tid, &regs);
	if (ret)
		return ret;
	compel_arch_no_restart(&regs);
	ret = compel_set_regs(ctl->tid, &regs);
	if (ret)
		return ret;
	if (ptrace(PTRACE_INTERRUPT, ctl->tid, 0, 0)) {
		int err = errno;

		pr_perror("can't interrupt %d", ctl->tid);
		return -err;
	}
	return resume_until(ctl, PTRACE_CONT, WANT_EVENT_STOP);
}

/* Run the batch code, which ends on a trap; every signal but that one is blocked. */
int compel_resume_to_trap(struct compel_ctl *ctl)
{
	return resume_until(ctl, PTRACE_CONT, WANT_TRAP);
}
