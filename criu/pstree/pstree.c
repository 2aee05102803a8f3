// SPDX-License-Identifier: GPL-2.0
/* The process-tree model and pstree.img. */
#include <fcntl.h>
#include <stdlib.h>

#define LOG_PREFIX "pstree: "
#include "image.h"
#include "images.h"
#include "log.h"
#include "pstree.h"

void pstree_init(struct pstree *t)
{
	t->root = NULL;
	INIT_LIST_HEAD(&t->items);
	t->nr_items = 0;
}

struct pstree_item *pstree_add(struct pstree *t, struct pstree_item *parent, pid_t pid)
{
	struct pstree_item *it = calloc(1, sizeof(*it));

	if (!it) {
		pr_err("out of memory\n");
		return NULL;
	}
	it->pid = pid;
	it->state = TASK_ALIVE;
	INIT_LIST_HEAD(&it->children);
	INIT_LIST_HEAD(&it->sibling);
	it->parent = parent;
	if (parent) {
		it->ppid = parent->pid;
		list_add_tail(&it->sibling, &parent->children);
	} else {
		t->root = it;
	}
	list_add_tail(&it->list, &t->items);
	t->nr_items++;
	return it;
}

struct pstree_item *pstree_find(const struct pstree *t, pid_t pid)
{
	struct pstree_item *it;

	list_for_each_entry(it, &t->items, list)
		if (it->pid == pid)
			return it;
	return NULL;
}

void pstree_free(struct pstree *t)
{
	struct pstree_item *it, *n;

	list_for_each_entry_safe(it, n, &t->items, list) {
		free(it->threads);
		free(it);
	}
	pstree_init(t);
}

int pstree_write_image(int dirfd, const struct pstree *t)
{
	struct img *img = img_open(dirfd, IMG_PSTREE, O_WRONLY, 0);
	struct pstree_item *it;
	int ret = 0;

	if (!img)
		return -1;
	list_for_each_entry(it, &t->items, list) {
		PstreeEntry e = PSTREE_ENTRY__INIT;

		e.pid = it->pid;
		e.ppid = it->parent ? it->parent->pid : 0;
		e.pgid = it->pgid;
		e.sid = it->sid;
		e.n_threads = it->nr_threads;
		e.threads = (uint32_t *)it->threads;
		if ((ret = img_write_entry(img, &e)))
			break;
	}
	if (img_close(img))
		ret = -1;
	return ret;
}

static int check_entry(const struct pstree *t, const PstreeEntry *e, const char *img)
{
	if (!e->pid || e->pid > 0x3fffffff || e->pgid > 0x3fffffff || e->sid > 0x3fffffff) {
		pr_err("%s: bad ids in entry of pid %u\n", img, e->pid);
		return -1;
	}
	if (pstree_find(t, e->pid)) {
		pr_err("%s: pid %u listed twice\n", img, e->pid);
		return -1;
	}
	if (e->n_threads > 65536) {
		pr_err("%s: pid %u has %zu threads\n", img, e->pid, e->n_threads);
		return -1;
	}
	for (size_t i = 0; i < e->n_threads; i++)
		if (!e->threads[i] || e->threads[i] > 0x3fffffff) {
			pr_err("%s: pid %u has a bad thread id\n", img, e->pid);
			return -1;
		}
	if (e->n_threads && e->threads[0] != e->pid) {
		pr_err("%s: pid %u: first thread is %u, not the pid\n", img, e->pid,
		       e->threads[0]);
		return -1;
	}
	return 0;
}

static int add_entry(struct pstree *t, const PstreeEntry *e, const char *img)
{
	struct pstree_item *parent = NULL, *it;

	if (check_entry(t, e, img))
		return -1;
	if (!t->root) {
		if (e->ppid && pstree_find(t, e->ppid))
			return -1;
	} else {
		parent = pstree_find(t, e->ppid);
		if (!parent) {
			pr_err("%s: parent %u of pid %u is not listed before it\n", img, e->ppid,
			       e->pid);
			return -1;
		}
	}
	it = pstree_add(t, parent, e->pid);
	if (!it)
		return -1;
	it->ppid = e->ppid;
	it->pgid = e->pgid;
	it->sid = e->sid;
	it->nr_threads = e->n_threads ? e->n_threads : 1;
	it->threads = calloc(it->nr_threads, sizeof(pid_t));
	if (!it->threads)
		return -1;
	if (e->n_threads)
		for (size_t i = 0; i < e->n_threads; i++)
			it->threads[i] = e->threads[i];
	else
		it->threads[0] = e->pid;
	return 0;
}

int pstree_read_image(int dirfd, struct pstree *t)
{
	struct img *img = img_open(dirfd, IMG_PSTREE, O_RDONLY, 0);
	void *msg;
	int r;

	pstree_init(t);
	if (!img)
		return -1;
	while ((r = img_read_entry(img, &msg)) == 1) {
		r = add_entry(t, msg, img_name(img));
		img_free(IMG_PSTREE, msg);
		if (r) {
			r = -1;
			break;
		}
	}
	img_close(img);
	if (r == 0 && !t->root) {
		pr_err("pstree.img lists no task\n");
		r = -1;
	}
	if (r)
		pstree_free(t);
	return r;
}
