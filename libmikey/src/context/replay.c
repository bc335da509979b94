/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* replay.c - the RFC 3830 §5.4 replay cache: a digest-keyed hash for the
 * lookup, a min-heap on the timestamp for expiry (see replay.h). */
#include "context/replay.h"

#include <string.h>

#include "crypto/crypto.h"
#include "mikey/error.h"
#include "mikey/mem.h"

#define NO_ENTRY UINT32_MAX

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

/* A slot holds the entry index + 1 (low half) and the high half of its
 * hash as a tag: a lookup only reads an entry whose tag matches, so
 * checking a fresh message seldom touches the entries at all. */
static uint64_t slot_value(uint32_t idx, uint64_t h)
{
	return (h & 0xffffffff00000000u) | ((uint64_t)idx + 1);
}

static uint32_t slot_idx(uint64_t v)
{
	return (uint32_t)(v & 0xffffffffu) - 1;
}

static bool same(const mikey_replay_entry *e, uint64_t t, const uint8_t *digest)
{
	return e->t == t && mikey_crypto_memeq(e->digest, digest, MIKEY_REPLAY_DIGEST);
}

static void slots_insert(mikey_replay *r, uint32_t idx)
{
	const mikey_replay_entry *e = &r->entries[idx];
	uint64_t h = hash_of(e->t, e->digest);
	size_t s = slot_of(r, h);
	while (r->slots[s] != 0)
		s = (s + 1) & (r->nslots - 1);
	r->slots[s] = slot_value(idx, h);
}

/* Backward-shift deletion keeps every probe sequence unbroken without
 * tombstones (Knuth vol. 3, 6.4, algorithm R). */
static void slots_remove(mikey_replay *r, uint32_t idx)
{
	const mikey_replay_entry *e = &r->entries[idx];
	size_t mask = r->nslots - 1;
	size_t i = slot_of(r, hash_of(e->t, e->digest));
	while (r->slots[i] == 0 || slot_idx(r->slots[i]) != idx)
		i = (i + 1) & mask;
	r->slots[i] = 0;
	for (size_t j = (i + 1) & mask; r->slots[j] != 0; j = (j + 1) & mask) {
		const mikey_replay_entry *o = &r->entries[slot_idx(r->slots[j])];
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

static bool heap_less(const mikey_replay *r, size_t a, size_t b)
{
	return r->heap[a].t < r->heap[b].t;
}

static void heap_swap(mikey_replay *r, size_t a, size_t b)
{
	mikey_replay_heap_item x = r->heap[a];
	r->heap[a] = r->heap[b];
	r->heap[b] = x;
}

static void heap_push(mikey_replay *r, uint32_t idx)
{
	size_t i = r->count++;
	r->heap[i].t = r->entries[idx].t;
	r->heap[i].idx = idx;
	while (i > 0 && heap_less(r, i, (i - 1) / 2)) {
		heap_swap(r, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

/* Forgets the entry with the oldest timestamp; the floor moves up to it. */
static void drop_oldest(mikey_replay *r)
{
	uint32_t idx = r->heap[0].idx;
	mikey_replay_entry *e = &r->entries[idx];

	if (!r->have_floor || e->t > r->floor)
		r->floor = e->t;
	r->have_floor = true;
	slots_remove(r, idx);
	r->heap[0] = r->heap[--r->count];
	for (size_t i = 0;;) {
		size_t l = 2 * i + 1, m = i;
		if (l < r->count && heap_less(r, l, m))
			m = l;
		if (l + 1 < r->count && heap_less(r, l + 1, m))
			m = l + 1;
		if (m == i)
			break;
		heap_swap(r, i, m);
		i = m;
	}
	mikey_wipe(e, sizeof(*e));
	e->t = r->free_head;
	r->free_head = idx;
}

/* Allocates the three arrays for |capacity| entries and moves the live
 * entries over. On failure |r| is unchanged. */
static int resize(mikey_replay *r, size_t capacity)
{
	size_t nslots = 4 * capacity; /* load <= 1/4: short probe runs */
	mikey_replay_entry *entries = mikey_malloc(capacity * sizeof(*entries));
	mikey_replay_heap_item *heap = mikey_malloc(capacity * sizeof(*heap));
	uint64_t *slots = mikey_malloc(nslots * sizeof(*slots));
	int rc = MIKEY_ERR_NOMEM;

	if (entries == NULL || heap == NULL || slots == NULL)
		goto cleanup;
	/* Live entries keep their index (the heap refers to them by it). */
	if (r->entries != NULL)
		memcpy(entries, r->entries, r->capacity * sizeof(*entries));
	/* Touch every page now rather than on the first messages. */
	memset(heap, 0, capacity * sizeof(*heap));
	if (r->heap != NULL)
		memcpy(heap, r->heap, r->count * sizeof(*heap));
	/* The new indices go on the free list, lowest first. */
	for (size_t i = capacity; i-- > r->capacity;) {
		entries[i].t = r->free_head;
		memset(entries[i].digest, 0, MIKEY_REPLAY_DIGEST);
		r->free_head = (uint32_t)i;
	}
	memset(slots, 0, nslots * sizeof(*slots));
	if (r->entries != NULL) {
		mikey_wipe(r->entries, r->capacity * sizeof(*r->entries));
		mikey_free(r->entries);
	}
	mikey_free(r->heap);
	mikey_free(r->slots);
	r->entries = entries;
	r->heap = heap;
	r->slots = slots;
	r->capacity = capacity;
	r->nslots = nslots;
	for (size_t i = 0; i < r->count; i++)
		slots_insert(r, r->heap[i].idx);
	return MIKEY_OK;

cleanup:
	mikey_free(slots);
	mikey_free(heap);
	mikey_free(entries);
	return rc;
}

int mikey_replay_init(mikey_replay *r, size_t capacity)
{
	int rc;

	memset(r, 0, sizeof(*r));
	r->free_head = NO_ENTRY;
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
	mikey_free(r->heap);
	mikey_free(r->slots);
	memset(r, 0, sizeof(*r));
}

static bool find(const mikey_replay *r, uint64_t t, const uint8_t *digest)
{
	if (r->nslots == 0)
		return false;
	uint64_t h = hash_of(t, digest), tag = h & 0xffffffff00000000u;
	for (size_t s = slot_of(r, h); r->slots[s] != 0; s = (s + 1) & (r->nslots - 1)) {
		if ((r->slots[s] & 0xffffffff00000000u) == tag && same(&r->entries[slot_idx(r->slots[s])], t, digest))
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
	uint32_t idx;

	if (r->entries == NULL)
		return MIKEY_ERR_STATE;
	/* §5.4: older than now - max_skew is refused by the timestamp check. */
	while (r->count > 0 && r->heap[0].t < oldest_valid)
		drop_oldest(r);
	/* One walk of the probe sequence: the duplicate check and the free slot. */
	uint64_t h = hash_of(t, digest), tag = h & 0xffffffff00000000u;
	size_t s = slot_of(r, h);
	for (; r->slots[s] != 0; s = (s + 1) & (r->nslots - 1)) {
		if ((r->slots[s] & 0xffffffff00000000u) == tag && same(&r->entries[slot_idx(r->slots[s])], t, digest))
			return MIKEY_OK;
	}
	bool moved = false;
	if (r->count == r->capacity) {
		moved = true; /* the slots change: find the free one again */
		if (r->capacity >= r->hard_max || resize(r, 2 * r->capacity) != MIKEY_OK) {
			/* Overload: forget the oldest; the floor refuses it and
			 * everything older from now on (never a silent replay). */
			drop_oldest(r);
			r->evictions++;
			rc = MIKEY_ERR_TOO_MANY;
		}
	}
	idx = r->free_head;
	r->free_head = (uint32_t)r->entries[idx].t;
	r->entries[idx].t = t;
	memcpy(r->entries[idx].digest, digest, MIKEY_REPLAY_DIGEST);
	heap_push(r, idx);
	if (moved)
		slots_insert(r, idx);
	else
		r->slots[s] = slot_value(idx, h);
	return rc;
}

size_t mikey_replay_count(const mikey_replay *r)
{
	return r->count;
}
