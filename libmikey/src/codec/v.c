/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* v.c - Ver msg payload (RFC 3830 §6.9); Ver data length implicit from the
 * Auth alg, which uses the MAC alg values of §6.2. */
#include "codec/codec.h"

int v_parse(mikey_pctx *c, mikey_reader *r, mikey_payload *p)
{
	mikey_v *v = &p->u.v;
	size_t off = rd_off(r);

	if (!rd_u8(r, &v->auth_alg))
		return TRUNC(c, r, "the Auth alg field");
	int len = mikey_mac_len(v->auth_alg);
	if (len < 0)
		return mikey_perr(c, MIKEY_ERR_UNKNOWN_VALUE, off,
		                  "V: Auth alg %u is unknown, so the Ver data length cannot be determined", v->auth_alg);
	if (!mikey_pbytes(r, (size_t)len, &v->ver_data))
		return TRUNC(c, r, "the Ver data");
	return MIKEY_OK;
}

int v_build(mikey_bctx *c, mikey_writer *w, const mikey_payload *p)
{
	const mikey_v *v = &p->u.v;
	int len = mikey_mac_len(v->auth_alg);

	if (len < 0)
		return mikey_berr(c, MIKEY_ERR_UNKNOWN_VALUE, "V: Auth alg %u has no known length", v->auth_alg);
	if (v->ver_data.len != (size_t)len)
		return mikey_berr(c, MIKEY_ERR_FIELD_RANGE, "V: Ver data is %zu bytes, Auth alg %u needs %d",
		                  v->ver_data.len, v->auth_alg, len);
	wr_u8(w, v->auth_alg);
	wr_bytes(w, v->ver_data.data, v->ver_data.len);
	return wr_status(w);
}
