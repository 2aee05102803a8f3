// SPDX-License-Identifier: GPL-2.0
/*
 * Exact-PID task creation (DESIGN.md section 5). clone3/set_tid needs no
 * lock; ns_last_pid is written and the PID verified under an flock on the
 * sysctl shared by every restoring task; the spinner burns PIDs with vfork
 * (about 20x faster than fork here) until the counter sits just below the
 * wanted PID.
 */
#include <dirent.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define LOG_PREFIX "pidctl: "
#include "arch.h"
#include "common/burn-pid.h"
#include "kdat.h"
#include "log.h"
#include "pidctl.h"
#include "pidctl-internal.h"
#include "proc-parse.h"
#include "pstree.h"

#define NS_LAST_PID "/proc/sys/kernel/ns_last_pid"
#define NS_LAST_PID_TRIES 16

static int ns_last_pid_fd(struct pidctl *pc);

int pidctl_init(struct pidctl *pc, enum pid_method requested)
{
	const struct kdat *k = kdat_get();
	char why[512];

	memset(pc, 0, sizeof(*pc));
	pc->ns_last_pid_fd = pc->last_pid_fd = -1;
	pc->clone3_ok = k->clone3_set_tid.res == PROBE_OK || k->clone3_set_tid.res == PROBE_NO_CAP;
	pc->pid_max = k->pid_max;
	if (requested == PID_METHOD_AUTO) {
		pc->method = kdat_auto_pid_method(k, why, sizeof(why));
		pr_info("pid method %s: %s\n", pid_method_name(pc->method), why);
	} else {
		if (kdat_pid_method_usable(k, requested, why, sizeof(why))) {
			pr_err("can't use --pid-method %s: %s\n", pid_method_name(requested), why);
			return -1;
		}
		pc->method = requested;
	}
	if (pc->method == PID_METHOD_SPIN && requested == PID_METHOD_AUTO) {
		if (kdat_probe_fork_rate())
			pr_warn("can't measure the fork rate\n");
		pr_warn("only spinning is left to get exact PIDs: up to ~%.1f s per task "
			"(pid_max %u); %s\n", kdat_spin_seconds(k), k->pid_max, kdat_cap_hint());
	}
	if (pc->method == PID_METHOD_NS_LAST_PID && ns_last_pid_fd(pc) < 0)
		return -1;
	return 0;
}

void pidctl_fini(struct pidctl *pc)
{
	pidctl_drop_fd(pc, true);
	if (pc->sh)
		munmap(pc->sh, pc->sh_len);
	pc->sh = NULL;
}

void pidctl_drop_fd(struct pidctl *pc, bool close_it)
{
	if (close_it && pc->ns_last_pid_owner == getpid() && pc->ns_last_pid_fd >= 0)
		close(pc->ns_last_pid_fd);
	if (close_it && pc->last_pid_owner == getpid() && pc->last_pid_fd >= 0)
		close(pc->last_pid_fd);
	pc->ns_last_pid_fd = pc->last_pid_fd = -1;
	pc->ns_last_pid_owner = pc->last_pid_owner = 0;
}

/*
 * An flock belongs to an open file description: tasks sharing criu's fd
 * would never exclude each other, so every task opens its own.
 */
static int ns_last_pid_fd(struct pidctl *pc)
{
	if (pc->ns_last_pid_owner == getpid())
		return pc->ns_last_pid_fd;
	pc->ns_last_pid_fd = open(NS_LAST_PID, O_RDWR | O_CLOEXEC);
	if (pc->ns_last_pid_fd < 0) {
		pr_perror("can't open %s", NS_LAST_PID);
		return -1;
	}
	pc->ns_last_pid_owner = getpid();
	return pc->ns_last_pid_fd;
}

static void describe_holder(pid_t pid, char *buf, size_t len)
{
	char path[64], *comm, *status;
	long tgid = -1;

	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	comm = proc_read_file(path, NULL);
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	status = proc_read_file(path, NULL);
	if (status) {
		struct proc_status st;

		if (!proc_parse_status(status, &st)) {
			tgid = st.tgid;
			if (st.state == 'Z')
				tgid = -2;
			proc_status_free(&st);
		}
	}
	if (comm)
		comm[strcspn(comm, "\n")] = 0;
	if (tgid == -2)
		snprintf(buf, len, "a zombie '%s' not yet reaped by its parent", comm ? comm : "?");
	else if (tgid > 0 && tgid != pid)
		snprintf(buf, len, "thread of process %ld '%s'", tgid, comm ? comm : "?");
	else
		snprintf(buf, len, "process '%s'", comm ? comm : "? (not visible in /proc)");
	free(comm);
	free(status);
}

/*
 * A pid stays allocated while it names a process group or session, even
 * after its leader is gone: /proc has no directory for it, yet the kernel
 * will not hand it out. /proc is read once for all the pids we want, not
 * once per pid: a tree of N tasks on a machine of P processes would cost
 * N x P reads of /proc/PID/stat.
 */
struct id_use {
	pid_t id, member;
	bool group;
};

struct id_uses {
	int nr, cap;
	struct id_use *u;
};

static int add_use(struct id_uses *s, pid_t id, pid_t member, bool group)
{
	if (s->nr == s->cap) {
		struct id_use *n = realloc(s->u, (s->cap = s->cap ? 2 * s->cap : 512) * sizeof(*n));

		if (!n)
			return -1;
		s->u = n;
	}
	s->u[s->nr++] = (struct id_use){ id, member, group };
	return 0;
}

static int cmp_use(const void *a, const void *b)
{
	const struct id_use *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static int collect_ids_in_use(struct id_uses *s)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	int ret = 0;

	if (!d) {
		pr_perror("can't open /proc");
		return -1;
	}
	while (!ret && (de = readdir(d))) {
		char path[64], *stat;
		struct proc_stat st;
		int pid = atoi(de->d_name);

		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/stat", pid);
		/* not proc_read_stat(): a process gone since readdir() is no error */
		stat = proc_read_file(path, NULL);
		/* a leader's own pid is checked with kill(): only others' uses count */
		if (stat && !proc_parse_stat(stat, &st))
			ret = (st.pgid != pid && add_use(s, st.pgid, pid, true)) ||
			      (st.sid != pid && st.sid != st.pgid && add_use(s, st.sid, pid, false));
		free(stat);
	}
	closedir(d);
	qsort(s->u, s->nr, sizeof(*s->u), cmp_use);
	return ret ? -1 : 0;
}

static int check_one(pid_t pid, const char *what, const struct id_uses *uses)
{
	struct id_use key = { .id = pid }, *u;
	char holder[256];
	const char *kind;

	if (kill(pid, 0) && errno == ESRCH) {
		u = bsearch(&key, uses->u, uses->nr, sizeof(*uses->u), cmp_use);
		if (!u)
			return 0;
		/* an id both a group and a session still use: either one is named */
		kind = u->group ? "process group" : "session";
		describe_holder(u->member, holder, sizeof(holder));
		pr_err("%s %d is taken: it still names the %s of %d, %s, whose leader "
		       "has exited; end that %s before restoring\n", what, pid, kind, u->member,
		       holder, kind);
		return -1;
	}
	describe_holder(pid, holder, sizeof(holder));
	pr_err("%s %d is taken by %s: free it before restoring\n", what, pid, holder);
	return -1;
}

int pidctl_check_free(const struct pstree *t)
{
	struct id_uses uses = { 0 };
	struct pstree_item *it;
	int ret = 0, nr = 0;

	if (collect_ids_in_use(&uses)) {
		free(uses.u);
		return -1;
	}
	list_for_each_entry(it, &t->items, list)
		for (int i = 0; i < it->nr_threads; i++, nr++)
			ret |= check_one(it->threads[i], i ? "thread id" : "pid", &uses);
	pr_debug("%d pids free (%d group and session ids in use)\n", nr, uses.nr);
	free(uses.u);
	return ret ? -1 : 0;
}

static pid_t raw_clone3(uint64_t flags, pid_t *set_tid)
{
	struct clone_args ca = { 0 };

	ca.flags = flags;
	ca.exit_signal = flags & CLONE_PARENT ? 0 : SIGCHLD;
	if (set_tid) {
		ca.set_tid = (uint64_t)set_tid;
		ca.set_tid_size = 1;
	}
	return syscall(SYS_clone3, &ca, sizeof(ca));
}

/* A plain fork: clone3 when allowed, else the legacy clone. */
static pid_t plain_fork(struct pidctl *pc, int flags)
{
	uint64_t cf = flags & PIDCTL_SIBLING ? CLONE_PARENT : 0;

	if (pc->clone3_ok)
		return raw_clone3(cf, NULL);
	/* with CLONE_PARENT the kernel uses criu's own exit signal anyway */
	return syscall(SYS_clone, cf | SIGCHLD, 0, 0, 0, 0);
}

/* How a pid is finally taken once the counter sits below it. */
struct creator {
	pid_t (*create)(struct pidctl *pc, pid_t want, const struct creator *c, int *wrong);
	int flags;		/* fork: PIDCTL_SIBLING */
	void *clone_args;	/* thread */
	size_t size;
	uint64_t entry, arg;
};

/* Fork; a child with the wrong pid leaves at once and is reaped. */
static pid_t fork_expect(struct pidctl *pc, pid_t want, const struct creator *c, int *wrong)
{
	pid_t pid = plain_fork(pc, c->flags);

	*wrong = 0;
	if (pid == 0 && syscall(SYS_getpid) != want)
		_exit(0);	/* someone took the pid first: this child is a dud */
	if (pid <= 0 || pid == want)
		return pid;
	*wrong = 1;
	/* as a sibling it is reaped by criu's parent */
	if (!(c->flags & PIDCTL_SIBLING))
		waitpid(pid, NULL, 0);
	return pid;
}

/* A thread with the wrong tid exits by itself (the restorer checks gettid). */
static pid_t thread_expect(struct pidctl *pc, pid_t want, const struct creator *c, int *wrong)
{
	pid_t tid;

	if (pc->clone3_ok)
		tid = arch_clone_thread(c->clone_args, c->size, c->entry, c->arg);
	else
		tid = arch_clone_thread_legacy(c->clone_args, c->entry, c->arg);
	if (tid < 0) {
		errno = -tid;
		return -1;
	}
	*wrong = tid != want;
	return tid;
}

static pid_t create_ns_last_pid(struct pidctl *pc, pid_t want, const struct creator *c)
{
	int fd = ns_last_pid_fd(pc);
	pid_t pid = -1;

	if (fd < 0)
		return -1;
	if (flock(fd, LOCK_EX)) {
		pr_perror("can't lock %s", NS_LAST_PID);
		return -1;
	}
	for (int i = 0; i < NS_LAST_PID_TRIES; i++) {
		char buf[32];
		int len = snprintf(buf, sizeof(buf), "%d", want - 1), wrong;

		if (pwrite(fd, buf, len, 0) != len) {
			pr_perror("can't write %d to %s", want - 1, NS_LAST_PID);
			pid = -1;
			break;
		}
		pid = c->create(pc, want, c, &wrong);
		if (pid == 0)
			return 0;
		if (pid < 0 || !wrong)
			break;
		pid = -1;
		if (!(kill(want, 0) && errno == ESRCH)) {
			char holder[256];

			/* something forked between our write and our fork, and got it */
			describe_holder(want, holder, sizeof(holder));
			pr_err("pid %d was taken during the restore by %s: something else "
			       "forks here, and ns_last_pid can't keep it out (set_tid can)\n",
			       want, holder);
			break;
		}
		if (i == NS_LAST_PID_TRIES - 1)
			pr_err("pid %d went to other tasks %d times: something else forks here\n",
			       want, NS_LAST_PID_TRIES);
		else
			pr_debug("pid %d went to another task; retrying\n", want);
	}
	flock(fd, LOCK_UN);
	return pid == want ? pid : -1;
}

/*
 * The last pid the kernel handed out. ns_last_pid stays readable when
 * /proc/sys is read-only and needs no capability to read; -1 if unreadable.
 */
pid_t pidctl_read_last_pid(struct pidctl *pc)
{
	char buf[32];
	ssize_t n;

	/* per task, like the ns_last_pid fd: a task's fd table reuses numbers */
	if (pc->last_pid_owner != getpid()) {
		pc->last_pid_fd = open(NS_LAST_PID, O_RDONLY | O_CLOEXEC);
		pc->last_pid_owner = getpid();
	}
	if (pc->last_pid_fd < 0 || (n = pread(pc->last_pid_fd, buf, sizeof(buf) - 1, 0)) <= 0)
		return -1;
	buf[n] = 0;
	return atoi(buf);
}

/* A pid, process group or session id still in use: the kernel skips it. */
static bool pid_in_use(pid_t p)
{
	return !(kill(p, 0) && errno == ESRCH && kill(-p, 0) && errno == ESRCH);
}

static pid_t spin_to(struct pidctl *pc, pid_t want, const struct creator *c)
{
	pid_t pid_max = pc->pid_max ? pc->pid_max : 4194304;
	unsigned long budget = 4UL * pid_max + 1000;

	for (int tries = 0; tries < NS_LAST_PID_TRIES; tries++) {
		pid_t last = pidctl_read_last_pid(pc), pid;
		int wrong;

		while (!pidctl_next_is(last, want, pid_max, pid_in_use)) {
			if (want < PIDCTL_RESERVED_PIDS && last >= want) {
				pr_err("the PID counter passed pid %d, which spinning can't reach "
				       "again (the kernel wraps to %d)\n", want, PIDCTL_RESERVED_PIDS);
				return -1;
			}
			last = burn_pid();
			if (last >= 0 && !pidctl_next_is(last, want, pid_max, pid_in_use)) {
				pid_t seen = pidctl_read_last_pid(pc);	/* others fork too */

				if (seen >= 0)
					last = seen;
			}
			if (last < 0) {
				pr_perror("can't fork while spinning to pid %d", want);
				return -1;
			}
			if (!budget--) {
				pr_err("spun through the whole PID space without reaching %d\n", want);
				return -1;
			}
			pc->spun++;
		}
		pid = c->create(pc, want, c, &wrong);
		if (pid <= 0 || !wrong)
			return pid;
	}
	pr_err("pid %d keeps being taken by other tasks while spinning\n", want);
	return -1;
}

static pid_t create_spin(struct pidctl *pc, pid_t want, const struct creator *c)
{
	pid_t pid;

	if (pc->sh)
		pidctl_wait_turn(pc, want);
	pid = spin_to(pc, want, c);
	if (pid > 0 && pc->sh)
		pidctl_next_turn(pc);
	return pid;
}

static pid_t create(struct pidctl *pc, pid_t want, const struct creator *c)
{
	pid_t pid;

	if (pc->method == PID_METHOD_NS_LAST_PID)
		pid = create_ns_last_pid(pc, want, c);
	else
		pid = create_spin(pc, want, c);
	if (pid > 0 && pid != want) {
		pr_err("asked for pid %d, got %d\n", want, pid);
		return -1;
	}
	return pid;
}

pid_t pidctl_fork(struct pidctl *pc, pid_t want, int flags)
{
	struct creator c = { .create = fork_expect, .flags = flags };
	pid_t pid;

	if (pc->method != PID_METHOD_SET_TID)
		return create(pc, want, &c);
	pid = raw_clone3(flags & PIDCTL_SIBLING ? CLONE_PARENT : 0, &want);
	if (pid < 0)
		pr_perror("clone3 with set_tid %d failed", want);
	return pid;
}

pid_t pidctl_clone_thread(struct pidctl *pc, pid_t want, void *clone_args, size_t size,
			  uint64_t entry, uint64_t arg)
{
	struct creator c = { .create = thread_expect, .clone_args = clone_args, .size = size,
			     .entry = entry, .arg = arg };
	struct clone_args *ca = clone_args;
	long tid;

	if (pc->method != PID_METHOD_SET_TID)
		return create(pc, want, &c);
	ca->set_tid = (uint64_t)&want;
	ca->set_tid_size = 1;
	tid = arch_clone_thread(ca, size, entry, arg);
	ca->set_tid = 0;
	ca->set_tid_size = 0;
	if (tid < 0) {
		errno = -tid;
		pr_perror("clone3 of thread %d failed", want);
		return -1;
	}
	return tid;
}
