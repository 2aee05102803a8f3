// SPDX-License-Identifier: GPL-2.0
/*
 * Memory-side probes: PR_SET_MM_MAP with our own values, the vDSO layout,
 * the THP mode, MADV_POPULATE_WRITE, userfaultfd (and UFFDIO_MOVE) and
 * soft-dirty tracking. Each touches only memory it maps for the purpose.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/prctl.h>
#include <linux/userfaultfd.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define LOG_PREFIX "kdat: "
#include "common/page.h"
#include "kdat-priv.h"
#include "log.h"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif
#ifndef UFFD_USER_MODE_ONLY
#define UFFD_USER_MODE_ONLY 1
#endif
#ifndef USERFAULTFD_IOC_NEW
#define USERFAULTFD_IOC_NEW _IO(0xAA, 0x00)
#endif
#ifndef UFFD_FEATURE_MOVE
#define UFFD_FEATURE_MOVE (1ULL << 16)	/* UFFDIO_MOVE, Linux 6.8 */
#endif

#define PM_SOFT_DIRTY	(1ULL << 55)
#define PM_PRESENT	(1ULL << 63)

static struct kdat_result ok(void)
{
	return (struct kdat_result){ PROBE_OK, 0 };
}

/*
 * Set our own mm fields to the values they have: this proves PR_SET_MM_MAP
 * works with our privileges. exe_fd -1 leaves the exe link alone (changing
 * it would need CAP_CHECKPOINT_RESTORE); auxv_size 0 leaves auxv alone.
 */
void kdat_probe_mm_map(struct kdat *k)
{
	struct kdat_mm_fields f;
	struct prctl_mm_map map = {};
	unsigned int size = 0;
	char buf[2048];

	if (prctl(PR_SET_MM, PR_SET_MM_MAP_SIZE, (unsigned long)&size, 0, 0)) {
		k->mm_map = kdat_result_of(errno, k->seccomp_mode);
		return;
	}
	k->mm_map_size = size;
	if (size != sizeof(map)) {
		pr_debug("PR_SET_MM_MAP_SIZE is %u, we know %zu\n", size, sizeof(map));
		k->mm_map = (struct kdat_result){ PROBE_UNSUPPORTED, 0 };
		return;
	}
	if (kdat_read_text("/proc/self/stat", buf, sizeof(buf)) < 0 ||
	    kdat_parse_stat_mm(buf, &f)) {
		pr_warn("can't read our own mm fields from /proc/self/stat\n");
		k->mm_map = (struct kdat_result){ PROBE_FAILED, errno };
		return;
	}
	map = (struct prctl_mm_map){
		.start_code = f.start_code, .end_code = f.end_code,
		.start_data = f.start_data, .end_data = f.end_data,
		.start_brk = f.start_brk, .brk = (uint64_t)syscall(SYS_brk, 0),
		.start_stack = f.start_stack,
		.arg_start = f.arg_start, .arg_end = f.arg_end,
		.env_start = f.env_start, .env_end = f.env_end,
		.exe_fd = (uint32_t)-1,
	};
	if (prctl(PR_SET_MM, PR_SET_MM_MAP, (unsigned long)&map, sizeof(map), 0))
		k->mm_map = kdat_result_of(errno, k->seccomp_mode);
	else
		k->mm_map = ok();
}

void kdat_probe_vdso(struct kdat *k)
{
	size_t cap = 0;
	char *line = NULL;
	FILE *f;

	f = fopen("/proc/self/maps", "re");
	if (!f) {
		k->vdso_maps = kdat_result_of(errno, k->seccomp_mode);
		pr_perror("can't open /proc/self/maps");
		return;
	}
	k->vdso_maps = ok();
	while (getline(&line, &cap, f) > 0) {
		if (kdat_parse_maps_line(line, &k->vdso) < 0) {
			pr_err("unexpected line in /proc/self/maps: %s", line);
			k->vdso_maps = (struct kdat_result){ PROBE_FAILED, 0 };
			break;
		}
	}
	free(line);
	fclose(f);
}

void kdat_probe_thp(struct kdat *k)
{
	char buf[128];

	/* ENOENT: a kernel built without THP */
	if (kdat_read_text("/sys/kernel/mm/transparent_hugepage/enabled", buf, sizeof(buf)) < 0)
		return;
	k->thp = kdat_parse_thp(buf);
}

void kdat_probe_madv_populate(struct kdat *k)
{
	void *p = mmap(NULL, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);

	if (p == MAP_FAILED) {
		pr_perror("can't map a page for the madvise probe");
		k->madv_populate_write = (struct kdat_result){ PROBE_FAILED, errno };
		return;
	}
	if (madvise(p, PAGE_SIZE, MADV_POPULATE_WRITE))
		k->madv_populate_write = kdat_result_of(errno, k->seccomp_mode);	/* EINVAL: < 5.14 */
	else
		k->madv_populate_write = ok();
	munmap(p, PAGE_SIZE);
}

/*
 * User-mode-only first: it is allowed to everyone. Without it (a kernel
 * before 5.11 says EINVAL) unprivileged users depend on a sysctl, and
 * /dev/userfaultfd (6.1+) on the node's permissions.
 */
static int uffd_open(struct kdat *k)
{
	int fd, dev, err;

	fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK | UFFD_USER_MODE_ONLY);
	if (fd >= 0) {
		k->has_uffd_user_mode_only = true;
		return fd;
	}
	err = errno;
	if (err == EINVAL)
		fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (fd >= 0)
		return fd;
	dev = open("/dev/userfaultfd", O_RDWR | O_CLOEXEC);
	if (dev >= 0) {
		fd = ioctl(dev, USERFAULTFD_IOC_NEW, O_CLOEXEC | O_NONBLOCK);
		close(dev);
		if (fd >= 0)
			return fd;
	}
	errno = err;
	return -1;
}

void kdat_probe_uffd(struct kdat *k)
{
	struct uffdio_api api = { .api = UFFD_API };
	int fd = uffd_open(k);

	if (fd < 0) {
		k->uffd = kdat_result_of(errno, k->seccomp_mode);
		return;
	}
	/* With no features asked for, the kernel answers with all it has. */
	if (ioctl(fd, UFFDIO_API, &api)) {
		k->uffd = kdat_result_of(errno, k->seccomp_mode);
		close(fd);
		return;
	}
	close(fd);
	k->uffd = ok();
	k->uffd_features = api.features;
	k->has_uffd_move = api.features & UFFD_FEATURE_MOVE;
	pr_debug("userfaultfd features %#llx%s\n", (unsigned long long)api.features,
		 k->has_uffd_user_mode_only ? " (user-mode faults only)" : "");
}

/* Bit 55 of a page written after clearing the bits ("4" to clear_refs). */
static int soft_dirty_bit(volatile char *p, uint64_t *entry)
{
	off_t off = (off_t)((uintptr_t)p / PAGE_SIZE * sizeof(*entry));
	ssize_t n;
	int fd, err;

	p[0] = 1;
	fd = open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (write(fd, "4", 1) != 1) {
		close(fd);
		return -1;
	}
	close(fd);
	p[0] = 2;
	fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = pread(fd, entry, sizeof(*entry), off);
	err = n < 0 ? errno : EIO;
	close(fd);
	if (n != sizeof(*entry)) {
		errno = err;
		return -1;
	}
	return 0;
}

/* Without CONFIG_MEM_SOFT_DIRTY clear_refs accepts "4" and the bit stays 0. */
void kdat_probe_soft_dirty(struct kdat *k)
{
	uint64_t entry = 0;
	char *p = mmap(NULL, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);

	if (p == MAP_FAILED) {
		pr_perror("can't map a page for the soft-dirty probe");
		k->soft_dirty = (struct kdat_result){ PROBE_FAILED, errno };
		return;
	}
	if (soft_dirty_bit(p, &entry))
		k->soft_dirty = kdat_result_of(errno, k->seccomp_mode);
	else if (!(entry & PM_PRESENT))
		k->soft_dirty = (struct kdat_result){ PROBE_FAILED, 0 };
	else if (entry & PM_SOFT_DIRTY)
		k->soft_dirty = ok();
	else
		k->soft_dirty = (struct kdat_result){ PROBE_UNSUPPORTED, 0 };
	munmap(p, PAGE_SIZE);
}
