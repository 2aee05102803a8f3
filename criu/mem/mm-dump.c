// SPDX-License-Identifier: GPL-2.0
/* The mm fields of a seized task: code/data/brk/stack/args ranges, auxv, exe. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#define LOG_PREFIX "mem: "
#include "files.h"
#include "log.h"
#include "mem.h"
#include "mem-internal.h"
#include "proc-parse.h"
#include "remote.h"

static int dump_auxv(pid_t pid, struct mm_state *mm)
{
	char path[64];
	size_t len;
	char *buf;

	snprintf(path, sizeof(path), "/proc/%d/auxv", pid);
	buf = proc_read_file(path, &len);
	if (!buf) {
		pr_perror("can't read %s", path);
		return -1;
	}
	len /= sizeof(uint64_t);
	if (len > MM_MAX_AUXV) {
		pr_err("%s has %zu words, more than %d\n", path, len, MM_MAX_AUXV);
		free(buf);
		return -1;
	}
	memcpy(mm->auxv, buf, len * sizeof(uint64_t));
	mm->nr_auxv = len;
	free(buf);
	return 0;
}

/* brk, dumpable and THP-disable are only visible from inside the task. */
static int dump_mm_remote(pid_t pid, struct mm_state *mm)
{
	struct remote r;
	long res;
	int ret = -1;

	/* no scratch page: every answer is a syscall's result */
	if (remote_open_at_stop(&r, pid))
		return -1;
	if (remote_syscall(&r, SYS_brk, &res, 0, 0, 0, 0))
		goto out;
	mm->brk = res;
	if (remote_syscall(&r, SYS_prctl, &res, PR_GET_DUMPABLE, 0, 0, 0) || res < 0)
		goto out;
	mm->dumpable = res;
	if (remote_syscall(&r, SYS_prctl, &res, PR_GET_THP_DISABLE, 0, 0, 0) || res < 0)
		goto out;
	mm->thp_disabled = res != 0;
	ret = 0;
out:
	if (ret)
		pr_err("can't read the mm state of task %d from inside it\n", pid);
	if (remote_close(&r))
		ret = -1;
	return ret;
}

int mem_dump_mm(pid_t pid, struct file_ids *files, struct mm_state *mm)
{
	struct proc_stat st;

	memset(mm, 0, sizeof(*mm));
	if (proc_read_stat(pid, 0, &st))
		return -1;
	mm->start_code = st.start_code;
	mm->end_code = st.end_code;
	mm->start_data = st.start_data;
	mm->end_data = st.end_data;
	mm->start_stack = st.start_stack;
	mm->start_brk = st.start_brk;
	mm->arg_start = st.arg_start;
	mm->arg_end = st.arg_end;
	mm->env_start = st.env_start;
	mm->env_end = st.env_end;
	if (dump_auxv(pid, mm) || dump_mm_remote(pid, mm))
		return -1;
	if (files_add_proc_link(files, pid, "exe", O_RDONLY, &mm->exe_file_id))
		return -1;
	return mem_collect_vmas(pid, files, mm);
}

void mm_state_free(struct mm_state *mm)
{
	for (int i = 0; i < mm->nr_vmas; i++)
		free(mm->vmas[i].anon_name);
	free(mm->vmas);
	mm->vmas = NULL;
	mm->nr_vmas = 0;
}
