// SPDX-License-Identifier: GPL-2.0
/*
 * The terminal handler: ptys (both sides), /dev/tty and the shell's
 * terminal of a shell job. Its part of files.img is a tty_file_entry
 * naming a tty_info (tty-info.img, tty-img.c); the dump is in tty-dump.c,
 * the restore in tty-restore.c, queued bytes in tty-data.c.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define LOG_PREFIX "tty: "
#include "arena.h"
#include "file-ops.h"
#include "files-internal.h"
#include "log.h"
#include "tty-internal.h"

struct tty_state *tty_state(struct file_ids *f)
{
	struct tty_state *st = f->tty;

	if (st)
		return st;
	st = calloc(1, sizeof(*st));
	if (!st) {
		pr_err("out of memory\n");
		return NULL;
	}
	INIT_LIST_HEAD(&st->infos);
	st->next_id = 1;
	st->job_term = -1;
	f->tty = st;
	return st;
}

static void tty_state_free(struct file_ids *f)
{
	struct tty_state *st = f->tty;
	struct tty_info *ti, *n;

	if (!st)
		return;
	list_for_each_entry_safe(ti, n, &st->infos, list) {
		if (ti->grab >= 0)
			close(ti->grab);
		if (ti->fd >= 0)
			close(ti->fd);
		free(ti->data);
		free(ti);
	}
	free(st->tasks);
	free(st);
	f->tty = NULL;
}

struct tty_info *tty_new_info(struct tty_state *st)
{
	struct tty_info *ti = calloc(1, sizeof(*ti));

	if (!ti) {
		pr_err("out of memory\n");
		return NULL;
	}
	ti->id = st->next_id++;
	ti->grab = ti->fd = -1;
	list_add_tail(&ti->list, &st->infos);
	return ti;
}

struct tty_info *tty_find_info(const struct tty_state *st, uint32_t id)
{
	struct tty_info *ti;

	list_for_each_entry(ti, &st->infos, list)
		if (ti->id == id)
			return ti;
	return NULL;
}

struct tty_info *tty_peer(const struct tty_state *st, const struct tty_info *ti)
{
	struct tty_info *o;

	if (ti->type != TTY_T_PTY)
		return NULL;
	list_for_each_entry(o, &st->infos, list)
		if (o != ti && o->type == TTY_T_PTY && o->index == ti->index &&
		    o->master != ti->master)
			return o;
	return NULL;
}

const char *tty_type_name(enum tty_type t)
{
	static const char *const names[] = {
		[TTY_T_UNKNOWN] = "unknown", [TTY_T_PTY] = "pty", [TTY_T_CONSOLE] = "console",
		[TTY_T_VT] = "virtual terminal", [TTY_T_CTTY] = "/dev/tty",
		[TTY_T_EXT] = "external terminal", [TTY_T_SERIAL] = "serial line",
	};

	return (unsigned int)t < ARRAY_SIZE(names) ? names[t] : "unknown";
}

/*
 * A new open of the master's slave. O_CLOEXEC given to TIOCGPTPEER would
 * stay in the file's flags (as 6.x kernels show in fdinfo): set it apart.
 */
int tty_open_peer(int master, uint32_t flags)
{
	int fd = ioctl(master, TIOCGPTPEER, flags);

	if (fd >= 0 && fcntl(fd, F_SETFD, FD_CLOEXEC)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Unix98 pty slaves have majors 136-143 (UNIX98_PTY_SLAVE_MAJOR and up). */
uint32_t tty_slave_rdev(uint32_t index)
{
	return makedev(136 + index / 256, index % 256);
}

/* Character devices that are terminals we know (devices.txt). */
static bool is_tty_rdev(dev_t rdev)
{
	unsigned int maj = major(rdev), min = minor(rdev);

	if (maj == 5)
		return min <= 2;	/* /dev/tty, /dev/console, /dev/ptmx */
	return maj == 4 || (maj >= 136 && maj <= 143);
}

static bool tty_match(const struct fd_parms *p)
{
	return S_ISCHR(p->st->st_mode) && is_tty_rdev(p->st->st_rdev);
}

static int tty_dump(struct file_ids *f, const struct fd_parms *p, uint32_t *id)
{
	struct file_entry *fe;
	struct tty_file *tf;
	struct tty_info *ti;

	if (tty_dump_file(f, p->pid, p->fd, p->link, p->st, p->what, &ti))
		return -1;
	fe = files_new_entry(f, FILE_KIND_TTY, 0);
	tf = calloc(1, sizeof(*tf));
	if (!fe || !tf) {
		free(tf);
		pr_err("out of memory\n");
		return -1;
	}
	tf->info = ti;
	tf->info_id = ti->id;
	tf->flags = p->fi->flags;
	fe->priv = tf;
	*id = fe->id;
	pr_debug("%s is %s %s (info %u)\n", p->what, tty_type_name(ti->type), p->link, ti->id);
	return 0;
}

static int tty_to_image(const struct file_entry *fe, FileEntry *e, struct arena *a)
{
	const struct tty_file *tf = fe->priv;
	TtyFileEntry *t = arena_alloc(a, sizeof(*t));
	FownEntry *fown = arena_alloc(a, sizeof(*fown));

	if (!t || !fown)
		return -1;
	tty_file_entry__init(t);
	fown_entry__init(fown);
	e->type = FD_TYPES__TTY;
	t->id = fe->id;
	t->tty_info_id = tf->info_id;
	t->flags = tf->flags;
	t->fown = fown;
	e->tty = t;
	return 0;
}

/* Open flags a terminal fd may carry (the kernel's O_LARGEFILE included). */
#define TTY_FLAGS (O_ACCMODE | O_APPEND | O_NONBLOCK | O_SYNC | O_DSYNC | FASYNC | 0100000)

static int tty_from_image(struct file_ids *f, const FileEntry *e, struct file_entry *fe)
{
	const TtyFileEntry *t = e->tty;
	struct tty_file *tf;

	(void)f;
	if (!t || t->id != e->id || t->flags & ~TTY_FLAGS ||
	    (t->flags & O_ACCMODE) == O_ACCMODE) {
		pr_err("files.img: terminal file %u is malformed\n", e->id);
		return -1;
	}
	tf = calloc(1, sizeof(*tf));
	if (!tf) {
		pr_err("out of memory\n");
		return -1;
	}
	tf->info_id = t->tty_info_id;
	tf->flags = t->flags;
	fe->priv = tf;
	return 0;
}

static int tty_write_extra(int dirfd, const struct file_ids *f)
{
	struct tty_state *st = f->tty;

	if (!st)
		return 0;
	if (tty_dump_finish(st))
		return -1;
	return tty_write_infos(dirfd, st);
}

static int tty_read_extra(int dirfd, struct file_ids *f)
{
	return tty_read_infos(dirfd, f);
}

static int tty_open(struct file_ids *f, struct file_entry *fe, int dirfd)
{
	(void)dirfd;
	return tty_open_file(f, fe);
}

/* /dev/tty means the opener's controlling terminal: only the task can open it. */
static bool tty_opens_in_task(const struct file_entry *fe)
{
	const struct tty_file *tf = fe->priv;

	return tf->info->type == TTY_T_CTTY;
}

static int tty_inherit_key(const struct file_entry *fe, char *buf, size_t len)
{
	const struct tty_file *tf = fe->priv;

	if (tf->info->type == TTY_T_CTTY)
		return -1;
	snprintf(buf, len, "tty[%x:%x]", tf->info->rdev, tf->info->dev);
	return 0;
}

static int tty_task_dump(struct file_ids *f, pid_t pid)
{
	return tty_dump_task(f, pid);
}

static void tty_free(struct file_entry *fe)
{
	free(fe->priv);
	fe->priv = NULL;
}

const struct file_ops tty_file_ops = {
	.name = "terminal",
	.kind = FILE_KIND_TTY,
	.match = tty_match,
	.dump = tty_dump,
	.dump_task = tty_task_dump,
	.to_image = tty_to_image,
	.from_image = tty_from_image,
	.write_extra = tty_write_extra,
	.read_extra = tty_read_extra,
	.open = tty_open,
	.opens_in_task = tty_opens_in_task,
	.inherit_key = tty_inherit_key,
	.free = tty_free,
	.free_state = tty_state_free,
};
