// SPDX-License-Identifier: GPL-2.0
/*
 * files.img, remap-fpath.img, ghost-file-N.img, pipes-data.img,
 * fdinfo-N.img and fs-PID.img: writing them, and reading them back with
 * every id, flag and length checked.
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

#define GHOST_MAX_SIZE (1ULL << 32)	/* content stored for one unlinked file */
/* glibc defines O_LARGEFILE as 0 on x86_64; the kernel reports its own bit */
#define KERNEL_O_LARGEFILE 0100000
#define KNOWN_OPEN_FLAGS (O_ACCMODE | O_APPEND | O_NONBLOCK | O_DIRECTORY | O_NOATIME | \
			  KERNEL_O_LARGEFILE | O_DIRECT | O_SYNC | O_DSYNC | O_NOFOLLOW | O_PATH | \
			  FASYNC)

static int write_file_entry(struct img *img, const struct file_entry *fe)
{
	FileEntry e = FILE_ENTRY__INIT;
	FownEntry fown = FOWN_ENTRY__INIT;
	RegFileEntry reg = REG_FILE_ENTRY__INIT;
	PipeEntry pipe = PIPE_ENTRY__INIT;

	e.id = fe->id;
	if (fe->kind == FILE_KIND_REG) {
		e.type = FD_TYPES__REG;
		reg.id = fe->id;
		reg.flags = fe->reg.flags;
		reg.pos = fe->reg.pos;
		reg.fown = &fown;
		reg.name = fe->reg.path;
		reg.has_size = 1;
		reg.size = fe->reg.size;
		reg.has_mode = 1;
		reg.mode = fe->reg.mode;
		e.reg = &reg;
	} else {
		e.type = FD_TYPES__PIPE;
		pipe.id = fe->id;
		pipe.pipe_id = fe->pipe.pipe_id;
		pipe.flags = fe->pipe.flags;
		pipe.fown = &fown;
		pipe.has_pipe_size = 1;
		pipe.pipe_size = fe->pipe.size;
		e.pipe = &pipe;
	}
	return img_write_entry(img, &e);
}

int ghost_write(int dirfd, const struct file_entry *fe)
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

static int write_pipe_data(struct img **img, int dirfd, const struct file_entry *fe)
{
	PipeDataEntry pd = PIPE_DATA_ENTRY__INIT;

	if (!*img && !(*img = img_open(dirfd, IMG_PIPES_DATA, O_WRONLY, 0)))
		return -1;
	pd.pipe_id = fe->pipe.pipe_id;
	pd.bytes = fe->pipe.data_len;
	pd.has_size = 1;
	pd.size = fe->pipe.size;
	if (img_write_entry(*img, &pd))
		return -1;
	return img_write_raw(*img, fe->pipe.data, fe->pipe.data_len);
}

int files_write_images(int dirfd, const struct file_ids *f)
{
	struct img *files = img_open(dirfd, IMG_FILES, O_WRONLY, 0), *remap = NULL, *pdata = NULL;
	struct file_entry *fe;
	int ret = -1;

	if (!files)
		return -1;
	list_for_each_entry(fe, &f->files, list) {
		if (write_file_entry(files, fe))
			goto out;
		if (fe->kind == FILE_KIND_PIPE && fe->pipe.has_data &&
		    write_pipe_data(&pdata, dirfd, fe))
			goto out;
		if (fe->kind != FILE_KIND_REG || !fe->reg.ghost)
			continue;
		/* the first entry of a shared unlinked inode wrote its content */
		bool written = false;
		struct file_entry *o;

		list_for_each_entry(o, &f->files, list) {
			if (o == fe)
				break;
			written |= o->kind == FILE_KIND_REG && o->reg.ghost &&
				   o->reg.remap_id == fe->reg.remap_id;
		}
		RemapFilePathEntry re = REMAP_FILE_PATH_ENTRY__INIT;

		if (!remap && !(remap = img_open(dirfd, IMG_REMAP_FPATH, O_WRONLY, 0)))
			goto out;
		re.orig_id = fe->id;
		re.remap_id = fe->reg.remap_id;
		re.has_remap_type = 1;
		re.remap_type = REMAP_TYPE__GHOST;
		if (img_write_entry(remap, &re) || (!written && ghost_write(dirfd, fe)))
			goto out;
	}
	ret = 0;
out:
	if (img_close(files))
		ret = -1;
	if (img_close(remap))
		ret = -1;
	if (img_close(pdata))
		ret = -1;
	return ret;
}

int files_write_fdinfo(int dirfd, uint32_t files_id, const struct file_ids *f,
		       const struct fd_table *t)
{
	struct img *img = img_open(dirfd, IMG_FDINFO, O_WRONLY, files_id);
	int ret = 0;

	if (!img)
		return -1;
	for (int i = 0; i < t->nr && !ret; i++) {
		FdinfoEntry e = FDINFO_ENTRY__INIT;

		e.id = t->fds[i].id;
		e.flags = t->fds[i].cloexec ? FD_CLOEXEC : 0;
		const struct file_entry *fe = files_find(f, t->fds[i].id);

		e.type = fe && fe->kind == FILE_KIND_PIPE ? FD_TYPES__PIPE : FD_TYPES__REG;
		e.fd = t->fds[i].fd;
		ret = img_write_entry(img, &e);
	}
	if (img_close(img))
		ret = -1;
	return ret;
}

int files_write_fs(int dirfd, pid_t pid, const struct fs_state *fs)
{
	FsEntry e = FS_ENTRY__INIT;

	e.cwd_id = fs->cwd_id;
	e.root_id = fs->root_id;
	e.has_umask = 1;
	e.umask = fs->umask;
	return img_write_one(dirfd, IMG_FS, pid, &e);
}
