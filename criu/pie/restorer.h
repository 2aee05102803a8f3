/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The criu <-> restorer ABI: the one argument block the restorer blob gets.
 * Plain data only (no pointers into criu: every address is one that stays
 * valid after criu's own mappings are gone). criu fills it in the restoring
 * task, the blob checks version and size before using it.
 */
#ifndef CRIU_PIE_RESTORER_H
#define CRIU_PIE_RESTORER_H

#include <stdint.h>

#define RST_ARGS_VERSION	2
#define RST_NSIG		64
#define RST_NRLIMITS		16
#define RST_SIGINFO_SIZE	128
#define RST_MAX_VDSO		4
#define RST_MAX_CLOSE		8
#define RST_THREAD_STACK	(32 << 10)

struct rst_range {
	uint64_t start, len;
};

struct rst_move {
	uint64_t src, dst, len;
};

struct rst_sigaction {
	uint64_t handler, flags, restorer, mask;
};

struct rst_timer {
	uint32_t id, clock, signo, notify;
	int32_t notify_tid;
	uint32_t pad;
	uint64_t sival;
	uint64_t isec, insec, vsec, vnsec;
};

struct rst_creds {
	uint32_t uid, euid, suid, fsuid;
	uint32_t gid, egid, sgid, fsgid;
	uint64_t cap_inh, cap_prm, cap_eff, cap_bnd, cap_amb;
	uint32_t secbits, no_new_privs;
	uint32_t ngroups;
	uint32_t last_cap;	/* highest capability this kernel knows */
	uint64_t groups;	/* address of ngroups u32 */
};

/* Mirrors struct prctl_mm_map of <linux/prctl.h>. */
struct rst_mm_map {
	uint64_t start_code, end_code, start_data, end_data, start_brk, brk, start_stack;
	uint64_t arg_start, arg_end, env_start, env_end;
	uint64_t auxv;
	uint32_t auxv_size;
	uint32_t exe_fd;
};

struct rst_thread {
	int32_t tid;
	uint32_t pdeath_sig;
	uint64_t args;		/* the struct rst_args this thread belongs to */
	uint64_t sigframe;	/* address of the prepared rt_sigframe */
	uint64_t stack_top;	/* restorer stack of this thread */
	uint64_t fs_base, gs_base;
	uint64_t clear_tid_addr;
	uint64_t robust_list, robust_len;
	uint64_t rseq_ptr;
	uint32_t rseq_len, rseq_sig;
	uint32_t nr_signals;	/* thread-directed queued signals */
	uint32_t pad;
	uint64_t signals;	/* address of nr_signals siginfos */
	struct rst_creds creds;
	char comm[16];
};

/* One created task: criu kills it on failure, unmaps its bootstrap on success. */
struct rst_shared_task {
	int32_t pid;
	int32_t dumpable;	/* PR_SET_DUMPABLE value criu sets at the end */
	uint64_t bootstrap_start, bootstrap_len;
};

/* The restore-wide shared block (task_entries); futex words are u32. */
struct rst_shared {
	uint32_t nr_in_progress;	/* threads that have not reached the barrier */
	uint32_t go;			/* set by criu once every thread is traced */
	uint32_t error;			/* set by whoever fails first */
	uint32_t nr_forked;		/* tasks that exist by now */
	uint32_t nr_grouped;		/* tasks that joined their process group */
	uint32_t nr_created;		/* tasks that exist by now */
	uint32_t nr_tasks;
	uint64_t created_at_us;		/* CLOCK_MONOTONIC when the last one came */
	uint64_t pages_restored;	/* summed over the tasks */
	uint64_t pages_us;		/* time the tasks spent filling memory, summed */
	uint64_t fill_start_us;		/* the first task began filling memory */
	uint64_t fill_end_us;		/* the last one finished */
	uint64_t pids_spun;		/* pids the spinners burnt, all tasks */
	struct rst_shared_task tasks[];	/* every task created so far */
};

struct rst_args {
	uint32_t version;
	uint32_t size;			/* sizeof(struct rst_args) as criu saw it */
	int32_t log_fd;
	int32_t log_level;
	int64_t log_start_sec, log_start_usec;
	int32_t pid;

	/* where the blob, this block, stacks and the shared block live */
	uint64_t bootstrap_start, bootstrap_len;
	uint64_t shared;		/* struct rst_shared */

	/* criu's own areas to unmap */
	uint32_t nr_unmap;
	uint32_t nr_moves;
	uint64_t unmap;			/* struct rst_range[nr_unmap] */
	/* premapped areas to move into place, then the premap region to drop */
	uint64_t moves;			/* struct rst_move[nr_moves] */
	uint64_t premap_start, premap_len;
	/* vDSO/vvar areas: current -> temporary spot -> dumped address */
	uint32_t nr_vdso;
	uint32_t unmap_vdso;		/* the task had no vDSO: drop ours */
	struct rst_move vdso_tmp[RST_MAX_VDSO];
	struct rst_move vdso_final[RST_MAX_VDSO];

	struct rst_mm_map mm;
	uint32_t thp_disabled;
	uint32_t child_subreaper;
	uint32_t personality;

	struct rst_sigaction sa[RST_NSIG];
	uint64_t itimers[3][4];		/* interval sec, usec, value sec, usec */
	uint32_t nr_timers;
	uint32_t nr_shared_signals;
	uint64_t timers;		/* struct rst_timer[nr_timers] */
	uint64_t shared_signals;	/* siginfos */
	uint64_t rlim_cur[RST_NRLIMITS], rlim_max[RST_NRLIMITS];

	uint32_t nr_close;
	int32_t close_fds[RST_MAX_CLOSE];

	uint32_t nr_threads;
	uint32_t mm_ready;		/* futex: the other threads wait for the new mm */
	uint32_t threads_started;	/* futex: threads that left criu's code */
	uint32_t pad2;
	uint64_t threads;		/* struct rst_thread[nr_threads], [0] = main */
};

#endif /* CRIU_PIE_RESTORER_H */
