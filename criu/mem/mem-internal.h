/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers shared inside criu/mem/. */
#ifndef CRIU_MEM_MEM_INTERNAL_H
#define CRIU_MEM_MEM_INTERNAL_H

#include <stdbool.h>

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
	int uffd;
	char *stage;		/* 2 MiB aligned, MADV_HUGEPAGE */
	void *stage_map;
};

int thp_filler_init(struct thp_filler *tf, const struct mm_state *mm);
void thp_filler_fini(struct thp_filler *tf);
bool thp_filler_ok(const struct thp_filler *tf, const struct vma *v);
int thp_filler_register(struct thp_filler *tf, uint64_t addr, uint64_t len);
void thp_filler_unregister(struct thp_filler *tf, uint64_t addr, uint64_t len);
int thp_fill(struct thp_filler *tf, int fd, uint64_t dst, uint64_t len, uint64_t off);
int mem_pread_full(int fd, char *dst, uint64_t len, uint64_t off);

#endif /* CRIU_MEM_MEM_INTERNAL_H */
