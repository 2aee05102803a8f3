// SPDX-License-Identifier: GPL-2.0
/*
 * tree-siblings: the root forks four children that each fill 4 MiB of
 * private memory and share one MAP_SHARED page with everyone. After
 * restore each child still has its pid, parent and data, and the shared
 * page is still one page for all (a child's write is seen by the root).
 */
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "zdtmtst.h"

#define NR_KIDS		4
#define KID_MEM		(4UL << 20)

struct shared {
	volatile int ready;
	volatile pid_t pid[NR_KIDS];
	volatile int verdict[NR_KIDS]; /* 1 good, 2 bad */
};

static struct shared *sh;

/* Each child checks itself after SIGTERM and reports in the shared page. */
static void kid(int i, pid_t parent)
{
	char *mem = mmap(NULL, KID_MEM, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0);

	if (mem == MAP_FAILED)
		_exit(2);
	pattern_fill(mem, KID_MEM, 0x5151 + i);
	sh->pid[i] = getpid();
	__atomic_add_fetch(&sh->ready, 1, __ATOMIC_SEQ_CST);
	test_waitsig();
	if (pattern_check(mem, KID_MEM, 0x5151 + i) >= 0) {
		fail("child %d: memory changed", i);
		sh->verdict[i] = 2;
	} else if (getppid() != parent || getpid() != sh->pid[i]) {
		fail("child %d: pid %d ppid %d, want %d and %d", i, getpid(), getppid(),
		     sh->pid[i], parent);
		sh->verdict[i] = 2;
	} else {
		sh->verdict[i] = 1;
	}
	_exit(sh->verdict[i] == 1 ? 0 : 1);
}

int main(int argc, char **argv)
{
	pid_t pids[NR_KIDS];
	int i, status;

	test_init(argc, argv);
	sh = mmap(NULL, PAGE_SZ, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		fail("mmap: %m");
		return 1;
	}
	for (i = 0; i < NR_KIDS; i++) {
		pids[i] = fork();
		if (pids[i] < 0) {
			fail("fork: %m");
			return 1;
		}
		if (pids[i] == 0)
			kid(i, getppid());
	}
	while (sh->ready < NR_KIDS)
		test_sleep_ms(1);
	test_daemon();
	test_waitsig();

	for (i = 0; i < NR_KIDS; i++)
		if (sh->pid[i] != pids[i])
			fail("shared page: child %d pid %d, fork said %d", i, sh->pid[i], pids[i]);
	for (i = 0; i < NR_KIDS; i++)
		kill(pids[i], SIGTERM);
	for (i = 0; i < NR_KIDS; i++) {
		if (waitpid(pids[i], &status, 0) != pids[i])
			fail("child %d (pid %d) is not our child any more: %m", i, pids[i]);
		else if (!WIFEXITED(status) || WEXITSTATUS(status))
			fail("child %d exited with status %#x", i, status);
		else if (sh->verdict[i] != 1)
			fail("child %d's verdict did not reach the shared page", i);
	}
	return test_result();
}
