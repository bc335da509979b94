/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "context/replay.h"

#include <string.h>

#include "crypto/crypto.h"
#include "mikey/error.h"
#include "mikey/mem.h"

int mikey_replay_init(mikey_replay *r, size_t capacity)
{
	memset(r, 0, sizeof(*r));
	if (capacity == 0 || capacity > SIZE_MAX / sizeof(mikey_replay_entry))
		return MIKEY_ERR_ARG;
	r->entries = mikey_malloc(capacity * sizeof(mikey_replay_entry));
	if (r->entries == NULL)
		return MIKEY_ERR_NOMEM;
	r->capacity = capacity;
	return MIKEY_OK;
}

void mikey_replay_cleanup(mikey_replay *r)
{
	if (r->entries != NULL) {
		mikey_wipe(r->entries, r->capacity * sizeof(mikey_replay_entry));
		mikey_free(r->entries);
	}
	memset(r, 0, sizeof(*r));
}

bool mikey_replay_seen(const mikey_replay *r, uint64_t t, const uint8_t *digest)
{
	if (r->have_floor && t <= r->floor)
		return true;
	for (size_t i = 0; i < r->count; i++) {
		if (r->entries[i].t == t && mikey_crypto_memeq(r->entries[i].digest, digest, MIKEY_REPLAY_DIGEST))
			return true;
	}
	return false;
}

static void remove_at(mikey_replay *r, size_t i)
{
	r->entries[i] = r->entries[r->count - 1];
	r->count--;
}

void mikey_replay_add(mikey_replay *r, uint64_t t, const uint8_t *digest, uint64_t oldest_valid)
{
	for (size_t i = 0; i < r->count;) {
		if (r->entries[i].t < oldest_valid)
			remove_at(r, i);
		else
			i++;
	}
	if (r->count == r->capacity) {
		size_t oldest = 0;
		for (size_t i = 1; i < r->count; i++) {
			if (r->entries[i].t < r->entries[oldest].t)
				oldest = i;
		}
		if (!r->have_floor || r->entries[oldest].t > r->floor)
			r->floor = r->entries[oldest].t;
		r->have_floor = true;
		remove_at(r, oldest);
	}
	r->entries[r->count].t = t;
	memcpy(r->entries[r->count].digest, digest, MIKEY_REPLAY_DIGEST);
	r->count++;
}
