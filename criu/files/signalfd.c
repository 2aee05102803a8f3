// SPDX-License-Identifier: GPL-2.0
/*
 * signalfd: the signal mask and SFD_NONBLOCK, from fdinfo. Its part of
 * files.img is signalfd_entry (sgfd). The signals themselves are the
 * task's pending signals, restored with the task.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#define LOG_PREFIX "signalfd: "
#include "anon-fd.h"
#include "arena.h"
#include "log.h"
#include "proc-fdinfo.h"

struct signalfd_state {
	uint32_t flags;
	uint64_t sigmask;	/* bit n: signal n + 1, as the kernel keeps it */
};

static bool signalfd_match(const struct fd_parms *p)
{
	return !strcmp(p->link, "anon_inode:[signalfd]");
}

static int signalfd_dump(struct file_ids *f, const struct fd_parms *p, uint32_t *id)
{
	struct signalfd_state *s;
	struct file_entry *fe;
	uint64_t mask;

	if (anon_check_flags(p, O_RDWR, O_NONBLOCK, "a signalfd"))
		return -1;
	if (proc_parse_signalfd(p->fi->extra, &mask)) {
		pr_err("%s: can't read the mask of the signalfd\n", p->what);
		return -1;
	}
	fe = anon_new_entry(f, FILE_KIND_SIGNALFD, sizeof(*s));
	if (!fe)
		return -1;
	s = fe->priv;
	s->flags = p->fi->flags;
	s->sigmask = mask;
	*id = fe->id;
	pr_debug("%s is a signalfd for mask %llx\n", p->what, (unsigned long long)mask);
	return 0;
}

static int signalfd_to_image(const struct file_entry *fe, FileEntry *e, struct arena *a)
{
	const struct signalfd_state *s = fe->priv;
	SignalfdEntry *sg = arena_alloc(a, sizeof(*sg));
	FownEntry *fown = anon_fown(a);

	if (!sg || !fown)
		return -1;
	signalfd_entry__init(sg);
	e->type = FD_TYPES__SIGNALFD;
	sg->id = fe->id;
	sg->flags = s->flags;
	sg->fown = fown;
	sg->sigmask = s->sigmask;
	e->sgfd = sg;
	return 0;
}

static int signalfd_from_image(struct file_ids *f, const FileEntry *e, struct file_entry *fe)
{
	const SignalfdEntry *sg = e->sgfd;
	struct signalfd_state *s;

	(void)f;
	if (!sg || sg->id != e->id) {
		pr_err("files.img: file %u lacks its signalfd part\n", e->id);
		return -1;
	}
	if (anon_check_image_flags(e->id, sg->flags, O_RDWR, O_NONBLOCK, "signalfd"))
		return -1;
	s = fe->priv = calloc(1, sizeof(*s));
	if (!s) {
		pr_err("out of memory\n");
		return -1;
	}
	s->flags = sg->flags;
	/* the kernel never lets a signalfd take SIGKILL or SIGSTOP */
	s->sigmask = sg->sigmask & ~((1ULL << (SIGKILL - 1)) | (1ULL << (SIGSTOP - 1)));
	return 0;
}

static int signalfd_open(struct file_ids *f, struct file_entry *fe, int dirfd)
{
	const struct signalfd_state *s = fe->priv;
	int flags = SFD_CLOEXEC, fd;

	(void)f;
	(void)dirfd;
	if (s->flags & O_NONBLOCK)
		flags |= SFD_NONBLOCK;
	/* the raw call: glibc's sigset_t helpers refuse its own internal signals 32, 33 */
	fd = syscall(SYS_signalfd4, -1, &s->sigmask, sizeof(s->sigmask), flags);
	if (fd < 0) {
		pr_perror("can't create signalfd %u", fe->id);
		return -1;
	}
	fe->rst_fd = fd;
	return 0;
}

const struct file_ops signalfd_file_ops = {
	.name = "signalfd",
	.kind = FILE_KIND_SIGNALFD,
	.match = signalfd_match,
	.dump = signalfd_dump,
	.to_image = signalfd_to_image,
	.from_image = signalfd_from_image,
	.open = signalfd_open,
	.free = anon_free_priv,
};
