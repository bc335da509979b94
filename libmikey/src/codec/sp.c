/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sp.c - Security Policy payload (RFC 3830 §6.10; TESLA policy RFC 4442
 * §4.1): Policy no, Prot type, Policy param length, then Type/Length/Value
 * parameters. The codec keeps parameters in wire order and does not judge
 * their values; negotiation does.
 */
#include "codec/codec.h"

int sp_parse(mikey_pctx *c, mikey_reader *r, mikey_payload *p)
{
	mikey_sp *sp = &p->u.sp;
	uint16_t len;
	mikey_reader params, scan;

	if (!rd_u8(r, &sp->policy_no) || !rd_u8(r, &sp->prot_type) || !rd_u16(r, &len))
		return TRUNC(c, r, "Policy no, Prot type and Policy param length");
	if (!rd_sub(r, len, &params))
		return LENERR(c, r, len, "Policy param");

	/* First pass: check every TLV fits and count them, so the array is
	 * sized by what the input really holds. */
	size_t n = 0;
	scan = params;
	while (rd_left(&scan) > 0) {
		uint8_t type, plen;
		const uint8_t *v;
		if (!rd_u8(&scan, &type) || !rd_u8(&scan, &plen))
			return mikey_perr(c, MIKEY_ERR_LENGTH, rd_off(&scan),
			                  "SP: policy parameter %zu is cut off after %zu byte(s) (Policy param length %u)",
			                  n, rd_left(&scan) ? (size_t)1 : (size_t)0, len);
		if (!rd_take(&scan, plen, &v))
			return mikey_perr(c, MIKEY_ERR_LENGTH, rd_off(&scan),
			                  "SP: policy parameter %zu (type %u) length %u exceeds the %zu bytes left", n, type,
			                  plen, rd_left(&scan));
		if (++n > c->max_sp_params)
			return mikey_perr(c, MIKEY_ERR_TOO_MANY, rd_off(&scan), "SP: more than %zu policy parameters",
			                  c->max_sp_params);
	}
	sp->n_params = n;
	if (n == 0)
		return MIKEY_OK;
	sp->params = mikey_msg_alloc(c->msg, n * sizeof(*sp->params));
	if (sp->params == NULL)
		return mikey_perr(c, MIKEY_ERR_NOMEM, rd_off(r), "out of memory");
	for (size_t i = 0; i < n; i++) {
		mikey_sp_param *pp = &sp->params[i];
		const uint8_t *v;
		/* Cannot fail: the first pass checked the same bytes. */
		if (!rd_u8(&params, &pp->type) || !rd_u8(&params, &pp->len) || !rd_take(&params, pp->len, &v))
			return mikey_perr(c, MIKEY_ERR_LENGTH, rd_off(&params), "SP: parameter %zu changed", i);
		pp->value = pp->len ? (uint8_t *)v : NULL;
	}
	return MIKEY_OK;
}

int sp_build(mikey_bctx *c, mikey_writer *w, const mikey_payload *p)
{
	const mikey_sp *sp = &p->u.sp;

	if (sp->n_params > 0 && sp->params == NULL)
		return mikey_berr(c, MIKEY_ERR_ARG, "SP: %zu parameters but no array", sp->n_params);
	wr_u8(w, sp->policy_no);
	wr_u8(w, sp->prot_type);
	size_t len_at = wr_reserve(w, 2);
	size_t start = w->len;
	for (size_t i = 0; i < sp->n_params; i++) {
		const mikey_sp_param *pp = &sp->params[i];
		if (pp->len > 0 && pp->value == NULL)
			return mikey_berr(c, MIKEY_ERR_ARG, "SP: parameter %zu has length %u but no value", i, pp->len);
		wr_u8(w, pp->type);
		wr_u8(w, pp->len);
		wr_bytes(w, pp->value, pp->len);
	}
	FITS(c, w->len - start, 0xffff, "Policy param");
	wr_patch_u16(w, len_at, (uint16_t)(w->len - start));
	return wr_status(w);
}
