/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ticket.c - Ticket Policy (TP) and Ticket (TICKET) payloads of
 * MIKEY-TICKET (RFC 6043 §6.10). They share the layout up to TP Data; only
 * TICKET has Ticket Data and Initiator Data. TP Data (a payload chain of its
 * own) and Ticket Data are kept as bytes.
 */
#include "codec/codec.h"

static int len16_bytes(mikey_pctx *c, mikey_reader *r, mikey_bytes *dst, const char *what)
{
	uint16_t len;
	if (!rd_u16(r, &len))
		return TRUNC(c, r, what);
	TAKE_LEN(c, r, len, dst, what);
	return MIKEY_OK;
}

int ticket_parse(mikey_pctx *c, mikey_reader *r, mikey_payload *p)
{
	mikey_ticket *t = &p->u.ticket;
	uint8_t b;
	uint16_t word;

	if (!rd_u16(r, &t->ticket_type) || !rd_u8(r, &t->subtype) || !rd_u8(r, &t->version) || !rd_u8(r, &b) ||
	    !rd_u16(r, &word))
		return TRUNC(c, r, "the fixed part (Ticket Type to Res)");
	/* PRF Func (7 bits), then flags D..O (12 bits), then Res (5 bits). */
	t->prf_func = b >> 1;
	t->flags = (uint16_t)((b & 1) << 11 | word >> 5);
	t->reserved = word & 0x1f;
	int rc = len16_bytes(c, r, &t->tp_data, "TP Data");
	if (rc == MIKEY_OK && p->type == MIKEY_PT_TICKET)
		rc = len16_bytes(c, r, &t->ticket_data, "Ticket Data");
	if (rc == MIKEY_OK && p->type == MIKEY_PT_TICKET)
		rc = len16_bytes(c, r, &t->initiator_data, "Initiator Data");
	return rc;
}

int ticket_build(mikey_bctx *c, mikey_writer *w, const mikey_payload *p)
{
	const mikey_ticket *t = &p->u.ticket;

	if (t->prf_func > 0x7f || t->flags > 0xfff || t->reserved > 0x1f)
		return mikey_berr(c, MIKEY_ERR_FIELD_RANGE, "%s: PRF Func is 7 bits, flags 12, Res 5", bpayload_name(c));
	if (p->type == MIKEY_PT_TP && (t->ticket_data.len || t->initiator_data.len))
		return mikey_berr(c, MIKEY_ERR_FIELD_RANGE, "TP: has no Ticket Data or Initiator Data (RFC 6043 §6.10)");
	FITS(c, t->tp_data.len, 0xffff, "TP Data");
	FITS(c, t->ticket_data.len, 0xffff, "Ticket Data");
	FITS(c, t->initiator_data.len, 0xffff, "Initiator Data");
	wr_u16(w, t->ticket_type);
	wr_u8(w, t->subtype);
	wr_u8(w, t->version);
	wr_u8(w, (uint8_t)(t->prf_func << 1 | t->flags >> 11));
	wr_u16(w, (uint16_t)((t->flags & 0x7ff) << 5 | t->reserved));
	wr_u16(w, (uint16_t)t->tp_data.len);
	wr_bytes(w, t->tp_data.data, t->tp_data.len);
	if (p->type == MIKEY_PT_TICKET) {
		wr_u16(w, (uint16_t)t->ticket_data.len);
		wr_bytes(w, t->ticket_data.data, t->ticket_data.len);
		wr_u16(w, (uint16_t)t->initiator_data.len);
		wr_bytes(w, t->initiator_data.data, t->initiator_data.len);
	}
	return wr_status(w);
}
