/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sign.c - Signature payload (RFC 3830 §6.5): S type (4 bits), Signature
 * len (12 bits), no next-payload field (the chain walker knows). */
#include "codec/codec.h"

int sign_parse(mikey_pctx *c, mikey_reader *r, mikey_payload *p)
{
	mikey_sign *s = &p->u.sign;
	uint16_t word;

	if (!rd_u16(r, &word))
		return TRUNC(c, r, "S type and Signature len");
	s->s_type = (uint8_t)(word >> 12);
	size_t len = word & 0x0fff;
	TAKE_LEN(c, r, len, &s->sig, "Signature");
	return MIKEY_OK;
}

int sign_build(mikey_bctx *c, mikey_writer *w, const mikey_payload *p)
{
	const mikey_sign *s = &p->u.sign;

	if (s->s_type > 15)
		return mikey_berr(c, MIKEY_ERR_FIELD_RANGE, "SIGN: S type %u does not fit 4 bits", s->s_type);
	FITS(c, s->sig.len, 0x0fff, "Signature");
	wr_u16(w, (uint16_t)((s->s_type << 12) | s->sig.len));
	wr_bytes(w, s->sig.data, s->sig.len);
	return wr_status(w);
}
