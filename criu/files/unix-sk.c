// SPDX-License-Identifier: GPL-2.0
/*
 * Unix sockets: the handler table entry, and what the dump, image and
 * restore parts share: the per-socket record, names for messages, queued
 * packets and the socket options kept across checkpoint/restore.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define LOG_PREFIX "unix: "
#include "log.h"
#include "unix-sk.h"

struct usk *usk_new(struct file_entry *fe)
{
	struct usk *u = calloc(1, sizeof(*u));

	if (!u) {
		pr_err("out of memory\n");
		return NULL;
	}
	u->fe = fe;
	u->helper = -1;
	u->opts.peek_off = -1;
	INIT_LIST_HEAD(&u->queue);
	fe->priv = u;
	return u;
}

struct usk *usk_find_ino(const struct file_ids *f, uint32_t ino)
{
	struct file_entry *fe;

	list_for_each_entry(fe, &f->files, list)
		if (fe->kind == FILE_KIND_UNIXSK && usk_of(fe) && usk_of(fe)->ino == ino)
			return usk_of(fe);
	return NULL;
}

const char *usk_name_str(const char *name, uint32_t len, char *buf, size_t size)
{
	size_t n = 0;

	if (!len) {
		snprintf(buf, size, "unnamed");
		return buf;
	}
	if (name[0]) {
		snprintf(buf, size, "'%.*s'", (int)strnlen(name, len), name);
		return buf;
	}
	/* abstract: show its NULs as '@', as ss(8) and /proc/net/unix do */
	for (uint32_t i = 0; i < len && n + 2 < size; i++)
		buf[n++] = name[i] ? name[i] : '@';
	buf[n] = 0;
	return buf;
}

bool usk_is_path(const struct usk *u)
{
	return u->name_len && u->name[0];
}

int usk_add_packet(struct usk *u, const void *data, uint32_t len, const char *addr,
		   uint32_t addr_len)
{
	struct usk_packet *pk;

	if (u->nr_packets >= USK_MAX_PACKETS || u->queued + len > USK_MAX_QUEUE ||
	    addr_len > USK_NAME_MAX) {
		pr_err("socket %u: more than %u packets or %u bytes queued\n", u->ino,
		       USK_MAX_PACKETS, USK_MAX_QUEUE);
		return -1;
	}
	pk = malloc(sizeof(*pk) + len);
	if (!pk) {
		pr_err("out of memory\n");
		return -1;
	}
	pk->len = len;
	pk->addr_len = addr_len;
	memcpy(pk->addr, addr, addr_len);
	memcpy(pk->data, data, len);
	list_add_tail(&pk->list, &u->queue);
	u->nr_packets++;
	u->queued += len;
	return 0;
}

static int get_int(int sk, int opt, int *v, const char *what, const char *name)
{
	socklen_t len = sizeof(*v);

	if (getsockopt(sk, SOL_SOCKET, opt, v, &len)) {
		pr_perror("%s: can't read %s", what, name);
		return -1;
	}
	return 0;
}

static int get_tv(int sk, int opt, uint64_t *sec, uint64_t *usec, const char *what)
{
	struct timeval tv;
	socklen_t len = sizeof(tv);

	if (getsockopt(sk, SOL_SOCKET, opt, &tv, &len)) {
		pr_perror("%s: can't read a socket timeout", what);
		return -1;
	}
	*sec = tv.tv_sec;
	*usec = tv.tv_usec;
	return 0;
}

int usk_get_opts(int sk, struct usk_opts *o, const char *what)
{
	int sndbuf, rcvbuf, prio, lowat, mark, cred, sec, peek;

	if (get_int(sk, SO_SNDBUF, &sndbuf, what, "SO_SNDBUF") ||
	    get_int(sk, SO_RCVBUF, &rcvbuf, what, "SO_RCVBUF") ||
	    get_int(sk, SO_PRIORITY, &prio, what, "SO_PRIORITY") ||
	    get_int(sk, SO_RCVLOWAT, &lowat, what, "SO_RCVLOWAT") ||
	    get_int(sk, SO_MARK, &mark, what, "SO_MARK") ||
	    get_int(sk, SO_PASSCRED, &cred, what, "SO_PASSCRED") ||
	    get_int(sk, SO_PASSSEC, &sec, what, "SO_PASSSEC") ||
	    get_int(sk, SO_PEEK_OFF, &peek, what, "SO_PEEK_OFF") ||
	    get_tv(sk, SO_SNDTIMEO, &o->snd_tmo_sec, &o->snd_tmo_usec, what) ||
	    get_tv(sk, SO_RCVTIMEO, &o->rcv_tmo_sec, &o->rcv_tmo_usec, what))
		return -1;
	o->sndbuf = sndbuf;
	o->rcvbuf = rcvbuf;
	o->priority = prio;
	o->rcvlowat = lowat;
	o->mark = mark;
	o->passcred = cred;
	o->passsec = sec;
	o->peek_off = peek;
	return 0;
}

/*
 * The kernel doubles what setsockopt() asks for and caps it at
 * net.core.[rw]mem_max; the *FORCE variants lift the cap for CAP_NET_ADMIN.
 */
static int set_buf(int sk, int opt, int force, uint32_t want, const char *what)
{
	int cur, half = want / 2;
	socklen_t len = sizeof(cur);

	if (!getsockopt(sk, SOL_SOCKET, opt, &cur, &len) && (uint32_t)cur == want)
		return 0;
	if (setsockopt(sk, SOL_SOCKET, opt, &half, sizeof(half))) {
		pr_perror("%s: can't set a buffer size to %u", what, want);
		return -1;
	}
	len = sizeof(cur);
	if (!getsockopt(sk, SOL_SOCKET, opt, &cur, &len) && (uint32_t)cur == want)
		return 0;
	if (!setsockopt(sk, SOL_SOCKET, force, &half, sizeof(half)))
		return 0;
	pr_warn("%s: buffer of %u bytes capped at %d (net.core.[rw]mem_max; CAP_NET_ADMIN "
		"lifts it)\n", what, want, cur);
	return 0;
}

static int set_int(int sk, int opt, int v, const char *what, const char *name)
{
	if (setsockopt(sk, SOL_SOCKET, opt, &v, sizeof(v))) {
		pr_perror("%s: can't set %s to %d", what, name, v);
		return -1;
	}
	return 0;
}

static int set_tv(int sk, int opt, uint64_t sec, uint64_t usec, const char *what)
{
	struct timeval tv = { (time_t)sec, (suseconds_t)usec };

	if (!sec && !usec)
		return 0;
	if (setsockopt(sk, SOL_SOCKET, opt, &tv, sizeof(tv))) {
		pr_perror("%s: can't set a socket timeout", what);
		return -1;
	}
	return 0;
}

int usk_set_opts(int sk, const struct usk_opts *o, const char *what)
{
	if (set_buf(sk, SO_SNDBUF, SO_SNDBUFFORCE, o->sndbuf, what) ||
	    set_buf(sk, SO_RCVBUF, SO_RCVBUFFORCE, o->rcvbuf, what) ||
	    set_tv(sk, SO_SNDTIMEO, o->snd_tmo_sec, o->snd_tmo_usec, what) ||
	    set_tv(sk, SO_RCVTIMEO, o->rcv_tmo_sec, o->rcv_tmo_usec, what) ||
	    (o->priority && set_int(sk, SO_PRIORITY, o->priority, what, "SO_PRIORITY")) ||
	    (o->rcvlowat > 1 && set_int(sk, SO_RCVLOWAT, o->rcvlowat, what, "SO_RCVLOWAT")) ||
	    (o->mark && set_int(sk, SO_MARK, o->mark, what, "SO_MARK")) ||
	    (o->passsec && set_int(sk, SO_PASSSEC, 1, what, "SO_PASSSEC")) ||
	    (o->peek_off >= 0 && set_int(sk, SO_PEEK_OFF, o->peek_off, what, "SO_PEEK_OFF")))
		return -1;
	/* last: with it, a send or connect would bind the socket to an automatic name */
	if (o->passcred && set_int(sk, SO_PASSCRED, 1, what, "SO_PASSCRED"))
		return -1;
	return 0;
}

/* --inherit-fd names a socket as its /proc link does */
static int usk_inherit_key(const struct file_entry *fe, char *buf, size_t len)
{
	snprintf(buf, len, "socket:[%u]", usk_of(fe)->ino);
	return 0;
}

static void usk_free(struct file_entry *fe)
{
	struct usk *u = usk_of(fe);
	struct usk_packet *pk, *n;

	if (!u)
		return;
	list_for_each_entry_safe(pk, n, &u->queue, list)
		free(pk);
	if (u->helper >= 0)
		close(u->helper);
	free(u->icons);
	free(u->name_dir);
	free(u->peer_name_dir);
	free(u);
	fe->priv = NULL;
}

const struct file_ops unix_sk_file_ops = {
	.name = "unix socket",
	.kind = FILE_KIND_UNIXSK,
	.match = usk_match,
	.dump = usk_dump,
	.dump_finish = usk_dump_finish,
	.to_image = usk_to_image,
	.from_image = usk_from_image,
	.write_extra = usk_write_queues,
	.read_extra = usk_read_queues,
	.open = usk_open,
	.inherit_key = usk_inherit_key,
	.free = usk_free,
	.free_state = usk_state_free,
};
