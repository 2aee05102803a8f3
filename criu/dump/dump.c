// SPDX-License-Identifier: GPL-2.0
/*
 * Dump orchestration: seize the tree, collect every task's state through
 * the resource modules, write the images, then kill, resume or stop the
 * tree. Any failure resumes the tree exactly as it was, and a dump that
 * failed leaves no inventory.img, so it can never be restored by mistake.
 */
#include <fcntl.h>
#include <stdbool.h>
#include <unistd.h>

#define LOG_PREFIX "dump: "
#include "dump.h"
#include "fault.h"
#include "files.h"
#include "image.h"
#include "log.h"
#include "mem.h"
#include "options.h"
#include "pstree.h"
#include "stats.h"
#include "task.h"

static int dump_live_task(int dirfd, struct pstree_item *it, struct file_ids *files,
			  unsigned long pages_id, struct dump_stats *ds)
{
	struct task_core tc = { 0 };
	struct mm_state mm = { 0 };
	struct fd_table fdt = { 0 };
	struct fs_state fs = { 0 };
	struct mem_dump_stats ms = { 0 };
	int ret = -1;

	if (task_dump_core(it->pid, it->threads, it->nr_threads, &tc))
		goto out;
	tc.state = it->state;
	if (mem_dump_mm(it->pid, files, &mm) || files_dump_fds(files, it->pid, &fdt) ||
	    files_dump_fs(files, it->pid, &fs))
		goto out;
	if (mem_dump_pages(it->pid, &mm, dirfd, pages_id, &ms))
		goto out;
	if (task_write_core(dirfd, &tc) || mem_write_mm(dirfd, it->pid, &mm) ||
	    files_write_fdinfo(dirfd, it->pid, files, &fdt) || files_write_fs(dirfd, it->pid, &fs))
		goto out;
	ds->pages_scanned += ms.pages_scanned;
	ds->pages_written += ms.pages_written;
	ds->pages_zero += ms.pages_zero;
	ds->memdump_us += ms.memdump_us;
	ds->memwrite_us += ms.memwrite_us;
	pr_info("dumped task %d: %d areas, %llu pages written\n", it->pid, mm.nr_vmas,
		(unsigned long long)ms.pages_written);
	ret = 0;
out:
	task_core_free(&tc);
	mm_state_free(&mm);
	fd_table_free(&fdt);
	return ret;
}

static int dump_one_task(int dirfd, struct pstree_item *it, struct file_ids *files,
			 unsigned long pages_id, struct dump_stats *ds)
{
	if (it->state == TASK_DEAD)
		return task_write_zombie(dirfd, it->pid, it->exit_code, it->comm);
	if (pstree_check_sharing(it) || pstree_check_pidns(it) || pstree_check_ns(it))
		return -1;
	return dump_live_task(dirfd, it, files, pages_id, ds);
}

/*
 * Sessions and groups restore can rebuild: a task either leads its session
 * or inherits its parent's, and joins a group led by a task of the tree
 * (its own, a zombie's or a sibling's). Anything led from outside the tree
 * comes back only as a shell job (-j): in criu's session and group.
 */
static int check_sessions(const struct pstree *t)
{
	const struct pstree_item *root = t->root, *it;
	bool job = opts->shell_job;

	pstree_for_each(t, it) {
		const struct pstree_item *lead = pstree_find(t, it->pgid);
		bool outside_ok = job && it->sid == root->sid;

		if (!pstree_find(t, it->sid) && !outside_ok) {
			pr_err("task %d is in session %d, whose leader is outside the dumped tree; "
			       "dump with --shell-job (-j) to restore it into criu's session\n",
			       it->pid, it->sid);
			return -1;
		}
		if (it->parent && it->sid != it->pid && it->sid != it->parent->sid) {
			pr_err("task %d is in session %d but its parent %d is in session %d: "
			       "not supported yet\n", it->pid, it->sid, it->parent->pid,
			       it->parent->sid);
			return -1;
		}
		if (!lead && !(job && it->pgid == root->pgid)) {
			pr_err("task %d is in process group %d, whose leader is outside the dumped "
			       "tree; dump with --shell-job (-j)\n", it->pid, it->pgid);
			return -1;
		}
		if (lead && lead->sid != it->sid) {
			pr_err("task %d joined group %d of another session\n", it->pid, it->pgid);
			return -1;
		}
	}
	return 0;
}

static enum unseize_mode final_mode(void)
{
	if (opts->leave_running)
		return UNSEIZE_RESUME;
	if (opts->leave_stopped)
		return UNSEIZE_STOP;
	return UNSEIZE_KILL;
}

int cr_dump_tasks(int dirfd, pid_t root)
{
	struct dump_stats ds = { 0 };
	struct file_ids files;
	struct pstree tree;
	struct pstree_item *it;
	uint64_t t0 = stats_now_us(), t1;
	unsigned long pages_id = 1;
	int ret = -1;

	/* a stale inventory would make a half-written directory look restorable */
	if (img_unlink(dirfd, IMG_INVENTORY, 0))
		return -1;
	files_init(&files);
	if (pstree_seize(root, &tree))
		return -1;
	t1 = stats_now_us();
	ds.freezing_us = t1 - t0;
	if (check_sessions(&tree))
		goto fail;
	pstree_for_each(&tree, it)
		if (dump_one_task(dirfd, it, &files, pages_id++, &ds))
			goto fail;
	if (files_write_images(dirfd, &files) || pstree_write_image(dirfd, &tree))
		goto fail;
	if (fault_injected(FI_DUMP_LATE)) {
		pr_err("fault injected: the dump fails once the images are written\n");
		goto fail;
	}
	ds.frozen_us = stats_now_us() - t1;
	ds.total_us = stats_now_us() - t0;
	if (stats_write_dump(dirfd, &ds) || img_write_inventory(dirfd, root))
		goto fail;
	ret = 0;
	pstree_unseize(&tree, final_mode());
	pr_info("dump of tree %d finished in %llu us\n", root, (unsigned long long)ds.total_us);
	if (opts->display_stats)
		stats_print_dump(&ds);
	goto out;
fail:
	pr_err("dumping tree %d failed; it continues as it was\n", root);
	img_unlink(dirfd, IMG_INVENTORY, 0);
	pstree_unseize(&tree, UNSEIZE_RESUME);
out:
	files_free(&files);
	pstree_free(&tree);
	return ret;
}
