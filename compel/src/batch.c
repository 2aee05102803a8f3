// SPDX-License-Identifier: GPL-2.0
/*
 * Many syscalls in one resume: the batch code (compel/arch/.../batch-code.c)
 * is copied into an executable scratch area of the thread and run with
 * PTRACE_CONT over a table of calls until its closing trap. An injected
 * syscall costs two ptrace stops and about seven ptrace requests; a batch
 * costs one stop and a handful of requests, however many calls it holds.
 *
 * The trap is SIGTRAP from int3. A trap signal the thread blocks or ignores
 * is forced through by the kernel, which resets its action to SIG_DFL, so
 * while the code runs SIGTRAP is the one signal left unblocked, the batch
 * first saves the action, and an ignored one is set back afterwards. A
 * SIGTRAP already pending would be taken for the trap's: then, and where no
 * executable scratch can be mapped (a memory-deny-write-execute task), the
 * calls run one at a time as compel_syscall() does.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "common/page.h"
#include "internal.h"

/* Page 0: the code, and the saved trap action at SAVED_SA; then the table. */
#define SAVED_SA_OFF	2048
#define TABLE_PAGES	2
#define AREA_SIZE	(PAGE_SIZE * (1 + TABLE_PAGES))
/* Entries after the count; the first saves the trap signal's action. */
#define TABLE_ENTRIES	((PAGE_SIZE * TABLE_PAGES - 8) / sizeof(struct compel_call))
#define BATCH_MAX	((int)TABLE_ENTRIES - 1)

struct batch_table {
	uint64_t count;
	struct compel_call ent[TABLE_ENTRIES];
};

static int one_by_one(struct compel_ctl *ctl, struct compel_call *c, int n)
{
	for (int i = 0; i < n; i++) {
		int ret = compel_syscall(ctl, c[i].nr, &c[i].ret, c[i].a[0], c[i].a[1], c[i].a[2],
					 c[i].a[3], c[i].a[4], c[i].a[5]);
		if (ret)
			return ret;
	}
	return 0;
}

/* Is sig pending for the thread or its process? (The trap would be taken for it.) */
static int sig_pending(pid_t tid, int sig)
{
	unsigned long long pnd = 0, shd = 0;
	char path[64], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", tid);
	f = fopen(path, "re");
	if (!f)
		return 1;	/* can't tell: don't risk it */
	while (fgets(line, sizeof(line), f)) {
		sscanf(line, "SigPnd: %llx", &pnd);
		sscanf(line, "ShdPnd: %llx", &shd);
	}
	fclose(f);
	return ((pnd | shd) >> (sig - 1)) & 1;
}

static int batch_ready(struct compel_ctl *ctl)
{
	unsigned long area;
	size_t len = compel_batch_code_end - compel_batch_code;

	if (ctl->batch_unusable)
		return 0;
	if (!ctl->batch_area) {
		if (compel_map_scratch_prot(ctl, AREA_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC,
					    1, &area)) {
			pr_info("%d: no executable scratch, syscalls run one at a time",
				ctl->tid);
			ctl->batch_unusable = 1;
			return 0;
		}
		if (compel_write_remote(ctl, area, compel_batch_code, len)) {
			ctl->batch_unusable = 1;
			return 0;
		}
		ctl->batch_area = area;
	}
	if (sig_pending(ctl->tid, COMPEL_BATCH_TRAP_SIG)) {
		pr_debug("%d: signal %d pending, syscalls run one at a time", ctl->tid,
			 COMPEL_BATCH_TRAP_SIG);
		return 0;
	}
	return 1;
}

static int run_code(struct compel_ctl *ctl, unsigned long table)
{
	unsigned long end = ctl->batch_area + (compel_batch_code_end - compel_batch_code);
	compel_regs_t regs = ctl->regs;
	int ret, err;

	compel_arch_prep_batch(&regs, ctl->batch_area, table);
	ret = compel_set_regs(ctl->tid, &regs);
	if (ret)
		return ret;
	ctl->regs_changed = 1;
	ret = compel_set_sigmask(ctl->tid, ~(1ULL << (COMPEL_BATCH_TRAP_SIG - 1)));
	if (ret)
		return ret;
	ret = compel_resume_to_trap(ctl);
	err = ctl->dead ? 0 : compel_set_sigmask(ctl->tid, ~0ULL);
	if (!ret)
		ret = err;
	if (!ret)
		ret = compel_get_regs(ctl->tid, &regs);
	if (!ret && compel_arch_ip(&regs) != end) {
		pr_err("%d: batch stopped at %#lx, not at its end %#lx", ctl->tid,
		       compel_arch_ip(&regs), end);
		ret = -EIO;
	}
	return ret;
}

/* The trap reset an ignored SIGTRAP to SIG_DFL: put the saved action back. */
static int restore_trap_action(struct compel_ctl *ctl, const struct compel_call *save)
{
	unsigned long handler, saved = ctl->batch_area + SAVED_SA_OFF;
	long r;
	int ret;

	if (save->ret) {
		pr_err("%d: can't read the action of signal %d: %ld", ctl->tid,
		       COMPEL_BATCH_TRAP_SIG, save->ret);
		return -EIO;
	}
	ret = compel_read_remote(ctl, &handler, saved, sizeof(handler));
	if (ret || handler != (unsigned long)SIG_IGN)
		return ret;
	ret = compel_syscall(ctl, __NR_rt_sigaction, &r, COMPEL_BATCH_TRAP_SIG, saved, 0, 8, 0,
			     0);
	return ret ? ret : (int)r;
}

static int run_chunk(struct compel_ctl *ctl, struct compel_call *calls, int n)
{
	unsigned long table = ctl->batch_area + PAGE_SIZE;
	struct batch_table *t;
	size_t len = 8 + (n + 1) * sizeof(struct compel_call);
	int ret;

	t = calloc(1, sizeof(*t));
	if (!t) {
		pr_err("out of memory");
		return -ENOMEM;
	}
	t->count = n + 1;
	t->ent[0] = (struct compel_call){ .nr = __NR_rt_sigaction,
		.a = { COMPEL_BATCH_TRAP_SIG, 0, ctl->batch_area + SAVED_SA_OFF, 8 } };
	memcpy(&t->ent[1], calls, n * sizeof(*calls));
	ret = compel_write_remote(ctl, table, t, len);
	if (!ret)
		ret = run_code(ctl, table);
	if (!ret)
		ret = compel_read_remote(ctl, t, table, len);
	if (!ret)
		ret = restore_trap_action(ctl, &t->ent[0]);
	for (int i = 0; !ret && i < n; i++) {
		long r = t->ent[i + 1].ret;

		/* Cut short by a stop: run it again as compel_syscall() would. */
		if (compel_restart_code(r))
			ret = one_by_one(ctl, &calls[i], 1);
		else
			calls[i].ret = r;
	}
	free(t);
	return ret;
}

int compel_syscall_batch(struct compel_ctl *ctl, struct compel_call *calls, int n)
{
	while (n > 0) {
		int k = n < BATCH_MAX ? n : BATCH_MAX;
		int ret;

		if (ctl->dead)
			return -ESRCH;
		if (batch_ready(ctl)) {
			ret = run_chunk(ctl, calls, k);
			pr_debug("%d: %d syscalls in one resume", ctl->tid, k);
		} else {
			ret = one_by_one(ctl, calls, k);
		}
		if (ret)
			return ret;
		calls += k;
		n -= k;
	}
	return 0;
}
