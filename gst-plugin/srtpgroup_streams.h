/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * srtpgroup_streams.h - the keyed SRTP state of one srtpgroupenc or
 * srtpgroupdec: a mikey_srtp_sess (one libsrtp2 context per SSRC, several
 * master keys per stream told apart by MKI) plus what the element needs on
 * top of it: keys for SSRCs not yet seen, rekeys with a grace period for the
 * old keys, and per-SSRC statistics.
 *
 * Keys arrive as arrays of mikey_crypto_session (from a MIKEY exchange, from
 * srtpdec-style caps, or from srtpenc-style properties):
 *  - a crypto session with SSRC != 0 keys that SSRC;
 *  - one with SSRC 0 keys any SSRC not listed: the first packet of such an
 *    SSRC makes its stream (docs/interpretations.md, "SSRC 0 in a CS map").
 * Installing keys for a stream that exists is a rekey (RFC 3830 §4.5): the
 * new keys join the stream, whose ROC and replay state stay; a sender
 * protects with the first new key from the next packet on and wipes the old
 * ones; a receiver keeps accepting the old ones for the grace period, then
 * wipes them.
 *
 * Not thread-safe: the element holds its lock around every call.
 */
#ifndef SRTPGROUP_STREAMS_H
#define SRTPGROUP_STREAMS_H

#include <gst/gst.h>

#include <mikey/exchange.h>
#include <mikey/srtp_session.h>

G_BEGIN_DECLS

typedef struct SgStreams SgStreams;

/* A key-usage event libsrtp2 or the session raised, for the element to
 * signal once it has dropped its lock. */
typedef struct SgEvent {
	guint32 ssrc;
	gboolean hard; /* hard limit (packets refused) rather than soft */
	gboolean rtcp;
} SgEvent;

/* sg_streams_new makes the state for a sender (|sender| TRUE: protect) or a
 * receiver, with replay window |window| (64..32767 packets, 0 = 128).
 * NULL with |err| set when libsrtp2 cannot start. Free with
 * sg_streams_free, which wipes every key. */
SgStreams *sg_streams_new(gboolean sender, guint window, GError **err);

/* sg_streams_new_full also sets the key-usage limits of RFC 3711 §9.2:
 * packets per master key (SRTP and SRTCP alike; 0: 2^48 and 2^31) and how
 * many before it the soft-limit event fires (0: 2^16), and for a sender
 * whether an RTP packet may be protected again (mikey_srtp_sess_config's
 * allow_repeat_tx). */
SgStreams *sg_streams_new_full(gboolean sender, guint window, guint64 key_limit, guint64 soft_margin,
                               gboolean allow_repeat_tx, GError **err);
void sg_streams_free(SgStreams *s);

/* Grace period for retired receiver keys, in microseconds (0: at once). */
void sg_streams_set_grace(SgStreams *s, gint64 grace_us);
/* Senders: mikey_srtp_sess_set_allow_repeat_tx, from the next packet. */
void sg_streams_set_allow_repeat_tx(SgStreams *s, gboolean allow);

/* sg_streams_install installs |n| crypto sessions at monotonic time
 * |now_us|. Every session is checked against libsrtp2 before anything
 * changes; on failure nothing was installed (except after out-of-memory
 * inside libsrtp2, named in |err|). */
gboolean sg_streams_install(SgStreams *s, const mikey_crypto_session *cs, gsize n, gint64 now_us, GError **err);

/* sg_streams_protect / sg_streams_unprotect work on buf[0, len) in place;
 * |cap| is the room for the sender's MKI and tag. Return a MIKEY code
 * (MIKEY_ERR_UNKNOWN_SSRC: no stream and no key for any SSRC) and count
 * the packet in the statistics either way. *ssrc gets the packet's SSRC
 * (0 when it has none). */
int sg_streams_protect(SgStreams *s, gboolean rtcp, guint8 *buf, gsize len, gsize cap, gsize *out_len,
                       guint32 *ssrc, gint64 now_us);
int sg_streams_unprotect(SgStreams *s, gboolean rtcp, guint8 *buf, gsize len, gsize *out_len, guint32 *ssrc,
                         gint64 now_us);

/* Count a packet dropped because its SSRC has no key. */
void sg_streams_count_no_key(SgStreams *s);

/* sg_streams_has_key: the SSRC has a stream, or there is a key for any SSRC. */
gboolean sg_streams_has_key(const SgStreams *s, guint32 ssrc);

/* sg_streams_remove drops the stream of |ssrc| (FALSE: none);
 * sg_streams_clear drops every stream and key. Keys are wiped. */
gboolean sg_streams_remove(SgStreams *s, guint32 ssrc);
void sg_streams_clear(SgStreams *s);

/* Events raised since the last call, oldest first; *n gets their number.
 * g_free the result (NULL when none). */
SgEvent *sg_streams_take_events(SgStreams *s, gsize *n);

/* sg_streams_stats returns a new application/x-srtpgroup-stats structure:
 * "streams" (GstValueArray of application/x-srtpgroup-stream: ssrc,
 * packets, bytes, rtcp-packets, auth-failures, replays, unknown-mki,
 * other-errors, roc, mki, keys) and element-wide "no-key-drops",
 * "malformed". */
GstStructure *sg_streams_stats(const SgStreams *s);

/* The packet's SSRC: RTP (RFC 3550 §5.1) or the first RTCP packet's sender
 * SSRC (§6.4.1). FALSE for a packet too short to hold one or not RTP
 * version 2. */
gboolean sg_packet_ssrc(const guint8 *buf, gsize len, gboolean rtcp, guint32 *ssrc);

G_END_DECLS
#endif
