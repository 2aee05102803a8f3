// SPDX-License-Identifier: GPL-2.0
/*
 * maps-sparse: a 256 MiB private anonymous map with every 97th page
 * written. Written pages keep their data, the others still read as zero,
 * the untouched pages are not populated (restore must not fill them), and
 * the map's VmFlags are as they were (restore may register it with a
 * userfaultfd to copy pages in; that must not show).
 */
#include <string.h>
#include <sys/mman.h>

#include "zdtmtst.h"

#define MAP_SIZE	(256UL << 20)
#define STRIDE		97
#define SEED		0x5a5a

int main(int argc, char **argv)
{
	unsigned long pages = MAP_SIZE / PAGE_SZ, touched = 0, i;
	char flags[128], now[128];
	long rss_kb;
	char *map;

	test_init(argc, argv);
	map = mmap(NULL, MAP_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (map == MAP_FAILED) {
		fail("mmap: %m");
		return 1;
	}
	/* THP would populate 2 MiB around each touched page. */
	madvise(map, MAP_SIZE, MADV_NOHUGEPAGE);
	for (i = 0; i < pages; i += STRIDE, touched++)
		pattern_fill(map + i * PAGE_SZ, PAGE_SZ, SEED + i);
	if (vma_vmflags((unsigned long)map, flags, sizeof(flags))) {
		fail("no VmFlags for the map");
		return 1;
	}
	test_daemon();
	test_waitsig();

	if (vma_vmflags((unsigned long)map, now, sizeof(now)) || strcmp(flags, now))
		fail("VmFlags were '%s', now '%s'", flags, now);

	/* Look at Rss before reading: reading maps the zero page. */
	rss_kb = vma_smaps_kb((unsigned long)map, "Rss:");
	if (rss_kb < 0)
		fail("no Rss for the map in smaps");
	else if ((unsigned long)rss_kb > touched * PAGE_SZ / 1024 + 4096)
		fail("Rss %ld kB, but only %lu pages were written", rss_kb, touched);
	for (i = 0; i < pages; i++) {
		char *p = map + i * PAGE_SZ;
		long off;

		if (i % STRIDE)
			off = zero_check(p, PAGE_SZ);
		else
			off = pattern_check(p, PAGE_SZ, SEED + i);
		if (off >= 0) {
			fail("page %lu (%s) differs at byte %ld", i,
			     i % STRIDE ? "untouched" : "written", off);
			break;
		}
	}
	return test_result();
}
