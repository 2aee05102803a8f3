// SPDX-License-Identifier: GPL-2.0
/* fdinfo parsers of anonymous-inode kinds and mountinfo, on text recorded from Linux 6.18. */
#include <stdlib.h>
#include <sys/sysmacros.h>

#include "proc-fdinfo.h"
#include "unit.h"

UNIT_TEST(fdinfo_eventfd)
{
	struct fdinfo_eventfd e;

	EXPECT_EQ(proc_parse_eventfd("eventfd-count:                5\neventfd-id: 1\n"
				     "eventfd-semaphore: 1\n", &e), 0);
	EXPECT_EQ(e.count, 5);
	EXPECT_EQ(e.semaphore, 1);
	/* before Linux 6.5 the semaphore flag was not shown */
	EXPECT_EQ(proc_parse_eventfd("eventfd-count: fffffffffffffffe\n", &e), 0);
	EXPECT_EQ(e.count, 0xfffffffffffffffeULL);
	EXPECT_EQ(e.semaphore, -1);
	EXPECT_EQ(proc_parse_eventfd("eventfd-count: ffffffffffffffff\n", &e), -1);
	EXPECT_EQ(proc_parse_eventfd("eventfd-count: 12x\n", &e), -1);
	EXPECT_EQ(proc_parse_eventfd("eventfd-count: 1\neventfd-semaphore: 2\n", &e), -1);
	EXPECT_EQ(proc_parse_eventfd("eventfd-id: 3\n", &e), -1);
	EXPECT_EQ(proc_parse_eventfd(NULL, &e), -1);
}

UNIT_TEST(fdinfo_signalfd)
{
	uint64_t m = 0;

	EXPECT_EQ(proc_parse_signalfd("sigmask:\t0000000200000200\n", &m), 0);
	EXPECT_EQ(m, 0x200000200ULL);
	EXPECT_EQ(proc_parse_signalfd("sigmask:\t00zz\n", &m), -1);
	EXPECT_EQ(proc_parse_signalfd("", &m), -1);
}

UNIT_TEST(fdinfo_timerfd)
{
	struct fdinfo_timerfd t;

	EXPECT_EQ(proc_parse_timerfd("clockid: 0\nticks: 3\nsettime flags: 03\n"
				     "it_value: (49, 585707852)\nit_interval: (1, 500)\n", &t), 0);
	EXPECT_EQ(t.clockid, 0);
	EXPECT_EQ(t.ticks, 3);
	EXPECT_EQ(t.settime_flags, 3);
	EXPECT_EQ(t.value_sec, 49);
	EXPECT_EQ(t.value_nsec, 585707852);
	EXPECT_EQ(t.interval_sec, 1);
	EXPECT_EQ(t.interval_nsec, 500);
	/* a line missing, nanoseconds out of range */
	EXPECT_EQ(proc_parse_timerfd("clockid: 1\nticks: 0\nsettime flags: 00\n"
				     "it_value: (0, 0)\n", &t), -1);
	EXPECT_EQ(proc_parse_timerfd("clockid: 1\nticks: 0\nsettime flags: 00\n"
				     "it_value: (0, 1000000000)\nit_interval: (0, 0)\n", &t), -1);
	EXPECT_EQ(proc_parse_timerfd("clockid: -1\nticks: 0\nsettime flags: 00\n"
				     "it_value: (0, 0)\nit_interval: (0, 0)\n", &t), -1);
}

UNIT_TEST(fdinfo_epoll)
{
	const char *text = "tfd:        3 events: 4000001c data:       1234567890  pos:0 ino:40e "
			   "sdev:10\ntfd:      118 events: 80000019 data: ffffffffffffffff  pos:77 "
			   "ino:4ecc0 sdev:f\n";
	struct fdinfo_epoll_tfd *v;
	int nr;

	EXPECT_EQ(proc_parse_epoll(text, &v, &nr), 0);
	EXPECT_EQ(nr, 2);
	if (nr == 2) {
		EXPECT_EQ(v[0].tfd, 3);
		EXPECT_EQ(v[0].events, 0x4000001c);
		EXPECT_EQ(v[0].data, 0x1234567890ULL);
		EXPECT_EQ(v[0].ino, 0x40e);
		EXPECT_EQ(v[0].sdev, 0x10);
		EXPECT_EQ(v[1].tfd, 118);
		EXPECT_EQ(v[1].data, 0xffffffffffffffffULL);
		EXPECT_EQ(v[1].pos, 77);
	}
	free(v);
	EXPECT_EQ(proc_parse_epoll("", &v, &nr), 0);
	EXPECT_EQ(nr, 0);
	EXPECT_EQ(proc_parse_epoll("tfd: 3 events: 19 data: 0\n", &v, &nr), -1);
	EXPECT_EQ(proc_parse_epoll("tfd: -3 events: 19 data: 0 pos:0 ino:1 sdev:2\n", &v, &nr),
		  -1);
	EXPECT(v == NULL);
}

UNIT_TEST(fdinfo_inotify)
{
	const char *text = "inotify wd:2 ino:35d sdev:fe00000 mask:80000002 ignored_mask:0 "
			   "fhandle-bytes:8 fhandle-type:1 f_handle:5d03000000000000\n"
			   "inotify wd:1a ino:3c51a sdev:23 mask:4000100 ignored_mask:0 \n";
	struct fdinfo_inotify_wd *v;
	int nr;

	EXPECT_EQ(proc_parse_inotify(text, &v, &nr), 0);
	EXPECT_EQ(nr, 2);
	if (nr == 2) {
		EXPECT_EQ(v[0].wd, 2);
		EXPECT_EQ(v[0].ino, 0x35d);
		EXPECT_EQ(v[0].mask, 0x80000002);
		EXPECT_EQ(v[0].fh_bytes, 8);
		EXPECT_EQ(v[0].fh_type, 1);
		EXPECT_EQ(v[0].fh[0], 0x5d);
		EXPECT_EQ(v[0].fh[1], 0x03);
		EXPECT_EQ(v[1].wd, 0x1a);
		EXPECT_EQ(v[1].fh_bytes, 0);
		EXPECT_EQ(v[1].sdev, 0x23);
	}
	free(v);
	/* handle shorter than announced, wd 0, bad hex */
	EXPECT_EQ(proc_parse_inotify("inotify wd:2 ino:1 sdev:1 mask:2 ignored_mask:0 "
				     "fhandle-bytes:8 fhandle-type:1 f_handle:5d03\n",
				     &v, &nr), -1);
	EXPECT_EQ(proc_parse_inotify("inotify wd:0 ino:1 sdev:1 mask:2 ignored_mask:0\n", &v,
				     &nr), -1);
	EXPECT_EQ(proc_parse_inotify("inotify wd:1 ino:1 sdev:1 mask:2 ignored_mask:0 "
				     "fhandle-bytes:2 fhandle-type:1 f_handle:5g03\n",
				     &v, &nr), -1);
	EXPECT_EQ(proc_parse_inotify("inotify wd:1 ino:1 sdev:1 mask:2 ignored_mask:0 "
				     "fhandle-bytes:200 fhandle-type:1 f_handle:00\n",
				     &v, &nr), -1);
}

UNIT_TEST(fdinfo_kdev)
{
	dev_t d = proc_kdev_to_dev(0xfe00000);

	EXPECT_EQ(major(d), 254);
	EXPECT_EQ(minor(d), 0);
	d = proc_kdev_to_dev(0x10);
	EXPECT_EQ(major(d), 0);
	EXPECT_EQ(minor(d), 16);
	d = proc_kdev_to_dev(0x800123);
	EXPECT_EQ(major(d), 8);
	EXPECT_EQ(minor(d), 0x123);
}

UNIT_TEST(mountinfo_line)
{
	struct proc_mountinfo m;

	EXPECT_EQ(proc_parse_mountinfo_line("36 35 98:0 /mnt1 /mnt\\040two rw,noatime master:1 "
					    "- ext3 /dev/root rw\n", &m), 0);
	EXPECT_EQ(m.mnt_id, 36);
	EXPECT_EQ(m.major, 98);
	EXPECT_EQ(m.minor, 0);
	EXPECT_STR(m.root, "/mnt1");
	EXPECT_STR(m.mountpoint, "/mnt two");
	EXPECT_EQ(proc_parse_mountinfo_line("36 35 98:0\n", &m), -1);
	EXPECT_EQ(proc_parse_mountinfo_line("x 35 98:0 / / rw\n", &m), -1);
}
