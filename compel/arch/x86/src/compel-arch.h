/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86_64 register helpers for syscall injection: where the instruction
 * pointer, syscall number and result live, and how a syscall is set up.
 */
#ifndef COMPEL_ARCH_X86_COMPEL_ARCH_H
#define COMPEL_ARCH_X86_COMPEL_ARCH_H

#include <signal.h>
#include <sys/user.h>

typedef struct user_regs_struct compel_regs_t;

/* `syscall`: two bytes, and the kernel reports rip just past them. */
#define COMPEL_SYSCALL_INSN	"\x0f\x05"
#define COMPEL_SYSCALL_INSN_LEN	2

/* 64-bit user code segment; 0x23 would be an ia32 task. */
#define COMPEL_USER_CS		0x33

static inline unsigned long compel_arch_ip(const compel_regs_t *r)
{
	return r->rip;
}

/* The syscall the thread is in (or just left), -1 for none. */
static inline long compel_arch_syscall_nr(const compel_regs_t *r)
{
	return (long)r->orig_rax;
}

static inline long compel_arch_retval(const compel_regs_t *r)
{
	return (long)r->rax;
}

static inline int compel_arch_native(const compel_regs_t *r)
{
	return r->cs == COMPEL_USER_CS;
}

/*
 * orig_rax = -1 tells the kernel the thread is not in a syscall, so its
 * restart logic (rip -= 2, rax = orig_rax) can't rewrite what we set when
 * the thread was stopped inside an interrupted syscall.
 */
static inline void compel_arch_no_restart(compel_regs_t *r)
{
	r->orig_rax = (unsigned long)-1L;
}

static inline void compel_arch_prep_syscall(compel_regs_t *r, unsigned long ip, long nr,
					    const unsigned long *a)
{
	r->rip = ip;
	r->rax = nr;
	compel_arch_no_restart(r);
	r->rdi = a[0];
	r->rsi = a[1];
	r->rdx = a[2];
	r->r10 = a[3];
	r->r8 = a[4];
	r->r9 = a[5];
}

/* batch-code.c: runs a table of syscalls and ends on a trap (see there). */
extern const unsigned char compel_batch_code[], compel_batch_code_end[];

/* The signal the batch code's last instruction (int3) raises. */
#define COMPEL_BATCH_TRAP_SIG	SIGTRAP

/* Start the batch code at ip with the table's address as its argument. */
static inline void compel_arch_prep_batch(compel_regs_t *r, unsigned long ip,
					  unsigned long table)
{
	r->rip = ip;
	r->rdi = table;
	compel_arch_no_restart(r);
}

#endif /* COMPEL_ARCH_X86_COMPEL_ARCH_H */
