// SPDX-License-Identifier: GPL-2.0
/*
 * inotify: watches on a directory (wd 1), on a file (wd 3; wd 2 was
 * removed) and on a second directory (wd 4), in an instance with
 * IN_NONBLOCK. After restore a file created in each directory and a write
 * to the watched file report events with the same wds, and the next watch
 * added gets wd 5, as it would have without checkpoint.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zdtmtst.h"

/* Read events until the queue is empty; check one (wd, mask, name) is among them. */
static void expect(int fd, int wd, uint32_t mask, const char *name)
{
	char buf[4096] __attribute__((aligned(8)));
	int found = 0;
	ssize_t n;

	test_sleep_ms(10);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		for (char *p = buf; p < buf + n;) {
			struct inotify_event *ev = (struct inotify_event *)p;

			if (ev->wd == wd && ev->mask & mask &&
			    (!name || (ev->len && !strcmp(ev->name, name))))
				found = 1;
			else
				test_msg("event wd %d mask %x name '%s'\n", ev->wd, ev->mask,
					 ev->len ? ev->name : "");
			p += sizeof(*ev) + ev->len;
		}
	if (n < 0 && errno != EAGAIN)
		fail("read inotify: %m");
	if (!found)
		fail("no event wd %d mask %x for '%s'", wd, mask, name ? name : "");
}

int main(int argc, char **argv)
{
	int fd, wd[5], f;

	test_init(argc, argv);
	if (mkdir("inotify.d1", 0755) || mkdir("inotify.d2", 0755) ||
	    close(open("inotify.d1/watched", O_CREAT | O_WRONLY, 0644)) ||
	    close(open("inotify.other", O_CREAT | O_WRONLY, 0644))) {
		fail("set-up: %m");
		return 1;
	}
	fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	wd[0] = inotify_add_watch(fd, "inotify.d1", IN_CREATE | IN_DELETE);
	wd[1] = inotify_add_watch(fd, "inotify.other", IN_MODIFY);
	wd[2] = inotify_add_watch(fd, "inotify.d1/watched", IN_MODIFY | IN_CLOSE_WRITE);
	wd[3] = inotify_add_watch(fd, "inotify.d2", IN_CREATE | IN_ONLYDIR | IN_EXCL_UNLINK);
	if (fd < 0 || wd[0] != 1 || wd[1] != 2 || wd[2] != 3 || wd[3] != 4 ||
	    inotify_rm_watch(fd, wd[1])) {
		fail("inotify set-up: %m (wds %d %d %d %d)", wd[0], wd[1], wd[2], wd[3]);
		return 1;
	}
	expect(fd, 2, IN_IGNORED, NULL);
	test_daemon();
	test_waitsig();

	if (!(fcntl(fd, F_GETFL) & O_NONBLOCK) || !(fcntl(fd, F_GETFD) & FD_CLOEXEC))
		fail("the inotify fd lost O_NONBLOCK or FD_CLOEXEC");
	f = open("inotify.d1/new", O_CREAT | O_WRONLY, 0644);
	close(f);
	expect(fd, 1, IN_CREATE, "new");
	f = open("inotify.d1/watched", O_WRONLY);
	if (write(f, "x", 1) != 1)
		fail("write: %m");
	close(f);
	expect(fd, 3, IN_MODIFY, NULL);
	f = open("inotify.d2/new2", O_CREAT | O_WRONLY, 0644);
	close(f);
	expect(fd, 4, IN_CREATE, "new2");
	f = open("inotify.other", O_WRONLY);
	if (write(f, "x", 1) != 1)
		fail("write: %m");
	close(f);
	wd[4] = inotify_add_watch(fd, "inotify.other", IN_MODIFY);
	if (wd[4] != 5)
		fail("a new watch got wd %d, expected 5", wd[4]);
	return test_result();
}
