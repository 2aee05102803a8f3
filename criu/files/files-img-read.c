// SPDX-License-Identifier: GPL-2.0
/*
 * Read files.img and its companions back for restore. Every id must
 * resolve, every flag be one we can reopen with, every length fit.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LOG_PREFIX "files: "
#include "files.h"
#include "file-ops.h"
#include "files-internal.h"
#include "image.h"
#include "images.h"
#include "log.h"

static int read_files(int dirfd, struct file_ids *f)
{
	struct img *img = img_open(dirfd, IMG_FILES, O_RDONLY, 0);
	void *msg;
	int r;

	if (!img)
		return -1;
	while ((r = img_read_entry(img, &msg)) == 1) {
		FileEntry *e = msg;

		const struct file_ops *ops = file_ops_by_kind((enum file_kind)e->type);
		struct file_entry *fe;

		r = -1;
		if (files_find(f, e->id))
			pr_err("files.img: file id %u listed twice\n", e->id);
		else if (!ops)
			pr_err("files.img: file %u is of type %d: not supported yet\n", e->id,
			       e->type);
		else if ((fe = files_new_entry(f, ops->kind, e->id)))
			r = ops->from_image(f, e, fe);
		img_free(IMG_FILES, msg);
		if (r)
			break;
	}
	img_close(img);
	return r;
}

int files_read_images(int dirfd, struct file_ids *f)
{
	const struct file_ops *ops;

	files_init(f);
	if (read_files(dirfd, f))
		goto err;
	for_each_file_ops(ops)
		if (ops->read_extra && ops->read_extra(dirfd, f))
			goto err;
	if (locks_read(dirfd, f))
		goto err;
	return 0;
err:
	files_free(f);
	return -1;
}

int files_read_fdinfo(int dirfd, uint32_t files_id, struct file_ids *f, struct fd_table *t)
{
	struct img *img = img_open(dirfd, IMG_FDINFO, O_RDONLY, files_id);
	void *msg;
	int r, cap = 0;

	t->nr = 0;
	t->fds = NULL;
	if (!img)
		return -1;
	while ((r = img_read_entry(img, &msg)) == 1) {
		FdinfoEntry *e = msg;

		r = -1;
		if (e->fd >= FILES_MAX_FDS || e->flags & ~FD_CLOEXEC || !files_find(f, e->id))
			pr_err("%s: fd %u refers to unknown file %u or has bad flags\n",
			       img_name(img), e->fd, e->id);
		else if (t->nr && t->fds[t->nr - 1].fd >= (int)e->fd)
			pr_err("%s: fd %u is out of order or listed twice\n", img_name(img), e->fd);
		else if (t->nr == cap && !(t->fds = realloc(t->fds, (cap = cap ? 2 * cap : 32) *
								 sizeof(*t->fds))))
			pr_err("out of memory\n");
		else {
			t->fds[t->nr++] = (struct fd_entry){ e->fd, e->id, e->flags & FD_CLOEXEC };
			r = 0;
		}
		img_free(IMG_FDINFO, msg);
		if (r)
			break;
	}
	img_close(img);
	if (!r)
		r = locks_bind_fdtable(f, files_id, t);
	if (r)
		fd_table_free(t);
	return r;
}

int files_read_fs(int dirfd, pid_t pid, const struct file_ids *f, struct fs_state *fs)
{
	const struct file_entry *cwd, *root;
	FsEntry *e;
	void *msg;
	int ret = 0;

	if (img_read_one(dirfd, IMG_FS, pid, &msg))
		return -1;
	e = msg;
	cwd = files_find(f, e->cwd_id);
	root = files_find(f, e->root_id);
	if (!cwd || !root || cwd->kind != FILE_KIND_REG || root->kind != FILE_KIND_REG ||
	    !S_ISDIR(cwd->reg.mode) || !S_ISDIR(root->reg.mode) ||
	    (e->has_umask && e->umask > 0777)) {
		pr_err("fs-%d.img: cwd or root is not a known directory\n", pid);
		ret = -1;
	}
	fs->cwd_id = e->cwd_id;
	fs->root_id = e->root_id;
	fs->umask = e->has_umask ? e->umask : 022;
	img_free(IMG_FS, msg);
	return ret;
}
