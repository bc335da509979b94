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
	int rc = mikey_session_keys(&src, out->cs_id, cs->policy_no, &out->policy, out->master_key,
	                            sizeof(out->master_key), out->master_salt, sizeof(out->master_salt), err);
	if (rc != MIKEY_OK) {
		mikey_crypto_session_cleanup(out);
		return rc;
	}
	out->master_key_len = key_len;
	out->master_salt_len = salt_len;
	out->mki_len = ex->mki_len;
	memcpy(out->mki, ex->mki, ex->mki_len);
	out->has_tesla = ex->has_tesla;
	if (ex->has_tesla)
		out->tesla = ex->tesla;
	return MIKEY_OK;
}
