// SPDX-License-Identifier: GPL-2.0
/*
 * Reopen regular files, directories and device nodes by path, checking
 * they are still what was dumped; recreate unlinked files from their ghost
 * images (once per inode) and reopen them through /proc so that every open
 * file description refers to the one unlinked inode.
 */
#include <errno.h>
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
#include "options.h"

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

/*
 * The directories above path that are gone (an unlinked file of a deleted
 * directory), created for as long as the ghost needs a name there.
 */
struct made_dirs {
	int nr;
	char *dirs[64];
};

static int make_parents(const char *path, struct made_dirs *md)
{
	char buf[4200];
	struct stat st;

	md->nr = 0;
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = strchr(buf + 1, '/'); p; p = strchr(p + 1, '/')) {
		*p = 0;
		if (stat(buf, &st) && errno == ENOENT) {
			if (md->nr == (int)ARRAY_SIZE(md->dirs) || mkdir(buf, 0700) ||
			    !(md->dirs[md->nr++] = strdup(buf))) {
				pr_perror("can't recreate directory '%s' for '%s'", buf, path);
				return -1;
			}
			pr_info("recreated directory '%s' for a while\n", buf);
		}
		*p = '/';
	}
	return 0;
}

static void remove_parents(struct made_dirs *md)
{
	while (md->nr--) {
		if (rmdir(md->dirs[md->nr]))
			pr_pwarn("can't remove the recreated directory '%s'", md->dirs[md->nr]);
		free(md->dirs[md->nr]);
	}
}

/* A deleted directory: made, opened and removed again. */
static int make_dir(const char *path, uint32_t mode)
{
	int fd;

	if (mkdir(path, mode & 07777))
		return -1;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || rmdir(path)) {
		pr_perror("can't make deleted directory '%s'", path);
		if (fd >= 0)
			close(fd);
		rmdir(path);
		errno = EIO;
		return -1;
	}
	return fd;
}

static int make_ghost(const struct file_entry *fe, char *path, size_t len)
{
	bool dir = S_ISDIR(fe->reg.mode);
	int fd;

	/* the original name when it is free: /proc then shows it as it was */
	snprintf(path, len, "%s", fe->reg.path);
	fd = dir ? make_dir(path, fe->reg.mode) :
		   open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	for (int i = 0; fd < 0 && errno == EEXIST && i < 100; i++) {
		snprintf(path, len, "%s.criu-ghost.%u.%d", fe->reg.path, fe->reg.remap_id, i);
		fd = dir ? make_dir(path, fe->reg.mode) :
			   open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	}
	if (fd < 0)
		pr_perror("can't recreate the unlinked %s '%s'", dir ? "directory" : "file",
			  fe->reg.path);
	return fd;
}

static int create_ghost(int dirfd, const struct file_entry *fe)
{
	struct img *img = img_open(dirfd, IMG_GHOST_FILE, O_RDONLY, fe->reg.remap_id);
	struct made_dirs md = { 0 };
	char path[4200];
	void *msg = NULL;
	int fd = -1;

	if (!img || img_read_entry(img, &msg) != 1 || make_parents(fe->reg.path, &md))
		goto err;
	fd = make_ghost(fe, path, sizeof(path));
	if (fd < 0)
		goto err;
	if (!S_ISDIR(fe->reg.mode)) {
		if (copy_ghost_data(img, fd, fe->reg.size, path)) {
			unlink(path);
			goto err;
		}
		unlink(path);
	}
	if (fchmod(fd, fe->reg.mode & 07777))
		pr_pwarn("can't set the mode of unlinked file '%s'", fe->reg.path);
	{
		GhostFileEntry *g = msg;

		if (fchown(fd, g->uid, g->gid) && errno != EPERM)
			pr_pwarn("can't set the owner of unlinked file '%s'", fe->reg.path);
	}
	remove_parents(&md);
	img_free(IMG_GHOST_FILE, msg);
	img_close(img);
	return fd;
err:
	if (fd >= 0)
		close(fd);
	remove_parents(&md);
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

/* --file-validation: the build-id recorded at dump, compared when there is one. */
static int check_build_id(const struct reg_file *r, int fd)
{
	uint8_t id[FILES_BUILD_ID_MAX];
	char proc[64];
	int rfd, n;

	if (!r->n_build_id || opts->file_validation != FILE_VALIDATION_BUILD_ID)
		return 0;
	/* fd may be write-only: read through a new open of the same file */
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	rfd = open(proc, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (rfd < 0) {
		pr_warn("can't read '%s' to check its build-id\n", r->path);
		return 0;
	}
	n = files_build_id(rfd, id, sizeof(id));
	close(rfd);
	if (n != (int)r->n_build_id || memcmp(id, r->build_id, n)) {
		pr_err("'%s' has %s build-id than at dump time: the file changed (restore with "
		       "--file-validation filesize to check its size only)\n", r->path,
		       n > 0 ? "another" : "no");
		return -1;
	}
	return 0;
}

/* content: check what the file holds too, not only what kind of file it is (O_PATH). */
static int check_same(const struct file_entry *fe, int fd, bool content)
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
	if (!content)
		return 0;
	if (S_ISCHR(st.st_mode) && !files_dev_supported(st.st_rdev)) {
		pr_err("'%s' is a device we do not restore\n", r->path);
		return -1;
	}
	if (!S_ISREG(st.st_mode) || r->ghost)
		return 0;
	if (r->has_size && (uint64_t)st.st_size != r->size) {
		pr_err("'%s' has size %lld, it had %llu at dump time: the file changed\n", r->path,
		       (long long)st.st_size, (unsigned long long)r->size);
		return -1;
	}
	return check_build_id(r, fd);
}

static int seek_to_pos(int fd, const struct reg_file *r)
{
	if ((r->flags & O_PATH) || !r->pos || lseek(fd, r->pos, SEEK_SET) == (off_t)r->pos)
		return 0;
	pr_perror("can't restore the position %llu of '%s'", (unsigned long long)r->pos,
		  r->path);
	return -1;
}

int reg_open(struct file_ids *f, struct file_entry *fe, int dirfd)
{
	const struct reg_file *r = &fe->reg;
	int flags = (r->flags & ~(O_CREAT | O_TRUNC | O_EXCL)) | O_CLOEXEC;
	int fd;

	(void)f;
	if (r->ext) {
		pr_err("external file %s needs --inherit-fd fd[N]:%s\n", r->path, r->path);
		return -1;
	}
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
	if (check_same(fe, fd, !(r->flags & O_PATH))) {
		close(fd);
		return -1;
	}
	if (seek_to_pos(fd, r)) {
		close(fd);
		return -1;
	}
	fe->rst_fd = fd;
	return 0;
}

/*
 * --inherit-fd: an external file is opened again through criu's fd, with
 * its own flags and position (the caller's fd only says which file);
 * a file named by path gets the caller's fd itself.
 */
int reg_open_inherited(struct file_entry *fe, int fd)
{
	const struct reg_file *r = &fe->reg;
	char proc[64];

	if (!r->ext) {
		fe->rst_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
		if (fe->rst_fd < 0)
			pr_perror("can't duplicate inherited fd %d", fd);
		return fe->rst_fd < 0 ? -1 : 0;
	}
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	fe->rst_fd = open(proc, (r->flags & ~(O_CREAT | O_TRUNC | O_EXCL)) | O_CLOEXEC);
	if (fe->rst_fd < 0) {
		pr_perror("can't open %s through inherited fd %d", r->path, fd);
		return -1;
	}
	if (seek_to_pos(fe->rst_fd, r)) {
		close(fe->rst_fd);
		fe->rst_fd = -1;
		return -1;
	}
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
