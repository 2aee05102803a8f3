// SPDX-License-Identifier: GPL-2.0
/*
 * Check pagemap-PID.img before any task exists: every run of pages lies in
 * an area whose pages come from the image, runs are in order, and the pages
 * image holds exactly the pages they describe.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOG_PREFIX "mem: "
#include "common/page.h"
#include "image.h"
#include "images.h"
#include "log.h"
#include "mem.h"
#include "mem-internal.h"

#define MAX_PAGES_ID (1u << 22)

static int check_run(const struct mm_state *mm, const PagemapEntry *pe, uint64_t prev_end,
		     const char *img)
{
	uint64_t vaddr = pe->vaddr, left = pe->nr_pages;

	if (!pe->nr_pages || pe->vaddr & ~PAGE_MASK || pe->vaddr < prev_end ||
	    pe->nr_pages > (1ULL << 40) / PAGE_SIZE) {
		pr_err("%s: run of %u pages at %llx is empty, unaligned or out of order\n", img,
		       pe->nr_pages, (unsigned long long)pe->vaddr);
		return -1;
	}
	if ((pe->has_in_parent && pe->in_parent) || !pe->has_flags ||
	    (pe->flags & (PE_PARENT | PE_LAZY)) || !(pe->flags & PE_PRESENT)) {
		pr_err("%s: run at %llx has flags 0x%x: incremental and lazy dumps are not "
		       "supported\n", img, (unsigned long long)pe->vaddr,
		       pe->has_flags ? pe->flags : 0);
		return -1;
	}
	/* a run may cross into the next area when the areas touch */
	for (int i = 0; i < mm->nr_vmas && left; i++) {
		const struct vma *v = &mm->vmas[i];

		if (vaddr < v->start || vaddr >= v->end)
			continue;
		if (!mem_vma_has_pages(v))
			break;
		uint64_t n = (v->end - vaddr) / PAGE_SIZE;

		n = n < left ? n : left;
		vaddr += n * PAGE_SIZE;
		left -= n;
	}
	if (left) {
		pr_err("%s: pages at %llx lie outside any area that holds dumped pages\n", img,
		       (unsigned long long)vaddr);
		return -1;
	}
	return 0;
}

static int keep_run(struct mem_pagemap *pmap, const PagemapEntry *pe)
{
	if (pmap->nr == pmap->cap) {
		int cap = pmap->cap ? 2 * pmap->cap : 64;
		struct mem_run *n = realloc(pmap->runs, cap * sizeof(*n));

		if (!n) {
			pr_err("out of memory keeping the pagemap\n");
			return -1;
		}
		pmap->runs = n;
		pmap->cap = cap;
	}
	pmap->runs[pmap->nr++] = (struct mem_run){ pe->vaddr, pe->nr_pages };
	return 0;
}

int mem_check_pages(int dirfd, pid_t pid, const struct mm_state *mm, struct mem_pagemap *pmap)
{
	struct img *pm = img_open(dirfd, IMG_PAGEMAP, O_RDONLY, pid), *pages = NULL;
	uint64_t total = 0, prev_end = 0;
	PagemapHead *head = NULL;
	void *msg;
	int r = -1;

	memset(pmap, 0, sizeof(*pmap));
	if (!pm)
		return -1;
	if (img_read_entry_as(pm, &pagemap_head__descriptor, (void **)&head) != 1 ||
	    head->pages_id == 0 || head->pages_id > MAX_PAGES_ID) {
		pr_err("%s: missing or bad head\n", img_name(pm));
		goto out;
	}
	pmap->pages_id = head->pages_id;
	pages = img_open(dirfd, IMG_PAGES, O_RDONLY, head->pages_id);
	if (!pages)
		goto out;
	while ((r = img_read_entry(pm, &msg)) == 1) {
		PagemapEntry *pe = msg;

		r = check_run(mm, pe, prev_end, img_name(pm));
		if (!r)
			r = keep_run(pmap, pe);
		prev_end = pe->vaddr + (uint64_t)pe->nr_pages * PAGE_SIZE;
		total += pe->nr_pages;
		img_free(IMG_PAGEMAP, msg);
		if (r)
			break;
	}
	if (r == 0 && (uint64_t)img_raw_left(pages) != total * PAGE_SIZE) {
		pr_err("%s holds %lld bytes, %s describes %llu pages (%llu bytes): the pages "
		       "image is truncated or corrupt\n", img_name(pages),
		       (long long)img_raw_left(pages), img_name(pm), (unsigned long long)total,
		       (unsigned long long)(total * PAGE_SIZE));
		r = -1;
	}
	pmap->nr_pages = total;
out:
	if (head)
		img_free_entry(&pagemap_head__descriptor, head);
	img_close(pm);
	img_close(pages);
	if (r)
		mem_pagemap_free(pmap);
	return r;
}

void mem_pagemap_free(struct mem_pagemap *pmap)
{
	free(pmap->runs);
	memset(pmap, 0, sizeof(*pmap));
}
