// SPDX-License-Identifier: GPL-2.0
/*
 * The restoring task, between its creation and the jump into the restorer:
 * criu's code still runs here (libc and all). It moves criu's own fds out
 * of the way, installs the dumped fd table and cwd, maps and fills every
 * memory area, builds the restorer's argument block, and jumps. Failures
 * are reported through the shared block; criu kills what was created.
 */
#include <fcntl.h>
#include <linux/futex.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/rseq.h>
#include <sys/syscall.h>
#include <unistd.h>

#define LOG_PREFIX "restore: "
#include "arch.h"
#include "kdat.h"
#include "log.h"
#include "options.h"
#include "../pie/restorer.h"
#include "restore-internal.h"
#include "servicefd.h"

static void report_failure(struct restore_ctx *ctx) __noreturn;
static void report_failure(struct restore_ctx *ctx)
{
	struct rst_shared *sh = ctx->shared;

	__atomic_store_n(&sh->error, 1, __ATOMIC_SEQ_CST);
	__atomic_sub_fetch(&sh->nr_in_progress, 1, __ATOMIC_SEQ_CST);
	_exit(1);
}

static void atomic_min(uint64_t *v, uint64_t x)
{
	uint64_t cur = __atomic_load_n(v, __ATOMIC_SEQ_CST);

	while ((!cur || x < cur) &&
	       !__atomic_compare_exchange_n(v, &cur, x, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
		;
}

static void atomic_max(uint64_t *v, uint64_t x)
{
	uint64_t cur = __atomic_load_n(v, __ATOMIC_SEQ_CST);

	while (x > cur &&
	       !__atomic_compare_exchange_n(v, &cur, x, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
		;
}

/* Service fds go above every fd of every task and of criu (see restore.c). */
static int setup_service_fds(struct restore_ctx *ctx)
{
	int fd;

	if (sfd_set_base(ctx->sfd_base))
		return -1;
	fd = fcntl(log_get_fd(), F_DUPFD_CLOEXEC, 0);
	if (fd < 0 || (fd = sfd_install(SFD_LOG, fd)) < 0 || log_move_fd(fd))
		return -1;
	fd = sfd_install(SFD_IMG_DIR, fcntl(ctx->dirfd, F_DUPFD_CLOEXEC, 0));
	if (fd < 0)
		return -1;
	ctx->dirfd = fd;
	return 0;
}

/* The exe link: only with CAP_CHECKPOINT_RESTORE, else criu's stays. */
static int open_exe(struct restore_ctx *ctx, const struct mm_state *mm)
{
	int fd;

	if (!kdat_get()->has_cap_checkpoint_restore) {
		pr_warn("no CAP_CHECKPOINT_RESTORE: /proc/PID/exe of the restored task will "
			"point to criu\n");
		return -1;
	}
	fd = files_open(&ctx->files, ctx->dirfd, mm->exe_file_id);
	if (fd < 0)
		return -2;
	return sfd_install(SFD_EXE, fd);
}

/*
 * The kernel writes the rseq area at returns to user mode; after a fork
 * each such write is a copy-on-write fault in parent and child, and the
 * restorer unmaps the area anyway. Tasks inherit the unregistration.
 */
int rst_unregister_rseq(void)
{
	void *area = (char *)__builtin_thread_pointer() + __rseq_offset;

	if (!__rseq_size)
		return 0;
	/* glibc registers 32 bytes whatever size it reports */
	if (syscall(SYS_rseq, area, __rseq_size, RSEQ_FLAG_UNREGISTER, RSEQ_SIG) &&
	    syscall(SYS_rseq, area, 32, RSEQ_FLAG_UNREGISTER, RSEQ_SIG)) {
		pr_perror("can't unregister criu's rseq area");
		return -1;
	}
	return 0;
}

/* The other threads, parked in the restorer until the main one is done. */
static int create_threads(struct restore_ctx *ctx, const struct pstree_item *it,
			  const struct rst_bootstrap *bs)
{
	const struct rst_thread *th = (const struct rst_thread *)bs->threads;
	struct rst_args *a = (struct rst_args *)bs->args;

	for (int i = 1; i < it->nr_threads; i++) {
		struct clone_args ca = { 0 };
		pid_t tid;

		ca.flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
			   CLONE_SYSVSEM | CLONE_SETTLS;
		ca.stack = th[i].stack_top - RST_THREAD_STACK;
		/* the entry is jumped to, not called: leave room for a return address */
		ca.stack_size = RST_THREAD_STACK - 8;
		ca.tls = th[i].fs_base;
		tid = pidctl_clone_thread(&ctx->pc, th[i].tid, &ca, sizeof(ca), bs->thread_entry,
					  (uint64_t)&th[i]);
		if (tid != th[i].tid) {
			pr_err("task %d: can't create thread %d\n", it->pid, th[i].tid);
			return -1;
		}
	}
	/* a new thread returns from clone3 into our code: wait until it left it */
	for (;;) {
		uint32_t n = __atomic_load_n(&a->threads_started, __ATOMIC_SEQ_CST);

		if (n == (uint32_t)it->nr_threads - 1)
			return 0;
		syscall(SYS_futex, &a->threads_started, FUTEX_WAIT_PRIVATE, n, NULL, NULL, 0);
	}
}

/* The foreground group of the terminal this task controls, or of the shell job's. */
static int restore_fg(struct restore_ctx *ctx, const struct pstree_item *it)
{
	bool job_root = opts->shell_job && !it->parent;
	pid_t fg = files_fg_group(&ctx->files, it->pid, it->pgid, job_root);

	if (!fg)
		return 0;
	rst_wait_grouped(ctx);
	return files_set_fg(fg, job_root);
}

void restore_task(struct restore_ctx *ctx, struct pstree_item *it, uint32_t slot)
{
	struct rst_task *t = rst_task_of(it);
	struct mem_restore mr;
	struct rst_bootstrap bs;

	rst_task_start(ctx, it, slot);
	if (restore_tree_part(ctx, it))
		goto fail;
	pr_info("task %d: restoring\n", it->pid);
	if (setup_service_fds(ctx))
		goto fail;
	/* the table takes fd numbers pidctl's fd may have had */
	pidctl_drop_fd(&ctx->pc, false);
	if (files_restore_fds(&ctx->files, ctx->dirfd, &t->fds) ||
	    files_restore_fs(&ctx->files, ctx->dirfd, &t->fs) || restore_fg(ctx, it))
		goto fail;
	if (mem_premap(ctx->dirfd, &t->mm, &t->pagemap, &ctx->own, &ctx->files, &ctx->shmem,
		       &mr))
		goto fail;
	__atomic_add_fetch(&ctx->shared->pages_restored, mr.pages_restored, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&ctx->shared->pages_us, mr.fill_us, __ATOMIC_SEQ_CST);
	atomic_min(&ctx->shared->fill_start_us, mr.fill_start_us);
	atomic_max(&ctx->shared->fill_end_us, mr.fill_end_us);
	if (open_exe(ctx, &t->mm) == -2)
		goto fail;
	if (files_close_restore_fds(&ctx->files, &t->fds))
		goto fail;
	if (rst_build_bootstrap(ctx, it, &mr, &bs))
		goto fail;
	/* ctx->shared now lives in the bootstrap region; criu unmaps it from there */
	ctx->shared->tasks[slot].bootstrap_start = bs.start;
	ctx->shared->tasks[slot].bootstrap_len = bs.len;
	ctx->shared->tasks[slot].dumpable = t->mm.dumpable;
	if (create_threads(ctx, it, &bs))
		goto fail;
	pidctl_drop_fd(&ctx->pc, true);
	__atomic_add_fetch(&ctx->shared->pids_spun, ctx->pc.spun, __ATOMIC_SEQ_CST);
	pr_info("task %d: jumping to the restorer at %llx\n", it->pid,
		(unsigned long long)bs.entry);
	arch_jump_to_restorer(bs.entry, bs.args, bs.stack_top);
fail:
	pr_err("task %d: restore failed before the restorer\n", it->pid);
	report_failure(ctx);
}
