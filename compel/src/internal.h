/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internals shared by libcompel's files: the injection context, logging
 * macros and the helpers each file exports to the others.
 */
#ifndef COMPEL_SRC_INTERNAL_H
#define COMPEL_SRC_INTERNAL_H

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#include <compel/infect.h>
#include "common/compiler.h"
#include "compel-arch.h"

/* Kernel-internal "restart me" codes a stopped syscall may hold in its result. */
#define ERESTARTSYS		512
#define ERESTARTNOINTR		513
#define ERESTARTNOHAND		514
#define ERESTART_RESTARTBLOCK	516

static inline int compel_restart_code(long r)
{
	return r == -ERESTARTSYS || r == -ERESTARTNOINTR || r == -ERESTARTNOHAND ||
	       r == -ERESTART_RESTARTBLOCK;
}

struct compel_scratch {
	unsigned long addr;
	size_t size;
	struct compel_scratch *next;
};

struct compel_ctl {
	pid_t tid;
	/* The thread as the caller gave it to us; put back by release. */
	compel_regs_t regs;
	uint64_t sigmask;
	int sigmask_blocked;	/* we replaced the mask: put it back */
	int regs_changed;	/* a syscall ran: registers need restoring */
	int dead;		/* the thread is gone: nothing to restore */
	int lost_stop;		/* a SIGSTOP arrived meanwhile: send it again */
	int lost_trap;		/* so did the batch code's trap signal: send it again */

	unsigned long gadget;	/* address of the syscall instruction we use */
	int patched;		/* the gadget was written over code at regs' ip */
	unsigned char saved_code[COMPEL_SYSCALL_INSN_LEN];

	int mem_fd;		/* /proc/TID/mem, opened on first need */
	struct compel_scratch *scratch;

	/* batch.c: code and table in the thread, mapped on first use */
	unsigned long batch_area;
	int batch_unusable;	/* no executable scratch here: one syscall at a time */
};

void compel_log(int level, const char *fmt, ...) __printf(2, 3);

#define pr_err(fmt, ...)	compel_log(COMPEL_LOG_ERROR, "compel: " fmt "\n", ##__VA_ARGS__)
#define pr_warn(fmt, ...)	compel_log(COMPEL_LOG_WARN, "compel: " fmt "\n", ##__VA_ARGS__)
#define pr_info(fmt, ...)	compel_log(COMPEL_LOG_INFO, "compel: " fmt "\n", ##__VA_ARGS__)
#define pr_debug(fmt, ...)	compel_log(COMPEL_LOG_DEBUG, "compel: " fmt "\n", ##__VA_ARGS__)
/* After a failed call: appends errno's text. */
#define pr_perror(fmt, ...)	\
	compel_log(COMPEL_LOG_ERROR, "compel: " fmt ": %s\n", ##__VA_ARGS__, strerror(errno))

/* ptrace.c: register access and waiting for the thread's next stop. */
int compel_get_regs(pid_t tid, compel_regs_t *regs);
int compel_set_regs(pid_t tid, const compel_regs_t *regs);
int compel_set_sigmask(pid_t tid, uint64_t mask);
int compel_resume_to_syscall_stop(struct compel_ctl *ctl);
int compel_trap_in_signal_path(struct compel_ctl *ctl);
int compel_resume_to_trap(struct compel_ctl *ctl);

/* gadget.c: find or make a syscall instruction in the thread. */
int compel_find_gadget(struct compel_ctl *ctl);
int compel_unpatch_gadget(struct compel_ctl *ctl);

/* remote.c: the thread's memory. */
int compel_find_vma(pid_t tid, const char *name, unsigned long *start, unsigned long *end,
		    char perms[5]);
void compel_close_mem(struct compel_ctl *ctl);
int compel_unmap_scratch(struct compel_ctl *ctl);
int compel_map_scratch_prot(struct compel_ctl *ctl, size_t size, int prot, int quiet,
			    unsigned long *remote);

#endif /* COMPEL_SRC_INTERNAL_H */
