// SPDX-License-Identifier: GPL-2.0
/*
 * sigaction-flags: handlers with SA_ONSTACK, SA_RESTART, SA_SIGINFO,
 * SA_NODEFER, SA_RESETHAND and custom masks, plus ignored signals, read
 * back the same from sigaction() after restore, and still behave so:
 * handlers run with their masks and siginfo, RESETHAND resets, IGN ignores.
 */
#include <string.h>
#include <unistd.h>

#include "zdtmtst.h"

struct sig {
	int signo;
	int flags;
	int mask[3]; /* signals added to sa_mask, 0 terminated */
	int ignore;
	struct sigaction before;
};

static struct sig sigs[] = {
	{ .signo = SIGUSR1, .flags = SA_SIGINFO | SA_RESTART, .mask = { SIGUSR2, SIGHUP } },
	{ .signo = SIGUSR2, .flags = SA_NODEFER | SA_RESETHAND },
	{ .signo = SIGHUP, .flags = SA_ONSTACK, .mask = { SIGWINCH } },
	{ .signo = SIGCHLD, .flags = SA_NOCLDSTOP | SA_RESTART },
	{ .signo = 0 /* SIGRTMIN + 3 */, .flags = SA_SIGINFO, .mask = { SIGUSR1, SIGINT } },
	{ .signo = SIGPIPE, .ignore = 1 },
	{ .signo = SIGINT, .ignore = 1 },
	{ .signo = SIGWINCH, .ignore = 1 },
};

/* What the handlers saw, checked by the main flow. */
static volatile int hits[_NSIG];
static volatile int info_pid, info_code, info_value;
static sigset_t blocked_in[_NSIG];

static void handler(int signo)
{
	sigprocmask(SIG_SETMASK, NULL, &blocked_in[signo]);
	hits[signo]++;
}

static void handler_info(int signo, siginfo_t *si, void *uc)
{
	(void)uc;
	sigprocmask(SIG_SETMASK, NULL, &blocked_in[signo]);
	info_pid = si->si_pid;
	info_code = si->si_code;
	info_value = si->si_value.sival_int;
	hits[signo]++;
}

static int install(struct sig *s)
{
	struct sigaction sa = { 0 };

	if (s->ignore) {
		sa.sa_handler = SIG_IGN;
	} else if (s->flags & SA_SIGINFO) {
		sa.sa_sigaction = handler_info;
	} else {
		sa.sa_handler = handler;
	}
	sa.sa_flags = s->flags;
	sigemptyset(&sa.sa_mask);
	for (int i = 0; i < 3 && s->mask[i]; i++)
		sigaddset(&sa.sa_mask, s->mask[i]);
	if (sigaction(s->signo, &sa, NULL) || sigaction(s->signo, NULL, &s->before)) {
		fail("sigaction(%d): %m", s->signo);
		return -1;
	}
	return 0;
}

static int same_mask(const sigset_t *a, const sigset_t *b)
{
	for (int i = 1; i <= SIGRTMAX; i++)
		if (sigismember(a, i) != sigismember(b, i))
			return 0;
	return 1;
}

static void check_action(struct sig *s)
{
	struct sigaction now;

	if (sigaction(s->signo, NULL, &now)) {
		fail("sigaction(%d) query: %m", s->signo);
		return;
	}
	if (now.sa_handler != s->before.sa_handler)
		fail("signal %d: handler %p, was %p", s->signo, (void *)now.sa_handler,
		     (void *)s->before.sa_handler);
	if (now.sa_flags != s->before.sa_flags)
		fail("signal %d: flags %#x, were %#x", s->signo, now.sa_flags,
		     s->before.sa_flags);
	if ((now.sa_flags & s->flags) != s->flags)
		fail("signal %d: flags %#x lack %#x", s->signo, now.sa_flags, s->flags);
	if (!same_mask(&now.sa_mask, &s->before.sa_mask))
		fail("signal %d: sa_mask changed", s->signo);
}

/* Deliver after restore: masks during handlers, siginfo, RESETHAND. */
static void check_behaviour(void)
{
	union sigval val = { .sival_int = 4242 };
	int rt = SIGRTMIN + 3;
	struct sigaction now;

	raise(SIGUSR1);
	if (hits[SIGUSR1] != 1 || info_pid != getpid() || info_code != SI_TKILL)
		fail("SIGUSR1: hits %d pid %d code %d", hits[SIGUSR1], info_pid, info_code);
	if (!sigismember(&blocked_in[SIGUSR1], SIGUSR2) ||
	    !sigismember(&blocked_in[SIGUSR1], SIGHUP) ||
	    !sigismember(&blocked_in[SIGUSR1], SIGUSR1))
		fail("SIGUSR1 handler ran without its sa_mask");
	raise(SIGUSR2);
	if (hits[SIGUSR2] != 1 || sigismember(&blocked_in[SIGUSR2], SIGUSR2))
		fail("SIGUSR2 (SA_NODEFER) ran %d times, blocked itself: %d", hits[SIGUSR2],
		     sigismember(&blocked_in[SIGUSR2], SIGUSR2));
	if (sigaction(SIGUSR2, NULL, &now) || now.sa_handler != SIG_DFL)
		fail("SIGUSR2 (SA_RESETHAND) was not reset to SIG_DFL");
	raise(SIGHUP);
	if (hits[SIGHUP] != 1 || !sigismember(&blocked_in[SIGHUP], SIGWINCH))
		fail("SIGHUP handler: hits %d", hits[SIGHUP]);
	sigqueue(getpid(), rt, val);
	if (hits[rt] != 1 || info_value != 4242 || info_code != SI_QUEUE)
		fail("SIGRTMIN+3: hits %d value %d code %d", hits[rt], info_value, info_code);
	raise(SIGPIPE);
	raise(SIGINT);
	raise(SIGWINCH); /* still alive: they are ignored */
}

int main(int argc, char **argv)
{
	size_t i;

	test_init(argc, argv);
	sigs[4].signo = SIGRTMIN + 3;
	for (i = 0; i < ARRAY_SIZE(sigs); i++)
		if (install(&sigs[i]))
			return 1;
	test_daemon();
	test_waitsig();

	for (i = 0; i < ARRAY_SIZE(sigs); i++)
		check_action(&sigs[i]);
	for (i = 0; i < _NSIG; i++)
		if (hits[i])
			fail("signal %zu arrived before it was raised", i);
	check_behaviour();
	return test_result();
}
