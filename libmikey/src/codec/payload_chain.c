/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * chain.c - the payload table and the one place the next-payload chain is
 * walked (RFC 3830 §6.1, Table 6.1.b). Each payload consumes at least one
 * byte and the count is capped, so a chain cannot loop or run away.
 */
#include <stdarg.h>
#include <stdio.h>

#include "codec/codec.h"
#include "mikey/names.h"

#define ROW(t, n, fn) [t] = {t, n, fn##_parse, fn##_build}

static const mikey_payload_codec table[] = {
	ROW(MIKEY_PT_KEMAC, "KEMAC", kemac),
	ROW(MIKEY_PT_PKE, "PKE", pke),
	ROW(MIKEY_PT_DH, "DH", dh),
	ROW(MIKEY_PT_SIGN, "SIGN", sign),
	ROW(MIKEY_PT_T, "T", t),
	ROW(MIKEY_PT_ID, "ID", id),
	ROW(MIKEY_PT_CERT, "CERT", id),
	ROW(MIKEY_PT_CHASH, "CHASH", chash),
	ROW(MIKEY_PT_V, "V", v),
	ROW(MIKEY_PT_SP, "SP", sp),
	ROW(MIKEY_PT_RAND, "RAND", rand),
	ROW(MIKEY_PT_ERR, "ERR", err),
	ROW(MIKEY_PT_TR, "TR", tr),
	ROW(MIKEY_PT_IDR, "IDR", idr),
	ROW(MIKEY_PT_RANDR, "RANDR", randr),
	ROW(MIKEY_PT_TP, "TP", ticket),
	ROW(MIKEY_PT_TICKET, "TICKET", ticket),
	ROW(MIKEY_PT_KEY_DATA, "Key data", key_data),
	ROW(MIKEY_PT_GEN_EXT, "General Ext.", gen_ext),
	ROW(MIKEY_PT_SAKKE, "SAKKE", sakke),
};

const mikey_payload_codec *mikey_codec_find(uint8_t type)
{
	if (type >= sizeof(table) / sizeof(table[0]) || table[type].parse == NULL)
		return NULL;
	return &table[type];
}

/* RFC 3830 §6.2: the encrypted part of a KEMAC holds Key data sub-payloads,
 * preceded by the initiator's ID in the public-key method (and by IDr in
 * RSA-R, RFC 4738 §3.2; IDR where RFC 6043 replaces ID). Nothing else may
 * nest, which also bounds recursion. */
static bool allowed_in_kemac(uint8_t type)
{
	return type == MIKEY_PT_KEY_DATA || type == MIKEY_PT_ID || type == MIKEY_PT_IDR;
}

int mikey_chain_parse(mikey_pctx *c, mikey_reader *r, uint8_t first, mikey_payload_list *list, bool top)
{
	uint8_t next = first;
	size_t named_at = rd_off(r); /* where the field naming |next| is (for errors) */
	size_t count = 0;

	if (top)
		named_at = 2; /* HDR byte 2 names the first payload */
	while (next != MIKEY_PT_LAST) {
		const mikey_payload_codec *pc = mikey_codec_find(next);
		if (pc == NULL) {
			const char *n = mikey_payload_type_name(next);
			return mikey_perr(c, MIKEY_ERR_PAYLOAD_TYPE, named_at,
			                  "%s: next payload %u%s%s%s is not a payload this decoder knows the layout of",
			                  c->payload_index == 0 && top ? "HDR" : payload_name(c), next,
			                  n ? " (" : "", n ? n : "", n ? ")" : "");
		}
		if (c->in_kemac && !allowed_in_kemac(next))
			return mikey_perr(c, MIKEY_ERR_PLACEMENT, named_at,
			                  "%s payload inside a KEMAC (only Key data and ID/IDR may be; RFC 3830 §6.2)",
			                  pc->name);
		if (count >= c->max_payloads)
			return mikey_perr(c, MIKEY_ERR_TOO_MANY, rd_off(r), "more than %zu payloads in one chain",
			                  c->max_payloads);
		mikey_payload *p = mikey_msg_add_payload(c->msg, list, next);
		if (p == NULL)
			return mikey_perr(c, MIKEY_ERR_NOMEM, rd_off(r), "out of memory");
		p->offset = rd_off(r);
		if (top)
			c->payload_index++;
		c->payload_type = next;
		if (next == MIKEY_PT_SIGN) {
			/* RFC 3830 §6.5: SIGN has no next-payload field and is
			 * always the last payload. */
			next = MIKEY_PT_LAST;
		} else if (!rd_u8(r, &next)) {
			return TRUNC(c, r, "the next payload field");
		}
		c->last_in_chain = next == MIKEY_PT_LAST;
		int rc = pc->parse(c, r, p);
		if (rc != MIKEY_OK)
			return rc;
		p->length = rd_off(r) - p->offset;
		named_at = p->offset;
		count++;
	}
	if (rd_left(r) != 0)
		return mikey_perr(c, MIKEY_ERR_TRAILING, rd_off(r), "%zu bytes follow the last payload%s", rd_left(r),
		                  count && list->last->type == MIKEY_PT_SIGN ? " (SIGN must be last, RFC 3830 §6.5)"
		                                                             : "");
	return MIKEY_OK;
}

int mikey_chain_build(mikey_bctx *c, mikey_writer *w, const mikey_payload_list *list, bool top)
{
	int index = 0;
	for (const mikey_payload *p = list->first; p != NULL; p = p->next) {
		const mikey_payload_codec *pc = mikey_codec_find(p->type);
		index++;
		if (top)
			c->payload_index = index;
		c->payload_type = p->type;
		if (pc == NULL)
			return mikey_berr(c, MIKEY_ERR_PAYLOAD_TYPE, "payload %d has type %u, which has no encoding", index,
			                  p->type);
		if (!top && !allowed_in_kemac(p->type))
			return mikey_berr(c, MIKEY_ERR_PLACEMENT, "%s payload inside a KEMAC (RFC 3830 §6.2)", pc->name);
		if (p->type == MIKEY_PT_SIGN) {
			if (p->next != NULL)
				return mikey_berr(c, MIKEY_ERR_PLACEMENT,
				                  "SIGN must be the last payload (RFC 3830 §6.5)");
		} else {
			wr_u8(w, p->next != NULL ? p->next->type : MIKEY_PT_LAST);
		}
		int rc = pc->build(c, w, p);
		if (rc != MIKEY_OK)
			return rc;
	}
	return wr_status(w);
}
