/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * keystore.c - crypto sessions by (SSRC, MKI) for one writer thread and
 * many readers (mikey/keystore.h).
 *
 * One mutex guards everything. Each entry is on three intrusive lists: its
 * bucket of the (SSRC, MKI) table, its bucket of the SSRC table, and its
 * group's list (for retire). Both tables double when the entries outnumber
 * the buckets; a failed rehash leaves the old tables, which stay correct.
 *
 * Events go to a FIFO under the mutex; whoever finds nobody delivering
 * delivers the whole FIFO with the mutex released, one event at a time.
 * That keeps callbacks serialized, in order, and free to call back in. A
 * put allocates its event nodes before changing anything (so out of memory
 * changes nothing); a retired entry carries its own event, so retire needs
 * no memory.
 */
#include "mikey/keystore.h"

#include <pthread.h>
#include <string.h>

#include "codec/codec.h"
#include "mikey/mem.h"

#define MIN_BUCKETS 16

typedef struct ks_event {
	struct ks_event *next;
	mikey_keystore_event ev;
} ks_event;

typedef struct ks_group ks_group;

typedef struct ks_entry {
	struct ks_entry *next_key;  /* (SSRC, MKI) bucket chain */
	struct ks_entry *next_ssrc; /* SSRC bucket chain */
	struct ks_entry *grp_prev, *grp_next;
	ks_group *group;
	uint64_t seq; /* put order, for ties between equal generations */
	uint32_t generation;
	mikey_key_validity validity;
	mikey_crypto_session cs;
	ks_event ev; /* used once the entry leaves the store */
} ks_entry;

struct ks_group {
	ks_group *next;
	uint32_t csb_id;
	uint32_t newest; /* generations below this are refused */
	ks_entry *entries;
};

struct mikey_keystore {
	pthread_mutex_t lock;
	ks_entry **by_key;
	ks_entry **by_ssrc;
	size_t nbuckets; /* power of two, both tables */
	size_t count;
	uint64_t seq;
	ks_group *groups;
	ks_event *ev_head, *ev_tail;
	bool delivering;
	mikey_keystore_cb cb;
	void *cb_user;
};

/* ---- hashing -------------------------------------------------------- */

static uint64_t mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdu;
	h ^= h >> 33;
	return h;
}

static size_t ssrc_bucket(const mikey_keystore *ks, uint32_t ssrc)
{
	return (size_t)mix(ssrc) & (ks->nbuckets - 1);
}

static size_t key_bucket(const mikey_keystore *ks, uint32_t ssrc, const uint8_t *mki, size_t mki_len)
{
	uint64_t h = 0xcbf29ce484222325u ^ ssrc;
	for (size_t i = 0; i < mki_len; i++)
		h = (h ^ mki[i]) * 0x100000001b3u; /* FNV-1a */
	return (size_t)mix(h ^ mki_len) & (ks->nbuckets - 1);
}

static bool same_key(const ks_entry *e, uint32_t ssrc, const uint8_t *mki, size_t mki_len)
{
	return e->cs.ssrc == ssrc && e->cs.mki_len == mki_len && (mki_len == 0 || memcmp(e->cs.mki, mki, mki_len) == 0);
}

static ks_entry *find(const mikey_keystore *ks, uint32_t ssrc, const uint8_t *mki, size_t mki_len)
{
	for (ks_entry *e = ks->by_key[key_bucket(ks, ssrc, mki, mki_len)]; e != NULL; e = e->next_key) {
		if (same_key(e, ssrc, mki, mki_len))
			return e;
	}
	return NULL;
}

static void link_entry(mikey_keystore *ks, ks_entry *e)
{
	size_t kb = key_bucket(ks, e->cs.ssrc, e->cs.mki, e->cs.mki_len), sb = ssrc_bucket(ks, e->cs.ssrc);
	e->next_key = ks->by_key[kb];
	ks->by_key[kb] = e;
	e->next_ssrc = ks->by_ssrc[sb];
	ks->by_ssrc[sb] = e;
}

/* Doubles both tables. On failure the old ones stay: longer chains, same
 * answers. */
static void maybe_grow(mikey_keystore *ks)
{
	size_t n = ks->nbuckets * 2;
	ks_entry **bk, **bs;

	if (ks->count <= ks->nbuckets || n > SIZE_MAX / sizeof(*bk))
		return;
	bk = mikey_malloc(n * sizeof(*bk));
	bs = mikey_malloc(n * sizeof(*bs));
	if (bk == NULL || bs == NULL)
		goto cleanup;
	memset(bk, 0, n * sizeof(*bk));
	memset(bs, 0, n * sizeof(*bs));
	ks_entry **old = ks->by_key;
	size_t old_n = ks->nbuckets;
	mikey_free(ks->by_ssrc);
	ks->by_key = bk;
	ks->by_ssrc = bs;
	ks->nbuckets = n;
	for (size_t i = 0; i < old_n; i++) {
		for (ks_entry *e = old[i], *next; e != NULL; e = next) {
			next = e->next_key;
			link_entry(ks, e);
		}
	}
	mikey_free(old);
	return;

cleanup:
	mikey_free(bs);
	mikey_free(bk);
}

static void unlink_entry(mikey_keystore *ks, ks_entry *e)
{
	ks_entry **p = &ks->by_key[key_bucket(ks, e->cs.ssrc, e->cs.mki, e->cs.mki_len)];
	while (*p != e)
		p = &(*p)->next_key;
	*p = e->next_key;
	p = &ks->by_ssrc[ssrc_bucket(ks, e->cs.ssrc)];
	while (*p != e)
		p = &(*p)->next_ssrc;
	*p = e->next_ssrc;
	if (e->grp_prev != NULL)
		e->grp_prev->grp_next = e->grp_next;
	else
		e->group->entries = e->grp_next;
	if (e->grp_next != NULL)
		e->grp_next->grp_prev = e->grp_prev;
	ks->count--;
}

static void group_add(ks_group *g, ks_entry *e)
{
	e->group = g;
	e->grp_prev = NULL;
	e->grp_next = g->entries;
	if (g->entries != NULL)
		g->entries->grp_prev = e;
	g->entries = e;
}

static ks_group *find_group(const mikey_keystore *ks, uint32_t csb_id)
{
	for (ks_group *g = ks->groups; g != NULL; g = g->next) {
		if (g->csb_id == csb_id)
			return g;
	}
	return NULL;
}

static void free_entry(ks_entry *e)
{
	mikey_wipe(e, sizeof(*e));
	mikey_free(e);
}

static void fill_event(mikey_keystore_event *ev, mikey_keystore_change change, const ks_entry *e)
{
	memset(ev, 0, sizeof(*ev));
	ev->change = change;
	ev->ssrc = e->cs.ssrc;
	ev->mki_len = e->cs.mki_len;
	memcpy(ev->mki, e->cs.mki, e->cs.mki_len);
	ev->csb_id = e->group->csb_id;
	ev->generation = e->generation;
}

static void enqueue(mikey_keystore *ks, ks_event *ev)
{
	ev->next = NULL;
	if (ks->ev_tail != NULL)
		ks->ev_tail->next = ev;
	else
		ks->ev_head = ev;
	ks->ev_tail = ev;
}

/* Frees an event node: an entry's own (retired, replaced) or a put's. */
static void free_event(ks_event *ev)
{
	if (ev->ev.change == MIKEY_KEYSTORE_ADDED) {
		mikey_free(ev);
		return;
	}
	/* container_of: the node is the |ev| member of a removed entry. */
	free_entry((ks_entry *)(void *)((char *)ev - offsetof(ks_entry, ev)));
}

/* Called with the lock held; returns with it released. */
static void unlock_and_deliver(mikey_keystore *ks)
{
	if (ks->delivering) {
		pthread_mutex_unlock(&ks->lock);
		return;
	}
	ks->delivering = true;
	while (ks->ev_head != NULL) {
		ks_event *ev = ks->ev_head;
		ks->ev_head = ev->next;
		if (ks->ev_head == NULL)
			ks->ev_tail = NULL;
		mikey_keystore_cb cb = ks->cb;
		void *user = ks->cb_user;
		pthread_mutex_unlock(&ks->lock);
		if (cb != NULL)
			cb(&ev->ev, user);
		free_event(ev);
		pthread_mutex_lock(&ks->lock);
	}
	ks->delivering = false;
	pthread_mutex_unlock(&ks->lock);
}

/* An entry that left the store: its key is wiped now; it is freed now or
 * after its event is delivered. */
static void retire_entry(mikey_keystore *ks, ks_entry *e, mikey_keystore_change change, uint32_t new_generation)
{
	fill_event(&e->ev.ev, change, e);
	if (change == MIKEY_KEYSTORE_REPLACED)
		e->ev.ev.generation = new_generation;
	mikey_crypto_session_cleanup(&e->cs);
	if (ks->cb != NULL)
		enqueue(ks, &e->ev);
	else
		free_entry(e);
}

/* ---- public --------------------------------------------------------- */

mikey_keystore *mikey_keystore_new(void)
{
	mikey_keystore *ks = mikey_malloc(sizeof(*ks));

	if (ks == NULL)
		return NULL;
	memset(ks, 0, sizeof(*ks));
	ks->nbuckets = MIN_BUCKETS;
	ks->by_key = mikey_malloc(MIN_BUCKETS * sizeof(*ks->by_key));
	ks->by_ssrc = mikey_malloc(MIN_BUCKETS * sizeof(*ks->by_ssrc));
	if (ks->by_key == NULL || ks->by_ssrc == NULL)
		goto cleanup;
	memset(ks->by_key, 0, MIN_BUCKETS * sizeof(*ks->by_key));
	memset(ks->by_ssrc, 0, MIN_BUCKETS * sizeof(*ks->by_ssrc));
	if (pthread_mutex_init(&ks->lock, NULL) != 0)
		goto cleanup;
	return ks;

cleanup:
	mikey_free(ks->by_ssrc);
	mikey_free(ks->by_key);
	mikey_free(ks);
	return NULL;
}

void mikey_keystore_free(mikey_keystore *ks)
{
	if (ks == NULL)
		return;
	for (ks_event *ev = ks->ev_head, *next; ev != NULL; ev = next) {
		next = ev->next;
		free_event(ev);
	}
	for (ks_group *g = ks->groups, *gn; g != NULL; g = gn) {
		gn = g->next;
		for (ks_entry *e = g->entries, *en; e != NULL; e = en) {
			en = e->grp_next;
			free_entry(e);
		}
		mikey_free(g);
	}
	mikey_free(ks->by_key);
	mikey_free(ks->by_ssrc);
	pthread_mutex_destroy(&ks->lock);
	mikey_free(ks);
}

void mikey_keystore_set_callback(mikey_keystore *ks, mikey_keystore_cb cb, void *user)
{
	if (ks == NULL)
		return;
	pthread_mutex_lock(&ks->lock);
	ks->cb = cb;
	ks->cb_user = user;
	pthread_mutex_unlock(&ks->lock);
}

static bool cs_ok(const mikey_crypto_session *cs)
{
	return cs != NULL && cs->master_key_len <= sizeof(cs->master_key) &&
	       cs->master_salt_len <= sizeof(cs->master_salt) && cs->mki_len <= sizeof(cs->mki);
}

/* Puts |n| sessions of one group at one generation, all under one lock. */
static int put_many(mikey_keystore *ks, const mikey_crypto_session *cs, size_t n, uint32_t csb_id, uint32_t generation,
                    const mikey_key_validity *validity)
{
	ks_entry **fresh = NULL;
	ks_event **evs = NULL;
	ks_group *new_group = NULL;
	size_t i;
	int rc = MIKEY_ERR_NOMEM;

	for (i = 0; i < n; i++) {
		if (!cs_ok(&cs[i]))
			return MIKEY_ERR_ARG;
	}
	if (n == 0)
		return MIKEY_OK;
	if (n > SIZE_MAX / sizeof(*fresh))
		return MIKEY_ERR_NOMEM;
	/* Everything that can fail happens before the lock. */
	fresh = mikey_malloc(n * sizeof(*fresh));
	if (fresh != NULL)
		memset(fresh, 0, n * sizeof(*fresh));
	evs = mikey_malloc(n * sizeof(*evs));
	if (evs != NULL)
		memset(evs, 0, n * sizeof(*evs));
	new_group = mikey_malloc(sizeof(*new_group));
	if (fresh == NULL || evs == NULL || new_group == NULL)
		goto cleanup;
	memset(new_group, 0, sizeof(*new_group));
	for (i = 0; i < n; i++) {
		fresh[i] = mikey_malloc(sizeof(ks_entry));
		evs[i] = mikey_malloc(sizeof(ks_event));
		if (fresh[i] == NULL || evs[i] == NULL)
			goto cleanup;
		memset(fresh[i], 0, sizeof(ks_entry));
		fresh[i]->cs = cs[i];
		fresh[i]->generation = generation;
		if (validity != NULL) {
			fresh[i]->validity = *validity;
		} else if (cs[i].has_interval) {
			/* The KV Interval the key came with (RFC 3830 §6.14). */
			fresh[i]->validity.has_index = true;
			fresh[i]->validity.index_from = cs[i].valid_from;
			fresh[i]->validity.index_to = cs[i].valid_to;
		}
	}

	pthread_mutex_lock(&ks->lock);
	ks_group *g = find_group(ks, csb_id);
	if (g != NULL && generation < g->newest) {
		pthread_mutex_unlock(&ks->lock);
		rc = MIKEY_ERR_STATE;
		goto cleanup;
	}
	if (g == NULL) {
		g = new_group;
		new_group = NULL;
		g->csb_id = csb_id;
		g->next = ks->groups;
		ks->groups = g;
	}
	g->newest = generation;
	for (i = 0; i < n; i++) {
		ks_entry *e = fresh[i], *old = find(ks, e->cs.ssrc, e->cs.mki, e->cs.mki_len);
		fresh[i] = NULL;
		e->seq = ++ks->seq;
		group_add(g, e);
		if (old != NULL) {
			unlink_entry(ks, old);
			retire_entry(ks, old, MIKEY_KEYSTORE_REPLACED, generation);
		} else if (ks->cb != NULL) {
			fill_event(&evs[i]->ev, MIKEY_KEYSTORE_ADDED, e);
			enqueue(ks, evs[i]);
			evs[i] = NULL;
		}
		link_entry(ks, e);
		ks->count++;
		maybe_grow(ks);
	}
	unlock_and_deliver(ks);
	rc = MIKEY_OK;

cleanup:
	for (i = 0; fresh != NULL && i < n; i++) {
		if (fresh[i] != NULL)
			free_entry(fresh[i]);
	}
	for (i = 0; evs != NULL && i < n; i++)
		mikey_free(evs[i]);
	mikey_free(new_group);
	mikey_free(evs);
	mikey_free(fresh);
	return rc;
}

int mikey_keystore_put(mikey_keystore *ks, const mikey_crypto_session *cs, uint32_t csb_id, uint32_t generation,
                       const mikey_key_validity *validity)
{
	if (ks == NULL || cs == NULL)
		return MIKEY_ERR_ARG;
	return put_many(ks, cs, 1, csb_id, generation, validity);
}

int mikey_keystore_put_exchange(mikey_keystore *ks, const mikey_exchange *ex, uint32_t generation,
                                const mikey_key_validity *validity, mikey_error *err)
{
	mikey_crypto_session *cs = NULL;
	size_t n = 0, got = 0;
	int rc;

	if (ks == NULL || ex == NULL)
		return MIKEY_ERR_ARG;
	if (!mikey_exchange_is_complete(ex))
		return MIKEY_ERR_STATE;
	/* Every crypto session under every key of the KEMAC (RFC 3830 §6.2):
	 * each key is told apart by its MKI. */
	size_t n_cs = mikey_exchange_cs_count(ex), n_keys = mikey_exchange_key_count(ex);
	if (n_keys == 0)
		n_keys = 1; /* DH modes: one key, agreed */
	if (n_cs == 0)
		return MIKEY_OK;
	if (n_cs > SIZE_MAX / sizeof(*cs) / n_keys)
		return MIKEY_ERR_NOMEM;
	n = n_cs * n_keys;
	cs = mikey_malloc(n * sizeof(*cs));
	if (cs == NULL)
		return MIKEY_ERR_NOMEM;
	for (got = 0; got < n; got++) {
		rc = mikey_exchange_get_cs_key(ex, got % n_cs, got / n_cs, &cs[got], err);
		if (rc != MIKEY_OK)
			goto cleanup;
	}
	rc = put_many(ks, cs, n, mikey_exchange_csb_id(ex), generation, validity);

cleanup:
	mikey_wipe(cs, n * sizeof(*cs));
	mikey_free(cs);
	return rc;
}

int mikey_keystore_put_generation(mikey_keystore *ks, const mikey_group_gen *g, const mikey_key_validity *validity,
                                  mikey_error *err)
{
	mikey_crypto_session *cs = NULL;
	size_t n = 0, got = 0;
	int rc;

	if (ks == NULL || g == NULL)
		return MIKEY_ERR_ARG;
	n = mikey_group_gen_cs_count(g);
	if (n == 0)
		return MIKEY_OK;
	cs = mikey_malloc(n * sizeof(*cs));
	if (cs == NULL)
		return MIKEY_ERR_NOMEM;
	for (got = 0; got < n; got++) {
		rc = mikey_group_gen_get_cs(g, got, &cs[got], err);
		if (rc != MIKEY_OK)
			goto cleanup;
	}
	rc = put_many(ks, cs, n, mikey_group_gen_csb_id(g), mikey_group_gen_epoch(g), validity);

cleanup:
	mikey_wipe(cs, n * sizeof(*cs));
	mikey_free(cs);
	return rc;
}

int mikey_key_validity_from_kv(const mikey_kv *kv, mikey_key_validity *v)
{
	uint64_t from, to;
	int rc;

	if (kv == NULL || v == NULL)
		return MIKEY_ERR_ARG;
	if (kv->type == MIKEY_KV_NULL || kv->type == MIKEY_KV_SPI) {
		v->has_index = false;
		v->index_from = v->index_to = 0;
		return MIKEY_OK;
	}
	if (kv->type != MIKEY_KV_INTERVAL)
		return MIKEY_ERR_UNKNOWN_VALUE;
	if ((rc = mikey_kv_srtp_interval(kv, &from, &to)) != MIKEY_OK)
		return rc;
	v->has_index = true;
	v->index_from = from;
	v->index_to = to;
	return MIKEY_OK;
}

static void copy_out(const ks_entry *e, mikey_crypto_session *out, mikey_keystore_info *info)
{
	*out = e->cs;
	if (info != NULL) {
		info->csb_id = e->group->csb_id;
		info->generation = e->generation;
		info->validity = e->validity;
	}
}

int mikey_keystore_get(mikey_keystore *ks, uint32_t ssrc, const uint8_t *mki, size_t mki_len, mikey_crypto_session *out,
                       mikey_keystore_info *info)
{
	int rc = MIKEY_ERR_NOT_FOUND;

	if (ks == NULL || out == NULL || mki_len > sizeof(out->mki) || (mki == NULL && mki_len != 0))
		return MIKEY_ERR_ARG;
	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&ks->lock);
	const ks_entry *e = find(ks, ssrc, mki, mki_len);
	if (e != NULL) {
		copy_out(e, out, info);
		rc = MIKEY_OK;
	}
	pthread_mutex_unlock(&ks->lock);
	return rc;
}

static bool valid_at(const mikey_key_validity *v, const mikey_keystore_at *at)
{
	if (at == NULL)
		return true;
	if (v->has_index && at->has_index && (at->index < v->index_from || at->index > v->index_to))
		return false;
	if (v->has_time && at->has_time && (at->time < v->time_from || at->time > v->time_to))
		return false;
	return true;
}

int mikey_keystore_get_by_ssrc(mikey_keystore *ks, uint32_t ssrc, const mikey_keystore_at *at, mikey_crypto_session *out,
                               mikey_keystore_info *info)
{
	const ks_entry *best = NULL;
	int rc = MIKEY_ERR_NOT_FOUND;

	if (ks == NULL || out == NULL)
		return MIKEY_ERR_ARG;
	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&ks->lock);
	for (const ks_entry *e = ks->by_ssrc[ssrc_bucket(ks, ssrc)]; e != NULL; e = e->next_ssrc) {
		if (e->cs.ssrc != ssrc || !valid_at(&e->validity, at))
			continue;
		if (best == NULL || e->generation > best->generation ||
		    (e->generation == best->generation && e->seq > best->seq))
			best = e;
	}
	if (best != NULL) {
		copy_out(best, out, info);
		rc = MIKEY_OK;
	}
	pthread_mutex_unlock(&ks->lock);
	return rc;
}

int mikey_keystore_retire(mikey_keystore *ks, uint32_t csb_id, uint32_t generation, size_t *n_retired)
{
	size_t n = 0;

	if (n_retired != NULL)
		*n_retired = 0;
	if (ks == NULL)
		return MIKEY_ERR_ARG;
	pthread_mutex_lock(&ks->lock);
	ks_group *g = find_group(ks, csb_id);
	if (g != NULL) {
		for (ks_entry *e = g->entries, *next; e != NULL; e = next) {
			next = e->grp_next;
			if (e->generation < generation) {
				unlink_entry(ks, e);
				retire_entry(ks, e, MIKEY_KEYSTORE_RETIRED, 0);
				n++;
			}
		}
		if (generation > g->newest)
			g->newest = generation;
	}
	/* A group never seen keeps no floor: nothing of it was ever stored.
	 * (Remembering it would need memory, and retire must not fail.) */
	unlock_and_deliver(ks);
	if (n_retired != NULL)
		*n_retired = n;
	return MIKEY_OK;
}

size_t mikey_keystore_count(mikey_keystore *ks)
{
	size_t n;

	if (ks == NULL)
		return 0;
	pthread_mutex_lock(&ks->lock);
	n = ks->count;
	pthread_mutex_unlock(&ks->lock);
	return n;
}
