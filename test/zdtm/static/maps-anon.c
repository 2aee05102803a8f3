// SPDX-License-Identifier: GPL-2.0
/*
 * maps-anon: private and shared anonymous mappings keep their contents,
 * their place and protections in /proc/self/maps, and their sharing
 * semantics (a child sees shared writes but not private ones).
 */
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "zdtmtst.h"

#define PRIV_SIZE	(4 << 20)
#define SHARED_SIZE	(2 << 20)
#define RO_SIZE		(64 << 10)

struct area {
	const char *name;
	size_t size;
	int prot, flags;
	uint64_t seed;
	char *addr;
	struct vma before;
};

static struct area areas[] = {
	{ .name = "private", .size = PRIV_SIZE, .prot = PROT_READ | PROT_WRITE,
	  .flags = MAP_PRIVATE, .seed = 0x1001 },
	{ .name = "shared", .size = SHARED_SIZE, .prot = PROT_READ | PROT_WRITE,
	  .flags = MAP_SHARED, .seed = 0x2002 },
	{ .name = "private-ro", .size = RO_SIZE, .prot = PROT_READ, .flags = MAP_PRIVATE,
	  .seed = 0x3003 },
	{ .name = "shared-ro", .size = RO_SIZE, .prot = PROT_READ, .flags = MAP_SHARED,
	  .seed = 0x4004 },
};

static int setup(struct area *a)
{
	a->addr = mmap(NULL, a->size, PROT_READ | PROT_WRITE, a->flags | MAP_ANONYMOUS, -1, 0);
	if (a->addr == MAP_FAILED) {
		fail("mmap %s: %m", a->name);
		return -1;
	}
	pattern_fill(a->addr, a->size, a->seed);
	if (mprotect(a->addr, a->size, a->prot)) {
		fail("mprotect %s: %m", a->name);
		return -1;
	}
	if (vma_find((unsigned long)a->addr, &a->before)) {
		fail("%s not in /proc/self/maps", a->name);
		return -1;
	}
	return 0;
}

static void check(struct area *a)
{
	struct vma now;
	long off;

	off = pattern_check(a->addr, a->size, a->seed);
	if (off >= 0)
		fail("%s: data differs at offset %ld", a->name, off);
	if (vma_find((unsigned long)a->addr, &now)) {
		fail("%s: gone from /proc/self/maps", a->name);
		return;
	}
	if (now.start != a->before.start || now.end != a->before.end ||
	    strcmp(now.perms, a->before.perms))
		fail("%s: was %lx-%lx %s, now %lx-%lx %s", a->name, a->before.start,
		     a->before.end, a->before.perms, now.start, now.end, now.perms);
}

/*
 * A restore that turns a shared mapping private (or the reverse) keeps
 * the data but breaks the semantics; a child's writes tell them apart.
 */
static void check_sharing(void)
{
	char *priv = areas[0].addr, *shared = areas[1].addr;
	pid_t pid;
	int status;

	priv[0] = 'p';
	shared[0] = 's';
	pid = fork();
	if (pid < 0) {
		fail("fork: %m");
		return;
	}
	if (pid == 0) {
		priv[0] = 'P';
		shared[0] = 'S';
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		fail("child did not exit cleanly");
	if (priv[0] != 'p')
		fail("private map sees the child's write");
	if (shared[0] != 'S')
		fail("shared map does not see the child's write");
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
	check_sharing();
	return test_result();
}
