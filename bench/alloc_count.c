/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bench/alloc_count.c - see alloc_count.h. */
#include "alloc_count.h"

#include <stdlib.h>

#ifdef BENCH_COUNT_MALLOC

/* glibc's own entry points (exported since glibc 2.0); calling them avoids
 * dlsym(RTLD_NEXT), which itself allocates. */
extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *ptr, size_t size);
extern void __libc_free(void *ptr);

static bool counting;
static size_t n_malloc, n_realloc, n_free;

/* Relaxed atomics: GLib may allocate from a helper thread; a lost count
 * there must not corrupt memory, and the timing process never counts. */
static inline void bump(size_t *c)
{
	if (__atomic_load_n(&counting, __ATOMIC_RELAXED))
		__atomic_fetch_add(c, 1, __ATOMIC_RELAXED);
}

void *malloc(size_t size)
{
	bump(&n_malloc);
	return __libc_malloc(size);
}

void *calloc(size_t n, size_t size)
{
	bump(&n_malloc);
	return __libc_calloc(n, size);
}

void *realloc(void *ptr, size_t size)
{
	bump(&n_realloc);
	return __libc_realloc(ptr, size);
}

void free(void *ptr)
{
	if (ptr != NULL)
		bump(&n_free);
	__libc_free(ptr);
}

bool bench_alloc_available(void)
{
	return true;
}

void bench_alloc_start(void)
{
	__atomic_store_n(&counting, false, __ATOMIC_SEQ_CST);
	n_malloc = n_realloc = n_free = 0;
	__atomic_store_n(&counting, true, __ATOMIC_SEQ_CST);
}

bench_alloc_stats bench_alloc_stop(void)
{
	bench_alloc_stats s;

	__atomic_store_n(&counting, false, __ATOMIC_SEQ_CST);
	s.mallocs = n_malloc;
	s.reallocs = n_realloc;
	s.frees = n_free;
	return s;
}

#else /* !BENCH_COUNT_MALLOC */

bool bench_alloc_available(void)
{
	return false;
}

void bench_alloc_start(void)
{
}

bench_alloc_stats bench_alloc_stop(void)
{
	bench_alloc_stats s = {0, 0, 0};
	return s;
}

#endif
