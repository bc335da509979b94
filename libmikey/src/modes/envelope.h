/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * envelope.h - the public-key envelope shared by the public-key method
 * (RFC 3830 §3.2) and MIKEY-RSA-R (RFC 4738 §3.6):
 *   KEMAC = E(encr_key, ID || {TGK}) || MAC, [CHASH], PKE = E(PK, env_key)
 * The sender draws the envelope key, derives the KEMAC keys from it
 * (§4.1.4), encrypts it to the receiver's RSA key (PKCS#1 v1.5, §4.2.5)
 * and MACs the KEMAC payload alone with its Next payload field set to zero
 * (§5.2, §6.2). The receiver undoes all that.
 */
#ifndef MIKEY_SRC_ENVELOPE_H
#define MIKEY_SRC_ENVELOPE_H

#include "modes/modes.h"

/* The envelope key we draw (docs/interpretations.md: the RFC sets no
 * length; 256 bits is one block of the §4.1.2 PRF split). We accept 16 to
 * 64 bytes on input. */
#define ENV_KEY_LEN 32
#define ENV_KEY_MIN 16
#define ENV_KEY_MAX 64

/* Insert our CERT payloads (RFC 3830 §6.7, leaf first) into |m| right
 * after |after| (a payload of |m|), so they sit where "[IDi|CERTi]" puts
 * them. Nothing is added when we have no certificate. */
int env_insert_certs(const mikey_ctx *ctx, mikey_msg *m, mikey_payload *after, mikey_error *err);

/* Sender: append KEMAC (ID payload |id_type|/|id| first, then the key of
 * |ex| as Key data), [CHASH of |chash_cert| (SHA-1) when not NULL] and PKE
 * (cache indicator |cache|) to |m|, protecting with a fresh envelope key
 * encrypted to |peer|. ex->csb_id, ex->rand and ex->t must be final: the
 * keys and the IV depend on them. The KEMAC MAC is still zero: call
 * env_seal_mac once every payload before the signature is in place. */
int env_add(mikey_exchange *ex, mikey_msg *m, const mikey_pkey *peer, const mikey_x509 *chash_cert, uint8_t cache,
            uint8_t encr_alg, uint8_t mac_alg, uint8_t id_type, const uint8_t *id, size_t id_len,
            mikey_payload **kemac, mikey_error *err);

/* Sender: compute the KEMAC MAC of |kemac| (a payload of |m|) into it. */
int env_seal_mac(mikey_exchange *ex, mikey_msg *m, mikey_payload *kemac, mikey_error *err);

/* Receiver: find the single KEMAC and PKE of |m| (|raw| its bytes), check
 * the CHASH when there is one against our certificate, open the envelope
 * with our private key, verify the KEMAC MAC and decrypt it into
 * |scratch|. *sub gets the sub-payloads, whose first is the sender's ID.
 * A PKE that does not decrypt fails exactly like a wrong MAC
 * (MIKEY_ERR_AUTH, same message): no padding oracle (RFC 8017 §7.2.2).
 * Leaves ex->msg_keys set (the verification message needs them). */
int env_open(mikey_exchange *ex, const mikey_msg *m, const uint8_t *raw, size_t len, mikey_msg *scratch,
             const mikey_payload_list **sub, mikey_error *err);

/* The ID sub-payload that opens a decrypted KEMAC, or NULL. */
const mikey_payload *env_first_id(const mikey_payload_list *sub);

/* Does |p| (an ID payload) carry exactly |id|? Constant time in the data. */
bool env_id_equals(const mikey_payload *p, const uint8_t *id, size_t id_len);

#endif
