/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * mikey/rng.h - where libmikey's randomness comes from.
 *
 * The core never reads /dev/urandom itself (sans-I/O): every function that
 * needs random bytes (RAND payloads, TGKs, DH private values, RSA padding
 * where the library pads) takes a mikey_rng. Tests and fuzzers install a
 * deterministic one; applications pass NULL or mikey_rng_default().
 */
#ifndef MIKEY_RNG_H
#define MIKEY_RNG_H

#include "mikey/export.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A random-byte source: fill |out| with |len| bytes. Returns MIKEY_OK, or
 * a negative MIKEY_ERR_* code (MIKEY_ERR_CRYPTO for "no entropy"); on error
 * the contents of |out| are unspecified and are not used. */
typedef int (*mikey_rng_fn)(void *user, uint8_t *out, size_t len);

/* A callback and its argument. Plain data. */
typedef struct mikey_rng {
	mikey_rng_fn fn;
	void *user;
} mikey_rng;

/* mikey_rng_default returns the library's RNG (get0, static storage): the
 * OpenSSL DRBG (RAND_bytes), which OpenSSL seeds from the OS. Never NULL. */
MIKEY_API const mikey_rng *mikey_rng_default(void);

/* mikey_rng_bytes fills |out| with |len| bytes from |rng| (NULL means
 * mikey_rng_default()). Returns MIKEY_OK, MIKEY_ERR_ARG (|out| NULL with
 * |len| > 0, or |rng| without a callback) or the callback's error code. */
MIKEY_API int mikey_rng_bytes(const mikey_rng *rng, uint8_t *out, size_t len);

#ifdef __cplusplus
}
#endif
#endif
