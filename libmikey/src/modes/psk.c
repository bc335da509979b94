/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * psk.c - the pre-shared key method (RFC 3830 §3.1):
 *   I_MESSAGE = HDR, T, RAND, [IDi], [IDr], {SP}, KEMAC
 *   R_MESSAGE = HDR, T, [IDr], V        (when the V flag asks for it)
 * KEMAC = E(encr_key, {TGK}) || MAC, the MAC covering the whole message
 * up to the MAC field (§5.2); keys from the PSK by §4.1.4.
 */
#include <string.h>

#include "mikey/mem.h"
#include "modes/modes.h"

static int derive_msg_keys(mikey_exchange *ex, const psk_entry *psk, uint8_t encr_alg, uint8_t mac_alg,
                           mikey_error *err)
{
	int rc = mikey_kdf_msg_keys(&ex->msg_keys, ex->prf_func, encr_alg, mac_alg, psk->key, psk->key_len, ex->csb_id,
	                            ex->rand, ex->rand_len);
	if (rc != MIKEY_OK)
		return mikey_fail(err, rc, "deriving the message keys from the pre-shared key failed");
	return MIKEY_OK;
}

static int psk_initiate(mikey_exchange *ex, const mikey_offer *o, uint8_t **out, size_t *out_len, mikey_error *err)
{
	mikey_msg *m = mikey_msg_new();
	uint8_t *wire = NULL;
	size_t wire_len = 0;
	int rc;

	if (m == NULL)
		return mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
	const psk_entry *psk = ex_psk_for(ex, o->peer_id, o->peer_id_len);
	if (psk == NULL) {
		rc = mikey_fail(err, MIKEY_ERR_IDENTITY, "no pre-shared key for this peer (mikey_ctx_add_psk)");
		goto out;
	}
	/* The initiator may choose NULL protection deliberately (GStreamer
	 * interop); the responder decides whether to accept it. */
	if ((rc = kemac_check_algs(o->encr_alg, o->mac_alg, true, false, err)) != MIKEY_OK)
		goto out;
	/* §4.2.4 ties the NULL MAC to NULL encryption (not the reverse), and
	 * §4.2.3 says a NULL MAC SHOULD NOT be used with a pre-shared key. */
	if (o->mac_alg == MIKEY_MAC_NULL && o->encr_alg != MIKEY_ENCR_NULL) {
		rc = mikey_fail(err, MIKEY_ERR_MAC_ALG,
		             "PSK: the NULL MAC goes with NULL encryption only (RFC 3830 §4.2.3, §4.2.4)");
		goto out;
	}
	if ((rc = ex_build_head(ex, o, m, MIKEY_DT_PSK_INIT, err)) != MIKEY_OK ||
	    (rc = ex_choose_key(ex, o, err)) != MIKEY_OK)
		goto out;
	mikey_payload *kp = mikey_msg_add_payload(m, &m->payloads, MIKEY_PT_KEMAC);
	if (kp == NULL) {
		rc = mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
		goto out;
	}
	kp->u.kemac.encr_alg = o->encr_alg;
	kp->u.kemac.mac_alg = o->mac_alg;
	ex->mac_alg = o->mac_alg;
	if ((rc = ex_add_key_data(ex, m, &kp->u.kemac.sub, err)) != MIKEY_OK ||
	    (rc = derive_msg_keys(ex, psk, o->encr_alg, o->mac_alg, err)) != MIKEY_OK ||
	    (rc = kemac_protect(ex, m, &kp->u.kemac, err)) != MIKEY_OK)
		goto out;
	if ((rc = mikey_msg_build(m, &wire, &wire_len, err)) != MIKEY_OK)
		goto out;
	/* §5.2: the MAC covers the entire message except the MAC field, which
	 * ends the message (KEMAC is last). */
	size_t tag_len = kp->u.kemac.mac.len;
	mikey_iov iov = {wire, wire_len - tag_len};
	if ((rc = mac_compute(ex, o->mac_alg, &iov, 1, wire + wire_len - tag_len, err)) != MIKEY_OK)
		goto out;
	ex->state = o->want_verify ? EX_WAIT_RESPONSE : EX_COMPLETE;
	*out = wire;
	*out_len = wire_len;
	wire = NULL;
out:
	mikey_buf_free(wire, wire_len);
	mikey_msg_free(m);
	return rc;
}

static int psk_respond(mikey_exchange *ex, const mikey_msg *m, const uint8_t *raw, size_t len, uint8_t **resp,
                       size_t *resp_len, mikey_error *err)
{
	uint8_t digest[MIKEY_REPLAY_DIGEST];
	mikey_msg *scratch = NULL;
	const mikey_payload_list *sub;
	int rc;

	if ((rc = ex_read_head(ex, m, raw, len, digest, err)) != MIKEY_OK)
		return rc;
	const mikey_payload *kp = m->payloads.last;
	if (kp == NULL || kp->type != MIKEY_PT_KEMAC)
		return mikey_fail(err, MIKEY_ERR_PLACEMENT, "PSK: the I_MESSAGE must end with KEMAC (RFC 3830 §3.1)");
	const mikey_kemac *k = &kp->u.kemac;
	if ((rc = kemac_check_algs(k->encr_alg, k->mac_alg, ex->ctx->allow_null_kemac, false, err)) != MIKEY_OK)
		return rc;
	/* NULL encryption with a NULL MAC uses no key at all (RFC 3830 §4.2.3:
	 * the carrier is trusted); GStreamer and gst-rtsp-server send these
	 * without IDs, so do not insist on a pre-shared key then. */
	bool keyless = k->encr_alg == MIKEY_ENCR_NULL && k->mac_alg == MIKEY_MAC_NULL;
	const psk_entry *psk = ex_psk_for(ex, ex->id_i, ex->id_i_len);
	if (psk == NULL && !keyless)
		return mikey_fail(err, MIKEY_ERR_IDENTITY, "no pre-shared key for the initiator%s",
		               ex->id_i ? "'s ID" : " (no IDi sent, no default key)");
	if (!keyless && (rc = derive_msg_keys(ex, psk, k->encr_alg, k->mac_alg, err)) != MIKEY_OK)
		return rc;
	/* §5.3: verify the MAC before looking inside. */
	ex->mac_alg = k->mac_alg;
	size_t tag_len = k->mac.len;
	mikey_iov iov = {raw, len - tag_len};
	if ((rc = mac_verify(ex, k->mac_alg, &iov, 1, raw + len - tag_len, tag_len, err)) != MIKEY_OK)
		return rc;
	scratch = mikey_msg_new();
	if (scratch == NULL)
		return mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
	if ((rc = kemac_open(ex, scratch, k, MIKEY_PT_KEY_DATA, &sub, err)) != MIKEY_OK ||
	    (rc = ex_read_key_data(ex, sub, err)) != MIKEY_OK)
		goto out;
	if (ex->want_verify && (rc = vmsg_build(ex, MIKEY_DT_PSK_RESP, resp, resp_len, err)) != MIKEY_OK)
		goto out;
	/* Only now, with nothing left to fail, does the context change. */
	ex_remember(ex, digest);
	ex->state = EX_COMPLETE;
out:
	mikey_msg_free(scratch);
	return rc;
}

static int psk_finish(mikey_exchange *ex, const mikey_msg *m, const uint8_t *raw, size_t len, mikey_error *err)
{
	int rc = vmsg_check(ex, m, raw, len, MIKEY_DT_PSK_RESP, err);
	if (rc == MIKEY_OK)
		ex->state = EX_COMPLETE;
	return rc;
}

const mikey_mode_ops mikey_mode_psk_ops = {
	.mode = MIKEY_MODE_PSK,
	.name = "pre-shared key",
	.init_data_type = MIKEY_DT_PSK_INIT,
	.initiate = psk_initiate,
	.respond = psk_respond,
	.finish = psk_finish,
};
