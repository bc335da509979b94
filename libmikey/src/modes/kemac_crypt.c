/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kemac_crypt.c - KEMAC encryption and MACs (RFC 3830 §4.2.3, §4.2.4).
 * Keys come from ex->msg_keys (§4.1.4); algorithms from crypto.h.
 */
#include <string.h>

#include "mikey/mem.h"
#include "modes/modes.h"

bool kemac_wrap_alone(uint8_t encr_alg, uint8_t mac_alg)
{
	return encr_alg == MIKEY_ENCR_AES_KW_128 && mac_alg == MIKEY_MAC_NULL;
}

uint8_t kemac_key_mac(uint8_t encr_alg, uint8_t mac_alg)
{
	/* The key wrap protects the KEMAC; the verification message still
	 * needs a MAC: the mandatory HMAC-SHA-1 (§4.2.4), keyed as §4.1.4
	 * derives auth_key (docs/interpretations.md §27). */
	return kemac_wrap_alone(encr_alg, mac_alg) ? MIKEY_MAC_HMAC_SHA1_160 : mac_alg;
}

int kemac_check_algs(uint8_t encr_alg, uint8_t mac_alg, bool allow_null, bool envelope, mikey_error *err)
{
	if (encr_alg != MIKEY_ENCR_NULL && mikey_crypto_cipher_for_encr_alg(encr_alg) == NULL)
		return mikey_fail(err, MIKEY_ERR_ENCR_ALG, "KEMAC: encryption algorithm %u is not supported", encr_alg);
	if (mac_alg != MIKEY_MAC_NULL && mikey_crypto_mac_for_mac_alg(mac_alg) == NULL)
		return mikey_fail(err, MIKEY_ERR_MAC_ALG, "KEMAC: MAC algorithm %u is not supported", mac_alg);
	/* RFC 3830 §4.2.3: in the public-key method the key wrap with the NULL
	 * MAC is RECOMMENDED (the wrap's integrity check covers the keys, the
	 * signature the message); with a pre-shared key a NULL MAC SHOULD NOT
	 * be used, as the MAC covers the whole message there. */
	if (envelope && kemac_wrap_alone(encr_alg, mac_alg))
		return MIKEY_OK;
	if (!allow_null && (encr_alg == MIKEY_ENCR_NULL || mac_alg == MIKEY_MAC_NULL)) {
		/* RFC 3830 §4.2.3/§4.2.4: NULL only where the carrier is secured,
		 * and a NULL MAC never with a real cipher in these modes. */
		return mikey_fail(err, encr_alg == MIKEY_ENCR_NULL ? MIKEY_ERR_ENCR_ALG : MIKEY_ERR_MAC_ALG,
		               "KEMAC: NULL %s refused (RFC 3830 §4.2.3; enable with mikey_ctx_allow_null_kemac)",
		               encr_alg == MIKEY_ENCR_NULL ? "encryption" : "MAC");
	}
	return MIKEY_OK;
}

static int cipher_iv(const mikey_exchange *ex, const mikey_cipher_desc *c, uint8_t *iv, mikey_error *err)
{
	if (c->id == MIKEY_CIPHER_AES_KW_128) {
		/* §4.2.3: the key wrap IV is the 64-bit salt S. */
		if (ex->msg_keys.salt_len != 8)
			return mikey_fail(err, MIKEY_ERR_CRYPTO, "AES-KW needs an 8-byte salt");
		memcpy(iv, ex->msg_keys.salt, 8);
		return MIKEY_OK;
	}
	/* §4.2.3: IV = (S XOR (0x0000 || CSB ID || T)) || 0x0000. */
	if (mikey_kdf_aes_cm_iv(ex->msg_keys.salt, ex->msg_keys.salt_len, ex->csb_id, ex->t, iv) != MIKEY_OK)
		return mikey_fail(err, MIKEY_ERR_CRYPTO, "AES-CM IV construction failed");
	return MIKEY_OK;
}

int kemac_protect(mikey_exchange *ex, mikey_msg *m, mikey_kemac *k, mikey_error *err)
{
	uint8_t *plain = NULL;
	size_t plain_len = 0;
	int rc = MIKEY_OK;

	if (k->encr_alg != MIKEY_ENCR_NULL) {
		const mikey_cipher_desc *c = mikey_crypto_cipher_for_encr_alg(k->encr_alg);
		uint8_t iv[16];
		if (c == NULL)
			return mikey_fail(err, MIKEY_ERR_ENCR_ALG, "KEMAC: encryption algorithm %u unavailable", k->encr_alg);
		if ((rc = mikey_payloads_build(&k->sub, &plain, &plain_len, err)) != MIKEY_OK)
			return rc;
		size_t padded = plain_len;
		if (c->unit > 1) {
			/* RFC 3394 wraps whole 64-bit blocks, at least two; RFC 3830
			 * says nothing on padding, so zero bytes follow the last
			 * sub-payload (docs/interpretations.md). */
			padded = (plain_len + c->unit - 1) / c->unit * c->unit;
			if (padded < c->min_len)
				padded = c->min_len;
		}
		uint8_t *in = mikey_msg_alloc(m, padded);
		uint8_t *ct = mikey_msg_alloc(m, padded + c->overhead);
		if (in == NULL || ct == NULL) {
			rc = mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
			goto out;
		}
		memcpy(in, plain, plain_len);
		if ((rc = cipher_iv(ex, c, iv, err)) != MIKEY_OK)
			goto out;
		if (c->encrypt(ex->msg_keys.encr, iv, in, padded, ct) != MIKEY_OK) {
			rc = mikey_fail(err, MIKEY_ERR_CRYPTO, "KEMAC encryption failed");
			goto out;
		}
		mikey_wipe(in, padded);
		k->encr_data.data = ct;
		k->encr_data.len = padded + c->overhead;
		memset(&k->sub, 0, sizeof(k->sub)); /* the cleartext stays in the arena, wiped on free */
	}
	if (k->mac_alg != MIKEY_MAC_NULL) {
		const mikey_mac_desc *d = mikey_crypto_mac_for_mac_alg(k->mac_alg);
		if (d == NULL) {
			rc = mikey_fail(err, MIKEY_ERR_MAC_ALG, "KEMAC: MAC algorithm %u unavailable", k->mac_alg);
			goto out;
		}
		k->mac.data = mikey_msg_alloc(m, d->tag_len);
		if (k->mac.data == NULL) {
			rc = mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
			goto out;
		}
		k->mac.len = d->tag_len;
	}
out:
	mikey_buf_free(plain, plain_len);
	return rc;
}

int kemac_open(mikey_exchange *ex, mikey_msg *scratch, const mikey_kemac *k, uint8_t first_type,
               const mikey_payload_list **sub, mikey_error *err)
{
	if (k->encr_alg == MIKEY_ENCR_NULL) {
		*sub = &k->sub;
		return MIKEY_OK;
	}
	const mikey_cipher_desc *c = mikey_crypto_cipher_for_encr_alg(k->encr_alg);
	uint8_t iv[16];
	int rc;
	if (c == NULL)
		return mikey_fail(err, MIKEY_ERR_ENCR_ALG, "KEMAC: encryption algorithm %u is not supported", k->encr_alg);
	size_t n = k->encr_data.len;
	if (n < c->overhead + c->min_len || (c->unit > 1 && (n - c->overhead) % c->unit != 0))
		return mikey_fail(err, MIKEY_ERR_AUTH, "KEMAC: %zu bytes of %s ciphertext cannot be valid", n, c->name);
	if ((rc = cipher_iv(ex, c, iv, err)) != MIKEY_OK)
		return rc;
	size_t plain_len = n - c->overhead;
	uint8_t *plain = mikey_msg_alloc(scratch, plain_len ? plain_len : 1);
	mikey_kemac *out = mikey_msg_alloc(scratch, sizeof(*out));
	if (plain == NULL || out == NULL)
		return mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
	if ((rc = c->decrypt(ex->msg_keys.encr, iv, k->encr_data.data, n, plain)) != MIKEY_OK)
		return mikey_fail(err, rc == MIKEY_ERR_AUTH ? MIKEY_ERR_AUTH : MIKEY_ERR_CRYPTO,
		               "KEMAC: %s decryption failed (integrity check)", c->name);
	/* Key wrap adds zero padding up to a whole block (see kemac_protect):
	 * try the exact length first, then without 1..unit-1 zero bytes. */
	size_t max_pad = c->unit > 1 ? c->unit - 1 : 0;
	mikey_error perr;
	rc = MIKEY_ERR_TRAILING;
	for (size_t pad = 0; pad <= max_pad && pad < plain_len; pad++) {
		if (pad > 0 && plain[plain_len - pad] != 0)
			break;
		rc = mikey_kemac_parse_plaintext(scratch, out, plain, plain_len - pad, first_type, &perr);
		if (rc == MIKEY_OK || rc == MIKEY_ERR_NOMEM)
			break;
	}
	if (rc == MIKEY_ERR_NOMEM)
		return mikey_fail(err, rc, "out of memory");
	if (rc != MIKEY_OK)
		return mikey_fail(err, rc, "KEMAC plaintext: %s (offset %zu)", perr.message, perr.offset);
	*sub = &out->sub;
	return MIKEY_OK;
}

int mac_compute(const mikey_exchange *ex, uint8_t mac_alg, const mikey_iov *iov, size_t n, uint8_t *tag,
                mikey_error *err)
{
	if (mac_alg == MIKEY_MAC_NULL)
		return MIKEY_OK;
	const mikey_mac_desc *d = mikey_crypto_mac_for_mac_alg(mac_alg);
	if (d == NULL)
		return mikey_fail(err, MIKEY_ERR_MAC_ALG, "MAC algorithm %u is not supported", mac_alg);
	if (mikey_crypto_mac(d, ex->msg_keys.auth, ex->msg_keys.auth_len, iov, n, tag) != MIKEY_OK)
		return mikey_fail(err, MIKEY_ERR_CRYPTO, "MAC computation failed");
	return MIKEY_OK;
}

int mac_verify(const mikey_exchange *ex, uint8_t mac_alg, const mikey_iov *iov, size_t n, const uint8_t *tag,
               size_t tag_len, mikey_error *err)
{
	if (mac_alg == MIKEY_MAC_NULL)
		return tag_len == 0 ? MIKEY_OK : mikey_fail(err, MIKEY_ERR_AUTH, "NULL MAC with %zu MAC bytes", tag_len);
	const mikey_mac_desc *d = mikey_crypto_mac_for_mac_alg(mac_alg);
	if (d == NULL)
		return mikey_fail(err, MIKEY_ERR_MAC_ALG, "MAC algorithm %u is not supported", mac_alg);
	int rc = mikey_crypto_mac_verify(d, ex->msg_keys.auth, ex->msg_keys.auth_len, iov, n, tag, tag_len);
	if (rc == MIKEY_ERR_AUTH)
		return mikey_fail(err, MIKEY_ERR_AUTH, "%s does not verify (wrong key, or the message was altered)", d->name);
	if (rc != MIKEY_OK)
		return mikey_fail(err, rc, "MAC verification failed");
	return MIKEY_OK;
}
