// SPDX-License-Identifier: GPL-2.0
/*
 * Logging from the restorer: no libc here, so a tiny formatter and one raw
 * write per line to criu's log fd, in criu's "(ss.uuuuuu) " format.
 */
#include <linux/time.h>

#include "rst-internal.h"

static int log_fd = -1, log_level;
static int64_t start_sec, start_usec;
static int my_pid;

void rst_log_init(const struct rst_args *a)
{
	log_fd = a->log_fd;
	log_level = a->log_level;
	start_sec = a->log_start_sec;
	start_usec = a->log_start_usec;
	my_pid = a->pid;
}

struct out {
	char *buf;
	int len, cap;
};

static void put(struct out *o, char c)
{
	if (o->len < o->cap)
		o->buf[o->len++] = c;
}

static void put_str(struct out *o, const char *s)
{
	if (!s)
		s = "(null)";
	while (*s)
		put(o, *s++);
}

static void put_num(struct out *o, uint64_t v, int base, int width, char pad)
{
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (width-- > n)
		put(o, pad);
	while (n)
		put(o, tmp[--n]);
}

/* %d %i %u %x %lx %ld %lu %llx %s %c %p and a zero-padded width. */
static void format(struct out *o, const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		int longs = 0, width = 0;
		char pad = ' ';

		if (*fmt != '%') {
			put(o, *fmt);
			continue;
		}
		fmt++;
		if (*fmt == '0')
			pad = '0';
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l')
			longs++, fmt++;
		switch (*fmt) {
		case 'd':
		case 'i': {
			int64_t v = longs ? va_arg(ap, int64_t) : va_arg(ap, int);

			if (v < 0) {
				put(o, '-');
				v = -v;
			}
			put_num(o, v, 10, width, pad);
			break;
		}
		case 'u':
			put_num(o, longs ? va_arg(ap, uint64_t) : va_arg(ap, unsigned int), 10,
				width, pad);
			break;
		case 'x':
			put_num(o, longs ? va_arg(ap, uint64_t) : va_arg(ap, unsigned int), 16,
				width, pad);
			break;
		case 'p':
			put_str(o, "0x");
			put_num(o, (uint64_t)va_arg(ap, void *), 16, 0, ' ');
			break;
		case 's':
			put_str(o, va_arg(ap, const char *));
			break;
		case 'c':
			put(o, (char)va_arg(ap, int));
			break;
		default:
			put(o, '%');
			put(o, *fmt);
		}
	}
}

void rst_vlog(int level, const char *fmt, va_list ap)
{
	char buf[512];
	struct out o = { buf, 0, sizeof(buf) };
	struct timespec ts;
	int64_t sec, usec;

	if (log_fd < 0 || level > log_level)
		return;
	sys_clock_gettime(CLOCK_MONOTONIC, &ts);
	sec = ts.tv_sec - start_sec;
	usec = ts.tv_nsec / 1000 - start_usec;
	if (usec < 0) {
		usec += 1000000;
		sec--;
	}
	put(&o, '(');
	put_num(&o, sec, 10, 2, '0');
	put(&o, '.');
	put_num(&o, usec, 10, 6, '0');
	put_str(&o, ") ");
	format(&o, fmt, ap);
	sys_write(log_fd, buf, o.len);
}

void rst_log(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rst_vlog(level, fmt, ap);
	va_end(ap);
	(void)my_pid;
}
