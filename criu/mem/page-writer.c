// SPDX-License-Identifier: GPL-2.0
/*
 * Writing pages-N.img in the background. Copying a task's pages out of it
 * and writing them to the page cache cost about the same here, and on one
 * thread they add up; so the dumping thread fills buffers and writer
 * threads write them, each batch at the file offset it was given when it
 * was queued, so the file keeps the order of the pagemap entries. Memory
 * stays bounded by the few buffers in flight, whatever the image size.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#define LOG_PREFIX "mem: "
#include "common/page.h"
#include "log.h"
#include "mem-internal.h"

#define PW_IOV_MAX 1024	/* the kernel's UIO_MAXIOV */

static struct pw_buf *take_free(struct page_writer *w)
{
	struct pw_buf *b;

	while (!w->free_bufs)
		pthread_cond_wait(&w->cond, &w->lock);
	b = w->free_bufs;
	w->free_bufs = b->next;
	return b;
}

static ssize_t pwritev_full(int fd, struct iovec *iov, int niov, off_t off)
{
	while (niov) {
		ssize_t n = pwritev(fd, iov, niov > PW_IOV_MAX ? PW_IOV_MAX : niov, off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (!n)
				errno = EIO;
			return -1;
		}
		off += n;
		mem_iov_advance(&iov, &niov, n);
	}
	return 0;
}

static void *writer_main(void *arg)
{
	struct page_writer *w = arg;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		struct pw_buf *b;
		bool failed;
		int err;

		while (!w->jobs && !w->stopping)
			pthread_cond_wait(&w->cond, &w->lock);
		if (!w->jobs)
			break;
		b = w->jobs;
		w->jobs = b->next;
		if (!w->jobs)
			w->jobs_tail = NULL;
		failed = w->err != 0;
		pthread_mutex_unlock(&w->lock);
		/* after an error the rest is dropped: the dump fails anyway */
		err = 0;
		if (!failed && pwritev_full(w->fd, b->iov, b->niov, b->offset))
			err = errno;
		pthread_mutex_lock(&w->lock);
		if (err && !w->err) {
			w->err = err;
			w->err_offset = b->offset;
		}
		b->next = w->free_bufs;
		w->free_bufs = b;
		pthread_cond_broadcast(&w->cond);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

static void stop(struct page_writer *w);

int pw_start(struct page_writer *w, int fd, off_t offset, const char *name)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int nthreads = ncpu < 1 ? 1 : ncpu > PW_MAX_THREADS ? PW_MAX_THREADS : ncpu;

	memset(w, 0, sizeof(*w));
	w->fd = fd;
	w->offset = offset;
	w->name = name;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	for (int i = 0; i < nthreads + 2 && i < PW_MAX_BUFS; i++) {
		struct pw_buf *b = calloc(1, sizeof(*b));

		if (b)
			b->data = mmap(NULL, PW_BUF_PAGES * PAGE_SIZE, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (!b || b->data == MAP_FAILED) {
			free(b);
			pr_err("out of memory for page buffers\n");
			stop(w);
			return -1;
		}
		b->next = w->free_bufs;
		w->free_bufs = b;
		w->all[w->nr_bufs++] = b;
	}
	for (int i = 0; i < nthreads; i++) {
		int err = pthread_create(&w->threads[i], NULL, writer_main, w);

		if (err) {
			errno = err;
			pr_perror("can't start a page writer thread");
			stop(w);
			return -1;
		}
		w->nr_threads++;
	}
	return 0;
}

struct pw_buf *pw_get_buf(struct page_writer *w)
{
	struct pw_buf *b;

	pthread_mutex_lock(&w->lock);
	b = take_free(w);
	pthread_mutex_unlock(&w->lock);
	b->niov = 0;
	b->len = 0;
	return b;
}

void pw_put_buf(struct page_writer *w, struct pw_buf *b)
{
	pthread_mutex_lock(&w->lock);
	b->next = w->free_bufs;
	w->free_bufs = b;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

void pw_add(struct pw_buf *b, const uint8_t *data, size_t len)
{
	struct iovec *last = b->niov ? &b->iov[b->niov - 1] : NULL;

	if (last && (const uint8_t *)last->iov_base + last->iov_len == data)
		last->iov_len += len;
	else
		b->iov[b->niov++] = (struct iovec){ (void *)data, len };
	b->len += len;
}

int pw_submit(struct page_writer *w, struct pw_buf *b)
{
	if (!b->len) {
		pw_put_buf(w, b);
		return 0;
	}
	b->next = NULL;
	pthread_mutex_lock(&w->lock);
	b->offset = w->offset;
	w->offset += b->len;
	if (w->jobs_tail)
		w->jobs_tail->next = b;
	else
		w->jobs = b;
	w->jobs_tail = b;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
	return __atomic_load_n(&w->err, __ATOMIC_RELAXED) ? -1 : 0;
}

static void stop(struct page_writer *w)
{
	pthread_mutex_lock(&w->lock);
	w->stopping = true;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
	for (int i = 0; i < w->nr_threads; i++)
		pthread_join(w->threads[i], NULL);
	for (int i = 0; i < w->nr_bufs; i++) {
		munmap(w->all[i]->data, PW_BUF_PAGES * PAGE_SIZE);
		free(w->all[i]);
	}
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->cond);
	w->nr_threads = w->nr_bufs = 0;
}

int pw_finish(struct page_writer *w)
{
	stop(w);
	if (w->err) {
		errno = w->err;
		pr_perror("can't write image '%s' at offset %lld", w->name,
			  (long long)w->err_offset);
		return -1;
	}
	return 0;
}
