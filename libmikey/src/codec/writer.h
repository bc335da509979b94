/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * writer.h - the one growable writer (after BoringSSL's CBB). Length fields
 * are reserved first and filled in once the body is written. The buffer
 * may hold keys (NULL KEMAC): growing it wipes the old copy.
 * After an allocation failure every call is a no-op and wr_status() says
 * MIKEY_ERR_NOMEM, so builders check once at the end.
 */
#ifndef MIKEY_CODEC_WRITER_H
#define MIKEY_CODEC_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

void wr_u8(mikey_writer *w, uint8_t v);
void wr_u16(mikey_writer *w, uint16_t v);
void wr_u32(mikey_writer *w, uint32_t v);
void wr_u64(mikey_writer *w, uint64_t v);
void wr_bytes(mikey_writer *w, const uint8_t *p, size_t n);
/* wr_reserve writes |n| zero bytes and returns where they start. */
size_t wr_reserve(mikey_writer *w, size_t n);
/* wr_patch_u16 overwrites two bytes at |pos| (from wr_reserve). */
void wr_patch_u16(mikey_writer *w, size_t pos, uint16_t v);

#endif
