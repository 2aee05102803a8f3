// SPDX-License-Identifier: GPL-2.0
/*
 * tree-shape: a process tree grown from a fan-out list, one entry per
 * level (--fanout=64 wide, --fanout=4,4,4 three levels, --fanout=1*40 a
 * chain of 40). Every member keeps its ids, private data of its own and
 * pages it shares copy-on-write with the root; after restore each checks
 * them, ends its children and reaps them, and the root collects it all.
 * Used by tree-wide, tree-3level and tree-deep (see their .desc).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "zdtmtst.h"

#define MAX_LEVELS	64
#define MAX_FANOUT	128
#define MAX_MEMBERS	4096
#define HERITAGE_PAGES	8
#define HERITAGE_SEED	0x4e7a6eULL
/* A member's exit code names its place among its siblings. */
#define EXIT_OK(idx)	(10 + (idx))
#define EXIT_BAD	1

struct member {
	int depth;
	int idx;
	uint64_t seed;
	char name[4 * MAX_LEVELS];
	struct tree_ids ids;
	char *data;
	int nr_kids;
	pid_t kids[MAX_FANOUT];
};

static int fanout[MAX_LEVELS];
static int levels;
static size_t data_len = 64 << 10;
/* Filled by the root before the first fork: page 0 each member rewrites. */
static char *heritage;

static int parse_fanout(const char *spec)
{
	const char *p = spec;

	while (*p) {
		char *end;
		long n = strtol(p, &end, 10), rep = 1;

		if (*end == '*')
			rep = strtol(end + 1, &end, 10);
		if (end == p || n < 1 || n > MAX_FANOUT || rep < 1 || levels + rep > MAX_LEVELS)
			return -1;
		while (rep--)
			fanout[levels++] = n;
		if (*end == ',')
			end++;
		else if (*end)
			return -1;
		p = end;
	}
	return levels ? 0 : -1;
}

static int nr_members(void)
{
	long total = 0, row = 1;

	for (int i = 0; i < levels; i++) {
		row *= fanout[i];
		total += row;
		if (total > MAX_MEMBERS)
			return -1;
	}
	return total;
}

/* Own data and page 0 of the heritage: this member's alone after COW. */
static int fill_member(struct member *m)
{
	tree_ids_get(&m->ids);
	m->data = mmap(NULL, data_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		       0);
	if (m->data == MAP_FAILED) {
		fail("%s: mmap: %m", m->name);
		return -1;
	}
	pattern_fill(m->data, data_len, m->seed);
	pattern_fill(heritage, PAGE_SZ, m->seed);
	return 0;
}

static int check_member(struct member *m)
{
	int bad = tree_ids_check(&m->ids, m->name);
	long off;

	if ((off = pattern_check(m->data, data_len, m->seed)) >= 0) {
		fail("%s: private data differs at offset %ld", m->name, off);
		bad = -1;
	}
	if ((off = pattern_check(heritage, PAGE_SZ, m->seed)) >= 0) {
		fail("%s: its copy of the shared page 0 differs at offset %ld", m->name, off);
		bad = -1;
	}
	off = pattern_check(heritage + PAGE_SZ, (HERITAGE_PAGES - 1) * PAGE_SZ,
			    HERITAGE_SEED);
	if (off >= 0) {
		fail("%s: a page inherited from the root differs at offset %ld", m->name,
		     off + (long)PAGE_SZ);
		bad = -1;
	}
	return bad;
}

/* After SIGTERM: pass it on, check ourselves, collect the children. */
static int finish_member(struct member *m)
{
	char who[sizeof(m->name) + 16];
	int bad;

	for (int i = 0; i < m->nr_kids; i++)
		kill(m->kids[i], SIGTERM);
	bad = check_member(m);
	for (int i = 0; i < m->nr_kids; i++) {
		if (snprintf(who, sizeof(who), "%s%s%d", m->name, m->depth ? "." : " child ",
			     i) >= (int)sizeof(who) || tree_reap(m->kids[i], EXIT_OK(i), who))
			bad = -1;
	}
	return bad;
}

static void __attribute__((noreturn)) run_member(struct member *m);

/* Fork this member's children; each becomes a member one level down. */
static int grow(struct member *m)
{
	if (m->depth >= levels)
		return 0;
	for (int i = 0; i < fanout[m->depth]; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			fail("%s: fork: %m", m->name);
			return -1;
		}
		if (pid == 0) {
			struct member kid = {
				.depth = m->depth + 1,
				.idx = i,
				.seed = m->seed * 131 + i + 1,
			};

			/* 4 bytes a level hold ".127": the name always fits */
			if (snprintf(kid.name, sizeof(kid.name), "%s%s%d", m->depth ? m->name : "",
				     m->depth ? "." : "", i) >= (int)sizeof(kid.name))
				_exit(EXIT_BAD);
			run_member(&kid);
		}
		m->kids[m->nr_kids++] = pid;
	}
	return 0;
}

static void run_member(struct member *m)
{
	int ok = !fill_member(m) && !grow(m);

	tree_ready_done(ok);
	test_waitsig();
	_exit(finish_member(m) || !ok ? EXIT_BAD : EXIT_OK(m->idx));
}

int main(int argc, char **argv)
{
	struct member root = { .seed = 0x700d, .name = "root" };
	const char *spec, *len;
	int total;

	test_init(argc, argv);
	spec = test_opt("fanout");
	if (!spec || parse_fanout(spec) || (total = nr_members()) < 0) {
		fail("need --fanout=N[*R][,N...] with at most %d levels and %d members",
		     MAX_LEVELS, MAX_MEMBERS);
		return 1;
	}
	len = test_opt("data-kb");
	if (len)
		data_len = strtoul(len, NULL, 10) << 10;
	if (data_len < PAGE_SZ) {
		fail("--data-kb must be at least 4");
		return 1;
	}
	heritage = mmap(NULL, HERITAGE_PAGES * PAGE_SZ, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (heritage == MAP_FAILED) {
		fail("mmap: %m");
		return 1;
	}
	pattern_fill(heritage + PAGE_SZ, (HERITAGE_PAGES - 1) * PAGE_SZ, HERITAGE_SEED);
	if (tree_ready_init() || fill_member(&root))
		return 1;
	root.ids.ppid = 0;
	grow(&root);
	if (tree_ready_wait(total)) {
		/* End what did start: SIGTERM makes each member collect its own. */
		finish_member(&root);
		return 1;
	}
	test_msg("%d members in %d levels ready", total, levels);
	test_daemon();
	test_waitsig();

	finish_member(&root);
	return test_result();
}
