/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "writer.h"

#include <string.h>

#include "mikey/error.h"
#include "mikey/mem.h"

void wr_init(mikey_writer *w, size_t hint)
{
	w->buf = NULL;
	w->len = 0;
	w->cap = hint;
	w->nomem = false;
}

void wr_cleanup(mikey_writer *w)
{
	if (w->buf != NULL) {
		mikey_wipe(w->buf, w->len);
		mikey_free(w->buf);
	}
	w->buf = NULL;
	w->len = w->cap = 0;
}

int wr_status(const mikey_writer *w)
{
	return w->nomem ? MIKEY_ERR_NOMEM : MIKEY_OK;
}

int wr_finish(mikey_writer *w, uint8_t **out, size_t *out_len)
{
	if (w->nomem) {
		wr_cleanup(w);
		return MIKEY_ERR_NOMEM;
	}
	if (w->buf == NULL) {
		/* An empty result still gets a buffer so the caller can free it. */
		w->buf = mikey_malloc(1);
		if (w->buf == NULL)
			return MIKEY_ERR_NOMEM;
	}
	*out = w->buf;
	*out_len = w->len;
	w->buf = NULL;
	w->len = w->cap = 0;
	return MIKEY_OK;
}

/* grow makes room for |n| more bytes; malloc+copy+wipe rather than
 * realloc so no stale copy of key material is left behind. */
static bool grow(mikey_writer *w, size_t n)
{
	if (w->nomem)
		return false;
	if (w->buf != NULL && n <= w->cap - w->len)
		return true;
	if (n > SIZE_MAX / 2 - w->len) {
		w->nomem = true;
		return false;
	}
	size_t cap = w->buf != NULL ? w->cap : (w->cap ? w->cap : 256);
	while (cap < w->len + n)
		cap *= 2;
	uint8_t *nb = mikey_malloc(cap);
	if (nb == NULL) {
		w->nomem = true;
		return false;
	}
	if (w->buf != NULL) {
		memcpy(nb, w->buf, w->len);
		mikey_wipe(w->buf, w->len);
		mikey_free(w->buf);
	}
	w->buf = nb;
	w->cap = cap;
	return true;
}

void wr_bytes(mikey_writer *w, const uint8_t *p, size_t n)
{
	if (n == 0 || !grow(w, n))
		return;
	memcpy(w->buf + w->len, p, n);
	w->len += n;
}

static void wr_be(mikey_writer *w, uint64_t v, size_t n)
{
	uint8_t b[8];
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
	wr_bytes(w, b, n);
}

void wr_u8(mikey_writer *w, uint8_t v)
{
	wr_be(w, v, 1);
}

void wr_u16(mikey_writer *w, uint16_t v)
{
	wr_be(w, v, 2);
}

void wr_u32(mikey_writer *w, uint32_t v)
{
	wr_be(w, v, 4);
}

void wr_u64(mikey_writer *w, uint64_t v)
{
	wr_be(w, v, 8);
}

size_t wr_reserve(mikey_writer *w, size_t n)
{
	size_t pos = w->len;
	if (!grow(w, n))
		return pos;
	memset(w->buf + w->len, 0, n);
	w->len += n;
	return pos;
}

void wr_patch_u16(mikey_writer *w, size_t pos, uint16_t v)
{
	if (w->nomem || pos > w->len || w->len - pos < 2)
		return;
	w->buf[pos] = (uint8_t)(v >> 8);
	w->buf[pos + 1] = (uint8_t)v;
}
