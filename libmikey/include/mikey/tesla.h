/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * mikey/tesla.h - TESLA source authentication for (group) SRTP and SRTCP:
 * RFC 4082 (TESLA), RFC 4383 (TESLA in SRTP), parameters as bootstrapped
 * by MIKEY (RFC 4442 §4.2).
 *
 * Sans-I/O: every function that needs the time takes it as an argument
 * (NTP 64-bit format, 32.32 fixed-point seconds since 1900, RFC 3830 §6.6
 * NTP-UTC); the seed of the key chain comes from the caller's RNG. Nothing
 * here reads a clock, a socket or /dev/urandom.
 *
 * Three objects:
 *  - mikey_tesla_chain: the sender's one-way key chain K_0 ... K_{n_c}
 *    (RFC 4082 §3.2), stored in O(sqrt(n_c)) memory;
 *  - mikey_tesla_sender: appends the TESLA authentication extension of
 *    RFC 4383 §4.1 to SRTP (§4.2) and SRTCP (§4.5) packets;
 *  - mikey_tesla_receiver: safety test, key verification, bounded
 *    buffering and delayed MAC verification (RFC 4082 §3.5, §3.7; RFC 4383
 *    §4.4.2), plus the TESLA-verified replay list of RFC 4383 §4.4.2.
 * See docs/tesla.md for how they fit between SRTP encryption and the SRTP
 * authentication tag.
 */
#ifndef MIKEY_TESLA_H
#define MIKEY_TESLA_H

#include "mikey/export.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mikey/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* TESLA-PRF and TESLA-MAC registry values (RFC 4442 §4.2 and §6). */
#define MIKEY_TESLA_PRF_ID_HMAC_SHA1 0
#define MIKEY_TESLA_MAC_ID_HMAC_SHA1 0

/* Largest chain key, MAC key and TESLA MAC this implementation handles,
 * in bytes (HMAC-SHA1 output, RFC 4383 §6). */
#define MIKEY_TESLA_MAX_KEY_LEN 20
#define MIKEY_TESLA_MAX_MAC_LEN 20

/* Converts milliseconds to an NTP 32.32 duration (rounded down). */
/* Longest key chain a sender builds (n_c): 2^22 intervals, about 23 hours
 * at T_int = 20 ms. The chain is computed in full at creation (n_c F
 * calls, a few seconds at this length) and stored in O(sqrt(n_c)) keys;
 * longer sessions re-key through MIKEY (RFC 4442). Receivers accept any
 * n_c: their memory does not depend on it. */
#define MIKEY_TESLA_MAX_CHAIN_LEN ((uint32_t)1 << 22)

/* Largest receiver max_gap: a receiver keeps max_gap + 1 chain keys
 * (82 KiB with 20-byte keys at this limit) to verify the packets of the
 * intervals a late disclosure covers. */
#define MIKEY_TESLA_MAX_GAP_LIMIT 4096u

#define MIKEY_TESLA_NTP_FROM_MS(ms) ((uint64_t)(((uint64_t)(ms) << 32) / 1000u))

/*
 * mikey_tesla_params - the TESLA part of the SRTP cryptographic context,
 * RFC 4383 §4.3 items 1-11 (item numbers in the comments). Plain data.
 * Bit lengths must be multiples of 8. Key chain indices: the chain is
 * K_0 ... K_{n_c}; K_{n_c} is the random seed; the key K_i authenticates
 * packets sent in interval i (RFC 4082 §3.2, §3.4).
 */
typedef struct mikey_tesla_params {
	uint8_t prf;      /* 1: TESLA PRF for F and F', MIKEY_TESLA_PRF_ID_* */
	uint16_t n_p;     /* 2: bits of F output = chain key = disclosed key */
	uint16_t n_f;     /* 3: bits of F' output = TESLA MAC key */
	uint8_t mac;      /* 4: TESLA MAC, MIKEY_TESLA_MAC_ID_* */
	uint16_t n_m;     /* 5: bits of the (truncated) TESLA MAC in packets */
	uint64_t t_0;     /* 6: start of interval 0, NTP 64-bit */
	uint32_t t_int;   /* 7: interval duration in milliseconds */
	uint32_t d;       /* 8: key disclosure delay in intervals (>= 1) */
	uint64_t d_t;     /* 9: bound on the receiver clock's lag behind the
	                   *    sender's, as an NTP 32.32 duration */
	uint32_t n_c;     /* 10: chain length: keys K_0 ... K_{n_c} */
	uint32_t commit_index;                      /* 11: index c of ... */
	uint8_t commitment[MIKEY_TESLA_MAX_KEY_LEN]; /* ... the committed key K_c
	                                             * (n_p/8 bytes used) */
} mikey_tesla_params;

/* mikey_tesla_params_default fills |p| with the RFC 4383 §6 defaults
 * (HMAC-SHA1 PRF, n_p = n_f = 160, HMAC-SHA1 MAC, n_m = 80) and zeroes the
 * session-specific fields (T_0, T_int, d, D_t, n_c, commitment). */
MIKEY_API void mikey_tesla_params_default(mikey_tesla_params *p);

/* mikey_tesla_params_check validates |p|. Returns MIKEY_OK,
 * MIKEY_ERR_ARG (NULL, t_int = 0, d = 0, n_c = 0, commit_index >= n_c),
 * MIKEY_ERR_UNSUPPORTED (PRF or MAC id unknown),
 * MIKEY_ERR_FIELD_RANGE (a bit length not a multiple of 8, or outside
 * 80..160 bits: RFC 4383 §7 with RFC 2104 needs at least 80 bits). */
MIKEY_API MIKEY_WARN_UNUSED int mikey_tesla_params_check(const mikey_tesla_params *p);

/* mikey_tesla_ext_len returns the length in bytes of the TESLA
 * authentication extension for |p| (RFC 4383 §4.1): 4 + n_p/8 + n_m/8
 * (34 with the defaults; RFC 4383 §6 counts 38 with a 32-bit
 * SRTP tag). |p| must have passed mikey_tesla_params_check. */
MIKEY_API size_t mikey_tesla_ext_len(const mikey_tesla_params *p);

/* mikey_tesla_interval computes the interval index that contains the NTP
 * time |ntp|: floor((ntp - T_0) / T_int) (RFC 4082 §3.2), exactly (no
 * floating point). Returns MIKEY_OK, MIKEY_ERR_ARG, or MIKEY_ERR_STATE when
 * |ntp| is before T_0 (*i is then untouched). */
MIKEY_API MIKEY_WARN_UNUSED int mikey_tesla_interval(const mikey_tesla_params *p, uint64_t ntp, uint64_t *i);

/* mikey_tesla_f computes F(k) = HMAC(k, 0x00) truncated to n_p bits: the
 * previous key of the chain (RFC 4383 §6, RFC 4082 §3.2). |k| and |out|
 * are n_p/8 bytes and may alias. Returns MIKEY_OK, MIKEY_ERR_ARG,
 * MIKEY_ERR_UNSUPPORTED or MIKEY_ERR_CRYPTO. */
MIKEY_API MIKEY_WARN_UNUSED int mikey_tesla_f(const mikey_tesla_params *p, const uint8_t *k, uint8_t *out);

/* mikey_tesla_f_prime computes F'(k) = HMAC(k, 0x01) truncated to n_f
 * bits: the TESLA MAC key K'_i of chain key K_i (RFC 4383 §6, RFC 4082
 * §3.4). |k| is n_p/8 bytes, |out| n_f/8 bytes. Same return codes as
 * mikey_tesla_f. */
MIKEY_API MIKEY_WARN_UNUSED int mikey_tesla_f_prime(const mikey_tesla_params *p, const uint8_t *k, uint8_t *out);

/* ---- Key chain (sender side) ---- */

typedef struct mikey_tesla_chain mikey_tesla_chain;

/* Memory and work figures of a chain, for docs/tesla.md and tests. */
typedef struct mikey_tesla_chain_stats {
	uint32_t spacing;      /* distance between stored checkpoints */
	size_t stored_keys;    /* keys held: checkpoints + cached segments */
	size_t bytes;          /* heap bytes held by the chain */
	uint64_t f_calls;      /* F evaluations since creation */
} mikey_tesla_chain_stats;

/* mikey_tesla_chain_new builds the chain of |p| (uses prf, n_p, n_c) from
 * the seed K_{n_c} = |seed| (|seed_len| must be n_p/8 bytes, drawn by the
 * caller from a cryptographic RNG). Costs n_c evaluations of F; keeps
 * about 3*sqrt(n_c) keys. On success *out owns a new chain (free with
 * mikey_tesla_chain_free). Returns MIKEY_OK, MIKEY_ERR_ARG,
 * MIKEY_ERR_LENGTH (seed_len), MIKEY_ERR_TOO_MANY (n_c above
 * MIKEY_TESLA_MAX_CHAIN_LEN: refused before any allocation or F call),
 * MIKEY_ERR_NOMEM, MIKEY_ERR_CRYPTO and the codes of
 * mikey_tesla_params_check. */
MIKEY_API MIKEY_WARN_UNUSED int mikey_tesla_chain_new(const mikey_tesla_params *p, const uint8_t *seed, size_t seed_len,
                                            mikey_tesla_chain **out);

/* mikey_tesla_chain_free wipes and frees |c|. NULL is fine. */
MIKEY_API void mikey_tesla_chain_free(mikey_tesla_chain *c);

/* mikey_tesla_chain_key writes K_i (n_p/8 bytes) to |out|. Sequential
 * access (increasing or decreasing i) costs O(1) F calls amortised, random
 * access at most sqrt(n_c). Returns MIKEY_OK, MIKEY_ERR_ARG (i > n_c),
 * MIKEY_ERR_CRYPTO. */
MIKEY_API MIKEY_WARN_UNUSED int mikey_tesla_chain_key(mikey_tesla_chain *c, uint32_t i, uint8_t *out);

/* mikey_tesla_chain_get_stats fills |st|. */
MIKEY_API void mikey_tesla_chain_get_stats(const mikey_tesla_chain *c, mikey_tesla_chain_stats *st);

/* ---- Sender ---- */

typedef struct mikey_tesla_sender mikey_tesla_sender;

/* mikey_tesla_sender_new creates a sender for |p| (commit_index and
 * commitment are ignored and replaced by 0 and K_0 of the new chain) with
 * chain seed |seed|. Interval 0 is the commitment's interval, so the first
 * interval the sender can authenticate packets in is 1: choose T_0 one
 * T_int before the first packet. Returns the codes of
 * mikey_tesla_chain_new. */
MIKEY_API MIKEY_WARN_UNUSED int mikey_tesla_sender_new(const mikey_tesla_params *p, const uint8_t *seed, size_t seed_len,
                                             mikey_tesla_sender **out);

/* mikey_tesla_sender_dup makes *out an independent copy of |s| in its
 * current state (chain, highest interval used, cached MAC key), at the
 * cost of copying the O(sqrt(n_c)) stored keys instead of the n_c F calls
 * of mikey_tesla_sender_new: for fuzzers and simulations that replay one
 * session from the start many times. Both copies hold the chain secret;
 * free each with mikey_tesla_sender_free. Returns MIKEY_OK, MIKEY_ERR_ARG,
 * MIKEY_ERR_NOMEM (then *out is NULL). */
MIKEY_API MIKEY_WARN_UNUSED int mikey_tesla_sender_dup(const mikey_tesla_sender *s, mikey_tesla_sender **out);

/* mikey_tesla_sender_free wipes and frees |s|. NULL is fine. */
MIKEY_API void mikey_tesla_sender_free(mikey_tesla_sender *s);

/* mikey_tesla_sender_get0_params returns the sender's parameters with the
 * commitment K_0 (index 0) filled in: what key management (RFC 4442) sends
 * to receivers, signed. Borrowed; valid until the sender is freed. */
MIKEY_API const mikey_tesla_params *mikey_tesla_sender_get0_params(const mikey_tesla_sender *s);

/* mikey_tesla_sender_protect_rtp appends the TESLA authentication
 * extension (RFC 4383 §4.1) to the SRTP packet in |buf|: on entry
 * buf[0, len) is the TESLA Authenticated Portion (RTP header and Encrypted
 * Portion, i.e. the output of SRTP encryption, RFC 4383 §4.2) and |cap| the
 * size of |buf|. The TESLA MAC covers ROC || buf[0, len) (RFC 4383 §4.6)
 * with K'_i of the interval i that contains |now|; the extension discloses
 * K_{i-d} (K_0 while i < d). MKI and SRTP tag are appended afterwards by
 * the caller, the tag covering the extension. *out_len = len + ext_len.
 * Returns MIKEY_OK, MIKEY_ERR_ARG, MIKEY_ERR_LENGTH (cap too small),
 * MIKEY_ERR_STATE (|now| before interval 1, after interval n_c where the
 * chain is exhausted, or in an interval earlier than one already used:
 * its key may already be disclosed), MIKEY_ERR_CRYPTO. */
MIKEY_API MIKEY_WARN_UNUSED int mikey_tesla_sender_protect_rtp(mikey_tesla_sender *s, uint8_t *buf, size_t len, size_t cap,
                                                     uint32_t roc, uint64_t now, size_t *out_len);

/* mikey_tesla_sender_protect_rtcp is the SRTCP form (RFC 4383 §4.5): on
 * entry buf[0, len) is the RTCP header, Encrypted Portion and E||SRTCP
 * index (4 bytes); the TESLA MAC covers buf[0, len - 4) only (the TESLA
 * Authenticated Portion of §4.5, no ROC: §4.6). Same return codes; also
 * MIKEY_ERR_TRUNCATED when len < 12. */
MIKEY_API MIKEY_WARN_UNUSED int mikey_tesla_sender_protect_rtcp(mikey_tesla_sender *s, uint8_t *buf, size_t len, size_t cap,
                                                      uint64_t now, size_t *out_len);

/* ---- Parsing the extension ---- */

/* A located TESLA extension: pointers borrow the packet. */
typedef struct mikey_tesla_ext {
	uint32_t i;               /* interval of the TESLA MAC key */
	const uint8_t *key;       /* disclosed K_{i-d}, n_p/8 bytes */
	const uint8_t *mac;       /* TESLA MAC, n_m/8 bytes */
	size_t portion_len;       /* bytes covered by the TESLA MAC (without ROC) */
	size_t ext_offset;        /* where the extension starts */
} mikey_tesla_ext;

/* mikey_tesla_ext_parse locates the extension in |pkt|, whose |len| bytes
 * end where the MKI (or the SRTP tag) begins: pass the packet length minus
 * MKI and tag lengths. |rtcp| selects the SRTCP layout, where E||index
 * (4 bytes) sits between the TESLA Authenticated Portion and the
 * extension. Returns MIKEY_OK, MIKEY_ERR_ARG, MIKEY_ERR_TRUNCATED (too
 * short to hold a header and the extension). */
MIKEY_API MIKEY_WARN_UNUSED int mikey_tesla_ext_parse(const mikey_tesla_params *p, const uint8_t *pkt, size_t len, bool rtcp,
                                            mikey_tesla_ext *ext);

/* ---- Receiver ---- */

typedef struct mikey_tesla_receiver mikey_tesla_receiver;

/* Receiver limits. The receiver never holds more than these, whatever
 * senders (or attackers holding the group SRTP key) send; packets beyond
 * them are dropped on arrival (tail drop) and counted as overflow. */
typedef struct mikey_tesla_receiver_config {
	size_t max_packets;     /* packets held (awaiting key or release) */
	size_t max_bytes;       /* bytes held for them, entry overhead included */
	uint32_t max_gap;       /* how far (in intervals) a disclosed key may be
	                         * ahead of the last verified one: bounds the F
	                         * calls per packet (g of RFC 4082 §3.7); at
	                         * most MIKEY_TESLA_MAX_GAP_LIMIT */
	uint32_t replay_window; /* bits in each replay window (RTP, RTCP);
	                         * rounded up to a multiple of 64 */
} mikey_tesla_receiver_config;

/* mikey_tesla_receiver_config_default: 256 packets, 256 KiB, max_gap 64,
 * replay window 1024. */
MIKEY_API void mikey_tesla_receiver_config_default(mikey_tesla_receiver_config *cfg);

/* Counters; every input packet lands in exactly one of the first ten
 * (accepted is counted when the packet is released). */
typedef struct mikey_tesla_counters {
	uint64_t accepted;    /* TESLA MAC verified, released */
	uint64_t unsafe;      /* RFC 4082 §3.5 safety test failed: x >= i + d */
	uint64_t future;      /* claims an interval the sender cannot be in
	                       * yet (i > x, or i > n_c): impossible if the D_t
	                       * bound holds */
	uint64_t late;        /* key of its interval already known (i <= v) */
	uint64_t forged;      /* TESLA MAC mismatch */
	uint64_t bad_key;     /* disclosed key not on the chain */
	uint64_t too_far;     /* disclosed key more than max_gap past v */
	uint64_t overflow;    /* dropped: buffer full (count or bytes) */
	uint64_t duplicate;   /* already verified, or an identical copy pending */
	uint64_t malformed;   /* too short to carry the extension */
	size_t held_packets;  /* now held (pending + released, not yet taken) */
	size_t held_bytes;
	size_t peak_bytes;    /* high-water mark of held_bytes */
	uint32_t verified_index; /* v: index of the last verified chain key */
} mikey_tesla_counters;

/* What happened to one input packet. */
typedef enum mikey_tesla_verdict {
	MIKEY_TESLA_BUFFERED = 0, /* safe; waits for its key */
	MIKEY_TESLA_UNSAFE,
	MIKEY_TESLA_FUTURE,
	MIKEY_TESLA_LATE,
	MIKEY_TESLA_BAD_KEY,
	MIKEY_TESLA_TOO_FAR,
	MIKEY_TESLA_OVERFLOW,
	MIKEY_TESLA_DUPLICATE
} mikey_tesla_verdict;

/* A released (TESLA-verified) packet. */
typedef struct mikey_tesla_released {
	size_t len;        /* bytes copied: the packet without the extension */
	uint64_t index;    /* the caller's SRTP / SRTCP index given at input */
	uint32_t roc;      /* ROC given at input (RTP) */
	uint32_t interval; /* i of the TESLA MAC key */
	bool rtcp;
} mikey_tesla_released;

/* mikey_tesla_receiver_new creates a receiver for |p| (with the signed
 * commitment K_c at index c as bootstrapped, RFC 4082 §3.3) and limits
 * |cfg| (NULL = defaults).
 * Memory bound: the receiver's heap never exceeds
 *   sizeof(receiver) + (min(max_gap, n_c) + 1) * n_p/8
 *   + 2 * replay_window/8 + max_bytes
 * whatever n_c (any value up to 2^32 - 1 is fine) and whatever peers
 * send: it keeps only the last verified key K_v and verifies a disclosed
 * key by hashing it forward to K_v in at most max_gap F calls.
 * Returns MIKEY_OK, MIKEY_ERR_ARG (a zero limit, max_gap above
 * MIKEY_TESLA_MAX_GAP_LIMIT), MIKEY_ERR_NOMEM and the codes of
 * mikey_tesla_params_check. */
MIKEY_API MIKEY_WARN_UNUSED int mikey_tesla_receiver_new(const mikey_tesla_params *p, const mikey_tesla_receiver_config *cfg,
                                               mikey_tesla_receiver **out);

/* mikey_tesla_receiver_free wipes and frees |r| and every packet held.
 * NULL is fine. */
MIKEY_API void mikey_tesla_receiver_free(mikey_tesla_receiver *r);

/* mikey_tesla_receiver_input_rtp processes one SRTP packet that passed the
 * SRTP replay check against this receiver (mikey_tesla_receiver_seen) and
 * the SRTP tag check: pkt[0, len) is the packet without MKI and tag.
 * |roc| and |index| are the ROC and 48-bit SRTP index the caller estimated
 * (RFC 3711 §3.3.1); |now| is the receiver's clock (NTP). Runs RFC 4082
 * §3.5 steps 1-4: safety test with D_t, key index test, key verification
 * against the last verified key (across at most max_gap lost intervals),
 * then buffers the packet and verifies buffered packets whose key became
 * known; verified packets queue for mikey_tesla_receiver_next.
 * A dropped packet is not an error: *verdict says what happened and the
 * counters count it. Returns MIKEY_OK, MIKEY_ERR_ARG,
 * MIKEY_ERR_TRUNCATED (counted as malformed), MIKEY_ERR_CRYPTO. */
MIKEY_API MIKEY_WARN_UNUSED int mikey_tesla_receiver_input_rtp(mikey_tesla_receiver *r, const uint8_t *pkt, size_t len,
                                                     uint32_t roc, uint64_t index, uint64_t now,
                                                     mikey_tesla_verdict *verdict);

/* mikey_tesla_receiver_input_rtcp is the SRTCP form: pkt[0, len) is header,
 * Encrypted Portion, E||SRTCP index and extension; |index| is the SRTCP
 * index (31 bits). Same return codes. */
MIKEY_API MIKEY_WARN_UNUSED int mikey_tesla_receiver_input_rtcp(mikey_tesla_receiver *r, const uint8_t *pkt, size_t len,
                                                      uint64_t index, uint64_t now, mikey_tesla_verdict *verdict);

/* mikey_tesla_receiver_next takes the oldest verified packet: copies it,
 * without the TESLA extension (RFC 4383 §4.4.2), into |out| (|cap| bytes)
 * and describes it in |info|. Packets come out in the order they were
 * verified: by interval, then arrival. Its index has been entered in the
 * TESLA-verified replay list; the caller now decrypts it and updates its
 * own ROC/s_l (RFC 4383 §4.4.2, last paragraph). Returns MIKEY_OK,
 * MIKEY_ERR_NOT_FOUND (nothing to take), MIKEY_ERR_ARG,
 * MIKEY_ERR_LENGTH (|cap| too small: info->len says how much is needed and
 * the packet stays queued). */
MIKEY_API MIKEY_WARN_UNUSED int mikey_tesla_receiver_next(mikey_tesla_receiver *r, uint8_t *out, size_t cap,
                                                mikey_tesla_released *info);

/* mikey_tesla_receiver_seen tells whether |index| (SRTCP index if |rtcp|)
 * is in the TESLA-verified replay list, or older than its window: the
 * replay check RFC 4383 §4.4.2 puts before the SRTP tag check. */
MIKEY_API bool mikey_tesla_receiver_seen(const mikey_tesla_receiver *r, bool rtcp, uint64_t index);

/* mikey_tesla_receiver_set_anchor re-bootstraps the receiver with a newer
 * authenticated chain key |key| = K_index (n_p/8 bytes), obtained through
 * key management after an outage longer than max_gap intervals. Held
 * packets whose interval is <= index can no longer be verified safely and
 * are dropped (counted late). Returns MIKEY_OK, MIKEY_ERR_ARG (index not
 * after the current anchor, or beyond n_c). */
MIKEY_API MIKEY_WARN_UNUSED int mikey_tesla_receiver_set_anchor(mikey_tesla_receiver *r, const uint8_t *key, uint32_t index);

/* mikey_tesla_receiver_get_counters copies the counters to |c|. */
MIKEY_API void mikey_tesla_receiver_get_counters(const mikey_tesla_receiver *r, mikey_tesla_counters *c);

#ifdef __cplusplus
}
#endif
#endif
