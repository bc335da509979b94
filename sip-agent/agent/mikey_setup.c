/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * mikey_setup.c - the agent's MIKEY context (mikey/exchange.h).
 */
#include "mikey_setup.h"

#include <string.h>

#include <mikey/error.h>
#include <mikey/types.h>

G_DEFINE_QUARK(agent-mikey-error-quark, agent_mikey_error)

bool agent_mikey_fail(GError **err, int rc, const mikey_error *me, const char *what)
{
	g_set_error(err, AGENT_MIKEY_ERROR, rc, "%s: %s: %s", what, mikey_error_name(rc),
	            me != NULL && me->message[0] != '\0' ? me->message : mikey_strerror(rc));
	return false;
}

bool agent_mikey_ctx_new(const agent_config *c, const char *psk_peer, mikey_ctx **out, GError **err)
{
	mikey_ctx *ctx = mikey_ctx_new();
	mikey_error me;
	int rc;

	*out = NULL;
	memset(&me, 0, sizeof(me));
	if (ctx == NULL) {
		g_set_error(err, AGENT_MIKEY_ERROR, MIKEY_ERR_NOMEM, "out of memory");
		return false;
	}
	mikey_ctx_set_clock(ctx, mikey_clock_system, NULL);
	mikey_ctx_set_max_skew(ctx, c->max_skew);
	rc = mikey_ctx_set_id(ctx, MIKEY_ID_URI, c->identity, strlen(c->identity));
	if (rc != MIKEY_OK) {
		agent_mikey_fail(err, rc, NULL, "identity");
		goto fail;
	}
	if (c->creds.key_pem != NULL) {
		rc = mikey_ctx_set_credentials(ctx, c->creds.cert_pem, c->creds.cert_len, c->creds.key_pem, c->creds.key_len,
		                               &me);
		if (rc != MIKEY_OK) {
			agent_mikey_fail(err, rc, &me, "[agent] cert / key");
			goto fail;
		}
	}
	if (c->creds.ca_pem != NULL) {
		rc = mikey_ctx_add_trust(ctx, c->creds.ca_pem, c->creds.ca_len, &me);
		if (rc != MIKEY_OK) {
			agent_mikey_fail(err, rc, &me, "[agent] ca");
			goto fail;
		}
	}
	if (c->creds.psk_len > 0) {
		rc = mikey_ctx_add_psk(ctx, psk_peer, psk_peer != NULL ? strlen(psk_peer) : 0, c->creds.psk,
		                       c->creds.psk_len);
		if (rc != MIKEY_OK) {
			agent_mikey_fail(err, rc, NULL, "[agent] psk");
			goto fail;
		}
	}
	*out = ctx;
	return true;
fail:
	mikey_ctx_free(ctx);
	return false;
}
