/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * srtp_kdf.h - the SRTP key derivation (RFC 3711 §4.3) and the SRTP /
 * SRTCP authentication tag (RFC 3711 §4.2, with RFC 4383 §4.6 coverage),
 * for the libsrtp2 glue (src/srtp/). Not installed; tests include it.
 */
#ifndef MIKEY_SRTP_KDF_H
#define MIKEY_SRTP_KDF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* RFC 3711 §4.3.2 and §4.3.2 for SRTCP: key derivation labels. */
#define MIKEY_SRTP_LABEL_RTP_ENCR 0x00
#define MIKEY_SRTP_LABEL_RTP_AUTH 0x01
#define MIKEY_SRTP_LABEL_RTP_SALT 0x02
#define MIKEY_SRTP_LABEL_RTCP_ENCR 0x03
#define MIKEY_SRTP_LABEL_RTCP_AUTH 0x04
#define MIKEY_SRTP_LABEL_RTCP_SALT 0x05

/* mikey_srtp_kdf derives |out_len| bytes with |label| from the master key
 * (16, 24 or 32 bytes: the AES-CM-128, -192 or -256 PRF, RFC 3711 §4.3.3,
 * RFC 6188 §5.3) and the 14-byte master salt, with key derivation rate 0 (r = 0):
 * x = (label || 0^48) XOR salt, keystream of AES-CM with IV x * 2^16.
 * Returns MIKEY_OK, MIKEY_ERR_ARG, MIKEY_ERR_CRYPTO. */
int mikey_srtp_kdf(const uint8_t *master_key, size_t key_len, const uint8_t salt[14], uint8_t label, uint8_t *out,
                   size_t out_len);

/* mikey_srtp_tag computes HMAC-SHA1(|key| (20 bytes), data[0, len) [||
 * ROC, 4 bytes big-endian, if |with_roc|]) truncated to |tag_len| (1..20)
 * bytes: RFC 3711 §4.2.1 over the Authenticated Portion of §3.1 / §3.4
 * (RFC 4383 §4.6: extended by the TESLA extension). */
int mikey_srtp_tag(const uint8_t *key, const uint8_t *data, size_t len, bool with_roc, uint32_t roc, uint8_t *tag,
                   size_t tag_len);

#endif
