// SPDX-License-Identifier: GPL-2.0
/*
 * Pure parsers for the /proc and /sys text the kernel probes read. They
 * take a buffer, never a path, so that the unit tests can feed them lines
 * recorded on other kernels; the input is untrusted and every field checked.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/page.h"
#include "kdat.h"

static const char *skip_spaces(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* A hex number ending at one of the characters in stop. */
static int parse_hex(const char **s, const char *stop, unsigned long *v)
{
	char *end;

	if (!isxdigit((unsigned char)**s))
		return -1;
	errno = 0;
	*v = strtoul(*s, &end, 16);
	if (errno || !*end || !strchr(stop, *end))
		return -1;
	*s = end;
	return 0;
}

static struct kdat_range *special_slot(struct kdat_vdso *v, const char *name, size_t len)
{
	static const char *const names[] = { "[vvar]", "[vvar_vclock]", "[vdso]", "[vsyscall]" };
	struct kdat_range *slots[] = { &v->vvar, &v->vvar_vclock, &v->vdso, &v->vsyscall };

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (len == strlen(names[i]) && !memcmp(name, names[i], len))
			return slots[i];
	return NULL;
}

/*
 * "start-end perms offset dev inode   name": only the range and the name
 * matter. The name is the last field and may be absent (anonymous memory).
 */
int kdat_parse_maps_line(const char *line, struct kdat_vdso *v)
{
	unsigned long start, end;
	struct kdat_range *slot;
	const char *s = line, *name;
	size_t len;

	if (parse_hex(&s, "-", &start))
		return -1;
	s++;
	if (parse_hex(&s, " ", &end) || end <= start)
		return -1;
	/* perms, offset, dev, inode: four fields before the name */
	for (int i = 0; i < 4; i++) {
		s = skip_spaces(s);
		if (!*s || *s == '\n')
			return -1;
		while (*s && *s != ' ' && *s != '\n')
			s++;
	}
	name = skip_spaces(s);
	len = strcspn(name, "\n");
	while (len && (name[len - 1] == ' ' || name[len - 1] == '\t'))
		len--;
	slot = special_slot(v, name, len);
	if (!slot)
		return 0;
	if (slot->end)	/* one of each per mm; a second one is not a kernel's */
		return -1;
	slot->start = start;
	slot->end = end;
	return 1;
}

static bool range_present(const struct kdat_range *r)
{
	return r->end != 0;
}

static bool ranges_overlap(const struct kdat_range *a, const struct kdat_range *b)
{
	return range_present(a) && range_present(b) && a->start < b->end && b->start < a->end;
}

int kdat_vdso_sane(const struct kdat_vdso *v, char *why, size_t len)
{
	const struct kdat_range *areas[] = { &v->vvar, &v->vvar_vclock, &v->vdso };
	static const char *const names[] = { "[vvar]", "[vvar_vclock]", "[vdso]" };

	if (!range_present(&v->vdso)) {
		snprintf(why, len, "no [vdso] in /proc/self/maps (booted with vdso=0?)");
		return -1;
	}
	/* The vDSO's code reads its data pages: without them it is not a kernel's. */
	if (!range_present(&v->vvar)) {
		snprintf(why, len, "[vdso] without [vvar] in /proc/self/maps");
		return -1;
	}
	for (size_t i = 0; i < ARRAY_SIZE(areas); i++) {
		const struct kdat_range *r = areas[i];

		if (range_present(r) && ((r->start | r->end) & (PAGE_SIZE - 1))) {
			snprintf(why, len, "%s %lx-%lx is not page aligned", names[i], r->start,
				 r->end);
			return -1;
		}
		for (size_t j = i + 1; j < ARRAY_SIZE(areas); j++) {
			if (ranges_overlap(r, areas[j])) {
				snprintf(why, len, "%s and %s overlap", names[i], names[j]);
				return -1;
			}
		}
	}
	snprintf(why, len, "[vvar] %lx-%lx%s, [vdso] %lx-%lx", v->vvar.start, v->vvar.end,
		 range_present(&v->vvar_vclock) ? " + [vvar_vclock]" : "", v->vdso.start,
		 v->vdso.end);
	return 0;
}

static const char *const thp_words[] = {
	[KDAT_THP_UNKNOWN] = "unknown",
	[KDAT_THP_ALWAYS] = "always",
	[KDAT_THP_MADVISE] = "madvise",
	[KDAT_THP_NEVER] = "never",
};

const char *kdat_thp_name(enum kdat_thp t)
{
	if ((unsigned int)t >= ARRAY_SIZE(thp_words))
		return "?";
	return thp_words[t];
}

/* "always [madvise] never": the bracketed word is the mode in force. */
enum kdat_thp kdat_parse_thp(const char *buf)
{
	const char *open = strchr(buf, '['), *close;
	size_t n;

	if (!open)
		return KDAT_THP_UNKNOWN;
	close = strchr(open, ']');
	if (!close || strchr(close + 1, '['))
		return KDAT_THP_UNKNOWN;
	n = (size_t)(close - open - 1);
	for (size_t i = KDAT_THP_ALWAYS; i < ARRAY_SIZE(thp_words); i++)
		if (n == strlen(thp_words[i]) && !memcmp(open + 1, thp_words[i], n))
			return (enum kdat_thp)i;
	return KDAT_THP_UNKNOWN;
}

long kdat_parse_status_field(const char *buf, const char *key)
{
	size_t klen = strlen(key);
	const char *line = buf;

	while (line && *line) {
		if (!strncmp(line, key, klen) && line[klen] == ':') {
			const char *s = skip_spaces(line + klen + 1);
			char *end;
			long v;

			if (!isdigit((unsigned char)*s))
				return -1;
			errno = 0;
			v = strtol(s, &end, 10);
			if (errno || (*end && *end != '\n' && *end != ' '))
				return -1;
			return v;
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return -1;
}

int kdat_parse_uid_map_is_init(const char *buf)
{
	unsigned long v[3];
	const char *s = buf;

	for (int i = 0; i < 3; i++) {
		char *end;

		s = skip_spaces(s);
		if (!isdigit((unsigned char)*s))
			return 0;
		errno = 0;
		v[i] = strtoul(s, &end, 10);
		if (errno)
			return 0;
		s = end;
	}
	s = skip_spaces(s);
	if (*s == '\n')
		s++;
	/* The initial namespace has exactly this one line. */
	return v[0] == 0 && v[1] == 0 && v[2] == 4294967295UL && *s == '\0';
}

/* Field numbers (from 1) of /proc/PID/stat, as proc(5) lists them. */
enum {
	STAT_START_CODE = 26,
	STAT_END_CODE = 27,
	STAT_START_STACK = 28,
	STAT_START_DATA = 45,
	STAT_END_DATA = 46,
	STAT_START_BRK = 47,
	STAT_ARG_START = 48,
	STAT_ARG_END = 49,
	STAT_ENV_START = 50,
	STAT_ENV_END = 51,
};

static uint64_t *stat_slot(struct kdat_mm_fields *mm, int field)
{
	switch (field) {
	case STAT_START_CODE: return &mm->start_code;
	case STAT_END_CODE: return &mm->end_code;
	case STAT_START_STACK: return &mm->start_stack;
	case STAT_START_DATA: return &mm->start_data;
	case STAT_END_DATA: return &mm->end_data;
	case STAT_START_BRK: return &mm->start_brk;
	case STAT_ARG_START: return &mm->arg_start;
	case STAT_ARG_END: return &mm->arg_end;
	case STAT_ENV_START: return &mm->env_start;
	case STAT_ENV_END: return &mm->env_end;
	}
	return NULL;
}

/* comm (field 2) may hold spaces and parentheses: fields restart after the last ')'. */
int kdat_parse_stat_mm(const char *buf, struct kdat_mm_fields *mm)
{
	const char *s = strrchr(buf, ')');
	int field = 3;

	if (!s || s[1] != ' ')
		return -1;
	s += 2;
	memset(mm, 0, sizeof(*mm));
	for (; field <= STAT_ENV_END; field++) {
		uint64_t *slot = stat_slot(mm, field);
		const char *end = s + strcspn(s, " \n");

		if (end == s)
			return -1;
		if (slot) {
			char *e;

			if (!isdigit((unsigned char)*s))
				return -1;
			errno = 0;
			*slot = strtoull(s, &e, 10);
			if (errno || e != end)
				return -1;
		}
		s = *end == ' ' ? end + 1 : end;
	}
	return 0;
}
