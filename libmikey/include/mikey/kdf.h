/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * mikey/kdf.h - MIKEY key derivation (RFC 3830 §4.1, RFC 6043 §6.1) and the
 * KEMAC AES-CM IV (RFC 3830 §4.2.3).
 *
 * All lengths are in bytes (the RFC counts bits; every MIKEY key length is a
 * whole number of bytes). Outputs go to caller buffers of the stated length;
 * nothing is allocated, and every internal buffer that held key material is
 * wiped before returning. docs/kdf.md explains the derivation, the label
 * layouts and how the known answers in the tests were obtained.
 *
 * Return codes: MIKEY_OK; MIKEY_ERR_ARG (NULL buffer with non-zero length,
 * zero-length key or output, RAND longer than 255 bytes, lengths that do
 * not match the algorithm); MIKEY_ERR_UNSUPPORTED (unknown PRF func,
 * Encr alg or MAC alg); MIKEY_ERR_CRYPTO (HMAC failed, or the crypto self
 * test failed).
 */
#ifndef MIKEY_KDF_H
#define MIKEY_KDF_H

#include "mikey/export.h"

#include <stddef.h>
#include <stdint.h>

#include "mikey/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* RFC 3830 Table 4.1.3: label constants for keys derived from a TGK. */
#define MIKEY_KDF_TGK_TEK 0x2AD01C64u
#define MIKEY_KDF_TGK_AUTH 0x1B5C7973u
#define MIKEY_KDF_TGK_ENCR 0x15798CEFu
#define MIKEY_KDF_TGK_SALT 0x39A2C14Bu

/* RFC 3830 Table 4.1.4: label constants for keys derived from an
 * envelope key or a pre-shared key (protecting the MIKEY message). */
#define MIKEY_KDF_ENV_ENCR 0x150533E1u
#define MIKEY_KDF_ENV_AUTH 0x2D22AC75u
#define MIKEY_KDF_ENV_SALT 0x29B88916u

/* Longest RAND a label may carry: the RAND payload length is 8 bits. */
#define MIKEY_KDF_MAX_RAND 255

/* mikey_kdf_prf computes PRF(inkey, label) truncated to |out_len| bytes:
 * RFC 3830 §4.1.2 for |prf_func| MIKEY_PRF_MIKEY_1 (P-function over
 * HMAC-SHA-1, 160-bit blocks) and RFC 6043 §6.1 for MIKEY_PRF_HMAC_SHA_256
 * (HMAC-SHA-256, 256-bit blocks). The input key is split into 256-bit
 * pieces whose P outputs are XORed. |label| may be anything (callers that
 * build RFC 6043 §5.1 labels use this directly). */
MIKEY_API MIKEY_WARN_UNUSED int mikey_kdf_prf(int prf_func, const uint8_t *inkey, size_t inkey_len, const uint8_t *label,
                                    size_t label_len, uint8_t *out, size_t out_len);

/* mikey_kdf_tgk derives a key from a TGK, RFC 3830 §4.1.3:
 * label = constant (4) || cs_id (1) || csb_id (4, big-endian) || RAND. */
MIKEY_API MIKEY_WARN_UNUSED int mikey_kdf_tgk(int prf_func, const uint8_t *tgk, size_t tgk_len, uint32_t constant,
                                    uint8_t cs_id, uint32_t csb_id, const uint8_t *rand, size_t rand_len,
                                    uint8_t *out, size_t out_len);

/* mikey_kdf_envelope derives a key from an envelope key or a pre-shared
 * key, RFC 3830 §4.1.4: label = constant (4) || 0xFF || csb_id (4) || RAND.
 * There is no CS ID in this label: the byte 0xFF stands in its place. */
MIKEY_API MIKEY_WARN_UNUSED int mikey_kdf_envelope(int prf_func, const uint8_t *key, size_t key_len, uint32_t constant,
                                         uint32_t csb_id, const uint8_t *rand, size_t rand_len, uint8_t *out,
                                         size_t out_len);

/* The keys that protect one MIKEY message (KEMAC encryption and MAC, V
 * payload), derived per RFC 3830 §4.1.4 with the sizes of §4.2.3-§4.2.4
 * and RFC 6043 §6.2. A secret: clean it up with mikey_msg_keys_cleanup. */
typedef struct mikey_msg_keys {
	uint8_t encr[32]; /* 16 (AES-CM-128, AES-KW-128) or 32 (AES-CM-256) */
	size_t encr_len;  /* 0 for the NULL cipher */
	uint8_t salt[14]; /* 14 (AES-CM: 112 bits) or 8 (AES-KW: the 64-bit IV) */
	size_t salt_len;
	uint8_t auth[32]; /* 20 (HMAC-SHA-1-160) or 32 (HMAC-SHA-256-256) */
	size_t auth_len;  /* 0 for the NULL MAC */
} mikey_msg_keys;

/* mikey_kdf_msg_keys fills |keys| for KEMAC Encr alg |encr_alg| and MAC
 * alg |mac_alg| (mikey/types.h) from the envelope/pre-shared |key|. On
 * error |keys| is wiped. */
MIKEY_API MIKEY_WARN_UNUSED int mikey_kdf_msg_keys(mikey_msg_keys *keys, int prf_func, int encr_alg, int mac_alg,
                                         const uint8_t *key, size_t key_len, uint32_t csb_id,
                                         const uint8_t *rand, size_t rand_len);

/* mikey_msg_keys_cleanup wipes |keys| (NULL is fine). */
MIKEY_API void mikey_msg_keys_cleanup(mikey_msg_keys *keys);

/* mikey_kdf_aes_cm_iv builds the KEMAC AES-CM IV of RFC 3830 §4.2.3,
 *   IV = (S XOR (0x0000 || CSB ID || T)) || 0x0000,
 * from the 14-byte salt |salt| (|salt_len| must be 14), the CSB ID and the
 * 64-bit NTP timestamp |t| of the Initiator's T payload (a 32-bit
 * NTP-UTC-32 value is first padded to 64 bits, RFC 6043 §6.3: t = ts32 <<
 * 32). Used unchanged for AES-CM-256 (RFC 6043 §6.2). */
MIKEY_API MIKEY_WARN_UNUSED int mikey_kdf_aes_cm_iv(const uint8_t *salt, size_t salt_len, uint32_t csb_id, uint64_t t,
                                          uint8_t iv[16]);

#ifdef __cplusplus
}
#endif
#endif
