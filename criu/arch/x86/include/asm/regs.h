/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86_64 thread registers as PTRACE_GETREGS / NT_PRSTATUS lay them out.
 * Plain data, shared with the restorer blob.
 */
#ifndef CRIU_ARCH_X86_ASM_REGS_H
#define CRIU_ARCH_X86_ASM_REGS_H

#include <stdint.h>

struct arch_regs {
	uint64_t r15, r14, r13, r12, bp, bx, r11, r10, r9, r8;
	uint64_t ax, cx, dx, si, di, orig_ax, ip, cs, flags, sp, ss;
	uint64_t fs_base, gs_base, ds, es, fs, gs;
};

/* Largest XSAVE area we accept (AMX tiles would need ~11 KiB). */
#define ARCH_XSAVE_MAX		(16 << 10)
#define ARCH_XSAVE_LEGACY	512	/* FXSAVE area */
#define ARCH_XSAVE_HDR		64

/* Kernel-internal syscall return values seen by a tracer of an interrupted syscall. */
#define ERESTARTSYS		512
#define ERESTARTNOINTR		513
#define ERESTARTNOHAND		514
#define ERESTART_RESTARTBLOCK	516

#define ARCH_SYSCALL_INSN_LEN	2	/* "syscall" is 0f 05 */

#endif /* CRIU_ARCH_X86_ASM_REGS_H */
