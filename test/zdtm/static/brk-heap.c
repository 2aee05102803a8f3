// SPDX-License-Identifier: GPL-2.0
/*
 * brk-heap: the heap grown with sbrk keeps its end (sbrk(0)), its data
 * and the mm fields /proc/self/stat shows (start_brk, data, args, env);
 * after restore it grows further and the new part works.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "zdtmtst.h"

#define GROW		(4UL << 20)
#define GROW_AFTER	(1UL << 20)
#define SEED		0xb4b4

/* Fields 45..51 of /proc/self/stat: start_data .. env_end. */
#define MM_FIRST	45
#define MM_LAST		51

static int read_mm_fields(unsigned long *vals)
{
	static char buf[4096];
	char *p;
	int field;

	if (read_file("/proc/self/stat", buf, sizeof(buf)) <= 0)
		return -1;
	/* comm may hold spaces; fields count from after its ')'. */
	p = strrchr(buf, ')');
	if (!p)
		return -1;
	for (field = 3, p += 2; field < MM_FIRST; field++) {
		p = strchr(p, ' ');
		if (!p)
			return -1;
		p++;
	}
	for (; field <= MM_LAST; field++)
		if (sscanf(p, "%lu", &vals[field - MM_FIRST]) != 1 || !(p = strchr(p, ' ')))
			return -1;
		else
			p++;
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long mm_before[MM_LAST - MM_FIRST + 1], mm_now[MM_LAST - MM_FIRST + 1];
	char *heap, *brk_before, *more;
	long off;

	test_init(argc, argv);
	heap = sbrk(GROW);
	if (heap == (void *)-1) {
		fail("sbrk: %m");
		return 1;
	}
	pattern_fill(heap, GROW, SEED);
	brk_before = sbrk(0);
	if (read_mm_fields(mm_before)) {
		fail("can't parse /proc/self/stat");
		return 1;
	}
	test_daemon();
	test_waitsig();

	if (sbrk(0) != brk_before)
		fail("brk moved from %p to %p", brk_before, sbrk(0));
	off = pattern_check(heap, GROW, SEED);
	if (off >= 0)
		fail("heap data differs at offset %ld", off);
	if (read_mm_fields(mm_now))
		fail("can't parse /proc/self/stat");
	for (int i = 0; i <= MM_LAST - MM_FIRST; i++)
		if (mm_now[i] != mm_before[i])
			fail("/proc/self/stat field %d was %#lx, now %#lx", MM_FIRST + i,
			     mm_before[i], mm_now[i]);
	more = sbrk(GROW_AFTER);
	if (more != brk_before) {
		fail("sbrk after restore returned %p, want %p", more, brk_before);
		return test_result();
	}
	pattern_fill(more, GROW_AFTER, SEED + 1);
	if (pattern_check(more, GROW_AFTER, SEED + 1) >= 0)
		fail("memory from sbrk after restore does not hold data");
	return test_result();
}
