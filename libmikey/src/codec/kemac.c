/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kemac.c - Key data transport payload (RFC 3830 §6.2).
 */
#include "codec/codec.h"

static bool is_dhhmac(uint8_t data_type)
{
	return data_type == MIKEY_DT_DHHMAC_INIT || data_type == MIKEY_DT_DHHMAC_RESP;
}

/* RFC 4650 §4.2 Table 4.2.a numbers HMAC-SHA-1 as 0, against RFC 3830's
 * registry (0 = NULL). In a DH-HMAC message whose KEMAC is last and is
 * followed by exactly a SHA-1-sized MAC, that reading is the only one that
 * delimits the message, so accept it (docs/interpretations.md). */
static bool rfc4650_mac_reading(const mikey_pctx *c, bool last, const mikey_kemac *k, size_t left)
{
	return !c->strict_rfc4650_mac && is_dhhmac(c->data_type) && last && k->mac_alg == MIKEY_MAC_NULL && left == 20;
}

int kemac_parse(mikey_pctx *c, mikey_reader *r, mikey_payload *p)
{
	mikey_kemac *k = &p->u.kemac;
	bool last = c->last_in_chain;
	uint16_t len;
	mikey_reader data;

	if (!rd_u8(r, &k->encr_alg) || !rd_u16(r, &len))
		return TRUNC(c, r, "Encr alg and Encr data len");
	if (!rd_sub(r, len, &data))
		return LENERR(c, r, len, "Encr data");
	if (k->encr_alg == MIKEY_ENCR_NULL && len > 0) {
		/* NULL encryption: the sub-payloads are in the clear. */
		c->in_kemac = true;
		int rc = mikey_chain_parse(c, &data, mikey_kemac_first_type(c->data_type), &k->sub, false);
		c->in_kemac = false;
		c->payload_type = MIKEY_PT_KEMAC;
		if (rc != MIKEY_OK)
			return rc;
	} else if (!mikey_pbytes(&data, len, &k->encr_data)) {
		return LENERR(c, r, len, "Encr data");
	}
	size_t alg_off = rd_off(r);
	if (!rd_u8(r, &k->mac_alg))
		return TRUNC(c, r, "the MAC alg field");
	int mac_len = mikey_mac_len(k->mac_alg);
	if (rfc4650_mac_reading(c, last, k, rd_left(r)))
		mac_len = 20;
	if (mac_len < 0)
		return mikey_perr(c, MIKEY_ERR_UNKNOWN_VALUE, alg_off,
		                  "KEMAC: MAC alg %u is unknown, so the MAC length cannot be determined", k->mac_alg);
	if (!mikey_pbytes(r, (size_t)mac_len, &k->mac))
		return TRUNC(c, r, "the MAC");
	return MIKEY_OK;
}

int kemac_build(mikey_bctx *c, mikey_writer *w, const mikey_payload *p)
{
	const mikey_kemac *k = &p->u.kemac;

	if (k->encr_alg == MIKEY_ENCR_NULL) {
		/* What we build must parse back the same: with NULL encryption
		 * the parser reads sub-payloads, starting with the type the
		 * data type implies (RFC 3830 §6.2). */
		if (k->encr_data.len > 0)
			return mikey_berr(c, MIKEY_ERR_ARG,
			                  "KEMAC: Encr alg NULL carries its Key data in sub, not in encr_data");
		uint8_t first = mikey_kemac_first_type(c->data_type);
		if (k->sub.first != NULL && c->check_first_sub && k->sub.first->type != first)
			return mikey_berr(c, MIKEY_ERR_PLACEMENT,
			                  "KEMAC: in data type %u the first sub-payload must be type %u, not %u",
			                  c->data_type, first, k->sub.first->type);
	}
	wr_u8(w, k->encr_alg);
	if (k->encr_alg == MIKEY_ENCR_NULL && k->sub.first != NULL) {
		size_t len_at = wr_reserve(w, 2);
		size_t start = w->len;
		int rc = mikey_chain_build(c, w, &k->sub, false);
		c->payload_type = MIKEY_PT_KEMAC;
		if (rc != MIKEY_OK)
			return rc;
		FITS(c, w->len - start, 0xffff, "Encr data");
		wr_patch_u16(w, len_at, (uint16_t)(w->len - start));
	} else {
		FITS(c, k->encr_data.len, 0xffff, "Encr data");
		wr_u16(w, (uint16_t)k->encr_data.len);
		wr_bytes(w, k->encr_data.data, k->encr_data.len);
	}
	int mac_len = mikey_mac_len(k->mac_alg);
	if (mac_len < 0)
		return mikey_berr(c, MIKEY_ERR_UNKNOWN_VALUE, "KEMAC: MAC alg %u has no known length", k->mac_alg);
	/* The RFC 4650 numbering is only readable at the very end of the
	 * message (kemac_parse), so only write it there. */
	bool rfc4650 = is_dhhmac(c->data_type) && k->mac_alg == MIKEY_MAC_NULL && k->mac.len == 20 &&
	               p->next == NULL && c->check_first_sub;
	if (k->mac.len != (size_t)mac_len && !rfc4650)
		return mikey_berr(c, MIKEY_ERR_FIELD_RANGE, "KEMAC: MAC is %zu bytes, MAC alg %u needs %d", k->mac.len,
		                  k->mac_alg, mac_len);
	wr_u8(w, k->mac_alg);
	wr_bytes(w, k->mac.data, k->mac.len);
	return wr_status(w);
}
