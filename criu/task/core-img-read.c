// SPDX-License-Identifier: GPL-2.0
/*
 * Read core-TID.img back into struct task_core, refusing any value restore
 * could not hand to the kernel as it is.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#define LOG_PREFIX "core: "
#include "arch.h"
#include "image.h"
#include "images.h"
#include "log.h"
#include "pstree.h"
#include "task.h"

static int caps_from_image(const uint32_t *w, size_t n, uint64_t *v, const char *what,
			   const char *img)
{
	if (n > 2) {
		pr_err("%s: %s capability set has %zu words\n", img, what, n);
		return -1;
	}
	*v = 0;
	for (size_t i = 0; i < n; i++)
		*v |= (uint64_t)w[i] << (32 * i);
	return 0;
}

static int creds_from_image(const CredsEntry *e, struct creds *c, const char *img)
{
	if (!e) {
		pr_err("%s: no credentials\n", img);
		return -1;
	}
	c->uid = e->uid; c->euid = e->euid; c->suid = e->suid; c->fsuid = e->fsuid;
	c->gid = e->gid; c->egid = e->egid; c->sgid = e->sgid; c->fsgid = e->fsgid;
	if (caps_from_image(e->cap_inh, e->n_cap_inh, &c->cap_inh, "inheritable", img) ||
	    caps_from_image(e->cap_prm, e->n_cap_prm, &c->cap_prm, "permitted", img) ||
	    caps_from_image(e->cap_eff, e->n_cap_eff, &c->cap_eff, "effective", img) ||
	    caps_from_image(e->cap_bnd, e->n_cap_bnd, &c->cap_bnd, "bounding", img) ||
	    caps_from_image(e->cap_amb, e->n_cap_amb, &c->cap_amb, "ambient", img))
		return -1;
	c->secbits = e->secbits;
	c->no_new_privs = e->has_no_new_privs && e->no_new_privs;
	if (e->n_groups > 65536) {
		pr_err("%s: %zu supplementary groups\n", img, e->n_groups);
		return -1;
	}
	c->ngroups = e->n_groups;
	c->groups = malloc((e->n_groups + 1) * sizeof(uint32_t));
	if (!c->groups)
		return -1;
	memcpy(c->groups, e->groups, e->n_groups * sizeof(uint32_t));
	if (e->lsm_profile || e->lsm_sockcreate || e->has_apparmor_data) {
		pr_err("%s: LSM labels are not supported\n", img);
		return -1;
	}
	return 0;
}

static int sigqueue_from_image(const SignalQueueEntry *e, struct sigqueue *q, const char *img)
{
	if (!e)
		return 0;
	if (e->n_signals > TASK_MAX_SIGQUEUE) {
		pr_err("%s: %zu queued signals\n", img, e->n_signals);
		return -1;
	}
	for (size_t i = 0; i < e->n_signals; i++) {
		const SiginfoEntry *s = e->signals[i];
		int signo;

		if (s->siginfo.len != TASK_SIGINFO_SIZE) {
			pr_err("%s: queued signal of %zu bytes\n", img, s->siginfo.len);
			return -1;
		}
		memcpy(&signo, s->siginfo.data, sizeof(int));
		if (signo < 1 || signo > TASK_NSIG) {
			pr_err("%s: queued signal number %d\n", img, signo);
			return -1;
		}
		if (sigqueue_add(q, s->siginfo.data))
			return -1;
	}
	return 0;
}

static int thread_from_image(const CoreEntry *ce, struct thread_core *th, const char *img)
{
	const ThreadCoreEntry *e = ce->thread_core;

	if (!e) {
		pr_err("%s: no thread state\n", img);
		return -1;
	}
	th->robust_list = e->futex_rla;
	th->robust_len = e->futex_rla_len;
	th->blocked = e->has_blk_sigset ? e->blk_sigset : 0;
	th->blocked &= ~((1ULL << (SIGKILL - 1)) | (1ULL << (SIGSTOP - 1)));
	if (e->sas) {
		th->sas_sp = e->sas->ss_sp;
		th->sas_size = e->sas->ss_size;
		th->sas_flags = e->sas->ss_flags;
	}
	th->pdeath_sig = e->has_pdeath_sig ? e->pdeath_sig : 0;
	if (th->pdeath_sig > TASK_NSIG) {
		pr_err("%s: parent-death signal %u\n", img, th->pdeath_sig);
		return -1;
	}
	if (e->rseq_entry) {
		th->rseq.ptr = e->rseq_entry->rseq_abi_pointer;
		th->rseq.len = e->rseq_entry->rseq_abi_size;
		th->rseq.sig = e->rseq_entry->signature;
	}
	if (e->has_seccomp_mode && e->seccomp_mode != SECCOMP_MODE__disabled) {
		pr_err("%s: seccomp is not supported\n", img);
		return -1;
	}
	snprintf(th->comm, sizeof(th->comm), "%s", e->comm ? e->comm : "");
	if (sigqueue_from_image(e->signals_p, &th->pending, img) ||
	    creds_from_image(e->creds, &th->creds, img))
		return -1;
	return arch_core_from_image(ce, th, img);
}

static int timers_from_image(const TaskTimersEntry *e, struct task_core *tc, const char *img)
{
	const ItimerEntry *it[3];

	if (!e)
		return 0;
	it[0] = e->real, it[1] = e->virt, it[2] = e->prof;
	for (int i = 0; i < 3; i++) {
		if (it[i]->iusec >= 1000000 || it[i]->vusec >= 1000000) {
			pr_err("%s: interval timer %d has bad microseconds\n", img, i);
			return -1;
		}
		tc->itimers[i] = (struct itimer_state){ it[i]->isec, it[i]->iusec, it[i]->vsec,
							it[i]->vusec };
	}
	if (e->n_posix > TASK_MAX_TIMERS) {
		pr_err("%s: %zu posix timers\n", img, e->n_posix);
		return -1;
	}
	tc->posix_timers = calloc(e->n_posix + 1, sizeof(*tc->posix_timers));
	if (!tc->posix_timers)
		return -1;
	tc->nr_posix_timers = e->n_posix;
	for (size_t i = 0; i < e->n_posix; i++) {
		const PosixTimerEntry *p = e->posix[i];
		struct posix_timer_state *t = &tc->posix_timers[i];

		if (p->insec >= 1000000000 || p->vnsec >= 1000000000 || p->si_signo > TASK_NSIG ||
		    p->it_id > 0x7fffffff) {
			pr_err("%s: posix timer %u is malformed\n", img, p->it_id);
			return -1;
		}
		*t = (struct posix_timer_state){
			.id = p->it_id, .clock = p->clock_id, .signo = p->si_signo,
			.notify = p->it_sigev_notify, .sival = p->sival_ptr,
			.overrun = p->overrun, .isec = p->isec, .insec = p->insec,
			.vsec = p->vsec, .vnsec = p->vnsec,
			.notify_tid = p->has_notify_thread_id ? p->notify_thread_id : 0,
		};
	}
	return 0;
}

static int rlimits_from_image(const TaskRlimitsEntry *e, struct task_core *tc, const char *img)
{
	for (int i = 0; i < TASK_NRLIMITS; i++)
		tc->rlim_cur[i] = tc->rlim_max[i] = RLIM_INFINITY;
	if (!e)
		return 0;
	if (e->n_rlimits > TASK_NRLIMITS) {
		pr_err("%s: %zu resource limits, this kernel has %d\n", img, e->n_rlimits,
		       TASK_NRLIMITS);
		return -1;
	}
	for (size_t i = 0; i < e->n_rlimits; i++) {
		if (e->rlimits[i]->cur > e->rlimits[i]->max) {
			pr_err("%s: limit %zu has soft %llu above hard %llu\n", img, i,
			       (unsigned long long)e->rlimits[i]->cur,
			       (unsigned long long)e->rlimits[i]->max);
			return -1;
		}
		tc->rlim_cur[i] = e->rlimits[i]->cur;
		tc->rlim_max[i] = e->rlimits[i]->max;
	}
	return 0;
}

static int task_from_image(const TaskCoreEntry *e, struct task_core *tc, const char *img)
{
	if (!e) {
		pr_err("%s: the main thread's image lacks the task state\n", img);
		return -1;
	}
	if (e->task_state != TASK_ALIVE && e->task_state != TASK_STOPPED &&
	    e->task_state != TASK_DEAD) {
		pr_err("%s: unknown task state %u\n", img, e->task_state);
		return -1;
	}
	if (e->n_sigactions > TASK_NSIG) {
		pr_err("%s: %zu signal actions\n", img, e->n_sigactions);
		return -1;
	}
	if ((e->has_old_seccomp_mode && e->old_seccomp_mode) || e->has_cg_set) {
		pr_err("%s: seccomp and cgroup sets are not supported\n", img);
		return -1;
	}
	tc->state = e->task_state;
	tc->exit_code = e->exit_code;
	tc->personality = e->personality;
	tc->flags = e->flags;
	snprintf(tc->comm, sizeof(tc->comm), "%s", e->comm);
	tc->child_subreaper = e->has_child_subreaper && e->child_subreaper;
	for (size_t i = 0; i < e->n_sigactions; i++) {
		tc->sa[i].handler = e->sigactions[i]->sigaction;
		tc->sa[i].flags = e->sigactions[i]->flags;
		tc->sa[i].restorer = e->sigactions[i]->restorer;
		tc->sa[i].mask = e->sigactions[i]->mask;
	}
	if (timers_from_image(e->timers, tc, img) || rlimits_from_image(e->rlimits, tc, img))
		return -1;
	return sigqueue_from_image(e->signals_s, &tc->shared_pending, img);
}

/* 1 if the image is a zombie's (*ret then says whether it was valid). */
static int read_zombie(const CoreEntry *ce, struct task_core *tc, const char *img, int *ret)
{
	const TaskCoreEntry *e = ce->tc;

	if (!e || e->task_state != TASK_DEAD)
		return 0;
	*ret = 0;
	/* a wait status: exit code << 8, or a signal number in the low 7 bits */
	if ((e->exit_code & 0x7f) > TASK_NSIG || (e->exit_code & ~0xffffu)) {
		pr_err("%s: zombie with a bad wait status 0x%x\n", img, e->exit_code);
		*ret = -1;
	}
	tc->state = TASK_DEAD;
	tc->exit_code = e->exit_code;
	snprintf(tc->comm, sizeof(tc->comm), "%s", e->comm);
	tc->nr_threads = 0;
	return 1;
}

int task_read_core(int dirfd, pid_t pid, const pid_t *tids, int nr_threads,
		   struct task_core *tc)
{
	memset(tc, 0, sizeof(*tc));
	tc->threads = calloc(nr_threads, sizeof(*tc->threads));
	if (!tc->threads)
		return -1;
	tc->nr_threads = nr_threads;
	for (int i = 0; i < nr_threads; i++) {
		char img[64];
		void *msg;
		int ret = 0;

		snprintf(img, sizeof(img), "core-%d.img", tids[i]);
		if (img_read_one(dirfd, IMG_CORE, tids[i], &msg))
			return -1;
		if (i == 0 && read_zombie(msg, tc, img, &ret)) {
			img_free(IMG_CORE, msg);
			return ret;
		}
		tc->threads[i].tid = tids[i];
		ret = thread_from_image(msg, &tc->threads[i], img);
		if (!ret && i == 0)
			ret = task_from_image(((CoreEntry *)msg)->tc, tc, img);
		img_free(IMG_CORE, msg);
		if (ret)
			return -1;
	}
	(void)pid;
	return 0;
}
