// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel-feature table: filled once by kdat_probe() and read-only
 * afterwards. This file runs the probes in order and holds the small ones
 * (capabilities, seccomp, user namespace, pid_max, fork rate); the others
 * live in kdat-pid.c, kdat-task.c and kdat-mm.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define LOG_PREFIX "kdat: "
#include "kdat-priv.h"
#include "log.h"

static struct kdat kdat_table;

struct kdat_result kdat_result_of(int err, int seccomp_mode)
{
	struct kdat_result r = { PROBE_FAILED, err };

	switch (err) {
	case 0:
		r.res = PROBE_OK;
		break;
	case EPERM:
	case EACCES:
		r.res = PROBE_NO_CAP;
		break;
	case ENOSYS:
		/*
		 * Filters (a container's seccomp profile) answer ENOSYS so that
		 * libc falls back; without any filter the kernel lacks the call.
		 */
		r.res = seccomp_mode == 0 ? PROBE_UNSUPPORTED : PROBE_BLOCKED;
		break;
	case EROFS:
		r.res = PROBE_RO;
		break;
	case EINVAL:
	case E2BIG:
	case EIO:
	case ENODEV:
	case ENOENT:
	case EOPNOTSUPP:
		r.res = PROBE_UNSUPPORTED;
		break;
	}
	return r;
}

ssize_t kdat_read_text(const char *path, char *buf, size_t len)
{
	ssize_t n = 0, total = 0;
	int fd, e;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while ((size_t)total < len - 1) {
		n = read(fd, buf + total, len - 1 - total);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		total += n;
	}
	e = errno;
	close(fd);
	buf[total] = '\0';
	if (n < 0) {
		errno = e;
		return -1;
	}
	return total;
}

static void probe_caps(struct kdat *k)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};

	if (syscall(SYS_capget, &hdr, data)) {
		pr_perror("capget failed");
		return;
	}
	k->cap_eff = data[0].effective | (uint64_t)data[1].effective << 32;
	k->has_cap_checkpoint_restore = k->cap_eff & (1ULL << KDAT_CAP_CHECKPOINT_RESTORE);
	k->has_cap_sys_ptrace = k->cap_eff & (1ULL << KDAT_CAP_SYS_PTRACE);
	k->has_cap_sys_admin = k->cap_eff & (1ULL << KDAT_CAP_SYS_ADMIN);
	k->has_cap_sys_resource = k->cap_eff & (1ULL << KDAT_CAP_SYS_RESOURCE);
	pr_debug("effective capabilities %#llx\n", (unsigned long long)k->cap_eff);
}

/* Who we are: seccomp mode (to tell a filter's ENOSYS) and user namespace. */
static void probe_self(struct kdat *k)
{
	char buf[4096];
	ssize_t n;

	k->seccomp_mode = -1;
	if (kdat_read_text("/proc/self/status", buf, sizeof(buf)) > 0)
		k->seccomp_mode = (int)kdat_parse_status_field(buf, "Seccomp");
	if (kdat_read_text("/proc/self/uid_map", buf, sizeof(buf)) > 0)
		k->in_userns = !kdat_parse_uid_map_is_init(buf);
	/*
	 * After `unshare -p` without a new /proc mount, /proc/N is the parent
	 * namespace's task N: /proc/PID paths then name the wrong tasks.
	 */
	n = readlink("/proc/self", buf, sizeof(buf) - 1);
	if (n > 0) {
		buf[n] = '\0';
		k->has_proc_of_our_pidns = strtol(buf, NULL, 10) == (long)getpid();
	}
	pr_debug("seccomp mode %d, %s user namespace, /proc %s our PID namespace\n",
		 k->seccomp_mode, k->in_userns ? "a nested" : "the initial",
		 k->has_proc_of_our_pidns ? "of" : "not of");
}

static void probe_pid_max(struct kdat *k)
{
	char buf[32];
	char *end;
	unsigned long v;

	if (kdat_read_text("/proc/sys/kernel/pid_max", buf, sizeof(buf)) < 0) {
		pr_pwarn("can't read /proc/sys/kernel/pid_max");
		return;
	}
	v = strtoul(buf, &end, 10);
	if (end == buf || (*end && *end != '\n') || v < 2 || v > (1UL << 22)) {
		pr_warn("bad /proc/sys/kernel/pid_max '%s'\n", buf);
		return;
	}
	k->pid_max = (unsigned int)v;
}

int kdat_probe(void)
{
	struct kdat *k = &kdat_table;

	if (k->probed)
		return 0;
	probe_caps(k);
	probe_self(k);
	probe_pid_max(k);
	kdat_probe_clone3_set_tid(k);
	kdat_probe_ns_last_pid(k);
	kdat_probe_task(k);
	kdat_probe_mm_map(k);
	kdat_probe_vdso(k);
	kdat_probe_thp(k);
	kdat_probe_madv_populate(k);
	kdat_probe_uffd(k);
	kdat_probe_soft_dirty(k);
	k->probed = true;
	return k->clone3_set_tid.res == PROBE_BUG ? -1 : 0;
}

const struct kdat *kdat_get(void)
{
	if (!kdat_table.probed && kdat_probe())
		pr_err("kernel probing misbehaved; see the messages above\n");
	return &kdat_table;
}

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Kept out of line: the vfork child shares our stack and locals until _exit. */
static __attribute__((noinline)) pid_t spawn_and_exit(void)
{
	pid_t pid = vfork();

	if (pid == 0)
		_exit(0);
	return pid;
}

/*
 * What spinning costs: one task created, exited and reaped per PID passed
 * over. vfork, because a spinner only burns PIDs: copying the address space
 * is what makes fork slow (20-30 times slower on a VM with costly page-table
 * updates), and a spinner has no reason to pay for it.
 */
int kdat_probe_fork_rate(void)
{
	double start = now_seconds(), elapsed;
	unsigned long n = 0;

	if (kdat_table.fork_rate)
		return 0;
	do {
		pid_t pid = spawn_and_exit();

		if (pid < 0) {
			pr_perror("can't vfork to measure the fork rate");
			return -1;
		}
		if (waitpid(pid, NULL, 0) != pid) {
			pr_perror("can't reap fork-rate child %d", pid);
			return -1;
		}
		n++;
		elapsed = now_seconds() - start;
	} while (elapsed < 0.1);
	kdat_table.fork_rate = (unsigned long)(n / elapsed);
	pr_debug("fork rate %lu/s (%lu forks in %.3f s)\n", kdat_table.fork_rate, n, elapsed);
	return 0;
}

double kdat_spin_seconds(const struct kdat *k)
{
	if (!k->fork_rate || !k->pid_max)
		return 0;
	return (double)k->pid_max / (double)k->fork_rate;
}

const char *kdat_probe_name(enum kdat_probe r)
{
	static const char *const names[] = {
		[PROBE_UNKNOWN] = "unknown",
		[PROBE_OK] = "ok",
		[PROBE_NO_CAP] = "no capability",
		[PROBE_BLOCKED] = "blocked",
		[PROBE_UNSUPPORTED] = "unsupported",
		[PROBE_RO] = "read-only",
		[PROBE_FAILED] = "failed",
		[PROBE_BUG] = "bug",
	};

	if ((unsigned int)r >= ARRAY_SIZE(names))
		return "?";
	return names[r];
}

const char *kdat_cap_hint(void)
{
	return "grant CAP_CHECKPOINT_RESTORE (`setcap cap_checkpoint_restore+eip criu/criu`, "
	       "or `--cap-add CHECKPOINT_RESTORE` for a container)";
}
