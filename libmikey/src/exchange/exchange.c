/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * exchange.c - the public entry points: dispatch by mode or data type,
 * error messages on rejection, and keys out (RFC 3830 §4.1.3, §6.1.1).
 */
#include <string.h>

#include "ex.h"
#include "mikey/mem.h"

/* Modes compiled in (meson defines MIKEY_HAVE_MODE_* for each file present). */
static const mikey_mode_ops *const modes[] = {
	&mikey_mode_psk_ops,
#ifdef MIKEY_HAVE_MODE_PK
	&mikey_mode_pk_ops,
#endif
#ifdef MIKEY_HAVE_MODE_DH
	&mikey_mode_dh_ops,
#endif
#ifdef MIKEY_HAVE_MODE_DHHMAC
	&mikey_mode_dhhmac_ops,
#endif
#ifdef MIKEY_HAVE_MODE_RSAR
	&mikey_mode_rsar_ops,
#endif
};

static const mikey_mode_ops *mode_by_id(mikey_mode mode)
{
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		if (modes[i]->mode == mode)
			return modes[i];
	}
	return NULL;
}

static const mikey_mode_ops *mode_by_data_type(uint8_t dt)
{
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		if (modes[i]->init_data_type == dt)
			return modes[i];
	}
	return NULL;
}

void mikey_offer_init(mikey_offer *o, mikey_mode mode)
{
	memset(o, 0, sizeof(*o));
	o->mode = mode;
	o->prf_func = MIKEY_PRF_MIKEY_1;
	o->encr_alg = MIKEY_ENCR_AES_CM_128;
	o->mac_alg = MIKEY_MAC_HMAC_SHA1_160;
	o->key_type = MIKEY_KEY_TGK;
	o->send_ids = true;
	o->rand_len = 16;
	o->dh_group = MIKEY_DH_OAKLEY_5;
	o->peer_id_type = MIKEY_ID_URI;
}

int mikey_initiate(mikey_ctx *ctx, const mikey_offer *offer, mikey_exchange **out, uint8_t **msg, size_t *msg_len,
                   mikey_error *err)
{
	mikey_error_clear(err);
	if (out != NULL)
		*out = NULL;
	if (msg != NULL)
		*msg = NULL;
	if (ctx == NULL || offer == NULL || out == NULL || msg == NULL || msg_len == NULL)
		return ex_fail(err, MIKEY_ERR_ARG, "mikey_initiate: NULL argument");
	if (mikey_crypto_init() != MIKEY_OK)
		return ex_fail(err, MIKEY_ERR_CRYPTO, "crypto self test failed");
	mikey_exchange *ex = ex_new(ctx, offer->mode, true);
	if (ex == NULL)
		return ex_fail(err, MIKEY_ERR_NOMEM, "out of memory");
	const mikey_mode_ops *ops = mode_by_id(offer->mode);
	int rc = ops != NULL ? ops->initiate(ex, offer, msg, msg_len, err)
	                     : ex_fail(err, MIKEY_ERR_UNSUPPORTED, "mode %d is not available", (int)offer->mode);
	if (rc != MIKEY_OK) {
		mikey_exchange_free(ex);
		return rc;
	}
	*out = ex;
	return MIKEY_OK;
}

int mikey_respond(mikey_ctx *ctx, const uint8_t *msg, size_t len, mikey_exchange **out, uint8_t **resp,
                  size_t *resp_len, mikey_error *err)
{
	mikey_msg *m = NULL;
	mikey_exchange *ex = NULL;
	int rc;

	mikey_error_clear(err);
	if (out != NULL)
		*out = NULL;
	if (resp != NULL)
		*resp = NULL;
	if (resp_len != NULL)
		*resp_len = 0;
	if (ctx == NULL || (msg == NULL && len > 0) || out == NULL || resp == NULL || resp_len == NULL)
		return ex_fail(err, MIKEY_ERR_ARG, "mikey_respond: NULL argument");
	if (mikey_crypto_init() != MIKEY_OK)
		return ex_fail(err, MIKEY_ERR_CRYPTO, "crypto self test failed");
	rc = mikey_msg_parse(msg, len, NULL, &m, err);
	if (rc != MIKEY_OK)
		goto reject;
	const mikey_mode_ops *ops = mode_by_data_type(m->hdr.data_type);
	if (ops == NULL) {
		rc = ex_fail(err, MIKEY_ERR_DATA_TYPE, "data type %u is not an initiator message this responder handles",
		             m->hdr.data_type);
		goto reject;
	}
	ex = ex_new(ctx, ops->mode, false);
	if (ex == NULL) {
		rc = ex_fail(err, MIKEY_ERR_NOMEM, "out of memory");
		goto reject;
	}
	rc = ops->respond(ex, m, msg, len, resp, resp_len, err);
	if (rc != MIKEY_OK)
		goto reject;
	mikey_msg_free(m);
	*out = ex;
	return MIKEY_OK;

reject:
	mikey_exchange_free(ex);
	if (*resp != NULL) {
		mikey_buf_free(*resp, *resp_len);
		*resp = NULL;
		*resp_len = 0;
	}
	/* RFC 3830 §5.1.2: errors SHOULD be reported by an error message. It
	 * is the caller's choice to send it (§5.3 allows discarding). */
	if (rc != MIKEY_ERR_NOMEM && rc != MIKEY_ERR_ARG && (m == NULL || m->hdr.data_type != MIKEY_DT_ERROR))
		(void)ex_error_message(ctx, m, rc, resp, resp_len);
	mikey_msg_free(m);
	return rc;
}

int mikey_exchange_finish(mikey_exchange *ex, const uint8_t *msg, size_t len, mikey_error *err)
{
	mikey_msg *m = NULL;
	int rc;

	mikey_error_clear(err);
	if (ex == NULL || (msg == NULL && len > 0))
		return ex_fail(err, MIKEY_ERR_ARG, "mikey_exchange_finish: NULL argument");
	if (!ex->initiator || ex->state != EX_WAIT_RESPONSE)
		return ex_fail(err, MIKEY_ERR_STATE, "the exchange is not waiting for a response");
	rc = mikey_msg_parse(msg, len, NULL, &m, err);
	if (rc != MIKEY_OK)
		return rc;
	if (m->hdr.csb_id != ex->csb_id) {
		rc = ex_fail(err, MIKEY_ERR_ARG, "response is for CSB ID %08x, this exchange is %08x", m->hdr.csb_id,
		             ex->csb_id);
	} else if (m->hdr.data_type == MIKEY_DT_ERROR) {
		/* RFC 3830 §5.1.2: an unauthenticated error message is only a
		 * hint; we stop the exchange, the caller decides what next. */
		rc = ex_peer_error(m, err);
		ex->state = EX_FAILED;
	} else {
		const mikey_mode_ops *ops = mode_by_id(ex->mode);
		rc = ops != NULL && ops->finish != NULL
		             ? ops->finish(ex, m, msg, len, err)
		             : ex_fail(err, MIKEY_ERR_UNSUPPORTED, "mode %d takes no response", (int)ex->mode);
	}
	mikey_msg_free(m);
	return rc;
}

bool mikey_exchange_is_complete(const mikey_exchange *ex)
{
	return ex != NULL && ex->state == EX_COMPLETE;
}

mikey_mode mikey_exchange_mode(const mikey_exchange *ex)
{
	return ex->mode;
}

uint32_t mikey_exchange_csb_id(const mikey_exchange *ex)
{
	return ex->csb_id;
}

bool mikey_exchange_is_initiator(const mikey_exchange *ex)
{
	return ex->initiator;
}

const uint8_t *mikey_exchange_get0_peer_id(const mikey_exchange *ex, size_t *len)
{
	const uint8_t *id = ex->initiator ? ex->id_r : ex->id_i;
	*len = ex->initiator ? ex->id_r_len : ex->id_i_len;
	return id;
}

static void free_secret(uint8_t *p, size_t len)
{
	if (p != NULL) {
		mikey_wipe(p, len);
		mikey_free(p);
	}
}

void mikey_exchange_free(mikey_exchange *ex)
{
	if (ex == NULL)
		return;
	free_secret(ex->key, ex->key_len);
	free_secret(ex->id_i, ex->id_i_len);
	free_secret(ex->id_r, ex->id_r_len);
	mikey_free(ex->cs);
	mikey_free(ex->policies);
	mikey_msg_keys_cleanup(&ex->msg_keys);
	if (ex->mode_state != NULL && ex->mode_state_free != NULL)
		ex->mode_state_free(ex->mode_state);
	mikey_msg_free(ex->key_id_msg);
	mikey_wipe(ex, sizeof(*ex));
	mikey_free(ex);
}

const mikey_key_id *mikey_exchange_get0_key_ids(const mikey_exchange *ex, size_t *n)
{
	if (n != NULL)
		*n = ex != NULL ? ex->n_key_ids : 0;
	return ex != NULL ? ex->key_ids : NULL;
}

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
