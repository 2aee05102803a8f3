// SPDX-License-Identifier: GPL-2.0
/*
 * threads-8: eight threads besides main, caught in different states: one
 * computing in user space, some sleeping in nanosleep, the rest blocked
 * on a futex. Each has its own tid, name, TLS (a word and a block), signal
 * mask and stack data; after restore each finds all of it intact, the
 * loop invariants of the running one still hold (registers, FPU), and
 * /proc/self/task lists exactly the same tids.
 */
#include <dirent.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "zdtmtst.h"

#define NR_THREADS	8
#define STACK_DATA	(16 << 10)
#define TLS_BLOCK	512

enum state { RUNNING, SLEEPING, FUTEX };

static __thread uint64_t tls_word;
static __thread char tls_block[TLS_BLOCK];
static volatile int stop, ready;
static volatile pid_t tids[NR_THREADS];
static volatile int verdict[NR_THREADS];

static enum state state_of(int i)
{
	return i == 0 ? RUNNING : i % 2 ? SLEEPING : FUTEX;
}

static void futex_wait(volatile int *addr, int val)
{
	syscall(SYS_futex, addr, FUTEX_WAIT_PRIVATE, val, NULL, NULL, 0);
}

static void futex_wake(volatile int *addr)
{
	syscall(SYS_futex, addr, FUTEX_WAKE_PRIVATE, 1 << 30, NULL, NULL, 0);
}

/* Thread i blocks SIGRTMIN+i, and SIGUSR1 too when i is even. */
static void make_mask(int i, sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGRTMIN + i);
	if (i % 2 == 0)
		sigaddset(set, SIGUSR1);
}

static int same_mask(int i)
{
	sigset_t want, got;

	make_mask(i, &want);
	pthread_sigmask(SIG_SETMASK, NULL, &got);
	for (int s = 1; s < SIGRTMAX; s++)
		if (sigismember(&want, s) != sigismember(&got, s))
			return 0;
	return 1;
}

static int check_name(int i)
{
	char path[64], name[32], want[16];

	snprintf(path, sizeof(path), "/proc/self/task/%d/comm", gettid());
	snprintf(want, sizeof(want), "thr-%d\n", i);
	return read_file(path, name, sizeof(name)) > 0 && !strcmp(name, want);
}

/* Threads fail() at the same time: count our own problems here. */
static int check_self(int i, const char *stack)
{
	int bad = 0;

	if (tls_word != 0x7700 + (uint64_t)i && ++bad)
		fail("thread %d: TLS word %#llx", i, (unsigned long long)tls_word);
	if (pattern_check(tls_block, TLS_BLOCK, 0x7900 + i) >= 0 && ++bad)
		fail("thread %d: TLS block changed", i);
	if (gettid() != tids[i] && ++bad)
		fail("thread %d: tid %d, was %d", i, gettid(), tids[i]);
	if (pattern_check(stack, STACK_DATA, 0x7800 + i) >= 0 && ++bad)
		fail("thread %d: stack data changed", i);
	if (!same_mask(i) && ++bad)
		fail("thread %d: signal mask changed", i);
	if (!check_name(i) && ++bad)
		fail("thread %d: name changed", i);
	return !bad;
}

/*
 * Integer and SSE registers that must stay in step while we are stopped;
 * the empty asm keeps them in registers and hides their relation from the
 * compiler, which could otherwise drop the check.
 */
static int spin(int i)
{
	uint64_t a = 1, b = 3;
	double d = 0;

	while (!stop) {
		a += 1;
		b += 3;
		d += 0.5;
		__asm__ volatile("" : "+r"(a), "+r"(b), "+x"(d));
		if (b != 3 * a || d != 0.5 * (double)(a - 1)) {
			fail("thread %d: loop invariant broken: a %llu b %llu d %f", i,
			     (unsigned long long)a, (unsigned long long)b, d);
			return -1;
		}
	}
	return 0;
}

static void *thread_fn(void *arg)
{
	int i = (int)(long)arg;
	char stack[STACK_DATA];
	char name[16];
	sigset_t mask;
	int ok = 1;

	tls_word = 0x7700 + i;
	pattern_fill(tls_block, TLS_BLOCK, 0x7900 + i);
	tids[i] = gettid();
	pattern_fill(stack, sizeof(stack), 0x7800 + i);
	make_mask(i, &mask);
	pthread_sigmask(SIG_SETMASK, &mask, NULL);
	snprintf(name, sizeof(name), "thr-%d", i);
	pthread_setname_np(pthread_self(), name);
	__atomic_add_fetch(&ready, 1, __ATOMIC_SEQ_CST);

	switch (state_of(i)) {
	case RUNNING:
		ok = !spin(i);
		break;
	case SLEEPING:
		while (!stop)
			test_sleep_ms(20);
		break;
	case FUTEX:
		while (!stop)
			futex_wait(&stop, 0);
		break;
	}
	verdict[i] = check_self(i, stack) && ok ? 1 : 2;
	__asm__ volatile("" : : "r"(stack) : "memory");
	return NULL;
}

/* Every thread's tid and only those: nothing lost, nothing extra. */
static void check_task_dir(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *de;
	int seen = 0, extra = 0;

	if (!d) {
		fail("opendir /proc/self/task: %m");
		return;
	}
	while ((de = readdir(d))) {
		pid_t tid = atoi(de->d_name);
		int known = tid == getpid();

		if (de->d_name[0] == '.')
			continue;
		for (int i = 0; i < NR_THREADS; i++)
			known |= tid == tids[i];
		seen += known;
		extra += !known;
	}
	closedir(d);
	if (seen != NR_THREADS + 1 || extra)
		fail("/proc/self/task: %d known tids of %d, %d unknown", seen, NR_THREADS + 1,
		     extra);
}

int main(int argc, char **argv)
{
	pthread_t th[NR_THREADS];
	sigset_t term;
	int i;

	test_init(argc, argv);
	/* Only main takes SIGTERM: threads start with it blocked. */
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &term, NULL);
	for (i = 0; i < NR_THREADS; i++)
		if (pthread_create(&th[i], NULL, thread_fn, (void *)(long)i)) {
			fail("pthread_create failed");
			return 1;
		}
	pthread_sigmask(SIG_UNBLOCK, &term, NULL);
	while (ready < NR_THREADS)
		test_sleep_ms(1);
	test_daemon();
	test_waitsig();

	check_task_dir();
	stop = 1;
	futex_wake(&stop);
	for (i = 0; i < NR_THREADS; i++) {
		pthread_join(th[i], NULL);
		if (verdict[i] != 1)
			fail("thread %d reported a problem", i);
	}
	return test_result();
}
