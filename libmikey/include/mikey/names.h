/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * mikey/names.h - printable names of MIKEY registry values, as the RFCs
 * write them (e.g. "HMAC-SHA-1-160"). Each returns a static string, or NULL
 * when the value is not registered (callers print the number then).
 */
#ifndef MIKEY_NAMES_H
#define MIKEY_NAMES_H

#include "mikey/export.h"

#include <stdint.h>

#include "mikey/error.h"
#include "mikey/exchange.h"
#include "mikey/srtp.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Values to names: mikey_*_name (and mikey_err_no_description) return the
 * registry's name for value |v| of that registry (RFC 3830 §6 and the
 * extensions; values in mikey/types.h), e.g. mikey_encr_alg_name(1) is
 * "AES-CM-128", or NULL when |v| has none. Static strings. */
MIKEY_API const char *mikey_data_type_name(uint8_t v);
MIKEY_API const char *mikey_payload_type_name(uint8_t v); /* "KEMAC", "Key data", ... */
MIKEY_API const char *mikey_prf_name(uint8_t v);
MIKEY_API const char *mikey_map_type_name(uint8_t v);
MIKEY_API const char *mikey_encr_alg_name(uint8_t v);
MIKEY_API const char *mikey_mac_alg_name(uint8_t v);
MIKEY_API const char *mikey_pke_cache_name(uint8_t v);
MIKEY_API const char *mikey_dh_group_name(uint8_t v);
MIKEY_API const char *mikey_sign_type_name(uint8_t v);
MIKEY_API const char *mikey_ts_type_name(uint8_t v);
MIKEY_API const char *mikey_ts_role_name(uint8_t v);
MIKEY_API const char *mikey_id_type_name(uint8_t v);
MIKEY_API const char *mikey_id_role_name(uint8_t v);
MIKEY_API const char *mikey_cert_type_name(uint8_t v);
MIKEY_API const char *mikey_hash_func_name(uint8_t v);
MIKEY_API const char *mikey_prot_type_name(uint8_t v);
/* mikey_sp_param_name: the policy parameter name for |prot_type| (SRTP,
 * TESLA). */
MIKEY_API const char *mikey_sp_param_name(uint8_t prot_type, uint8_t param_type);
/* More mikey_*_name value-to-name functions, as above: */
MIKEY_API const char *mikey_srtp_encr_name(uint8_t v);
MIKEY_API const char *mikey_srtp_auth_name(uint8_t v);
MIKEY_API const char *mikey_srtp_prf_name(uint8_t v);
MIKEY_API const char *mikey_fec_order_name(uint8_t v);
MIKEY_API const char *mikey_tesla_prf_name(uint8_t v);
MIKEY_API const char *mikey_tesla_mac_name(uint8_t v);
MIKEY_API const char *mikey_err_no_name(uint8_t v);
/* mikey_err_no_description: the ERR payload code's meaning (RFC 3830 §6.12). */
MIKEY_API const char *mikey_err_no_description(uint8_t v);
/* And the remaining mikey_*_name value-to-name functions: */
MIKEY_API const char *mikey_key_type_name(uint8_t v);
MIKEY_API const char *mikey_kv_type_name(uint8_t v);
MIKEY_API const char *mikey_gen_ext_type_name(uint8_t v);
MIKEY_API const char *mikey_key_id_type_name(uint8_t v);
MIKEY_API const char *mikey_rand_role_name(uint8_t v);
MIKEY_API const char *mikey_ticket_type_name(uint16_t v);
MIKEY_API const char *mikey_sakke_params_name(uint8_t v);
MIKEY_API const char *mikey_sakke_id_scheme_name(uint8_t v);

/*
 * Names to values, for configuration files and element properties.
 * Matching is case-insensitive and treats '-', '_' and ' ' alike, so the
 * registry's own spelling ("HMAC-SHA-1-160", "OAKLEY 5", "RSA/PSS") and
 * config-style variants ("hmac_sha_1_160", "oakley-5") are accepted.
 * Each parse function returns MIKEY_OK (and sets *out), MIKEY_ERR_ARG (a
 * NULL argument) or MIKEY_ERR_NOT_FOUND (no such name; *out untouched).
 */

/* mikey_names_parse_*: registries of RFC 3830 §6 and extensions (values
 * in mikey/types.h); the names are those the value-to-name functions above
 * return. */
MIKEY_API MIKEY_WARN_UNUSED int mikey_names_parse_prf(const char *name, uint8_t *out);
MIKEY_API MIKEY_WARN_UNUSED int mikey_names_parse_encr_alg(const char *name, uint8_t *out);
MIKEY_API MIKEY_WARN_UNUSED int mikey_names_parse_mac_alg(const char *name, uint8_t *out);
MIKEY_API MIKEY_WARN_UNUSED int mikey_names_parse_dh_group(const char *name, uint8_t *out);
MIKEY_API MIKEY_WARN_UNUSED int mikey_names_parse_sign_type(const char *name, uint8_t *out);
MIKEY_API MIKEY_WARN_UNUSED int mikey_names_parse_hash_func(const char *name, uint8_t *out);
MIKEY_API MIKEY_WARN_UNUSED int mikey_names_parse_srtp_encr(const char *name, uint8_t *out);
MIKEY_API MIKEY_WARN_UNUSED int mikey_names_parse_srtp_auth(const char *name, uint8_t *out);
MIKEY_API MIKEY_WARN_UNUSED int mikey_names_parse_srtp_prf(const char *name, uint8_t *out);

/* Key exchange modes as mikey-tool spells them: "psk", "pk", "dh"
 * (signed Diffie-Hellman), "dhhmac", "rsar". mikey_names_mode_name
 * returns NULL for a value outside mikey_mode; mikey_names_parse_mode goes
 * the other way. */
MIKEY_API const char *mikey_names_mode_name(mikey_mode mode);
MIKEY_API MIKEY_WARN_UNUSED int mikey_names_parse_mode(const char *name, mikey_mode *out);

/* SRTP profiles.
 * mikey_names_parse_srtp_cipher: GStreamer srtpenc "rtp-cipher" nicks,
 * as libsrtp2 names the ciphers: "null", "aes-128-icm", "aes-256-icm",
 * "aes-128-gcm", "aes-256-gcm". Sets encr_alg, encr_key_len, salt_key_len
 * (12 for GCM, RFC 7714 §8.1; else 14), aead_tag_len (16), srtp_encr and
 * srtcp_encr of |p|; other fields are left as they are.
 * mikey_names_parse_srtp_auth_profile: srtpenc "rtp-auth" nicks "null",
 * "hmac-sha1-32", "hmac-sha1-80". Sets auth_alg, auth_key_len (20 or 0),
 * auth_tag_len (4, 10 or 0) and srtp_auth.
 * mikey_names_parse_srtp_profile: crypto-suite names of RFC 4568 §6.2
 * (AES_CM_128_HMAC_SHA1_80, AES_CM_128_HMAC_SHA1_32, F8_128_HMAC_SHA1_80),
 * RFC 6188 (AES_192_CM_HMAC_SHA1_80/_32, AES_256_CM_HMAC_SHA1_80/_32) and
 * RFC 7714 (AEAD_AES_128_GCM, AEAD_AES_256_GCM: auth NULL, tag 0, AEAD
 * tag 16): sets both groups of fields above at once, or none.
 * mikey_names_srtp_cipher_name, mikey_names_srtp_auth_profile_name and
 * mikey_names_srtp_profile_name go back from a policy to the name, or NULL
 * when the policy has no such name (e.g. an 80-bit tag with AES-192 for
 * srtpenc). */
MIKEY_API MIKEY_WARN_UNUSED int mikey_names_parse_srtp_cipher(const char *name, mikey_srtp_policy *p);
MIKEY_API MIKEY_WARN_UNUSED int mikey_names_parse_srtp_auth_profile(const char *name, mikey_srtp_policy *p);
MIKEY_API MIKEY_WARN_UNUSED int mikey_names_parse_srtp_profile(const char *name, mikey_srtp_policy *p);
MIKEY_API const char *mikey_names_srtp_cipher_name(const mikey_srtp_policy *p);
MIKEY_API const char *mikey_names_srtp_auth_profile_name(const mikey_srtp_policy *p);
MIKEY_API const char *mikey_names_srtp_profile_name(const mikey_srtp_policy *p);

#ifdef __cplusplus
}
#endif
#endif
