// SPDX-License-Identifier: GPL-2.0
/*
 * tree-sessions: a tree with its own structure of groups and sessions:
 * child A leads a new process group and has a grandchild in it, child B
 * leads a new session, child Z exited (a zombie nobody reaped yet). After
 * restore every pid, ppid, pgid and sid is the same, and Z's exit status
 * is still there to collect.
 */
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "zdtmtst.h"

enum { A, B, D, NR_WAITERS };

struct ids {
	pid_t pid, ppid, pgid, sid;
};

struct shared {
	volatile int ready;
	struct ids ids[NR_WAITERS];
	volatile int verdict[NR_WAITERS];
};

static struct shared *sh;
static const char *const names[] = { "A", "B", "grandchild" };

static void record(int who)
{
	sh->ids[who] = (struct ids){ getpid(), getppid(), getpgrp(), getsid(0) };
	__atomic_add_fetch(&sh->ready, 1, __ATOMIC_SEQ_CST);
}

static int same_ids(int who)
{
	struct ids *r = &sh->ids[who];

	if (r->pid == getpid() && r->ppid == getppid() && r->pgid == getpgrp() &&
	    r->sid == getsid(0))
		return 1;
	fail("%s: pid/ppid/pgid/sid %d/%d/%d/%d, were %d/%d/%d/%d", names[who], getpid(),
	     getppid(), getpgrp(), getsid(0), r->pid, r->ppid, r->pgid, r->sid);
	return 0;
}

/* Wait for SIGTERM, check our ids, and (for A) end the grandchild. */
static __attribute__((noreturn)) void wait_and_check(int who, pid_t kid)
{
	int status, ok;

	record(who);
	test_waitsig();
	ok = same_ids(who);
	if (kid > 0) {
		kill(kid, SIGTERM);
		if (waitpid(kid, &status, 0) != kid || !WIFEXITED(status) || WEXITSTATUS(status))
			ok = 0;
	}
	sh->verdict[who] = ok ? 1 : 2;
	_exit(ok ? 0 : 1);
}

/* A leads a new group and has a grandchild in it; B leads a session. */
static __attribute__((noreturn)) void waiter(int who)
{
	pid_t kid = 0;

	if (who == A) {
		setpgid(0, 0);
		kid = fork();
		if (kid == 0)
			wait_and_check(D, 0);
	} else {
		setsid();
	}
	wait_and_check(who, kid);
}

static void check_root(pid_t a, pid_t b, pid_t z)
{
	int status;

	if (getpgid(a) != a || getsid(a) != getpid())
		fail("A: pgid %d sid %d", getpgid(a), getsid(a));
	if (getsid(b) != b || getpgid(b) != b)
		fail("B: sid %d pgid %d", getsid(b), getpgid(b));
	if (waitpid(z, &status, WNOHANG) != z || !WIFEXITED(status) || WEXITSTATUS(status) != 42)
		fail("zombie child %d: no exit status 42 to collect", z);
	kill(a, SIGTERM);
	kill(b, SIGTERM);
	if (waitpid(a, &status, 0) != a || !WIFEXITED(status) || WEXITSTATUS(status))
		fail("A ended with %#x", status);
	if (waitpid(b, &status, 0) != b || !WIFEXITED(status) || WEXITSTATUS(status))
		fail("B ended with %#x", status);
	for (int i = 0; i < NR_WAITERS; i++)
		if (sh->verdict[i] != 1)
			fail("%s did not report success", names[i]);
}

int main(int argc, char **argv)
{
	pid_t a, b, z;

	test_init(argc, argv);
	sh = mmap(NULL, PAGE_SZ, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		fail("mmap: %m");
		return 1;
	}
	a = fork();
	if (a == 0)
		waiter(A);
	b = fork();
	if (b == 0)
		waiter(B);
	z = fork();
	if (z == 0)
		_exit(42);
	if (a < 0 || b < 0 || z < 0) {
		fail("fork: %m");
		return 1;
	}
	while (sh->ready < NR_WAITERS)
		test_sleep_ms(1);
	/* Z must be a zombie before we call ourselves ready. */
	while (waitid(P_PID, z, &(siginfo_t){ 0 }, WEXITED | WNOHANG | WNOWAIT) < 0)
		test_sleep_ms(1);
	test_daemon();
	test_waitsig();

	check_root(a, b, z);
	return test_result();
}
