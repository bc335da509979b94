/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* dh.c - DH data payload (RFC 3830 §6.4). The DH-value length is implicit
 * from the group (Table 6.4). */
#include "codec/codec.h"

int dh_parse(mikey_pctx *c, mikey_reader *r, mikey_payload *p)
{
	mikey_dh *d = &p->u.dh;
	uint8_t b;

	size_t group_off = rd_off(r);
	if (!rd_u8(r, &d->group))
		return TRUNC(c, r, "the DH-Group field");
	int len = mikey_dh_value_len(d->group);
	if (len < 0)
		return mikey_perr(c, MIKEY_ERR_UNKNOWN_VALUE, group_off,
		                  "DH: DH-Group %u is unknown, so the DH-value length cannot be determined", d->group);
	if (!mikey_pbytes(r, (size_t)len, &d->value))
		return TRUNC(c, r, "the DH-value");
	if (!rd_u8(r, &b))
		return TRUNC(c, r, "the Reserv/KV field");
	d->reserved = b >> 4;
	return mikey_kv_parse(c, r, b & 0x0f, &d->kv, "DH");
}

int dh_build(mikey_bctx *c, mikey_writer *w, const mikey_payload *p)
{
	const mikey_dh *d = &p->u.dh;
	int len = mikey_dh_value_len(d->group);

	if (len < 0)
		return mikey_berr(c, MIKEY_ERR_UNKNOWN_VALUE, "DH: DH-Group %u has no known value length", d->group);
	if (d->value.len != (size_t)len)
		return mikey_berr(c, MIKEY_ERR_FIELD_RANGE, "DH: DH-value is %zu bytes, group %u needs %d", d->value.len,
		                  d->group, len);
	if (d->reserved > 15 || d->kv.type > 15)
		return mikey_berr(c, MIKEY_ERR_FIELD_RANGE, "DH: Reserv and KV are 4 bits each");
	wr_u8(w, d->group);
	wr_bytes(w, d->value.data, d->value.len);
	wr_u8(w, (uint8_t)(d->reserved << 4 | d->kv.type));
	return mikey_kv_build(c, w, &d->kv, "DH");
}
