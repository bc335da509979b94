/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * envelope.c - the public-key envelope (RFC 3830 §3.2, §4.1.4, §4.2.5,
 * §5.2, §6.2, §6.3, §6.8), used by pk.c and rsar.c (RFC 4738 §3.6).
 */
#include <string.h>

#include "modes/envelope.h"
#include "mikey/mem.h"

int env_insert_certs(const mikey_ctx *ctx, mikey_msg *m, mikey_payload *after, mikey_error *err)
{
	mikey_payload *old_last = m->payloads.last;
	int rc = ex_add_own_certs(ctx, m, err);
	if (rc != MIKEY_OK)
		return rc;
	if (old_last == NULL || old_last == m->payloads.last || after == old_last)
		return MIKEY_OK;
	/* Unlink the new CERT payloads from the tail and splice them in. */
	mikey_payload *first_new = old_last->next, *last_new = m->payloads.last;
	old_last->next = NULL;
	m->payloads.last = old_last;
	last_new->next = after->next;
	after->next = first_new;
	return MIKEY_OK;
}

/* RFC 3830 §5.2, §6.2: in the public-key case the MAC covers the KEMAC
 * payload only, without the MAC field, with its Next payload field set to
 * zero. |p| starts at the KEMAC's Next payload byte and is |plen| long. */
static void kemac_mac_iov(const uint8_t *p, size_t plen, size_t tag_len, mikey_iov iov[2])
{
	static const uint8_t zero = 0;
	iov[0].data = &zero;
	iov[0].len = 1;
	iov[1].data = p + 1;
	iov[1].len = plen - 1 - tag_len;
}

int env_add(mikey_exchange *ex, mikey_msg *m, const mikey_pkey *peer, const mikey_x509 *chash_cert, uint8_t cache,
            uint8_t encr_alg, uint8_t mac_alg, uint8_t id_type, const uint8_t *id, size_t id_len,
            mikey_payload **kemac, mikey_error *err)
{
	uint8_t env[ENV_KEY_LEN];
	uint8_t *der = NULL;
	size_t der_len = 0;
	int rc;

	*kemac = NULL;
	if (cache > MIKEY_PKE_CACHE_CSB)
		return mikey_fail(err, MIKEY_ERR_ARG, "PKE: cache indicator %u is not defined (RFC 3830 Table 6.3)", cache);
	size_t k = mikey_pkey_size(peer);
	if (k < ENV_KEY_LEN + 11 || k > 0x3fff)
		return mikey_fail(err, MIKEY_ERR_CERT, "the peer's RSA key (%zu bytes) cannot carry a PKE (RFC 3830 §6.3)", k);
	if (id_len > 0xffff)
		return mikey_fail(err, MIKEY_ERR_ARG, "ID longer than 65535 bytes");
	/* §3.2: the envelope key is chosen (pseudo-)randomly by the sender. */
	if (mikey_rng_bytes(&ex->ctx->rng, env, sizeof(env)) != MIKEY_OK)
		return mikey_fail(err, MIKEY_ERR_CRYPTO, "the random number generator failed");
	/* §4.1.4: encr_key, auth_key and salt from the envelope key. */
	rc = mikey_kdf_msg_keys(&ex->msg_keys, ex->prf_func, encr_alg, kemac_key_mac(encr_alg, mac_alg), env,
	                        sizeof(env), ex->csb_id, ex->rand, ex->rand_len);
	if (rc != MIKEY_OK) {
		rc = mikey_fail(err, rc, "deriving the KEMAC keys from the envelope key failed");
		goto out;
	}
	ex->mac_alg = kemac_key_mac(encr_alg, mac_alg); /* the verification message's */

	/* KEMAC = E(encr_key, ID || {TGK}) || MAC (§3.2; RFC 4738 §3.6). */
	mikey_payload *kp = mikey_msg_add_payload(m, &m->payloads, MIKEY_PT_KEMAC);
	mikey_payload *idp = kp != NULL ? mikey_msg_add_payload(m, &kp->u.kemac.sub, MIKEY_PT_ID) : NULL;
	if (idp == NULL || mikey_msg_set_bytes(m, &idp->u.id.data, id, id_len) != MIKEY_OK) {
		rc = mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
		goto out;
	}
	idp->u.id.type = id_type;
	kp->u.kemac.encr_alg = encr_alg;
	kp->u.kemac.mac_alg = mac_alg;
	if ((rc = ex_add_key_data(ex, m, &kp->u.kemac.sub, err)) != MIKEY_OK ||
	    (rc = kemac_protect(ex, m, &kp->u.kemac, err)) != MIKEY_OK)
		goto out;

	/* [CHASH] (§6.8): which of the receiver's certificates we used. SHA-1,
	 * the one hash every RFC 3830 receiver can delimit
	 * (docs/interpretations.md). */
	if (chash_cert != NULL) {
		uint8_t h[MIKEY_CRYPTO_MAX_MD];
		if (mikey_x509_to_der(chash_cert, &der, &der_len) != MIKEY_OK) {
			rc = mikey_fail(err, MIKEY_ERR_NOMEM, "cannot encode the peer's certificate");
			goto out;
		}
		mikey_iov iov = {der, der_len};
		if (mikey_crypto_digest(MIKEY_MD_SHA1, &iov, 1, h) != MIKEY_OK) {
			rc = mikey_fail(err, MIKEY_ERR_CRYPTO, "SHA-1 failed");
			goto out;
		}
		mikey_payload *ch = mikey_msg_add_payload(m, &m->payloads, MIKEY_PT_CHASH);
		if (ch == NULL || mikey_msg_set_bytes(m, &ch->u.chash.hash, h, 20) != MIKEY_OK) {
			rc = mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
			goto out;
		}
		ch->u.chash.hash_func = MIKEY_HASH_SHA1;
	}

	/* PKE = E(PK, env_key), RSAES-PKCS1-v1_5 (§4.2.5, §6.3). */
	mikey_payload *pke = mikey_msg_add_payload(m, &m->payloads, MIKEY_PT_PKE);
	uint8_t *ct = pke != NULL ? mikey_msg_alloc(m, k) : NULL;
	if (ct == NULL) {
		rc = mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
		goto out;
	}
	rc = mikey_rsa_pkcs1_encrypt(peer, &ex->ctx->rng, env, sizeof(env), ct);
	if (rc != MIKEY_OK) {
		rc = mikey_fail(err, rc == MIKEY_ERR_NOMEM ? rc : MIKEY_ERR_CRYPTO, "encrypting the envelope key failed");
		goto out;
	}
	pke->u.pke.cache = cache;
	pke->u.pke.data.data = ct;
	pke->u.pke.data.len = k;
	*kemac = kp;
	rc = MIKEY_OK;
out:
	mikey_free(der);
	mikey_wipe(env, sizeof(env));
	return rc;
}

int env_seal_mac(mikey_exchange *ex, mikey_msg *m, mikey_payload *kemac, mikey_error *err)
{
	uint8_t *wire = NULL;
	size_t wire_len = 0;
	mikey_msg *built = NULL;
	int rc;

	if (kemac->u.kemac.mac_alg == MIKEY_MAC_NULL)
		return MIKEY_OK;
	/* The MAC covers the KEMAC as it will be on the wire: build the
	 * message and find the payload's bytes by parsing them back. */
	if ((rc = mikey_msg_build(m, &wire, &wire_len, err)) != MIKEY_OK)
		goto out;
	if ((rc = mikey_msg_parse(wire, wire_len, NULL, &built, err)) != MIKEY_OK)
		goto out;
	const mikey_payload *p = mikey_msg_find(built, MIKEY_PT_KEMAC, 0);
	size_t tag_len = kemac->u.kemac.mac.len;
	if (p == NULL || p->u.kemac.mac.len != tag_len || p->length < 1 + tag_len) {
		rc = mikey_fail(err, MIKEY_ERR_STATE, "KEMAC not found in the message built");
		goto out;
	}
	mikey_iov iov[2];
	kemac_mac_iov(wire + p->offset, p->length, tag_len, iov);
	rc = mac_compute(ex, kemac->u.kemac.mac_alg, iov, 2, kemac->u.kemac.mac.data, err);
out:
	mikey_msg_free(built);
	mikey_buf_free(wire, wire_len);
	return rc;
}

static int check_chash(const mikey_ctx *ctx, const mikey_chash *ch, mikey_error *err)
{
	mikey_md md;
	uint8_t h[MIKEY_CRYPTO_MAX_MD];
	uint8_t *der = NULL;
	size_t der_len;

	if (ch->hash_func == MIKEY_HASH_SHA1)
		md = MIKEY_MD_SHA1;
	else if (ch->hash_func == MIKEY_HASH_SHA256)
		md = MIKEY_MD_SHA256;
	else
		return mikey_fail(err, MIKEY_ERR_HASH, "CHASH: hash func %u is not supported (SHA-1, SHA-256 are)",
		               ch->hash_func);
	/* A responder holding only its key (mikey_ctx_set_credentials without
	 * a certificate) cannot compare; a PKE for another key then fails to
	 * open like a wrong MAC does. */
	if (ctx->n_own_certs == 0)
		return MIKEY_OK;
	if (mikey_x509_to_der(ctx->own_certs[0], &der, &der_len) != MIKEY_OK)
		return mikey_fail(err, MIKEY_ERR_NOMEM, "cannot encode our certificate");
	mikey_iov iov = {der, der_len};
	int rc = mikey_crypto_digest(md, &iov, 1, h);
	mikey_free(der);
	if (rc != MIKEY_OK)
		return mikey_fail(err, MIKEY_ERR_CRYPTO, "certificate hash failed");
	if (ch->hash.len != mikey_crypto_md_size(md) || !mikey_crypto_memeq(h, ch->hash.data, ch->hash.len))
		return mikey_fail(err, MIKEY_ERR_CERT,
		               "CHASH names a certificate that is not ours: the envelope key is for another key "
		               "(RFC 3830 §3.2)");
	return MIKEY_OK;
}

int env_open(mikey_exchange *ex, const mikey_msg *m, const uint8_t *raw, size_t len, mikey_msg *scratch,
             const mikey_payload_list **sub, mikey_error *err)
{
	const mikey_ctx *ctx = ex->ctx;
	const mikey_payload *kp = NULL, *pke = NULL, *chash = NULL;
	uint8_t env[ENV_KEY_MAX], dummy[ENV_KEY_LEN];
	size_t env_len = 0;
	int rc;

	*sub = NULL;
	for (const mikey_payload *p = m->payloads.first; p != NULL; p = p->next) {
		const mikey_payload **slot = p->type == MIKEY_PT_KEMAC ? &kp
		                             : p->type == MIKEY_PT_PKE ? &pke
		                             : p->type == MIKEY_PT_CHASH ? &chash
		                                                         : NULL;
		if (slot == NULL)
			continue;
		if (*slot != NULL)
			return mikey_fail(err, MIKEY_ERR_PLACEMENT, "more than one KEMAC, PKE or CHASH payload");
		*slot = p;
	}
	if (kp == NULL || pke == NULL)
		return mikey_fail(err, MIKEY_ERR_PLACEMENT, "a public-key envelope needs a KEMAC and a PKE (RFC 3830 §3.2)");
	if (ctx->own_key == NULL)
		return mikey_fail(err, MIKEY_ERR_STATE, "no private key to open the envelope (mikey_ctx_set_credentials)");
	if (kp->offset + kp->length > len)
		return mikey_fail(err, MIKEY_ERR_ARG, "KEMAC outside the message");
	if (chash != NULL && (rc = check_chash(ctx, &chash->u.chash, err)) != MIKEY_OK)
		return rc;
	const mikey_kemac *k = &kp->u.kemac;
	if ((rc = kemac_check_algs(k->encr_alg, k->mac_alg, ctx->allow_null_kemac, true, err)) != MIKEY_OK)
		return rc;

	/* RFC 8017 §7.2.2 note: whether the padding was right must not show.
	 * A PKE that does not decrypt to an envelope key of acceptable length
	 * is replaced by a random key, so it fails at the MAC below exactly
	 * like a wrong MAC does. */
	if (mikey_rng_bytes(&ctx->rng, dummy, sizeof(dummy)) != MIKEY_OK)
		return mikey_fail(err, MIKEY_ERR_CRYPTO, "the random number generator failed");
	rc = mikey_rsa_pkcs1_decrypt(ctx->own_key, pke->u.pke.data.data, pke->u.pke.data.len, env, sizeof(env),
	                             &env_len);
	if (rc == MIKEY_ERR_NOMEM || rc == MIKEY_ERR_CRYPTO) {
		rc = mikey_fail(err, rc, "RSA decryption could not run");
		goto out;
	}
	if (rc != MIKEY_OK || env_len < ENV_KEY_MIN || env_len > ENV_KEY_MAX) {
		memcpy(env, dummy, sizeof(dummy));
		env_len = sizeof(dummy);
	}
	rc = mikey_kdf_msg_keys(&ex->msg_keys, ex->prf_func, k->encr_alg, kemac_key_mac(k->encr_alg, k->mac_alg), env,
	                        env_len, ex->csb_id, ex->rand, ex->rand_len);
	if (rc != MIKEY_OK) {
		rc = mikey_fail(err, rc, "deriving the KEMAC keys from the envelope key failed");
		goto out;
	}
	ex->mac_alg = kemac_key_mac(k->encr_alg, k->mac_alg); /* the verification message's */
	if (k->mac_alg != MIKEY_MAC_NULL) {
		size_t tag_len = k->mac.len;
		if (kp->length < 1 + tag_len) {
			rc = mikey_fail(err, MIKEY_ERR_AUTH, "KEMAC too short for its MAC");
			goto out;
		}
		mikey_iov iov[2];
		kemac_mac_iov(raw + kp->offset, kp->length, tag_len, iov);
		if ((rc = mac_verify(ex, k->mac_alg, iov, 2, k->mac.data, tag_len, err)) != MIKEY_OK)
			goto out;
	}
	rc = kemac_open(ex, scratch, k, MIKEY_PT_ID, sub, err);
	if (rc != MIKEY_OK && rc != MIKEY_ERR_NOMEM && k->mac_alg == MIKEY_MAC_NULL)
		rc = mikey_fail(err, MIKEY_ERR_AUTH, "KEMAC: the envelope does not open");
out:
	mikey_wipe(env, sizeof(env));
	mikey_wipe(dummy, sizeof(dummy));
	return rc;
}

const mikey_payload *env_first_id(const mikey_payload_list *sub)
{
	const mikey_payload *p = sub != NULL ? sub->first : NULL;
	return p != NULL && p->type == MIKEY_PT_ID ? p : NULL;
}

bool env_id_equals(const mikey_payload *p, const uint8_t *id, size_t id_len)
{
	if (p == NULL || p->u.id.data.len != id_len)
		return false;
	return id_len == 0 || mikey_crypto_memeq(p->u.id.data.data, id, id_len);
}
