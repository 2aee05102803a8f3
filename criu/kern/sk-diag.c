// SPDX-License-Identifier: GPL-2.0
/*
 * Unix sockets through NETLINK_SOCK_DIAG: one dump request lists every
 * unix socket of our network namespace; each reply is parsed with every
 * attribute length checked, since the bytes come from the kernel.
 */
#include <errno.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define LOG_PREFIX "sk-diag: "
#include "log.h"
#include "sk-diag.h"

#define SK_DIAG_BUF (64 << 10)
#define ATTR_HDR 4u	/* struct nlattr: u16 length, u16 type */
#define ATTR_ALIGN(len) (((len) + 3u) & ~3u)

static int get_u32(const uint8_t *data, uint32_t len, uint32_t *v)
{
	if (len < sizeof(*v))
		return -1;
	memcpy(v, data, sizeof(*v));
	return 0;
}

static int parse_attr(struct sk_diag_unix *d, uint16_t type, const uint8_t *data, uint32_t len)
{
	switch (type) {
	case UNIX_DIAG_NAME:
		if (len == 0 || len > SK_DIAG_NAME_MAX)
			return -1;
		memcpy(d->name, data, len);
		d->name_len = len;
		return 0;
	case UNIX_DIAG_VFS:
		if (len < 2 * sizeof(uint32_t))
			return -1;
		memcpy(&d->vfs_ino, data, sizeof(uint32_t));
		memcpy(&d->vfs_dev, data + sizeof(uint32_t), sizeof(uint32_t));
		d->has_vfs = true;
		return 0;
	case UNIX_DIAG_PEER:
		return get_u32(data, len, &d->peer);
	case UNIX_DIAG_ICONS:
		if (len % sizeof(uint32_t) || len / sizeof(uint32_t) > SK_DIAG_MAX_ICONS ||
		    d->icons)
			return -1;
		d->nr_icons = len / sizeof(uint32_t);
		if (!d->nr_icons)
			return 0;
		d->icons = malloc(len);
		if (!d->icons)
			return -1;
		memcpy(d->icons, data, len);
		return 0;
	case UNIX_DIAG_RQLEN:
		if (len < 2 * sizeof(uint32_t))
			return -1;
		memcpy(&d->rqlen, data, sizeof(uint32_t));
		memcpy(&d->wqlen, data + sizeof(uint32_t), sizeof(uint32_t));
		d->has_rqlen = true;
		return 0;
	case UNIX_DIAG_SHUTDOWN:
		if (len < 1 || data[0] > 3)
			return -1;
		d->shutdown = data[0];
		return 0;
	case UNIX_DIAG_UID:
		d->has_uid = true;
		return get_u32(data, len, &d->uid);
	default:
		return 0;	/* newer kernels may add attributes */
	}
}

int sk_diag_parse_unix(const void *msg, size_t len, struct sk_diag_unix *d)
{
	const uint8_t *p = msg;
	struct unix_diag_msg m;
	size_t off;

	memset(d, 0, sizeof(*d));
	if (len < sizeof(m))
		return -1;
	memcpy(&m, p, sizeof(m));
	if (m.udiag_family != AF_UNIX)
		return -1;
	d->ino = m.udiag_ino;
	d->type = m.udiag_type;
	d->state = m.udiag_state;
	for (off = ATTR_ALIGN(sizeof(m)); off + ATTR_HDR <= len;) {
		uint16_t alen, type;

		memcpy(&alen, p + off, sizeof(alen));
		memcpy(&type, p + off + 2, sizeof(type));
		if (alen < ATTR_HDR || off + alen > len ||
		    parse_attr(d, type & 0x3fff, p + off + ATTR_HDR, alen - ATTR_HDR))
			goto bad;
		off += ATTR_ALIGN(alen);
	}
	return 0;
bad:
	sk_diag_unix_free(d);
	return -1;
}

void sk_diag_unix_free(struct sk_diag_unix *d)
{
	free(d->icons);
	d->icons = NULL;
	d->nr_icons = 0;
}

static int send_request(int nl)
{
	struct {
		struct nlmsghdr h;
		struct unix_diag_req r;
	} req;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

	memset(&req, 0, sizeof(req));
	req.h.nlmsg_len = sizeof(req);
	req.h.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.h.nlmsg_seq = 1;
	req.r.sdiag_family = AF_UNIX;
	req.r.udiag_states = ~0u;
	req.r.udiag_show = UDIAG_SHOW_NAME | UDIAG_SHOW_VFS | UDIAG_SHOW_PEER |
			   UDIAG_SHOW_ICONS | UDIAG_SHOW_RQLEN | UDIAG_SHOW_UID;
	if (sendto(nl, &req, sizeof(req), 0, (struct sockaddr *)&sa, sizeof(sa)) !=
	    (ssize_t)sizeof(req)) {
		pr_perror("can't ask sock_diag for unix sockets");
		return -1;
	}
	return 0;
}

static int add_one(struct sk_diag_unix **t, int *nr, int *cap, const struct nlmsghdr *h)
{
	struct sk_diag_unix d;

	if (sk_diag_parse_unix(NLMSG_DATA(h), h->nlmsg_len - NLMSG_HDRLEN, &d)) {
		pr_err("malformed sock_diag reply for a unix socket\n");
		return -1;
	}
	if (*nr == *cap) {
		int ncap = *cap ? 2 * *cap : 256;
		struct sk_diag_unix *n = realloc(*t, ncap * sizeof(*n));

		if (!n) {
			sk_diag_unix_free(&d);
			pr_err("out of memory\n");
			return -1;
		}
		*t = n;
		*cap = ncap;
	}
	(*t)[(*nr)++] = d;
	return 0;
}

/* 1: more to read, 0: done, -1: error */
static int read_replies(int nl, char *buf, size_t size, struct sk_diag_unix **t, int *nr,
			int *cap)
{
	ssize_t n = recv(nl, buf, size, MSG_TRUNC);
	struct nlmsghdr *h;
	size_t left;

	if (n < 0) {
		pr_perror("can't read sock_diag replies");
		return -1;
	}
	if ((size_t)n > size) {
		pr_err("a sock_diag reply of %zd bytes does not fit %zu\n", n, size);
		return -1;
	}
	left = n;
	for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
		if (h->nlmsg_type == NLMSG_DONE)
			return 0;
		if (h->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = NLMSG_DATA(h);

			errno = h->nlmsg_len >= NLMSG_LENGTH(sizeof(*e)) ? -e->error : EINVAL;
			pr_perror("sock_diag refused to list unix sockets");
			return -1;
		}
		if (h->nlmsg_type == SOCK_DIAG_BY_FAMILY && add_one(t, nr, cap, h))
			return -1;
	}
	return n ? 1 : 0;
}

static int cmp_ino(const void *a, const void *b)
{
	uint32_t x = ((const struct sk_diag_unix *)a)->ino, y = ((const struct sk_diag_unix *)b)->ino;

	return x < y ? -1 : x > y;
}

int sk_diag_collect_unix(struct sk_diag_unix **out, int *nr)
{
	struct sk_diag_unix *t = NULL;
	int nl, cap = 0, r;
	char *buf;

	*nr = 0;
	nl = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (nl < 0) {
		pr_perror("can't open a sock_diag netlink socket");
		return -1;
	}
	buf = malloc(SK_DIAG_BUF);
	if (!buf || send_request(nl)) {
		close(nl);
		free(buf);
		return -1;
	}
	while ((r = read_replies(nl, buf, SK_DIAG_BUF, &t, nr, &cap)) == 1)
		;
	close(nl);
	free(buf);
	if (r) {
		sk_diag_free_all(t, *nr);
		*nr = 0;
		return -1;
	}
	if (*nr)
		qsort(t, *nr, sizeof(*t), cmp_ino);
	*out = t;
	pr_debug("sock_diag lists %d unix sockets\n", *nr);
	return 0;
}

const struct sk_diag_unix *sk_diag_find(const struct sk_diag_unix *t, int nr, uint32_t ino)
{
	struct sk_diag_unix key = { .ino = ino };

	if (!nr)
		return NULL;
	return bsearch(&key, t, nr, sizeof(*t), cmp_ino);
}

void sk_diag_free_all(struct sk_diag_unix *t, int nr)
{
	for (int i = 0; i < nr; i++)
		sk_diag_unix_free(&t[i]);
	free(t);
}
