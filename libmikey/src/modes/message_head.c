/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * message_head.c - the parts of a message every mode shares (RFC 3830 §3):
 * the head an initiator builds and a responder reads (HDR with the CS ID
 * map, T, RAND, IDs by position, SPs), the timestamp and replay checks
 * (§5.3, §5.4), the head of a response, and error messages (§5.1.2).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "modes/exchange_state.h"
#include "mikey/mem.h"
#include "mikey/names.h"

int ex_now(mikey_ctx *ctx, uint64_t *ntp, mikey_error *err)
{
	if (ctx->clock == NULL)
		return mikey_fail(err, MIKEY_ERR_STATE, "no clock: call mikey_ctx_set_clock() first");
	*ntp = ctx->clock(ctx->clock_user);
	return MIKEY_OK;
}

static int add_id(mikey_msg *m, uint8_t type, const uint8_t *id, size_t len)
{
	mikey_payload *p = mikey_msg_add_payload(m, &m->payloads, MIKEY_PT_ID);
	if (p == NULL)
		return MIKEY_ERR_NOMEM;
	p->u.id.type = type;
	return mikey_msg_set_bytes(m, &p->u.id.data, id, len);
}

int ex_build_head(mikey_exchange *ex, const mikey_offer *o, mikey_msg *m, uint8_t data_type, mikey_error *err)
{
	int rc;

	if (o->n_cs > 255)
		return mikey_fail(err, MIKEY_ERR_ARG, "offer: %zu crypto sessions, at most 255 (#CS is 8 bits)", o->n_cs);
	if (o->n_policies > 256)
		return mikey_fail(err, MIKEY_ERR_ARG, "offer: at most 256 policies");
	for (size_t i = 0; i < o->n_cs; i++) {
		if (o->cs[i].policy_no >= o->n_policies)
			return mikey_fail(err, MIKEY_ERR_ARG, "offer: crypto session %zu names policy %u of %zu", i + 1,
			               o->cs[i].policy_no, o->n_policies);
	}
	ex->csb_id = o->csb_id;
	while (ex->csb_id == 0) {
		/* RFC 3830 §6.1: the CSB ID is RECOMMENDED to be random. */
		uint8_t b[4];
		if ((rc = ex_draw(ex, b, 4, err)) != MIKEY_OK)
			return rc;
		ex->csb_id = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
	}
	ex->prf_func = o->prf_func;
	ex->want_verify = o->want_verify;
	if ((rc = ex_now(ex->ctx, &ex->t, err)) != MIKEY_OK)
		return rc;
	ex->ts_type = MIKEY_TS_NTP_UTC;
	ex->rand_len = o->rand_len ? o->rand_len : 16;
	if (ex->rand_len > sizeof(ex->rand))
		return mikey_fail(err, MIKEY_ERR_ARG, "offer: RAND of %zu bytes, at most 255", ex->rand_len);
	if (o->rand != NULL)
		memcpy(ex->rand, o->rand, ex->rand_len);
	else if ((rc = ex_draw(ex, ex->rand, ex->rand_len, err)) != MIKEY_OK)
		return rc;

	/* HDR (RFC 3830 §6.1) with the SRTP-ID map (§6.1.1). */
	m->hdr.data_type = data_type;
	m->hdr.v = o->want_verify;
	m->hdr.prf_func = o->prf_func;
	m->hdr.csb_id = ex->csb_id;
	m->hdr.n_cs = (uint8_t)o->n_cs;
	m->hdr.map_type = MIKEY_MAP_SRTP_ID;
	ex->map_type = MIKEY_MAP_SRTP_ID;
	ex->n_cs = o->n_cs;
	if (o->n_cs > 0) {
		m->hdr.srtp_cs = mikey_msg_alloc(m, o->n_cs * sizeof(mikey_srtp_cs));
		ex->cs = mikey_malloc(o->n_cs * sizeof(mikey_srtp_cs));
		if (m->hdr.srtp_cs == NULL || ex->cs == NULL)
			return mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
		for (size_t i = 0; i < o->n_cs; i++) {
			mikey_srtp_cs c = {o->cs[i].policy_no, o->cs[i].ssrc, o->cs[i].roc};
			m->hdr.srtp_cs[i] = c;
			ex->cs[i] = c;
		}
	}

	/* T (§6.6) and RAND (§6.11). */
	mikey_payload *t = mikey_msg_add_payload(m, &m->payloads, MIKEY_PT_T);
	mikey_payload *r = mikey_msg_add_payload(m, &m->payloads, MIKEY_PT_RAND);
	if (t == NULL || r == NULL || mikey_msg_set_bytes(m, &r->u.rand.rand, ex->rand, ex->rand_len) != MIKEY_OK)
		return mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
	t->u.ts.ts_type = ex->ts_type;
	t->u.ts.value = ex->t;

	/* [IDi], [IDr] (§3.1). */
	if (o->send_ids && ex->ctx->id != NULL) {
		if (add_id(m, ex->ctx->id_type, ex->ctx->id, ex->ctx->id_len) != MIKEY_OK ||
		    mikey_copy_bytes(&ex->id_i, &ex->id_i_len, ex->ctx->id, ex->ctx->id_len) != MIKEY_OK)
			return mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
		ex->id_i_type = ex->ctx->id_type;
	}
	if (o->send_ids && o->peer_id != NULL) {
		if (o->peer_id_len > 0xffff)
			return mikey_fail(err, MIKEY_ERR_ARG, "offer: peer ID longer than 65535 bytes");
		if (add_id(m, o->peer_id_type, o->peer_id, o->peer_id_len) != MIKEY_OK ||
		    mikey_copy_bytes(&ex->id_r, &ex->id_r_len, o->peer_id, o->peer_id_len) != MIKEY_OK)
			return mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
		ex->id_r_type = o->peer_id_type;
	}

	/* {SP} (§6.10): policy number i is the offer's policies[i]. */
	if (o->n_policies > 0) {
		ex->policies = mikey_malloc(o->n_policies * sizeof(ex_policy));
		if (ex->policies == NULL)
			return mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
		memset(ex->policies, 0, o->n_policies * sizeof(ex_policy));
	}
	for (size_t i = 0; i < o->n_policies; i++) {
		mikey_payload *sp = mikey_msg_add_payload(m, &m->payloads, MIKEY_PT_SP);
		if (sp == NULL || mikey_srtp_policy_to_sp(m, &o->policies[i], (uint8_t)i, &sp->u.sp) != MIKEY_OK)
			return mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
		/* What we offer must be what we would accept. */
		mikey_error perr;
		if ((rc = mikey_srtp_policy_from_sp(&sp->u.sp, &ex->policies[i].policy, &perr)) != MIKEY_OK)
			return mikey_fail(err, rc, "offer: policy %zu: %s", i, perr.message);
		ex->policies[i].policy_no = (uint8_t)i;
		ex->policies[i].usable = true;
		ex->n_policies++;
	}
	int rc2 = ex_add_key_ids(ex, o, m, err);
	return rc2 != MIKEY_OK ? rc2 : ex_add_tesla(ex, o, m, err);
}

int ex_message_ids(const mikey_msg *m, const mikey_payload **own, const mikey_payload **peer, bool *has_cert,
                   mikey_error *err)
{
	/* RFC 3830 §1.3: "|" is a selection, so "[IDi|CERTi], [IDr]" means an
	 * ID before any CERT is the sender's, and an ID after a CERT, or the
	 * second ID, is the peer's (docs/interpretations.md §28). */
	*own = *peer = NULL;
	*has_cert = false;
	for (const mikey_payload *p = m->payloads.first; p != NULL; p = p->next) {
		if (p->type == MIKEY_PT_CERT) {
			*has_cert = true;
		} else if (p->type == MIKEY_PT_ID) {
			if (*own == NULL && *peer == NULL && !*has_cert)
				*own = p;
			else if (*peer == NULL)
				*peer = p;
			else
				return mikey_fail(err, MIKEY_ERR_PLACEMENT, "more than two ID payloads (RFC 3830 §3)");
		}
	}
	return MIKEY_OK;
}

/* Seconds between two NTP timestamps, as a signed difference modulo 2^32
 * seconds so that the 2036 era rollover (RFC 4330 §3) does not matter. */
static int64_t ntp_diff_seconds(uint64_t a, uint64_t b)
{
	return (int64_t)(int32_t)(uint32_t)((a >> 32) - (b >> 32));
}

int ex_read_head(mikey_exchange *ex, const mikey_msg *m, const uint8_t *raw, size_t len,
                 uint8_t digest[MIKEY_REPLAY_DIGEST], mikey_error *err)
{
	mikey_ctx *ctx = ex->ctx;
	uint64_t now = 0;
	int rc;

	ex->csb_id = m->hdr.csb_id;
	ex->prf_func = m->hdr.prf_func;
	ex->want_verify = m->hdr.v;
	if (m->hdr.prf_func != MIKEY_PRF_MIKEY_1 && m->hdr.prf_func != MIKEY_PRF_HMAC_SHA_256)
		return mikey_fail(err, MIKEY_ERR_PRF, "HDR: PRF func %u is not supported", m->hdr.prf_func);
	if (m->hdr.map_type == MIKEY_MAP_SRTP_ID) {
		ex->map_type = MIKEY_MAP_SRTP_ID;
		ex->n_cs = m->hdr.n_cs;
		if (ex->n_cs > 0) {
			ex->cs = mikey_malloc(ex->n_cs * sizeof(mikey_srtp_cs));
			if (ex->cs == NULL)
				return mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
			memcpy(ex->cs, m->hdr.srtp_cs, ex->n_cs * sizeof(mikey_srtp_cs));
		}
	} else if (m->hdr.map_type == MIKEY_MAP_EMPTY) {
		ex->map_type = MIKEY_MAP_EMPTY; /* RFC 4563 §5: policy comes from elsewhere */
	} else {
		return mikey_fail(err, MIKEY_ERR_POLICY, "HDR: CS ID map type %u is not supported for SRTP here",
		               m->hdr.map_type);
	}

	/* T: RFC 3830 §5.3 first step. */
	const mikey_payload *t = mikey_msg_find(m, MIKEY_PT_T, 0);
	if (t == NULL)
		return mikey_fail(err, MIKEY_ERR_TIMESTAMP, "no T payload");
	if (t->u.ts.ts_type != MIKEY_TS_NTP_UTC && t->u.ts.ts_type != MIKEY_TS_NTP)
		return mikey_fail(err, MIKEY_ERR_TIMESTAMP,
		               "T: TS type %u: only NTP-UTC and NTP can be checked against the clock",
		               t->u.ts.ts_type);
	ex->ts_type = t->u.ts.ts_type;
	ex->t = t->u.ts.value;
	if ((rc = ex_now(ctx, &now, err)) != MIKEY_OK)
		return rc;
	int64_t skew = ntp_diff_seconds(ex->t, now);
	if (skew > (int64_t)ctx->max_skew || -skew > (int64_t)ctx->max_skew)
		return mikey_fail(err, MIKEY_ERR_TIMESTAMP, "T: timestamp is %lld s from our clock; at most %u s allowed",
		               (long long)skew, ctx->max_skew);
	mikey_iov iov = {raw, len};
	if (mikey_crypto_digest(MIKEY_MD_SHA256, &iov, 1, digest) != MIKEY_OK)
		return mikey_fail(err, MIKEY_ERR_CRYPTO, "SHA-256 failed");
	if (mikey_replay_seen(&ctx->replay, ex->t, digest))
		return mikey_fail(err, MIKEY_ERR_REPLAY, "message already accepted, or older than the replay cache remembers");

	/* RAND: always in the Initiator's first message (§3), except in RSA-R
	 * where the Responder may supply it instead (RFC 4738 §3.4, §3.6). */
	const mikey_payload *r = mikey_msg_find(m, MIKEY_PT_RAND, 0);
	if ((r == NULL || r->u.rand.rand.len == 0) && ex->mode != MIKEY_MODE_RSAR)
		return mikey_fail(err, MIKEY_ERR_ARG, "no RAND payload in the initiator's message");
	ex->rand_len = r != NULL ? r->u.rand.rand.len : 0;
	if (ex->rand_len > 0)
		memcpy(ex->rand, r->u.rand.rand.data, ex->rand_len);

	/* [IDi|CERTi], [IDr] (§3.1-§3.3, RFC 4738 §3.1): by position. */
	const mikey_payload *idi, *idr;
	bool has_cert;
	if ((rc = ex_message_ids(m, &idi, &idr, &has_cert, err)) != MIKEY_OK)
		return rc;
	/* One ID, no CERT: IDi, unless in a signed mode it names us -- then it
	 * is IDr and IDi is elsewhere (PK: inside the KEMAC) or known from a
	 * certificate looked up for the signer. */
	if (idi != NULL && idr == NULL && !has_cert && ex->mode != MIKEY_MODE_PSK && ex->mode != MIKEY_MODE_DHHMAC &&
	    ctx->id != NULL && idi->u.id.data.len == ctx->id_len &&
	    memcmp(idi->u.id.data.data, ctx->id, ctx->id_len) == 0) {
		idr = idi;
		idi = NULL;
	}
	if (idi != NULL) {
		if (mikey_copy_bytes(&ex->id_i, &ex->id_i_len, idi->u.id.data.data, idi->u.id.data.len) != MIKEY_OK)
			return mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
		ex->id_i_type = idi->u.id.type;
	}
	if (idr != NULL) {
		if (mikey_copy_bytes(&ex->id_r, &ex->id_r_len, idr->u.id.data.data, idr->u.id.data.len) != MIKEY_OK)
			return mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
		ex->id_r_type = idr->u.id.type;
	}

	/* {SP}: each SRTP policy must map to something libsrtp2 can run. */
	size_t n_sp = 0;
	for (const mikey_payload *p = m->payloads.first; p != NULL; p = p->next)
		n_sp += p->type == MIKEY_PT_SP && p->u.sp.prot_type == MIKEY_PROT_SRTP;
	if (n_sp > 0) {
		ex->policies = mikey_malloc(n_sp * sizeof(ex_policy));
		if (ex->policies == NULL)
			return mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
		memset(ex->policies, 0, n_sp * sizeof(ex_policy));
	}
	for (const mikey_payload *p = m->payloads.first; p != NULL; p = p->next) {
		if (p->type != MIKEY_PT_SP || p->u.sp.prot_type != MIKEY_PROT_SRTP)
			continue;
		ex_policy *ep = &ex->policies[ex->n_policies++];
		mikey_error perr;
		ep->policy_no = p->u.sp.policy_no;
		if ((rc = mikey_srtp_policy_from_sp(&p->u.sp, &ep->policy, &perr)) != MIKEY_OK)
			return mikey_fail(err, rc, "SP policy %u: %s", ep->policy_no, perr.message);
		ep->usable = true;
	}
	if ((rc = ex_read_key_ids(ex, m, err)) != MIKEY_OK)
		return rc;
	return ex_read_tesla(ex, m, err);
}

void ex_remember(mikey_exchange *ex, const uint8_t digest[MIKEY_REPLAY_DIGEST])
{
	mikey_ctx *ctx = ex->ctx;
	uint64_t now = ctx->clock(ctx->clock_user);
	/* Anything older than now - skew is refused by the window anyway. */
	uint64_t oldest = now - ((uint64_t)ctx->max_skew << 32);
	if (((now >> 32) < ctx->max_skew))
		oldest = 0;
	mikey_replay_add(&ctx->replay, ex->t, digest, oldest);
}

int ex_error_message(mikey_ctx *ctx, const mikey_msg *in, int code, uint8_t **out, size_t *out_len)
{
	/* RFC 3830 §5.1.2: HDR, T, {ERR}; not authenticated (a failed
	 * authentication must not make us sign for an attacker). */
	mikey_msg *m = mikey_msg_new();
	uint64_t now = 0;
	int rc = MIKEY_ERR_NOMEM;

	*out = NULL;
	*out_len = 0;
	if (m == NULL)
		return MIKEY_ERR_NOMEM;
	m->hdr.data_type = MIKEY_DT_ERROR;
	m->hdr.map_type = MIKEY_MAP_SRTP_ID;
	if (in != NULL) {
		m->hdr.csb_id = in->hdr.csb_id;
		m->hdr.prf_func = in->hdr.prf_func;
	}
	mikey_payload *t = mikey_msg_add_payload(m, &m->payloads, MIKEY_PT_T);
	mikey_payload *e = mikey_msg_add_payload(m, &m->payloads, MIKEY_PT_ERR);
	if (t == NULL || e == NULL)
		goto out;
	const mikey_payload *it = in != NULL ? mikey_msg_find(in, MIKEY_PT_T, 0) : NULL;
	if (it != NULL) {
		/* The Responder uses the Initiator's timestamp (§5.2). */
		t->u.ts = it->u.ts;
	} else {
		if (ctx->clock != NULL)
			now = ctx->clock(ctx->clock_user);
		t->u.ts.ts_type = MIKEY_TS_NTP_UTC;
		t->u.ts.value = now;
	}
	e->u.err.err_no = (uint8_t)mikey_error_to_err_no(code);
	rc = mikey_msg_build(m, out, out_len, NULL);
out:
	mikey_msg_free(m);
	return rc;
}

size_t ex_ts_bytes(const mikey_exchange *ex, uint8_t out[8])
{
	int n = mikey_ts_value_len(ex->ts_type);
	size_t len = n > 0 ? (size_t)n : 0;
	for (size_t i = 0; i < len; i++)
		out[i] = (uint8_t)(ex->t >> (8 * (len - 1 - i)));
	return len;
}

int ex_response_hdr(const mikey_exchange *ex, mikey_msg *m, uint8_t data_type, uint32_t csb_id, mikey_error *err)
{
	m->hdr.data_type = data_type;
	m->hdr.prf_func = ex->prf_func;
	m->hdr.csb_id = csb_id;
	m->hdr.map_type = ex->map_type;
	m->hdr.n_cs = (uint8_t)ex->n_cs;
	if (ex->map_type == MIKEY_MAP_SRTP_ID && ex->n_cs > 0) {
		m->hdr.srtp_cs = mikey_msg_alloc(m, ex->n_cs * sizeof(mikey_srtp_cs));
		if (m->hdr.srtp_cs == NULL)
			return mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
		memcpy(m->hdr.srtp_cs, ex->cs, ex->n_cs * sizeof(mikey_srtp_cs));
	}
	return MIKEY_OK;
}

int ex_echo_t(const mikey_exchange *ex, mikey_msg *m, mikey_error *err)
{
	/* RFC 3830 §5.2: the Responder uses the Initiator's timestamp. */
	mikey_payload *t = mikey_msg_add_payload(m, &m->payloads, MIKEY_PT_T);
	if (t == NULL)
		return mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
	t->u.ts.ts_type = ex->ts_type;
	t->u.ts.value = ex->t;
	return MIKEY_OK;
}

int ex_peer_error(const mikey_msg *m, mikey_error *err)
{
	const mikey_payload *e = mikey_msg_find(m, MIKEY_PT_ERR, 0);
	if (e == NULL)
		return mikey_fail(err, MIKEY_ERR_PEER_ERROR, "the peer sent an error message without an ERR payload");
	const char *name = mikey_err_no_name(e->u.err.err_no);
	return mikey_fail(err, MIKEY_ERR_PEER_ERROR, "the peer sent Error no %u (%s)", e->u.err.err_no,
	               name != NULL ? name : "unregistered");
}
