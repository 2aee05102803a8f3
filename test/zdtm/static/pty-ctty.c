// SPDX-License-Identifier: GPL-2.0
/*
 * pty-ctty: the test leads its session with a pty slave as controlling
 * terminal; child A leads another group, made the terminal's foreground
 * group; child B stays in the leader's group. After restore the terminal
 * controls the same session, A's group is in the foreground, and all three
 * tasks have the terminal as controlling terminal.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "zdtmtst.h"

struct shared {
	volatile int ready;
	dev_t tty;
	pid_t fg;
};

static struct shared *sh;

/* Field 7 (tty_nr) and 8 (tpgid) of /proc/self/stat. */
static int stat_tty(unsigned int *tty_nr, int *tpgid)
{
	char buf[1024], *p;

	if (read_file("/proc/self/stat", buf, sizeof(buf)) <= 0 || !(p = strrchr(buf, ')')))
		return -1;
	return sscanf(p + 2, "%*c %*d %*d %*d %u %d", tty_nr, tpgid) == 2 ? 0 : -1;
}

static int check_ctty(const char *who)
{
	unsigned int tty_nr;
	struct stat st;
	int tpgid, fd, ok = 1;

	if (stat_tty(&tty_nr, &tpgid) || tty_nr != sh->tty || tpgid != sh->fg) {
		fail("%s: controlling terminal %u:%u (fg %d), want %u:%u (fg %d)", who,
		     major(tty_nr), minor(tty_nr), tpgid, major(sh->tty), minor(sh->tty), sh->fg);
		ok = 0;
	}
	fd = open("/dev/tty", O_RDWR);
	if (fd < 0 || fstat(fd, &st)) {
		fail("%s: can't open /dev/tty: %m", who);
		return 0;
	}
	close(fd);
	return ok;
}

static __attribute__((noreturn)) void child(int new_group)
{
	if (new_group)
		setpgid(0, 0);
	__atomic_add_fetch(&sh->ready, 1, __ATOMIC_SEQ_CST);
	test_waitsig();
	_exit(check_ctty(new_group ? "A" : "B") ? 0 : 1);
}

int main(int argc, char **argv)
{
	char name[64];
	struct stat st;
	pid_t a, b;
	int m, s, status, ok = 1;

	test_init(argc, argv);
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	m = posix_openpt(O_RDWR | O_NOCTTY);
	if (sh == MAP_FAILED || m < 0 || grantpt(m) || unlockpt(m) ||
	    ptsname_r(m, name, sizeof(name))) {
		fail("set-up: %m");
		return 1;
	}
	/* a session leader without a terminal gets the one it opens */
	s = open(name, O_RDWR);
	if (s < 0 || fstat(s, &st) || tcgetsid(s) != getpid()) {
		fail("can't make %s the controlling terminal: %m", name);
		return 1;
	}
	sh->tty = st.st_rdev;
	a = fork();
	if (a == 0)
		child(1);
	b = fork();
	if (b == 0)
		child(0);
	setpgid(a, a);
	while (__atomic_load_n(&sh->ready, __ATOMIC_SEQ_CST) < 2)
		usleep(1000);
	sh->fg = a;
	if (tcsetpgrp(s, a)) {
		fail("tcsetpgrp: %m");
		return 1;
	}
	test_daemon();
	test_waitsig();
	if (tcgetsid(s) != getpid() || tcgetpgrp(s) != a) {
		fail("terminal: session %d, foreground %d; want %d, %d", tcgetsid(s), tcgetpgrp(s),
		     getpid(), a);
		ok = 0;
	}
	ok &= check_ctty("leader");
	kill(a, SIGTERM);
	kill(b, SIGTERM);
	if (waitpid(a, &status, 0) != a || !WIFEXITED(status) || WEXITSTATUS(status))
		ok = 0;
	if (waitpid(b, &status, 0) != b || !WIFEXITED(status) || WEXITSTATUS(status))
		ok = 0;
	if (!ok)
		fail("see above");
	return test_result();
}
