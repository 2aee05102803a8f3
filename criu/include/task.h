/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-task and per-thread kernel state (the core image): registers,
 * signals, timers, credentials, limits and small process attributes.
 */
#ifndef CRIU_INCLUDE_TASK_H
#define CRIU_INCLUDE_TASK_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "asm/regs.h"
#include "common/compiler.h"

#define TASK_NSIG	64
#define TASK_NRLIMITS	16
#define TASK_SIGINFO_SIZE 128
#define TASK_MAX_SIGQUEUE 4096	/* queued signals we accept per queue */
#define TASK_MAX_TIMERS	4096

struct sigqueue {
	int nr;
	uint8_t (*info)[TASK_SIGINFO_SIZE];	/* raw siginfo_t, oldest first */
};

struct creds {
	uint32_t uid, euid, suid, fsuid;
	uint32_t gid, egid, sgid, fsgid;
	uint64_t cap_inh, cap_prm, cap_eff, cap_bnd, cap_amb;
	uint32_t secbits;
	bool no_new_privs;
	int ngroups;
	uint32_t *groups;
};

struct rseq_cfg {
	uint64_t ptr;
	uint32_t len, sig;
};

struct thread_core {
	pid_t tid;
	struct arch_regs regs;
	uint8_t *xsave;			/* NT_X86_XSTATE as read, xsave_len bytes */
	uint32_t xsave_len;
	uint64_t blocked;		/* signal mask */
	struct sigqueue pending;	/* thread-directed */
	uint64_t sas_sp, sas_size;
	uint32_t sas_flags;
	uint64_t clear_tid_addr;
	uint64_t robust_list, robust_len;
	struct rseq_cfg rseq;
	uint32_t pdeath_sig;
	struct creds creds;
	char comm[16];
};

struct sigaction_state {
	uint64_t handler, flags, restorer, mask;
};

struct itimer_state {
	uint64_t isec, iusec, vsec, vusec;	/* interval, value */
};

struct posix_timer_state {
	uint32_t id, clock, signo, notify;
	int32_t notify_tid;
	uint64_t sival;
	uint32_t overrun;
	uint64_t isec, insec, vsec, vnsec;
};

struct task_core {
	int state;			/* TASK_* of pstree.h */
	int exit_code;
	uint32_t personality;
	uint32_t flags;			/* PF_* from /proc/PID/stat */
	char comm[16];
	bool child_subreaper;
	struct sigaction_state sa[TASK_NSIG];	/* index = signal - 1 */
	struct itimer_state itimers[3];		/* real, virtual, prof */
	int nr_posix_timers;
	struct posix_timer_state *posix_timers;
	uint64_t rlim_cur[TASK_NRLIMITS], rlim_max[TASK_NRLIMITS];
	struct sigqueue shared_pending;
	int nr_threads;
	struct thread_core *threads;	/* threads[0] is the main thread */
};

void task_core_free(struct task_core *tc);
void sigqueue_free(struct sigqueue *q);
int sigqueue_add(struct sigqueue *q, const void *info) __must_check;

/* Collect the core state of a seized, stopped task (threads listed main first). */
int task_dump_core(pid_t pid, const pid_t *tids, int nr_threads,
		   struct task_core *tc) __must_check;

/* core-TID.img: one per thread; the main thread's also holds the task part. */
int task_write_core(int dirfd, const struct task_core *tc) __must_check;
/* A zombie's core image: its state and wait status only. */
int task_write_zombie(int dirfd, pid_t pid, int exit_code, const char *comm) __must_check;
/* Zombies come back with state TASK_DEAD, exit_code set and no threads. */
int task_read_core(int dirfd, pid_t pid, const pid_t *tids, int nr_threads,
		   struct task_core *tc) __must_check;

#endif /* CRIU_INCLUDE_TASK_H */
