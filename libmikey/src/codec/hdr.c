/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hdr.c - Common Header (RFC 3830 §6.1) with its CS ID maps: SRTP-ID
 * (§6.1.1), Empty (RFC 4563 §5) and GENERIC-ID (RFC 6043 §6.1.1).
 */
#include "codec/codec.h"

#define SRTP_CS_WIRE 9    /* Policy_no (1) + SSRC (4) + ROC (4) */

static int parse_generic_map(mikey_pctx *c, mikey_reader *r, mikey_hdr *h)
{
	/* Each block has at least CS ID, Prot type, S|#P, 2-byte Session Data
	 * Length and SPI Length: 6 bytes. Check before allocating. */
	if ((size_t)h->n_cs * 6 > rd_left(r))
		return mikey_perr(c, MIKEY_ERR_TRUNCATED, rd_off(r),
		                  "HDR: #CS = %u GENERIC-ID blocks need at least %u bytes, %zu left", h->n_cs,
		                  h->n_cs * 6u, rd_left(r));
	h->generic_cs = mikey_msg_alloc(c->msg, sizeof(*h->generic_cs) * (h->n_cs ? h->n_cs : 1));
	if (h->generic_cs == NULL)
		return mikey_perr(c, MIKEY_ERR_NOMEM, rd_off(r), "out of memory");
	for (unsigned i = 0; i < h->n_cs; i++) {
		mikey_generic_cs *g = &h->generic_cs[i];
		uint8_t sp;
		uint16_t sd_len;
		uint8_t spi_len;
		const uint8_t *pol;
		if (!rd_u8(r, &g->cs_id) || !rd_u8(r, &g->prot_type) || !rd_u8(r, &sp))
			return TRUNC(c, r, "a GENERIC-ID block");
		g->s_flag = (sp & 0x80) != 0;
		g->n_policies = sp & 0x7f;
		if (!rd_take(r, g->n_policies, &pol))
			return TRUNC(c, r, "the policy list of a GENERIC-ID block");
		g->policies = g->n_policies ? (uint8_t *)pol : NULL;
		if (!rd_u16(r, &sd_len) || !mikey_pbytes(r, sd_len, &g->session_data))
			return TRUNC(c, r, "the session data of a GENERIC-ID block");
		if (!rd_u8(r, &spi_len) || !mikey_pbytes(r, spi_len, &g->spi))
			return TRUNC(c, r, "the SPI of a GENERIC-ID block");
	}
	return MIKEY_OK;
}

int mikey_hdr_parse(mikey_pctx *c, mikey_reader *r, uint8_t *first)
{
	mikey_hdr *h = &c->msg->hdr;
	uint8_t vprf;

	c->payload_index = 0;
	c->payload_type = MIKEY_PT_HDR;
	if (!rd_u8(r, &h->version))
		return TRUNC(c, r, "the version field");
	/* RFC 3830 §6.1: version 1 is the only layout we know. */
	if (h->version != MIKEY_VERSION_1)
		return mikey_perr(c, MIKEY_ERR_VERSION, 0, "HDR: version %u (only 1 is defined, RFC 3830 §6.1)",
		                  h->version);
	if (!rd_u8(r, &h->data_type) || !rd_u8(r, first) || !rd_u8(r, &vprf) || !rd_u32(r, &h->csb_id) ||
	    !rd_u8(r, &h->n_cs) || !rd_u8(r, &h->map_type))
		return TRUNC(c, r, "the fixed part (10 bytes)");
	h->v = (vprf & 0x80) != 0;
	h->prf_func = vprf & 0x7f;

	switch (h->map_type) {
	case MIKEY_MAP_SRTP_ID:
		if ((size_t)h->n_cs * SRTP_CS_WIRE > rd_left(r))
			return mikey_perr(c, MIKEY_ERR_TRUNCATED, rd_off(r),
			                  "HDR: #CS = %u SRTP-ID entries need %u bytes, %zu left", h->n_cs,
			                  h->n_cs * SRTP_CS_WIRE, rd_left(r));
		if (h->n_cs == 0)
			return MIKEY_OK;
		h->srtp_cs = mikey_msg_alloc(c->msg, sizeof(*h->srtp_cs) * h->n_cs);
		if (h->srtp_cs == NULL)
			return mikey_perr(c, MIKEY_ERR_NOMEM, rd_off(r), "out of memory");
		for (unsigned i = 0; i < h->n_cs; i++) {
			mikey_srtp_cs *cs = &h->srtp_cs[i];
			if (!rd_u8(r, &cs->policy_no) || !rd_u32(r, &cs->ssrc) || !rd_u32(r, &cs->roc))
				return TRUNC(c, r, "an SRTP-ID entry");
		}
		return MIKEY_OK;
	case MIKEY_MAP_EMPTY:
		/* RFC 4563 §5: policy information travels outside MIKEY; no map
		 * info follows. */
		return MIKEY_OK;
	case MIKEY_MAP_GENERIC_ID:
		return parse_generic_map(c, r, h);
	default:
		return mikey_perr(c, MIKEY_ERR_UNKNOWN_VALUE, 9,
		                  "HDR: CS ID map type %u is unknown, so the map info length cannot be determined",
		                  h->map_type);
	}
}

int mikey_hdr_build(mikey_bctx *c, mikey_writer *w, const mikey_hdr *h, uint8_t first)
{
	c->payload_index = 0;
	c->payload_type = MIKEY_PT_HDR;
	if (h->prf_func > 0x7f)
		return mikey_berr(c, MIKEY_ERR_FIELD_RANGE, "HDR: PRF func %u does not fit 7 bits", h->prf_func);
	wr_u8(w, h->version);
	wr_u8(w, h->data_type);
	wr_u8(w, first);
	wr_u8(w, (uint8_t)((h->v ? 0x80 : 0) | h->prf_func));
	wr_u32(w, h->csb_id);
	wr_u8(w, h->n_cs);
	wr_u8(w, h->map_type);
	switch (h->map_type) {
	case MIKEY_MAP_SRTP_ID:
		if (h->n_cs > 0 && h->srtp_cs == NULL)
			return mikey_berr(c, MIKEY_ERR_ARG, "HDR: #CS = %u but no SRTP-ID entries", h->n_cs);
		for (unsigned i = 0; i < h->n_cs; i++) {
			wr_u8(w, h->srtp_cs[i].policy_no);
			wr_u32(w, h->srtp_cs[i].ssrc);
			wr_u32(w, h->srtp_cs[i].roc);
		}
		break;
	case MIKEY_MAP_EMPTY:
		break;
	case MIKEY_MAP_GENERIC_ID:
		if (h->n_cs > 0 && h->generic_cs == NULL)
			return mikey_berr(c, MIKEY_ERR_ARG, "HDR: #CS = %u but no GENERIC-ID blocks", h->n_cs);
		for (unsigned i = 0; i < h->n_cs; i++) {
			const mikey_generic_cs *g = &h->generic_cs[i];
			if (g->n_policies > 0x7f)
				return mikey_berr(c, MIKEY_ERR_FIELD_RANGE, "HDR: GENERIC-ID #P %u does not fit 7 bits",
				                  g->n_policies);
			if (g->n_policies > 0 && g->policies == NULL)
				return mikey_berr(c, MIKEY_ERR_ARG, "HDR: GENERIC-ID #P = %u but no policies",
				                  g->n_policies);
			FITS(c, g->session_data.len, 0xffff, "GENERIC-ID session data");
			FITS(c, g->spi.len, 0xff, "GENERIC-ID SPI");
			wr_u8(w, g->cs_id);
			wr_u8(w, g->prot_type);
			wr_u8(w, (uint8_t)((g->s_flag ? 0x80 : 0) | g->n_policies));
			wr_bytes(w, g->policies, g->n_policies);
			wr_u16(w, (uint16_t)g->session_data.len);
			wr_bytes(w, g->session_data.data, g->session_data.len);
			wr_u8(w, (uint8_t)g->spi.len);
			wr_bytes(w, g->spi.data, g->spi.len);
		}
		break;
	default:
		return mikey_berr(c, MIKEY_ERR_UNKNOWN_VALUE, "HDR: CS ID map type %u has no known encoding",
		                  h->map_type);
	}
	return wr_status(w);
}
