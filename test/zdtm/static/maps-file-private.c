// SPDX-License-Identifier: GPL-2.0
/*
 * maps-file-private: a private file mapping with some pages written
 * (copied on write). Written pages keep the new data, the others still
 * show the file, and the file itself never changes.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zdtmtst.h"

#define FILE_NAME	"maps-file-private.data"
#define FILE_PAGES	16
#define MAP_OFF		4 /* the second map starts at this file page */
#define FILE_SEED	0xf11e
#define COW_SEED	0xc0c0

static const int cow_pages[] = { 1, 5, 9, 11 };
static char *map_all, *map_tail;
static struct vma vma_all, vma_tail;
static struct stat st_before;

static int is_cow(int page)
{
	for (size_t i = 0; i < ARRAY_SIZE(cow_pages); i++)
		if (cow_pages[i] == page)
			return 1;
	return 0;
}

static void fill_file_page(char *buf, int page)
{
	pattern_fill(buf, PAGE_SZ, FILE_SEED + page);
}

static int make_file(void)
{
	char buf[PAGE_SZ];
	int fd = open(FILE_NAME, O_RDWR | O_CREAT | O_TRUNC, 0644);

	if (fd < 0)
		return -1;
	for (int i = 0; i < FILE_PAGES; i++) {
		fill_file_page(buf, i);
		if (write(fd, buf, PAGE_SZ) != (ssize_t)PAGE_SZ) {
			close(fd);
			return -1;
		}
	}
	return fd;
}

static int setup(void)
{
	int fd = make_file();

	if (fd < 0 || fstat(fd, &st_before)) {
		fail("can't create %s: %m", FILE_NAME);
		return -1;
	}
	map_all = mmap(NULL, FILE_PAGES * PAGE_SZ, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	map_tail = mmap(NULL, (FILE_PAGES - MAP_OFF) * PAGE_SZ, PROT_READ | PROT_WRITE,
			MAP_PRIVATE, fd, MAP_OFF * PAGE_SZ);
	close(fd); /* the maps alone must bring the file back */
	if (map_all == MAP_FAILED || map_tail == MAP_FAILED) {
		fail("mmap: %m");
		return -1;
	}
	for (int i = 0; i < FILE_PAGES; i++)
		if (is_cow(i))
			pattern_fill(map_all + i * PAGE_SZ, PAGE_SZ, COW_SEED + i);
	/* The tail map gets its own copy of one page. */
	pattern_fill(map_tail, PAGE_SZ, COW_SEED + 100);
	if (vma_find((unsigned long)map_all, &vma_all) ||
	    vma_find((unsigned long)map_tail, &vma_tail)) {
		fail("maps not in /proc/self/maps");
		return -1;
	}
	return 0;
}

static void check_map(void)
{
	for (int i = 0; i < FILE_PAGES; i++) {
		uint64_t seed = is_cow(i) ? COW_SEED + i : FILE_SEED + i;
		long off = pattern_check(map_all + i * PAGE_SZ, PAGE_SZ, seed);

		if (off >= 0)
			fail("map page %d (%s) differs at %ld", i, is_cow(i) ? "COWed" : "file",
			     off);
	}
	if (pattern_check(map_tail, PAGE_SZ, COW_SEED + 100) >= 0)
		fail("tail map: COWed page 0 differs");
	for (int i = 1; i < FILE_PAGES - MAP_OFF; i++)
		if (pattern_check(map_tail + i * PAGE_SZ, PAGE_SZ, FILE_SEED + MAP_OFF + i) >= 0)
			fail("tail map: page %d does not show the file", i);
}

static void check_vma(const char *name, const struct vma *before, void *addr)
{
	struct vma now;

	if (vma_find((unsigned long)addr, &now)) {
		fail("%s: gone from /proc/self/maps", name);
		return;
	}
	if (now.start != before->start || now.end != before->end || now.pgoff != before->pgoff ||
	    now.ino != before->ino || strcmp(now.perms, before->perms) ||
	    strcmp(now.path, before->path))
		fail("%s: was %lx-%lx %s %llx %llu %s, now %lx-%lx %s %llx %llu %s", name,
		     before->start, before->end, before->perms, before->pgoff, before->ino,
		     before->path, now.start, now.end, now.perms, now.pgoff, now.ino, now.path);
}

static void check_file(void)
{
	char buf[PAGE_SZ], want[PAGE_SZ];
	struct stat st;
	int fd = open(FILE_NAME, O_RDONLY);

	if (fd < 0 || fstat(fd, &st)) {
		fail("can't open %s: %m", FILE_NAME);
		return;
	}
	if (st.st_ino != st_before.st_ino || st.st_size != st_before.st_size)
		fail("file was replaced or resized");
	for (int i = 0; i < FILE_PAGES; i++) {
		fill_file_page(want, i);
		if (pread(fd, buf, PAGE_SZ, i * PAGE_SZ) != (ssize_t)PAGE_SZ ||
		    memcmp(buf, want, PAGE_SZ))
			fail("file page %d changed", i);
	}
	close(fd);
}

int main(int argc, char **argv)
{
	test_init(argc, argv);
	if (setup())
		return 1;
	test_daemon();
	test_waitsig();

	check_map();
	check_vma("map", &vma_all, map_all);
	check_vma("tail map", &vma_tail, map_tail);
	check_file();
	return test_result();
}
