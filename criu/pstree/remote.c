// SPDX-License-Identifier: GPL-2.0
/*
 * Syscalls inside a seized thread, through compel, with a scratch page
 * for the results; and compel's log routed into criu's.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define LOG_PREFIX "remote: "
#include "compel/infect.h"
#include "log.h"
#include "remote.h"

static void compel_log(int level, const char *fmt, va_list ap)
{
	char buf[1024];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	log_print(level, "%s%s", level == LOG_ERROR ? "Error: " : "", buf);
}

static int prepare(struct remote *r, pid_t tid, bool scratch)
{
	static bool log_ready;

	if (!log_ready) {
		compel_log_init(compel_log);
		log_ready = true;
	}
	r->tid = tid;
	r->scratch = 0;
	r->ctl = compel_prepare(tid);
	if (!r->ctl) {
		pr_err("can't prepare thread %d for syscalls\n", tid);
		return -1;
	}
	if (scratch && compel_map_scratch(r->ctl, REMOTE_SCRATCH_SIZE, &r->scratch)) {
		pr_err("can't map scratch memory in thread %d\n", tid);
		compel_release(r->ctl);
		r->ctl = NULL;
		return -1;
	}
	return 0;
}

int remote_open(struct remote *r, pid_t tid)
{
	return prepare(r, tid, true);
}

int remote_open_at_stop(struct remote *r, pid_t tid)
{
	return prepare(r, tid, false);
}

int remote_syscall(struct remote *r, long nr, long *res, unsigned long a1, unsigned long a2,
		   unsigned long a3, unsigned long a4)
{
	if (compel_syscall(r->ctl, nr, res, a1, a2, a3, a4, 0, 0)) {
		pr_err("syscall %ld in thread %d failed to run\n", nr, r->tid);
		return -1;
	}
	return 0;
}

int remote_batch(struct remote *r, struct remote_call *calls, int n)
{
	struct compel_call *c = calloc(n, sizeof(*c));
	int ret = -1;

	if (!c) {
		pr_err("out of memory\n");
		return -1;
	}
	for (int i = 0; i < n; i++) {
		c[i].nr = calls[i].nr;
		memcpy(c[i].a, calls[i].a, sizeof(calls[i].a));
	}
	if (compel_syscall_batch(r->ctl, c, n)) {
		pr_err("%d syscalls in thread %d failed to run\n", n, r->tid);
		goto out;
	}
	for (int i = 0; i < n; i++)
		calls[i].res = c[i].ret;
	ret = 0;
out:
	free(c);
	return ret;
}

int remote_read(struct remote *r, size_t off, void *buf, size_t len)
{
	if (off + len > REMOTE_SCRATCH_SIZE || !r->scratch)
		return -1;
	return compel_read_remote(r->ctl, buf, r->scratch + off, len);
}

int remote_close(struct remote *r)
{
	int ret = 0;

	if (r->ctl && compel_release(r->ctl)) {
		pr_err("can't give thread %d back as it was\n", r->tid);
		ret = -1;
	}
	r->ctl = NULL;
	return ret;
}
