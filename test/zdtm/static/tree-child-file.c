// SPDX-License-Identifier: GPL-2.0
/*
 * tree-child-file: only a child holds a file open. The root has three
 * children, the first with a child of its own; the last child (no other
 * task opens it) holds child-held.data in the work dir, written and
 * seeked to a known offset. After restore the holder still has the file
 * with its data and offset, and everyone its ids. special/child-fails
 * removes the file after the dump, so that restore fails in that child.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zdtmtst.h"

#define HELD_FILE	"child-held.data"
#define FILE_LEN	12288
#define FILE_POS	4321
#define FILE_SEED	0xf11eULL

enum { K0, K1, K2, K0_KID, NR_MEMBERS };

static const struct {
	const char *name;
	int parent;
} specs[NR_MEMBERS] = {
	[K0] = { "child 0", -1 },
	[K1] = { "child 1", -1 },
	[K2] = { "child 2 (holds " HELD_FILE ")", -1 },
	[K0_KID] = { "child 0's child", K0 },
};

#define EXIT_OK(i)	(10 + (i))

static pid_t pids[NR_MEMBERS];
static char buf[FILE_LEN];

static int open_held(void)
{
	int fd = open(HELD_FILE, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0) {
		fail("open %s: %m", HELD_FILE);
		return -1;
	}
	pattern_fill(buf, sizeof(buf), FILE_SEED);
	if (write(fd, buf, sizeof(buf)) != sizeof(buf) || lseek(fd, FILE_POS, SEEK_SET) < 0) {
		fail("write %s: %m", HELD_FILE);
		close(fd);
		return -1;
	}
	return fd;
}

static void check_held(int fd)
{
	struct stat st;
	off_t pos = lseek(fd, 0, SEEK_CUR);

	if (fstat(fd, &st) || st.st_size != FILE_LEN)
		fail("%s: size %lld, want %d", HELD_FILE, (long long)st.st_size, FILE_LEN);
	if (pos != FILE_POS)
		fail("%s: offset %lld, want %d", HELD_FILE, (long long)pos, FILE_POS);
	if (pread(fd, buf, sizeof(buf), 0) != sizeof(buf) ||
	    pattern_check(buf, sizeof(buf), FILE_SEED) >= 0)
		fail("%s: data changed", HELD_FILE);
}

static void __attribute__((noreturn)) member(int self);

static int spawn_children(int self)
{
	for (int i = 0; i < NR_MEMBERS; i++) {
		if (specs[i].parent != self)
			continue;
		pids[i] = fork();
		if (pids[i] == 0)
			member(i);
		if (pids[i] < 0) {
			fail("fork: %m");
			return -1;
		}
	}
	return 0;
}

static void finish(int self)
{
	for (int i = 0; i < NR_MEMBERS; i++)
		if (specs[i].parent == self && pids[i] > 0)
			kill(pids[i], SIGTERM);
	for (int i = 0; i < NR_MEMBERS; i++)
		if (specs[i].parent == self && pids[i] > 0)
			tree_reap(pids[i], EXIT_OK(i), specs[i].name);
}

static void member(int self)
{
	struct tree_ids ids;
	int fd = -1, ok;

	tree_ids_get(&ids);
	if (self == K2)
		fd = open_held();
	ok = !spawn_children(self) && (self != K2 || fd >= 0);
	tree_ready_done(ok);
	test_waitsig();
	tree_ids_check(&ids, specs[self].name);
	if (fd >= 0)
		check_held(fd);
	finish(self);
	_exit(test_failures() ? 1 : EXIT_OK(self));
}

int main(int argc, char **argv)
{
	struct tree_ids ids;

	test_init(argc, argv);
	if (tree_ready_init())
		return 1;
	tree_ids_get(&ids);
	ids.ppid = 0;
	if (spawn_children(-1) || tree_ready_wait(NR_MEMBERS)) {
		finish(-1);
		return 1;
	}
	test_daemon();
	test_waitsig();

	tree_ids_check(&ids, "root");
	finish(-1);
	return test_result();
}
