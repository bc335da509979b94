/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rcc.h - RFC 4771 Roll-over Counter Carrying (RCCm1, RCCm2, RCCm3) for
 * SRTP: which packets carry the ROC, what their tag is, and how a receiver
 * checks it and learns the sender's ROC. libsrtp2 2.5 knows no RCC, so the
 * SRTP sessions (srtp_session.c) run libsrtp2 with NULL SRTP auth and put
 * these tags on and take them off themselves, as the TESLA glue does.
 * Pure functions over bytes and keys; no libsrtp2, no state. Internal to
 * src/srtp/; tests include it.
 *
 * Packet layout (RFC 3711 §3.1: the MKI comes before the tag):
 *   header || encrypted portion || [MKI] || [tag]
 * where the tag is, by mode and by SEQ (RFC 4771 §2, §3, §5):
 *   SEQ = 0 mod R, RCCm1/RCCm2: ROC_sender (4, big-endian) || MAC_tr
 *                               (tag_len - 4 bytes)
 *   SEQ = 0 mod R, RCCm3:       ROC_sender (tag_len = 4)
 *   otherwise, RCCm2:           the RFC 3711 §4.2.1 tag, tag_len bytes
 *   otherwise, RCCm1/RCCm3:     nothing
 * MAC = HMAC-SHA1(SRTP session auth key, Authenticated Portion || ROC),
 * the Authenticated Portion being header || encrypted portion (§3.1).
 */
#ifndef MIKEY_SRTP_RCC_H
#define MIKEY_SRTP_RCC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mikey/srtp.h"

#define MIKEY_RCC_ROC_LEN 4     /* RFC 4771 §2: ROC_sender in the tag */
#define MIKEY_RCC_AUTH_KEY_LEN 20 /* RFC 3711 §4.2.1 HMAC-SHA1 key */

/* The RCC transform of one SRTP stream: plain data. */
typedef struct mikey_rcc {
	uint8_t mode;    /* 1, 2 or 3 (RCCm1..RCCm3) */
	uint32_t rate;   /* R, 1..65535 */
	size_t tag_len;  /* n of RFC 4771 §5: 5..20 (modes 1, 2), 4 (mode 3) */
} mikey_rcc;

/* mikey_rcc_init fills |r| from |p| when its SRTP integrity transform is
 * RCC. Returns MIKEY_OK, MIKEY_ERR_ARG (NULL), MIKEY_ERR_NOT_FOUND (not an
 * RCC policy), MIKEY_ERR_POLICY (R or tag length out of range; the SP
 * check refuses those before). */
int mikey_rcc_init(mikey_rcc *r, const mikey_srtp_policy *p);

/* mikey_rcc_carries_roc: does the packet with |seq| carry the ROC
 * (SEQ = 0 mod R, RFC 4771 §2)? */
bool mikey_rcc_carries_roc(const mikey_rcc *r, uint16_t seq);

/* mikey_rcc_trailer_len is the length of the tag the packet with |seq|
 * has (table above): tag_len, or 0 (modes 1 and 3, no ROC). */
size_t mikey_rcc_trailer_len(const mikey_rcc *r, uint16_t seq);

/* mikey_rcc_auth_key derives the SRTP session authentication key (RFC
 * 3711 §4.3.1, label 0x01, KDR 0: it does not depend on the ROC, so the
 * "ROC found in the packet" of RFC 4771 §2 changes nothing in it) from
 * the master key (16, 24 or 32 bytes) and 14-byte salt into |auth|.
 * Returns MIKEY_OK, MIKEY_ERR_ARG, MIKEY_ERR_CRYPTO. */
int mikey_rcc_auth_key(const uint8_t *master_key, size_t key_len, const uint8_t *salt,
                       uint8_t auth[MIKEY_RCC_AUTH_KEY_LEN]);

/* mikey_rcc_put_tag writes the tag of a packet (sender, RFC 4771 §2) into
 * tag[0, mikey_rcc_trailer_len(r, seq)): |covered| is the Authenticated
 * Portion pkt[0, covered_len), |roc| the sender's ROC for the packet.
 * Returns MIKEY_OK, MIKEY_ERR_ARG, MIKEY_ERR_CRYPTO. */
int mikey_rcc_put_tag(const mikey_rcc *r, const uint8_t auth[MIKEY_RCC_AUTH_KEY_LEN], const uint8_t *covered,
                      size_t covered_len, uint16_t seq, uint32_t roc, uint8_t *tag);

/* mikey_rcc_check_tag checks the tag tag[0, mikey_rcc_trailer_len(r, seq))
 * of a received packet (receiver, RFC 4771 §2, §3) and says which ROC the
 * packet is to be processed with:
 *  - ROC-carrying, modes 1/2: MAC over covered || ROC_sender, compared in
 *    constant time; *roc = ROC_sender;
 *  - ROC-carrying, mode 3: no MAC; *roc = ROC_sender, or |local_roc| when
 *    |trust_local| (the application says the ROC is synchronised: RFC 4771
 *    §3 "SHOULD ignore the ROC value from the packet");
 *  - mode 2, no ROC: the RFC 3711 tag with |local_roc|; *roc = local_roc;
 *  - modes 1/3, no ROC: nothing to check; *roc = local_roc.
 * *from_packet tells whether *roc came from the packet. Returns MIKEY_OK,
 * MIKEY_ERR_AUTH (MAC mismatch: drop the packet, keep the local ROC),
 * MIKEY_ERR_ARG, MIKEY_ERR_CRYPTO. */
MIKEY_WARN_UNUSED int mikey_rcc_check_tag(const mikey_rcc *r, const uint8_t auth[MIKEY_RCC_AUTH_KEY_LEN],
                                          const uint8_t *covered, size_t covered_len, uint16_t seq,
                                          const uint8_t *tag, uint32_t local_roc, bool trust_local, uint32_t *roc,
                                          bool *from_packet);

#endif
