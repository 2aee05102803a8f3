// SPDX-License-Identifier: GPL-2.0
/*
 * Which ways of getting an exact PID this process is allowed to use
 * (clone3 with set_tid, ns_last_pid), and the pure decision built on them:
 * the method `--pid-method auto` picks, and why a forced one can't be used.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define LOG_PREFIX "kdat: "
#include "kdat-priv.h"
#include "log.h"

#define NS_LAST_PID_PATH "/proc/sys/kernel/ns_last_pid"

/*
 * Ask for our own PID: the kernel checks the capability before it looks
 * the PID up, so EEXIST means "permitted" and EPERM "not permitted", and
 * neither creates a task.
 */
void kdat_probe_clone3_set_tid(struct kdat *k)
{
	pid_t tid = getpid();
	struct clone_args args = {
		.exit_signal = SIGCHLD,
		.set_tid = (uintptr_t)&tid,
		.set_tid_size = 1,
	};
	long ret;
	int err;

	ret = syscall(SYS_clone3, &args, sizeof(args));
	if (ret == 0)
		_exit(0);	/* only a kernel bug gets here: leave no trace */
	if (ret > 0) {
		waitpid((pid_t)ret, NULL, 0);
		pr_err("clone3 with set_tid = our own pid %d created task %ld\n", tid, ret);
		k->clone3_set_tid = (struct kdat_result){ PROBE_BUG, 0 };
		return;
	}
	err = errno;
	if (err == EEXIST)
		k->clone3_set_tid = (struct kdat_result){ PROBE_OK, err };
	else if (err == EPERM || err == ENOSYS)
		k->clone3_set_tid = kdat_result_of(err, k->seccomp_mode);
	else	/* E2BIG, EINVAL: a kernel from before set_tid (5.5) */
		k->clone3_set_tid = (struct kdat_result){ PROBE_UNSUPPORTED, err };
	pr_debug("clone3 set_tid: %s (%s)\n", kdat_probe_name(k->clone3_set_tid.res),
		 strerrorname_np(err));
}

/* Write back the value we read: it proves writing works and changes nothing. */
void kdat_probe_ns_last_pid(struct kdat *k)
{
	char buf[32];
	ssize_t n;
	int fd;

	fd = open(NS_LAST_PID_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		k->ns_last_pid = kdat_result_of(errno, k->seccomp_mode);
		goto out;
	}
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0) {
		k->ns_last_pid = kdat_result_of(n < 0 ? errno : EIO, k->seccomp_mode);
		close(fd);
		goto out;
	}
	if (pwrite(fd, buf, n, 0) != n)
		k->ns_last_pid = kdat_result_of(errno, k->seccomp_mode);
	else
		k->ns_last_pid = (struct kdat_result){ PROBE_OK, 0 };
	close(fd);
out:
	pr_debug("ns_last_pid: %s (%s)\n", kdat_probe_name(k->ns_last_pid.res),
		 strerrorname_np(k->ns_last_pid.err) ?: "0");
}

static void appendf(char *buf, size_t len, const char *fmt, ...) __printf(3, 4);
static void appendf(char *buf, size_t len, const char *fmt, ...)
{
	size_t used = strnlen(buf, len);
	va_list ap;

	if (used + 1 >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
}

static const char *err_name(int err)
{
	const char *n = strerrorname_np(err);

	return n ? n : "unknown errno";
}

/* Which capability lets us set PIDs, for the reason line. */
static void describe_cap(const struct kdat *k, char *buf, size_t len)
{
	const char *where = k->in_userns ? " in our own user namespace" : "";

	if (k->has_cap_checkpoint_restore)
		appendf(buf, len, "CAP_CHECKPOINT_RESTORE held%s", where);
	else if (k->has_cap_sys_admin)
		appendf(buf, len, "CAP_SYS_ADMIN held%s", where);
	else
		appendf(buf, len, "our capabilities cover our PID namespace");
}

static void describe_set_tid(const struct kdat *k, char *buf, size_t len)
{
	int err = k->clone3_set_tid.err;

	switch (k->clone3_set_tid.res) {
	case PROBE_OK:
		appendf(buf, len, "clone3 with set_tid is permitted (");
		describe_cap(k, buf, len);
		appendf(buf, len, ")");
		break;
	case PROBE_NO_CAP:
		appendf(buf, len, "clone3 with set_tid is not permitted (%s: no "
			"CAP_CHECKPOINT_RESTORE over our PID namespace)", err_name(err));
		break;
	case PROBE_BLOCKED:
		appendf(buf, len, "clone3 is blocked by a seccomp filter (%s)", err_name(err));
		break;
	case PROBE_UNSUPPORTED:
		appendf(buf, len, "the kernel has no clone3 with set_tid (%s)", err_name(err));
		break;
	default:
		appendf(buf, len, "clone3 with set_tid could not be probed (%s)",
			kdat_probe_name(k->clone3_set_tid.res));
	}
}

static void describe_ns_last_pid(const struct kdat *k, char *buf, size_t len)
{
	int err = k->ns_last_pid.err;

	switch (k->ns_last_pid.res) {
	case PROBE_OK:
		appendf(buf, len, "%s is writable", NS_LAST_PID_PATH);
		break;
	case PROBE_RO:
		appendf(buf, len, "/proc/sys is read-only");
		break;
	case PROBE_NO_CAP:
		appendf(buf, len, "ns_last_pid is not writable (%s: no CAP_CHECKPOINT_RESTORE)",
			err_name(err));
		break;
	case PROBE_UNSUPPORTED:
		appendf(buf, len, "the kernel has no %s (%s)", NS_LAST_PID_PATH, err_name(err));
		break;
	default:
		appendf(buf, len, "ns_last_pid could not be probed (%s)",
			err ? err_name(err) : kdat_probe_name(k->ns_last_pid.res));
	}
}

enum pid_method kdat_auto_pid_method(const struct kdat *k, char *why, size_t len)
{
	why[0] = '\0';
	describe_set_tid(k, why, len);
	if (k->clone3_set_tid.res == PROBE_OK)
		return PID_METHOD_SET_TID;
	if (k->ns_last_pid.res == PROBE_OK) {
		appendf(why, len, ", but ");
		describe_ns_last_pid(k, why, len);
		return PID_METHOD_NS_LAST_PID;
	}
	appendf(why, len, " and ");
	describe_ns_last_pid(k, why, len);
	appendf(why, len, ": only spinning is left");
	return PID_METHOD_SPIN;
}

/* How to get clone3/set_tid, once we know it is not permitted. */
static void set_tid_fix(const struct kdat *k, char *why, size_t len)
{
	switch (k->clone3_set_tid.res) {
	case PROBE_NO_CAP:
		appendf(why, len, "%s", kdat_cap_hint());
		break;
	case PROBE_BLOCKED:
		appendf(why, len, "allow clone3 in the seccomp filter (a container's "
			"seccomp profile), or run criu outside it");
		break;
	case PROBE_UNSUPPORTED:
		appendf(why, len, "it needs Linux 5.5 (5.9 for CAP_CHECKPOINT_RESTORE)");
		break;
	default:
		appendf(why, len, "see the log with -v4");
	}
}

/* A filter or a read-only /proc/sys may hide that the capability is missing too. */
static void cap_also(const struct kdat *k, char *why, size_t len)
{
	if (k->has_cap_checkpoint_restore || k->has_cap_sys_admin ||
	    k->clone3_set_tid.res == PROBE_NO_CAP)
		return;
	appendf(why, len, "; it needs the capability too: %s", kdat_cap_hint());
}

static int set_tid_usable(const struct kdat *k, char *why, size_t len)
{
	describe_set_tid(k, why, len);
	if (k->clone3_set_tid.res == PROBE_OK)
		return 0;
	appendf(why, len, ": ");
	set_tid_fix(k, why, len);
	cap_also(k, why, len);
	return -1;
}

static int ns_last_pid_usable(const struct kdat *k, char *why, size_t len)
{
	describe_ns_last_pid(k, why, len);
	switch (k->ns_last_pid.res) {
	case PROBE_OK:
		return 0;
	case PROBE_RO:
		appendf(why, len, " (container runtimes mount it so): ns_last_pid can't be "
			"written; clone3 with set_tid would not need /proc/sys");
		if (k->clone3_set_tid.res == PROBE_OK) {
			appendf(why, len, " and is permitted here: use --pid-method set_tid or auto");
		} else {
			appendf(why, len, ", but ");
			describe_set_tid(k, why, len);
			appendf(why, len, ": ");
			set_tid_fix(k, why, len);
			cap_also(k, why, len);
		}
		return -1;
	case PROBE_NO_CAP:
		appendf(why, len, ": %s", kdat_cap_hint());
		return -1;
	default:
		return -1;
	}
}

int kdat_pid_method_usable(const struct kdat *k, enum pid_method m, char *why, size_t len)
{
	why[0] = '\0';
	switch (m) {
	case PID_METHOD_AUTO:
		kdat_auto_pid_method(k, why, len);
		return 0;
	case PID_METHOD_SET_TID:
		return set_tid_usable(k, why, len);
	case PID_METHOD_NS_LAST_PID:
		return ns_last_pid_usable(k, why, len);
	case PID_METHOD_SPIN:
		appendf(why, len, "spinning needs no privilege, but each task may cost "
			"a pass through all %u PIDs", k->pid_max);
		return 0;
	}
	appendf(why, len, "unknown PID method %d", (int)m);
	return -1;
}
