/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * internal.h - small helpers every layer above base/ shares: filling a
 * mikey_error and copying bytes into a fresh allocation.
 */
#ifndef MIKEY_SRC_BASE_INTERNAL_H
#define MIKEY_SRC_BASE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "mikey/error.h"

/* mikey_fail fills |err| (may be NULL) with |code| and the formatted message
 * and returns |code|. (base/error.c) */
int mikey_fail(mikey_error *err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* mikey_copy_bytes copies |len| bytes of |src| into a fresh mikey_malloc'd
 * buffer at *dst (NULL and 0 for len 0). MIKEY_OK or MIKEY_ERR_NOMEM.
 * (base/mem.c) */
int mikey_copy_bytes(uint8_t **dst, size_t *dst_len, const void *src, size_t len);

#endif
