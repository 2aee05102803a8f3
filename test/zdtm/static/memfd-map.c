// SPDX-License-Identifier: GPL-2.0
/*
 * memfd-map: a memfd mapped shared and written through the mapping, and
 * another mapped private with one page copied-on-write. With
 * --closed=1 the memfds' fds are closed, so only the mappings hold them.
 * After restore the shared mapping and the memfd still see each other's
 * writes; the private one keeps its own page and still sees the file's
 * other pages, including writes to the file after restore.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "zdtmtst.h"

#define PAGES 4
#define LEN (PAGES * PAGE_SZ)

static char buf[LEN];

int main(int argc, char **argv)
{
	int closed, a, b, ra = -1, rb = -1;
	char *sh, *pr, proc[64];

	test_init(argc, argv);
	closed = test_opt("closed") && atoi(test_opt("closed"));
	a = memfd_create("zdtm map shared", 0);
	b = memfd_create("zdtm map private", MFD_ALLOW_SEALING);
	pattern_fill(buf, LEN, 1);
	if (a < 0 || b < 0 || ftruncate(a, LEN) || write(b, buf, LEN) != LEN) {
		fail("memfd set-up: %m");
		return 1;
	}
	sh = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, a, 0);
	pr = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE, b, 0);
	if (sh == MAP_FAILED || pr == MAP_FAILED || fcntl(b, F_ADD_SEALS, F_SEAL_SHRINK)) {
		fail("mmap: %m");
		return 1;
	}
	pattern_fill(sh, LEN, 2);
	memset(pr, 'P', PAGE_SZ);	/* copy-on-write of page 0 */
	if (closed) {
		close(a);
		close(b);
	}
	test_daemon();
	test_waitsig();

	if (pattern_check(sh, LEN, 2) >= 0)
		fail("the shared mapping lost its content");
	for (unsigned long i = 0; i < PAGE_SZ; i++)
		if (pr[i] != 'P') {
			fail("the private page lost its copy at %lu", i);
			break;
		}
	if (memcmp(pr + PAGE_SZ, buf + PAGE_SZ, LEN - PAGE_SZ))
		fail("the private mapping's other pages differ from the file");
	/* both memfds, reached through the mappings when their fds are gone */
	snprintf(proc, sizeof(proc), "/proc/self/map_files/%lx-%lx", (unsigned long)sh,
		 (unsigned long)sh + LEN);
	ra = closed ? open(proc, O_RDWR) : a;
	snprintf(proc, sizeof(proc), "/proc/self/map_files/%lx-%lx", (unsigned long)pr,
		 (unsigned long)pr + LEN);
	rb = closed ? open(proc, O_RDWR) : b;
	if (ra < 0 || rb < 0) {
		test_msg("can't reach the memfds through map_files: %m; no file checks\n");
		return test_result();
	}
	if (pwrite(ra, "S", 1, 100) != 1 || sh[100] != 'S')
		fail("a write to the shared memfd does not show in its mapping");
	sh[200] = 'T';
	if (pread(ra, buf, 1, 200) != 1 || buf[0] != 'T')
		fail("a write to the shared mapping does not reach the memfd");
	if (pwrite(rb, "Q", 1, 3 * PAGE_SZ) != 1 || pr[3 * PAGE_SZ] != 'Q')
		fail("a write to the private mapping's memfd does not show in an untouched page");
	if (pr[0] != 'P' || fcntl(rb, F_GET_SEALS) != F_SEAL_SHRINK)
		fail("the private page or the seals changed");
	return test_result();
}
