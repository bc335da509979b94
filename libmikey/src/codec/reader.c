/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "reader.h"

void rd_init(mikey_reader *r, const uint8_t *p, size_t len, size_t base)
{
	r->p = p;
	r->len = p != NULL ? len : 0;
	r->pos = 0;
	r->base = base;
}

bool rd_take(mikey_reader *r, size_t n, const uint8_t **out)
{
	if (n > r->len - r->pos)
		return false;
	*out = r->p + r->pos;
	r->pos += n;
	return true;
}

static bool rd_be(mikey_reader *r, size_t n, uint64_t *v)
{
	const uint8_t *b;
	if (!rd_take(r, n, &b))
		return false;
	uint64_t x = 0;
	for (size_t i = 0; i < n; i++)
		x = (x << 8) | b[i];
	*v = x;
	return true;
}

bool rd_u8(mikey_reader *r, uint8_t *v)
{
	uint64_t x;
	if (!rd_be(r, 1, &x))
		return false;
	*v = (uint8_t)x;
	return true;
}

bool rd_u16(mikey_reader *r, uint16_t *v)
{
	uint64_t x;
	if (!rd_be(r, 2, &x))
		return false;
	*v = (uint16_t)x;
	return true;
}

bool rd_u32(mikey_reader *r, uint32_t *v)
{
	uint64_t x;
	if (!rd_be(r, 4, &x))
		return false;
	*v = (uint32_t)x;
	return true;
}

bool rd_u64(mikey_reader *r, uint64_t *v)
{
	return rd_be(r, 8, v);
}

bool rd_sub(mikey_reader *r, size_t n, mikey_reader *sub)
{
	const uint8_t *b;
	size_t off = rd_off(r);
	if (!rd_take(r, n, &b))
		return false;
	rd_init(sub, b, n, off);
	return true;
}
