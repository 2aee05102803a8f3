// SPDX-License-Identifier: GPL-2.0
/*
 * The core state to and from core-TID.img: the main thread's image holds
 * the task part too, as in CRIU. Reading checks every count and value that
 * restore will hand to the kernel.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#define LOG_PREFIX "core: "
#include "arch.h"
#include "arena.h"
#include "image.h"
#include "images.h"
#include "log.h"
#include "pstree.h"
#include "task.h"

static uint32_t *caps_words(struct arena *a, uint64_t v, size_t *n)
{
	uint32_t w[2] = { (uint32_t)v, (uint32_t)(v >> 32) };

	*n = 2;
	return arena_dup(a, w, sizeof(w));
}

static CredsEntry *creds_to_image(struct arena *a, const struct creds *c)
{
	CredsEntry *e = arena_alloc(a, sizeof(*e));

	if (!e)
		return NULL;
	creds_entry__init(e);
	e->uid = c->uid; e->euid = c->euid; e->suid = c->suid; e->fsuid = c->fsuid;
	e->gid = c->gid; e->egid = c->egid; e->sgid = c->sgid; e->fsgid = c->fsgid;
	e->cap_inh = caps_words(a, c->cap_inh, &e->n_cap_inh);
	e->cap_prm = caps_words(a, c->cap_prm, &e->n_cap_prm);
	e->cap_eff = caps_words(a, c->cap_eff, &e->n_cap_eff);
	e->cap_bnd = caps_words(a, c->cap_bnd, &e->n_cap_bnd);
	e->cap_amb = caps_words(a, c->cap_amb, &e->n_cap_amb);
	e->secbits = c->secbits;
	e->n_groups = c->ngroups;
	e->groups = arena_dup(a, c->groups, c->ngroups * sizeof(uint32_t));
	e->has_no_new_privs = 1;
	e->no_new_privs = c->no_new_privs;
	return e;
}

static SignalQueueEntry *sigqueue_to_image(struct arena *a, const struct sigqueue *q)
{
	SignalQueueEntry *e = arena_alloc(a, sizeof(*e));

	if (!e)
		return NULL;
	signal_queue_entry__init(e);
	e->n_signals = q->nr;
	e->signals = arena_alloc(a, q->nr * sizeof(*e->signals));
	for (int i = 0; e->signals && i < q->nr; i++) {
		SiginfoEntry *s = arena_alloc(a, sizeof(*s));

		if (!s)
			return NULL;
		siginfo_entry__init(s);
		s->siginfo.len = TASK_SIGINFO_SIZE;
		s->siginfo.data = arena_dup(a, q->info[i], TASK_SIGINFO_SIZE);
		e->signals[i] = s;
	}
	return e;
}

static ThreadCoreEntry *thread_to_image(struct arena *a, const struct thread_core *th)
{
	ThreadCoreEntry *e = arena_alloc(a, sizeof(*e));
	ThreadSasEntry *sas = arena_alloc(a, sizeof(*sas));
	RseqEntry *rs = arena_alloc(a, sizeof(*rs));

	if (!e || !sas || !rs)
		return NULL;
	thread_core_entry__init(e);
	e->futex_rla = th->robust_list;
	e->futex_rla_len = th->robust_len;
	e->has_blk_sigset = 1;
	e->blk_sigset = th->blocked;
	thread_sas_entry__init(sas);
	sas->ss_sp = th->sas_sp;
	sas->ss_size = th->sas_size;
	sas->ss_flags = th->sas_flags;
	e->sas = sas;
	e->has_pdeath_sig = 1;
	e->pdeath_sig = th->pdeath_sig;
	e->signals_p = sigqueue_to_image(a, &th->pending);
	e->creds = creds_to_image(a, &th->creds);
	e->comm = arena_strdup(a, th->comm);
	rseq_entry__init(rs);
	rs->rseq_abi_pointer = th->rseq.ptr;
	rs->rseq_abi_size = th->rseq.len;
	rs->signature = th->rseq.sig;
	e->rseq_entry = rs;
	return e;
}

static ItimerEntry *itimer_to_image(struct arena *a, const struct itimer_state *t)
{
	ItimerEntry *e = arena_alloc(a, sizeof(*e));

	if (!e)
		return NULL;
	itimer_entry__init(e);
	e->isec = t->isec;
	e->iusec = t->iusec;
	e->vsec = t->vsec;
	e->vusec = t->vusec;
	return e;
}

static TaskTimersEntry *timers_to_image(struct arena *a, const struct task_core *tc)
{
	TaskTimersEntry *e = arena_alloc(a, sizeof(*e));

	if (!e)
		return NULL;
	task_timers_entry__init(e);
	e->real = itimer_to_image(a, &tc->itimers[0]);
	e->virt = itimer_to_image(a, &tc->itimers[1]);
	e->prof = itimer_to_image(a, &tc->itimers[2]);
	e->n_posix = tc->nr_posix_timers;
	e->posix = arena_alloc(a, tc->nr_posix_timers * sizeof(*e->posix));
	for (int i = 0; e->posix && i < tc->nr_posix_timers; i++) {
		const struct posix_timer_state *t = &tc->posix_timers[i];
		PosixTimerEntry *p = arena_alloc(a, sizeof(*p));

		if (!p)
			return NULL;
		posix_timer_entry__init(p);
		p->it_id = t->id;
		p->clock_id = t->clock;
		p->si_signo = t->signo;
		p->it_sigev_notify = t->notify;
		p->sival_ptr = t->sival;
		p->overrun = t->overrun;
		p->isec = t->isec;
		p->insec = t->insec;
		p->vsec = t->vsec;
		p->vnsec = t->vnsec;
		p->has_notify_thread_id = 1;
		p->notify_thread_id = t->notify_tid;
		e->posix[i] = p;
	}
	return e;
}

static TaskRlimitsEntry *rlimits_to_image(struct arena *a, const struct task_core *tc)
{
	TaskRlimitsEntry *e = arena_alloc(a, sizeof(*e));

	if (!e)
		return NULL;
	task_rlimits_entry__init(e);
	e->n_rlimits = TASK_NRLIMITS;
	e->rlimits = arena_alloc(a, TASK_NRLIMITS * sizeof(*e->rlimits));
	for (int i = 0; e->rlimits && i < TASK_NRLIMITS; i++) {
		RlimitEntry *r = arena_alloc(a, sizeof(*r));

		if (!r)
			return NULL;
		rlimit_entry__init(r);
		r->cur = tc->rlim_cur[i];
		r->max = tc->rlim_max[i];
		e->rlimits[i] = r;
	}
	return e;
}

static TaskCoreEntry *task_to_image(struct arena *a, const struct task_core *tc)
{
	TaskCoreEntry *e = arena_alloc(a, sizeof(*e));

	if (!e)
		return NULL;
	task_core_entry__init(e);
	e->task_state = tc->state;
	e->exit_code = tc->exit_code;
	e->personality = tc->personality;
	e->flags = tc->flags;
	e->blk_sigset = tc->threads[0].blocked;
	e->comm = arena_strdup(a, tc->comm);
	e->timers = timers_to_image(a, tc);
	e->rlimits = rlimits_to_image(a, tc);
	e->signals_s = sigqueue_to_image(a, &tc->shared_pending);
	e->n_sigactions = TASK_NSIG;
	e->sigactions = arena_alloc(a, TASK_NSIG * sizeof(*e->sigactions));
	for (int i = 0; e->sigactions && i < TASK_NSIG; i++) {
		SaEntry *s = arena_alloc(a, sizeof(*s));

		if (!s)
			return NULL;
		sa_entry__init(s);
		s->sigaction = tc->sa[i].handler;
		s->flags = tc->sa[i].flags;
		s->restorer = tc->sa[i].restorer;
		s->mask = tc->sa[i].mask;
		e->sigactions[i] = s;
	}
	e->has_child_subreaper = 1;
	e->child_subreaper = tc->child_subreaper;
	return e;
}

static TaskKobjIdsEntry *ids_to_image(struct arena *a, pid_t pid)
{
	TaskKobjIdsEntry *e = arena_alloc(a, sizeof(*e));

	if (!e)
		return NULL;
	task_kobj_ids_entry__init(e);
	/* No sharing of these objects between tasks yet: the pid names them. */
	e->vm_id = e->files_id = e->fs_id = e->sighand_id = pid;
	return e;
}

int task_write_core(int dirfd, const struct task_core *tc)
{
	for (int i = 0; i < tc->nr_threads; i++) {
		const struct thread_core *th = &tc->threads[i];
		struct arena a = ARENA_INIT;
		CoreEntry ce = CORE_ENTRY__INIT;
		int ret;

		ce.mtype = arch_core_march();
		ce.thread_core = thread_to_image(&a, th);
		if (i == 0) {
			ce.tc = task_to_image(&a, tc);
			ce.ids = ids_to_image(&a, th->tid);
		}
		ret = arch_core_to_image(th, &a, &ce);
		if (!ret && !a.failed)
			ret = img_write_one(dirfd, IMG_CORE, th->tid, &ce);
		else
			ret = -1;
		/* CRIU also keeps the ids in their own image; crit's tools read it */
		if (!ret && i == 0)
			ret = img_write_one(dirfd, IMG_IDS, th->tid, ce.ids);
		arena_free(&a);
		if (ret)
			return -1;
	}
	return 0;
}

int task_write_zombie(int dirfd, pid_t pid, int exit_code, const char *comm)
{
	CoreEntry ce = CORE_ENTRY__INIT;
	TaskCoreEntry tc = TASK_CORE_ENTRY__INIT;

	ce.mtype = arch_core_march();
	tc.task_state = TASK_DEAD;
	tc.exit_code = exit_code;
	tc.comm = (char *)comm;
	ce.tc = &tc;
	return img_write_one(dirfd, IMG_CORE, pid, &ce);
}
