// SPDX-License-Identifier: GPL-2.0
/*
 * fifo-data: two FIFOs in the work dir. The first has a non-blocking read
 * end (also dup'ed), a blocking write end, a 128 KiB buffer and 70000
 * bytes waiting in it; the second is open read-write once and holds 100
 * bytes. After restore every end has its flags, the data is all there in
 * order, and both FIFOs still carry data and are the files at their paths.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zdtmtst.h"

#define BIG_SIZE	(128 << 10)
#define BIG_DATA	70000
#define SMALL_DATA	100

static char big[BIG_DATA], small[SMALL_DATA], got[BIG_DATA];

static int same_file(int fd, const char *path)
{
	struct stat a, b;

	return !fstat(fd, &a) && !stat(path, &b) && S_ISFIFO(a.st_mode) && a.st_ino == b.st_ino &&
	       a.st_dev == b.st_dev;
}

static void check_read(int fd, const char *what, const char *want, size_t len)
{
	size_t done = 0;
	int queued = -1;

	if (ioctl(fd, FIONREAD, &queued) || queued != (int)len)
		fail("%s: %d bytes queued, want %zu", what, queued, len);
	while (done < len) {
		ssize_t n = read(fd, got + done, len - done);

		if (n <= 0) {
			fail("%s: read after %zu bytes: %zd (%m)", what, done, n);
			return;
		}
		done += n;
	}
	if (memcmp(got, want, len))
		fail("%s: the data changed", what);
}

int main(int argc, char **argv)
{
	int r, r2, w, rw;
	uint32_t seed = 7;
	char c = 'x';

	test_init(argc, argv);
	datagen(big, sizeof(big), &seed);
	datagen(small, sizeof(small), &seed);
	if (mkfifo("fifo.big", 0640) || mkfifo("fifo.small", 0600)) {
		fail("mkfifo: %m");
		return 1;
	}
	r = open("fifo.big", O_RDONLY | O_NONBLOCK);
	w = open("fifo.big", O_WRONLY);
	rw = open("fifo.small", O_RDWR);
	r2 = dup(r);
	if (r < 0 || w < 0 || rw < 0 || r2 < 0) {
		fail("open: %m");
		return 1;
	}
	if (fcntl(w, F_SETPIPE_SZ, BIG_SIZE) < BIG_SIZE) {
		fail("F_SETPIPE_SZ: %m");
		return 1;
	}
	if (write(w, big, sizeof(big)) != sizeof(big) || write(rw, small, sizeof(small)) !=
	    sizeof(small)) {
		fail("write: %m");
		return 1;
	}
	test_daemon();
	test_waitsig();

	if (!(fcntl(r, F_GETFL) & O_NONBLOCK) || fcntl(w, F_GETFL) & O_NONBLOCK ||
	    (fcntl(rw, F_GETFL) & O_ACCMODE) != O_RDWR || (fcntl(w, F_GETFL) & O_ACCMODE) !=
	    O_WRONLY)
		fail("the ends lost their flags");
	if (fcntl(r, F_GETPIPE_SZ) != BIG_SIZE)
		fail("fifo.big holds %d bytes, want %d", fcntl(r, F_GETPIPE_SZ), BIG_SIZE);
	if (!same_file(r, "fifo.big") || !same_file(w, "fifo.big") || !same_file(rw, "fifo.small"))
		fail("the ends are not the FIFOs at their paths");
	if (fcntl(r, F_GETFL) != fcntl(r2, F_GETFL) || (fcntl(r2, F_SETFL, 0), fcntl(r, F_GETFL) &
							 O_NONBLOCK))
		fail("the dup'ed read end is not the same open file");
	fcntl(r, F_SETFL, O_NONBLOCK);
	check_read(r, "fifo.big", big, sizeof(big));
	check_read(rw, "fifo.small", small, sizeof(small));
	if (datachk(got, sizeof(small)))
		fail("fifo.small: bad checksum");
	if (read(r, got, 1) != -1 || errno != EAGAIN)
		fail("fifo.big has more data than was written");
	if (write(w, &c, 1) != 1 || read(r2, got, 1) != 1 || got[0] != 'x')
		fail("fifo.big does not carry data any more");
	return test_result();
}
