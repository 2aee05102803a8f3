// SPDX-License-Identifier: GPL-2.0
/*
 * timerfd: clock, flags, interval, the time left and the expiries not yet
 * read, from fdinfo. Its part of files.img is timerfd_entry (tfd). Restore
 * arms a new timer in criu: relative timers with the time they had left,
 * absolute ones at their absolute expiry; pending ticks are set with
 * TFD_IOC_SET_TICKS (a CONFIG_CHECKPOINT_RESTORE ioctl).
 */
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define LOG_PREFIX "timerfd: "
#include "anon-fd.h"
#include "arena.h"
#include "log.h"
#include "proc-fdinfo.h"

#ifndef TFD_IOC_SET_TICKS
#define TFD_IOC_SET_TICKS _IOW('T', 0, uint64_t)
#endif

#define NSEC_PER_SEC 1000000000ULL
#define TIMERFD_SETTIME_FLAGS (TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET)
#define TIMERFD_MAX_SEC (1ULL << 40)	/* far beyond any real timer, far from overflow */

struct timerfd_state {
	uint32_t flags;
	uint32_t clockid;
	uint32_t settime_flags;
	uint64_t ticks;
	struct timespec value;		/* time left; zero when disarmed */
	struct timespec interval;
	bool has_abs;
	struct timespec abs;		/* absolute expiry of a TFD_TIMER_ABSTIME timer */
};

static bool timerfd_match(const struct fd_parms *p)
{
	return !strcmp(p->link, "anon_inode:[timerfd]");
}

static bool clock_ok(uint32_t c)
{
	return c == CLOCK_REALTIME || c == CLOCK_MONOTONIC || c == CLOCK_BOOTTIME ||
	       c == CLOCK_REALTIME_ALARM || c == CLOCK_BOOTTIME_ALARM;
}

static bool armed(const struct timerfd_state *s)
{
	return s->value.tv_sec || s->value.tv_nsec;
}

static void ts_add(struct timespec *r, const struct timespec *a, const struct timespec *b)
{
	r->tv_sec = a->tv_sec + b->tv_sec;
	r->tv_nsec = a->tv_nsec + b->tv_nsec;
	if (r->tv_nsec >= (long)NSEC_PER_SEC) {
		r->tv_sec++;
		r->tv_nsec -= NSEC_PER_SEC;
	}
}

static int timerfd_dump(struct file_ids *f, const struct fd_parms *p, uint32_t *id)
{
	struct fdinfo_timerfd t;
	struct timerfd_state *s;
	struct file_entry *fe;

	if (anon_check_flags(p, O_RDWR, O_NONBLOCK, "a timerfd"))
		return -1;
	if (proc_parse_timerfd(p->fi->extra, &t)) {
		pr_err("%s: can't read the state of the timerfd\n", p->what);
		return -1;
	}
	if (!clock_ok(t.clockid) || t.settime_flags & ~TIMERFD_SETTIME_FLAGS) {
		pr_err("%s: timerfd on clock %d with flags 0%o is not supported\n", p->what,
		       t.clockid, t.settime_flags);
		return -1;
	}
	fe = anon_new_entry(f, FILE_KIND_TIMERFD, sizeof(*s));
	if (!fe)
		return -1;
	s = fe->priv;
	s->flags = p->fi->flags;
	s->clockid = t.clockid;
	s->settime_flags = t.settime_flags;
	s->ticks = t.ticks;
	s->value = (struct timespec){ t.value_sec, t.value_nsec };
	s->interval = (struct timespec){ t.interval_sec, t.interval_nsec };
	/* fdinfo shows the time left; an absolute timer must keep its absolute expiry */
	if (armed(s) && s->settime_flags & TFD_TIMER_ABSTIME) {
		struct timespec now;

		if (clock_gettime(s->clockid, &now)) {
			pr_perror("%s: can't read clock %u", p->what, s->clockid);
			return -1;
		}
		ts_add(&s->abs, &now, &s->value);
		s->has_abs = true;
	}
	*id = fe->id;
	pr_debug("%s is a timerfd on clock %u: %lld.%09ld left, every %lld.%09ld, %llu ticks\n",
		 p->what, s->clockid, (long long)s->value.tv_sec, s->value.tv_nsec,
		 (long long)s->interval.tv_sec, s->interval.tv_nsec,
		 (unsigned long long)s->ticks);
	return 0;
}

static int timerfd_to_image(const struct file_entry *fe, FileEntry *e, struct arena *a)
{
	const struct timerfd_state *s = fe->priv;
	TimerfdEntry *t = arena_alloc(a, sizeof(*t));
	FownEntry *fown = anon_fown(a);

	if (!t || !fown)
		return -1;
	timerfd_entry__init(t);
	e->type = FD_TYPES__TIMERFD;
	t->id = fe->id;
	t->flags = s->flags;
	t->fown = fown;
	t->clockid = s->clockid;
	t->ticks = s->ticks;
	t->settime_flags = s->settime_flags;
	t->vsec = s->value.tv_sec;
	t->vnsec = s->value.tv_nsec;
	t->isec = s->interval.tv_sec;
	t->insec = s->interval.tv_nsec;
	if (s->has_abs) {
		t->has_abs_sec = t->has_abs_nsec = 1;
		t->abs_sec = s->abs.tv_sec;
		t->abs_nsec = s->abs.tv_nsec;
	}
	e->tfd = t;
	return 0;
}

static bool ts_bad(uint64_t sec, uint64_t nsec)
{
	return sec > TIMERFD_MAX_SEC || nsec >= NSEC_PER_SEC;
}

static int timerfd_from_image(struct file_ids *f, const FileEntry *e, struct file_entry *fe)
{
	const TimerfdEntry *t = e->tfd;
	struct timerfd_state *s;

	(void)f;
	if (!t || t->id != e->id) {
		pr_err("files.img: file %u lacks its timerfd part\n", e->id);
		return -1;
	}
	if (anon_check_image_flags(e->id, t->flags, O_RDWR, O_NONBLOCK, "timerfd"))
		return -1;
	if (!clock_ok(t->clockid) || t->settime_flags & ~TIMERFD_SETTIME_FLAGS ||
	    ts_bad(t->vsec, t->vnsec) || ts_bad(t->isec, t->insec) ||
	    t->has_abs_sec != t->has_abs_nsec ||
	    (t->has_abs_sec && ts_bad(t->abs_sec, t->abs_nsec))) {
		pr_err("files.img: timerfd %u has a bad clock, flags or time\n", e->id);
		return -1;
	}
	s = fe->priv = calloc(1, sizeof(*s));
	if (!s) {
		pr_err("out of memory\n");
		return -1;
	}
	s->flags = t->flags;
	s->clockid = t->clockid;
	s->settime_flags = t->settime_flags;
	s->ticks = t->ticks;
	s->value = (struct timespec){ t->vsec, t->vnsec };
	s->interval = (struct timespec){ t->isec, t->insec };
	s->has_abs = t->has_abs_sec && (s->settime_flags & TFD_TIMER_ABSTIME);
	s->abs = (struct timespec){ t->abs_sec, t->abs_nsec };
	return 0;
}

/*
 * The first expiry as timerfd_settime() takes it. A periodic timer that
 * expired and was not read yet shows no time left: the kernel re-arms it
 * only on the read, counting the periods missed meanwhile. Firing the new
 * one at once puts it in the same state.
 */
static int first_expiry(const struct timerfd_state *s, struct timespec *v, bool *fire_now)
{
	struct timespec now;

	*fire_now = false;
	if (armed(s) && !(s->settime_flags & TFD_TIMER_ABSTIME)) {
		*v = s->value;
		return 0;
	}
	if (armed(s) && s->has_abs) {
		*v = s->abs;
		return 0;
	}
	if (!armed(s) && !(s->ticks && (s->interval.tv_sec || s->interval.tv_nsec))) {
		*v = (struct timespec){ 0, 0 };
		return 0;
	}
	*fire_now = !armed(s);
	if (!(s->settime_flags & TFD_TIMER_ABSTIME)) {
		*v = (struct timespec){ 0, 1 };
		return 0;
	}
	/* absolute: now (fires at once), or now + the time left (CRIU's images) */
	if (clock_gettime(s->clockid, &now)) {
		pr_perror("can't read clock %u", s->clockid);
		return -1;
	}
	ts_add(v, &now, &s->value);
	return 0;
}

static int set_ticks(int fd, const struct timerfd_state *s, uint32_t id)
{
	uint64_t ticks = s->ticks;

	if (ioctl(fd, TFD_IOC_SET_TICKS, &ticks)) {
		if (errno == ENOTTY || errno == EINVAL)
			pr_err("restoring the %llu pending expiries of timerfd %u needs "
			       "TFD_IOC_SET_TICKS (a kernel with CONFIG_CHECKPOINT_RESTORE)\n",
			       (unsigned long long)ticks, id);
		else
			pr_perror("can't set the pending expiries of timerfd %u", id);
		return -1;
	}
	return 0;
}

static int arm(int fd, const struct timerfd_state *s, uint32_t id)
{
	struct itimerspec it = { .it_interval = s->interval };
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	bool fire_now;

	if (first_expiry(s, &it.it_value, &fire_now))
		return -1;
	if (timerfd_settime(fd, s->settime_flags, &it, NULL)) {
		pr_perror("can't arm timerfd %u", id);
		return -1;
	}
	/* a tick set before the expiry would be overwritten by it: wait for it */
	if (fire_now && poll(&pfd, 1, 10000) != 1) {
		pr_perror("timerfd %u did not fire when re-armed", id);
		return -1;
	}
	if (s->ticks > (fire_now ? 1 : 0))
		return set_ticks(fd, s, id);
	return 0;
}

static int timerfd_open(struct file_ids *f, struct file_entry *fe, int dirfd)
{
	const struct timerfd_state *s = fe->priv;
	int flags = TFD_CLOEXEC, fd;

	(void)f;
	(void)dirfd;
	if (s->flags & O_NONBLOCK)
		flags |= TFD_NONBLOCK;
	fd = timerfd_create(s->clockid, flags);
	if (fd < 0) {
		pr_perror("can't create timerfd %u on clock %u", fe->id, s->clockid);
		return -1;
	}
	if (arm(fd, s, fe->id)) {
		close(fd);
		return -1;
	}
	fe->rst_fd = fd;
	return 0;
}

const struct file_ops timerfd_file_ops = {
	.name = "timerfd",
	.kind = FILE_KIND_TIMERFD,
	.match = timerfd_match,
	.dump = timerfd_dump,
	.to_image = timerfd_to_image,
	.from_image = timerfd_from_image,
	.open = timerfd_open,
	.free = anon_free_priv,
};
