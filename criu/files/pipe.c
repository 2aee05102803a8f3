// SPDX-License-Identifier: GPL-2.0
/*
 * Pipes: each end an open file description tied to a pipe by its inode
 * number. The data sitting in a pipe is copied with tee() from a read end
 * we open through /proc, so the task's pipe keeps every byte.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define LOG_PREFIX "pipe: "
#include "files.h"
#include "arena.h"
#include "file-ops.h"
#include "files-internal.h"
#include "image.h"
#include "log.h"

#define PIPE_FLAGS (O_ACCMODE | O_NONBLOCK | 0100000 /* O_LARGEFILE */ | O_DIRECT | FASYNC)

static struct file_entry *find_pipe_with_data(struct file_ids *f, uint64_t pipe_id)
{
	struct file_entry *fe;

	list_for_each_entry(fe, &f->files, list)
		if (fe->kind == FILE_KIND_PIPE && fe->pipe.pipe_id == pipe_id && fe->pipe.has_data)
			return fe;
	return NULL;
}

/*
 * A read end of the task's pipe: its own fd when it reads (pidfd_getfd needs
 * no permission on the pipe), else a new one through /proc, which needs
 * permission on the pipe's inode (a pipe made by another user is refused).
 */
static int read_end(pid_t pid, int fd, uint32_t flags, const char *proc)
{
	int pidfd, rd = -1;

	if ((flags & O_ACCMODE) == O_RDONLY) {
		pidfd = syscall(SYS_pidfd_open, pid, 0);
		if (pidfd >= 0) {
			rd = syscall(SYS_pidfd_getfd, pidfd, fd, 0);
			close(pidfd);
		}
		if (rd >= 0)
			return rd;
	}
	rd = open(proc, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (rd < 0)
		pr_perror("can't open a read end of pipe %s to copy its data (a pipe made "
			  "by another user, read outside the tree?)", proc);
	return rd;
}

/* Copy the bytes queued in the pipe (or FIFO) without consuming them. */
int pipe_steal_data(pid_t pid, int fd, uint32_t flags, struct pipe_file *p)
{
	char proc[64];
	int rd, tmp[2] = { -1, -1 }, ret = -1;
	ssize_t n;

	snprintf(proc, sizeof(proc), "/proc/%d/fd/%d", pid, fd);
	rd = read_end(pid, fd, flags, proc);
	if (rd < 0)
		return -1;
	p->size = fcntl(rd, F_GETPIPE_SZ);
	if ((int)p->size <= 0 || p->size > PIPE_MAX_DATA || pipe2(tmp, O_CLOEXEC) ||
	    fcntl(tmp[1], F_SETPIPE_SZ, p->size) < (int)p->size) {
		pr_perror("can't set up a copy of pipe %s", proc);
		goto out;
	}
	n = tee(rd, tmp[1], p->size, SPLICE_F_NONBLOCK);
	if (n < 0 && errno == EAGAIN)
		n = 0;
	if (n < 0) {
		pr_perror("can't copy the data of pipe %s", proc);
		goto out;
	}
	p->has_data = true;
	p->data_len = n;
	p->data = malloc(n + 1);
	if (!p->data || (n && read(tmp[0], p->data, n) != n)) {
		pr_perror("can't read the data of pipe %s", proc);
		goto out;
	}
	ret = 0;
out:
	close(rd);
	if (tmp[0] >= 0) {
		close(tmp[0]);
		close(tmp[1]);
	}
	return ret;
}

static bool pipe_match(const struct fd_parms *p)
{
	return S_ISFIFO(p->st->st_mode) && !strncmp(p->link, "pipe:[", 6);
}

static int pipe_dump(struct file_ids *f, const struct fd_parms *p, uint32_t *id)
{
	struct file_entry *fe = files_new_entry(f, FILE_KIND_PIPE, 0);
	struct file_entry *with_data;

	if (!fe)
		return -1;
	fe->pipe.pipe_id = p->st->st_ino;
	fe->pipe.flags = p->fi->flags;
	with_data = find_pipe_with_data(f, p->st->st_ino);
	if (with_data)
		fe->pipe.size = with_data->pipe.size;
	else if (pipe_steal_data(p->pid, p->fd, p->fi->flags, &fe->pipe))
		return -1;
	*id = fe->id;
	pr_debug("%s is pipe %llu with %u bytes\n", p->what,
		 (unsigned long long)fe->pipe.pipe_id, fe->pipe.data_len);
	return 0;
}

/*
 * The pipe's own fd for the first entry of each direction (open() would add
 * O_LARGEFILE, which pipe() fds lack); -1 when a later one must reopen it.
 */
static int take_end(int *own, const struct file_entry *fe)
{
	int fd = *own;

	if (fd < 0)
		return -1;
	*own = -1;
	if (fcntl(fd, F_SETFL, fe->pipe.flags & ~O_ACCMODE)) {
		pr_perror("can't set the flags of a pipe end");
		close(fd);
		return -1;
	}
	return fd;
}

/* Create the pipe, refill it, and give every end to the entries that need one. */
static int create_pipe(struct file_ids *f, struct file_entry *holder)
{
	struct pipe_file *p = &holder->pipe;
	int fds[2], own[2];
	struct file_entry *fe;

	if (pipe2(fds, O_CLOEXEC)) {
		pr_perror("can't create pipe %llu", (unsigned long long)p->pipe_id);
		return -1;
	}
	own[0] = fds[0];
	own[1] = fds[1];
	if (p->size && fcntl(fds[1], F_SETPIPE_SZ, p->size) < (int)p->size) {
		pr_perror("can't make pipe %llu hold %u bytes", (unsigned long long)p->pipe_id,
			  p->size);
		goto err;
	}
	if (p->data_len && write(fds[1], p->data, p->data_len) != (ssize_t)p->data_len) {
		pr_perror("can't refill pipe %llu", (unsigned long long)p->pipe_id);
		goto err;
	}
	list_for_each_entry(fe, &f->files, list) {
		int dir;

		if (fe->kind != FILE_KIND_PIPE || fe->pipe.pipe_id != p->pipe_id)
			continue;
		dir = (fe->pipe.flags & O_ACCMODE) == O_RDONLY ? 0 : 1;
		fe->rst_fd = take_end(&own[dir], fe);
		if (fe->rst_fd < 0) {
			char proc[64];

			snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fds[dir]);
			fe->rst_fd = open(proc, fe->pipe.flags | O_CLOEXEC);
		}
		if (fe->rst_fd < 0) {
			pr_perror("can't open an end of pipe %llu", (unsigned long long)p->pipe_id);
			goto err;
		}
	}
	/* ends no entry took are not the task's */
	for (int i = 0; i < 2; i++)
		if (own[i] >= 0)
			close(own[i]);
	return 0;
err:
	for (int i = 0; i < 2; i++)
		if (own[i] >= 0)
			close(own[i]);
	return -1;
}

static int pipe_open(struct file_ids *f, struct file_entry *fe, int dirfd)
{
	struct file_entry *holder;

	(void)dirfd;
	if (fe->rst_fd >= 0)
		return 0;
	holder = find_pipe_with_data(f, fe->pipe.pipe_id);
	if (!holder) {
		pr_err("pipe %llu has no entry describing its data\n",
		       (unsigned long long)fe->pipe.pipe_id);
		return -1;
	}
	return create_pipe(f, holder);
}

static int pipe_to_image(const struct file_entry *fe, FileEntry *e, struct arena *a)
{
	PipeEntry *pipe = arena_alloc(a, sizeof(*pipe));
	FownEntry *fown = arena_alloc(a, sizeof(*fown));

	if (!pipe || !fown)
		return -1;
	pipe_entry__init(pipe);
	fown_entry__init(fown);
	e->type = FD_TYPES__PIPE;
	pipe->id = fe->id;
	pipe->pipe_id = fe->pipe.pipe_id;
	pipe->flags = fe->pipe.flags;
	pipe->fown = fown;
	pipe->has_pipe_size = 1;
	pipe->pipe_size = fe->pipe.size;
	e->pipe = pipe;
	return 0;
}

static int pipe_from_image(struct file_ids *f, const FileEntry *e, struct file_entry *fe)
{
	const PipeEntry *p = e->pipe;

	(void)f;
	if (!p || p->id != e->id || (p->flags & O_ACCMODE) == O_RDWR ||
	    (p->flags & O_ACCMODE) == O_ACCMODE || p->flags & ~PIPE_FLAGS ||
	    (p->has_pipe_size && p->pipe_size > PIPE_MAX_DATA)) {
		pr_err("files.img: pipe file %u is malformed\n", e->id);
		return -1;
	}
	fe->pipe.pipe_id = p->pipe_id;
	fe->pipe.flags = p->flags;
	fe->pipe.size = p->has_pipe_size ? p->pipe_size : 0;
	return 0;
}

static int pipe_write_extra(int dirfd, const struct file_ids *f)
{
	struct img *img = NULL;
	struct file_entry *fe;
	int ret = -1;

	list_for_each_entry(fe, &f->files, list) {
		PipeDataEntry pd = PIPE_DATA_ENTRY__INIT;

		if (fe->kind != FILE_KIND_PIPE || !fe->pipe.has_data)
			continue;
		if (!img && !(img = img_open(dirfd, IMG_PIPES_DATA, O_WRONLY, 0)))
			goto out;
		pd.pipe_id = fe->pipe.pipe_id;
		pd.bytes = fe->pipe.data_len;
		pd.has_size = 1;
		pd.size = fe->pipe.size;
		if (img_write_entry(img, &pd) ||
		    img_write_raw(img, fe->pipe.data, fe->pipe.data_len))
			goto out;
	}
	ret = 0;
out:
	if (img_close(img))
		ret = -1;
	return ret;
}

static int read_pipe_data(struct img *img, void *msg, void *arg)
{
	const PipeDataEntry *e = msg;
	struct file_ids *f = arg;
	struct file_entry *fe, *holder = NULL;

	list_for_each_entry(fe, &f->files, list)
		if (fe->kind == FILE_KIND_PIPE && fe->pipe.pipe_id == e->pipe_id && !holder)
			holder = fe;
	if (!holder || holder->pipe.has_data) {
		pr_err("pipes-data.img: pipe %u is unknown or listed twice\n", e->pipe_id);
		return -1;
	}
	if (e->bytes > PIPE_MAX_DATA || (e->has_size && e->bytes > e->size)) {
		pr_err("pipes-data.img: pipe %u holds %u bytes\n", e->pipe_id, e->bytes);
		return -1;
	}
	holder->pipe.data = malloc(e->bytes + 1);
	if (!holder->pipe.data || img_read_raw(img, holder->pipe.data, e->bytes))
		return -1;
	holder->pipe.has_data = true;
	holder->pipe.data_len = e->bytes;
	if (e->has_size && e->size > holder->pipe.size)
		holder->pipe.size = e->size;
	return 0;
}

static int pipe_read_extra(int dirfd, struct file_ids *f)
{
	struct file_entry *fe;

	if (img_for_each_entry(dirfd, IMG_PIPES_DATA, read_pipe_data, f) < 0)
		return -1;
	/* a pipe nobody dumped data for is an empty one: give it a holder */
	list_for_each_entry(fe, &f->files, list)
		if (fe->kind == FILE_KIND_PIPE && !find_pipe_with_data(f, fe->pipe.pipe_id))
			fe->pipe.has_data = true;
	return 0;
}

/* --inherit-fd names a pipe as its /proc link does */
static int pipe_inherit_key(const struct file_entry *fe, char *buf, size_t len)
{
	snprintf(buf, len, "pipe:[%llu]", (unsigned long long)fe->pipe.pipe_id);
	return 0;
}

static void pipe_free(struct file_entry *fe)
{
	free(fe->pipe.data);
	fe->pipe.data = NULL;
}

const struct file_ops pipe_file_ops = {
	.name = "pipe",
	.kind = FILE_KIND_PIPE,
	.match = pipe_match,
	.dump = pipe_dump,
	.to_image = pipe_to_image,
	.from_image = pipe_from_image,
	.write_extra = pipe_write_extra,
	.read_extra = pipe_read_extra,
	.open = pipe_open,
	.inherit_key = pipe_inherit_key,
	.free = pipe_free,
};
