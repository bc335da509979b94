/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "mikey/mem.h"

#include <stdlib.h>
#include <string.h>

#include "base/internal.h"

static void *libc_malloc(size_t size, void *user)
{
	(void)user;
	return malloc(size);
}

static void *libc_realloc(void *ptr, size_t size, void *user)
{
	(void)user;
	return realloc(ptr, size);
}

static void libc_free(void *ptr, void *user)
{
	(void)user;
	free(ptr);
}

static const mikey_mem libc_mem = {libc_malloc, libc_realloc, libc_free, NULL};
static mikey_mem current = {libc_malloc, libc_realloc, libc_free, NULL};

void mikey_mem_set(const mikey_mem *mem)
{
	current = mem != NULL ? *mem : libc_mem;
}

const mikey_mem *mikey_mem_get(void)
{
	return &current;
}

void *mikey_malloc(size_t size)
{
	return current.malloc(size ? size : 1, current.user);
}

void *mikey_realloc(void *ptr, size_t size)
{
	return current.realloc(ptr, size ? size : 1, current.user);
}

void mikey_free(void *ptr)
{
	if (ptr != NULL)
		current.free(ptr, current.user);
}

int mikey_copy_bytes(uint8_t **dst, size_t *dst_len, const void *src, size_t len)
{
	*dst = NULL;
	*dst_len = 0;
	if (len == 0)
		return MIKEY_OK;
	*dst = mikey_malloc(len);
	if (*dst == NULL)
		return MIKEY_ERR_NOMEM;
	memcpy(*dst, src, len);
	*dst_len = len;
	return MIKEY_OK;
}

/* explicit_bzero (glibc 2.25) is not removed as a dead store, which a
 * plain memset before free may be; the codec and base need no OpenSSL. */
void mikey_wipe(void *p, size_t len)
{
	if (p != NULL && len > 0)
		explicit_bzero(p, len);
}
