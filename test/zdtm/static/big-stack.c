// SPDX-License-Identifier: GPL-2.0
/*
 * big-stack: ~6 MiB of main-thread stack in use at checkpoint time, in
 * recursive frames each holding a pattern that is checked on the way
 * back up after restore.
 */
#include <sys/resource.h>

#include "zdtmtst.h"

#define FRAME_SIZE	(64 << 10)
#define DEPTH		96 /* 96 * 64 KiB = 6 MiB */
#define SEED		0x57ac
#define WANT_STACK	(32UL << 20)

static int bad_frames;

/* noinline and the checks keep every frame and its array real. */
static __attribute__((noinline)) void recurse(int depth)
{
	char frame[FRAME_SIZE];

	pattern_fill(frame, sizeof(frame), SEED + depth);
	if (depth + 1 < DEPTH) {
		recurse(depth + 1);
	} else {
		test_daemon();
		test_waitsig();
	}
	if (pattern_check(frame, sizeof(frame), SEED + depth) >= 0) {
		if (!bad_frames++)
			fail("stack frame at depth %d lost its data", depth);
	}
	__asm__ volatile("" : : "r"(frame) : "memory");
}

/* Room for 6 MiB: raise the soft limit if the hard one allows. */
static void raise_stack_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_STACK, &rl) || rl.rlim_cur == RLIM_INFINITY ||
	    rl.rlim_cur >= WANT_STACK)
		return;
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > WANT_STACK ? WANT_STACK :
										  rl.rlim_max;
	setrlimit(RLIMIT_STACK, &rl);
}

int main(int argc, char **argv)
{
	test_init(argc, argv);
	raise_stack_limit();
	recurse(0);
	if (bad_frames > 1)
		fail("%d frames lost data in all", bad_frames);
	return test_result();
}
