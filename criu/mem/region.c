// SPDX-License-Identifier: GPL-2.0
/*
 * Address-space planning for restore: find ranges free both in the dumped
 * layout and in the restoring process (for the premap region and the
 * restorer's bootstrap region), and match our vDSO areas to the dumped ones.
 */
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

#define LOG_PREFIX "mem: "
#include "common/page.h"
#include "log.h"
#include "mem.h"
#include "proc-parse.h"

#define USER_TOP	0x7ffffffff000ULL	/* 47-bit user space */
#define USER_BOTTOM	0x10000ULL		/* above any mmap_min_addr */

static int add_busy(struct mem_ranges *b, uint64_t start, uint64_t end)
{
	if (b->nr == b->cap) {
		struct mem_range *n = realloc(b->r, (b->cap = b->cap ? 2 * b->cap : 256) *
						     sizeof(*n));
		if (!n)
			return -1;
		b->r = n;
	}
	b->r[b->nr++] = (struct mem_range){ start, end };
	return 0;
}

static int collect_own(const struct proc_vma *v, void *arg)
{
	struct mem_layout *l = arg;

	if (!strcmp(v->path, "[vvar]"))
		l->vvar = (struct mem_range){ v->start, v->end };
	else if (!strcmp(v->path, "[vvar_vclock]"))
		l->vclock = (struct mem_range){ v->start, v->end };
	else if (!strcmp(v->path, "[vdso]"))
		l->vdso = (struct mem_range){ v->start, v->end };
	else if (!strcmp(v->path, "[stack]"))
		l->stack = (struct mem_range){ v->start, v->end };
	return add_busy(&l->maps, v->start, v->end);
}

/*
 * Read once in criu before the first task is created: the tasks inherit
 * these mappings, and reading /proc/self/maps in each of them cost up to a
 * millisecond of page faults on a VM. What a task maps later (malloc, the
 * premap region) is not listed, which costs nothing but a retry: every
 * reservation is made with MAP_FIXED_NOREPLACE.
 */
int mem_layout_read(struct mem_layout *l)
{
	memset(l, 0, sizeof(*l));
	if (proc_for_each_vma(getpid(), false, collect_own, l)) {
		mem_layout_free(l);
		return -1;
	}
	return 0;
}

void mem_layout_free(struct mem_layout *l)
{
	free(l->maps.r);
	l->maps = (struct mem_ranges){ 0 };
}

int mem_range_cmp(const void *a, const void *b)
{
	const struct mem_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* The highest gap of len bytes free in every range of b, reserved; 1: none. */
static int reserve_in_gaps(struct mem_ranges *b, uint64_t len, uint64_t align, uint64_t *addr)
{
	uint64_t top = USER_TOP;

	qsort(b->r, b->nr, sizeof(*b->r), mem_range_cmp);
	/* walk gaps from the top of user space down */
	for (int i = b->nr; i >= 0; i--) {
		uint64_t gap_start = i ? b->r[i - 1].end : USER_BOTTOM;
		uint64_t gap_end = i < b->nr ? min(b->r[i].start, top) : top;

		if (i < b->nr)
			top = min(top, b->r[i].start);
		if (gap_start < USER_BOTTOM)
			gap_start = USER_BOTTOM;
		if (gap_end <= gap_start || gap_end - gap_start < len + align)
			continue;
		uint64_t a = ALIGN_DOWN(gap_end - len, align);
		void *m = mmap((void *)a, len, PROT_NONE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);

		if (m == (void *)a) {
			*addr = a;
			return 0;
		}
		if (m != MAP_FAILED)
			munmap(m, len);
		/* something mapped since the layout was read: look again */
		if (m == MAP_FAILED && errno == EEXIST)
			return -EEXIST;
	}
	return 1;
}

static int reserve_with(const struct mem_layout *own, const struct mm_state *mm, uint64_t len,
			uint64_t align, const struct mem_range *avoid, int nr_avoid,
			uint64_t *addr)
{
	struct mem_ranges b = { 0 };
	int ret = -1;

	for (int i = 0; i < mm->nr_vmas; i++)
		if (add_busy(&b, mm->vmas[i].start, mm->vmas[i].end))
			goto out;
	for (int i = 0; i < nr_avoid; i++)
		if (add_busy(&b, avoid[i].start, avoid[i].end))
			goto out;
	for (int i = 0; i < own->maps.nr; i++)
		if (add_busy(&b, own->maps.r[i].start, own->maps.r[i].end))
			goto out;
	ret = reserve_in_gaps(&b, len, align, addr);
out:
	free(b.r);
	return ret;
}

int mem_reserve_region(const struct mem_layout *own, const struct mm_state *mm, uint64_t len,
		       uint64_t align, const struct mem_range *avoid, int nr_avoid,
		       uint64_t *addr)
{
	struct mem_layout now;
	int ret;

	len = PAGE_ALIGN(len);
	ret = reserve_with(own, mm, len, align, avoid, nr_avoid, addr);
	if (ret == -EEXIST) {
		if (mem_layout_read(&now))
			return -1;
		ret = reserve_with(&now, mm, len, align, avoid, nr_avoid, addr);
		mem_layout_free(&now);
	}
	if (ret > 0 || ret == -EEXIST)
		pr_err("no free range of %llu bytes in the restored address space\n",
		       (unsigned long long)len);
	return ret ? -1 : 0;
}

static const struct vma *find_special(const struct mm_state *mm, uint32_t status)
{
	for (int i = 0; i < mm->nr_vmas; i++)
		if (mm->vmas[i].status & status)
			return &mm->vmas[i];
	return NULL;
}

int mem_plan_vdso(const struct mem_layout *own, const struct mm_state *mm,
		  struct mem_vdso_plan *vp)
{
	const struct mem_range *ours[3] = { &own->vvar, &own->vclock, &own->vdso };
	const uint32_t kinds[3] = { VMA_AREA_VVAR, VMA_AREA_VVAR_VCLOCK, VMA_AREA_VDSO };
	const char *names[3] = { "[vvar]", "[vvar_vclock]", "[vdso]" };
	bool dumped_any = false;

	memset(vp, 0, sizeof(*vp));
	for (int i = 0; i < 3; i++)
		dumped_any |= find_special(mm, kinds[i]) != NULL;
	for (int i = 0; i < 3; i++) {
		const struct vma *d = find_special(mm, kinds[i]);
		uint64_t len = ours[i]->end - ours[i]->start;

		if (!ours[i]->end && !d)
			continue;
		if (dumped_any && (!ours[i]->end || !d || d->end - d->start != len)) {
			pr_err("the vDSO layout differs from the dumped one: %s is %s here and "
			       "%s in the dump; restore on a kernel with the same vDSO\n", names[i],
			       ours[i]->end ? "present" : "absent", d ? "present" : "absent");
			return -1;
		}
		vp->tmp[vp->nr] = (struct mem_move){ ours[i]->start, 0, len };
		vp->final[vp->nr] = (struct mem_move){ 0, d ? d->start : 0, len };
		vp->nr++;
	}
	vp->unmap = !dumped_any;
	if (vp->nr)
		vp->total = vp->tmp[vp->nr - 1].src + vp->tmp[vp->nr - 1].len - vp->tmp[0].src;
	/* the vDSO finds its data at a fixed distance: offsets must match too */
	for (int i = 1; i < vp->nr && !vp->unmap; i++)
		if (vp->final[i].dst - vp->final[0].dst != vp->tmp[i].src - vp->tmp[0].src) {
			pr_err("the vDSO areas are laid out differently than in the dump\n");
			return -1;
		}
	return 0;
}

void mem_vdso_set_tmp(struct mem_vdso_plan *vp, uint64_t base)
{
	for (int i = 0; i < vp->nr; i++) {
		vp->tmp[i].dst = base + (vp->tmp[i].src - vp->tmp[0].src);
		vp->final[i].src = vp->tmp[i].dst;
	}
}
