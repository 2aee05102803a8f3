// SPDX-License-Identifier: GPL-2.0
/*
 * Start-up and verdict protocol shared by every zdtm test: the starter
 * process exits once the test is ready (or non-zero if set-up failed),
 * the test then waits for SIGTERM, verifies itself and reports PASS/FAIL.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "zdtmtst.h"

#define MAX_OPTS 8

volatile sig_atomic_t test_sigterm;

static char pidfile[PATH_MAX];
static int have_pidfile;
/*
 * Where verdict lines go: stdout, or stderr when the runner owns stdout
 * (--keep-stdout=1). A shell job (--job=1) keeps the terminal on 0-2 and
 * appends each line to the outfile, opened for that line only.
 */
static int out_fd = STDOUT_FILENO;
static const char *job_outfile;
static int nr_failures;
static struct {
	const char *name;
	const char *value;
} opts[MAX_OPTS];

static void out_write(const char *s, size_t len)
{
	int fd = out_fd;

	if (job_outfile)
		fd = open(job_outfile, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	while (fd >= 0 && len) {
		ssize_t n = write(fd, s, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		s += n;
		len -= n;
	}
	if (job_outfile && fd >= 0)
		close(fd);
}

/*
 * vsnprintf into a stack buffer and one write(): stdio would malloc a
 * buffer, which moves brk and would disturb the memory tests.
 */
static void out_vprintf(const char *prefix, const char *fmt, va_list ap)
{
	char buf[1024];
	int n = snprintf(buf, sizeof(buf), "%s", prefix);

	n += vsnprintf(buf + n, sizeof(buf) - n - 1, fmt, ap);
	if (n > (int)sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	if (n == 0 || buf[n - 1] != '\n')
		buf[n++] = '\n';
	out_write(buf, n);
}

void test_msg(const char *fmt, ...)
{
	char prefix[32];
	va_list ap;

	snprintf(prefix, sizeof(prefix), "[%d] ", getpid());
	va_start(ap, fmt);
	out_vprintf(prefix, fmt, ap);
	va_end(ap);
}

void fail(const char *fmt, ...)
{
	va_list ap;

	nr_failures++;
	va_start(ap, fmt);
	out_vprintf("FAIL: ", fmt, ap);
	va_end(ap);
}

void pass(void)
{
	out_write("PASS\n", 5);
}

int test_failures(void)
{
	return nr_failures;
}

int test_result(void)
{
	if (nr_failures)
		return 1;
	pass();
	return 0;
}

static void sigterm_handler(int sig)
{
	(void)sig;
	test_sigterm = 1;
}

int test_go(void)
{
	return !test_sigterm;
}

/*
 * sigsuspend with SIGTERM blocked outside it closes the race between
 * checking the flag and sleeping. The rest of the caller's mask is kept,
 * so signals a test keeps blocked stay pending.
 */
void test_waitsig(void)
{
	sigset_t old, wait_mask;

	sigemptyset(&wait_mask);
	sigaddset(&wait_mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &wait_mask, &old);
	wait_mask = old;
	sigdelset(&wait_mask, SIGTERM);
	while (!test_sigterm)
		sigsuspend(&wait_mask);
	sigprocmask(SIG_SETMASK, &old, NULL);
}

void test_sleep_ms(long ms)
{
	struct timespec end;

	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += ms / 1000;
	end.tv_nsec += (ms % 1000) * 1000000;
	if (end.tv_nsec >= 1000000000) {
		end.tv_sec++;
		end.tv_nsec -= 1000000000;
	}
	/* An absolute deadline makes an interrupted sleep simply resume. */
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &end, NULL))
		;
}

const char *test_opt(const char *name)
{
	for (int i = 0; i < MAX_OPTS && opts[i].name; i++)
		if (!strcmp(opts[i].name, name))
			return opts[i].value;
	return NULL;
}

const char *test_pidfile(void)
{
	return have_pidfile ? pidfile : NULL;
}

/* The pidfile is named before the test may chdir, so make it absolute. */
static void set_pidfile(const char *path)
{
	char cwd[PATH_MAX];
	int n;

	if (path[0] == '/' || !getcwd(cwd, sizeof(cwd)))
		n = snprintf(pidfile, sizeof(pidfile), "%s", path);
	else
		n = snprintf(pidfile, sizeof(pidfile), "%s/%s", cwd, path);
	if (n >= (int)sizeof(pidfile)) {
		fprintf(stderr, "zdtm: pidfile path too long\n");
		exit(2);
	}
	have_pidfile = 1;
}

static void parse_args(int argc, char **argv, const char **outfile)
{
	int nr = 0;

	for (int i = 1; i < argc; i++) {
		char *a = argv[i], *eq;

		if (!strncmp(a, "--pidfile=", 10)) {
			set_pidfile(a + 10);
		} else if (!strncmp(a, "--outfile=", 10)) {
			*outfile = a + 10;
		} else if (!strncmp(a, "--", 2) && (eq = strchr(a, '=')) && nr < MAX_OPTS) {
			*eq = '\0';
			opts[nr].name = a + 2;
			opts[nr++].value = eq + 1;
		} else {
			fprintf(stderr, "zdtm: unknown argument '%s'\n", a);
			exit(2);
		}
	}
}

/* The starter repeats the test's last FAIL line: the reason set-up failed. */
static void print_reason(const char *outfile)
{
	static char buf[64 * 1024];
	char *line = buf, *last = NULL, *nl;

	if (read_file(outfile, buf, sizeof(buf)) <= 0)
		return;
	for (; *line; line = nl + 1) {
		nl = strchr(line, '\n');
		if (!strncmp(line, "FAIL", 4))
			last = line;
		if (!nl)
			break;
		*nl = '\0';
	}
	if (last)
		fprintf(stderr, "zdtm: %s\n", last);
}

/*
 * The starter waits here for SIGUSR1 (ready) or SIGCHLD (set-up failed).
 * Both were blocked before fork so neither can be lost.
 */
static void starter_wait(pid_t child, const sigset_t *mask, const char *outfile)
{
	siginfo_t si;
	int status;

	for (;;) {
		if (sigwaitinfo(mask, &si) < 0)
			continue;
		if (si.si_signo == SIGUSR1 && si.si_pid == child)
			exit(0);
		if (si.si_signo == SIGCHLD && waitpid(child, &status, WNOHANG) == child)
			break;
	}
	print_reason(outfile);
	if (WIFEXITED(status))
		fprintf(stderr, "zdtm: test set-up failed (exit %d)\n", WEXITSTATUS(status));
	else
		fprintf(stderr, "zdtm: test set-up failed (signal %d)\n", WTERMSIG(status));
	exit(1);
}

/* fds 0-2 only: stdin on /dev/null, stdout and stderr on the outfile. */
static void redirect_output(int fd)
{
	int null = open("/dev/null", O_RDONLY);
	const char *keep = test_opt("keep-stdout");

	if (null >= 0 && null != STDIN_FILENO) {
		dup2(null, STDIN_FILENO);
		close(null);
	}
	if (keep && !strcmp(keep, "1"))
		out_fd = STDERR_FILENO;	/* stdout is the runner's */
	else
		dup2(fd, STDOUT_FILENO);
	dup2(fd, STDERR_FILENO);
	/* Whatever else the runner's environment leaked in is not ours. */
	close_range(STDERR_FILENO + 1, ~0U, 0);
}

void test_init(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = sigterm_handler };
	const char *outfile = NULL;
	sigset_t mask, old;
	pid_t pid;
	int fd;

	parse_args(argc, argv, &outfile);
	/* No SA_RESTART: sleeping tests must see EINTR from SIGTERM. */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	if (!outfile)
		return; /* run by hand: stay in the foreground */
	if (test_opt("job") && !strcmp(test_opt("job"), "1")) {
		/* a shell job: the shell's session, group and terminal stay */
		job_outfile = outfile;
		close_range(STDERR_FILENO + 1, ~0U, 0);
		return;
	}

	fd = open(outfile, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0) {
		fprintf(stderr, "zdtm: can't open outfile '%s': %m\n", outfile);
		exit(2);
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR1);
	sigaddset(&mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &mask, &old);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "zdtm: fork: %m\n");
		exit(2);
	}
	if (pid > 0)
		starter_wait(pid, &mask, outfile);

	sigprocmask(SIG_SETMASK, &old, NULL);
	/* Own session: the dumped tree then holds its session and group. */
	setsid();
	redirect_output(fd);
}

static int write_pidfile(void)
{
	char tmp[PATH_MAX + 8], buf[32];
	int fd, len;

	snprintf(tmp, sizeof(tmp), "%s.tmp", pidfile);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	len = snprintf(buf, sizeof(buf), "%d\n", getpid());
	if (write(fd, buf, len) != len) {
		close(fd);
		return -1;
	}
	close(fd);
	return rename(tmp, pidfile);
}

void test_daemon(void)
{
	if (!have_pidfile)
		return;
	if (write_pidfile()) {
		fail("can't write pidfile '%s': %m", pidfile);
		exit(1);
	}
	if (!job_outfile)	/* a job's parent is the shell; the runner polls the pidfile */
		kill(getppid(), SIGUSR1);
}
