/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fuzz_build.c - libFuzzer target for the other direction: the input is
 * read as a recipe for a message made with the public builder API (header
 * fields, then payloads of any type with field values and lengths taken
 * from the input, out-of-range values included). Whatever mikey_msg_build
 * accepts must parse (with limits high enough for what was built) and build
 * again to the same bytes; a build that refuses must say why with a build
 * error code. abort() otherwise.
 *
 * It found three builder/parser asymmetries (NULL-KEMAC encr_data, the
 * implicit first KEMAC sub-payload type, RFC 4650 MAC placement), all fixed
 * in libmikey/src/codec/kemac.c and covered by tests/unit/test_bad_input.c.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mikey/mikey.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct recipe {
	const uint8_t *p;
	size_t left;
} recipe;

static uint8_t u8(recipe *r)
{
	if (r->left == 0)
		return 0;
	r->left--;
	return *r->p++;
}

static uint32_t u32(recipe *r)
{
	uint32_t v = 0;

	for (int i = 0; i < 4; i++)
		v = v << 8 | u8(r);
	return v;
}

/* A length: mostly small, sometimes on a wire-field boundary. */
static size_t len_of(recipe *r)
{
	uint8_t k = u8(r);

	switch (k >> 5) {
	case 7:
		switch (k & 7) {
		case 0:
			return 255;
		case 1:
			return 256;
		case 2:
			return 4095;
		case 3:
			return 4096;
		case 4:
			return 16383;
		case 5:
			return 16384;
		case 6:
			return 65535;
		default:
			return 65536;
		}
	default:
		return k & 0x3f;
	}
}

static uint8_t *big;

/* Fills |dst| with |len| bytes: from the recipe while it lasts, then a
 * constant. */
static int bytes(mikey_msg *m, recipe *r, mikey_bytes *dst, size_t len)
{
	for (size_t i = 0; i < len; i++)
		big[i] = r->left ? u8(r) : (uint8_t)i;
	return mikey_msg_set_bytes(m, dst, big, len);
}

/* The value of a small registry field: mostly a registered one, now and
 * then anything. */
static uint8_t pick(recipe *r, uint8_t n_known)
{
	uint8_t v = u8(r);

	return (v & 0x80) && (v & 0x40) ? (uint8_t)(v & 0x3f) : (uint8_t)(v % n_known);
}

static void fill_kv(mikey_msg *m, recipe *r, mikey_kv *kv)
{
	kv->type = pick(r, 3);
	if (kv->type == MIKEY_KV_SPI) {
		(void)bytes(m, r, &kv->spi, len_of(r));
	} else if (kv->type == MIKEY_KV_INTERVAL) {
		(void)bytes(m, r, &kv->valid_from, len_of(r));
		(void)bytes(m, r, &kv->valid_to, len_of(r));
	}
}

static const uint8_t known_types[] = {
	MIKEY_PT_KEMAC, MIKEY_PT_PKE,  MIKEY_PT_DH,    MIKEY_PT_SIGN,  MIKEY_PT_T,     MIKEY_PT_ID,
	MIKEY_PT_CERT,  MIKEY_PT_CHASH, MIKEY_PT_V,    MIKEY_PT_SP,    MIKEY_PT_RAND,  MIKEY_PT_ERR,
	MIKEY_PT_TR,    MIKEY_PT_IDR,  MIKEY_PT_RANDR, MIKEY_PT_TP,    MIKEY_PT_TICKET, MIKEY_PT_KEY_DATA,
	MIKEY_PT_GEN_EXT, MIKEY_PT_SAKKE,
};

static void fill_payload(mikey_msg *m, recipe *r, mikey_payload *p, int depth);

static void add_payloads(mikey_msg *m, recipe *r, mikey_payload_list *list, size_t max, int depth)
{
	size_t n = u8(r) % (max + 1);

	for (size_t i = 0; i < n && r->left > 0; i++) {
		uint8_t t = u8(r);
		mikey_payload *p;

		t = (t & 0xe0) == 0xe0 ? t : known_types[t % sizeof(known_types)];
		p = mikey_msg_add_payload(m, list, t);
		if (p == NULL)
			return;
		fill_payload(m, r, p, depth);
	}
}

static void fill_payload(mikey_msg *m, recipe *r, mikey_payload *p, int depth)
{
	switch (p->type) {
	case MIKEY_PT_KEMAC:
		p->u.kemac.encr_alg = pick(r, 4);
		if (p->u.kemac.encr_alg == MIKEY_ENCR_NULL && depth == 0 && (u8(r) & 1))
			add_payloads(m, r, &p->u.kemac.sub, 4, depth + 1);
		else
			(void)bytes(m, r, &p->u.kemac.encr_data, len_of(r));
		p->u.kemac.mac_alg = pick(r, 3);
		(void)bytes(m, r, &p->u.kemac.mac,
		            (u8(r) & 3) == 0 ? len_of(r) : (size_t)(mikey_mac_len(p->u.kemac.mac_alg) & 0xff));
		break;
	case MIKEY_PT_PKE:
		p->u.pke.cache = u8(r) & 7;
		(void)bytes(m, r, &p->u.pke.data, len_of(r));
		break;
	case MIKEY_PT_DH:
		p->u.dh.group = pick(r, 3);
		p->u.dh.reserved = u8(r) & 0x1f;
		(void)bytes(m, r, &p->u.dh.value,
		            (u8(r) & 3) == 0 ? len_of(r) : (size_t)(mikey_dh_value_len(p->u.dh.group) & 0xff));
		fill_kv(m, r, &p->u.dh.kv);
		break;
	case MIKEY_PT_SIGN:
		p->u.sign.s_type = u8(r) & 0x1f;
		(void)bytes(m, r, &p->u.sign.sig, len_of(r));
		break;
	case MIKEY_PT_T:
	case MIKEY_PT_TR:
		p->u.ts.role = u8(r);
		p->u.ts.ts_type = pick(r, 4);
		p->u.ts.value = (uint64_t)u32(r) << 32 | u32(r);
		break;
	case MIKEY_PT_ID:
	case MIKEY_PT_CERT:
	case MIKEY_PT_IDR:
		p->u.id.role = u8(r);
		p->u.id.type = u8(r);
		(void)bytes(m, r, &p->u.id.data, len_of(r));
		break;
	case MIKEY_PT_CHASH:
		p->u.chash.hash_func = pick(r, 3);
		(void)bytes(m, r, &p->u.chash.hash,
		            (u8(r) & 3) == 0 ? len_of(r) : (size_t)(mikey_hash_len(p->u.chash.hash_func) & 0xff));
		break;
	case MIKEY_PT_V:
		p->u.v.auth_alg = pick(r, 3);
		(void)bytes(m, r, &p->u.v.ver_data,
		            (u8(r) & 3) == 0 ? len_of(r) : (size_t)(mikey_mac_len(p->u.v.auth_alg) & 0xff));
		break;
	case MIKEY_PT_SP: {
		size_t n = u8(r) % 8;

		p->u.sp.policy_no = u8(r);
		p->u.sp.prot_type = u8(r);
		p->u.sp.params = n ? mikey_msg_alloc(m, n * sizeof(mikey_sp_param)) : NULL;
		if (n && p->u.sp.params == NULL)
			break;
		p->u.sp.n_params = n;
		for (size_t i = 0; i < n; i++) {
			p->u.sp.params[i].type = u8(r);
			p->u.sp.params[i].len = u8(r) % 8;
			p->u.sp.params[i].value = mikey_msg_alloc(m, 8);
			if (p->u.sp.params[i].value == NULL) {
				p->u.sp.params[i].len = 0;
				continue;
			}
			for (size_t j = 0; j < p->u.sp.params[i].len; j++)
				p->u.sp.params[i].value[j] = u8(r);
		}
		break;
	}
	case MIKEY_PT_RAND:
	case MIKEY_PT_RANDR:
		p->u.rand.role = u8(r);
		(void)bytes(m, r, &p->u.rand.rand, len_of(r));
		break;
	case MIKEY_PT_ERR:
		p->u.err.err_no = u8(r);
		p->u.err.reserved = (uint16_t)(u8(r) << 8 | u8(r));
		break;
	case MIKEY_PT_KEY_DATA:
		p->u.key_data.key_type = u8(r) & 0x1f;
		(void)bytes(m, r, &p->u.key_data.key, len_of(r));
		if (u8(r) & 1)
			(void)bytes(m, r, &p->u.key_data.salt, len_of(r));
		fill_kv(m, r, &p->u.key_data.kv);
		break;
	case MIKEY_PT_GEN_EXT:
		p->u.gen_ext.ext_type = pick(r, 6);
		if (p->u.gen_ext.ext_type == MIKEY_GEN_KEY_ID && (u8(r) & 1)) {
			size_t n = u8(r) % 5;

			p->u.gen_ext.key_ids = n ? mikey_msg_alloc(m, n * sizeof(mikey_key_id)) : NULL;
			if (n && p->u.gen_ext.key_ids == NULL)
				break;
			p->u.gen_ext.n_key_ids = n;
			for (size_t i = 0; i < n; i++) {
				p->u.gen_ext.key_ids[i].type = u8(r);
				(void)bytes(m, r, &p->u.gen_ext.key_ids[i].id, len_of(r));
			}
		} else {
			(void)bytes(m, r, &p->u.gen_ext.data, len_of(r));
		}
		break;
	case MIKEY_PT_TP:
	case MIKEY_PT_TICKET:
		p->u.ticket.ticket_type = (uint16_t)(u8(r) << 8 | u8(r));
		p->u.ticket.subtype = u8(r);
		p->u.ticket.version = u8(r);
		p->u.ticket.prf_func = u8(r);
		p->u.ticket.flags = (uint16_t)(u8(r) << 8 | u8(r)) & 0x1fff;
		p->u.ticket.reserved = u8(r) & 0x3f;
		(void)bytes(m, r, &p->u.ticket.tp_data, len_of(r));
		(void)bytes(m, r, &p->u.ticket.ticket_data, len_of(r));
		(void)bytes(m, r, &p->u.ticket.initiator_data, len_of(r));
		break;
	case MIKEY_PT_SAKKE:
		p->u.sakke.params = u8(r);
		p->u.sakke.id_scheme = u8(r);
		(void)bytes(m, r, &p->u.sakke.data, len_of(r));
		break;
	default:
		break;
	}
}

static void fill_hdr(mikey_msg *m, recipe *r)
{
	mikey_hdr *h = &m->hdr;

	h->data_type = pick(r, 27);
	h->v = u8(r) & 1;
	h->prf_func = pick(r, 2);
	h->csb_id = u32(r);
	h->map_type = pick(r, 3);
	h->n_cs = u8(r) % 4;
	if (h->map_type == MIKEY_MAP_SRTP_ID && h->n_cs) {
		h->srtp_cs = mikey_msg_alloc(m, h->n_cs * sizeof(mikey_srtp_cs));
		if (h->srtp_cs == NULL)
			return;
		for (size_t i = 0; i < h->n_cs; i++) {
			h->srtp_cs[i].policy_no = u8(r);
			h->srtp_cs[i].ssrc = u32(r);
			h->srtp_cs[i].roc = u32(r);
		}
	} else if (h->map_type == MIKEY_MAP_GENERIC_ID && h->n_cs) {
		h->generic_cs = mikey_msg_alloc(m, h->n_cs * sizeof(mikey_generic_cs));
		if (h->generic_cs == NULL)
			return;
		for (size_t i = 0; i < h->n_cs; i++) {
			mikey_generic_cs *cs = &h->generic_cs[i];

			cs->cs_id = u8(r);
			cs->prot_type = u8(r);
			cs->s_flag = u8(r) & 1;
			cs->n_policies = u8(r) % 4;
			cs->policies = mikey_msg_alloc(m, 4);
			if (cs->policies == NULL) {
				cs->n_policies = 0;
				continue;
			}
			for (size_t j = 0; j < cs->n_policies; j++)
				cs->policies[j] = u8(r);
			(void)bytes(m, r, &cs->session_data, len_of(r));
			(void)bytes(m, r, &cs->spi, len_of(r));
		}
	}
}

static void die(const char *what, int rc, const mikey_error *err)
{
	fprintf(stderr, "fuzz_build: %s: %s (%s)\n", what, mikey_error_name(rc), err ? err->message : "");
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned build_errs = 1u << -MIKEY_ERR_FIELD_RANGE | 1u << -MIKEY_ERR_PLACEMENT |
	                                   1u << -MIKEY_ERR_UNKNOWN_VALUE | 1u << -MIKEY_ERR_PAYLOAD_TYPE |
	                                   1u << -MIKEY_ERR_ARG;
	recipe r = {data, size};
	mikey_parse_opts opts = {0};
	mikey_msg *m, *back = NULL;
	mikey_error err;
	uint8_t *out = NULL, *again = NULL;
	size_t out_len = 0, again_len = 0;
	int rc;

	if (big == NULL && (big = malloc(65536)) == NULL)
		return 0;
	m = mikey_msg_new();
	if (m == NULL)
		return 0;
	fill_hdr(m, &r);
	add_payloads(m, &r, &m->payloads, 12, 0);
	memset(&err, 0, sizeof(err));
	rc = mikey_msg_build(m, &out, &out_len, &err);
	if (rc != MIKEY_OK) {
		if (rc > 0 || rc < -31 || !(build_errs & (1u << -rc)) || out != NULL || err.code != rc)
			die("build failed oddly", rc, &err);
		mikey_msg_free(m);
		return 0;
	}
	opts.max_payloads = 1000;
	opts.max_sp_params = 1000;
	rc = mikey_msg_parse(out, out_len, &opts, &back, &err);
	if (rc != MIKEY_OK) {
		fprintf(stderr, "built %zu bytes:", out_len);
		for (size_t i = 0; i < out_len && i < 512; i++)
			fprintf(stderr, "%02x", out[i]);
		fprintf(stderr, "\nerror at offset %zu, payload %d type %d\n", err.offset, err.payload_index,
		        err.payload_type);
		die("what build made does not parse", rc, &err);
	}
	rc = mikey_msg_build(back, &again, &again_len, &err);
	if (rc != MIKEY_OK)
		die("parsed build output does not build", rc, &err);
	if (again_len != out_len || memcmp(again, out, out_len) != 0) {
		fprintf(stderr, "built %zu bytes:", out_len);
		for (size_t i = 0; i < out_len && i < 512; i++)
			fprintf(stderr, "%02x", out[i]);
		fprintf(stderr, "\nrebuilt %zu bytes:", again_len);
		for (size_t i = 0; i < again_len && i < 512; i++)
			fprintf(stderr, "%02x", again[i]);
		fprintf(stderr, "\n");
		die("build -> parse -> build differs", rc, NULL);
	}
	mikey_buf_free(again, again_len);
	mikey_msg_free(back);
	mikey_buf_free(out, out_len);
	mikey_msg_free(m);
	return 0;
}
