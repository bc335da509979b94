/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kv.c - Key validity data (RFC 3830 §6.14), part of the Key data
 * sub-payload (§6.13) and the DH payload (§6.4).
 */
#include "codec/codec.h"

int mikey_kv_parse(mikey_pctx *c, mikey_reader *r, uint8_t kv_type, mikey_kv *kv, const char *where)
{
	uint8_t n;

	kv->type = kv_type;
	switch (kv_type) {
	case MIKEY_KV_NULL:
		return MIKEY_OK;
	case MIKEY_KV_SPI:
		if (!rd_u8(r, &n) || !mikey_pbytes(r, n, &kv->spi))
			return TRUNC(c, r, "the SPI/MKI of the key validity data");
		return MIKEY_OK;
	case MIKEY_KV_INTERVAL:
		if (!rd_u8(r, &n) || !mikey_pbytes(r, n, &kv->valid_from))
			return TRUNC(c, r, "Valid From of the key validity data");
		if (!rd_u8(r, &n) || !mikey_pbytes(r, n, &kv->valid_to))
			return TRUNC(c, r, "Valid To of the key validity data");
		return MIKEY_OK;
	default:
		return mikey_perr(c, MIKEY_ERR_UNKNOWN_VALUE, rd_off(r),
		                  "%s: KV type %u is unknown, so the key validity data cannot be delimited", where,
		                  kv_type);
	}
}

int mikey_kv_build(mikey_bctx *c, mikey_writer *w, const mikey_kv *kv, const char *where)
{
	switch (kv->type) {
	case MIKEY_KV_NULL:
		return MIKEY_OK;
	case MIKEY_KV_SPI:
		FITS(c, kv->spi.len, 0xff, "the SPI/MKI");
		wr_u8(w, (uint8_t)kv->spi.len);
		wr_bytes(w, kv->spi.data, kv->spi.len);
		return wr_status(w);
	case MIKEY_KV_INTERVAL:
		FITS(c, kv->valid_from.len, 0xff, "Valid From");
		FITS(c, kv->valid_to.len, 0xff, "Valid To");
		wr_u8(w, (uint8_t)kv->valid_from.len);
		wr_bytes(w, kv->valid_from.data, kv->valid_from.len);
		wr_u8(w, (uint8_t)kv->valid_to.len);
		wr_bytes(w, kv->valid_to.data, kv->valid_to.len);
		return wr_status(w);
	default:
		return mikey_berr(c, MIKEY_ERR_UNKNOWN_VALUE, "%s: KV type %u has no known encoding", where, kv->type);
	}
}

/* One bound: big-endian, at most 48 bits; empty means |open|. */
static int srtp_index(const mikey_bytes *b, uint64_t open, uint64_t *out)
{
	if (b->len > MIKEY_KV_SRTP_INDEX_BYTES)
		return MIKEY_ERR_FIELD_RANGE;
	*out = b->len == 0 ? open : 0;
	for (size_t i = 0; i < b->len; i++)
		*out = *out << 8 | b->data[i];
	return MIKEY_OK;
}

int mikey_kv_srtp_interval(const mikey_kv *kv, uint64_t *from, uint64_t *to)
{
	if (kv->type != MIKEY_KV_INTERVAL)
		return MIKEY_ERR_UNKNOWN_VALUE;
	int rc = srtp_index(&kv->valid_from, 0, from);
	if (rc == MIKEY_OK)
		rc = srtp_index(&kv->valid_to, ((uint64_t)1 << 48) - 1, to);
	if (rc == MIKEY_OK && *from > *to)
		rc = MIKEY_ERR_FIELD_RANGE;
	return rc;
}
