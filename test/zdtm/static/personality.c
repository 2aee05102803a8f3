// SPDX-License-Identifier: GPL-2.0
/*
 * personality: flags set in-process (ADDR_NO_RANDOMIZE, which only acts
 * at the next exec, and UNAME26, which uname() shows at once) are the
 * same after restore, and uname still reports a 2.6 release.
 */
#include <string.h>
#include <sys/personality.h>
#include <sys/utsname.h>

#include "zdtmtst.h"

#define PERS (PER_LINUX | ADDR_NO_RANDOMIZE | UNAME26)

int main(int argc, char **argv)
{
	struct utsname u;
	int now;

	test_init(argc, argv);
	if (personality(PERS) < 0 || personality(0xffffffff) != PERS) {
		fail("can't set personality %#x: %m", PERS);
		return 1;
	}
	test_daemon();
	test_waitsig();

	now = personality(0xffffffff);
	if (now != PERS)
		fail("personality is %#x, want %#x", now, PERS);
	if (uname(&u) || strncmp(u.release, "2.6.", 4))
		fail("UNAME26 lost: release '%s'", u.release);
	return test_result();
}
