/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Run syscalls inside a seized thread (through compel) for state only the
 * thread itself can report, with a scratch page in its memory for results.
 */
#ifndef CRIU_INCLUDE_REMOTE_H
#define CRIU_INCLUDE_REMOTE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "common/compiler.h"

#define REMOTE_SCRATCH_SIZE 4096

struct compel_ctl;

struct remote {
	pid_t tid;
	struct compel_ctl *ctl;
	unsigned long scratch;	/* address in the thread's memory */
};

/* The thread must be seized and stopped. */
int remote_open(struct remote *r, pid_t tid) __must_check;
/* Without scratch memory: for a thread that must not see a new mapping. */
int remote_open_at_stop(struct remote *r, pid_t tid) __must_check;
/* Run syscall nr; *res gets the raw result (-errno on failure). */
int remote_syscall(struct remote *r, long nr, long *res, unsigned long a1, unsigned long a2,
		   unsigned long a3, unsigned long a4) __must_check;
/* One syscall of remote_batch(); res gets its raw result. */
struct remote_call {
	long nr;
	unsigned long a[4];
	long res;
};

/*
 * Run n syscalls in the thread, in order, in about the time of one (each
 * injected syscall costs two ptrace stops; a batch, one for them all).
 */
int remote_batch(struct remote *r, struct remote_call *calls, int n) __must_check;
/* Copy len bytes from the scratch page at offset off. */
int remote_read(struct remote *r, size_t off, void *buf, size_t len) __must_check;
/* Give the thread back exactly as it was. */
int remote_close(struct remote *r);

#endif /* CRIU_INCLUDE_REMOTE_H */
