/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * id.c - ID and CERT payloads (RFC 3830 §6.7, one layout) and IDR, the ID
 * with a role (RFC 6043 §6.6).
 */
#include "codec/codec.h"

static int id_body_parse(mikey_pctx *c, mikey_reader *r, mikey_id *id)
{
	uint16_t len;
	if (!rd_u8(r, &id->type) || !rd_u16(r, &len))
		return TRUNC(c, r, "the type and length fields");
	TAKE_LEN(c, r, len, &id->data, c->payload_type == MIKEY_PT_CERT ? "Certificate" : "ID data");
	return MIKEY_OK;
}

static int id_body_build(mikey_bctx *c, mikey_writer *w, const mikey_id *id)
{
	FITS(c, id->data.len, 0xffff, c->payload_type == MIKEY_PT_CERT ? "the certificate" : "the ID");
	wr_u8(w, id->type);
	wr_u16(w, (uint16_t)id->data.len);
	wr_bytes(w, id->data.data, id->data.len);
	return wr_status(w);
}

int id_parse(mikey_pctx *c, mikey_reader *r, mikey_payload *p)
{
	return id_body_parse(c, r, &p->u.id);
}

int id_build(mikey_bctx *c, mikey_writer *w, const mikey_payload *p)
{
	return id_body_build(c, w, &p->u.id);
}

int idr_parse(mikey_pctx *c, mikey_reader *r, mikey_payload *p)
{
	if (!rd_u8(r, &p->u.id.role))
		return TRUNC(c, r, "the ID Role field");
	return id_body_parse(c, r, &p->u.id);
}

int idr_build(mikey_bctx *c, mikey_writer *w, const mikey_payload *p)
{
	wr_u8(w, p->u.id.role);
	return id_body_build(c, w, &p->u.id);
}
