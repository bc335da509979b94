/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sdp_keymgmt.h - MIKEY in SDP (RFC 4567): take the MIKEY message and the
 * media address out of an SDP body from the network, and write the SDP
 * the agent sends. Parsing and printing go through sofia-sip's sdp_parse /
 * sdp_print, which carry a=key-mgmt as an ordinary attribute.
 *
 * Reading (RFC 4567 §3.1, §4.1.2): a=key-mgmt may sit at session level,
 * media level or both. Every "mikey" entry must carry the same message
 * (docs/interpretations.md §31: one CSB per SDP; two different MIKEY
 * messages are refused rather than guessed between). Entries of other
 * key-management protocols are skipped; with no "mikey" entry at all the
 * answer is 488 with Warning 306 (RFC 4567 §4.1.2).
 *
 * Ownership: sdp_intake_parse fills |out|, which the caller frees with
 * sdp_intake_clear. sdp_build returns a g_malloc'ed string.
 */
#ifndef AGENT_SDP_KEYMGMT_H
#define AGENT_SDP_KEYMGMT_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AGENT_SDP_ERROR (agent_sdp_error_quark())
GQuark agent_sdp_error_quark(void);

typedef enum {
	AGENT_SDP_ERR_MALFORMED, /* not SDP, too long, or sofia-sip refused it */
	AGENT_SDP_ERR_NO_MIKEY,  /* no a=key-mgmt:mikey (RFC 4567: Warning 306) */
	AGENT_SDP_ERR_ENCODING,  /* the key-mgmt data is not base64 */
	AGENT_SDP_ERR_CONFLICT,  /* two different MIKEY messages */
	AGENT_SDP_ERR_NO_MEDIA   /* no usable m=audio line and address */
} AgentSdpError;

/* The largest SDP body the agent reads. */
#define AGENT_SDP_MAX_BODY 65536

typedef struct sdp_intake {
	uint8_t *mikey; /* the MIKEY message (g_malloc), NULL without one */
	size_t mikey_len;
	char *media_addr; /* c= of the first audio stream (media or session level) */
	uint16_t media_port;
	unsigned media_ttl; /* the TTL of a multicast c= (RFC 4566 §5.7), 0: none */
	bool has_ssrc; /* a=ssrc (RFC 5576) of that stream */
	uint32_t ssrc;
} sdp_intake;

/* sdp_intake_parse reads |body| (|len| bytes, need not be NUL-terminated).
 * With |need_mikey| a body without MIKEY fails (AGENT_SDP_ERR_NO_MIKEY);
 * with |need_media| one without an audio stream fails. */
bool sdp_intake_parse(const char *body, size_t len, bool need_mikey, bool need_media, sdp_intake *out,
                      GError **err);
void sdp_intake_clear(sdp_intake *in);

/* What the agent offers or answers: one RTP/SAVP audio stream at
 * |addr|:|port| (port 0: the stream is not used), or at |group|:|port|
 * when |group| (an IPv4 multicast address) is set: c=IN IP4 GROUP/TTL
 * (RFC 4566 §5.7), o= keeps |addr|; the sender's SSRC when
 * |ssrc| is not 0, and the MIKEY message |mikey| at session level (NULL:
 * none). |session_id| and |version| go into o= (RFC 4566 §5.2: the
 * version grows with every new offer in the dialog). */
typedef struct sdp_out {
	const char *user;
	uint64_t session_id;
	uint64_t version;
	const char *addr;
	const char *group; /* NULL: the stream is at |addr| */
	unsigned ttl;      /* with |group| */
	uint16_t port;
	uint32_t ssrc;
	const uint8_t *mikey;
	size_t mikey_len;
} sdp_out;

/* sdp_build writes the SDP, checked by sofia-sip's parser and printed by
 * its printer. Returns NULL with |err| set when that fails. */
char *sdp_build(const sdp_out *o, GError **err);

#endif
