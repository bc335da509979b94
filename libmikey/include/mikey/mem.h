/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * mikey/mem.h - the allocator libmikey uses for everything it allocates.
 * Replace it (before any other call, from one thread) to count allocations
 * or to fail the n-th one in tests.
 */
#ifndef MIKEY_MEM_H
#define MIKEY_MEM_H

#include "mikey/export.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mikey_mem {
	void *(*malloc)(size_t size, void *user);
	void *(*realloc)(void *ptr, size_t size, void *user);
	void (*free)(void *ptr, void *user);
	void *user;
} mikey_mem;

/* mikey_mem_set installs |mem| (copied); NULL restores the C library's. */
MIKEY_API void mikey_mem_set(const mikey_mem *mem);

/* mikey_mem_get returns the allocator in use (get0). */
MIKEY_API const mikey_mem *mikey_mem_get(void);

/* Thin wrappers used by libmikey and its tools. mikey_free accepts NULL. */
MIKEY_API void *mikey_malloc(size_t size);
MIKEY_API void *mikey_realloc(void *ptr, size_t size);
MIKEY_API void mikey_free(void *ptr);

/* mikey_wipe overwrites |len| bytes at |p| in a way the compiler cannot
 * remove (OPENSSL_cleanse). */
MIKEY_API void mikey_wipe(void *p, size_t len);

#ifdef __cplusplus
}
#endif
#endif
