// SPDX-License-Identifier: GPL-2.0
/*
 * The arguments of --inherit-fd, --external and --file-validation, in
 * CRIU's spelling. Pure: each fills a struct or names the problem.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"

#define MAX_FD_NUMBER (1 << 20)

static int fail(char *err, size_t len, const char *fmt, ...) __printf(3, 4);
static int fail(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return -1;
}

/* A number in base ending at the character stop; *end is left after stop. */
static int parse_num(const char *s, int base, char stop, unsigned long long *v, const char **end)
{
	char *e;

	if (!(base == 16 ? isxdigit((unsigned char)*s) : isdigit((unsigned char)*s)))
		return -1;
	*v = strtoull(s, &e, base);
	if (e == s || *e != stop)
		return -1;
	*end = e + 1;
	return 0;
}

/* "[A:B]" with both numbers in hex, nothing after. */
static int parse_hex_pair(const char *s, unsigned long long *a, unsigned long long *b)
{
	const char *p;

	if (*s != '[' || parse_num(s + 1, 16, ':', a, &p) || parse_num(p, 16, ']', b, &p))
		return -1;
	return *p ? -1 : 0;
}

/* "[N]" or ":[N]" (the /proc link's form), decimal, nothing after. */
static int parse_ino(const char *s, unsigned long long *v)
{
	const char *p;

	if (*s == ':')
		s++;
	if (*s != '[' || parse_num(s + 1, 10, ']', v, &p))
		return -1;
	return *p ? -1 : 0;
}

static int parse_resource(const char *res, struct cr_inherit_fd *out, char *err, size_t len)
{
	unsigned long long a, b;

	if (!strncmp(res, "pipe:[", 6) || !strncmp(res, "pipe[", 5)) {
		if (parse_ino(res + 4, &a))
			return fail(err, len, "bad pipe '%s' for --inherit-fd (pipe:[INODE])", res);
		snprintf(out->id, sizeof(out->id), "pipe:[%llu]", a);
	} else if (!strncmp(res, "socket:[", 8) || !strncmp(res, "socket[", 7)) {
		if (parse_ino(res + 6, &a))
			return fail(err, len, "bad socket '%s' for --inherit-fd (socket:[INODE])",
				    res);
		snprintf(out->id, sizeof(out->id), "socket:[%llu]", a);
	} else if (!strncmp(res, "tty[", 4)) {
		if (parse_hex_pair(res + 3, &a, &b))
			return fail(err, len, "bad tty '%s' for --inherit-fd (tty[RDEV:DEV], hex)",
				    res);
		snprintf(out->id, sizeof(out->id), "tty[%llx:%llx]", a, b);
	} else if (!strncmp(res, "file[", 5)) {
		if (parse_hex_pair(res + 4, &a, &b))
			return fail(err, len,
				    "bad file '%s' for --inherit-fd (file[MNT_ID:INODE], hex)", res);
		snprintf(out->id, sizeof(out->id), "file[%llx:%llx]", a, b);
	} else {
		out->path = options_key_of_path(res);
		if (!*out->path)
			return fail(err, len, "--inherit-fd needs a resource after the ':'");
	}
	return 0;
}

int options_parse_inherit_fd(const char *arg, struct cr_inherit_fd *out, char *err,
			     size_t len)
{
	unsigned long long n;
	const char *p;

	memset(out, 0, sizeof(*out));
	if (!strncmp(arg, "fd[", 3))
		p = arg + 3;
	else if (!strncmp(arg, "debug[", 6))
		p = arg + 6, out->debug = true;
	else
		return fail(err, len, "bad --inherit-fd '%s' (fd[N]:RESOURCE)", arg);
	if (parse_num(p, 10, ']', &n, &p) || *p != ':' || n >= MAX_FD_NUMBER)
		return fail(err, len, "bad --inherit-fd '%s' (fd[N]:RESOURCE)", arg);
	out->fd = (int)n;
	p++;
	if (out->debug) {
		out->path = p;
		return 0;
	}
	return parse_resource(p, out, err, len);
}

int options_parse_external(const char *arg, struct cr_external *out, char *err, size_t len)
{
	const char *br = strchr(arg, '[');

	memset(out, 0, sizeof(*out));
	if (!strncmp(arg, "file[", 5)) {
		out->type = CR_EXT_FILE;
		if (parse_hex_pair(arg + 4, &out->a, &out->b))
			return fail(err, len, "bad --external '%s' (file[MNT_ID:INODE], hex)", arg);
	} else if (!strncmp(arg, "tty[", 4)) {
		out->type = CR_EXT_TTY;
		if (parse_hex_pair(arg + 3, &out->a, &out->b))
			return fail(err, len, "bad --external '%s' (tty[RDEV:DEV], hex)", arg);
	} else if (!strncmp(arg, "unix[", 5)) {
		out->type = CR_EXT_UNIX;
		if (parse_ino(arg + 4, &out->a))
			return fail(err, len, "bad --external '%s' (unix[INODE])", arg);
	} else if (br && br > arg) {
		return fail(err, len, "--external %.*s[...] is not supported yet", (int)(br - arg),
			    arg);
	} else {
		return fail(err, len, "bad --external '%s' (TYPE[ID], e.g. tty[RDEV:DEV])", arg);
	}
	return 0;
}

int options_parse_file_validation(const char *arg, enum cr_file_validation *out)
{
	if (!strcmp(arg, "buildid"))
		*out = FILE_VALIDATION_BUILD_ID;
	else if (!strcmp(arg, "filesize"))
		*out = FILE_VALIDATION_FILESIZE;
	else
		return -1;
	return 0;
}
