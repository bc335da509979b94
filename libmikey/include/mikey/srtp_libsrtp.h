/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * mikey/srtp_libsrtp.h - hand the keys and policy of a MIKEY crypto session
 * (mikey_exchange_get_cs) to libsrtp2, which libmikey links.
 *
 * Mapping (RFC 3830 Table 6.10.1.a -> libsrtp2 2.5 srtp_crypto_policy_t):
 *   encr AES-CM, 16/24/32-byte key, 14-byte salt -> SRTP_AES_ICM_128/192/256
 *     (AES-192 only if libsrtp2 derives its session keys as RFC 6188 §7.4
 *     says, checked once per process; released 2.5 does not, libsrtp #763,
 *     so a system libsrtp2 may refuse it with MIKEY_ERR_POLICY; the copy
 *     built here is patched: docs/libsrtp2-openssl.md)
 *   encr AES-GCM, 16/32-byte key, 12-byte salt, AEAD tag 16 (or 8)
 *                                                -> SRTP_AES_GCM_128/256
 *   encr NULL (16-byte master key, 14-byte salt) -> SRTP_NULL_CIPHER
 *   auth HMAC-SHA-1, 20-byte key, tag 1..20 bytes -> SRTP_HMAC_SHA1
 *   auth NULL, or SRTP auth off (non-AEAD)       -> SRTP_NULL_AUTH
 *   SRTP / SRTCP encryption off                  -> sec_serv without conf
 *   MKI (cs->mki_len > 0)                        -> one srtp_master_key_t
 *   ROC of the SRTP-ID map                       -> srtp_set_stream_roc
 * SRTP and SRTCP each get the integrity transform in force for them
 * (mikey_srtp_policy_integrity: RFC 4771 §4 types 14-19 over 2, 3, 11).
 * Refused with MIKEY_ERR_POLICY, as libsrtp2 cannot run them: AES-F8, a
 * PRF other than AES-CM, KDR != 0 (libsrtp2 2.x derives once), a
 * keystream prefix, RFC 4771 RCC (RCCm1-3 and its R: plain libsrtp2
 * cannot run it; mikey_srtp_sess, mikey/srtp_session.h, does), key or
 * salt lengths other than the above, an MKI longer than SRTP_MAX_MKI_LEN,
 * a non-zero ROC on a wildcard-SSRC session.
 *
 * libsrtp2 must have been initialised (srtp_init) before srtp_create;
 * mikey_srtp_session_new does it once per process.
 */
#ifndef MIKEY_SRTP_LIBSRTP_H
#define MIKEY_SRTP_LIBSRTP_H

#include "mikey/export.h"

#include <stdint.h>

#include <srtp2/crypto_types.h>
#include <srtp2/srtp.h>

#include "mikey/error.h"
#include "mikey/exchange.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Which SSRC the policy covers. */
typedef enum mikey_srtp_ssrc_mode {
	MIKEY_SRTP_SSRC_SPECIFIC = 0, /* the crypto session's SSRC (either direction) */
	MIKEY_SRTP_SSRC_ANY_INBOUND,  /* libsrtp2 wildcard ssrc_any_inbound */
	MIKEY_SRTP_SSRC_ANY_OUTBOUND  /* libsrtp2 wildcard ssrc_any_outbound */
} mikey_srtp_ssrc_mode;

/* The key material a filled srtp_policy_t points into. libsrtp2 copies
 * (and derives from) it in srtp_create / srtp_add_stream, so it must live
 * until that call returns and should be wiped right after it with
 * mikey_srtp_key_buf_wipe. Plain data; put it on the stack. */
typedef struct mikey_srtp_key_buf {
	uint8_t key[32 + 14];               /* master key || master salt */
	uint8_t mki[SRTP_MAX_MKI_LEN];
	srtp_master_key_t master_key;       /* {key, mki, mki_len} when MKI */
	srtp_master_key_t *master_keys[1];  /* policy->keys */
} mikey_srtp_key_buf;

/* mikey_srtp_fill_policy fills |policy| (all of it: it is zeroed first,
 * next = NULL, window_size 0 = libsrtp2's default, no repeated
 * transmissions) for crypto session |cs|, with the key material in |kb|.
 * With an MKI (cs->mki_len > 0) the policy carries one master key with that
 * MKI (policy->keys); senders must then call srtp_protect_mki /
 * srtp_protect_rtcp_mki with use_mki = 1, mki_index = 0, receivers
 * srtp_unprotect_mki / srtp_unprotect_rtcp_mki with use_mki = 1. The ROC
 * is not part of a policy: set it after srtp_create with
 * srtp_set_stream_roc (mikey_srtp_session_new does both). On failure
 * |policy| and |kb| hold no key.
 * Returns MIKEY_OK, MIKEY_ERR_ARG (NULL argument, bad |mode|),
 * MIKEY_ERR_POLICY (see the header comment: what libsrtp2 cannot run). */
MIKEY_API MIKEY_WARN_UNUSED int mikey_srtp_fill_policy(const mikey_crypto_session *cs, mikey_srtp_ssrc_mode mode,
                                             srtp_policy_t *policy, mikey_srtp_key_buf *kb);

/* mikey_srtp_key_buf_wipe wipes |kb|. NULL is fine. */
MIKEY_API void mikey_srtp_key_buf_wipe(mikey_srtp_key_buf *kb);

/* mikey_srtp_session_new creates a libsrtp2 session for |cs|: initialises
 * libsrtp2 once, fills a policy, srtp_create, sets a non-zero ROC
 * (srtp_set_stream_roc, RFC 3830 §6.1.1), and wipes its copy of the keys.
 * *out is freed with srtp_dealloc. Returns MIKEY_OK, the codes of
 * mikey_srtp_fill_policy (MIKEY_ERR_POLICY also for a non-zero ROC with a
 * wildcard SSRC: libsrtp2 can only set the ROC of an existing stream),
 * MIKEY_ERR_CRYPTO (libsrtp2 refused). */
MIKEY_API MIKEY_WARN_UNUSED int mikey_srtp_session_new(const mikey_crypto_session *cs, mikey_srtp_ssrc_mode mode,
                                             srtp_t *out);

#ifdef __cplusplus
}
#endif
#endif
