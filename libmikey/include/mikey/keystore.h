/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * mikey/keystore.h - a thread-safe store of SRTP crypto sessions, keyed by
 * (SSRC, MKI), for one thread that puts keys in (a SIP agent finishing
 * MIKEY exchanges) and others that read them (a streaming element), with
 * neither knowing the other.
 *
 * Every key belongs to a group (its CSB ID) and a generation: a uint32
 * epoch that only moves forward per CSB ID (a rekey puts generation g+1,
 * then retires everything older). A key may also carry a validity: an
 * interval of SRTP packet indices (RFC 3830 §6.14 KV Interval; the 48-bit
 * index ROC << 16 | SEQ of RFC 3711 §3.3.1) and/or of time.
 *
 * Lookups are O(1) on average (hash tables on (SSRC, MKI) and on SSRC).
 * A group's record (its CSB ID and newest generation, a few bytes) stays
 * until the store is freed; retiring in a group the store has never seen
 * does nothing and remembers nothing.
 *
 * Ownership: keys are copied in (put) and copied out (get): a reader never
 * holds a pointer into the store, so a writer may replace or retire a key
 * at any moment. The store wipes its copy when the key is replaced,
 * retired, or the store freed; the caller wipes its copies with
 * mikey_crypto_session_cleanup().
 *
 * Threading: every function may be called from any thread at the same
 * time, except mikey_keystore_free (no other call may run or follow). Each
 * call holds the store's mutex for a copy and a few hash steps; after a
 * writer call returns, no reader call that starts later sees the old state
 * (a retired key is never returned after mikey_keystore_retire returned).
 *
 * Change callback: after a change, the callback is called once per key
 * added, replaced or retired, without the store's lock held, so it may call
 * any keystore function (a reader fetching the new key, or a writer). The
 * calls are serialized and in the order of the changes: if another thread
 * is already delivering, it delivers the new events too, and the writer
 * returns without waiting for them. A callback must not free the store.
 * Events carry no key material.
 */
#ifndef MIKEY_KEYSTORE_H
#define MIKEY_KEYSTORE_H

#include "mikey/export.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mikey/error.h"
#include "mikey/exchange.h"
#include "mikey/group.h"
#include "mikey/msg.h"
#include "mikey/types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mikey_keystore mikey_keystore;

/* When a key may be used. A bound that is not set is not checked. */
typedef struct mikey_key_validity {
	bool has_index;      /* RFC 3830 §6.14 KV Interval (SRTP: VF, VT) */
	uint64_t index_from; /* first SRTP packet index, inclusive */
	uint64_t index_to;   /* last SRTP packet index, inclusive */
	bool has_time;
	uint64_t time_from; /* NTP time as mikey_clock_fn gives it, inclusive */
	uint64_t time_to;   /* inclusive */
} mikey_key_validity;

/* mikey_key_validity_from_kv sets |v|'s index bounds from a Key validity
 * payload (RFC 3830 §6.14) and leaves its time bounds alone: type Interval
 * gives has_index with VF and VT read as big-endian SRTP packet indices
 * (ROC || SEQ, RFC 3711 §3.3.1; an empty VF is 0, an empty VT is the
 * largest index); type Null or SPI clears has_index. Returns MIKEY_OK,
 * MIKEY_ERR_ARG (NULL), MIKEY_ERR_FIELD_RANGE (VF or VT longer than 6
 * bytes, or VF after VT), MIKEY_ERR_UNKNOWN_VALUE (another KV type). */
MIKEY_API MIKEY_WARN_UNUSED int mikey_key_validity_from_kv(const mikey_kv *kv, mikey_key_validity *v);

/* Where a reader stands when it asks by SSRC: the packet index and/or the
 * time it needs a key for. A field not set here is not checked. */
typedef struct mikey_keystore_at {
	bool has_index;
	uint64_t index;
	bool has_time;
	uint64_t time;
} mikey_keystore_at;

/* What the store says about a key besides the key itself. */
typedef struct mikey_keystore_info {
	uint32_t csb_id;
	uint32_t generation;
	mikey_key_validity validity;
} mikey_keystore_info;

typedef enum mikey_keystore_change {
	MIKEY_KEYSTORE_ADDED = 1,    /* a new (SSRC, MKI) */
	MIKEY_KEYSTORE_REPLACED = 2, /* a put over an existing (SSRC, MKI) */
	MIKEY_KEYSTORE_RETIRED = 3   /* removed by mikey_keystore_retire */
} mikey_keystore_change;

/* One change; no key material (fetch it with mikey_keystore_get). */
typedef struct mikey_keystore_event {
	mikey_keystore_change change;
	uint32_t ssrc;
	uint8_t mki[255];
	size_t mki_len;
	uint32_t csb_id;
	uint32_t generation; /* of the key added, of the new key, of the key retired */
} mikey_keystore_event;

typedef void (*mikey_keystore_cb)(const mikey_keystore_event *ev, void *user);

/* mikey_keystore_new returns an empty store; NULL when out of memory or
 * when the mutex cannot be made. */
MIKEY_API mikey_keystore *mikey_keystore_new(void);

/* mikey_keystore_free wipes every key and frees |ks|; events not yet
 * delivered are dropped. No other call may run at the same time, nor be
 * made from a callback. NULL is fine. */
MIKEY_API void mikey_keystore_free(mikey_keystore *ks);

/* mikey_keystore_set_callback sets the change callback (NULL: none) and
 * its user data; later events go to it. */
MIKEY_API void mikey_keystore_set_callback(mikey_keystore *ks, mikey_keystore_cb cb, void *user);

/* mikey_keystore_put copies |cs| in under (cs->ssrc, cs->mki), in group
 * |csb_id| at |generation|, valid as |validity| says (NULL: always). An
 * existing key under the same (SSRC, MKI) is replaced (wiped). Returns
 * MIKEY_OK, MIKEY_ERR_ARG (NULL, or a length of |cs| out of range),
 * MIKEY_ERR_STATE (|generation| is older than the newest put or retired
 * for |csb_id|: generations only move forward), MIKEY_ERR_NOMEM (nothing
 * changed). */
MIKEY_API MIKEY_WARN_UNUSED int mikey_keystore_put(mikey_keystore *ks, const mikey_crypto_session *cs, uint32_t csb_id,
                                                   uint32_t generation, const mikey_key_validity *validity);

/* mikey_keystore_put_exchange puts every crypto session of the completed
 * exchange |ex| under every key it transported (mikey_exchange_get_cs_key:
 * one entry per (SSRC, MKI)), in group mikey_exchange_csb_id(ex) at
 * |generation|, all at once: a reader sees all of them or none. |validity|
 * NULL: each key's own KV interval, if it came with one, else always.
 * Returns MIKEY_OK, MIKEY_ERR_ARG (NULL), MIKEY_ERR_STATE (exchange not
 * complete, or |generation| older than the group's newest), the errors of
 * mikey_exchange_get_cs_key (|err| says which session), MIKEY_ERR_NOMEM;
 * nothing changes on failure. */
MIKEY_API MIKEY_WARN_UNUSED int mikey_keystore_put_exchange(mikey_keystore *ks, const mikey_exchange *ex,
                                                            uint32_t generation, const mikey_key_validity *validity,
                                                            mikey_error *err);

/* mikey_keystore_put_generation puts every sender's crypto session of the
 * group generation |g| (mikey/group.h), in group mikey_group_gen_csb_id(g)
 * at generation mikey_group_gen_epoch(g): how a key server keys its own
 * media. Returns as mikey_keystore_put_exchange (errors of
 * mikey_group_gen_get_cs). */
MIKEY_API MIKEY_WARN_UNUSED int mikey_keystore_put_generation(mikey_keystore *ks, const mikey_group_gen *g,
                                                              const mikey_key_validity *validity, mikey_error *err);

/* mikey_keystore_get copies the key stored under (|ssrc|, |mki|) (|mki_len|
 * 0: no MKI) to |out| (wipe it with mikey_crypto_session_cleanup) and, when
 * |info| is not NULL, its group, generation and validity (not checked
 * here). Returns MIKEY_OK, MIKEY_ERR_ARG (NULL, |mki_len| > 255),
 * MIKEY_ERR_NOT_FOUND (|out| zeroed). */
MIKEY_API MIKEY_WARN_UNUSED int mikey_keystore_get(mikey_keystore *ks, uint32_t ssrc, const uint8_t *mki, size_t mki_len,
                                                   mikey_crypto_session *out, mikey_keystore_info *info);

/* mikey_keystore_get_by_ssrc copies out, among the keys of |ssrc| that are
 * valid at |at| (NULL: validity not checked), the one of the newest
 * generation; between equal generations, the one put last. Returns
 * MIKEY_OK, MIKEY_ERR_ARG (NULL), MIKEY_ERR_NOT_FOUND (|out| zeroed). */
MIKEY_API MIKEY_WARN_UNUSED int mikey_keystore_get_by_ssrc(mikey_keystore *ks, uint32_t ssrc, const mikey_keystore_at *at,
                                                           mikey_crypto_session *out, mikey_keystore_info *info);

/* mikey_keystore_retire removes and wipes every key of group |csb_id| whose
 * generation is older than |generation|, and from then on refuses puts of
 * such generations for the group. It needs no memory, so it cannot fail
 * once its arguments are good. |n_retired| (may be NULL) gets how many keys
 * went. Returns MIKEY_OK, MIKEY_ERR_ARG (|ks| NULL). */
MIKEY_API MIKEY_WARN_UNUSED int mikey_keystore_retire(mikey_keystore *ks, uint32_t csb_id, uint32_t generation,
                                                      size_t *n_retired);

/* mikey_keystore_count returns the number of keys stored (0 for NULL). */
MIKEY_API size_t mikey_keystore_count(mikey_keystore *ks);

#ifdef __cplusplus
}
#endif
#endif
