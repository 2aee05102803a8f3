// SPDX-License-Identifier: GPL-2.0
/*
 * bench-limits: what this machine allows, measured for `make bench`.
 *   bench-limits populate FILE[,FILE...] MIB J [WHICH]
 *                                    - GB/s of filling fresh anonymous memory
 *                                      from FILE (in the page cache) with read(),
 *                                      by J processes at once, each MIB (process
 *                                      j reads the j-th file, round robin):
 *                                      4k faults, MADV_POPULATE_WRITE first, THP,
 *                                      THP moved in (WHICH: a comma list of
 *                                      faults_4k, prefault, thp, thp_move)
 *   bench-limits write FILE MIB      - GB/s of writing MIB MiB to a new file
 *                                      (the page cache), 512 KiB at a time
 *   bench-limits pid METHOD COUNT    - microseconds per exact-pid task with
 *                                      set_tid or ns_last_pid (COUNT children
 *                                      alive at once), or the fork rate
 *                                      ("spin": pids per second burnt by vfork)
 *   bench-limits warm MIB             - touch MIB MiB of fresh memory once and
 *                                      free it (so that a VM's host backs it);
 *                                      prints its GB/s
 * Output is one "key value" per line.
 */
#include <fcntl.h>
#include <linux/sched.h>
#include <linux/userfaultfd.h>
#include <sys/ioctl.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/burn-pid.h"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif
#ifndef UFFD_FEATURE_MOVE
#define UFFD_FEATURE_MOVE (1 << 16)
struct uffdio_move {
	uint64_t dst, src, len, mode;
	int64_t move;
};
#define UFFDIO_MOVE _IOWR(UFFDIO, 0x05, struct uffdio_move)
#endif
#define PMD_SIZE (2UL << 20)
/* as criu's: the per-call cost of moving is the kernel's (mem/thp-fill.c) */
#define STAGE (128UL << 20)

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Huge pages filled in a staging area and moved into a plain area with
 * UFFDIO_MOVE: the area's VmFlags stay as they were (no "hg").
 */
static int fill_moved(int fd, char *m, size_t len)
{
	char *stage = mmap(NULL, STAGE + PMD_SIZE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct uffdio_api api = { .api = UFFD_API, .features = UFFD_FEATURE_MOVE };
	struct uffdio_register reg = { .range = { (uintptr_t)m, len },
				       .mode = UFFDIO_REGISTER_MODE_MISSING };
	int uffd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);

	stage = (char *)(((uintptr_t)stage + PMD_SIZE - 1) & ~(PMD_SIZE - 1));
	if (uffd < 0 || ioctl(uffd, UFFDIO_API, &api) || ioctl(uffd, UFFDIO_REGISTER, &reg) ||
	    madvise(stage, STAGE, MADV_HUGEPAGE))
		return -1;
	for (size_t off = 0; off < len; off += STAGE) {
		size_t n = len - off < STAGE ? len - off : STAGE;
		struct uffdio_move mv = { (uintptr_t)m + off, (uintptr_t)stage, n, 0, 0 };

		if (madvise(stage, n, MADV_POPULATE_WRITE) || pread(fd, stage, n, off) != (ssize_t)n ||
		    ioctl(uffd, UFFDIO_MOVE, &mv))
			return -1;
	}
	ioctl(uffd, UFFDIO_UNREGISTER, &reg.range);
	close(uffd);
	return 0;
}

/* Map len bytes, 2 MiB aligned; the caller fills them. */
static char *map_area(size_t len)
{
	char *m = mmap(NULL, len + (2 << 20), PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (m == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	return (char *)(((uintptr_t)m + (2 << 20) - 1) & ~(uintptr_t)((2 << 20) - 1));
}

static int fill(int fd, char *m, size_t len, int how)
{
	if (how == 3)
		return fill_moved(fd, m, len);
	if (how == 2 && madvise(m, len, MADV_HUGEPAGE))
		perror("madvise(MADV_HUGEPAGE)");
	if (how >= 1 && madvise(m, len, MADV_POPULATE_WRITE))
		perror("madvise(MADV_POPULATE_WRITE)");
	for (size_t off = 0; off < len;) {
		ssize_t n = pread(fd, m + off, len - off > (1 << 30) ? (1 << 30) : len - off, off);

		if (n <= 0) {
			perror("pread");
			return -1;
		}
		off += n;
	}
	return 0;
}

/*
 * J processes fill at once: each maps its area, then all start together,
 * and the rate is the total over the wall time until the last one is done
 * (per-process times would miss that they take turns on the CPUs).
 */
static double fill_parallel(const int *fds, int nfd, size_t len, int how, int jobs)
{
	int ready[2], go[2], done[2], failed = 0;
	double t0, t;
	char c;

	if (pipe(ready) || pipe(go) || pipe(done))
		return 0;
	for (int j = 0; j < jobs; j++)
		if (fork() == 0) {
			char *m = map_area(len);

			close(go[1]);
			if (write(ready[1], "r", 1) != 1 || read(go[0], &c, 1) < 0)
				_exit(1);
			c = fill(fds[j % nfd], m, len, how) ? 'f' : 'd';
			_exit(write(done[1], &c, 1) == 1 ? 0 : 1);
		}
	for (int j = 0; j < jobs; j++)
		if (read(ready[0], &c, 1) != 1)
			return 0;
	t0 = now();
	close(go[1]);
	for (int j = 0; j < jobs; j++)
		if (read(done[0], &c, 1) != 1 || c != 'd')
			failed = 1;
	t = now() - t0;
	for (int j = 0; j < jobs; j++)
		wait(NULL);
	close(ready[0]);
	close(ready[1]);
	close(go[0]);
	close(done[0]);
	close(done[1]);
	return failed ? 0 : (double)len * jobs / t / 1e9;
}

/*
 * The state of the source's page cache counts: a file read back from disk
 * (after reclaim) sits in smaller folios than one just written, and read
 * 30% slower here. make bench passes the very images the restore reads.
 */
static int populate(char *files, size_t mib, int jobs, const char *which)
{
	static const char *const names[] = { "faults_4k", "prefault", "thp", "thp_move" };
	size_t len = mib << 20;
	char *buf = malloc(1 << 20), *save = NULL;
	int fds[256], nfd = 0;

	if (!buf)
		return 1;
	for (char *f = strtok_r(files, ",", &save); f; f = strtok_r(NULL, ",", &save)) {
		if (nfd == 256 || (fds[nfd] = open(f, O_RDONLY)) < 0) {
			perror(f);
			return 1;
		}
		/* bring the file into the page cache first */
		for (size_t off = 0; off < len; off += 1 << 20)
			if (pread(fds[nfd], buf, 1 << 20, off) <= 0)
				break;
		nfd++;
	}
	if (!nfd)
		return 1;
	for (int how = 0; how < 4; how++) {
		char key[32];

		snprintf(key, sizeof(key), ",%s,", names[how]);
		if (which && !strstr(which, key))
			continue;
		printf("%s_gbps %.3f\n", names[how], fill_parallel(fds, nfd, len, how, jobs));
	}
	return 0;
}

static pid_t clone_tid(pid_t want)
{
	struct clone_args ca = { .exit_signal = SIGCHLD };

	if (want > 0) {
		ca.set_tid = (uint64_t)&want;
		ca.set_tid_size = 1;
	}
	return syscall(SYS_clone3, &ca, sizeof(ca));
}

/*
 * Microseconds per exact-pid task: the children stay alive until all are
 * made, as a restored tree does (a child that exits at once hands its
 * pages back, and the parent's next writes copy nothing). For spin: the
 * rate at which vfork burns pids.
 */
static int pid_cost(const char *method, int count)
{
	int last = open("/proc/sys/kernel/ns_last_pid", O_RDWR), hold[2];
	bool spin = !strcmp(method, "spin");
	pid_t base = getpid() + 1000, *pids = calloc(count, sizeof(pid_t));
	double t0, t;

	if (!pids || pipe(hold))
		return 1;
	/* start where a run of pids is free */
	for (int i = 0; i < count; i++)
		if (kill(base + i, 0) == 0) {
			base += i + 1;
			i = -1;
		}
	t0 = now();
	for (int i = 0; i < count; i++) {
		pid_t want = base + i, pid;
		char c;

		if (spin) {
			if (burn_pid() < 0) {
				perror("vfork");
				return 1;
			}
			continue;
		} else if (!strcmp(method, "set_tid")) {
			pid = clone_tid(want);
		} else {
			char b[16];
			int n = snprintf(b, sizeof(b), "%d", want - 1);

			if (last < 0 || pwrite(last, b, n, 0) != n) {
				perror("ns_last_pid");
				return 1;
			}
			pid = clone_tid(0);
		}
		if (pid == 0) {
			close(hold[1]);
			if (read(hold[0], &c, 1) < 0)
				_exit(1);
			_exit(0);
		}
		if (pid < 0) {
			perror(method);
			return 1;
		}
		pids[i] = pid;
	}
	t = now() - t0;
	close(hold[1]);
	if (!spin)
		for (int i = 0; i < count; i++)
			waitpid(pids[i], NULL, 0);
	if (spin)
		printf("fork_rate %.0f\n", count / t);
	else
		printf("%s_us %.1f\n", method, t / count * 1e6);
	free(pids);
	return 0;
}

/* GB/s of writing MIB MiB of non-zero data to a new file (the page cache). */
static int write_cost(const char *file, size_t mib)
{
	size_t chunk = 512 << 10;
	char *buf = malloc(chunk);
	int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	double t0, t;

	if (!buf || fd < 0) {
		perror(file);
		return 1;
	}
	memset(buf, 0x5a, chunk);
	t0 = now();
	for (size_t off = 0; off < mib << 20; off += chunk)
		if (pwrite(fd, buf, chunk, off) != (ssize_t)chunk) {
			perror("pwrite");
			return 1;
		}
	t = now() - t0;
	close(fd);
	unlink(file);
	printf("write_gbps %.3f\n", (double)(mib << 20) / t / 1e9);
	free(buf);
	return 0;
}

/*
 * Memory a VM's host has taken back costs the host's faults on first touch
 * (0.3 GB/s here against 6 GB/s once backed); touching it once before the
 * runs puts every run on the same footing.
 */
static int warm(size_t mib)
{
	size_t len = mib << 20;
	double t0 = now();
	char *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (m == MAP_FAILED || madvise(m, len, MADV_POPULATE_WRITE)) {
		perror("warm");
		return 1;
	}
	printf("warm_gbps %.3f\n", (double)len / (now() - t0) / 1e9);
	munmap(m, len);
	return 0;
}

int main(int argc, char **argv)
{
	char which[128];

	if ((argc == 5 || argc == 6) && !strcmp(argv[1], "populate")) {
		if (argc == 6)
			snprintf(which, sizeof(which), ",%s,", argv[5]);
		return populate(argv[2], strtoul(argv[3], NULL, 0), atoi(argv[4]),
				argc == 6 ? which : NULL);
	}
	if (argc == 4 && !strcmp(argv[1], "pid"))
		return pid_cost(argv[2], atoi(argv[3]));
	if (argc == 4 && !strcmp(argv[1], "write"))
		return write_cost(argv[2], strtoul(argv[3], NULL, 0));
	if (argc == 3 && !strcmp(argv[1], "warm"))
		return warm(strtoul(argv[2], NULL, 0));
	fprintf(stderr, "usage: bench-limits populate FILE[,FILE...] MIB J"
		" [faults_4k,prefault,thp,thp_move] | pid METHOD COUNT | write FILE MIB | warm MIB\n");
	return 2;
}
