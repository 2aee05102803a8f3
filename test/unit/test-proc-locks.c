// SPDX-License-Identifier: GPL-2.0
/* /proc/locks and fdinfo "lock:" lines as Linux 6.x prints them, and broken ones. */
#include <fcntl.h>

#include "proc-locks.h"
#include "unit.h"

UNIT_TEST(proc_locks_kinds)
{
	struct proc_lock l;

	EXPECT_EQ(proc_parse_lock_line("1: POSIX  ADVISORY  WRITE 31383 fe:00:10952869 0 EOF\n",
				       &l), 0);
	EXPECT_EQ(l.id, 1);
	EXPECT_EQ(l.kind, PROC_LOCK_POSIX);
	EXPECT_EQ(l.type, F_WRLCK);
	EXPECT_EQ(l.pid, 31383);
	EXPECT_EQ(l.maj, 0xfe);
	EXPECT_EQ(l.min, 0);
	EXPECT_EQ(l.ino, 10952869);
	EXPECT_EQ(l.start, 0);
	EXPECT_EQ(l.end, PROC_LOCK_EOF);
	EXPECT(!l.blocked);

	EXPECT_EQ(proc_parse_lock_line("lock:\t2: FLOCK  ADVISORY  READ 77 08:11:5 0 EOF", &l), 0);
	EXPECT_EQ(l.kind, PROC_LOCK_FLOCK);
	EXPECT_EQ(l.type, F_RDLCK);
	EXPECT_EQ(l.maj, 8);
	EXPECT_EQ(l.min, 0x11);

	EXPECT_EQ(proc_parse_lock_line("13: OFDLCK ADVISORY  READ -1 00:2d:4242 100 199", &l), 0);
	EXPECT_EQ(l.kind, PROC_LOCK_OFD);
	EXPECT_EQ(l.pid, -1);
	EXPECT_EQ(l.start, 100);
	EXPECT_EQ(l.end, 199);

	EXPECT_EQ(proc_parse_lock_line("4: -> POSIX  ADVISORY  WRITE 900 fe:00:12 0 EOF", &l), 0);
	EXPECT(l.blocked);
	EXPECT_EQ(l.pid, 900);

	EXPECT_EQ(proc_parse_lock_line("5: LEASE  ACTIVE    READ 12 fe:01:7 0 EOF", &l), 0);
	EXPECT_EQ(l.kind, PROC_LOCK_LEASE);
	EXPECT_EQ(proc_parse_lock_line("6: LEASE  BREAKER   UNLCK 12 fe:01:7 0 EOF", &l), 0);
	EXPECT_EQ(l.type, F_UNLCK);
	EXPECT_EQ(proc_parse_lock_line("7: POSIX  *NOINODE* WRITE 3 <none>:0 0 EOF", &l), 0);
	EXPECT_EQ(l.ino, 0);
}

UNIT_TEST(proc_locks_malformed)
{
	struct proc_lock l;

	EXPECT_EQ(proc_parse_lock_line("", &l), -1);
	EXPECT_EQ(proc_parse_lock_line("1 POSIX  ADVISORY  WRITE 1 fe:00:1 0 EOF", &l), -1);
	EXPECT_EQ(proc_parse_lock_line("x: POSIX  ADVISORY  WRITE 1 fe:00:1 0 EOF", &l), -1);
	EXPECT_EQ(proc_parse_lock_line("1: SPOON  ADVISORY  WRITE 1 fe:00:1 0 EOF", &l), -1);
	EXPECT_EQ(proc_parse_lock_line("1: POSIX  ADVISORY  WROTE 1 fe:00:1 0 EOF", &l), -1);
	EXPECT_EQ(proc_parse_lock_line("1: POSIX  ADVISORY  WRITE x1 fe:00:1 0 EOF", &l), -1);
	EXPECT_EQ(proc_parse_lock_line("1: POSIX  ADVISORY  WRITE 1 fe-00-1 0 EOF", &l), -1);
	EXPECT_EQ(proc_parse_lock_line("1: POSIX  ADVISORY  WRITE 1 fe:00:1 -5 EOF", &l), -1);
	EXPECT_EQ(proc_parse_lock_line("1: POSIX  ADVISORY  WRITE 1 fe:00:1 9 3", &l), -1);
	EXPECT_EQ(proc_parse_lock_line("1: POSIX  WRITE 1 fe:00:1 0", &l), -1);
	EXPECT_EQ(proc_parse_lock_line("1: POSIX a b c d e f g h i j k l m n o p q", &l), -1);
}
