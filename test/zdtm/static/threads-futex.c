// SPDX-License-Identifier: GPL-2.0
/*
 * threads-futex: threads blocked in every common kind of futex wait when
 * checkpointed: FUTEX_WAIT with no timeout, with a relative timeout and
 * (BITSET) with an absolute one, pthread_cond_wait and timedwait, and
 * pthread_mutex_lock on a plain and a priority-inheritance mutex held by
 * main (the PI futex word holds main's tid, so it must still be main's).
 * After restore main wakes them all: each must have slept through the
 * checkpoint (no EINTR, no early timeout) and wake at once.
 */
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "zdtmtst.h"

#define HOUR_S		3600
#define JOIN_S		5

enum kind {
	RAW_WAIT,
	RAW_TIMED,
	RAW_BITSET_ABS,
	COND_WAIT,
	COND_TIMED,
	MUTEX_PLAIN,
	MUTEX_PI,
};

static const struct {
	enum kind kind;
	const char *name;
} waiters[] = {
	{ RAW_WAIT, "futex wait" },
	{ RAW_WAIT, "futex wait" },
	{ RAW_TIMED, "futex wait, relative timeout" },
	{ RAW_BITSET_ABS, "futex wait bitset, absolute timeout" },
	{ COND_WAIT, "cond wait" },
	{ COND_WAIT, "cond wait" },
	{ COND_TIMED, "cond timedwait" },
	{ MUTEX_PLAIN, "mutex lock" },
	{ MUTEX_PI, "PI mutex lock" },
};

#define NR_WAITERS	((int)ARRAY_SIZE(waiters))

static volatile int gate;	/* the raw futex word: 0 closed, 1 open */
static int go;			/* the condition's predicate, under cond_lock */
static pthread_mutex_t cond_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond;
static pthread_mutex_t plain_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t pi_lock;
static volatile pid_t tids[NR_WAITERS];
/* Written by each thread for main: what went wrong, or empty. */
static char problem[NR_WAITERS][128];

static long futex(volatile int *addr, int op, int val, const struct timespec *ts, int mask)
{
	return syscall(SYS_futex, addr, op, val, ts, NULL, mask);
}

static void abs_deadline(struct timespec *ts, int secs)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += secs;
}

/* A return before the gate opened is what a bad restore looks like. */
static void raw_wait(int i, enum kind kind)
{
	struct timespec ts = { HOUR_S, 0 };
	long ret;

	if (kind == RAW_BITSET_ABS)
		abs_deadline(&ts, HOUR_S);
	while (!gate) {
		if (kind == RAW_WAIT)
			ret = futex(&gate, FUTEX_WAIT_PRIVATE, 0, NULL, 0);
		else if (kind == RAW_TIMED)
			ret = futex(&gate, FUTEX_WAIT_PRIVATE, 0, &ts, 0);
		else
			ret = futex(&gate, FUTEX_WAIT_BITSET_PRIVATE, 0, &ts, FUTEX_BITSET_MATCH_ANY);
		if (!gate) {
			snprintf(problem[i], sizeof(problem[i]), "returned %ld (%s) before the wake",
				 ret, ret ? strerror(errno) : "no error");
			return;
		}
	}
}

/* POSIX allows spurious wake-ups here: loop on the predicate. */
static void cond_wait(int i, enum kind kind)
{
	struct timespec ts;
	int ret = 0;

	abs_deadline(&ts, HOUR_S);
	pthread_mutex_lock(&cond_lock);
	while (!go && !ret)
		ret = kind == COND_WAIT ? pthread_cond_wait(&cond, &cond_lock)
					: pthread_cond_timedwait(&cond, &cond_lock, &ts);
	pthread_mutex_unlock(&cond_lock);
	if (ret)
		snprintf(problem[i], sizeof(problem[i]), "returned %s", strerror(ret));
}

static void mutex_wait(int i, pthread_mutex_t *m)
{
	int ret = pthread_mutex_lock(m);

	if (ret) {
		snprintf(problem[i], sizeof(problem[i]), "lock: %s", strerror(ret));
		return;
	}
	if (!gate)
		snprintf(problem[i], sizeof(problem[i]), "got the lock before main let it go");
	pthread_mutex_unlock(m);
}

static void *waiter(void *arg)
{
	int i = (int)(long)arg;
	enum kind kind = waiters[i].kind;

	tids[i] = gettid();
	switch (kind) {
	case RAW_WAIT:
	case RAW_TIMED:
	case RAW_BITSET_ABS:
		raw_wait(i, kind);
		break;
	case COND_WAIT:
	case COND_TIMED:
		cond_wait(i, kind);
		break;
	case MUTEX_PLAIN:
		mutex_wait(i, &plain_lock);
		break;
	case MUTEX_PI:
		mutex_wait(i, &pi_lock);
		break;
	}
	if (gettid() != tids[i])
		snprintf(problem[i], sizeof(problem[i]), "tid %d, was %d", gettid(), tids[i]);
	return NULL;
}

/* Blocked means: inside futex(2) right now, per /proc/self/task/TID/syscall. */
static int in_futex(pid_t tid)
{
	char path[64], buf[256];

	snprintf(path, sizeof(path), "/proc/self/task/%d/syscall", tid);
	return read_file(path, buf, sizeof(buf)) > 0 && atoi(buf) == SYS_futex;
}

static int wait_blocked(void)
{
	for (int i = 0; i < NR_WAITERS; i++) {
		int tries = 0;

		while (!tids[i] || !in_futex(tids[i])) {
			if (++tries > 5000) {
				fail("%s thread %d never blocked in futex()", waiters[i].name, i);
				return -1;
			}
			test_sleep_ms(1);
		}
	}
	return 0;
}

static int init_locks(void)
{
	pthread_mutexattr_t ma;
	pthread_condattr_t ca;

	/* CLOCK_MONOTONIC: the timed waits must not depend on the wall clock. */
	if (pthread_condattr_init(&ca) || pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) ||
	    pthread_cond_init(&cond, &ca) || pthread_mutexattr_init(&ma) ||
	    pthread_mutexattr_setprotocol(&ma, PTHREAD_PRIO_INHERIT) ||
	    pthread_mutex_init(&pi_lock, &ma))
		return -1;
	/* Held by main until after restore. */
	if (pthread_mutex_lock(&plain_lock) || pthread_mutex_lock(&pi_lock))
		return -1;
	return 0;
}

static void wake_all(void)
{
	int ret;

	gate = 1;
	futex(&gate, FUTEX_WAKE_PRIVATE, 1 << 30, NULL, 0);
	pthread_mutex_lock(&cond_lock);
	go = 1;
	pthread_cond_broadcast(&cond);
	pthread_mutex_unlock(&cond_lock);
	if ((ret = pthread_mutex_unlock(&plain_lock)))
		fail("unlocking the plain mutex: %s", strerror(ret));
	/* EPERM here: the PI futex no longer names us as its owner */
	if ((ret = pthread_mutex_unlock(&pi_lock)))
		fail("unlocking the PI mutex: %s", strerror(ret));
}

int main(int argc, char **argv)
{
	pthread_t th[NR_WAITERS];
	struct timespec deadline;
	int early[NR_WAITERS];
	sigset_t term;
	int i, ret;

	test_init(argc, argv);
	if (init_locks()) {
		fail("can't set up the locks");
		return 1;
	}
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &term, NULL);
	for (i = 0; i < NR_WAITERS; i++)
		if (pthread_create(&th[i], NULL, waiter, (void *)(long)i)) {
			fail("pthread_create failed");
			return 1;
		}
	pthread_sigmask(SIG_UNBLOCK, &term, NULL);
	if (wait_blocked())
		return 1;
	test_daemon();
	test_waitsig();

	/* Whatever is written now was written before the wake. */
	for (i = 0; i < NR_WAITERS; i++)
		if ((early[i] = problem[i][0]))
			fail("%s thread %d woke early: %s", waiters[i].name, i, problem[i]);
	wake_all();
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += JOIN_S;
	for (i = 0; i < NR_WAITERS; i++) {
		ret = pthread_timedjoin_np(th[i], NULL, &deadline);
		if (ret)
			fail("%s thread %d did not wake: %s", waiters[i].name, i, strerror(ret));
		else if (problem[i][0] && !early[i])
			fail("%s thread %d: %s", waiters[i].name, i, problem[i]);
	}
	return test_result();
}
