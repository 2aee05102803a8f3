// SPDX-License-Identifier: GPL-2.0
/*
 * maps-madvise: areas advised with MADV_HUGEPAGE, NOHUGEPAGE, DONTFORK,
 * DONTDUMP and WIPEONFORK keep their VmFlags (hg nh dc dd wf) and data.
 */
#include <string.h>
#include <sys/mman.h>

#include "zdtmtst.h"

#define AREA_SIZE	(4UL << 20)

struct area {
	int advice;
	const char *flag;
	char *addr;
	char vmflags[128];
};

static struct area areas[] = {
	{ .advice = MADV_HUGEPAGE, .flag = "hg" },
	{ .advice = MADV_NOHUGEPAGE, .flag = "nh" },
	{ .advice = MADV_DONTFORK, .flag = "dc" },
	{ .advice = MADV_DONTDUMP, .flag = "dd" },
	{ .advice = MADV_WIPEONFORK, .flag = "wf" },
};

/* Guard holes keep areas with equal flags from merging into one VMA. */
static int setup(struct area *a, uint64_t seed)
{
	char *p = mmap(NULL, AREA_SIZE + 2 * PAGE_SZ, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		fail("mmap: %m");
		return -1;
	}
	munmap(p, PAGE_SZ);
	munmap(p + PAGE_SZ + AREA_SIZE, PAGE_SZ);
	a->addr = p + PAGE_SZ;
	if (madvise(a->addr, AREA_SIZE, a->advice)) {
		fail("madvise for %s: %m", a->flag);
		return -1;
	}
	pattern_fill(a->addr, AREA_SIZE, seed);
	if (vma_vmflags((unsigned long)a->addr, a->vmflags, sizeof(a->vmflags)) ||
	    !vmflags_has(a->vmflags, a->flag)) {
		fail("area for %s has VmFlags '%s'", a->flag, a->vmflags);
		return -1;
	}
	return 0;
}

static void check(struct area *a, uint64_t seed)
{
	char now[128];
	struct vma v;
	long off;

	if (vma_find((unsigned long)a->addr, &v) || v.start != (unsigned long)a->addr ||
	    v.end != v.start + AREA_SIZE)
		fail("area for %s moved or was merged", a->flag);
	if (vma_vmflags((unsigned long)a->addr, now, sizeof(now)))
		fail("area for %s: no VmFlags", a->flag);
	else if (strcmp(now, a->vmflags))
		fail("area for %s: VmFlags were '%s', now '%s'", a->flag, a->vmflags, now);
	off = pattern_check(a->addr, AREA_SIZE, seed);
	if (off >= 0)
		fail("area for %s: data differs at %ld", a->flag, off);
}

int main(int argc, char **argv)
{
	size_t i;

	test_init(argc, argv);
	for (i = 0; i < ARRAY_SIZE(areas); i++)
		if (setup(&areas[i], 0xad00 + i))
			return 1;
	test_daemon();
	test_waitsig();

	for (i = 0; i < ARRAY_SIZE(areas); i++)
		check(&areas[i], 0xad00 + i);
	return test_result();
}
