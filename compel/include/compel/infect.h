/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Running system calls inside a ptrace-stopped thread. The caller seizes
 * and stops the thread and owns the ptrace relationship; compel borrows the
 * stopped thread, runs syscalls in it, and gives it back exactly as it was.
 */
#ifndef COMPEL_INFECT_H
#define COMPEL_INFECT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum compel_log_level {
	COMPEL_LOG_ERROR = 1,
	COMPEL_LOG_WARN = 2,
	COMPEL_LOG_INFO = 3,
	COMPEL_LOG_DEBUG = 4,
};

/*
 * Where compel's messages go (each ends with a newline and starts with
 * "compel: "); without a callback they are dropped.
 */
void compel_log_init(void (*fn)(int level, const char *fmt, va_list args));

struct compel_ctl;

/*
 * Take over a thread that the caller has seized (PTRACE_SEIZE) and that is
 * in a ptrace stop: a PTRACE_EVENT_STOP (PTRACE_INTERRUPT or group stop) or
 * a syscall-exit-stop (which needs PTRACE_O_TRACESYSGOOD to be recognised).
 * Syscall-entry and signal-delivery stops are refused. Saves the registers
 * and signal mask and blocks all signals until compel_release().
 * All threads of the process should be stopped: the fallback without a vDSO
 * patches code at the thread's instruction pointer for a while.
 * Returns NULL on failure (logged); the thread is then left untouched.
 */
struct compel_ctl *compel_prepare(pid_t tid);

/*
 * Run syscall nr with up to six arguments in the thread. Returns 0 when
 * the syscall ran, with its raw result (-errno on failure) in *ret, or a
 * negative errno when it could not be run (-ESRCH: the thread died).
 */
int compel_syscall(struct compel_ctl *ctl, long nr, long *ret, unsigned long a1,
		   unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5,
		   unsigned long a6);

/* One syscall of a batch: its number, arguments and, after the run, result. */
struct compel_call {
	long nr;
	unsigned long a[6];
	long ret;
};

/*
 * Run n syscalls in the thread, in order, as compel_syscall() would, each
 * result (-errno on failure) in calls[i].ret. Many calls cost about as much
 * as one: they run from code compel maps into the process (until release).
 * A call cut short by a stop is run again after the others. Returns 0 when
 * every call ran, or a negative errno when they could not be run.
 */
int compel_syscall_batch(struct compel_ctl *ctl, struct compel_call *calls, int n);

/*
 * Map size bytes of anonymous read-write memory in the thread's process;
 * compel_release() unmaps it. Returns 0 or -errno.
 */
int compel_map_scratch(struct compel_ctl *ctl, size_t size, unsigned long *remote);

/*
 * Copy memory from or to the thread's address space; areas without
 * PROT_READ (or PROT_WRITE) go through /proc/PID/mem. Returns 0 or -errno.
 */
int compel_read_remote(struct compel_ctl *ctl, void *dst, unsigned long remote, size_t len);
int compel_write_remote(struct compel_ctl *ctl, unsigned long remote, const void *src,
			size_t len);

/* The signal mask the thread had before compel_prepare() (bit n-1 = signal n). */
uint64_t compel_saved_sigmask(const struct compel_ctl *ctl);

/* Address of the syscall instruction compel runs (in [vdso], or patched at rip). */
unsigned long compel_syscall_ip(const struct compel_ctl *ctl);

/*
 * Unmap the scratch areas, restore patched code, the registers and the
 * signal mask, and free ctl. The thread stays in a ptrace stop (never
 * detached); once resumed it continues as if nothing happened, including
 * the kernel's restart of a syscall it was stopped in. A stop signal that
 * arrived during the injection is sent again. Returns 0, or -errno if
 * something could not be restored (logged); ctl is freed in all cases.
 */
int compel_release(struct compel_ctl *ctl);

#endif /* COMPEL_INFECT_H */
