// SPDX-License-Identifier: GPL-2.0
/*
 * The code compel_syscall_batch() copies into a thread: it runs a table of
 * syscalls in order, stores each result beside its arguments, and stops on
 * int3. One resume then does the work of many injected syscalls, each of
 * which costs two ptrace stops.
 *
 * In: rdi = the table, a u64 count followed by count entries of eight u64:
 * nr, a1..a6, result (struct compel_call). Only registers are used (no
 * stack) and no absolute address, so it runs wherever it is mapped; the
 * registers it changes are put back by compel afterwards.
 */
asm(".pushsection .rodata\n"
    ".globl compel_batch_code\n"
    ".globl compel_batch_code_end\n"
    "compel_batch_code:\n"
    "	mov (%rdi), %rbx\n"
    "	lea 8(%rdi), %r12\n"
    "1:	test %rbx, %rbx\n"
    "	jz 2f\n"
    "	mov 0(%r12), %rax\n"
    "	mov 8(%r12), %rdi\n"
    "	mov 16(%r12), %rsi\n"
    "	mov 24(%r12), %rdx\n"
    "	mov 32(%r12), %r10\n"
    "	mov 40(%r12), %r8\n"
    "	mov 48(%r12), %r9\n"
    "	syscall\n"
    "	mov %rax, 56(%r12)\n"
    "	add $64, %r12\n"
    "	dec %rbx\n"
    "	jmp 1b\n"
    "2:	int3\n"
    "compel_batch_code_end:\n"
    ".popsection\n");
