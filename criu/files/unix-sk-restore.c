// SPDX-License-Identifier: GPL-2.0
/*
 * Restore of unix sockets, all at once in criu before any task exists (the
 * tasks inherit them). Pairs come from socketpair(), or from connect() to
 * their listener and accept() when one side's name came with accept();
 * pending clients connect to their listener in the backlog's order; queues
 * are refilled by the peer, or by a helper socket whose peer the socket
 * is, or, for datagrams with a sender address, by a socket bound to that
 * address. Shutdown state, options and flags come last.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define LOG_PREFIX "unix: "
#include "log.h"
#include "unix-sk-rst.h"

static bool in_tree(const struct file_entry *fe)
{
	return fe->kind == FILE_KIND_UNIXSK && !(usk_of(fe)->uflags & USK_EXTERN);
}

static int fd_of(const struct usk *u)
{
	return u->fe->rst_fd;
}

static int new_sock(const struct usk *u)
{
	int fd = socket(AF_UNIX, u->type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	if (fd < 0)
		pr_perror("can't create unix socket %u", u->ino);
	return fd;
}

/* a and b connected to each other; without b, a helper plays it. */
static int make_pair(struct usk *a, struct usk *b)
{
	int sk[2];

	if (socketpair(AF_UNIX, a->type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sk)) {
		pr_perror("can't create a socket pair for unix socket %u", a->ino);
		return -1;
	}
	a->fe->rst_fd = sk[0];
	if (b) {
		b->fe->rst_fd = sk[1];
		a->partner = b;
		b->partner = a;
	} else {
		a->helper = sk[1];
	}
	return 0;
}

/* Stream and seqpacket sockets but pending clients and accepted pairs. */
static int create_conn(struct usk *u)
{
	struct usk *p = u->peer;

	if (u->state != USK_ESTABLISHED) {
		u->fe->rst_fd = new_sock(u);
		return u->fe->rst_fd < 0 ? -1 : 0;
	}
	if (p && !(p->uflags & USK_EXTERN) && (p->state == USK_LISTEN || u->accepted ||
					       p->accepted))
		return 0;	/* made by connect() and accept() later */
	if (p && !(p->uflags & USK_EXTERN))
		return fd_of(p) >= 0 ? 0 : make_pair(u, p);
	if (p && p->name_len) {
		u->fe->rst_fd = new_sock(u);
		return u->fe->rst_fd < 0 ? -1 : 0;
	}
	/* its peer is gone (or is outside and nameless): a helper closed at the end */
	if (!p)
		pr_debug("unix socket %u: its peer is gone\n", u->ino);
	else
		pr_warn("unix socket %u comes back disconnected from its peer %u outside the "
			"tree\n", u->ino, p->ino);
	return make_pair(u, NULL);
}

/* socketpair() for datagram sockets only their partner can reach, or mutual ones. */
static int create_dgram_pair(struct usk *u)
{
	struct usk *p = u->peer;

	if (!p || p->uflags & USK_EXTERN || (p->name_len && p->peer != u))
		return 0;
	if (u->partner == p)
		return 0;
	if (fd_of(u) >= 0 || fd_of(p) >= 0) {
		pr_err("unix sockets %u and %u can't both be restored\n", u->ino, p->ino);
		return -1;
	}
	if (make_pair(u, p))
		return -1;
	u->cur_peer = p;
	p->cur_peer = u;
	return 0;
}

/* Others get a helper: disconnected from it, or, if the peer is gone, kept. */
static int create_dgram_single(struct usk *u)
{
	struct sockaddr sa = { .sa_family = AF_UNSPEC };
	struct usk *p = u->peer;

	if (fd_of(u) >= 0)
		return 0;
	if (make_pair(u, NULL))
		return -1;
	if (u->state == USK_ESTABLISHED && (!p || (p->uflags & USK_EXTERN && !p->name_len))) {
		if (p)
			pr_warn("unix socket %u comes back disconnected from its peer %u outside "
				"the tree\n", u->ino, p->ino);
		u->helper_linked = true;
		return 0;
	}
	if (connect(fd_of(u), &sa, sizeof(sa))) {
		pr_perror("can't disconnect unix socket %u from its helper", u->ino);
		return -1;
	}
	return 0;
}

static int create_all(struct rst *r)
{
	struct file_entry *fe;

	list_for_each_entry(fe, &r->f->files, list)
		if (in_tree(fe) && usk_of(fe)->type == SOCK_DGRAM &&
		    create_dgram_pair(usk_of(fe)))
			return -1;
	list_for_each_entry(fe, &r->f->files, list) {
		struct usk *u = usk_of(fe);

		if (!in_tree(fe) || fd_of(u) >= 0)
			continue;
		if (u->type == SOCK_DGRAM ? create_dgram_single(u) : create_conn(u))
			return -1;
	}
	return 0;
}

static int bind_all(struct rst *r)
{
	struct file_entry *fe;

	list_for_each_entry(fe, &r->f->files, list) {
		struct usk *u = usk_of(fe);

		if (!in_tree(fe) || !u->name_len || u->accepted || fd_of(u) < 0)
			continue;
		if (usk_rst_bind(r, fd_of(u), u))
			return -1;
		if (u->state == USK_LISTEN && listen(fd_of(u), u->backlog)) {
			pr_perror("can't make unix socket %u listen", u->ino);
			return -1;
		}
	}
	return 0;
}

static struct usk *find_listener(const struct rst *r, const struct usk *a)
{
	struct file_entry *fe;

	list_for_each_entry(fe, &r->f->files, list) {
		struct usk *l = usk_of(fe);

		if (in_tree(fe) && l->state == USK_LISTEN && l->type == a->type &&
		    l->name_len == a->name_len && !memcmp(l->name, a->name, a->name_len) &&
		    fd_of(l) >= 0)
			return l;
	}
	return NULL;
}

/* Connect c to listener l (or to a's name, through tmp) and accept a. */
static int connect_accept(struct rst *r, struct usk *a, struct usk *c, const struct usk *l,
			  int lfd)
{
	int cfd = new_sock(c), afd;

	if (cfd < 0)
		return -1;
	c->fe->rst_fd = cfd;
	if (c->name_len && !c->accepted && usk_rst_bind(r, cfd, c))
		return -1;
	if (usk_rst_connect(r, cfd, l))
		return -1;
	afd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (afd < 0) {
		pr_perror("can't accept unix socket %u back", a->ino);
		return -1;
	}
	a->fe->rst_fd = afd;
	a->partner = c;
	c->partner = a;
	return 0;
}

/*
 * a's name came with accept(): give it back the same way, from its
 * listener if it is in the tree, else from a listener bound for the
 * moment to that name; failing both, the name is lost.
 */
static int accept_pair(struct rst *r, struct usk *a)
{
	struct usk *c = a->peer, *l = find_listener(r, a);
	int tmp, ret;

	if (l)
		return connect_accept(r, a, c, l, fd_of(l));
	tmp = usk_rst_temp_listener(r, a);
	if (tmp < 0) {
		pr_warn("unix socket %u loses its name %.*s: nothing can listen on it now\n",
			a->ino, (int)a->name_len, a->name[0] ? a->name : "(abstract)");
		return make_pair(a, c);
	}
	ret = connect_accept(r, a, c, a, tmp);
	close(tmp);
	usk_rst_unlink(r, a);
	return ret;
}

static int pending_client(struct rst *r, struct usk *c, const struct usk *l)
{
	int fd = new_sock(c);

	if (fd < 0)
		return -1;
	c->fe->rst_fd = fd;
	if (c->name_len && !c->accepted && usk_rst_bind(r, fd, c))
		return -1;
	return usk_rst_connect(r, fd, l);
}

static int connect_listeners(struct rst *r)
{
	struct file_entry *fe, *o;

	list_for_each_entry(fe, &r->f->files, list) {
		struct usk *a = usk_of(fe);

		if (in_tree(fe) && a->accepted && fd_of(a) < 0 && a->peer &&
		    !(a->peer->uflags & USK_EXTERN) && accept_pair(r, a))
			return -1;
	}
	/* the backlog in its order, then any client a CRIU image did not order */
	list_for_each_entry(fe, &r->f->files, list) {
		struct usk *l = usk_of(fe);

		if (!in_tree(fe) || l->state != USK_LISTEN)
			continue;
		for (uint32_t i = 0; i < l->nr_icons; i++) {
			struct usk *c = usk_find_ino(r->f, l->icons[i]);

			if (c && c->peer == l && fd_of(c) < 0 && pending_client(r, c, l))
				return -1;
		}
		list_for_each_entry(o, &r->f->files, list)
			if (in_tree(o) && usk_of(o)->peer == l && fd_of(usk_of(o)) < 0 &&
			    pending_client(r, usk_of(o), l))
				return -1;
	}
	return 0;
}

/* Connect stream sockets to named peers outside the tree. */
static int connect_extern(struct rst *r)
{
	struct file_entry *fe;

	list_for_each_entry(fe, &r->f->files, list) {
		struct usk *u = usk_of(fe);

		if (!in_tree(fe) || u->type == SOCK_DGRAM || !u->peer ||
		    !(u->peer->uflags & USK_EXTERN) || !u->peer->name_len)
			continue;
		if (usk_rst_connect(r, fd_of(u), u->peer))
			return -1;
		pr_info("unix socket %u has a new connection to its peer outside the tree\n",
			u->ino);
	}
	return 0;
}

static int finish_one(struct usk *u)
{
	int fd = fd_of(u), how;

	if (u->shutdown) {
		how = u->shutdown == (USK_SHUT_RCV | USK_SHUT_SEND) ? SHUT_RDWR :
		      u->shutdown == USK_SHUT_RCV ? SHUT_RD : SHUT_WR;
		if (shutdown(fd, how) && errno != ENOTCONN) {
			pr_perror("can't shut unix socket %u down", u->ino);
			return -1;
		}
	}
	if (usk_set_opts(fd, &u->opts, "unix socket"))
		return -1;
	if (fcntl(fd, F_SETFL, u->flags & O_NONBLOCK)) {
		pr_perror("can't set the flags of unix socket %u", u->ino);
		return -1;
	}
	return 0;
}

static int finish_all(struct rst *r)
{
	struct file_entry *fe;

	list_for_each_entry(fe, &r->f->files, list) {
		struct usk *u = usk_of(fe);

		if (!in_tree(fe))
			continue;
		if (fd_of(u) < 0) {
			pr_err("BUG: unix socket %u was not restored\n", u->ino);
			return -1;
		}
		if (finish_one(u))
			return -1;
	}
	/* a peer gone before the dump goes now; names deleted then go too */
	list_for_each_entry(fe, &r->f->files, list) {
		struct usk *u = usk_of(fe);

		if (!in_tree(fe))
			continue;
		if (u->helper >= 0) {
			close(u->helper);
			u->helper = -1;
		}
		if (u->deleted && !u->accepted && usk_rst_unlink(r, u))
			return -1;
	}
	return 0;
}

static void undo(struct rst *r)
{
	struct file_entry *fe;

	list_for_each_entry(fe, &r->f->files, list) {
		if (fe->kind != FILE_KIND_UNIXSK)
			continue;
		if (fe->rst_fd >= 0)
			close(fe->rst_fd);
		fe->rst_fd = -1;
		if (usk_of(fe)->helper >= 0)
			close(usk_of(fe)->helper);
		usk_of(fe)->helper = -1;
	}
}

static int restore_all(struct file_ids *f)
{
	struct rst r = { f, open(".", O_PATH | O_DIRECTORY | O_CLOEXEC) };
	int ret = -1;

	if (r.cwd < 0) {
		pr_perror("can't open the working directory");
		return -1;
	}
	if (usk_rst_clear_names(&r) || create_all(&r) || bind_all(&r) ||
	    connect_listeners(&r) || usk_rst_dgrams(&r) || usk_rst_streams(&r) ||
	    connect_extern(&r) || finish_all(&r))
		undo(&r);
	else
		ret = 0;
	close(r.cwd);
	return ret;
}

int usk_open(struct file_ids *f, struct file_entry *fe, int dirfd)
{
	(void)dirfd;
	if (fe->rst_fd >= 0 || usk_of(fe)->uflags & USK_EXTERN)
		return 0;
	return restore_all(f);
}
