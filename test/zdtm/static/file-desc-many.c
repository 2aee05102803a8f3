// SPDX-License-Identifier: GPL-2.0
/*
 * file-desc-many: one file behind 13 open file descriptions and 25 fds.
 * The parent's fd 5 (offset 1) is inherited by 12 children; each child
 * opened the file again at fd 6 (offset 10 + i) and dup()ed that to fd 7.
 * After restore the fds that shared a description share it again, no two
 * children share their fd 6, and every offset is kept. criu tells the
 * descriptions of one file apart by kcmp's order of them: many at once.
 */
#include <fcntl.h>
#include <linux/kcmp.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "zdtmtst.h"

#define KIDS	12
#define SHARED	5
#define OWN	6
#define DUP	7
#define DATA	"desc-many.dat"

static long kcmp_file(pid_t a, pid_t b, int fa, int fb)
{
	return syscall(SYS_kcmp, a, b, KCMP_FILE, fa, fb);
}

static long off(int fd)
{
	return lseek(fd, 0, SEEK_CUR);
}

/* Move fd to want (which may be where it is already). */
static int move_fd(int fd, int want)
{
	if (fd < 0 || fd == want)
		return fd;
	if (dup2(fd, want) != want)
		return -1;
	close(fd);
	return want;
}

static int child(int i, int sync)
{
	if (move_fd(open(DATA, O_RDWR), OWN) != OWN || dup2(OWN, DUP) != DUP ||
	    lseek(OWN, 10 + i, SEEK_SET) != 10 + i) {
		/* the parent waits for a word from each child */
		return write(sync, "e", 1) == 1 ? 2 : 3;
	}
	if (write(sync, "r", 1) != 1)
		return 2;
	test_waitsig();
	if (off(OWN) != 10 + i || off(DUP) != 10 + i || off(SHARED) != 1) {
		test_msg("child %d: offsets %ld %ld %ld, expected %d %d 1\n", i, off(OWN),
			 off(DUP), off(SHARED), 10 + i, 10 + i);
		return 1;
	}
	if (kcmp_file(getpid(), getpid(), OWN, DUP) ||
	    kcmp_file(getpid(), getppid(), SHARED, SHARED) ||
	    !kcmp_file(getpid(), getpid(), OWN, SHARED)) {
		test_msg("child %d: fds 6, 7 and 5 are not shared as they were\n", i);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	char buf[64] = { 0 }, c;
	pid_t pid[KIDS];
	int fd, sync[2], status;

	test_init(argc, argv);
	fd = move_fd(open(DATA, O_RDWR | O_CREAT | O_TRUNC, 0600), SHARED);
	if (fd != SHARED || write(fd, buf, sizeof(buf)) != sizeof(buf) ||
	    lseek(SHARED, 1, SEEK_SET) != 1 || pipe(sync)) {
		fail("set-up: %m");
		return 1;
	}
	for (int i = 0; i < KIDS; i++) {
		pid[i] = fork();
		if (pid[i] == 0)
			_exit(child(i, sync[1]));
		if (pid[i] < 0 || read(sync[0], &c, 1) != 1 || c != 'r') {
			fail("child %d did not start", i);
			return 1;
		}
	}
	test_daemon();
	test_waitsig();

	for (int i = 0; i < KIDS; i++)
		for (int j = i + 1; j < KIDS; j++)
			if (kcmp_file(pid[i], pid[j], OWN, OWN) <= 0)
				fail("children %d and %d share fd %d (or kcmp failed: %m)", i, j, OWN);
	if (off(SHARED) != 1)
		fail("fd %d at offset %ld, expected 1", SHARED, off(SHARED));
	for (int i = 0; i < KIDS; i++) {
		kill(pid[i], SIGTERM);
		if (waitpid(pid[i], &status, 0) != pid[i] || !WIFEXITED(status) ||
		    WEXITSTATUS(status))
			fail("child %d failed (status %#x)", i, status);
	}
	return test_result();
}
