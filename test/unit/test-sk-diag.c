// SPDX-License-Identifier: GPL-2.0
/* sock_diag replies for unix sockets, built byte by byte: good ones and broken ones. */
#include <linux/unix_diag.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "sk-diag.h"
#include "unit.h"

struct msgbuf {
	uint8_t b[1024];
	size_t len;
};

static void start(struct msgbuf *m, uint8_t type, uint8_t state, uint32_t ino)
{
	struct unix_diag_msg d = { AF_UNIX, type, state, 0, ino, { 0, 0 } };

	memset(m, 0, sizeof(*m));
	memcpy(m->b, &d, sizeof(d));
	m->len = sizeof(d);
}

static void attr(struct msgbuf *m, uint16_t type, const void *data, uint16_t len)
{
	uint16_t alen = 4 + len;

	memcpy(m->b + m->len, &alen, 2);
	memcpy(m->b + m->len + 2, &type, 2);
	memcpy(m->b + m->len + 4, data, len);
	m->len += (alen + 3) & ~3u;
}

UNIT_TEST(sk_diag_listener)
{
	uint32_t icons[3] = { 101, 102, 103 }, rq[2] = { 3, 128 }, vfs[2] = { 555, (8 << 20) | 1 };
	uint8_t shut = 0;
	struct sk_diag_unix d;
	struct msgbuf m;

	start(&m, SOCK_STREAM, 10, 77);
	attr(&m, UNIX_DIAG_NAME, "/run/x.sock", 12);
	attr(&m, UNIX_DIAG_VFS, vfs, sizeof(vfs));
	attr(&m, UNIX_DIAG_ICONS, icons, sizeof(icons));
	attr(&m, UNIX_DIAG_RQLEN, rq, sizeof(rq));
	attr(&m, UNIX_DIAG_SHUTDOWN, &shut, 1);
	attr(&m, 42, "future", 6);	/* an attribute from a newer kernel is skipped */
	EXPECT_EQ(sk_diag_parse_unix(m.b, m.len, &d), 0);
	EXPECT_EQ(d.ino, 77);
	EXPECT_EQ(d.type, SOCK_STREAM);
	EXPECT_EQ(d.state, 10);
	EXPECT_EQ(d.name_len, 12);
	EXPECT_STR(d.name, "/run/x.sock");
	EXPECT(d.has_vfs);
	EXPECT_EQ(d.vfs_ino, 555);
	EXPECT_EQ(d.vfs_dev >> 20, 8);
	EXPECT_EQ(d.nr_icons, 3);
	EXPECT_EQ(d.icons[2], 103);
	EXPECT(d.has_rqlen);
	EXPECT_EQ(d.rqlen, 3);
	EXPECT_EQ(d.wqlen, 128);
	EXPECT_EQ(d.peer, 0);
	sk_diag_unix_free(&d);
}

UNIT_TEST(sk_diag_connected_abstract)
{
	uint32_t peer = 99, uid = 65534;
	uint8_t shut = 3;
	struct sk_diag_unix d;
	struct msgbuf m;

	start(&m, SOCK_DGRAM, 1, 98);
	attr(&m, UNIX_DIAG_NAME, "\0abs\0x", 6);
	attr(&m, UNIX_DIAG_PEER, &peer, 4);
	attr(&m, UNIX_DIAG_SHUTDOWN, &shut, 1);
	attr(&m, UNIX_DIAG_UID, &uid, 4);
	EXPECT_EQ(sk_diag_parse_unix(m.b, m.len, &d), 0);
	EXPECT_EQ(d.name_len, 6);
	EXPECT(!memcmp(d.name, "\0abs\0x", 6));
	EXPECT_EQ(d.peer, 99);
	EXPECT_EQ(d.shutdown, 3);
	EXPECT(d.has_uid && d.uid == 65534);
	EXPECT(!d.has_vfs && !d.nr_icons && !d.icons);
	sk_diag_unix_free(&d);
}

UNIT_TEST(sk_diag_malformed)
{
	uint32_t icons[2] = { 1, 2 }, peer = 5;
	uint8_t bad_shut = 4, name[120] = { 0 };
	struct sk_diag_unix d;
	struct msgbuf m;

	start(&m, SOCK_STREAM, 10, 1);
	EXPECT_EQ(sk_diag_parse_unix(m.b, 4, &d), -1);		/* shorter than the header */
	start(&m, SOCK_STREAM, 10, 1);
	m.b[0] = AF_INET;
	EXPECT_EQ(sk_diag_parse_unix(m.b, m.len, &d), -1);	/* another family */
	start(&m, SOCK_STREAM, 10, 1);
	attr(&m, UNIX_DIAG_NAME, name, sizeof(name));		/* longer than sun_path */
	EXPECT_EQ(sk_diag_parse_unix(m.b, m.len, &d), -1);
	start(&m, SOCK_STREAM, 10, 1);
	attr(&m, UNIX_DIAG_ICONS, icons, 7);			/* not whole inodes */
	EXPECT_EQ(sk_diag_parse_unix(m.b, m.len, &d), -1);
	start(&m, SOCK_STREAM, 10, 1);
	attr(&m, UNIX_DIAG_ICONS, icons, 8);
	attr(&m, UNIX_DIAG_ICONS, icons, 8);			/* twice: no leak, an error */
	EXPECT_EQ(sk_diag_parse_unix(m.b, m.len, &d), -1);
	start(&m, SOCK_STREAM, 1, 1);
	attr(&m, UNIX_DIAG_SHUTDOWN, &bad_shut, 1);
	EXPECT_EQ(sk_diag_parse_unix(m.b, m.len, &d), -1);
	start(&m, SOCK_STREAM, 1, 1);
	attr(&m, UNIX_DIAG_PEER, &peer, 2);			/* a short u32 */
	EXPECT_EQ(sk_diag_parse_unix(m.b, m.len, &d), -1);
	start(&m, SOCK_STREAM, 1, 1);
	attr(&m, UNIX_DIAG_PEER, &peer, 4);
	m.b[sizeof(struct unix_diag_msg)] = 200;		/* runs past the message */
	EXPECT_EQ(sk_diag_parse_unix(m.b, m.len, &d), -1);
	m.b[sizeof(struct unix_diag_msg)] = 2;			/* shorter than its header */
	EXPECT_EQ(sk_diag_parse_unix(m.b, m.len, &d), -1);
}

UNIT_TEST(sk_diag_find_sorted)
{
	struct sk_diag_unix t[3] = { { .ino = 3 }, { .ino = 10 }, { .ino = 42 } };

	EXPECT(sk_diag_find(t, 3, 10) == &t[1]);
	EXPECT(sk_diag_find(t, 3, 42) == &t[2]);
	EXPECT(sk_diag_find(t, 3, 11) == NULL);
	EXPECT(sk_diag_find(t, 0, 3) == NULL);
}
