// SPDX-License-Identifier: GPL-2.0
/*
 * Parse a file lock line as the kernel prints it (fs/locks.c
 * lock_get_status): "ID: [-> ]KIND ... TYPE PID MAJ:MIN:INO START END",
 * where KIND is POSIX, FLOCK, OFDLCK, LEASE, ... followed by one or two
 * words, and END is a number or EOF.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proc-locks.h"

#define MAX_TOKENS 16

/* Cut buf into words at blanks, in place. */
static int split(char *buf, char **tok)
{
	int n = 0;

	for (char *p = buf; *p;) {
		while (*p == ' ' || *p == '\t' || *p == '\n')
			*p++ = 0;
		if (!*p)
			break;
		if (n == MAX_TOKENS)
			return -1;
		tok[n++] = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\n')
			p++;
	}
	return n;
}

static int kind_of(const char *t)
{
	static const struct {
		const char *name;
		int kind;
	} kinds[] = {
		{ "POSIX", PROC_LOCK_POSIX }, { "FLOCK", PROC_LOCK_FLOCK },
		{ "OFDLCK", PROC_LOCK_OFD }, { "LEASE", PROC_LOCK_LEASE },
		{ "BREAKING", PROC_LOCK_LEASE }, { "ACCESS", PROC_LOCK_OTHER },
		{ "DELEG", PROC_LOCK_OTHER }, { "UNKNOWN", PROC_LOCK_OTHER },
	};

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(t, kinds[i].name))
			return kinds[i].kind;
	return -1;
}

static int type_of(const char *t)
{
	if (!strcmp(t, "READ"))
		return F_RDLCK;
	if (!strcmp(t, "WRITE"))
		return F_WRLCK;
	if (!strcmp(t, "UNLCK"))
		return F_UNLCK;
	return -1;
}

static int parse_num(const char *s, long long *v)
{
	char *end;

	if (!*s)
		return -1;
	*v = strtoll(s, &end, 10);
	return *end ? -1 : 0;
}

/* "fe:00:1234" (hex major and minor, decimal inode) or "<none>:0" */
static int parse_file(const char *s, struct proc_lock *l)
{
	char tail;

	if (!strcmp(s, "<none>:0")) {
		l->maj = l->min = 0;
		l->ino = 0;
		return 0;
	}
	if (sscanf(s, "%x:%x:%llu%c", &l->maj, &l->min, &l->ino, &tail) != 3)
		return -1;
	return 0;
}

int proc_parse_lock_line(const char *line, struct proc_lock *l)
{
	char buf[256], *tok[MAX_TOKENS], *end;
	size_t len;
	long long v;
	int n, i = 1;

	memset(l, 0, sizeof(*l));
	if (!strncmp(line, "lock:", 5))
		line += 5;
	len = strlen(line);
	if (len >= sizeof(buf))
		return -1;
	memcpy(buf, line, len + 1);
	n = split(buf, tok);
	if (n < 7)
		goto bad;
	l->id = strtoul(tok[0], &end, 10);
	if (end == tok[0] || strcmp(end, ":"))
		goto bad;
	if (!strcmp(tok[i], "->")) {
		l->blocked = true;
		i++;
	}
	l->kind = kind_of(tok[i]);
	if (l->kind < 0)
		goto bad;
	/* the words between the kind and the type differ by kind; the rest are fixed */
	if (n - 5 <= i)
		goto bad;
	l->type = type_of(tok[n - 5]);
	if (l->type < 0 || parse_num(tok[n - 4], &v) || v < -1 || v > 0x7fffffff ||
	    parse_file(tok[n - 3], l) || parse_num(tok[n - 2], &l->start) || l->start < 0)
		goto bad;
	l->pid = (pid_t)v;
	if (!strcmp(tok[n - 1], "EOF"))
		l->end = PROC_LOCK_EOF;
	else if (parse_num(tok[n - 1], &l->end) || l->end < l->start)
		goto bad;
	return 0;
bad:
	return -1;
}

const char *proc_lock_kind_name(int kind)
{
	switch (kind) {
	case PROC_LOCK_POSIX: return "POSIX";
	case PROC_LOCK_FLOCK: return "flock";
	case PROC_LOCK_OFD: return "OFD";
	case PROC_LOCK_LEASE: return "lease";
	default: return "unknown";
	}
}
