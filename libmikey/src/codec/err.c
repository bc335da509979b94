/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* err.c - Error payload (RFC 3830 §6.12): Error no and 16 reserved bits,
 * kept as received so a round trip is exact. */
#include "codec/codec.h"

int err_parse(mikey_pctx *c, mikey_reader *r, mikey_payload *p)
{
	if (!rd_u8(r, &p->u.err.err_no) || !rd_u16(r, &p->u.err.reserved))
		return TRUNC(c, r, "Error no and Reserved");
	return MIKEY_OK;
}

int err_build(mikey_bctx *c, mikey_writer *w, const mikey_payload *p)
{
	(void)c;
	wr_u8(w, p->u.err.err_no);
	wr_u16(w, p->u.err.reserved);
	return wr_status(w);
}
