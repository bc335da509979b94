/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * writer.h - the one growable writer (after BoringSSL's CBB). Length fields
 * are reserved first and filled in once the body is written. The buffer
 * may hold keys (NULL KEMAC): growing it wipes the old copy.
 * After an allocation failure every call is a no-op and wr_status() says
 * MIKEY_ERR_NOMEM, so builders check once at the end. The small writes are
 * inline; only growing the buffer leaves the fast path.
 */
#ifndef MIKEY_CODEC_WRITER_H
#define MIKEY_CODEC_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct mikey_writer {
	uint8_t *buf;
	size_t len;
	size_t cap;
	bool nomem;
} mikey_writer;

void wr_init(mikey_writer *w, size_t hint);
/* wr_cleanup wipes and frees the buffer. */
void wr_cleanup(mikey_writer *w);
/* wr_finish hands the buffer to the caller (owner must mikey_buf_free). */
int wr_finish(mikey_writer *w, uint8_t **out, size_t *out_len);
int wr_status(const mikey_writer *w);
/* wr_grow makes room for |n| more bytes (slow path). */
bool wr_grow(mikey_writer *w, size_t n);

/* wr_room returns where |n| bytes can be written, advancing the length, or
 * NULL after an allocation failure. */
static inline uint8_t *wr_room(mikey_writer *w, size_t n)
{
	if ((w->buf == NULL || n > w->cap - w->len) && !wr_grow(w, n))
		return NULL;
	uint8_t *p = w->buf + w->len;
	w->len += n;
	return p;
}

static inline void wr_bytes(mikey_writer *w, const uint8_t *p, size_t n)
{
	uint8_t *d;
	if (n > 0 && (d = wr_room(w, n)) != NULL)
		memcpy(d, p, n);
}

static inline void wr_u8(mikey_writer *w, uint8_t v)
{
	uint8_t *d = wr_room(w, 1);
	if (d != NULL)
		d[0] = v;
}

static inline void wr_u16(mikey_writer *w, uint16_t v)
{
	uint8_t *d = wr_room(w, 2);
	if (d != NULL) {
		d[0] = (uint8_t)(v >> 8);
		d[1] = (uint8_t)v;
	}
}

static inline void wr_u32(mikey_writer *w, uint32_t v)
{
	uint8_t *d = wr_room(w, 4);
	if (d != NULL) {
		d[0] = (uint8_t)(v >> 24);
		d[1] = (uint8_t)(v >> 16);
		d[2] = (uint8_t)(v >> 8);
		d[3] = (uint8_t)v;
	}
}

static inline void wr_u64(mikey_writer *w, uint64_t v)
{
	uint8_t *d = wr_room(w, 8);
	if (d != NULL) {
		for (int i = 0; i < 8; i++)
			d[i] = (uint8_t)(v >> (56 - 8 * i));
	}
}

/* wr_reserve writes |n| zero bytes and returns where they start. */
static inline size_t wr_reserve(mikey_writer *w, size_t n)
{
	size_t pos = w->len;
	uint8_t *d = wr_room(w, n);
	if (d != NULL)
		memset(d, 0, n);
	return pos;
}

/* wr_patch_u16 overwrites two bytes at |pos| (from wr_reserve). */
static inline void wr_patch_u16(mikey_writer *w, size_t pos, uint16_t v)
{
	if (w->nomem || pos > w->len || w->len - pos < 2)
		return;
	w->buf[pos] = (uint8_t)(v >> 8);
	w->buf[pos + 1] = (uint8_t)v;
}

#endif
