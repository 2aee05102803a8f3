// SPDX-License-Identifier: GPL-2.0
/*
 * Restore of unix sockets: names on the file system (stale socket files
 * removed, binds in a relative name's directory, socket file modes) and
 * the queues refilled. A datagram's sender address is whatever socket
 * sent it is bound to, so datagrams that had one are sent again from the
 * socket of the tree with that name, or from one bound to it for the
 * moment; a datagram socket's queue is refilled while it is unconnected
 * (connecting one that had a peer empties its queue).
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define LOG_PREFIX "unix: "
#include "log.h"
#include "unix-sk-rst.h"

static int fd_of(const struct usk *u)
{
	return u->fe->rst_fd;
}

static bool in_tree(const struct file_entry *fe)
{
	return fe->kind == FILE_KIND_UNIXSK && !(usk_of(fe)->uflags & USK_EXTERN);
}

static socklen_t make_addr(const char *name, uint32_t len, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	memcpy(sa->sun_path, name, len);
	return offsetof(struct sockaddr_un, sun_path) + len;
}

/* A path name as a C string; NULL for abstract names. */
static const char *path_of(const char *name, uint32_t len, char *buf)
{
	if (!len || !name[0])
		return NULL;
	memcpy(buf, name, len);
	buf[len] = 0;
	return buf;
}

static int enter_dir(const char *dir)
{
	if (dir && chdir(dir)) {
		pr_perror("can't enter '%s'", dir);
		return -1;
	}
	return 0;
}

static void leave_dir(const struct rst *r, const char *dir)
{
	if (dir && fchdir(r->cwd))
		pr_perror("can't go back to criu's working directory");
}

static const char *nm(const struct usk *u, char *buf, size_t len)
{
	return usk_name_str(u->name, u->name_len, buf, len);
}

static int clear_one(const struct usk *u)
{
	char buf[USK_NAME_MAX + 1], nb[2 * USK_NAME_MAX];
	const char *path = path_of(u->name, u->name_len, buf);
	struct stat st;

	if (lstat(path, &st)) {
		if (errno == ENOENT)
			return 0;
		pr_perror("can't look at '%s'", path);
		return -1;
	}
	if (!S_ISSOCK(st.st_mode)) {
		pr_err("%s, the name of unix socket %u, is taken by a file of mode 0%o\n",
		       nm(u, nb, sizeof(nb)), u->ino, st.st_mode);
		return -1;
	}
	if (unlink(path)) {
		pr_perror("can't remove the old socket file '%s'", path);
		return -1;
	}
	pr_debug("removed the old socket file '%s'\n", path);
	return 0;
}

int usk_rst_clear_names(struct rst *r)
{
	struct file_entry *fe;

	list_for_each_entry(fe, &r->f->files, list) {
		struct usk *u = usk_of(fe);
		int ret;

		/* a name deleted before the dump may belong to someone else now */
		if (!in_tree(fe) || !usk_is_path(u) || u->accepted || u->deleted)
			continue;
		if (enter_dir(u->name_dir))
			return -1;
		ret = clear_one(u);
		leave_dir(r, u->name_dir);
		if (ret)
			return -1;
	}
	return 0;
}

static void set_perms(const struct usk *u, const char *path)
{
	struct stat st;

	if (!u->has_perms || !path || stat(path, &st))
		return;
	if ((st.st_uid != u->uid || st.st_gid != u->gid) && chown(path, u->uid, u->gid))
		pr_warn("can't give socket file '%s' its owner %u:%u: %s\n", path, u->uid, u->gid,
			strerror(errno));
	if ((st.st_mode & 07777) != (u->mode & 07777) && chmod(path, u->mode & 07777))
		pr_warn("can't give socket file '%s' its mode 0%o: %s\n", path, u->mode & 07777,
			strerror(errno));
}

int usk_rst_bind(struct rst *r, int fd, const struct usk *u)
{
	char buf[USK_NAME_MAX + 1], nb[2 * USK_NAME_MAX];
	struct sockaddr_un sa;
	socklen_t len = make_addr(u->name, u->name_len, &sa);
	int ret;

	if (enter_dir(u->name_dir))
		return -1;
	ret = bind(fd, (struct sockaddr *)&sa, len);
	if (ret)
		pr_perror("can't bind unix socket %u to %s", u->ino, nm(u, nb, sizeof(nb)));
	else
		set_perms(u, path_of(u->name, u->name_len, buf));
	leave_dir(r, u->name_dir);
	return ret;
}

int usk_rst_connect(struct rst *r, int fd, const struct usk *to)
{
	char nb[2 * USK_NAME_MAX];
	struct sockaddr_un sa;
	socklen_t len = make_addr(to->name, to->name_len, &sa);
	int ret;

	if (enter_dir(to->name_dir))
		return -1;
	ret = connect(fd, (struct sockaddr *)&sa, len);
	if (ret)
		pr_perror("can't connect to unix socket %u at %s", to->ino,
			  nm(to, nb, sizeof(nb)));
	leave_dir(r, to->name_dir);
	return ret;
}

int usk_rst_unlink(struct rst *r, const struct usk *u)
{
	char buf[USK_NAME_MAX + 1];
	const char *path = path_of(u->name, u->name_len, buf);
	int ret = 0;

	if (!path || enter_dir(u->name_dir))
		return path ? -1 : 0;
	if (unlink(path) && errno != ENOENT) {
		pr_perror("can't remove '%s', the deleted name of unix socket %u", path, u->ino);
		ret = -1;
	}
	leave_dir(r, u->name_dir);
	return ret;
}

/* A socket bound for the moment to name, in dir; -1 if the name is taken. */
static int temp_bound(struct rst *r, int type, const char *name, uint32_t len, const char *dir)
{
	char buf[USK_NAME_MAX + 1];
	const char *path = path_of(name, len, buf);
	struct sockaddr_un sa;
	socklen_t alen = make_addr(name, len, &sa);
	struct stat st;
	int fd = socket(AF_UNIX, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	if (fd < 0 || enter_dir(dir)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if ((path && lstat(path, &st) == 0) || bind(fd, (struct sockaddr *)&sa, alen)) {
		close(fd);
		fd = -1;
	}
	leave_dir(r, dir);
	return fd;
}

int usk_rst_temp_listener(struct rst *r, const struct usk *a)
{
	int fd;

	if (usk_is_path(a) && a->name[0] != '/' && !a->name_dir)
		return -1;
	fd = temp_bound(r, a->type, a->name, a->name_len, a->name_dir);
	if (fd >= 0 && listen(fd, 1)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Room for everything that waited in a queue (the dumped value comes back later). */
static void raise_sndbuf(int fd)
{
	int big = 64 << 20;

	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
}

static int send_pkt(struct rst *r, int from, const struct usk_packet *pk, const struct usk *to,
		    bool addressed)
{
	struct sockaddr_un sa;
	socklen_t len = addressed ? make_addr(to->name, to->name_len, &sa) : 0;
	ssize_t n;

	raise_sndbuf(from);
	if (addressed && enter_dir(to->name_dir))
		return -1;
	n = sendto(from, pk->data, pk->len, MSG_DONTWAIT | MSG_NOSIGNAL,
		   addressed ? (struct sockaddr *)&sa : NULL, len);
	if (addressed)
		leave_dir(r, to->name_dir);
	if (n == (ssize_t)pk->len)
		return 0;
	if (n < 0 && errno == EAGAIN)
		pr_err("no room to queue a %u-byte packet for unix socket %u again (more than "
		       "net.unix.max_dgram_qlen datagrams waited in it?)\n", pk->len, to->ino);
	else
		pr_perror("can't queue a %u-byte packet for unix socket %u again", pk->len,
			  to->ino);
	return -1;
}

/* A socket that may send u a packet without naming u: u is its peer, and u takes it. */
static int link_sender(const struct usk *u)
{
	if (u->helper >= 0 && (u->helper_linked || !u->cur_peer))
		return u->helper;
	if (u->partner && u->partner->cur_peer == u && (!u->cur_peer || u->cur_peer == u->partner))
		return fd_of(u->partner);
	return -1;
}

static struct usk *named_sender(const struct rst *r, const struct usk_packet *pk)
{
	struct file_entry *fe;

	list_for_each_entry(fe, &r->f->files, list) {
		struct usk *x = usk_of(fe);

		if (in_tree(fe) && x->type == SOCK_DGRAM && !x->accepted && fd_of(x) >= 0 &&
		    x->name_len == pk->addr_len && !memcmp(x->name, pk->addr, pk->addr_len))
			return x;
	}
	return NULL;
}

/* 1: sent from a socket with the sender's address; 0: no such way; -1: error */
static int send_named(struct rst *r, struct usk *u, const struct usk_packet *pk)
{
	struct usk *x = named_sender(r, pk);
	int t, ret;

	if (x && u->cur_peer == x && x->cur_peer == u)
		return send_pkt(r, fd_of(x), pk, u, false) ? -1 : 1;
	if (x && (!u->cur_peer || u->cur_peer == x) && u->name_len)
		return send_pkt(r, fd_of(x), pk, u, true) ? -1 : 1;
	if (x || u->cur_peer || !u->name_len)
		return 0;
	t = temp_bound(r, SOCK_DGRAM, pk->addr, pk->addr_len, u->name_dir);
	if (t < 0)
		return 0;
	ret = send_pkt(r, t, pk, u, true);
	close(t);	/* the datagram keeps the socket, and so its address, alive */
	if (pk->addr[0]) {
		struct usk tmp = { .name_len = pk->addr_len, .name_dir = u->name_dir };

		memcpy(tmp.name, pk->addr, pk->addr_len);
		usk_rst_unlink(r, &tmp);
	}
	return ret ? -1 : 1;
}

static int fill_dgram(struct rst *r, struct usk *u)
{
	char nb[2 * USK_NAME_MAX];
	struct usk_packet *pk;
	bool warned = false;
	int fd, ret;

	list_for_each_entry(pk, &u->queue, list) {
		if (pk->addr_len) {
			ret = send_named(r, u, pk);
			if (ret < 0)
				return -1;
			if (ret)
				continue;
			if (!warned)
				pr_warn("unix socket %u: datagrams from %s come back without their "
					"sender's address\n", u->ino, usk_name_str(pk->addr,
					pk->addr_len, nb, sizeof(nb)));
			warned = true;
		}
		fd = link_sender(u);
		if (fd < 0) {
			pr_err("unix socket %u: no socket can queue its packets again\n", u->ino);
			return -1;
		}
		if (send_pkt(r, fd, pk, u, false))
			return -1;
	}
	return 0;
}

static int dgram_one(struct rst *r, struct usk *u)
{
	struct sockaddr sa = { .sa_family = AF_UNSPEC };

	/* its socketpair() partner was its peer once; no more */
	if (u->partner && u->peer != u->partner) {
		if (connect(fd_of(u), &sa, sizeof(sa))) {
			pr_perror("can't disconnect unix socket %u", u->ino);
			return -1;
		}
		u->cur_peer = NULL;
	}
	if (fill_dgram(r, u))
		return -1;
	if (u->peer && u->peer != u->partner && u->peer->name_len) {
		if (usk_rst_connect(r, fd_of(u), u->peer))
			return -1;
		u->cur_peer = u->peer;
	}
	return 0;
}

/*
 * A socket may connect to another only while that one is unconnected or
 * connected back to it: whoever connected to s goes before s.
 */
static int dgram_visit(struct rst *r, struct usk *u, int depth)
{
	struct file_entry *fe;

	if (u->processed)
		return 0;
	if (u->visiting || depth > 4096) {
		pr_err("unix datagram sockets connected in a loop around %u\n", u->ino);
		return -1;
	}
	u->visiting = true;
	list_for_each_entry(fe, &r->f->files, list) {
		struct usk *s = usk_of(fe);

		if (in_tree(fe) && s != u && s->peer == u && u->peer != s &&
		    dgram_visit(r, s, depth + 1))
			return -1;
	}
	u->visiting = false;
	if (dgram_one(r, u))
		return -1;
	u->processed = true;
	return 0;
}

int usk_rst_dgrams(struct rst *r)
{
	struct file_entry *fe;

	list_for_each_entry(fe, &r->f->files, list)
		if (in_tree(fe) && usk_of(fe)->type == SOCK_DGRAM &&
		    dgram_visit(r, usk_of(fe), 0))
			return -1;
	return 0;
}

static int fill_conn(struct rst *r, struct usk *u)
{
	int from = u->partner ? fd_of(u->partner) : u->helper;
	struct usk_packet *pk;

	if (list_empty(&u->queue))
		return 0;
	if (from < 0) {
		pr_err("unix socket %u: no socket can queue its data again\n", u->ino);
		return -1;
	}
	list_for_each_entry(pk, &u->queue, list) {
		if (u->type == SOCK_SEQPACKET) {
			if (send_pkt(r, from, pk, u, false))
				return -1;
			continue;
		}
		raise_sndbuf(from);
		for (uint32_t off = 0; off < pk->len;) {
			ssize_t n = send(from, pk->data + off, pk->len - off,
					 MSG_DONTWAIT | MSG_NOSIGNAL);

			if (n <= 0) {
				pr_perror("can't queue %u bytes for unix socket %u again",
					  pk->len - off, u->ino);
				return -1;
			}
			off += n;
		}
	}
	return 0;
}

int usk_rst_streams(struct rst *r)
{
	struct file_entry *fe;

	list_for_each_entry(fe, &r->f->files, list)
		if (in_tree(fe) && usk_of(fe)->type != SOCK_DGRAM && fill_conn(r, usk_of(fe)))
			return -1;
	return 0;
}
