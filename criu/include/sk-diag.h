/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Unix sockets as NETLINK_SOCK_DIAG reports them: inode, peer, name, bound
 * file, pending connections, queue lengths, shutdown state. The parser is
 * pure (one message in, one record out) so unit tests feed it built bytes.
 */
#ifndef CRIU_INCLUDE_SK_DIAG_H
#define CRIU_INCLUDE_SK_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/compiler.h"

#define SK_DIAG_NAME_MAX 108		/* sizeof(sun_path) */
#define SK_DIAG_MAX_ICONS 65536		/* a listen backlog never gets near */

struct sk_diag_unix {
	uint32_t ino;
	uint32_t type;			/* SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET */
	uint32_t state;			/* TCP_ESTABLISHED, TCP_LISTEN, TCP_CLOSE */
	uint32_t peer;			/* 0: none, or the peer is gone or not yet accepted */
	uint8_t shutdown;		/* RCV_SHUTDOWN 1 | SEND_SHUTDOWN 2 */
	bool has_rqlen, has_vfs, has_uid;
	uint32_t rqlen;			/* listener: pending connections; else bytes queued */
	uint32_t wqlen;			/* listener: its backlog; else bytes sent, unread */
	uint32_t vfs_ino, vfs_dev;	/* the bound file (kernel dev_t encoding) */
	uint32_t uid;
	uint32_t name_len;		/* 0 when unbound */
	char name[SK_DIAG_NAME_MAX];	/* path (with its NUL) or NUL + abstract name */
	uint32_t nr_icons;		/* listener: inodes of the pending clients, in order */
	uint32_t *icons;
};

/*
 * One SOCK_DIAG_BY_FAMILY reply (the bytes after the nlmsghdr) into *d.
 * 0 on success, -1 if malformed (d holds nothing to free then).
 */
int sk_diag_parse_unix(const void *msg, size_t len, struct sk_diag_unix *d) __must_check;
void sk_diag_unix_free(struct sk_diag_unix *d);

/* Every unix socket of our network namespace, sorted by inode. */
int sk_diag_collect_unix(struct sk_diag_unix **out, int *nr) __must_check;
const struct sk_diag_unix *sk_diag_find(const struct sk_diag_unix *t, int nr, uint32_t ino);
void sk_diag_free_all(struct sk_diag_unix *t, int nr);

#endif /* CRIU_INCLUDE_SK_DIAG_H */
