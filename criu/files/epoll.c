// SPDX-License-Identifier: GPL-2.0
/*
 * epoll: the instance and its watches (fd number, events, data), from
 * fdinfo. Its part of files.img is eventpoll_file_entry (epfd) with one
 * eventpoll_tfd_entry per watch. Criu creates the instance; each task
 * adds the watches once its fd table is in place, since the kernel keys a
 * watch by (file, fd number).
 */
#include <fcntl.h>
#include <linux/kcmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define LOG_PREFIX "epoll: "
#include "anon-fd.h"
#include "arena.h"
#include "log.h"
#include "proc-fdinfo.h"

#define EPOLL_KNOWN_EVENTS (EPOLLIN | EPOLLPRI | EPOLLOUT | EPOLLERR | EPOLLHUP | \
			    EPOLLRDNORM | EPOLLRDBAND | EPOLLWRNORM | EPOLLWRBAND | EPOLLMSG | \
			    EPOLLRDHUP | EPOLLEXCLUSIVE | EPOLLWAKEUP | EPOLLONESHOT | EPOLLET)

struct epoll_watch {
	uint32_t tfd;		/* the fd number the watch was added with */
	uint32_t events;
	uint64_t data;
	uint32_t dev;		/* the target's s_dev as fdinfo shows it */
	uint64_t ino, pos;
	uint32_t file_id;	/* the target's files.img id; 0: unknown (CRIU's images) */
};

struct epoll_state {
	uint32_t flags;
	int nr;
	struct epoll_watch *w;
	pid_t pid;			/* dump: the task whose fds name the targets */
	const struct file_ids *f;	/* dump: where the targets' ids are found */
};

static bool epoll_match(const struct fd_parms *p)
{
	return !strcmp(p->link, "anon_inode:[eventpoll]");
}

/* Without kcmp: the file at fd tfd at least has the watched inode. */
static int check_by_stat(const struct fd_parms *p, const struct fdinfo_epoll_tfd *t)
{
	char proc[64];
	struct stat st;

	snprintf(proc, sizeof(proc), "/proc/%d/fd/%d", p->pid, t->tfd);
	if (stat(proc, &st))
		return 1;
	return st.st_ino == t->ino && st.st_dev == proc_kdev_to_dev(t->sdev) ? 0 : 1;
}

/*
 * Is the watched file the one the task has at the watch's fd number? Not
 * when that fd was closed (epoll keeps watching the file) or reused.
 */
static int check_target(const struct fd_parms *p, const struct fdinfo_epoll_tfd *v, int i)
{
	struct kcmp_epoll_slot slot = { .efd = p->fd, .tfd = v[i].tfd };
	long r;

	for (int j = 0; j < i; j++)
		if (v[j].tfd == v[i].tfd)
			slot.toff++;
	r = syscall(SYS_kcmp, p->pid, p->pid, KCMP_EPOLL_TFD, v[i].tfd, &slot);
	if (r < 0 && errno != EBADF && errno != ENOENT)
		r = check_by_stat(p, &v[i]);
	if (r == 0)
		return 0;
	pr_err("%s: the epoll instance watches a file that was fd %d of the task, which is "
	       "now %s (inode %llu): not supported\n", p->what, v[i].tfd,
	       r < 0 ? "closed" : "another file", (unsigned long long)v[i].ino);
	return -1;
}

static int epoll_dump(struct file_ids *f, const struct fd_parms *p, uint32_t *id)
{
	struct fdinfo_epoll_tfd *v;
	struct epoll_state *s;
	struct file_entry *fe;
	int nr, ret = -1;

	if (anon_check_flags(p, O_RDWR, O_NONBLOCK, "an epoll instance"))
		return -1;
	if (proc_parse_epoll(p->fi->extra, &v, &nr)) {
		pr_err("%s: can't read the watches of the epoll instance\n", p->what);
		return -1;
	}
	for (int i = 0; i < nr; i++)
		if (check_target(p, v, i))
			goto out;
	fe = anon_new_entry(f, FILE_KIND_EVENTPOLL, sizeof(*s));
	if (!fe)
		goto out;
	s = fe->priv;
	s->flags = p->fi->flags;
	s->pid = p->pid;
	s->f = f;
	s->w = calloc(nr + 1, sizeof(*s->w));
	if (!s->w)
		goto out;
	for (int i = 0; i < nr; i++)
		s->w[i] = (struct epoll_watch){ v[i].tfd, v[i].events, v[i].data, v[i].sdev,
						v[i].ino, v[i].pos, 0 };
	s->nr = nr;
	*id = fe->id;
	pr_debug("%s is an epoll instance with %d watches\n", p->what, nr);
	ret = 0;
out:
	free(v);
	return ret;
}

/* Every fd of the dump is known by now: name each target by its id. */
static uint32_t target_id(const struct epoll_state *s, uint32_t tfd)
{
	for (int i = 0; i < s->f->nr_dumped; i++)
		if (s->f->dumped[i].pid == s->pid && s->f->dumped[i].fd == (int)tfd)
			return s->f->dumped[i].id;
	return 0;
}

static int epoll_to_image(const struct file_entry *fe, FileEntry *e, struct arena *a)
{
	const struct epoll_state *s = fe->priv;
	EventpollFileEntry *ep = arena_alloc(a, sizeof(*ep));
	FownEntry *fown = anon_fown(a);

	if (!ep || !fown)
		return -1;
	eventpoll_file_entry__init(ep);
	e->type = FD_TYPES__EVENTPOLL;
	ep->id = fe->id;
	ep->flags = s->flags;
	ep->fown = fown;
	ep->tfd = arena_alloc(a, (s->nr + 1) * sizeof(*ep->tfd));
	if (!ep->tfd)
		return -1;
	for (int i = 0; i < s->nr; i++) {
		EventpollTfdEntry *t = arena_alloc(a, sizeof(*t));
		const struct epoll_watch *w = &s->w[i];

		if (!t)
			return -1;
		eventpoll_tfd_entry__init(t);
		t->id = fe->id;
		t->tfd = w->tfd;
		t->events = w->events;
		t->data = w->data;
		t->has_dev = t->has_inode = t->has_pos = t->has_file_id = 1;
		t->dev = w->dev;
		t->inode = w->ino;
		t->pos = w->pos;
		t->file_id = target_id(s, w->tfd);
		if (!t->file_id) {
			pr_err("epoll %u watches fd %u of task %d, which was not dumped\n", fe->id,
			       w->tfd, s->pid);
			return -1;
		}
		ep->tfd[ep->n_tfd++] = t;
	}
	e->epfd = ep;
	return 0;
}

static int read_watch(const FileEntry *e, const EventpollTfdEntry *t, struct epoll_watch *w)
{
	if (t->id != e->id || t->tfd >= FILES_MAX_FDS || t->events & ~EPOLL_KNOWN_EVENTS ||
	    (t->has_file_id && (!t->file_id || t->file_id == e->id))) {
		pr_err("files.img: epoll %u has a bad watch on fd %u (events 0x%x)\n", e->id,
		       t->tfd, t->events);
		return -1;
	}
	*w = (struct epoll_watch){ t->tfd, t->events, t->data, t->dev, t->inode, t->pos,
				   t->has_file_id ? t->file_id : 0 };
	return 0;
}

static int epoll_from_image(struct file_ids *f, const FileEntry *e, struct file_entry *fe)
{
	const EventpollFileEntry *ep = e->epfd;
	struct epoll_state *s;

	(void)f;
	if (!ep || ep->id != e->id) {
		pr_err("files.img: file %u lacks its epoll part\n", e->id);
		return -1;
	}
	if (anon_check_image_flags(e->id, ep->flags, O_RDWR, O_NONBLOCK, "epoll"))
		return -1;
	if (ep->n_tfd > FDINFO_MAX_WATCHES) {
		pr_err("files.img: epoll %u has %zu watches\n", e->id, ep->n_tfd);
		return -1;
	}
	s = fe->priv = calloc(1, sizeof(*s));
	if (!s || !(s->w = calloc(ep->n_tfd + 1, sizeof(*s->w)))) {
		pr_err("out of memory\n");
		return -1;
	}
	s->flags = ep->flags;
	for (size_t i = 0; i < ep->n_tfd; i++)
		if (read_watch(e, ep->tfd[i], &s->w[s->nr++]))
			return -1;
	return 0;
}

/* Once files.img is read: every watched file must be one of it. */
static int epoll_read_extra(int dirfd, struct file_ids *f)
{
	struct file_entry *fe;

	(void)dirfd;
	list_for_each_entry(fe, &f->files, list) {
		const struct epoll_state *s = fe->priv;

		if (fe->kind != FILE_KIND_EVENTPOLL)
			continue;
		for (int i = 0; i < s->nr; i++)
			if (s->w[i].file_id && !files_find(f, s->w[i].file_id)) {
				pr_err("files.img: epoll %u watches unknown file %u\n", fe->id,
				       s->w[i].file_id);
				return -1;
			}
	}
	return 0;
}

static int epoll_open(struct file_ids *f, struct file_entry *fe, int dirfd)
{
	const struct epoll_state *s = fe->priv;
	int fd;

	(void)f;
	(void)dirfd;
	fd = epoll_create1(EPOLL_CLOEXEC);
	if (fd < 0) {
		pr_perror("can't create epoll instance %u", fe->id);
		return -1;
	}
	if (anon_set_fl(fd, s->flags, "an epoll instance")) {
		close(fd);
		return -1;
	}
	fe->rst_fd = fd;
	return 0;
}

/* 1: fd a and fd b are the same open file; 0: not (or a is not open); -1: error. */
static int same_file(int a, int b)
{
	pid_t me = getpid();
	struct stat sa, sb;
	long r = syscall(SYS_kcmp, me, me, KCMP_FILE, a, b);

	if (r >= 0)
		return r == 0;
	if (errno == EBADF)
		return 0;
	/* no kcmp: the same inode will do */
	if (fstat(a, &sa))
		return 0;
	if (fstat(b, &sb)) {
		pr_perror("can't stat fd %d", b);
		return -1;
	}
	return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/*
 * In each task sharing the instance: add the watches whose target this
 * task has at the dumped fd number. Another task (or another fd on the
 * same instance) may have added one already: EEXIST is that.
 */
static int epoll_task_fixup(struct file_ids *f, struct file_entry *fe, int fd)
{
	const struct epoll_state *s = fe->priv;

	for (int i = 0; i < s->nr; i++) {
		const struct epoll_watch *w = &s->w[i];
		struct epoll_event ev = { .events = w->events, .data.u64 = w->data };

		if (w->file_id) {
			const struct file_entry *t = files_find(f, w->file_id);
			int r = same_file(w->tfd, t->rst_fd);

			if (r < 0)
				return -1;
			if (!r)
				continue;
		} else if (fcntl(w->tfd, F_GETFD) < 0) {
			continue;	/* CRIU's images: whichever task has the fd adds it */
		}
		if (epoll_ctl(fd, EPOLL_CTL_ADD, w->tfd, &ev) && errno != EEXIST) {
			pr_perror("can't add fd %u to epoll fd %d (events 0x%x)", w->tfd, fd,
				  w->events);
			return -1;
		}
	}
	return 0;
}

static void epoll_free(struct file_entry *fe)
{
	struct epoll_state *s = fe->priv;

	if (s)
		free(s->w);
	anon_free_priv(fe);
}

const struct file_ops epoll_file_ops = {
	.name = "epoll",
	.kind = FILE_KIND_EVENTPOLL,
	.match = epoll_match,
	.dump = epoll_dump,
	.to_image = epoll_to_image,
	.from_image = epoll_from_image,
	.read_extra = epoll_read_extra,
	.open = epoll_open,
	.task_fixup = epoll_task_fixup,
	.free = epoll_free,
};
