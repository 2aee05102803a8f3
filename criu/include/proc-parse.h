/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Parsers of /proc files. The parse_ functions are pure (text in, struct
 * out) so unit tests feed them recorded text; the read_ ones open the file.
 */
#ifndef CRIU_INCLUDE_PROC_PARSE_H
#define CRIU_INCLUDE_PROC_PARSE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/compiler.h"

struct proc_stat {
	pid_t pid;
	char comm[16];
	char state;
	pid_t ppid, pgid, sid;
	unsigned int tty_nr;	/* controlling terminal, kernel dev encoding; 0: none */
	pid_t tpgid;		/* its foreground group, -1 without one */
	unsigned int flags;
	long nice;
	int num_threads;
	unsigned long long start_time;
	unsigned long start_code, end_code, start_stack;
	unsigned long start_data, end_data, start_brk;
	unsigned long arg_start, arg_end, env_start, env_end;
	int exit_code;
};

int proc_parse_stat(const char *buf, struct proc_stat *st) __must_check;
/* /proc/PID/stat, or /proc/PID/task/TID/stat when tid > 0 */
int proc_read_stat(pid_t pid, pid_t tid, struct proc_stat *st) __must_check;

#define PROC_MAX_GROUPS 65536
#define PROC_MAX_NS_LEVEL 32

struct proc_status {
	char state;
	pid_t tgid, ppid, tracer;
	uid_t uid[4];		/* real, effective, saved, fs */
	gid_t gid[4];
	int ngroups;
	gid_t *groups;		/* malloc'ed; free with proc_status_free() */
	uint64_t cap_inh, cap_prm, cap_eff, cap_bnd, cap_amb;
	int no_new_privs;
	int seccomp;
	int seccomp_filters;
	int umask;		/* -1 when the kernel does not show it */
	uint64_t sig_pnd, shd_pnd, sig_blk, sig_ign, sig_cgt;
	int thp_enabled;	/* -1 when absent */
	int ns_levels;
	pid_t nspid[PROC_MAX_NS_LEVEL];	/* outermost first, as the kernel prints */
};

int proc_parse_status(const char *buf, struct proc_status *st) __must_check;
int proc_read_status(pid_t pid, pid_t tid, struct proc_status *st) __must_check;
void proc_status_free(struct proc_status *st);

/* VmFlags of /proc/PID/smaps that matter to dump or restore. */
enum {
	VMF_RD = 1 << 0, VMF_WR = 1 << 1, VMF_EX = 1 << 2, VMF_SH = 1 << 3,
	VMF_MR = 1 << 4, VMF_MW = 1 << 5, VMF_ME = 1 << 6, VMF_MS = 1 << 7,
	VMF_GD = 1 << 8, VMF_PF = 1 << 9, VMF_LO = 1 << 10, VMF_IO = 1 << 11,
	VMF_SR = 1 << 12, VMF_RR = 1 << 13, VMF_DC = 1 << 14, VMF_DE = 1 << 15,
	VMF_NR = 1 << 16, VMF_HT = 1 << 17, VMF_WF = 1 << 18, VMF_DD = 1 << 19,
	VMF_SD = 1 << 20, VMF_MM = 1 << 21, VMF_HG = 1 << 22, VMF_NH = 1 << 23,
	VMF_MG = 1 << 24, VMF_UM = 1 << 25, VMF_UW = 1 << 26, VMF_SS = 1 << 27,
	VMF_SL = 1 << 28, VMF_AC = 1 << 29, VMF_OTHER = 1u << 31,
};

#define PROC_PATH_MAX 4096

struct proc_vma {
	unsigned long start, end, pgoff;
	unsigned int dev_major, dev_minor;
	unsigned long ino;
	char perms[5];		/* "rwxp" */
	char path[PROC_PATH_MAX];	/* "" for anonymous, "[heap]", "/x (deleted)" */
	bool deleted;		/* path ended in " (deleted)"; stripped from path */
	bool has_vmflags;
	uint32_t vmflags;
	char vmflags_str[160];
	unsigned long anon_kb;	/* "Anonymous:" */
};

/* One maps/smaps header line ("start-end perms off dev ino path"). */
int proc_parse_maps_line(const char *line, struct proc_vma *v) __must_check;
/* VmFlags text ("rd wr mr mw me ac") to VMF_ bits. */
uint32_t proc_parse_vmflags(const char *text);

/* Call fn for every VMA of /proc/PID/smaps (maps if smaps is false). */
int proc_for_each_vma(pid_t pid, bool smaps, int (*fn)(const struct proc_vma *v, void *arg),
		      void *arg) __must_check;

struct proc_fdinfo {
	unsigned long long pos;
	unsigned int flags;
	int mnt_id;
	unsigned long ino;
	char *extra;		/* the lines after the common ones, malloc'ed */
};

int proc_parse_fdinfo(const char *buf, struct proc_fdinfo *fi) __must_check;
int proc_read_fdinfo(pid_t pid, int fd, struct proc_fdinfo *fi) __must_check;
void proc_fdinfo_free(struct proc_fdinfo *fi);

/* Read a whole small /proc file into a malloc'ed NUL-terminated buffer. */
char *proc_read_file(const char *path, size_t *len);
/* readlink into buf (NUL-terminated); -1 with errno on failure or truncation. */
int proc_readlink(const char *path, char *buf, size_t len) __must_check;
/* Read /proc/PID/task/TID/children (tid = pid for the main thread). */
int proc_read_children(pid_t pid, pid_t tid, pid_t **out, int *nr) __must_check;
/* List /proc/PID/task. */
int proc_read_threads(pid_t pid, pid_t **out, int *nr) __must_check;

#endif /* CRIU_INCLUDE_PROC_PARSE_H */
