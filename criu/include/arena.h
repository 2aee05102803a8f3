/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A bump allocator for building one image entry's message tree: everything
 * allocated while converting is freed at once.
 */
#ifndef CRIU_INCLUDE_ARENA_H
#define CRIU_INCLUDE_ARENA_H

#include <stddef.h>

struct arena_block;

struct arena {
	struct arena_block *head;
	int failed;		/* an allocation failed (logged once) */
};

#define ARENA_INIT { NULL, 0 }

/* Zeroed memory; NULL (and a->failed set) when out of memory. */
void *arena_alloc(struct arena *a, size_t size);
void *arena_dup(struct arena *a, const void *src, size_t size);
char *arena_strdup(struct arena *a, const char *s);
void arena_free(struct arena *a);

#endif /* CRIU_INCLUDE_ARENA_H */
