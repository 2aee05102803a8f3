// SPDX-License-Identifier: GPL-2.0
/* /proc parsers on recorded text: odd comms, deleted files, VmFlags, limits. */
#include <stdlib.h>

#include "mem.h"
#include "proc-parse.h"
#include "task.h"
#include "unit.h"
#include "../../criu/task/task-internal.h"

UNIT_TEST(proc_stat_comm_with_parens)
{
	const char *line = "4242 (a) b (c)) S 1 4242 4242 0 -1 4194560 98 0 1 0 0 0 0 0 20 0 1 0 "
			   "73013 3133440 413 18446744073709551615 94663760244736 94663760264617 "
			   "140726320701456 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 94663760280624 "
			   "94663760282240 94663787368448 140726320703943 140726320703963 "
			   "140726320703963 140726320705515 0\n";
	struct proc_stat st;

	EXPECT_EQ(proc_parse_stat(line, &st), 0);
	EXPECT_EQ(st.pid, 4242);
	EXPECT_STR(st.comm, "a) b (c)");
	EXPECT_EQ(st.state, 'S');
	EXPECT_EQ(st.ppid, 1);
	EXPECT_EQ(st.flags, 4194560);
	EXPECT_EQ(st.tty_nr, 0);
	EXPECT_EQ(st.tpgid, -1);
	EXPECT_EQ(st.start_code, 94663760244736ULL);
	EXPECT_EQ(st.start_brk, 94663787368448ULL);
	EXPECT_EQ(st.env_end, 140726320705515ULL);
	/* a shell job on /dev/pts/3 (136:3), in the foreground */
	EXPECT_EQ(proc_parse_stat("77 (sh) S 70 77 70 34819 77 4194304 1 0 0 0 0 0 0 0 20 0 1 0 "
				  "5 1 1 1 1 1 1 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n", &st), 0);
	EXPECT_EQ(st.tty_nr, 34819);
	EXPECT_EQ(st.tpgid, 77);
	EXPECT_EQ(proc_parse_stat("12 (x S 1", &st), -1);
	EXPECT_EQ(proc_parse_stat("12 (x) S 1 2 3", &st), -1);
}

UNIT_TEST(proc_status_fields)
{
	const char *text = "Name:\tcat\nUmask:\t0027\nState:\tS (sleeping)\nTgid:\t77\n"
			   "PPid:\t1\nTracerPid:\t0\nUid:\t0\t1\t2\t3\nGid:\t4\t5\t6\t7\n"
			   "Groups:\t10 20 30 \nNSpid:\t77\t3\nSigBlk:\t0000000000010000\n"
			   "CapEff:\t000001fffeffffff\nCapAmb:\t0000000000000000\n"
			   "NoNewPrivs:\t1\nSeccomp:\t0\n";
	struct proc_status st;

	EXPECT_EQ(proc_parse_status(text, &st), 0);
	EXPECT_EQ(st.umask, 027);
	EXPECT_EQ(st.tgid, 77);
	EXPECT_EQ(st.uid[3], 3);
	EXPECT_EQ(st.gid[1], 5);
	EXPECT_EQ(st.ngroups, 3);
	EXPECT_EQ(st.groups[2], 30);
	EXPECT_EQ(st.ns_levels, 2);
	EXPECT_EQ(st.nspid[1], 3);
	EXPECT_EQ(st.sig_blk, 0x10000);
	EXPECT_EQ(st.cap_eff, 0x1fffeffffffULL);
	EXPECT_EQ(st.no_new_privs, 1);
	proc_status_free(&st);
	EXPECT_EQ(proc_parse_status("Name:\tx\n", &st), -1);
}

UNIT_TEST(proc_maps_lines)
{
	struct proc_vma v;

	EXPECT_EQ(proc_parse_maps_line("7f0000000000-7f0000021000 rw-p 00000000 00:00 0 \n", &v),
		  0);
	EXPECT_STR(v.path, "");
	EXPECT_STR(v.perms, "rw-p");
	EXPECT_EQ(proc_parse_maps_line("55d0a1c00000-55d0a1c02000 r--p 00001000 fe:00 247134    "
				       "              /usr/bin/my file (deleted)\n", &v), 0);
	EXPECT_STR(v.path, "/usr/bin/my file");
	EXPECT(v.deleted);
	EXPECT_EQ(v.pgoff, 0x1000);
	EXPECT_EQ(v.dev_major, 0xfe);
	EXPECT_EQ(v.ino, 247134);
	EXPECT_EQ(proc_parse_maps_line("7fff-8000 rw-p 0 00:00 0\n", &v), -1);
	EXPECT_EQ(proc_parse_maps_line("garbage\n", &v), -1);
}

UNIT_TEST(proc_vmflags)
{
	uint32_t f = proc_parse_vmflags("rd wr mr mw me gd ac hg xx\n");

	EXPECT(f & VMF_RD && f & VMF_WR && f & VMF_GD && f & VMF_HG && f & VMF_AC);
	EXPECT(f & VMF_OTHER);
	EXPECT(!(f & VMF_NH));
	EXPECT_EQ(proc_parse_vmflags(""), 0);
}

UNIT_TEST(proc_fdinfo_text)
{
	struct proc_fdinfo fi;

	EXPECT_EQ(proc_parse_fdinfo("pos:\t1234\nflags:\t02100002\nmnt_id:\t23\nino:\t99\n"
				    "eventfd-count: 5\n", &fi), 0);
	EXPECT_EQ(fi.pos, 1234);
	EXPECT_EQ(fi.flags, 02100002);
	EXPECT_EQ(fi.mnt_id, 23);
	EXPECT_HAS(fi.extra, "eventfd-count");
	proc_fdinfo_free(&fi);
	EXPECT_EQ(proc_parse_fdinfo("mnt_id:\t3\n", &fi), -1);
}

UNIT_TEST(task_posix_timers_text)
{
	struct task_core tc = { 0 };

	EXPECT_EQ(task_parse_timers_text("ID: 0\nsignal: 14/00000000deadbeef\nnotify: signal/"
					 "pid.42\nClockID: 1\nID: 3\nsignal: 10/0000000000000000\n"
					 "notify: signal/tid.43\nClockID: 0\n", &tc), 0);
	EXPECT_EQ(tc.nr_posix_timers, 2);
	EXPECT_EQ(tc.posix_timers[0].signo, 14);
	EXPECT_EQ(tc.posix_timers[0].sival, 0xdeadbeef);
	EXPECT_EQ(tc.posix_timers[0].clock, 1);
	EXPECT_EQ(tc.posix_timers[1].id, 3);
	EXPECT_EQ(tc.posix_timers[1].notify, 4);	/* SIGEV_SIGNAL | SIGEV_THREAD_ID */
	EXPECT_EQ(tc.posix_timers[1].notify_tid, 43);
	task_core_free(&tc);
	EXPECT_EQ(task_parse_timers_text("signal: 1/0\n", &tc), -1);
	task_core_free(&tc);
}

UNIT_TEST(task_limits_text)
{
	const char *text =
		"Limit                     Soft Limit           Hard Limit           Units     \n"
		"Max cpu time              unlimited            unlimited            seconds   \n"
		"Max file size             unlimited            unlimited            bytes     \n"
		"Max data size             unlimited            unlimited            bytes     \n"
		"Max stack size            8388608              unlimited            bytes     \n"
		"Max core file size        0                    unlimited            bytes     \n"
		"Max resident set          unlimited            unlimited            bytes     \n"
		"Max processes             96362                96362                processes \n"
		"Max open files            20000                20000                files     \n"
		"Max locked memory         8388608              8388608              bytes     \n"
		"Max address space         unlimited            unlimited            bytes     \n"
		"Max file locks            unlimited            unlimited            locks     \n"
		"Max pending signals       96362                96362                signals   \n"
		"Max msgqueue size         819200               819200               bytes     \n"
		"Max nice priority         0                    0                    \n"
		"Max realtime priority     0                    0                    \n"
		"Max realtime timeout      unlimited            unlimited            us        \n";
	struct task_core tc = { 0 };

	EXPECT_EQ(task_parse_limits_text(text, &tc), 0);
	EXPECT_EQ(tc.rlim_cur[3], 8388608);
	EXPECT_EQ(tc.rlim_max[3], (long long)~0ULL);
	EXPECT_EQ(tc.rlim_cur[7], 20000);
	EXPECT_EQ(tc.rlim_cur[4], 0);
	EXPECT_EQ(task_parse_limits_text("Limit\nMax cpu time  x\n", &tc), -1);
}
