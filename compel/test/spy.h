/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for test-infect: start and talk to a victim, seize it and walk it
 * from one ptrace stop to another, look at its registers and /proc, TAP.
 */
#ifndef COMPEL_TEST_SPY_H
#define COMPEL_TEST_SPY_H

#include <stdint.h>
#include <sys/types.h>

#include "compel-arch.h"

struct victim {
	pid_t pid;
	int cmd;	/* write end of its command pipe */
	int reply;	/* read end of its reply pipe */
};

void tap(int ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int tap_done(void);
void spy_log_init(void);
/* Count compel's messages (any level) that contain needle, from now on. */
void spy_log_watch(const char *needle);
int spy_log_seen(void);

int victim_start(const char *exe, const char *mode, struct victim *v);
int victim_ping(struct victim *v, long *ticks);
int victim_reply(struct victim *v, long *ticks);
int victim_quit(struct victim *v);

/* Seize + interrupt until the victim stops inside syscall nr (or nr2). */
int seize_in_syscall(struct victim *v, unsigned long options, long nr, long nr2);
/* PTRACE_SYSCALL (passing signals on) until the entry (exit) stop of nr. */
int advance_to(pid_t pid, int exit_stop, long nr);
int wait_stopped(pid_t pid, int *status);

int get_regs(pid_t pid, compel_regs_t *regs);
uint64_t get_sigmask(pid_t pid);
int sig_pending(pid_t pid, int sig);
char proc_state(pid_t pid);
int read_mem(pid_t pid, unsigned long addr, void *buf, size_t len);
int vma_range(pid_t pid, const char *name, unsigned long *start, unsigned long *end);
long now_ms(void);

#endif /* COMPEL_TEST_SPY_H */
