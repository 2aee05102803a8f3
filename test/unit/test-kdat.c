// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel probes: the /proc and /sys parsers on recorded lines, the PID
 * method decisions on hand-made tables, and one live probe that must leave
 * no task behind.
 */
#include <errno.h>
#include <string.h>
#include <sys/wait.h>

#include "kdat.h"
#include "unit.h"

/* Recorded on the 6.18 test machine; the kernel pads names to column 74. */
#define PAD "                          "
#define VVAR_LINE "7f8c2ce8f000-7f8c2ce93000 r--p 00000000 00:00 0" PAD "[vvar]\n"
#define VCLOCK_LINE "7f8c2ce93000-7f8c2ce95000 r--p 00000000 00:00 0" PAD "[vvar_vclock]\n"
#define VDSO_LINE "7f8c2ce95000-7f8c2ce97000 r-xp 00000000 00:00 0" PAD "[vdso]\n"
#define VSYSCALL_LINE "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  " \
	"[vsyscall]\n"

UNIT_TEST(kdat_maps_special_lines)
{
	struct kdat_vdso v = {};

	EXPECT_EQ(kdat_parse_maps_line(VVAR_LINE, &v), 1);
	EXPECT_EQ(kdat_parse_maps_line(VCLOCK_LINE, &v), 1);
	EXPECT_EQ(kdat_parse_maps_line(VDSO_LINE, &v), 1);
	EXPECT_EQ(kdat_parse_maps_line(VSYSCALL_LINE, &v), 1);
	EXPECT_EQ(v.vvar.start, 0x7f8c2ce8f000UL);
	EXPECT_EQ(v.vvar.end, 0x7f8c2ce93000UL);
	EXPECT_EQ(v.vvar_vclock.start, 0x7f8c2ce93000UL);
	EXPECT_EQ(v.vdso.start, 0x7f8c2ce95000UL);
	EXPECT_EQ(v.vdso.end, 0x7f8c2ce97000UL);
	EXPECT_EQ(v.vsyscall.start, 0xffffffffff600000UL);
	/* a second [vdso] is not something a kernel prints */
	EXPECT_EQ(kdat_parse_maps_line(VDSO_LINE, &v), -1);
}

UNIT_TEST(kdat_maps_other_lines)
{
	struct kdat_vdso v = {};
	static const char *const others[] = {
		"55d0c0a00000-55d0c0a21000 rw-p 00000000 00:00 0                          [heap]\n",
		"7ffd8a1f3000-7ffd8a214000 rw-p 00000000 00:00 0                          [stack]\n",
		"7f8c2ce00000-7f8c2ce10000 rw-p 00000000 00:00 0 \n",
		"7f8c2ce00000-7f8c2ce10000 rw-p 00000000 00:00 0",
		"7f8c2cc00000-7f8c2cc28000 r--p 00000000 fe:01 1835231                    "
		"/usr/lib/x86_64-linux-gnu/libc.so.6\n",
		"7f8c2cc00000-7f8c2cc01000 rw-s 00000000 00:05 7 /tmp/a [vdso] (deleted)\n",
		"7f8c2cc00000-7f8c2cc01000 r--p 00000000 00:00 0 [vdso]x\n",
	};

	for (size_t i = 0; i < ARRAY_SIZE(others); i++)
		EXPECT_EQ(kdat_parse_maps_line(others[i], &v), 0);
	EXPECT_EQ(v.vdso.end, 0);
}

UNIT_TEST(kdat_maps_malformed)
{
	struct kdat_vdso v = {};
	static const char *const bad[] = {
		"",
		"zzzz",
		"7f8c2ce8f000",
		"7f8c2ce8f000-",
		"7f8c2ce93000-7f8c2ce8f000 r--p 00000000 00:00 0 [vvar]\n",	/* end < start */
		"7f8c2ce8f000-7f8c2ce8f000 r--p 00000000 00:00 0 [vvar]\n",	/* empty */
		"7f8c2ce8f000-7f8c2ce93000 r--p\n",
		"7f8c2ce8f000-7f8c2ce93000 r--p 00000000 00:00\n",
		"-7f8c2ce93000 r--p 00000000 00:00 0 [vvar]\n",
		"7f8c2ce8f000-7f8c2ce93000x r--p 00000000 00:00 0 [vvar]\n",
		"fffffffffffffffff-ffffffffffffffffff r--p 00000000 00:00 0 [vvar]\n",
	};

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		if (kdat_parse_maps_line(bad[i], &v) != -1)
			unit_fail(__FILE__, __LINE__, "accepted bad line %zu: '%s'", i, bad[i]);
	}
	EXPECT_EQ(v.vvar.end, 0);
}

static void fill_vdso(struct kdat_vdso *v, bool vclock)
{
	memset(v, 0, sizeof(*v));
	EXPECT_EQ(kdat_parse_maps_line(VVAR_LINE, v), 1);
	if (vclock)
		EXPECT_EQ(kdat_parse_maps_line(VCLOCK_LINE, v), 1);
	EXPECT_EQ(kdat_parse_maps_line(VDSO_LINE, v), 1);
}

UNIT_TEST(kdat_vdso_sanity)
{
	struct kdat_vdso v;
	char why[256];

	fill_vdso(&v, true);
	EXPECT_EQ(kdat_vdso_sane(&v, why, sizeof(why)), 0);
	EXPECT_HAS(why, "[vvar_vclock]");
	fill_vdso(&v, false);	/* kernels before 6.x: [vvar] and [vdso] only */
	EXPECT_EQ(kdat_vdso_sane(&v, why, sizeof(why)), 0);

	fill_vdso(&v, true);
	v.vdso = (struct kdat_range){ 0, 0 };
	EXPECT_EQ(kdat_vdso_sane(&v, why, sizeof(why)), -1);
	EXPECT_HAS(why, "no [vdso]");

	fill_vdso(&v, true);
	v.vvar = (struct kdat_range){ 0, 0 };
	EXPECT_EQ(kdat_vdso_sane(&v, why, sizeof(why)), -1);
	EXPECT_HAS(why, "without [vvar]");

	fill_vdso(&v, true);
	v.vdso.start = v.vvar_vclock.start;
	EXPECT_EQ(kdat_vdso_sane(&v, why, sizeof(why)), -1);
	EXPECT_HAS(why, "overlap");

	fill_vdso(&v, true);
	v.vdso.end += 8;
	EXPECT_EQ(kdat_vdso_sane(&v, why, sizeof(why)), -1);
	EXPECT_HAS(why, "aligned");
}

UNIT_TEST(kdat_thp_mode)
{
	EXPECT_EQ(kdat_parse_thp("always [madvise] never\n"), KDAT_THP_MADVISE);
	EXPECT_EQ(kdat_parse_thp("[always] madvise never\n"), KDAT_THP_ALWAYS);
	EXPECT_EQ(kdat_parse_thp("always madvise [never]"), KDAT_THP_NEVER);
	EXPECT_EQ(kdat_parse_thp(""), KDAT_THP_UNKNOWN);
	EXPECT_EQ(kdat_parse_thp("always madvise never\n"), KDAT_THP_UNKNOWN);
	EXPECT_EQ(kdat_parse_thp("[always] [never]\n"), KDAT_THP_UNKNOWN);
	EXPECT_EQ(kdat_parse_thp("always [madv"), KDAT_THP_UNKNOWN);
	EXPECT_EQ(kdat_parse_thp("[inherit] always"), KDAT_THP_UNKNOWN);
	EXPECT_STR(kdat_thp_name(KDAT_THP_MADVISE), "madvise");
}

UNIT_TEST(kdat_status_fields)
{
	const char *status = "Name:\tcat\nSeccomp:\t2\nSeccomp_filters:\t1\nNoNewPrivs:\t0";

	EXPECT_EQ(kdat_parse_status_field(status, "Seccomp"), 2);
	EXPECT_EQ(kdat_parse_status_field(status, "Seccomp_filters"), 1);
	EXPECT_EQ(kdat_parse_status_field(status, "NoNewPrivs"), 0);
	EXPECT_EQ(kdat_parse_status_field(status, "Name"), -1);
	EXPECT_EQ(kdat_parse_status_field(status, "Secc"), -1);
	EXPECT_EQ(kdat_parse_status_field("Seccomp:\t2x\n", "Seccomp"), -1);
	EXPECT_EQ(kdat_parse_status_field("", "Seccomp"), -1);
}

UNIT_TEST(kdat_uid_map)
{
	EXPECT_EQ(kdat_parse_uid_map_is_init("         0          0 4294967295\n"), 1);
	EXPECT_EQ(kdat_parse_uid_map_is_init("         0       1000          1\n"), 0);
	EXPECT_EQ(kdat_parse_uid_map_is_init("         0          0 4294967295\n"
					     "4294967295 4294967295 1\n"), 0);
	EXPECT_EQ(kdat_parse_uid_map_is_init(""), 0);
	EXPECT_EQ(kdat_parse_uid_map_is_init("0 0"), 0);
}

#define STAT_TAIL " R 6300 6300 4227 0 -1 4194304 114 0 0 0 0 0 0 0 20 0 1 0 78514 3133440 " \
	"409 18446744073709551615 94827972509696 94827972529577 140723223468544 0 0 0 0 0 0 0 " \
	"0 0 17 0 0 0 0 0 0 94827972545584 94827972547200 94828839641088 140723223476679 " \
	"140723223476699 140723223476699 140723223478251 0\n"

UNIT_TEST(kdat_stat_mm_fields)
{
	struct kdat_mm_fields mm;

	EXPECT_EQ(kdat_parse_stat_mm("6304 (cat)" STAT_TAIL, &mm), 0);
	EXPECT_EQ(mm.start_code, 94827972509696ULL);
	EXPECT_EQ(mm.end_code, 94827972529577ULL);
	EXPECT_EQ(mm.start_stack, 140723223468544ULL);
	EXPECT_EQ(mm.start_data, 94827972545584ULL);
	EXPECT_EQ(mm.end_data, 94827972547200ULL);
	EXPECT_EQ(mm.start_brk, 94828839641088ULL);
	EXPECT_EQ(mm.arg_start, 140723223476679ULL);
	EXPECT_EQ(mm.env_end, 140723223478251ULL);
	/* comm may hold ") (": fields restart after the last ')' */
	EXPECT_EQ(kdat_parse_stat_mm("6304 (a) (b c)" STAT_TAIL, &mm), 0);
	EXPECT_EQ(mm.env_end, 140723223478251ULL);
	EXPECT_EQ(kdat_parse_stat_mm("6304 (cat) R 6300 6300\n", &mm), -1);
	EXPECT_EQ(kdat_parse_stat_mm("6304 cat R 6300\n", &mm), -1);
	EXPECT_EQ(kdat_parse_stat_mm("", &mm), -1);
	EXPECT_EQ(kdat_parse_stat_mm("6304 (cat) R 6300 6300 4227 0 -1 4194304 114 0 0 0 0 0 0 0 "
				     "20 0 1 0 78514 3133440 409 18446744073709551615 x", &mm), -1);
}

static struct kdat table(enum kdat_probe set_tid, int set_tid_err, enum kdat_probe ns,
			 int ns_err)
{
	struct kdat k = {
		.probed = true,
		.clone3_set_tid = { set_tid, set_tid_err },
		.ns_last_pid = { ns, ns_err },
		.seccomp_mode = 0,
		.pid_max = 32768,
	};

	return k;
}

UNIT_TEST(kdat_auto_prefers_set_tid)
{
	struct kdat k = table(PROBE_OK, EEXIST, PROBE_OK, 0);
	char why[512];

	k.has_cap_checkpoint_restore = true;
	EXPECT_EQ(kdat_auto_pid_method(&k, why, sizeof(why)), PID_METHOD_SET_TID);
	EXPECT_STR(why, "clone3 with set_tid is permitted (CAP_CHECKPOINT_RESTORE held)");

	k.has_cap_checkpoint_restore = false;
	k.has_cap_sys_admin = true;
	k.in_userns = true;
	EXPECT_EQ(kdat_auto_pid_method(&k, why, sizeof(why)), PID_METHOD_SET_TID);
	EXPECT_HAS(why, "CAP_SYS_ADMIN held in our own user namespace");
}

UNIT_TEST(kdat_auto_falls_back_to_ns_last_pid)
{
	struct kdat k = table(PROBE_NO_CAP, EPERM, PROBE_OK, 0);
	char why[512];

	EXPECT_EQ(kdat_auto_pid_method(&k, why, sizeof(why)), PID_METHOD_NS_LAST_PID);
	EXPECT_HAS(why, "not permitted (EPERM");
	EXPECT_HAS(why, "ns_last_pid is writable");

	k = table(PROBE_BLOCKED, ENOSYS, PROBE_OK, 0);
	EXPECT_EQ(kdat_auto_pid_method(&k, why, sizeof(why)), PID_METHOD_NS_LAST_PID);
	EXPECT_HAS(why, "blocked by a seccomp filter (ENOSYS)");
}

UNIT_TEST(kdat_auto_spins_last)
{
	struct kdat k = table(PROBE_BLOCKED, ENOSYS, PROBE_RO, EROFS);
	char why[512];

	EXPECT_EQ(kdat_auto_pid_method(&k, why, sizeof(why)), PID_METHOD_SPIN);
	EXPECT_STR(why, "clone3 is blocked by a seccomp filter (ENOSYS) and /proc/sys is "
			"read-only: only spinning is left");

	k = table(PROBE_UNSUPPORTED, E2BIG, PROBE_NO_CAP, EPERM);
	EXPECT_EQ(kdat_auto_pid_method(&k, why, sizeof(why)), PID_METHOD_SPIN);
	EXPECT_HAS(why, "no clone3 with set_tid (E2BIG)");
	EXPECT_HAS(why, "not writable (EPERM");

	/* never probed: nothing is assumed to work */
	k = table(PROBE_UNKNOWN, 0, PROBE_UNKNOWN, 0);
	EXPECT_EQ(kdat_auto_pid_method(&k, why, sizeof(why)), PID_METHOD_SPIN);
}

UNIT_TEST(kdat_reasons_fit_small_buffers)
{
	struct kdat k = table(PROBE_BLOCKED, ENOSYS, PROBE_RO, EROFS);
	char why[16];

	memset(why, 'x', sizeof(why));
	EXPECT_EQ(kdat_auto_pid_method(&k, why, sizeof(why)), PID_METHOD_SPIN);
	EXPECT_EQ(strlen(why), sizeof(why) - 1);
	EXPECT_EQ(kdat_pid_method_usable(&k, PID_METHOD_NS_LAST_PID, why, sizeof(why)), -1);
	EXPECT(strlen(why) < sizeof(why));
}

UNIT_TEST(kdat_forced_set_tid)
{
	struct kdat k = table(PROBE_NO_CAP, EPERM, PROBE_NO_CAP, EPERM);
	char why[512];

	EXPECT_EQ(kdat_pid_method_usable(&k, PID_METHOD_SET_TID, why, sizeof(why)), -1);
	EXPECT_HAS(why, "setcap cap_checkpoint_restore+eip criu/criu");
	EXPECT_HAS(why, "--cap-add CHECKPOINT_RESTORE");

	k = table(PROBE_BLOCKED, ENOSYS, PROBE_OK, 0);
	EXPECT_EQ(kdat_pid_method_usable(&k, PID_METHOD_SET_TID, why, sizeof(why)), -1);
	EXPECT_HAS(why, "seccomp");
	EXPECT_HAS(why, "needs the capability too");	/* the filter hid EPERM */
	k.has_cap_checkpoint_restore = true;
	EXPECT_EQ(kdat_pid_method_usable(&k, PID_METHOD_SET_TID, why, sizeof(why)), -1);
	EXPECT(!strstr(why, "capability too"));

	k = table(PROBE_UNSUPPORTED, EINVAL, PROBE_OK, 0);
	EXPECT_EQ(kdat_pid_method_usable(&k, PID_METHOD_SET_TID, why, sizeof(why)), -1);
	EXPECT_HAS(why, "Linux 5.5");

	k = table(PROBE_OK, EEXIST, PROBE_RO, EROFS);
	EXPECT_EQ(kdat_pid_method_usable(&k, PID_METHOD_SET_TID, why, sizeof(why)), 0);
	EXPECT_HAS(why, "permitted");
}

UNIT_TEST(kdat_forced_ns_last_pid)
{
	struct kdat k = table(PROBE_OK, EEXIST, PROBE_RO, EROFS);
	char why[512];

	EXPECT_EQ(kdat_pid_method_usable(&k, PID_METHOD_NS_LAST_PID, why, sizeof(why)), -1);
	EXPECT_HAS(why, "/proc/sys is read-only");
	EXPECT_HAS(why, "clone3 with set_tid would not need /proc/sys");
	EXPECT_HAS(why, "--pid-method set_tid");

	k = table(PROBE_NO_CAP, EPERM, PROBE_RO, EROFS);
	EXPECT_EQ(kdat_pid_method_usable(&k, PID_METHOD_NS_LAST_PID, why, sizeof(why)), -1);
	EXPECT_HAS(why, "would not need /proc/sys");
	EXPECT_HAS(why, "setcap cap_checkpoint_restore+eip");

	/* the container case: filter, read-only /proc/sys, no capability */
	k = table(PROBE_BLOCKED, ENOSYS, PROBE_RO, EROFS);
	EXPECT_EQ(kdat_pid_method_usable(&k, PID_METHOD_NS_LAST_PID, why, sizeof(why)), -1);
	EXPECT_HAS(why, "blocked by a seccomp filter");
	EXPECT_HAS(why, "--cap-add CHECKPOINT_RESTORE");

	k = table(PROBE_NO_CAP, EPERM, PROBE_NO_CAP, EPERM);
	EXPECT_EQ(kdat_pid_method_usable(&k, PID_METHOD_NS_LAST_PID, why, sizeof(why)), -1);
	EXPECT_HAS(why, "CAP_CHECKPOINT_RESTORE");

	k = table(PROBE_NO_CAP, EPERM, PROBE_OK, 0);
	EXPECT_EQ(kdat_pid_method_usable(&k, PID_METHOD_NS_LAST_PID, why, sizeof(why)), 0);
}

UNIT_TEST(kdat_spin_and_auto_always_usable)
{
	struct kdat k = table(PROBE_BLOCKED, ENOSYS, PROBE_RO, EROFS);
	char why[512];

	EXPECT_EQ(kdat_pid_method_usable(&k, PID_METHOD_SPIN, why, sizeof(why)), 0);
	EXPECT_HAS(why, "32768");
	EXPECT_EQ(kdat_pid_method_usable(&k, PID_METHOD_AUTO, why, sizeof(why)), 0);
	EXPECT_HAS(why, "only spinning is left");
	EXPECT_EQ(kdat_pid_method_usable(&k, (enum pid_method)42, why, sizeof(why)), -1);
}

UNIT_TEST(kdat_spin_cost)
{
	struct kdat k = table(PROBE_BLOCKED, ENOSYS, PROBE_RO, EROFS);
	double s;

	EXPECT(kdat_spin_seconds(&k) == 0);	/* not measured */
	k.fork_rate = 22000;
	s = kdat_spin_seconds(&k);
	EXPECT(s > 1.48 && s < 1.50);
	k.pid_max = 0;
	EXPECT(kdat_spin_seconds(&k) == 0);
	EXPECT_STR(kdat_probe_name(PROBE_RO), "read-only");
	EXPECT_STR(kdat_probe_name((enum kdat_probe)99), "?");
}

/* The real thing, on whatever runs the tests: facts true on any Linux x86_64. */
UNIT_TEST(kdat_live_probe_leaves_nothing)
{
	const struct kdat *k;
	int status;

	EXPECT_EQ(kdat_probe(), 0);
	k = kdat_get();
	EXPECT(k->probed);
	EXPECT(k->clone3_set_tid.res != PROBE_BUG);
	EXPECT(k->clone3_set_tid.res != PROBE_UNKNOWN);
	EXPECT(k->pid_max >= 2);
	EXPECT(k->vdso.vdso.end > k->vdso.vdso.start);
	EXPECT(k->soft_dirty.res != PROBE_UNKNOWN);
	/* the probes' helper children are all reaped */
	EXPECT_EQ(waitpid(-1, &status, WNOHANG), -1);
	EXPECT_EQ(errno, ECHILD);
	EXPECT_EQ(kdat_probe_fork_rate(), 0);
	EXPECT(k->fork_rate > 0);
	EXPECT_EQ(waitpid(-1, &status, WNOHANG), -1);
}
