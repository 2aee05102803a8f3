// SPDX-License-Identifier: GPL-2.0
/*
 * Injects syscalls into a victim (victim.c) stopped in each kind of stop
 * compel supports: a PTRACE_EVENT_STOP inside read() (with a timer firing or
 * without) or nanosleep(), a
 * syscall-exit-stop of a finished or of an interrupted read(), a task
 * without a vDSO, a SIGSTOP arriving during an injected syscall. After
 * each release the victim must run on as if nothing happened. TAP output.
 * Usage: test-infect PATH-TO-VICTIM
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <compel/infect.h>
#include "spy.h"

#define ERESTARTSYS		512
#define ERESTART_RESTARTBLOCK	516

/* The kernel's struct sigaction, as rt_sigaction() fills it on x86_64. */
struct ksigaction {
	unsigned long handler;
	unsigned long flags;
	unsigned long restorer;
	uint64_t mask;
};

static const char *victim_exe;

static long inject(struct compel_ctl *ctl, long nr, unsigned long a1, unsigned long a2,
		   unsigned long a3, unsigned long a4, unsigned long a5, unsigned long a6)
{
	long ret;

	if (compel_syscall(ctl, nr, &ret, a1, a2, a3, a4, a5, a6))
		return -100000;
	return ret;
}

static void check_memory(struct compel_ctl *ctl)
{
	char buf[8] = "";
	long addr;

	addr = inject(ctl, __NR_mmap, 0, 8192, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1UL, 0);
	tap(addr > 0 && !(addr & 4095), "injected mmap: %#lx", addr);
	tap(!compel_write_remote(ctl, addr, "abcdefg", 8) &&
	    !compel_read_remote(ctl, buf, addr, 8) && !strcmp(buf, "abcdefg"),
	    "remote write and read back");
	tap(inject(ctl, __NR_mprotect, addr, 8192, PROT_NONE, 0, 0, 0) == 0 &&
	    !compel_write_remote(ctl, addr + 4096, "hidden", 7) &&
	    !compel_read_remote(ctl, buf, addr + 4096, 7) && !strcmp(buf, "hidden"),
	    "remote access to PROT_NONE memory through /proc/PID/mem");
	tap(inject(ctl, __NR_munmap, addr, 8192, 0, 0, 0, 0) == 0, "injected munmap");
}

/* More calls than one batch table holds: two resumes. */
#define NR_BATCH	130

/* The same queries, and more, as one batch. */
static void check_batch(struct compel_ctl *ctl, struct victim *v, unsigned long scratch,
			unsigned long sa_flags)
{
	struct compel_call c[NR_BATCH];
	struct ksigaction sa = { 0 };
	int i, ok, same = 1;

	memset(c, 0, sizeof(c));
	c[0].nr = __NR_getpid;
	c[1] = (struct compel_call){ .nr = __NR_rt_sigaction, .a = { SIGALRM, 0, scratch, 8 } };
	c[2] = (struct compel_call){ .nr = __NR_close, .a = { -1UL } };
	for (i = 3; i < NR_BATCH; i++)
		c[i].nr = __NR_gettid;
	spy_log_watch("in one resume");
	ok = !compel_syscall_batch(ctl, c, NR_BATCH);
	tap(ok && spy_log_seen() == 2, "batch of %d syscalls in %d resumes", NR_BATCH,
	    spy_log_seen());
	spy_log_watch(NULL);
	tap(ok && c[0].ret == v->pid, "batched getpid: %ld", c[0].ret);
	ok = ok && !c[1].ret && !compel_read_remote(ctl, &sa, scratch, sizeof(sa));
	tap(ok && (sa.flags & SA_RESTART) == sa_flags && (sa_flags ? sa.handler > 4096 : !sa.handler),
	    "batched rt_sigaction query: handler %#lx flags %#lx", sa.handler, sa.flags);
	tap(c[2].ret == -EBADF, "batched errors come back as -errno: %ld", c[2].ret);
	for (i = 3; i < NR_BATCH; i++)
		same = same && c[i].ret == v->pid;
	tap(same, "every batched gettid answered, in both resumes");
}

/* What every scenario runs in its stopped victim. */
static void check_syscalls(struct compel_ctl *ctl, struct victim *v, unsigned long sa_flags)
{
	struct ksigaction sa = { 0 };
	unsigned long scratch = 0;
	char name[16] = "";
	int ok;

	tap(inject(ctl, __NR_getpid, 0, 0, 0, 0, 0, 0) == v->pid, "injected getpid");
	tap(inject(ctl, __NR_getppid, 0, 0, 0, 0, 0, 0) == getpid(), "injected getppid");
	tap(inject(ctl, __NR_gettid, 0, 0, 0, 0, 0, 0) == v->pid, "injected gettid");
	check_memory(ctl);

	/* Arguments are evaluated in any order: run first, then report. */
	ok = !compel_map_scratch(ctl, 100, &scratch) && scratch;
	tap(ok, "scratch at %#lx", scratch);
	ok = inject(ctl, __NR_prctl, PR_GET_NAME, scratch, 0, 0, 0, 0) == 0 &&
	     !compel_read_remote(ctl, name, scratch, sizeof(name));
	tap(ok && !strcmp(name, "compel-victim"), "injected prctl(PR_GET_NAME): '%s'", name);
	ok = inject(ctl, __NR_rt_sigaction, SIGALRM, 0, scratch, 8, 0, 0) == 0 &&
	     !compel_read_remote(ctl, &sa, scratch, sizeof(sa));
	tap(ok && (sa.flags & SA_RESTART) == sa_flags &&
	    (sa_flags ? sa.handler > 4096 : !sa.handler),
	    "injected rt_sigaction query: handler %#lx flags %#lx", sa.handler, sa.flags);
	tap(inject(ctl, __NR_close, -1UL, 0, 0, 0, 0, 0) == -EBADF, "errors come back as -errno");
	if (scratch)
		check_batch(ctl, v, scratch, sa_flags);
}

/* Release, and check the task got back exactly what it had. */
static void release_and_compare(struct compel_ctl *ctl, pid_t pid, const compel_regs_t *before,
				uint64_t mask)
{
	compel_regs_t after;

	tap(compel_release(ctl) == 0, "release");
	tap(!get_regs(pid, &after) && !memcmp(before, &after, sizeof(after)),
	    "registers restored exactly");
	tap(get_sigmask(pid) == mask, "signal mask restored");
}

/*
 * Check the detached victim still runs and exits 0. With a timer, ticks
 * go on; a SIGALRM held pending during the injection is delivered first.
 */
static void finish(struct victim *v, long ticks0, int timer, int pending)
{
	long t1 = 0, t2 = 0;
	int ok;

	tap(!victim_ping(v, &t1), "victim answers after release");
	usleep(50000);
	ok = !victim_ping(v, &t2);
	tap(ok && (!timer || (t1 >= ticks0 + pending && t2 > t1)),
	    "timer keeps firing: %ld -> %ld -> %ld ticks", ticks0, t1, t2);
	tap(victim_quit(v) == 0, "victim saw no EINTR, no early return, and exits 0");
}

static void in_event_stop(const char *mode, long nr, long nr2, long expect_ret, int timer)
{
	unsigned long vdso_start = 0, vdso_end = 0, ip;
	struct compel_ctl *ctl;
	compel_regs_t before;
	struct victim v;
	long ticks0 = 0;
	uint64_t mask;

	printf("# PTRACE_EVENT_STOP in the %s victim\n", mode);
	if (victim_start(victim_exe, mode, &v) || victim_ping(&v, &ticks0) ||
	    seize_in_syscall(&v, 0, nr, nr2) || get_regs(v.pid, &before)) {
		tap(0, "start, seize and interrupt the victim");
		return;
	}
	mask = get_sigmask(v.pid);
	tap(compel_arch_retval(&before) == expect_ret, "stopped in syscall %ld, result %ld",
	    compel_arch_syscall_nr(&before), compel_arch_retval(&before));
	ctl = compel_prepare(v.pid);
	tap(ctl != NULL, "prepare");
	if (!ctl)
		return;
	ip = compel_syscall_ip(ctl);
	vma_range(v.pid, "[vdso]", &vdso_start, &vdso_end);
	tap(ip >= vdso_start && ip < vdso_end, "syscall instruction in [vdso]: %#lx", ip);
	tap(compel_saved_sigmask(ctl) == mask, "saved signal mask");
	check_syscalls(ctl, &v, timer ? SA_RESTART : 0);
	if (timer) {
		usleep(40000);
		tap(sig_pending(v.pid, SIGALRM), "SIGALRM stays pending while we inject");
	}
	release_and_compare(ctl, v.pid, &before, mask);
	/*
	 * PTRACE_DETACH kicks the signal path (and so the syscall restart) by
	 * itself; PTRACE_CONT does not, so without a timer (no signal stops to
	 * forward) stay attached: the restart must come from compel_release().
	 */
	if (timer)
		tap(!ptrace(PTRACE_DETACH, v.pid, 0, 0), "detach");
	else
		tap(!ptrace(PTRACE_CONT, v.pid, 0, 0), "resume with PTRACE_CONT, still traced");
	finish(&v, ticks0, timer, timer);
}

static void at_exit_stop_refuses_entry(struct victim *v)
{
	struct compel_ctl *ctl;

	if (advance_to(v->pid, 0, __NR_read)) {
		tap(0, "walk to the syscall-entry-stop of read");
		return;
	}
	printf("# a refusal is expected here:\n");
	ctl = compel_prepare(v->pid);
	tap(ctl == NULL, "prepare refuses a syscall-entry-stop");
	compel_release(ctl);
}

/*
 * A syscall-exit-stop: of a read that got its byte (interrupted = 0), or
 * of a read cut short by PTRACE_INTERRUPT or SIGALRM (-ERESTARTSYS).
 */
static void at_exit_stop(int interrupted)
{
	struct compel_ctl *ctl;
	compel_regs_t before;
	struct victim v;
	long ticks0 = 0, t = 0;
	uint64_t mask;

	printf("# syscall-exit-stop of a%s read\n", interrupted ? "n interrupted" : " finished");
	if (victim_start(victim_exe, "read", &v) || victim_ping(&v, &ticks0) ||
	    seize_in_syscall(&v, PTRACE_O_TRACESYSGOOD, __NR_read, -2)) {
		tap(0, "start, seize and interrupt the victim");
		return;
	}
	at_exit_stop_refuses_entry(&v);
	if (interrupted) {
		int status;

		tap(!ptrace(PTRACE_SYSCALL, v.pid, 0, 0) && !usleep(5000) &&
		    !ptrace(PTRACE_INTERRUPT, v.pid, 0, 0) && !wait_stopped(v.pid, &status) &&
		    WSTOPSIG(status) == (SIGTRAP | 0x80), "read interrupted: exit stop");
	} else {
		tap(write(v.cmd, "p", 1) == 1 && !advance_to(v.pid, 1, __NR_read),
		    "read got a command: exit stop");
	}
	if (get_regs(v.pid, &before))
		return;
	mask = get_sigmask(v.pid);
	tap(compel_arch_retval(&before) == (interrupted ? -ERESTARTSYS : 1),
	    "read result %ld", compel_arch_retval(&before));
	ctl = compel_prepare(v.pid);
	tap(ctl != NULL, "prepare at a syscall-exit-stop");
	if (!ctl)
		return;
	check_syscalls(ctl, &v, SA_RESTART);
	release_and_compare(ctl, v.pid, &before, mask);
	tap(!ptrace(PTRACE_DETACH, v.pid, 0, 0), "detach");
	if (!interrupted)
		tap(!victim_reply(&v, &t), "the read returns its byte and the victim answers");
	finish(&v, ticks0, 1, 0);
}

static void without_vdso(void)
{
	unsigned char code[16], code_after[16];
	struct compel_ctl *ctl;
	compel_regs_t before;
	unsigned long s, e;
	struct victim v;
	long ticks0 = 0;
	uint64_t mask;

	printf("# victim without a vDSO\n");
	if (victim_start(victim_exe, "novdso", &v) || victim_ping(&v, &ticks0) ||
	    seize_in_syscall(&v, 0, __NR_read, -2) || get_regs(v.pid, &before) ||
	    read_mem(v.pid, compel_arch_ip(&before), code, sizeof(code))) {
		tap(0, "start, seize and interrupt the victim");
		return;
	}
	tap(vma_range(v.pid, "[vdso]", &s, &e) < 0, "victim has no [vdso]");
	mask = get_sigmask(v.pid);
	ctl = compel_prepare(v.pid);
	tap(ctl != NULL, "prepare");
	if (!ctl)
		return;
	tap(compel_syscall_ip(ctl) == compel_arch_ip(&before), "syscall written at the ip");
	check_syscalls(ctl, &v, SA_RESTART);
	release_and_compare(ctl, v.pid, &before, mask);
	tap(!read_mem(v.pid, compel_arch_ip(&before), code_after, sizeof(code_after)) &&
	    !memcmp(code, code_after, sizeof(code)), "code at the ip restored");
	tap(!ptrace(PTRACE_DETACH, v.pid, 0, 0), "detach");
	finish(&v, ticks0, 1, 0);
}

/* A victim of a mode with a timer, interrupted in read(), as it was, and prepared. */
static struct compel_ctl *prepare_reader(const char *mode, struct victim *v, long *ticks0,
					 compel_regs_t *before, uint64_t *mask)
{
	if (victim_start(victim_exe, mode, v) || victim_ping(v, ticks0) ||
	    seize_in_syscall(v, 0, __NR_read, -2) || get_regs(v->pid, before)) {
		tap(0, "start, seize and interrupt the victim");
		return NULL;
	}
	*mask = get_sigmask(v->pid);
	return compel_prepare(v->pid);
}

/* SIGSTOP can't be blocked: it interrupts an injected nanosleep. */
static void sigstop_during_injection(void)
{
	struct { long sec, nsec; } ts = { 0, 150000000 };
	unsigned long scratch = 0;
	struct compel_ctl *ctl;
	compel_regs_t before;
	long ticks0 = 0, t0, ret = -1;
	struct victim v;
	pid_t helper;
	uint64_t mask;
	int i, ok;

	printf("# SIGSTOP during an injected nanosleep\n");
	ctl = prepare_reader("read", &v, &ticks0, &before, &mask);
	if (!ctl || compel_map_scratch(ctl, sizeof(ts), &scratch) ||
	    compel_write_remote(ctl, scratch, &ts, sizeof(ts))) {
		tap(0, "prepare");
		return;
	}
	helper = fork();
	if (helper == 0) {
		usleep(50000);
		kill(v.pid, SIGSTOP);
		_exit(0);
	}
	t0 = now_ms();
	ok = !compel_syscall(ctl, __NR_nanosleep, &ret, scratch, 0, 0, 0, 0, 0);
	t0 = now_ms() - t0;
	tap(ok && ret == 0 && t0 >= 150, "nanosleep restarted after the stop: %ld in %ld ms",
	    ret, t0);
	waitpid(helper, NULL, 0);
	release_and_compare(ctl, v.pid, &before, mask);
	tap(!ptrace(PTRACE_DETACH, v.pid, 0, 0), "detach");
	for (i = 0; i < 100 && proc_state(v.pid) != 'T'; i++)
		usleep(10000);
	tap(proc_state(v.pid) == 'T', "the SIGSTOP was not lost: victim stopped");
	kill(v.pid, SIGCONT);
	tap(!victim_ping(&v, &ticks0), "victim answers after SIGCONT");
	tap(victim_quit(&v) == 0, "victim saw no EINTR and exits 0");
}

/* A task stopped by SIGSTOP before we came must stay stopped after us. */
static void already_stopped(void)
{
	struct compel_ctl *ctl;
	compel_regs_t before;
	struct victim v;
	long ticks = 0;
	uint64_t mask;
	int i;

	printf("# victim in a group stop before we seize it\n");
	/* Let it get from its reply back into read() before stopping it. */
	if (victim_start(victim_exe, "quiet", &v) || usleep(20000) || kill(v.pid, SIGSTOP)) {
		tap(0, "start and stop the victim");
		return;
	}
	for (i = 0; i < 100 && proc_state(v.pid) != 'T'; i++)
		usleep(10000);
	if (seize_in_syscall(&v, 0, __NR_read, -2) || get_regs(v.pid, &before)) {
		tap(0, "seize and interrupt the stopped victim");
		return;
	}
	mask = get_sigmask(v.pid);
	ctl = compel_prepare(v.pid);
	tap(ctl != NULL, "prepare");
	if (!ctl)
		return;
	check_syscalls(ctl, &v, 0);
	release_and_compare(ctl, v.pid, &before, mask);
	tap(!ptrace(PTRACE_DETACH, v.pid, 0, 0), "detach");
	usleep(20000);
	tap(proc_state(v.pid) == 'T', "victim is still stopped");
	kill(v.pid, SIGCONT);
	tap(!victim_ping(&v, &ticks), "victim answers after SIGCONT");
	tap(victim_quit(&v) == 0, "victim saw no EINTR and exits 0");
}

static unsigned long trap_handler(struct compel_ctl *ctl, unsigned long scratch)
{
	struct ksigaction sa = { 0 };

	if (inject(ctl, __NR_rt_sigaction, SIGTRAP, 0, scratch, 8, 0, 0) ||
	    compel_read_remote(ctl, &sa, scratch, sizeof(sa)))
		return -1UL;
	return sa.handler;
}

/*
 * The batch ends on a trap (SIGTRAP): a SIGTRAP the task ignores must stay
 * ignored (the kernel resets a forced one to SIG_DFL), and one pending must
 * be neither taken for the trap nor lost: the calls then run one at a time.
 */
static void batch_and_trap_signal(void)
{
	struct ksigaction ign = { .handler = (unsigned long)SIG_IGN };
	struct compel_call c = { .nr = __NR_getpid };
	unsigned long scratch = 0;
	struct compel_ctl *ctl;
	compel_regs_t before;
	struct victim v;
	long ticks0 = 0;
	uint64_t mask;
	int ok;

	printf("# batch in a victim that ignores SIGTRAP, then with one pending\n");
	ctl = prepare_reader("read", &v, &ticks0, &before, &mask);
	if (!ctl || compel_map_scratch(ctl, 4096, &scratch) ||
	    compel_write_remote(ctl, scratch, &ign, sizeof(ign)) ||
	    inject(ctl, __NR_rt_sigaction, SIGTRAP, scratch, 0, 8, 0, 0)) {
		tap(0, "prepare, and ignore SIGTRAP in the victim");
		return;
	}
	spy_log_watch("in one resume");
	ok = !compel_syscall_batch(ctl, &c, 1) && spy_log_seen() == 1;
	tap(ok && c.ret == v.pid, "batched getpid: %ld", c.ret);
	tap(trap_handler(ctl, scratch) == (unsigned long)SIG_IGN,
	    "SIGTRAP is still ignored after the batch's trap");
	syscall(SYS_tkill, v.pid, SIGTRAP);
	tap(sig_pending(v.pid, SIGTRAP), "a SIGTRAP sent to the victim waits, blocked");
	spy_log_watch("in one resume");
	c.ret = 0;
	ok = !compel_syscall_batch(ctl, &c, 1) && spy_log_seen() == 0;
	tap(ok && c.ret == v.pid, "with SIGTRAP pending the batch runs one call at a time: %ld",
	    c.ret);
	spy_log_watch(NULL);
	tap(sig_pending(v.pid, SIGTRAP), "the pending SIGTRAP is still there");
	release_and_compare(ctl, v.pid, &before, mask);
	tap(!ptrace(PTRACE_DETACH, v.pid, 0, 0), "detach");
	finish(&v, ticks0, 1, 0);
}

/* A task that can't map write+execute memory gets its batch one call at a time. */
static void batch_without_exec(void)
{
	struct compel_call c[2] = { { .nr = __NR_getpid }, { .nr = __NR_gettid } };
	struct compel_ctl *ctl;
	compel_regs_t before;
	struct victim v;
	long ticks0 = 0;
	uint64_t mask;
	int ok;

	printf("# batch in a memory-deny-write-execute victim\n");
	ctl = prepare_reader("mdwe", &v, &ticks0, &before, &mask);
	if (!ctl) {
		tap(0, "prepare");
		return;
	}
	spy_log_watch("no executable scratch");
	ok = !compel_syscall_batch(ctl, c, 2) && spy_log_seen() == 1;
	spy_log_watch(NULL);
	tap(ok && c[0].ret == v.pid && c[1].ret == v.pid,
	    "no executable scratch: one call at a time: %ld %ld", c[0].ret, c[1].ret);
	release_and_compare(ctl, v.pid, &before, mask);
	tap(!ptrace(PTRACE_DETACH, v.pid, 0, 0), "detach");
	finish(&v, ticks0, 1, 0);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: test-infect PATH-TO-VICTIM\n");
		return 2;
	}
	victim_exe = argv[1];
	spy_log_init();
	/* A hung victim must not hang the build: the default action kills us. */
	alarm(60);
	/* A victim that died must fail its checks, not kill us. */
	signal(SIGPIPE, SIG_IGN);
	in_event_stop("read", __NR_read, -2, -ERESTARTSYS, 1);
	in_event_stop("quiet", __NR_read, -2, -ERESTARTSYS, 0);
	in_event_stop("sleep", __NR_nanosleep, __NR_clock_nanosleep, -ERESTART_RESTARTBLOCK, 0);
	at_exit_stop(0);
	at_exit_stop(1);
	without_vdso();
	sigstop_during_injection();
	already_stopped();
	batch_and_trap_signal();
	batch_without_exec();
	return tap_done();
}
