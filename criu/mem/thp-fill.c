// SPDX-License-Identifier: GPL-2.0
/*
 * Fast and faithful filling of private anonymous memory. Faulting 4 KiB
 * pages is the slow part of a restore; huge pages would be several times
 * faster, but asking for them (MADV_HUGEPAGE) changes the area's VmFlags,
 * which the application can see. So whole 2 MiB chunks are read into a
 * staging area that has huge pages, then moved into the real area with
 * UFFDIO_MOVE (kernel 6.8+), which moves a PMD-mapped huge page whole and
 * leaves the area's flags alone. The 4 KiB stretches of private anonymous
 * areas are read into the staging area too and put in place with
 * UFFDIO_COPY. Anything else takes the 4 KiB way.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define LOG_PREFIX "mem: "
#include "kdat.h"
#include "log.h"
#include "mem-internal.h"
#include "proc-parse.h"

#ifndef UFFD_FEATURE_MOVE
#define UFFD_FEATURE_MOVE (1 << 16)
struct uffdio_move {
	uint64_t dst, src, len, mode;
	int64_t move;
};
#define UFFDIO_MOVE _IOWR(UFFDIO, 0x05, struct uffdio_move)
#endif
#ifndef UFFD_USER_MODE_ONLY
#define UFFD_USER_MODE_ONLY 1
#endif
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

/* each move call has a fixed cost: 128 MiB calls ran 4% faster than 32 MiB, 8 MiB 20% slower */
#define THP_STAGE (128UL << 20)

/* Whether huge pages could be moved in; nothing is set up until they are. */
void thp_filler_init(struct thp_filler *tf, const struct mm_state *mm)
{
	const struct kdat *k = kdat_get();

	tf->uffd = -1;
	tf->stage = NULL;
	tf->usable = k->has_uffd_move && k->thp != KDAT_THP_NEVER && !mm->thp_disabled;
}

/* The userfaultfd and the staging area, made when the first chunk needs them. */
int thp_filler_start(struct thp_filler *tf)
{
	struct uffdio_api api = { .api = UFFD_API, .features = UFFD_FEATURE_MOVE };
	void *m;

	if (tf->stage)
		return 0;
	tf->uffd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK | UFFD_USER_MODE_ONLY);
	if (tf->uffd < 0)
		tf->uffd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (tf->uffd < 0 || ioctl(tf->uffd, UFFDIO_API, &api))
		goto off;
	m = mmap(NULL, THP_STAGE + PMD_SIZE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (m == MAP_FAILED)
		goto off;
	tf->stage_map = m;
	tf->stage = (char *)ALIGN_UP((uint64_t)m, PMD_SIZE);
	if (madvise(tf->stage, THP_STAGE, MADV_HUGEPAGE))
		goto off;
	return 0;
off:
	pr_debug("moving huge pages in is not available; 4 KiB faults it is\n");
	thp_filler_fini(tf);
	tf->usable = false;
	return -1;
}

void thp_filler_fini(struct thp_filler *tf)
{
	if (tf->uffd >= 0)
		close(tf->uffd);	/* also unregisters what is left */
	if (tf->stage)
		munmap(tf->stage_map, THP_STAGE + PMD_SIZE);
	tf->uffd = -1;
	tf->stage = NULL;
}

bool thp_filler_ok(const struct thp_filler *tf, const struct vma *v)
{
	return tf->usable && (v->status & VMA_ANON_PRIVATE) && !(v->flags & MAP_GROWSDOWN) &&
	       !(proc_vmflags_of(v) & VMF_NH);
}

/* Pages of any private anonymous area may be copied in (UFFDIO_COPY, 4 KiB). */
bool thp_filler_copy_ok(const struct thp_filler *tf, const struct vma *v)
{
	return tf->usable && (v->status & VMA_ANON_PRIVATE);
}

/* The destination must be registered for UFFDIO_MOVE; its flags come back after. */
int thp_filler_register(struct thp_filler *tf, uint64_t addr, uint64_t len)
{
	struct uffdio_register reg = { .range = { addr, len },
				       .mode = UFFDIO_REGISTER_MODE_MISSING };

	if (ioctl(tf->uffd, UFFDIO_REGISTER, &reg)) {
		pr_pwarn("can't register %llx for moving huge pages in",
			 (unsigned long long)addr);
		return -1;
	}
	return 0;
}

void thp_filler_unregister(struct thp_filler *tf, uint64_t addr, uint64_t len)
{
	struct uffdio_range r = { addr, len };

	if (ioctl(tf->uffd, UFFDIO_UNREGISTER, &r))
		pr_pwarn("can't unregister %llx", (unsigned long long)addr);
}

int mem_pread_full(int fd, char *dst, uint64_t len, uint64_t off)
{
	while (len) {
		ssize_t n = pread(fd, dst, len > (1UL << 30) ? (1UL << 30) : len, off);

		if (n <= 0) {
			pr_perror("can't read pages at offset %llu", (unsigned long long)off);
			return -1;
		}
		dst += n;
		off += n;
		len -= n;
	}
	return 0;
}

/* dst and len are 2 MiB aligned; the data is at off in fd. */
int thp_fill(struct thp_filler *tf, int fd, uint64_t dst, uint64_t len, uint64_t off)
{
	while (len) {
		uint64_t n = min(len, THP_STAGE);
		struct uffdio_move mv = { dst, (uint64_t)tf->stage, n, 0, 0 };

		/* allocating the huge pages up front beats faulting them in read() */
		if (madvise(tf->stage, n, MADV_POPULATE_WRITE)) {
			pr_perror("can't populate the staging area");
			return -1;
		}
		if (mem_pread_full(fd, tf->stage, n, off))
			return -1;
		if (ioctl(tf->uffd, UFFDIO_MOVE, &mv) || mv.move != (int64_t)n) {
			pr_perror("can't move %llu bytes of pages to %llx (moved %lld)",
				  (unsigned long long)n, (unsigned long long)dst,
				  (long long)mv.move);
			return -1;
		}
		dst += n;
		off += n;
		len -= n;
	}
	return 0;
}

/*
 * 4 KiB pages for registered areas: len bytes at off in fd read into the
 * staging area (its first huge page, which the huge chunks use next), to
 * be put in place with thp_copy_staged().
 */
int thp_stage_read(struct thp_filler *tf, int fd, uint64_t len, uint64_t off)
{
	if (madvise(tf->stage, len, MADV_POPULATE_WRITE)) {
		pr_perror("can't populate the staging area");
		return -1;
	}
	return mem_pread_full(fd, tf->stage, len, off);
}

/*
 * UFFDIO_COPY fills each new page without zeroing it first and without a
 * fault per page: 2 us a page here for 32 pages in one call (6-9 us for a
 * page alone), against 12-20 us for MADV_POPULATE_WRITE and read().
 */
int thp_copy_staged(struct thp_filler *tf, uint64_t dst, uint64_t at, uint64_t len)
{
	struct uffdio_copy cp = { .dst = dst, .src = (uint64_t)tf->stage + at, .len = len };

	/* EAGAIN: the address space changed under the copy; go on from where it stopped */
	while (ioctl(tf->uffd, UFFDIO_COPY, &cp)) {
		if (errno != EAGAIN || cp.copy <= 0) {
			pr_perror("can't copy %llu bytes of pages to %llx",
				  (unsigned long long)cp.len, (unsigned long long)cp.dst);
			return -1;
		}
		cp.dst += cp.copy;
		cp.src += cp.copy;
		cp.len -= cp.copy;
		cp.copy = 0;
	}
	return 0;
}
