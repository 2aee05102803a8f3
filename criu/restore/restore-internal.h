/* SPDX-License-Identifier: GPL-2.0 */
/* State shared by the files of criu/restore/ (one restore, many tasks). */
#ifndef CRIU_RESTORE_RESTORE_INTERNAL_H
#define CRIU_RESTORE_RESTORE_INTERNAL_H

#include <stdint.h>

#include "files.h"
#include "mem.h"
#include "pidctl.h"
#include "pstree.h"
#include "stats.h"
#include "task.h"

struct rst_shared;

/* Everything read from the images for one task (pstree_item.priv). */
struct rst_task {
	struct task_core core;
	struct mm_state mm;
	struct fd_table fds;
	struct fs_state fs;
	struct mem_pagemap pagemap;	/* read and checked in criu */
};

struct restore_ctx {
	int dirfd;
	struct pstree tree;
	struct file_ids files;
	struct mem_shmem_set shmem;	/* created in criu, inherited by the tasks */
	struct mem_layout own;		/* criu's mappings, read once before the first fork */
	struct pidctl pc;
	int nr_threads;		/* threads of live tasks: they meet at the barrier */
	int sfd_base;		/* service fds of every task go here and above */
	pid_t creator;		/* who clones the next task: it checks its parent is that */
	/* the shared block (owner: criu; tasks write their pid and status) */
	struct rst_shared *shared;
	size_t shared_len;
	struct restore_stats stats;
};

static inline struct rst_task *rst_task_of(const struct pstree_item *it)
{
	return it->priv;
}

/* In the restoring task: set everything up and jump to the restorer. */
void restore_task(struct restore_ctx *ctx, struct pstree_item *it, uint32_t slot) __noreturn;
/* Session, group, children; a zombie exits here. 0: go on restoring. */
int restore_tree_part(struct restore_ctx *ctx, struct pstree_item *it) __must_check;
/* The creator's side of a new task: a slot in the shared table before the clone, */
uint32_t rst_reserve_slot(struct restore_ctx *ctx);
/* then its pid there once the clone returned (criu kills what is listed). */
void rst_note_created(struct restore_ctx *ctx, uint32_t slot, pid_t pid);
/* The new task's first steps, before it touches more of criu's memory. */
void rst_task_start(struct restore_ctx *ctx, const struct pstree_item *it, uint32_t slot);
/* criu's rseq area: unregistered once, before the first task is created. */
int rst_unregister_rseq(void) __must_check;
/* Wait until every task is in its process group. */
void rst_wait_grouped(struct restore_ctx *ctx);
/* Build the restorer's argument block and stacks in the bootstrap region. */
struct rst_bootstrap {
	uint64_t start, len;
	uint64_t args, stack_top, entry;
	uint64_t thread_entry;	/* where the other threads start */
	uint64_t threads;	/* their struct rst_thread array */
};
int rst_build_bootstrap(struct restore_ctx *ctx, struct pstree_item *it,
			const struct mem_restore *mr, struct rst_bootstrap *bs) __must_check;
/* In criu: trace every thread through rt_sigreturn, drop the restorer, let go. */
int restore_finalize(struct restore_ctx *ctx) __must_check;

#endif /* CRIU_RESTORE_RESTORE_INTERNAL_H */
