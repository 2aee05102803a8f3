// SPDX-License-Identifier: GPL-2.0
/*
 * Build the frame rt_sigreturn restores a thread from: general registers
 * with the syscall-restart rules applied, the signal mask, the alternate
 * stack, and the whole XSAVE area (64-byte aligned, with the software
 * bytes and trailing magic the kernel checks), and jump to the restorer.
 */
#include <cpuid.h>
#include <string.h>

#define LOG_PREFIX "x86: "
#include "arch.h"
#include "asm/sigframe.h"
#include "log.h"
#include "task.h"

struct fpx_sw_bytes {
	uint32_t magic1, extended_size;
	uint64_t xfeatures;
	uint32_t xstate_size;
	uint32_t padding[7];
};

static uint64_t xgetbv0(void)
{
	uint32_t lo, hi;

	__asm__ __volatile__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return (uint64_t)hi << 32 | lo;
}

/* The largest XSAVE area this kernel restores from a frame (enabled features). */
static uint32_t xstate_user_size(void)
{
	unsigned int eax, ebx, ecx, edx;

	if (!__get_cpuid_count(0xd, 0, &eax, &ebx, &ecx, &edx))
		return 0;
	return ebx;
}

size_t arch_sigframe_size(const struct thread_core *th)
{
	return ALIGN_UP(sizeof(struct arch_rt_sigframe), 64) + ALIGN_UP(th->xsave_len + 4, 64) + 64;
}

int arch_check_xsave(const struct thread_core *th)
{
	uint64_t xcr0 = xgetbv0(), bv;

	memcpy(&bv, th->xsave + ARCH_XSAVE_LEGACY, sizeof(bv));
	if (bv & ~xcr0) {
		pr_err("thread %d uses CPU state components 0x%llx this CPU/kernel lacks "
		       "(enabled: 0x%llx)\n", th->tid, (unsigned long long)(bv & ~xcr0),
		       (unsigned long long)xcr0);
		return -1;
	}
	if (th->xsave_len > xstate_user_size()) {
		pr_err("thread %d has %u bytes of extended state, this CPU/kernel holds %u\n",
		       th->tid, th->xsave_len, xstate_user_size());
		return -1;
	}
	return 0;
}

uint64_t arch_build_sigframe(const struct thread_core *th, uint64_t at)
{
	struct arch_rt_sigframe *f = (void *)at;
	uint64_t fp = ALIGN_UP(at + sizeof(*f), 64);
	struct fpx_sw_bytes sw = { 0 };
	struct arch_regs r = th->regs;
	struct arch_sigcontext *sc = &f->uc.uc_mcontext;
	uint32_t magic2 = FP_XSTATE_MAGIC2;

	arch_apply_syscall_restart(&r);
	memset(f, 0, sizeof(*f));
	f->uc.uc_flags = UC_FP_XSTATE | UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS;
	f->uc.uc_stack.ss_sp = th->sas_sp;
	f->uc.uc_stack.ss_flags = th->sas_flags;
	f->uc.uc_stack.ss_size = th->sas_size;
	f->uc.uc_sigmask = th->blocked;
	sc->r8 = r.r8; sc->r9 = r.r9; sc->r10 = r.r10; sc->r11 = r.r11;
	sc->r12 = r.r12; sc->r13 = r.r13; sc->r14 = r.r14; sc->r15 = r.r15;
	sc->di = r.di; sc->si = r.si; sc->bp = r.bp; sc->bx = r.bx;
	sc->dx = r.dx; sc->ax = r.ax; sc->cx = r.cx; sc->sp = r.sp;
	sc->ip = r.ip; sc->flags = r.flags;
	sc->cs = r.cs; sc->ss = r.ss; sc->fs = r.fs; sc->gs = r.gs;
	sc->fpstate = fp;
	memcpy((void *)fp, th->xsave, th->xsave_len);
	sw.magic1 = FP_XSTATE_MAGIC1;
	sw.extended_size = th->xsave_len + sizeof(magic2);
	sw.xfeatures = xgetbv0();
	sw.xstate_size = th->xsave_len;
	memcpy((void *)(fp + FP_SW_BYTES_OFFSET), &sw, sizeof(sw));
	memcpy((void *)(fp + th->xsave_len), &magic2, sizeof(magic2));
	return at;
}

void arch_jump_to_restorer(uint64_t entry, uint64_t args, uint64_t stack_top)
{
	/* as if called: the entry sees rsp = 8 (mod 16) */
	__asm__ __volatile__("movq %0, %%rsp\n\t"
			     "xorq %%rbp, %%rbp\n\t"
			     "jmpq *%1\n\t"
			     :
			     : "r"(stack_top - 8), "a"(entry), "D"(args)
			     : "memory");
	__builtin_unreachable();
}
