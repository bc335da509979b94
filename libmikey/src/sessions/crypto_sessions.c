/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * crypto_sessions.c - keys out of a completed exchange: one crypto session
 * per CS ID (RFC 3830 §6.1.1) with its SRTP policy (the exchange's SP,
 * §6.10.1) and its master key and salt, derived from a TGK by the MIKEY
 * PRF (§4.1.3) or taken from a transported TEK (§6.13). Above the modes
 * and key derivation; the SRTP glue (srtp/) consumes what it returns.
 */
#include <string.h>

#include "kdf/session_keys.h"
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

size_t mikey_exchange_key_count(const mikey_exchange *ex)
{
	if (ex == NULL || ex->state != EX_COMPLETE || ex->key == NULL)
		return 0;
	return 1 + ex->n_extra_keys;
}

int mikey_exchange_get_cs(const mikey_exchange *ex, size_t index, mikey_crypto_session *out, mikey_error *err)
{
	return mikey_exchange_get_cs_key(ex, index, 0, out, err);
}

int mikey_exchange_get_cs_key(const mikey_exchange *ex, size_t index, size_t key_index, mikey_crypto_session *out,
                              mikey_error *err)
{
	mikey_error_clear(err);
	if (ex == NULL || out == NULL)
		return mikey_fail(err, MIKEY_ERR_ARG, "NULL argument");
	memset(out, 0, sizeof(*out));
	if (ex->state != EX_COMPLETE)
		return mikey_fail(err, MIKEY_ERR_STATE, "the exchange is not complete");
	if (index >= ex->n_cs)
		return mikey_fail(err, MIKEY_ERR_ARG, "crypto session %zu of %zu", index + 1, ex->n_cs);
	if (key_index > ex->n_extra_keys || (key_index > 0 && ex->key == NULL))
		return mikey_fail(err, MIKEY_ERR_ARG, "key %zu of %zu", key_index + 1, mikey_exchange_key_count(ex));
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
	mikey_key_source src = {
		.prf_func = ex->prf_func,
		.key_type = ex->key_type,
		.key = ex->key,
		.key_len = ex->key_len,
		.salt = ex->salt,
		.salt_len = ex->salt_len,
		.rand = ex->rand,
		.rand_len = ex->rand_len,
		.csb_id = ex->csb_id,
	};
	const uint8_t *mki = ex->mki;
	size_t mki_len = ex->mki_len;
	out->has_interval = ex->key_has_interval;
	out->valid_from = ex->key_valid_from;
	out->valid_to = ex->key_valid_to;
	if (key_index > 0) {
		const ex_key *k = &ex->extra_keys[key_index - 1];
		src.key_type = k->key_type;
		src.key = k->key;
		src.key_len = k->key_len;
		src.salt = k->salt;
		src.salt_len = k->salt_len;
		mki = k->mki;
		mki_len = k->mki_len;
		out->has_interval = k->has_interval;
		out->valid_from = k->valid_from;
		out->valid_to = k->valid_to;
	}
	int rc = mikey_session_keys(&src, out->cs_id, cs->policy_no, &out->policy, out->master_key,
	                            sizeof(out->master_key), out->master_salt, sizeof(out->master_salt), err);
	if (rc != MIKEY_OK) {
		mikey_crypto_session_cleanup(out);
		return rc;
	}
	out->key_index = (uint8_t)key_index;
	out->master_key_len = out->policy.encr_key_len;
	out->master_salt_len = out->policy.salt_key_len;
	out->mki_len = mki_len;
	memcpy(out->mki, mki, mki_len);
	if (ex->cs_tesla != NULL) {
		out->has_tesla = true;
		out->tesla = ex->cs_tesla[index];
	} else if (ex->has_tesla) {
		out->has_tesla = true;
		out->tesla = ex->tesla;
	}
	return MIKEY_OK;
}

int mikey_exchange_find_cs(const mikey_exchange *ex, uint32_t ssrc, size_t key_index, mikey_crypto_session *out,
                           mikey_error *err)
{
	mikey_error_clear(err);
	if (ex == NULL || out == NULL)
		return mikey_fail(err, MIKEY_ERR_ARG, "NULL argument");
	/* At most 255 entries of 12 bytes: a scan, and only the match is
	 * derived. */
	for (size_t i = 0; i < ex->n_cs; i++) {
		if (ex->cs[i].ssrc == ssrc)
			return mikey_exchange_get_cs_key(ex, i, key_index, out, err);
	}
	memset(out, 0, sizeof(*out));
	return mikey_fail(err, MIKEY_ERR_ARG, "no crypto session has SSRC 0x%08x", ssrc);
}

int mikey_exchange_get_key(const mikey_exchange *ex, size_t key_index, uint8_t *out, size_t cap, size_t *len,
                           uint8_t *key_type, mikey_error *err)
{
	mikey_error_clear(err);
	if (ex == NULL || out == NULL || len == NULL)
		return mikey_fail(err, MIKEY_ERR_ARG, "NULL argument");
	*len = 0;
	if (ex->state != EX_COMPLETE || ex->key == NULL)
		return mikey_fail(err, MIKEY_ERR_STATE, "the exchange is not complete or transported no key");
	if (key_index > ex->n_extra_keys)
		return mikey_fail(err, MIKEY_ERR_ARG, "key %zu of %zu", key_index + 1, mikey_exchange_key_count(ex));
	const uint8_t *k = ex->key;
	size_t k_len = ex->key_len;
	uint8_t type = ex->key_type;
	if (key_index > 0) {
		const ex_key *x = &ex->extra_keys[key_index - 1];
		k = x->key;
		k_len = x->key_len;
		type = x->key_type;
	}
	if (cap < k_len)
		return mikey_fail(err, MIKEY_ERR_ARG, "a key of %zu bytes does not fit %zu", k_len, cap);
	memcpy(out, k, k_len);
	*len = k_len;
	if (key_type != NULL)
		*key_type = type;
	return MIKEY_OK;
}

const uint8_t *mikey_exchange_get0_rand(const mikey_exchange *ex, size_t *len)
{
	if (len != NULL)
		*len = 0;
	if (ex == NULL || len == NULL || ex->state != EX_COMPLETE)
		return NULL;
	*len = ex->rand_len;
	return ex->rand;
}
