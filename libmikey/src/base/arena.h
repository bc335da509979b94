/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * arena.h - a message's private memory: a list of chunks freed (and wiped)
 * together. One allocation for a typical parsed message instead of one per
 * field, and nothing to free field by field.
 */
#ifndef MIKEY_SRC_ARENA_H
#define MIKEY_SRC_ARENA_H

#include <stddef.h>

typedef struct mikey_arena mikey_arena;

/* mikey_arena_new returns an arena whose first chunk holds |first_size|
 * bytes, or NULL when out of memory. */
mikey_arena *mikey_arena_new(size_t first_size);

/* mikey_arena_alloc returns |n| zeroed bytes aligned for any type, or NULL. */
void *mikey_arena_alloc(mikey_arena *a, size_t n);

/* mikey_arena_free wipes every chunk and frees the arena. NULL is fine. */
void mikey_arena_free(mikey_arena *a);

#endif
