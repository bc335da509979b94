/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * key_data.c - Key data sub-payload (RFC 3830 §6.13): Type (4 bits), KV
 * (4 bits), Key data len, Key data, Salt len and Salt data for the +SALT
 * types, then Key validity data (§6.14).
 */
#include "codec/codec.h"

static bool has_salt(uint8_t key_type)
{
	/* RFC 3830 Table 6.13.a and RFC 6043 Table 6.7. */
	return key_type == MIKEY_KEY_TGK_SALT || key_type == MIKEY_KEY_TEK_SALT || key_type == MIKEY_KEY_GTGK_SALT;
}

int key_data_parse(mikey_pctx *c, mikey_reader *r, mikey_payload *p)
{
	mikey_key_data *k = &p->u.key_data;
	uint8_t b;
	uint16_t len;

	if (!rd_u8(r, &b) || !rd_u16(r, &len))
		return TRUNC(c, r, "Type/KV and Key data len");
	k->key_type = b >> 4;
	TAKE_LEN(c, r, len, &k->key, "Key data");
	if (has_salt(k->key_type)) {
		if (!rd_u16(r, &len))
			return TRUNC(c, r, "the Salt len field");
		TAKE_LEN(c, r, len, &k->salt, "Salt data");
	}
	return mikey_kv_parse(c, r, b & 0x0f, &k->kv, "Key data");
}

int key_data_build(mikey_bctx *c, mikey_writer *w, const mikey_payload *p)
{
	const mikey_key_data *k = &p->u.key_data;

	if (k->key_type > 15 || k->kv.type > 15)
		return mikey_berr(c, MIKEY_ERR_FIELD_RANGE, "Key data: Type and KV are 4 bits each");
	if (!has_salt(k->key_type) && k->salt.len > 0)
		return mikey_berr(c, MIKEY_ERR_FIELD_RANGE, "Key data: type %u carries no salt but %zu salt bytes given",
		                  k->key_type, k->salt.len);
	FITS(c, k->key.len, 0xffff, "Key data");
	FITS(c, k->salt.len, 0xffff, "Salt data");
	wr_u8(w, (uint8_t)(k->key_type << 4 | k->kv.type));
	wr_u16(w, (uint16_t)k->key.len);
	wr_bytes(w, k->key.data, k->key.len);
	if (has_salt(k->key_type)) {
		wr_u16(w, (uint16_t)k->salt.len);
		wr_bytes(w, k->salt.data, k->salt.len);
	}
	return mikey_kv_build(c, w, &k->kv, "Key data");
}
