// SPDX-License-Identifier: GPL-2.0
/*
 * A tiny blob for test-blob: tables of pointers (R_X86_64_64, fixed at
 * load time), strings in rodata, bss, an exported object, a jump table and
 * compiler-emitted memset/memcpy calls, so every part of the pipeline runs.
 */
#include <compel/pie.h>
#include <compel/syscalls.h>

#include "common/compiler.h"
#include "tiny.h"

static const char greeting[] = "hello from a blob\n";

static long op_add(long a, long b)
{
	return a + b;
}

static long op_sub(long a, long b)
{
	return a - b;
}

static long op_mul(long a, long b)
{
	return a * b;
}

static long op_xor(long a, long b)
{
	return a ^ b;
}

static long (*const ops[TINY_NR_OPS])(long, long) = { op_add, op_sub, op_mul, op_xor };
static const char *const names[TINY_NR_OPS] = { "add", "sub", "mul", "xor" };

static long calls;
COMPEL_EXPORT long tiny_calls_base = 1000;

/* Dense cases with code in each: gcc makes a jump table in rodata. */
static __attribute__((noinline)) long kind(long v, long w)
{
	switch (v) {
	case 0: return w + 100;
	case 1: return w * 101;
	case 2: return (w << 5) + 53;
	case 3: return w * w * 111;
	case 4: return w ^ 40;
	case 5: return -w;
	case 6: return w * 11 - v;
	case 7: return w * 1001;
	case 8: return w - 16;
	default: return -1;
	}
}

COMPEL_ENTRY long tiny_main(struct tiny_args *args)
{
	unsigned long i;

	if (sys_getpid() != args->pid)
		return -1;
	if ((unsigned long)args->op >= TINY_NR_OPS ||
	    (unsigned long)args->copy_len > sizeof(args->copy))
		return -2;
	if (sys_write(args->fd, greeting, sizeof(greeting) - 1) != sizeof(greeting) - 1)
		return -3;

	for (i = 0; i < sizeof(args->name) - 1 && names[args->op][i]; i++)
		args->name[i] = names[args->op][i];
	args->name[i] = '\0';

	/* A zeroing loop and a runtime-sized copy: calls to memset/memcpy. */
	for (i = 0; i < (unsigned long)args->copy_len + 1 && i < sizeof(args->copy); i++)
		args->copy[i] = 0;
	memcpy(args->copy, greeting, args->copy_len);

	args->calls = tiny_calls_base + ++calls;
	args->kind = kind(args->a, args->b);
	args->result = ops[args->op](args->a, args->b);
	return 0;
}
