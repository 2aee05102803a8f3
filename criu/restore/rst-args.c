// SPDX-License-Identifier: GPL-2.0
/*
 * The bootstrap region of a restoring task: the restorer blob, its
 * argument block with every array it points to, the signal frames, the
 * shared block, a parking spot for the vDSO and the restorer's stacks, all
 * in one range free in both the dumped layout and ours, so nothing the
 * restorer needs is ever in the way of a dumped area.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define LOG_PREFIX "restore: "
#include "arch.h"
#include "common/page.h"
#include "compel/blob.h"
#include "log.h"
#include "options.h"
#include "pie/restorer-blob.h"
#include "../pie/restorer.h"
#include "proc-parse.h"
#include "restore-internal.h"
#include "servicefd.h"

#define MAIN_STACK	(64 << 10)
#define USER_TOP	0x7ffffffff000ULL

struct bump {
	uint64_t at, end;
};

static uint64_t take(struct bump *b, uint64_t size, uint64_t align)
{
	uint64_t p = ALIGN_UP(b->at, align);

	if (p + size > b->end)
		return 0;
	b->at = p + size;
	return p;
}

static uint64_t copy_in(struct bump *b, const void *src, uint64_t size)
{
	uint64_t p = take(b, size ? size : 1, 16);

	if (p && size)
		memcpy((void *)p, src, size);
	return p;
}

static uint32_t last_cap(void)
{
	char *s = proc_read_file("/proc/sys/kernel/cap_last_cap", NULL);
	uint32_t v = s ? strtoul(s, NULL, 10) : 40;

	free(s);
	return v > 63 ? 63 : v;
}

static uint64_t args_room(const struct rst_task *t, const struct mem_restore *mr)
{
	const struct task_core *tc = &t->core;
	uint64_t n = sizeof(struct rst_args) + (mr->nr_moves + 4) * sizeof(struct rst_range) +
		     mr->nr_moves * sizeof(struct rst_move) +
		     tc->nr_posix_timers * sizeof(struct rst_timer) +
		     tc->shared_pending.nr * RST_SIGINFO_SIZE +
		     tc->nr_threads * (sizeof(struct rst_thread) + RST_THREAD_STACK) +
		     MM_MAX_AUXV * 8 + MAIN_STACK + 64 * 1024;

	for (int i = 0; i < tc->nr_threads; i++) {
		const struct thread_core *th = &tc->threads[i];

		n += arch_sigframe_size(th) + th->pending.nr * RST_SIGINFO_SIZE +
		     (th->creds.ngroups + 1) * 4 + 256;
	}
	return PAGE_ALIGN(n);
}

static void fill_creds(struct rst_creds *c, const struct creds *cr, struct bump *b, uint32_t lc)
{
	c->uid = cr->uid; c->euid = cr->euid; c->suid = cr->suid; c->fsuid = cr->fsuid;
	c->gid = cr->gid; c->egid = cr->egid; c->sgid = cr->sgid; c->fsgid = cr->fsgid;
	c->cap_inh = cr->cap_inh; c->cap_prm = cr->cap_prm; c->cap_eff = cr->cap_eff;
	c->cap_bnd = cr->cap_bnd; c->cap_amb = cr->cap_amb;
	c->secbits = cr->secbits;
	c->no_new_privs = cr->no_new_privs;
	c->ngroups = cr->ngroups;
	c->groups = copy_in(b, cr->groups, cr->ngroups * sizeof(uint32_t));
	c->last_cap = lc;
}

static int fill_threads(struct rst_args *a, const struct task_core *tc, struct bump *b)
{
	struct rst_thread *th = (void *)take(b, tc->nr_threads * sizeof(*th), 64);
	uint32_t lc = last_cap();

	if (!th)
		return -1;
	a->threads = (uint64_t)th;
	a->nr_threads = tc->nr_threads;
	for (int i = 0; i < tc->nr_threads; i++) {
		const struct thread_core *c = &tc->threads[i];
		uint64_t frame = take(b, arch_sigframe_size(c), 64);
		uint64_t stack = take(b, i ? RST_THREAD_STACK : MAIN_STACK, 64);

		if (!frame || !stack)
			return -1;
		th[i].tid = c->tid;
		th[i].args = (uint64_t)a;
		th[i].pdeath_sig = c->pdeath_sig;
		th[i].sigframe = arch_build_sigframe(c, frame);
		th[i].stack_top = stack + (i ? RST_THREAD_STACK : MAIN_STACK);
		th[i].fs_base = c->regs.fs_base;
		th[i].gs_base = c->regs.gs_base;
		th[i].clear_tid_addr = c->clear_tid_addr;
		th[i].robust_list = c->robust_list;
		th[i].robust_len = c->robust_len;
		th[i].rseq_ptr = c->rseq.ptr;
		th[i].rseq_len = c->rseq.len;
		th[i].rseq_sig = c->rseq.sig;
		th[i].nr_signals = c->pending.nr;
		th[i].signals = copy_in(b, c->pending.info, c->pending.nr * RST_SIGINFO_SIZE);
		fill_creds(&th[i].creds, &c->creds, b, lc);
		memcpy(th[i].comm, c->comm, sizeof(th[i].comm));
	}
	return 0;
}

static void fill_task(struct rst_args *a, const struct task_core *tc, struct bump *b)
{
	struct rst_timer *tm = (void *)take(b, (tc->nr_posix_timers + 1) * sizeof(*tm), 16);

	a->personality = tc->personality;
	a->child_subreaper = tc->child_subreaper;
	for (int i = 0; i < RST_NSIG; i++)
		a->sa[i] = (struct rst_sigaction){ tc->sa[i].handler, tc->sa[i].flags,
						   tc->sa[i].restorer, tc->sa[i].mask };
	for (int i = 0; i < 3; i++) {
		const struct itimer_state *it = &tc->itimers[i];
		bool rearm = !it->vsec && !it->vusec && (it->isec || it->iusec);

		/*
		 * An expired periodic timer whose signal is still pending is
		 * re-armed only when the signal is taken: it reads 0 with its
		 * interval, and setting 0 would disarm it. Arm it one period on.
		 */
		a->itimers[i][0] = it->isec;
		a->itimers[i][1] = it->iusec;
		a->itimers[i][2] = rearm ? it->isec : it->vsec;
		a->itimers[i][3] = rearm ? it->iusec : it->vusec;
	}
	for (int i = 0; tm && i < tc->nr_posix_timers; i++) {
		const struct posix_timer_state *p = &tc->posix_timers[i];

		bool rearm = !p->vsec && !p->vnsec && (p->isec || p->insec);

		/* same as the interval timers: pending signal, not yet re-armed */
		tm[i] = (struct rst_timer){ .id = p->id, .clock = p->clock, .signo = p->signo,
					    .notify = p->notify, .notify_tid = p->notify_tid,
					    .sival = p->sival, .isec = p->isec,
					    .insec = p->insec,
					    .vsec = rearm ? p->isec : p->vsec,
					    .vnsec = rearm ? p->insec : p->vnsec };
	}
	a->timers = (uint64_t)tm;
	a->nr_timers = tc->nr_posix_timers;
	a->nr_shared_signals = tc->shared_pending.nr;
	a->shared_signals = copy_in(b, tc->shared_pending.info,
				    tc->shared_pending.nr * RST_SIGINFO_SIZE);
	memcpy(a->rlim_cur, tc->rlim_cur, sizeof(a->rlim_cur));
	memcpy(a->rlim_max, tc->rlim_max, sizeof(a->rlim_max));
}

static void fill_mm(struct rst_args *a, const struct mm_state *mm, struct bump *b)
{
	struct rst_mm_map *m = &a->mm;
	int exe = sfd_get(SFD_EXE);

	m->start_code = mm->start_code;
	m->end_code = mm->end_code;
	m->start_data = mm->start_data;
	m->end_data = mm->end_data;
	m->start_brk = mm->start_brk;
	m->brk = mm->brk;
	m->start_stack = mm->start_stack;
	m->arg_start = mm->arg_start;
	m->arg_end = mm->arg_end;
	m->env_start = mm->env_start;
	m->env_end = mm->env_end;
	m->auxv = copy_in(b, mm->auxv, mm->nr_auxv * sizeof(uint64_t));
	m->auxv_size = mm->nr_auxv * sizeof(uint64_t);
	m->exe_fd = exe >= 0 ? (uint32_t)exe : (uint32_t)-1;
	a->thp_disabled = mm->thp_disabled;
}

/*
 * Unmap everything but the bootstrap region, the premap region and the
 * areas filled in place: gaps are no-ops.
 */
static int fill_unmap(struct rst_args *a, const struct rst_bootstrap *bs,
		      const struct mem_restore *mr, struct bump *b)
{
	struct mem_range *keep = calloc(mr->nr_moves + 2, sizeof(*keep));
	struct rst_range *r = (void *)take(b, (mr->nr_moves + 3) * sizeof(*r), 16);
	uint64_t at = 0;
	int n = 0, nk = 0;

	if (!keep || !r) {
		free(keep);
		return -1;
	}
	keep[nk++] = (struct mem_range){ bs->start, bs->start + bs->len };
	if (mr->premap_len)
		keep[nk++] = (struct mem_range){ mr->premap_start,
						 mr->premap_start + mr->premap_len };
	for (int i = 0; i < mr->nr_moves; i++)
		if (mr->moves[i].src == mr->moves[i].dst)
			keep[nk++] = (struct mem_range){ mr->moves[i].src,
							 mr->moves[i].src + mr->moves[i].len };
	qsort(keep, nk, sizeof(*keep), mem_range_cmp);
	for (int i = 0; i < nk; i++) {
		if (keep[i].start > at)
			r[n++] = (struct rst_range){ at, keep[i].start - at };
		at = max(at, keep[i].end);
	}
	if (at < USER_TOP)
		r[n++] = (struct rst_range){ at, USER_TOP - at };
	free(keep);
	a->unmap = (uint64_t)r;
	a->nr_unmap = n;
	return 0;
}

static int fill_moves(struct rst_args *a, const struct mem_restore *mr,
		      const struct mem_vdso_plan *vp, struct bump *b)
{
	struct rst_move *m = (void *)take(b, (mr->nr_moves + 1) * sizeof(*m), 16);

	if (!m)
		return -1;
	for (int i = 0; i < mr->nr_moves; i++)
		m[i] = (struct rst_move){ mr->moves[i].src, mr->moves[i].dst, mr->moves[i].len };
	a->moves = (uint64_t)m;
	a->nr_moves = mr->nr_moves;
	a->premap_start = mr->premap_start;
	a->premap_len = mr->premap_len;
	a->nr_vdso = vp->nr;
	a->unmap_vdso = vp->unmap;
	for (int i = 0; i < vp->nr; i++) {
		a->vdso_tmp[i] = (struct rst_move){ vp->tmp[i].src, vp->tmp[i].dst, vp->tmp[i].len };
		a->vdso_final[i] =
			(struct rst_move){ vp->final[i].src, vp->final[i].dst, vp->final[i].len };
	}
	return 0;
}

static void fill_common(struct rst_args *a, const struct pstree_item *it)
{
	long sec, usec;
	int fds[] = { SFD_IMG_DIR, SFD_EXE, SFD_PAGES, SFD_LOG };

	a->version = RST_ARGS_VERSION;
	a->size = sizeof(*a);
	a->log_fd = log_get_fd();
	a->log_level = log_get_level();
	log_get_start(&sec, &usec);
	a->log_start_sec = sec;
	a->log_start_usec = usec;
	a->pid = it->pid;
	for (size_t i = 0; i < ARRAY_SIZE(fds); i++)
		if (sfd_get(fds[i]) >= 0)
			a->close_fds[a->nr_close++] = sfd_get(fds[i]);
}

int rst_build_bootstrap(struct restore_ctx *ctx, struct pstree_item *it,
			const struct mem_restore *mr, struct rst_bootstrap *bs)
{
	const struct compel_blob_desc *blob = &restorer_blob_desc;
	const struct rst_task *t = rst_task_of(it);
	struct mem_range avoid = { mr->premap_start, mr->premap_start + mr->premap_len };
	uint64_t blob_len = PAGE_ALIGN(blob->size), shared_at, vdso_at;
	struct mem_vdso_plan vp;
	struct rst_args *a;
	struct bump b;

	if (mem_plan_vdso(&ctx->own, &t->mm, &vp))
		return -1;
	bs->len = blob_len + args_room(t, mr) + ctx->shared_len + PAGE_ALIGN(vp.total);
	if (mem_reserve_region(&ctx->own, &t->mm, bs->len, PAGE_SIZE, &avoid, 1, &bs->start))
		return -1;
	if (mprotect((void *)bs->start, bs->len, PROT_READ | PROT_WRITE | PROT_EXEC)) {
		pr_perror("can't make the bootstrap region usable");
		return -1;
	}
	/* the region was just reserved: zero */
	compel_blob_relocate_fresh((void *)bs->start, blob, bs->start);
	bs->entry = bs->start + blob->entry;
	/* the shared block and the vDSO parking spot come first, page aligned */
	shared_at = bs->start + blob_len;
	vdso_at = shared_at + ctx->shared_len;
	if (mremap(ctx->shared, ctx->shared_len, ctx->shared_len, MREMAP_MAYMOVE | MREMAP_FIXED,
		   (void *)shared_at) != (void *)shared_at) {
		pr_perror("can't move the shared block into the bootstrap region");
		return -1;
	}
	ctx->shared = (void *)shared_at;
	mem_vdso_set_tmp(&vp, vdso_at);
	b.at = vdso_at + PAGE_ALIGN(vp.total);
	b.end = bs->start + bs->len;
	a = (void *)take(&b, sizeof(*a), 64);
	fill_common(a, it);
	a->bootstrap_start = bs->start;
	a->bootstrap_len = bs->len;
	a->shared = shared_at;
	fill_task(a, &t->core, &b);
	fill_mm(a, &t->mm, &b);
	if (fill_threads(a, &t->core, &b) || fill_moves(a, mr, &vp, &b) ||
	    fill_unmap(a, bs, mr, &b)) {
		pr_err("the bootstrap region is too small\n");
		return -1;
	}
	bs->args = (uint64_t)a;
	bs->threads = a->threads;
	bs->thread_entry = bs->start + RESTORER_BLOB_OFF_rst_thread_entry;
	bs->stack_top = ((struct rst_thread *)a->threads)[0].stack_top;
	return 0;
}
