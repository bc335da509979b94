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

/* Which SRTP- or SRTCP-specific parameters (RFC 4771 §4 Table 3, types
 * 14-19) a policy carries: bits of mikey_srtp_policy.specific. */
enum mikey_srtp_specific {
	MIKEY_SRTP_SPEC_SRTP_AUTH_ALG = 1u << 0,      /* type 14 */
	MIKEY_SRTP_SPEC_SRTCP_AUTH_ALG = 1u << 1,     /* type 15 */
	MIKEY_SRTP_SPEC_SRTP_AUTH_KEY_LEN = 1u << 2,  /* type 16 */
	MIKEY_SRTP_SPEC_SRTCP_AUTH_KEY_LEN = 1u << 3, /* type 17 */
	MIKEY_SRTP_SPEC_SRTP_TAG_LEN = 1u << 4,       /* type 18 */
	MIKEY_SRTP_SPEC_SRTCP_TAG_LEN = 1u << 5       /* type 19 */
};

/* Every parameter of RFC 3830 Table 6.10.1.a (lengths in bytes), plus
 * RFC 4771's ROC transmission rate and SRTP/SRTCP-specific integrity
 * parameters, and RFC 7714's AEAD tag length.
 *
 * auth_alg, auth_key_len and auth_tag_len are the general parameters
 * (types 2, 3, 11). The srtp_* and srtcp_* integrity fields are the ones
 * in force for each protocol after RFC 4771 §4's precedence rule (a
 * specific parameter, types 14-19, wins over the general one): they are
 * what mikey_srtp_policy_from_sp fills in, and |specific| says which of
 * them the SP gave itself (mikey_srtp_policy_to_sp writes those back). A
 * policy built by hand may leave |specific| 0: then the general fields
 * apply to both (mikey_srtp_policy_integrity says what is in force either
 * way). RCC (RFC 4771) is SRTP-only: a general RCC algorithm means
 * HMAC-SHA-1 for SRTCP (docs/interpretations.md). */
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
	uint32_t roc_tx_rate;  /* RFC 4771 R; 0 when not given (1 is then used with RCC) */
	unsigned quirks;       /* MIKEY_SRTP_QUIRK_* seen while reading */
	/* RFC 4771 §4 Table 3, precedence applied (see above). */
	uint8_t srtp_auth_alg;       /* type 14, else type 2 */
	uint8_t srtcp_auth_alg;      /* type 15, else type 2 (RCC -> HMAC-SHA-1) */
	uint32_t srtp_auth_key_len;  /* type 16, else type 3 */
	uint32_t srtcp_auth_key_len; /* type 17, else type 3 */
	uint32_t srtp_auth_tag_len;  /* type 18, else type 11; with RCC it counts the 4-byte ROC */
	uint32_t srtcp_auth_tag_len; /* type 19, else type 11 */
	unsigned specific;           /* MIKEY_SRTP_SPEC_* given in the SP */
} mikey_srtp_policy;

/* The integrity transform in force for SRTP or for SRTCP. */
typedef struct mikey_srtp_integrity {
	uint8_t alg;      /* MIKEY_SRTP_AUTH_*; never RCC for SRTCP */
	uint32_t key_len; /* session auth key length, bytes */
	uint32_t tag_len; /* bytes; with RCC including the 4-byte ROC */
	uint32_t rate;    /* RCC's R (RFC 4771 §4 Table 2); 0 unless RCC */
} mikey_srtp_integrity;

/* mikey_srtp_policy_integrity fills |out| with the integrity transform
 * |p| sets for SRTCP (|rtcp| true) or SRTP: a specific parameter (bit in
 * p->specific) over the general one (RFC 4771 §4); a general RCCm1/2/3
 * means HMAC-SHA-1 for SRTCP (RFC 4771 §2: RCC SHALL NOT be used with
 * SRTCP); R is 1 when RCC is in force and no R was given. Returns
 * MIKEY_OK, MIKEY_ERR_ARG (NULL). */
MIKEY_API int mikey_srtp_policy_integrity(const mikey_srtp_policy *p, bool rtcp, mikey_srtp_integrity *out);

/* mikey_srtp_policy_equal says whether |a| and |b| set the same SRTP
 * policy: every parameter, the integrity transforms in force for SRTP and
 * SRTCP (however given, RFC 4771 §4) and R; not |quirks|. NULL is never
 * equal. */
MIKEY_API bool mikey_srtp_policy_equal(const mikey_srtp_policy *a, const mikey_srtp_policy *b);

/* mikey_srtp_policy_is_rcc says whether |p| asks for an RFC 4771 RCC
 * transform (RCCm1, RCCm2 or RCCm3) on SRTP. */
MIKEY_API bool mikey_srtp_policy_is_rcc(const mikey_srtp_policy *p);

/* mikey_srtp_policy_default fills |p| with SRTP's defaults (RFC 3711 §8.2,
 * AES_CM_128_HMAC_SHA1_80). */
MIKEY_API void mikey_srtp_policy_default(mikey_srtp_policy *p);

/* mikey_srtp_policy_from_sp reads an SP payload of Prot type SRTP into |p|:
 * defaults first, then every parameter present (a later duplicate wins),
 * then RFC 4771 §4 precedence (types 14-19 over 2, 3, 11), then a
 * consistency check of what libsrtp2 can run (AES-CM 16/24/32, AES-F8 16,
 * AES-GCM 16/32, NULL; HMAC-SHA-1 with a 20-byte key and a tag of 1..20
 * bytes; salt 14, or 12 for AES-GCM; PRF AES-CM) and of RCC (RFC 4771:
 * SRTP only, not with AES-GCM, R non-zero and at most 16 bits, RCCm1/2
 * with a 20-byte key and a tag of 5..20 bytes, RCCm3 with a tag of
 * exactly 4, SRTP authentication on, KDR 0).
 * Returns MIKEY_OK, MIKEY_ERR_POLICY (|err| names the parameter; the ERR
 * payload for it is Invalid SPpar), MIKEY_ERR_ARG (not an SRTP policy). */
MIKEY_API MIKEY_WARN_UNUSED int mikey_srtp_policy_from_sp(const mikey_sp *sp, mikey_srtp_policy *p, mikey_error *err);

/* mikey_srtp_policy_to_sp writes |p| into |sp| (owned by |msg|) as Prot
 * type SRTP with policy number |policy_no|: every parameter, in table
 * order, each in the fewest bytes that hold it (one byte for all but KDR);
 * then the SRTP/SRTCP-specific types 14-19 whose bits are in p->specific
 * (so a policy read from an SP is written back with the same types).
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
