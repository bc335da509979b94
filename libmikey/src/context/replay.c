/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* replay.c - the RFC 3830 §5.4 replay cache: a ring of entries in arrival
 * order, expired from its head by time, and a tagged open-addressing hash
 * on the digest for the lookup (see replay.h). */
#include "context/replay.h"

#include <string.h>

#include "crypto/crypto.h"
#include "mikey/error.h"
#include "mikey/mem.h"


static size_t pow2_at_least(size_t n)
{
	size_t p = 1;
	while (p < n)
		p <<= 1;
	return p;
}

/* The digest is SHA-256 of an authenticated message: its bytes are already
 * uniform, and only messages that authenticated enter, so an attacker cannot
 * choose the clusters. The timestamp is mixed in for equal digests. */
static uint64_t hash_of(uint64_t t, const uint8_t *digest)
{
	uint64_t h;
	memcpy(&h, digest, sizeof(h));
	h ^= t * 0x9e3779b97f4a7c15u;
	h ^= h >> 29;
	return h;
}

static size_t slot_of(const mikey_replay *r, uint64_t h)
{
	return (size_t)h & (r->nslots - 1);
}

/* A 32-bit slot holds the ring position + 1 in its low pos_bits and high
 * bits of the hash as a tag in the rest (11 bits at 2^20 entries): a
 * lookup reads an entry only when its tag matches, so checking a fresh
 * message seldom touches the entries at all. */
static uint32_t tag_of(const mikey_replay *r, uint64_t h)
{
	return (uint32_t)(h >> 32) & r->tag_mask;
}

static uint32_t slot_value(const mikey_replay *r, size_t pos, uint64_t h)
{
	return tag_of(r, h) | (uint32_t)(pos + 1);
}

static size_t slot_pos(const mikey_replay *r, uint32_t v)
{
	return (size_t)(v & ~r->tag_mask) - 1;
}

static bool same(const mikey_replay_entry *e, uint64_t t, const uint8_t *digest)
{
	return e->t == t && mikey_crypto_memeq(e->digest, digest, MIKEY_REPLAY_DIGEST);
}

static void slots_insert(mikey_replay *r, size_t pos)
{
	const mikey_replay_entry *e = &r->entries[pos];
	uint64_t h = hash_of(e->t, e->digest);
	size_t s = slot_of(r, h);
	while (r->slots[s] != 0)
		s = (s + 1) & (r->nslots - 1);
	r->slots[s] = slot_value(r, pos, h);
}

/* Backward-shift deletion keeps every probe sequence unbroken without
 * tombstones (Knuth vol. 3, 6.4, algorithm R). */
static void slots_remove(mikey_replay *r, size_t pos)
{
	const mikey_replay_entry *e = &r->entries[pos];
	size_t mask = r->nslots - 1;
	size_t i = slot_of(r, hash_of(e->t, e->digest));
	while (r->slots[i] == 0 || slot_pos(r, r->slots[i]) != pos)
		i = (i + 1) & mask;
	r->slots[i] = 0;
	for (size_t j = (i + 1) & mask; r->slots[j] != 0; j = (j + 1) & mask) {
		const mikey_replay_entry *o = &r->entries[slot_pos(r, r->slots[j])];
		size_t home = slot_of(r, hash_of(o->t, o->digest));
		/* Move o back to the hole unless its home lies cyclically in (i, j]. */
		bool stays = (i <= j) ? (i < home && home <= j) : (i < home || home <= j);
		if (!stays) {
			r->slots[i] = r->slots[j];
			r->slots[j] = 0;
			i = j;
		}
	}
}

/* Forgets the entry accepted first; the floor moves up to its timestamp. */
static void drop_head(mikey_replay *r)
{
	mikey_replay_entry *e = &r->entries[r->head];

	if (!r->have_floor || e->t > r->floor)
		r->floor = e->t;
	r->have_floor = true;
	slots_remove(r, r->head);
	mikey_wipe(e, sizeof(*e));
	r->head = (r->head + 1) & (r->capacity - 1);
	r->count--;
}

/* Allocates a ring of |capacity| entries and its slots, moves the live
 * entries over in arrival order. On failure |r| is unchanged. */
static int resize(mikey_replay *r, size_t capacity)
{
	size_t nslots = 8 * capacity; /* load <= 1/8: mostly no probe run at all */
	mikey_replay_entry *entries = mikey_malloc(capacity * sizeof(*entries));
	uint32_t *slots = mikey_malloc(nslots * sizeof(*slots));
	unsigned pos_bits = 1;

	if (entries == NULL || slots == NULL)
		goto cleanup;
	/* Touch every page now rather than on the first messages. */
	memset(entries, 0, capacity * sizeof(*entries));
	memset(slots, 0, nslots * sizeof(*slots));
	for (size_t i = 0; i < r->count; i++)
		entries[i] = r->entries[(r->head + i) & (r->capacity - 1)];
	if (r->entries != NULL) {
		mikey_wipe(r->entries, r->capacity * sizeof(*r->entries));
		mikey_free(r->entries);
	}
	mikey_free(r->slots);
	r->entries = entries;
	r->slots = slots;
	r->capacity = capacity;
	r->nslots = nslots;
	r->head = 0;
	while (((size_t)1 << (pos_bits - 1)) < capacity)
		pos_bits++; /* position + 1 <= capacity fits in pos_bits */
	r->tag_mask = pos_bits >= 32 ? 0 : ~(uint32_t)0 << pos_bits;
	for (size_t i = 0; i < r->count; i++)
		slots_insert(r, i);
	return MIKEY_OK;

cleanup:
	mikey_free(slots);
	mikey_free(entries);
	return MIKEY_ERR_NOMEM;
}

int mikey_replay_init(mikey_replay *r, size_t capacity)
{
	int rc;

	memset(r, 0, sizeof(*r));
	if (capacity == 0 || capacity > ((size_t)1 << 31))
		return MIKEY_ERR_ARG;
	capacity = pow2_at_least(capacity);
	rc = resize(r, capacity);
	if (rc != MIKEY_OK)
		return rc;
	r->hard_max = capacity > MIKEY_REPLAY_HARD_MAX ? capacity : MIKEY_REPLAY_HARD_MAX;
	return MIKEY_OK;
}

void mikey_replay_cleanup(mikey_replay *r)
{
	if (r->entries != NULL) {
		mikey_wipe(r->entries, r->capacity * sizeof(mikey_replay_entry));
		mikey_free(r->entries);
	}
	mikey_free(r->slots);
	memset(r, 0, sizeof(*r));
}

static bool find(const mikey_replay *r, uint64_t t, const uint8_t *digest)
{
	if (r->nslots == 0)
		return false;
	uint64_t h = hash_of(t, digest);
	uint32_t tag = tag_of(r, h);
	for (size_t s = slot_of(r, h); r->slots[s] != 0; s = (s + 1) & (r->nslots - 1)) {
		if ((r->slots[s] & r->tag_mask) == tag && same(&r->entries[slot_pos(r, r->slots[s])], t, digest))
			return true;
	}
	return false;
}

int mikey_replay_check(const mikey_replay *r, uint64_t t, const uint8_t *digest)
{
	if (r->have_floor && t <= r->floor)
		return MIKEY_ERR_REPLAY; /* older than the cache still remembers */
	return find(r, t, digest) ? MIKEY_ERR_REPLAY : MIKEY_OK;
}

bool mikey_replay_seen(const mikey_replay *r, uint64_t t, const uint8_t *digest)
{
	return mikey_replay_check(r, t, digest) != MIKEY_OK;
}

int mikey_replay_add(mikey_replay *r, uint64_t t, const uint8_t *digest, uint64_t oldest_valid)
{
	int rc = MIKEY_OK;

	if (r->entries == NULL)
		return MIKEY_ERR_STATE;
	/* §5.4: older than now - max_skew is refused by the timestamp check.
	 * In arrival order: an entry may wait behind an earlier one with a
	 * later timestamp, at most 2 x max_skew after it arrived. */
	while (r->count > 0 && r->entries[r->head].t < oldest_valid)
		drop_head(r);
	/* One walk of the probe sequence: the duplicate check and the free slot. */
	uint64_t h = hash_of(t, digest);
	uint32_t tag = tag_of(r, h);
	size_t s = slot_of(r, h);
	for (; r->slots[s] != 0; s = (s + 1) & (r->nslots - 1)) {
		if ((r->slots[s] & r->tag_mask) == tag && same(&r->entries[slot_pos(r, r->slots[s])], t, digest))
			return MIKEY_OK;
	}
	bool moved = false;
	if (r->count == r->capacity) {
		moved = true; /* the slots change: find the free one again */
		if (r->capacity >= r->hard_max || resize(r, 2 * r->capacity) != MIKEY_OK) {
			/* Overload: forget the entry accepted first; the floor
			 * refuses it and everything older (never a silent replay). */
			drop_head(r);
			r->evictions++;
			rc = MIKEY_ERR_TOO_MANY;
		}
	}
	size_t pos = (r->head + r->count) & (r->capacity - 1);
	r->entries[pos].t = t;
	memcpy(r->entries[pos].digest, digest, MIKEY_REPLAY_DIGEST);
	r->count++;
	if (moved)
		slots_insert(r, pos);
	else
		r->slots[s] = slot_value(r, pos, h);
	return rc;
}

size_t mikey_replay_count(const mikey_replay *r)
{
	return r->count;
}
