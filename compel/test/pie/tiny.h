/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The argument block shared by the tiny test blob and test-blob.c, the
 * host program that loads it.
 */
#ifndef COMPEL_TEST_TINY_H
#define COMPEL_TEST_TINY_H

#define TINY_NR_OPS	4

struct tiny_args {
	long op;		/* index into the blob's table of functions */
	long a, b;
	long fd;		/* the blob writes its greeting here */
	long pid;		/* what sys_getpid() must return */
	long result;		/* ops[op](a, b) */
	long kind;		/* a switch over a on b (a jump table) */
	long calls;		/* tiny_calls_base + calls so far (bss) */
	long copy_len;		/* bytes of the greeting to memcpy into copy */
	char name[16];		/* the op's name, through a table of pointers */
	char copy[64];
};

long tiny_main(struct tiny_args *args);

#endif /* COMPEL_TEST_TINY_H */
