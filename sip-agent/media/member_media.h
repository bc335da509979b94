/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * member_media.h - a conference member's media: GStreamer pipelines,
 * in-process, through GStreamer's public API, with the group-SRTP
 * elements (gst-plugin/: srtpgroupenc, srtpgroupdec) keyed from MIKEY
 * exchanges the SIP side completed.
 *
 *   send:    audiotestsrc ! rtpL16pay ssrc=S ! srtpgroupenc ! udpsink -> relay
 *   receive: udpsrc (same socket) ! srtpgroupdec ! appsink (counts per SSRC)
 *
 * Both pipelines share one UDP socket, so the relay sees a member's
 * packets come from the address it receives on. When relay_addr is an
 * IPv4 multicast group instead, the socket is bound to the group and its
 * port (shared: a leaver's eavesdropper binds it again), joins the group
 * on the interface of local_addr, sends there with multicast loopback off
 * (a member never hears itself) and TTL mcast_ttl. Sending starts when the
 * first key is installed. A new generation goes to the decoder at once and
 * to the encoder |switch_delay_ms| later (give every receiver the new key
 * before any sender uses it: RFC 4567 §4.1.2, RFC 4353 §4.1); the decoder
 * keeps the old key for |grace_ms| (a TESLA sender's previous key stays
 * until the rekey after: TESLA still holds packets sent under it).
 *
 * Runs on the thread-default GLib main context of the caller (timers).
 * Ownership: member_media_new returns an object freed with
 * member_media_free (pipelines stopped, keys wiped by the elements).
 * Errors: GError in MEMBER_MEDIA_ERROR.
 */
#ifndef MEMBER_MEDIA_H
#define MEMBER_MEDIA_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include <mikey/exchange.h>

#define MEMBER_MEDIA_ERROR (member_media_error_quark())
GQuark member_media_error_quark(void);

typedef enum {
	MEMBER_MEDIA_ERR_INIT,    /* GStreamer or the srtpgroup plugin missing */
	MEMBER_MEDIA_ERR_NETWORK, /* cannot bind / resolve */
	MEMBER_MEDIA_ERR_KEY,     /* the elements refused the exchange */
	MEMBER_MEDIA_ERR_ARG
} MemberMediaError;

/* member_media_init initialises GStreamer once per process and makes the
 * srtpgroup plugin findable: |plugin_dir| (the build tree's gst-plugin/,
 * or NULL for the installed one) is scanned. */
bool member_media_init(const char *plugin_dir, GError **err);

typedef struct member_media_config {
	const char *local_addr;  /* address to bind, e.g. "127.0.0.1" (with a
	                          * multicast group: the interface's) */
	uint16_t local_port;     /* 0: any free port (member_media_local_port);
	                          * with a multicast group: relay_port */
	const char *relay_addr;  /* where SRTP goes (the key server's relay, or
	                          * an IPv4 multicast group); NULL for a
	                          * receive-only member */
	uint16_t relay_port;
	unsigned mcast_ttl;      /* TTL with a multicast group, default 1 */
	uint32_t ssrc;           /* this member's sender SSRC */
	bool send;               /* false: receive only */
	unsigned packet_ms;      /* RTP packet duration, default 20 */
	/* TESLA (RFC 4383): this sender's chain seed K_n_c; NULL: no TESLA */
	const uint8_t *tesla_seed;
	size_t tesla_seed_len;
	unsigned grace_ms;        /* decoder keeps old keys this long (default 5000) */
	unsigned switch_delay_ms; /* encoder takes a new key this much later (default 500) */
} member_media_config;

typedef struct member_media member_media;

/* member_media_new builds both pipelines and starts receiving; sending
 * waits for the first key. */
bool member_media_new(const member_media_config *c, member_media **out, GError **err);
void member_media_free(member_media *m);

/* member_media_local_port: the UDP port the member receives on. */
uint16_t member_media_local_port(const member_media *m);

/* member_media_install gives a completed exchange (borrowed for the call)
 * to the decoder now and to the encoder now (first key) or after
 * switch_delay_ms (a rekey). The encoder gets only this member's own
 * crypto session (copied: the exchange may be freed before the switch).
 * Refused (MEMBER_MEDIA_ERR_KEY) when the exchange has no crypto session
 * for |ssrc| (nor one for any SSRC), when it makes |ssrc| a TESLA sender
 * and tesla_seed is not the seed of the chain it commits to (checked at
 * the first key), when a rekey changes |ssrc|'s TESLA parameters (the
 * chain outlives master keys), or when an element refuses it; a refused
 * first key leaves the sender silent. MEMBER_MEDIA_ERR_ARG: NULL or an
 * exchange that is not complete. */
bool member_media_install(member_media *m, const mikey_exchange *ex, GError **err);

/* member_media_set_destination sends to |addr|:|port| (a numeric IP
 * literal) from now on, while playing: a key server that took the group
 * over may relay elsewhere. Receiving is unchanged (the socket, and so the
 * port the relay sends to, stays). The same destination is a no-op.
 * MEMBER_MEDIA_ERR_ARG: NULL, port 0, or a member built without a
 * destination; MEMBER_MEDIA_ERR_NETWORK: not a numeric address of the
 * socket's IP version, or a move to, from or between multicast groups
 * (the socket is bound to its group: that needs new media). */
bool member_media_set_destination(member_media *m, const char *addr, uint16_t port, GError **err);

/* member_media_stop_sending stops the sender (leaving); receiving goes on
 * until member_media_free. */
void member_media_stop_sending(member_media *m);

/* member_media_forge sends |n| insider forgeries: packets under SSRC
 * |victim| protected with the group key from |ex| (a valid SRTP tag) but
 * with a TESLA MAC from a chain that is not the victim's. Tests and the
 * demo use it to show TESLA rejects them. They go to the relay from this
 * member's socket, with sequence numbers ahead of the last the member
 * received from |victim| (and its ROC: the exchange's plus the wraps
 * seen), so that only TESLA can tell them. MEMBER_MEDIA_ERR_KEY when
 * |ex| has no crypto session for |victim|, MEMBER_MEDIA_ERR_ARG when it
 * is no TESLA sender (or this member has no relay). */
bool member_media_forge(member_media *m, const mikey_exchange *ex, uint32_t victim, unsigned n, GError **err);

typedef struct member_media_stats {
	uint64_t sent;          /* RTP packets protected and sent */
	uint64_t received;      /* packets out of the decoder (decrypted) */
	uint64_t authenticated; /* ... of which TESLA verified the source */
	uint64_t forged;        /* dropped by TESLA: bad TESLA MAC or key */
	uint64_t dropped;       /* dropped for any other reason (no key, auth, replay,
	                         * unknown MKI, TESLA unsafe / late / overflow) */
	unsigned senders;       /* distinct SSRCs received */
	uint64_t forged_sent;   /* forgeries this member sent (member_media_forge) */
} member_media_stats;

void member_media_get_stats(member_media *m, member_media_stats *st);

/* member_media_received_from: packets from SSRC |ssrc| out of the
 * decoder (what a receiver heard of one sender). */
uint64_t member_media_received_from(member_media *m, uint32_t ssrc);

/* member_media_forgeries_received: packets out of the decoder that
 * member_media_forge made (their payload starts with a fixed mark): 0
 * while TESLA does its work. */
uint64_t member_media_forgeries_received(member_media *m);

/* member_media_last_error: the last warning or error a pipeline posted,
 * or a key the encoder refused at a delayed switch (g_free), NULL if
 * none: for the agent's log. */
char *member_media_last_error(member_media *m);

#endif
