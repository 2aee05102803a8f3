// SPDX-License-Identifier: GPL-2.0
/*
 * threads-basic: three threads besides main, each with its own TLS value,
 * tid, blocked signal and stack data, sleeping on a futex when
 * checkpointed. After restore each finds its state intact, the tids are
 * the same, and the threads wake and join normally.
 */
#include <linux/futex.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "zdtmtst.h"

#define NR_THREADS	3
#define STACK_DATA	(16 << 10)

static __thread uint64_t tls_value;
static volatile int stop, ready;
static volatile pid_t tids[NR_THREADS];
static volatile int verdict[NR_THREADS];

static void futex_wait(volatile int *addr, int val)
{
	syscall(SYS_futex, addr, FUTEX_WAIT_PRIVATE, val, NULL, NULL, 0);
}

static void futex_wake(volatile int *addr)
{
	syscall(SYS_futex, addr, FUTEX_WAKE_PRIVATE, 1 << 30, NULL, NULL, 0);
}

static int check_self(int i, const char *stack)
{
	sigset_t mask;

	if (tls_value != 0x7700 + (uint64_t)i)
		fail("thread %d: TLS value %#llx", i, (unsigned long long)tls_value);
	else if (gettid() != tids[i])
		fail("thread %d: tid %d, was %d", i, gettid(), tids[i]);
	else if (pattern_check(stack, STACK_DATA, 0x7800 + i) >= 0)
		fail("thread %d: stack data changed", i);
	else if (pthread_sigmask(SIG_SETMASK, NULL, &mask) ||
		 !sigismember(&mask, SIGRTMIN + i) || sigismember(&mask, SIGRTMIN + i + 1))
		fail("thread %d: signal mask changed", i);
	else
		return 1;
	return 0;
}

static void *thread_fn(void *arg)
{
	int i = (int)(long)arg;
	char stack[STACK_DATA];
	sigset_t mask;

	tls_value = 0x7700 + i;
	tids[i] = gettid();
	pattern_fill(stack, sizeof(stack), 0x7800 + i);
	sigemptyset(&mask);
	sigaddset(&mask, SIGRTMIN + i);
	pthread_sigmask(SIG_BLOCK, &mask, NULL);
	__atomic_add_fetch(&ready, 1, __ATOMIC_SEQ_CST);
	while (!stop)
		futex_wait(&stop, 0);
	verdict[i] = check_self(i, stack) ? 1 : 2;
	__asm__ volatile("" : : "r"(stack) : "memory");
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t th[NR_THREADS];
	sigset_t all;
	int i;

	test_init(argc, argv);
	/* Only main takes SIGTERM: threads start with it blocked. */
	sigemptyset(&all);
	sigaddset(&all, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	for (i = 0; i < NR_THREADS; i++)
		if (pthread_create(&th[i], NULL, thread_fn, (void *)(long)i)) {
			fail("pthread_create failed");
			return 1;
		}
	pthread_sigmask(SIG_UNBLOCK, &all, NULL);
	while (ready < NR_THREADS)
		test_sleep_ms(1);
	test_daemon();
	test_waitsig();

	stop = 1;
	futex_wake(&stop);
	for (i = 0; i < NR_THREADS; i++) {
		pthread_join(th[i], NULL);
		if (verdict[i] != 1)
			fail("thread %d reported a problem", i);
	}
	return test_result();
}
