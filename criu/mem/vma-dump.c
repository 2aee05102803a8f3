// SPDX-License-Identifier: GPL-2.0
/*
 * Collect the VMAs of a seized task from /proc/PID/smaps and classify them;
 * anything we could not restore faithfully is a dump error naming the area.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define LOG_PREFIX "mem: "
#include "files.h"
#include "log.h"
#include "mem.h"
#include "mem-internal.h"
#include "proc-parse.h"

struct collect {
	pid_t pid;
	struct file_ids *files;
	struct mm_state *mm;
	int cap;
	uint64_t next_shmid;
};

static const struct {
	uint32_t vmf;
	int madv;
} madv_flags[] = {
	{ VMF_RR, MADV_RANDOM },	{ VMF_SR, MADV_SEQUENTIAL },
	{ VMF_DC, MADV_DONTFORK },	{ VMF_MG, MADV_MERGEABLE },
	{ VMF_HG, MADV_HUGEPAGE },	{ VMF_NH, MADV_NOHUGEPAGE },
	{ VMF_DD, MADV_DONTDUMP },	{ VMF_WF, MADV_WIPEONFORK },
};

uint64_t mem_vmflags_to_madv(uint32_t vmflags)
{
	uint64_t m = 0;

	for (size_t i = 0; i < ARRAY_SIZE(madv_flags); i++)
		if (vmflags & madv_flags[i].vmf)
			m |= 1ULL << madv_flags[i].madv;
	return m;
}

/* VmFlags that name a state restore would silently lose. */
static int check_vmflags(const struct proc_vma *pv, pid_t pid)
{
	static const struct {
		uint32_t vmf;
		const char *what;
	} bad[] = {
		{ VMF_UM | VMF_UW, "is registered with userfaultfd" },
		{ VMF_SS, "is a shadow stack" },
		{ VMF_SL, "is sealed (mseal)" },
		{ VMF_IO | VMF_PF, "maps device memory" },
	};

	if (!pv->has_vmflags) {
		pr_err("task %d: no VmFlags for area %lx-%lx\n", pid, pv->start, pv->end);
		return -1;
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		if (pv->vmflags & bad[i].vmf) {
			pr_err("task %d: area %lx-%lx (%s) %s: not supported\n", pid, pv->start,
			       pv->end, pv->path[0] ? pv->path : "anonymous", bad[i].what);
			return -1;
		}
	return 0;
}

static struct vma *new_vma(struct collect *c)
{
	struct mm_state *mm = c->mm;

	if (mm->nr_vmas == c->cap) {
		int ncap = c->cap ? c->cap * 2 : 64;
		struct vma *n;

		if (ncap > MM_MAX_VMAS || !(n = realloc(mm->vmas, ncap * sizeof(*n)))) {
			pr_err("task %d: too many memory areas\n", c->pid);
			return NULL;
		}
		mm->vmas = n;
		c->cap = ncap;
	}
	struct vma *v = &mm->vmas[mm->nr_vmas++];

	memset(v, 0, sizeof(*v));
	v->file_id = -1;
	return v;
}

static int classify_special(const struct proc_vma *pv, struct vma *v)
{
	static const struct {
		const char *name;
		uint32_t status;
	} special[] = {
		{ "[vdso]", VMA_AREA_VDSO },
		{ "[vvar]", VMA_AREA_VVAR },
		{ "[vvar_vclock]", VMA_AREA_VVAR_VCLOCK },
		{ "[vsyscall]", VMA_AREA_VSYSCALL },
	};

	for (size_t i = 0; i < ARRAY_SIZE(special); i++)
		if (!strcmp(pv->path, special[i].name)) {
			v->status = VMA_AREA_REGULAR | special[i].status;
			v->flags = MAP_PRIVATE | MAP_ANONYMOUS;
			return 1;
		}
	return 0;
}

static int classify_anon(struct collect *c, const struct proc_vma *pv, struct vma *v)
{
	bool shared = pv->perms[3] == 's';

	if (!strcmp(pv->path, "[heap]"))
		v->status |= VMA_AREA_HEAP;
	else if (!strcmp(pv->path, "[stack]"))
		v->status |= VMA_AREA_STACK;
	else if (!strncmp(pv->path, "[anon:", 6) && !shared) {
		size_t n = strlen(pv->path);

		v->anon_name = strndup(pv->path + 6, n > 7 ? n - 7 : 0);
		if (!v->anon_name)
			return -1;
	} else if (pv->path[0] && !(shared && pv->deleted && !strcmp(pv->path, "/dev/zero"))) {
		return 0;	/* not anonymous */
	}
	v->flags |= MAP_ANONYMOUS | (shared ? MAP_SHARED : MAP_PRIVATE);
	v->status |= shared ? VMA_ANON_SHARED : VMA_ANON_PRIVATE;
	if (shared)
		v->shmid = pv->ino ? pv->ino : ++c->next_shmid;
	return 1;
}

static int classify_file(struct collect *c, const struct proc_vma *pv, struct vma *v)
{
	bool shared = pv->perms[3] == 's';
	uint32_t id;

	if (pv->path[0] != '/') {
		pr_err("task %d: area %lx-%lx maps '%s': not supported\n", c->pid, pv->start,
		       pv->end, pv->path);
		return -1;
	}
	/* a shared writable mapping needs the file open for writing */
	v->fdflags = shared && (pv->vmflags & VMF_MW) ? O_RDWR : O_RDONLY;
	if (pv->deleted && !strncmp(pv->path, "/memfd:", 7)) {
		if (files_add_mapped_memfd(c->files, c->pid, pv->start, pv->end, pv->ino,
					   v->fdflags, &id))
			return -1;
		v->status |= VMA_AREA_MEMFD;
		goto mapped;
	}
	if (pv->deleted) {
		pr_err("task %d: area %lx-%lx maps the deleted file '%s': not supported yet\n",
		       c->pid, pv->start, pv->end, pv->path);
		return -1;
	}
	if (!strncmp(pv->path, "/SYSV", 5) || !strncmp(pv->path, "/memfd:", 7)) {
		pr_err("task %d: area %lx-%lx is %s memory: not supported yet\n", c->pid,
		       pv->start, pv->end, pv->path[1] == 'S' ? "System V shared" : "memfd");
		return -1;
	}
	if (files_add_mapped(c->files, pv->path, pv->dev_major, pv->dev_minor, pv->ino,
			     v->fdflags, &id))
		return -1;
mapped:
	v->file_id = id;
	v->flags |= shared ? MAP_SHARED : MAP_PRIVATE;
	v->status |= shared ? VMA_FILE_SHARED : VMA_FILE_PRIVATE;
	return 0;
}

static int collect_vma(const struct proc_vma *pv, void *arg)
{
	struct collect *c = arg;
	struct vma *v;
	int r;

	if (!(v = new_vma(c)))
		return -1;
	v->start = pv->start;
	v->end = pv->end;
	v->pgoff = pv->pgoff;
	v->prot = (pv->perms[0] == 'r' ? PROT_READ : 0) | (pv->perms[1] == 'w' ? PROT_WRITE : 0) |
		  (pv->perms[2] == 'x' ? PROT_EXEC : 0);
	v->vmflags = pv->vmflags;
	snprintf(v->vmflags_str, sizeof(v->vmflags_str), "%s", pv->vmflags_str);
	v->madv = mem_vmflags_to_madv(pv->vmflags);
	if (classify_special(pv, v))
		return 0;
	if (check_vmflags(pv, c->pid))
		return -1;
	v->status = VMA_AREA_REGULAR;
	if (pv->vmflags & VMF_GD)
		v->flags |= MAP_GROWSDOWN;
	if (pv->vmflags & VMF_NR)
		v->flags |= MAP_NORESERVE;
	r = classify_anon(c, pv, v);
	if (r < 0)
		return -1;
	return r ? 0 : classify_file(c, pv, v);
}

int mem_collect_vmas(pid_t pid, struct file_ids *files, struct mm_state *mm)
{
	struct collect c = { pid, files, mm, 0, 0 };

	mm->nr_vmas = 0;
	mm->vmas = NULL;
	return proc_for_each_vma(pid, true, collect_vma, &c);
}
