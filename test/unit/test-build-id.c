// SPDX-License-Identifier: GPL-2.0
/* ELF build-ids for --file-validation: found where they are, nothing else. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../../criu/files/files-internal.h"
#include "unit.h"

/* A 64-bit ELF header, one PT_NOTE header and its notes: an ABI tag, then the id. */
static size_t make_elf(uint8_t *buf, const uint8_t *id, uint32_t idlen, uint32_t note_type)
{
	uint32_t notes = 64 + 56, n = notes;

	memset(buf, 0, 512);
	memcpy(buf, "\177ELF\2\1\1", 7);
	*(uint64_t *)(buf + 0x20) = 64;		/* e_phoff */
	*(uint16_t *)(buf + 0x36) = 56;		/* e_phentsize */
	*(uint16_t *)(buf + 0x38) = 1;		/* e_phnum */
	*(uint32_t *)(buf + 64) = 4;		/* PT_NOTE */
	*(uint64_t *)(buf + 64 + 8) = notes;
	*(uint64_t *)(buf + 64 + 0x30) = 4;
	/* NT_GNU_ABI_TAG, "GNU", 16 bytes */
	*(uint32_t *)(buf + n) = 4;
	*(uint32_t *)(buf + n + 4) = 16;
	*(uint32_t *)(buf + n + 8) = 1;
	memcpy(buf + n + 12, "GNU", 4);
	n += 12 + 4 + 16;
	*(uint32_t *)(buf + n) = 4;
	*(uint32_t *)(buf + n + 4) = idlen;
	*(uint32_t *)(buf + n + 8) = note_type;
	memcpy(buf + n + 12, "GNU", 4);
	memcpy(buf + n + 16, id, idlen);
	n += 16 + ((idlen + 3) & ~3u);
	*(uint64_t *)(buf + 64 + 0x20) = n - notes;	/* p_filesz */
	return n;
}

static int id_of(const uint8_t *elf, size_t len, uint8_t *id)
{
	char path[256];
	int fd, n;

	snprintf(path, sizeof(path), "%s/elf", unit_tmpdir());
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	EXPECT(fd >= 0);
	EXPECT_EQ(write(fd, elf, len), (long long)len);
	n = files_build_id(fd, id, FILES_BUILD_ID_MAX);
	close(fd);
	return n;
}

UNIT_TEST(build_id_found)
{
	const uint8_t want[20] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17,
				   18, 19, 20 };
	uint8_t elf[512], id[FILES_BUILD_ID_MAX];
	size_t len = make_elf(elf, want, sizeof(want), 3);

	EXPECT_EQ(id_of(elf, len, id), 20);
	EXPECT(!memcmp(id, want, 20));
	/* another note type, a truncated file, a non-ELF: no build-id */
	len = make_elf(elf, want, sizeof(want), 5);
	EXPECT_EQ(id_of(elf, len, id), 0);
	len = make_elf(elf, want, sizeof(want), 3);
	EXPECT_EQ(id_of(elf, len - 8, id), 0);
	EXPECT_EQ(id_of((const uint8_t *)"#!/bin/sh\n", 10, id), 0);
	/* a descsz pointing past the segment */
	*(uint32_t *)(elf + 64 + 56 + 32 + 4) = 0x7fffffff;
	EXPECT_EQ(id_of(elf, len, id), 0);
}

UNIT_TEST(build_id_of_real_binary)
{
	uint8_t id[FILES_BUILD_ID_MAX];
	int fd = open("/proc/self/exe", O_RDONLY), n;

	EXPECT(fd >= 0);
	/* gcc links with --build-id (sha1, 20 bytes) on Debian */
	n = files_build_id(fd, id, sizeof(id));
	EXPECT(n == 20 || n == 16 || n == 32);
	close(fd);
}
