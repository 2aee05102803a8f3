// SPDX-License-Identifier: GPL-2.0
/*
 * Bytes queued in a pty: written to one side and not yet read from the
 * other. There is no way to peek at them, so the dump reads them and puts
 * them back at once. Putting back must not run them through the line
 * discipline twice: the slave's input processing (and its canonical
 * special characters) is turned off while the bytes go in, and since the
 * discipline takes them asynchronously, their echo on the master tells
 * when it is done; only then do the real settings come back.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#define LOG_PREFIX "tty: "
#include "log.h"
#include "tty-internal.h"

#define ECHO_IDLE_MS 2000	/* no echo for this long: the discipline is full or stopped */

/* Read what is there without blocking; a packet-mode master prefixes each read. */
static int drain(int fd, bool packet, uint8_t **out, uint32_t *out_len, const char *what)
{
	uint8_t *buf = malloc(TTY_DATA_MAX), chunk[4096];
	uint32_t len = 0;

	if (!buf) {
		pr_err("out of memory\n");
		return -1;
	}
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&pfd, 1, 0) < 0 && errno == EINTR)
			continue;
		if (!(pfd.revents & POLLIN))
			break;
		n = read(fd, chunk, sizeof(chunk));
		if (n <= 0)
			break;	/* EIO: the other side is closed; nothing queued then */
		if (packet && chunk[0] != TIOCPKT_DATA) {
			pr_warn("%s: a packet-mode status byte 0x%x is dropped\n", what, chunk[0]);
			continue;
		}
		if (packet)
			memmove(chunk, chunk + 1, --n);
		if (len + n > TTY_DATA_MAX) {
			pr_err("%s holds more than %u queued bytes\n", what, TTY_DATA_MAX);
			free(buf);
			return -1;
		}
		memcpy(buf + len, chunk, n);
		len += n;
	}
	*out = buf;
	*out_len = len;
	return 0;
}

int tty_data_take(struct tty_info *master, struct tty_info *slave)
{
	struct tty_termios2 raw = slave->termios;
	int wfd, ret;

	if (master->grab < 0 || slave->grab < 0)
		return 0;
	if (drain(master->grab, master->packet_mode, &master->data, &master->data_len,
		  master->path))
		return -1;
	/* non-canonical, so that a line not ended yet can be read too */
	raw.c_lflag &= ~ICANON;
	raw.c_cc[VMIN] = 0;
	raw.c_cc[VTIME] = 0;
	if (ioctl(slave->grab, TTY_TCSETS2, &raw)) {
		pr_perror("can't switch %s to read its queued bytes", slave->path);
		return -1;
	}
	ret = drain(slave->grab, false, &slave->data, &slave->data_len, slave->path);
	if (ioctl(slave->grab, TTY_TCSETS2, &slave->termios)) {
		pr_perror("can't give %s its settings back", slave->path);
		return -1;
	}
	if (ret)
		return -1;
	pr_info("pty %u: %u bytes queued for the slave, %u for the master\n", master->index,
		slave->data_len, master->data_len);
	if (!slave->data_len && !master->data_len)
		return 0;
	/* the tree may live on (--leave-running, a dump that fails): put them back */
	wfd = tty_open_peer(master->grab, O_RDWR | O_NOCTTY | O_NONBLOCK);
	ret = tty_data_refill(master->grab, wfd >= 0 ? wfd : slave->grab, master->packet_mode,
			      master, slave);
	if (wfd >= 0)
		close(wfd);
	return ret;
}

static int write_all(int fd, const uint8_t *buf, uint32_t len, const char *what)
{
	while (len) {
		struct pollfd pfd = { .fd = fd, .events = POLLOUT };
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EAGAIN && poll(&pfd, 1, ECHO_IDLE_MS) > 0)
			continue;
		if (n <= 0) {
			pr_perror("can't put %u queued bytes back into %s", len, what);
			return -1;
		}
		buf += n;
		len -= n;
	}
	return 0;
}

/* Read back the echo of want bytes: the slave's discipline has taken them. */
static void wait_echo(int master_fd, bool packet, uint32_t want, const char *what)
{
	uint32_t got = 0;
	uint8_t buf[4096];

	while (got < want) {
		struct pollfd pfd = { .fd = master_fd, .events = POLLIN };
		ssize_t n;

		if (poll(&pfd, 1, ECHO_IDLE_MS) <= 0 || !(pfd.revents & POLLIN))
			break;
		n = read(master_fd, buf, sizeof(buf));
		if (n <= 0)
			break;
		if (packet)
			n = buf[0] == TIOCPKT_DATA ? n - 1 : 0;
		got += n;
	}
	if (got < want)
		pr_warn("%s: only %u of %u queued bytes were taken in at once; the rest goes "
			"through the terminal's settings again\n", what, got, want);
}

/* The settings under which bytes go in as they are, echoed once and raw. */
static void transparent(struct tty_termios2 *q)
{
	static const int off[] = { VINTR, VQUIT, VERASE, VKILL, VEOF, VSTART, VSTOP, VSUSP,
				   VREPRINT, VDISCARD, VWERASE, VLNEXT };

	q->c_iflag &= ~(ICRNL | INLCR | IGNCR | IUCLC | ISTRIP | IXON | IXOFF | PARMRK |
			INPCK | IMAXBEL);
	q->c_lflag = (q->c_lflag & ICANON) | ECHO;
	q->c_oflag &= ~OPOST;
	for (size_t i = 0; i < ARRAY_SIZE(off); i++)
		q->c_cc[off[i]] = 0;	/* _POSIX_VDISABLE */
}

int tty_data_refill(int master_fd, int slave_fd, bool packet, const struct tty_info *master,
		    const struct tty_info *slave)
{
	const struct tty_termios2 *t = &slave->termios;
	struct tty_termios2 q = *t;
	int ret = -1;

	if (slave->data_len) {
		transparent(&q);
		if (ioctl(master_fd, TTY_TCSETS2, &q)) {
			pr_perror("can't prepare %s for its queued bytes", slave->path);
			return -1;
		}
		if (write_all(master_fd, slave->data, slave->data_len, slave->path))
			goto out;
		wait_echo(master_fd, packet, slave->data_len, slave->path);
	}
	if (master->data_len) {
		q = *t;
		q.c_oflag &= ~OPOST;	/* the bytes were processed on their way out already */
		if (ioctl(master_fd, TTY_TCSETS2, &q) ||
		    write_all(slave_fd, master->data, master->data_len, master->path))
			goto out;
	}
	ret = 0;
out:
	if (ioctl(master_fd, TTY_TCSETS2, t)) {
		pr_perror("can't give %s its settings back", slave->path);
		ret = -1;
	}
	return ret;
}
