// SPDX-License-Identifier: GPL-2.0
/*
 * Unix sockets in the images: a unix_sk_entry in files.img per socket (and
 * per named peer outside the tree), and sk-queues.img with every packet
 * queued for a socket. Everything read back is checked, and every peer
 * resolved, before restore creates anything.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define LOG_PREFIX "unix: "
#include "arena.h"
#include "files-internal.h"
#include "image.h"
#include "images.h"
#include "log.h"
#include "options.h"
#include "unix-sk.h"

#define KERNEL_O_LARGEFILE 0100000
#define USK_FILE_FLAGS (O_ACCMODE | O_NONBLOCK | KERNEL_O_LARGEFILE)
#define MAX_TMO_SEC (1ULL << 40)

static SkOptsEntry *opts_to_image(const struct usk_opts *o, struct arena *a)
{
	SkOptsEntry *so = arena_alloc(a, sizeof(*so));

	if (!so)
		return NULL;
	sk_opts_entry__init(so);
	so->so_sndbuf = o->sndbuf;
	so->so_rcvbuf = o->rcvbuf;
	so->so_snd_tmo_sec = o->snd_tmo_sec;
	so->so_snd_tmo_usec = o->snd_tmo_usec;
	so->so_rcv_tmo_sec = o->rcv_tmo_sec;
	so->so_rcv_tmo_usec = o->rcv_tmo_usec;
	so->has_so_priority = so->has_so_rcvlowat = so->has_so_mark = 1;
	so->so_priority = o->priority;
	so->so_rcvlowat = o->rcvlowat;
	so->so_mark = o->mark;
	so->has_so_passcred = so->has_so_passsec = 1;
	so->so_passcred = o->passcred;
	so->so_passsec = o->passsec;
	so->has_so_peek_off = 1;
	so->so_peek_off = o->peek_off;
	return so;
}

static int fill_entry(const struct usk *u, UnixSkEntry *ue, struct arena *a)
{
	FownEntry *fown = arena_alloc(a, sizeof(*fown));

	if (!fown || !(ue->opts = opts_to_image(&u->opts, a)))
		return -1;
	fown_entry__init(fown);
	ue->fown = fown;
	ue->ino = u->ino;
	ue->type = u->type;
	ue->state = u->state;
	ue->flags = u->flags;
	ue->uflags = u->uflags;
	ue->backlog = u->backlog;
	ue->peer = u->peer_ino;
	ue->name.len = u->name_len;
	ue->name.data = (uint8_t *)u->name;
	ue->has_shutdown = 1;
	ue->shutdown = (SkShutdown)u->shutdown;
	ue->name_dir = u->name_dir;
	ue->has_deleted = u->deleted;
	ue->deleted = u->deleted;
	ue->has_accepted = u->accepted;
	ue->accepted = u->accepted;
	ue->n_icons = u->nr_icons;
	ue->icons = u->icons;
	if (u->has_perms) {
		FilePermsEntry *perms = arena_alloc(a, sizeof(*perms));

		if (!perms)
			return -1;
		file_perms_entry__init(perms);
		perms->mode = u->mode;
		perms->uid = u->uid;
		perms->gid = u->gid;
		ue->file_perms = perms;
	}
	return 0;
}

int usk_to_image(const struct file_entry *fe, FileEntry *e, struct arena *a)
{
	UnixSkEntry *ue = arena_alloc(a, sizeof(*ue));

	if (!ue)
		return -1;
	unix_sk_entry__init(ue);
	ue->id = fe->id;
	if (fill_entry(usk_of(fe), ue, a))
		return -1;
	e->type = FD_TYPES__UNIXSK;
	e->usk = ue;
	return 0;
}

static int opts_from_image(const SkOptsEntry *so, struct usk_opts *o)
{
	if (so->so_sndbuf > INT32_MAX || so->so_rcvbuf > INT32_MAX ||
	    so->so_snd_tmo_sec > MAX_TMO_SEC || so->so_rcv_tmo_sec > MAX_TMO_SEC ||
	    so->so_snd_tmo_usec >= 1000000 || so->so_rcv_tmo_usec >= 1000000 ||
	    (so->has_so_rcvlowat && so->so_rcvlowat > INT32_MAX) ||
	    (so->has_so_priority && so->so_priority > INT32_MAX) ||
	    (so->has_so_peek_off && so->so_peek_off < -1) || so->n_so_filter ||
	    (so->so_bound_dev && so->so_bound_dev[0]))
		return -1;
	o->sndbuf = so->so_sndbuf;
	o->rcvbuf = so->so_rcvbuf;
	o->snd_tmo_sec = so->so_snd_tmo_sec;
	o->snd_tmo_usec = so->so_snd_tmo_usec;
	o->rcv_tmo_sec = so->so_rcv_tmo_sec;
	o->rcv_tmo_usec = so->so_rcv_tmo_usec;
	o->priority = so->has_so_priority ? so->so_priority : 0;
	o->rcvlowat = so->has_so_rcvlowat ? so->so_rcvlowat : 1;
	o->mark = so->has_so_mark ? so->so_mark : 0;
	o->passcred = so->has_so_passcred && so->so_passcred;
	o->passsec = so->has_so_passsec && so->so_passsec;
	o->peek_off = so->has_so_peek_off ? so->so_peek_off : -1;
	return 0;
}

static bool valid_entry(const UnixSkEntry *ue)
{
	bool ext = ue->uflags & USK_EXTERN;

	if (ue->uflags & ~USK_EXTERN || !ue->opts || !ue->fown)
		return false;
	if (ue->type != SOCK_STREAM && ue->type != SOCK_DGRAM && ue->type != SOCK_SEQPACKET)
		return false;
	if (ue->state != USK_ESTABLISHED && ue->state != USK_CLOSE && ue->state != USK_LISTEN)
		return false;
	if (!ext && ue->state == USK_LISTEN && ue->type == SOCK_DGRAM)
		return false;
	if (ue->name.len > USK_NAME_MAX || !ue->ino)
		return false;
	if (ue->name_dir && (ue->name_dir[0] != '/' || strlen(ue->name_dir) >= 4096))
		return false;
	if (ue->flags & ~USK_FILE_FLAGS || ue->backlog > USK_MAX_BACKLOG ||
	    (ue->has_shutdown && ue->shutdown > SK_SHUTDOWN__BOTH) || ue->n_icons > USK_MAX_ICONS)
		return false;
	if ((ue->has_deleted && ue->deleted) && !(ue->name.len && ue->name.data[0]))
		return false;
	return !(ue->has_accepted && ue->accepted && !ue->name.len);
}

int usk_from_image(struct file_ids *f, const FileEntry *e, struct file_entry *fe)
{
	const UnixSkEntry *ue = e->usk;
	struct usk *u;

	(void)f;
	if (!ue || ue->id != e->id || !valid_entry(ue)) {
		pr_err("files.img: unix socket file %u is malformed\n", e->id);
		return -1;
	}
	u = usk_new(fe);
	if (!u)
		return -1;
	if (opts_from_image(ue->opts, &u->opts)) {
		pr_err("files.img: unix socket file %u has bad or unsupported options\n", e->id);
		return -1;
	}
	u->ino = ue->ino;
	u->peer_ino = ue->peer;
	u->type = ue->type;
	u->state = ue->state;
	u->flags = ue->flags;
	u->uflags = ue->uflags;
	u->backlog = ue->backlog;
	u->shutdown = ue->has_shutdown ? ue->shutdown : 0;
	u->name_len = ue->name.len;
	memcpy(u->name, ue->name.data, ue->name.len);
	u->deleted = ue->has_deleted && ue->deleted;
	u->accepted = ue->has_accepted && ue->accepted;
	if (ue->file_perms) {
		u->has_perms = true;
		u->mode = ue->file_perms->mode;
		u->uid = ue->file_perms->uid;
		u->gid = ue->file_perms->gid;
	}
	if (ue->name_dir && !(u->name_dir = strdup(ue->name_dir)))
		return -1;
	if (ue->n_icons) {
		u->icons = malloc(ue->n_icons * sizeof(uint32_t));
		if (!u->icons)
			return -1;
		memcpy(u->icons, ue->icons, ue->n_icons * sizeof(uint32_t));
		u->nr_icons = ue->n_icons;
	}
	return 0;
}

int usk_write_queues(int dirfd, const struct file_ids *f)
{
	struct img *img = NULL;
	struct file_entry *fe;
	int ret = -1;

	list_for_each_entry(fe, &f->files, list) {
		struct usk_packet *pk;

		if (fe->kind != FILE_KIND_UNIXSK)
			continue;
		list_for_each_entry(pk, &usk_of(fe)->queue, list) {
			SkPacketEntry e = SK_PACKET_ENTRY__INIT;

			if (!img && !(img = img_open(dirfd, IMG_SK_QUEUES, O_WRONLY, 0)))
				goto out;
			e.id_for = fe->id;
			e.length = pk->len;
			e.has_addr = pk->addr_len > 0;
			e.addr.len = pk->addr_len;
			e.addr.data = (uint8_t *)pk->addr;
			if (img_write_entry(img, &e) || img_write_raw(img, pk->data, pk->len))
				goto out;
		}
	}
	ret = 0;
out:
	if (img_close(img))
		ret = -1;
	return ret;
}

static int read_packet(struct img *img, void *msg, void *arg)
{
	const SkPacketEntry *e = msg;
	struct file_ids *f = arg;
	struct file_entry *fe = files_find(f, e->id_for);
	struct usk *u = fe && fe->kind == FILE_KIND_UNIXSK ? usk_of(fe) : NULL;
	uint8_t *buf;
	int ret;

	if (!u || (u->uflags & USK_EXTERN && !u->inherited) || u->state == USK_LISTEN) {
		pr_err("sk-queues.img: packet for %u, which is no socket with a queue\n",
		       e->id_for);
		return -1;
	}
	if (e->n_scm) {
		pr_err("sk-queues.img: packet for socket %u carries control messages "
		       "(file descriptors in flight): not supported\n", u->ino);
		return -1;
	}
	if (e->length > USK_MAX_QUEUE || (e->has_addr && e->addr.len > USK_NAME_MAX)) {
		pr_err("sk-queues.img: packet of %u bytes for socket %u\n", e->length, u->ino);
		return -1;
	}
	if (img_raw_left(img) < (off_t)e->length) {
		pr_err("sk-queues.img: packet of %u bytes for socket %u is cut short\n",
		       e->length, u->ino);
		return -1;
	}
	buf = malloc(e->length + 1);
	if (!buf) {
		pr_err("out of memory\n");
		return -1;
	}
	ret = img_read_raw(img, buf, e->length);
	if (!ret && u->inherited)
		pr_info("unix socket %u is inherited: the %u bytes queued for it stay behind\n",
			u->ino, e->length);
	else if (!ret)
		ret = usk_add_packet(u, buf, e->length,
				     e->has_addr ? (const char *)e->addr.data : "",
				     e->has_addr ? e->addr.len : 0);
	free(buf);
	return ret;
}

static int check_peer(const struct file_ids *f, struct usk *u)
{
	struct usk *p = u->peer;

	if (!p) {
		if (!u->peer_ino)
			return 0;
		pr_err("files.img: unix socket %u's peer %u is not in the images\n", u->ino,
		       u->peer_ino);
		return -1;
	}
	if (u->state != USK_ESTABLISHED || p == u) {
		pr_err("files.img: unix socket %u in state %u has peer %u\n", u->ino, u->state,
		       p->ino);
		return -1;
	}
	if (p->uflags & USK_EXTERN) {
		if (opts->ext_unix_sk)
			return 0;
		pr_err("unix socket %u is connected to socket %u outside the dumped tree; restore "
		       "with --ext-unix-sk to reconnect it\n", u->ino, p->ino);
		return -1;
	}
	if (p->type != u->type || (u->type != SOCK_DGRAM && p->state != USK_LISTEN &&
				   p->peer_ino != u->ino)) {
		pr_err("files.img: unix socket %u and its peer %u do not match\n", u->ino, p->ino);
		return -1;
	}
	(void)f;
	return 0;
}

/* An unnamed datagram socket is reachable by its socketpair() partner only. */
static int check_unnamed(const struct file_ids *f, const struct usk *p)
{
	struct file_entry *fe;
	int n = 0;

	if (p->type != SOCK_DGRAM || p->name_len || p->uflags & USK_EXTERN)
		return 0;
	list_for_each_entry(fe, &f->files, list)
		if (fe->kind == FILE_KIND_UNIXSK && usk_of(fe)->peer == p && ++n > 1) {
			pr_err("files.img: unnamed unix socket %u has several peers\n", p->ino);
			return -1;
		}
	return 0;
}

int usk_read_queues(int dirfd, struct file_ids *f)
{
	struct file_entry *fe;

	list_for_each_entry(fe, &f->files, list) {
		struct usk *u = usk_of(fe);

		if (fe->kind != FILE_KIND_UNIXSK)
			continue;
		if (usk_find_ino(f, u->ino) != u) {
			pr_err("files.img: unix socket inode %u is listed twice\n", u->ino);
			return -1;
		}
		/*
		 * The caller's socket stands in for an inherited one: to the
		 * sockets of the tree it is outside, and nothing of it (queue,
		 * name, peer) is restored.
		 */
		if (!(u->uflags & USK_EXTERN) && files_inherited(fe)) {
			u->uflags |= USK_EXTERN;
			u->inherited = true;
			pr_info("unix socket %u is inherited\n", u->ino);
		}
		if (u->peer_ino && !(u->uflags & USK_EXTERN))
			u->peer = usk_find_ino(f, u->peer_ino);
	}
	list_for_each_entry(fe, &f->files, list) {
		struct usk *u = usk_of(fe);

		if (fe->kind != FILE_KIND_UNIXSK || u->uflags & USK_EXTERN)
			continue;
		if (check_peer(f, u) || check_unnamed(f, u))
			return -1;
	}
	return img_for_each_entry(dirfd, IMG_SK_QUEUES, read_packet, f) < 0 ? -1 : 0;
}
