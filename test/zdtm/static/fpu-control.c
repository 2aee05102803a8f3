// SPDX-License-Identifier: GPL-2.0
/*
 * fpu-control: a non-default x87 control word and MXCSR, four values on
 * the x87 stack and patterns in xmm0-15 survive while the test spins in
 * an asm loop; the status word (stack top) must be unchanged too.
 */
#include <string.h>

#include "zdtmtst.h"

/* Round toward zero, 53-bit precision, all exceptions masked. */
#define TEST_FCW	0x0e7f
/* FTZ, round up, DAZ, all exceptions masked. */
#define TEST_MXCSR	0xdfc0
#define DEFAULT_FCW	0x037f
#define DEFAULT_MXCSR	0x1f80

static struct {
	uint16_t fcw, fsw;
	uint32_t mxcsr;
	long double st[4];
	unsigned char xmm[16][16];
} in, out, dflt;

/* All in one asm statement: C code in between must not see this state. */
static void hold_state(void)
{
	__asm__ volatile(
		"fninit\n"
		"fldcw %[fcw_in]\n"
		"ldmxcsr %[mx_in]\n"
		"fldt 0(%[st_in])\n"
		"fldt 16(%[st_in])\n"
		"fldt 32(%[st_in])\n"
		"fldt 48(%[st_in])\n"
		".irp i,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n"
		"movdqu \\i*16(%[x_in]), %%xmm\\i\n"
		".endr\n"
		"fnstsw %[fsw_in]\n"
		"1: pause\n"
		"cmpl $0, %[flag]\n"
		"je 1b\n"
		"fnstcw %[fcw_out]\n"
		"fnstsw %[fsw_out]\n"
		"stmxcsr %[mx_out]\n"
		".irp i,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n"
		"movdqu %%xmm\\i, \\i*16(%[x_out])\n"
		".endr\n"
		"fstpt 48(%[st_out])\n"
		"fstpt 32(%[st_out])\n"
		"fstpt 16(%[st_out])\n"
		"fstpt 0(%[st_out])\n"
		"fldcw %[fcw_def]\n"
		"ldmxcsr %[mx_def]\n"
		: [fsw_in] "=m"(in.fsw), [fcw_out] "=m"(out.fcw), [fsw_out] "=m"(out.fsw),
		  [mx_out] "=m"(out.mxcsr)
		: [fcw_in] "m"(in.fcw), [mx_in] "m"(in.mxcsr), [st_in] "r"(in.st),
		  [x_in] "r"(in.xmm), [x_out] "r"(out.xmm), [st_out] "r"(out.st),
		  [flag] "m"(test_sigterm), [fcw_def] "m"(dflt.fcw), [mx_def] "m"(dflt.mxcsr)
		: "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",
		  "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
}

int main(int argc, char **argv)
{
	test_init(argc, argv);
	in.fcw = TEST_FCW;
	in.mxcsr = TEST_MXCSR;
	in.st[0] = 3.14159265358979323846264338327950288L;
	in.st[1] = 1.0L / 3.0L;
	in.st[2] = -12345.6789e-300L;
	in.st[3] = 2.5e4000L; /* beyond double: needs the full 80 bits */
	pattern_fill(in.xmm, sizeof(in.xmm), 0xf9u);
	dflt.fcw = DEFAULT_FCW;
	dflt.mxcsr = DEFAULT_MXCSR;
	test_daemon();
	hold_state();

	if (out.fcw != in.fcw)
		fail("x87 control word %#x, want %#x", out.fcw, in.fcw);
	if (out.fsw != in.fsw)
		fail("x87 status word %#x, want %#x", out.fsw, in.fsw);
	if (out.mxcsr != in.mxcsr)
		fail("MXCSR %#x, want %#x", out.mxcsr, in.mxcsr);
	for (int i = 0; i < 4; i++)
		if (memcmp(&in.st[i], &out.st[i], 10))
			fail("x87 stack value %d differs", i);
	for (int i = 0; i < 16; i++)
		if (memcmp(in.xmm[i], out.xmm[i], 16))
			fail("xmm%d differs", i);
	return test_result();
}
