/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * confevent.h - the conference event package (RFC 4575) as far as the key
 * server announces membership: who is in the group (user entity, endpoint
 * status, its audio source's SSRC as <src-id>) and who left (a partial
 * notification with the user in state "deleted", RFC 4575 §5.6).
 *
 * Ownership: strings returned are g_malloc'ed; the parse result is the
 * caller's (g_ptr_array_unref).
 */
#ifndef AGENT_CONFEVENT_H
#define AGENT_CONFEVENT_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#define CONFEVENT_EVENT "conference"
#define CONFEVENT_TYPE "application/conference-info+xml"

typedef struct confevent_user {
	const char *entity; /* the member's URI */
	uint32_t ssrc;
} confevent_user;

/* confevent_full: every current user (RFC 4575 §5.1 state="full"). */
char *confevent_full(const char *conf_uri, unsigned version, const confevent_user *users, size_t n);
/* confevent_change: one user joined (|deleted| false) or left. */
char *confevent_change(const char *conf_uri, unsigned version, const confevent_user *user, bool deleted);

/* confevent_departed reads a conference-info document: its version into
 * *version (0 when absent) and the entities of users in state "deleted"
 * (GPtrArray of char*, owning); NULL with |err| set when the body is not
 * well-formed XML. A receiver ignores a document whose version is not
 * above the last it saw (RFC 4575 §4.6: sofia-sip repeats the last body
 * when a subscription ends). */
GPtrArray *confevent_departed(const char *body, size_t len, unsigned *version, GError **err);

#endif
