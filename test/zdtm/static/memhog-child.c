// SPDX-License-Identifier: GPL-2.0
/*
 * memhog-child: one child of the memhog test's shell (not a test itself,
 * so it has no .desc). Fills MIB MiB with a pattern seeded by its index,
 * reports "INDEX PID" on READY_FD once full and closes it, then every
 * ~100 ms re-checks a few pages and appends a line to its stdout. On
 * SIGTERM it checks all of its memory, its pid, its parent and its
 * stdout offset, and exits 0, or 1 with FAIL lines on stderr.
 *
 *   memhog-child INDEX MIB PPID READY_FD
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "zdtmtst.h"

#define TICK_MS		100
#define PAGES_PER_TICK	4

static volatile sig_atomic_t stop;
static int idx, bad;
static pid_t my_pid;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

/* FAIL lines go to stderr: the shell's, i.e. the test's outfile. */
static void report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void report(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	n = snprintf(buf, sizeof(buf), "FAIL: memhog-child %d (pid %d): ", idx, my_pid);
	va_start(ap, fmt);
	n += vsnprintf(buf + n, sizeof(buf) - n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	if (write(STDERR_FILENO, buf, n) < 0)
		_exit(1);
	bad = 1;
}

/* Every page has a seed of its own, so any page can be checked alone. */
static uint64_t page_seed(unsigned long page)
{
	return ((uint64_t)(idx + 1) << 32) ^ (page * 0x9e3779b1ULL);
}

static int check_page(const char *mem, unsigned long page)
{
	long off = pattern_check(mem + page * PAGE_SZ, PAGE_SZ, page_seed(page));

	if (off < 0)
		return 0;
	report("page %lu differs at byte %ld", page, off);
	return -1;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= n;
	}
	return 0;
}

/* Sleep one tick; SIGTERM cuts it short (the handler has no SA_RESTART). */
static void tick_sleep(void)
{
	struct timespec ts = { 0, TICK_MS * 1000000L };

	nanosleep(&ts, NULL);
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_term };
	unsigned long pages, tick = 0, failed_pages = 0;
	long long written = 0, pos;
	pid_t ppid;
	char line[96];
	char *mem;
	int fd, n;

	if (argc != 5) {
		fprintf(stderr, "usage: memhog-child INDEX MIB PPID READY_FD\n");
		return 2;
	}
	idx = atoi(argv[1]);
	pages = strtoul(argv[2], NULL, 10) << 20 >> 12;
	ppid = atoi(argv[3]);
	fd = atoi(argv[4]);
	my_pid = getpid();
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	if (getppid() != ppid)
		report("started with parent %d, the shell says %d", getppid(), ppid);
	mem = mmap(NULL, pages * PAGE_SZ, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		   -1, 0);
	if (!pages || mem == MAP_FAILED) {
		report("can't map %lu pages: %m", pages);
		return 1;
	}
	for (unsigned long p = 0; p < pages; p++)
		pattern_fill(mem + p * PAGE_SZ, PAGE_SZ, page_seed(p));

	/* Full: tell the shell, and hold nothing of the pipe any more. */
	n = snprintf(line, sizeof(line), "%d %d\n", idx, my_pid);
	if (write_all(fd, line, n))
		report("can't report readiness on fd %d: %m", fd);
	close(fd);

	while (!stop) {
		tick_sleep();
		for (int i = 0; i < PAGES_PER_TICK; i++)
			failed_pages -= check_page(mem, (tick * 7919 + i * 104729) % pages);
		n = snprintf(line, sizeof(line), "tick %lu pid %d bad pages %lu\n", tick++,
			     getpid(), failed_pages);
		if (write_all(STDOUT_FILENO, line, n))
			report("can't write to stdout: %m");
		written += n;
	}

	for (unsigned long p = 0; p < pages; p++)
		check_page(mem, p);
	if (getpid() != my_pid)
		report("getpid() says %d", getpid());
	if (getppid() != ppid)
		report("parent is %d, was %d", getppid(), ppid);
	/* The shell opened our stdout with '>': a lost offset overwrites lines. */
	pos = lseek(STDOUT_FILENO, 0, SEEK_CUR);
	if (pos >= 0 && pos != written)
		report("stdout offset is %lld after writing %lld bytes", pos, written);
	return bad;
}
