/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * dh.c - the signed Diffie-Hellman method (RFC 3830 §3.3):
 *   I_MESSAGE = HDR, T, RAND, [IDi|CERTi], [IDr], {SP}, DHi, SIGNi
 *   R_MESSAGE = HDR, T, [IDr|CERTr], IDi, DHr, DHi, SIGNr
 * The response is always sent (the V flag does not apply). Each SIGN
 * covers its whole message but the signature field (§5.2); certificates
 * are checked against the trust anchors and bound to the ID they carry
 * (§4.3.1). TGK = g^(xi*xr); TEKs follow from it by §4.1.3.
 */
#include <string.h>

#include "modes/dh_common.h"
#include "mikey/mem.h"

static int dh_initiate(mikey_exchange *ex, const mikey_offer *o, uint8_t **out, size_t *out_len, mikey_error *err)
{
	mikey_msg *m = NULL;
	int rc;

	if (ex->ctx->own_key == NULL || ex->ctx->n_own_certs == 0)
		return mikey_fail(err, MIKEY_ERR_STATE, "DH-signed needs our certificate and key (mikey_ctx_set_credentials)");
	if (o->sign_type != MIKEY_SIGN_RSA_PKCS1_15 && o->sign_type != MIKEY_SIGN_RSA_PSS)
		return mikey_fail(err, MIKEY_ERR_UNSUPPORTED, "offer: SIGN S type %u is not supported", o->sign_type);
	m = mikey_msg_new();
	if (m == NULL)
		return mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
	if ((rc = dhx_initiate_head(ex, o, m, MIKEY_DT_DH_INIT, true, err)) != MIKEY_OK ||
	    (rc = sig_sign_msg(ex, m, o->sign_type, NULL, 0, out, out_len, err)) != MIKEY_OK)
		goto out;
	/* §3.3: the Responder always answers with DHr. */
	ex->state = EX_WAIT_RESPONSE;
out:
	mikey_msg_free(m);
	return rc;
}

static int dh_respond(mikey_exchange *ex, const mikey_msg *m, const uint8_t *raw, size_t len, uint8_t **resp,
                      size_t *resp_len, mikey_error *err)
{
	uint8_t digest[MIKEY_REPLAY_DIGEST];
	const mikey_payload *dhi;
	mikey_pkey *pub = NULL;
	mikey_msg *r = NULL;
	int rc;

	/* §5.3: timestamp and replay first. */
	if ((rc = ex_read_head(ex, m, raw, len, digest, err)) != MIKEY_OK)
		return rc;
	const mikey_payload *sign = m->payloads.last;
	if (sign == NULL || sign->type != MIKEY_PT_SIGN)
		return mikey_fail(err, MIKEY_ERR_PLACEMENT, "DH-signed: the I_MESSAGE must end with SIGN (RFC 3830 §3.3)");
	/* We bind CERTi to IDi and must echo IDi (§3.3). "[IDi|CERTi]": with
	 * CERTi instead of IDi, IDi is the identity CERTi names
	 * (docs/interpretations.md §17, §28). */
	if (ex->id_i == NULL && (rc = sig_id_from_cert(ex, m, err)) != MIKEY_OK)
		return rc;
	if (ex->id_i == NULL)
		return mikey_fail(err, MIKEY_ERR_IDENTITY, "DH-signed: the I_MESSAGE carries no IDi to bind to its certificate");
	/* §5.3: verify the signature before anything else is done with it. */
	if ((rc = sig_peer_key(ex, m, ex->id_i, ex->id_i_len, &pub, err)) != MIKEY_OK)
		goto out;
	if ((rc = sig_verify_msg(m, raw, len, pub, err)) != MIKEY_OK)
		goto out;
	if ((rc = dhx_check_idr(ex, err)) != MIKEY_OK || (rc = dhx_find_dhi(m, &dhi, err)) != MIKEY_OK ||
	    (rc = dhx_respond_key(ex, dhi, err)) != MIKEY_OK)
		goto out;
	r = mikey_msg_new();
	if (r == NULL) {
		rc = mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
		goto out;
	}
	/* We answer with the signature scheme the Initiator used, which it
	 * therefore supports (docs/interpretations.md). */
	if ((rc = dhx_response_head(ex, r, MIKEY_DT_DH_RESP, true, dhi, err)) != MIKEY_OK ||
	    (rc = sig_sign_msg(ex, r, sign->u.sign.s_type, NULL, 0, resp, resp_len, err)) != MIKEY_OK)
		goto out;
	/* Only now, with nothing left to fail, does the context change. */
	ex_remember(ex, digest);
	ex->state = EX_COMPLETE;
out:
	mikey_msg_free(r);
	mikey_pkey_free(pub);
	return rc;
}

static int dh_finish(mikey_exchange *ex, const mikey_msg *m, const uint8_t *raw, size_t len, mikey_error *err)
{
	const dhx_state *s = ex->mode_state;
	const mikey_payload *idr, *dhr;
	mikey_pkey *pub = NULL;
	int rc;

	if ((rc = dhx_read_response(ex, m, MIKEY_DT_DH_RESP, &idr, &dhr, err)) != MIKEY_OK)
		return rc;
	/* CERTr must name the responder we asked for, or else the one the
	 * response names: anyone trusted could otherwise answer for it. */
	const uint8_t *id = s->peer;
	size_t id_len = s->peer_len;
	if (id == NULL && idr != NULL) {
		id = idr->u.id.data.data;
		id_len = idr->u.id.data.len;
	}
	if ((rc = sig_peer_key(ex, m, id, id_len, &pub, err)) != MIKEY_OK ||
	    (rc = sig_verify_msg(m, raw, len, pub, err)) != MIKEY_OK)
		goto out;
	rc = dhx_finish_key(ex, idr, dhr, err);
out:
	mikey_pkey_free(pub);
	return rc;
}

const mikey_mode_ops mikey_mode_dh_ops = {
	.mode = MIKEY_MODE_DH_SIGN,
	.name = "DH-signed",
	.init_data_type = MIKEY_DT_DH_INIT,
	.initiate = dh_initiate,
	.respond = dh_respond,
	.finish = dh_finish,
};
