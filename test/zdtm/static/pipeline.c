// SPDX-License-Identifier: GPL-2.0
/*
 * pipeline: two sibling children joined by a pipe the root does not hold.
 * The producer writes numbered 24-byte records in batches of 1 to 64 as
 * fast as the pipe takes them; the consumer reads 777 bytes at a time
 * with short sleeps, so that the pipe is mostly full and records straddle
 * reads. The stream flows through the dump and the restore. On SIGTERM
 * the root tells the consumer to stop, which it does after three pipes'
 * worth of records more (so some were written after the restore); every
 * record must come exactly once and in order. Then the producer stops at
 * its next write (EPIPE) or SIGTERM, and the root reaps both.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "zdtmtst.h"

#define MAX_BATCH	64
#define READ_CHUNK	777	/* not a multiple of the record size */
#define READY_RECS	100	/* the consumer is ready once the stream flows */
#define WAIT_MS		10000
#define MUL		0x9e3779b97f4a7c15ULL

enum { PRODUCER, CONSUMER, NR_KIDS };

static const char *const names[NR_KIDS] = { "producer", "consumer" };

#define EXIT_OK(i)	(10 + (i))

struct rec {
	uint64_t seq, mul, inv;
};

static void make_rec(struct rec *r, uint64_t seq)
{
	r->seq = seq;
	r->mul = seq * MUL;
	r->inv = ~seq;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Write all of buf, through partial writes and interruptions; -errno on error. */
static int write_all(int fd, const void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = write(fd, (const char *)buf + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		done += n;
	}
	return 0;
}

/* Records 0, 1, 2, ... until the consumer is gone or SIGTERM. */
static void __attribute__((noreturn)) producer(int wr)
{
	static struct rec batch[MAX_BATCH];
	struct tree_ids ids;
	uint32_t rnd = 12345;
	uint64_t seq = 0;
	int ret = 0;

	tree_ids_get(&ids);
	signal(SIGPIPE, SIG_IGN);
	tree_ready_done(1);
	while (!test_sigterm) {
		int n;

		rnd = rnd * 1103515245 + 12345;
		n = 1 + (rnd >> 16) % MAX_BATCH;
		for (int i = 0; i < n; i++)
			make_rec(&batch[i], seq + i);
		ret = write_all(wr, batch, n * sizeof(batch[0]));
		if (ret)
			break;
		seq += n;
	}
	if (ret && ret != -EPIPE)
		fail("producer: write after record %llu: %s", (unsigned long long)seq,
		     strerror(-ret));
	test_msg("producer: %llu records written\n", (unsigned long long)seq);
	tree_ids_check(&ids, names[PRODUCER]);
	_exit(test_failures() ? 1 : EXIT_OK(PRODUCER));
}

/* Wait for data; 1 when there is some, 0 on SIGTERM, -1 on timeout. */
static int wait_data(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int n = poll(&p, 1, WAIT_MS);

	if (n < 0 && errno == EINTR)
		return 0;
	return n > 0 ? 1 : -1;
}

struct stream {
	uint64_t next;		/* the record expected next */
	uint64_t mark;		/* next when SIGTERM came, or ~0 */
	double last, pause;	/* time of the last read, longest time between reads */
	uint64_t pause_at;	/* the record after the longest pause */
	size_t have;		/* bytes of a record split between reads */
	unsigned char buf[READ_CHUNK + sizeof(struct rec)];
};

/* Check the whole records read; -1 at the first one out of sequence. */
static int take_records(struct stream *s)
{
	size_t off = 0;
	struct rec r, want;

	for (; off + sizeof(r) <= s->have; off += sizeof(r)) {
		memcpy(&r, s->buf + off, sizeof(r));
		make_rec(&want, s->next);
		if (memcmp(&r, &want, sizeof(r))) {
			fail("consumer: record %llu came as %llu (%llx %llx)",
			     (unsigned long long)s->next, (unsigned long long)r.seq,
			     (unsigned long long)r.mul, (unsigned long long)r.inv);
			return -1;
		}
		s->next++;
	}
	memmove(s->buf, s->buf + off, s->have - off);
	s->have -= off;
	return 0;
}

/* Read one chunk and check it; 1 to go on, 0 to stop, -1 on failure. */
static int consume(struct stream *s, int rd)
{
	double t;
	ssize_t n;
	int w = wait_data(rd);

	if (w < 0) {
		fail("consumer: no data for %d ms after record %llu", WAIT_MS,
		     (unsigned long long)s->next);
		return -1;
	}
	if (!w)
		return 1;
	n = read(rd, s->buf + s->have, READ_CHUNK);
	if (n < 0 && errno == EINTR)
		return 1;
	if (n <= 0) {
		fail("consumer: the stream ended (%s) after record %llu",
		     n ? strerror(errno) : "EOF", (unsigned long long)s->next);
		return -1;
	}
	t = now_ms();
	if (t - s->last > s->pause) {
		s->pause = t - s->last;
		s->pause_at = s->next;
	}
	s->last = t;
	s->have += n;
	return take_records(s) ? -1 : 1;
}

/*
 * Reads until, after SIGTERM, it has had `after` records more: more than
 * the pipe holds, so some of them were written after the restore.
 */
static void __attribute__((noreturn)) consumer(int rd)
{
	static struct stream s;
	uint64_t after = 3 * fcntl(rd, F_GETPIPE_SZ) / sizeof(struct rec);
	struct tree_ids ids;
	int ready = 0, ret, reads = 0;

	tree_ids_get(&ids);
	s.mark = ~0ULL;
	s.last = now_ms();
	while ((ret = consume(&s, rd)) > 0) {
		if (test_sigterm && s.mark == ~0ULL)
			s.mark = s.next;
		if (s.mark != ~0ULL && s.next >= s.mark + after)
			break;
		if (!ready && s.next >= READY_RECS) {
			tree_ready_done(1);
			ready = 1;
		}
		if (++reads % 2 == 0)
			test_sleep_ms(1);
	}
	if (!ready)
		tree_ready_done(0);
	test_msg("consumer: %llu records in order, %llu after SIGTERM; the longest pause, "
		 "%.0f ms, before record %llu\n", (unsigned long long)s.next,
		 (unsigned long long)(s.mark == ~0ULL ? 0 : s.next - s.mark), s.pause,
		 (unsigned long long)s.pause_at);
	tree_ids_check(&ids, names[CONSUMER]);
	_exit(ret < 0 || test_failures() ? 1 : EXIT_OK(CONSUMER));
}

int main(int argc, char **argv)
{
	pid_t pids[NR_KIDS] = { 0 };
	struct tree_ids ids;
	int p[2];

	test_init(argc, argv);
	if (tree_ready_init() || pipe(p)) {
		fail("set-up: %m");
		return 1;
	}
	tree_ids_get(&ids);
	ids.ppid = 0;
	for (int i = 0; i < NR_KIDS; i++) {
		pids[i] = fork();
		if (pids[i] < 0) {
			fail("fork: %m");
			return 1;
		}
		if (pids[i] == 0) {
			close(p[i == PRODUCER ? 0 : 1]);
			if (i == PRODUCER)
				producer(p[1]);
			consumer(p[0]);
		}
	}
	close(p[0]);
	close(p[1]);
	if (tree_ready_wait(NR_KIDS)) {
		for (int i = 0; i < NR_KIDS; i++)
			kill(pids[i], SIGKILL);
		return 1;
	}
	test_daemon();
	test_waitsig();

	tree_ids_check(&ids, "root");
	/* the consumer first: the producer then stops on EPIPE if not on SIGTERM */
	kill(pids[CONSUMER], SIGTERM);
	tree_reap(pids[CONSUMER], EXIT_OK(CONSUMER), names[CONSUMER]);
	kill(pids[PRODUCER], SIGTERM);
	tree_reap(pids[PRODUCER], EXIT_OK(PRODUCER), names[PRODUCER]);
	return test_result();
}
