// SPDX-License-Identifier: GPL-2.0
/*
 * privcheck: print the privilege set-up this process runs in, one
 * key=value per line, for the runner's jail self-test: ids, capability
 * sets, seccomp and no_new_privs, whether /proc/sys is read-only, and
 * what clone3 with set_tid would answer (EEXIST = allowed).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *const status_keys[] = {
	"CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb", "NoNewPrivs", "Seccomp",
};

static const char *errno_name(int err)
{
	switch (err) {
	case 0: return "ok";
	case EEXIST: return "EEXIST";
	case EPERM: return "EPERM";
	case ENOSYS: return "ENOSYS";
	case EROFS: return "EROFS";
	case EACCES: return "EACCES";
	case EINVAL: return "EINVAL";
	default: return "other";
	}
}

static void print_status(void)
{
	char line[256];
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		for (size_t i = 0; i < sizeof(status_keys) / sizeof(status_keys[0]); i++) {
			size_t n = strlen(status_keys[i]);

			if (!strncmp(line, status_keys[i], n) && line[n] == ':') {
				char *v = line + n + 1;

				v += strspn(v, " \t");
				printf("%s=%s", status_keys[i], v);
			}
		}
	}
	fclose(f);
}

/* First line of uid_map: "0 65534 1" in the runner's user namespace. */
static void print_uid_map(void)
{
	unsigned long inside, outside, count;
	FILE *f = fopen("/proc/self/uid_map", "r");

	if (!f)
		return;
	if (fscanf(f, "%lu %lu %lu", &inside, &outside, &count) == 3)
		printf("uid_map=%lu %lu %lu\n", inside, outside, count);
	fclose(f);
}

/*
 * Write back the value just read: the permission check happens on write,
 * and the counter is left where it was (bar a racing fork).
 */
static int probe_ns_last_pid(int fd)
{
	char buf[32];
	ssize_t n = read(fd, buf, sizeof(buf));

	if (n <= 0)
		return errno ? errno : EINVAL;
	if (pwrite(fd, buf, n, 0) != n)
		return errno;
	return 0;
}

/* set_tid = our own pid: refused with EEXIST when permitted, no task made. */
static int probe_clone3(void)
{
	pid_t self = getpid();
	struct clone_args args = {
		.exit_signal = SIGCHLD,
		.set_tid = (uintptr_t)&self,
		.set_tid_size = 1,
	};
	long ret = syscall(SYS_clone3, &args, sizeof(args));

	if (ret == 0)
		_exit(0);
	if (ret > 0) {
		waitpid(ret, NULL, 0);
		return -1;
	}
	return errno;
}

int main(void)
{
	struct statvfs sv;
	int fd, err;

	printf("uid=%d\ngid=%d\npid=%d\n", getuid(), getgid(), getpid());
	print_status();
	print_uid_map();
	printf("proc_sys=%s\n",
	       statvfs("/proc/sys", &sv) ? "?" : (sv.f_flag & ST_RDONLY) ? "ro" : "rw");
	fd = open("/proc/sys/kernel/ns_last_pid", O_RDWR);
	printf("ns_last_pid_open=%s\n", errno_name(fd < 0 ? errno : 0));
	if (fd >= 0) {
		printf("ns_last_pid_write=%s\n", errno_name(probe_ns_last_pid(fd)));
		close(fd);
	}
	err = probe_clone3();
	printf("clone3_set_tid=%s\n", err < 0 ? "created" : errno_name(err));
	return 0;
}
