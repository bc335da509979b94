/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tesla_internal.h - helpers shared by the TESLA files (not installed).
 */
#ifndef MIKEY_SRC_TESLA_INTERNAL_H
#define MIKEY_SRC_TESLA_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"
#include "mikey/tesla.h"

/* Bytes of the extension's interval field (RFC 4383 §4.1: "i: 32 bit"). */
#define TESLA_I_LEN 4
/* Bytes of E||SRTCP index that follow the TESLA Authenticated Portion of
 * an SRTCP packet (RFC 3711 §3.4, RFC 4383 §4.5). */
#define TESLA_SRTCP_INDEX_LEN 4
/* Smallest RTP header (RFC 3550 §5.1) and RTCP header (RFC 4383 §4.5:
 * "first 8 bytes"). */
#define TESLA_MIN_RTP 12
#define TESLA_MIN_RTCP 8

/* tesla_mac_key keys |hk| with the MAC key K'_i (n_f/8 bytes at
 * |mac_key|) for the TESLA MAC of p->mac (HMAC-SHA1), once per interval:
 * re-keying an HMAC costs more than the MAC of a packet. |hk| must be
 * unkeyed or cleaned up; on failure it needs no cleanup. */
int tesla_mac_key(const mikey_tesla_params *p, const uint8_t *mac_key, mikey_hmac_key *hk);

/* tesla_mac computes the TESLA MAC (RFC 4383 §4.6, §6) with |hk| from
 * tesla_mac_key over [roc (4 bytes, big-endian) if |with_roc|] ||
 * data[0, len), truncated to n_m/8 bytes into |out|. */
int tesla_mac(const mikey_tesla_params *p, mikey_hmac_key *hk, int with_roc, uint32_t roc, const uint8_t *data,
              size_t len, uint8_t *out);

/* tesla_upper_interval returns, in *x, the highest interval the sender can
 * be in when the receiver's clock reads |now|: floor((now + D_t - T_0) /
 * T_int) (RFC 4082 §3.5 step 1); -1 when now + D_t is before T_0. */
int64_t tesla_upper_interval(const mikey_tesla_params *p, uint64_t now);

/* tesla_chain_dup makes *out an independent copy of |c| (checkpoints and
 * cached segments included), without recomputing any key. Returns
 * MIKEY_OK or MIKEY_ERR_NOMEM (then *out is NULL). */
int tesla_chain_dup(const mikey_tesla_chain *c, mikey_tesla_chain **out);

static inline void tesla_put32(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
}

static inline uint32_t tesla_get32(const uint8_t *b)
{
	return ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) | ((uint32_t)b[2] << 8) | (uint32_t)b[3];
}

#endif
