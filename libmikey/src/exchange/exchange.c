/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * exchange.c - the public entry points of a key exchange: dispatch by mode
 * (initiator) or by data type (responder), and error messages on rejection
 * (RFC 3830 §5.1.2). The top of the library: it calls down into the codec,
 * the modes and (through them) key derivation; crypto sessions come out
 * through sessions/crypto_sessions.c.
 */
#include <string.h>

#include "modes/exchange_state.h"
#include "mikey/mem.h"

/* Every mode, one row each (modes/<mode>.c). */
static const mikey_mode_ops *const modes[] = {
	&mikey_mode_psk_ops, &mikey_mode_pk_ops, &mikey_mode_dh_ops, &mikey_mode_dhhmac_ops, &mikey_mode_rsar_ops,
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

int mikey_initiate(mikey_ctx *ctx, const mikey_offer *offer, mikey_exchange **out, uint8_t **msg, size_t *msg_len,
                   mikey_error *err)
{
	mikey_error_clear(err);
	if (out != NULL)
		*out = NULL;
	if (msg != NULL)
		*msg = NULL;
	if (ctx == NULL || offer == NULL || out == NULL || msg == NULL || msg_len == NULL)
		return mikey_fail(err, MIKEY_ERR_ARG, "mikey_initiate: NULL argument");
	if (mikey_crypto_init() != MIKEY_OK)
		return mikey_fail(err, MIKEY_ERR_CRYPTO, "crypto self test failed");
	/* A pushed group generation is an offer whose fields it fills. */
	mikey_offer eff = *offer;
	ex_group_offer *buf = NULL;
	mikey_exchange *ex = NULL;
	int rc;
	if (offer->group != NULL) {
		/* RSA-R key servers serve generations through their context
		 * (mikey_ctx_set_rsar_group); DH modes agree on a key instead. */
		if (offer->mode != MIKEY_MODE_PSK && offer->mode != MIKEY_MODE_PK)
			return mikey_fail(err, MIKEY_ERR_ARG, "offer: a group generation is pushed in the PSK or PK mode");
		buf = mikey_malloc(sizeof(*buf));
		if (buf == NULL)
			return mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
		if ((rc = ex_offer_from_group(offer, &eff, buf, err)) != MIKEY_OK)
			goto done;
	}
	ex = ex_new(ctx, offer->mode, true);
	if (ex == NULL) {
		rc = mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
		goto done;
	}
	const mikey_mode_ops *ops = mode_by_id(offer->mode);
	rc = ops != NULL ? ops->initiate(ex, &eff, msg, msg_len, err)
	                 : mikey_fail(err, MIKEY_ERR_UNSUPPORTED, "mode %d is not available", (int)offer->mode);
	if (rc == MIKEY_OK) {
		*out = ex;
		ex = NULL;
	}
done:
	mikey_exchange_free(ex);
	if (buf != NULL) {
		mikey_wipe(buf, sizeof(*buf));
		mikey_free(buf);
	}
	return rc;
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
		return mikey_fail(err, MIKEY_ERR_ARG, "mikey_respond: NULL argument");
	if (mikey_crypto_init() != MIKEY_OK)
		return mikey_fail(err, MIKEY_ERR_CRYPTO, "crypto self test failed");
	rc = mikey_msg_parse(msg, len, NULL, &m, err);
	if (rc != MIKEY_OK)
		goto reject;
	const mikey_mode_ops *ops = mode_by_data_type(m->hdr.data_type);
	if (ops == NULL) {
		rc = mikey_fail(err, MIKEY_ERR_DATA_TYPE, "data type %u is not an initiator message this responder handles",
		             m->hdr.data_type);
		goto reject;
	}
	ex = ex_new(ctx, ops->mode, false);
	if (ex == NULL) {
		rc = mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
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
		return mikey_fail(err, MIKEY_ERR_ARG, "mikey_exchange_finish: NULL argument");
	if (!ex->initiator || ex->state != EX_WAIT_RESPONSE)
		return mikey_fail(err, MIKEY_ERR_STATE, "the exchange is not waiting for a response");
	rc = mikey_msg_parse(msg, len, NULL, &m, err);
	if (rc != MIKEY_OK)
		return rc;
	if (m->hdr.csb_id != ex->csb_id) {
		rc = mikey_fail(err, MIKEY_ERR_ARG, "response is for CSB ID %08x, this exchange is %08x", m->hdr.csb_id,
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
		             : mikey_fail(err, MIKEY_ERR_UNSUPPORTED, "mode %d takes no response", (int)ex->mode);
	}
	mikey_msg_free(m);
	return rc;
}
