// SPDX-License-Identifier: GPL-2.0
/*
 * rlimits: unusual soft limits on several resources, and lowered hard
 * limits on two, read back the same from getrlimit after restore.
 */
#include <sys/resource.h>

#include "zdtmtst.h"

struct lim {
	int res;
	const char *name;
	rlim_t soft, hard; /* hard 0: keep the current hard limit */
	struct rlimit set;
};

static struct lim lims[] = {
	{ .res = RLIMIT_NOFILE, .name = "NOFILE", .soft = 777, .hard = 0 },
	{ .res = RLIMIT_CORE, .name = "CORE", .soft = 12345 * 1024, .hard = 0 },
	{ .res = RLIMIT_STACK, .name = "STACK", .soft = 12UL << 20, .hard = 0 },
	{ .res = RLIMIT_MSGQUEUE, .name = "MSGQUEUE", .soft = 4096, .hard = 0 },
	{ .res = RLIMIT_SIGPENDING, .name = "SIGPENDING", .soft = 1000, .hard = 0 },
	{ .res = RLIMIT_MEMLOCK, .name = "MEMLOCK", .soft = 64 << 10, .hard = 0 },
	{ .res = RLIMIT_FSIZE, .name = "FSIZE", .soft = 512UL << 20, .hard = 1UL << 30 },
	{ .res = RLIMIT_CPU, .name = "CPU", .soft = 5000, .hard = 10000 },
};

/* Stay within the hard limit the runner gave us: no CAP_SYS_RESOURCE. */
static int set_one(struct lim *l)
{
	struct rlimit cur;

	if (getrlimit(l->res, &cur))
		return -1;
	l->set.rlim_max = cur.rlim_max;
	if (l->hard && (cur.rlim_max == RLIM_INFINITY || cur.rlim_max > l->hard))
		l->set.rlim_max = l->hard;
	l->set.rlim_cur = l->soft;
	if (l->set.rlim_max != RLIM_INFINITY && l->set.rlim_cur > l->set.rlim_max)
		l->set.rlim_cur = l->set.rlim_max - 1;
	return setrlimit(l->res, &l->set);
}

int main(int argc, char **argv)
{
	struct rlimit now;
	size_t i;

	test_init(argc, argv);
	for (i = 0; i < ARRAY_SIZE(lims); i++)
		if (set_one(&lims[i])) {
			fail("setrlimit(%s): %m", lims[i].name);
			return 1;
		}
	test_daemon();
	test_waitsig();

	for (i = 0; i < ARRAY_SIZE(lims); i++) {
		struct lim *l = &lims[i];

		if (getrlimit(l->res, &now))
			fail("getrlimit(%s): %m", l->name);
		else if (now.rlim_cur != l->set.rlim_cur || now.rlim_max != l->set.rlim_max)
			fail("RLIMIT_%s is %llu/%llu, want %llu/%llu", l->name,
			     (unsigned long long)now.rlim_cur, (unsigned long long)now.rlim_max,
			     (unsigned long long)l->set.rlim_cur,
			     (unsigned long long)l->set.rlim_max);
	}
	return test_result();
}
