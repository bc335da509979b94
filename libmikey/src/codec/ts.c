/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ts.c - Timestamp payload T (RFC 3830 §6.6) and TR, the timestamp with a
 * role (RFC 6043 §6.4). The TS value length is implicit from the TS type.
 */
#include "codec/codec.h"

static int ts_value_parse(mikey_pctx *c, mikey_reader *r, mikey_ts *t)
{
	size_t type_off = rd_off(r);
	if (!rd_u8(r, &t->ts_type))
		return TRUNC(c, r, "the TS type field");
	int len = mikey_ts_value_len(t->ts_type);
	if (len < 0)
		return mikey_perr(c, MIKEY_ERR_UNKNOWN_VALUE, type_off,
		                  "%s: TS type %u is unknown, so the TS value length cannot be determined",
		                  payload_name(c), t->ts_type);
	if (len == 8) {
		if (!rd_u64(r, &t->value))
			return TRUNC(c, r, "the 64-bit TS value");
	} else {
		uint32_t v;
		if (!rd_u32(r, &v))
			return TRUNC(c, r, "the 32-bit TS value");
		t->value = v;
	}
	return MIKEY_OK;
}

static int ts_value_build(mikey_bctx *c, mikey_writer *w, const mikey_ts *t)
{
	int len = mikey_ts_value_len(t->ts_type);
	if (len < 0)
		return mikey_berr(c, MIKEY_ERR_UNKNOWN_VALUE, "%s: TS type %u has no known length", bpayload_name(c),
		                  t->ts_type);
	wr_u8(w, t->ts_type);
	if (len == 8) {
		wr_u64(w, t->value);
	} else {
		if (t->value > UINT32_MAX)
			return mikey_berr(c, MIKEY_ERR_FIELD_RANGE, "%s: TS type %u holds 32 bits, value is larger",
			                  bpayload_name(c), t->ts_type);
		wr_u32(w, (uint32_t)t->value);
	}
	return wr_status(w);
}

int t_parse(mikey_pctx *c, mikey_reader *r, mikey_payload *p)
{
	return ts_value_parse(c, r, &p->u.ts);
}

int t_build(mikey_bctx *c, mikey_writer *w, const mikey_payload *p)
{
	return ts_value_build(c, w, &p->u.ts);
}

int tr_parse(mikey_pctx *c, mikey_reader *r, mikey_payload *p)
{
	if (!rd_u8(r, &p->u.ts.role))
		return TRUNC(c, r, "the TS Role field");
	return ts_value_parse(c, r, &p->u.ts);
}

int tr_build(mikey_bctx *c, mikey_writer *w, const mikey_payload *p)
{
	wr_u8(w, p->u.ts.role);
	return ts_value_build(c, w, &p->u.ts);
}
