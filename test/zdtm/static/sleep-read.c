// SPDX-License-Identifier: GPL-2.0
/*
 * sleep-read: the main thread is blocked in read() on an empty pipe it
 * owns (write end kept open) when checkpointed. Only SIGTERM may end the
 * read (EINTR; the handler has no SA_RESTART); then the pipe must still
 * carry data both ways.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "zdtmtst.h"

int main(int argc, char **argv)
{
	char buf[64], msg[32];
	uint32_t seed = 99;
	int p[2];
	ssize_t n;

	test_init(argc, argv);
	if (pipe(p)) {
		fail("pipe: %m");
		return 1;
	}
	test_daemon();

	n = read(p[0], buf, sizeof(buf));
	if (n >= 0)
		fail("read returned %zd from an empty pipe", n);
	else if (errno != EINTR)
		fail("read: %m");
	else if (!test_sigterm)
		fail("read: EINTR without SIGTERM");

	datagen(msg, sizeof(msg), &seed);
	if (write(p[1], msg, sizeof(msg)) != sizeof(msg))
		fail("write to the pipe: %m");
	else if (read(p[0], buf, sizeof(buf)) != sizeof(msg) || memcmp(buf, msg, sizeof(msg)) ||
		 datachk(buf, sizeof(msg)))
		fail("the pipe does not carry data any more");
	if (fcntl(p[0], F_GETFL) & O_NONBLOCK)
		fail("the read end became non-blocking");
	return test_result();
}
