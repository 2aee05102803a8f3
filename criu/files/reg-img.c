// SPDX-License-Identifier: GPL-2.0
/*
 * The regular-file handler (regular files, directories, harmless device
 * nodes): its part of files.img, and remap-fpath.img + ghost-file-N.img for
 * unlinked files, whose content is stored once per inode.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LOG_PREFIX "files: "
#include "arena.h"
#include "file-ops.h"
#include "files-internal.h"
#include "image.h"
#include "log.h"
#include "options.h"

#define GHOST_MAX_SIZE (1ULL << 32)	/* content stored for one unlinked file */
/* glibc defines O_LARGEFILE as 0 on x86_64; the kernel reports its own bit */
#define KERNEL_O_LARGEFILE 0100000
#define KNOWN_OPEN_FLAGS (O_ACCMODE | O_APPEND | O_NONBLOCK | O_DIRECTORY | O_NOATIME | \
			  KERNEL_O_LARGEFILE | O_DIRECT | O_SYNC | O_DSYNC | O_NOFOLLOW | O_PATH | \
			  FASYNC)

static bool reg_match(const struct fd_parms *p)
{
	return p->link[0] == '/' && !S_ISFIFO(p->st->st_mode) && !S_ISSOCK(p->st->st_mode);
}

bool files_is_external(const struct fd_parms *p)
{
	for (int i = 0; i < opts->nr_externals; i++) {
		const struct cr_external *e = &opts->externals[i];

		if (e->type == CR_EXT_FILE && e->a == (unsigned long long)p->fi->mnt_id &&
		    e->b == p->st->st_ino)
			return true;
	}
	return false;
}

/* Not opened at dump (it may not be reachable from here): named by its id only. */
static int dump_external(struct file_ids *f, const struct fd_parms *p, uint32_t *id)
{
	struct file_entry *fe = files_new_entry(f, FILE_KIND_REG, 0);
	char name[64];

	if (!fe)
		return -1;
	snprintf(name, sizeof(name), "file[%x:%llx]", p->fi->mnt_id,
		 (unsigned long long)p->st->st_ino);
	fe->reg.path = strdup(name);
	if (!fe->reg.path)
		return -1;
	fe->reg.ext = true;
	fe->reg.flags = p->fi->flags;
	fe->reg.pos = p->fi->pos;
	fe->reg.mode = p->st->st_mode;
	*id = fe->id;
	pr_info("%s is external %s (%s)\n", p->what, name, p->link);
	return 0;
}

static int reg_dump(struct file_ids *f, const struct fd_parms *p, uint32_t *id)
{
	char link[32];
	struct file_entry *fe;

	if (files_is_external(p))
		return dump_external(f, p, id);
	snprintf(link, sizeof(link), "fd/%d", p->fd);
	fe = files_add_reg(f, p->pid, link, p->fi->flags, p->fi->pos, p->what);
	if (!fe)
		return -1;
	*id = fe->id;
	return 0;
}

static int reg_to_image(const struct file_entry *fe, FileEntry *e, struct arena *a)
{
	RegFileEntry *reg = arena_alloc(a, sizeof(*reg));
	FownEntry *fown = arena_alloc(a, sizeof(*fown));

	if (!reg || !fown)
		return -1;
	reg_file_entry__init(reg);
	fown_entry__init(fown);
	e->type = FD_TYPES__REG;
	reg->id = fe->id;
	reg->flags = fe->reg.flags;
	reg->pos = fe->reg.pos;
	reg->fown = fown;
	reg->name = fe->reg.path;
	reg->has_size = fe->reg.has_size || fe->reg.ghost;
	reg->size = fe->reg.size;
	reg->has_mode = 1;
	reg->mode = fe->reg.mode;
	reg->has_ext = reg->ext = fe->reg.ext;
	if (fe->reg.n_build_id) {
		/* CRIU's layout: one byte of the build-id per element */
		uint32_t *b = arena_alloc(a, fe->reg.n_build_id * sizeof(*b));

		if (!b)
			return -1;
		for (uint32_t i = 0; i < fe->reg.n_build_id; i++)
			b[i] = fe->reg.build_id[i];
		reg->n_build_id = fe->reg.n_build_id;
		reg->build_id = b;
	}
	e->reg = reg;
	return 0;
}

static int reg_from_image(struct file_ids *f, const FileEntry *e, struct file_entry *fe)
{
	const RegFileEntry *r = e->reg;

	(void)f;
	if (!r || r->id != e->id) {
		pr_err("files.img: file %u lacks its regular-file part\n", e->id);
		return -1;
	}
	fe->reg.ext = r->has_ext && r->ext;
	if ((fe->reg.ext ? strncmp(r->name, "file[", 5) : r->name[0] != '/') ||
	    strlen(r->name) >= 4096 || r->flags & ~KNOWN_OPEN_FLAGS ||
	    (r->flags & O_ACCMODE) == O_ACCMODE || r->pos > (1ULL << 62) ||
	    r->n_build_id > FILES_BUILD_ID_MAX) {
		pr_err("files.img: file %u ('%s') has a bad name, flags 0%o, position or "
		       "build-id\n", e->id, r->name, r->flags);
		return -1;
	}
	for (size_t i = 0; i < r->n_build_id; i++) {
		if (r->build_id[i] > 0xff) {
			pr_err("files.img: file %u ('%s') has a bad build-id\n", e->id, r->name);
			return -1;
		}
		fe->reg.build_id[i] = r->build_id[i];
	}
	fe->reg.n_build_id = r->n_build_id;
	if (!(fe->reg.path = strdup(r->name)))
		return -1;
	fe->reg.flags = r->flags;
	fe->reg.pos = r->pos;
	fe->reg.has_size = r->has_size;
	fe->reg.size = r->has_size ? r->size : 0;
	fe->reg.mode = r->has_mode ? r->mode : 0;
	return 0;
}

static int ghost_write(int dirfd, const struct file_entry *fe)
{
	GhostFileEntry g = GHOST_FILE_ENTRY__INIT;
	struct img *img;
	struct stat st;
	char buf[65536];
	uint64_t off = 0;
	int ret = -1;

	if (fstat(fe->reg.src_fd, &st)) {
		pr_perror("can't stat unlinked file '%s'", fe->reg.path);
		return -1;
	}
	/* a deleted directory is empty: its ghost has attributes only */
	if (S_ISDIR(st.st_mode))
		st.st_size = 0;
	if ((uint64_t)st.st_size > GHOST_MAX_SIZE) {
		pr_err("unlinked file '%s' holds %lld bytes, more than we store\n", fe->reg.path,
		       (long long)st.st_size);
		return -1;
	}
	img = img_open(dirfd, IMG_GHOST_FILE, O_WRONLY, fe->reg.remap_id);
	if (!img)
		return -1;
	g.uid = st.st_uid;
	g.gid = st.st_gid;
	g.mode = st.st_mode;
	g.has_size = 1;
	g.size = st.st_size;
	if (img_write_entry(img, &g))
		goto out;
	while (off < (uint64_t)st.st_size) {
		ssize_t n = pread(fe->reg.src_fd, buf, sizeof(buf), off);

		if (n <= 0) {
			pr_perror("can't read unlinked file '%s'", fe->reg.path);
			goto out;
		}
		if (img_write_raw(img, buf, n))
			goto out;
		off += n;
	}
	ret = 0;
out:
	if (img_close(img))
		ret = -1;
	return ret;
}

/* The first entry of an unlinked inode carries its content. */
static bool ghost_written_before(const struct file_ids *f, const struct file_entry *fe)
{
	const struct file_entry *o;

	list_for_each_entry(o, &f->files, list) {
		if (o == fe)
			return false;
		if (o->kind == FILE_KIND_REG && o->reg.ghost && o->reg.remap_id == fe->reg.remap_id)
			return true;
	}
	return false;
}

static int reg_write_extra(int dirfd, const struct file_ids *f)
{
	struct img *remap = NULL;
	struct file_entry *fe;
	int ret = -1;

	list_for_each_entry(fe, &f->files, list) {
		RemapFilePathEntry re = REMAP_FILE_PATH_ENTRY__INIT;

		if (fe->kind != FILE_KIND_REG || !fe->reg.ghost)
			continue;
		if (!remap && !(remap = img_open(dirfd, IMG_REMAP_FPATH, O_WRONLY, 0)))
			goto out;
		re.orig_id = fe->id;
		re.remap_id = fe->reg.remap_id;
		re.has_remap_type = 1;
		re.remap_type = REMAP_TYPE__GHOST;
		if (img_write_entry(remap, &re) ||
		    (!ghost_written_before(f, fe) && ghost_write(dirfd, fe)))
			goto out;
	}
	ret = 0;
out:
	if (img_close(remap))
		ret = -1;
	return ret;
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
	} else if (S_ISDIR(g->mode) && (g->size || img_raw_left(img))) {
		pr_err("%s: a deleted directory with content\n", img_name(img));
	} else if (!S_ISDIR(g->mode) && (!S_ISREG(g->mode) || !g->has_size ||
					 (uint64_t)img_raw_left(img) != g->size)) {
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

static int read_remap(struct img *img, void *msg, void *arg)
{
	const RemapFilePathEntry *e = msg;
	struct files_read_ctx *ctx = arg;
	struct file_entry *fe = files_find(ctx->f, e->orig_id);

	(void)img;
	if (!fe || fe->kind != FILE_KIND_REG || fe->reg.remap_id) {
		pr_err("remap-fpath.img: file %u is unknown or remapped twice\n", e->orig_id);
		return -1;
	}
	if (!e->has_remap_type || e->remap_type != REMAP_TYPE__GHOST) {
		pr_err("remap-fpath.img: file %u: only ghost remaps are supported\n", e->orig_id);
		return -1;
	}
	if (e->remap_id == 0 || e->remap_id > 1000000) {
		pr_err("remap-fpath.img: file %u: bad ghost id %u\n", e->orig_id, e->remap_id);
		return -1;
	}
	fe->reg.remap_id = e->remap_id;
	return read_ghost(ctx->dirfd, fe);
}

static int reg_read_extra(int dirfd, struct file_ids *f)
{
	struct files_read_ctx ctx = { dirfd, f };

	return img_for_each_entry(dirfd, IMG_REMAP_FPATH, read_remap, &ctx) < 0 ? -1 : 0;
}

/* CRIU keys a file by its path without the leading '/', an external one by its id. */
static int reg_inherit_key(const struct file_entry *fe, char *buf, size_t len)
{
	snprintf(buf, len, "%s", fe->reg.ext ? fe->reg.path : options_key_of_path(fe->reg.path));
	return 0;
}

const struct file_ops reg_file_ops = {
	.name = "regular file",
	.kind = FILE_KIND_REG,
	.match = reg_match,
	.dump = reg_dump,
	.to_image = reg_to_image,
	.from_image = reg_from_image,
	.write_extra = reg_write_extra,
	.read_extra = reg_read_extra,
	.open = reg_open,
	.inherit_key = reg_inherit_key,
	.open_inherited = reg_open_inherited,
};
