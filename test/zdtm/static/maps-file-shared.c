// SPDX-License-Identifier: GPL-2.0
/*
 * maps-file-shared: a shared file mapping. Writes through it reach the
 * file before and after restore, and file writes show in the map, i.e.
 * the restored map still shares the file's page cache.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zdtmtst.h"

#define FILE_NAME	"maps-file-shared.data"
#define FILE_PAGES	8
#define SEED_BEFORE	0xbef0
#define SEED_AFTER	0xaf7e
#define SEED_FILE	0xf17e

static char *map;
static struct vma vma_before;

static int file_page_is(int fd, int page, uint64_t seed)
{
	char buf[PAGE_SZ];

	if (pread(fd, buf, PAGE_SZ, page * PAGE_SZ) != (ssize_t)PAGE_SZ)
		return 0;
	return pattern_check(buf, PAGE_SZ, seed) < 0;
}

static int setup(void)
{
	int fd = open(FILE_NAME, O_RDWR | O_CREAT | O_TRUNC, 0644);

	if (fd < 0 || ftruncate(fd, FILE_PAGES * PAGE_SZ)) {
		fail("can't create %s: %m", FILE_NAME);
		return -1;
	}
	map = mmap(NULL, FILE_PAGES * PAGE_SZ, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		fail("mmap: %m");
		return -1;
	}
	for (int i = 0; i < FILE_PAGES; i++)
		pattern_fill(map + i * PAGE_SZ, PAGE_SZ, SEED_BEFORE + i);
	if (!file_page_is(fd, 2, SEED_BEFORE + 2)) {
		fail("write through the map did not reach the file");
		return -1;
	}
	close(fd);
	if (vma_find((unsigned long)map, &vma_before)) {
		fail("map not in /proc/self/maps");
		return -1;
	}
	return 0;
}

static void check(void)
{
	char buf[PAGE_SZ];
	struct vma now;
	int fd, i;

	if (vma_find((unsigned long)map, &now) || now.start != vma_before.start ||
	    now.end != vma_before.end || strcmp(now.perms, vma_before.perms) ||
	    now.ino != vma_before.ino)
		fail("map moved or changed in /proc/self/maps");
	for (i = 0; i < FILE_PAGES; i++)
		if (pattern_check(map + i * PAGE_SZ, PAGE_SZ, SEED_BEFORE + i) >= 0)
			fail("map page %d lost its data", i);
	fd = open(FILE_NAME, O_RDWR);
	if (fd < 0) {
		fail("can't open %s: %m", FILE_NAME);
		return;
	}
	for (i = 0; i < FILE_PAGES; i++)
		if (!file_page_is(fd, i, SEED_BEFORE + i))
			fail("file page %d lost the data written through the map", i);
	/* Both directions of sharing, without msync. */
	pattern_fill(map + 3 * PAGE_SZ, PAGE_SZ, SEED_AFTER);
	if (!file_page_is(fd, 3, SEED_AFTER))
		fail("write through the restored map does not reach the file");
	pattern_fill(buf, PAGE_SZ, SEED_FILE);
	if (pwrite(fd, buf, PAGE_SZ, 5 * PAGE_SZ) != (ssize_t)PAGE_SZ)
		fail("pwrite: %m");
	else if (pattern_check(map + 5 * PAGE_SZ, PAGE_SZ, SEED_FILE) >= 0)
		fail("write to the file does not show in the restored map");
	close(fd);
}

int main(int argc, char **argv)
{
	test_init(argc, argv);
	if (setup())
		return 1;
	test_daemon();
	test_waitsig();

	check();
	return test_result();
}
