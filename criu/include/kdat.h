/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel features, probed once and read-only afterwards (one of the three
 * globals the style guide allows). The probes test what is *allowed* to this
 * process, not only what the kernel has: a capability or a seccomp filter
 * decides as much as the kernel version. `criu check` prints this table.
 */
#ifndef CRIU_INCLUDE_KDAT_H
#define CRIU_INCLUDE_KDAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/compiler.h"
#include "options.h"

/* What one probe found; err keeps the errno behind it. */
enum kdat_probe {
	PROBE_UNKNOWN = 0,	/* not probed, or the probe could not run */
	PROBE_OK,
	PROBE_NO_CAP,		/* EPERM/EACCES: a capability is missing */
	PROBE_BLOCKED,		/* ENOSYS although the kernel has it: seccomp */
	PROBE_UNSUPPORTED,	/* the kernel lacks it (or rejects the request) */
	PROBE_RO,		/* EROFS: the file is on a read-only mount */
	PROBE_FAILED,		/* an unexpected error, see err */
	PROBE_BUG,		/* the probe caused what it must not (a new task) */
};

struct kdat_result {
	enum kdat_probe res;
	int err;
};

/* One special mapping of /proc/self/maps; end == 0 means absent. */
struct kdat_range {
	unsigned long start;
	unsigned long end;
};

struct kdat_vdso {
	struct kdat_range vvar;
	struct kdat_range vvar_vclock;	/* split out of [vvar] in 6.x kernels */
	struct kdat_range vdso;
	struct kdat_range vsyscall;
};

enum kdat_thp {
	KDAT_THP_UNKNOWN = 0,
	KDAT_THP_ALWAYS,
	KDAT_THP_MADVISE,
	KDAT_THP_NEVER,
};

/* The extended register state a dump must save (XSAVE area on x86). */
struct kdat_xstate {
	struct kdat_result res;	/* the ptrace regset read */
	uint32_t size;		/* bytes the regset returned */
	uint64_t xfeatures;	/* feature mask the kernel exposes (XCR0) */
	uint32_t cpu_size;	/* size the CPU reports for enabled features */
	uint32_t cpu_max_size;	/* size for every feature the CPU supports */
};

/* The mm fields of /proc/PID/stat that PR_SET_MM_MAP takes. */
struct kdat_mm_fields {
	uint64_t start_code, end_code, start_stack;
	uint64_t start_data, end_data, start_brk;
	uint64_t arg_start, arg_end, env_start, env_end;
};

struct kdat {
	bool probed;

	/* exact PIDs */
	struct kdat_result clone3_set_tid;
	struct kdat_result ns_last_pid;
	int seccomp_mode;		/* /proc/self/status Seccomp:, -1 unknown */
	bool in_userns;			/* not in the initial user namespace */
	bool has_proc_of_our_pidns;	/* /proc shows our PID namespace's PIDs */
	unsigned int pid_max;
	unsigned long fork_rate;	/* vforks per second; 0 = not measured */

	/* effective capabilities, in our own user namespace */
	uint64_t cap_eff;
	bool has_cap_checkpoint_restore;
	bool has_cap_sys_ptrace;
	bool has_cap_sys_admin;
	bool has_cap_sys_resource;

	/* dump: all probed on one short-lived helper child */
	struct kdat_result ptrace_seize;
	struct kdat_result process_vm_readv;
	struct kdat_result proc_pid_mem;
	struct kdat_result pidfd_open;
	struct kdat_result pidfd_getfd;
	struct kdat_result rseq_conf;	/* PTRACE_GET_RSEQ_CONFIGURATION */
	bool has_rseq_registered;	/* the helper (glibc) had rseq registered */
	struct kdat_xstate xstate;

	/* restore */
	struct kdat_result mm_map;	/* PR_SET_MM_MAP with our own values */
	unsigned int mm_map_size;	/* PR_SET_MM_MAP_SIZE */
	struct kdat_result vdso_maps;	/* reading /proc/self/maps */
	struct kdat_vdso vdso;

	/* memory */
	enum kdat_thp thp;
	struct kdat_result madv_populate_write;
	struct kdat_result uffd;
	uint64_t uffd_features;		/* UFFDIO_API answer */
	bool has_uffd_user_mode_only;	/* the fd was opened with it */
	bool has_uffd_move;		/* UFFDIO_MOVE, 6.8+ */
	struct kdat_result soft_dirty;
};

/* Capability numbers, for kernels' headers that lack the newer ones. */
#define KDAT_CAP_SYS_PTRACE		19
#define KDAT_CAP_SYS_ADMIN		21
#define KDAT_CAP_SYS_RESOURCE		24
#define KDAT_CAP_CHECKPOINT_RESTORE	40

/* Probe everything once (cheap: a few forks). -1 only if a probe misbehaved. */
int kdat_probe(void) __must_check;
/* The table, probed on first use. */
const struct kdat *kdat_get(void);
/* Measure vfork+exit+wait for ~100 ms and store fork_rate (only when asked). */
int kdat_probe_fork_rate(void) __must_check;

/* The method `--pid-method auto` picks, with the reason in one line. */
enum pid_method kdat_auto_pid_method(const struct kdat *k, char *why, size_t len);
/* 0 if m can be used here; -1 if not, with why and how to fix it in why. */
int kdat_pid_method_usable(const struct kdat *k, enum pid_method m, char *why, size_t len);
/* Worst-case seconds to spin to one PID (pid_max / fork rate); 0 if unknown. */
double kdat_spin_seconds(const struct kdat *k);

const char *kdat_probe_name(enum kdat_probe r);
const char *kdat_thp_name(enum kdat_thp t);
/* One line naming a missing capability's fix, shared by check and restore. */
const char *kdat_cap_hint(void);

/* Pure parsers of /proc and /sys text, unit-tested on recorded lines. */

/* Record a maps line's special mapping in v: 1 if it was one, 0 if not, -1 bad. */
int kdat_parse_maps_line(const char *line, struct kdat_vdso *v);
/* 0 if the vDSO can be moved at restore, else -1 and the reason in why. */
int kdat_vdso_sane(const struct kdat_vdso *v, char *why, size_t len);
/* The bracketed word of /sys/kernel/mm/transparent_hugepage/enabled. */
enum kdat_thp kdat_parse_thp(const char *buf);
/* The number after "key:" in /proc/PID/status text; -1 if absent. */
long kdat_parse_status_field(const char *buf, const char *key);
/* 1 if /proc/PID/uid_map text maps the whole range 0..2^32-2 onto itself. */
int kdat_parse_uid_map_is_init(const char *buf);
/* The PR_SET_MM_MAP fields of a /proc/PID/stat line; -1 if malformed. */
int kdat_parse_stat_mm(const char *buf, struct kdat_mm_fields *mm);

/* Arch hook: the extended register state of a ptrace-stopped task. */
int arch_kdat_probe_xstate(pid_t pid, struct kdat_xstate *x);

#endif /* CRIU_INCLUDE_KDAT_H */
