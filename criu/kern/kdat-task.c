// SPDX-License-Identifier: GPL-2.0
/*
 * What a dump needs from another task, tried on one short-lived helper
 * child: PTRACE_SEIZE + PTRACE_INTERRUPT, process_vm_readv, /proc/PID/mem,
 * pidfd_open + pidfd_getfd, PTRACE_GET_RSEQ_CONFIGURATION and the size of
 * the extended register state. The helper is killed and reaped on every path.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#define LOG_PREFIX "kdat: "
#include "kdat-priv.h"
#include "log.h"

#ifndef PTRACE_GET_RSEQ_CONFIGURATION
#define PTRACE_GET_RSEQ_CONFIGURATION 0x420f
#endif

/* The layout the kernel fills for PTRACE_GET_RSEQ_CONFIGURATION (5.13+). */
struct kdat_rseq_conf {
	uint64_t rseq_abi_pointer;
	uint32_t rseq_abi_size;
	uint32_t signature;
	uint32_t flags;
	uint32_t pad;
};

/* The helper stores its own pid here, so a read shows the child's memory. */
static volatile uint64_t helper_mark;

struct helper {
	pid_t pid;
	int ready;	/* read end: one byte when the helper is set up */
	int fd_in_child;	/* a descriptor number open in the helper */
};

static __noreturn void helper_main(int ready_wr)
{
	char c = 'r';

	/* Die with criu; stay dumpable even if criu runs with file capabilities. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	prctl(PR_SET_DUMPABLE, 1);
	helper_mark = (uint64_t)getpid();
	if (write(ready_wr, &c, 1) != 1)
		_exit(1);
	for (;;)
		pause();
}

static int helper_start(struct helper *h)
{
	int p[2];
	char c;

	if (pipe2(p, O_CLOEXEC)) {
		pr_perror("can't create the helper's pipe");
		return -1;
	}
	h->pid = fork();
	if (h->pid < 0) {
		pr_perror("can't fork the probe helper");
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (h->pid == 0) {
		close(p[0]);
		helper_main(p[1]);
	}
	close(p[1]);
	h->ready = p[0];
	h->fd_in_child = p[1];	/* still open in the helper */
	if (read(h->ready, &c, 1) != 1) {
		pr_perror("probe helper %d did not start", h->pid);
		return -1;
	}
	return 0;
}

static void helper_stop(struct helper *h)
{
	int status;

	if (h->pid > 0) {
		kill(h->pid, SIGKILL);
		while (waitpid(h->pid, &status, __WALL) < 0 && errno == EINTR)
			;
	}
	if (h->ready >= 0)
		close(h->ready);
}

static struct kdat_result ok_or(int ret, int seccomp_mode)
{
	if (ret == 0)
		return (struct kdat_result){ PROBE_OK, 0 };
	return kdat_result_of(errno, seccomp_mode);
}

static void probe_seize(struct kdat *k, pid_t pid)
{
	int status = 0;

	if (ptrace(PTRACE_SEIZE, pid, 0, 0)) {
		k->ptrace_seize = kdat_result_of(errno, k->seccomp_mode);
		return;
	}
	if (ptrace(PTRACE_INTERRUPT, pid, 0, 0)) {
		k->ptrace_seize = kdat_result_of(errno, k->seccomp_mode);
		pr_perror("PTRACE_INTERRUPT of helper %d failed", pid);
		return;
	}
	if (waitpid(pid, &status, __WALL) != pid) {
		k->ptrace_seize = (struct kdat_result){ PROBE_FAILED, errno };
		pr_perror("can't wait for helper %d to stop", pid);
		return;
	}
	if (!WIFSTOPPED(status) || status >> 16 != PTRACE_EVENT_STOP) {
		k->ptrace_seize = (struct kdat_result){ PROBE_FAILED, 0 };
		pr_err("helper %d reported status %#x instead of a ptrace stop\n", pid, status);
		return;
	}
	k->ptrace_seize = (struct kdat_result){ PROBE_OK, 0 };
}

static void probe_mem_read(struct kdat *k, pid_t pid)
{
	uint64_t v = 0;
	struct iovec local = { &v, sizeof(v) };
	struct iovec remote = { (void *)&helper_mark, sizeof(v) };
	char path[64];
	int fd;

	if (process_vm_readv(pid, &local, 1, &remote, 1, 0) != (ssize_t)sizeof(v))
		k->process_vm_readv = kdat_result_of(errno, k->seccomp_mode);
	else if (v != (uint64_t)pid)
		k->process_vm_readv = (struct kdat_result){ PROBE_FAILED, 0 };
	else
		k->process_vm_readv = (struct kdat_result){ PROBE_OK, 0 };

	if (!k->has_proc_of_our_pidns) {
		k->proc_pid_mem = (struct kdat_result){ PROBE_FAILED, 0 };
		return;
	}
	v = 0;
	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || pread(fd, &v, sizeof(v), (off_t)(uintptr_t)&helper_mark) != sizeof(v))
		k->proc_pid_mem = kdat_result_of(errno, k->seccomp_mode);
	else if (v != (uint64_t)pid)
		k->proc_pid_mem = (struct kdat_result){ PROBE_FAILED, 0 };
	else
		k->proc_pid_mem = (struct kdat_result){ PROBE_OK, 0 };
	if (fd >= 0)
		close(fd);
}

/* pidfd_getfd must hand us the helper's own pipe end: same inode as ours. */
static void probe_pidfd(struct kdat *k, const struct helper *h)
{
	struct stat ours, theirs;
	int pidfd, fd;

	pidfd = (int)syscall(SYS_pidfd_open, h->pid, 0);
	k->pidfd_open = ok_or(pidfd < 0 ? -1 : 0, k->seccomp_mode);
	if (pidfd < 0)
		return;
	fd = (int)syscall(SYS_pidfd_getfd, pidfd, h->fd_in_child, 0);
	k->pidfd_getfd = ok_or(fd < 0 ? -1 : 0, k->seccomp_mode);
	if (fd >= 0) {
		if (fstat(fd, &theirs) || fstat(h->ready, &ours) || ours.st_ino != theirs.st_ino)
			k->pidfd_getfd = (struct kdat_result){ PROBE_FAILED, 0 };
		close(fd);
	}
	close(pidfd);
}

static void probe_rseq(struct kdat *k, pid_t pid)
{
	struct kdat_rseq_conf conf = {};
	long ret;

	ret = ptrace(PTRACE_GET_RSEQ_CONFIGURATION, pid, sizeof(conf), &conf);
	if (ret < 0) {
		k->rseq_conf = kdat_result_of(errno, k->seccomp_mode);
		return;
	}
	if (ret < (long)offsetof(struct kdat_rseq_conf, pad)) {
		k->rseq_conf = (struct kdat_result){ PROBE_UNSUPPORTED, 0 };
		return;
	}
	k->rseq_conf = (struct kdat_result){ PROBE_OK, 0 };
	k->has_rseq_registered = conf.rseq_abi_pointer != 0;
	pr_debug("helper rseq at %#llx size %u sig %#x\n",
		 (unsigned long long)conf.rseq_abi_pointer, conf.rseq_abi_size, conf.signature);
}

void kdat_probe_task(struct kdat *k)
{
	struct helper h = { .pid = -1, .ready = -1 };

	if (helper_start(&h))
		goto out;
	probe_mem_read(k, h.pid);
	probe_pidfd(k, &h);
	probe_seize(k, h.pid);
	if (k->ptrace_seize.res == PROBE_OK) {
		probe_rseq(k, h.pid);
		if (arch_kdat_probe_xstate(h.pid, &k->xstate))
			pr_debug("no extended register state from helper %d\n", h.pid);
	}
out:
	helper_stop(&h);
	pr_debug("seize %s, process_vm_readv %s, /proc/PID/mem %s, pidfd_open %s, "
		 "pidfd_getfd %s, rseq %s\n",
		 kdat_probe_name(k->ptrace_seize.res), kdat_probe_name(k->process_vm_readv.res),
		 kdat_probe_name(k->proc_pid_mem.res), kdat_probe_name(k->pidfd_open.res),
		 kdat_probe_name(k->pidfd_getfd.res), kdat_probe_name(k->rseq_conf.res));
}
