/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pke.c - Envelope data payload (RFC 3830 §6.3): C (2 bits), Data len (14 bits). */
#include "codec/codec.h"

int pke_parse(mikey_pctx *c, mikey_reader *r, mikey_payload *p)
{
	mikey_pke *k = &p->u.pke;
	uint16_t word;

	if (!rd_u16(r, &word))
		return TRUNC(c, r, "C and Data len");
	k->cache = (uint8_t)(word >> 14);
	size_t len = word & 0x3fff;
	TAKE_LEN(c, r, len, &k->data, "Data");
	return MIKEY_OK;
}

int pke_build(mikey_bctx *c, mikey_writer *w, const mikey_payload *p)
{
	const mikey_pke *k = &p->u.pke;

	if (k->cache > 3)
		return mikey_berr(c, MIKEY_ERR_FIELD_RANGE, "PKE: C = %u does not fit 2 bits", k->cache);
	FITS(c, k->data.len, 0x3fff, "Data");
	wr_u16(w, (uint16_t)((k->cache << 14) | k->data.len));
	wr_bytes(w, k->data.data, k->data.len);
	return wr_status(w);
}
