// SPDX-License-Identifier: GPL-2.0
/*
 * Restore side of memory, in the restoring task (ordinary C, libc still
 * here): every dumped area is mapped at its own address when that is free
 * in criu's layout, else into one premap region free in both the dumped
 * layout and ours, keeping its 2 MiB alignment so huge pages survive the
 * move; then filled straight from the pages image. The restorer only moves
 * the premapped areas into place.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/uio.h>
#include <unistd.h>

#define LOG_PREFIX "mem: "
#include "common/page.h"
#include "fault.h"
#include "files.h"
#include "image.h"
#include "images.h"
#include "kdat.h"
#include "log.h"
#include "mem.h"
#include "mem-internal.h"
#include "proc-parse.h"
#include "stats.h"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif
#ifndef PR_SET_VMA
#define PR_SET_VMA 0x53564d41
#define PR_SET_VMA_ANON_NAME 0
#endif

static bool premapped(const struct vma *v)
{
	return !(v->status & VMA_SPECIAL);
}

/* Below criu's stack: room it may still grow into, kept free of areas. */
#define STACK_ROOM (64ULL << 20)

/*
 * An area whose own address is free here is mapped there at once: the
 * restorer has nothing to move then (moving cost ~1 ms a task on a VM
 * where every page table change is a trap).
 */
static bool map_in_place(const struct mem_layout *own, const struct vma *v)
{
	uint64_t len = v->end - v->start;
	void *m;

	if (fault_injected(FI_RESTORE_NO_IN_PLACE))
		return false;
	if (own->stack.end && v->start < own->stack.end + PMD_SIZE &&
	    v->end + STACK_ROOM > own->stack.start)
		return false;
	m = mmap((void *)v->start, len, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);
	if (m == (void *)v->start)
		return true;
	/* a kernel before 4.17 takes the address as a hint */
	if (m != MAP_FAILED)
		munmap(m, len);
	return false;
}

/*
 * The areas not mapped in place (home[i]) get a slot of the premap region,
 * congruent to the area mod 2 MiB so that its huge pages survive the move:
 * slot[i] is its offset there. Returns the bytes the region needs.
 */
static uint64_t layout_slots(const struct mm_state *mm, const bool *home, uint64_t *slot)
{
	uint64_t off = 0;

	for (int i = 0; i < mm->nr_vmas; i++) {
		const struct vma *v = &mm->vmas[i];

		if (!premapped(v) || home[i])
			continue;
		uint64_t want = v->start % PMD_SIZE;

		off += (want - off % PMD_SIZE + PMD_SIZE) % PMD_SIZE;
		slot[i] = off;
		off += v->end - v->start;
	}
	return off ? off + PMD_SIZE : 0;
}

/*
 * Map area v at addr: writable if it has pages to fill, else with its own
 * protection at once. Returns the protection it got, or -1.
 */
static int map_area(const struct vma *v, uint64_t addr, bool filled, int dirfd,
		    struct file_ids *files, const struct mem_shmem_set *shmem)
{
	uint64_t len = v->end - v->start;
	int flags = MAP_FIXED | (v->flags & (MAP_GROWSDOWN | MAP_NORESERVE));
	int prot = filled ? PROT_READ | PROT_WRITE : (int)v->prot, fd = -1;
	void *m;

	if (v->status & VMA_ANON_SHARED) {
		if (mem_shmem_map(shmem, v, addr))
			return -1;
		m = (void *)addr;
		prot = PROT_READ | PROT_WRITE;	/* criu's own mapping of the object */
		goto advise;
	}
	if (v->status & (VMA_FILE_PRIVATE | VMA_FILE_SHARED)) {
		fd = files_open(files, dirfd, v->file_id);
		if (fd < 0)
			return -1;
		flags |= v->flags & (MAP_SHARED | MAP_PRIVATE);
		if (v->status & VMA_FILE_SHARED)
			prot = v->prot;	/* nothing to write: its pages are the file's */
	} else {
		flags |= MAP_ANONYMOUS | (v->flags & (MAP_SHARED | MAP_PRIVATE));
	}
	m = mmap((void *)addr, len, prot, flags, fd, fd >= 0 ? (off_t)v->pgoff : 0);
	if (fd >= 0)
		close(fd);
	if (m != (void *)addr) {
		pr_perror("can't map area %llx-%llx", (unsigned long long)v->start,
			  (unsigned long long)v->end);
		return -1;
	}
advise:
	for (int adv = 0; adv < 64; adv++)
		if (v->madv & (1ULL << adv) && madvise(m, len, adv)) {
			pr_perror("can't apply madvise %d to area %llx", adv,
				  (unsigned long long)v->start);
			return -1;
		}
	if (v->anon_name && prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, m, len, v->anon_name))
		pr_pwarn("can't name area %llx '%s'", (unsigned long long)v->start, v->anon_name);
	return prot;
}

static int find_vma(const struct mm_state *mm, uint64_t addr)
{
	int lo = 0, hi = mm->nr_vmas - 1;

	while (lo <= hi) {
		int mid = (lo + hi) / 2;

		if (addr < mm->vmas[mid].start)
			hi = mid - 1;
		else if (addr >= mm->vmas[mid].end)
			lo = mid + 1;
		else
			return mid;
	}
	return -1;
}

uint32_t proc_vmflags_of(const struct vma *v)
{
	return proc_parse_vmflags(v->vmflags_str);
}

/* A stretch of pages: where it goes, how long, where its data is in the image. */
struct seg {
	uint64_t dst, len, off;
	int vma;
	bool thp;
	bool copy;	/* 4 KiB, with UFFDIO_COPY (set once the staging area exists) */
};

struct segs {
	int nr, cap;
	struct seg *s;
};

static int add_seg(struct segs *ss, uint64_t dst, uint64_t len, uint64_t off, int vma, bool thp)
{
	if (!len)
		return 0;
	if (ss->nr == ss->cap) {
		struct seg *n = realloc(ss->s, (ss->cap = ss->cap ? 2 * ss->cap : 64) * sizeof(*n));

		if (!n)
			return -1;
		ss->s = n;
	}
	ss->s[ss->nr++] = (struct seg){ dst, len, off, vma, thp, false };
	return 0;
}

/* Whole 2 MiB chunks of an area that may hold huge pages go the fast way. */
static int split_seg(struct segs *ss, const struct thp_filler *tf, const struct vma *v, int vi,
		     uint64_t dst, uint64_t len, uint64_t off)
{
	uint64_t head, body;

	if (!thp_filler_ok(tf, v))
		return add_seg(ss, dst, len, off, vi, false);
	head = min(len, ALIGN_UP(dst, PMD_SIZE) - dst);
	body = ALIGN_DOWN(len - head, PMD_SIZE);
	return add_seg(ss, dst, head, off, vi, false) ||
	       add_seg(ss, dst + head, body, off + head, vi, true) ||
	       add_seg(ss, dst + head + body, len - head - body, off + head + body, vi, false);
}

static int read_segs(const struct mem_pagemap *pmap, const struct mm_state *mm,
		     const uint64_t *at, const struct thp_filler *tf, struct segs *ss)
{
	uint64_t off = 0;

	for (int k = 0; k < pmap->nr; k++) {
		uint64_t vaddr = pmap->runs[k].vaddr, left = pmap->runs[k].nr_pages;

		/* a run may cross into the next area when the areas touch */
		while (left) {
			int i = find_vma(mm, vaddr);
			uint64_t n = min(left, (mm->vmas[i].end - vaddr) / PAGE_SIZE);
			uint64_t dst = at[i] + (vaddr - mm->vmas[i].start);

			if (split_seg(ss, tf, &mm->vmas[i], i, dst, n * PAGE_SIZE, off))
				return -1;
			off += n * PAGE_SIZE;
			vaddr += n * PAGE_SIZE;
			left -= n;
		}
	}
	return 0;
}

/* preadv() until every byte of iov is read (it is changed on the way). */
static int preadv_full(int fd, struct iovec *iov, int n, uint64_t off)
{
	while (n) {
		ssize_t r = preadv(fd, iov, n, off);

		if (r <= 0) {
			pr_perror("can't read pages at offset %llu", (unsigned long long)off);
			return -1;
		}
		off += r;
		mem_iov_advance(&iov, &n, r);
	}
	return 0;
}

/*
 * The 4 KiB stretches from k on that follow each other in the image, up
 * to SMALL_BATCH (a small array: every new page of stack is a fault in a
 * restoring task): populated one by one (faulting pages in one by one inside
 * read() is the slow path here), then read with one preadv(). Returns how
 * many stretches it filled, -1 on error.
 */
#define SMALL_BATCH 64

static int fill_small(int fd, const struct segs *ss, int k)
{
	static int populate = -1;
	struct iovec iov[SMALL_BATCH];
	uint64_t off = ss->s[k].off;
	int n = 0;

	if (populate < 0)
		populate = kdat_get()->madv_populate_write.res == PROBE_OK;
	for (int j = k; j < ss->nr && n < SMALL_BATCH && !ss->s[j].thp && !ss->s[j].copy; j++) {
		const struct seg *sg = &ss->s[j];

		if (n && sg->off != ss->s[j - 1].off + ss->s[j - 1].len)
			break;
		if (populate && madvise((void *)sg->dst, sg->len, MADV_POPULATE_WRITE))
			populate = 0;
		iov[n++] = (struct iovec){ (void *)sg->dst, sg->len };
	}
	return preadv_full(fd, iov, n, off) ? -1 : n;
}

/*
 * The 4 KiB stretches from *k on, in one area, that follow each other in
 * the image: read with one call, then copied in one by one (*k is left at
 * the last one). A stretch longer than the staging huge page goes by parts.
 */
static int copy_small(int fd, const struct segs *ss, int *k, struct thp_filler *tf)
{
	const struct seg *sg = &ss->s[*k];
	uint64_t len = sg->len, at = 0;
	int j = *k;

	if (len > PMD_SIZE) {
		for (; at < sg->len; at += len) {
			len = min(sg->len - at, PMD_SIZE);
			if (thp_stage_read(tf, fd, len, sg->off + at) ||
			    thp_copy_staged(tf, sg->dst + at, 0, len))
				return -1;
		}
		return 0;
	}
	while (j + 1 < ss->nr && ss->s[j + 1].copy && ss->s[j + 1].vma == sg->vma &&
	       ss->s[j + 1].off == ss->s[j].off + ss->s[j].len && len + ss->s[j + 1].len <= PMD_SIZE)
		len += ss->s[++j].len;
	if (thp_stage_read(tf, fd, len, sg->off))
		return -1;
	for (; *k <= j; at += ss->s[(*k)++].len)
		if (thp_copy_staged(tf, ss->s[*k].dst, at, ss->s[*k].len))
			return -1;
	(*k)--;
	return 0;
}

/*
 * The huge-page chunks (huge), or else the 4 KiB stretches that go by
 * UFFDIO_COPY, with every area they go to registered (after the other small
 * stretches: a registered area must not take faults, nobody would answer
 * them). The copies go first, all through the staging area's first huge
 * page, which the first huge chunk then uses: one more huge page for the
 * stretches after a chunk would cost more than their faults.
 */
static int fill_registered(int fd, const struct segs *ss, const struct mm_state *mm,
			   const uint64_t *at, struct thp_filler *tf, bool huge)
{
	int ret = 0, last = -1;

	for (int k = 0; k < ss->nr && !ret; k++) {
		const struct seg *sg = &ss->s[k];
		const struct vma *v = &mm->vmas[sg->vma];

		if (huge ? !sg->thp : !sg->copy)
			continue;
		if (sg->vma != last) {
			if (last >= 0)
				thp_filler_unregister(tf, at[last],
						      mm->vmas[last].end - mm->vmas[last].start);
			last = sg->vma;
			if (thp_filler_register(tf, at[last], v->end - v->start))
				return -1;
		}
		if (huge)
			ret = thp_fill(tf, fd, sg->dst, sg->len, sg->off);
		else
			ret = copy_small(fd, ss, &k, tf);
	}
	if (last >= 0)
		thp_filler_unregister(tf, at[last], mm->vmas[last].end - mm->vmas[last].start);
	return ret;
}

/* The stretches of pages a task's image holds, laid out before any area is mapped. */
struct fill_plan {
	struct img *pages;
	int fd;
	struct segs ss;
	struct thp_filler tf;
};

static void plan_free(struct fill_plan *fp)
{
	thp_filler_fini(&fp->tf);
	free(fp->ss.s);
	img_close(fp->pages);
}

static int plan_fill(int dirfd, const struct mm_state *mm, const struct mem_pagemap *pmap,
		     const uint64_t *at, struct fill_plan *fp)
{
	memset(fp, 0, sizeof(*fp));
	thp_filler_init(&fp->tf, mm);
	fp->pages = img_open(dirfd, IMG_PAGES, O_RDONLY, pmap->pages_id);
	if (!fp->pages || (fp->fd = img_raw_fd(fp->pages)) < 0)
		return -1;
	return read_segs(pmap, mm, at, &fp->tf, &fp->ss);
}

/*
 * The staging area costs a huge page (~130 us to zero here): worth making
 * for the huge chunks, or for this many 4 KiB pages to copy (~9 us saved
 * on each against populating and reading them in).
 */
#define COPY_MIN_PAGES 32

static int run_fill(struct fill_plan *fp, const struct mm_state *mm, const uint64_t *at,
		    struct mem_restore *mr)
{
	struct segs *ss = &fp->ss;
	uint64_t copies = 0;
	bool huge = false;

	for (int k = 0; k < ss->nr; k++) {
		huge |= ss->s[k].thp;
		if (!ss->s[k].thp && thp_filler_copy_ok(&fp->tf, &mm->vmas[ss->s[k].vma]))
			copies += ss->s[k].len / PAGE_SIZE;
	}
	/* no staging area after all: the huge chunks go the 4 KiB way */
	if ((huge || copies >= COPY_MIN_PAGES) && thp_filler_start(&fp->tf))
		for (int k = 0; k < ss->nr; k++)
			ss->s[k].thp = false;
	for (int k = 0; k < ss->nr; k++)
		ss->s[k].copy = fp->tf.stage && !ss->s[k].thp &&
				thp_filler_copy_ok(&fp->tf, &mm->vmas[ss->s[k].vma]);
	for (int k = 0; k < ss->nr;) {
		int n = ss->s[k].thp || ss->s[k].copy ? 1 : fill_small(fp->fd, ss, k);

		if (n < 0)
			return -1;
		for (; n; n--, k++)
			mr->pages_restored += ss->s[k].len / PAGE_SIZE;
	}
	return fill_registered(fp->fd, ss, mm, at, &fp->tf, false) ||
	       fill_registered(fp->fd, ss, mm, at, &fp->tf, true);
}

static int finish_area(const struct vma *v, uint64_t addr, int mapped_prot)
{
	uint64_t len = v->end - v->start;

	if (mapped_prot != (int)v->prot && mprotect((void *)addr, len, v->prot)) {
		pr_perror("can't protect area %llx", (unsigned long long)v->start);
		return -1;
	}
	if ((proc_parse_vmflags(v->vmflags_str) & VMF_LO) && mlock((void *)addr, len)) {
		pr_perror("can't lock area %llx in memory", (unsigned long long)v->start);
		return -1;
	}
	return 0;
}

int mem_premap(int dirfd, const struct mm_state *mm, const struct mem_pagemap *pmap,
	       const struct mem_layout *own, struct file_ids *files,
	       const struct mem_shmem_set *shmem, struct mem_restore *mr)
{
	/*
	 * One block for the four arrays: in a restoring task each malloc walks
	 * free chunks on pages shared with criu, a copy-on-write fault for each
	 * new page it touches.
	 */
	size_t n = mm->nr_vmas + 1;
	uint64_t *at = calloc(n, sizeof(uint64_t) + sizeof(int) + 2 * sizeof(bool));
	uint64_t len, base = 0, t0 = stats_now_us();
	bool *home, *filled;
	int *prot;
	struct fill_plan fp = { .tf.uffd = -1 };
	int ret = -1, nr_home = 0;

	memset(mr, 0, sizeof(*mr));
	mr->moves = calloc(n, sizeof(*mr->moves));
	if (!at || !mr->moves)
		goto out;
	prot = (int *)(at + n);
	home = (bool *)(prot + n);
	filled = home + n;
	for (int i = 0; i < mm->nr_vmas; i++)
		if (premapped(&mm->vmas[i]) && (home[i] = map_in_place(own, &mm->vmas[i])))
			nr_home++;
	len = layout_slots(mm, home, at);
	if (len && mem_reserve_region(own, mm, len, PAGE_SIZE, NULL, 0, &base))
		goto out;
	/* the restorer drops the whole reservation once the areas moved out */
	mr->premap_start = base;
	mr->premap_len = len;
	base = ALIGN_UP(base, PMD_SIZE);
	for (int i = 0; i < mm->nr_vmas; i++)
		if (premapped(&mm->vmas[i]))
			at[i] = home[i] ? mm->vmas[i].start : base + at[i];
	if (plan_fill(dirfd, mm, pmap, at, &fp))
		goto out;
	for (int k = 0; k < fp.ss.nr; k++)
		filled[fp.ss.s[k].vma] = true;
	for (int i = 0; i < mm->nr_vmas; i++)
		if (premapped(&mm->vmas[i]) &&
		    (prot[i] = map_area(&mm->vmas[i], at[i], filled[i], dirfd, files, shmem)) < 0)
			goto out;
	if (run_fill(&fp, mm, at, mr))
		goto out;
	for (int i = 0; i < mm->nr_vmas; i++) {
		const struct vma *v = &mm->vmas[i];

		if (!premapped(v))
			continue;
		if (finish_area(v, at[i], prot[i]))
			goto out;
		mr->moves[mr->nr_moves++] = (struct mem_move){ at[i], v->start, v->end - v->start };
	}
	mr->fill_end_us = stats_now_us();
	mr->fill_start_us = t0;
	mr->fill_us = mr->fill_end_us - t0;
	pr_info("task %d: %d areas, %d in place, the others premapped at %llx; %llu pages "
		"in %llu us\n", getpid(), mr->nr_moves, nr_home, (unsigned long long)base,
		(unsigned long long)mr->pages_restored, (unsigned long long)mr->fill_us);
	ret = 0;
out:
	plan_free(&fp);
	free(at);
	return ret;
}

void mem_restore_free(struct mem_restore *mr)
{
	free(mr->moves);
	mr->moves = NULL;
}
