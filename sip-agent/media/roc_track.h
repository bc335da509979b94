/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * roc_track.h - the rollover counter (ROC) of each SRTP stream the relay
 * forwards, estimated from the packets' clear RTP headers as a receiver
 * does (RFC 3711 §3.3.1), so that the key server can put each sender's
 * current ROC in the CS map it pushes (RFC 3830 §6.1.1) and a member
 * joining after a sender's sequence number wrapped starts right.
 *
 * The headers are not authenticated here (the relay holds no key): a
 * group member could skew the estimate for another's SSRC and so mislead
 * late joiners about it; it cannot read or forge media by it.
 *
 * Ownership: roc_track_new / roc_track_free. Bounded: at most
 * ROC_TRACK_MAX_STREAMS SSRCs are followed; later ones are not.
 */
#ifndef KS_ROC_TRACK_H
#define KS_ROC_TRACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ROC_TRACK_MAX_STREAMS 4096

typedef struct roc_track roc_track;

roc_track *roc_track_new(void);
void roc_track_free(roc_track *t);

/* roc_track_packet reads one datagram: an RTP packet (version 2, not an
 * RTCP packet type, RFC 5761 §4) updates its SSRC's estimate; anything
 * else is ignored. */
void roc_track_packet(roc_track *t, const uint8_t *pkt, size_t len);

/* roc_track_get: the ROC of |ssrc| (false when never seen). */
bool roc_track_get(const roc_track *t, uint32_t ssrc, uint32_t *roc);

#endif
