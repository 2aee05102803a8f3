// SPDX-License-Identifier: GPL-2.0
/*
 * File locks (file-locks.img), with --file-locks. A task's fdinfo lists the
 * locks held through each fd: flock and OFD locks belong to the open file
 * description, POSIX ones to the task. /proc/locks then tells whether a
 * task of the tree holds a lock no fd shows. At restore, criu takes flock
 * and OFD locks on the files it opened before any task exists; each task
 * takes its POSIX locks itself once its fd table is final.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#define LOG_PREFIX "locks: "
#include "file-ops.h"
#include "files-internal.h"
#include "image.h"
#include "images.h"
#include "log.h"
#include "options.h"
#include "proc-locks.h"

#define MAX_LOCKS (1 << 20)

struct file_lock {
	struct list_head list;
	int kind;			/* PROC_LOCK_POSIX, _FLOCK or _OFD */
	int type;			/* F_RDLCK or F_WRLCK */
	pid_t pid;			/* POSIX: the owner; else a task with the fd */
	int fd;
	uint32_t file_id;		/* restore: 0 until the task's fd table is read */
	int64_t start, len;		/* len 0: to the end of the file */
	unsigned int maj, min;		/* dump: the file, to match /proc/locks */
	unsigned long long ino;
};

static const char *type_name(int type)
{
	return type == F_WRLCK ? "write" : "read";
}

static bool same_lock(const struct file_lock *a, const struct file_lock *b)
{
	if (a->kind != b->kind || a->type != b->type || a->start != b->start || a->len != b->len)
		return false;
	if (a->kind == PROC_LOCK_POSIX)	/* dup'ed fds show the task's lock twice */
		return a->pid == b->pid && a->maj == b->maj && a->min == b->min &&
		       a->ino == b->ino;
	return a->file_id == b->file_id;	/* every fd of the description shows it */
}

static int add_lock(struct file_ids *f, const struct file_lock *l, bool dedup)
{
	struct file_lock *n;
	int nr = 0;

	list_for_each_entry(n, &f->locks, list) {
		if (dedup && same_lock(n, l))
			return 0;
		nr++;
	}
	if (nr >= MAX_LOCKS) {
		pr_err("more than %d file locks\n", MAX_LOCKS);
		return -1;
	}
	n = malloc(sizeof(*n));
	if (!n) {
		pr_err("out of memory\n");
		return -1;
	}
	*n = *l;
	list_add_tail(&n->list, &f->locks);
	return 0;
}

static int note_one(struct file_ids *f, const struct proc_lock *pl, pid_t pid, int fd,
		    uint32_t id, const char *link, const char *what)
{
	struct file_lock l = { .kind = pl->kind, .type = pl->type, .pid = pid, .fd = fd,
			       .file_id = id, .start = pl->start, .maj = pl->maj, .min = pl->min,
			       .ino = pl->ino };

	if (!opts->file_locks) {
		pr_err("%s holds a %s %s lock on '%s'; dump with --file-locks (-l)\n", what,
		       proc_lock_kind_name(pl->kind), type_name(pl->type), link);
		return -1;
	}
	if (pl->kind != PROC_LOCK_POSIX && pl->kind != PROC_LOCK_FLOCK &&
	    pl->kind != PROC_LOCK_OFD) {
		pr_err("%s holds a %s on '%s': not supported\n", what,
		       proc_lock_kind_name(pl->kind), link);
		return -1;
	}
	if (pl->type != F_RDLCK && pl->type != F_WRLCK)
		return 0;
	l.len = pl->end == PROC_LOCK_EOF ? 0 : pl->end - pl->start + 1;
	pr_debug("%s: %s %s lock on '%s' from %lld, %lld bytes\n", what,
		 proc_lock_kind_name(l.kind), type_name(l.type), link, (long long)l.start,
		 (long long)l.len);
	return add_lock(f, &l, true);
}

int locks_note_fd(struct file_ids *f, pid_t pid, int fd, uint32_t id,
		  const struct proc_fdinfo *fi, const char *link, const char *what)
{
	const char *line = fi->extra;

	while (line && *line) {
		const char *nl = strchr(line, '\n');
		char buf[256];
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		struct proc_lock pl;

		if (!strncmp(line, "lock:", 5)) {
			if (len >= sizeof(buf) || (memcpy(buf, line, len), buf[len] = 0,
						   proc_parse_lock_line(buf, &pl))) {
				pr_err("%s: can't parse the lock line '%.*s'\n", what, (int)len, line);
				return -1;
			}
			if (!pl.blocked && note_one(f, &pl, pid, fd, id, link, what))
				return -1;
		}
		line = nl ? nl + 1 : NULL;
	}
	return 0;
}

static bool in_tree(const struct file_ids *f, pid_t pid)
{
	for (int i = 0; i < f->nr_dumped; i++)
		if (f->dumped[i].pid == pid)
			return true;
	return false;
}

/* A lock of /proc/locks some fd of the tree showed. */
static bool known(const struct file_ids *f, const struct proc_lock *pl)
{
	const struct file_lock *l;

	list_for_each_entry(l, &f->locks, list)
		if (l->kind == pl->kind && l->maj == pl->maj && l->min == pl->min &&
		    l->ino == pl->ino && (l->kind != PROC_LOCK_POSIX || l->pid == pl->pid))
			return true;
	return false;
}

/*
 * A lock whose owner is a task of the tree but that no fd showed is held
 * through something else (a mapping keeps a file description, and its
 * flock, alive): we would lose it.
 */
int locks_dump_finish(struct file_ids *f)
{
	char *text = proc_read_file("/proc/locks", NULL), *line, *nl;
	int ret = 0;

	if (!text) {
		pr_perror("can't read /proc/locks");
		return -1;
	}
	for (line = text; *line && !ret; line = nl ? nl + 1 : line + strlen(line)) {
		struct proc_lock pl;

		nl = strchr(line, '\n');
		if (nl)
			*nl = 0;
		if (proc_parse_lock_line(line, &pl)) {
			pr_err("can't parse /proc/locks line '%s'\n", line);
			ret = -1;
		} else if (!pl.blocked && pl.pid > 0 && in_tree(f, pl.pid) && !known(f, &pl)) {
			pr_err("task %d holds a %s lock on file %x:%x:%llu through no fd: %s\n",
			       pl.pid, proc_lock_kind_name(pl.kind), pl.maj, pl.min, pl.ino,
			       opts->file_locks ? "not supported" : "dump with --file-locks (-l)");
			ret = -1;
		}
	}
	free(text);
	return ret;
}

int locks_write(int dirfd, const struct file_ids *f)
{
	const struct file_lock *l;
	struct img *img;
	int ret = 0;

	if (list_empty(&f->locks))
		return 0;
	img = img_open(dirfd, IMG_FILE_LOCKS, O_WRONLY, 0);
	if (!img)
		return -1;
	list_for_each_entry(l, &f->locks, list) {
		FileLockEntry e = FILE_LOCK_ENTRY__INIT;

		e.flag = l->kind;
		e.type = l->type;
		e.pid = l->pid;
		e.fd = l->fd;
		e.start = l->start;
		e.len = l->len;
		if ((ret = img_write_entry(img, &e)))
			break;
	}
	if (img_close(img))
		ret = -1;
	return ret;
}

static int read_one(struct img *img, void *msg, void *arg)
{
	const FileLockEntry *e = msg;
	struct file_ids *f = arg;
	struct file_lock l = { .kind = e->flag, .type = e->type, .pid = e->pid, .fd = e->fd,
			       .start = e->start, .len = e->len };

	(void)img;
	if ((e->flag != PROC_LOCK_POSIX && e->flag != PROC_LOCK_FLOCK &&
	     e->flag != PROC_LOCK_OFD) || (e->type != F_RDLCK && e->type != F_WRLCK) ||
	    e->pid <= 0 || e->fd < 0 || e->fd >= FILES_MAX_FDS || e->start < 0 || e->len < 0 ||
	    (e->flag == PROC_LOCK_FLOCK && (e->start || e->len))) {
		pr_err("file-locks.img: bad lock (kind %u, type %u) of task %d on fd %d\n",
		       e->flag, e->type, e->pid, e->fd);
		return -1;
	}
	return add_lock(f, &l, false);
}

int locks_read(int dirfd, struct file_ids *f)
{
	int nr = img_for_each_entry(dirfd, IMG_FILE_LOCKS, read_one, f);

	if (nr > 0 && !opts->file_locks) {
		pr_err("the images hold %d file locks; restore with --file-locks (-l)\n", nr);
		return -1;
	}
	return nr < 0 ? -1 : 0;
}

int locks_bind_fdtable(struct file_ids *f, pid_t pid, const struct fd_table *t)
{
	struct file_lock *l;

	list_for_each_entry(l, &f->locks, list) {
		int i;

		if (l->pid != pid)
			continue;
		for (i = 0; i < t->nr && t->fds[i].fd != l->fd; i++)
			;
		if (i == t->nr) {
			pr_err("file-locks.img: task %d holds a lock on fd %d, which it lacks\n",
			       pid, l->fd);
			return -1;
		}
		l->file_id = t->fds[i].id;
	}
	return 0;
}

static const char *file_name(const struct file_entry *fe, char *buf, size_t len)
{
	if (fe->kind == FILE_KIND_REG && fe->reg.path)
		return fe->reg.path;
	snprintf(buf, len, "file %u", fe->id);
	return buf;
}

static int take(const struct file_lock *l, int fd, const char *name)
{
	struct flock fl = { .l_type = l->type, .l_whence = SEEK_SET, .l_start = l->start,
			    .l_len = l->len };
	int r;

	if (l->kind == PROC_LOCK_FLOCK)
		r = flock(fd, (l->type == F_WRLCK ? LOCK_EX : LOCK_SH) | LOCK_NB);
	else
		r = fcntl(fd, l->kind == PROC_LOCK_OFD ? F_OFD_SETLK : F_SETLK, &fl);
	if (!r) {
		pr_debug("took the %s %s lock on %s back\n", proc_lock_kind_name(l->kind),
			 type_name(l->type), name);
		return 0;
	}
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EACCES)
		pr_err("can't take the %s %s lock on %s back: another process holds a lock "
		       "there now\n", proc_lock_kind_name(l->kind), type_name(l->type), name);
	else
		pr_perror("can't take the %s %s lock on %s back", proc_lock_kind_name(l->kind),
			  type_name(l->type), name);
	return -1;
}

int locks_take_ofd(struct file_ids *f)
{
	const struct file_lock *l;
	char buf[32];

	list_for_each_entry(l, &f->locks, list) {
		struct file_entry *fe = l->file_id ? files_find(f, l->file_id) : NULL;

		if (l->kind == PROC_LOCK_POSIX)
			continue;
		if (!fe || fe->rst_fd < 0) {
			pr_err("file-locks.img: the lock of task %d on fd %d has no file\n", l->pid,
			       l->fd);
			return -1;
		}
		if (take(l, fe->rst_fd, file_name(fe, buf, sizeof(buf))))
			return -1;
	}
	return 0;
}

int locks_take_posix(struct file_ids *f)
{
	const struct file_lock *l;
	pid_t pid = getpid();
	char buf[32];

	list_for_each_entry(l, &f->locks, list) {
		struct file_entry *fe = files_find(f, l->file_id);

		if (l->kind != PROC_LOCK_POSIX || l->pid != pid)
			continue;
		if (!fe || take(l, l->fd, file_name(fe, buf, sizeof(buf))))
			return -1;
	}
	return 0;
}

void locks_free(struct file_ids *f)
{
	struct file_lock *l, *n;

	list_for_each_entry_safe(l, n, &f->locks, list)
		free(l);
	INIT_LIST_HEAD(&f->locks);
}
