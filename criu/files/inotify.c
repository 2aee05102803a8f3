// SPDX-License-Identifier: GPL-2.0
/*
 * inotify: the instance and its watches (wd, mask, the watched inode's
 * path), from fdinfo. Its part of files.img is inotify_file_entry (ify)
 * with one inotify_wd_entry per watch. Restore gives each watch its old
 * wd: the kernel hands wds out in increasing order, so a watch is added
 * and removed again until the next wd is the one wanted. Events queued at
 * dump time are lost.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define LOG_PREFIX "inotify: "
#include "anon-fd.h"
#include "arena.h"
#include "inotify.h"
#include "log.h"
#include "proc-fdinfo.h"
#include "proc-parse.h"

#define IN_KNOWN_MASK (IN_ALL_EVENTS | IN_ONESHOT | IN_EXCL_UNLINK | IN_ONLYDIR | IN_DONT_FOLLOW)
#define FS_EVENT_ON_CHILD 0x08000000	/* kernel-internal; old kernels showed it */
#define FH_MIN_WORDS 16			/* fh_entry_sizes.min_entries */

struct inotify_watch {
	int wd;
	uint32_t mask;
	uint32_t s_dev;		/* as fdinfo shows it */
	uint64_t ino;
	char *path;
	uint32_t fh_bytes, fh_type;
	uint8_t fh[FDINFO_FHANDLE_MAX];
};

struct inotify_state {
	uint32_t flags;
	int nr;
	struct inotify_watch *w;	/* by ascending wd */
};

static bool inotify_match(const struct fd_parms *p)
{
	return !strcmp(p->link, "anon_inode:inotify");
}

static int cmp_wd(const void *a, const void *b)
{
	const struct fdinfo_inotify_wd *x = a, *y = b;

	return x->wd - y->wd;
}

/* Queued events are not dumped: say so if there are any. */
static void warn_queued(const struct fd_parms *p)
{
	int fd = anon_steal_fd(p->pid, p->fd), n = 0;

	if (fd < 0) {
		pr_pwarn("%s: can't tell whether inotify events are queued (pidfd_getfd)",
			 p->what);
		return;
	}
	if (!ioctl(fd, FIONREAD, &n) && n > 0)
		pr_warn("%s: %d bytes of queued inotify events are not dumped and will be lost\n",
			p->what, n);
	close(fd);
}

static int fill_watches(const struct fd_parms *p, struct inotify_state *s,
			const struct fdinfo_inotify_wd *v, int nr)
{
	char path[PROC_PATH_MAX];

	for (int i = 0; i < nr; i++) {
		struct inotify_watch *w = &s->w[i];

		if (v[i].ignored_mask) {
			pr_err("%s: watch %d has an ignored mask\n", p->what, v[i].wd);
			return -1;
		}
		if (inotify_find_path(p->pid, &v[i], path, sizeof(path))) {
			pr_err("%s: can't dump watch %d\n", p->what, v[i].wd);
			return -1;
		}
		*w = (struct inotify_watch){ .wd = v[i].wd, .mask = v[i].mask, .s_dev = v[i].sdev,
					     .ino = v[i].ino, .fh_bytes = v[i].fh_bytes,
					     .fh_type = v[i].fh_type };
		memcpy(w->fh, v[i].fh, v[i].fh_bytes);
		w->path = strdup(path);
		if (!w->path)
			return -1;
		s->nr++;
		pr_debug("%s: watch %d on '%s', mask 0x%x\n", p->what, w->wd, path, w->mask);
	}
	return 0;
}

static int inotify_dump(struct file_ids *f, const struct fd_parms *p, uint32_t *id)
{
	struct fdinfo_inotify_wd *v;
	struct inotify_state *s;
	struct file_entry *fe;
	int nr, ret = -1;

	if (anon_check_flags(p, O_RDONLY, O_NONBLOCK, "an inotify instance"))
		return -1;
	if (proc_parse_inotify(p->fi->extra, &v, &nr)) {
		pr_err("%s: can't read the watches of the inotify instance\n", p->what);
		return -1;
	}
	qsort(v, nr, sizeof(*v), cmp_wd);
	fe = anon_new_entry(f, FILE_KIND_INOTIFY, sizeof(*s));
	if (!fe)
		goto out;
	s = fe->priv;
	s->flags = p->fi->flags;
	s->w = calloc(nr + 1, sizeof(*s->w));
	if (!s->w || fill_watches(p, s, v, nr))
		goto out;
	warn_queued(p);
	*id = fe->id;
	ret = 0;
out:
	free(v);
	return ret;
}

static FhEntry *fh_to_image(const struct inotify_watch *w, struct arena *a)
{
	FhEntry *fh = arena_alloc(a, sizeof(*fh));
	size_t words = (w->fh_bytes + 7) / 8;

	if (!fh)
		return NULL;
	fh_entry__init(fh);
	fh->bytes = w->fh_bytes;
	fh->type = w->fh_type;
	fh->n_handle = words < FH_MIN_WORDS ? FH_MIN_WORDS : words;
	fh->handle = arena_alloc(a, fh->n_handle * sizeof(uint64_t));
	fh->path = (char *)w->path;
	if (!fh->handle)
		return NULL;
	for (uint32_t i = 0; i < w->fh_bytes; i++)
		fh->handle[i / 8] |= (uint64_t)w->fh[i] << (8 * (i % 8));
	return fh;
}

static int inotify_to_image(const struct file_entry *fe, FileEntry *e, struct arena *a)
{
	const struct inotify_state *s = fe->priv;
	InotifyFileEntry *ify = arena_alloc(a, sizeof(*ify));
	FownEntry *fown = anon_fown(a);

	if (!ify || !fown)
		return -1;
	inotify_file_entry__init(ify);
	e->type = FD_TYPES__INOTIFY;
	ify->id = fe->id;
	ify->flags = s->flags;
	ify->fown = fown;
	ify->wd = arena_alloc(a, (s->nr + 1) * sizeof(*ify->wd));
	if (!ify->wd)
		return -1;
	for (int i = 0; i < s->nr; i++) {
		InotifyWdEntry *wd = arena_alloc(a, sizeof(*wd));
		const struct inotify_watch *w = &s->w[i];

		if (!wd)
			return -1;
		inotify_wd_entry__init(wd);
		wd->f_handle = fh_to_image(w, a);
		if (!wd->f_handle)
			return -1;
		wd->id = fe->id;
		wd->i_ino = w->ino;
		wd->mask = w->mask;
		wd->s_dev = w->s_dev;
		wd->wd = w->wd;
		ify->wd[ify->n_wd++] = wd;
	}
	e->ify = ify;
	return 0;
}

static int read_watch(const FileEntry *e, const InotifyWdEntry *in, int prev_wd,
		      struct inotify_watch *w)
{
	const FhEntry *fh = in->f_handle;
	uint32_t mask = in->mask & ~FS_EVENT_ON_CHILD;

	if (in->id != e->id || (int)in->wd <= prev_wd || in->wd > 0x7fffffff ||
	    mask & ~IN_KNOWN_MASK || !(mask & IN_ALL_EVENTS) || in->ignored_mask) {
		pr_err("files.img: inotify %u has a bad watch (wd %u, mask 0x%x)\n", e->id, in->wd,
		       in->mask);
		return -1;
	}
	if (!fh || !fh->path || fh->path[0] != '/' || strlen(fh->path) >= PROC_PATH_MAX) {
		pr_err("files.img: watch %u of inotify %u has no absolute path\n", in->wd, e->id);
		return -1;
	}
	w->path = strdup(fh->path);
	if (!w->path)
		return -1;
	w->wd = in->wd;
	w->mask = mask;
	w->s_dev = in->s_dev;
	w->ino = in->i_ino;
	return 0;
}

static int inotify_from_image(struct file_ids *f, const FileEntry *e, struct file_entry *fe)
{
	const InotifyFileEntry *ify = e->ify;
	struct inotify_state *s;

	(void)f;
	if (!ify || ify->id != e->id) {
		pr_err("files.img: file %u lacks its inotify part\n", e->id);
		return -1;
	}
	if (anon_check_image_flags(e->id, ify->flags, O_RDONLY, O_NONBLOCK, "inotify"))
		return -1;
	if (ify->n_wd > FDINFO_MAX_WATCHES) {
		pr_err("files.img: inotify %u has %zu watches\n", e->id, ify->n_wd);
		return -1;
	}
	s = fe->priv = calloc(1, sizeof(*s));
	if (!s || !(s->w = calloc(ify->n_wd + 1, sizeof(*s->w)))) {
		pr_err("out of memory\n");
		return -1;
	}
	s->flags = ify->flags;
	for (size_t i = 0; i < ify->n_wd; i++) {
		if (read_watch(e, ify->wd[i], i ? s->w[i - 1].wd : 0, &s->w[i]))
			return -1;
		s->nr++;
	}
	return 0;
}

/* Read away the IN_IGNORED events our own removals queued. */
static int drain(int fd, uint32_t id)
{
	char buf[4096];

	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n > 0)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		pr_perror("can't empty the queue of inotify %u", id);
		return -1;
	}
}

/* Add watch i with its dumped wd; the fd is non-blocking meanwhile. */
static int add_watch(int fd, const struct inotify_state *s, int i, uint32_t id)
{
	const struct inotify_watch *w = &s->w[i];
	uint32_t mask = (w->mask & ~IN_ONLYDIR) | IN_DONT_FOLLOW;

	for (;;) {
		int wd = inotify_add_watch(fd, w->path, mask);

		if (wd < 0) {
			pr_perror("can't watch '%s' with inotify %u", w->path, id);
			return -1;
		}
		if (wd == w->wd)
			return 0;
		if (wd > w->wd || (i && wd <= s->w[i - 1].wd)) {
			pr_err("inotify %u: '%s' got wd %d, not %d (the same inode twice?)\n", id,
			       w->path, wd, w->wd);
			return -1;
		}
		/* a wd below the one we want: give it back and take the next */
		if (inotify_rm_watch(fd, wd) || drain(fd, id)) {
			pr_perror("can't skip wd %d of inotify %u", wd, id);
			return -1;
		}
	}
}

static int inotify_open(struct file_ids *f, struct file_entry *fe, int dirfd)
{
	const struct inotify_state *s = fe->priv;
	int fd;

	(void)f;
	(void)dirfd;
	fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (fd < 0) {
		pr_perror("can't create inotify instance %u", fe->id);
		return -1;
	}
	for (int i = 0; i < s->nr; i++)
		if (add_watch(fd, s, i, fe->id))
			goto err;
	if (drain(fd, fe->id) || anon_set_fl(fd, s->flags, "an inotify instance"))
		goto err;
	fe->rst_fd = fd;
	return 0;
err:
	close(fd);
	return -1;
}

static void inotify_free(struct file_entry *fe)
{
	struct inotify_state *s = fe->priv;

	if (s) {
		for (int i = 0; i < s->nr; i++)
			free(s->w[i].path);
		free(s->w);
	}
	anon_free_priv(fe);
}

const struct file_ops inotify_file_ops = {
	.name = "inotify",
	.kind = FILE_KIND_INOTIFY,
	.match = inotify_match,
	.dump = inotify_dump,
	.to_image = inotify_to_image,
	.from_image = inotify_from_image,
	.open = inotify_open,
	.free = inotify_free,
};
