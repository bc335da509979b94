/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * dhhmac.c - HMAC-authenticated Diffie-Hellman (RFC 4650):
 *   I_MESSAGE = HDR, T, RAND, [IDi], [IDr], {SP}, DHi, KEMAC
 *   R_MESSAGE = HDR, T, [IDr], IDi, DHr, DHi, KEMAC
 * The KEMAC carries no key data (RFC 4650 §4.2): only an HMAC over the
 * whole message up to the MAC field, keyed with auth_key, which RFC 4650
 * §1.1 derives from the pre-shared key s by the MIKEY PRF: we use the
 * RFC 3830 §4.1.4 derivation (constant 0x2D22AC75 || 0xFF || CSB ID ||
 * RAND, RAND of the I_MESSAGE) for both messages (docs/interpretations.md).
 * TGK = g^(xi*xr); TEKs follow from it by RFC 3830 §4.1.3.
 */
#include <string.h>

#include "modes/dh_common.h"
#include "mikey/mem.h"

/* The MAC algorithm a received DH-HMAC KEMAC really uses, and whether its
 * Encr fields are the empty ones RFC 4650 §4.2 requires. RFC 4650 Table
 * 4.2.a numbers HMAC-SHA-1 as 0: a MAC alg 0 with a 20-byte MAC (the codec
 * only lets that through in DH-HMAC messages) is HMAC-SHA-1; likewise
 * Encr alg 2 ("NULL" in RFC 4650 §4.2) with no data is NULL encryption
 * (docs/interpretations.md §1). */
static int kemac_alg(const mikey_ctx *ctx, const mikey_kemac *k, uint8_t *mac_alg, mikey_error *err)
{
	if (k->encr_alg != MIKEY_ENCR_NULL && k->encr_alg != MIKEY_ENCR_AES_KW_128)
		return mikey_fail(err, MIKEY_ERR_ENCR_ALG, "DH-HMAC: KEMAC Encr alg %u; it carries no encrypted data "
		                                        "(RFC 4650 §4.2)", k->encr_alg);
	if (k->encr_data.len != 0 || k->sub.count != 0)
		return mikey_fail(err, MIKEY_ERR_ENCR_ALG, "DH-HMAC: the KEMAC must not carry key data (RFC 4650 §4.2)");
	if (k->mac_alg == MIKEY_MAC_NULL && k->mac.len == 20) {
		*mac_alg = MIKEY_MAC_HMAC_SHA1_160; /* RFC 4650 Table 4.2.a numbering */
		return MIKEY_OK;
	}
	if (k->mac_alg == MIKEY_MAC_NULL && !ctx->allow_null_kemac)
		return mikey_fail(err, MIKEY_ERR_MAC_ALG, "DH-HMAC: NULL MAC refused: the DH values would be "
		                                       "unauthenticated (enable with mikey_ctx_allow_null_kemac)");
	if (k->mac_alg != MIKEY_MAC_NULL && mikey_crypto_mac_for_mac_alg(k->mac_alg) == NULL)
		return mikey_fail(err, MIKEY_ERR_MAC_ALG, "DH-HMAC: MAC alg %u is not supported", k->mac_alg);
	*mac_alg = k->mac_alg;
	return MIKEY_OK;
}

static int derive_auth_key(mikey_exchange *ex, const psk_entry *psk, uint8_t mac_alg, mikey_error *err)
{
	/* RFC 4650 §1.1: auth_key = PRF(s, ...), by RFC 3830 §4.1.4. */
	int rc = mikey_kdf_msg_keys(&ex->msg_keys, ex->prf_func, MIKEY_ENCR_NULL, mac_alg, psk->key, psk->key_len,
	                            ex->csb_id, ex->rand, ex->rand_len);
	if (rc != MIKEY_OK)
		return mikey_fail(err, rc == MIKEY_ERR_UNSUPPORTED ? MIKEY_ERR_MAC_ALG : rc,
		               "deriving auth_key from the pre-shared key failed");
	return MIKEY_OK;
}

/* Append the KEMAC (NULL encryption, a zeroed MAC field), build |m| and
 * fill in the HMAC over everything before the MAC field (RFC 4650 §4.2). */
static int seal(mikey_exchange *ex, mikey_msg *m, uint8_t **out, size_t *out_len, mikey_error *err)
{
	int tag_len = mikey_mac_len(ex->mac_alg);
	int rc;

	*out = NULL;
	mikey_payload *kp = mikey_msg_add_payload(m, &m->payloads, MIKEY_PT_KEMAC);
	if (tag_len < 0)
		return mikey_fail(err, MIKEY_ERR_MAC_ALG, "MAC alg %u has no known length", ex->mac_alg);
	if (kp == NULL)
		return mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
	kp->u.kemac.encr_alg = MIKEY_ENCR_NULL; /* the RFC 3830 registry value */
	kp->u.kemac.mac_alg = ex->mac_alg;
	if (tag_len > 0) {
		kp->u.kemac.mac.data = mikey_msg_alloc(m, (size_t)tag_len);
		if (kp->u.kemac.mac.data == NULL)
			return mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
		kp->u.kemac.mac.len = (size_t)tag_len;
	}
	if ((rc = mikey_msg_build(m, out, out_len, err)) != MIKEY_OK)
		return rc;
	mikey_iov iov = {*out, *out_len - (size_t)tag_len};
	if ((rc = mac_compute(ex, ex->mac_alg, &iov, 1, *out + *out_len - tag_len, err)) != MIKEY_OK) {
		mikey_buf_free(*out, *out_len);
		*out = NULL;
		return rc;
	}
	return MIKEY_OK;
}

/* Check the HMAC of a received message whose last payload is the KEMAC. */
static int check_mac(const mikey_exchange *ex, const mikey_kemac *k, const uint8_t *raw, size_t len,
                     mikey_error *err)
{
	mikey_iov iov = {raw, len - k->mac.len};
	return mac_verify(ex, ex->mac_alg, &iov, 1, raw + len - k->mac.len, k->mac.len, err);
}

static const mikey_kemac *last_kemac(const mikey_msg *m)
{
	const mikey_payload *p = m->payloads.last;
	return p != NULL && p->type == MIKEY_PT_KEMAC ? &p->u.kemac : NULL;
}

static int dhhmac_initiate(mikey_exchange *ex, const mikey_offer *o, uint8_t **out, size_t *out_len,
                           mikey_error *err)
{
	mikey_msg *m = NULL;
	int rc;

	const psk_entry *psk = ex_psk_for(ex, o->peer_id, o->peer_id_len);
	if (psk == NULL)
		return mikey_fail(err, MIKEY_ERR_IDENTITY, "no pre-shared key for this peer (mikey_ctx_add_psk)");
	if (o->mac_alg == MIKEY_MAC_NULL ? !ex->ctx->allow_null_kemac : mikey_crypto_mac_for_mac_alg(o->mac_alg) == NULL)
		return mikey_fail(err, MIKEY_ERR_MAC_ALG, "offer: MAC alg %u is not usable for DH-HMAC", o->mac_alg);
	m = mikey_msg_new();
	if (m == NULL)
		return mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
	ex->mac_alg = o->mac_alg;
	if ((rc = dhx_initiate_head(ex, o, m, MIKEY_DT_DHHMAC_INIT, false, err)) != MIKEY_OK ||
	    (rc = derive_auth_key(ex, psk, ex->mac_alg, err)) != MIKEY_OK ||
	    (rc = seal(ex, m, out, out_len, err)) != MIKEY_OK)
		goto out;
	/* RFC 4650 §3: the Responder always answers with DHr. */
	ex->state = EX_WAIT_RESPONSE;
out:
	mikey_msg_free(m);
	return rc;
}

static int dhhmac_respond(mikey_exchange *ex, const mikey_msg *m, const uint8_t *raw, size_t len, uint8_t **resp,
                          size_t *resp_len, mikey_error *err)
{
	uint8_t digest[MIKEY_REPLAY_DIGEST];
	const mikey_payload *dhi;
	mikey_msg *r = NULL;
	int rc;

	if ((rc = ex_read_head(ex, m, raw, len, digest, err)) != MIKEY_OK)
		return rc;
	const mikey_kemac *k = last_kemac(m);
	if (k == NULL)
		return mikey_fail(err, MIKEY_ERR_PLACEMENT, "DH-HMAC: the I_MESSAGE must end with KEMAC (RFC 4650 §4.2)");
	if ((rc = kemac_alg(ex->ctx, k, &ex->mac_alg, err)) != MIKEY_OK)
		return rc;
	const psk_entry *psk = ex_psk_for(ex, ex->id_i, ex->id_i_len);
	if (psk == NULL)
		return mikey_fail(err, MIKEY_ERR_IDENTITY, "no pre-shared key for the initiator%s",
		               ex->id_i ? "'s ID" : " (no IDi sent, no default key)");
	/* RFC 4650 §5.3: check the HMAC before the costly DH operations. */
	if ((rc = derive_auth_key(ex, psk, ex->mac_alg, err)) != MIKEY_OK ||
	    (rc = check_mac(ex, k, raw, len, err)) != MIKEY_OK)
		return rc;
	if ((rc = dhx_check_idr(ex, err)) != MIKEY_OK || (rc = dhx_find_dhi(m, &dhi, err)) != MIKEY_OK ||
	    (rc = dhx_respond_key(ex, dhi, err)) != MIKEY_OK)
		return rc;
	r = mikey_msg_new();
	if (r == NULL)
		return mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
	/* The response's KEMAC uses the same MAC, written with its RFC 3830
	 * registry number even if the Initiator used RFC 4650's. */
	if ((rc = dhx_response_head(ex, r, MIKEY_DT_DHHMAC_RESP, false, dhi, err)) != MIKEY_OK ||
	    (rc = seal(ex, r, resp, resp_len, err)) != MIKEY_OK)
		goto out;
	/* Only now, with nothing left to fail, does the context change. */
	ex_remember(ex, digest);
	ex->state = EX_COMPLETE;
out:
	mikey_msg_free(r);
	return rc;
}

static int dhhmac_finish(mikey_exchange *ex, const mikey_msg *m, const uint8_t *raw, size_t len, mikey_error *err)
{
	const mikey_payload *idr, *dhr;
	uint8_t mac_alg;
	int rc;

	if ((rc = dhx_read_response(ex, m, MIKEY_DT_DHHMAC_RESP, &idr, &dhr, err)) != MIKEY_OK)
		return rc;
	const mikey_kemac *k = last_kemac(m);
	if (k == NULL)
		return mikey_fail(err, MIKEY_ERR_PLACEMENT, "DH-HMAC: the R_MESSAGE must end with KEMAC (RFC 4650 §4.2)");
	if ((rc = kemac_alg(ex->ctx, k, &mac_alg, err)) != MIKEY_OK)
		return rc;
	if (mac_alg != ex->mac_alg)
		return mikey_fail(err, MIKEY_ERR_MAC_ALG, "the response uses MAC alg %u, we offered %u", mac_alg, ex->mac_alg);
	/* The same auth_key as our I_MESSAGE: the R_MESSAGE has no RAND. */
	if ((rc = check_mac(ex, k, raw, len, err)) != MIKEY_OK)
		return rc;
	return dhx_finish_key(ex, idr, dhr, err);
}

const mikey_mode_ops mikey_mode_dhhmac_ops = {
	.mode = MIKEY_MODE_DHHMAC,
	.name = "DH-HMAC",
	.init_data_type = MIKEY_DT_DHHMAC_INIT,
	.initiate = dhhmac_initiate,
	.respond = dhhmac_respond,
	.finish = dhhmac_finish,
};
