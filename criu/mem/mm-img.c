// SPDX-License-Identifier: GPL-2.0
/* mm-PID.img: write the address space description and read it back checked. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define LOG_PREFIX "mem: "
#include "arena.h"
#include "common/page.h"
#include "image.h"
#include "images.h"
#include "log.h"
#include "mem.h"

/* The highest user address with 5-level paging; vsyscall sits above it. */
#define TASK_SIZE_MAX	(1ULL << 56)
#define VSYSCALL_ADDR	0xffffffffff600000ULL

#define KNOWN_MAP_FLAGS (MAP_SHARED | MAP_PRIVATE | MAP_ANONYMOUS | MAP_GROWSDOWN | MAP_NORESERVE)
#define KNOWN_MADV                                                                           \
	((1ULL << MADV_RANDOM) | (1ULL << MADV_SEQUENTIAL) | (1ULL << MADV_DONTFORK) |      \
	 (1ULL << MADV_MERGEABLE) | (1ULL << MADV_HUGEPAGE) | (1ULL << MADV_NOHUGEPAGE) |   \
	 (1ULL << MADV_DONTDUMP) | (1ULL << MADV_WIPEONFORK))
#define KNOWN_STATUS                                                                         \
	(VMA_AREA_REGULAR | VMA_AREA_STACK | VMA_AREA_HEAP | VMA_FILE_PRIVATE |              \
	 VMA_FILE_SHARED | VMA_ANON_SHARED | VMA_ANON_PRIVATE | VMA_SPECIAL | VMA_AREA_MEMFD)

int mem_write_mm(int dirfd, pid_t pid, const struct mm_state *mm)
{
	struct arena a = ARENA_INIT;
	MmEntry e = MM_ENTRY__INIT;
	int ret = -1;

	e.mm_start_code = mm->start_code;
	e.mm_end_code = mm->end_code;
	e.mm_start_data = mm->start_data;
	e.mm_end_data = mm->end_data;
	e.mm_start_stack = mm->start_stack;
	e.mm_start_brk = mm->start_brk;
	e.mm_brk = mm->brk;
	e.mm_arg_start = mm->arg_start;
	e.mm_arg_end = mm->arg_end;
	e.mm_env_start = mm->env_start;
	e.mm_env_end = mm->env_end;
	e.exe_file_id = mm->exe_file_id;
	e.n_mm_saved_auxv = mm->nr_auxv;
	e.mm_saved_auxv = (uint64_t *)mm->auxv;
	e.has_dumpable = 1;
	e.dumpable = mm->dumpable;
	e.has_thp_disabled = 1;
	e.thp_disabled = mm->thp_disabled;
	e.n_vmas = mm->nr_vmas;
	e.vmas = arena_alloc(&a, mm->nr_vmas * sizeof(*e.vmas) + 1);
	for (int i = 0; e.vmas && i < mm->nr_vmas; i++) {
		const struct vma *v = &mm->vmas[i];
		VmaEntry *ve = arena_alloc(&a, sizeof(*ve));

		if (!ve)
			break;
		vma_entry__init(ve);
		ve->start = v->start;
		ve->end = v->end;
		ve->pgoff = v->pgoff;
		ve->shmid = v->file_id >= 0 ? (uint64_t)v->file_id : v->shmid;
		ve->prot = v->prot;
		ve->flags = v->flags;
		ve->status = v->status;
		ve->fd = -1;
		ve->has_madv = 1;
		ve->madv = v->madv;
		ve->has_fdflags = v->file_id >= 0;
		ve->fdflags = v->fdflags;
		ve->vmflags = (char *)v->vmflags_str;
		ve->anon_name = v->anon_name;
		e.vmas[i] = ve;
	}
	if (!a.failed)
		ret = img_write_one(dirfd, IMG_MM, pid, &e);
	arena_free(&a);
	return ret;
}

static int check_vma(const VmaEntry *ve, uint64_t prev_end, const char *img)
{
	bool vsyscall = ve->status & VMA_AREA_VSYSCALL;

	if (ve->start >= ve->end || (ve->start | ve->end) & ~PAGE_MASK || ve->pgoff & ~PAGE_MASK ||
	    ve->start < prev_end || (!vsyscall && ve->end > TASK_SIZE_MAX) ||
	    (vsyscall && ve->start != VSYSCALL_ADDR)) {
		pr_err("%s: area %llx-%llx is out of order or out of range\n", img,
		       (unsigned long long)ve->start, (unsigned long long)ve->end);
		return -1;
	}
	if (ve->prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC) || ve->flags & ~KNOWN_MAP_FLAGS ||
	    !(ve->flags & (MAP_SHARED | MAP_PRIVATE)) ||
	    (ve->flags & MAP_SHARED && ve->flags & MAP_PRIVATE)) {
		pr_err("%s: area %llx-%llx has bad protection or flags\n", img,
		       (unsigned long long)ve->start, (unsigned long long)ve->end);
		return -1;
	}
	if (!(ve->status & VMA_AREA_REGULAR) || ve->status & ~KNOWN_STATUS ||
	    (ve->status & VMA_AREA_MEMFD && !(ve->status & (VMA_FILE_PRIVATE | VMA_FILE_SHARED))) ||
	    (ve->has_madv && ve->madv & ~KNOWN_MADV)) {
		pr_err("%s: area %llx-%llx has an unsupported kind 0x%x (madvise 0x%llx)\n", img,
		       (unsigned long long)ve->start, (unsigned long long)ve->end, ve->status,
		       (unsigned long long)(ve->has_madv ? ve->madv : 0));
		return -1;
	}
	return 0;
}

static int vma_from_image(const VmaEntry *ve, struct vma *v)
{
	memset(v, 0, sizeof(*v));
	v->start = ve->start;
	v->end = ve->end;
	v->pgoff = ve->pgoff;
	v->prot = ve->prot;
	v->flags = ve->flags;
	v->status = ve->status;
	v->madv = ve->has_madv ? ve->madv : 0;
	v->fdflags = ve->has_fdflags ? ve->fdflags : O_RDONLY;
	v->file_id = -1;
	if (ve->status & (VMA_FILE_PRIVATE | VMA_FILE_SHARED))
		v->file_id = (int64_t)(uint32_t)ve->shmid;
	else
		v->shmid = ve->shmid;
	if (ve->vmflags)
		snprintf(v->vmflags_str, sizeof(v->vmflags_str), "%s", ve->vmflags);
	if (ve->anon_name && !(v->anon_name = strndup(ve->anon_name, 80)))
		return -1;
	return 0;
}

static int mm_from_image(const MmEntry *e, struct mm_state *mm, const char *img)
{
	uint64_t prev_end = 0;

	if (e->n_vmas > MM_MAX_VMAS || e->n_mm_saved_auxv > MM_MAX_AUXV ||
	    e->n_mm_saved_auxv % 2 || e->n_aios) {
		pr_err("%s: bad counts (%zu areas, %zu auxv words, %zu aio rings)\n", img,
		       e->n_vmas, e->n_mm_saved_auxv, e->n_aios);
		return -1;
	}
	mm->start_code = e->mm_start_code;
	mm->end_code = e->mm_end_code;
	mm->start_data = e->mm_start_data;
	mm->end_data = e->mm_end_data;
	mm->start_stack = e->mm_start_stack;
	mm->start_brk = e->mm_start_brk;
	mm->brk = e->mm_brk;
	mm->arg_start = e->mm_arg_start;
	mm->arg_end = e->mm_arg_end;
	mm->env_start = e->mm_env_start;
	mm->env_end = e->mm_env_end;
	mm->exe_file_id = e->exe_file_id;
	mm->nr_auxv = e->n_mm_saved_auxv;
	memcpy(mm->auxv, e->mm_saved_auxv, mm->nr_auxv * sizeof(uint64_t));
	mm->dumpable = e->has_dumpable ? e->dumpable : 1;
	mm->thp_disabled = e->has_thp_disabled && e->thp_disabled;
	mm->vmas = calloc(e->n_vmas + 1, sizeof(*mm->vmas));
	if (!mm->vmas)
		return -1;
	for (size_t i = 0; i < e->n_vmas; i++) {
		if (check_vma(e->vmas[i], prev_end, img))
			return -1;
		prev_end = e->vmas[i]->end;
		if (vma_from_image(e->vmas[i], &mm->vmas[i]))
			return -1;
		mm->nr_vmas++;
	}
	return 0;
}

int mem_read_mm(int dirfd, pid_t pid, struct mm_state *mm)
{
	char img[64];
	void *msg;
	int ret;

	memset(mm, 0, sizeof(*mm));
	snprintf(img, sizeof(img), "mm-%d.img", pid);
	if (img_read_one(dirfd, IMG_MM, pid, &msg))
		return -1;
	ret = mm_from_image(msg, mm, img);
	img_free(IMG_MM, msg);
	if (ret)
		mm_state_free(mm);
	return ret;
}
