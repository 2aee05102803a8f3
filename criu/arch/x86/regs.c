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

#define NR_RESTART_SYSCALL 219
#define EINTR_VAL 4

/*
 * A thread caught inside restart_syscall (an interrupted sleep that was
 * already resumed once, e.g. after a dump with --leave-running) carries its
 * state in a kernel restart block no new task can have. Find the original
 * syscall number in the "mov $nr, %eax" right before the syscall
 * instruction, so restore can re-run it; failing that, restore returns
 * EINTR as the kernel does when the restart block is gone.
 */
static void find_restarted_syscall(pid_t tid, struct arch_regs *regs)
{
	uint8_t code[7];
	struct iovec l = { code, sizeof(code) }, r = { (void *)(regs->ip - 7), sizeof(code) };
	int32_t nr;

	if ((int64_t)regs->orig_ax != NR_RESTART_SYSCALL ||
	    (int64_t)regs->ax != -ERESTART_RESTARTBLOCK)
		return;
	if (process_vm_readv(tid, &l, 1, &r, 1, 0) != sizeof(code) || code[0] != 0xb8 ||
	    code[5] != 0x0f || code[6] != 0x05) {
		pr_warn("thread %d is inside restart_syscall: it will see EINTR after restore\n",
			tid);
		return;
	}
	memcpy(&nr, code + 1, sizeof(nr));
	pr_info("thread %d restarts syscall %d\n", tid, nr);
	regs->orig_ax = nr;
}

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
	find_restarted_syscall(tid, regs);
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
	if ((int64_t)regs->orig_ax == NR_RESTART_SYSCALL) {
		regs->ax = -EINTR_VAL;
		regs->orig_ax = (uint64_t)-1;
		return;
	}
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
