/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * session_keys.h - the SRTP master key and salt of one crypto session from
 * the key a MIKEY message transports: derived from a TGK (RFC 3830 §4.1.3)
 * or taken from a TEK (§6.13). Shared by the crypto sessions of an exchange
 * (sessions/) and of a group key generation (group/), so both give a group
 * the same keys.
 */
#ifndef MIKEY_SRC_KDF_SESSION_KEYS_H
#define MIKEY_SRC_KDF_SESSION_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include "mikey/error.h"
#include "mikey/srtp.h"

/* What a Key data sub-payload carried, and the message's RAND and CSB ID
 * the derivation mixes in. Borrowed pointers. */
typedef struct mikey_key_source {
	uint8_t prf_func;
	uint8_t key_type; /* MIKEY_KEY_TGK, _TGK_SALT, _TEK, _TEK_SALT */
	const uint8_t *key;
	size_t key_len;
	const uint8_t *salt; /* NULL / 0: none carried */
	size_t salt_len;
	const uint8_t *rand;
	size_t rand_len;
	uint32_t csb_id;
} mikey_key_source;

/* mikey_session_keys fills |key| (policy->encr_key_len bytes) and |salt|
 * (policy->salt_key_len bytes) for crypto session |cs_id| (1-based) of the
 * CSB. A TEK is the master key itself; GStreamer's key || salt in one TEK
 * without a salt field is split by length. From a TGK: TEK = PRF(TGK,
 * 0x2AD01C64 || cs_id || csb_id || RAND), the salt is the one carried
 * (§4.1.3: SHALL be used) or derived with 0x39A2C14B.
 * Returns MIKEY_OK, MIKEY_ERR_POLICY (lengths that do not fit the policy),
 * MIKEY_ERR_CRYPTO. On failure |key| and |salt| are wiped. */
MIKEY_WARN_UNUSED int mikey_session_keys(const mikey_key_source *src, uint8_t cs_id, uint8_t policy_no,
                                         const mikey_srtp_policy *policy, uint8_t *key, size_t key_cap,
                                         uint8_t *salt, size_t salt_cap, mikey_error *err);

#endif
