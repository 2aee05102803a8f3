// SPDX-License-Identifier: GPL-2.0
/*
 * Readers for /proc/self/maps and /proc/self/smaps. They read into a
 * static buffer and never malloc, so looking at the address space does
 * not change it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "zdtmtst.h"

static char pbuf[512 * 1024];

long read_file(const char *path, char *buf, size_t len)
{
	size_t off = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	while (off + 1 < len) {
		ssize_t n = read(fd, buf + off, len - 1 - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += n;
	}
	close(fd);
	buf[off] = '\0';
	return off;
}

/* Parse one maps-format line; 0 on success. */
static int parse_vma(const char *line, struct vma *v)
{
	unsigned int dmaj, dmin;
	int pos = 0;

	memset(v, 0, sizeof(*v));
	if (sscanf(line, "%lx-%lx %4s %llx %x:%x %llu %n", &v->start, &v->end, v->perms,
		   &v->pgoff, &dmaj, &dmin, &v->ino, &pos) < 7)
		return -1;
	if (pos) {
		const char *p = line + pos;
		size_t n = strcspn(p, "\n");

		if (n >= sizeof(v->path))
			n = sizeof(v->path) - 1;
		memcpy(v->path, p, n);
	}
	return 0;
}

/* Is this smaps/maps line a VMA header (it starts with "hex-hex ")? */
static int is_vma_line(const char *line)
{
	const char *p = line;

	while ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'))
		p++;
	return p != line && *p == '-';
}

int vma_find(unsigned long addr, struct vma *v)
{
	char *line;

	if (read_file("/proc/self/maps", pbuf, sizeof(pbuf)) < 0)
		return -1;
	for (line = pbuf; *line; line = strchr(line, '\n') + 1) {
		if (!parse_vma(line, v) && addr >= v->start && addr < v->end)
			return 0;
		if (!strchr(line, '\n'))
			break;
	}
	return -1;
}

int vma_find_name(const char *name, struct vma *v)
{
	char *line;

	if (read_file("/proc/self/maps", pbuf, sizeof(pbuf)) < 0)
		return -1;
	for (line = pbuf; *line; line = strchr(line, '\n') + 1) {
		if (!parse_vma(line, v) && !strcmp(v->path, name))
			return 0;
		if (!strchr(line, '\n'))
			break;
	}
	return -1;
}

/* Find the smaps block of the VMA holding addr; NULL if none. */
static char *smaps_block(unsigned long addr)
{
	struct vma v;
	char *line;

	if (read_file("/proc/self/smaps", pbuf, sizeof(pbuf)) < 0)
		return NULL;
	for (line = pbuf; *line; line = strchr(line, '\n') + 1) {
		if (is_vma_line(line) && !parse_vma(line, &v) && addr >= v.start &&
		    addr < v.end)
			return line;
		if (!strchr(line, '\n'))
			break;
	}
	return NULL;
}

/* Look for "field" inside one block, which ends at the next VMA line. */
static char *block_field(char *block, const char *field)
{
	size_t flen = strlen(field);
	char *line = strchr(block, '\n');

	while (line && *++line && !is_vma_line(line)) {
		if (!strncmp(line, field, flen))
			return line + flen;
		line = strchr(line, '\n');
	}
	return NULL;
}

int vma_vmflags(unsigned long addr, char *buf, size_t len)
{
	char *block = smaps_block(addr), *f;
	size_t n;

	if (!block || !(f = block_field(block, "VmFlags:")))
		return -1;
	f += strspn(f, " ");
	n = strcspn(f, "\n");
	while (n && f[n - 1] == ' ')
		n--;
	if (n >= len)
		n = len - 1;
	memcpy(buf, f, n);
	buf[n] = '\0';
	return 0;
}

long vma_smaps_kb(unsigned long addr, const char *field)
{
	char *block = smaps_block(addr), *f;

	if (!block || !(f = block_field(block, field)))
		return -1;
	return strtol(f, NULL, 10);
}

int vmflags_has(const char *flags, const char *flag)
{
	size_t flen = strlen(flag);
	const char *p = flags;

	while ((p = strstr(p, flag))) {
		if ((p == flags || p[-1] == ' ') && (p[flen] == ' ' || p[flen] == '\0'))
			return 1;
		p += flen;
	}
	return 0;
}
