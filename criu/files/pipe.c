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
#include <unistd.h>

#define LOG_PREFIX "pipe: "
#include "files.h"
#include "files-internal.h"
#include "log.h"

#define PIPE_MAX_DATA (16u << 20)

static struct file_entry *find_pipe_with_data(struct file_ids *f, uint64_t pipe_id)
{
	struct file_entry *fe;

	list_for_each_entry(fe, &f->files, list)
		if (fe->kind == FILE_KIND_PIPE && fe->pipe.pipe_id == pipe_id && fe->pipe.has_data)
			return fe;
	return NULL;
}

/* Copy the bytes queued in the pipe without consuming them. */
static int steal_data(pid_t pid, int fd, struct pipe_file *p)
{
	char proc[64];
	int rd, tmp[2] = { -1, -1 }, ret = -1;
	ssize_t n;

	snprintf(proc, sizeof(proc), "/proc/%d/fd/%d", pid, fd);
	rd = open(proc, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (rd < 0) {
		pr_perror("can't open a read end of pipe %s", proc);
		return -1;
	}
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

int pipe_dump(struct file_ids *f, pid_t pid, int fd, const struct stat *st, uint32_t flags,
	      uint32_t *id)
{
	struct file_entry *fe = files_new_entry(f, FILE_KIND_PIPE, 0);
	struct file_entry *with_data;

	if (!fe)
		return -1;
	fe->pipe.pipe_id = st->st_ino;
	fe->pipe.flags = flags;
	with_data = find_pipe_with_data(f, st->st_ino);
	if (with_data)
		fe->pipe.size = with_data->pipe.size;
	else if (steal_data(pid, fd, &fe->pipe))
		return -1;
	*id = fe->id;
	pr_debug("task %d: fd %d is pipe %llu with %u bytes\n", pid, fd,
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

int pipe_open(struct file_ids *f, struct file_entry *fe)
{
	struct file_entry *holder;

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
