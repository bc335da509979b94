/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * reader.h - the one bounded reader (after BoringSSL's CBS). Every byte of
 * a message is read through these functions; the bounds check lives only
 * in rd_take(). A failed read leaves the reader unchanged. They are inline
 * because a parse makes a hundred of these calls per message.
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

static inline void rd_init(mikey_reader *r, const uint8_t *p, size_t len, size_t base)
{
	r->p = p;
	r->len = p != NULL ? len : 0;
	r->pos = 0;
	r->base = base;
}

static inline size_t rd_left(const mikey_reader *r)
{
	return r->len - r->pos;
}

/* Absolute offset of the next unread byte. */
static inline size_t rd_off(const mikey_reader *r)
{
	return r->base + r->pos;
}

/* rd_take borrows the next |n| bytes: the only bounds check. */
static inline bool rd_take(mikey_reader *r, size_t n, const uint8_t **out)
{
	if (n > r->len - r->pos)
		return false;
	*out = r->p + r->pos;
	r->pos += n;
	return true;
}

static inline bool rd_u8(mikey_reader *r, uint8_t *v)
{
	const uint8_t *b;
	if (!rd_take(r, 1, &b))
		return false;
	*v = b[0];
	return true;
}

static inline bool rd_u16(mikey_reader *r, uint16_t *v)
{
	const uint8_t *b;
	if (!rd_take(r, 2, &b))
		return false;
	*v = (uint16_t)(b[0] << 8 | b[1]);
	return true;
}

static inline bool rd_u32(mikey_reader *r, uint32_t *v)
{
	const uint8_t *b;
	if (!rd_take(r, 4, &b))
		return false;
	*v = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
	return true;
}

static inline bool rd_u64(mikey_reader *r, uint64_t *v)
{
	const uint8_t *b;
	if (!rd_take(r, 8, &b))
		return false;
	uint64_t x = 0;
	for (int i = 0; i < 8; i++)
		x = x << 8 | b[i];
	*v = x;
	return true;
}

/* rd_sub splits the next |n| bytes off into |sub|, which a caller must then
 * consume exactly (rd_left(sub) == 0). */
static inline bool rd_sub(mikey_reader *r, size_t n, mikey_reader *sub)
{
	const uint8_t *b;
	size_t off = rd_off(r);
	if (!rd_take(r, n, &b))
		return false;
	rd_init(sub, b, n, off);
	return true;
}

#endif
