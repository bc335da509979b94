/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * replay.h - the bounded replay cache of RFC 3830 §5.4.
 *
 * Entries are (timestamp, digest of the authenticated message). When the
 * cache is full the oldest entry is evicted and its timestamp becomes the
 * floor: any later message with a timestamp at or below the floor is
 * refused, because we can no longer prove it is not a replay. Memory is
 * fixed by the capacity; only successfully authenticated messages enter.
 */
#ifndef MIKEY_SRC_REPLAY_H
#define MIKEY_SRC_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MIKEY_REPLAY_DIGEST 32 /* SHA-256 */

typedef struct mikey_replay_entry {
	uint64_t t;
	uint8_t digest[MIKEY_REPLAY_DIGEST];
} mikey_replay_entry;

typedef struct mikey_replay {
	mikey_replay_entry *entries;
	size_t capacity;
	size_t count;
	uint64_t floor; /* timestamps <= floor are refused; 0 = none evicted */
	bool have_floor;
} mikey_replay;

int mikey_replay_init(mikey_replay *r, size_t capacity);
void mikey_replay_cleanup(mikey_replay *r);
/* true when (t, digest) must be refused as a (possible) replay. */
bool mikey_replay_seen(const mikey_replay *r, uint64_t t, const uint8_t *digest);
/* Record an authenticated message. Drops entries older than |oldest_valid|
 * (outside the skew window: the timestamp check refuses those anyway). */
void mikey_replay_add(mikey_replay *r, uint64_t t, const uint8_t *digest, uint64_t oldest_valid);

#endif
