// SPDX-License-Identifier: GPL-2.0
/*
 * file-locks: an exclusive flock, POSIX write and read locks (one fd also
 * dup'ed), an OFD write lock, a shared flock on a file description the
 * child inherited, and the child's own POSIX lock. After restore, checker
 * processes see every lock held by its owner (F_GETLK names the owner, a
 * non-blocking flock fails), and the owner can release and retake it.
 * With --contend=1 (the runner's locks-contend check, whose waiters want
 * the locks) it only checks.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "zdtmtst.h"

static volatile int *ready;

static int open_rw(const char *name)
{
	return open(name, O_RDWR | O_CREAT, 0644);
}

static int posix_lock(int fd, int cmd, short type, off_t start, off_t len)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = start,
			    .l_len = len };

	return fcntl(fd, cmd, &fl);
}

/* Who holds a lock conflicting with a write lock there: a pid, -1 for OFD, 0 for none. */
static pid_t holder(const char *name, int cmd, off_t start, off_t len, short *type)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = start,
			    .l_len = len };
	int fd = open(name, O_RDWR);

	if (fd < 0 || fcntl(fd, cmd, &fl))
		return -2;
	close(fd);
	*type = fl.l_type;
	return fl.l_type == F_UNLCK ? 0 : fl.l_pid;
}

static int flock_fails(const char *name, int how)
{
	int fd = open(name, O_RDONLY), r;

	r = flock(fd, how | LOCK_NB);
	close(fd);
	return r == -1 && errno == EWOULDBLOCK;
}

/* Runs in a fresh process: every check an outsider would make. */
static int check(pid_t parent, pid_t child)
{
	short t;

	if (!flock_fails("lock.flock", LOCK_SH))
		return 1;
	if (holder("lock.posix", F_GETLK, 10, 10, &t) != parent || t != F_WRLCK)
		return 2;
	if (holder("lock.posix", F_GETLK, 100, 50, &t) != parent || t != F_RDLCK)
		return 3;
	if (holder("lock.posix", F_GETLK, 50, 10, &t) != child || t != F_RDLCK)
		return 4;
	if (holder("lock.posix", F_GETLK, 0, 10, &t) != 0)
		return 5;
	if (holder("lock.ofd", F_OFD_GETLK, 0, 4096, &t) != -1 || t != F_WRLCK)
		return 6;
	if (holder("lock.ofd", F_OFD_GETLK, 4096, 1, &t) != 0)
		return 7;
	if (!flock_fails("lock.shared", LOCK_EX) || flock_fails("lock.shared", LOCK_SH))
		return 8;
	return 0;
}

static int run_check(pid_t parent, pid_t child)
{
	int status;
	pid_t pid = fork();

	if (pid == 0)
		_exit(check(parent, child));
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static void child_main(void)
{
	int fd = open_rw("lock.posix");

	if (fd < 0 || posix_lock(fd, F_SETLK, F_RDLCK, 50, 10))
		_exit(1);
	*ready = 1;
	test_waitsig();
	_exit(0);
}

int main(int argc, char **argv)
{
	int fl, px, px2, ofd, sh, r, status;
	pid_t child;

	test_init(argc, argv);
	ready = mmap(NULL, PAGE_SZ, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	fl = open_rw("lock.flock");
	px = open_rw("lock.posix");
	ofd = open_rw("lock.ofd");
	sh = open_rw("lock.shared");
	if (ready == MAP_FAILED || fl < 0 || px < 0 || ofd < 0 || sh < 0 || flock(fl, LOCK_EX) ||
	    posix_lock(px, F_SETLK, F_WRLCK, 10, 10) || posix_lock(px, F_SETLK, F_RDLCK, 100, 0) ||
	    posix_lock(ofd, F_OFD_SETLK, F_WRLCK, 0, 4096) || flock(sh, LOCK_SH)) {
		fail("set-up: %m");
		return 1;
	}
	px2 = dup(px);
	child = fork();
	if (child == 0)
		child_main();
	while (child > 0 && !*ready)
		test_sleep_ms(1);
	test_daemon();
	test_waitsig();

	r = run_check(getpid(), child);
	if (r)
		fail("lock check %d failed: a lock is not held by its owner", r);
	if (test_opt("contend")) {
		/* the runner's waiters take the locks as soon as we let go */
	} else if (flock(fl, LOCK_UN) || flock_fails("lock.flock", LOCK_EX) ||
		   flock(fl, LOCK_EX | LOCK_NB)) {
		fail("the flock lock's owner can't release and retake it");
	} else if (posix_lock(px2, F_SETLK, F_UNLCK, 10, 10) ||
		   posix_lock(px, F_SETLK, F_WRLCK, 10, 10)) {
		fail("the POSIX lock's owner can't release and retake it");
	} else if (posix_lock(ofd, F_OFD_SETLK, F_UNLCK, 0, 0) ||
		   posix_lock(ofd, F_OFD_SETLK, F_RDLCK, 0, 0)) {
		fail("the OFD lock's owner can't release and retake it");
	}
	kill(child, SIGTERM);
	if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status))
		fail("the child failed");
	return test_result();
}
