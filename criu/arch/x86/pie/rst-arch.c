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
