// SPDX-License-Identifier: GPL-2.0
/*
 * The content of a memfd, stored as CRIU stores shared memory:
 * pagemap-shmem-<shmid>.img (a pagemap_head naming a pages-N.img, then runs
 * of pages by offset in the file) and that pages image. Holes and all-zero
 * pages are not stored.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LOG_PREFIX "memfd: "
#include "common/page.h"
#include "image.h"
#include "images.h"
#include "log.h"
#include "memfd.h"

#define CHUNK_PAGES 64
#define MEMFD_MAX_PAGES_ID (1u << 22)	/* as pagemap-PID.img readers accept */
#define PE_PRESENT (1u << 2)
#define PE_PARENT (1u << 0)
#define PE_LAZY (1u << 1)

struct run_writer {
	struct img *pm, *pages;
	uint64_t start;		/* offset of the run being written */
	uint32_t len;		/* its pages so far */
};

static int flush_run(struct run_writer *w)
{
	PagemapEntry pe = PAGEMAP_ENTRY__INIT;

	if (!w->len)
		return 0;
	pe.vaddr = w->start;
	pe.nr_pages = w->len;
	pe.has_flags = 1;
	pe.flags = PE_PRESENT;
	w->len = 0;
	return img_write_entry(w->pm, &pe);
}

static bool zero_page(const unsigned char *p)
{
	static const unsigned char zero[PAGE_SIZE];

	return !memcmp(p, zero, PAGE_SIZE);
}

/* Store the pages of [from, to) that hold something. */
static int write_range(struct run_writer *w, int src, unsigned char *buf, uint64_t from,
		       uint64_t to)
{
	for (uint64_t pos = from; pos < to;) {
		size_t n = to - pos < CHUNK_PAGES * PAGE_SIZE ? to - pos : CHUNK_PAGES * PAGE_SIZE;
		ssize_t r = pread(src, buf, n, pos);

		if (r < 0) {
			pr_perror("can't read the memfd at %llu", (unsigned long long)pos);
			return -1;
		}
		memset(buf + r, 0, n - r);	/* the tail of the last page */
		for (size_t off = 0; off < n; off += PAGE_SIZE) {
			if (zero_page(buf + off)) {
				if (flush_run(w))
					return -1;
				continue;
			}
			if (!w->len)
				w->start = pos + off;
			w->len++;
			if (img_write_raw(w->pages, buf + off, PAGE_SIZE))
				return -1;
		}
		pos += n;
	}
	return 0;
}

/* pages-N.img ids of the tasks are taken by now: use the first one free. */
static uint32_t free_pages_id(int dirfd)
{
	for (uint32_t id = 1; id <= MEMFD_MAX_PAGES_ID; id++)
		if (!img_exists(dirfd, IMG_PAGES, id))
			return id;
	pr_err("no free pages image id for a memfd\n");
	return 0;
}

static int write_data(struct run_writer *w, int src, uint64_t size)
{
	unsigned char *buf = malloc(CHUNK_PAGES * PAGE_SIZE);
	uint64_t end = PAGE_ALIGN(size), off = 0;
	int ret = -1;

	if (!buf) {
		pr_err("out of memory\n");
		return -1;
	}
	while (off < end) {
		off_t data = lseek(src, off, SEEK_DATA), hole;

		if (data < 0 && errno == ENXIO)
			break;
		hole = data < 0 ? -1 : lseek(src, data, SEEK_HOLE);
		if (hole < 0) {
			pr_perror("can't find the data of the memfd");
			goto out;
		}
		data &= PAGE_MASK;
		hole = PAGE_ALIGN((uint64_t)hole) < end ? PAGE_ALIGN((uint64_t)hole) : end;
		if ((uint64_t)data > off && flush_run(w))
			goto out;
		if (write_range(w, src, buf, data, hole))
			goto out;
		off = hole > data ? (uint64_t)hole : end;
	}
	ret = flush_run(w);
out:
	free(buf);
	return ret;
}

int memfd_write_data(int dirfd, int src, uint64_t size, uint32_t shmid)
{
	PagemapHead head = PAGEMAP_HEAD__INIT;
	struct run_writer w = { 0 };
	int ret = -1;

	head.pages_id = free_pages_id(dirfd);
	if (!head.pages_id)
		return -1;
	w.pm = img_open(dirfd, IMG_SHMEM_PAGEMAP, O_WRONLY, shmid);
	w.pages = img_open(dirfd, IMG_PAGES, O_WRONLY, head.pages_id);
	if (!w.pm || !w.pages)
		goto out;
	if (img_write_entry_as(w.pm, &pagemap_head__descriptor, &head))
		goto out;
	ret = write_data(&w, src, size);
out:
	if (img_close(w.pm))
		ret = -1;
	if (img_close(w.pages))
		ret = -1;
	return ret;
}

static int check_run(const PagemapEntry *pe, uint64_t prev_end, uint64_t size, const char *img)
{
	if (!pe->nr_pages || pe->vaddr & ~PAGE_MASK || pe->vaddr < prev_end ||
	    pe->vaddr > PAGE_ALIGN(size) ||
	    pe->nr_pages > (PAGE_ALIGN(size) - pe->vaddr) / PAGE_SIZE) {
		pr_err("%s: run of %u pages at %llu is empty, unaligned, out of order or beyond "
		       "the memfd's %llu bytes\n", img, pe->nr_pages,
		       (unsigned long long)pe->vaddr, (unsigned long long)size);
		return -1;
	}
	if ((pe->has_in_parent && pe->in_parent) || !pe->has_flags ||
	    pe->flags & (PE_PARENT | PE_LAZY) || !(pe->flags & PE_PRESENT)) {
		pr_err("%s: run at %llu has flags 0x%x: incremental and lazy dumps are not "
		       "supported\n", img, (unsigned long long)pe->vaddr,
		       pe->has_flags ? pe->flags : 0);
		return -1;
	}
	return 0;
}

/* Copy one run from the pages image into fd, not past size. */
static int fill_run(struct img *pages, int fd, const PagemapEntry *pe, uint64_t size,
		    unsigned char *buf)
{
	uint64_t off = pe->vaddr, left = (uint64_t)pe->nr_pages * PAGE_SIZE;

	while (left) {
		size_t n = left < CHUNK_PAGES * PAGE_SIZE ? left : CHUNK_PAGES * PAGE_SIZE;
		size_t w = off + n <= size ? n : size - off;

		if (img_read_raw(pages, buf, n))
			return -1;
		if (pwrite(fd, buf, w, off) != (ssize_t)w) {
			pr_perror("can't fill the memfd at %llu", (unsigned long long)off);
			return -1;
		}
		off += n;
		left -= n;
	}
	return 0;
}

static int read_runs(struct img *pm, struct img *pages, uint64_t size, int fd,
		     uint64_t *total)
{
	unsigned char *buf = fd >= 0 ? malloc(CHUNK_PAGES * PAGE_SIZE) : NULL;
	uint64_t prev_end = 0;
	void *msg;
	int r;

	if (fd >= 0 && !buf) {
		pr_err("out of memory\n");
		return -1;
	}
	*total = 0;
	while ((r = img_read_entry(pm, &msg)) == 1) {
		PagemapEntry *pe = msg;

		r = check_run(pe, prev_end, size, img_name(pm));
		if (!r && fd >= 0)
			r = fill_run(pages, fd, pe, size, buf);
		prev_end = pe->vaddr + (uint64_t)pe->nr_pages * PAGE_SIZE;
		*total += pe->nr_pages;
		img_free(IMG_SHMEM_PAGEMAP, msg);
		if (r)
			break;
	}
	free(buf);
	return r;
}

int memfd_read_data(int dirfd, uint32_t shmid, uint64_t size, int fd)
{
	struct img *pm = img_open(dirfd, IMG_SHMEM_PAGEMAP, O_RDONLY, shmid), *pages = NULL;
	PagemapHead *head = NULL;
	uint64_t total = 0;
	int r = -1;

	if (!pm)
		return -1;
	if (img_read_entry_as(pm, &pagemap_head__descriptor, (void **)&head) != 1 ||
	    head->pages_id == 0 || head->pages_id > MEMFD_MAX_PAGES_ID) {
		pr_err("%s: missing or bad head\n", img_name(pm));
		goto out;
	}
	pages = img_open(dirfd, IMG_PAGES, O_RDONLY, head->pages_id);
	if (!pages)
		goto out;
	r = read_runs(pm, pages, size, fd, &total);
	if (r == 0 && fd < 0 && (uint64_t)img_raw_left(pages) != total * PAGE_SIZE) {
		pr_err("%s holds %lld bytes, %s describes %llu pages\n", img_name(pages),
		       (long long)img_raw_left(pages), img_name(pm), (unsigned long long)total);
		r = -1;
	}
out:
	if (head)
		img_free_entry(&pagemap_head__descriptor, head);
	img_close(pm);
	img_close(pages);
	return r;
}
