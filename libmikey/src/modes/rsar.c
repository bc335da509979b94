/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rsar.c - MIKEY-RSA in Reverse mode (RFC 4738 §3):
 *   I_MESSAGE = HDR, T, [RAND], [IDi|CERTi], [IDr], {SP}, SIGNi
 *   R_MESSAGE = HDR, [GenExt(CSB_ID)], T, [RAND], [IDr|CERTr], [SP],
 *               KEMAC, PKE, SIGNr
 * The Initiator asks; the Responder (a peer or a group key server)
 * chooses the TGK and sends it in a public-key envelope to the Initiator's
 * key (envelope.c), KEMAC = E(encr_key, IDr || {TGK}) || MAC (§3.6).
 * SIGNr covers R_MESSAGE || IDi || IDr || T (§3.6). In group mode (§3.2)
 * the Responder's CSB ID, RAND, SPs and CS map are used by everyone.
 */
#include <string.h>

#include "mikey/group.h"
#include "mikey/mem.h"
#include "mikey/srtp.h"
#include "mikey/tesla_mikey.h"
#include "modes/envelope.h"
#include "modes/rsar_config.h"

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

static bool policy_offered(const ex_policy *offered, size_t n, const mikey_srtp_policy *p)
{
	for (size_t i = 0; i < n; i++) {
		if (offered[i].usable && mikey_srtp_policy_equal(&offered[i].policy, p))
			return true;
	}
	return false;
}

static mikey_rsa_sig scheme_of(uint8_t s_type)
{
	return s_type == MIKEY_SIGN_RSA_PSS ? MIKEY_RSA_SIG_PSS : MIKEY_RSA_SIG_PKCS1_V15;
}

/* RFC 4738 §3.6: SIGNr covers "R_MESSAGE (excluding the SIGNr payload
 * itself) || IDi || IDr || T". Like RFC 3830 §5.2 we sign the message up
 * to the signature field (the SIGN payload's S type and length included)
 * and accept the reading without those two bytes on input
 * (docs/interpretations.md). IDi, IDr: ID payload data; T: its TS value. */
static int rsar_sign(mikey_exchange *ex, mikey_msg *m, uint8_t s_type, uint8_t **out, size_t *out_len,
                     mikey_error *err)
{
	uint8_t tb[8];
	size_t tl = ex_ts_bytes(ex, tb);
	mikey_iov trailer[3] = {{ex->id_i, ex->id_i_len}, {ex->id_r, ex->id_r_len}, {tb, tl}};
	return sig_sign_msg(ex, m, s_type, trailer, 3, out, out_len, err);
}

static int rsar_verify(const mikey_exchange *ex, const mikey_msg *m, const uint8_t *raw, size_t len,
                       const uint8_t *id_r, size_t id_r_len, const mikey_pkey *pub, mikey_error *err)
{
	const mikey_payload *s = m->payloads.last;
	uint8_t tb[8];
	size_t tl = ex_ts_bytes(ex, tb);

	if (s == NULL || s->type != MIKEY_PT_SIGN)
		return mikey_fail(err, MIKEY_ERR_PLACEMENT, "RSA-R: the R_MESSAGE must end with SIGNr (RFC 4738 §3.1)");
	const mikey_sign *sg = &s->u.sign;
	if (sg->s_type != MIKEY_SIGN_RSA_PKCS1_15 && sg->s_type != MIKEY_SIGN_RSA_PSS)
		return mikey_fail(err, MIKEY_ERR_AUTH, "SIGN: S type %u is not supported", sg->s_type);
	static const mikey_md mds[2] = {MIKEY_MD_SHA256, MIKEY_MD_SHA1};
	for (size_t hdr = 0; hdr <= 2; hdr += 2) {
		/* hdr 0: up to the signature field; 2: without SIGN's header. */
		if (len < sg->sig.len + hdr)
			break;
		mikey_iov iov[4] = {{raw, len - sg->sig.len - hdr}, {ex->id_i, ex->id_i_len}, {id_r, id_r_len}, {tb, tl}};
		for (size_t i = 0; i < 2; i++) {
			if (mikey_rsa_verify(pub, scheme_of(sg->s_type), mds[i], iov, 4, sg->sig.data, sg->sig.len) ==
			    MIKEY_OK)
				return MIKEY_OK;
		}
	}
	return mikey_fail(err, MIKEY_ERR_AUTH, "SIGNr does not verify with the responder's certificate");
}

/* ------------------------------------------------------------------ */
/* Initiator                                                           */

static int rsar_initiate(mikey_exchange *ex, const mikey_offer *o, uint8_t **out, size_t *out_len, mikey_error *err)
{
	mikey_ctx *ctx = ex->ctx;
	mikey_msg *m = NULL;
	int rc;

	if (ctx->own_key == NULL || ctx->n_own_certs == 0)
		return mikey_fail(err, MIKEY_ERR_STATE, "RSA-R needs our certificate and key (mikey_ctx_set_credentials)");
	if (ctx->id == NULL && o->send_ids)
		return mikey_fail(err, MIKEY_ERR_STATE, "RSA-R: no identity to send as IDi (mikey_ctx_set_id)");
	if (o->sign_type != MIKEY_SIGN_RSA_PKCS1_15 && o->sign_type != MIKEY_SIGN_RSA_PSS)
		return mikey_fail(err, MIKEY_ERR_UNSUPPORTED, "offer: SIGN S type %u is not supported", o->sign_type);
	m = mikey_msg_new();
	if (m == NULL)
		return mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
	/* §3.4: RAND SHOULD be sent for unicast (the Initiator's entropy); in
	 * group mode the Responder's RAND replaces it. */
	if ((rc = ex_build_head(ex, o, m, MIKEY_DT_RSAR_INIT, err)) != MIKEY_OK)
		goto out;
	/* §3.4: "The V bit MUST be set to '1'": a response is mandatory. */
	m->hdr.v = true;
	ex->want_verify = true;
	ex->tesla_time_sync = o->tesla_time_sync;
	ex->tesla_drift = o->tesla_drift;
	if (!o->omit_certs) {
		mikey_payload *anchor = mikey_msg_find(m, ex->id_i != NULL ? MIKEY_PT_ID : MIKEY_PT_RAND, 0);
		if ((rc = env_insert_certs(ctx, m, anchor, err)) != MIKEY_OK)
			goto out;
	}
	if ((rc = sig_sign_msg(ex, m, o->sign_type, NULL, 0, out, out_len, err)) != MIKEY_OK)
		goto out;
	ex->state = EX_WAIT_RESPONSE;
out:
	mikey_msg_free(m);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Responder (key server)                                              */

/* The policies of the R_MESSAGE: the key server's, each of which must be
 * among the Initiator's SPs when it sent any (§3.5: "return one of the
 * proposed security policies"); without configured policies, the
 * Initiator's SPs are accepted as they are (ex_read_head mapped them). */
static int choose_policies(mikey_exchange *ex, const struct ex_rsar_config *c, mikey_error *err)
{
	if (c->n_policies == 0)
		return MIKEY_OK;
	for (size_t i = 0; i < c->n_policies; i++) {
		if (ex->n_policies > 0 && !policy_offered(ex->policies, ex->n_policies, &c->policies[i]))
			return mikey_fail(err, MIKEY_ERR_POLICY,
			               "RSA-R: our policy %zu is not among the initiator's SPs (RFC 4738 §3.5)", i);
	}
	ex_policy *np = mikey_malloc(c->n_policies * sizeof(*np));
	if (np == NULL)
		return mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
	memset(np, 0, c->n_policies * sizeof(*np));
	for (size_t i = 0; i < c->n_policies; i++) {
		np[i].policy_no = (uint8_t)i;
		np[i].policy = c->policies[i];
		np[i].usable = true;
	}
	mikey_free(ex->policies);
	ex->policies = np;
	ex->n_policies = c->n_policies;
	return MIKEY_OK;
}

/* §3.6: "The Responder MUST fill in the number of CSs and the CS ID map";
 * ours when configured, else the Initiator's, echoed. */
static int choose_map(mikey_exchange *ex, const struct ex_rsar_config *c, mikey_error *err)
{
	if (c->n_cs == 0)
		return MIKEY_OK;
	mikey_srtp_cs *cs = mikey_malloc(c->n_cs * sizeof(*cs));
	if (cs == NULL)
		return mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < c->n_cs; i++) {
		mikey_srtp_cs e = {c->cs[i].policy_no, c->cs[i].ssrc, c->cs[i].roc};
		cs[i] = e;
	}
	mikey_free(ex->cs);
	ex->cs = cs;
	ex->n_cs = c->n_cs;
	ex->map_type = MIKEY_MAP_SRTP_ID;
	return MIKEY_OK;
}

/* RFC 4442 §4.3 alternative 2 applies: TESLA parameters to send, and the
 * key server configured to give its clock. */
static bool time_sync(const struct ex_rsar_config *c)
{
	return c->tesla_time_sync && (c->has_tesla || c->cs_tesla != NULL);
}

/* A TESLA SP and I-Key, echoing the member's timestamp in parameter 9 when
 * we give our clock. */
static int add_tesla(const mikey_exchange *ex, const struct ex_rsar_config *c, mikey_msg *r,
                     const mikey_tesla_params *p, uint8_t policy_no)
{
	return time_sync(c) ? mikey_tesla_params_to_payloads_echo(r, p, policy_no, ex->t)
	                    : mikey_tesla_params_to_payloads(r, p, policy_no);
}

static int build_response_head(mikey_exchange *ex, const struct ex_rsar_config *c, mikey_msg *r, uint32_t hdr_csb,
                               bool send_rand, mikey_error *err)
{
	mikey_ctx *ctx = ex->ctx;

	/* HDR: the I_MESSAGE's CSB ID (§3.6 MUST), our CS map. */
	int rc = ex_response_hdr(ex, r, MIKEY_DT_RSAR_RESP, hdr_csb, err);
	if (rc != MIKEY_OK)
		return rc;
	/* [GenExt(CSB_ID)] (§3.2, §3.9.3): group mode only. */
	if (c->group) {
		uint8_t b[4] = {(uint8_t)(c->csb_id >> 24), (uint8_t)(c->csb_id >> 16), (uint8_t)(c->csb_id >> 8),
		                (uint8_t)c->csb_id};
		mikey_payload *g = mikey_msg_add_payload(r, &r->payloads, MIKEY_PT_GEN_EXT);
		if (g == NULL || mikey_msg_set_bytes(r, &g->u.gen_ext.data, b, 4) != MIKEY_OK)
			return mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
		g->u.gen_ext.ext_type = MIKEY_GEN_CSB_ID;
	}
	/* T: "exactly the same as that received in the I_MESSAGE" (§3.6) --
	 * unless we give TESLA receivers our clock (RFC 4442 §4.3 alternative
	 * 2): then our time t_s, and theirs echoed in TESLA parameter 9. */
	if (time_sync(c)) {
		uint64_t t_s;
		mikey_payload *t = mikey_msg_add_payload(r, &r->payloads, MIKEY_PT_T);
		if (t == NULL)
			return mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
		if ((rc = ex_now(ctx, &t_s, err)) != MIKEY_OK)
			return rc;
		t->u.ts.ts_type = MIKEY_TS_NTP_UTC;
		t->u.ts.value = t_s;
	} else if ((rc = ex_echo_t(ex, r, err)) != MIKEY_OK) {
		return rc;
	}
	if (send_rand) {
		mikey_payload *rp = mikey_msg_add_payload(r, &r->payloads, MIKEY_PT_RAND);
		if (rp == NULL || mikey_msg_set_bytes(r, &rp->u.rand.rand, ex->rand, ex->rand_len) != MIKEY_OK)
			return mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
	}
	/* [IDr|CERTr]. The IDr sent is the one SIGNr covers. */
	if (c->send_ids) {
		mikey_payload *id = mikey_msg_add_payload(r, &r->payloads, MIKEY_PT_ID);
		uint8_t *copy;
		size_t copy_len;
		if (id == NULL || mikey_msg_set_bytes(r, &id->u.id.data, ctx->id, ctx->id_len) != MIKEY_OK ||
		    mikey_copy_bytes(&copy, &copy_len, ctx->id, ctx->id_len) != MIKEY_OK)
			return mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
		id->u.id.type = ctx->id_type;
		if (ex->id_r != NULL) {
			mikey_wipe(ex->id_r, ex->id_r_len);
			mikey_free(ex->id_r);
		}
		ex->id_r = copy;
		ex->id_r_len = copy_len;
		ex->id_r_type = ctx->id_type;
	}
	if (!c->omit_certs && (rc = ex_add_own_certs(ctx, r, err)) != MIKEY_OK)
		return rc;
	/* [SP]: the policies the crypto sessions use. */
	for (size_t i = 0; i < ex->n_policies; i++) {
		mikey_payload *sp = mikey_msg_add_payload(r, &r->payloads, MIKEY_PT_SP);
		if (sp == NULL ||
		    mikey_srtp_policy_to_sp(r, &ex->policies[i].policy, ex->policies[i].policy_no, &sp->u.sp) != MIKEY_OK)
			return mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
	}
	/* RFC 4442: the key server hands out the media senders' TESLA
	 * parameters, numbered after the SRTP policies: one policy for all, or
	 * one per sender in CS order (docs/interpretations.md §23). */
	if (c->cs_tesla != NULL) {
		unsigned next_no = 0;
		for (size_t i = 0; i < ex->n_policies; i++)
			if (ex->policies[i].policy_no >= next_no)
				next_no = ex->policies[i].policy_no + 1u;
		if (next_no + ex->n_cs > 256 || ex->n_cs != c->n_cs)
			return mikey_fail(err, MIKEY_ERR_POLICY, "no policy numbers left for %zu TESLA policies", ex->n_cs);
		ex->cs_tesla = mikey_malloc(ex->n_cs * sizeof(*ex->cs_tesla));
		if (ex->cs_tesla == NULL)
			return mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
		for (size_t i = 0; i < ex->n_cs; i++) {
			if ((rc = add_tesla(ex, c, r, &c->cs_tesla[i], (uint8_t)(next_no + i))) != MIKEY_OK)
				return mikey_fail(err, rc, "cannot add the TESLA policy of crypto session %zu", i + 1);
			ex->cs_tesla[i] = c->cs_tesla[i];
		}
	} else if (c->has_tesla) {
		unsigned next_no = 0;
		for (size_t i = 0; i < ex->n_policies; i++)
			if (ex->policies[i].policy_no >= next_no)
				next_no = ex->policies[i].policy_no + 1u;
		if (next_no > 255)
			return mikey_fail(err, MIKEY_ERR_POLICY, "no policy number left for the TESLA policy");
		if ((rc = add_tesla(ex, c, r, &c->tesla, (uint8_t)next_no)) != MIKEY_OK)
			return mikey_fail(err, rc, "cannot add the TESLA policy");
		ex->tesla = c->tesla;
		ex->has_tesla = true;
	}
	return MIKEY_OK;
}

/* The configuration serving the generation the application's callback
 * picks for this member (mikey_ctx_set_rsar_group_fn), with the algorithms
 * of the key server's configuration when it has one. */
static int serve_group(mikey_exchange *ex, struct ex_rsar_config **out, mikey_error *err)
{
	mikey_ctx *ctx = ex->ctx;
	const mikey_group_gen *g = ctx->rsar_group_fn(ctx->rsar_group_user, ex->id_i, ex->id_i_len);
	if (g == NULL)
		return mikey_fail(err, MIKEY_ERR_IDENTITY, "the key server serves no group generation to %.*s",
		               (int)(ex->id_i_len > 64 ? 64 : ex->id_i_len), ex->id_i ? (const char *)ex->id_i : "");
	mikey_offer o, eff;
	mikey_offer_init(&o, MIKEY_MODE_RSAR);
	const struct ex_rsar_config *a = ctx->rsar;
	if (a != NULL) {
		o.encr_alg = a->encr_alg;
		o.mac_alg = a->mac_alg;
		o.sign_type = a->sign_type;
		o.pke_cache = a->pke_cache;
		o.omit_certs = a->omit_certs;
		o.send_ids = a->send_ids;
		o.tesla_time_sync = a->tesla_time_sync;
	}
	o.group = g;
	ex_group_offer *buf = mikey_malloc(sizeof(*buf));
	if (buf == NULL)
		return mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
	int rc = ex_offer_from_group(&o, &eff, buf, err);
	if (rc == MIKEY_OK && (rc = rsar_config_new(ctx, &eff, out)) != MIKEY_OK)
		rc = mikey_fail(err, rc, "group 0x%08x cannot be served: %s", mikey_group_gen_csb_id(g), mikey_strerror(rc));
	mikey_wipe(buf, sizeof(*buf));
	mikey_free(buf);
	return rc;
}

static int rsar_respond(mikey_exchange *ex, const mikey_msg *m, const uint8_t *raw, size_t len, uint8_t **resp,
                        size_t *resp_len, mikey_error *err)
{
	mikey_ctx *ctx = ex->ctx;
	const struct ex_rsar_config *c = ctx->rsar;
	struct ex_rsar_config *served = NULL; /* per request (mikey_ctx_set_rsar_group_fn) */
	uint8_t digest[MIKEY_REPLAY_DIGEST];
	mikey_pkey *pub = NULL;
	mikey_msg *r = NULL;
	mikey_payload *kp;
	int rc;

	/* RFC 3830 §5.3 (RFC 4738 §3.3): timestamp and replay cache first. */
	if ((rc = ex_read_head(ex, m, raw, len, digest, err)) != MIKEY_OK)
		return rc;
	const mikey_payload *sign = m->payloads.last;
	if (sign == NULL || sign->type != MIKEY_PT_SIGN)
		return mikey_fail(err, MIKEY_ERR_PLACEMENT, "RSA-R: the I_MESSAGE must end with SIGNi (RFC 4738 §3.1)");
	if ((c == NULL && ctx->rsar_group_fn == NULL) || ctx->own_key == NULL || ctx->n_own_certs == 0 ||
	    ctx->id == NULL)
		return mikey_fail(err, MIKEY_ERR_STATE, "not an RSA-R key server (mikey_ctx_set_rsar_keys, "
		                                     "mikey_ctx_set_credentials, mikey_ctx_set_id)");
	/* "[IDi|CERTi]": with CERTi alone, the member is who CERTi names. */
	if (ex->id_i == NULL && (rc = sig_id_from_cert(ex, m, err)) != MIKEY_OK)
		return rc;
	if (ex->id_r != NULL && (ex->id_r_len != ctx->id_len || memcmp(ex->id_r, ctx->id, ctx->id_len) != 0))
		return mikey_fail(err, MIKEY_ERR_IDENTITY, "the I_MESSAGE asks for %.*s, not for us",
		               (int)(ex->id_r_len > 64 ? 64 : ex->id_r_len), (const char *)ex->id_r);
	/* §3.4: SIGNi with CERTi (or a known certificate) bound to IDi; the
	 * same public key then receives the envelope key (§3.6: PKi). */
	if ((rc = sig_peer_key(ex, m, ex->id_i, ex->id_i_len, &pub, err)) != MIKEY_OK ||
	    (rc = sig_verify_msg(m, raw, len, pub, err)) != MIKEY_OK)
		goto out;
	/* A key server serving group generations: the one for this member. */
	if (ctx->rsar_group_fn != NULL) {
		if ((rc = serve_group(ex, &served, err)) != MIKEY_OK)
			goto out;
		c = served;
	}

	uint32_t hdr_csb = ex->csb_id;
	bool send_rand;
	if (c->group) {
		/* §3.2, §3.5: the key server's CSB ID and RAND, whatever the
		 * member sent, so that all members derive the same keys. */
		ex->csb_id = c->csb_id;
		memcpy(ex->rand, c->rand, c->rand_len);
		ex->rand_len = c->rand_len;
		send_rand = true;
	} else if (ex->rand_len == 0) {
		/* §3.6: without the Initiator's RAND, the Responder sends one. */
		ex->rand_len = c->rand_len;
		if (mikey_rng_bytes(&ctx->rng, ex->rand, ex->rand_len) != MIKEY_OK) {
			rc = mikey_fail(err, MIKEY_ERR_CRYPTO, "the random number generator failed");
			goto out;
		}
		send_rand = true;
	} else {
		send_rand = false; /* §3.6: then it MUST NOT be present */
	}
	if ((rc = choose_policies(ex, c, err)) != MIKEY_OK || (rc = choose_map(ex, c, err)) != MIKEY_OK)
		goto out;
	mikey_offer keys;
	mikey_offer_init(&keys, MIKEY_MODE_RSAR);
	keys.key_type = c->key_type;
	keys.key = c->key;
	keys.key_len = c->key_len;
	keys.salt = c->have_salt ? c->salt : NULL;
	keys.salt_len = c->salt_len;
	keys.mki = c->mki;
	keys.mki_len = c->mki_len;
	if ((rc = ex_choose_key(ex, &keys, err)) != MIKEY_OK)
		goto out;
	r = mikey_msg_new();
	if (r == NULL) {
		rc = mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
		goto out;
	}
	/* KEMAC = E(encr_key, IDr || {TGK}) || MAC, PKE = E(PKi, env_key). */
	if ((rc = build_response_head(ex, c, r, hdr_csb, send_rand, err)) != MIKEY_OK ||
	    (rc = env_add(ex, r, pub, NULL, c->pke_cache, c->encr_alg, c->mac_alg, ctx->id_type, ctx->id, ctx->id_len,
	                  &kp, err)) != MIKEY_OK ||
	    (rc = env_seal_mac(ex, r, kp, err)) != MIKEY_OK ||
	    (rc = rsar_sign(ex, r, c->sign_type, resp, resp_len, err)) != MIKEY_OK)
		goto out;
	ex_remember(ex, digest);
	ex->state = EX_COMPLETE;
out:
	rsar_config_free(served);
	mikey_msg_free(r);
	mikey_pkey_free(pub);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Initiator: the R_MESSAGE                                            */

/* What an R_MESSAGE changes in the exchange, collected before anything is
 * committed (a rejected R_MESSAGE leaves the exchange waiting, §3.7). */
typedef struct rsar_result {
	uint32_t csb_id;
	ex_policy *policies;
	size_t n_policies;
	mikey_srtp_cs *cs;
	size_t n_cs;
	uint8_t map_type;
	uint8_t *id_r;
	size_t id_r_len;
	uint8_t id_r_type;
} rsar_result;

static void result_cleanup(rsar_result *res)
{
	mikey_free(res->policies);
	mikey_free(res->cs);
	if (res->id_r != NULL) {
		mikey_wipe(res->id_r, res->id_r_len);
		mikey_free(res->id_r);
	}
}

/* §3.6, §3.7: the SPs of the R_MESSAGE, each one we offered (if we did). */
static int read_policies(const mikey_exchange *ex, const mikey_msg *m, rsar_result *res, mikey_error *err)
{
	size_t n = 0;
	for (const mikey_payload *p = m->payloads.first; p != NULL; p = p->next)
		n += p->type == MIKEY_PT_SP && p->u.sp.prot_type == MIKEY_PROT_SRTP;
	if (n == 0) {
		if (ex->n_policies > 0)
			return mikey_fail(err, MIKEY_ERR_POLICY, "RSA-R: we offered SPs and the R_MESSAGE has none "
			                                      "(RFC 4738 §3.6)");
		return MIKEY_OK;
	}
	res->policies = mikey_malloc(n * sizeof(ex_policy));
	if (res->policies == NULL)
		return mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
	memset(res->policies, 0, n * sizeof(ex_policy));
	for (const mikey_payload *p = m->payloads.first; p != NULL; p = p->next) {
		if (p->type != MIKEY_PT_SP || p->u.sp.prot_type != MIKEY_PROT_SRTP)
			continue;
		ex_policy *ep = &res->policies[res->n_policies++];
		mikey_error perr;
		ep->policy_no = p->u.sp.policy_no;
		int rc = mikey_srtp_policy_from_sp(&p->u.sp, &ep->policy, &perr);
		if (rc != MIKEY_OK)
			return mikey_fail(err, rc, "SP policy %u: %s", ep->policy_no, perr.message);
		ep->usable = true;
		if (ex->n_policies > 0 && !policy_offered(ex->policies, ex->n_policies, &ep->policy))
			return mikey_fail(err, MIKEY_ERR_POLICY,
			               "RSA-R: the R_MESSAGE's policy %u was not offered (RFC 4738 §3.7: discard)",
			               ep->policy_no);
	}
	return MIKEY_OK;
}

static int read_map(const mikey_msg *m, rsar_result *res, mikey_error *err)
{
	res->map_type = m->hdr.map_type;
	if (m->hdr.map_type == MIKEY_MAP_EMPTY)
		return MIKEY_OK;
	if (m->hdr.map_type != MIKEY_MAP_SRTP_ID)
		return mikey_fail(err, MIKEY_ERR_POLICY, "HDR: CS ID map type %u is not supported for SRTP here",
		               m->hdr.map_type);
	res->n_cs = m->hdr.n_cs;
	if (res->n_cs == 0)
		return MIKEY_OK;
	res->cs = mikey_malloc(res->n_cs * sizeof(mikey_srtp_cs));
	if (res->cs == NULL)
		return mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
	memcpy(res->cs, m->hdr.srtp_cs, res->n_cs * sizeof(mikey_srtp_cs));
	return MIKEY_OK;
}

/* RFC 4442 §4.3 alternative 2 on the member: every TESLA policy must echo
 * our timestamp in parameter 9 (that binds the answer to our request, as
 * the echoed T otherwise does), and each sender's D_t = t_s - t_r + S. */
static int read_time_sync(mikey_exchange *ex, const mikey_msg *m, mikey_error *err)
{
	size_t k = 0;
	for (const mikey_payload *p = m->payloads.first; p != NULL; p = p->next) {
		if (p->type != MIKEY_PT_SP || p->u.sp.prot_type != MIKEY_PROT_TESLA)
			continue;
		uint64_t d_t;
		mikey_error terr;
		int rc = mikey_tesla_dt_from_msg(m, p->u.sp.policy_no, ex->t, ex->tesla_drift, &d_t, &terr);
		if (rc != MIKEY_OK)
			return mikey_fail(err, MIKEY_ERR_TIMESTAMP, "TESLA policy %u: %s (RFC 4442 §4.3)", p->u.sp.policy_no,
			               terr.message);
		if (ex->cs_tesla != NULL)
			ex->cs_tesla[k].d_t = d_t;
		else
			ex->tesla.d_t = d_t;
		k++;
	}
	if (k == 0)
		return mikey_fail(err, MIKEY_ERR_TIMESTAMP,
		               "the R_MESSAGE has its own timestamp but no TESLA policy echoing ours (RFC 4738 §3.6)");
	return MIKEY_OK;
}

static int rsar_finish(mikey_exchange *ex, const mikey_msg *m, const uint8_t *raw, size_t len, mikey_error *err)
{
	rsar_result res = {0};
	mikey_exchange w;
	mikey_pkey *pub = NULL, *bound = NULL;
	mikey_msg *scratch = NULL;
	const mikey_payload_list *sub;
	int rc;

	/* |w| is a working copy of the exchange with the R_MESSAGE's CSB ID
	 * and RAND: the envelope keys and the KEMAC IV depend on them. It
	 * shares ex's pointers but owns only w.key and w.msg_keys. */
	w = *ex;
	w.key = NULL;
	w.key_len = 0;
	memset(&w.msg_keys, 0, sizeof(w.msg_keys));

	if (m->hdr.data_type != MIKEY_DT_RSAR_RESP) {
		rc = mikey_fail(err, MIKEY_ERR_DATA_TYPE, "expected an RSA-R R_MESSAGE (data type 10), got %u",
		             m->hdr.data_type);
		goto out;
	}
	const mikey_payload *t = mikey_msg_find(m, MIKEY_PT_T, 0);
	bool echoed = t != NULL && t->u.ts.ts_type == ex->ts_type && t->u.ts.value == ex->t;
	/* RFC 4442 §4.3 alternative 2: the key server's own time, with ours
	 * echoed in TESLA parameter 9 instead (checked with the TESLA
	 * policies below); only when we asked for it. */
	if (!echoed && !(ex->tesla_time_sync && t != NULL)) {
		rc = mikey_fail(err, MIKEY_ERR_TIMESTAMP, "the R_MESSAGE does not echo our timestamp (RFC 4738 §3.6)");
		goto out;
	}
	/* [GenExt(CSB_ID)]: group mode, and the CSB ID to use (§3.6). */
	const mikey_payload *gx = NULL;
	for (const mikey_payload *p = m->payloads.first; p != NULL; p = p->next) {
		if (p->type != MIKEY_PT_GEN_EXT || p->u.gen_ext.ext_type != MIKEY_GEN_CSB_ID)
			continue;
		if (gx != NULL || p->u.gen_ext.data.len != 4) {
			rc = mikey_fail(err, MIKEY_ERR_PLACEMENT, "General Ext. CSB_ID: one, of 4 bytes (RFC 4738 §3.9.3)");
			goto out;
		}
		gx = p;
	}
	const mikey_payload *rp = mikey_msg_find(m, MIKEY_PT_RAND, 0);
	if (gx != NULL) {
		const uint8_t *b = gx->u.gen_ext.data.data;
		w.csb_id = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
		if (rp == NULL || rp->u.rand.rand.len == 0) {
			rc = mikey_fail(err, MIKEY_ERR_PLACEMENT, "group R_MESSAGE without RAND (RFC 4738 §3.2)");
			goto out;
		}
	} else if ((rp != NULL) == (ex->rand_len > 0)) {
		/* §3.7: exactly one side sends RAND in unicast. */
		rc = mikey_fail(err, MIKEY_ERR_PLACEMENT, "RAND in %s (RFC 4738 §3.7: discard)",
		             rp != NULL ? "both messages" : "neither message");
		goto out;
	}
	if (rp != NULL) {
		if (rp->u.rand.rand.len == 0) {
			rc = mikey_fail(err, MIKEY_ERR_ARG, "empty RAND");
			goto out;
		}
		w.rand_len = rp->u.rand.rand.len;
		memcpy(w.rand, rp->u.rand.rand.data, w.rand_len);
	}
	/* Who answered: the IDr we asked for, or the one it names (§3.4, §5).
	 * R_MESSAGE = ..., [IDr|CERTr], [IDi], ...: by position; a lone ID
	 * with no CERT that names us is IDi. */
	const mikey_payload *idr, *echoed_idi;
	bool has_cert;
	if ((rc = ex_message_ids(m, &idr, &echoed_idi, &has_cert, err)) != MIKEY_OK)
		goto out;
	if (idr != NULL && echoed_idi == NULL && !has_cert && ex->id_i != NULL &&
	    env_id_equals(idr, ex->id_i, ex->id_i_len) && (ex->id_r == NULL || !env_id_equals(idr, ex->id_r, ex->id_r_len))) {
		echoed_idi = idr;
		idr = NULL;
	}
	if (echoed_idi != NULL && ex->id_i != NULL && !env_id_equals(echoed_idi, ex->id_i, ex->id_i_len)) {
		rc = mikey_fail(err, MIKEY_ERR_IDENTITY, "the R_MESSAGE's IDi is not ours");
		goto out;
	}
	if (idr != NULL && ex->id_r != NULL && !env_id_equals(idr, ex->id_r, ex->id_r_len)) {
		rc = mikey_fail(err, MIKEY_ERR_IDENTITY, "the R_MESSAGE comes from another identity than the IDr we sent");
		goto out;
	}
	if (idr != NULL) {
		if (mikey_copy_bytes(&res.id_r, &res.id_r_len, idr->u.id.data.data, idr->u.id.data.len) != MIKEY_OK) {
			rc = mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
			goto out;
		}
		res.id_r_type = idr->u.id.type;
	}
	const uint8_t *want = res.id_r != NULL ? res.id_r : ex->id_r;
	size_t want_len = res.id_r != NULL ? res.id_r_len : ex->id_r_len;
	if ((rc = sig_peer_key(ex, m, want, want_len, &pub, err)) != MIKEY_OK ||
	    (rc = rsar_verify(ex, m, raw, len, want, want_len, pub, err)) != MIKEY_OK)
		goto out;
	scratch = mikey_msg_new();
	if (scratch == NULL) {
		rc = mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = env_open(&w, m, raw, len, scratch, &sub, err)) != MIKEY_OK)
		goto out;
	/* The encrypted IDr must be the Responder's identity (§3.6, as
	 * RFC 3830 §3.2 asks of IDi). */
	const mikey_payload *idp = env_first_id(sub);
	if (idp == NULL) {
		rc = mikey_fail(err, MIKEY_ERR_IDENTITY, "the KEMAC does not begin with IDr (RFC 4738 §3.6)");
		goto out;
	}
	if (want != NULL) {
		if (!env_id_equals(idp, want, want_len)) {
			rc = mikey_fail(err, MIKEY_ERR_IDENTITY, "the encrypted IDr is not the responder's identity");
			goto out;
		}
	} else {
		if ((rc = sig_peer_key(ex, m, idp->u.id.data.data, idp->u.id.data.len, &bound, err)) != MIKEY_OK)
			goto out;
		if (mikey_copy_bytes(&res.id_r, &res.id_r_len, idp->u.id.data.data, idp->u.id.data.len) != MIKEY_OK) {
			rc = mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
			goto out;
		}
		res.id_r_type = idp->u.id.type;
	}
	if ((rc = ex_read_key_data(&w, sub, err)) != MIKEY_OK || (rc = read_policies(ex, m, &res, err)) != MIKEY_OK ||
	    (rc = read_map(m, &res, err)) != MIKEY_OK)
		goto out;

	/* The TESLA parameters the key server sent (RFC 4442), if any, for
	 * the CS map it sent. */
	if ((rc = ex_read_tesla_n(ex, m, res.cs != NULL ? res.n_cs : ex->n_cs, err)) != MIKEY_OK)
		goto out;
	if (!echoed && (rc = read_time_sync(ex, m, err)) != MIKEY_OK)
		goto out;

	/* Commit: nothing below fails. */
	ex->csb_id = w.csb_id;
	ex->rand_len = w.rand_len;
	memcpy(ex->rand, w.rand, w.rand_len);
	ex->key = w.key;
	ex->key_len = w.key_len;
	ex->key_type = w.key_type;
	ex->salt_len = w.salt_len;
	memcpy(ex->salt, w.salt, w.salt_len);
	ex->mki_len = w.mki_len;
	memcpy(ex->mki, w.mki, w.mki_len);
	ex->msg_keys = w.msg_keys;
	ex->mac_alg = w.mac_alg;
	w.key = NULL;
	ex->key_has_interval = w.key_has_interval;
	ex->key_valid_from = w.key_valid_from;
	ex->key_valid_to = w.key_valid_to;
	mikey_free(ex->extra_keys);
	ex->extra_keys = w.extra_keys; /* keys 2.. of the KEMAC (RFC 3830 §6.2) */
	ex->n_extra_keys = w.n_extra_keys;
	w.extra_keys = NULL;
	if (res.policies != NULL) {
		mikey_free(ex->policies);
		ex->policies = res.policies;
		ex->n_policies = res.n_policies;
		res.policies = NULL;
	}
	mikey_free(ex->cs);
	ex->cs = res.cs;
	ex->n_cs = res.n_cs;
	ex->map_type = res.map_type;
	res.cs = NULL;
	if (res.id_r != NULL) {
		if (ex->id_r != NULL) {
			mikey_wipe(ex->id_r, ex->id_r_len);
			mikey_free(ex->id_r);
		}
		ex->id_r = res.id_r;
		ex->id_r_len = res.id_r_len;
		ex->id_r_type = res.id_r_type;
		res.id_r = NULL;
	}
	ex->state = EX_COMPLETE;
	rc = MIKEY_OK;
out:
	if (w.key != NULL) {
		mikey_wipe(w.key, w.key_len);
		mikey_free(w.key);
	}
	if (w.extra_keys != NULL) {
		mikey_wipe(w.extra_keys, w.n_extra_keys * sizeof(*w.extra_keys));
		mikey_free(w.extra_keys);
	}
	if (rc != MIKEY_OK)
		mikey_msg_keys_cleanup(&w.msg_keys);
	mikey_wipe(&w, sizeof(w));
	mikey_msg_free(scratch);
	mikey_pkey_free(bound);
	mikey_pkey_free(pub);
	result_cleanup(&res);
	return rc;
}

const mikey_mode_ops mikey_mode_rsar_ops = {
	.mode = MIKEY_MODE_RSAR,
	.name = "RSA-R",
	.init_data_type = MIKEY_DT_RSAR_INIT,
	.initiate = rsar_initiate,
	.respond = rsar_respond,
	.finish = rsar_finish,
};
