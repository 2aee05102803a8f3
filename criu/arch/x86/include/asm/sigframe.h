/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The x86_64 signal frame rt_sigreturn reads (uapi asm/sigcontext.h and
 * the kernel's rt_sigframe), written out so host code can build one.
 */
#ifndef CRIU_ARCH_X86_ASM_SIGFRAME_H
#define CRIU_ARCH_X86_ASM_SIGFRAME_H

#include <stdint.h>

struct arch_sigcontext {
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t di, si, bp, bx, dx, ax, cx, sp, ip, flags;
	uint16_t cs, gs, fs, ss;
	uint64_t err, trapno, oldmask, cr2;
	uint64_t fpstate;
	uint64_t reserved1[8];
};

struct arch_stack {
	uint64_t ss_sp;
	int32_t ss_flags;
	int32_t pad;
	uint64_t ss_size;
};

struct arch_ucontext {
	uint64_t uc_flags;
	uint64_t uc_link;
	struct arch_stack uc_stack;
	struct arch_sigcontext uc_mcontext;
	uint64_t uc_sigmask;
};

struct arch_rt_sigframe {
	uint64_t pretcode;
	struct arch_ucontext uc;
	uint8_t info[128];
};

#define UC_FP_XSTATE		0x1
#define UC_SIGCONTEXT_SS	0x2
#define UC_STRICT_RESTORE_SS	0x4

#define FP_XSTATE_MAGIC1	0x46505853U
#define FP_XSTATE_MAGIC2	0x46505845U
#define FP_SW_BYTES_OFFSET	464

_Static_assert(sizeof(struct arch_sigcontext) == 256, "sigcontext layout");
_Static_assert(sizeof(struct arch_rt_sigframe) == 440, "rt_sigframe layout");

#endif /* CRIU_ARCH_X86_ASM_SIGFRAME_H */
