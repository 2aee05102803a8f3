/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers shared inside criu/mem/. */
#ifndef CRIU_MEM_MEM_INTERNAL_H
#define CRIU_MEM_MEM_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "common/compiler.h"
#include "mem.h"

struct file_ids;

uint64_t mem_vmflags_to_madv(uint32_t vmflags);
int mem_collect_vmas(pid_t pid, struct file_ids *files, struct mm_state *mm);
/* Areas whose pages live in the image (not in a file, not the kernel's). */
bool mem_vma_has_pages(const struct vma *v);
bool mem_vma_is_anon(const struct vma *v);

#define PMD_SIZE (2UL << 20)

/* VmFlags bits of a restored area (from its image text). */
uint32_t proc_vmflags_of(const struct vma *v);

/* Huge pages moved into place with UFFDIO_MOVE (thp-fill.c). */
struct thp_filler {
	bool usable;		/* the kernel and the task allow it */
	int uffd;
	char *stage;		/* 2 MiB aligned, MADV_HUGEPAGE */
	void *stage_map;
};

void thp_filler_init(struct thp_filler *tf, const struct mm_state *mm);
int thp_filler_start(struct thp_filler *tf) __must_check;
void thp_filler_fini(struct thp_filler *tf);
bool thp_filler_ok(const struct thp_filler *tf, const struct vma *v);
bool thp_filler_copy_ok(const struct thp_filler *tf, const struct vma *v);
int thp_filler_register(struct thp_filler *tf, uint64_t addr, uint64_t len);
void thp_filler_unregister(struct thp_filler *tf, uint64_t addr, uint64_t len);
int thp_fill(struct thp_filler *tf, int fd, uint64_t dst, uint64_t len, uint64_t off);
/* 4 KiB stretches of registered areas: read into the staging area, then copied from it. */
int thp_stage_read(struct thp_filler *tf, int fd, uint64_t len, uint64_t off);
int thp_copy_staged(struct thp_filler *tf, uint64_t dst, uint64_t at, uint64_t len);
int mem_pread_full(int fd, char *dst, uint64_t len, uint64_t off);

/* Step *iov and *n past done bytes of a partial preadv()/pwritev(). */
static inline void mem_iov_advance(struct iovec **iov, int *n, size_t done)
{
	while (*n && done >= (*iov)->iov_len) {
		done -= (*iov)->iov_len;
		(*iov)++;
		(*n)--;
	}
	if (*n) {
		(*iov)->iov_base = (char *)(*iov)->iov_base + done;
		(*iov)->iov_len -= done;
	}
}

/* pages-N.img written by background threads (page-writer.c). */
#define PW_BUF_PAGES	128	/* 512 KiB per buffer: copied in, written out, still in the CPU cache */
#define PW_MAX_THREADS	4
#define PW_MAX_BUFS	(PW_MAX_THREADS + 2)

struct pw_buf {
	uint8_t *data;		/* PW_BUF_PAGES pages */
	struct iovec iov[PW_BUF_PAGES];	/* the parts of data to write, in order */
	int niov;
	size_t len;
	off_t offset;		/* where it goes, once queued */
	struct pw_buf *next;	/* in the free list or the queue */
};

struct page_writer {
	int fd;
	const char *name;
	off_t offset;		/* where the next queued batch goes */
	pthread_mutex_t lock;
	pthread_cond_t cond;	/* a job queued, a buffer freed, or stopping */
	struct pw_buf *free_bufs, *all[PW_MAX_BUFS];
	int nr_bufs;
	struct pw_buf *jobs, *jobs_tail;	/* queued, in file order */
	pthread_t threads[PW_MAX_THREADS];
	int nr_threads;
	bool stopping;
	int err;		/* the first write error (errno) */
	off_t err_offset;
};

/* Start the writers on fd from offset; name is for errors. */
int pw_start(struct page_writer *w, int fd, off_t offset, const char *name) __must_check;
/* A free buffer (waits for one), empty. */
struct pw_buf *pw_get_buf(struct page_writer *w);
/* Give a buffer back unwritten. */
void pw_put_buf(struct page_writer *w, struct pw_buf *b);
/* Append len bytes at data (inside b->data) to what b will write. */
void pw_add(struct pw_buf *b, const uint8_t *data, size_t len);
/* Queue b to be written after everything queued before; it comes back free. */
int pw_submit(struct page_writer *w, struct pw_buf *b) __must_check;
/* Write what is queued, stop the threads; -1 (logged) if any write failed. */
int pw_finish(struct page_writer *w) __must_check;

#endif /* CRIU_MEM_MEM_INTERNAL_H */
