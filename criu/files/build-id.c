// SPDX-License-Identifier: GPL-2.0
/*
 * The GNU build-id of an ELF file (the NT_GNU_BUILD_ID note of a PT_NOTE
 * segment), for --file-validation buildid. Everything read from the file
 * is bounded: a file that is not ELF, or is malformed, has no build-id.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "files-internal.h"

#define PT_NOTE_TYPE 4
#define NT_GNU_BUILD_ID_TYPE 3
#define MAX_PHDRS 512
#define MAX_NOTES (64u << 10)

struct elf_geom {
	int is64;
	uint64_t phoff;
	unsigned int phentsize, phnum;
};

static uint64_t get(const uint8_t *p, int size)
{
	uint64_t v = 0;

	for (int i = size - 1; i >= 0; i--)	/* little-endian */
		v = (v << 8) | p[i];
	return v;
}

static int read_at(int fd, void *buf, size_t len, uint64_t off)
{
	return pread(fd, buf, len, (off_t)off) == (ssize_t)len ? 0 : -1;
}

static int elf_geom(int fd, struct elf_geom *g)
{
	uint8_t eh[64];

	if (read_at(fd, eh, 52, 0) || memcmp(eh, "\177ELF", 4) || eh[5] != 1 /* LSB */)
		return -1;
	g->is64 = eh[4] == 2;
	if (g->is64 && read_at(fd, eh, sizeof(eh), 0))
		return -1;
	g->phoff = g->is64 ? get(eh + 0x20, 8) : get(eh + 0x1c, 4);
	g->phentsize = get(eh + (g->is64 ? 0x36 : 0x2a), 2);
	g->phnum = get(eh + (g->is64 ? 0x38 : 0x2c), 2);
	if (g->phnum > MAX_PHDRS || g->phentsize < (g->is64 ? 56u : 32u) || g->phentsize > 256)
		return -1;
	return 0;
}

/* The build-id among the notes of one segment; align is the notes' padding. */
static int find_note(const uint8_t *n, size_t len, size_t align, uint8_t *id, size_t max)
{
	size_t off = 0;

	while (off + 12 <= len) {
		uint32_t namesz = get(n + off, 4), descsz = get(n + off + 4, 4);
		uint32_t type = get(n + off + 8, 4);
		size_t name = off + 12, desc = name + ((namesz + align - 1) & ~(align - 1));

		if (namesz > len || descsz > len || desc + descsz > len)
			return 0;
		if (type == NT_GNU_BUILD_ID_TYPE && namesz == 4 && !memcmp(n + name, "GNU", 4)) {
			if (descsz == 0 || descsz > max)
				return 0;
			memcpy(id, n + desc, descsz);
			return (int)descsz;
		}
		off = desc + ((descsz + align - 1) & ~(align - 1));
	}
	return 0;
}

int files_build_id(int fd, uint8_t *id, size_t max)
{
	struct elf_geom g;
	int ret = 0;

	if (elf_geom(fd, &g))
		return 0;
	for (unsigned int i = 0; i < g.phnum && !ret; i++) {
		uint8_t ph[56], *notes;
		uint64_t off, size, align;

		if (read_at(fd, ph, g.is64 ? 56 : 32, g.phoff + (uint64_t)i * g.phentsize))
			return 0;
		if (get(ph, 4) != PT_NOTE_TYPE)
			continue;
		off = get(ph + (g.is64 ? 8 : 4), g.is64 ? 8 : 4);
		size = get(ph + (g.is64 ? 0x20 : 16), g.is64 ? 8 : 4);
		align = get(ph + (g.is64 ? 0x30 : 28), g.is64 ? 8 : 4) == 8 ? 8 : 4;
		if (!size || size > MAX_NOTES)
			continue;
		notes = malloc(size);
		if (!notes)
			return -1;
		if (!read_at(fd, notes, size, off))
			ret = find_note(notes, size, align, id, max);
		free(notes);
	}
	return ret;
}
