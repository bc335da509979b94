/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * replay.h - the replay cache of RFC 3830 §5.4, sized for a key server.
 *
 * Entries are (timestamp, SHA-256 of the authenticated message); only
 * messages that authenticated enter. Lookup is a hash of the digest (open
 * addressing, linear probing, load <= 1/4): O(1) average, whatever the
 * number of entries. Expiry is by time: a min-heap on the timestamp drops
 * every entry older than (now - max_skew) on each insert, because the
 * timestamp check of §5.4 refuses such messages before the cache is asked.
 * So the cache only has to hold the messages of one skew window:
 *
 *   entries needed = authenticated messages per second x 2 x max_skew
 *
 * (a timestamp may lie max_skew before or after our clock). Default
 * ±300 s: 1,000 members rekeying within 10 minutes need 1,000 entries;
 * 10 messages/s sustained need 6,000.
 *
 * Memory: MIKEY_REPLAY_ENTRY_BYTES (88) bytes per entry of capacity (the
 * capacity is rounded up to a power of two): 40 for the entry, 16 for its
 * heap item, 32 for four hash slots (load <= 1/4). The cache
 * starts at the configured capacity and doubles when the live entries
 * exceed it, up to max(capacity, MIKEY_REPLAY_HARD_MAX) entries (2^20 =
 * 88 MiB; 1,747 messages/s sustained with ±300 s).
 *
 * Past the hard bound (or when growing fails for lack of memory) the cache
 * never accepts a replay silently: it evicts its oldest entry, whose
 * timestamp becomes the floor, and mikey_replay_add returns
 * MIKEY_ERR_TOO_MANY (the new message is still recorded). Messages at or
 * below the floor are then refused as MIKEY_ERR_REPLAY ("older than the
 * replay cache remembers"): §5.4's "rejects all incoming requests until the
 * clock skew interval has passed", narrowed to the messages the cache can
 * no longer vouch for. The floor is raised the same way by expiry, so a
 * clock that steps backwards cannot revive a forgotten message; with a
 * clock that only moves forward the floor stays below now - max_skew and
 * refuses nothing the timestamp check would accept.
 */
#ifndef MIKEY_SRC_REPLAY_H
#define MIKEY_SRC_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MIKEY_REPLAY_DIGEST 32 /* SHA-256 */
/* Hard bound on the entries a cache grows to (unless configured larger). */
#define MIKEY_REPLAY_HARD_MAX ((size_t)1 << 20)
/* Bytes of memory per entry of capacity (entry + heap item + 4 hash slots). */
#define MIKEY_REPLAY_ENTRY_BYTES 88

typedef struct mikey_replay_entry {
	uint64_t t; /* while free: index of the next free entry */
	uint8_t digest[MIKEY_REPLAY_DIGEST];
} mikey_replay_entry;

/* The heap keeps the timestamp next to the index: expiry and sift-up
 * never touch the entries. */
typedef struct mikey_replay_heap_item {
	uint64_t t;
	uint32_t idx;
} mikey_replay_heap_item;

typedef struct mikey_replay {
	mikey_replay_entry *entries; /* capacity entries, live ones in heap[] */
	mikey_replay_heap_item *heap; /* min-heap on t, count long */
	uint64_t *slots;             /* hash: tag << 32 | entry index + 1, 0 = empty */
	size_t capacity;             /* entries allocated */
	size_t hard_max;             /* capacity never grows beyond this */
	size_t count;                /* live entries */
	size_t nslots;               /* 4 x capacity (a power of 2) */
	uint32_t free_head;          /* first free entry, UINT32_MAX = none */
	uint64_t floor;              /* timestamps <= floor are refused */
	bool have_floor;             /* an entry was forgotten (expiry/eviction) */
	uint64_t evictions;          /* entries evicted at the hard bound */
} mikey_replay;

/* mikey_replay_init makes an empty cache of |capacity| entries that grows
 * up to max(capacity, MIKEY_REPLAY_HARD_MAX). Returns MIKEY_OK,
 * MIKEY_ERR_ARG (0, or more than 2^31 entries), MIKEY_ERR_NOMEM. */
int mikey_replay_init(mikey_replay *r, size_t capacity);
void mikey_replay_cleanup(mikey_replay *r);
/* mikey_replay_check: MIKEY_OK when (t, digest) may be accepted;
 * MIKEY_ERR_REPLAY when it is in the cache or at/below the floor. */
int mikey_replay_check(const mikey_replay *r, uint64_t t, const uint8_t *digest);
/* true when (t, digest) must be refused as a (possible) replay. */
bool mikey_replay_seen(const mikey_replay *r, uint64_t t, const uint8_t *digest);
/* mikey_replay_add records an authenticated message, first dropping the
 * entries older than |oldest_valid| (now - max_skew). Returns MIKEY_OK, or
 * MIKEY_ERR_TOO_MANY when the cache was at its hard bound (or could not
 * grow) and evicted its oldest entry, raising the floor; the message is
 * recorded either way. */
int mikey_replay_add(mikey_replay *r, uint64_t t, const uint8_t *digest, uint64_t oldest_valid);
/* mikey_replay_count returns the live entries. */
size_t mikey_replay_count(const mikey_replay *r);

#endif
