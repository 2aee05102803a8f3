// SPDX-License-Identifier: GPL-2.0
/*
 * test-infect's helpers: the victim's life cycle and command pipes, ptrace
 * steps that bring it into a given kind of stop, /proc lookups and TAP.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <compel/infect.h>
#include "spy.h"

static int nr_test, failed;

void tap(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", ok ? "" : "not ", ++nr_test);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!ok)
		failed = 1;
}

int tap_done(void)
{
	printf("# %d tests, %s\n", nr_test, failed ? "FAILED" : "all passed");
	return failed;
}

static const char *watched;
static int watched_seen;

void spy_log_watch(const char *needle)
{
	watched = needle;
	watched_seen = 0;
}

int spy_log_seen(void)
{
	return watched_seen;
}

static void log_cb(int level, const char *fmt, va_list args)
{
	static int verbose = -1;
	char msg[512];
	va_list copy;

	va_copy(copy, args);
	vsnprintf(msg, sizeof(msg), fmt, copy);
	va_end(copy);
	if (watched && strstr(msg, watched))
		watched_seen++;
	if (verbose < 0)
		verbose = getenv("COMPEL_TEST_VERBOSE") != NULL;
	if (level > COMPEL_LOG_WARN && !verbose)
		return;
	fflush(stdout);
	fprintf(stderr, "# ");
	vfprintf(stderr, fmt, args);
}

void spy_log_init(void)
{
	compel_log_init(log_cb);
}

long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

int victim_start(const char *exe, const char *mode, struct victim *v)
{
	int cmd[2], reply[2];
	char a1[16], a2[16];
	long ticks;

	if (pipe(cmd) || pipe(reply))
		return -1;
	v->pid = fork();
	if (v->pid < 0)
		return -1;
	if (v->pid == 0) {
		close(cmd[1]);
		close(reply[0]);
		snprintf(a1, sizeof(a1), "%d", cmd[0]);
		snprintf(a2, sizeof(a2), "%d", reply[1]);
		execl(exe, exe, mode, a1, a2, (char *)NULL);
		_exit(127);
	}
	close(cmd[0]);
	close(reply[1]);
	v->cmd = cmd[1];
	v->reply = reply[0];
	return victim_ping(v, &ticks);
}

int victim_reply(struct victim *v, long *ticks)
{
	struct pollfd p = { .fd = v->reply, .events = POLLIN };

	if (poll(&p, 1, 5000) != 1 || read(v->reply, ticks, sizeof(*ticks)) != sizeof(*ticks)) {
		fprintf(stderr, "# victim %d does not answer\n", v->pid);
		return -1;
	}
	return 0;
}

int victim_ping(struct victim *v, long *ticks)
{
	if (write(v->cmd, "p", 1) != 1)
		return -1;
	return victim_reply(v, ticks);
}

/* Returns the victim's exit status, -1 if it did not exit normally. */
int victim_quit(struct victim *v)
{
	int status;

	if (write(v->cmd, "q", 1) != 1)
		kill(v->pid, SIGKILL);
	close(v->cmd);
	close(v->reply);
	if (waitpid(v->pid, &status, 0) != v->pid)
		return -1;
	if (!WIFEXITED(status)) {
		fprintf(stderr, "# victim %d: status %#x\n", v->pid, status);
		return -1;
	}
	return WEXITSTATUS(status);
}

int wait_stopped(pid_t pid, int *status)
{
	if (waitpid(pid, status, __WALL) != pid || !WIFSTOPPED(*status)) {
		fprintf(stderr, "# %d: not stopped (status %#x)\n", pid, *status);
		return -1;
	}
	return 0;
}

int get_regs(pid_t pid, compel_regs_t *regs)
{
	struct iovec iov = { regs, sizeof(*regs) };

	return ptrace(PTRACE_GETREGSET, pid, NT_PRSTATUS, &iov) ? -1 : 0;
}

uint64_t get_sigmask(pid_t pid)
{
	uint64_t mask = 0;

	ptrace(PTRACE_GETSIGMASK, pid, sizeof(mask), &mask);
	return mask;
}

static int seize_once(pid_t pid, unsigned long options)
{
	int status;

	if (ptrace(PTRACE_SEIZE, pid, 0, options) || ptrace(PTRACE_INTERRUPT, pid, 0, 0))
		return -1;
	while (!wait_stopped(pid, &status)) {
		if ((status >> 16) == PTRACE_EVENT_STOP)
			return 0;
		/* A signal raced with the interrupt: let it through. */
		if (ptrace(PTRACE_CONT, pid, 0, WSTOPSIG(status)))
			break;
	}
	return -1;
}

int seize_in_syscall(struct victim *v, unsigned long options, long nr, long nr2)
{
	compel_regs_t regs;
	int i;

	for (i = 0; i < 100; i++) {
		if (seize_once(v->pid, options) || get_regs(v->pid, &regs))
			return -1;
		if (compel_arch_syscall_nr(&regs) == nr || compel_arch_syscall_nr(&regs) == nr2)
			return 0;
		/* Caught elsewhere (the signal handler, the loop): try again. */
		if (ptrace(PTRACE_DETACH, v->pid, 0, 0))
			return -1;
		usleep(3000);
	}
	return -1;
}

static int at_syscall(pid_t pid, int exit_stop, long nr)
{
	struct __ptrace_syscall_info info;
	compel_regs_t regs;

	if (ptrace(PTRACE_GET_SYSCALL_INFO, pid, sizeof(info), &info) < 0 ||
	    get_regs(pid, &regs))
		return -1;
	if (info.op != (exit_stop ? PTRACE_SYSCALL_INFO_EXIT : PTRACE_SYSCALL_INFO_ENTRY))
		return 0;
	return compel_arch_syscall_nr(&regs) == nr;
}

int advance_to(pid_t pid, int exit_stop, long nr)
{
	int i, status, sig = 0, ret;

	for (i = 0; i < 1000; i++) {
		if (ptrace(PTRACE_SYSCALL, pid, 0, sig) || wait_stopped(pid, &status))
			return -1;
		sig = 0;
		if (WSTOPSIG(status) == (SIGTRAP | 0x80)) {
			ret = at_syscall(pid, exit_stop, nr);
			if (ret)
				return ret < 0 ? -1 : 0;
		} else if (!(status >> 16)) {
			sig = WSTOPSIG(status);
		}
	}
	return -1;
}

static int status_mask(pid_t pid, const char *key, uint64_t *mask)
{
	char path[64], line[256];
	int found = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (!found && fgets(line, sizeof(line), f))
		found = !strncmp(line, key, strlen(key)) &&
			sscanf(line + strlen(key), "%lx", mask) == 1;
	fclose(f);
	return found ? 0 : -1;
}

/* Pending for the thread or for the whole process. */
int sig_pending(pid_t pid, int sig)
{
	uint64_t own = 0, shared = 0;

	if (status_mask(pid, "SigPnd:", &own) || status_mask(pid, "ShdPnd:", &shared))
		return 0;
	return !!((own | shared) & (1ULL << (sig - 1)));
}

char proc_state(pid_t pid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return '?';
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return '?';
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] && p[2] ? p[2] : '?';
}

int vma_range(pid_t pid, const char *name, unsigned long *start, unsigned long *end)
{
	char path[64], line[512];
	int found = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, name) && sscanf(line, "%lx-%lx", start, end) == 2;
	fclose(f);
	return found ? 0 : -1;
}

int read_mem(pid_t pid, unsigned long addr, void *buf, size_t len)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = pread(fd, buf, len, addr);
	close(fd);
	return n == (ssize_t)len ? 0 : -1;
}
