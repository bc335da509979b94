/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * replay.h - the replay cache of RFC 3830 §5.4, sized for a key server.
 *
 * Entries are (timestamp, SHA-256 of the authenticated message); only
 * messages that authenticated enter. Lookup is a hash of the digest (open
 * addressing, linear probing, load <= 1/8, hash tags in the slots):
 * O(1) average, whatever the number of entries. Expiry is by time: the
 * entries sit in a ring in the order they were accepted, and on each
 * insert the ring's head is dropped while its timestamp is older than
 * (now - max_skew), because the timestamp check of §5.4 refuses such
 * messages before the cache is asked. An entry may wait behind an earlier
 * one with a later timestamp, but none stays longer than 2 x max_skew
 * after it was accepted (its timestamp lies within max_skew of the clock
 * then). So the cache holds at most the messages of the last 2 x max_skew:
 *
 *   entries needed = authenticated messages per second x 2 x max_skew
 *
 * Default ±300 s: 1,000 members rekeying within 10 minutes need 1,000
 * entries; 10 messages/s sustained need 6,000.
 *
 * Memory: MIKEY_REPLAY_ENTRY_BYTES (72) bytes per entry of capacity (the
 * capacity is rounded up to a power of two): 40 for the entry, 32 for eight
 * 32-bit hash slots. The cache starts at the configured capacity and doubles when
 * the live entries exceed it, up to max(capacity, MIKEY_REPLAY_HARD_MAX)
 * entries (2^20 = 72 MiB; 1,747 messages/s sustained with ±300 s).
 *
 * Past the hard bound (or when growing fails for lack of memory) the cache
 * never accepts a replay silently: it drops the entry accepted first,
 * whose timestamp becomes the floor, and mikey_replay_add returns
 * MIKEY_ERR_TOO_MANY (the new message is still recorded). Messages at or
 * below the floor are then refused as MIKEY_ERR_REPLAY ("older than the
 * replay cache remembers"), until they fall out of the skew window anyway
 * (at most 2 x max_skew): §5.4's "rejects all incoming requests until the
 * clock skew interval has passed", narrowed to the timestamps at or below
 * the floor. The floor is raised the same way by expiry, so
 * a clock that steps backwards cannot revive a forgotten message; with a
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
/* Bytes of memory per entry of capacity (entry + 8 hash slots). */
#define MIKEY_REPLAY_ENTRY_BYTES 72

typedef struct mikey_replay_entry {
	uint64_t t;
	uint8_t digest[MIKEY_REPLAY_DIGEST];
} mikey_replay_entry;

typedef struct mikey_replay {
	mikey_replay_entry *entries; /* ring of capacity, in arrival order */
	uint32_t *slots;             /* hash: tag | ring position + 1, 0 = empty */
	uint32_t tag_mask;           /* the slot bits above the position */
	size_t capacity;             /* entries allocated, a power of 2 */
	size_t hard_max;             /* capacity never grows beyond this */
	size_t head;                 /* ring position of the entry accepted first */
	size_t count;                /* live entries */
	size_t nslots;               /* 8 x capacity */
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
