/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * dh_common.c - the message layout and key agreement the DH-signed
 * (RFC 3830 §3.3) and DH-HMAC (RFC 4650 §3) modes share. See dh_common.h.
 */
#include <string.h>

#include "modes/dh_common.h"
#include "mikey/mem.h"

static void state_free(void *p)
{
	dhx_state *s = p;
	if (s == NULL)
		return;
	mikey_dh_free(s->dh); /* wipes xi / xr */
	if (s->peer != NULL) {
		mikey_wipe(s->peer, s->peer_len);
		mikey_free(s->peer);
	}
	mikey_wipe(s, sizeof(*s));
	mikey_free(s);
}

static dhx_state *state_new(mikey_exchange *ex)
{
	dhx_state *s = mikey_malloc(sizeof(*s));
	if (s == NULL)
		return NULL;
	memset(s, 0, sizeof(*s));
	ex->mode_state = s;
	ex->mode_state_free = state_free;
	return s;
}

int dhx_group_check(const mikey_ctx *ctx, uint8_t group, mikey_error *err)
{
	mikey_dh_group_id g = mikey_dh_group_for_registry(group);
	if (g == 0 || mikey_dh_group_size(g) > DHX_MAX_VALUE)
		return mikey_fail(err, MIKEY_ERR_DH_GROUP, "DH-Group %u is not supported", group);
	/* RFC 3830 §4.2.7: OAKLEY 5 is mandatory; the 768- and 1024-bit
	 * groups are too weak today and need the application's consent. */
	if (g != MIKEY_DHG_OAKLEY_5 && !ctx->allow_weak_dh)
		return mikey_fail(err, MIKEY_ERR_DH_GROUP,
		               "DH-Group %u (OAKLEY %d, %zu bits) refused: enable with mikey_ctx_allow_weak_dh", group,
		               (int)g, mikey_dh_group_size(g) * 8);
	return MIKEY_OK;
}

/* Draw our key pair for |group| into |s| (xi or xr from the ctx RNG). */
static int keygen(mikey_exchange *ex, dhx_state *s, uint8_t group, mikey_error *err)
{
	mikey_dh_group_id g = mikey_dh_group_for_registry(group);
	size_t len = mikey_dh_group_size(g);
	int rc;

	if (g == 0 || len == 0 || len > sizeof(s->pub))
		return mikey_fail(err, MIKEY_ERR_DH_GROUP, "DH-Group %u is not supported", group);
	if (ex->ctx->dh_private != NULL) {
		/* A stated private value (mikey_ctx_set_dh_private): vectors. */
		rc = mikey_dh_new_private(&s->dh, g, ex->ctx->dh_private, ex->ctx->dh_private_len);
		if (rc == MIKEY_ERR_ARG)
			return mikey_fail(err, MIKEY_ERR_ARG,
			               "the DH private value given is not in 2..p-2 for DH-Group %u (mikey_ctx_set_dh_private)",
			               group);
	} else {
		rc = mikey_dh_new(&s->dh, g, &ex->ctx->rng);
	}
	if (rc != MIKEY_OK)
		return mikey_fail(err, rc == MIKEY_ERR_NOMEM ? MIKEY_ERR_NOMEM : MIKEY_ERR_CRYPTO,
		               "generating the DH key pair failed");
	if (mikey_dh_public(s->dh, s->pub, len) != MIKEY_OK)
		return mikey_fail(err, MIKEY_ERR_CRYPTO, "reading our DH value failed");
	s->pub_len = len;
	s->group = group;
	return MIKEY_OK;
}

static int add_dh(mikey_msg *m, uint8_t group, const uint8_t *value, size_t len, mikey_error *err)
{
	/* RFC 3830 §6.4: DH-Group, DH-value (length from the group), KV Null. */
	mikey_payload *p = mikey_msg_add_payload(m, &m->payloads, MIKEY_PT_DH);
	if (p == NULL || mikey_msg_set_bytes(m, &p->u.dh.value, value, len) != MIKEY_OK)
		return mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
	p->u.dh.group = group;
	return MIKEY_OK;
}

static int add_id(mikey_msg *m, uint8_t type, const uint8_t *id, size_t len, mikey_error *err)
{
	mikey_payload *p = mikey_msg_add_payload(m, &m->payloads, MIKEY_PT_ID);
	if (p == NULL || mikey_msg_set_bytes(m, &p->u.id.data, id, len) != MIKEY_OK)
		return mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
	p->u.id.type = type;
	return MIKEY_OK;
}

/* Move the last |n| payloads of |l| so that they follow |after|. */
static void move_tail_after(mikey_payload_list *l, mikey_payload *after, size_t n)
{
	if (n == 0 || n >= l->count)
		return;
	mikey_payload *prev = l->first;
	for (size_t i = 1; i < l->count - n; i++)
		prev = prev->next;
	if (prev == after)
		return;
	mikey_payload *seg = prev->next, *seg_last = l->last;
	prev->next = NULL;
	l->last = prev;
	seg_last->next = after->next;
	after->next = seg;
}

int dhx_initiate_head(mikey_exchange *ex, const mikey_offer *o, mikey_msg *m, uint8_t data_type, bool with_certs,
                      mikey_error *err)
{
	dhx_state *s = state_new(ex);
	int rc;

	if (s == NULL)
		return mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
	/* The initiator chooses the group (RFC 3830 §3.3); offering a weak one
	 * is its own decision, a responder refuses it unless allowed. */
	if (mikey_dh_group_for_registry(o->dh_group) == 0)
		return mikey_fail(err, MIKEY_ERR_DH_GROUP, "offer: DH-Group %u is not supported", o->dh_group);
	if (o->peer_id != NULL && mikey_copy_bytes(&s->peer, &s->peer_len, o->peer_id, o->peer_id_len) != MIKEY_OK)
		return mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
	if ((rc = ex_build_head(ex, o, m, data_type, err)) != MIKEY_OK)
		return rc;
	if (with_certs) {
		/* §3.3: [IDi|CERTi] - our certificates follow IDi (or RAND). */
		size_t before = m->payloads.count;
		if ((rc = ex_add_own_certs(ex->ctx, m, err)) != MIKEY_OK)
			return rc;
		mikey_payload *after = ex->id_i != NULL ? mikey_msg_find(m, MIKEY_PT_ID, 0)
		                                         : mikey_msg_find(m, MIKEY_PT_RAND, 0);
		if (after != NULL)
			move_tail_after(&m->payloads, after, m->payloads.count - before);
	}
	if ((rc = keygen(ex, s, o->dh_group, err)) != MIKEY_OK)
		return rc;
	ex->key_type = MIKEY_KEY_TGK;
	return add_dh(m, s->group, s->pub, s->pub_len, err);
}

int dhx_find_dhi(const mikey_msg *m, const mikey_payload **dhi, mikey_error *err)
{
	*dhi = mikey_msg_find(m, MIKEY_PT_DH, 0);
	if (*dhi == NULL)
		return mikey_fail(err, MIKEY_ERR_PLACEMENT,
		               "the I_MESSAGE carries no DH payload (updates without DHi are not supported)");
	if (mikey_msg_find(m, MIKEY_PT_DH, 1) != NULL)
		return mikey_fail(err, MIKEY_ERR_PLACEMENT, "the I_MESSAGE carries more than one DH payload");
	return MIKEY_OK;
}

int dhx_check_idr(const mikey_exchange *ex, mikey_error *err)
{
	const mikey_ctx *ctx = ex->ctx;
	if (ex->id_r == NULL || ctx->id == NULL)
		return MIKEY_OK;
	if (ex->id_r_len != ctx->id_len || memcmp(ex->id_r, ctx->id, ctx->id_len) != 0)
		return mikey_fail(err, MIKEY_ERR_IDENTITY, "IDr names %.*s, not us", (int)(ex->id_r_len > 64 ? 64 : ex->id_r_len),
		               (const char *)ex->id_r);
	return MIKEY_OK;
}

/* TGK = g^(xi*xr) (RFC 3830 §3.3, RFC 4650 §3), group-size bytes. */
static int derive_tgk(mikey_exchange *ex, const dhx_state *s, const mikey_bytes *peer, uint8_t **tgk,
                      mikey_error *err)
{
	uint8_t *k = mikey_malloc(s->pub_len);
	int rc;

	*tgk = NULL;
	if (k == NULL)
		return mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
	rc = mikey_dh_derive(s->dh, peer->data, peer->len, k, s->pub_len);
	if (rc != MIKEY_OK) {
		mikey_wipe(k, s->pub_len);
		mikey_free(k);
		/* RFC 3830 §6.12: "Invalid DH" names a bad DH value. */
		if (rc == MIKEY_ERR_AUTH)
			return mikey_fail(err, MIKEY_ERR_DH_GROUP,
			               "the peer's DH value is invalid (not in [2, p-2] or not in the prime-order subgroup)");
		return mikey_fail(err, rc == MIKEY_ERR_NOMEM ? rc : MIKEY_ERR_CRYPTO, "DH key agreement failed");
	}
	(void)ex;
	*tgk = k;
	return MIKEY_OK;
}

int dhx_respond_key(mikey_exchange *ex, const mikey_payload *dhi, mikey_error *err)
{
	uint8_t *tgk;
	int rc;

	if ((rc = dhx_group_check(ex->ctx, dhi->u.dh.group, err)) != MIKEY_OK)
		return rc;
	dhx_state *s = state_new(ex);
	if (s == NULL)
		return mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
	if ((rc = keygen(ex, s, dhi->u.dh.group, err)) != MIKEY_OK)
		return rc;
	if ((rc = derive_tgk(ex, s, &dhi->u.dh.value, &tgk, err)) != MIKEY_OK)
		return rc;
	ex->key = tgk;
	ex->key_len = s->pub_len;
	ex->key_type = MIKEY_KEY_TGK;
	/* RFC 4650 §5.3: xr is no longer needed once the TGK is known. */
	mikey_dh_free(s->dh);
	s->dh = NULL;
	return MIKEY_OK;
}

int dhx_response_head(mikey_exchange *ex, mikey_msg *m, uint8_t data_type, bool with_certs,
                      const mikey_payload *dhi, mikey_error *err)
{
	const mikey_ctx *ctx = ex->ctx;
	const dhx_state *s = ex->mode_state;
	int rc;

	/* RFC 3830 §3.3, §5.2: the Responder uses the Initiator's timestamp. */
	if ((rc = ex_response_hdr(ex, m, data_type, ex->csb_id, err)) != MIKEY_OK ||
	    (rc = ex_echo_t(ex, m, err)) != MIKEY_OK)
		return rc;
	/* [IDr|CERTr] (RFC 3830 §3.3), [IDr] (RFC 4650 §3). */
	if (ctx->id != NULL && (rc = add_id(m, ctx->id_type, ctx->id, ctx->id_len, err)) != MIKEY_OK)
		return rc;
	if (with_certs && (rc = ex_add_own_certs(ctx, m, err)) != MIKEY_OK)
		return rc;
	/* IDi: RFC 4650 §3 "SHALL always include"; we can only echo what the
	 * Initiator sent (docs/interpretations.md). */
	if (ex->id_i != NULL && (rc = add_id(m, ex->id_i_type, ex->id_i, ex->id_i_len, err)) != MIKEY_OK)
		return rc;
	if ((rc = add_dh(m, s->group, s->pub, s->pub_len, err)) != MIKEY_OK)
		return rc;
	return add_dh(m, dhi->u.dh.group, dhi->u.dh.value.data, dhi->u.dh.value.len, err);
}

static bool same_bytes(const mikey_bytes *b, const uint8_t *p, size_t len)
{
	return b->len == len && (len == 0 || memcmp(b->data, p, len) == 0);
}

int dhx_read_response(const mikey_exchange *ex, const mikey_msg *m, uint8_t data_type,
                      const mikey_payload **idr, const mikey_payload **dhr, mikey_error *err)
{
	const dhx_state *s = ex->mode_state;

	*idr = NULL;
	*dhr = NULL;
	if (m->hdr.data_type != data_type)
		return mikey_fail(err, MIKEY_ERR_DATA_TYPE, "expected a DH response (data type %u), got %u", data_type,
		               m->hdr.data_type);
	if (s == NULL || s->dh == NULL)
		return mikey_fail(err, MIKEY_ERR_STATE, "no DH key pair waiting for a response");
	const mikey_payload *t = mikey_msg_find(m, MIKEY_PT_T, 0);
	if (t == NULL || t->u.ts.ts_type != ex->ts_type || t->u.ts.value != ex->t)
		return mikey_fail(err, MIKEY_ERR_TIMESTAMP, "the response does not echo our timestamp (RFC 3830 §3.3)");
	/* R_MESSAGE = HDR, T, [IDr|CERTr], IDi, ...: by position, an ID after
	 * CERTr or the second ID is IDi; a lone ID with no CERT is IDi when we
	 * sent one (it is mandatory), else IDr. */
	const mikey_payload *first, *second, *idi = NULL;
	bool has_cert;
	int rc = ex_message_ids(m, &first, &second, &has_cert, err);
	if (rc != MIKEY_OK)
		return rc;
	if (second != NULL) {
		*idr = first;
		idi = second;
	} else if (ex->id_i != NULL) {
		idi = first;
	} else {
		*idr = first;
	}
	if (ex->id_i != NULL && (idi == NULL || !same_bytes(&idi->u.id.data, ex->id_i, ex->id_i_len)))
		return mikey_fail(err, MIKEY_ERR_IDENTITY, "the response does not echo our IDi");
	if (*idr != NULL && s->peer != NULL && !same_bytes(&(*idr)->u.id.data, s->peer, s->peer_len))
		return mikey_fail(err, MIKEY_ERR_IDENTITY, "the response comes from %.*s, not the peer we asked for",
		               (int)((*idr)->u.id.data.len > 64 ? 64 : (*idr)->u.id.data.len),
		               (const char *)(*idr)->u.id.data.data);
	/* ..., DHr, DHi, <auth>. */
	const mikey_payload *d0 = mikey_msg_find(m, MIKEY_PT_DH, 0), *d1 = mikey_msg_find(m, MIKEY_PT_DH, 1);
	if (d0 == NULL || d1 == NULL || mikey_msg_find(m, MIKEY_PT_DH, 2) != NULL)
		return mikey_fail(err, MIKEY_ERR_PLACEMENT, "a DH response carries exactly DHr and DHi");
	if (d1->u.dh.group != s->group || !same_bytes(&d1->u.dh.value, s->pub, s->pub_len))
		return mikey_fail(err, MIKEY_ERR_AUTH, "the response does not echo our DHi: it answers another offer");
	if (d0->u.dh.group != s->group)
		return mikey_fail(err, MIKEY_ERR_DH_GROUP, "DHr uses DH-Group %u, we offered %u", d0->u.dh.group, s->group);
	*dhr = d0;
	return MIKEY_OK;
}

int dhx_finish_key(mikey_exchange *ex, const mikey_payload *idr, const mikey_payload *dhr, mikey_error *err)
{
	dhx_state *s = ex->mode_state;
	uint8_t *tgk = NULL, *peer = NULL;
	size_t peer_len = 0;
	int rc;

	if ((rc = derive_tgk(ex, s, &dhr->u.dh.value, &tgk, err)) != MIKEY_OK)
		return rc;
	if (idr != NULL && mikey_copy_bytes(&peer, &peer_len, idr->u.id.data.data, idr->u.id.data.len) != MIKEY_OK) {
		mikey_wipe(tgk, s->pub_len);
		mikey_free(tgk);
		return mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
	}
	/* Nothing can fail from here on. */
	if (idr != NULL) {
		if (ex->id_r != NULL) {
			mikey_wipe(ex->id_r, ex->id_r_len);
			mikey_free(ex->id_r);
		}
		ex->id_r = peer;
		ex->id_r_len = peer_len;
		ex->id_r_type = idr->u.id.type;
	}
	if (ex->key != NULL) {
		mikey_wipe(ex->key, ex->key_len);
		mikey_free(ex->key);
	}
	ex->key = tgk;
	ex->key_len = s->pub_len;
	ex->key_type = MIKEY_KEY_TGK;
	mikey_dh_free(s->dh); /* RFC 4650 §5.3: destroy xi once the TGK is known */
	s->dh = NULL;
	ex->state = EX_COMPLETE;
	return MIKEY_OK;
}
