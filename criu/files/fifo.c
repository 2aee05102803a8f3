// SPDX-License-Identifier: GPL-2.0
/*
 * FIFOs (named pipes): each open end is a fifo_entry in files.img whose
 * path and flags sit in a regular-file entry of its own (regf_id), as in
 * CRIU; the bytes waiting in the FIFO go to fifo-data.img, copied with tee().
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#define LOG_PREFIX "fifo: "
#include "files.h"
#include "arena.h"
#include "file-ops.h"
#include "files-internal.h"
#include "image.h"
#include "log.h"

#define KERNEL_O_LARGEFILE 0100000
#define FIFO_FLAGS (O_ACCMODE | O_NONBLOCK | KERNEL_O_LARGEFILE | O_DIRECT | FASYNC)

/* The FIFO entry's link to the regular-file entry holding its path. */
struct fifo_priv {
	uint32_t regf_id;
};

static struct file_entry *fifo_holder(const struct file_ids *f, uint32_t pipe_id)
{
	struct file_entry *fe;

	list_for_each_entry(fe, &f->files, list)
		if (fe->kind == FILE_KIND_FIFO && fe->pipe.pipe_id == pipe_id && fe->pipe.has_data)
			return fe;
	return NULL;
}

/*
 * pipe_id is 32 bits wide but inode numbers are not: take the low bits,
 * and step past any id another FIFO inode already took.
 */
static uint32_t fifo_pipe_id(const struct file_ids *f, uint64_t dev, uint64_t ino)
{
	uint32_t id = (uint32_t)ino;
	struct file_entry *fe;

again:
	list_for_each_entry(fe, &f->files, list) {
		if (fe->kind != FILE_KIND_FIFO || fe->pipe.pipe_id != id)
			continue;
		if (fe->reg.dev == dev && fe->reg.ino == ino)
			return id;
		id++;
		goto again;
	}
	return id;
}

static bool fifo_match(const struct fd_parms *p)
{
	return S_ISFIFO(p->st->st_mode) && p->link[0] == '/';
}

static struct file_entry *new_twin(struct file_ids *f, const char *path, uint32_t flags,
				   const struct stat *st)
{
	struct file_entry *fe = files_new_entry(f, FILE_KIND_REG, 0);

	if (!fe || !(fe->reg.path = strdup(path)))
		return NULL;
	fe->reg.flags = flags;
	fe->reg.mode = st->st_mode;
	fe->reg.dev = st->st_dev;
	fe->reg.ino = st->st_ino;
	return fe;
}

static int fifo_dump(struct file_ids *f, const struct fd_parms *p, uint32_t *id)
{
	size_t len = strlen(p->link);
	struct file_entry *fe, *twin, *holder;
	struct fifo_priv *priv;
	uint32_t pipe_id;

	if (len > 10 && !strcmp(p->link + len - 10, " (deleted)")) {
		pr_err("%s is FIFO '%s', which was deleted: not supported\n", p->what, p->link);
		return -1;
	}
	pipe_id = fifo_pipe_id(f, p->st->st_dev, p->st->st_ino);
	twin = new_twin(f, p->link, p->fi->flags, p->st);
	fe = files_new_entry(f, FILE_KIND_FIFO, 0);
	priv = calloc(1, sizeof(*priv));
	if (!twin || !fe || !priv || !(fe->reg.path = strdup(p->link))) {
		free(priv);
		pr_err("out of memory\n");
		return -1;
	}
	fe->priv = priv;
	priv->regf_id = twin->id;
	fe->reg.flags = p->fi->flags;
	fe->reg.mode = p->st->st_mode;
	fe->reg.dev = p->st->st_dev;
	fe->reg.ino = p->st->st_ino;
	fe->pipe.pipe_id = pipe_id;
	fe->pipe.flags = p->fi->flags;
	holder = fifo_holder(f, pipe_id);
	if (holder)
		fe->pipe.size = holder->pipe.size;
	else if (pipe_steal_data(p->pid, p->fd, p->fi->flags, &fe->pipe))
		return -1;
	*id = fe->id;
	pr_debug("%s is FIFO '%s' (pipe %u) with %u bytes\n", p->what, p->link, pipe_id,
		 fe->pipe.data_len);
	return 0;
}

static int fifo_to_image(const struct file_entry *fe, FileEntry *e, struct arena *a)
{
	const struct fifo_priv *priv = fe->priv;
	FifoEntry *fifo = arena_alloc(a, sizeof(*fifo));

	if (!fifo)
		return -1;
	fifo_entry__init(fifo);
	e->type = FD_TYPES__FIFO;
	fifo->id = fe->id;
	fifo->pipe_id = fe->pipe.pipe_id;
	fifo->has_regf_id = 1;
	fifo->regf_id = priv->regf_id;
	e->fifo = fifo;
	return 0;
}

static int fifo_from_image(struct file_ids *f, const FileEntry *e, struct file_entry *fe)
{
	const FifoEntry *fifo = e->fifo;
	struct fifo_priv *priv;

	(void)f;
	if (!fifo || fifo->id != e->id || !fifo->has_regf_id || fifo->regf_id == e->id) {
		pr_err("files.img: FIFO file %u is malformed or lacks its path entry\n", e->id);
		return -1;
	}
	priv = calloc(1, sizeof(*priv));
	if (!priv)
		return -1;
	priv->regf_id = fifo->regf_id;
	fe->priv = priv;
	fe->pipe.pipe_id = fifo->pipe_id;
	return 0;
}

static int fifo_write_extra(int dirfd, const struct file_ids *f)
{
	struct img *img = NULL;
	struct file_entry *fe;
	int ret = -1;

	list_for_each_entry(fe, &f->files, list) {
		PipeDataEntry pd = PIPE_DATA_ENTRY__INIT;

		if (fe->kind != FILE_KIND_FIFO || !fe->pipe.has_data)
			continue;
		if (!img && !(img = img_open(dirfd, IMG_FIFO_DATA, O_WRONLY, 0)))
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

/*
 * Move the path and flags of the regular-file entry into the FIFO entry,
 * then drop that entry: it must never be opened as a file of its own.
 */
static int take_twin(struct file_ids *f, struct file_entry *fe)
{
	struct fifo_priv *priv = fe->priv;
	struct file_entry *twin = files_find(f, priv->regf_id);
	uint32_t fl;

	if (!twin || twin->kind != FILE_KIND_REG) {
		pr_err("files.img: FIFO %u names path entry %u, which is not a regular-file entry\n",
		       fe->id, priv->regf_id);
		return -1;
	}
	fl = twin->reg.flags;
	if (fl & ~FIFO_FLAGS || (fl & O_ACCMODE) == O_ACCMODE ||
	    (twin->reg.mode && !S_ISFIFO(twin->reg.mode))) {
		pr_err("files.img: FIFO %u ('%s') has bad flags 0%o or mode 0%o\n", fe->id,
		       twin->reg.path, fl, twin->reg.mode);
		return -1;
	}
	fe->reg.path = twin->reg.path;
	twin->reg.path = NULL;
	fe->reg.flags = fl;
	fe->reg.mode = twin->reg.mode ? twin->reg.mode : S_IFIFO | 0600;
	list_del(&twin->list);
	free(twin);
	return 0;
}

static int read_fifo_data(struct img *img, void *msg, void *arg)
{
	const PipeDataEntry *e = msg;
	struct file_ids *f = arg;
	struct file_entry *fe, *holder = NULL;

	list_for_each_entry(fe, &f->files, list)
		if (fe->kind == FILE_KIND_FIFO && fe->pipe.pipe_id == e->pipe_id && !holder)
			holder = fe;
	if (!holder || holder->pipe.has_data) {
		pr_err("fifo-data.img: FIFO %u is unknown or listed twice\n", e->pipe_id);
		return -1;
	}
	if (e->bytes > PIPE_MAX_DATA || (e->has_size && (e->bytes > e->size ||
							 e->size > PIPE_MAX_DATA))) {
		pr_err("fifo-data.img: FIFO %u holds %u bytes\n", e->pipe_id, e->bytes);
		return -1;
	}
	holder->pipe.data = malloc(e->bytes + 1);
	if (!holder->pipe.data || img_read_raw(img, holder->pipe.data, e->bytes))
		return -1;
	holder->pipe.has_data = true;
	holder->pipe.data_len = e->bytes;
	holder->pipe.size = e->has_size ? e->size : 0;
	return 0;
}

static int fifo_read_extra(int dirfd, struct file_ids *f)
{
	struct file_entry *fe;

	list_for_each_entry(fe, &f->files, list)
		if (fe->kind == FILE_KIND_FIFO && take_twin(f, fe))
			return -1;
	if (img_for_each_entry(dirfd, IMG_FIFO_DATA, read_fifo_data, f) < 0)
		return -1;
	/* a FIFO nobody dumped data for is empty: give it a holder */
	list_for_each_entry(fe, &f->files, list)
		if (fe->kind == FILE_KIND_FIFO && !fifo_holder(f, fe->pipe.pipe_id))
			fe->pipe.has_data = true;
	return 0;
}

/* The FIFO must be there at its path; one a cleanup removed is made anew. */
static int check_path(const struct file_entry *fe)
{
	struct stat st;

	if (lstat(fe->reg.path, &st) == 0) {
		if (S_ISFIFO(st.st_mode))
			return 0;
		pr_err("'%s' was a FIFO and now is a file of mode 0%o\n", fe->reg.path,
		       st.st_mode);
		return -1;
	}
	if (errno != ENOENT || mkfifo(fe->reg.path, fe->reg.mode & 07777)) {
		pr_perror("can't find or recreate FIFO '%s'", fe->reg.path);
		return -1;
	}
	pr_info("recreated FIFO '%s'\n", fe->reg.path);
	return 0;
}

/* Refill the FIFO through a read-write fd, which also keeps opens from blocking. */
static int refill(const struct file_entry *h, int rw)
{
	int queued = 0;

	if (h->pipe.size && fcntl(rw, F_GETPIPE_SZ) < (int)h->pipe.size &&
	    fcntl(rw, F_SETPIPE_SZ, h->pipe.size) < (int)h->pipe.size) {
		pr_perror("can't make FIFO '%s' hold %u bytes", h->reg.path, h->pipe.size);
		return -1;
	}
	if (ioctl(rw, FIONREAD, &queued) == 0 && queued > 0) {
		pr_warn("FIFO '%s' already holds %d bytes (kept open outside the tree?): "
			"not refilling it\n", h->reg.path, queued);
		return 0;
	}
	if (h->pipe.data_len && write(rw, h->pipe.data, h->pipe.data_len) !=
	    (ssize_t)h->pipe.data_len) {
		pr_perror("can't refill FIFO '%s'", h->reg.path);
		return -1;
	}
	return 0;
}

static int open_end(struct file_entry *fe)
{
	int fd = open(fe->reg.path, (fe->reg.flags & ~FASYNC) | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0) {
		pr_perror("can't open FIFO '%s'", fe->reg.path);
		return -1;
	}
	if (fcntl(fd, F_SETFL, fe->reg.flags & ~O_ACCMODE)) {
		pr_perror("can't set the flags of FIFO '%s'", fe->reg.path);
		close(fd);
		return -1;
	}
	fe->rst_fd = fd;
	return 0;
}

/* Open every end of this FIFO at once, while a read-write fd holds it. */
static int fifo_open(struct file_ids *f, struct file_entry *fe, int dirfd)
{
	struct file_entry *h = fifo_holder(f, fe->pipe.pipe_id), *o;
	int rw, ret = -1;

	(void)dirfd;
	if (fe->rst_fd >= 0)
		return 0;
	if (!h) {
		pr_err("FIFO %u has no entry describing its data\n", (uint32_t)fe->pipe.pipe_id);
		return -1;
	}
	if (check_path(h))
		return -1;
	rw = open(h->reg.path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (rw < 0) {
		pr_perror("can't open FIFO '%s'", h->reg.path);
		return -1;
	}
	if (refill(h, rw))
		goto out;
	list_for_each_entry(o, &f->files, list)
		if (o->kind == FILE_KIND_FIFO && o->pipe.pipe_id == fe->pipe.pipe_id &&
		    o->rst_fd < 0 && open_end(o))
			goto out;
	ret = 0;
out:
	close(rw);
	return ret;
}

static void fifo_free(struct file_entry *fe)
{
	free(fe->priv);
	fe->priv = NULL;
}

const struct file_ops fifo_file_ops = {
	.name = "FIFO",
	.kind = FILE_KIND_FIFO,
	.match = fifo_match,
	.dump = fifo_dump,
	.to_image = fifo_to_image,
	.from_image = fifo_from_image,
	.write_extra = fifo_write_extra,
	.read_extra = fifo_read_extra,
	.open = fifo_open,
	.free = fifo_free,
};
