// SPDX-License-Identifier: GPL-2.0
/*
 * pty-pair: three ptys. A: canonical slave with changed settings and
 * window size, two lines and a half written to the master, output written
 * to the slave, none of it read. B: packet mode, exclusive slave, output
 * queued. C: a master alone, still locked. After restore each pty has its
 * name, settings, lock and modes, the queued bytes arrive once, in order,
 * with their line boundaries, and both directions still work.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "zdtmtst.h"

struct pty {
	int m, s;
	char name[64];
};

static int open_pty(struct pty *p, int open_slave)
{
	p->s = -1;
	p->m = posix_openpt(O_RDWR | O_NOCTTY);
	if (p->m < 0 || ptsname_r(p->m, p->name, sizeof(p->name)))
		return -1;
	if (!open_slave)
		return 0;
	if (grantpt(p->m) || unlockpt(p->m))
		return -1;
	p->s = open(p->name, O_RDWR | O_NOCTTY);
	return p->s < 0 ? -1 : 0;
}

/* What is readable now (up to len), without waiting for more than 200 ms. */
static ssize_t read_now(int fd, char *buf, size_t len)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	if (poll(&pfd, 1, 200) <= 0)
		return 0;
	return read(fd, buf, len);
}

static void expect_read(int fd, const char *want, size_t len, const char *what)
{
	char buf[256];
	ssize_t n = read_now(fd, buf, sizeof(buf));

	if (n != (ssize_t)len || memcmp(buf, want, len))
		fail("%s: read %zd bytes '%.*s', want '%.*s'", what, n, (int)(n > 0 ? n : 0), buf,
		     (int)len, want);
}

static void check_name(const struct pty *p, const char *what)
{
	char name[64];

	if (ptsname_r(p->m, name, sizeof(name)) || strcmp(name, p->name))
		fail("%s: pty is '%s' now, was '%s'", what, name, p->name);
}

static struct termios set_a;
static struct winsize ws_a = { .ws_row = 33, .ws_col = 99, .ws_xpixel = 7, .ws_ypixel = 9 };

static int setup_a(struct pty *a)
{
	if (open_pty(a, 1) || tcgetattr(a->s, &set_a))
		return -1;
	set_a.c_lflag &= ~(ECHO | ECHOE | ECHOK);
	set_a.c_cc[VERASE] = 0x08;
	set_a.c_cc[VEOL] = '#';
	set_a.c_oflag |= OPOST | ONLCR;
	cfsetispeed(&set_a, B9600);
	cfsetospeed(&set_a, B9600);
	if (tcsetattr(a->s, TCSANOW, &set_a) || ioctl(a->m, TIOCSWINSZ, &ws_a))
		return -1;
	if (write(a->m, "line1\nl2#part", 13) != 13 || write(a->s, "out1\nout2", 9) != 9)
		return -1;
	return 0;
}

static void check_a(struct pty *a)
{
	struct termios t;
	struct winsize ws;

	check_name(a, "A");
	if (tcgetattr(a->s, &t) || t.c_lflag != set_a.c_lflag || t.c_iflag != set_a.c_iflag ||
	    t.c_oflag != set_a.c_oflag || t.c_cflag != set_a.c_cflag ||
	    memcmp(t.c_cc, set_a.c_cc, sizeof(t.c_cc)) || cfgetispeed(&t) != B9600)
		fail("A: settings changed (lflag %o, was %o)", t.c_lflag, set_a.c_lflag);
	if (ioctl(a->s, TIOCGWINSZ, &ws) || memcmp(&ws, &ws_a, sizeof(ws)))
		fail("A: window size %ux%u, was %ux%u", ws.ws_row, ws.ws_col, ws_a.ws_row,
		     ws_a.ws_col);
	/* canonical: one line per read, the half line only once it is ended */
	expect_read(a->s, "line1\n", 6, "A slave, line 1");
	expect_read(a->s, "l2#", 3, "A slave, line 2 (ended by VEOL)");
	if (write(a->m, "ial\n", 4) != 4)
		fail("A: write to master: %m");
	expect_read(a->s, "partial\n", 8, "A slave, the half line");
	expect_read(a->m, "out1\r\nout2", 10, "A master");
	if (write(a->s, "x\n", 2) != 2)
		fail("A: write to slave: %m");
	expect_read(a->m, "x\r\n", 3, "A master, new output");
}

static int setup_b(struct pty *b)
{
	int one = 1;

	if (open_pty(b, 1) || ioctl(b->m, TIOCPKT, &one) || ioctl(b->s, TIOCEXCL))
		return -1;
	return write(b->s, "pk", 2) == 2 ? 0 : -1;
}

static void check_b(struct pty *b)
{
	int v = 0;

	check_name(b, "B");
	if (ioctl(b->m, TIOCGPKT, &v) || !v)
		fail("B: packet mode is off");
	if (ioctl(b->s, TIOCGEXCL, &v) || !v)
		fail("B: the slave is not exclusive");
	expect_read(b->m, "\0pk", 3, "B master (packet mode)");
}

static void check_c(struct pty *c)
{
	int v = 0;

	check_name(c, "C");
	if (ioctl(c->m, TIOCGPTLCK, &v) || !v)
		fail("C: the pty is unlocked");
}

int main(int argc, char **argv)
{
	struct pty a, b, c;

	test_init(argc, argv);
	if (setup_a(&a) || setup_b(&b) || open_pty(&c, 0)) {
		fail("set-up: %m");
		return 1;
	}
	test_daemon();
	test_waitsig();
	check_a(&a);
	check_b(&b);
	check_c(&c);
	return test_result();
}
