/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * mikey/srtp_tesla_group.h - one TESLA verifier per sender of a group, as
 * one receiver.
 *
 * In a group every member holds the SRTP group key, so any member could
 * forge packets in another member's SSRC; TESLA (RFC 4383) tells the real
 * sender apart, but each sender has its own key chain, commitment and
 * clock. mikey_srtp_tesla_group holds a mikey_srtp_tesla_rx per sender
 * SSRC (made from the crypto session and TESLA parameters each sender's
 * exchange gave, RFC 4442), routes every incoming SRTP / SRTCP packet to
 * the verifier of its SSRC in constant time, and hands out the packets
 * TESLA let through, sender by sender. A packet for an SSRC with no sender
 * is dropped and counted, never a crash.
 *
 * Ownership: the group owns its receivers; packets are copied. Not
 * thread-safe: one streaming thread uses a group.
 */
#ifndef MIKEY_SRTP_TESLA_GROUP_H
#define MIKEY_SRTP_TESLA_GROUP_H

#include "mikey/export.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mikey/error.h"
#include "mikey/exchange.h"
#include "mikey/srtp_tesla.h"
#include "mikey/tesla.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mikey_srtp_tesla_group mikey_srtp_tesla_group;

/* mikey_srtp_tesla_group_new makes an empty group receiver whose senders
 * get |cfg| and |rcfg| (NULL: defaults; copied). Returns MIKEY_OK,
 * MIKEY_ERR_ARG, MIKEY_ERR_NOMEM. */
MIKEY_API MIKEY_WARN_UNUSED int mikey_srtp_tesla_group_new(const mikey_srtp_tesla_config *cfg,
                                                           const mikey_tesla_receiver_config *rcfg,
                                                           mikey_srtp_tesla_group **out);

/* mikey_srtp_tesla_group_free wipes and frees |g| and its receivers. */
MIKEY_API void mikey_srtp_tesla_group_free(mikey_srtp_tesla_group *g);

/* mikey_srtp_tesla_group_add_sender adds the sender of crypto session |cs|
 * (its SSRC, keys, ROC, MKI and cs->tesla, with D_t set by the caller),
 * or, when that SSRC is already a sender, gives it the new key
 * (mikey_srtp_tesla_rx_rekey: nothing it holds is lost). Returns MIKEY_OK,
 * MIKEY_ERR_ARG (NULL, or |cs| carries no TESLA parameters), the codes of
 * mikey_srtp_tesla_rx_new / _rekey; on failure |g| is unchanged. */
MIKEY_API MIKEY_WARN_UNUSED int mikey_srtp_tesla_group_add_sender(mikey_srtp_tesla_group *g,
                                                                  const mikey_crypto_session *cs);

/* mikey_srtp_tesla_group_remove_sender drops sender |ssrc| and whatever it
 * still held. Returns MIKEY_OK or MIKEY_ERR_UNKNOWN_SSRC. */
MIKEY_API MIKEY_WARN_UNUSED int mikey_srtp_tesla_group_remove_sender(mikey_srtp_tesla_group *g, uint32_t ssrc);

/* mikey_srtp_tesla_group_count returns the number of senders. */
MIKEY_API size_t mikey_srtp_tesla_group_count(const mikey_srtp_tesla_group *g);

/* mikey_srtp_tesla_group_input_rtp / _input_rtcp route one packet received
 * at |now| to its sender's verifier (mikey_srtp_tesla_rx_input_rtp). A
 * packet too short to name an SSRC is MIKEY_SRTP_TESLA_MALFORMED, one of an
 * SSRC with no sender MIKEY_SRTP_TESLA_OTHER_SSRC (both counted), with
 * MIKEY_OK. Returns MIKEY_OK, MIKEY_ERR_ARG, MIKEY_ERR_CRYPTO. */
MIKEY_API MIKEY_WARN_UNUSED int mikey_srtp_tesla_group_input_rtp(mikey_srtp_tesla_group *g, const uint8_t *pkt,
                                                                 size_t len, uint64_t now,
                                                                 mikey_srtp_tesla_result *res);
MIKEY_API MIKEY_WARN_UNUSED int mikey_srtp_tesla_group_input_rtcp(mikey_srtp_tesla_group *g, const uint8_t *pkt,
                                                                  size_t len, uint64_t now,
                                                                  mikey_srtp_tesla_result *res);

/* mikey_srtp_tesla_group_next returns the next packet TESLA verified, of
 * any sender (*ssrc says whose), decrypted, as mikey_srtp_tesla_rx_next
 * does. Call it until MIKEY_ERR_NOT_FOUND after every input. Returns
 * MIKEY_OK, MIKEY_ERR_NOT_FOUND, MIKEY_ERR_ARG, MIKEY_ERR_LENGTH. */
MIKEY_API MIKEY_WARN_UNUSED int mikey_srtp_tesla_group_next(mikey_srtp_tesla_group *g, uint8_t *out, size_t cap,
                                                            size_t *out_len, bool *rtcp, uint32_t *ssrc);

/* mikey_srtp_tesla_group_get_counters fills |c| with sender |ssrc|'s
 * counters (MIKEY_ERR_UNKNOWN_SSRC when it is none);
 * mikey_srtp_tesla_group_dropped returns the packets dropped before any
 * sender saw them (malformed, or of no sender's SSRC). */
MIKEY_API MIKEY_WARN_UNUSED int mikey_srtp_tesla_group_get_counters(const mikey_srtp_tesla_group *g, uint32_t ssrc,
                                                                    mikey_srtp_tesla_rx_counters *c);
MIKEY_API uint64_t mikey_srtp_tesla_group_dropped(const mikey_srtp_tesla_group *g);

#ifdef __cplusplus
}
#endif
#endif
