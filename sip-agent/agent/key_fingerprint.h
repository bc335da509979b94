/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * key_fingerprint.h - a short, one-way name for a group key generation,
 * for the agents' key logs (docs/sip-agent.md, "Key log"): the first 16
 * hex digits (64 bits) of SHA-256(TGK || RAND). Members compute it from
 * the exchange that keyed them (mikey_exchange_get_key, _get0_rand), the
 * key server from its stored secret (ks_generation.c: key_len | key |
 * rand_len | rand), so an audit can tell that both held the same key
 * without either log holding the key.
 */
#ifndef AGENT_KEY_FINGERPRINT_H
#define AGENT_KEY_FINGERPRINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Hex digits of a fingerprint, and its buffer with the NUL. */
#define KS_KEY_FP_DIGITS 16
#define KS_KEY_FP_SIZE (KS_KEY_FP_DIGITS + 1)

/* ks_key_fingerprint writes the fingerprint of |tgk| (|tgk_len| bytes,
 * 1 to 255) and |rand| (|rand_len| bytes, 0 to 255) into |out| as 16
 * lower-case hex digits and a NUL. Returns false (and |out| empty) on a
 * NULL argument, a length out of range, or a failing digest. */
bool ks_key_fingerprint(const uint8_t *tgk, size_t tgk_len, const uint8_t *rand, size_t rand_len,
                        char out[KS_KEY_FP_SIZE]);

#endif
