/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * gen_ext.c - General Extension payload (RFC 3830 §6.15). The KEY-ID type
 * (RFC 4563 §4) is decoded into its Key ID sub-payloads; the other types
 * (Vendor ID, SDP IDs, TESLA I-Key of RFC 4442 §4.4, CSB_ID of RFC 4738,
 * OMA BCAST of RFC 5410) keep their data as bytes.
 */
#include "codec/codec.h"

static int key_ids_parse(mikey_pctx *c, mikey_reader *data, mikey_gen_ext *g)
{
	mikey_reader scan = *data;
	size_t n = 0;

	while (rd_left(&scan) > 0) {
		uint8_t type, len;
		const uint8_t *v;
		if (!rd_u8(&scan, &type) || !rd_u8(&scan, &len))
			return mikey_perr(c, MIKEY_ERR_LENGTH, rd_off(&scan),
			                  "General Ext. KEY-ID: Key ID sub-payload %zu is cut off (RFC 4563 §4)", n);
		if (!rd_take(&scan, len, &v))
			return mikey_perr(c, MIKEY_ERR_LENGTH, rd_off(&scan),
			                  "General Ext. KEY-ID: Key ID %zu length %u exceeds the %zu bytes left", n, len,
			                  rd_left(&scan));
		n++;
	}
	g->n_key_ids = n;
	if (n == 0)
		return MIKEY_OK;
	g->key_ids = mikey_msg_alloc(c->msg, n * sizeof(*g->key_ids));
	if (g->key_ids == NULL)
		return mikey_perr(c, MIKEY_ERR_NOMEM, rd_off(data), "out of memory");
	for (size_t i = 0; i < n; i++) {
		uint8_t len;
		if (!rd_u8(data, &g->key_ids[i].type) || !rd_u8(data, &len) || !mikey_pbytes(data, len, &g->key_ids[i].id))
			return mikey_perr(c, MIKEY_ERR_LENGTH, rd_off(data), "KEY-ID: sub-payload %zu changed", i);
	}
	return MIKEY_OK;
}

int gen_ext_parse(mikey_pctx *c, mikey_reader *r, mikey_payload *p)
{
	mikey_gen_ext *g = &p->u.gen_ext;
	uint16_t len;
	mikey_reader data;

	if (!rd_u8(r, &g->ext_type) || !rd_u16(r, &len))
		return TRUNC(c, r, "Type and Length");
	if (!rd_sub(r, len, &data))
		return LENERR(c, r, len, "Data");
	if (g->ext_type == MIKEY_GEN_KEY_ID)
		return key_ids_parse(c, &data, g);
	if (!mikey_pbytes(&data, len, &g->data))
		return LENERR(c, r, len, "Data");
	return MIKEY_OK;
}

int gen_ext_build(mikey_bctx *c, mikey_writer *w, const mikey_payload *p)
{
	const mikey_gen_ext *g = &p->u.gen_ext;

	wr_u8(w, g->ext_type);
	if (g->ext_type != MIKEY_GEN_KEY_ID) {
		FITS(c, g->data.len, 0xffff, "Data");
		wr_u16(w, (uint16_t)g->data.len);
		wr_bytes(w, g->data.data, g->data.len);
		return wr_status(w);
	}
	if (g->n_key_ids > 0 && g->key_ids == NULL)
		return mikey_berr(c, MIKEY_ERR_ARG, "General Ext. KEY-ID: %zu Key IDs but no array", g->n_key_ids);
	if (g->data.len > 0)
		return mikey_berr(c, MIKEY_ERR_ARG, "General Ext. KEY-ID: set key_ids, not data");
	size_t len_at = wr_reserve(w, 2);
	size_t start = w->len;
	for (size_t i = 0; i < g->n_key_ids; i++) {
		FITS(c, g->key_ids[i].id.len, 0xff, "a Key ID");
		wr_u8(w, g->key_ids[i].type);
		wr_u8(w, (uint8_t)g->key_ids[i].id.len);
		wr_bytes(w, g->key_ids[i].id.data, g->key_ids[i].id.len);
	}
	FITS(c, w->len - start, 0xffff, "Key ID Information");
	wr_patch_u16(w, len_at, (uint16_t)(w->len - start));
	return wr_status(w);
}
