/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * mikey/srtp.h - the SRTP policy an SP payload (RFC 3830 §6.10.1) describes,
 * as plain data with SRTP's defaults filled in, and back.
 */
#ifndef MIKEY_SRTP_H
#define MIKEY_SRTP_H

#include "mikey/export.h"

#include <stdbool.h>
#include <stdint.h>

#include "mikey/error.h"
#include "mikey/msg.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Deviations from RFC 3830 accepted on input, reported in |quirks|. */
enum mikey_srtp_quirk {
	/* GStreamer writes the authentication tag length into parameter 3
	 * ("Session Auth. key length") and leaves parameter 11 out. */
	MIKEY_SRTP_QUIRK_TAG_IN_AUTH_KEY_LEN = 1u << 0
};

/* Every parameter of RFC 3830 Table 6.10.1.a (lengths in bytes), plus
 * RFC 4771's ROC transmission rate and RFC 7714's AEAD tag length. */
typedef struct mikey_srtp_policy {
	uint8_t encr_alg;      /* MIKEY_SRTP_ENCR_*; default AES-CM */
	uint32_t encr_key_len; /* also the master key length; default 16 */
	uint8_t auth_alg;      /* MIKEY_SRTP_AUTH_*; default HMAC-SHA-1 */
	uint32_t auth_key_len; /* default 20 */
	uint32_t salt_key_len; /* default 14 (12 for AES-GCM, RFC 7714 §8.1) */
	uint8_t prf;           /* default AES-CM (0) */
	uint64_t kdr;          /* key derivation rate; default 0 */
	bool srtp_encr;        /* default on */
	bool srtcp_encr;       /* default on */
	uint8_t fec_order;     /* default FEC-SRTP (0) */
	bool srtp_auth;        /* default on */
	uint32_t auth_tag_len; /* default 10 (HMAC-SHA-1-80); 0 for AEAD */
	uint32_t prefix_len;   /* default 0 */
	uint32_t aead_tag_len; /* AES-GCM only; default 16 */
	uint32_t roc_tx_rate;  /* RFC 4771 R; 0 when not given */
	unsigned quirks;       /* MIKEY_SRTP_QUIRK_* seen while reading */
} mikey_srtp_policy;

/* mikey_srtp_policy_default fills |p| with SRTP's defaults (RFC 3711 §8.2,
 * AES_CM_128_HMAC_SHA1_80). */
MIKEY_API void mikey_srtp_policy_default(mikey_srtp_policy *p);

/* mikey_srtp_policy_from_sp reads an SP payload of Prot type SRTP into |p|:
 * defaults first, then every parameter present (a later duplicate wins),
 * then a consistency check of what libsrtp2 can run (AES-CM 16/24/32,
 * AES-F8 16, AES-GCM 16/32, NULL; HMAC-SHA-1 with a 20-byte key and a tag
 * of 1..20 bytes; salt 14, or 12 for AES-GCM; PRF AES-CM).
 * Returns MIKEY_OK, MIKEY_ERR_POLICY (|err| names the parameter; the ERR
 * payload for it is Invalid SPpar), MIKEY_ERR_ARG (not an SRTP policy). */
MIKEY_API MIKEY_WARN_UNUSED int mikey_srtp_policy_from_sp(const mikey_sp *sp, mikey_srtp_policy *p, mikey_error *err);

/* mikey_srtp_policy_to_sp writes |p| into |sp| (owned by |msg|) as Prot
 * type SRTP with policy number |policy_no|: every parameter, in table
 * order, each in the fewest bytes that hold it (one byte for all but KDR).
 * Returns MIKEY_OK, MIKEY_ERR_NOMEM, MIKEY_ERR_ARG. */
MIKEY_API MIKEY_WARN_UNUSED int mikey_srtp_policy_to_sp(mikey_msg *msg, const mikey_srtp_policy *p, uint8_t policy_no,
                                              mikey_sp *sp);

/* mikey_srtp_policy_from_name fills |p| with the SRTP policy named |name|
 * (case-insensitive): "aes128-sha1-80", "aes128-sha1-32", "aes192-sha1-80",
 * "aes192-sha1-32", "aes256-sha1-80", "aes256-sha1-32", "f8-128-sha1-80",
 * "null-sha1-80" (RFC 4568 §6.2, RFC 6188), "aes-gcm-128", "aes-gcm-256"
 * (RFC 7714). Returns MIKEY_OK, MIKEY_ERR_NOT_FOUND (no such name),
 * MIKEY_ERR_ARG (NULL). */
MIKEY_API MIKEY_WARN_UNUSED int mikey_srtp_policy_from_name(const char *name, mikey_srtp_policy *p);

#ifdef __cplusplus
}
#endif
#endif
