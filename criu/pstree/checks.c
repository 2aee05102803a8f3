// SPDX-License-Identifier: GPL-2.0
/*
 * Dump-time checks of how a task relates to the rest of the tree: kernel
 * objects it shares with its parent (clone flags restore cannot recreate
 * yet) and PID namespaces other than criu's.
 */
#include <linux/kcmp.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define LOG_PREFIX "pstree: "
#include "log.h"
#include "proc-parse.h"
#include "pstree.h"

int pstree_check_sharing(const struct pstree_item *it)
{
	static const struct {
		int type;
		const char *what, *flag;
	} objs[] = {
		{ KCMP_VM, "address space", "CLONE_VM" },
		{ KCMP_FILES, "fd table", "CLONE_FILES" },
		{ KCMP_FS, "cwd/root/umask", "CLONE_FS" },
		{ KCMP_SIGHAND, "signal handlers", "CLONE_SIGHAND" },
	};

	if (!it->parent || it->parent->state == TASK_DEAD)
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(objs); i++) {
		long r = syscall(SYS_kcmp, it->pid, it->parent->pid, objs[i].type, 0, 0);

		if (r < 0) {
			pr_perror("can't compare task %d with its parent", it->pid);
			return -1;
		}
		if (r == 0) {
			pr_err("task %d shares its %s with its parent %d (%s): not supported yet\n",
			       it->pid, objs[i].what, it->parent->pid, objs[i].flag);
			return -1;
		}
	}
	return 0;
}

int pstree_check_pidns(const struct pstree_item *it)
{
	static int own_levels;
	struct proc_status st;
	int levels;

	if (!own_levels) {
		if (proc_read_status(getpid(), 0, &st))
			return -1;
		own_levels = st.ns_levels;
		proc_status_free(&st);
	}
	if (proc_read_status(it->pid, 0, &st))
		return -1;
	levels = st.ns_levels;
	proc_status_free(&st);
	if (levels != own_levels) {
		pr_err("task %d lives in a PID namespace nested in criu's (%d levels, criu %d): "
		       "not supported yet; run criu inside that namespace\n", it->pid, levels,
		       own_levels);
		return -1;
	}
	return 0;
}

int pstree_check_ns(const struct pstree_item *it)
{
	static const char *const kinds[] = { "mnt", "net", "ipc", "uts", "user", "cgroup",
					     "time" };

	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
		char path[64], self[64], theirs[64];

		snprintf(path, sizeof(path), "/proc/self/ns/%s", kinds[i]);
		if (proc_readlink(path, self, sizeof(self)))
			continue;	/* a kernel without that namespace */
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", it->pid, kinds[i]);
		if (proc_readlink(path, theirs, sizeof(theirs))) {
			pr_perror("can't read %s", path);
			return -1;
		}
		if (strcmp(self, theirs)) {
			pr_err("task %d is in another %s namespace than criu (%s, criu %s): "
			       "namespaces are not supported yet; run criu inside them\n", it->pid,
			       kinds[i], theirs, self);
			return -1;
		}
	}
	return 0;
}
