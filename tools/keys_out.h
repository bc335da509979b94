/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* keys_out.h - printing the crypto sessions of a completed exchange. */
#ifndef MIKEY_TOOL_KEYS_OUT_H
#define MIKEY_TOOL_KEYS_OUT_H

#include <stdbool.h>
#include <stdio.h>

#include <mikey/exchange.h>
#include <mikey/kdf.h>
#include <mikey/mikey.h>

/* keys_print writes every crypto session of |ex| (complete) to |f|: text
 * for people, or with |json| exactly
 *   {"crypto_sessions":[{"cs_id":N,"ssrc":N,"roc":N,"master_key":"HEX",
 *     "master_salt":"HEX","mki":"HEX"|null,"srtp_policy":{...}}]}
 * where srtp_policy has one member per field of mikey_srtp_policy.
 * Returns MIKEY_OK or the error of mikey_exchange_get_cs (in |err|). */
int keys_print(FILE *f, const mikey_exchange *ex, bool json, mikey_error *err);

#endif
