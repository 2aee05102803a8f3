// SPDX-License-Identifier: GPL-2.0
/*
 * vdso-clock: clock_gettime and gettimeofday through the vDSO still work
 * after restore, agree with the real system calls (a vDSO left without
 * its vvar data would not), and time only moves forward. [vdso] must sit
 * where the auxiliary vector says, next to its [vvar].
 */
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "zdtmtst.h"

#define MAX_SKEW_NS	(200 * 1000000LL)

static long long ts_ns(const struct timespec *ts)
{
	return ts->tv_sec * 1000000000LL + ts->tv_nsec;
}

/* The vDSO value must lie between two raw syscall readings. */
static void check_clock(clockid_t clk, const char *name, long long *last)
{
	struct timespec vd, sys0, sys1;

	if (syscall(SYS_clock_gettime, clk, &sys0) || clock_gettime(clk, &vd) ||
	    syscall(SYS_clock_gettime, clk, &sys1)) {
		fail("%s: clock_gettime failed: %m", name);
		return;
	}
	if (ts_ns(&vd) < ts_ns(&sys0) - MAX_SKEW_NS || ts_ns(&vd) > ts_ns(&sys1) + MAX_SKEW_NS)
		fail("%s: vDSO says %lld ns, syscalls %lld..%lld", name, ts_ns(&vd),
		     ts_ns(&sys0), ts_ns(&sys1));
	if (ts_ns(&vd) < *last)
		fail("%s went backwards: %lld < %lld", name, ts_ns(&vd), *last);
	*last = ts_ns(&vd);
}

static void check_gettimeofday(long long *last_us)
{
	struct timeval tv, sys;
	long long us, sys_us;

	if (gettimeofday(&tv, NULL) || syscall(SYS_gettimeofday, &sys, NULL)) {
		fail("gettimeofday: %m");
		return;
	}
	us = tv.tv_sec * 1000000LL + tv.tv_usec;
	sys_us = sys.tv_sec * 1000000LL + sys.tv_usec;
	if (us > sys_us + MAX_SKEW_NS / 1000 || us < sys_us - MAX_SKEW_NS / 1000)
		fail("gettimeofday: vDSO %lld us, syscall %lld us", us, sys_us);
	if (us < *last_us)
		fail("gettimeofday went backwards");
	*last_us = us;
}

static void check_areas(void)
{
	unsigned long ehdr = getauxval(AT_SYSINFO_EHDR);
	struct vma vdso, vvar;

	if (vma_find_name("[vdso]", &vdso)) {
		fail("no [vdso] in /proc/self/maps");
		return;
	}
	if (vma_find_name("[vvar]", &vvar))
		fail("no [vvar] in /proc/self/maps");
	if (vdso.start != ehdr)
		fail("[vdso] at %lx, AT_SYSINFO_EHDR says %lx", vdso.start, ehdr);
	if (!(vdso.perms[0] == 'r' && vdso.perms[2] == 'x'))
		fail("[vdso] perms %s", vdso.perms);
}

int main(int argc, char **argv)
{
	long long mono = 0, real = 0, boot = 0, tod = 0;
	struct timespec coarse;
	struct vma vdso_before;

	test_init(argc, argv);
	check_clock(CLOCK_MONOTONIC, "CLOCK_MONOTONIC", &mono);
	check_clock(CLOCK_REALTIME, "CLOCK_REALTIME", &real);
	check_clock(CLOCK_BOOTTIME, "CLOCK_BOOTTIME", &boot);
	check_gettimeofday(&tod);
	check_areas();
	if (test_failures() || vma_find_name("[vdso]", &vdso_before))
		return 1;
	test_daemon();
	test_waitsig();

	check_areas();
	for (int i = 0; i < 1000; i++) {
		check_clock(CLOCK_MONOTONIC, "CLOCK_MONOTONIC", &mono);
		check_clock(CLOCK_REALTIME, "CLOCK_REALTIME", &real);
		check_clock(CLOCK_BOOTTIME, "CLOCK_BOOTTIME", &boot);
		check_gettimeofday(&tod);
		if (test_failures())
			break;
	}
	/* time() reads the coarse clock, which may trail CLOCK_REALTIME by a tick */
	if (clock_gettime(CLOCK_REALTIME_COARSE, &coarse) || time(NULL) < coarse.tv_sec)
		fail("time() is behind CLOCK_REALTIME_COARSE");
	return test_result();
}
