/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The address space of a task: its VMAs (mm-PID.img), its mm fields, and
 * its pages (pagemap-PID.img + pages-N.img).
 */
#ifndef CRIU_INCLUDE_MEM_H
#define CRIU_INCLUDE_MEM_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/compiler.h"

/* vma_entry.status bits (CRIU's numbering; VVAR_VCLOCK is ours) */
#define VMA_AREA_REGULAR	(1u << 0)
#define VMA_AREA_STACK		(1u << 1)
#define VMA_AREA_VSYSCALL	(1u << 2)
#define VMA_AREA_VDSO		(1u << 3)
#define VMA_AREA_HEAP		(1u << 5)
#define VMA_FILE_PRIVATE	(1u << 6)
#define VMA_FILE_SHARED		(1u << 7)
#define VMA_ANON_SHARED		(1u << 8)
#define VMA_ANON_PRIVATE	(1u << 9)
#define VMA_AREA_SYSVIPC	(1u << 10)
#define VMA_AREA_VVAR		(1u << 12)
#define VMA_AREA_MEMFD		(1u << 14)
#define VMA_AREA_VVAR_VCLOCK	(1u << 16)

#define VMA_SPECIAL (VMA_AREA_VSYSCALL | VMA_AREA_VDSO | VMA_AREA_VVAR | VMA_AREA_VVAR_VCLOCK)

/* pagemap_entry.flags */
#define PE_PARENT	(1u << 0)
#define PE_LAZY		(1u << 1)
#define PE_PRESENT	(1u << 2)

#define MM_MAX_VMAS	(1 << 20)
#define MM_MAX_AUXV	128	/* u64 words */

struct vma {
	uint64_t start, end, pgoff;
	uint32_t prot;		/* PROT_* */
	uint32_t flags;		/* MAP_* */
	uint32_t status;	/* VMA_* */
	uint64_t madv;		/* 1 << MADV_* to apply */
	uint32_t vmflags;	/* VMF_* of proc-parse.h */
	char vmflags_str[160];
	int64_t file_id;	/* files.img id of the mapped file, -1 if none */
	uint64_t shmid;		/* shared anonymous object id */
	uint32_t fdflags;	/* open flags for the mapped file */
	char *anon_name;	/* PR_SET_VMA_ANON_NAME, or NULL */
};

struct mm_state {
	uint64_t start_code, end_code, start_data, end_data, start_stack;
	uint64_t start_brk, brk, arg_start, arg_end, env_start, env_end;
	uint32_t exe_file_id;
	int nr_auxv;
	uint64_t auxv[MM_MAX_AUXV];
	int32_t dumpable;
	bool thp_disabled;
	int nr_vmas;
	struct vma *vmas;	/* sorted by address */
};

struct mem_dump_stats {
	uint64_t pages_scanned;
	uint64_t pages_written;
	uint64_t pages_zero;		/* present but all zero: not stored */
	uint64_t memdump_us;
	uint64_t memwrite_us;
};

struct file_ids;	/* files.h: registers mapped files and the exe */

/* Collect VMAs and mm fields of a seized task. */
int mem_dump_mm(pid_t pid, struct file_ids *files, struct mm_state *mm) __must_check;
/* Write pagemap-PID.img and pages-<pages_id>.img. */
int mem_dump_pages(pid_t pid, const struct mm_state *mm, int dirfd, unsigned long pages_id,
		   struct mem_dump_stats *st) __must_check;
int mem_write_mm(int dirfd, pid_t pid, const struct mm_state *mm) __must_check;

/* ---- restore ---- */

struct mem_move {
	uint64_t src, dst, len;
};

struct mem_range {
	uint64_t start, end;
};

/* qsort() order of struct mem_range by start. */
int mem_range_cmp(const void *a, const void *b);

struct mem_ranges {
	int nr, cap;
	struct mem_range *r;
};

/* criu's own mappings, inherited by every task it creates. */
struct mem_layout {
	struct mem_ranges maps;
	struct mem_range vvar, vclock, vdso, stack;	/* end == 0: absent */
};

int mem_layout_read(struct mem_layout *l) __must_check;
void mem_layout_free(struct mem_layout *l);

struct mem_restore {
	uint64_t premap_start, premap_len;
	int nr_moves;
	struct mem_move *moves;
	uint64_t pages_restored;
	uint64_t fill_us;
	uint64_t fill_start_us, fill_end_us;	/* CLOCK_MONOTONIC */
};

/* The vDSO areas: where ours are, a temporary spot, where the dump had them. */
#define MEM_MAX_VDSO 4
struct mem_vdso_plan {
	int nr;
	bool unmap;		/* the dumped task had none */
	uint64_t total;		/* bytes, for the temporary spot */
	struct mem_move tmp[MEM_MAX_VDSO];	/* dst filled by mem_vdso_set_tmp() */
	struct mem_move final[MEM_MAX_VDSO];
};

/* Shared anonymous objects, created once in criu and inherited by tasks. */
struct mem_shmem {
	uint64_t shmid, size;
	uint64_t addr;		/* criu's mapping of the whole object */
};

struct mem_shmem_set {
	int nr;
	struct mem_shmem *s;
};

int mem_shmem_collect(struct mem_shmem_set *set, const struct mm_state *mm) __must_check;
int mem_shmem_create(struct mem_shmem_set *set) __must_check;
/* In a restoring task: map its view of the object v names at address at. */
int mem_shmem_map(const struct mem_shmem_set *set, const struct vma *v,
		  uint64_t at) __must_check;
void mem_shmem_free(struct mem_shmem_set *set);

/* The runs of pages of pagemap-PID.img, in address (and pages image) order. */
struct mem_run {
	uint64_t vaddr, nr_pages;
};

struct mem_pagemap {
	uint32_t pages_id;	/* pages-<pages_id>.img */
	uint64_t nr_pages;	/* all runs together */
	int nr, cap;
	struct mem_run *runs;
};

/*
 * Check pagemap-PID.img against the areas and the size of its pages image,
 * and keep its runs: read once in criu, every restoring task uses them.
 */
int mem_check_pages(int dirfd, pid_t pid, const struct mm_state *mm,
		    struct mem_pagemap *pmap) __must_check;
void mem_pagemap_free(struct mem_pagemap *pmap);
/* In the restoring task: map every area (in place, or in a premap region) and fill it. */
int mem_premap(int dirfd, const struct mm_state *mm, const struct mem_pagemap *pmap,
	       const struct mem_layout *own, struct file_ids *files,
	       const struct mem_shmem_set *shmem, struct mem_restore *mr) __must_check;
void mem_restore_free(struct mem_restore *mr);
/* Reserve len bytes (PROT_NONE) free in the dumped layout, in ours and outside avoid. */
int mem_reserve_region(const struct mem_layout *own, const struct mm_state *mm, uint64_t len,
		       uint64_t align, const struct mem_range *avoid, int nr_avoid,
		       uint64_t *addr) __must_check;
/* Match our vDSO areas to the dumped ones; an unmovable difference is an error. */
int mem_plan_vdso(const struct mem_layout *own, const struct mm_state *mm,
		  struct mem_vdso_plan *vp) __must_check;
void mem_vdso_set_tmp(struct mem_vdso_plan *vp, uint64_t base);
int mem_read_mm(int dirfd, pid_t pid, struct mm_state *mm) __must_check;
void mm_state_free(struct mm_state *mm);

#endif /* CRIU_INCLUDE_MEM_H */
