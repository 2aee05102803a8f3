// SPDX-License-Identifier: GPL-2.0
/*
 * zdtm-jail: run a command in a reduced privilege set-up, the way a
 * container would: another uid/gid, only some capabilities (kept across
 * execve as ambient ones), /proc/sys read-only in a private mount
 * namespace, and clone3 answering ENOSYS as under Docker's seccomp profile.
 *
 * zdtm-jail [--uid U] [--gid G] [--caps cap1,cap2|none] [--ro-proc-sys]
 *           [--nosys-clone3] -- cmd args...
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <grp.h>
#include <sched.h>

#ifndef __NR_clone3
#define __NR_clone3 435
#endif
#define X32_BIT 0x40000000

struct jail {
	long uid, gid; /* -1: keep */
	int set_caps;
	unsigned long long caps;
	int ro_proc_sys, nosys_clone3;
	char **cmd;
};

static const char *const cap_names[] = {
	"chown", "dac_override", "dac_read_search", "fowner", "fsetid", "kill", "setgid",
	"setuid", "setpcap", "linux_immutable", "net_bind_service", "net_broadcast",
	"net_admin", "net_raw", "ipc_lock", "ipc_owner", "sys_module", "sys_rawio",
	"sys_chroot", "sys_ptrace", "sys_pacct", "sys_admin", "sys_boot", "sys_nice",
	"sys_resource", "sys_time", "sys_tty_config", "mknod", "lease", "audit_write",
	"audit_control", "setfcap", "mac_override", "mac_admin", "syslog", "wake_alarm",
	"block_suspend", "audit_read", "perfmon", "bpf", "checkpoint_restore",
};

static void die(const char *what)
{
	fprintf(stderr, "zdtm-jail: %s: %s\n", what, strerror(errno));
	exit(125);
}

static void usage(void)
{
	fprintf(stderr, "usage: zdtm-jail [--uid U] [--gid G] [--caps c1,c2|none] "
			"[--ro-proc-sys] [--nosys-clone3] -- cmd args...\n");
	exit(125);
}

static int cap_by_name(const char *name)
{
	if (!strncasecmp(name, "cap_", 4))
		name += 4;
	for (size_t i = 0; i < sizeof(cap_names) / sizeof(cap_names[0]); i++)
		if (!strcasecmp(name, cap_names[i]))
			return i;
	return -1;
}

static unsigned long long parse_caps(char *list)
{
	unsigned long long set = 0;
	char *save = NULL, *tok;

	if (!strcmp(list, "none") || !*list)
		return 0;
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int cap = cap_by_name(tok);

		if (cap < 0) {
			fprintf(stderr, "zdtm-jail: unknown capability '%s'\n", tok);
			exit(125);
		}
		set |= 1ULL << cap;
	}
	return set;
}

static void parse(int argc, char **argv, struct jail *j)
{
	int i;

	j->uid = j->gid = -1;
	for (i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		if (!strcmp(argv[i], "--uid") && i + 1 < argc)
			j->uid = strtol(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--gid") && i + 1 < argc)
			j->gid = strtol(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--caps") && i + 1 < argc)
			j->set_caps = 1, j->caps = parse_caps(argv[++i]);
		else if (!strcmp(argv[i], "--ro-proc-sys"))
			j->ro_proc_sys = 1;
		else if (!strcmp(argv[i], "--nosys-clone3"))
			j->nosys_clone3 = 1;
		else
			usage();
	}
	if (i + 1 >= argc)
		usage();
	j->cmd = argv + i + 1;
}

/*
 * Private mount namespace first, while we still hold CAP_SYS_ADMIN; make
 * every mount private so the read-only remount stays in here.
 */
static void ro_proc_sys(void)
{
	if (unshare(CLONE_NEWNS))
		die("unshare(CLONE_NEWNS)");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		die("make / private");
	if (mount("/proc/sys", "/proc/sys", NULL, MS_BIND | MS_REC, NULL))
		die("bind /proc/sys");
	if (mount(NULL, "/proc/sys", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL))
		die("remount /proc/sys read-only");
}

/* Dropped from the bounding set, a cap can't come back, even via setuid files. */
static void drop_bounding(unsigned long long keep)
{
	for (int cap = 0; prctl(PR_CAPBSET_READ, cap) >= 0; cap++)
		if (!(keep & (1ULL << cap)) && prctl(PR_CAPBSET_DROP, cap))
			die("PR_CAPBSET_DROP");
}

static void set_caps(unsigned long long caps)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2] = { 0 };

	for (int i = 0; i < 2; i++) {
		data[i].effective = data[i].permitted = data[i].inheritable = caps >> (32 * i);
	}
	if (syscall(SYS_capset, &hdr, data))
		die("capset");
	/* Ambient caps (needs each in permitted and inheritable) survive execve. */
	for (int cap = 0; cap < 64; cap++)
		if ((caps & (1ULL << cap)) &&
		    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0))
			die("PR_CAP_AMBIENT_RAISE");
}

/*
 * Groups and gid go first (they need CAP_SETGID); KEEPCAPS makes
 * setresuid keep the permitted set, so capset can then trim it.
 */
static void switch_ids(const struct jail *j)
{
	if (j->gid >= 0) {
		if (setgroups(0, NULL))
			die("setgroups");
		if (setresgid(j->gid, j->gid, j->gid))
			die("setresgid");
	}
	if (j->uid < 0)
		return;
	if (j->set_caps && prctl(PR_SET_KEEPCAPS, 1))
		die("PR_SET_KEEPCAPS");
	if (setresuid(j->uid, j->uid, j->uid))
		die("setresuid");
}

/* Without CAP_SYS_ADMIN a filter needs no_new_privs; set it in any case. */
static void nosys_clone3(void)
{
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone3, 1, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone3 | X32_BIT, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof(code) / sizeof(code[0]), .filter = code };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		die("PR_SET_NO_NEW_PRIVS");
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog))
		die("seccomp");
}

int main(int argc, char **argv)
{
	struct jail j = { 0 };

	parse(argc, argv, &j);
	/* 1. Mount namespace: needs CAP_SYS_ADMIN, so before anything is dropped. */
	if (j.ro_proc_sys)
		ro_proc_sys();
	/* 2. Bounding set: PR_CAPBSET_DROP needs CAP_SETPCAP. */
	if (j.set_caps)
		drop_bounding(j.caps);
	/* 3. Identity: with KEEPCAPS, permitted caps survive the uid change. */
	switch_ids(&j);
	/* 4. Exactly the listed caps, raised as ambient for the execve. */
	if (j.set_caps)
		set_caps(j.caps);
	/* 5. Seccomp last: it is what an unprivileged process can do itself. */
	if (j.nosys_clone3)
		nosys_clone3();
	execvp(j.cmd[0], j.cmd);
	die(j.cmd[0]);
	return 125;
}
