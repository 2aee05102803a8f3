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
#include "files-internal.h"
#include "image.h"
#include "images.h"
#include "log.h"

/* glibc defines O_LARGEFILE as 0 on x86_64; the kernel reports its own bit */
#define KERNEL_O_LARGEFILE 0100000
#define KNOWN_OPEN_FLAGS (O_ACCMODE | O_APPEND | O_NONBLOCK | O_DIRECTORY | O_NOATIME | \
			  KERNEL_O_LARGEFILE | O_DIRECT | O_SYNC | O_DSYNC | O_NOFOLLOW | O_PATH | \
			  FASYNC)
#define PIPE_MAX_SIZE (16u << 20)

static int reg_from_image(struct file_ids *f, const FileEntry *e)
{
	const RegFileEntry *r = e->reg;
	struct file_entry *fe;

	if (!r || r->id != e->id) {
		pr_err("files.img: file %u lacks its regular-file part\n", e->id);
		return -1;
	}
	if (r->name[0] != '/' || strlen(r->name) >= 4096 || r->flags & ~KNOWN_OPEN_FLAGS ||
	    (r->flags & O_ACCMODE) == O_ACCMODE || r->pos > (1ULL << 62)) {
		pr_err("files.img: file %u ('%s') has bad flags 0%o or position\n", e->id,
		       r->name, r->flags);
		return -1;
	}
	if (r->has_ext && r->ext) {
		pr_err("files.img: file %u ('%s') is external: not supported yet\n", e->id,
		       r->name);
		return -1;
	}
	fe = files_new_entry(f, FILE_KIND_REG, e->id);
	if (!fe || !(fe->reg.path = strdup(r->name)))
		return -1;
	fe->reg.flags = r->flags;
	fe->reg.pos = r->pos;
	fe->reg.size = r->has_size ? r->size : 0;
	fe->reg.mode = r->has_mode ? r->mode : 0;
	return 0;
}

static int pipe_from_image(struct file_ids *f, const FileEntry *e)
{
	const PipeEntry *p = e->pipe;
	struct file_entry *fe;

	if (!p || p->id != e->id || (p->flags & O_ACCMODE) == O_RDWR ||
	    (p->flags & O_ACCMODE) == O_ACCMODE || p->flags & ~KNOWN_OPEN_FLAGS ||
	    (p->has_pipe_size && p->pipe_size > PIPE_MAX_SIZE)) {
		pr_err("files.img: pipe file %u is malformed\n", e->id);
		return -1;
	}
	fe = files_new_entry(f, FILE_KIND_PIPE, e->id);
	if (!fe)
		return -1;
	fe->pipe.pipe_id = p->pipe_id;
	fe->pipe.flags = p->flags;
	fe->pipe.size = p->has_pipe_size ? p->pipe_size : 0;
	return 0;
}

static int read_files(int dirfd, struct file_ids *f)
{
	struct img *img = img_open(dirfd, IMG_FILES, O_RDONLY, 0);
	void *msg;
	int r;

	if (!img)
		return -1;
	while ((r = img_read_entry(img, &msg)) == 1) {
		FileEntry *e = msg;

		if (files_find(f, e->id)) {
			pr_err("files.img: file id %u listed twice\n", e->id);
			r = -1;
		} else if (e->type == FD_TYPES__REG) {
			r = reg_from_image(f, e);
		} else if (e->type == FD_TYPES__PIPE) {
			r = pipe_from_image(f, e);
		} else {
			pr_err("files.img: file %u is of type %d: not supported yet\n", e->id,
			       e->type);
			r = -1;
		}
		img_free(IMG_FILES, msg);
		if (r)
			break;
	}
	img_close(img);
	return r;
}

static int read_ghost(int dirfd, struct file_entry *fe)
{
	struct img *img = img_open(dirfd, IMG_GHOST_FILE, O_RDONLY, fe->reg.remap_id);
	GhostFileEntry *g;
	void *msg;
	int ret = -1;

	if (!img)
		return -1;
	if (img_read_entry(img, &msg) != 1) {
		pr_err("%s: no ghost file header\n", img_name(img));
		goto out;
	}
	g = msg;
	if (g->has_chunks && g->chunks) {
		pr_err("%s: chunked ghost files are not supported\n", img_name(img));
	} else if (!S_ISREG(g->mode) || !g->has_size ||
		   (uint64_t)img_raw_left(img) != g->size) {
		pr_err("%s: holds %lld bytes of data, its header says %llu\n", img_name(img),
		       (long long)img_raw_left(img), (unsigned long long)g->size);
	} else {
		fe->reg.ghost = true;
		fe->reg.size = g->size;
		fe->reg.mode = g->mode;
		ret = 0;
	}
	img_free(IMG_GHOST_FILE, msg);
out:
	img_close(img);
	return ret;
}

static int read_remaps(int dirfd, struct file_ids *f)
{
	struct img *img = img_open_optional(dirfd, IMG_REMAP_FPATH, 0);
	void *msg;
	int r;

	if (!img)
		return errno == ENOENT ? 0 : -1;
	while ((r = img_read_entry(img, &msg)) == 1) {
		RemapFilePathEntry *e = msg;
		struct file_entry *fe = files_find(f, e->orig_id);

		r = -1;
		if (!fe || fe->kind != FILE_KIND_REG || fe->reg.remap_id)
			pr_err("remap-fpath.img: file %u is unknown or remapped twice\n",
			       e->orig_id);
		else if (!e->has_remap_type || e->remap_type != REMAP_TYPE__GHOST)
			pr_err("remap-fpath.img: file %u: only ghost remaps are supported\n",
			       e->orig_id);
		else if (e->remap_id == 0 || e->remap_id > 1000000)
			pr_err("remap-fpath.img: file %u: bad ghost id %u\n", e->orig_id,
			       e->remap_id);
		else {
			fe->reg.remap_id = e->remap_id;
			r = read_ghost(dirfd, fe);
		}
		img_free(IMG_REMAP_FPATH, msg);
		if (r)
			break;
	}
	img_close(img);
	return r;
}

static int read_pipe_data(int dirfd, struct file_ids *f)
{
	struct img *img = img_open_optional(dirfd, IMG_PIPES_DATA, 0);
	void *msg;
	int r;

	if (!img)
		return errno == ENOENT ? 0 : -1;
	while ((r = img_read_entry(img, &msg)) == 1) {
		PipeDataEntry *e = msg;
		struct file_entry *fe, *holder = NULL;

		list_for_each_entry(fe, &f->files, list)
			if (fe->kind == FILE_KIND_PIPE && fe->pipe.pipe_id == e->pipe_id)
				holder = holder ? holder : fe;
		r = -1;
		if (!holder || holder->pipe.has_data)
			pr_err("pipes-data.img: pipe %u is unknown or listed twice\n", e->pipe_id);
		else if (e->bytes > PIPE_MAX_SIZE || (e->has_size && e->bytes > e->size))
			pr_err("pipes-data.img: pipe %u holds %u bytes\n", e->pipe_id, e->bytes);
		else if (!(holder->pipe.data = malloc(e->bytes + 1)))
			pr_err("out of memory\n");
		else if (!img_read_raw(img, holder->pipe.data, e->bytes)) {
			holder->pipe.has_data = true;
			holder->pipe.data_len = e->bytes;
			if (e->has_size && e->size > holder->pipe.size)
				holder->pipe.size = e->size;
			r = 0;
		}
		img_free(IMG_PIPES_DATA, msg);
		if (r)
			break;
	}
	img_close(img);
	return r;
}

int files_read_images(int dirfd, struct file_ids *f)
{
	struct file_entry *fe;

	files_init(f);
	if (read_files(dirfd, f) || read_remaps(dirfd, f) || read_pipe_data(dirfd, f))
		goto err;
	/* a pipe nobody dumped data for is an empty one: give it a holder */
	list_for_each_entry(fe, &f->files, list) {
		struct file_entry *o;
		bool held = false;

		if (fe->kind != FILE_KIND_PIPE)
			continue;
		list_for_each_entry(o, &f->files, list)
			held |= o->kind == FILE_KIND_PIPE && o->pipe.pipe_id == fe->pipe.pipe_id &&
				o->pipe.has_data;
		if (!held)
			fe->pipe.has_data = true;
	}
	return 0;
err:
	files_free(f);
	return -1;
}

int files_read_fdinfo(int dirfd, uint32_t files_id, const struct file_ids *f,
		      struct fd_table *t)
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
