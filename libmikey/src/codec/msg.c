/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * msg.c - message lifecycle and the parse/build entry points.
 */
#include <string.h>

#include "../arena.h"
#include "codec.h"
#include "mikey/mem.h"

#define DEFAULT_MAX_PAYLOADS 256
#define DEFAULT_MAX_SP_PARAMS 256

static mikey_msg *msg_new_sized(size_t arena_size)
{
	mikey_arena *a = mikey_arena_new(sizeof(mikey_msg) + arena_size);
	if (a == NULL)
		return NULL;
	mikey_msg *m = mikey_arena_alloc(a, sizeof(*m));
	if (m == NULL) {
		mikey_arena_free(a);
		return NULL;
	}
	m->arena = a;
	m->hdr.version = MIKEY_VERSION_1;
	return m;
}

mikey_msg *mikey_msg_new(void)
{
	return msg_new_sized(1024);
}

void mikey_msg_free(mikey_msg *msg)
{
	if (msg != NULL)
		mikey_arena_free(msg->arena); /* |msg| itself lives in the arena */
}

void *mikey_msg_alloc(mikey_msg *msg, size_t n)
{
	return msg != NULL ? mikey_arena_alloc(msg->arena, n) : NULL;
}

int mikey_msg_set_bytes(mikey_msg *msg, mikey_bytes *dst, const void *src, size_t len)
{
	if (msg == NULL || dst == NULL || (src == NULL && len > 0))
		return MIKEY_ERR_ARG;
	if (len == 0) {
		dst->data = NULL;
		dst->len = 0;
		return MIKEY_OK;
	}
	uint8_t *copy = mikey_arena_alloc(msg->arena, len);
	if (copy == NULL)
		return MIKEY_ERR_NOMEM;
	memcpy(copy, src, len);
	dst->data = copy;
	dst->len = len;
	return MIKEY_OK;
}

mikey_payload *mikey_msg_add_payload(mikey_msg *msg, mikey_payload_list *list, uint8_t type)
{
	if (msg == NULL || list == NULL)
		return NULL;
	mikey_payload *p = mikey_arena_alloc(msg->arena, sizeof(*p));
	if (p == NULL)
		return NULL;
	p->type = type;
	if (list->last != NULL)
		list->last->next = p;
	else
		list->first = p;
	list->last = p;
	list->count++;
	return p;
}

mikey_payload *mikey_msg_find(const mikey_msg *msg, uint8_t type, size_t nth)
{
	if (msg == NULL)
		return NULL;
	for (mikey_payload *p = msg->payloads.first; p != NULL; p = p->next) {
		if (p->type == type && nth-- == 0)
			return p;
	}
	return NULL;
}

const mikey_sp_param *mikey_sp_find(const mikey_sp *sp, uint8_t type)
{
	if (sp == NULL)
		return NULL;
	for (size_t i = 0; i < sp->n_params; i++) {
		if (sp->params[i].type == type)
			return &sp->params[i];
	}
	return NULL;
}

void mikey_buf_free(uint8_t *buf, size_t len)
{
	if (buf == NULL)
		return;
	mikey_wipe(buf, len);
	mikey_free(buf);
}

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
	mikey_msg *m = msg_new_sized(len * 5 + 1536);
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

uint8_t mikey_kemac_first_type(uint8_t data_type)
{
	switch (data_type) {
	case MIKEY_DT_PK_INIT:   /* RFC 3830 §6.2: ID first in the public-key method */
	case MIKEY_DT_RSAR_RESP: /* RFC 4738 §3.2: E(encr_key, IDr || {TGK}) */
		return MIKEY_PT_ID;
	default:
		return MIKEY_PT_KEY_DATA;
	}
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

int mikey_mac_len(uint8_t mac_alg)
{
	switch (mac_alg) {
	case MIKEY_MAC_NULL:
		return 0;
	case MIKEY_MAC_HMAC_SHA1_160:
		return 20;
	case MIKEY_MAC_HMAC_SHA256_256:
		return 32;
	}
	return -1;
}

int mikey_hash_len(uint8_t hash_func)
{
	switch (hash_func) {
	case MIKEY_HASH_SHA1:
		return 20;
	case MIKEY_HASH_MD5:
		return 16;
	case MIKEY_HASH_SHA256:
		return 32;
	}
	return -1;
}

int mikey_dh_value_len(uint8_t group)
{
	switch (group) {
	case MIKEY_DH_OAKLEY_5:
		return 192;
	case MIKEY_DH_OAKLEY_1:
		return 96;
	case MIKEY_DH_OAKLEY_2:
		return 128;
	}
	return -1;
}

int mikey_ts_value_len(uint8_t ts_type)
{
	switch (ts_type) {
	case MIKEY_TS_NTP_UTC:
	case MIKEY_TS_NTP:
		return 8;
	case MIKEY_TS_COUNTER:
	case MIKEY_TS_NTP_UTC_32:
		return 4;
	}
	return -1;
}
