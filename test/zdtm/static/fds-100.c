// SPDX-License-Identifier: GPL-2.0
/*
 * fds-100: one task with 100 fds of mixed kinds at scattered numbers from
 * 3 to 933: 61 on five regular files (every access mode with O_APPEND,
 * O_NONBLOCK, O_NOATIME, O_DSYNC or O_SYNC, some past the end, three
 * groups of dups sharing an offset), 6 pipes (empty, full, resized, with
 * dups), a stream and a datagram socketpair with data queued, eventfds,
 * timerfds, a signalfd with a signal pending, an epoll instance watching
 * six of them, inotify, a memfd, /dev/null, directories and O_PATH fds;
 * about a third with FD_CLOEXEC. After restore every fd has its kind,
 * file, flags, FD_CLOEXEC and offset, the same fds share an open file and
 * an inode as before, and each one holds its data and still works.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "zdtmtst.h"

#define NR_FDS		100
#define STAGE_FD	960	/* new fds wait here, above every slot, before taking theirs */
#define FLAG_MASK	(O_ACCMODE | O_APPEND | O_NONBLOCK | O_DSYNC | O_SYNC | O_NOATIME | \
			 O_PATH | O_DIRECTORY)
#define KCMP_FILE	0
#define DIR_NAME	"fds-100.d"
#define MEMFD_NAME	"fds-100 memfd"
#define MEMFD_SIZE	10000
#define MEMFD_POS	5000
#define EFD_COUNT	42424242ULL
#define HOUR		3600

enum kind { REG, DIR_, OPATH, DEVNULL, PIPE, SOCK, EVENTFD, TIMERFD, SIGNALFD, EPOLL, INOTIFY,
	    MEMFD };

static const char *const kind_names[] = {
	[REG] = "file", [DIR_] = "directory", [OPATH] = "O_PATH", [DEVNULL] = "/dev/null",
	[PIPE] = "pipe", [SOCK] = "socket", [EVENTFD] = "eventfd", [TIMERFD] = "timerfd",
	[SIGNALFD] = "signalfd", [EPOLL] = "epoll", [INOTIFY] = "inotify", [MEMFD] = "memfd",
};

/* What /proc/self/fd/N must start with; NULL: a path, compared whole. */
static const char *const kind_links[] = {
	[PIPE] = "pipe:[", [SOCK] = "socket:[", [EVENTFD] = "anon_inode:[eventfd]",
	[TIMERFD] = "anon_inode:[timerfd]", [SIGNALFD] = "anon_inode:[signalfd]",
	[EPOLL] = "anon_inode:[eventpoll]", [INOTIFY] = "anon_inode:inotify",
	[MEMFD] = "/memfd:" MEMFD_NAME " (deleted)",
};

struct slot {
	int fd;
	enum kind kind;
	int obj;	/* the first slot of its open file description */
	int want_fl;	/* the flags it was opened with (FLAG_MASK), or -1 */
	int cloexec;
	int aux;	/* REG: the file; PIPE, SOCK: the index of the pair */
	/* taken once set up, compared after restore */
	int fl;
	off_t pos;
	struct stat st;
	char link[PATH_MAX];
};

static struct slot slots[NR_FDS];
static int nr_slots;

/* Regular files: sizes and pattern seeds. */
static const size_t file_sizes[] = { 0, 1000, 4096, 20000, 70001 };
#define NR_FILES ((int)ARRAY_SIZE(file_sizes))
#define FILE_SEED(i) (100 + (i))

static const int reg_modes[] = {
	O_RDONLY, O_WRONLY, O_RDWR, O_RDWR | O_APPEND, O_WRONLY | O_APPEND,
	O_RDONLY | O_NONBLOCK, O_RDWR | O_NOATIME, O_WRONLY | O_DSYNC, O_RDONLY | O_SYNC,
	O_RDWR | O_APPEND | O_NONBLOCK,
};

/* Pipes: bytes queued, pipe size (0: default), pipe2 flags. */
static const struct {
	int len, size, flags;
} pipe_specs[] = {
	{ 1000, 0, 0 }, { 65536, 0, 0 }, { 0, 0, 0 }, { 1, 0, O_NONBLOCK },
	{ 4097, 0, O_CLOEXEC }, { 100000, 256 << 10, 0 },
};
#define NR_PIPES ((int)ARRAY_SIZE(pipe_specs))
#define PIPE_SEED(i) (200 + (i))

static struct {
	int rd, wr;	/* slots */
	int size;	/* F_GETPIPE_SZ once set up */
} pipes[NR_PIPES];

/* Socketpairs: stream (bytes each way) and datagram (messages a to b). */
#define STREAM_AB	3000
#define STREAM_BA	100
static const size_t dgram_sizes[] = { 10, 0, 2000 };
static struct {
	int a, b;	/* slots */
} socks[2];

/* Slots of the single ones. */
static int s_efd, s_sem, s_timer, s_idle_timer, s_sigfd, s_epoll, s_inotify, s_memfd;
static int s_dir_sub;
static int groups[3][3];	/* regular-file dups sharing an offset; -1 ends */

/* Epoll watches: slot, events, data; which are ready after restore. */
static struct {
	int *slot;
	uint32_t events;
	uint64_t data;
	int ready;
} watches[] = {
	{ &pipes[0].rd, EPOLLIN, 0xa0, 1 },  { &pipes[2].rd, EPOLLIN, 0xa2, 0 },
	{ &pipes[1].wr, EPOLLOUT, 0xa1, 0 }, { &s_efd, EPOLLIN, 0xe0, 1 },
	{ &s_timer, EPOLLIN, 0x70, 0 },	     { &socks[0].b, EPOLLIN, 0x50, 1 },
};

static char buf[256 << 10], want[256 << 10];
static struct timespec t0;

/* Slot numbers spread over 3..943, all different (941 is prime). */
static int fd_of(int i)
{
	return 3 + (i * 389) % 941;
}

static int stage(int fd)
{
	int staged = fd < 0 ? -1 : fcntl(fd, F_DUPFD, STAGE_FD);

	if (fd >= 0)
		close(fd);
	return staged;
}

/* Move a staged fd to the next slot; the slot's index, or -1. */
static int place(int staged, enum kind kind, int obj, int want_fl, int cloexec, int aux)
{
	struct slot *s = &slots[nr_slots];

	if (staged < 0 || nr_slots == NR_FDS) {
		fail("can't set up slot %d (%s): %m", nr_slots, kind_names[kind]);
		return -1;
	}
	s->fd = fd_of(nr_slots);
	if (dup3(staged, s->fd, cloexec ? O_CLOEXEC : 0) != s->fd) {
		fail("dup3 to %d: %m", s->fd);
		return -1;
	}
	close(staged);
	s->kind = kind;
	s->obj = obj < 0 ? nr_slots : obj;
	s->want_fl = want_fl;
	s->cloexec = cloexec;
	s->aux = aux;
	return nr_slots++;
}

static int dup_slot(int of, int cloexec)
{
	struct slot *s = &slots[of];

	return place(fcntl(s->fd, F_DUPFD, STAGE_FD), s->kind, s->obj, s->want_fl, cloexec, s->aux);
}

static int open_slot(const char *path, int flags, enum kind kind, int cloexec, int aux)
{
	return place(stage(open(path, flags)), kind, -1, flags & FLAG_MASK, cloexec, aux);
}

static void file_name(int i, char *name, size_t len)
{
	snprintf(name, len, "fds-100.%d", i);
}

static int make_files(void)
{
	char name[32];

	for (int i = 0; i < NR_FILES; i++) {
		int fd;

		file_name(i, name, sizeof(name));
		fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		pattern_fill(buf, file_sizes[i], FILE_SEED(i));
		if (fd < 0 || write(fd, buf, file_sizes[i]) != (ssize_t)file_sizes[i] || close(fd))
			return -1;
	}
	if (mkdir(DIR_NAME, 0700) || close(open(DIR_NAME "/in", O_CREAT | O_WRONLY, 0600)))
		return -1;
	return 0;
}

/* A regular-file slot at an offset, maybe past the end of the file. */
static int reg_slot(int file, int mode, int cloexec, off_t pos)
{
	char name[32];
	int i;

	file_name(file, name, sizeof(name));
	i = open_slot(name, mode, REG, cloexec, file);
	if (i >= 0 && lseek(slots[i].fd, pos, SEEK_SET) != pos) {
		fail("lseek %s: %m", name);
		return -1;
	}
	return i;
}

static int setup_regs(void)
{
	static const struct {
		int file, mode;
		off_t pos;
	} group_specs[] = {
		{ 3, O_RDWR, 1234 }, { 4, O_RDONLY, 65000 }, { 1, O_RDWR | O_APPEND, 10 },
	};
	int nr = 0;

	/* the first group has three fds, the others two */
	for (int g = 0; g < (int)ARRAY_SIZE(group_specs); g++) {
		groups[g][0] = reg_slot(group_specs[g].file, group_specs[g].mode, 0,
					group_specs[g].pos);
		groups[g][1] = groups[g][0] < 0 ? -1 : dup_slot(groups[g][0], 1);
		groups[g][2] = g || groups[g][1] < 0 ? -1 : dup_slot(groups[g][0], 0);
		if (groups[g][1] < 0 || (!g && groups[g][2] < 0))
			return -1;
		nr += g ? 2 : 3;
	}
	for (int i = 0; nr < 61; i++, nr++) {
		int file = i % NR_FILES, mode = reg_modes[(i / NR_FILES) % ARRAY_SIZE(reg_modes)];

		if (reg_slot(file, mode, i % 3 == 1, (i * 7919) % (file_sizes[file] + 3000)) < 0)
			return -1;
	}
	return 0;
}

static int write_pattern(int fd, size_t len, uint64_t seed)
{
	pattern_fill(buf, len, seed);
	return write(fd, buf, len) == (ssize_t)len ? 0 : -1;
}

static int setup_pipes(void)
{
	for (int i = 0; i < NR_PIPES; i++) {
		int p[2];

		if (pipe2(p, pipe_specs[i].flags)) {
			fail("pipe2: %m");
			return -1;
		}
		if ((pipe_specs[i].size && fcntl(p[1], F_SETPIPE_SZ, pipe_specs[i].size) < 0) ||
		    write_pattern(p[1], pipe_specs[i].len, PIPE_SEED(i))) {
			fail("pipe %d: %m", i);
			return -1;
		}
		p[0] = stage(p[0]);
		p[1] = stage(p[1]);
		pipes[i].size = fcntl(p[0], F_GETPIPE_SZ);
		pipes[i].rd = place(p[0], PIPE, -1, O_RDONLY | (pipe_specs[i].flags & O_NONBLOCK),
				    pipe_specs[i].flags & O_CLOEXEC, i);
		pipes[i].wr = place(p[1], PIPE, -1, O_WRONLY | (pipe_specs[i].flags & O_NONBLOCK),
				    pipe_specs[i].flags & O_CLOEXEC, i);
		if (pipes[i].rd < 0 || pipes[i].wr < 0)
			return -1;
	}
	/* the full pipe's writer does not block; two ends get a second fd */
	if (fcntl(slots[pipes[1].wr].fd, F_SETFL, O_NONBLOCK) || dup_slot(pipes[0].wr, 0) < 0 ||
	    dup_slot(pipes[4].rd, 0) < 0)
		return -1;
	slots[pipes[1].wr].want_fl |= O_NONBLOCK;
	return 0;
}

static int setup_socks(void)
{
	int p[2], q[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, p) || socketpair(AF_UNIX, SOCK_DGRAM, 0, q) ||
	    write_pattern(p[0], STREAM_AB, 300) || write_pattern(p[1], STREAM_BA, 301)) {
		fail("socketpair: %m");
		return -1;
	}
	for (int i = 0; i < (int)ARRAY_SIZE(dgram_sizes); i++)
		if (write_pattern(q[0], dgram_sizes[i], 310 + i)) {
			fail("send: %m");
			return -1;
		}
	p[0] = stage(p[0]);
	p[1] = stage(p[1]);
	q[0] = stage(q[0]);
	q[1] = stage(q[1]);
	socks[0].a = place(p[0], SOCK, -1, -1, 0, 0);
	socks[0].b = place(p[1], SOCK, -1, -1, 1, 0);
	socks[1].a = place(q[0], SOCK, -1, -1, 0, 1);
	socks[1].b = place(q[1], SOCK, -1, -1, 0, 1);
	return socks[0].a < 0 || socks[0].b < 0 || socks[1].a < 0 || socks[1].b < 0 ? -1 : 0;
}

static int setup_anon(void)
{
	struct itimerspec hour = { .it_value = { HOUR, 0 } };
	uint64_t v = EFD_COUNT;
	sigset_t mask;
	int fd;

	fd = eventfd(0, EFD_NONBLOCK);
	if (fd < 0 || write(fd, &v, sizeof(v)) != sizeof(v))
		return -1;
	s_efd = place(stage(fd), EVENTFD, -1, -1, 0, 0);
	s_sem = place(stage(eventfd(3, EFD_SEMAPHORE)), EVENTFD, -1, -1, 1, 0);
	if (s_efd < 0 || s_sem < 0 || dup_slot(s_efd, 1) < 0)
		return -1;

	fd = timerfd_create(CLOCK_MONOTONIC, 0);
	if (fd < 0 || timerfd_settime(fd, 0, &hour, NULL))
		return -1;
	s_timer = place(stage(fd), TIMERFD, -1, -1, 0, 0);
	s_idle_timer = place(stage(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK)), TIMERFD, -1, -1,
			     1, 0);

	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR1);
	sigaddset(&mask, SIGUSR2);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	s_sigfd = place(stage(signalfd(-1, &mask, SFD_NONBLOCK)), SIGNALFD, -1, -1, 0, 0);
	if (kill(getpid(), SIGUSR2))
		return -1;

	fd = inotify_init1(IN_NONBLOCK);
	if (fd < 0 || inotify_add_watch(fd, DIR_NAME, IN_CREATE) != 1)
		return -1;
	s_inotify = place(stage(fd), INOTIFY, -1, -1, 1, 0);

	fd = memfd_create(MEMFD_NAME, 0);
	if (fd < 0 || write_pattern(fd, MEMFD_SIZE, 400) || lseek(fd, MEMFD_POS, SEEK_SET) < 0)
		return -1;
	s_memfd = place(stage(fd), MEMFD, -1, -1, 0, 0);
	if (s_timer < 0 || s_idle_timer < 0 || s_sigfd < 0 || s_inotify < 0 || s_memfd < 0 ||
	    dup_slot(s_memfd, 0) < 0)
		return -1;
	return 0;
}

static int setup_paths(void)
{
	static const struct {
		const char *path;
		int flags, cloexec;
		enum kind kind;
	} specs[] = {
		{ "/dev/null", O_RDONLY, 0, DEVNULL },
		{ "/dev/null", O_WRONLY | O_APPEND, 0, DEVNULL },
		{ "/dev/null", O_RDWR, 1, DEVNULL },
		{ "/dev/null", O_RDONLY | O_NONBLOCK, 0, DEVNULL },
		{ ".", O_RDONLY | O_DIRECTORY, 0, DIR_ },
		{ DIR_NAME, O_RDONLY | O_DIRECTORY, 1, DIR_ },
		{ "/", O_RDONLY | O_DIRECTORY, 0, DIR_ },
		{ "fds-100.2", O_PATH, 0, OPATH },
		{ DIR_NAME, O_PATH | O_DIRECTORY, 1, OPATH },
		{ "/dev/null", O_PATH, 0, OPATH },
	};

	for (int i = 0; i < (int)ARRAY_SIZE(specs); i++) {
		int s = open_slot(specs[i].path, specs[i].flags, specs[i].kind,
				  specs[i].cloexec, 0);

		if (s < 0)
			return -1;
		if (i == 5)
			s_dir_sub = s;
	}
	return dup_slot(s_dir_sub, 0) < 0 ? -1 : 0;
}

/* After the watched fds have their numbers: epoll keys its watches by fd number. */
static int setup_epoll(void)
{
	int ep = epoll_create1(0);

	if (ep < 0)
		return -1;
	for (int i = 0; i < (int)ARRAY_SIZE(watches); i++) {
		struct epoll_event ev = { .events = watches[i].events,
					  .data.u64 = watches[i].data };

		if (epoll_ctl(ep, EPOLL_CTL_ADD, slots[*watches[i].slot].fd, &ev)) {
			fail("epoll_ctl: %m");
			return -1;
		}
	}
	s_epoll = place(stage(ep), EPOLL, -1, -1, 1, 0);
	return s_epoll < 0 ? -1 : 0;
}

static int kcmp_file(int a, int b)
{
	return syscall(SYS_kcmp, getpid(), getpid(), KCMP_FILE, a, b);
}

static int same_inode(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

static int path_kind(enum kind k)
{
	return k == REG || k == DIR_ || k == OPATH || k == DEVNULL;
}

/* Flags, offset, inode and link of a slot's fd; -1 if it is not open. */
static int take(const struct slot *s, int *fl, off_t *pos, struct stat *st, char *link)
{
	char proc[32];
	ssize_t n;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", s->fd);
	*fl = fcntl(s->fd, F_GETFL);
	*pos = lseek(s->fd, 0, SEEK_CUR);
	n = readlink(proc, link, PATH_MAX - 1);
	if (*fl < 0 || fstat(s->fd, st) || n < 0)
		return -1;
	link[n] = '\0';
	return 0;
}

/* The link names the slot's kind: a path, or a fixed text for the others. */
static int link_is_kind(const struct slot *s, const char *link)
{
	const char *text = kind_links[s->kind];

	if (!text)
		return link[0] == '/';
	if (s->kind == PIPE || s->kind == SOCK)
		return !strncmp(link, text, strlen(text));
	return !strcmp(link, text);
}

/* Set-up done: remember each fd's state and check it is the one intended. */
static int snapshot(void)
{
	for (int i = 0; i < nr_slots; i++) {
		struct slot *s = &slots[i];

		if (take(s, &s->fl, &s->pos, &s->st, s->link) || !link_is_kind(s, s->link) ||
		    (s->want_fl >= 0 && (s->fl & FLAG_MASK) != s->want_fl)) {
			fail("set-up: fd %d (%s) is '%s' with flags 0%o, want 0%o: %m", s->fd,
			     kind_names[s->kind], s->link, s->fl, s->want_fl);
			return -1;
		}
	}
	for (int i = 0; i < nr_slots; i++)
		for (int j = i + 1; j < nr_slots; j++)
			if ((kcmp_file(slots[i].fd, slots[j].fd) == 0) !=
			    (slots[i].obj == slots[j].obj)) {
				fail("set-up: kcmp on fds %d and %d: %m", slots[i].fd, slots[j].fd);
				return -1;
			}
	return 0;
}

static void check_slot(const struct slot *s, struct stat *st)
{
	char link[PATH_MAX];
	int fl, fdfl = fcntl(s->fd, F_GETFD);
	off_t pos;

	if (fdfl < 0 || take(s, &fl, &pos, st, link)) {
		fail("fd %d (%s) is not open: %m", s->fd, kind_names[s->kind]);
		return;
	}
	if (!(fdfl & FD_CLOEXEC) != !s->cloexec)
		fail("fd %d (%s): FD_CLOEXEC is %s", s->fd, kind_names[s->kind],
		     s->cloexec ? "off" : "on");
	if (fl != s->fl || (s->want_fl >= 0 && (fl & FLAG_MASK) != s->want_fl))
		fail("fd %d (%s): flags 0%o, were 0%o", s->fd, kind_names[s->kind], fl, s->fl);
	if (pos != s->pos)
		fail("fd %d (%s): offset %lld, was %lld", s->fd, kind_names[s->kind],
		     (long long)pos, (long long)s->pos);
	if ((st->st_mode & S_IFMT) != (s->st.st_mode & S_IFMT) || !link_is_kind(s, link) ||
	    (path_kind(s->kind) && (strcmp(link, s->link) || !same_inode(st, &s->st))))
		fail("fd %d (%s) is '%s' (mode 0%o), was '%s' (mode 0%o)", s->fd,
		     kind_names[s->kind], link, st->st_mode, s->link, s->st.st_mode);
}

/* Each fd, and which of them share an open file description or an inode. */
static void check_structure(void)
{
	static struct stat now[NR_FDS];

	for (int i = 0; i < nr_slots; i++)
		check_slot(&slots[i], &now[i]);
	for (int i = 0; i < nr_slots; i++)
		for (int j = i + 1; j < nr_slots; j++) {
			const struct slot *a = &slots[i], *b = &slots[j];

			if ((kcmp_file(a->fd, b->fd) == 0) != (a->obj == b->obj))
				fail("fds %d (%s) and %d (%s) %s one open file", a->fd,
				     kind_names[a->kind], b->fd, kind_names[b->kind],
				     a->obj == b->obj ? "are not" : "became");
			if (same_inode(&now[i], &now[j]) != same_inode(&a->st, &b->st))
				fail("fds %d (%s) and %d (%s) %s one inode", a->fd,
				     kind_names[a->kind], b->fd, kind_names[b->kind],
				     same_inode(&a->st, &b->st) ? "are not" : "became");
		}
}

static void check_epoll(void)
{
	struct epoll_event ev[16];
	int n = epoll_wait(slots[s_epoll].fd, ev, ARRAY_SIZE(ev), 0);
	unsigned int got = 0, expect = 0;

	for (int i = 0; i < (int)ARRAY_SIZE(watches); i++)
		expect |= watches[i].ready << i;
	for (int i = 0; i < n; i++) {
		int w = 0;

		while (w < (int)ARRAY_SIZE(watches) && watches[w].data != ev[i].data.u64)
			w++;
		got |= 1U << w;
	}
	if (n < 0 || got != expect)
		fail("epoll: ready watches %#x (%d events), want %#x", got, n, expect);
}

/* Read len bytes queued in fd (never waiting) and check the pattern. */
static void check_queue(int fd, size_t len, uint64_t seed, const char *what)
{
	size_t done = 0;
	int q = -1;

	if (ioctl(fd, FIONREAD, &q) || q != (int)len) {
		fail("%s (fd %d): %d bytes queued, want %zu", what, fd, q, len);
		return;
	}
	while (done < len) {
		ssize_t n = read(fd, buf + done, len - done);

		if (n <= 0) {
			fail("%s (fd %d): read after %zu bytes: %m", what, fd, done);
			return;
		}
		done += n;
	}
	if (pattern_check(buf, len, seed) >= 0)
		fail("%s (fd %d): the data changed", what, fd);
}

static void check_regs(void)
{
	for (int i = 0; i < nr_slots; i++) {
		const struct slot *s = &slots[i];
		size_t size = s->kind == REG ? file_sizes[s->aux] : 0;

		if (s->kind != REG || (s->fl & O_ACCMODE) == O_WRONLY)
			continue;
		if (pread(s->fd, buf, size + 1, 0) != (ssize_t)size ||
		    pattern_check(buf, size, FILE_SEED(s->aux)) >= 0)
			fail("fd %d: fds-100.%d does not read back", s->fd, s->aux);
	}
}

/* Moving the offset through one fd of a group moves it for the others. */
static void check_shared_offsets(void)
{
	for (int g = 0; g < (int)ARRAY_SIZE(groups); g++) {
		int a = slots[groups[g][0]].fd, b = slots[groups[g][1]].fd;
		int c = groups[g][2] < 0 ? a : slots[groups[g][2]].fd;
		int file = slots[groups[g][0]].aux;
		off_t x = 100 + 7 * g;

		pattern_fill(want, x + 16, FILE_SEED(file));
		if (lseek(a, x, SEEK_SET) != x || read(b, buf, 16) != 16 ||
		    memcmp(buf, want + x, 16) || lseek(c, 0, SEEK_CUR) != x + 16)
			fail("fds %d, %d, %d do not share their offset", a, b, c);
	}
}

/* Writes through each O_APPEND fd go to the end of its file. */
static void check_append(void)
{
	for (int i = 0; i < nr_slots; i++) {
		const struct slot *s = &slots[i];
		struct stat st;

		if (s->kind != REG || !(s->fl & O_APPEND) || fstat(s->fd, &st))
			continue;
		if (write(s->fd, "appended", 8) != 8 || lseek(s->fd, 0, SEEK_CUR) != st.st_size + 8)
			fail("fd %d: a write did not go to the end of fds-100.%d", s->fd, s->aux);
	}
}

static void check_pipes(void)
{
	char c;

	if (write(slots[pipes[1].wr].fd, "x", 1) != -1 || errno != EAGAIN)
		fail("the full pipe takes more data");
	for (int i = 0; i < NR_PIPES; i++) {
		int rd = slots[pipes[i].rd].fd, nw = 0;

		if (fcntl(rd, F_GETPIPE_SZ) != pipes[i].size)
			fail("pipe %d holds %d bytes, want %d", i, fcntl(rd, F_GETPIPE_SZ),
			     pipes[i].size);
		check_queue(rd, pipe_specs[i].len, PIPE_SEED(i), "pipe");
		/* a byte through every write end, read back through every read end */
		for (int k = 0; k < nr_slots; k++)
			if (slots[k].kind == PIPE && slots[k].aux == i &&
			    (slots[k].fl & O_ACCMODE) == O_WRONLY)
				nw += write(slots[k].fd, "p", 1) == 1;
		for (int k = 0; k < nr_slots && nw; k++)
			if (slots[k].kind == PIPE && slots[k].aux == i &&
			    (slots[k].fl & O_ACCMODE) == O_RDONLY)
				nw -= read(slots[k].fd, &c, 1) == 1 && c == 'p';
		while (nw && read(rd, &c, 1) == 1 && c == 'p')
			nw--;
		if (nw || ioctl(rd, FIONREAD, &nw) || nw)
			fail("pipe %d does not carry data between its ends", i);
	}
}

static void check_socks(void)
{
	int a = slots[socks[0].a].fd, b = slots[socks[0].b].fd;
	int qa = slots[socks[1].a].fd, qb = slots[socks[1].b].fd;
	char c = 0;

	check_queue(b, STREAM_AB, 300, "stream socket");
	check_queue(a, STREAM_BA, 301, "stream socket");
	if (send(a, "s", 1, 0) != 1 || recv(b, &c, 1, MSG_DONTWAIT) != 1 || c != 's')
		fail("the stream socketpair does not carry data");
	for (int i = 0; i < (int)ARRAY_SIZE(dgram_sizes); i++) {
		ssize_t n = recv(qb, buf, sizeof(buf), MSG_DONTWAIT);

		pattern_fill(want, dgram_sizes[i], 310 + i);
		if (n != (ssize_t)dgram_sizes[i] || memcmp(buf, want, n))
			fail("datagram %d: %zd bytes, want %zu, or its data changed", i, n,
			     dgram_sizes[i]);
	}
	if (recv(qb, buf, 1, MSG_DONTWAIT) != -1 || send(qb, "d", 1, 0) != 1 ||
	    recv(qa, &c, 1, MSG_DONTWAIT) != 1 || c != 'd')
		fail("the datagram socketpair has more data or does not carry it");
}

static void check_anon(void)
{
	struct signalfd_siginfo si;
	struct itimerspec it;
	struct timespec t;
	uint64_t v = 0;
	double left, elapsed;
	char ev[512] __attribute__((aligned(8)));
	struct inotify_event *ie = (struct inotify_event *)ev;
	int efd = slots[s_efd].fd, sem = slots[s_sem].fd;

	if (read(efd, &v, sizeof(v)) != sizeof(v) || v != EFD_COUNT)
		fail("eventfd counts %llu, want %llu", (unsigned long long)v, EFD_COUNT);
	for (int i = 0; i < 3; i++)
		if (read(sem, &v, sizeof(v)) != sizeof(v) || v != 1)
			fail("semaphore eventfd: read %d gave %llu", i, (unsigned long long)v);

	clock_gettime(CLOCK_MONOTONIC, &t);
	elapsed = t.tv_sec - t0.tv_sec + (t.tv_nsec - t0.tv_nsec) / 1e9;
	timerfd_gettime(slots[s_timer].fd, &it);
	left = it.it_value.tv_sec + it.it_value.tv_nsec / 1e9;
	if (left > HOUR || left < HOUR - elapsed - 1)
		fail("the hour timer has %.3f s left after %.3f s", left, elapsed);
	timerfd_gettime(slots[s_idle_timer].fd, &it);
	if (it.it_value.tv_sec || it.it_value.tv_nsec ||
	    read(slots[s_idle_timer].fd, &v, sizeof(v)) != -1 || errno != EAGAIN)
		fail("the disarmed timer is armed or has ticks");

	if (read(slots[s_sigfd].fd, &si, sizeof(si)) != sizeof(si) || si.ssi_signo != SIGUSR2 ||
	    kill(getpid(), SIGUSR1) || read(slots[s_sigfd].fd, &si, sizeof(si)) != sizeof(si) ||
	    si.ssi_signo != SIGUSR1 || read(slots[s_sigfd].fd, &si, sizeof(si)) != -1)
		fail("the signalfd does not read the pending SIGUSR2, then SIGUSR1");

	if (close(open(DIR_NAME "/new", O_CREAT | O_WRONLY, 0600)) ||
	    read(slots[s_inotify].fd, ev, sizeof(ev)) < (ssize_t)sizeof(*ie) || ie->wd != 1 ||
	    !(ie->mask & IN_CREATE) || !ie->len || strcmp(ie->name, "new"))
		fail("inotify reports no creation in %s", DIR_NAME);

	pattern_fill(want, MEMFD_SIZE, 400);
	if (pread(slots[s_memfd].fd, buf, MEMFD_SIZE + 1, 0) != MEMFD_SIZE ||
	    memcmp(buf, want, MEMFD_SIZE))
		fail("the memfd does not read back");
}

static void check_paths(void)
{
	struct stat st;

	for (int i = 0; i < nr_slots; i++) {
		const struct slot *s = &slots[i];
		int acc = s->fl & O_ACCMODE;

		if (s->kind == DEVNULL && ((acc != O_WRONLY && read(s->fd, buf, 1) != 0) ||
					   (acc != O_RDONLY && write(s->fd, "n", 1) != 1)))
			fail("fd %d on /dev/null does not read or write", s->fd);
		if (s->kind == OPATH && (read(s->fd, buf, 1) != -1 || errno != EBADF))
			fail("fd %d reads: it is not O_PATH", s->fd);
	}
	if (fstatat(slots[s_dir_sub].fd, "in", &st, 0) || !S_ISREG(st.st_mode))
		fail("the directory fd does not find its file: %m");
}

int main(int argc, char **argv)
{
	test_init(argc, argv);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (make_files()) {
		fail("set-up: %m");
		return 1;
	}
	if (setup_regs() || setup_pipes() || setup_socks() || setup_paths() || setup_anon() ||
	    setup_epoll()) {
		fail("set-up failed at slot %d: %m", nr_slots);
		return 1;
	}
	if (nr_slots != NR_FDS) {
		fail("set-up made %d fds, want %d", nr_slots, NR_FDS);
		return 1;
	}
	if (snapshot())
		return 1;
	test_daemon();
	test_waitsig();

	check_structure();
	check_epoll();
	check_regs();
	check_pipes();
	check_socks();
	check_anon();
	check_paths();
	check_shared_offsets();
	check_append();
	return test_result();
}
