/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * dh_common.h - what the two Diffie-Hellman modes share: DH-signed
 * (RFC 3830 §3.3) and DH-HMAC (RFC 4650 §3). Both send
 *   I_MESSAGE = HDR, T, RAND, [IDi], [IDr], {SP}, DHi, <auth>
 *   R_MESSAGE = HDR, T, [IDr], IDi, DHr, DHi, <auth>
 * and both make TGK = g^(xi*xr) the exchange's key (RFC 3830 §4.1.3 then
 * derives the TEKs). Only <auth> differs: SIGN with certificates, or a
 * KEMAC carrying just an HMAC keyed from the pre-shared key.
 */
#ifndef MIKEY_SRC_DH_COMMON_H
#define MIKEY_SRC_DH_COMMON_H

#include "modes/modes.h"

/* The longest DH value of a supported group (OAKLEY 5, 1536 bits). */
#define DHX_MAX_VALUE 192

/* Mode state (ex->mode_state): our key pair until the TGK is derived. */
typedef struct dhx_state {
	mikey_dh_key *dh;
	uint8_t group; /* DH-Group registry value (RFC 3830 Table 6.4) */
	uint8_t pub[DHX_MAX_VALUE];
	size_t pub_len;
	/* Initiator: the responder it means to reach (the offer's peer ID),
	 * whose certificate or IDr the response must match. */
	uint8_t *peer;
	size_t peer_len;
} dhx_state;

/* dhx_group_check: MIKEY_OK when a responder (or initiator) may use DH
 * group |group|: OAKLEY 5 always, OAKLEY 1 and 2 only with
 * mikey_ctx_allow_weak_dh. MIKEY_ERR_DH_GROUP otherwise. */
int dhx_group_check(const mikey_ctx *ctx, uint8_t group, mikey_error *err);

/* Initiator: the head of the I_MESSAGE (HDR with |data_type|, T, RAND,
 * [IDi], [CERTi] when |with_certs|, [IDr], {SP}) and DHi, with a fresh key
 * pair from the context's RNG kept in ex->mode_state. */
int dhx_initiate_head(mikey_exchange *ex, const mikey_offer *o, mikey_msg *m, uint8_t data_type, bool with_certs,
                      mikey_error *err);

/* Responder: the single DH payload of an I_MESSAGE (DHi). */
int dhx_find_dhi(const mikey_msg *m, const mikey_payload **dhi, mikey_error *err);

/* Responder: an IDr that names someone other than us is refused
 * (MIKEY_ERR_IDENTITY): the message was meant for another party. */
int dhx_check_idr(const mikey_exchange *ex, mikey_error *err);

/* Responder: check DHi's group against the policy, draw our key pair and
 * derive the TGK (ex->key). MIKEY_ERR_DH_GROUP for a refused group or an
 * invalid DHi (0, 1, p-1, outside the prime-order subgroup). */
int dhx_respond_key(mikey_exchange *ex, const mikey_payload *dhi, mikey_error *err);

/* Responder: the R_MESSAGE up to its authentication: HDR (|data_type|, the
 * I_MESSAGE's CSB ID and CS map), T (the initiator's), [IDr], [CERTr] when
 * |with_certs|, IDi (when the initiator gave one), DHr, DHi as received. */
int dhx_response_head(mikey_exchange *ex, mikey_msg *m, uint8_t data_type, bool with_certs,
                      const mikey_payload *dhi, mikey_error *err);

/* Initiator: check that a response echoes our T, IDi and DHi and carries a
 * DHr of our group. *idr gets its IDr payload (NULL if none), *dhr its
 * DHr. Changes nothing. */
int dhx_read_response(const mikey_exchange *ex, const mikey_msg *m, uint8_t data_type,
                      const mikey_payload **idr, const mikey_payload **dhr, mikey_error *err);

/* Initiator: derive the TGK from DHr and complete the exchange (IDr, when
 * given, becomes the peer ID). Nothing changes on failure. */
int dhx_finish_key(mikey_exchange *ex, const mikey_payload *idr, const mikey_payload *dhr, mikey_error *err);

#endif
