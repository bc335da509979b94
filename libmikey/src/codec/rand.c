/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rand.c - RAND payload (RFC 3830 §6.11) and RANDR, RAND with a role
 * (RFC 6043 §6.8). */
#include "codec/codec.h"

static int rand_body_parse(mikey_pctx *c, mikey_reader *r, mikey_rand *rd)
{
	uint8_t len;
	if (!rd_u8(r, &len))
		return TRUNC(c, r, "the RAND len field");
	TAKE_LEN(c, r, len, &rd->rand, "RAND");
	return MIKEY_OK;
}

static int rand_body_build(mikey_bctx *c, mikey_writer *w, const mikey_rand *rd)
{
	FITS(c, rd->rand.len, 0xff, "RAND");
	wr_u8(w, (uint8_t)rd->rand.len);
	wr_bytes(w, rd->rand.data, rd->rand.len);
	return wr_status(w);
}

int rand_parse(mikey_pctx *c, mikey_reader *r, mikey_payload *p)
{
	return rand_body_parse(c, r, &p->u.rand);
}

int rand_build(mikey_bctx *c, mikey_writer *w, const mikey_payload *p)
{
	return rand_body_build(c, w, &p->u.rand);
}

int randr_parse(mikey_pctx *c, mikey_reader *r, mikey_payload *p)
{
	if (!rd_u8(r, &p->u.rand.role))
		return TRUNC(c, r, "the RAND Role field");
	return rand_body_parse(c, r, &p->u.rand);
}

int randr_build(mikey_bctx *c, mikey_writer *w, const mikey_payload *p)
{
	wr_u8(w, p->u.rand.role);
	return rand_body_build(c, w, &p->u.rand);
}
