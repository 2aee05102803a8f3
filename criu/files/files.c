// SPDX-License-Identifier: GPL-2.0
/*
 * The registry of open files of a dump or a restore, and the dump of files
 * reached by path: /proc/PID/{exe,cwd,root,fd/N} links and mapped files.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define LOG_PREFIX "files: "
#include "files.h"
#include "file-ops.h"
#include "files-internal.h"
#include "log.h"
#include "options.h"
#include "proc-parse.h"

void files_init(struct file_ids *f)
{
	INIT_LIST_HEAD(&f->files);
	f->next_id = 1;
	f->next_remap_id = 1;
	f->nr_dumped = f->cap_dumped = 0;
	f->dumped = NULL;
	f->nr_desc = f->cap_desc = 0;
	f->desc = NULL;
	f->tty = NULL;
	f->usk = NULL;
	INIT_LIST_HEAD(&f->locks);
}

void files_free(struct file_ids *f)
{
	const struct file_ops *ops;
	struct file_entry *fe, *n;

	list_for_each_entry_safe(fe, n, &f->files, list) {
		if (fe->ops && fe->ops->free)
			fe->ops->free(fe);
		free(fe->reg.path);
		free(fe->pipe.data);
		if (fe->reg.src_fd >= 0)
			close(fe->reg.src_fd);
		if (fe->rst_fd >= 0)
			close(fe->rst_fd);
		free(fe);
	}
	INIT_LIST_HEAD(&f->files);
	for_each_file_ops(ops)
		if (ops->free_state)
			ops->free_state(f);
	locks_free(f);
	free(f->dumped);
	f->dumped = NULL;
	f->nr_dumped = f->cap_dumped = 0;
	free(f->desc);
	f->desc = NULL;
	f->nr_desc = f->cap_desc = 0;
}

struct file_entry *files_find(const struct file_ids *f, uint32_t id)
{
	struct file_entry *fe;

	list_for_each_entry(fe, &f->files, list)
		if (fe->id == id)
			return fe;
	return NULL;
}

struct file_entry *files_new_entry(struct file_ids *f, enum file_kind kind, uint32_t id)
{
	struct file_entry *fe = calloc(1, sizeof(*fe));

	if (!fe) {
		pr_err("out of memory\n");
		return NULL;
	}
	fe->id = id ? id : f->next_id++;
	fe->kind = kind;
	fe->ops = file_ops_by_kind(kind);
	fe->reg.src_fd = -1;
	fe->rst_fd = -1;
	list_add_tail(&fe->list, &f->files);
	return fe;
}

/* Device nodes a task may hold that mean the same thing on any machine. */
bool files_dev_supported(dev_t rdev)
{
	static const struct {
		unsigned int maj, min;
	} ok[] = { { 1, 3 }, { 1, 5 }, { 1, 7 }, { 1, 8 }, { 1, 9 } };	/* null zero full random urandom */

	for (size_t i = 0; i < ARRAY_SIZE(ok); i++)
		if (major(rdev) == ok[i].maj && minor(rdev) == ok[i].min)
			return true;
	return false;
}

/* Check that st is a kind of file we can reopen by path, and say why not. */
int files_check_kind(const struct stat *st, const char *path, const char *what)
{
	if (S_ISREG(st->st_mode) || S_ISDIR(st->st_mode))
		return 0;
	if (S_ISCHR(st->st_mode) && files_dev_supported(st->st_rdev))
		return 0;
	pr_err("%s: '%s' is a %s (mode 0%o, device %u:%u): not supported yet\n", what, path,
	       S_ISCHR(st->st_mode) ? "character device" : S_ISBLK(st->st_mode) ? "block device" :
	       S_ISFIFO(st->st_mode) ? "FIFO" : S_ISSOCK(st->st_mode) ? "socket" : "special file",
	       st->st_mode, major(st->st_rdev), minor(st->st_rdev));
	return -1;
}

struct file_entry *files_add_reg(struct file_ids *f, pid_t pid, const char *link,
				 uint32_t flags, uint64_t pos, const char *what)
{
	char proc[64], path[PROC_PATH_MAX];
	struct file_entry *fe;
	struct stat st;
	bool deleted = false;
	size_t len;

	snprintf(proc, sizeof(proc), "/proc/%d/%s", pid, link);
	if (proc_readlink(proc, path, sizeof(path)) || stat(proc, &st)) {
		pr_perror("can't read %s", proc);
		return NULL;
	}
	len = strlen(path);
	if (len > 10 && !strcmp(path + len - 10, " (deleted)")) {
		path[len - 10] = 0;
		deleted = true;
	}
	if (path[0] != '/') {
		pr_err("%s is '%s': not supported yet\n", what, path);
		return NULL;
	}
	/* an O_PATH fd only names the file: any kind comes back by path */
	if (!(flags & O_PATH) && files_check_kind(&st, path, what))
		return NULL;
	if (deleted && !((S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)) && st.st_nlink == 0)) {
		pr_err("%s: '%s' was deleted and is not a plain unlinked file or directory\n",
		       what, path);
		return NULL;
	}
	fe = files_new_entry(f, FILE_KIND_REG, 0);
	if (!fe || !(fe->reg.path = strdup(path)))
		return NULL;
	fe->reg.flags = flags;
	fe->reg.pos = pos;
	fe->reg.mode = st.st_mode;
	if (!deleted)
		files_note_content(&fe->reg, proc, &st);
	else if (S_ISREG(st.st_mode))
		fe->reg.size = st.st_size;	/* the ghost image holds the content */
	fe->reg.rdev = st.st_rdev;
	fe->reg.dev = st.st_dev;
	fe->reg.ino = st.st_ino;
	if (deleted) {
		struct file_entry *o;

		fe->reg.ghost = true;
		/* every open of the same unlinked inode shares one copy of it */
		list_for_each_entry(o, &f->files, list)
			if (o != fe && o->kind == FILE_KIND_REG && o->reg.ghost &&
			    o->reg.dev == fe->reg.dev && o->reg.ino == fe->reg.ino) {
				fe->reg.remap_id = o->reg.remap_id;
				return fe;
			}
		fe->reg.remap_id = f->next_remap_id++;
		/* keep a way to its data: the link reopens the unlinked inode */
		fe->reg.src_fd = open(proc, O_RDONLY | O_CLOEXEC);
		if (fe->reg.src_fd < 0) {
			pr_perror("can't open the unlinked file behind %s", proc);
			return NULL;
		}
	}
	return fe;
}

int files_add_proc_link(struct file_ids *f, pid_t pid, const char *link, uint32_t flags,
			uint32_t *id)
{
	char what[64];
	struct file_entry *fe;

	snprintf(what, sizeof(what), "%s of task %d", link, pid);
	fe = files_add_reg(f, pid, link, flags, 0, what);
	if (!fe)
		return -1;
	*id = fe->id;
	return 0;
}

int files_add_mapped(struct file_ids *f, const char *path, unsigned int dev_major,
		     unsigned int dev_minor, unsigned long ino, uint32_t flags, uint32_t *id)
{
	struct file_entry *fe;
	struct stat st;

	list_for_each_entry(fe, &f->files, list)
		if (fe->kind == FILE_KIND_REG && !fe->reg.ghost && fe->reg.flags == flags &&
		    !strcmp(fe->reg.path, path) && S_ISREG(fe->reg.mode)) {
			*id = fe->id;
			return 0;
		}
	if (stat(path, &st)) {
		pr_perror("can't stat mapped file '%s'", path);
		return -1;
	}
	if (major(st.st_dev) != dev_major || minor(st.st_dev) != dev_minor || st.st_ino != ino) {
		pr_err("mapped file '%s' was replaced since it was mapped (inode %lu, now %lu)\n",
		       path, ino, (unsigned long)st.st_ino);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		pr_err("mapping of '%s' (mode 0%o) is not supported\n", path, st.st_mode);
		return -1;
	}
	fe = files_new_entry(f, FILE_KIND_REG, 0);
	if (!fe || !(fe->reg.path = strdup(path)))
		return -1;
	fe->reg.flags = flags;
	fe->reg.mode = st.st_mode;
	files_note_content(&fe->reg, path, &st);
	*id = fe->id;
	return 0;
}

/*
 * What --file-validation checks at restore. Like CRIU, a file opened only
 * to append (a log) may grow meanwhile: its size is not recorded; an
 * O_PATH fd has no content to check.
 */
void files_note_content(struct reg_file *r, const char *path, const struct stat *st)
{
	bool append_only = (r->flags & O_ACCMODE) == O_WRONLY && (r->flags & O_APPEND);
	int fd, n;

	if (!S_ISREG(st->st_mode) || (r->flags & O_PATH))
		return;
	r->size = st->st_size;
	r->has_size = !append_only;
	if (opts->file_validation != FILE_VALIDATION_BUILD_ID)
		return;
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		pr_debug("can't read '%s' for its build-id: %s\n", path, strerror(errno));
		return;
	}
	n = files_build_id(fd, r->build_id, sizeof(r->build_id));
	if (n > 0)
		r->n_build_id = n;
	close(fd);
}
