// SPDX-License-Identifier: GPL-2.0
/*
 * signals-pending: blocked signals pending at checkpoint time, both
 * process-wide (kill, sigqueue) and thread-directed (tgkill,
 * rt_tgsigqueueinfo), with real-time ones queued several times with
 * distinct values. After restore the mask and pending set are the same,
 * and once unblocked each arrives, RT ones with their values in order.
 */
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "zdtmtst.h"

#define NR_SHARED_RT	5
#define NR_THREAD_RT	3
#define MAX_LOG		32

static int rt_shared, rt_thread;
static struct {
	int signo, value, code;
} logbuf[MAX_LOG];
static volatile int nr_log;

static void handler(int signo, siginfo_t *si, void *uc)
{
	(void)uc;
	if (nr_log < MAX_LOG) {
		logbuf[nr_log].signo = signo;
		logbuf[nr_log].value = si->si_value.sival_int;
		logbuf[nr_log].code = si->si_code;
		nr_log++;
	}
}

static int queue_thread_rt(int value)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	si.si_signo = rt_thread;
	si.si_code = SI_QUEUE;
	si.si_pid = getpid();
	si.si_uid = getuid();
	si.si_value.sival_int = value;
	return syscall(SYS_rt_tgsigqueueinfo, getpid(), gettid(), rt_thread, &si);
}

static int setup(sigset_t *blocked)
{
	struct sigaction sa = { .sa_sigaction = handler, .sa_flags = SA_SIGINFO };
	int sigs[] = { SIGUSR1, SIGUSR2, rt_shared, rt_thread };
	union sigval v;

	sigemptyset(&sa.sa_mask);
	sigemptyset(blocked);
	for (size_t i = 0; i < ARRAY_SIZE(sigs); i++) {
		sigaction(sigs[i], &sa, NULL);
		sigaddset(blocked, sigs[i]);
	}
	sigaddset(blocked, SIGQUIT); /* blocked but never raised */
	sigprocmask(SIG_BLOCK, blocked, NULL);

	kill(getpid(), SIGUSR1);
	syscall(SYS_tgkill, getpid(), gettid(), SIGUSR2);
	for (int i = 1; i <= NR_SHARED_RT; i++) {
		v.sival_int = 100 + i;
		if (sigqueue(getpid(), rt_shared, v))
			return -1;
	}
	for (int i = 1; i <= NR_THREAD_RT; i++)
		if (queue_thread_rt(200 + i))
			return -1;
	return 0;
}

static void check_sets(const sigset_t *blocked)
{
	sigset_t now, pending;

	sigprocmask(SIG_SETMASK, NULL, &now);
	sigpending(&pending);
	for (int i = 1; i < _NSIG; i++) {
		int want_pending = i == SIGUSR1 || i == SIGUSR2 || i == rt_shared || i == rt_thread;

		if (sigismember(&now, i) != sigismember(blocked, i))
			fail("signal %d: blocked %d, want %d", i, sigismember(&now, i),
			     sigismember(blocked, i));
		if (sigismember(&pending, i) != want_pending)
			fail("signal %d: pending %d, want %d", i, sigismember(&pending, i),
			     want_pending);
	}
}

/* RT values in queue order; each standard signal exactly once. */
static void check_log(void)
{
	int usr1 = 0, usr2 = 0, next_shared = 101, next_thread = 201;

	for (int i = 0; i < nr_log; i++) {
		int s = logbuf[i].signo, v = logbuf[i].value;

		if (s == SIGUSR1)
			usr1++;
		else if (s == SIGUSR2)
			usr2++;
		else if (s == rt_shared && v == next_shared && logbuf[i].code == SI_QUEUE)
			next_shared++;
		else if (s == rt_thread && v == next_thread && logbuf[i].code == SI_QUEUE)
			next_thread++;
		else
			fail("unexpected delivery #%d: signal %d value %d code %d", i, s, v,
			     logbuf[i].code);
	}
	if (usr1 != 1 || usr2 != 1)
		fail("SIGUSR1 arrived %d times, SIGUSR2 %d times", usr1, usr2);
	if (next_shared != 101 + NR_SHARED_RT || next_thread != 201 + NR_THREAD_RT)
		fail("RT signals: got %d of %d shared, %d of %d thread-directed",
		     next_shared - 101, NR_SHARED_RT, next_thread - 201, NR_THREAD_RT);
}

int main(int argc, char **argv)
{
	sigset_t blocked, unblock;

	test_init(argc, argv);
	rt_shared = SIGRTMIN + 2;
	rt_thread = SIGRTMIN + 5;
	if (setup(&blocked)) {
		fail("can't queue signals: %m");
		return 1;
	}
	test_daemon();
	test_waitsig();

	check_sets(&blocked);
	if (nr_log)
		fail("%d signals were delivered while blocked", nr_log);
	unblock = blocked;
	sigdelset(&unblock, SIGQUIT);
	sigprocmask(SIG_UNBLOCK, &unblock, NULL);
	check_log();
	return test_result();
}
