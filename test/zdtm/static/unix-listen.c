// SPDX-License-Identifier: GPL-2.0
/*
 * unix-listen: a stream listener bound to a relative path (mode 0600) with
 * one accepted connection carrying data both ways and two clients still
 * waiting in its backlog, the second bound to a name of its own. After
 * restore the accepted pair has its data and names, the backlog holds the
 * two clients in their order (accept() gives them back connected to the
 * right ends), and the listener takes new connections.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "zdtmtst.h"

#define LNAME "sk.listen"

static char up[5000], down[7000], buf[8192];

static socklen_t addr_of(const char *name, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	snprintf(sa->sun_path, sizeof(sa->sun_path), "%s", name);
	return offsetof(struct sockaddr_un, sun_path) + strlen(name) + 1;
}

static int client(const char *own)
{
	struct sockaddr_un sa;
	socklen_t len;
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	if (fd < 0)
		return -1;
	len = addr_of(own ? own : "", &sa);
	if (own && bind(fd, (struct sockaddr *)&sa, len))
		return -1;
	len = addr_of(LNAME, &sa);
	if (connect(fd, (struct sockaddr *)&sa, len))
		return -1;
	return fd;
}

static void check_name(int fd, int peer, const char *want, const char *what)
{
	struct sockaddr_un sa;
	socklen_t len = sizeof(sa);
	int r = peer ? getpeername(fd, (struct sockaddr *)&sa, &len) :
		       getsockname(fd, (struct sockaddr *)&sa, &len);

	if (r || len <= offsetof(struct sockaddr_un, sun_path) || strcmp(sa.sun_path, want))
		fail("%s: its %s name is not %s", what, peer ? "peer's" : "own", want);
}

static void check_data(int from, int to, const char *data, size_t len, const char *what)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = recv(to, buf + done, len - done, MSG_DONTWAIT);

		if (n <= 0) {
			fail("%s: %zu of %zu bytes, then %zd (%m)", what, done, len, n);
			return;
		}
		done += n;
	}
	if (memcmp(buf, data, len))
		fail("%s: the data changed", what);
	if (send(from, "!", 1, 0) != 1 || recv(to, buf, 1, 0) != 1 || buf[0] != '!')
		fail("%s: no data flows after restore", what);
}

int main(int argc, char **argv)
{
	int l, c0, a0, c1, c2, a1, a2, c3, a3, v = 0;
	socklen_t vl = sizeof(v);
	struct sockaddr_un sa;
	uint32_t seed = 11;
	struct stat st;

	test_init(argc, argv);
	datagen(up, sizeof(up), &seed);
	datagen(down, sizeof(down), &seed);
	l = socket(AF_UNIX, SOCK_STREAM, 0);
	if (l < 0 || bind(l, (struct sockaddr *)&sa, addr_of(LNAME, &sa)) || listen(l, 8) ||
	    chmod(LNAME, 0600)) {
		fail("listener: %m");
		return 1;
	}
	c0 = client(NULL);
	a0 = accept(l, NULL, NULL);
	c1 = client(NULL);
	c2 = client("sk.client2");
	if (c0 < 0 || a0 < 0 || c1 < 0 || c2 < 0 || send(c0, up, sizeof(up), 0) != sizeof(up) ||
	    send(a0, down, sizeof(down), 0) != sizeof(down)) {
		fail("clients: %m");
		return 1;
	}
	test_daemon();
	test_waitsig();

	check_data(c0, a0, up, sizeof(up), "accepted pair, up");
	check_data(a0, c0, down, sizeof(down), "accepted pair, down");
	check_name(a0, 0, LNAME, "accepted socket");
	check_name(c0, 1, LNAME, "its client");
	if (getsockopt(l, SOL_SOCKET, SO_ACCEPTCONN, &v, &vl) || !v)
		fail("the listener does not listen");
	if (send(c1, "1", 1, 0) != 1 || send(c2, "2", 1, 0) != 1) {
		fail("the waiting clients are not connected: %m");
		return test_result();
	}
	if (fcntl(l, F_SETFL, O_NONBLOCK) || (a1 = accept(l, NULL, NULL)) < 0 ||
	    (a2 = accept(l, NULL, NULL)) < 0) {
		fail("the backlog lost its clients: %m");
		return test_result();
	}
	if (recv(a1, buf, 1, 0) != 1 || buf[0] != '1' || recv(a2, buf, 1, 0) != 1 || buf[0] != '2')
		fail("the backlog's clients came back in another order");
	check_name(a2, 1, "sk.client2", "second waiting client");
	check_name(c2, 0, "sk.client2", "second waiting client");
	if (accept(l, NULL, NULL) != -1 || errno != EAGAIN)
		fail("the backlog holds more clients than it had");
	if (stat(LNAME, &st) || !S_ISSOCK(st.st_mode) || (st.st_mode & 0777) != 0600)
		fail("the listener's socket file is gone or lost its mode");
	c3 = client(NULL);
	a3 = accept(l, NULL, NULL);
	if (c3 < 0 || a3 < 0)
		fail("the listener takes no new connection: %m");
	return test_result();
}
