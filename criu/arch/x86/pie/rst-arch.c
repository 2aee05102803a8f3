// SPDX-License-Identifier: GPL-2.0
/* x86_64 pieces of the restorer: TLS bases, thread creation, rt_sigreturn. */
#include <asm/prctl.h>

#include "rst-internal.h"

int arch_rst_set_tls(const struct rst_thread *t)
{
	long r = sys_arch_prctl(ARCH_SET_FS, t->fs_base);

	if (!r && t->gs_base)
		r = sys_arch_prctl(ARCH_SET_GS, t->gs_base);
	if (r) {
		rst_err("can't set the TLS bases of thread %d: %ld\n", t->tid, r);
		return -1;
	}
	return 0;
}

/*
 * clone3 for a thread: the child starts on its own stack with nothing of
 * ours, so the function and its argument travel in callee-saved registers
 * the kernel copies.
 */
long arch_rst_clone_thread(void *clone_args, unsigned long size, void (*fn)(void *), void *arg)
{
	long ret;

	__asm__ __volatile__("movq %3, %%r12\n\t"
			     "movq %4, %%r13\n\t"
			     "movl $435, %%eax\n\t"	/* __NR_clone3 */
			     "syscall\n\t"
			     "testq %%rax, %%rax\n\t"
			     "jnz 1f\n\t"
			     "xorq %%rbp, %%rbp\n\t"
			     "movq %%r13, %%rdi\n\t"
			     "callq *%%r12\n\t"
			     "movl $60, %%eax\n\t"	/* __NR_exit, if fn ever returns */
			     "xorl %%edi, %%edi\n\t"
			     "syscall\n\t"
			     "1:\n\t"
			     : "=a"(ret)
			     : "D"(clone_args), "S"(size), "r"(fn), "r"(arg)
			     : "rcx", "r11", "r12", "r13", "memory");
	return ret;
}

/* rt_sigreturn reads its frame 8 bytes below rsp: rsp = frame + 8. */
void arch_rst_sigreturn(uint64_t sigframe)
{
	__asm__ __volatile__("movq %0, %%rsp\n\t"
			     "movl $15, %%eax\n\t"	/* __NR_rt_sigreturn */
			     "syscall\n\t"
			     :
			     : "r"(sigframe + 8)
			     : "memory");
	__builtin_unreachable();
}
