/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * session_keys.c - a crypto session's SRTP master key and salt from the
 * transported key (RFC 3830 §4.1.3, §6.13); see session_keys.h.
 */
#include <string.h>

#include "base/internal.h"
#include "kdf/session_keys.h"
#include "mikey/exchange.h"
#include "mikey/kdf.h"
#include "mikey/mem.h"
#include "mikey/types.h"

int mikey_session_keys(const mikey_key_source *src, uint8_t cs_id, uint8_t policy_no, const mikey_srtp_policy *policy,
                       uint8_t *key, size_t key_cap, uint8_t *salt, size_t salt_cap, mikey_error *err)
{
	size_t key_len = policy->encr_key_len, salt_len = policy->salt_key_len;
	int rc;

	if (key_len > key_cap || salt_len > salt_cap)
		return mikey_fail(err, MIKEY_ERR_POLICY, "policy %u: key or salt too long", policy_no);
	if (src->key_type == MIKEY_KEY_TEK || src->key_type == MIKEY_KEY_TEK_SALT) {
		/* A TEK is the SRTP master key itself (RFC 3830 §6.13). Senders
		 * such as GStreamer put key || salt in one TEK without a salt
		 * field; split it when the length says so. */
		if (src->key_len == key_len && src->salt_len == salt_len) {
			memcpy(key, src->key, key_len);
			memcpy(salt, src->salt, salt_len);
		} else if (src->salt_len == 0 && src->key_len == key_len + salt_len) {
			memcpy(key, src->key, key_len);
			memcpy(salt, src->key + key_len, salt_len);
		} else {
			return mikey_fail(err, MIKEY_ERR_POLICY,
			               "TEK of %zu bytes with a %zu-byte salt does not fit policy %u (%zu + %zu)",
			               src->key_len, src->salt_len, policy_no, key_len, salt_len);
		}
		return MIKEY_OK;
	}
	/* RFC 3830 §4.1.3: TEK = PRF(TGK, 0x2AD01C64 || cs_id || csb_id || RAND). */
	rc = mikey_kdf_tgk(src->prf_func, src->key, src->key_len, MIKEY_KDF_TGK_TEK, cs_id, src->csb_id, src->rand,
	                   src->rand_len, key, key_len);
	if (rc != MIKEY_OK)
		goto crypto_fail;
	if (src->salt_len == salt_len) {
		/* §4.1.3: a salt carried in Key data SHALL be used. */
		if (salt_len > 0)
			memcpy(salt, src->salt, salt_len);
	} else if (src->salt_len == 0) {
		rc = mikey_kdf_tgk(src->prf_func, src->key, src->key_len, MIKEY_KDF_TGK_SALT, cs_id, src->csb_id,
		                   src->rand, src->rand_len, salt, salt_len);
		if (rc != MIKEY_OK)
			goto crypto_fail;
	} else {
		mikey_wipe(key, key_len);
		return mikey_fail(err, MIKEY_ERR_POLICY, "salt of %zu bytes, policy %u needs %zu", src->salt_len, policy_no,
		               salt_len);
	}
	return MIKEY_OK;

crypto_fail:
	mikey_wipe(key, key_len);
	mikey_wipe(salt, salt_len);
	return mikey_fail(err, rc, "key derivation failed");
}

void mikey_crypto_session_cleanup(mikey_crypto_session *cs)
{
	if (cs != NULL)
		mikey_wipe(cs, sizeof(*cs));
}
