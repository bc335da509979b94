/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fail_alloc.h - an allocator for mikey_mem_set() that fails one chosen
 * allocation and counts the blocks still live, for allocation-failure
 * sweeps: fail_alloc_arm(n) makes allocation n (counted from the call)
 * return NULL; fail_alloc.live must be 0 once everything is freed.
 */
#ifndef TESTS_FAIL_ALLOC_H
#define TESTS_FAIL_ALLOC_H

#include <stdlib.h>
#include <string.h>

#include "mikey/mem.h"

static struct {
	size_t calls, fail_at, live;
} fail_alloc;

static inline void *fail_alloc_malloc(size_t size, void *user)
{
	(void)user;
	if (++fail_alloc.calls == fail_alloc.fail_at)
		return NULL;
	void *p = malloc(size ? size : 1);
	fail_alloc.live += p != NULL;
	return p;
}

static inline void *fail_alloc_realloc(void *ptr, size_t size, void *user)
{
	(void)user;
	if (++fail_alloc.calls == fail_alloc.fail_at)
		return NULL;
	void *p = realloc(ptr, size ? size : 1);
	fail_alloc.live += p != NULL && ptr == NULL;
	return p;
}

static inline void fail_alloc_free(void *ptr, void *user)
{
	(void)user;
	if (ptr != NULL) {
		fail_alloc.live--;
		free(ptr);
	}
}

/* Installs the allocator; allocation |n| from now fails (0: none). */
static inline void fail_alloc_arm(size_t n)
{
	static const mikey_mem mem = {fail_alloc_malloc, fail_alloc_realloc, fail_alloc_free, NULL};
	memset(&fail_alloc, 0, sizeof(fail_alloc));
	fail_alloc.fail_at = n;
	mikey_mem_set(&mem);
}

/* Fails allocation |n| counted from now, keeping the live count. */
static inline void fail_alloc_from_now(size_t n)
{
	fail_alloc.fail_at = fail_alloc.calls + n;
}

static inline void fail_alloc_disarm(void)
{
	mikey_mem_set(NULL);
}

#endif
