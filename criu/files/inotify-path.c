// SPDX-License-Identifier: GPL-2.0
/*
 * Find a path to the inode an inotify watch is on. fdinfo names it by
 * device, inode number and file handle: open_by_handle_at() turns the
 * handle into a path, but needs CAP_DAC_READ_SEARCH; without it we search
 * the filesystem for the inode, starting from the task's cwd, then from
 * each mount of that filesystem, within a bounded number of entries.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define LOG_PREFIX "inotify: "
#include "files.h"
#include "inotify.h"
#include "log.h"
#include "proc-fdinfo.h"
#include "proc-parse.h"

#define SCAN_BUDGET 500000	/* directory entries looked at per watch */

struct scan {
	dev_t dev;
	uint64_t ino;
	long budget;
	char **queue;		/* directories still to read, breadth first */
	int head, nr, cap;
};

static bool is_target(const char *path, dev_t dev, uint64_t ino)
{
	struct stat st;

	return !lstat(path, &st) && st.st_dev == dev && st.st_ino == ino;
}

/* The handle names the inode; any fd on a mount of its filesystem resolves it. */
static int by_handle(const struct fdinfo_inotify_wd *w, const char *mnt, char *out, size_t size)
{
	struct {
		struct file_handle h;
		unsigned char bytes[FDINFO_FHANDLE_MAX];
	} fh;
	char proc[64];
	int mfd, fd, ret = -1;

	mfd = open(mnt, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (mfd < 0)
		return -1;
	fh.h.handle_bytes = w->fh_bytes;
	fh.h.handle_type = w->fh_type;
	memcpy(fh.h.f_handle, w->fh, w->fh_bytes);
	fd = open_by_handle_at(mfd, &fh.h, O_PATH | O_CLOEXEC);
	if (fd < 0) {
		pr_debug("open_by_handle_at on '%s': %s\n", mnt, strerror(errno));
		close(mfd);
		return errno == EPERM ? -2 : -1;
	}
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	if (!proc_readlink(proc, out, size) && out[0] == '/' &&
	    is_target(out, proc_kdev_to_dev(w->sdev), w->ino))
		ret = 0;
	close(fd);
	close(mfd);
	return ret;
}

static int push(struct scan *s, const char *path)
{
	char *p;

	if (s->nr == s->cap) {
		int cap = s->cap ? 2 * s->cap : 256;
		char **q = realloc(s->queue, cap * sizeof(*q));

		if (!q)
			return -1;
		s->queue = q;
		s->cap = cap;
	}
	p = strdup(path);
	if (!p)
		return -1;
	s->queue[s->nr++] = p;
	return 0;
}

/* Read one directory: 1 when the inode is found (path in out), 0 to go on, -1 on error. */
static int scan_dir(struct scan *s, const char *dir, char *out, size_t size)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int ret = 0;

	if (!d)
		return 0;	/* unreadable: not ours to search */
	while (ret == 0 && (de = readdir(d)) && s->budget-- > 0) {
		struct stat st;
		char path[PROC_PATH_MAX];

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", strcmp(dir, "/") ? dir : "",
			     de->d_name) >= (int)sizeof(path) ||
		    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) ||
		    st.st_dev != s->dev)
			continue;
		if (st.st_ino == s->ino) {
			snprintf(out, size, "%s", path);
			ret = 1;
		} else if (S_ISDIR(st.st_mode) && push(s, path)) {
			ret = -1;
		}
	}
	closedir(d);
	return ret;
}

static int scan_from(struct scan *s, const char *root, char *out, size_t size)
{
	int ret = 0;

	if (is_target(root, s->dev, s->ino)) {
		snprintf(out, size, "%s", root);
		return 1;
	}
	if (push(s, root))
		return -1;
	while (ret == 0 && s->head < s->nr && s->budget > 0) {
		char *dir = s->queue[s->head++];

		ret = scan_dir(s, dir, out, size);
		free(dir);
	}
	while (s->head < s->nr)
		free(s->queue[s->head++]);
	s->head = s->nr = 0;
	return ret;
}

/* Call fn on the mount point of every mount of device dev in the task's mountinfo. */
static int for_each_mount(pid_t pid, dev_t dev, int (*fn)(const char *mnt, void *arg),
			  void *arg)
{
	char path[64], *buf, *line;
	struct proc_mountinfo *m = malloc(sizeof(*m));
	int ret = 0;

	snprintf(path, sizeof(path), "/proc/%d/mountinfo", pid);
	buf = proc_read_file(path, NULL);
	if (!buf || !m) {
		pr_perror("can't read %s", path);
		free(buf);
		free(m);
		return -1;
	}
	for (line = buf; ret == 0 && line && *line;) {
		char *nl = strchr(line, '\n');

		if (!proc_parse_mountinfo_line(line, m) && m->major == major(dev) &&
		    m->minor == minor(dev))
			ret = fn(m->mountpoint, arg);
		line = nl ? nl + 1 : NULL;
	}
	free(buf);
	free(m);
	return ret;
}

struct find {
	const struct fdinfo_inotify_wd *w;
	struct scan scan;
	char *out;
	size_t size;
	bool no_handles;	/* open_by_handle_at() refused: no CAP_DAC_READ_SEARCH */
};

static int try_handle(const char *mnt, void *arg)
{
	struct find *fd = arg;
	int r = by_handle(fd->w, mnt, fd->out, fd->size);

	if (r == -2)
		fd->no_handles = true;
	return r == 0 ? 1 : r == -2 ? -2 : 0;
}

static int try_scan(const char *mnt, void *arg)
{
	struct find *fd = arg;

	return scan_from(&fd->scan, mnt, fd->out, fd->size);
}

int inotify_find_path(pid_t pid, const struct fdinfo_inotify_wd *w, char *out, size_t size)
{
	struct find fd = { .w = w, .out = out, .size = size };
	char cwd[PROC_PATH_MAX], proc[64];
	int r = 0;

	fd.scan = (struct scan){ .dev = proc_kdev_to_dev(w->sdev), .ino = w->ino,
				 .budget = SCAN_BUDGET };
	if (w->fh_bytes)
		r = for_each_mount(pid, fd.scan.dev, try_handle, &fd);
	if (r == 1)
		return 0;
	snprintf(proc, sizeof(proc), "/proc/%d/cwd", pid);
	if (!proc_readlink(proc, cwd, sizeof(cwd)) && cwd[0] == '/')
		r = scan_from(&fd.scan, cwd, out, size);
	if (r == 0)
		r = for_each_mount(pid, fd.scan.dev, try_scan, &fd);
	free(fd.scan.queue);
	if (r == 1)
		return 0;
	if (r == 0)
		pr_err("can't find a path to inode %llu of device %u:%u%s\n",
		       (unsigned long long)w->ino, major(fd.scan.dev), minor(fd.scan.dev),
		       fd.no_handles ? " (open_by_handle_at() needs CAP_DAC_READ_SEARCH; "
				       "searched from the task's cwd and the mounts)" : "");
	return -1;
}
