// SPDX-License-Identifier: GPL-2.0
/*
 * Parsers of the kind-specific fdinfo lines (eventfd, signalfd, timerfd,
 * epoll, inotify) and of mountinfo lines. The formats are those of
 * fs/eventfd.c, fs/signalfd.c, fs/timerfd.c, fs/eventpoll.c and
 * fs/notify/fdinfo.c; a line we know that does not parse is an error, a
 * line we do not know is skipped.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#define LOG_PREFIX "proc: "
#include "log.h"
#include "proc-fdinfo.h"

#define LINE_MAX_LEN 1024
#define NSEC_PER_SEC 1000000000ULL

/* Copy the next line of *p into buf; 0 at the end, -1 if it is too long. */
static int next_line(const char **p, char *buf, size_t size)
{
	const char *s = *p, *nl;
	size_t len;

	if (!*s)
		return 0;
	nl = strchr(s, '\n');
	len = nl ? (size_t)(nl - s) : strlen(s);
	*p = nl ? nl + 1 : s + len;
	if (len >= size)
		return -1;
	memcpy(buf, s, len);
	buf[len] = 0;
	return 1;
}

/* Trailing blanks are the kernel's; anything else left over is not. */
static int only_blanks(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return !*s;
}

static int bad_line(const char *what, const char *line)
{
	pr_err("can't parse the %s line '%.80s' of fdinfo\n", what, line);
	return -1;
}

int proc_parse_eventfd(const char *extra, struct fdinfo_eventfd *e)
{
	char line[LINE_MAX_LEN];
	const char *p = extra ? extra : "";
	int r, seen = 0, n;

	e->count = 0;
	e->semaphore = -1;
	while ((r = next_line(&p, line, sizeof(line))) == 1) {
		unsigned long long v;
		int sem;

		if (!strncmp(line, "eventfd-count:", 14)) {
			n = -1;
			if (sscanf(line, "eventfd-count: %llx%n", &v, &n) != 1 || n < 0 ||
			    !only_blanks(line + n) || v == ~0ULL)
				return bad_line("eventfd", line);
			e->count = v;
			seen = 1;
		} else if (!strncmp(line, "eventfd-semaphore:", 18)) {
			n = -1;
			if (sscanf(line, "eventfd-semaphore: %d%n", &sem, &n) != 1 || n < 0 ||
			    !only_blanks(line + n) || (sem != 0 && sem != 1))
				return bad_line("eventfd", line);
			e->semaphore = sem;
		}
	}
	if (r < 0 || !seen) {
		pr_err("fdinfo of an eventfd has no eventfd-count line\n");
		return -1;
	}
	return 0;
}

int proc_parse_signalfd(const char *extra, uint64_t *sigmask)
{
	char line[LINE_MAX_LEN];
	const char *p = extra ? extra : "";
	int r, n;

	while ((r = next_line(&p, line, sizeof(line))) == 1) {
		unsigned long long v;

		if (strncmp(line, "sigmask:", 8))
			continue;
		n = -1;
		if (sscanf(line, "sigmask: %llx%n", &v, &n) != 1 || n < 0 || !only_blanks(line + n))
			return bad_line("signalfd", line);
		*sigmask = v;
		return 0;
	}
	pr_err("fdinfo of a signalfd has no sigmask line\n");
	return -1;
}

/* "(sec, nsec)" after a label of len bytes */
static int parse_pair(const char *line, size_t len, uint64_t *sec, uint64_t *nsec)
{
	unsigned long long s, ns;
	int n = -1;

	line += len;
	if (sscanf(line, " (%llu, %llu)%n", &s, &ns, &n) != 2 || n < 0 || !only_blanks(line + n) ||
	    ns >= NSEC_PER_SEC || s > (1ULL << 62))
		return -1;
	*sec = s;
	*nsec = ns;
	return 0;
}

int proc_parse_timerfd(const char *extra, struct fdinfo_timerfd *t)
{
	char line[LINE_MAX_LEN];
	const char *p = extra ? extra : "";
	int r, n, seen = 0;

	memset(t, 0, sizeof(*t));
	while ((r = next_line(&p, line, sizeof(line))) == 1) {
		unsigned long long v;
		unsigned int u;
		int c;

		n = -1;
		if (!strncmp(line, "clockid:", 8)) {
			if (sscanf(line, "clockid: %d%n", &c, &n) != 1 || n < 0 || c < 0 ||
			    !only_blanks(line + n))
				return bad_line("timerfd", line);
			t->clockid = c;
			seen |= 1;
		} else if (!strncmp(line, "ticks:", 6)) {
			if (sscanf(line, "ticks: %llu%n", &v, &n) != 1 || n < 0 ||
			    !only_blanks(line + n))
				return bad_line("timerfd", line);
			t->ticks = v;
			seen |= 2;
		} else if (!strncmp(line, "settime flags:", 14)) {
			if (sscanf(line, "settime flags: %o%n", &u, &n) != 1 || n < 0 ||
			    !only_blanks(line + n))
				return bad_line("timerfd", line);
			t->settime_flags = u;
			seen |= 4;
		} else if (!strncmp(line, "it_value:", 9)) {
			if (parse_pair(line, 9, &t->value_sec, &t->value_nsec))
				return bad_line("timerfd", line);
			seen |= 8;
		} else if (!strncmp(line, "it_interval:", 12)) {
			if (parse_pair(line, 12, &t->interval_sec, &t->interval_nsec))
				return bad_line("timerfd", line);
			seen |= 16;
		}
	}
	if (r < 0 || seen != 31) {
		pr_err("fdinfo of a timerfd lacks some of its lines\n");
		return -1;
	}
	return 0;
}

/* Grow *v by one element of size sz; the new element is zeroed. */
static void *grow(void **v, int *nr, size_t sz)
{
	char *n;

	if (*nr >= FDINFO_MAX_WATCHES) {
		pr_err("fdinfo lists more than %d watches\n", FDINFO_MAX_WATCHES);
		return NULL;
	}
	n = realloc(*v, (*nr + 1) * sz);
	if (!n) {
		pr_err("out of memory\n");
		return NULL;
	}
	*v = n;
	memset(n + *nr * sz, 0, sz);
	return n + (*nr)++ * sz;
}

int proc_parse_epoll(const char *extra, struct fdinfo_epoll_tfd **v, int *nr)
{
	char line[LINE_MAX_LEN];
	const char *p = extra ? extra : "";
	int r, n;

	*v = NULL;
	*nr = 0;
	while ((r = next_line(&p, line, sizeof(line))) == 1) {
		struct fdinfo_epoll_tfd *t;
		unsigned long long data, ino;
		long long pos;
		unsigned int ev, sdev;
		int tfd;

		if (strncmp(line, "tfd:", 4))
			continue;
		n = -1;
		if (sscanf(line, "tfd: %d events: %x data: %llx pos:%lli ino:%llx sdev:%x%n", &tfd,
			   &ev, &data, &pos, &ino, &sdev, &n) != 6 || n < 0 ||
		    !only_blanks(line + n) || tfd < 0 || pos < 0)
			goto err;
		t = grow((void **)v, nr, sizeof(*t));
		if (!t)
			goto fail;
		*t = (struct fdinfo_epoll_tfd){ tfd, ev, data, pos, ino, sdev };
	}
	if (r == 0)
		return 0;
	pr_err("an fdinfo line of an epoll instance is too long\n");
	goto fail;
err:
	bad_line("epoll", line);
fail:
	free(*v);
	*v = NULL;
	*nr = 0;
	return -1;
}

static int parse_hex_bytes(const char *s, uint8_t *out, uint32_t len)
{
	for (uint32_t i = 0; i < len; i++) {
		unsigned int b;

		if (!isxdigit((unsigned char)s[2 * i]) || !isxdigit((unsigned char)s[2 * i + 1]) ||
		    sscanf(s + 2 * i, "%2x", &b) != 1)
			return -1;
		out[i] = b;
	}
	return only_blanks(s + 2 * len) ? 0 : -1;
}

static int parse_inotify_line(const char *line, struct fdinfo_inotify_wd *w)
{
	unsigned long long ino;
	unsigned int wd, sdev, mask, ign, bytes, type;
	int n = -1;

	if (sscanf(line, "inotify wd:%x ino:%llx sdev:%x mask:%x ignored_mask:%x%n", &wd, &ino,
		   &sdev, &mask, &ign, &n) != 5 || n < 0 || wd == 0 || wd > 0x7fffffff)
		return -1;
	*w = (struct fdinfo_inotify_wd){ .wd = wd, .ino = ino, .sdev = sdev, .mask = mask,
					 .ignored_mask = ign };
	line += n;
	if (only_blanks(line))
		return 0;	/* a filesystem that cannot encode handles */
	n = -1;
	if (sscanf(line, " fhandle-bytes:%x fhandle-type:%x f_handle:%n", &bytes, &type, &n) != 2 ||
	    n < 0 || bytes == 0 || bytes > FDINFO_FHANDLE_MAX || type > 0x7fffffff)
		return -1;
	w->fh_bytes = bytes;
	w->fh_type = type;
	return parse_hex_bytes(line + n, w->fh, bytes);
}

int proc_parse_inotify(const char *extra, struct fdinfo_inotify_wd **v, int *nr)
{
	char line[LINE_MAX_LEN];
	const char *p = extra ? extra : "";
	int r;

	*v = NULL;
	*nr = 0;
	while ((r = next_line(&p, line, sizeof(line))) == 1) {
		struct fdinfo_inotify_wd *w;

		if (strncmp(line, "inotify ", 8))
			continue;
		w = grow((void **)v, nr, sizeof(*w));
		if (!w)
			goto fail;
		if (parse_inotify_line(line, w)) {
			bad_line("inotify", line);
			goto fail;
		}
	}
	if (r == 0)
		return 0;
	pr_err("an fdinfo line of an inotify instance is too long\n");
fail:
	free(*v);
	*v = NULL;
	*nr = 0;
	return -1;
}

dev_t proc_kdev_to_dev(uint32_t kdev)
{
	return makedev(kdev >> 20, kdev & 0xfffff);
}

/* Copy one space-separated field, undoing the kernel's \ooo escapes. */
static const char *unescape_field(const char *s, char *out, size_t size)
{
	size_t o = 0;

	while (*s == ' ')
		s++;
	if (!*s || *s == '\n')
		return NULL;
	while (*s && *s != ' ' && *s != '\n') {
		char c = *s++;

		if (c == '\\' && s[0] >= '0' && s[0] <= '3' && s[1] >= '0' && s[1] <= '7' &&
		    s[2] >= '0' && s[2] <= '7') {
			c = (char)((s[0] - '0') << 6 | (s[1] - '0') << 3 | (s[2] - '0'));
			s += 3;
		}
		if (o + 1 >= size)
			return NULL;
		out[o++] = c;
	}
	out[o] = 0;
	return s;
}

int proc_parse_mountinfo_line(const char *line, struct proc_mountinfo *m)
{
	int id, parent, n = -1;
	unsigned int maj, min;

	if (sscanf(line, "%d %d %u:%u%n", &id, &parent, &maj, &min, &n) != 4 || n < 0 || id < 0)
		return -1;
	line = unescape_field(line + n, m->root, sizeof(m->root));
	if (!line || !unescape_field(line, m->mountpoint, sizeof(m->mountpoint)))
		return -1;
	m->mnt_id = id;
	m->major = maj;
	m->minor = min;
	return 0;
}
