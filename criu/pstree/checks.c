// SPDX-License-Identifier: GPL-2.0
/*
 * Dump-time checks of how a task relates to the rest of the tree: kernel
 * objects it shares with its parent (clone flags restore cannot recreate
 * yet) and PID namespaces other than criu's.
 */
#include <linux/kcmp.h>
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
