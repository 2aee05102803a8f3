// SPDX-License-Identifier: GPL-2.0
/*
 * sigaltstack: the alternate signal stack is still registered after
 * restore, with the same base and size, its contents are intact, and an
 * SA_ONSTACK handler really runs on it.
 */
#include <sys/mman.h>

#include "zdtmtst.h"

#define ALT_SIZE	(64 << 10)
#define SEED		0xa175

static char *alt;
static volatile unsigned long handler_sp;
static volatile int handler_onstack;

static void handler(int signo)
{
	stack_t ss;
	char here;

	(void)signo;
	handler_sp = (unsigned long)&here;
	if (!sigaltstack(NULL, &ss))
		handler_onstack = !!(ss.ss_flags & SS_ONSTACK);
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = handler, .sa_flags = SA_ONSTACK };
	stack_t ss = { 0 }, now;

	test_init(argc, argv);
	alt = mmap(NULL, ALT_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (alt == MAP_FAILED) {
		fail("mmap: %m");
		return 1;
	}
	/* The low half is never reached by one small handler: it must persist. */
	pattern_fill(alt, ALT_SIZE / 2, SEED);
	ss.ss_sp = alt;
	ss.ss_size = ALT_SIZE;
	sigemptyset(&sa.sa_mask);
	if (sigaltstack(&ss, NULL) || sigaction(SIGUSR1, &sa, NULL)) {
		fail("sigaltstack/sigaction: %m");
		return 1;
	}
	test_daemon();
	test_waitsig();

	if (sigaltstack(NULL, &now))
		fail("sigaltstack query: %m");
	else if (now.ss_sp != alt || now.ss_size != ALT_SIZE || now.ss_flags != 0)
		fail("altstack is %p size %zu flags %#x, want %p size %d flags 0", now.ss_sp,
		     now.ss_size, now.ss_flags, (void *)alt, ALT_SIZE);
	if (pattern_check(alt, ALT_SIZE / 2, SEED) >= 0)
		fail("altstack contents changed");
	raise(SIGUSR1);
	if (handler_sp < (unsigned long)alt || handler_sp >= (unsigned long)alt + ALT_SIZE)
		fail("handler ran at sp %#lx, outside the altstack %p", handler_sp, (void *)alt);
	if (!handler_onstack)
		fail("sigaltstack in the handler did not report SS_ONSTACK");
	return test_result();
}
