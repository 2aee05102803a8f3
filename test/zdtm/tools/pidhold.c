// SPDX-License-Identifier: GPL-2.0
/*
 * pidhold: make a process with a given PID that just sleeps, so a test
 * can find that PID taken. Prints "ready PID METHOD" once the holder
 * exists, then exits and leaves the holder (named "pidhold") behind; the
 * caller kills it.
 *
 * With --orphan-group the holder leaves a member behind in the session
 * and process group it leads, then exits: the PID has no process any
 * more, yet the kernel keeps it for the group ("ready PID METHOD MEMBER").
 *
 * pidhold [--method auto|set_tid|ns_last_pid|spin] [--orphan-group] PID
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int orphan_group;
static int member_fd = -1;	/* --orphan-group: the holder writes its member's pid here */

/* The holder: detach from the caller's session and pipes, then sleep. */
static void hold(void)
{
	close(STDIN_FILENO);
	close(STDOUT_FILENO);
	close(STDERR_FILENO);
	setsid();
	if (orphan_group) {
		pid_t member = fork();

		if (member < 0)
			_exit(1);
		if (member > 0) {
			dprintf(member_fd, "%d\n", member);
			_exit(0);
		}
		close(member_fd);
	}
	for (;;)
		pause();
}

static pid_t by_set_tid(pid_t want)
{
	struct clone_args args = {
		.exit_signal = SIGCHLD,
		.set_tid = (uintptr_t)&want,
		.set_tid_size = 1,
	};
	long ret = syscall(SYS_clone3, &args, sizeof(args));

	if (ret == 0)
		hold();
	return ret;
}

static pid_t by_ns_last_pid(pid_t want)
{
	char buf[32];
	int fd, len;
	pid_t pid;

	fd = open("/proc/sys/kernel/ns_last_pid", O_RDWR);
	if (fd < 0)
		return -1;
	/* Other users of the counter (criu too) take the same lock. */
	flock(fd, LOCK_EX);
	len = snprintf(buf, sizeof(buf), "%d", want - 1);
	if (write(fd, buf, len) != len) {
		close(fd);
		return -1;
	}
	pid = fork();
	if (pid == 0)
		hold();
	close(fd);
	if (pid > 0 && pid != want) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		errno = EAGAIN;
		return -1;
	}
	return pid;
}

/* Fork and reap until the counter reaches the PID: slow, needs nothing. */
static pid_t by_spin(pid_t want)
{
	for (long i = 0; i < 5000000; i++) {
		pid_t pid = fork();

		if (pid < 0)
			return -1;
		if (pid == 0) {
			if (getpid() == want)
				hold();
			_exit(0);
		}
		if (pid == want)
			return pid;
		waitpid(pid, NULL, 0);
	}
	errno = EAGAIN;
	return -1;
}

static pid_t make_holder(const char *method, pid_t want, const char **used)
{
	pid_t pid = -1;

	if (!strcmp(method, "set_tid") || !strcmp(method, "auto")) {
		*used = "set_tid";
		pid = by_set_tid(want);
		if (pid > 0 || strcmp(method, "auto") || errno == EEXIST)
			return pid;
	}
	if (!strcmp(method, "ns_last_pid") || !strcmp(method, "auto")) {
		*used = "ns_last_pid";
		pid = by_ns_last_pid(want);
		if (pid > 0 || strcmp(method, "auto"))
			return pid;
	}
	if (!strcmp(method, "spin") || !strcmp(method, "auto")) {
		if (kill(want, 0) == 0 || errno != ESRCH) {
			errno = EEXIST;
			return -1;
		}
		*used = "spin";
		pid = by_spin(want);
	}
	return pid;
}

int main(int argc, char **argv)
{
	const char *method = "auto", *used = "none";
	pid_t want, pid;
	int member_pipe[2], status;
	char member[32] = "";

	for (; argc > 2 && !strncmp(argv[1], "--", 2); argc--, argv++) {
		if (!strcmp(argv[1], "--orphan-group")) {
			orphan_group = 1;
		} else if (!strcmp(argv[1], "--method")) {
			method = argv[2];
			argv++;
			argc--;
		} else {
			break;
		}
	}
	if (argc != 2 || (want = atoi(argv[1])) <= 1) {
		fprintf(stderr, "usage: pidhold [--method auto|set_tid|ns_last_pid|spin] "
			"[--orphan-group] PID\n");
		return 2;
	}
	if (orphan_group) {
		if (pipe(member_pipe))
			return 1;
		member_fd = member_pipe[1];
	}
	fflush(stdout);
	pid = make_holder(method, want, &used);
	if (orphan_group && pid == want) {
		FILE *f = fdopen(member_pipe[0], "r");

		close(member_pipe[1]);
		/* reaped here, so the pid has no process left, only the group */
		if (!f || !fgets(member, sizeof(member), f) || waitpid(pid, &status, 0) != pid) {
			fprintf(stderr, "pidhold: the holder of %d left no member\n", want);
			return 1;
		}
		member[strcspn(member, "\n")] = 0;
	}
	if (pid != want) {
		fprintf(stderr, "pidhold: can't create pid %d (%s): %s\n", want, used,
			strerror(errno));
		return 1;
	}
	printf("ready %d %s%s%s\n", pid, used, *member ? " " : "", member);
	return 0;
}
