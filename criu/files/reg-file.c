// SPDX-License-Identifier: GPL-2.0
/*
 * Reopen regular files, directories and device nodes by path, checking
 * they are still what was dumped; recreate unlinked files from their ghost
 * images (once per inode) and reopen them through /proc so that every open
 * file description refers to the one unlinked inode.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#define LOG_PREFIX "files: "
#include "files.h"
#include "files-internal.h"
#include "image.h"
#include "images.h"
#include "log.h"

/* A created ghost stays open here until criu exits. */
struct ghost {
	uint32_t remap_id;
	int fd;
};

static struct ghost *ghosts;
static int nr_ghosts;

static int copy_ghost_data(struct img *img, int fd, uint64_t size, const char *path)
{
	int src = img_raw_fd(img);
	off_t off = 0;

	if (src < 0)
		return -1;
	off = lseek(src, 0, SEEK_CUR);
	while (size) {
		ssize_t n = sendfile(fd, src, &off, size > (1 << 30) ? (1 << 30) : size);

		if (n <= 0) {
			pr_perror("can't fill the unlinked file '%s'", path);
			return -1;
		}
		size -= n;
	}
	return 0;
}

static int create_ghost(int dirfd, const struct file_entry *fe)
{
	struct img *img = img_open(dirfd, IMG_GHOST_FILE, O_RDONLY, fe->reg.remap_id);
	char path[4200];
	void *msg = NULL;
	int fd = -1;

	if (!img || img_read_entry(img, &msg) != 1)
		goto err;
	/* the original name when it is free: /proc then shows it as it was */
	snprintf(path, sizeof(path), "%s", fe->reg.path);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	for (int i = 0; fd < 0 && errno == EEXIST && i < 100; i++) {
		snprintf(path, sizeof(path), "%s.criu-ghost.%u.%d", fe->reg.path, fe->reg.remap_id,
			 i);
		fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	}
	if (fd < 0) {
		pr_perror("can't recreate the unlinked file '%s'", fe->reg.path);
		goto err;
	}
	if (copy_ghost_data(img, fd, fe->reg.size, path)) {
		unlink(path);
		goto err;
	}
	unlink(path);
	if (fchmod(fd, fe->reg.mode & 07777))
		pr_pwarn("can't set the mode of unlinked file '%s'", fe->reg.path);
	{
		GhostFileEntry *g = msg;

		if (fchown(fd, g->uid, g->gid) && errno != EPERM)
			pr_pwarn("can't set the owner of unlinked file '%s'", fe->reg.path);
	}
	img_free(IMG_GHOST_FILE, msg);
	img_close(img);
	return fd;
err:
	if (fd >= 0)
		close(fd);
	img_free(IMG_GHOST_FILE, msg);
	img_close(img);
	return -1;
}

static int ghost_fd(int dirfd, const struct file_entry *fe)
{
	struct ghost *n;
	int fd;

	for (int i = 0; i < nr_ghosts; i++)
		if (ghosts[i].remap_id == fe->reg.remap_id)
			return ghosts[i].fd;
	fd = create_ghost(dirfd, fe);
	if (fd < 0)
		return -1;
	n = realloc(ghosts, (nr_ghosts + 1) * sizeof(*n));
	if (!n) {
		close(fd);
		return -1;
	}
	ghosts = n;
	ghosts[nr_ghosts++] = (struct ghost){ fe->reg.remap_id, fd };
	return fd;
}

static int check_same(const struct file_entry *fe, int fd)
{
	const struct reg_file *r = &fe->reg;
	struct stat st;

	if (fstat(fd, &st)) {
		pr_perror("can't stat '%s'", r->path);
		return -1;
	}
	if (r->mode && (st.st_mode & S_IFMT) != (r->mode & S_IFMT)) {
		pr_err("'%s' changed kind since the dump (mode 0%o, was 0%o)\n", r->path,
		       st.st_mode, r->mode);
		return -1;
	}
	if (S_ISCHR(st.st_mode) && !files_dev_supported(st.st_rdev)) {
		pr_err("'%s' is a device we do not restore\n", r->path);
		return -1;
	}
	if (S_ISREG(st.st_mode) && !r->ghost && (uint64_t)st.st_size != r->size) {
		pr_err("'%s' has size %lld, it had %llu at dump time: the file changed\n", r->path,
		       (long long)st.st_size, (unsigned long long)r->size);
		return -1;
	}
	return 0;
}

int reg_open(struct file_ids *f, struct file_entry *fe, int dirfd)
{
	const struct reg_file *r = &fe->reg;
	int flags = (r->flags & ~(O_CREAT | O_TRUNC | O_EXCL)) | O_CLOEXEC;
	int fd;

	(void)f;
	if (r->ghost) {
		char proc[64];
		int g = ghost_fd(dirfd, fe);

		if (g < 0)
			return -1;
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", g);
		fd = open(proc, flags);
	} else {
		fd = open(r->path, flags);
	}
	if (fd < 0) {
		pr_perror("can't open '%s' (flags 0%o)", r->path, r->flags);
		return -1;
	}
	if (!(r->flags & O_PATH) && check_same(fe, fd)) {
		close(fd);
		return -1;
	}
	if (!(r->flags & O_PATH) && r->pos && lseek(fd, r->pos, SEEK_SET) != (off_t)r->pos) {
		pr_perror("can't restore the position %llu of '%s'", (unsigned long long)r->pos,
			  r->path);
		close(fd);
		return -1;
	}
	fe->rst_fd = fd;
	return 0;
}

void files_close_ghosts(void)
{
	for (int i = 0; i < nr_ghosts; i++)
		close(ghosts[i].fd);
	free(ghosts);
	ghosts = NULL;
	nr_ghosts = 0;
}
