// SPDX-License-Identifier: GPL-2.0
/*
 * Loads the tiny test blob the way the restorer is loaded: relocate it in
 * one anonymous area for a random address elsewhere, move it there with
 * mremap, and call its entry; then once more in place. Prints TAP.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <compel/blob.h>
#include "common/page.h"
#include "pie/got.h"
#include "pie/tiny.h"
#include "got-blob.h"
#include "tiny-blob.h"

typedef long (*tiny_fn)(struct tiny_args *);

static int nr_test, failed;

static void check(int ok, const char *what)
{
	printf("%sok %d - %s\n", ok ? "" : "not ", ++nr_test, what);
	if (!ok)
		failed = 1;
}

/* A random page-aligned address with room for the blob, unmapped now. */
static void *random_hole(size_t size)
{
	size_t span = 1UL << 30;
	char *area = mmap(NULL, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
			  -1, 0);
	unsigned long off;

	if (area == MAP_FAILED)
		return NULL;
	off = (random() % ((span - size) / PAGE_SIZE)) * PAGE_SIZE;
	munmap(area, span);
	return area + off;
}

static void *load_moved(const struct compel_blob_desc *d)
{
	size_t size = PAGE_ALIGN(d->size);
	void *mem, *target = random_hole(size);

	mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!target || mem == MAP_FAILED)
		return NULL;
	/* Relocated for target while it still sits at mem, which is fresh: zero. */
	compel_blob_relocate_fresh(mem, d, (unsigned long)target);
	if (mprotect(mem, size, PROT_READ | PROT_WRITE | PROT_EXEC))
		return NULL;
	target = mremap(mem, size, size, MREMAP_MAYMOVE | MREMAP_FIXED, target);
	return target == MAP_FAILED ? NULL : target;
}

static void *load_in_place(const struct compel_blob_desc *d)
{
	size_t size = PAGE_ALIGN(d->size);
	void *mem = mmap(NULL, size, PROT_READ | PROT_WRITE | PROT_EXEC,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (mem == MAP_FAILED)
		return NULL;
	/* Dirty the area first: the loader must clear the bss itself. */
	memset(mem, 0xa5, size);
	compel_blob_relocate(mem, d, (unsigned long)mem);
	return mem;
}

static void run(char *base, long op, long a, long b, long expect, long kind,
		const char *name, long calls)
{
	static const char greeting[] = "hello from a blob\n";
	struct tiny_args args = { .op = op, .a = a, .b = b, .pid = getpid(), .copy_len = 5 };
	tiny_fn fn = (tiny_fn)(base + TINY_BLOB_ENTRY);
	char buf[64] = "";
	int p[2];

	if (pipe(p)) {
		check(0, "pipe");
		return;
	}
	args.fd = p[1];
	check(fn(&args) == 0, "entry returns 0");
	check(args.result == expect, "result through a table of function pointers");
	check(args.kind == kind, "switch through a jump table");
	check(!strcmp(args.name, name), "name through a table of string pointers");
	check(args.calls == calls, "bss counter and exported data");
	check(!memcmp(args.copy, greeting, 5) && !args.copy[5], "memcpy linked into the blob");
	check(read(p[0], buf, sizeof(buf) - 1) == sizeof(greeting) - 1 && !strcmp(buf, greeting),
	      "greeting from rodata written with sys_write");
	close(p[0]);
	close(p[1]);
}

int main(void)
{
	const struct compel_blob_desc *d = &tiny_blob_desc;
	char *base;
	long k;

	srandom(time(NULL) ^ getpid());
	check(d->size >= d->bytes_len && d->nr_relocs >= 2 * TINY_NR_OPS, "descriptor");
	check(compel_blob_sym_off(d, "tiny_main") == (long)TINY_BLOB_OFF_tiny_main &&
	      TINY_BLOB_OFF_tiny_main == TINY_BLOB_ENTRY, "entry at the head, found by name");
	check(compel_blob_sym_off(d, "calls") < 0, "static symbols are not exported");

	base = load_moved(d);
	check(base != NULL, "relocated, then moved to a random address");
	if (!base)
		return 1;
	printf("# blob at %p, %lu bytes, %lu relocations\n", base, d->size, d->nr_relocs);
	run(base, 0, 40, 2, 42, -1, "add", 1001);
	run(base, 2, 6, 7, 42, 71, "mul", 1002);
	{
		struct tiny_args args = { .op = 3, .a = 3, .b = 5, .pid = getpid(), .fd = -1 };

		/* fd -1: the write fails, so the entry reports it. */
		k = ((tiny_fn)(base + TINY_BLOB_ENTRY))(&args);
		check(k == -3, "syscall errors come back as -errno");
	}
	*(long *)(base + TINY_BLOB_OFF_tiny_calls_base) = 2000;
	run(base, 3, 3, 5, 6, 2775, "xor", 2003);

	base = load_in_place(d);
	check(base != NULL, "loaded in place over dirty memory");
	if (base)
		run(base, 1, 50, 8, 42, -1, "sub", 1001);

	/* Calls and a weak reference through GOT slots that compel-hgen made. */
	base = load_moved(&got_blob_desc);
	check(base && got_blob_desc.nr_relocs >= 2 &&
	      ((long (*)(long))(base + GOT_BLOB_ENTRY))(10) == 27, "GOT slots");
	printf("# %d tests, %s\n", nr_test, failed ? "FAILED" : "all passed");
	return failed;
}
