/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * codec.h - what the payload files share: the parse and build contexts,
 * the payload table row, and the error helpers. The codec parses and builds
 * bytes; it knows no keys and no exchanges.
 */
#ifndef MIKEY_CODEC_CODEC_H
#define MIKEY_CODEC_CODEC_H

#include <stdbool.h>

#include "mikey/msg.h"
#include "codec/reader.h"
#include "codec/writer.h"

typedef struct mikey_pctx {
	mikey_msg *msg;
	mikey_error *err;
	size_t max_payloads;
	size_t max_sp_params;
	bool strict_rfc4650_mac;
	uint8_t data_type;  /* from the header: some layouts depend on it */
	int payload_index;  /* top-level payload being parsed (0 = HDR) */
	int payload_type;   /* its type */
	bool in_kemac;      /* parsing KEMAC sub-payloads */
	bool last_in_chain; /* the payload being parsed named Last payload */
} mikey_pctx;

typedef struct mikey_bctx {
	mikey_error *err;
	uint8_t data_type;
	bool check_first_sub; /* building a whole message (data type known) */
	int payload_index;
	int payload_type;
} mikey_bctx;

/* One row per payload type (Wireshark-style table, both directions).
 * The chain walker reads and writes the next-payload field (the first byte
 * of every payload but SIGN, RFC 3830 §6.5); parse and build handle the
 * rest of the payload. */
typedef struct mikey_payload_codec {
	uint8_t type;
	const char *name;
	int (*parse)(mikey_pctx *c, mikey_reader *r, mikey_payload *p);
	int (*build)(mikey_bctx *c, mikey_writer *w, const mikey_payload *p);
} mikey_payload_codec;

const mikey_payload_codec *mikey_codec_find(uint8_t type);

/* A message whose arena starts at |arena_size| bytes (msg_memory.c). */
mikey_msg *mikey_msg_new_sized(size_t arena_size);

/* Walk a next-payload chain starting with |first| until Last payload,
 * appending to |list|. Payloads may not exceed c->max_payloads. */
int mikey_chain_parse(mikey_pctx *c, mikey_reader *r, uint8_t first, mikey_payload_list *list, bool top);
int mikey_chain_build(mikey_bctx *c, mikey_writer *w, const mikey_payload_list *list, bool top);

int mikey_hdr_parse(mikey_pctx *c, mikey_reader *r, uint8_t *first);
int mikey_hdr_build(mikey_bctx *c, mikey_writer *w, const mikey_hdr *h, uint8_t first);

/* Key validity data (RFC 3830 §6.14), shared by Key data and DH. */
int mikey_kv_parse(mikey_pctx *c, mikey_reader *r, uint8_t kv_type, mikey_kv *kv, const char *where);
int mikey_kv_build(mikey_bctx *c, mikey_writer *w, const mikey_kv *kv, const char *where);

/* RFC 3830 §6.14: for SRTP, a KV Interval's Valid From / Valid To are
 * packet indices (ROC || SEQ, 48 bits), big-endian; an empty bound is
 * open (0, or 2^48 - 1). mikey_kv_srtp_interval reads both: MIKEY_OK,
 * MIKEY_ERR_UNKNOWN_VALUE (not an Interval), MIKEY_ERR_FIELD_RANGE (a bound
 * longer than 6 bytes, or from > to). */
#define MIKEY_KV_SRTP_INDEX_BYTES 6
int mikey_kv_srtp_interval(const mikey_kv *kv, uint64_t *from, uint64_t *to);

/* Error helpers: fill c->err (if any) and return |code|. */
int mikey_perr(mikey_pctx *c, int code, size_t offset, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
int mikey_berr(mikey_bctx *c, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Point |dst| at |n| bytes of the (arena-held) input: no copy. */
bool mikey_pbytes(mikey_reader *r, size_t n, mikey_bytes *dst);

/* Common messages. */
#define TRUNC(c, r, what) \
	mikey_perr((c), MIKEY_ERR_TRUNCATED, rd_off(r), "%s: message ends inside %s", payload_name(c), (what))

/* A length field promised more bytes than are left. */
#define LENERR(c, r, n, what)                                                                              \
	mikey_perr((c), MIKEY_ERR_LENGTH, rd_off(r), "%s: %s length %zu exceeds the %zu bytes left", payload_name(c), \
	           (what), (size_t)(n), rd_left(r))

/* Read a |n|-byte field whose length came from the wire. */
#define TAKE_LEN(c, r, n, dst, what)                         \
	do {                                                 \
		if (!mikey_pbytes((r), (n), (dst)))          \
			return LENERR((c), (r), (n), (what)); \
	} while (0)

const char *payload_name(const mikey_pctx *c);
const char *bpayload_name(const mikey_bctx *c);

/* Build-side check that a byte string fits a length field of |max| bytes. */
#define FITS(c, len, max, what)                                                                      \
	do {                                                                                          \
		if ((len) > (max))                                                                    \
			return mikey_berr((c), MIKEY_ERR_FIELD_RANGE, "%s: %s is %zu bytes, at most %zu fit", \
			                  bpayload_name(c), (what), (size_t)(len), (size_t)(max));       \
	} while (0)

/* Declarations of the per-payload table functions. */
#define MIKEY_CODEC_DECL(fn)                                              \
	int fn##_parse(mikey_pctx *c, mikey_reader *r, mikey_payload *p); \
	int fn##_build(mikey_bctx *c, mikey_writer *w, const mikey_payload *p)

MIKEY_CODEC_DECL(kemac);
MIKEY_CODEC_DECL(pke);
MIKEY_CODEC_DECL(dh);
MIKEY_CODEC_DECL(sign);
MIKEY_CODEC_DECL(t);
MIKEY_CODEC_DECL(tr);
MIKEY_CODEC_DECL(id);
MIKEY_CODEC_DECL(idr);
MIKEY_CODEC_DECL(chash);
MIKEY_CODEC_DECL(v);
MIKEY_CODEC_DECL(sp);
MIKEY_CODEC_DECL(rand);
MIKEY_CODEC_DECL(randr);
MIKEY_CODEC_DECL(err);
MIKEY_CODEC_DECL(key_data);
MIKEY_CODEC_DECL(gen_ext);
MIKEY_CODEC_DECL(ticket);
MIKEY_CODEC_DECL(sakke);

#endif
