// SPDX-License-Identifier: GPL-2.0
/*
 * Install a task's fd table and fs state. Every file is opened once (fds
 * that shared an open file description share it again), moved above the
 * highest target fd, then dup'ed into place; whatever else the restoring
 * process had open is closed, service fds excepted.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define LOG_PREFIX "files: "
#include "files.h"
#include "file-ops.h"
#include "files-internal.h"
#include "log.h"
#include "options.h"
#include "servicefd.h"

int files_open(struct file_ids *f, int dirfd, uint32_t id)
{
	struct file_entry *fe = files_find(f, id);
	int ret;

	if (!fe) {
		pr_err("no file with id %u\n", id);
		return -1;
	}
	if (fe->rst_fd < 0 && fe->ops->open(f, fe, dirfd))
		return -1;
	ret = fcntl(fe->rst_fd, F_DUPFD_CLOEXEC, 0);
	if (ret < 0)
		pr_perror("can't duplicate file %u", id);
	return ret;
}

/* Keep the files we opened out of the range of target fd numbers. */
static int lift_fd(int fd, int above)
{
	int n;

	if (fd > above)
		return fd;
	n = fcntl(fd, F_DUPFD_CLOEXEC, above + 1);
	if (n < 0)
		pr_perror("can't move fd %d above %d", fd, above);
	close(fd);
	return n;
}

static bool in_table(const struct fd_table *t, int fd)
{
	for (int i = 0; i < t->nr; i++)
		if (t->fds[i].fd == fd)
			return true;
	return false;
}

/* What close_ranges() does, by listing /proc/self/fd. */
static int close_others(const struct fd_table *t)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;

	if (!d) {
		pr_perror("can't list /proc/self/fd");
		return -1;
	}
	while ((de = readdir(d))) {
		int fd = atoi(de->d_name);
		if (de->d_name[0] != '.' && fd != dirfd(d) && !in_table(t, fd) &&
		    !sfd_is_service(fd))
			close(fd);
	}
	closedir(d);
	return 0;
}

/*
 * Above the target fds and the service fds: a service fd installed later
 * (sfd_install() dup3s over its slot) must not land on one of ours.
 */
static int lift_limit(const struct fd_table *t)
{
	int max_fd = t->nr ? t->fds[t->nr - 1].fd : -1;

	if (sfd_base() >= 0 && sfd_base() + SFD_MAX - 1 > max_fd)
		max_fd = sfd_base() + SFD_MAX - 1;
	return max_fd;
}

/*
 * Done in criu before the first task is created, this costs the tasks
 * nothing; each of them lifting its inherited copies (two syscalls and a
 * copy-on-write write to criu's list a file) took 1.4 ms of its CPU at
 * N=32 on a VM.
 */
int files_lift_all(struct file_ids *f, int above)
{
	struct file_entry *fe;

	/* an entry already above is not written: see close_ranges() */
	list_for_each_entry(fe, &f->files, list)
		if (fe->rst_fd >= 0 && fe->rst_fd <= above &&
		    (fe->rst_fd = lift_fd(fe->rst_fd, above)) < 0)
			return -1;
	return 0;
}

int files_restore_fds(struct file_ids *f, int dirfd, const struct fd_table *t)
{
	int max_fd = lift_limit(t);
	struct file_entry *fe;

	/* opened here if criu has no copy; above every target number either way */
	for (int i = 0; i < t->nr; i++) {
		fe = files_find(f, t->fds[i].id);
		if (!fe) {
			pr_err("no file with id %u\n", t->fds[i].id);
			return -1;
		}
		if (fe->rst_fd < 0 && fe->ops->open(f, fe, dirfd))
			return -1;
	}
	if (files_lift_all(f, max_fd))
		return -1;
	/* whatever else sits on a target number is criu's and goes */
	for (int i = 0; i < t->nr; i++) {
		int fd = t->fds[i].fd;

		fe = files_find(f, t->fds[i].id);
		if (dup3(fe->rst_fd, fd, t->fds[i].cloexec ? O_CLOEXEC : 0) != fd) {
			pr_perror("can't install fd %d", fd);
			return -1;
		}
	}
	/* what only the task itself can do, now that its fds are in place */
	for (int i = 0; i < t->nr; i++) {
		fe = files_find(f, t->fds[i].id);
		if (fe->ops->task_fixup && fe->ops->task_fixup(f, fe, t->fds[i].fd))
			return -1;
	}
	return 0;
}

int files_restore_fs(struct file_ids *f, int dirfd, const struct fs_state *fs)
{
	const struct file_entry *root = files_find(f, fs->root_id);
	int fd;

	if (root && root->kind == FILE_KIND_REG && strcmp(root->reg.path, "/")) {
		pr_err("tasks with a root other than / (here '%s') are not supported yet\n",
		       root->reg.path);
		return -1;
	}
	fd = files_open(f, dirfd, fs->cwd_id);
	if (fd < 0)
		return -1;
	if (fchdir(fd)) {
		pr_perror("can't change to the working directory");
		close(fd);
		return -1;
	}
	close(fd);
	umask(fs->umask);
	return 0;
}

#define FD_LAST ((long)~0U)

/* close_range() of [from, to] when it is not empty; -1 if the kernel refuses it. */
static int close_span(long from, long to)
{
	if (to < from)
		return 0;
	return syscall(SYS_close_range, (unsigned int)from, (unsigned int)to, 0) ? -1 : 0;
}

/*
 * Every fd but the task's table and the service fds, in a few close_range()
 * calls over the gaps between them: among them are criu's copies of every
 * file of the tree (141 at N=32, inherited by each task). criu's file list
 * is not touched: this task's copy of criu's memory goes with the jump to
 * the restorer, and writing rst_fd = -1 into it cost a copy-on-write fault
 * per page of the list (0.7 ms a task at N=32 on a VM). 1: close_range()
 * is missing (before 5.9) or filtered; close_others() finishes the job.
 */
static int close_ranges(const struct fd_table *t)
{
	int base = sfd_base(), prev = -1;

	if (base < 0)
		return 1;
	for (int i = 0; i < t->nr; i++) {
		if (close_span(prev + 1, t->fds[i].fd - 1))
			return 1;
		prev = t->fds[i].fd;
	}
	for (int fd = base; fd < base + SFD_MAX; fd++) {
		if (!sfd_is_service(fd))
			continue;
		if (close_span(prev + 1, fd - 1))
			return 1;
		prev = fd;
	}
	return close_span(prev + 1, FD_LAST) ? 1 : 0;
}

int files_close_restore_fds(struct file_ids *f, const struct fd_table *t)
{
	if (close_ranges(t) && close_others(t))
		return -1;
	/*
	 * criu's fds on recreated unlinked files went with the rest; closing
	 * them again by number would close whatever fd of the task took the
	 * number since. A POSIX lock goes with any close() of its file: take
	 * them last.
	 */
	return locks_take_posix(f);
}

int files_open_all(struct file_ids *f, int dirfd)
{
	bool used[CR_MAX_INHERIT_FDS] = { false };
	struct file_entry *fe;

	if (files_inherit_check())
		return -1;
	/* in rounds by open_order: some kinds need others open first */
	for (int order = 0; order < 4; order++)
		list_for_each_entry(fe, &f->files, list) {
			int r;

			if (fe->rst_fd >= 0 || fe->ops->open_order != order ||
			    (fe->ops->opens_in_task && fe->ops->opens_in_task(fe)))
				continue;
			r = files_open_inherited(fe, used);
			if (r < 0 || (!r && fe->ops->open(f, fe, dirfd)))
				return -1;
		}
	files_inherit_report(used);
	/* flock and OFD locks belong to the open files: take them before the tasks */
	return locks_take_ofd(f);
}

void files_close_all(struct file_ids *f)
{
	struct file_entry *fe;

	list_for_each_entry(fe, &f->files, list)
		if (fe->rst_fd >= 0) {
			close(fe->rst_fd);
			fe->rst_fd = -1;
		}
	files_close_ghosts();
}

int files_max_open_fd(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int top = -1;

	if (!d) {
		pr_perror("can't list /proc/self/fd");
		return -1;
	}
	while ((de = readdir(d)))
		if (de->d_name[0] != '.' && atoi(de->d_name) > top)
			top = atoi(de->d_name);
	closedir(d);
	return top;
}
