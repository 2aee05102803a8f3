/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Arch hooks: the only door from generic code into criu/arch/<arch>/.
 * A hook an arch lacks fails at link time.
 */
#ifndef CRIU_INCLUDE_ARCH_H
#define CRIU_INCLUDE_ARCH_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "asm/regs.h"
#include "common/compiler.h"

struct arena;
struct thread_core;
struct CoreEntry;

/* Registers of a stopped thread: general ones and the whole extended state. */
int arch_dump_regs(pid_t tid, struct arch_regs *regs, uint8_t **xsave,
		   uint32_t *xsave_len) __must_check;
/* Registers are ones we can restore (64-bit task, sane segments). */
int arch_check_regs(const struct arch_regs *regs, pid_t tid) __must_check;

/* The arch part of core-TID.img. */
int arch_core_to_image(const struct thread_core *th, struct arena *a,
		       struct CoreEntry *ce) __must_check;
int arch_core_from_image(const struct CoreEntry *ce, struct thread_core *th,
			 const char *img) __must_check;
uint32_t arch_core_march(void);

/* After an interrupted syscall: the registers that resume it as the kernel would. */
void arch_apply_syscall_restart(struct arch_regs *regs);

/* Restore: the signal frame of one thread, built in place at address at. */
size_t arch_sigframe_size(const struct thread_core *th);
int arch_check_xsave(const struct thread_core *th) __must_check;
uint64_t arch_build_sigframe(const struct thread_core *th, uint64_t at);
void arch_jump_to_restorer(uint64_t entry, uint64_t args, uint64_t stack_top) __noreturn;
/* clone3 a thread that starts at entry(arg) on the stack clone_args names. */
long arch_clone_thread(void *clone_args, size_t size, uint64_t entry, uint64_t arg);
/* The same with the legacy clone, for when a seccomp filter blocks clone3. */
long arch_clone_thread_legacy(void *clone_args, uint64_t entry, uint64_t arg);

#endif /* CRIU_INCLUDE_ARCH_H */
