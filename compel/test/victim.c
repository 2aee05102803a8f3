// SPDX-License-Identifier: GPL-2.0
/*
 * The victim of test-infect: it waits for commands while a timer fires and
 * fails loudly on anything an injection could leave behind: a spurious
 * EINTR, a leaked restart code, a sleep that ends early, a lost tick.
 *
 * Usage: victim MODE CMD_FD REPLY_FD, MODE one of
 *   read    block in read(CMD_FD); SIGALRM every 10 ms, SA_RESTART handler
 *   quiet   as read, without the timer (a traced victim that never stops)
 *   sleep   no timer; nanosleep 20 ms at a time, poll CMD_FD in between
 *   novdso  as read, after unmapping [vdso] and [vvar*]
 *   mdwe    as read, memory-deny-write-execute (no new executable memory)
 * Commands: 'p' replies with the tick count (a long); 'q' exits 0.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#ifndef PR_SET_MDWE
#define PR_SET_MDWE		65
#define PR_MDWE_REFUSE_EXEC_GAIN	1
#endif

#define SLEEP_NS	20000000L

static volatile long ticks;

static void on_alarm(int sig)
{
	(void)sig;
	ticks++;
}

static void die(const char *what)
{
	fprintf(stderr, "victim: %s: %s\n", what, strerror(errno));
	exit(3);
}

static void start_timer(void)
{
	struct itimerval it = { { 0, 10000 }, { 0, 10000 } };
	struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = SA_RESTART };

	if (sigaction(SIGALRM, &sa, NULL) || setitimer(ITIMER_REAL, &it, NULL))
		die("timer");
}

/* Unmap the vDSO and its data pages: compel must do without them. */
static void drop_vdso(void)
{
	char line[512];
	FILE *f = fopen("/proc/self/maps", "r");

	if (!f)
		die("maps");
	while (fgets(line, sizeof(line), f)) {
		unsigned long start, end;

		if ((strstr(line, "[vdso]") || strstr(line, "[vvar")) &&
		    sscanf(line, "%lx-%lx", &start, &end) == 2 &&
		    munmap((void *)start, end - start))
			die("munmap vdso");
	}
	fclose(f);
}

/* Returns 1 when told to quit. */
static int command(char c, int reply)
{
	long t = ticks;

	if (c == 'q')
		return 1;
	if (c != 'p') {
		fprintf(stderr, "victim: bad command %d\n", c);
		exit(3);
	}
	if (write(reply, &t, sizeof(t)) != sizeof(t))
		die("reply");
	return 0;
}

static int read_loop(int cmd, int reply)
{
	char c;

	for (;;) {
		ssize_t n = read(cmd, &c, 1);

		/* SA_RESTART: read never fails with EINTR, and nothing else fails. */
		if (n < 0)
			die("read");
		if (n == 0)
			return 4;
		if (command(c, reply))
			return 0;
	}
}

static long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

static int sleep_loop(int cmd, int reply)
{
	char c;

	if (fcntl(cmd, F_SETFL, O_NONBLOCK))
		die("fcntl");
	for (;;) {
		struct timespec ts = { 0, SLEEP_NS };
		long start = now_ns();
		ssize_t n;

		/* No handler anywhere: an interrupted sleep must be restarted. */
		if (nanosleep(&ts, NULL))
			die("nanosleep");
		if (now_ns() - start < SLEEP_NS) {
			fprintf(stderr, "victim: nanosleep returned early\n");
			exit(3);
		}
		n = read(cmd, &c, 1);
		if (n < 0 && errno != EAGAIN)
			die("read");
		if (n == 0)
			return 4;
		if (n == 1 && command(c, reply))
			return 0;
	}
}

int main(int argc, char **argv)
{
	int cmd, reply;

	if (argc != 4)
		return 2;
	cmd = atoi(argv[2]);
	reply = atoi(argv[3]);
	prctl(PR_SET_NAME, "compel-victim");
	if (!strcmp(argv[1], "sleep"))
		return sleep_loop(cmd, reply);
	if (!strcmp(argv[1], "quiet"))
		return read_loop(cmd, reply);
	if (!strcmp(argv[1], "novdso"))
		drop_vdso();
	else if (!strcmp(argv[1], "mdwe")) {
		if (prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN, 0, 0, 0))
			return 3;
	} else if (strcmp(argv[1], "read"))
		return 2;
	start_timer();
	return read_loop(cmd, reply);
}
