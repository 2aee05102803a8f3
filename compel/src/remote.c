// SPDX-License-Identifier: GPL-2.0
/*
 * The injected thread's memory: copies in and out (process_vm_readv/writev,
 * or /proc/PID/mem for areas the first can't reach), finding a mapping by
 * name in /proc/PID/maps, and scratch areas mapped by injected mmap().
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "common/page.h"
#include "internal.h"

static int open_mem(struct compel_ctl *ctl)
{
	char path[64];

	if (ctl->mem_fd >= 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/mem", ctl->tid);
	ctl->mem_fd = open(path, O_RDWR | O_CLOEXEC);
	if (ctl->mem_fd < 0) {
		int err = errno;

		pr_perror("can't open %s", path);
		return -err;
	}
	return 0;
}

void compel_close_mem(struct compel_ctl *ctl)
{
	if (ctl->mem_fd >= 0)
		close(ctl->mem_fd);
	ctl->mem_fd = -1;
}

/* /proc/PID/mem ignores page protections, as ptrace does. */
static int mem_rw(struct compel_ctl *ctl, void *buf, unsigned long remote, size_t len,
		  int write)
{
	size_t done = 0;
	int ret;

	ret = open_mem(ctl);
	if (ret)
		return ret;
	while (done < len) {
		ssize_t n;

		if (write)
			n = pwrite(ctl->mem_fd, (char *)buf + done, len - done, remote + done);
		else
			n = pread(ctl->mem_fd, (char *)buf + done, len - done, remote + done);
		if (n <= 0) {
			int err = n ? errno : EIO;

			pr_err("can't %s %zu bytes at %#lx in %d: %s", write ? "write" : "read",
			       len - done, remote + done, ctl->tid, strerror(err));
			return -err;
		}
		done += n;
	}
	return 0;
}

int compel_read_remote(struct compel_ctl *ctl, void *dst, unsigned long remote, size_t len)
{
	struct iovec l = { dst, len }, r = { (void *)remote, len };

	if (!len || process_vm_readv(ctl->tid, &l, 1, &r, 1, 0) == (ssize_t)len)
		return 0;
	return mem_rw(ctl, dst, remote, len, 0);
}

int compel_write_remote(struct compel_ctl *ctl, unsigned long remote, const void *src,
			size_t len)
{
	struct iovec l = { (void *)src, len }, r = { (void *)remote, len };

	if (!len || process_vm_writev(ctl->tid, &l, 1, &r, 1, 0) == (ssize_t)len)
		return 0;
	return mem_rw(ctl, (void *)src, remote, len, 1);
}

static int parse_maps_line(const char *line, const char *name, unsigned long *start,
			   unsigned long *end, char perms[5])
{
	int pos = -1;
	size_t len;

	if (sscanf(line, "%lx-%lx %4s %*s %*s %*s %n", start, end, perms, &pos) < 3 ||
	    pos < 0)
		return 0;
	len = strlen(line + pos);
	if (len && line[pos + len - 1] == '\n')
		len--;
	return len == strlen(name) && !strncmp(line + pos, name, len);
}

int compel_find_vma(pid_t tid, const char *name, unsigned long *start, unsigned long *end,
		    char perms[5])
{
	char path[64], *line = NULL;
	size_t cap = 0;
	int found = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", tid);
	f = fopen(path, "re");
	if (!f) {
		int err = errno;

		pr_perror("can't open %s", path);
		return -err;
	}
	while (!found && getline(&line, &cap, f) > 0)
		found = parse_maps_line(line, name, start, end, perms);
	free(line);
	fclose(f);
	return found ? 0 : -ENOENT;
}

int compel_map_scratch(struct compel_ctl *ctl, size_t size, unsigned long *remote)
{
	return compel_map_scratch_prot(ctl, size, PROT_READ | PROT_WRITE, 0, remote);
}

/* quiet: a refused mmap is not logged, the caller has a fallback. */
int compel_map_scratch_prot(struct compel_ctl *ctl, size_t size, int prot, int quiet,
			    unsigned long *remote)
{
	struct compel_scratch *s;
	long addr;
	int ret;

	size = PAGE_ALIGN(size);
	ret = compel_syscall(ctl, __NR_mmap, &addr, 0, size, prot, MAP_PRIVATE | MAP_ANONYMOUS,
			     -1UL, 0);
	if (ret)
		return ret;
	if (addr < 0 && addr > -4096) {
		if (!quiet)
			pr_err("%d: mmap of %zu bytes failed: %s", ctl->tid, size,
			       strerror(-addr));
		return addr;
	}
	s = malloc(sizeof(*s));
	if (!s) {
		long r;

		pr_err("out of memory");
		compel_syscall(ctl, __NR_munmap, &r, addr, size, 0, 0, 0, 0);
		return -ENOMEM;
	}
	s->addr = addr;
	s->size = size;
	s->next = ctl->scratch;
	ctl->scratch = s;
	*remote = addr;
	return 0;
}

int compel_unmap_scratch(struct compel_ctl *ctl)
{
	int ret = 0;

	while (ctl->scratch) {
		struct compel_scratch *s = ctl->scratch;
		long r;

		if (!ctl->dead && !ret) {
			ret = compel_syscall(ctl, __NR_munmap, &r, s->addr, s->size, 0, 0, 0, 0);
			if (!ret && r) {
				pr_err("%d: munmap of scratch at %#lx failed: %ld", ctl->tid,
				       s->addr, r);
				ret = (int)r;
			}
		}
		ctl->scratch = s->next;
		free(s);
	}
	return ret;
}
