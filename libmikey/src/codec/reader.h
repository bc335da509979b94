/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * reader.h - the one bounded reader (after BoringSSL's CBS). Every byte of
 * a message is read through these functions; the bounds check lives only
 * in rd_take(). A failed read leaves the reader unchanged.
 */
#ifndef MIKEY_CODEC_READER_H
#define MIKEY_CODEC_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct mikey_reader {
	const uint8_t *p;
	size_t len;
	size_t pos;
	size_t base; /* offset of p[0] in the whole message, for error reports */
} mikey_reader;

void rd_init(mikey_reader *r, const uint8_t *p, size_t len, size_t base);

/* rd_take borrows the next |n| bytes. */
bool rd_take(mikey_reader *r, size_t n, const uint8_t **out);
bool rd_u8(mikey_reader *r, uint8_t *v);
bool rd_u16(mikey_reader *r, uint16_t *v);
bool rd_u32(mikey_reader *r, uint32_t *v);
bool rd_u64(mikey_reader *r, uint64_t *v);
/* rd_sub splits the next |n| bytes off into |sub|, which a caller must then
 * consume exactly (rd_left(sub) == 0). */
bool rd_sub(mikey_reader *r, size_t n, mikey_reader *sub);

static inline size_t rd_left(const mikey_reader *r)
{
	return r->len - r->pos;
}

/* Absolute offset of the next unread byte. */
static inline size_t rd_off(const mikey_reader *r)
{
	return r->base + r->pos;
}

#endif
