/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The process tree: tasks with their ids, threads and parent links, as
 * pstree.img stores it; and seizing/releasing a live tree with ptrace.
 */
#ifndef CRIU_INCLUDE_PSTREE_H
#define CRIU_INCLUDE_PSTREE_H

#include <stdbool.h>
#include <sys/types.h>

#include "common/compiler.h"
#include "common/list.h"

/* task_core_entry.task_state values, as CRIU numbers them */
enum {
	TASK_ALIVE = 1,
	TASK_DEAD = 2,		/* a zombie */
	TASK_STOPPED = 3,
};

struct pstree_item {
	pid_t pid, ppid, pgid, sid;
	int nr_threads;
	pid_t *threads;		/* threads[0] is the main thread (tid == pid) */
	int state;		/* TASK_* */
	int exit_code;		/* for zombies: the wait status */
	char comm[16];		/* for zombies: their name */
	struct pstree_item *parent;
	struct list_head children;	/* of pstree_item.sibling */
	struct list_head sibling;
	struct list_head list;		/* pstree.items, parents before children */
	void *priv;			/* per-phase data owned by dump/ or restore/ */
};

struct pstree {
	struct pstree_item *root;
	struct list_head items;
	int nr_items;
};

void pstree_init(struct pstree *t);
struct pstree_item *pstree_add(struct pstree *t, struct pstree_item *parent, pid_t pid);
struct pstree_item *pstree_find(const struct pstree *t, pid_t pid);
void pstree_free(struct pstree *t);

#define pstree_for_each(t, it) list_for_each_entry(it, &(t)->items, list)

/* pstree.img */
int pstree_write_image(int dirfd, const struct pstree *t) __must_check;
int pstree_read_image(int dirfd, struct pstree *t) __must_check;

/* Seize every thread of the tree rooted at pid; on failure nothing stays seized. */
int pstree_seize(pid_t root, struct pstree *t) __must_check;

enum unseize_mode {
	UNSEIZE_RESUME,		/* as it was, running or stopped */
	UNSEIZE_STOP,		/* leave every task stopped */
	UNSEIZE_KILL,		/* SIGKILL the tree */
};
int pstree_unseize(struct pstree *t, enum unseize_mode mode);

/* Dump: what restore can't rebuild yet, checked on a seized task. */
int pstree_check_sharing(const struct pstree_item *it) __must_check;
int pstree_check_pidns(const struct pstree_item *it) __must_check;
/* The task shares criu's mount, net, ipc, uts, user, cgroup and time namespaces. */
int pstree_check_ns(const struct pstree_item *it) __must_check;

#endif /* CRIU_INCLUDE_PSTREE_H */
