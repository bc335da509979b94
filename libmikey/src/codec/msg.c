/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * msg.c - the parse and build entry points for whole messages and for
 * KEMAC plaintext; they start the chain walk (payload_chain.c).
 */
#include <string.h>

#include "base/arena.h"
#include "codec/codec.h"
#include "mikey/mem.h"

#define DEFAULT_MAX_PAYLOADS 256
#define DEFAULT_MAX_SP_PARAMS 256

static void pctx_init(mikey_pctx *c, mikey_msg *m, const mikey_parse_opts *opts, mikey_error *err)
{
	memset(c, 0, sizeof(*c));
	c->msg = m;
	c->err = err;
	c->max_payloads = opts && opts->max_payloads ? opts->max_payloads : DEFAULT_MAX_PAYLOADS;
	c->max_sp_params = opts && opts->max_sp_params ? opts->max_sp_params : DEFAULT_MAX_SP_PARAMS;
	c->strict_rfc4650_mac = opts ? opts->strict_rfc4650_mac : false;
	c->payload_type = MIKEY_PT_HDR;
}

int mikey_msg_parse(const uint8_t *buf, size_t len, const mikey_parse_opts *opts, mikey_msg **out, mikey_error *err)
{
	mikey_pctx c;
	mikey_reader r;
	uint8_t first;
	int rc;

	mikey_error_clear(err);
	if (out == NULL || (buf == NULL && len > 0)) {
		if (err != NULL) {
			err->code = MIKEY_ERR_ARG;
			strcpy(err->message, "mikey_msg_parse: NULL output or buffer");
		}
		return MIKEY_ERR_ARG;
	}
	*out = NULL;
	/* Room for the input copy plus the structures a typical message needs;
	 * the arena grows if a message has unusually many payloads. */
	mikey_msg *m = mikey_msg_new_sized(len * 5 + 1536);
	if (m == NULL)
		goto nomem;
	uint8_t *copy = NULL;
	if (len > 0) {
		copy = mikey_arena_alloc(m->arena, len);
		if (copy == NULL)
			goto nomem;
		memcpy(copy, buf, len);
	}
	rd_init(&r, copy, len, 0);
	pctx_init(&c, m, opts, err);
	rc = mikey_hdr_parse(&c, &r, &first);
	if (rc != MIKEY_OK)
		goto fail;
	m->hdr_length = rd_off(&r);
	c.data_type = m->hdr.data_type;
	rc = mikey_chain_parse(&c, &r, first, &m->payloads, true);
	if (rc != MIKEY_OK)
		goto fail;
	*out = m;
	return MIKEY_OK;

nomem:
	rc = MIKEY_ERR_NOMEM;
	if (err != NULL) {
		err->code = rc;
		strcpy(err->message, "out of memory");
	}
fail:
	mikey_msg_free(m);
	return rc;
}

int mikey_kemac_parse_plaintext(mikey_msg *msg, mikey_kemac *kemac, const uint8_t *plain, size_t len,
                                uint8_t first_type, mikey_error *err)
{
	mikey_pctx c;
	mikey_reader r;
	mikey_payload_list tmp = {0};

	mikey_error_clear(err);
	if (msg == NULL || kemac == NULL || (plain == NULL && len > 0) || kemac->sub.first != NULL)
		return MIKEY_ERR_ARG;
	uint8_t *copy = NULL;
	if (len > 0) {
		copy = mikey_arena_alloc(msg->arena, len);
		if (copy == NULL)
			return MIKEY_ERR_NOMEM;
		memcpy(copy, plain, len);
	}
	rd_init(&r, copy, len, 0);
	pctx_init(&c, msg, NULL, err);
	c.data_type = msg->hdr.data_type;
	c.payload_type = MIKEY_PT_KEMAC;
	c.in_kemac = true;
	if (len > 0) {
		int rc = mikey_chain_parse(&c, &r, first_type, &tmp, false);
		if (rc != MIKEY_OK)
			return rc; /* tmp's nodes stay in the arena, unreachable */
	}
	kemac->sub = tmp;
	return MIKEY_OK;
}

static void bctx_init(mikey_bctx *c, mikey_error *err, uint8_t data_type)
{
	memset(c, 0, sizeof(*c));
	c->err = err;
	c->data_type = data_type;
	c->payload_type = MIKEY_PT_HDR;
}

int mikey_msg_build(const mikey_msg *msg, uint8_t **out, size_t *out_len, mikey_error *err)
{
	mikey_bctx c;
	mikey_writer w;
	int rc;

	mikey_error_clear(err);
	if (msg == NULL || out == NULL || out_len == NULL)
		return MIKEY_ERR_ARG;
	bctx_init(&c, err, msg->hdr.data_type);
	c.check_first_sub = true;
	wr_init(&w, 512);
	rc = mikey_hdr_build(&c, &w, &msg->hdr, msg->payloads.first ? msg->payloads.first->type : MIKEY_PT_LAST);
	if (rc == MIKEY_OK)
		rc = mikey_chain_build(&c, &w, &msg->payloads, true);
	if (rc != MIKEY_OK) {
		wr_cleanup(&w);
		if (rc == MIKEY_ERR_NOMEM && err != NULL && err->code == MIKEY_OK)
			mikey_berr(&c, rc, "out of memory");
		return rc;
	}
	return wr_finish(&w, out, out_len);
}

int mikey_payloads_build(const mikey_payload_list *list, uint8_t **out, size_t *out_len, mikey_error *err)
{
	mikey_bctx c;
	mikey_writer w;

	mikey_error_clear(err);
	if (list == NULL || out == NULL || out_len == NULL)
		return MIKEY_ERR_ARG;
	bctx_init(&c, err, 0);
	c.payload_type = MIKEY_PT_KEMAC;
	wr_init(&w, 128);
	int rc = mikey_chain_build(&c, &w, list, false);
	if (rc != MIKEY_OK) {
		wr_cleanup(&w);
		return rc;
	}
	return wr_finish(&w, out, out_len);
}
