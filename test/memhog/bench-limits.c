// SPDX-License-Identifier: GPL-2.0
/*
 * bench-limits: what this machine allows, measured for `make bench`.
 *   bench-limits populate FILE MIB J - GB/s of filling fresh anonymous memory
 *                                      from FILE (in the page cache) with read(),
 *                                      by J processes at once, each MIB:
 *                                      4k faults, MADV_POPULATE_WRITE first, THP
 *   bench-limits pid METHOD COUNT    - microseconds per exact-pid task with
 *                                      set_tid, ns_last_pid, or the fork rate
 *                                      ("spin": pids per second burnt by vfork)
 * Output is one "key value" per line.
 */
#include <fcntl.h>
#include <linux/sched.h>
#include <linux/userfaultfd.h>
#include <sys/ioctl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

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
#define STAGE (64UL << 20)

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

static double fill(int fd, size_t len, int how)
{
	char *m = mmap(NULL, len + (2 << 20), PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	double t0, t;

	if (m == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	m = (char *)(((uintptr_t)m + (2 << 20) - 1) & ~(uintptr_t)((2 << 20) - 1));
	t0 = now();
	if (how == 3) {
		if (fill_moved(fd, m, len))
			return 0;
		t = now() - t0;
		munmap(m, len);
		return len / t / 1e9;
	}
	if (how == 2 && madvise(m, len, MADV_HUGEPAGE))
		perror("madvise(MADV_HUGEPAGE)");
	if (how >= 1 && madvise(m, len, MADV_POPULATE_WRITE))
		perror("madvise(MADV_POPULATE_WRITE)");
	for (size_t off = 0; off < len;) {
		ssize_t n = pread(fd, m + off, len - off > (1 << 30) ? (1 << 30) : len - off, off);

		if (n <= 0) {
			perror("pread");
			exit(1);
		}
		off += n;
	}
	t = now() - t0;
	munmap(m, len);
	return len / t / 1e9;
}

/* J processes fill at once; the aggregate rate is total bytes / slowest. */
static double fill_parallel(int fd, size_t len, int how, int jobs)
{
	int pipes[2];
	double t0 = now(), worst = 0;

	if (pipe(pipes))
		return 0;
	for (int j = 0; j < jobs; j++)
		if (fork() == 0) {
			double rate = fill(fd, len, how);

			if (write(pipes[1], &rate, sizeof(rate)) != sizeof(rate))
				_exit(1);
			_exit(0);
		}
	for (int j = 0; j < jobs; j++) {
		double rate;

		if (read(pipes[0], &rate, sizeof(rate)) == sizeof(rate) && len / rate / 1e9 > worst)
			worst = len / rate / 1e9;
		wait(NULL);
	}
	(void)t0;
	close(pipes[0]);
	close(pipes[1]);
	return worst > 0 ? (double)len * jobs / worst / 1e9 : 0;
}

static int populate(const char *file, size_t mib, int jobs)
{
	size_t len = mib << 20;
	int fd = open(file, O_RDONLY);
	char *buf = malloc(1 << 20);

	if (fd < 0 || !buf) {
		perror(file);
		return 1;
	}
	/* bring the file into the page cache first */
	for (size_t off = 0; off < len; off += 1 << 20)
		if (pread(fd, buf, 1 << 20, off) <= 0)
			break;
	printf("faults_4k_gbps %.3f\n", fill_parallel(fd, len, 0, jobs));
	printf("prefault_gbps %.3f\n", fill_parallel(fd, len, 1, jobs));
	printf("thp_gbps %.3f\n", fill_parallel(fd, len, 2, jobs));
	printf("thp_move_gbps %.3f\n", fill_parallel(fd, len, 3, jobs));
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

static int pid_cost(const char *method, int count)
{
	int last = open("/proc/sys/kernel/ns_last_pid", O_RDWR);
	double t0 = now(), t;
	pid_t base = getpid() + 1000;

	/* start where a run of pids is free */
	for (int i = 0; i < count; i++)
		if (kill(base + i, 0) == 0) {
			base += i + 1;
			i = -1;
		}

	for (int i = 0; i < count; i++) {
		pid_t want = base + i, pid;

		if (!strcmp(method, "spin")) {
			pid = vfork();
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
		if (pid == 0)
			_exit(0);
		if (pid < 0) {
			perror(method);
			return 1;
		}
		waitpid(pid, NULL, 0);
	}
	t = now() - t0;
	if (!strcmp(method, "spin"))
		printf("fork_rate %.0f\n", count / t);
	else
		printf("%s_us %.1f\n", method, t / count * 1e6);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "populate"))
		return populate(argv[2], strtoul(argv[3], NULL, 0), atoi(argv[4]));
	if (argc == 4 && !strcmp(argv[1], "pid"))
		return pid_cost(argv[2], atoi(argv[3]));
	fprintf(stderr, "usage: bench-limits populate FILE MIB J | pid METHOD COUNT\n");
	return 2;
}
