/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Markers and helpers for freestanding blob code (compiled with PIE_CFLAGS).
 * Everything is hidden by default; COMPEL_EXPORT makes a function or object
 * visible to compel-hgen, which emits its offset into the blob header.
 */
#ifndef COMPEL_PIE_H
#define COMPEL_PIE_H

/* Default visibility is how compel-hgen tells exports from internals. */
#define COMPEL_EXPORT	__attribute__((visibility("default")))

/*
 * The entry point goes to the head of the blob (pie.lds puts this section
 * first), so a blob with one entry can be started at offset 0.
 */
#define COMPEL_ENTRY	COMPEL_EXPORT __attribute__((section(".compel.head.text")))

/*
 * The compiler may emit calls to these even with -ffreestanding (struct
 * copies, zeroing loops); the blob pipeline links compel's own versions.
 */
#define COMPEL_PIE_HIDDEN __attribute__((visibility("hidden")))
COMPEL_PIE_HIDDEN void *memcpy(void *dst, const void *src, __SIZE_TYPE__ n);
COMPEL_PIE_HIDDEN void *memmove(void *dst, const void *src, __SIZE_TYPE__ n);
COMPEL_PIE_HIDDEN void *memset(void *s, int c, __SIZE_TYPE__ n);
COMPEL_PIE_HIDDEN int memcmp(const void *a, const void *b, __SIZE_TYPE__ n);

#endif /* COMPEL_PIE_H */
