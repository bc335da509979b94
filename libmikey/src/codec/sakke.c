/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sakke.c - SAKKE payload (RFC 6509 §4.2): SAKKE params, ID scheme, SAKKE
 * data length (16 bits), SAKKE Encapsulated Data (RFC 6508 §4). */
#include "codec/codec.h"

int sakke_parse(mikey_pctx *c, mikey_reader *r, mikey_payload *p)
{
	mikey_sakke *s = &p->u.sakke;
	uint16_t len;

	if (!rd_u8(r, &s->params) || !rd_u8(r, &s->id_scheme) || !rd_u16(r, &len))
		return TRUNC(c, r, "SAKKE params, ID scheme and SAKKE data length");
	TAKE_LEN(c, r, len, &s->data, "SAKKE data");
	return MIKEY_OK;
}

int sakke_build(mikey_bctx *c, mikey_writer *w, const mikey_payload *p)
{
	const mikey_sakke *s = &p->u.sakke;

	FITS(c, s->data.len, 0xffff, "SAKKE data");
	wr_u8(w, s->params);
	wr_u8(w, s->id_scheme);
	wr_u16(w, (uint16_t)s->data.len);
	wr_bytes(w, s->data.data, s->data.len);
	return wr_status(w);
}
