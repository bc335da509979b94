/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * keywrap.h - AES-256 key wrap with padding (RFC 5649) through OpenSSL.
 *
 * The wrapped form is the plaintext padded to a multiple of 8 bytes plus
 * an 8-byte integrity block; unwrap fails (false) under another key or on
 * any changed byte, apart from a 2^-32 chance per try (RFC 5649 §3).
 */
#ifndef KS_KEYWRAP_H
#define KS_KEYWRAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KS_KEYWRAP_KEY_LEN 32

/* KS_KEYWRAP_LEN: the wrapped size of |n| plaintext bytes (n >= 1). */
#define KS_KEYWRAP_LEN(n) (((n) + 7) / 8 * 8 + 8)

/* ks_keywrap_wrap wraps |in| (1 to 2^31 bytes) into |out|, which holds
 * KS_KEYWRAP_LEN(in_len) bytes; *out_len gets the size written. */
bool ks_keywrap_wrap(const uint8_t kek[KS_KEYWRAP_KEY_LEN], const uint8_t *in, size_t in_len,
	uint8_t *out, size_t *out_len);

/* ks_keywrap_unwrap unwraps |in| into |out|, which holds in_len - 8 bytes;
 * *out_len gets the plaintext size. On failure |out| is wiped. */
bool ks_keywrap_unwrap(const uint8_t kek[KS_KEYWRAP_KEY_LEN], const uint8_t *in, size_t in_len,
	uint8_t *out, size_t *out_len);

#endif
