// SPDX-License-Identifier: GPL-2.0
/*
 * Shared anonymous memory (MAP_SHARED | MAP_ANONYMOUS) restore: each object
 * is created once, in criu, before any task exists; every task inherits it
 * and maps its own view of it with mremap(old_size = 0), which for a shared
 * mapping makes a new mapping of the same pages. Tasks then fill it from
 * their pagemaps: all of them write into the one object.
 */
#include <stdlib.h>
#include <sys/mman.h>

#define LOG_PREFIX "mem: "
#include "common/page.h"
#include "log.h"
#include "mem.h"

static struct mem_shmem *find(struct mem_shmem_set *set, uint64_t shmid)
{
	for (int i = 0; i < set->nr; i++)
		if (set->s[i].shmid == shmid)
			return &set->s[i];
	return NULL;
}

static int add_vma(struct mem_shmem_set *set, const struct vma *v)
{
	uint64_t end = v->pgoff + (v->end - v->start);
	struct mem_shmem *s = find(set, v->shmid);

	if (!s) {
		struct mem_shmem *n = realloc(set->s, (set->nr + 1) * sizeof(*n));

		if (!n)
			return -1;
		set->s = n;
		s = &set->s[set->nr++];
		*s = (struct mem_shmem){ v->shmid, 0, 0 };
	}
	if (end > s->size)
		s->size = end;
	return 0;
}

int mem_shmem_collect(struct mem_shmem_set *set, const struct mm_state *mm)
{
	for (int i = 0; i < mm->nr_vmas; i++)
		if (mm->vmas[i].status & VMA_ANON_SHARED && add_vma(set, &mm->vmas[i])) {
			pr_err("out of memory\n");
			return -1;
		}
	return 0;
}

int mem_shmem_create(struct mem_shmem_set *set)
{
	for (int i = 0; i < set->nr; i++) {
		struct mem_shmem *s = &set->s[i];
		void *m = mmap(NULL, PAGE_ALIGN(s->size), PROT_READ | PROT_WRITE,
			       MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

		if (m == MAP_FAILED) {
			pr_perror("can't create shared memory object %llu of %llu bytes",
				  (unsigned long long)s->shmid, (unsigned long long)s->size);
			return -1;
		}
		s->addr = (uint64_t)m;
	}
	return 0;
}

int mem_shmem_map(const struct mem_shmem_set *set, const struct vma *v, uint64_t at)
{
	const struct mem_shmem *s = NULL;
	void *m;

	for (int i = 0; set && i < set->nr && !s; i++)
		if (set->s[i].shmid == v->shmid)
			s = &set->s[i];
	if (!s || !s->addr) {
		pr_err("shared memory object %llu was not created\n",
		       (unsigned long long)v->shmid);
		return -1;
	}
	m = mremap((void *)(s->addr + v->pgoff), 0, v->end - v->start,
		   MREMAP_MAYMOVE | MREMAP_FIXED, (void *)at);
	if (m != (void *)at) {
		pr_perror("can't map shared memory object %llu at %llx",
			  (unsigned long long)v->shmid, (unsigned long long)at);
		return -1;
	}
	return 0;
}

void mem_shmem_free(struct mem_shmem_set *set)
{
	for (int i = 0; i < set->nr; i++)
		if (set->s[i].addr)
			munmap((void *)set->s[i].addr, PAGE_ALIGN(set->s[i].size));
	free(set->s);
	set->s = NULL;
	set->nr = 0;
}
