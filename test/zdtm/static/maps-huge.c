// SPDX-License-Identifier: GPL-2.0
/*
 * maps-huge: a 1.5 GiB private anonymous map with only a few pages
 * written at spread offsets. They keep their data, sampled untouched
 * pages read zero, and the map is not populated by the restore.
 */
#include <sys/mman.h>

#include "zdtmtst.h"

#define MAP_SIZE	(1536UL << 20)
#define NR_TOUCHED	24
#define SEED		0x6e6e
#define NR_SAMPLES	4096

static unsigned long touched_page(int i)
{
	unsigned long pages = MAP_SIZE / PAGE_SZ;

	/* First, last, and spread between with odd strides. */
	if (i == 0)
		return 0;
	if (i == NR_TOUCHED - 1)
		return pages - 1;
	return (pages / NR_TOUCHED) * i + i * 7;
}

static int is_touched(unsigned long page)
{
	for (int i = 0; i < NR_TOUCHED; i++)
		if (touched_page(i) == page)
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long pages = MAP_SIZE / PAGE_SZ;
	long rss_kb;
	char *map;
	int i;

	test_init(argc, argv);
	map = mmap(NULL, MAP_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS |
		   MAP_NORESERVE, -1, 0);
	if (map == MAP_FAILED) {
		fail("mmap: %m");
		return 1;
	}
	madvise(map, MAP_SIZE, MADV_NOHUGEPAGE);
	for (i = 0; i < NR_TOUCHED; i++)
		pattern_fill(map + touched_page(i) * PAGE_SZ, PAGE_SZ, SEED + i);
	test_daemon();
	test_waitsig();

	rss_kb = vma_smaps_kb((unsigned long)map, "Rss:");
	if (rss_kb < 0 || rss_kb > NR_TOUCHED * 4 + 4096)
		fail("Rss of the map is %ld kB for %d written pages", rss_kb, NR_TOUCHED);
	for (i = 0; i < NR_TOUCHED; i++)
		if (pattern_check(map + touched_page(i) * PAGE_SZ, PAGE_SZ, SEED + i) >= 0)
			fail("written page %lu lost its data", touched_page(i));
	for (i = 0; i < NR_SAMPLES; i++) {
		unsigned long page = (pages / NR_SAMPLES) * i + (i % 13);

		if (!is_touched(page) && zero_check(map + page * PAGE_SZ, PAGE_SZ) >= 0) {
			fail("untouched page %lu is not zero", page);
			break;
		}
	}
	return test_result();
}
