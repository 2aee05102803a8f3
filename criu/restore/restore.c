// SPDX-License-Identifier: GPL-2.0
/*
 * Restore orchestration: read and check every image before touching the
 * system, check every pid is free, create the tree with exact pids, wait
 * for all threads at the restorer's barrier, release them, and report.
 * Any failure kills every task created so far and leaves the images as
 * they were.
 */
#include <fcntl.h>
#include <linux/futex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define LOG_PREFIX "restore: "
#include "arch.h"
#include "image.h"
#include "kdat.h"
#include "proc-parse.h"
#include "log.h"
#include "options.h"
#include "../pie/restorer.h"
#include "restore.h"
#include "restore-internal.h"
#include "servicefd.h"

static int read_task(struct restore_ctx *ctx, struct pstree_item *it)
{
	struct rst_task *t = calloc(1, sizeof(*t));

	if (!t)
		return -1;
	it->priv = t;
	if (task_read_core(ctx->dirfd, it->pid, it->threads, it->nr_threads, &t->core))
		return -1;
	it->state = t->core.state;
	if (it->state == TASK_DEAD) {
		if (it->nr_threads != 1 || !list_empty(&it->children)) {
			pr_err("zombie %d has threads or children\n", it->pid);
			return -1;
		}
		return 0;
	}
	if (mem_read_mm(ctx->dirfd, it->pid, &t->mm) ||
	    files_read_fdinfo(ctx->dirfd, it->pid, &ctx->files, &t->fds) ||
	    files_read_fs(ctx->dirfd, it->pid, &ctx->files, &t->fs) ||
	    mem_check_pages(ctx->dirfd, it->pid, &t->mm, &t->pagemap))
		return -1;
	for (int i = 0; i < t->core.nr_threads; i++)
		if (arch_check_xsave(&t->core.threads[i]))
			return -1;
	ctx->nr_threads += it->nr_threads;
	return 0;
}

/* Files the areas and the exe refer to must exist and be regular files. */
static int check_refs(struct restore_ctx *ctx, struct pstree_item *it)
{
	const struct mm_state *mm = &rst_task_of(it)->mm;
	const struct file_entry *fe;

	if (it->state == TASK_DEAD)
		return 0;
	fe = files_find(&ctx->files, mm->exe_file_id);

	if (!fe || fe->kind != FILE_KIND_REG) {
		pr_err("task %d: its executable (file %u) is not in files.img\n", it->pid,
		       mm->exe_file_id);
		return -1;
	}
	for (int i = 0; i < mm->nr_vmas; i++) {
		const struct vma *v = &mm->vmas[i];

		if (v->file_id < 0)
			continue;
		fe = files_find(&ctx->files, v->file_id);
		if (!fe || (v->status & VMA_AREA_MEMFD ? fe->kind != FILE_KIND_MEMFD :
			    fe->kind != FILE_KIND_REG || fe->reg.ghost)) {
			pr_err("task %d: area %llx maps file %lld, which is not a %s in "
			       "files.img\n", it->pid, (unsigned long long)v->start,
			       (long long)v->file_id,
			       v->status & VMA_AREA_MEMFD ? "memfd" : "regular file");
			return -1;
		}
	}
	return 0;
}

/* Hard limits can only go up with CAP_SYS_RESOURCE: say so before starting. */
static int check_rlimits(struct pstree_item *it)
{
	const struct task_core *tc = &rst_task_of(it)->core;

	if (kdat_get()->has_cap_sys_resource || it->state == TASK_DEAD)
		return 0;
	for (int i = 0; i < TASK_NRLIMITS; i++) {
		struct rlimit cur;

		if (getrlimit(i, &cur))
			continue;
		if (tc->rlim_max[i] > cur.rlim_max) {
			pr_err("task %d had hard limit %d at %llu, above ours (%llu); raising it "
			       "needs CAP_SYS_RESOURCE\n", it->pid, i,
			       (unsigned long long)tc->rlim_max[i],
			       (unsigned long long)cur.rlim_max);
			return -1;
		}
	}
	return 0;
}

/* A tid may appear once in the whole tree, as a pid or as a thread. */
static int check_unique_tids(const struct pstree *t)
{
	struct pstree_item *a, *b;

	pstree_for_each(t, a)
		pstree_for_each(t, b)
			for (int i = 0; i < a->nr_threads; i++)
				for (int j = (a == b) ? i + 1 : 0; j < b->nr_threads; j++)
					if (a->threads[i] == b->threads[j]) {
						pr_err("pstree.img: id %d is listed twice\n",
						       a->threads[i]);
						return -1;
					}
	return 0;
}

/* A tree whose session or group is led from outside comes back only with -j. */
static int check_shell_job(const struct pstree *t)
{
	const struct pstree_item *root = t->root;

	if (opts->shell_job)
		return 0;
	if (!pstree_find(t, root->sid) || !pstree_find(t, root->pgid)) {
		pr_err("the dump is a shell job (session %d, group %d led from outside the "
		       "tree): restore it with --shell-job (-j)\n", root->sid, root->pgid);
		return -1;
	}
	return 0;
}

static int read_images(struct restore_ctx *ctx)
{
	struct inventory inv;
	struct pstree_item *it;

	if (img_read_inventory(ctx->dirfd, &inv) || pstree_read_image(ctx->dirfd, &ctx->tree) ||
	    files_read_images(ctx->dirfd, &ctx->files))
		return -1;
	if (check_unique_tids(&ctx->tree) || check_shell_job(&ctx->tree))
		return -1;
	pstree_for_each(&ctx->tree, it)
		if (read_task(ctx, it) || check_refs(ctx, it) || check_rlimits(it))
			return -1;
	return 0;
}

static int setup_shared(struct restore_ctx *ctx)
{
	ctx->shared_len = ALIGN_UP(sizeof(struct rst_shared) +
				   (ctx->tree.nr_items + 1) * sizeof(struct rst_shared_task), 4096);
	ctx->shared = mmap(NULL, ctx->shared_len, PROT_READ | PROT_WRITE,
			   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (ctx->shared == MAP_FAILED) {
		pr_perror("can't map the shared restore block");
		ctx->shared = NULL;
		return -1;
	}
	ctx->shared->nr_in_progress = ctx->nr_threads;
	return 0;
}

/*
 * Every file of the dump is opened here, once: tasks inherit them, so
 * files shared between tasks stay one open file description. Service fds
 * of every task then go above all of these and all the tasks' own fds.
 */
static int open_files(struct restore_ctx *ctx)
{
	struct pstree_item *it;
	struct rlimit rl;
	int top = 63, fd;

	if (files_open_all(&ctx->files, ctx->dirfd))
		return -1;
	pstree_for_each(&ctx->tree, it)
		if (it->state != TASK_DEAD && mem_shmem_collect(&ctx->shmem, &rst_task_of(it)->mm))
			return -1;
	if (mem_shmem_create(&ctx->shmem))
		return -1;
	pstree_for_each(&ctx->tree, it) {
		struct rst_task *t = rst_task_of(it);

		if (it->state != TASK_DEAD && t->fds.nr)
			top = max(top, t->fds.fds[t->fds.nr - 1].fd);
	}
	fd = files_max_open_fd();
	if (fd < 0)
		return -1;
	ctx->sfd_base = max(top, fd) + 1;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (ctx->sfd_base + SFD_MAX > (int)rl.rlim_cur) {
		pr_err("the tasks use fds up to %d; criu's fd limit %llu leaves no room above\n",
		       top, (unsigned long long)rl.rlim_cur);
		return -1;
	}
	/* where each task would move them: moved once here, every task inherits */
	return files_lift_all(&ctx->files, ctx->sfd_base + SFD_MAX - 1);
}

/* A live task that is gone or a zombie before the end died under us. */
static int check_alive(struct restore_ctx *ctx)
{
	struct rst_shared *sh = ctx->shared;
	uint32_t n = __atomic_load_n(&sh->nr_tasks, __ATOMIC_SEQ_CST);

	for (uint32_t i = 0; i < n; i++) {
		struct pstree_item *it = pstree_find(&ctx->tree, sh->tasks[i].pid);
		struct proc_stat st;
		char path[64];

		if (!it || it->state == TASK_DEAD)
			continue;
		snprintf(path, sizeof(path), "/proc/%d", it->pid);
		if (access(path, F_OK) == 0 && proc_read_stat(it->pid, 0, &st) == 0 &&
		    st.state != 'Z' && st.state != 'X')
			continue;
		pr_err("task %d died while being restored\n", it->pid);
		return -1;
	}
	return 0;
}

/* Wait until every thread is at the barrier, or something died or failed. */
static int wait_ready(struct restore_ctx *ctx, pid_t root)
{
	struct rst_shared *sh = ctx->shared;

	for (;;) {
		uint32_t left = __atomic_load_n(&sh->nr_in_progress, __ATOMIC_SEQ_CST);
		struct timespec ts = { 0, 100 * 1000 * 1000 };
		int status;

		if (__atomic_load_n(&sh->error, __ATOMIC_SEQ_CST)) {
			pr_err("a task failed to restore; see the lines above\n");
			return -1;
		}
		if (!left)
			return 0;
		if (!opts->restore_sibling && waitpid(root, &status, WNOHANG) == root) {
			pr_err("task %d died while being restored (status 0x%x)\n", root, status);
			return -1;
		}
		if (check_alive(ctx))
			return -1;
		syscall(SYS_futex, &sh->nr_in_progress, FUTEX_WAIT, left, &ts, NULL, 0);
	}
}

static void kill_created(struct restore_ctx *ctx)
{
	struct rst_shared *sh = ctx->shared;
	int status;

	if (!sh)
		return;
	for (uint32_t i = 0; i < sh->nr_tasks; i++) {
		if (sh->tasks[i].pid <= 0)	/* its clone failed */
			continue;
		pr_info("killing task %d\n", sh->tasks[i].pid);
		kill(sh->tasks[i].pid, SIGKILL);
	}
	/* criu is a child subreaper: orphans of the killed tasks come here */
	while (waitpid(-1, &status, __WALL) > 0)
		;
}

static int write_pidfile(int workfd, pid_t pid)
{
	char buf[32];
	int fd, len = snprintf(buf, sizeof(buf), "%d", pid);

	fd = openat(workfd, opts->pidfile, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, buf, len) != len) {
		pr_perror("can't write pidfile '%s'", opts->pidfile);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static int wait_root(pid_t root)
{
	int status;

	if (waitpid(root, &status, 0) != root) {
		pr_perror("can't wait for task %d", root);
		return -1;
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	pr_info("task %d was killed by signal %d\n", root, WTERMSIG(status));
	return 128 + WTERMSIG(status);
}

static void free_ctx(struct restore_ctx *ctx)
{
	struct pstree_item *it;

	pstree_for_each(&ctx->tree, it) {
		struct rst_task *t = it->priv;

		if (!t)
			continue;
		task_core_free(&t->core);
		mm_state_free(&t->mm);
		mem_pagemap_free(&t->pagemap);
		fd_table_free(&t->fds);
		free(t);
	}
	pstree_free(&ctx->tree);
	files_free(&ctx->files);
	files_close_ghosts();
	mem_shmem_free(&ctx->shmem);
	mem_layout_free(&ctx->own);
	pidctl_fini(&ctx->pc);
	if (ctx->shared)
		munmap(ctx->shared, ctx->shared_len);
}

static int create_root(struct restore_ctx *ctx, pid_t *root)
{
	struct pstree_item *it = ctx->tree.root;
	sigset_t all, old;
	uint32_t slot;
	pid_t pid;

	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	slot = rst_reserve_slot(ctx);
	ctx->creator = getpid();
	pid = pidctl_fork(&ctx->pc, it->pid, opts->restore_sibling ? PIDCTL_SIBLING : 0);
	if (pid == 0)
		restore_task(ctx, it, slot);
	if (pid > 0)
		rst_note_created(ctx, slot, pid);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (pid < 0)
		return -1;
	*root = pid;
	return 0;
}

int cr_restore_tasks(int dirfd, int workfd)
{
	struct restore_ctx ctx = { .dirfd = dirfd };
	uint64_t t0 = stats_now_us(), t1;
	pid_t root = -1;
	int ret = -1;

	pstree_init(&ctx.tree);
	files_init(&ctx.files);
	ctx.pc.ns_last_pid_fd = ctx.pc.last_pid_fd = -1;
	if (read_images(&ctx) || pidctl_check_free(&ctx.tree) ||
	    pidctl_init(&ctx.pc, opts->pid_method) || pidctl_plan(&ctx.pc, &ctx.tree) ||
	    pidctl_plan_check(&ctx.pc) ||
	    setup_shared(&ctx) || open_files(&ctx))
		goto out;
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0))
		pr_pwarn("can't become a child subreaper");
	if (rst_unregister_rseq() || mem_layout_read(&ctx.own))
		goto out;
	t1 = stats_now_us();
	if (create_root(&ctx, &root) || wait_ready(&ctx, root))
		goto fail;
	ctx.stats.forking_us = ctx.shared->created_at_us - t1;
	if (ctx.pc.method == PID_METHOD_SPIN)
		pr_info("spinning burnt %lu pids in criu (plan: %d pass(es) over pid_max %u)\n",
			ctx.pc.spun, pidctl_plan_passes(&ctx.pc), ctx.pc.pid_max);
	ctx.stats.spin_passes = pidctl_plan_passes(&ctx.pc);
	/* criu's copies of pipes and files would keep them open after the tasks' */
	files_close_all(&ctx.files);
	mem_shmem_free(&ctx.shmem);
	/* before the tree runs: a restore that can't write it fails whole */
	if (opts->pidfile && write_pidfile(workfd, root))
		goto fail;
	if (restore_finalize(&ctx))
		goto fail;
	ctx.stats.restore_us = stats_now_us() - t0;
	ctx.stats.pages_restored = ctx.shared->pages_restored;
	ctx.stats.pages_us = ctx.shared->fill_end_us - ctx.shared->fill_start_us;
	ctx.stats.pages_us_summed = ctx.shared->pages_us;
	ctx.stats.pids_spun = ctx.shared->pids_spun + ctx.pc.spun;
	ctx.stats.pid_max = ctx.pc.pid_max;
	ctx.stats.nr_tasks = ctx.tree.nr_items;
	ctx.stats.pid_method = pid_method_name(ctx.pc.method);
	pr_info("restored tree %d in %llu us\n", root, (unsigned long long)ctx.stats.restore_us);
	if (stats_write_restore(dirfd, &ctx.stats))
		pr_warn("can't write stats-restore\n");
	if (opts->display_stats)
		stats_print_restore(&ctx.stats);
	ret = 0;
	if (!opts->restore_detached && !opts->restore_sibling)
		ret = wait_root(root);
	goto out;
fail:
	kill_created(&ctx);
	pr_err("restore failed; every task created was killed\n");
out:
	free_ctx(&ctx);
	return ret;
}
