/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * mikey_setup.h - the agent's MIKEY context from its configuration, and
 * MIKEY errors as the agent reports them.
 */
#ifndef AGENT_MIKEY_SETUP_H
#define AGENT_MIKEY_SETUP_H

#include <glib.h>
#include <stdbool.h>

#include <mikey/exchange.h>

#include "config.h"

#define AGENT_MIKEY_ERROR (agent_mikey_error_quark())
GQuark agent_mikey_error_quark(void);

/* agent_mikey_ctx_new: a context with the system clock, our identity (ID
 * type URI), the configured skew, our certificate, key and CA when set,
 * and |c|->creds.psk as the PSK for peer |psk_peer| (may be NULL: the
 * default PSK). The caller frees it with mikey_ctx_free. */
bool agent_mikey_ctx_new(const agent_config *c, const char *psk_peer, mikey_ctx **out, GError **err);

/* agent_mikey_fail sets |err| from a libmikey failure: the error's name,
 * its message, and |what| (e.g. "INVITE from sip:alice@..."). Returns
 * false. */
bool agent_mikey_fail(GError **err, int rc, const mikey_error *me, const char *what);

#endif
