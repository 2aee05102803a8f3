/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86_64 raw system call helpers for freestanding code (blobs) and the
 * generated <compel/syscalls.h>. Kernel ABI: number in rax, arguments in
 * rdi, rsi, rdx, r10, r8, r9; the `syscall` instruction clobbers rcx and r11.
 */
#ifndef COMPEL_ARCH_SYSCALL_H
#define COMPEL_ARCH_SYSCALL_H

/* The "memory" clobber: the kernel may read or write any buffer we pass. */
static inline long compel_raw_syscall0(long nr)
{
	long ret;

	__asm__ __volatile__("syscall"
			     : "=a"(ret)
			     : "a"(nr)
			     : "rcx", "r11", "memory");
	return ret;
}

static inline long compel_raw_syscall1(long nr, long a1)
{
	long ret;

	__asm__ __volatile__("syscall"
			     : "=a"(ret)
			     : "a"(nr), "D"(a1)
			     : "rcx", "r11", "memory");
	return ret;
}

static inline long compel_raw_syscall2(long nr, long a1, long a2)
{
	long ret;

	__asm__ __volatile__("syscall"
			     : "=a"(ret)
			     : "a"(nr), "D"(a1), "S"(a2)
			     : "rcx", "r11", "memory");
	return ret;
}

static inline long compel_raw_syscall3(long nr, long a1, long a2, long a3)
{
	long ret;

	__asm__ __volatile__("syscall"
			     : "=a"(ret)
			     : "a"(nr), "D"(a1), "S"(a2), "d"(a3)
			     : "rcx", "r11", "memory");
	return ret;
}

/* There is no constraint letter for r8-r10: bind them with register vars. */
static inline long compel_raw_syscall4(long nr, long a1, long a2, long a3, long a4)
{
	register long r10 __asm__("r10") = a4;
	long ret;

	__asm__ __volatile__("syscall"
			     : "=a"(ret)
			     : "a"(nr), "D"(a1), "S"(a2), "d"(a3), "r"(r10)
			     : "rcx", "r11", "memory");
	return ret;
}

static inline long compel_raw_syscall5(long nr, long a1, long a2, long a3, long a4,
				       long a5)
{
	register long r10 __asm__("r10") = a4;
	register long r8 __asm__("r8") = a5;
	long ret;

	__asm__ __volatile__("syscall"
			     : "=a"(ret)
			     : "a"(nr), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8)
			     : "rcx", "r11", "memory");
	return ret;
}

static inline long compel_raw_syscall6(long nr, long a1, long a2, long a3, long a4,
				       long a5, long a6)
{
	register long r10 __asm__("r10") = a4;
	register long r8 __asm__("r8") = a5;
	register long r9 __asm__("r9") = a6;
	long ret;

	__asm__ __volatile__("syscall"
			     : "=a"(ret)
			     : "a"(nr), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8),
			       "r"(r9)
			     : "rcx", "r11", "memory");
	return ret;
}

#endif /* COMPEL_ARCH_SYSCALL_H */
