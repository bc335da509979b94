/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sip_ua.h - sofia-sip's nua on the GLib main loop, set up the way MIKEY
 * in SDP needs it: sofia-sip's offer/answer engine (soa) off, because it
 * answers re-INVITEs and UPDATEs from the old SDP by itself while a MIKEY
 * answer depends on each offer (RFC 4567 §4.1.2). The agent carries the
 * SDP body itself (Content-Type application/sdp, the payload).
 *
 * Ownership: sip_ua_new / sip_ua_free (which shuts nua down, running the
 * default main context until it has, at most 5 s).
 */
#ifndef AGENT_SIP_UA_H
#define AGENT_SIP_UA_H

#include <glib.h>
#include <stdbool.h>

#include <sofia-sip/nua.h>
#include <sofia-sip/sip.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/su_glib.h>

typedef struct sip_ua {
	su_root_t *root;
	nua_t *nua;
	bool shut_down;
} sip_ua;

/* sip_ua_new binds |bind_url| (e.g. "sip:127.0.0.1:5070"); |from| is the
 * From of requests we send; |proxy| (may be NULL) the outbound proxy;
 * |timeout_ms| (0: RFC 3261's 64*T1 = 32 s) how long a transaction waits
 * for its answer or ACK. Events go to |cb| with |magic|. */
bool sip_ua_new(const char *bind_url, const char *from, const char *proxy, unsigned timeout_ms, nua_callback_f cb,
                void *magic, sip_ua **out, GError **err);
void sip_ua_free(sip_ua *ua);

/* sip_ua_sdp_body: the SDP payload of |sip| (NULL and *len 0 when the
 * message has none or it is not application/sdp). */
const char *sip_ua_sdp_body(const sip_t *sip, size_t *len);

/* sip_ua_warning formats a Warning header value (RFC 3261 §20.43):
 * "|code| |agent| \"|text|\"" with quotes and backslashes in |text|
 * replaced. g_free it. */
char *sip_ua_warning(unsigned code, const char *agent, const char *text);

#endif
