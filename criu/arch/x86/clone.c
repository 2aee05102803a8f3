// SPDX-License-Identifier: GPL-2.0
/*
 * Start a thread of a restoring task in the restorer blob: clone3 (or the
 * legacy clone where a seccomp filter blocks clone3) on the new stack, and
 * the child jumps straight to the blob's thread entry: it must never return
 * into criu's C code, whose stack it does not have.
 */
#include <linux/sched.h>

#define LOG_PREFIX "x86: "
#include "arch.h"

long arch_clone_thread(void *clone_args, size_t size, uint64_t entry, uint64_t arg)
{
	long ret;

	/* entry and arg ride in callee-saved registers, which the child gets too */
	__asm__ __volatile__("movq %3, %%r12\n\t"
			     "movq %4, %%r13\n\t"
			     "movl $435, %%eax\n\t"	/* __NR_clone3 */
			     "syscall\n\t"
			     "testq %%rax, %%rax\n\t"
			     "jnz 1f\n\t"
			     "xorq %%rbp, %%rbp\n\t"
			     "movq %%r13, %%rdi\n\t"
			     "jmpq *%%r12\n\t"
			     "1:\n\t"
			     : "=a"(ret)
			     : "D"(clone_args), "S"(size), "r"(entry), "r"(arg)
			     : "rcx", "r11", "r12", "r13", "memory");
	return ret;
}

long arch_clone_thread_legacy(void *clone_args, uint64_t entry, uint64_t arg)
{
	const struct clone_args *ca = clone_args;
	register uint64_t r10 __asm__("r10") = 0;	/* child_tid */
	register uint64_t r8 __asm__("r8") = ca->tls;
	long ret;

	__asm__ __volatile__("movq %3, %%r12\n\t"
			     "movq %4, %%r13\n\t"
			     "movl $56, %%eax\n\t"	/* __NR_clone */
			     "syscall\n\t"
			     "testq %%rax, %%rax\n\t"
			     "jnz 1f\n\t"
			     "xorq %%rbp, %%rbp\n\t"
			     "movq %%r13, %%rdi\n\t"
			     "jmpq *%%r12\n\t"
			     "1:\n\t"
			     : "=a"(ret)
			     : "D"(ca->flags), "S"(ca->stack + ca->stack_size), "r"(entry), "r"(arg),
			       "d"(0), "r"(r10), "r"(r8)
			     : "rcx", "r11", "r12", "r13", "memory");
	return ret;
}
