/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pk.c - the public-key (envelope) method (RFC 3830 §3.2):
 *   I_MESSAGE = HDR, T, RAND, [IDi|CERTi], [IDr], {SP}, KEMAC, [CHASH], PKE, SIGNi
 *   R_MESSAGE = HDR, T, [IDr], V        (when the V flag asks for it)
 * KEMAC = E(encr_key, IDi || {TGK}) || MAC with keys from a random
 * envelope key (§4.1.4) sent in PKE under the Responder's RSA key; the MAC
 * covers the KEMAC alone (§6.2), SIGNi the whole message (§5.2). The
 * envelope itself is in envelope.c.
 */
#include <string.h>

#include "modes/envelope.h"
#include "mikey/mem.h"

static int pk_initiate(mikey_exchange *ex, const mikey_offer *o, uint8_t **out, size_t *out_len, mikey_error *err)
{
	mikey_ctx *ctx = ex->ctx;
	mikey_msg *m = NULL;
	mikey_pkey *peer = NULL;
	mikey_payload *kp;
	int rc;

	if (ctx->own_key == NULL || ctx->n_own_certs == 0)
		return mikey_fail(err, MIKEY_ERR_STATE, "the public-key method needs our certificate and key "
		                                     "(mikey_ctx_set_credentials)");
	if (ctx->id == NULL)
		return mikey_fail(err, MIKEY_ERR_STATE, "the public-key method sends IDi in the KEMAC (RFC 3830 §3.2): "
		                                     "call mikey_ctx_set_id() first");
	if (o->sign_type != MIKEY_SIGN_RSA_PKCS1_15 && o->sign_type != MIKEY_SIGN_RSA_PSS)
		return mikey_fail(err, MIKEY_ERR_UNSUPPORTED, "offer: SIGN S type %u is not supported", o->sign_type);
	if ((rc = kemac_check_algs(o->encr_alg, o->mac_alg, ctx->allow_null_kemac, true, err)) != MIKEY_OK)
		return rc;
	/* PKr: the Responder's certificate, known in advance and checked
	 * against the trust anchors and the peer's ID like any other. */
	const mikey_x509 *cert = NULL;
	mikey_x509 *looked_up = NULL;
	if ((rc = ex_lookup_peer_cert(ctx, o->peer_id, o->peer_id_len, &cert, &looked_up, err)) != MIKEY_OK)
		return rc;
	if (cert == NULL)
		return mikey_fail(err, MIKEY_ERR_CERT, "no certificate known for the responder (mikey_ctx_add_peer_cert)");
	/* |cert| (maybe |looked_up|) is used up to the envelope (CHASH). */
	if ((rc = ex_verify_cert(ctx, cert, NULL, 0, o->peer_id, o->peer_id_len, &peer, err)) != MIKEY_OK)
		goto out;
	m = mikey_msg_new();
	if (m == NULL) {
		rc = mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = ex_build_head(ex, o, m, MIKEY_DT_PK_INIT, err)) != MIKEY_OK ||
	    (rc = ex_choose_key(ex, o, err)) != MIKEY_OK)
		goto out;
	/* [IDi|CERTi]: our certificates follow IDi (or RAND without IDs). */
	if (!o->omit_certs) {
		mikey_payload *anchor = mikey_msg_find(m, ex->id_i != NULL ? MIKEY_PT_ID : MIKEY_PT_RAND, 0);
		if ((rc = env_insert_certs(ctx, m, anchor, err)) != MIKEY_OK)
			goto out;
	}
	/* The encrypted IDi is always there (§3.2), so it is what the
	 * verification message covers as Identity_i even without IDs in the
	 * clear (docs/interpretations.md). */
	if (ex->id_i == NULL) {
		if (mikey_copy_bytes(&ex->id_i, &ex->id_i_len, ctx->id, ctx->id_len) != MIKEY_OK) {
			rc = mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
			goto out;
		}
		ex->id_i_type = ctx->id_type;
	}
	if ((rc = env_add(ex, m, peer, cert, o->pke_cache, o->encr_alg, o->mac_alg, ctx->id_type, ctx->id, ctx->id_len,
	                  &kp, err)) != MIKEY_OK ||
	    (rc = env_seal_mac(ex, m, kp, err)) != MIKEY_OK ||
	    (rc = sig_sign_msg(ex, m, o->sign_type, NULL, 0, out, out_len, err)) != MIKEY_OK)
		goto out;
	ex->state = o->want_verify ? EX_WAIT_RESPONSE : EX_COMPLETE;
out:
	mikey_x509_free(looked_up);
	mikey_msg_free(m);
	mikey_pkey_free(peer);
	return rc;
}

/* An IDr that names someone other than us: the message is not for us. */
static int check_idr(const mikey_exchange *ex, mikey_error *err)
{
	const mikey_ctx *ctx = ex->ctx;
	if (ex->id_r == NULL || ctx->id == NULL)
		return MIKEY_OK;
	if (ex->id_r_len == ctx->id_len && memcmp(ex->id_r, ctx->id, ctx->id_len) == 0)
		return MIKEY_OK;
	return mikey_fail(err, MIKEY_ERR_IDENTITY, "the I_MESSAGE is meant for %.*s, not for us",
	               (int)(ex->id_r_len > 64 ? 64 : ex->id_r_len), (const char *)ex->id_r);
}

static int pk_respond(mikey_exchange *ex, const mikey_msg *m, const uint8_t *raw, size_t len, uint8_t **resp,
                      size_t *resp_len, mikey_error *err)
{
	uint8_t digest[MIKEY_REPLAY_DIGEST];
	mikey_pkey *pub = NULL, *bound = NULL;
	mikey_msg *scratch = NULL;
	const mikey_payload_list *sub;
	int rc;

	/* §5.3: timestamp and replay cache first. */
	if ((rc = ex_read_head(ex, m, raw, len, digest, err)) != MIKEY_OK)
		return rc;
	const mikey_payload *sign = m->payloads.last;
	if (sign == NULL || sign->type != MIKEY_PT_SIGN)
		return mikey_fail(err, MIKEY_ERR_PLACEMENT, "public key: the I_MESSAGE must end with SIGNi (RFC 3830 §3.2)");
	if ((rc = check_idr(ex, err)) != MIKEY_OK)
		return rc;
	/* Then the signature, with the certificate bound to the clear IDi
	 * when there is one (§4.3.1); otherwise the encrypted IDi is bound to
	 * it below. With neither IDi nor CERTi in the clear ("[IDi|CERTi]"
	 * left out: IDi travels only in the KEMAC), the signer is known only
	 * once the envelope is open: the signature is then checked with the
	 * certificate of the encrypted IDi before any key is used. */
	bool idi_inside = ex->id_i == NULL && mikey_msg_find(m, MIKEY_PT_CERT, 0) == NULL;
	if (!idi_inside && ((rc = sig_peer_key(ex, m, ex->id_i, ex->id_i_len, &pub, err)) != MIKEY_OK ||
	                    (rc = sig_verify_msg(m, raw, len, pub, err)) != MIKEY_OK))
		goto out;
	scratch = mikey_msg_new();
	if (scratch == NULL) {
		rc = mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = env_open(ex, m, raw, len, scratch, &sub, err)) != MIKEY_OK)
		goto out;
	/* §3.2: "The encrypted IDi MUST always be verified to be equal with
	 * the expected IDi." */
	const mikey_payload *idp = env_first_id(sub);
	if (idp == NULL) {
		rc = mikey_fail(err, MIKEY_ERR_IDENTITY, "the KEMAC does not begin with IDi (RFC 3830 §6.2)");
		goto out;
	}
	if (ex->id_i != NULL) {
		if (!env_id_equals(idp, ex->id_i, ex->id_i_len)) {
			rc = mikey_fail(err, MIKEY_ERR_IDENTITY, "the encrypted IDi differs from the IDi in the clear");
			goto out;
		}
	} else {
		if ((rc = sig_peer_key(ex, m, idp->u.id.data.data, idp->u.id.data.len, &bound, err)) != MIKEY_OK ||
		    (idi_inside && (rc = sig_verify_msg(m, raw, len, bound, err)) != MIKEY_OK))
			goto out;
		if (mikey_copy_bytes(&ex->id_i, &ex->id_i_len, idp->u.id.data.data, idp->u.id.data.len) != MIKEY_OK) {
			rc = mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
			goto out;
		}
		ex->id_i_type = idp->u.id.type;
	}
	if ((rc = ex_read_key_data(ex, sub, err)) != MIKEY_OK)
		goto out;
	/* §3.2: V is computed as in the pre-shared key method, with the
	 * keys derived from the envelope key. */
	if (ex->want_verify && (rc = vmsg_build(ex, MIKEY_DT_PK_RESP, resp, resp_len, err)) != MIKEY_OK)
		goto out;
	/* Only now, with nothing left to fail, does the context change. */
	ex_remember(ex, digest);
	ex->state = EX_COMPLETE;
out:
	mikey_msg_free(scratch);
	mikey_pkey_free(bound);
	mikey_pkey_free(pub);
	return rc;
}

static int pk_finish(mikey_exchange *ex, const mikey_msg *m, const uint8_t *raw, size_t len, mikey_error *err)
{
	int rc = vmsg_check(ex, m, raw, len, MIKEY_DT_PK_RESP, err);
	if (rc == MIKEY_OK)
		ex->state = EX_COMPLETE;
	return rc;
}

const mikey_mode_ops mikey_mode_pk_ops = {
	.mode = MIKEY_MODE_PK,
	.name = "public key",
	.init_data_type = MIKEY_DT_PK_INIT,
	.initiate = pk_initiate,
	.respond = pk_respond,
	.finish = pk_finish,
};
