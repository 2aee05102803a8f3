// SPDX-License-Identifier: GPL-2.0
/*
 * eventfd: the counter, EFD_NONBLOCK and EFD_SEMAPHORE, from fdinfo. Its
 * part of files.img is eventfd_file_entry (efd); restore makes a new one
 * and writes the counter into it.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define LOG_PREFIX "eventfd: "
#include "anon-fd.h"
#include "arena.h"
#include "log.h"
#include "proc-fdinfo.h"

#define EVENTFD_MAX_COUNT 0xfffffffffffffffeULL

struct eventfd_state {
	uint32_t flags;		/* open flags: O_RDWR, O_NONBLOCK */
	uint64_t counter;
	bool semaphore;
};

static bool eventfd_match(const struct fd_parms *p)
{
	return !strcmp(p->link, "anon_inode:[eventfd]");
}

static int eventfd_dump(struct file_ids *f, const struct fd_parms *p, uint32_t *id)
{
	struct fdinfo_eventfd info;
	struct eventfd_state *s;
	struct file_entry *fe;

	if (anon_check_flags(p, O_RDWR, O_NONBLOCK, "an eventfd"))
		return -1;
	if (proc_parse_eventfd(p->fi->extra, &info)) {
		pr_err("%s: can't read the state of the eventfd\n", p->what);
		return -1;
	}
	if (info.semaphore < 0)
		pr_warn("%s: the kernel does not show EFD_SEMAPHORE (before Linux 6.5); "
			"restoring the eventfd without it\n", p->what);
	fe = anon_new_entry(f, FILE_KIND_EVENTFD, sizeof(*s));
	if (!fe)
		return -1;
	s = fe->priv;
	s->flags = p->fi->flags;
	s->counter = info.count;
	s->semaphore = info.semaphore == 1;
	*id = fe->id;
	pr_debug("%s is an eventfd, count %llu%s\n", p->what, (unsigned long long)s->counter,
		 s->semaphore ? ", semaphore" : "");
	return 0;
}

static int eventfd_to_image(const struct file_entry *fe, FileEntry *e, struct arena *a)
{
	const struct eventfd_state *s = fe->priv;
	EventfdFileEntry *efd = arena_alloc(a, sizeof(*efd));
	FownEntry *fown = anon_fown(a);

	if (!efd || !fown)
		return -1;
	eventfd_file_entry__init(efd);
	e->type = FD_TYPES__EVENTFD;
	efd->id = fe->id;
	efd->flags = s->flags;
	efd->fown = fown;
	efd->counter = s->counter;
	efd->has_semaphore = 1;
	efd->semaphore = s->semaphore;
	e->efd = efd;
	return 0;
}

static int eventfd_from_image(struct file_ids *f, const FileEntry *e, struct file_entry *fe)
{
	const EventfdFileEntry *efd = e->efd;
	struct eventfd_state *s;

	(void)f;
	if (!efd || efd->id != e->id) {
		pr_err("files.img: file %u lacks its eventfd part\n", e->id);
		return -1;
	}
	if (anon_check_image_flags(e->id, efd->flags, O_RDWR, O_NONBLOCK, "eventfd"))
		return -1;
	if (efd->counter > EVENTFD_MAX_COUNT) {
		pr_err("files.img: eventfd %u has count %llu, above the maximum\n", e->id,
		       (unsigned long long)efd->counter);
		return -1;
	}
	s = fe->priv = calloc(1, sizeof(*s));
	if (!s) {
		pr_err("out of memory\n");
		return -1;
	}
	s->flags = efd->flags;
	s->counter = efd->counter;
	s->semaphore = efd->has_semaphore && efd->semaphore;
	return 0;
}

static int eventfd_open(struct file_ids *f, struct file_entry *fe, int dirfd)
{
	const struct eventfd_state *s = fe->priv;
	int flags = EFD_CLOEXEC, fd;

	(void)f;
	(void)dirfd;
	if (s->flags & O_NONBLOCK)
		flags |= EFD_NONBLOCK;
	if (s->semaphore)
		flags |= EFD_SEMAPHORE;
	fd = eventfd(0, flags);
	if (fd < 0) {
		pr_perror("can't create eventfd %u", fe->id);
		return -1;
	}
	/* the initial value of eventfd() is only 32 bits wide; a write takes all 64 */
	if (s->counter && write(fd, &s->counter, sizeof(s->counter)) != sizeof(s->counter)) {
		pr_perror("can't set the count of eventfd %u to %llu", fe->id,
			  (unsigned long long)s->counter);
		close(fd);
		return -1;
	}
	fe->rst_fd = fd;
	return 0;
}

const struct file_ops eventfd_file_ops = {
	.name = "eventfd",
	.kind = FILE_KIND_EVENTFD,
	.match = eventfd_match,
	.dump = eventfd_dump,
	.to_image = eventfd_to_image,
	.from_image = eventfd_from_image,
	.open = eventfd_open,
	.free = anon_free_priv,
};
