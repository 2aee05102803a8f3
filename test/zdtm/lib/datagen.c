// SPDX-License-Identifier: GPL-2.0
/*
 * Memory patterns for tests: seeded, position dependent fills the checker
 * can recompute, and self-checking random blocks ending in a CRC32.
 */
#include <string.h>

#include "zdtmtst.h"

/* splitmix64: cheap, and every word depends on seed and position. */
static uint64_t mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static uint64_t pattern_word(uint64_t seed, size_t idx)
{
	return mix64(seed * 0x100000001b3ULL + idx);
}

void pattern_fill(void *buf, size_t len, uint64_t seed)
{
	unsigned char *p = buf;
	size_t i, words = len / 8;

	for (i = 0; i < words; i++) {
		uint64_t w = pattern_word(seed, i);

		memcpy(p + i * 8, &w, 8);
	}
	if (len % 8) {
		uint64_t w = pattern_word(seed, words);

		memcpy(p + words * 8, &w, len % 8);
	}
}

long pattern_check(const void *buf, size_t len, uint64_t seed)
{
	const unsigned char *p = buf;
	size_t i, words = len / 8;

	for (i = 0; i < words; i++) {
		uint64_t w = pattern_word(seed, i);

		if (memcmp(p + i * 8, &w, 8)) {
			for (size_t b = 0; b < 8; b++)
				if (p[i * 8 + b] != ((unsigned char *)&w)[b])
					return i * 8 + b;
		}
	}
	if (len % 8) {
		uint64_t w = pattern_word(seed, words);

		for (size_t b = 0; b < len % 8; b++)
			if (p[words * 8 + b] != ((unsigned char *)&w)[b])
				return words * 8 + b;
	}
	return -1;
}

long zero_check(const void *buf, size_t len)
{
	const unsigned char *p = buf;
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		uint64_t w;

		memcpy(&w, p + i, 8);
		if (w)
			break;
	}
	for (; i < len; i++)
		if (p[i])
			return i;
	return -1;
}

/* Bitwise CRC32 (IEEE, reflected): the blocks tests use are small. */
uint32_t crc32_buf(uint32_t crc, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	crc = ~crc;
	while (len--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320U & -(crc & 1));
	}
	return ~crc;
}

void datagen(void *buf, size_t len, uint32_t *seed)
{
	unsigned char *p = buf;
	uint32_t crc;
	size_t i;

	if (!*seed)
		*seed = 1; /* xorshift stays at zero forever */
	for (i = 0; i + 4 < len; i++) {
		/* xorshift32 */
		*seed ^= *seed << 13;
		*seed ^= *seed >> 17;
		*seed ^= *seed << 5;
		p[i] = *seed >> 24;
	}
	crc = crc32_buf(0, p, len - 4);
	memcpy(p + len - 4, &crc, 4);
}

int datachk(const void *buf, size_t len)
{
	const unsigned char *p = buf;
	uint32_t crc;

	if (len < 8)
		return -1;
	memcpy(&crc, p + len - 4, 4);
	return crc == crc32_buf(0, p, len - 4) ? 0 : -1;
}
