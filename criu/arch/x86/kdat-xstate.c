// SPDX-License-Identifier: GPL-2.0
/*
 * x86 hook of the kernel probes: how big the XSAVE area a dump must save is,
 * as ptrace's NT_X86_XSTATE regset returns it, next to what CPUID leaf 0xD
 * says, and the feature mask (XCR0) the kernel exposes to user space.
 */
#include <cpuid.h>
#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>

#define LOG_PREFIX "kdat: "
#include "kdat.h"
#include "log.h"

/*
 * The kernel copies its software-reserved words into bytes 464..511 of the
 * legacy FXSAVE area of the regset (the same words a signal frame carries):
 * magic1, extended size, xfeatures, xstate size.
 */
#define XSTATE_SW_OFFSET	464
#define XSTATE_LEGACY_SIZE	512
#define XSTATE_HEADER_SIZE	64
#define FP_XSTATE_MAGIC1	0x46505853U
#define XSTATE_BUF_MAX		(64 * 1024)	/* AMX tiles need ~11 KB today */

struct xstate_sw_bytes {
	uint32_t magic1;
	uint32_t extended_size;
	uint64_t xfeatures;
	uint32_t xstate_size;
	uint32_t padding[7];
};

static void probe_cpuid(struct kdat_xstate *x, uint64_t *cpu_mask)
{
	unsigned int eax, ebx, ecx, edx;

	*cpu_mask = 0;
	if (__get_cpuid_max(0, NULL) < 0xd)
		return;
	__cpuid_count(0xd, 0, eax, ebx, ecx, edx);
	x->cpu_size = ebx;
	x->cpu_max_size = ecx;
	*cpu_mask = eax | (uint64_t)edx << 32;
}

int arch_kdat_probe_xstate(pid_t pid, struct kdat_xstate *x)
{
	size_t len = XSTATE_BUF_MAX;
	struct xstate_sw_bytes sw;
	uint64_t cpu_mask;
	struct iovec iov;
	void *buf;

	probe_cpuid(x, &cpu_mask);
	buf = calloc(1, len);
	if (!buf) {
		pr_err("can't allocate %zu bytes for the xstate probe\n", len);
		x->res = (struct kdat_result){ PROBE_FAILED, ENOMEM };
		return -1;
	}
	iov.iov_base = buf;
	iov.iov_len = len;
	if (ptrace(PTRACE_GETREGSET, pid, (void *)NT_X86_XSTATE, &iov)) {
		/* ENODEV: the CPU has no XSAVE; the FXSAVE regset still works */
		x->res = (struct kdat_result){ PROBE_UNSUPPORTED, errno };
		free(buf);
		return -1;
	}
	x->size = (uint32_t)iov.iov_len;
	x->xfeatures = cpu_mask;
	if (iov.iov_len >= XSTATE_LEGACY_SIZE + XSTATE_HEADER_SIZE) {
		memcpy(&sw, (char *)buf + XSTATE_SW_OFFSET, sizeof(sw));
		if (sw.magic1 == FP_XSTATE_MAGIC1)
			x->xfeatures = sw.xfeatures;
	}
	free(buf);
	x->res = (struct kdat_result){ PROBE_OK, 0 };
	pr_debug("xstate: regset %u bytes, xfeatures %#llx; cpuid 0xd: %u enabled, %u max\n",
		 x->size, (unsigned long long)x->xfeatures, x->cpu_size, x->cpu_max_size);
	return 0;
}
