// SPDX-License-Identifier: GPL-2.0
/* x86_64 registers: read them from a stopped thread, check them, restart rules. */
#include <linux/elf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>

#define LOG_PREFIX "x86: "
#include "arch.h"
#include "log.h"

#define USER_CS_64	0x33
#define USER_DS		0x2b

BUILD_BUG_ON(sizeof(struct arch_regs) != sizeof(struct user_regs_struct));

int arch_dump_regs(pid_t tid, struct arch_regs *regs, uint8_t **xsave, uint32_t *xsave_len)
{
	uint8_t *buf = malloc(ARCH_XSAVE_MAX);
	struct iovec iov = { buf, ARCH_XSAVE_MAX };

	if (!buf)
		return -1;
	if (ptrace(PTRACE_GETREGS, tid, 0, regs)) {
		pr_perror("can't read the registers of thread %d", tid);
		goto err;
	}
	if (ptrace(PTRACE_GETREGSET, tid, NT_X86_XSTATE, &iov)) {
		pr_perror("can't read the extended state of thread %d", tid);
		goto err;
	}
	if (iov.iov_len < ARCH_XSAVE_LEGACY + ARCH_XSAVE_HDR) {
		pr_err("thread %d: extended state of %zu bytes is too short\n", tid, iov.iov_len);
		goto err;
	}
	if (arch_check_regs(regs, tid))
		goto err;
	*xsave = buf;
	*xsave_len = iov.iov_len;
	return 0;
err:
	free(buf);
	return -1;
}

int arch_check_regs(const struct arch_regs *regs, pid_t tid)
{
	if (regs->cs != USER_CS_64) {
		pr_err("thread %d runs with cs 0x%llx: only 64-bit tasks are supported\n", tid,
		       (unsigned long long)regs->cs);
		return -1;
	}
	if (regs->ss != USER_DS) {
		pr_err("thread %d has an unexpected ss 0x%llx\n", tid,
		       (unsigned long long)regs->ss);
		return -1;
	}
	if ((int64_t)regs->ip < 0 || (int64_t)regs->sp < 0) {
		pr_err("thread %d: ip or sp outside user space\n", tid);
		return -1;
	}
	return 0;
}

/*
 * The kernel would have fixed these up on the way out of the syscall; a
 * restored task never takes that way, so apply the rules here. A restart
 * block cannot move to a new task: re-run the syscall itself instead (a
 * relative sleep then starts over, which beats a spurious EINTR).
 */
void arch_apply_syscall_restart(struct arch_regs *regs)
{
	if ((int64_t)regs->orig_ax < 0)
		return;
	switch ((int64_t)regs->ax) {
	case -ERESTARTSYS:
	case -ERESTARTNOINTR:
	case -ERESTARTNOHAND:
	case -ERESTART_RESTARTBLOCK:
		regs->ax = regs->orig_ax;
		regs->ip -= ARCH_SYSCALL_INSN_LEN;
		break;
	}
	regs->orig_ax = (uint64_t)-1;
}

uint32_t arch_core_march(void)
{
	return 1;	/* core_entry.march X86_64 */
}
