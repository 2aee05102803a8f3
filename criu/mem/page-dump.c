// SPDX-License-Identifier: GPL-2.0
/*
 * Copy the pages of a seized task into pages-N.img and describe them in
 * pagemap-PID.img. Only pages that exist are copied (pagemap: present or
 * swapped, and for private file maps only the COWed anonymous ones), in
 * batches of up to PW_BUF_PAGES; all-zero anonymous pages are dropped.
 * Writer threads write the batches while the next ones are copied.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define LOG_PREFIX "mem: "
#include "common/page.h"
#include "image.h"
#include "images.h"
#include "log.h"
#include "mem.h"
#include "mem-internal.h"

#define PM_PRESENT	(1ULL << 63)
#define PM_SWAP		(1ULL << 62)
#define PM_FILE		(1ULL << 61)

struct page_dump {
	pid_t pid;
	int pagemap_fd, mem_fd;
	struct img *pagemap, *pages;
	struct page_writer pw;
	struct pw_buf *cur;	/* the batch being filled */
	uint64_t *pm;
	struct iovec *riov;
	/* the pagemap entry being grown */
	uint64_t run_vaddr, run_pages;
	struct mem_dump_stats *st;
};

bool mem_vma_has_pages(const struct vma *v)
{
	if (v->status & VMA_SPECIAL)
		return false;
	return v->status & (VMA_ANON_PRIVATE | VMA_ANON_SHARED | VMA_FILE_PRIVATE);
}

bool mem_vma_is_anon(const struct vma *v)
{
	return v->status & (VMA_ANON_PRIVATE | VMA_ANON_SHARED);
}

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000ULL + ts.tv_nsec / 1000;
}

static bool page_is_zero(const uint8_t *p)
{
	const uint64_t *w = (const uint64_t *)p;

	for (size_t i = 0; i < PAGE_SIZE / 8; i += 8)
		if (w[i] | w[i + 1] | w[i + 2] | w[i + 3] | w[i + 4] | w[i + 5] | w[i + 6] |
		    w[i + 7])
			return false;
	return true;
}

static bool page_wanted(const struct vma *v, uint64_t pm)
{
	if (pm & PM_SWAP)
		return true;
	if (!(pm & PM_PRESENT))
		return false;
	/* in a private file map only COWed (anonymous) pages differ from the file */
	if (v->status & VMA_FILE_PRIVATE)
		return !(pm & PM_FILE);
	return true;
}

static int flush_entry(struct page_dump *pd)
{
	PagemapEntry pe = PAGEMAP_ENTRY__INIT;

	if (!pd->run_pages)
		return 0;
	pe.vaddr = pd->run_vaddr;
	pe.nr_pages = pd->run_pages;
	pe.has_flags = 1;
	pe.flags = PE_PRESENT;
	pd->run_pages = 0;
	return img_write_entry(pd->pagemap, &pe);
}

static int emit_pages(struct page_dump *pd, uint64_t vaddr, const uint8_t *data, size_t n)
{
	if (!n)
		return 0;
	if (pd->run_pages && pd->run_vaddr + pd->run_pages * PAGE_SIZE != vaddr &&
	    flush_entry(pd))
		return -1;
	if (!pd->run_pages)
		pd->run_vaddr = vaddr;
	pd->run_pages += n;
	pd->st->pages_written += n;
	pw_add(pd->cur, data, n * PAGE_SIZE);
	return 0;
}

/* Copy the wanted pages of [addr, addr + nr pages) into buf, packed. */
static ssize_t copy_batch(struct page_dump *pd, const struct vma *v, uint64_t addr, int nr,
			  uint64_t *vaddrs)
{
	int niov = 0, npages = 0;
	size_t want = 0;
	ssize_t got;

	for (int i = 0; i < nr; i++) {
		uint64_t a = addr + (uint64_t)i * PAGE_SIZE;

		if (!page_wanted(v, pd->pm[i]))
			continue;
		vaddrs[npages++] = a;
		if (niov && (uint64_t)pd->riov[niov - 1].iov_base + pd->riov[niov - 1].iov_len == a)
			pd->riov[niov - 1].iov_len += PAGE_SIZE;
		else
			pd->riov[niov++] = (struct iovec){ (void *)a, PAGE_SIZE };
		want += PAGE_SIZE;
	}
	if (!npages)
		return 0;
	if (v->prot & PROT_READ) {
		struct iovec liov = { pd->cur->data, want };

		got = process_vm_readv(pd->pid, &liov, 1, pd->riov, niov, 0);
		if (got == (ssize_t)want)
			return npages;
	}
	/* unreadable areas (or a short copy): /proc/PID/mem forces access */
	size_t off = 0;

	for (int i = 0; i < niov; i++) {
		got = pread(pd->mem_fd, pd->cur->data + off, pd->riov[i].iov_len,
			    (off_t)(uint64_t)pd->riov[i].iov_base);
		if (got != (ssize_t)pd->riov[i].iov_len) {
			pr_perror("can't read memory of task %d at %p", pd->pid,
				  pd->riov[i].iov_base);
			return -1;
		}
		off += got;
	}
	return npages;
}

static int dump_vma(struct page_dump *pd, const struct vma *v, uint64_t *vaddrs)
{
	bool anon = mem_vma_is_anon(v);

	for (uint64_t addr = v->start; addr < v->end;) {
		int nr = min((v->end - addr) / PAGE_SIZE, (uint64_t)PW_BUF_PAGES);
		size_t len = nr * sizeof(uint64_t);
		ssize_t n;

		if (pread(pd->pagemap_fd, pd->pm, len, addr / PAGE_SIZE * 8) != (ssize_t)len) {
			pr_perror("can't read the pagemap of task %d at %lx", pd->pid,
				  (unsigned long)addr);
			return -1;
		}
		pd->st->pages_scanned += nr;
		uint64_t t0 = now_us();

		pd->cur = pw_get_buf(&pd->pw);
		uint64_t t1 = now_us();

		n = copy_batch(pd, v, addr, nr, vaddrs);
		if (n < 0) {
			pw_put_buf(&pd->pw, pd->cur);
			return -1;
		}
		uint64_t t2 = now_us();

		pd->st->memdump_us += t2 - t1;
		/* write runs of consecutive kept pages */
		for (ssize_t i = 0; i < n;) {
			ssize_t j = i;

			if (anon && page_is_zero(pd->cur->data + i * PAGE_SIZE)) {
				pd->st->pages_zero++;
				i++;
				continue;
			}
			while (j + 1 < n && vaddrs[j + 1] == vaddrs[j] + PAGE_SIZE &&
			       !(anon && page_is_zero(pd->cur->data + (j + 1) * PAGE_SIZE)))
				j++;
			if (emit_pages(pd, vaddrs[i], pd->cur->data + i * PAGE_SIZE, j - i + 1)) {
				pw_put_buf(&pd->pw, pd->cur);
				return -1;
			}
			i = j + 1;
		}
		if (pw_submit(&pd->pw, pd->cur))
			return -1;
		/* what the writers did not hide: waiting for a buffer, checking for zeros */
		pd->st->memwrite_us += (t1 - t0) + (now_us() - t2);
		addr += (uint64_t)nr * PAGE_SIZE;
	}
	return 0;
}

static int open_proc(pid_t pid, const char *name)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", pid, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		pr_perror("can't open %s", path);
	return fd;
}

int mem_dump_pages(pid_t pid, const struct mm_state *mm, int dirfd, unsigned long pages_id,
		   struct mem_dump_stats *st)
{
	struct page_dump pd = { .pid = pid, .pagemap_fd = -1, .mem_fd = -1, .st = st };
	PagemapHead head = PAGEMAP_HEAD__INIT;
	uint64_t *vaddrs = NULL, t0;
	bool writing = false;
	int ret = -1, fd;

	pd.pm = malloc(PW_BUF_PAGES * sizeof(uint64_t));
	pd.riov = malloc(PW_BUF_PAGES * sizeof(struct iovec));
	vaddrs = malloc(PW_BUF_PAGES * sizeof(uint64_t));
	if (!pd.pm || !pd.riov || !vaddrs) {
		pr_err("out of memory for the page buffer\n");
		goto out;
	}
	pd.pagemap_fd = open_proc(pid, "pagemap");
	pd.mem_fd = open_proc(pid, "mem");
	if (pd.pagemap_fd < 0 || pd.mem_fd < 0)
		goto out;
	pd.pagemap = img_open(dirfd, IMG_PAGEMAP, O_WRONLY, pid);
	pd.pages = img_open(dirfd, IMG_PAGES, O_WRONLY, pages_id);
	if (!pd.pagemap || !pd.pages || (fd = img_raw_fd(pd.pages)) < 0 ||
	    pw_start(&pd.pw, fd, 0, img_name(pd.pages)))
		goto out;
	writing = true;
	head.pages_id = pages_id;
	if (img_write_entry_as(pd.pagemap, &pagemap_head__descriptor, &head))
		goto out;
	for (int i = 0; i < mm->nr_vmas; i++)
		if (mem_vma_has_pages(&mm->vmas[i]) && dump_vma(&pd, &mm->vmas[i], vaddrs))
			goto out;
	ret = flush_entry(&pd);
out:
	t0 = now_us();
	if (writing && pw_finish(&pd.pw))
		ret = -1;
	st->memwrite_us += now_us() - t0;
	if (img_close(pd.pagemap))
		ret = -1;
	if (img_close(pd.pages))
		ret = -1;
	if (pd.pagemap_fd >= 0)
		close(pd.pagemap_fd);
	if (pd.mem_fd >= 0)
		close(pd.mem_fd);
	free(pd.pm);
	free(pd.riov);
	free(vaddrs);
	return ret;
}
