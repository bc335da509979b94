/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * srtpgroup_tesla.h - TESLA source authentication (RFC 4383) for the
 * elements' SSRCs whose crypto session carries TESLA parameters (RFC 4442
 * bootstrapping in the MIKEY message).
 *
 * Sender: one libmikey mikey_srtp_tesla_tx per TESLA SSRC, with the
 * sender's own key chain. The chain's seed is a secret only that sender
 * has (mikey-tool create --tesla-seed); the element takes seeds in its
 * tesla-seed property and gives each SSRC the seed whose chain ends in the
 * commitment its MIKEY message carries, so a wrong seed is refused, not
 * used.
 * Receiver: libmikey's mikey_srtp_tesla_group, one verifier per sender:
 * packets are held until their key is disclosed, and only those TESLA
 * verified come out; an insider holding the group key cannot make a packet
 * of another member pass.
 *
 * Not thread-safe: used under the element's lock.
 */
#ifndef SRTPGROUP_TESLA_H
#define SRTPGROUP_TESLA_H

#include <gst/gst.h>

#include <mikey/exchange.h>
#include <mikey/srtp_tesla.h>

G_BEGIN_DECLS

typedef struct SgTesla SgTesla;

SgTesla *sg_tesla_new(gboolean sender);
void sg_tesla_free(SgTesla *t);

/* Receiver: bound on how far our clock lags the senders', as an NTP 32.32
 * duration (D_t, RFC 4383 §4.3 item 9, set by the receiver: RFC 4442 §4.3). */
void sg_tesla_set_lag(SgTesla *t, guint64 d_t);

/* Receiver: at most |packets| held per sender awaiting their keys (and
 * 2 KiB each in bytes); applies to senders installed after it is set. */
void sg_tesla_set_max_held(SgTesla *t, guint packets);

/* Sender: the chain seeds, hex, comma separated (copied, wiped on
 * replace and free). */
void sg_tesla_set_seeds(SgTesla *t, const gchar *hex_list);

/* sg_tesla_install takes the crypto sessions with TESLA parameters
 * (cs->has_tesla) of one installation: a new sender / verifier per SSRC,
 * or the new master key of a known one (a rekey keeps the chain, ROC and
 * what the receiver holds). FALSE with |err| (nothing changed for that
 * SSRC). */
gboolean sg_tesla_install(SgTesla *t, const mikey_crypto_session *cs, GError **err);

/* sg_tesla_install_all installs the TESLA crypto sessions of cs[0, n). A
 * sender installs those its seeds belong to (the others are other
 * members'); none of them is an error (no or wrong tesla-seed). */
gboolean sg_tesla_install_all(SgTesla *t, const mikey_crypto_session *cs, gsize n, GError **err);

/* TRUE when |ssrc| is a TESLA SSRC here. */
gboolean sg_tesla_has(const SgTesla *t, guint32 ssrc);

/* Bytes a sender adds to a packet of |ssrc| at most. */
gsize sg_tesla_overhead(const SgTesla *t, guint32 ssrc, gboolean rtcp);

/* Sender: protect buf[0, len) in place at NTP time |now|. A MIKEY code. */
int sg_tesla_protect(SgTesla *t, guint32 ssrc, gboolean rtcp, guint8 *buf, gsize len, gsize cap, guint64 now,
                     gsize *out_len);

/* Receiver: take one packet buf[0, len) (mapped from |src|) received at
 * |now|; *verdict_rc is MIKEY_OK when TESLA holds it, or the MIKEY code of
 * why it was dropped. A held RTP packet's timestamps, flags and metas (of
 * |src|) come back on it from sg_tesla_next. Returns a MIKEY code for hard
 * failures only. */
int sg_tesla_input(SgTesla *t, gboolean rtcp, GstBuffer *src, const guint8 *buf, gsize len, guint64 now,
                   int *verdict_rc);

/* Receiver: the next verified, decrypted packet (a new buffer), or NULL.
 * *rtcp says which kind; *ssrc whose. */
GstBuffer *sg_tesla_next(SgTesla *t, gboolean *rtcp, guint32 *ssrc);

/* The largest d * T_int over the senders plus D_t, in nanoseconds: how long
 * a receiver holds a packet at most before its key is disclosed. */
GstClockTime sg_tesla_latency(const SgTesla *t);

/* Adds tesla-verified, tesla-unsafe, tesla-forged, tesla-late,
 * tesla-bad-key, tesla-held to the stats structure of |ssrc| when it is a
 * TESLA SSRC (receivers), or tesla-protected (senders). */
void sg_tesla_add_stats(const SgTesla *t, guint32 ssrc, GstStructure *s);

/* Every TESLA SSRC, for the stats of SSRCs with no plain stream. */
GList *sg_tesla_ssrcs(const SgTesla *t);

G_END_DECLS
#endif
