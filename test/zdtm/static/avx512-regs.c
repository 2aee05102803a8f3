// SPDX-License-Identifier: GPL-2.0
/*
 * avx512-regs: zmm0-31 and k0-7 hold known patterns while the test spins
 * in an asm loop (not in a syscall) across checkpoint/restore; the loop
 * ends when SIGTERM sets the flag, then every register is compared.
 */
#include <string.h>

#include "zdtmtst.h"

#define NR_ZMM	32
#define NR_K	8

static unsigned char zmm_in[NR_ZMM][64] __attribute__((aligned(64)));
static unsigned char zmm_out[NR_ZMM][64] __attribute__((aligned(64)));
static uint64_t k_in[NR_K], k_out[NR_K];

#define ZMM_LIST "0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23," \
		 "24,25,26,27,28,29,30,31"

/*
 * One asm statement from load to store: any C call in between (even the
 * signal handler's glibc code is fine, the kernel saves it) could use
 * vector registers itself.
 */
static void hold_registers(void)
{
	__asm__ volatile(
		".irp i," ZMM_LIST "\n"
		"vmovdqu64 \\i*64(%[zin]), %%zmm\\i\n"
		".endr\n"
		".irp i,0,1,2,3,4,5,6,7\n"
		"kmovq \\i*8(%[kin]), %%k\\i\n"
		".endr\n"
		"1: pause\n"
		"cmpl $0, %[flag]\n"
		"je 1b\n"
		".irp i," ZMM_LIST "\n"
		"vmovdqu64 %%zmm\\i, \\i*64(%[zout])\n"
		".endr\n"
		".irp i,0,1,2,3,4,5,6,7\n"
		"kmovq %%k\\i, \\i*8(%[kout])\n"
		".endr\n"
		:
		: [zin] "r"(zmm_in), [kin] "r"(k_in), [zout] "r"(zmm_out), [kout] "r"(k_out),
		  [flag] "m"(test_sigterm)
		: "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",
		  "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15",
		  "xmm16", "xmm17", "xmm18", "xmm19", "xmm20", "xmm21", "xmm22", "xmm23",
		  "xmm24", "xmm25", "xmm26", "xmm27", "xmm28", "xmm29", "xmm30", "xmm31",
		  "k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7");
}

int main(int argc, char **argv)
{
	int i;

	test_init(argc, argv);
	if (!__builtin_cpu_supports("avx512f") || !__builtin_cpu_supports("avx512bw")) {
		fail("the CPU lacks avx512f/avx512bw (the runner should have skipped this)");
		return 1;
	}
	pattern_fill(zmm_in, sizeof(zmm_in), 0x512);
	pattern_fill(k_in, sizeof(k_in), 0x6b);
	test_daemon();
	hold_registers();

	for (i = 0; i < NR_ZMM; i++)
		if (memcmp(zmm_in[i], zmm_out[i], 64)) {
			int b = 0;

			while (zmm_in[i][b] == zmm_out[i][b])
				b++;
			fail("zmm%d differs from byte %d (%s half)", i, b, b < 32 ? "low" : "high");
		}
	for (i = 0; i < NR_K; i++)
		if (k_in[i] != k_out[i])
			fail("k%d is %#llx, want %#llx", i, (unsigned long long)k_out[i],
			     (unsigned long long)k_in[i]);
	return test_result();
}
