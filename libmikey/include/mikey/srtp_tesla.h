/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * mikey/srtp_tesla.h - complete SRTP / SRTCP packets with TESLA source
 * authentication (RFC 4383 §4.2-§4.6) on top of libsrtp2 (libmikey links
 * libsrtp2; `pkg-config --cflags --libs libmikey` brings both).
 *
 * Who does what:
 *  - libsrtp2 encrypts and decrypts (AES-CM, policy with NULL auth, i.e.
 *    RFC 3711 §3.3 steps 1-5 and the decryption step), keeps its own
 *    replay database, and, for SRTCP, writes E||SRTCP index;
 *  - mikey_tesla_sender / mikey_tesla_receiver (mikey/tesla.h) append and
 *    verify the TESLA extension (RFC 4383 §4.1, RFC 4082 §3.5);
 *  - this glue adds the MKI and the SRTP tag, which covers the extension
 *    (RFC 4383 §4.6): HMAC-SHA1 keyed with the session authentication key
 *    that RFC 3711 §4.3 derives from the group master key and salt (AES-CM
 *    PRF through libmikey's crypto seam; libsrtp2 does not export it).
 *
 * Order on the receiver (RFC 4383 §4.4.2): index estimate, replay check
 * against the TESLA-verified list, MKI, SRTP tag, TESLA buffering; packets
 * come out of mikey_srtp_tesla_rx_next only after TESLA verification, and
 * only then does libsrtp2 decrypt them and update its replay list, ROC and
 * s_l. The SRTP tag only keeps outsiders out: any group member can make a
 * valid tag, only the TESLA sender a valid TESLA MAC.
 *
 * One object serves one SSRC (the crypto session's) and its SRTCP; run
 * one per SSRC for many (they share nothing but libsrtp2's start-up). A
 * new master key is taken with the _rekey calls, which keep the TESLA
 * state, the ROC and the replay lists.
 * Sans-I/O: the caller passes the time (NTP 64-bit) of sending/arrival.
 */
#ifndef MIKEY_SRTP_TESLA_H
#define MIKEY_SRTP_TESLA_H

#include "mikey/export.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mikey/error.h"
#include "mikey/exchange.h"
#include "mikey/tesla.h"

#ifdef __cplusplus
extern "C" {
#endif

/* RFC 4383 §6: "It is RECOMMENDED that the SRTP MAC be truncated to 32
 * bits". */
#define MIKEY_SRTP_TESLA_TAG_LEN_DEFAULT 4
/* Largest SRTP tag (untruncated HMAC-SHA1). */
#define MIKEY_SRTP_TESLA_TAG_LEN_MAX 20

typedef struct mikey_srtp_tesla_config {
	size_t tag_len;        /* SRTP / SRTCP tag bytes, 1..20; 0 = 4 */
	unsigned long window;  /* libsrtp2 replay window (packets, 64..32767);
	                        * 0 = 4096. Must cover d intervals of traffic:
	                        * libsrtp2 sees packets only when released. */
} mikey_srtp_tesla_config;

/* ---- Sender ---- */

typedef struct mikey_srtp_tesla_tx mikey_srtp_tesla_tx;

/* mikey_srtp_tesla_tx_new creates a sender for crypto session |cs| (master
 * key and salt, SSRC, initial ROC, MKI; cs->policy must be AES-CM with a
 * 16 or 32-byte key, 14-byte salt, PRF AES-CM, KDR 0, encryption on) with
 * TESLA sender |sender|, which it borrows: |sender| must outlive the
 * object. |cfg| may be NULL (defaults). Copies the keys it needs.
 * Returns MIKEY_OK, MIKEY_ERR_ARG, MIKEY_ERR_POLICY (|cs|'s policy is not
 * one we run), MIKEY_ERR_NOMEM, MIKEY_ERR_CRYPTO (libsrtp2 or the KDF
 * failed). */
MIKEY_API MIKEY_WARN_UNUSED int mikey_srtp_tesla_tx_new(const mikey_crypto_session *cs, const mikey_srtp_tesla_config *cfg,
                                              mikey_tesla_sender *sender, mikey_srtp_tesla_tx **out);

/* mikey_srtp_tesla_tx_free wipes and frees |tx|; NULL is fine. */
MIKEY_API void mikey_srtp_tesla_tx_free(mikey_srtp_tesla_tx *tx);

/* mikey_srtp_tesla_tx_overhead returns how many bytes protect adds to an
 * RTP (|rtcp| false) or RTCP packet: extension, MKI, tag (and 4 bytes of
 * E||index for RTCP). */
MIKEY_API size_t mikey_srtp_tesla_tx_overhead(const mikey_srtp_tesla_tx *tx, bool rtcp);

/* mikey_srtp_tesla_tx_protect_rtp turns the RTP packet buf[0, len) (SSRC
 * of the crypto session) into the RFC 4383 §4.2 SRTP packet in place:
 * header || encrypted payload || i || K_{i-d} || TESLA MAC || MKI ||
 * tag; |cap| is the size of |buf|, |now| the sending time. *out_len gets
 * the new length. Returns MIKEY_OK, MIKEY_ERR_ARG (not RTP version 2, too
 * short, other SSRC), MIKEY_ERR_LENGTH (|cap| too small), MIKEY_ERR_STATE
 * (see mikey_tesla_sender_protect_rtp), MIKEY_ERR_CRYPTO (libsrtp2 refused,
 * e.g. a repeated sequence number). */
MIKEY_API MIKEY_WARN_UNUSED int mikey_srtp_tesla_tx_protect_rtp(mikey_srtp_tesla_tx *tx, uint8_t *buf, size_t len, size_t cap,
                                                      uint64_t now, size_t *out_len);

/* mikey_srtp_tesla_tx_protect_rtcp is the SRTCP form (RFC 4383 §4.5):
 * header || encrypted portion || E||index || extension || MKI || tag.
 * Same return codes. */
MIKEY_API MIKEY_WARN_UNUSED int mikey_srtp_tesla_tx_protect_rtcp(mikey_srtp_tesla_tx *tx, uint8_t *buf, size_t len,
                                                       size_t cap, uint64_t now, size_t *out_len);

/* mikey_srtp_tesla_tx_rekey switches |tx| to the next master key: crypto
 * session |cs| of the same SSRC (its master key, salt and MKI; cs->roc is
 * not used), from the next packet on (RFC 3711 §8.1: at a packet
 * boundary). The TESLA sender and its chain are untouched; libsrtp2 keeps
 * the stream's ROC, s_l and SRTCP index (srtp_update_stream); the old key
 * is wiped. Both keys must have an MKI, of the same length, and differ:
 * receivers tell them apart by it. Returns MIKEY_OK, MIKEY_ERR_ARG (NULL,
 * other SSRC, no or same MKI, other MKI length), MIKEY_ERR_POLICY,
 * MIKEY_ERR_CRYPTO, MIKEY_ERR_NOMEM; on failure |tx| is unchanged. */
MIKEY_API MIKEY_WARN_UNUSED int mikey_srtp_tesla_tx_rekey(mikey_srtp_tesla_tx *tx, const mikey_crypto_session *cs);

/* ---- Receiver ---- */

typedef struct mikey_srtp_tesla_rx mikey_srtp_tesla_rx;

/* Why the SRTP layer dropped a packet before TESLA saw it; or
 * MIKEY_SRTP_TESLA_PASSED when TESLA got it (see the verdict). */
typedef enum mikey_srtp_tesla_status {
	MIKEY_SRTP_TESLA_PASSED = 0, /* handed to TESLA: see |tesla| */
	MIKEY_SRTP_TESLA_MALFORMED,  /* too short, not version 2 */
	MIKEY_SRTP_TESLA_OTHER_SSRC, /* not this crypto session's SSRC */
	MIKEY_SRTP_TESLA_REPLAY,     /* index TESLA-verified already, or too old */
	MIKEY_SRTP_TESLA_BAD_MKI,    /* MKI is not the crypto session's */
	MIKEY_SRTP_TESLA_BAD_TAG     /* SRTP tag mismatch (outsider) */
} mikey_srtp_tesla_status;

typedef struct mikey_srtp_tesla_result {
	mikey_srtp_tesla_status status;
	mikey_tesla_verdict tesla; /* when status is PASSED */
	uint64_t index;            /* estimated SRTP index / SRTCP index */
} mikey_srtp_tesla_result;

typedef struct mikey_srtp_tesla_rx_counters {
	uint64_t malformed, other_ssrc, replay, bad_mki, bad_tag;
	uint64_t released;     /* decrypted and returned by _next */
	uint64_t decrypt_fail; /* TESLA-verified but libsrtp2 refused */
	mikey_tesla_counters tesla;
} mikey_srtp_tesla_rx_counters;

/* mikey_srtp_tesla_rx_new creates a receiver for crypto session |cs| (as
 * for the sender) and TESLA parameters |p| as bootstrapped (RFC 4442),
 * with D_t set, receiver limits |rcfg| (NULL = defaults) and |cfg| (NULL =
 * defaults). Returns the codes of mikey_srtp_tesla_tx_new and of
 * mikey_tesla_receiver_new. */
MIKEY_API MIKEY_WARN_UNUSED int mikey_srtp_tesla_rx_new(const mikey_crypto_session *cs, const mikey_srtp_tesla_config *cfg,
                                              const mikey_tesla_params *p, const mikey_tesla_receiver_config *rcfg,
                                              mikey_srtp_tesla_rx **out);

/* mikey_srtp_tesla_rx_free wipes and frees |rx| and all it holds. */
MIKEY_API void mikey_srtp_tesla_rx_free(mikey_srtp_tesla_rx *rx);

/* mikey_srtp_tesla_rx_input_rtp takes one SRTP packet as received at
 * |now|. A dropped packet is no error: |res| says what happened.
 * Returns MIKEY_OK, MIKEY_ERR_ARG, MIKEY_ERR_CRYPTO. */
MIKEY_API MIKEY_WARN_UNUSED int mikey_srtp_tesla_rx_input_rtp(mikey_srtp_tesla_rx *rx, const uint8_t *pkt, size_t len,
                                                    uint64_t now, mikey_srtp_tesla_result *res);

/* mikey_srtp_tesla_rx_input_rtcp: the same for SRTCP. */
MIKEY_API MIKEY_WARN_UNUSED int mikey_srtp_tesla_rx_input_rtcp(mikey_srtp_tesla_rx *rx, const uint8_t *pkt, size_t len,
                                                     uint64_t now, mikey_srtp_tesla_result *res);

/* mikey_srtp_tesla_rx_next returns the next TESLA-verified packet,
 * decrypted by libsrtp2: the plain RTP (or RTCP, *rtcp true) packet in
 * out[0, *out_len). Call it until MIKEY_ERR_NOT_FOUND after every input.
 * Returns MIKEY_OK, MIKEY_ERR_NOT_FOUND, MIKEY_ERR_ARG, MIKEY_ERR_LENGTH
 * (|cap| too small; *out_len says how much is needed, nothing is lost).
 * A verified packet libsrtp2 refuses is counted (decrypt_fail) and
 * skipped. */
MIKEY_API MIKEY_WARN_UNUSED int mikey_srtp_tesla_rx_next(mikey_srtp_tesla_rx *rx, uint8_t *out, size_t cap, size_t *out_len,
                                               bool *rtcp);

/* mikey_srtp_tesla_rx_rekey adds the sender's next master key (crypto
 * session |cs| of the same SSRC; MKI rules as for
 * mikey_srtp_tesla_tx_rekey) without losing what the receiver holds: the
 * TESLA buffers, the TESLA-verified replay list and the index estimate go
 * on. Packets are told apart by MKI on input; packets TESLA still holds
 * that came under the previous key are decrypted with it when released
 * (the one before that is dropped: a third key before they are released
 * makes them fail, counted in decrypt_fail). The current key again (same
 * MKI, same key: a generation re-sent with more senders) changes nothing
 * and returns MIKEY_OK; another key under the current MKI is MIKEY_ERR_ARG.
 * Returns the codes of mikey_srtp_tesla_tx_rekey; on failure |rx| is
 * unchanged. */
MIKEY_API MIKEY_WARN_UNUSED int mikey_srtp_tesla_rx_rekey(mikey_srtp_tesla_rx *rx, const mikey_crypto_session *cs);

/* mikey_srtp_tesla_rx_get_counters fills |c|. */
MIKEY_API void mikey_srtp_tesla_rx_get_counters(const mikey_srtp_tesla_rx *rx, mikey_srtp_tesla_rx_counters *c);

#ifdef __cplusplus
}
#endif
#endif
