/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * chain.c - the sender's TESLA one-way key chain K_0 ... K_{n_c}
 * (RFC 4082 §3.2, RFC 4383 §6): K_i = F(K_{i+1}), K_{n_c} = seed.
 *
 * Storage, sqrt decomposition: with spacing s = ceil(sqrt(n_c + 1)) we keep
 * the checkpoints K_0, K_s, K_2s, ... and the seed (about sqrt(n_c) keys),
 * and a cache of two whole segments [j*s, (j+1)*s) (2*s keys). Filling a
 * segment costs at most s F calls from the checkpoint above it, so keys
 * read in order (as a sender does: K_i and K_{i-d}) cost one F call each
 * amortised, and any key at most s calls. Two cache slots because the
 * sender reads two keys d apart, which may straddle a segment boundary.
 * Measurements: docs/tesla.md.
 */
#include <string.h>

#include "mikey/mem.h"
#include "tesla/tesla_internal.h"

#define CHAIN_SLOTS 2

struct mikey_tesla_chain {
	mikey_tesla_params p;
	size_t key_len;    /* n_p / 8 */
	uint32_t n_c;
	uint32_t spacing;  /* s */
	uint32_t n_cp;     /* checkpoints K_{j*s}, j = 0 .. n_cp - 1 */
	uint8_t *cp;       /* n_cp keys; secret (seed-derived), wiped on free */
	uint8_t seed[MIKEY_TESLA_MAX_KEY_LEN];
	struct {
		int64_t seg;     /* segment number j held, -1 = empty */
		uint64_t used;   /* LRU stamp */
		uint8_t *keys;   /* s keys: K_{j*s} ... */
	} slot[CHAIN_SLOTS];
	uint64_t stamp;
	uint64_t f_calls;
	size_t bytes;
};

static uint32_t isqrt_ceil(uint64_t v)
{
	uint64_t r = 0;

	while (r * r < v)
		r++;
	return (uint32_t)r;
}

int mikey_tesla_chain_new(const mikey_tesla_params *p, const uint8_t *seed, size_t seed_len,
                          mikey_tesla_chain **out)
{
	mikey_tesla_chain *c = NULL;
	uint8_t k[MIKEY_TESLA_MAX_KEY_LEN];
	uint32_t idx;
	int rc, s;

	if (p == NULL || seed == NULL || out == NULL)
		return MIKEY_ERR_ARG;
	*out = NULL;
	rc = mikey_tesla_params_check(p);
	if (rc != MIKEY_OK)
		return rc;
	if (seed_len != p->n_p / 8u)
		return MIKEY_ERR_LENGTH;
	/* Building the chain costs n_c F calls up front: 2^32 would take
	 * hours, so lengths above the documented maximum are refused. */
	if (p->n_c > MIKEY_TESLA_MAX_CHAIN_LEN)
		return MIKEY_ERR_TOO_MANY;

	c = mikey_malloc(sizeof(*c));
	if (c == NULL)
		return MIKEY_ERR_NOMEM;
	memset(c, 0, sizeof(*c));
	c->p = *p;
	c->key_len = seed_len;
	c->n_c = p->n_c;
	c->spacing = isqrt_ceil((uint64_t)p->n_c + 1);
	c->n_cp = p->n_c / c->spacing + 1;
	c->bytes = sizeof(*c);
	memcpy(c->seed, seed, seed_len);
	c->cp = mikey_malloc((size_t)c->n_cp * c->key_len);
	if (c->cp == NULL) {
		rc = MIKEY_ERR_NOMEM;
		goto fail;
	}
	c->bytes += (size_t)c->n_cp * c->key_len;
	for (s = 0; s < CHAIN_SLOTS; s++) {
		c->slot[s].seg = -1;
		c->slot[s].keys = mikey_malloc((size_t)c->spacing * c->key_len);
		if (c->slot[s].keys == NULL) {
			rc = MIKEY_ERR_NOMEM;
			goto fail;
		}
		c->bytes += (size_t)c->spacing * c->key_len;
	}

	/* One pass from the seed down to K_0, keeping every s-th key. */
	memcpy(k, seed, seed_len);
	for (idx = p->n_c;; idx--) {
		if (idx % c->spacing == 0)
			memcpy(c->cp + (size_t)(idx / c->spacing) * c->key_len, k, c->key_len);
		if (idx == 0)
			break;
		rc = mikey_tesla_f(p, k, k);
		if (rc != MIKEY_OK)
			goto fail;
		c->f_calls++;
	}
	mikey_wipe(k, sizeof(k));
	*out = c;
	return MIKEY_OK;

fail:
	mikey_wipe(k, sizeof(k));
	mikey_tesla_chain_free(c);
	return rc;
}

void mikey_tesla_chain_free(mikey_tesla_chain *c)
{
	int s;

	if (c == NULL)
		return;
	for (s = 0; s < CHAIN_SLOTS; s++) {
		if (c->slot[s].keys != NULL)
			mikey_wipe(c->slot[s].keys, (size_t)c->spacing * c->key_len);
		mikey_free(c->slot[s].keys);
	}
	if (c->cp != NULL)
		mikey_wipe(c->cp, (size_t)c->n_cp * c->key_len);
	mikey_free(c->cp);
	mikey_wipe(c, sizeof(*c));
	mikey_free(c);
}

int tesla_chain_dup(const mikey_tesla_chain *c, mikey_tesla_chain **out)
{
	mikey_tesla_chain *d;
	int s;

	*out = NULL;
	d = mikey_malloc(sizeof(*d));
	if (d == NULL)
		return MIKEY_ERR_NOMEM;
	*d = *c;
	d->cp = NULL;
	for (s = 0; s < CHAIN_SLOTS; s++)
		d->slot[s].keys = NULL;
	d->cp = mikey_malloc((size_t)c->n_cp * c->key_len);
	if (d->cp == NULL)
		goto fail;
	memcpy(d->cp, c->cp, (size_t)c->n_cp * c->key_len);
	for (s = 0; s < CHAIN_SLOTS; s++) {
		d->slot[s].keys = mikey_malloc((size_t)c->spacing * c->key_len);
		if (d->slot[s].keys == NULL)
			goto fail;
		memcpy(d->slot[s].keys, c->slot[s].keys, (size_t)c->spacing * c->key_len);
	}
	*out = d;
	return MIKEY_OK;
fail:
	mikey_tesla_chain_free(d);
	return MIKEY_ERR_NOMEM;
}

/* fill_segment computes K_{j*s} ... K_{hi} (hi = min((j+1)*s - 1, n_c))
 * into |keys| from the key just above the segment. */
static int fill_segment(mikey_tesla_chain *c, uint32_t j, uint8_t *keys)
{
	uint64_t lo = (uint64_t)j * c->spacing;
	uint64_t hi = lo + c->spacing - 1;
	uint8_t k[MIKEY_TESLA_MAX_KEY_LEN];
	uint64_t idx;
	int rc = MIKEY_OK;

	if (hi >= c->n_c) {
		hi = c->n_c;
		memcpy(k, c->seed, c->key_len);
	} else {
		/* K_{hi+1} = K_{(j+1)*s}, a checkpoint. */
		memcpy(k, c->cp + (size_t)(j + 1) * c->key_len, c->key_len);
		rc = mikey_tesla_f(&c->p, k, k);
		c->f_calls++;
		if (rc != MIKEY_OK)
			goto out;
	}
	for (idx = hi;; idx--) {
		memcpy(keys + (size_t)(idx - lo) * c->key_len, k, c->key_len);
		if (idx == lo)
			break;
		rc = mikey_tesla_f(&c->p, k, k);
		c->f_calls++;
		if (rc != MIKEY_OK)
			goto out;
	}
out:
	mikey_wipe(k, sizeof(k));
	return rc;
}

int mikey_tesla_chain_key(mikey_tesla_chain *c, uint32_t i, uint8_t *out)
{
	uint32_t j;
	int s, victim = 0, rc;

	if (c == NULL || out == NULL || i > c->n_c)
		return MIKEY_ERR_ARG;
	j = i / c->spacing;
	if (i % c->spacing == 0) {
		memcpy(out, c->cp + (size_t)j * c->key_len, c->key_len);
		return MIKEY_OK;
	}
	for (s = 0; s < CHAIN_SLOTS; s++) {
		if (c->slot[s].seg == (int64_t)j)
			goto hit;
		if (c->slot[s].used < c->slot[victim].used)
			victim = s;
	}
	/* Miss: the least recently used slot takes segment j. */
	s = victim;
	c->slot[s].seg = -1;
	rc = fill_segment(c, j, c->slot[s].keys);
	if (rc != MIKEY_OK)
		return rc;
	c->slot[s].seg = j;
hit:
	c->slot[s].used = ++c->stamp;
	memcpy(out, c->slot[s].keys + (size_t)(i % c->spacing) * c->key_len, c->key_len);
	return MIKEY_OK;
}

void mikey_tesla_chain_get_stats(const mikey_tesla_chain *c, mikey_tesla_chain_stats *st)
{
	if (c == NULL || st == NULL)
		return;
	st->spacing = c->spacing;
	st->stored_keys = c->n_cp + 1 + (size_t)CHAIN_SLOTS * c->spacing;
	st->bytes = c->bytes;
	st->f_calls = c->f_calls;
}
