// SPDX-License-Identifier: GPL-2.0
/*
 * files-mix: a parent and a child sharing several kinds of files. Both
 * hold both ends of a pipe with 60000 unread bytes, a non-blocking eventfd
 * counting 123456789 and an unlinked file (one open file, offset 4321);
 * each holds one end of a datagram socketpair with messages of different
 * sizes queued for the other; the parent has a FIFO's read end and the
 * child its write end, with 5000 bytes in it. After restore the parent
 * checks the FIFO data, its datagrams, the file and the pipe's fill; the
 * child reads and checks the 60000 bytes and its datagrams; then both pass
 * data through the pipe and the FIFO, and the parent reads the eventfd,
 * sees the offset the child moved and reports the child's verdict.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zdtmtst.h"

#define PIPE_DATA	60000
#define PIPE_SEED	0x9199ULL
#define MORE		100	/* bytes each task passes through the pipe after restore */
#define MORE_SEED	0x303ULL
#define EFD_COUNT	123456789ULL
#define FIFO_NAME	"files-mix.fifo"
#define FIFO_DATA	5000
#define FIFO_SEED	0xf1f0ULL
#define FILE_NAME	"files-mix.unlinked"
#define FILE_SIZE	(40 << 10)
#define FILE_POS	4321
#define FILE_POS2	12345	/* where the child moves the shared offset */
#define FILE_SEED	0xf11eULL
#define EXIT_OK		42
#define WAIT_MS		20000

/* Datagrams queued before the dump: sizes, parent to child and back. */
static const size_t to_child[] = { 1, 0, 4096, 60000, 17, 1000 };
static const size_t to_parent[] = { 333, 65000, 0, 2 };

static char buf[65536], msg[65536];

struct files {
	int pipe[2];	/* both tasks, both ends */
	int efd;	/* both tasks */
	int file;	/* both tasks, one open file */
	int sk[2];	/* the parent keeps sk[0], the child sk[1] */
	int fifo;	/* the parent: the read end; the child: the write end */
};

static void make_msg(size_t len, int tag)
{
	for (size_t i = 0; i < len; i++)
		msg[i] = (char)(tag * 37 + i * 11 + (i >> 8));
}

static int send_msgs(int sk, const size_t *sizes, size_t nr, int tag)
{
	for (size_t i = 0; i < nr; i++) {
		make_msg(sizes[i], tag + i);
		if (send(sk, msg, sizes[i], 0) != (ssize_t)sizes[i]) {
			fail("send datagram %zu (%zu bytes): %m", i, sizes[i]);
			return -1;
		}
	}
	return 0;
}

/* Each datagram in order with its size and bytes, then nothing more. */
static void check_msgs(int sk, const size_t *sizes, size_t nr, int tag, const char *who)
{
	for (size_t i = 0; i < nr; i++) {
		ssize_t n = recv(sk, buf, sizeof(buf), MSG_DONTWAIT);

		make_msg(sizes[i], tag + i);
		if (n < 0) {
			fail("%s: datagram %zu of %zu is missing: %m", who, i, nr);
			return;
		}
		if (n != (ssize_t)sizes[i] || memcmp(buf, msg, sizes[i])) {
			fail("%s: datagram %zu is %zd bytes, want %zu, or its bytes changed",
			     who, i, n, sizes[i]);
			return;
		}
	}
	if (recv(sk, buf, 1, MSG_DONTWAIT) != -1 || errno != EAGAIN)
		fail("%s: more datagrams than were sent", who);
}

static int queued(int fd)
{
	int n = -1;

	if (ioctl(fd, FIONREAD, &n))
		return -1;
	return n;
}

/*
 * Expect exactly len bytes of the pattern seed queued in fd and read them
 * all; the queue is checked first, so a read never waits for lost data.
 */
static void check_data(int fd, size_t len, uint64_t seed, const char *what)
{
	size_t done = 0;
	int q = queued(fd);
	long bad;

	if (q != (int)len) {
		fail("%s: %d bytes queued, want %zu", what, q, len);
		return;
	}
	while (done < len) {
		ssize_t n = read(fd, buf + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fail("%s: read after %zu of %zu bytes: %zd (%m)", what, done, len, n);
			return;
		}
		done += n;
	}
	bad = pattern_check(buf, len, seed);
	if (bad >= 0)
		fail("%s: byte %ld of %zu changed", what, bad, len);
	if (queued(fd) != 0)
		fail("%s: not empty after %zu bytes", what, len);
}

static int write_pattern(int fd, size_t len, uint64_t seed)
{
	pattern_fill(buf, len, seed);
	return write(fd, buf, len) == (ssize_t)len ? 0 : -1;
}

/* Wait for a one-byte datagram, the other task's go-ahead. */
static int await(int sk, char want, const char *who)
{
	struct pollfd p = { .fd = sk, .events = POLLIN };
	char c = 0;
	int n;

	do
		n = poll(&p, 1, WAIT_MS);
	while (n < 0 && errno == EINTR);
	if (n != 1 || recv(sk, &c, 1, MSG_DONTWAIT) != 1 || c != want) {
		fail("%s: no '%c' from the other task within %d ms (got %#x)", who, want, WAIT_MS,
		     (unsigned char)c);
		return -1;
	}
	return 0;
}

static int readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

static void check_file(int fd, off_t pos, const char *who)
{
	struct stat st;
	off_t now = lseek(fd, 0, SEEK_CUR);

	if (fstat(fd, &st) || st.st_nlink != 0 || st.st_size != FILE_SIZE)
		fail("%s: the unlinked file has %lu links and %lld bytes, want 0 and %d", who,
		     (unsigned long)st.st_nlink, (long long)st.st_size, FILE_SIZE);
	if (now != pos)
		fail("%s: the unlinked file is at %lld, want %lld", who, (long long)now,
		     (long long)pos);
	if (pread(fd, buf, FILE_SIZE, 0) != FILE_SIZE ||
	    pattern_check(buf, FILE_SIZE, FILE_SEED) >= 0)
		fail("%s: the unlinked file's data changed", who);
	if (access(FILE_NAME, F_OK) == 0)
		fail("%s: %s exists again", who, FILE_NAME);
}

/* Set-up in the child: the FIFO's write end with data, datagrams for the parent. */
static int child_setup(struct files *f)
{
	close(f->sk[0]);
	close(f->fifo);
	f->fifo = open(FIFO_NAME, O_WRONLY);
	if (f->fifo < 0) {
		fail("child: open %s: %m", FIFO_NAME);
		return -1;
	}
	if (write_pattern(f->fifo, FIFO_DATA, FIFO_SEED)) {
		fail("child: write %s: %m", FIFO_NAME);
		return -1;
	}
	return send_msgs(f->sk[1], to_parent, ARRAY_SIZE(to_parent), 100);
}

/*
 * The child, after restore: its datagrams, the file, the 60000 bytes; then
 * it passes MORE bytes through the pipe to the parent and reads as many
 * back, writes to the FIFO and moves the shared file offset.
 */
static void __attribute__((noreturn)) child(struct files *f)
{
	struct tree_ids ids;
	int ok;

	tree_ids_get(&ids);
	ok = !child_setup(f);
	tree_ready_done(ok);
	if (!ok)
		_exit(1);
	test_waitsig();

	tree_ids_check(&ids, "child");
	if ((fcntl(f->fifo, F_GETFL) & O_ACCMODE) != O_WRONLY)
		fail("child: the FIFO end is not write-only any more");
	if (!readable(f->efd))
		fail("child: the shared eventfd has no count");
	check_msgs(f->sk[1], to_child, ARRAY_SIZE(to_child), 0, "child");
	check_file(f->file, FILE_POS, "child");
	check_data(f->pipe[0], PIPE_DATA, PIPE_SEED, "child: the pipe");
	if (write_pattern(f->pipe[1], MORE, MORE_SEED) || send(f->sk[1], "c", 1, 0) != 1)
		fail("child: can't write to the pipe or the parent: %m");
	if (!await(f->sk[1], 'p', "child"))
		check_data(f->pipe[0], MORE, MORE_SEED + 1,
			   "child: the parent's bytes in the pipe");
	if (write_pattern(f->fifo, MORE, MORE_SEED + 2))
		fail("child: can't write to the FIFO: %m");
	if (lseek(f->file, FILE_POS2, SEEK_SET) != FILE_POS2)
		fail("child: lseek: %m");
	_exit(test_failures() ? 1 : EXIT_OK);
}

/* Set-up in the parent, before the fork. */
static int setup(struct files *f)
{
	uint64_t v = EFD_COUNT;

	if (pipe(f->pipe) || write_pattern(f->pipe[1], PIPE_DATA, PIPE_SEED)) {
		fail("pipe: %m");
		return -1;
	}
	f->efd = eventfd(0, EFD_NONBLOCK);
	if (f->efd < 0 || write(f->efd, &v, sizeof(v)) != sizeof(v)) {
		fail("eventfd: %m");
		return -1;
	}
	f->file = open(FILE_NAME, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (f->file < 0 || write_pattern(f->file, FILE_SIZE, FILE_SEED) ||
	    lseek(f->file, FILE_POS, SEEK_SET) != FILE_POS || unlink(FILE_NAME)) {
		fail("%s: %m", FILE_NAME);
		return -1;
	}
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, f->sk) ||
	    send_msgs(f->sk[0], to_child, ARRAY_SIZE(to_child), 0)) {
		fail("socketpair: %m");
		return -1;
	}
	/* non-blocking, so that the child's open for writing does not wait */
	if (mkfifo(FIFO_NAME, 0600) || (f->fifo = open(FIFO_NAME, O_RDONLY | O_NONBLOCK)) < 0) {
		fail("%s: %m", FIFO_NAME);
		return -1;
	}
	return 0;
}

/* The parent, after restore: what it holds, then the exchange with the child. */
static void parent(struct files *f, pid_t pid)
{
	uint64_t v = 0;
	char c = 'x';

	if ((fcntl(f->fifo, F_GETFL) & (O_ACCMODE | O_NONBLOCK)) != (O_RDONLY | O_NONBLOCK))
		fail("parent: the FIFO end has flags 0%o", fcntl(f->fifo, F_GETFL));
	check_data(f->fifo, FIFO_DATA, FIFO_SEED, "parent: the FIFO");
	check_msgs(f->sk[0], to_parent, ARRAY_SIZE(to_parent), 100, "parent");
	check_file(f->file, FILE_POS, "parent");
	if (!readable(f->efd) || !(fcntl(f->efd, F_GETFL) & O_NONBLOCK))
		fail("parent: the eventfd has no count or blocks");
	if (queued(f->pipe[0]) != PIPE_DATA)
		fail("parent: the pipe holds %d bytes, want %d", queued(f->pipe[0]), PIPE_DATA);

	kill(pid, SIGTERM);
	if (!await(f->sk[0], 'c', "parent")) {
		check_data(f->pipe[0], MORE, MORE_SEED, "parent: the child's bytes in the pipe");
		if (write_pattern(f->pipe[1], MORE, MORE_SEED + 1) ||
		    send(f->sk[0], "p", 1, 0) != 1)
			fail("parent: can't write to the pipe or the child: %m");
	}
	tree_reap(pid, EXIT_OK, "child");

	/* the child is gone: its reads and writes, its offset are what is left */
	if (queued(f->pipe[0]) != 0 || write(f->pipe[1], &c, 1) != 1 ||
	    read(f->pipe[0], &c, 1) != 1)
		fail("parent: the pipe is not empty or does not carry data");
	check_data(f->fifo, MORE, MORE_SEED + 2, "parent: the child's bytes in the FIFO");
	if (read(f->fifo, &c, 1) != 0)
		fail("parent: the FIFO has a writer left or more data");
	if (read(f->efd, &v, sizeof(v)) != sizeof(v) || v != EFD_COUNT)
		fail("parent: the eventfd counts %llu, want %llu", (unsigned long long)v,
		     EFD_COUNT);
	if (read(f->efd, &v, sizeof(v)) != -1 || errno != EAGAIN)
		fail("parent: the eventfd has a count after a read");
	if (lseek(f->file, 0, SEEK_CUR) != FILE_POS2)
		fail("parent: the child's lseek did not move the shared offset");
}

int main(int argc, char **argv)
{
	struct files f;
	struct tree_ids ids;
	pid_t pid;

	test_init(argc, argv);
	if (tree_ready_init() || setup(&f))
		return 1;
	tree_ids_get(&ids);
	ids.ppid = 0;
	pid = fork();
	if (pid == 0)
		child(&f);
	if (pid < 0) {
		fail("fork: %m");
		return 1;
	}
	close(f.sk[1]);
	if (tree_ready_wait(1)) {
		kill(pid, SIGKILL);
		return 1;
	}
	test_daemon();
	test_waitsig();

	tree_ids_check(&ids, "root");
	parent(&f, pid);
	return test_result();
}
