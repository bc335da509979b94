/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * crypto_sessions.c - keys out of a completed exchange: one crypto session
 * per CS ID (RFC 3830 §6.1.1) with its SRTP policy (the exchange's SP,
 * §6.10.1) and its master key and salt, derived from a TGK by the MIKEY
 * PRF (§4.1.3) or taken from a transported TEK (§6.13). Above the modes
 * and key derivation; the SRTP glue (srtp/) consumes what it returns.
 */
#include <string.h>

#include "modes/exchange_state.h"
#include "mikey/mem.h"

size_t mikey_exchange_cs_count(const mikey_exchange *ex)
{
	return ex != NULL ? ex->n_cs : 0;
}

static const ex_policy *find_policy(const mikey_exchange *ex, uint8_t policy_no)
{
	for (size_t i = 0; i < ex->n_policies; i++) {
		if (ex->policies[i].policy_no == policy_no)
			return &ex->policies[i];
	}
	return NULL;
}

int mikey_exchange_get_cs(const mikey_exchange *ex, size_t index, mikey_crypto_session *out, mikey_error *err)
{
	mikey_error_clear(err);
	if (ex == NULL || out == NULL)
		return ex_fail(err, MIKEY_ERR_ARG, "NULL argument");
	memset(out, 0, sizeof(*out));
	if (ex->state != EX_COMPLETE)
		return ex_fail(err, MIKEY_ERR_STATE, "the exchange is not complete");
	if (index >= ex->n_cs)
		return ex_fail(err, MIKEY_ERR_ARG, "crypto session %zu of %zu", index + 1, ex->n_cs);
	const mikey_srtp_cs *cs = &ex->cs[index];
	out->cs_id = (uint8_t)(index + 1);
	out->ssrc = cs->ssrc;
	out->roc = cs->roc;
	out->policy_no = cs->policy_no;
	const ex_policy *ep = find_policy(ex, cs->policy_no);
	if (ep != NULL)
		out->policy = ep->policy;
	else
		mikey_srtp_policy_default(&out->policy); /* RFC 3830 §6.10.1: absent means SRTP's defaults */
	size_t key_len = out->policy.encr_key_len, salt_len = out->policy.salt_key_len;
	if (key_len > sizeof(out->master_key) || salt_len > sizeof(out->master_salt))
		return ex_fail(err, MIKEY_ERR_POLICY, "policy %u: key or salt too long", cs->policy_no);
	int rc;
	bool tek = ex->key_type == MIKEY_KEY_TEK || ex->key_type == MIKEY_KEY_TEK_SALT;
	if (tek) {
		/* A TEK is the SRTP master key itself (RFC 3830 §6.13). Senders
		 * such as GStreamer put key || salt in one TEK without a salt
		 * field; split it when the length says so. */
		if (ex->key_len == key_len && ex->salt_len == salt_len) {
			memcpy(out->master_key, ex->key, key_len);
			memcpy(out->master_salt, ex->salt, salt_len);
		} else if (ex->salt_len == 0 && ex->key_len == key_len + salt_len) {
			memcpy(out->master_key, ex->key, key_len);
			memcpy(out->master_salt, ex->key + key_len, salt_len);
		} else {
			return ex_fail(err, MIKEY_ERR_POLICY,
			               "TEK of %zu bytes with a %zu-byte salt does not fit policy %u (%zu + %zu)",
			               ex->key_len, ex->salt_len, cs->policy_no, key_len, salt_len);
		}
	} else {
		/* RFC 3830 §4.1.3: TEK = PRF(TGK, 0x2AD01C64 || cs_id || csb_id || RAND). */
		rc = mikey_kdf_tgk(ex->prf_func, ex->key, ex->key_len, MIKEY_KDF_TGK_TEK, out->cs_id, ex->csb_id, ex->rand,
		                   ex->rand_len, out->master_key, key_len);
		if (rc != MIKEY_OK)
			goto crypto_fail;
		if (ex->salt_len == salt_len) {
			/* §4.1.3: a salt carried in Key data SHALL be used. */
			memcpy(out->master_salt, ex->salt, salt_len);
		} else if (ex->salt_len == 0) {
			rc = mikey_kdf_tgk(ex->prf_func, ex->key, ex->key_len, MIKEY_KDF_TGK_SALT, out->cs_id, ex->csb_id,
			                   ex->rand, ex->rand_len, out->master_salt, salt_len);
			if (rc != MIKEY_OK)
				goto crypto_fail;
		} else {
			mikey_crypto_session_cleanup(out);
			return ex_fail(err, MIKEY_ERR_POLICY, "salt of %zu bytes, policy %u needs %zu", ex->salt_len,
			               cs->policy_no, salt_len);
		}
	}
	out->master_key_len = key_len;
	out->master_salt_len = salt_len;
	out->mki_len = ex->mki_len;
	memcpy(out->mki, ex->mki, ex->mki_len);
	out->has_tesla = ex->has_tesla;
	if (ex->has_tesla)
		out->tesla = ex->tesla;
	return MIKEY_OK;

crypto_fail:
	mikey_crypto_session_cleanup(out);
	return ex_fail(err, rc, "key derivation failed");
}

void mikey_crypto_session_cleanup(mikey_crypto_session *cs)
{
	if (cs != NULL)
		mikey_wipe(cs, sizeof(*cs));
}
