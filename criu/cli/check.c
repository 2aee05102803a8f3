// SPDX-License-Identifier: GPL-2.0
/*
 * `criu check`: print what the kernel probes found, in CRIU's words.
 * Required features decide "Looks good." / "Does not look good."; the PID
 * method auto would use is always named; spinning is fine but costs.
 */
#include <stdio.h>
#include <string.h>
#include <linux/userfaultfd.h>

#include "cli.h"
#include "kdat.h"
#include "log.h"
#include "options.h"

#define CHECK_GOOD	"Looks good."
#define CHECK_BAD	"Does not look good."
/* CRIU's words when only optional features are missing (--all) */
#define CHECK_MAYBE	"Looks good but some kernel features are missing\n" \
			"which, depending on your process tree, may cause\n" \
			"dump or restore failure."
#define CHECK_MAYBE_EXIT 2	/* non-zero as CRIU's, apart from "bad" */

enum check_cat {
	CAT_REQUIRED,	/* dump or restore can't work without it */
	CAT_PID,	/* a way to exact PIDs; spinning stands in for both */
	CAT_OPTIONAL,	/* some trees or modes need it: --all warns */
};

struct check_feature {
	const char *name;
	enum check_cat cat;
	const char *what;
	/* 0 if present; a one-line detail either way */
	int (*fn)(const struct kdat *k, char *detail, size_t len);
};

static int result_detail(const struct kdat_result *r, const char *what, char *d, size_t len)
{
	const char *e = r->err ? strerrorname_np(r->err) : NULL;

	if (r->res == PROBE_OK) {
		snprintf(d, len, "%s works", what);
		return 0;
	}
	snprintf(d, len, "%s: %s%s%s%s", what, kdat_probe_name(r->res), e ? " (" : "",
		 e ? e : "", e ? ")" : "");
	return -1;
}

static int chk_ptrace_seize(const struct kdat *k, char *d, size_t len)
{
	int ret = result_detail(&k->ptrace_seize, "PTRACE_SEIZE + PTRACE_INTERRUPT", d, len);

	if (ret && k->ptrace_seize.res == PROBE_NO_CAP)
		snprintf(d, len, "PTRACE_SEIZE of our own child is not permitted (an LSM, or "
			 "a no_new_privs/seccomp policy?)");
	return ret;
}

static int chk_mem_read(const struct kdat *k, char *d, size_t len)
{
	bool vm = k->process_vm_readv.res == PROBE_OK, mem = k->proc_pid_mem.res == PROBE_OK;

	snprintf(d, len, "process_vm_readv %s, /proc/PID/mem %s",
		 kdat_probe_name(k->process_vm_readv.res),
		 k->has_proc_of_our_pidns ? kdat_probe_name(k->proc_pid_mem.res) :
					    "not of our PID namespace");
	return vm || mem ? 0 : -1;
}

static int chk_mm_map(const struct kdat *k, char *d, size_t len)
{
	if (k->mm_map.res == PROBE_OK) {
		snprintf(d, len, "PR_SET_MM_MAP accepts our own values (%u-byte map)",
			 k->mm_map_size);
		return 0;
	}
	return result_detail(&k->mm_map, "PR_SET_MM_MAP", d, len);
}

static int chk_vdso(const struct kdat *k, char *d, size_t len)
{
	if (k->vdso_maps.res != PROBE_OK)
		return result_detail(&k->vdso_maps, "reading /proc/self/maps", d, len);
	return kdat_vdso_sane(&k->vdso, d, len);
}

static int chk_set_tid(const struct kdat *k, char *d, size_t len)
{
	return kdat_pid_method_usable(k, PID_METHOD_SET_TID, d, len);
}

static int chk_ns_last_pid(const struct kdat *k, char *d, size_t len)
{
	return kdat_pid_method_usable(k, PID_METHOD_NS_LAST_PID, d, len);
}

static int chk_vm_readv(const struct kdat *k, char *d, size_t len)
{
	return result_detail(&k->process_vm_readv, "process_vm_readv", d, len);
}

static int chk_proc_mem(const struct kdat *k, char *d, size_t len)
{
	if (!k->has_proc_of_our_pidns) {
		snprintf(d, len, "/proc is not mounted for our PID namespace (unshare "
			 "--mount-proc?): /proc/PID names other tasks");
		return -1;
	}
	return result_detail(&k->proc_pid_mem, "reading /proc/PID/mem", d, len);
}

static int chk_pidfd_open(const struct kdat *k, char *d, size_t len)
{
	return result_detail(&k->pidfd_open, "pidfd_open", d, len);
}

static int chk_pidfd_getfd(const struct kdat *k, char *d, size_t len)
{
	return result_detail(&k->pidfd_getfd, "pidfd_getfd", d, len);
}

static int chk_rseq(const struct kdat *k, char *d, size_t len)
{
	int ret = result_detail(&k->rseq_conf, "PTRACE_GET_RSEQ_CONFIGURATION", d, len);

	if (!ret && k->has_rseq_registered)
		strncat(d, " (the helper had rseq registered)", len - strlen(d) - 1);
	return ret;
}

static int chk_xstate(const struct kdat *k, char *d, size_t len)
{
	const struct kdat_xstate *x = &k->xstate;

	if (x->res.res != PROBE_OK)
		return result_detail(&x->res, "extended register state", d, len);
	snprintf(d, len, "%u bytes, xfeatures %#llx; CPUID: %u enabled, %u max%s", x->size,
		 (unsigned long long)x->xfeatures, x->cpu_size, x->cpu_max_size,
		 x->cpu_size && x->cpu_size != x->size ? " (sizes differ)" : "");
	return 0;
}

static int chk_uffd(const struct kdat *k, char *d, size_t len)
{
	if (k->uffd.res != PROBE_OK)
		return result_detail(&k->uffd, "userfaultfd", d, len);
	snprintf(d, len, "userfaultfd works, features %#llx%s",
		 (unsigned long long)k->uffd_features,
		 k->has_uffd_user_mode_only ? " (user-mode faults only)" : "");
	return 0;
}

/* Lazy restore of a tree that forks, maps or unmaps: the event features. */
static int chk_uffd_noncoop(const struct kdat *k, char *d, size_t len)
{
	const uint64_t need = UFFD_FEATURE_EVENT_FORK | UFFD_FEATURE_EVENT_REMAP |
			      UFFD_FEATURE_EVENT_REMOVE | UFFD_FEATURE_EVENT_UNMAP;

	if (k->uffd.res != PROBE_OK)
		return result_detail(&k->uffd, "userfaultfd", d, len);
	if ((k->uffd_features & need) != need) {
		snprintf(d, len, "userfaultfd lacks the fork/remap/remove/unmap events");
		return -1;
	}
	if (!k->has_cap_sys_ptrace) {
		snprintf(d, len, "UFFD_FEATURE_EVENT_FORK needs CAP_SYS_PTRACE");
		return -1;
	}
	snprintf(d, len, "fork, remap, remove and unmap events");
	return 0;
}

static int chk_uffd_move(const struct kdat *k, char *d, size_t len)
{
	if (k->uffd.res != PROBE_OK)
		return result_detail(&k->uffd, "userfaultfd", d, len);
	snprintf(d, len, "UFFDIO_MOVE %s", k->has_uffd_move ? "works" : "needs Linux 6.8");
	return k->has_uffd_move ? 0 : -1;
}

static int chk_soft_dirty(const struct kdat *k, char *d, size_t len)
{
	if (k->soft_dirty.res == PROBE_UNSUPPORTED && !k->soft_dirty.err) {
		snprintf(d, len, "no soft-dirty bit in pagemap (kernel built without "
			 "CONFIG_MEM_SOFT_DIRTY): pre-dump and --track-mem can't work");
		return -1;
	}
	return result_detail(&k->soft_dirty, "soft-dirty tracking", d, len);
}

static int chk_thp(const struct kdat *k, char *d, size_t len)
{
	snprintf(d, len, "transparent huge pages: %s", kdat_thp_name(k->thp));
	return k->thp == KDAT_THP_ALWAYS || k->thp == KDAT_THP_MADVISE ? 0 : -1;
}

static int chk_populate(const struct kdat *k, char *d, size_t len)
{
	return result_detail(&k->madv_populate_write, "MADV_POPULATE_WRITE", d, len);
}

static const struct check_feature features[] = {
	{ "ptrace_seize", CAT_REQUIRED, "seize and stop a task", chk_ptrace_seize },
	{ "mem_read", CAT_REQUIRED, "read a task's memory", chk_mem_read },
	{ "mm_map", CAT_REQUIRED, "PR_SET_MM_MAP without CAP_SYS_RESOURCE", chk_mm_map },
	{ "vdso", CAT_REQUIRED, "a vDSO layout restore can move", chk_vdso },
	{ "clone3_set_tid", CAT_PID, "exact PIDs with clone3 set_tid", chk_set_tid },
	{ "ns_last_pid", CAT_PID, "exact PIDs through ns_last_pid", chk_ns_last_pid },
	{ "process_vm_readv", CAT_OPTIONAL, "fast memory reads", chk_vm_readv },
	{ "proc_pid_mem", CAT_OPTIONAL, "reads of unreadable areas", chk_proc_mem },
	{ "pidfd_open", CAT_OPTIONAL, "pidfds of tasks", chk_pidfd_open },
	{ "pidfd_getfd", CAT_OPTIONAL, "copy a task's fds from outside", chk_pidfd_getfd },
	{ "get_rseq_conf", CAT_OPTIONAL, "dump rseq registrations", chk_rseq },
	{ "xstate", CAT_OPTIONAL, "the full extended register state", chk_xstate },
	{ "uffd", CAT_OPTIONAL, "userfaultfd, for lazy pages", chk_uffd },
	{ "uffd-noncoop", CAT_OPTIONAL, "lazy pages of forking trees", chk_uffd_noncoop },
	{ "uffd_move", CAT_OPTIONAL, "UFFDIO_MOVE of staged huge pages", chk_uffd_move },
	{ "mem_dirty_track", CAT_OPTIONAL, "soft-dirty memory tracking", chk_soft_dirty },
	{ "thp", CAT_OPTIONAL, "transparent huge pages", chk_thp },
	{ "madv_populate_write", CAT_OPTIONAL, "prefault restored memory", chk_populate },
};

static const struct check_feature *find_feature(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(features); i++)
		if (!strcmp(features[i].name, name))
			return &features[i];
	return NULL;
}

static void list_features(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(features); i++)
		pr_msg("%-20s %s\n", features[i].name, features[i].what);
}

static void unknown_feature(const char *name)
{
	char names[1024] = "";

	for (size_t i = 0; i < ARRAY_SIZE(features); i++) {
		strncat(names, features[i].name, sizeof(names) - strlen(names) - 1);
		if (i + 1 < ARRAY_SIZE(features))
			strncat(names, ", ", sizeof(names) - strlen(names) - 1);
	}
	pr_err("unknown feature '%s'; known features: %s\n", name, names);
}

/* Names are checked before anything is probed. */
static int known_features(void)
{
	int ret = 0;

	for (int i = 0; i < opts->nr_features; i++) {
		if (!find_feature(opts->features[i])) {
			unknown_feature(opts->features[i]);
			ret = -1;
		}
	}
	return ret;
}

/* --feature NAME...: only those; any missing one fails. */
static int check_features(const struct kdat *k)
{
	char detail[768];
	int ret = 0;

	for (int i = 0; i < opts->nr_features; i++) {
		const struct check_feature *f = find_feature(opts->features[i]);

		if (f->fn(k, detail, sizeof(detail))) {
			pr_err("%s is not supported: %s\n", f->name, detail);
			ret = -1;
		} else {
			pr_msg("%s is supported\n", f->name);
		}
	}
	return ret;
}

static void print_context(const struct kdat *k)
{
	static const struct {
		int cap;
		const char *name;
	} caps[] = {
		{ KDAT_CAP_CHECKPOINT_RESTORE, "CAP_CHECKPOINT_RESTORE" },
		{ KDAT_CAP_SYS_PTRACE, "CAP_SYS_PTRACE" },
		{ KDAT_CAP_SYS_ADMIN, "CAP_SYS_ADMIN" },
		{ KDAT_CAP_SYS_RESOURCE, "CAP_SYS_RESOURCE" },
	};
	char held[128] = "";

	for (size_t i = 0; i < ARRAY_SIZE(caps); i++) {
		if (!(k->cap_eff & (1ULL << caps[i].cap)))
			continue;
		strncat(held, " ", sizeof(held) - strlen(held) - 1);
		strncat(held, caps[i].name, sizeof(held) - strlen(held) - 1);
	}
	pr_msg("%-20s %s%s\n", "capabilities", held[0] ? held + 1 : "none of",
	       held[0] ? "" : " CHECKPOINT_RESTORE, SYS_PTRACE, SYS_ADMIN, SYS_RESOURCE");
	pr_msg("%-20s seccomp mode %d, %s user namespace, /proc %s our PID namespace, "
	       "pid_max %u\n", "context", k->seccomp_mode, k->in_userns ? "a nested" : "the initial",
	       k->has_proc_of_our_pidns ? "of" : "not of", k->pid_max);
}

/* What would spare the spinning, from the causes the probes found. */
static void spin_fix(const struct kdat *k, char *fix, size_t len)
{
	bool cap = k->has_cap_checkpoint_restore || k->has_cap_sys_admin;
	bool blocked = k->clone3_set_tid.res == PROBE_BLOCKED;
	bool ro = k->ns_last_pid.res == PROBE_RO;

	snprintf(fix, len, "to avoid it,");
	if (!cap)
		snprintf(fix + strlen(fix), len - strlen(fix), " %s", kdat_cap_hint());
	if (blocked)
		snprintf(fix + strlen(fix), len - strlen(fix),
			 "%s let clone3 through the seccomp filter", cap ? "" : " and");
	if (ro)
		snprintf(fix + strlen(fix), len - strlen(fix),
			 "%s make /proc/sys writable for ns_last_pid",
			 cap && !blocked ? "" : ", or");
	if (k->clone3_set_tid.res == PROBE_UNSUPPORTED)
		snprintf(fix + strlen(fix), len - strlen(fix),
			 "%s use a kernel with clone3 set_tid (5.5+)", cap && !ro ? "" : ", or");
	if (!strcmp(fix, "to avoid it,"))	/* a cause none of the above names */
		snprintf(fix, len, "see why with `criu check -v4`");
}

static void warn_spin(const struct kdat *k, bool forced)
{
	char fix[512];

	/* k is the table itself: the measurement shows up in k->fork_rate */
	if (kdat_probe_fork_rate() == 0) {
		pr_warn("%s: ~%.1f s per task with pid_max %u at %lu forks/s\n",
			forced ? "spinning was asked for" : "only spinning is left to get exact PIDs",
			kdat_spin_seconds(k), k->pid_max, k->fork_rate);
	} else {
		pr_warn("only spinning is left to get exact PIDs: up to %u forks per task\n",
			k->pid_max);
	}
	if (forced)
		return;
	spin_fix(k, fix, sizeof(fix));
	pr_warn("%s\n", fix);
}

/* The line always printed: the method auto would use, or the forced one. */
static int check_pid_method(const struct kdat *k)
{
	enum pid_method m = opts->pid_method;
	char why[768];

	if (m == PID_METHOD_AUTO) {
		m = kdat_auto_pid_method(k, why, sizeof(why));
		pr_msg("PID method: auto would use %s: %s\n", pid_method_name(m), why);
	} else if (kdat_pid_method_usable(k, m, why, sizeof(why))) {
		pr_err("--pid-method %s can't be used here: %s\n", pid_method_name(m), why);
		return -1;
	} else {
		pr_msg("PID method: %s is usable: %s\n", pid_method_name(m), why);
	}
	if (m == PID_METHOD_SPIN)
		warn_spin(k, opts->pid_method == PID_METHOD_SPIN);
	return 0;
}

/* Plain check and --all: count the required (bad) and optional (maybe) misses. */
static void check_table(const struct kdat *k, bool verbose, int *bad, int *maybe)
{
	char detail[768];

	for (size_t i = 0; i < ARRAY_SIZE(features); i++) {
		const struct check_feature *f = &features[i];
		int ret;

		if (!verbose && !opts->check_all && f->cat != CAT_REQUIRED)
			continue;
		ret = f->fn(k, detail, sizeof(detail));
		if (verbose)
			pr_msg("%-20s %-3s  %s\n", f->name, ret ? "no" : "yes", detail);
		if (!ret)
			continue;
		if (f->cat == CAT_REQUIRED) {
			pr_err("%s: %s\n", f->what, detail);
			(*bad)++;
		} else if (f->cat == CAT_OPTIONAL && opts->check_all) {
			pr_warn("%s: %s\n", f->name, detail);
			(*maybe)++;
		}
	}
}

int cli_check(void)
{
	bool verbose = log_get_level() >= LOG_INFO;
	const struct kdat *k;
	int bad = 0, maybe = 0;

	if (opts->nr_features == 1 && !strcmp(opts->features[0], "list")) {
		list_features();
		return 0;
	}
	if (known_features())
		return -1;
	if (kdat_probe()) {
		pr_err("a kernel probe misbehaved: see the errors above\n");
		bad++;
	}
	k = kdat_get();
	if (opts->nr_features)
		return check_features(k);
	if (verbose)
		print_context(k);
	check_table(k, verbose, &bad, &maybe);
	if (check_pid_method(k))
		bad++;
	if (bad) {
		pr_msg("%s\n", CHECK_BAD);
		return -1;
	}
	pr_msg("%s\n", maybe ? CHECK_MAYBE : CHECK_GOOD);
	return maybe ? CHECK_MAYBE_EXIT : 0;
}
