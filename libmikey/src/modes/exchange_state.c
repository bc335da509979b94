/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * exchange_state.c - an exchange's life: creating one and drawing its
 * randomness, an offer's defaults, the accessors, the comparison of
 * generations and the destructor (the state itself is in
 * exchange_state.h).
 */
#include <string.h>

#include "modes/exchange_state.h"
#include "mikey/mem.h"

mikey_exchange *ex_new(mikey_ctx *ctx, mikey_mode mode, bool initiator)
{
	mikey_exchange *ex = mikey_malloc(sizeof(*ex));
	if (ex == NULL)
		return NULL;
	memset(ex, 0, sizeof(*ex));
	ex->ctx = ctx;
	ex->mode = mode;
	ex->initiator = initiator;
	return ex;
}

int ex_draw(mikey_exchange *ex, uint8_t *out, size_t len, mikey_error *err)
{
	if (mikey_rng_bytes(&ex->ctx->rng, out, len) != MIKEY_OK)
		return mikey_fail(err, MIKEY_ERR_CRYPTO, "the random number generator failed");
	return MIKEY_OK;
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
	if (ex->extra_keys != NULL) {
		mikey_wipe(ex->extra_keys, ex->n_extra_keys * sizeof(*ex->extra_keys));
		mikey_free(ex->extra_keys);
	}
	mikey_free(ex->cs_tesla);
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

void mikey_exchange_set_user(mikey_exchange *ex, void *user)
{
	if (ex != NULL)
		ex->user = user;
}

void *mikey_exchange_get_user(const mikey_exchange *ex)
{
	return ex != NULL ? ex->user : NULL;
}

mikey_generation_order mikey_exchange_compare_generation(const mikey_exchange *ex, const mikey_exchange *earlier)
{
	if (ex == NULL || earlier == NULL || ex->state != EX_COMPLETE || earlier->state != EX_COMPLETE ||
	    ex->csb_id != earlier->csb_id || ex->key == NULL || earlier->key == NULL)
		return MIKEY_GEN_OTHER_GROUP;
	bool same_key = ex->key_len == earlier->key_len && mikey_crypto_memeq(ex->key, earlier->key, ex->key_len) &&
	                ex->rand_len == earlier->rand_len && memcmp(ex->rand, earlier->rand, ex->rand_len) == 0;
	if (same_key)
		return MIKEY_GEN_SAME;
	if (ex->mki_len > 0 && ex->mki_len == earlier->mki_len) {
		/* Big-endian counters of one length: memcmp orders them. */
		int c = memcmp(ex->mki, earlier->mki, ex->mki_len);
		if (c != 0)
			return c > 0 ? MIKEY_GEN_NEWER : MIKEY_GEN_OLDER;
	}
	/* No MKIs to go by (or equal ones with another key): the Initiator's
	 * timestamp, NTP, compared modulo 2^64 halves (RFC 4330 §3 era). */
	int64_t d = (int64_t)(ex->t - earlier->t);
	return d >= 0 ? MIKEY_GEN_NEWER : MIKEY_GEN_OLDER;
}
