// SPDX-License-Identifier: GPL-2.0
/*
 * Writing files.img (each entry's kind part comes from its handler, then
 * each handler writes its own images), fdinfo-N.img and fs-PID.img.
 */
#include <fcntl.h>

#define LOG_PREFIX "files: "
#include "arena.h"
#include "file-ops.h"
#include "files.h"
#include "files-internal.h"
#include "image.h"
#include "images.h"
#include "log.h"

int files_write_images(int dirfd, struct file_ids *f)
{
	const struct file_ops *ops;
	struct file_entry *fe;
	struct img *img;
	int ret = 0;

	/* what links files to each other is known once every task is in */
	for_each_file_ops(ops)
		if (ops->dump_finish && ops->dump_finish(f))
			return -1;
	if (locks_dump_finish(f))
		return -1;
	img = img_open(dirfd, IMG_FILES, O_WRONLY, 0);
	if (!img)
		return -1;
	list_for_each_entry(fe, &f->files, list) {
		struct arena a = ARENA_INIT;
		FileEntry e = FILE_ENTRY__INIT;

		e.id = fe->id;
		ret = fe->ops->to_image(fe, &e, &a);
		if (!ret && !a.failed)
			ret = img_write_entry(img, &e);
		arena_free(&a);
		if (ret)
			break;
	}
	if (img_close(img))
		ret = -1;
	for_each_file_ops(ops)
		if (!ret && ops->write_extra)
			ret = ops->write_extra(dirfd, f);
	if (!ret)
		ret = locks_write(dirfd, f);
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
		const struct file_entry *fe = files_find(f, t->fds[i].id);
		FdinfoEntry e = FDINFO_ENTRY__INIT;

		e.id = t->fds[i].id;
		e.flags = t->fds[i].cloexec ? FD_CLOEXEC : 0;
		e.type = fe ? (FdTypes)fe->kind : FD_TYPES__UND;
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
