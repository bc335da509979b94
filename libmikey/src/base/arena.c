/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "base/arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <string.h>

#include "mikey/mem.h"

#define ARENA_ALIGN alignof(max_align_t)
#define ARENA_MIN_CHUNK 512

typedef struct chunk {
	struct chunk *next;
	size_t size; /* usable bytes after the header */
	size_t used;
	alignas(max_align_t) unsigned char data[];
} chunk;

struct mikey_arena {
	chunk *head; /* the chunk allocations come from; older ones follow */
	size_t next_size;
};

static chunk *chunk_new(size_t size)
{
	if (size > SIZE_MAX - sizeof(chunk))
		return NULL;
	chunk *c = mikey_malloc(sizeof(chunk) + size);
	if (c == NULL)
		return NULL;
	c->next = NULL;
	c->size = size;
	c->used = 0;
	return c;
}

mikey_arena *mikey_arena_new(size_t first_size)
{
	if (first_size < ARENA_MIN_CHUNK)
		first_size = ARENA_MIN_CHUNK;
	/* The arena header lives at the start of its own first chunk. */
	size_t hdr = (sizeof(mikey_arena) + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	if (first_size > SIZE_MAX - hdr)
		return NULL;
	chunk *c = chunk_new(first_size + hdr);
	if (c == NULL)
		return NULL;
	mikey_arena *a = (mikey_arena *)c->data;
	c->used = hdr;
	a->head = c;
	a->next_size = first_size * 2;
	return a;
}

void *mikey_arena_alloc(mikey_arena *a, size_t n)
{
	if (a == NULL)
		return NULL;
	if (n == 0)
		n = 1;
	if (n > SIZE_MAX - ARENA_ALIGN)
		return NULL;
	size_t need = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	chunk *c = a->head;
	if (c->size - c->used < need) {
		size_t size = a->next_size > need ? a->next_size : need;
		chunk *nc = chunk_new(size);
		if (nc == NULL)
			return NULL;
		/* The first chunk holds the arena itself, so new chunks go
		 * right after it, and allocation continues from the new one. */
		nc->next = c;
		a->head = nc;
		if (a->next_size < SIZE_MAX / 2)
			a->next_size *= 2;
		c = nc;
	}
	void *p = c->data + c->used;
	c->used += need;
	memset(p, 0, n);
	return p;
}

void mikey_arena_free(mikey_arena *a)
{
	if (a == NULL)
		return;
	chunk *c = a->head;
	while (c != NULL) {
		chunk *next = c->next;
		/* The arena header sits in the last chunk of the list; reading
		 * c->next above happens before that chunk is wiped. */
		mikey_wipe(c->data, c->used);
		mikey_free(c);
		c = next;
	}
}
