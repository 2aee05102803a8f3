// SPDX-License-Identifier: GPL-2.0
/*
 * maps-mprotect: areas whose protection was changed after they were
 * filled (none, read, read+exec, write-only, written-then-read-only) keep
 * both their data and their permissions; the exec area still runs.
 */
#include <string.h>
#include <sys/mman.h>

#include "zdtmtst.h"

#define AREA_PAGES 4

struct area {
	const char *name;
	int prot;
	const char *perms;
	uint64_t seed;
	char *addr;
};

static struct area areas[] = {
	{ .name = "none", .prot = PROT_NONE, .perms = "---p", .seed = 0x11 },
	{ .name = "read", .prot = PROT_READ, .perms = "r--p", .seed = 0x22 },
	{ .name = "exec", .prot = PROT_READ | PROT_EXEC, .perms = "r-xp", .seed = 0 },
	{ .name = "write-only", .prot = PROT_WRITE, .perms = "-w-p", .seed = 0x44 },
	{ .name = "then-ro", .prot = PROT_READ, .perms = "r--p", .seed = 0x55 },
};

#define EXEC_MAGIC 0x2a5a7a9a

/* mov $EXEC_MAGIC, %eax; ret */
static const unsigned char exec_code[] = { 0xb8, 0x9a, 0x7a, 0x5a, 0x2a, 0xc3 };

static void fill(struct area *a)
{
	size_t len = AREA_PAGES * PAGE_SZ;

	if (a->seed) {
		pattern_fill(a->addr, len, a->seed);
		return;
	}
	memset(a->addr, 0xcc, len); /* int3 everywhere but the function */
	memcpy(a->addr + PAGE_SZ, exec_code, sizeof(exec_code));
}

/*
 * A hole of one page on each side keeps the kernel from merging an area
 * with a neighbour of the same protection, so its bounds are exact.
 */
static int setup(struct area *a)
{
	char *p = mmap(NULL, (AREA_PAGES + 2) * PAGE_SZ, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		fail("mmap %s: %m", a->name);
		return -1;
	}
	munmap(p, PAGE_SZ);
	munmap(p + (AREA_PAGES + 1) * PAGE_SZ, PAGE_SZ);
	a->addr = p + PAGE_SZ;
	fill(a);
	if (mprotect(a->addr, AREA_PAGES * PAGE_SZ, a->prot)) {
		fail("mprotect %s: %m", a->name);
		return -1;
	}
	return 0;
}

static void check_data(struct area *a)
{
	size_t len = AREA_PAGES * PAGE_SZ;
	long off;

	/* Only now make it readable: the restore had to cope without. */
	if (mprotect(a->addr, len, PROT_READ | (a->prot & PROT_EXEC))) {
		fail("mprotect %s for reading: %m", a->name);
		return;
	}
	if (a->seed) {
		off = pattern_check(a->addr, len, a->seed);
		if (off >= 0)
			fail("%s: data differs at offset %ld", a->name, off);
		return;
	}
	if (memcmp(a->addr + PAGE_SZ, exec_code, sizeof(exec_code)))
		fail("exec: code changed");
	else if (((int (*)(void))(a->addr + PAGE_SZ))() != EXEC_MAGIC)
		fail("exec: code returned the wrong value");
}

static void check(struct area *a)
{
	struct vma v;

	if (vma_find((unsigned long)a->addr, &v)) {
		fail("%s: gone from /proc/self/maps", a->name);
		return;
	}
	if (strcmp(v.perms, a->perms))
		fail("%s: perms %s, want %s", a->name, v.perms, a->perms);
	if (v.start != (unsigned long)a->addr || v.end != v.start + AREA_PAGES * PAGE_SZ)
		fail("%s: now %lx-%lx, was at %p", a->name, v.start, v.end, a->addr);
	check_data(a);
}

int main(int argc, char **argv)
{
	size_t i;

	test_init(argc, argv);
	for (i = 0; i < ARRAY_SIZE(areas); i++)
		if (setup(&areas[i]))
			return 1;
	test_daemon();
	test_waitsig();

	for (i = 0; i < ARRAY_SIZE(areas); i++)
		check(&areas[i]);
	return test_result();
}
