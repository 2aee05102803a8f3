// SPDX-License-Identifier: GPL-2.0
/*
 * Dump of unix sockets. sock_diag says what each socket is (peer, name,
 * pending connections, shutdown state); a copy of the task's fd taken with
 * pidfd_getfd() gives its options and, peeked with SO_PEEK_OFF, every
 * packet queued for it, which stays where it is. Peers are matched once
 * every task is in: a peer outside the tree needs --ext-unix-sk.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/xattr.h>
#include <unistd.h>

#define LOG_PREFIX "unix: "
#include "files-internal.h"
#include "log.h"
#include "options.h"
#include "proc-parse.h"
#include "sk-diag.h"
#include "unix-sk.h"

#define PEEK_BUF (4u << 20)	/* larger than any datagram a sndbuf lets through */

struct usk_state {
	struct sk_diag_unix *diag;
	int nr;
	uint8_t *buf;
	pid_t pidfd_pid;
	int pidfd;
};

static struct usk_state *state_get(struct file_ids *f)
{
	struct usk_state *st = f->usk;

	if (st)
		return st;
	st = calloc(1, sizeof(*st));
	if (!st || !(st->buf = malloc(PEEK_BUF))) {
		free(st);
		pr_err("out of memory\n");
		return NULL;
	}
	st->pidfd = -1;
	if (sk_diag_collect_unix(&st->diag, &st->nr)) {
		free(st->buf);
		free(st);
		return NULL;
	}
	f->usk = st;
	return st;
}

void usk_state_free(struct file_ids *f)
{
	struct usk_state *st = f->usk;

	if (!st)
		return;
	sk_diag_free_all(st->diag, st->nr);
	if (st->pidfd >= 0)
		close(st->pidfd);
	free(st->buf);
	free(st);
	f->usk = NULL;
}

bool usk_match(const struct fd_parms *p)
{
	char path[64], proto[32];
	ssize_t n;

	if (!S_ISSOCK(p->st->st_mode))
		return false;
	snprintf(path, sizeof(path), "/proc/%d/fd/%d", p->pid, p->fd);
	n = getxattr(path, "system.sockprotoname", proto, sizeof(proto) - 1);
	if (n <= 0)
		return false;
	proto[n] = 0;
	return !strncmp(proto, "UNIX", 4);
}

/* Our own copy of the task's socket (the same open file description). */
static int steal_fd(struct usk_state *st, pid_t pid, int fd, const char *what)
{
	int sk;

	if (st->pidfd_pid != pid) {
		if (st->pidfd >= 0)
			close(st->pidfd);
		st->pidfd_pid = 0;
		st->pidfd = syscall(SYS_pidfd_open, pid, 0);
		if (st->pidfd < 0) {
			pr_perror("%s: pidfd_open failed", what);
			return -1;
		}
		st->pidfd_pid = pid;
	}
	sk = syscall(SYS_pidfd_getfd, st->pidfd, fd, 0);
	if (sk < 0)
		pr_perror("%s: can't copy the socket with pidfd_getfd (Linux 5.6+)", what);
	return sk;
}

static int check_kind(const struct sk_diag_unix *d, const char *what)
{
	if (d->type != SOCK_STREAM && d->type != SOCK_DGRAM && d->type != SOCK_SEQPACKET) {
		pr_err("%s: unix socket %u of type %u: not supported\n", what, d->ino, d->type);
		return -1;
	}
	if (d->state != USK_ESTABLISHED && d->state != USK_CLOSE && d->state != USK_LISTEN) {
		pr_err("%s: unix socket %u in state %u: not supported\n", what, d->ino, d->state);
		return -1;
	}
	return 0;
}

static int check_filter(int sk, const char *what)
{
	socklen_t len = 0;

	if (getsockopt(sk, SOL_SOCKET, SO_GET_FILTER, NULL, &len) == 0 && len) {
		pr_err("%s: the socket has a BPF filter attached: not supported\n", what);
		return -1;
	}
	return 0;
}

/* Kernel dev_t (MAJOR << 20 | MINOR) against a stat()'s. */
static bool same_file(const struct stat *st, const struct sk_diag_unix *d)
{
	return (uint32_t)st->st_ino == d->vfs_ino && major(st->st_dev) == d->vfs_dev >> 20 &&
	       minor(st->st_dev) == (d->vfs_dev & 0xfffff);
}

/*
 * A bound name belongs to one socket; sockets accept() made share their
 * listener's (its file too). So a connected socket whose name another
 * socket has got it from accept().
 */
static bool shares_name(const struct usk_state *st, const struct sk_diag_unix *d)
{
	for (int i = 0; i < st->nr; i++) {
		const struct sk_diag_unix *o = &st->diag[i];

		if (o->ino == d->ino || o->name_len != d->name_len ||
		    memcmp(o->name, d->name, d->name_len))
			continue;
		if (!d->has_vfs || !o->has_vfs ||
		    (o->vfs_ino == d->vfs_ino && o->vfs_dev == d->vfs_dev))
			return true;
	}
	return false;
}

/* Find the directory of a relative name: the task's cwd, else its root. */
static int find_name_dir(const struct usk *u, const struct sk_diag_unix *d, pid_t pid,
			 char **dir, struct stat *st)
{
	static const char *const links[] = { "cwd", "root" };
	char link[64], path[PROC_PATH_MAX], full[PROC_PATH_MAX + USK_NAME_MAX + 2];

	for (size_t i = 0; i < ARRAY_SIZE(links); i++) {
		snprintf(link, sizeof(link), "/proc/%d/%s", pid, links[i]);
		if (proc_readlink(link, path, sizeof(path)))
			continue;
		snprintf(full, sizeof(full), "%s/%.*s", path, (int)strnlen(u->name, u->name_len),
			 u->name);
		if (!stat(full, st) && same_file(st, d)) {
			free(*dir);
			*dir = strdup(path);
			return *dir ? 1 : -1;
		}
		if (i == 0 && !(*dir = strdup(path)))	/* deleted: its cwd is our best guess */
			return -1;
	}
	return 0;
}

static int resolve_name(const struct usk_state *st, struct usk *u, const struct sk_diag_unix *d,
			pid_t pid)
{
	struct stat s;
	int r;

	if (!u->name_len)
		return 0;
	u->accepted = u->type != SOCK_DGRAM && u->state == USK_ESTABLISHED && shares_name(st, d);
	if (!u->name[0] || !d->has_vfs)
		return 0;
	if (u->name[0] != '/') {
		r = find_name_dir(u, d, pid, &u->name_dir, &s);
		if (r < 0)
			return -1;
		u->deleted = !r;
	} else {
		u->deleted = stat(u->name, &s) || !same_file(&s, d);
	}
	if (u->accepted) {	/* the file is the listener's */
		u->deleted = false;
	} else if (!u->deleted) {
		u->has_perms = true;
		u->mode = s.st_mode;
		u->uid = s.st_uid;
		u->gid = s.st_gid;
	}
	return 0;
}

/* Close what SCM_RIGHTS handed us; 1 if there was any. */
static int drop_rights(struct msghdr *mh)
{
	int found = 0;

	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		int n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		found = 1;
		for (int i = 0; i < n; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(fd));
			close(fd);
		}
	}
	return found;
}

/* 1: a packet was added, 0: the queue is done, -1: error */
static int peek_one(struct usk_state *st, int sk, struct usk *u, const char *what)
{
	char cbuf[CMSG_SPACE(sizeof(int) * 253) + CMSG_SPACE(64) + 256];
	struct sockaddr_un sa;
	struct iovec iov = { st->buf, PEEK_BUF };
	struct msghdr mh = { .msg_name = &sa, .msg_namelen = sizeof(sa), .msg_iov = &iov,
			     .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	ssize_t n = recvmsg(sk, &mh, MSG_PEEK | MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	uint32_t alen = 0;

	if (n < 0) {
		if (errno == EAGAIN)
			return 0;
		pr_perror("%s: can't peek at the socket's queue", what);
		return -1;
	}
	if (drop_rights(&mh) || mh.msg_flags & MSG_CTRUNC) {
		pr_err("%s: file descriptors in flight (SCM_RIGHTS) wait in the queue of unix "
		       "socket %u: not supported\n", what, u->ino);
		return -1;
	}
	if (mh.msg_flags & MSG_TRUNC) {
		pr_err("%s: a datagram longer than %u bytes waits in socket %u\n", what, PEEK_BUF,
		       u->ino);
		return -1;
	}
	/* 0 is the end of a stream, or of a queue that was shut down */
	if (n == 0 && (u->type == SOCK_STREAM || u->shutdown & USK_SHUT_RCV))
		return 0;
	if (u->type != SOCK_STREAM && mh.msg_namelen > offsetof(struct sockaddr_un, sun_path))
		alen = mh.msg_namelen - offsetof(struct sockaddr_un, sun_path);
	if (usk_add_packet(u, st->buf, n, sa.sun_path, alen))
		return -1;
	return 1;
}

/*
 * Peek at every packet in turn: SO_PEEK_OFF makes each MSG_PEEK start where
 * the last one ended. The task's own offset is put back afterwards.
 */
static int peek_queue(struct usk_state *st, int sk, struct usk *u, const char *what)
{
	int zero = 0, r;

	if (setsockopt(sk, SOL_SOCKET, SO_PEEK_OFF, &zero, sizeof(zero))) {
		pr_perror("%s: can't set SO_PEEK_OFF", what);
		return -1;
	}
	while ((r = peek_one(st, sk, u, what)) == 1)
		;
	if (setsockopt(sk, SOL_SOCKET, SO_PEEK_OFF, &u->opts.peek_off, sizeof(u->opts.peek_off))) {
		pr_perror("%s: can't put SO_PEEK_OFF back", what);
		return -1;
	}
	if (!r && u->nr_packets)
		pr_debug("%s: %u packets, %llu bytes queued\n", what, u->nr_packets,
			 (unsigned long long)u->queued);
	return r;
}

/* The peer's name; false when there is no peer at all, not even a dead one. */
static bool get_peer_name(int sk, struct usk *u)
{
	struct sockaddr_un sa;
	socklen_t len = sizeof(sa);

	if (getpeername(sk, (struct sockaddr *)&sa, &len))
		return false;
	if (len > offsetof(struct sockaddr_un, sun_path)) {
		u->peer_name_len = len - offsetof(struct sockaddr_un, sun_path);
		memcpy(u->peer_name, sa.sun_path, u->peer_name_len);
	}
	return true;
}

static void fill(struct usk *u, const struct sk_diag_unix *d, const struct fd_parms *p)
{
	u->ino = d->ino;
	u->peer_ino = d->peer;
	u->type = d->type;
	u->state = d->state;
	u->shutdown = d->shutdown;
	u->backlog = d->state == USK_LISTEN ? d->wqlen : 0;
	u->wqlen = d->state == USK_LISTEN ? 0 : d->wqlen;
	u->flags = p->fi->flags;
	u->name_len = d->name_len;
	memcpy(u->name, d->name, d->name_len);
	u->pid = p->pid;
	u->fd = p->fd;
}

int usk_dump(struct file_ids *f, const struct fd_parms *p, uint32_t *id)
{
	struct usk_state *st = state_get(f);
	const struct sk_diag_unix *d;
	struct file_entry *fe;
	struct usk *u;
	int sk, ret = -1;

	if (!st)
		return -1;
	d = sk_diag_find(st->diag, st->nr, (uint32_t)p->st->st_ino);
	if (!d) {
		pr_err("%s: unix socket %lu is not in sock_diag's list (another network "
		       "namespace?): not supported\n", p->what, (unsigned long)p->st->st_ino);
		return -1;
	}
	if (check_kind(d, p->what))
		return -1;
	fe = files_new_entry(f, FILE_KIND_UNIXSK, 0);
	if (!fe || !(u = usk_new(fe)))
		return -1;
	fill(u, d, p);
	if (d->nr_icons) {
		u->icons = malloc(d->nr_icons * sizeof(uint32_t));
		if (!u->icons)
			return -1;
		memcpy(u->icons, d->icons, d->nr_icons * sizeof(uint32_t));
		u->nr_icons = d->nr_icons;
	}
	sk = steal_fd(st, p->pid, p->fd, p->what);
	if (sk < 0)
		return -1;
	if (usk_get_opts(sk, &u->opts, p->what) || check_filter(sk, p->what) ||
	    resolve_name(st, u, d, p->pid) ||
	    /* only connected stream sockets have a queue, any datagram one may */
	    ((u->state == USK_ESTABLISHED || u->type == SOCK_DGRAM) &&
	     peek_queue(st, sk, u, p->what)))
		goto out;
	/*
	 * connect() makes its target ESTABLISHED too: a datagram socket with
	 * no peer at all is unconnected, whatever its state says; one whose
	 * peer is gone still has it (and refuses other senders).
	 */
	if (!get_peer_name(sk, u) && u->type == SOCK_DGRAM && !u->peer_ino)
		u->state = USK_CLOSE;
	*id = fe->id;
	pr_debug("%s: unix socket %u type %u state %u peer %u\n", p->what, u->ino, u->type,
		 u->state, u->peer_ino);
	ret = 0;
out:
	close(sk);
	return ret;
}

/* ---- once every task is in: who is connected to whom ---- */

static struct usk *listener_of(const struct file_ids *f, uint32_t ino)
{
	struct file_entry *fe;

	list_for_each_entry(fe, &f->files, list) {
		struct usk *l = usk_of(fe);

		if (fe->kind != FILE_KIND_UNIXSK || l->state != USK_LISTEN)
			continue;
		for (uint32_t i = 0; i < l->nr_icons; i++)
			if (l->icons[i] == ino)
				return l;
	}
	return NULL;
}

static void describe(const struct usk *u, char *buf, size_t len)
{
	char nb[2 * USK_NAME_MAX];

	snprintf(buf, len, "fd %d of task %d (unix socket %u, %s)", u->fd, u->pid, u->ino,
		 usk_name_str(u->name, u->name_len, nb, sizeof(nb)));
}

/* The directory of a relative name of a peer outside the tree. */
static int extern_name_dir(const struct usk_state *st, const struct usk *u, uint32_t peer,
			   struct usk *e)
{
	const struct sk_diag_unix *d = sk_diag_find(st->diag, st->nr, peer);
	struct stat s;

	if (!e->name_len || !e->name[0] || e->name[0] == '/')
		return 0;
	if (d && d->has_vfs && find_name_dir(e, d, u->pid, &e->name_dir, &s) == 1)
		return 0;
	pr_err("can't find the directory of '%.*s', the relative name of socket %u\n",
	       (int)strnlen(e->name, e->name_len), e->name, peer);
	return -1;
}

static struct usk *add_extern(struct file_ids *f, const struct usk *u, uint32_t peer,
			      const char *name, uint32_t name_len)
{
	struct file_entry *fe = files_new_entry(f, FILE_KIND_UNIXSK, 0);
	struct usk *e;

	if (!fe || !(e = usk_new(fe)))
		return NULL;
	e->uflags = USK_EXTERN;
	e->ino = peer;
	e->type = u->type;
	e->state = USK_LISTEN;
	e->flags = O_RDWR;
	e->name_len = name_len;
	memcpy(e->name, name, name_len);
	e->pid = u->pid;
	e->fd = -1;
	if (extern_name_dir(f->usk, u, peer, e))
		return NULL;
	return e;
}

/* A listener (in our network namespace) bound to this name. */
static uint32_t listener_named(const struct usk_state *st, const char *name, uint32_t len)
{
	for (int i = 0; i < st->nr && len; i++) {
		const struct sk_diag_unix *d = &st->diag[i];

		if (d->state == USK_LISTEN && d->name_len == len && !memcmp(d->name, name, len))
			return d->ino;
	}
	return 0;
}

/*
 * A peer outside the tree: with --ext-unix-sk, a named one is reconnected
 * at restore (a new connection, for stream sockets); a nameless one only
 * when --ext-unix-sk named this socket, and it comes back disconnected.
 */
static int external(struct file_ids *f, struct usk *u, uint32_t peer)
{
	const struct sk_diag_unix *pd = sk_diag_find(f->usk->diag, f->usk->nr, peer);
	const char *name = u->peer_name;
	uint32_t name_len = u->peer_name_len;
	char what[256], nb[2 * USK_NAME_MAX];
	struct usk *e = usk_find_ino(f, peer);

	if (pd && pd->name_len) {
		name = pd->name;
		name_len = pd->name_len;
	}
	/* a stream peer's name is worth a new connection only if something listens there */
	if (u->type != SOCK_DGRAM && !listener_named(f->usk, name, name_len))
		name_len = 0;
	describe(u, what, sizeof(what));
	if (!opts->ext_unix_sk) {
		pr_err("%s is connected to socket %u (%s) outside the dumped tree; dump with "
		       "--ext-unix-sk to reconnect it at restore\n", what, peer,
		       usk_name_str(name, name_len, nb, sizeof(nb)));
		return -1;
	}
	if (!name_len && !opts_ext_unix_ino(opts, u->ino)) {
		pr_err("%s is connected to socket %u outside the dumped tree, which has no name "
		       "to reconnect to; --ext-unix-sk=%u restores it disconnected\n", what, peer,
		       u->ino);
		return -1;
	}
	if (name_len && u->type != SOCK_DGRAM && u->nr_packets) {
		pr_err("%s holds %llu bytes from its peer %u outside the dumped tree, which a new "
		       "connection can't bring back\n", what, (unsigned long long)u->queued, peer);
		return -1;
	}
	u->peer_ino = peer;
	if (e)
		return 0;
	return add_extern(f, u, peer, name, name_len) ? 0 : -1;
}

static int resolve_peer(struct file_ids *f, struct usk *u)
{
	char what[256];
	struct usk *p, *l;
	uint32_t outside;

	if (u->state == USK_LISTEN)
		return 0;
	if (u->peer_ino) {
		p = usk_find_ino(f, u->peer_ino);
		if (!p || p->uflags & USK_EXTERN)
			return external(f, u, u->peer_ino);
		if (u->type != SOCK_DGRAM && p->peer_ino != u->ino) {
			describe(u, what, sizeof(what));
			pr_err("%s: its peer %u is connected to %u\n", what, p->ino, p->peer_ino);
			return -1;
		}
		return 0;
	}
	if (u->state != USK_ESTABLISHED || u->type == SOCK_DGRAM)
		return 0;	/* a datagram socket whose peer is gone */
	describe(u, what, sizeof(what));
	l = listener_of(f, u->ino);
	if (l) {
		if (u->wqlen) {
			pr_err("%s sent data its listener %u has not accepted yet: not "
			       "supported\n", what, l->ino);
			return -1;
		}
		u->peer_ino = l->ino;	/* as CRIU: a pending client names its listener */
		return 0;
	}
	if ((u->shutdown & (USK_SHUT_RCV | USK_SHUT_SEND)) == (USK_SHUT_RCV | USK_SHUT_SEND))
		return 0;	/* its peer is gone */
	outside = listener_named(f->usk, u->peer_name, u->peer_name_len);
	if (outside)
		return external(f, u, outside);
	pr_err("%s is connected to a socket nobody has: not supported\n", what);
	return -1;
}

static int check_icons(const struct file_ids *f, const struct usk *l)
{
	char what[256];

	for (uint32_t i = 0; i < l->nr_icons; i++) {
		if (usk_find_ino(f, l->icons[i]))
			continue;
		describe(l, what, sizeof(what));
		if (!opts->ext_unix_sk) {
			pr_err("%s has a pending connection from socket %u outside the dumped "
			       "tree; --ext-unix-sk drops it\n", what, l->icons[i]);
			return -1;
		}
		pr_warn("%s: the pending connection from socket %u outside the tree is dropped\n",
			what, l->icons[i]);
	}
	return 0;
}

int usk_dump_finish(struct file_ids *f)
{
	struct file_entry *fe;

	list_for_each_entry(fe, &f->files, list) {
		struct usk *u = usk_of(fe);

		if (fe->kind != FILE_KIND_UNIXSK || u->uflags & USK_EXTERN)
			continue;
		if (resolve_peer(f, u) || (u->state == USK_LISTEN && check_icons(f, u)))
			return -1;
	}
	return 0;
}
