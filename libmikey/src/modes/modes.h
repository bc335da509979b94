/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * modes.h - building blocks the key-transport modes share: KEMAC
 * protection (RFC 3830 §4.2.3, §4.2.4, §5.2) and the verification message
 * (§3.1, §5.2).
 */
#ifndef MIKEY_SRC_MODES_H
#define MIKEY_SRC_MODES_H

#include "modes/exchange_state.h"

/* Check that |encr_alg| / |mac_alg| are supported and allowed together.
 * |allow_null| lets NULL encryption and a NULL MAC through (restricted use,
 * RFC 3830 §4.2.3). */
int kemac_check_algs(uint8_t encr_alg, uint8_t mac_alg, bool allow_null, bool envelope, mikey_error *err);
/* AES key wrap with the NULL MAC (RFC 3830 §4.2.3): accepted without
 * mikey_ctx_allow_null_kemac in the public-key envelope modes (|envelope|
 * above). kemac_key_mac is the MAC the message keys are derived for and the
 * verification message uses: the KEMAC's, or HMAC-SHA-1 for that
 * combination. */
bool kemac_wrap_alone(uint8_t encr_alg, uint8_t mac_alg);
uint8_t kemac_key_mac(uint8_t encr_alg, uint8_t mac_alg);

/* Encrypt the KEMAC's sub-payloads in place (they move to encr_data) with
 * ex->msg_keys, and give the KEMAC a zeroed MAC field of the right size.
 * The IV uses ex->csb_id and ex->t (§4.2.3). */
int kemac_protect(mikey_exchange *ex, mikey_msg *m, mikey_kemac *k, mikey_error *err);

/* Decrypt |k| (received) into a payload list owned by |scratch|. */
int kemac_open(mikey_exchange *ex, mikey_msg *scratch, const mikey_kemac *k, uint8_t first_type,
               const mikey_payload_list **sub, mikey_error *err);

/* Compute the MAC of |mac_alg| with ex->msg_keys.auth over the pieces, into
 * |tag| (mac length). */
int mac_compute(const mikey_exchange *ex, uint8_t mac_alg, const mikey_iov *iov, size_t n, uint8_t *tag,
                mikey_error *err);
/* Verify |tag_len| bytes at |tag| the same way (constant time). */
int mac_verify(const mikey_exchange *ex, uint8_t mac_alg, const mikey_iov *iov, size_t n, const uint8_t *tag,
               size_t tag_len, mikey_error *err);

/* The verification message (HDR, T, [IDr], V) answering the exchange's
 * I_MESSAGE, with data type |dt| (PSK or PK ver msg). */
int vmsg_build(mikey_exchange *ex, uint8_t dt, uint8_t **out, size_t *out_len, mikey_error *err);
/* Check a verification message for our I_MESSAGE. */
int vmsg_check(mikey_exchange *ex, const mikey_msg *m, const uint8_t *raw, size_t len, uint8_t dt,
               mikey_error *err);

/* Signed messages (sig.c). sig_sign_msg appends SIGN to |m|, builds it and
 * signs with the context's key what precedes the signature field followed by
 * the (at most 3) |trailer| pieces (RSA-R signs IDi || IDr || T too); sig_verify_msg checks the final SIGN of a
 * received message with |pub|; sig_peer_key finds the signer's key from
 * the CERT payloads of |m| (or a known certificate for |id|), verified
 * against the trust anchors and bound to |id| when |id| is not NULL. */
int sig_sign_msg(mikey_exchange *ex, mikey_msg *m, uint8_t s_type, const mikey_iov *trailer, size_t n_trailer,
                 uint8_t **out, size_t *out_len, mikey_error *err);
int sig_verify_msg(const mikey_msg *m, const uint8_t *raw, size_t len, const mikey_pkey *pub, mikey_error *err);
/* sig_id_from_cert sets IDi from the identity the first CERT payload of |m|
 * names, for an I_MESSAGE that sent CERTi instead of IDi (RFC 3830 §3.3,
 * RFC 4738 §3.1: "[IDi|CERTi]"); nothing when there is no usable CERT. */
int sig_id_from_cert(mikey_exchange *ex, const mikey_msg *m, mikey_error *err);
int sig_peer_key(const mikey_exchange *ex, const mikey_msg *m, const uint8_t *id, size_t id_len, mikey_pkey **pub,
                 mikey_error *err);

#endif
