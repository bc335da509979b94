/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* chash.c - Cert hash payload (RFC 3830 §6.8); hash length implicit from
 * the hash function (Table 6.8, RFC 6043 Table 6.12). */
#include "codec/codec.h"

int chash_parse(mikey_pctx *c, mikey_reader *r, mikey_payload *p)
{
	mikey_chash *h = &p->u.chash;
	size_t off = rd_off(r);

	if (!rd_u8(r, &h->hash_func))
		return TRUNC(c, r, "the Hash func field");
	int len = mikey_hash_len(h->hash_func);
	if (len < 0)
		return mikey_perr(c, MIKEY_ERR_UNKNOWN_VALUE, off,
		                  "CHASH: hash func %u is unknown, so the hash length cannot be determined", h->hash_func);
	if (!mikey_pbytes(r, (size_t)len, &h->hash))
		return TRUNC(c, r, "the hash");
	return MIKEY_OK;
}

int chash_build(mikey_bctx *c, mikey_writer *w, const mikey_payload *p)
{
	const mikey_chash *h = &p->u.chash;
	int len = mikey_hash_len(h->hash_func);

	if (len < 0)
		return mikey_berr(c, MIKEY_ERR_UNKNOWN_VALUE, "CHASH: hash func %u has no known length", h->hash_func);
	if (h->hash.len != (size_t)len)
		return mikey_berr(c, MIKEY_ERR_FIELD_RANGE, "CHASH: hash is %zu bytes, hash func %u needs %d",
		                  h->hash.len, h->hash_func, len);
	wr_u8(w, h->hash_func);
	wr_bytes(w, h->hash.data, h->hash.len);
	return wr_status(w);
}
