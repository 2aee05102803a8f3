/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers shared inside criu/mem/. */
#ifndef CRIU_MEM_MEM_INTERNAL_H
#define CRIU_MEM_MEM_INTERNAL_H

#include "mem.h"

struct file_ids;

uint64_t mem_vmflags_to_madv(uint32_t vmflags);
int mem_collect_vmas(pid_t pid, struct file_ids *files, struct mm_state *mm);
/* Areas whose pages live in the image (not in a file, not the kernel's). */
bool mem_vma_has_pages(const struct vma *v);
bool mem_vma_is_anon(const struct vma *v);

#endif /* CRIU_MEM_MEM_INTERNAL_H */
