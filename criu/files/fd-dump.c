// SPDX-License-Identifier: GPL-2.0
/*
 * Dump a task's fd table: each fd's open file description once (fds that
 * share one, as after dup(), share its id), its flags and position. An fd
 * of a kind we cannot restore fails the dump with the fd and kind named.
 */
#include <dirent.h>
#include <fcntl.h>
#include <linux/kcmp.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define LOG_PREFIX "files: "
#include "files.h"
#include "file-ops.h"
#include "files-internal.h"
#include "log.h"
#include "proc-parse.h"

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

static int list_fds(pid_t pid, int **out, int *nr)
{
	char path[64];
	struct dirent *de;
	int cap = 0, n = 0, *v = NULL;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/fd", pid);
	d = opendir(path);
	if (!d) {
		pr_perror("can't open %s", path);
		return -1;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			int *nv = cap < FILES_MAX_FDS ? realloc(v, (cap = cap ? 2 * cap : 64) *
								 sizeof(int)) : NULL;
			if (!nv) {
				free(v);
				closedir(d);
				pr_err("task %d has too many fds\n", pid);
				return -1;
			}
			v = nv;
		}
		v[n++] = atoi(de->d_name);
	}
	closedir(d);
	qsort(v, n, sizeof(int), cmp_int);
	*out = v;
	*nr = n;
	return 0;
}

/* (dev, ino) order: the open file descriptions of one file are neighbours. */
static int inode_cmp(const struct stat *st, const struct dumped_fd *d)
{
	if ((uint64_t)st->st_dev != d->dev)
		return (uint64_t)st->st_dev < d->dev ? -1 : 1;
	if ((uint64_t)st->st_ino != d->ino)
		return (uint64_t)st->st_ino < d->ino ? -1 : 1;
	return 0;
}

/*
 * An fd sharing its open file description with one dumped before, in this
 * task (dup) or another (inherited across fork, or passed)? f->desc holds one
 * dumped fd per description, sorted by inode and then by kcmp's order of the
 * descriptions, so an fd costs log2(descriptions of its file) kcmp calls:
 * compared with every earlier fd of the same file, N tasks that each opened
 * /dev/null cost N^2. Returns the description's id; 0 and *pos, where it
 * goes in f->desc, for a new one; -1 on error.
 */
static int find_desc(const struct file_ids *f, pid_t pid, int fd, const struct stat *st,
		     int *pos)
{
	int lo = 0, hi = f->nr_desc;

	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;
		const struct dumped_fd *d = &f->dumped[f->desc[mid]];
		int c = inode_cmp(st, d);

		if (!c) {
			long r = syscall(SYS_kcmp, pid, d->pid, KCMP_FILE, fd, d->fd);

			if (r == 0)
				return d->id;
			if (r < 0) {
				pr_perror("can't compare fd %d of task %d with fd %d of task %d",
					  fd, pid, d->fd, d->pid);
				return -1;
			}
			if (r != 1 && r != 2) {
				pr_err("kcmp can't order fd %d of task %d and fd %d of task %d\n",
				       fd, pid, d->fd, d->pid);
				return -1;
			}
			c = r == 1 ? -1 : 1;
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	*pos = lo;
	return 0;
}

static int grow(void **arr, int *cap, size_t size)
{
	int n = *cap ? 2 * *cap : 64;
	void *p = realloc(*arr, n * size);

	if (!p) {
		pr_err("out of memory\n");
		return -1;
	}
	*arr = p;
	*cap = n;
	return 0;
}

/* pos: where find_desc() said a new description goes in f->desc; -1: a known one. */
static int remember(struct file_ids *f, pid_t pid, int fd, const struct stat *st, uint32_t id,
		    int pos)
{
	if (f->nr_dumped == f->cap_dumped &&
	    grow((void **)&f->dumped, &f->cap_dumped, sizeof(*f->dumped)))
		return -1;
	if (f->nr_desc == f->cap_desc && grow((void **)&f->desc, &f->cap_desc, sizeof(int)))
		return -1;
	f->dumped[f->nr_dumped++] = (struct dumped_fd){ pid, fd, st->st_dev, st->st_ino, id };
	if (pos < 0)
		return 0;
	memmove(&f->desc[pos + 1], &f->desc[pos], (f->nr_desc - pos) * sizeof(int));
	f->desc[pos] = f->nr_dumped - 1;
	f->nr_desc++;
	return 0;
}

static const char *link_kind(const char *link)
{
	static const struct {
		const char *prefix, *kind;
	} kinds[] = {
		{ "socket:", "a socket" },
		{ "anon_inode:[fanotify]", "a fanotify instance" },
		{ "anon_inode:[pidfd]", "a pidfd" },
		{ "anon_inode:[io_uring]", "an io_uring" },
		{ "anon_inode:[userfaultfd]", "a userfaultfd" },
		{ "anon_inode:", "an anonymous inode" },
		{ "net:[", "a network namespace" },
		{ "mnt:[", "a namespace file" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++)
		if (!strncmp(link, kinds[i].prefix, strlen(kinds[i].prefix)))
			return kinds[i].kind;
	return NULL;
}

/* "an inet6 TCP socket": the family and protocol, from a copy of the fd. */
static const char *socket_kind(pid_t pid, int fd, char *buf, size_t len)
{
	int pidfd = syscall(SYS_pidfd_open, pid, 0), sk = -1, dom = -1, proto = -1, type = -1;
	socklen_t sl = sizeof(int);
	const char *fam, *pr = "";

	if (pidfd >= 0) {
		sk = syscall(SYS_pidfd_getfd, pidfd, fd, 0);
		close(pidfd);
	}
	if (sk < 0)
		return "a socket";
	getsockopt(sk, SOL_SOCKET, SO_DOMAIN, &dom, &sl);
	sl = sizeof(int);
	getsockopt(sk, SOL_SOCKET, SO_PROTOCOL, &proto, &sl);
	sl = sizeof(int);
	getsockopt(sk, SOL_SOCKET, SO_TYPE, &type, &sl);
	close(sk);
	switch (dom) {
	case AF_INET: fam = "an inet"; break;
	case AF_INET6: fam = "an inet6"; break;
	case AF_NETLINK: fam = "a netlink"; break;
	case AF_PACKET: fam = "a packet"; break;
	case AF_UNIX: fam = "a unix"; break;
	default: fam = "a"; break;
	}
	if (dom == AF_INET || dom == AF_INET6)
		pr = proto == IPPROTO_TCP ? " TCP" : proto == IPPROTO_UDP ? " UDP" :
		     type == SOCK_RAW ? " raw" : "";
	snprintf(buf, len, "%s%s socket (family %d)", fam, pr, dom);
	return buf;
}

static int dump_one_fd(struct file_ids *f, pid_t pid, int fd, struct fd_entry *out)
{
	char proc[64], link[PROC_PATH_MAX], what[64], skbuf[64];
	const struct file_ops *ops;
	struct proc_fdinfo fi;
	struct fd_parms p;
	struct stat st;
	const char *kind;
	int shared, pos = -1, ret = -1;

	snprintf(proc, sizeof(proc), "/proc/%d/fd/%d", pid, fd);
	snprintf(what, sizeof(what), "fd %d of task %d", fd, pid);
	if (proc_readlink(proc, link, sizeof(link)) || stat(proc, &st)) {
		pr_perror("can't read %s", proc);
		return -1;
	}
	if (proc_read_fdinfo(pid, fd, &fi))
		return -1;
	out->fd = fd;
	out->cloexec = fi.flags & O_CLOEXEC;
	fi.flags &= ~O_CLOEXEC;
	shared = find_desc(f, pid, fd, &st, &pos);
	if (shared < 0)
		goto out;
	if (shared) {
		out->id = shared;
		ret = 0;
		goto out;
	}
	p = (struct fd_parms){ pid, fd, link, &st, &fi, what };
	/* an O_PATH fd only names a file; an external one is not ours to open */
	ops = (fi.flags & O_PATH) || files_is_external(&p) ? &reg_file_ops : file_ops_match(&p);
	if (ops) {
		ret = ops->dump(f, &p, &out->id);
		goto out;
	}
	kind = link_kind(link);
	if (S_ISFIFO(st.st_mode) && link[0] == '/')
		kind = "a FIFO";
	if (S_ISSOCK(st.st_mode))
		kind = socket_kind(pid, fd, skbuf, sizeof(skbuf));
	pr_err("%s is %s (%s): not supported yet\n", what, kind ? kind : "a special file", link);
out:
	if (!ret && (remember(f, pid, fd, &st, out->id, shared ? -1 : pos) ||
		     locks_note_fd(f, pid, fd, out->id, &fi, link, what)))
		ret = -1;
	proc_fdinfo_free(&fi);
	return ret;
}

int files_dump_fds(struct file_ids *f, pid_t pid, struct fd_table *t)
{
	const struct file_ops *ops;
	int *fds, nr;

	t->nr = 0;
	t->fds = NULL;
	if (list_fds(pid, &fds, &nr))
		return -1;
	t->fds = calloc(nr + 1, sizeof(*t->fds));
	if (!t->fds)
		goto err;
	for (int i = 0; i < nr; i++) {
		if (dump_one_fd(f, pid, fds[i], &t->fds[i]))
			goto err;
		t->nr++;
		pr_debug("task %d: fd %d -> file %u%s\n", pid, fds[i], t->fds[i].id,
			 t->fds[i].cloexec ? " (cloexec)" : "");
	}
	for_each_file_ops(ops)
		if (ops->dump_task && ops->dump_task(f, pid))
			goto err;
	free(fds);
	return 0;
err:
	free(fds);
	fd_table_free(t);
	return -1;
}

void fd_table_free(struct fd_table *t)
{
	free(t->fds);
	t->fds = NULL;
	t->nr = 0;
}

int files_dump_fs(struct file_ids *f, pid_t pid, struct fs_state *fs)
{
	struct proc_status st;
	struct file_entry *root;

	if (files_add_proc_link(f, pid, "cwd", O_RDONLY | O_DIRECTORY, &fs->cwd_id) ||
	    files_add_proc_link(f, pid, "root", O_RDONLY | O_DIRECTORY, &fs->root_id))
		return -1;
	root = files_find(f, fs->root_id);
	if (strcmp(root->reg.path, "/")) {
		pr_err("task %d runs chrooted in '%s': not supported yet\n", pid, root->reg.path);
		return -1;
	}
	if (proc_read_status(pid, 0, &st))
		return -1;
	fs->umask = st.umask >= 0 ? st.umask : 022;
	proc_status_free(&st);
	return 0;
}
