// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers shared by the handlers of anonymous-inode kinds and memfd: their
 * private state, open-flag checks on dump and on read, fown and pidfd_getfd.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#define LOG_PREFIX "files: "
#include "anon-fd.h"
#include "arena.h"
#include "files-internal.h"
#include "log.h"

struct file_entry *anon_new_entry(struct file_ids *f, enum file_kind kind, size_t size)
{
	void *priv = calloc(1, size);
	struct file_entry *fe;

	if (!priv) {
		pr_err("out of memory\n");
		return NULL;
	}
	fe = files_new_entry(f, kind, 0);
	if (!fe) {
		free(priv);
		return NULL;
	}
	fe->priv = priv;
	return fe;
}

void anon_free_priv(struct file_entry *fe)
{
	free(fe->priv);
	fe->priv = NULL;
}

int anon_check_flags(const struct fd_parms *p, uint32_t acc, uint32_t allowed, const char *kind)
{
	uint32_t fl = p->fi->flags;

	if ((fl & O_ACCMODE) != acc || (fl & ~(uint32_t)O_ACCMODE & ~allowed)) {
		pr_err("%s is %s opened with flags 0%o: only 0%o is supported yet\n", p->what,
		       kind, fl, acc | allowed);
		return -1;
	}
	return 0;
}

int anon_check_image_flags(uint32_t id, uint32_t flags, uint32_t acc, uint32_t allowed,
			   const char *kind)
{
	if ((flags & O_ACCMODE) != acc || (flags & ~(uint32_t)O_ACCMODE & ~allowed)) {
		pr_err("files.img: %s %u has flags 0%o\n", kind, id, flags);
		return -1;
	}
	return 0;
}

FownEntry *anon_fown(struct arena *a)
{
	FownEntry *fown = arena_alloc(a, sizeof(*fown));

	if (fown)
		fown_entry__init(fown);
	return fown;
}

int anon_steal_fd(pid_t pid, int fd)
{
	int pfd = syscall(SYS_pidfd_open, pid, 0), ret, e;

	if (pfd < 0)
		return -1;
	ret = syscall(SYS_pidfd_getfd, pfd, fd, 0);
	e = errno;
	close(pfd);
	errno = e;
	return ret;
}

int anon_set_fl(int fd, uint32_t flags, const char *what)
{
	int cur = fcntl(fd, F_GETFL);

	if (cur < 0 || ((cur ^ flags) & O_NONBLOCK &&
			fcntl(fd, F_SETFL, (cur & ~O_NONBLOCK) | (flags & O_NONBLOCK)))) {
		pr_perror("can't set the flags 0%o of %s", flags, what);
		return -1;
	}
	return 0;
}
