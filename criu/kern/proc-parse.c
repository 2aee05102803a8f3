// SPDX-License-Identifier: GPL-2.0
/*
 * Parsers of /proc/PID/{stat,status,smaps,fdinfo} and small /proc helpers.
 * The kernel's text is still untrusted: every field is range-checked.
 */
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LOG_PREFIX "proc: "
#include "log.h"
#include "proc-parse.h"

#define PROC_FILE_MAX (16u << 20)

char *proc_read_file(const char *path, size_t *plen)
{
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);
	int fd;

	if (!buf)
		return NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		free(buf);
		return NULL;
	}
	for (;;) {
		ssize_t r;

		if (len + 1 >= cap) {
			char *n = cap < PROC_FILE_MAX ? realloc(buf, cap * 2) : NULL;

			if (!n) {
				free(buf);
				close(fd);
				errno = EFBIG;
				return NULL;
			}
			buf = n;
			cap *= 2;
		}
		r = read(fd, buf + len, cap - len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;

			free(buf);
			close(fd);
			errno = e;
			return NULL;
		}
		if (r == 0)
			break;
		len += r;
	}
	close(fd);
	buf[len] = 0;
	if (plen)
		*plen = len;
	return buf;
}

int proc_readlink(const char *path, char *buf, size_t len)
{
	ssize_t n = readlink(path, buf, len);

	if (n < 0)
		return -1;
	if ((size_t)n >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	buf[n] = 0;
	return 0;
}

int proc_parse_stat(const char *buf, struct proc_stat *st)
{
	const char *open = strchr(buf, '('), *close = strrchr(buf, ')');
	unsigned long long v[52];
	const char *p;
	int n = 0;

	memset(st, 0, sizeof(*st));
	if (!open || !close || close < open)
		return -1;
	st->pid = atoi(buf);
	size_t clen = min((size_t)(close - open - 1), sizeof(st->comm) - 1);

	memcpy(st->comm, open + 1, clen);
	p = close + 1;
	while (*p == ' ')
		p++;
	if (!*p)
		return -1;
	st->state = *p++;
	/* fields 4.. are numbers; index i holds field i + 1 */
	for (int i = 3; i < 52 && *p; i++) {
		char *end;

		while (*p == ' ')
			p++;
		if (!*p || *p == '\n')
			break;
		v[i] = (unsigned long long)strtoll(p, &end, 10);
		if (end == p)
			return -1;
		p = end;
		n = i + 1;
	}
	if (n < 44)
		return -1;
	st->ppid = v[3];
	st->pgid = v[4];
	st->sid = v[5];
	st->tty_nr = v[6];
	st->tpgid = (pid_t)(long long)v[7];
	st->flags = v[8];
	st->nice = (long long)v[18];
	st->num_threads = v[19];
	st->start_time = v[21];
	st->start_code = v[25];
	st->end_code = v[26];
	st->start_stack = v[27];
	if (n >= 52) {
		st->start_data = v[44];
		st->end_data = v[45];
		st->start_brk = v[46];
		st->arg_start = v[47];
		st->arg_end = v[48];
		st->env_start = v[49];
		st->env_end = v[50];
		st->exit_code = v[51];
	}
	return 0;
}

static void proc_path(char *buf, size_t len, pid_t pid, pid_t tid, const char *file)
{
	if (tid > 0)
		snprintf(buf, len, "/proc/%d/task/%d/%s", pid, tid, file);
	else
		snprintf(buf, len, "/proc/%d/%s", pid, file);
}

int proc_read_stat(pid_t pid, pid_t tid, struct proc_stat *st)
{
	char path[64], *buf;
	int ret;

	proc_path(path, sizeof(path), pid, tid, "stat");
	buf = proc_read_file(path, NULL);
	if (!buf) {
		pr_perror("can't read %s", path);
		return -1;
	}
	ret = proc_parse_stat(buf, st);
	if (ret)
		pr_err("can't parse %s\n", path);
	free(buf);
	return ret;
}

static int parse_ids(const char *s, unsigned int *ids, int n)
{
	for (int i = 0; i < n; i++) {
		char *end;

		ids[i] = strtoul(s, &end, 10);
		if (end == s)
			return -1;
		s = end;
	}
	return 0;
}

static int parse_groups(const char *s, struct proc_status *st)
{
	int cap = 16;

	st->groups = malloc(cap * sizeof(gid_t));
	if (!st->groups)
		return -1;
	for (;;) {
		char *end;
		unsigned long g;

		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s || *s == '\n')
			return 0;
		g = strtoul(s, &end, 10);
		if (end == s || st->ngroups >= PROC_MAX_GROUPS)
			return -1;
		if (st->ngroups == cap) {
			gid_t *n = realloc(st->groups, 2 * cap * sizeof(gid_t));

			if (!n)
				return -1;
			st->groups = n;
			cap *= 2;
		}
		st->groups[st->ngroups++] = g;
		s = end;
	}
}

static int parse_nspid(const char *s, struct proc_status *st)
{
	st->ns_levels = 0;
	for (;;) {
		char *end;
		long v;

		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s || *s == '\n')
			return st->ns_levels ? 0 : -1;
		v = strtol(s, &end, 10);
		if (end == s || st->ns_levels >= PROC_MAX_NS_LEVEL)
			return -1;
		st->nspid[st->ns_levels++] = v;
		s = end;
	}
}

static uint64_t hex64(const char *s)
{
	return strtoull(s, NULL, 16);
}

static int parse_status_line(const char *key, const char *val, struct proc_status *st)
{
	if (!strcmp(key, "State"))
		st->state = val[0];
	else if (!strcmp(key, "Umask"))
		st->umask = strtol(val, NULL, 8);
	else if (!strcmp(key, "Tgid"))
		st->tgid = atoi(val);
	else if (!strcmp(key, "PPid"))
		st->ppid = atoi(val);
	else if (!strcmp(key, "TracerPid"))
		st->tracer = atoi(val);
	else if (!strcmp(key, "Uid"))
		return parse_ids(val, st->uid, 4);
	else if (!strcmp(key, "Gid"))
		return parse_ids(val, st->gid, 4);
	else if (!strcmp(key, "Groups"))
		return parse_groups(val, st);
	else if (!strcmp(key, "NSpid"))
		return parse_nspid(val, st);
	else if (!strcmp(key, "SigPnd"))
		st->sig_pnd = hex64(val);
	else if (!strcmp(key, "ShdPnd"))
		st->shd_pnd = hex64(val);
	else if (!strcmp(key, "SigBlk"))
		st->sig_blk = hex64(val);
	else if (!strcmp(key, "SigIgn"))
		st->sig_ign = hex64(val);
	else if (!strcmp(key, "SigCgt"))
		st->sig_cgt = hex64(val);
	else if (!strcmp(key, "CapInh"))
		st->cap_inh = hex64(val);
	else if (!strcmp(key, "CapPrm"))
		st->cap_prm = hex64(val);
	else if (!strcmp(key, "CapEff"))
		st->cap_eff = hex64(val);
	else if (!strcmp(key, "CapBnd"))
		st->cap_bnd = hex64(val);
	else if (!strcmp(key, "CapAmb"))
		st->cap_amb = hex64(val);
	else if (!strcmp(key, "NoNewPrivs"))
		st->no_new_privs = atoi(val);
	else if (!strcmp(key, "Seccomp"))
		st->seccomp = atoi(val);
	else if (!strcmp(key, "Seccomp_filters"))
		st->seccomp_filters = atoi(val);
	else if (!strcmp(key, "THP_enabled"))
		st->thp_enabled = atoi(val);
	return 0;
}

int proc_parse_status(const char *buf, struct proc_status *st)
{
	const char *line = buf;

	memset(st, 0, sizeof(*st));
	st->umask = -1;
	st->thp_enabled = -1;
	while (*line) {
		const char *nl = strchr(line, '\n'), *colon = strchr(line, ':');
		char key[32];

		if (!nl)
			nl = line + strlen(line);
		if (colon && colon < nl && (size_t)(colon - line) < sizeof(key)) {
			const char *val = colon + 1;

			memcpy(key, line, colon - line);
			key[colon - line] = 0;
			while (*val == ' ' || *val == '\t')
				val++;
			if (parse_status_line(key, val, st)) {
				proc_status_free(st);
				return -1;
			}
		}
		line = *nl ? nl + 1 : nl;
	}
	if (!st->tgid || !st->state) {
		proc_status_free(st);
		return -1;
	}
	return 0;
}

void proc_status_free(struct proc_status *st)
{
	free(st->groups);
	st->groups = NULL;
	st->ngroups = 0;
}

int proc_read_status(pid_t pid, pid_t tid, struct proc_status *st)
{
	char path[64], *buf;
	int ret;

	proc_path(path, sizeof(path), pid, tid, "status");
	buf = proc_read_file(path, NULL);
	if (!buf) {
		pr_perror("can't read %s", path);
		return -1;
	}
	ret = proc_parse_status(buf, st);
	if (ret)
		pr_err("can't parse %s\n", path);
	free(buf);
	return ret;
}

static const struct {
	char name[3];
	uint32_t bit;
} vmflag_names[] = {
	{ "rd", VMF_RD }, { "wr", VMF_WR }, { "ex", VMF_EX }, { "sh", VMF_SH },
	{ "mr", VMF_MR }, { "mw", VMF_MW }, { "me", VMF_ME }, { "ms", VMF_MS },
	{ "gd", VMF_GD }, { "pf", VMF_PF }, { "lo", VMF_LO }, { "io", VMF_IO },
	{ "sr", VMF_SR }, { "rr", VMF_RR }, { "dc", VMF_DC }, { "de", VMF_DE },
	{ "nr", VMF_NR }, { "ht", VMF_HT }, { "wf", VMF_WF }, { "dd", VMF_DD },
	{ "sd", VMF_SD }, { "mm", VMF_MM }, { "hg", VMF_HG }, { "nh", VMF_NH },
	{ "mg", VMF_MG }, { "um", VMF_UM }, { "uw", VMF_UW }, { "ss", VMF_SS },
	{ "sl", VMF_SL }, { "ac", VMF_AC },
};

uint32_t proc_parse_vmflags(const char *text)
{
	uint32_t bits = 0;
	const char *p = text;

	while (*p) {
		size_t i;

		while (*p == ' ')
			p++;
		if (!*p || *p == '\n')
			break;
		for (i = 0; i < ARRAY_SIZE(vmflag_names); i++)
			if (p[0] == vmflag_names[i].name[0] && p[1] == vmflag_names[i].name[1])
				break;
		bits |= i < ARRAY_SIZE(vmflag_names) ? vmflag_names[i].bit : VMF_OTHER;
		while (*p && *p != ' ' && *p != '\n')
			p++;
	}
	return bits;
}

int proc_parse_maps_line(const char *line, struct proc_vma *v)
{
	unsigned long start, end, pgoff, ino;
	unsigned int maj, min;
	char perms[5];
	int pos = 0;
	size_t len;

	memset(v, 0, sizeof(*v));
	if (sscanf(line, "%lx-%lx %4s %lx %x:%x %lu%n", &start, &end, perms, &pgoff, &maj, &min,
		   &ino, &pos) != 7)
		return -1;
	if (start >= end || (start | end) & 0xfff || strlen(perms) != 4)
		return -1;
	v->start = start;
	v->end = end;
	v->pgoff = pgoff;
	v->dev_major = maj;
	v->dev_minor = min;
	v->ino = ino;
	memcpy(v->perms, perms, 5);
	line += pos;
	while (*line == ' ')
		line++;
	len = strcspn(line, "\n");
	if (len >= sizeof(v->path))
		return -1;
	memcpy(v->path, line, len);
	v->path[len] = 0;
	if (len > 10 && !strcmp(v->path + len - 10, " (deleted)")) {
		v->deleted = true;
		v->path[len - 10] = 0;
	}
	return 0;
}

/* Lines after a header: "Key:   value kB" or "VmFlags: ...". */
static void parse_smaps_field(const char *line, struct proc_vma *v)
{
	if (!strncmp(line, "VmFlags:", 8)) {
		const char *f = line + 8;
		size_t n;

		while (*f == ' ')
			f++;
		n = strcspn(f, "\n");
		while (n && f[n - 1] == ' ')
			n--;
		n = min(n, sizeof(v->vmflags_str) - 1);
		memcpy(v->vmflags_str, f, n);
		v->vmflags_str[n] = 0;
		v->vmflags = proc_parse_vmflags(v->vmflags_str);
		v->has_vmflags = true;
	} else if (!strncmp(line, "Anonymous:", 10)) {
		v->anon_kb = strtoul(line + 10, NULL, 10);
	}
}

static bool is_header(const char *line)
{
	/* headers start with a hex address followed by '-' */
	const char *p = line;

	while (isxdigit((unsigned char)*p))
		p++;
	return p != line && *p == '-';
}

int proc_for_each_vma(pid_t pid, bool smaps, int (*fn)(const struct proc_vma *v, void *arg),
		      void *arg)
{
	char path[64], *line = NULL;
	struct proc_vma *v = malloc(sizeof(*v));
	bool have = false;
	size_t cap = 0;
	int ret = 0;
	FILE *f;

	if (!v)
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/%s", pid, smaps ? "smaps" : "maps");
	f = fopen(path, "re");
	if (!f) {
		pr_perror("can't open %s", path);
		free(v);
		return -1;
	}
	while (getline(&line, &cap, f) > 0) {
		if (is_header(line)) {
			if (have && (ret = fn(v, arg)))
				break;
			if (proc_parse_maps_line(line, v)) {
				pr_err("can't parse %s line '%s'\n", path, line);
				ret = -1;
				break;
			}
			have = true;
		} else if (have) {
			parse_smaps_field(line, v);
		}
	}
	if (!ret && have)
		ret = fn(v, arg);
	free(line);
	free(v);
	fclose(f);
	return ret;
}

int proc_parse_fdinfo(const char *buf, struct proc_fdinfo *fi)
{
	const char *line = buf;
	int seen = 0;

	memset(fi, 0, sizeof(*fi));
	fi->mnt_id = -1;
	while (*line) {
		const char *nl = strchr(line, '\n');

		if (!nl)
			nl = line + strlen(line);
		if (!strncmp(line, "pos:", 4)) {
			fi->pos = strtoull(line + 4, NULL, 10);
			seen |= 1;
		} else if (!strncmp(line, "flags:", 6)) {
			fi->flags = strtoul(line + 6, NULL, 8);
			seen |= 2;
		} else if (!strncmp(line, "mnt_id:", 7)) {
			fi->mnt_id = atoi(line + 7);
		} else if (!strncmp(line, "ino:", 4)) {
			fi->ino = strtoul(line + 4, NULL, 10);
		} else if (!fi->extra) {
			fi->extra = strdup(line);
			if (!fi->extra)
				return -1;
			break;
		}
		line = *nl ? nl + 1 : nl;
	}
	if (seen != 3) {
		proc_fdinfo_free(fi);
		return -1;
	}
	return 0;
}

int proc_read_fdinfo(pid_t pid, int fd, struct proc_fdinfo *fi)
{
	char path[64], *buf;
	int ret;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", pid, fd);
	buf = proc_read_file(path, NULL);
	if (!buf) {
		pr_perror("can't read %s", path);
		return -1;
	}
	ret = proc_parse_fdinfo(buf, fi);
	if (ret)
		pr_err("can't parse %s\n", path);
	free(buf);
	return ret;
}

void proc_fdinfo_free(struct proc_fdinfo *fi)
{
	free(fi->extra);
	fi->extra = NULL;
}

static int parse_pid_list(const char *buf, pid_t **out, int *nr)
{
	int cap = 0, n = 0;
	pid_t *v = NULL;
	const char *p = buf;

	for (;;) {
		char *end;
		long pid;

		while (*p == ' ' || *p == '\n')
			p++;
		if (!*p)
			break;
		pid = strtol(p, &end, 10);
		if (end == p || pid <= 0)
			goto err;
		if (n == cap) {
			pid_t *nv = realloc(v, (cap = cap ? cap * 2 : 16) * sizeof(pid_t));

			if (!nv)
				goto err;
			v = nv;
		}
		v[n++] = pid;
		p = end;
	}
	*out = v;
	*nr = n;
	return 0;
err:
	free(v);
	return -1;
}

int proc_read_children(pid_t pid, pid_t tid, pid_t **out, int *nr)
{
	char path[64], *buf;
	int ret;

	proc_path(path, sizeof(path), pid, tid, "children");
	buf = proc_read_file(path, NULL);
	if (!buf) {
		pr_perror("can't read %s", path);
		return -1;
	}
	ret = parse_pid_list(buf, out, nr);
	if (ret)
		pr_err("can't parse %s\n", path);
	free(buf);
	return ret;
}

int proc_read_threads(pid_t pid, pid_t **out, int *nr)
{
	char path[64];
	int cap = 0, n = 0;
	pid_t *v = NULL;
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	d = opendir(path);
	if (!d) {
		pr_perror("can't open %s", path);
		return -1;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			pid_t *nv = realloc(v, (cap = cap ? cap * 2 : 8) * sizeof(pid_t));

			if (!nv) {
				free(v);
				closedir(d);
				return -1;
			}
			v = nv;
		}
		v[n++] = atoi(de->d_name);
	}
	closedir(d);
	*out = v;
	*nr = n;
	return 0;
}
