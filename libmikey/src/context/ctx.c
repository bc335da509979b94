/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ctx.c - the long-lived side of MIKEY: RNG, clock, replay cache,
 * identity, pre-shared keys. */
#include <string.h>
#include <time.h>

#include "context/context.h"
#include "mikey/mem.h"

#define DEFAULT_SKEW 300
#define DEFAULT_REPLAY 1024
#define NTP_UNIX_OFFSET 2208988800ull /* 1900-01-01 to 1970-01-01 in seconds */

uint64_t mikey_clock_system(void *user)
{
	(void)user;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	uint64_t sec = (uint64_t)ts.tv_sec + NTP_UNIX_OFFSET;
	uint64_t frac = ((uint64_t)ts.tv_nsec << 32) / 1000000000ull;
	return sec << 32 | (frac & 0xffffffffull);
}

mikey_ctx *mikey_ctx_new(void)
{
	mikey_ctx *ctx = mikey_malloc(sizeof(*ctx));
	if (ctx == NULL)
		return NULL;
	memset(ctx, 0, sizeof(*ctx));
	ctx->rng = *mikey_rng_default();
	ctx->max_skew = DEFAULT_SKEW;
	if (mikey_replay_init(&ctx->replay, DEFAULT_REPLAY) != MIKEY_OK) {
		mikey_free(ctx);
		return NULL;
	}
	return ctx;
}

static void free_secret(uint8_t *p, size_t len)
{
	if (p != NULL) {
		mikey_wipe(p, len);
		mikey_free(p);
	}
}

void mikey_ctx_free(mikey_ctx *ctx)
{
	if (ctx == NULL)
		return;
	mikey_replay_cleanup(&ctx->replay);
	free_secret(ctx->id, ctx->id_len);
	for (psk_entry *e = ctx->psks; e != NULL;) {
		psk_entry *next = e->next;
		free_secret(e->peer, e->peer_len);
		free_secret(e->key, e->key_len);
		mikey_free(e);
		e = next;
	}
	for (size_t i = 0; i < ctx->n_own_certs; i++)
		mikey_x509_free(ctx->own_certs[i]);
	mikey_free(ctx->own_certs);
	mikey_pkey_free(ctx->own_key);
	mikey_trust_free(ctx->trust);
	free_secret(ctx->dh_private, ctx->dh_private_len);
	if (ctx->rsar_free != NULL)
		ctx->rsar_free(ctx->rsar);
	for (peer_cert *p = ctx->peer_certs; p != NULL;) {
		peer_cert *next = p->next;
		mikey_free(p->peer);
		mikey_x509_free(p->cert);
		mikey_free(p);
		p = next;
	}
	mikey_wipe(ctx, sizeof(*ctx));
	mikey_free(ctx);
}

void mikey_ctx_set_rng(mikey_ctx *ctx, mikey_rng_fn fn, void *user)
{
	if (ctx == NULL)
		return;
	if (fn == NULL) {
		ctx->rng = *mikey_rng_default();
	} else {
		ctx->rng.fn = fn;
		ctx->rng.user = user;
	}
}

void mikey_ctx_set_clock(mikey_ctx *ctx, mikey_clock_fn fn, void *user)
{
	if (ctx == NULL)
		return;
	ctx->clock = fn;
	ctx->clock_user = user;
}

void mikey_ctx_set_max_skew(mikey_ctx *ctx, uint32_t seconds)
{
	if (ctx != NULL)
		ctx->max_skew = seconds;
}

int mikey_ctx_set_replay_capacity(mikey_ctx *ctx, size_t entries)
{
	mikey_replay fresh;
	if (ctx == NULL)
		return MIKEY_ERR_ARG;
	int rc = mikey_replay_init(&fresh, entries);
	if (rc != MIKEY_OK)
		return rc;
	/* Carry over what the cache remembers, oldest first: resizing must not
	 * let an accepted message be replayed. A smaller cache evicts and
	 * raises its floor as mikey_replay_add documents. */
	const mikey_replay *old = &ctx->replay;
	for (size_t i = 0; i < old->count; i++) {
		const mikey_replay_entry *e = &old->entries[(old->head + i) % old->capacity];
		(void)mikey_replay_add(&fresh, e->t, e->digest, 0);
	}
	if (old->have_floor && (!fresh.have_floor || fresh.floor < old->floor)) {
		fresh.floor = old->floor;
		fresh.have_floor = true;
	}
	fresh.evictions += old->evictions;
	mikey_replay_cleanup(&ctx->replay);
	ctx->replay = fresh;
	return MIKEY_OK;
}

int mikey_ctx_set_id(mikey_ctx *ctx, uint8_t id_type, const void *id, size_t len)
{
	if (ctx == NULL || (id == NULL && len > 0) || len > 0xffff)
		return MIKEY_ERR_ARG;
	uint8_t *copy = NULL;
	size_t copy_len = 0;
	int rc = mikey_copy_bytes(&copy, &copy_len, id, len);
	if (rc != MIKEY_OK)
		return rc;
	free_secret(ctx->id, ctx->id_len);
	ctx->id = copy;
	ctx->id_len = copy_len;
	ctx->id_type = id_type;
	return MIKEY_OK;
}

int mikey_ctx_add_psk(mikey_ctx *ctx, const void *peer_id, size_t peer_id_len, const uint8_t *psk, size_t psk_len)
{
	if (ctx == NULL || psk == NULL || psk_len == 0 || (peer_id == NULL && peer_id_len > 0))
		return MIKEY_ERR_ARG;
	psk_entry *e = mikey_malloc(sizeof(*e));
	if (e == NULL)
		return MIKEY_ERR_NOMEM;
	memset(e, 0, sizeof(*e));
	if ((peer_id != NULL && mikey_copy_bytes(&e->peer, &e->peer_len, peer_id, peer_id_len) != MIKEY_OK) ||
	    mikey_copy_bytes(&e->key, &e->key_len, psk, psk_len) != MIKEY_OK) {
		free_secret(e->peer, e->peer_len);
		mikey_free(e);
		return MIKEY_ERR_NOMEM;
	}
	if (peer_id != NULL && e->peer == NULL) {
		/* A zero-length peer ID is still a name, distinct from "default". */
		e->peer = mikey_malloc(1);
		if (e->peer == NULL) {
			free_secret(e->key, e->key_len);
			mikey_free(e);
			return MIKEY_ERR_NOMEM;
		}
	}
	/* Replace an entry for the same peer. */
	for (psk_entry **pp = &ctx->psks; *pp != NULL; pp = &(*pp)->next) {
		psk_entry *old = *pp;
		bool same = (old->peer == NULL) == (e->peer == NULL) && old->peer_len == e->peer_len &&
		            (old->peer == NULL || memcmp(old->peer, e->peer, e->peer_len) == 0);
		if (same) {
			e->next = old->next;
			*pp = e;
			free_secret(old->peer, old->peer_len);
			free_secret(old->key, old->key_len);
			mikey_free(old);
			return MIKEY_OK;
		}
	}
	e->next = ctx->psks;
	ctx->psks = e;
	return MIKEY_OK;
}

int mikey_ctx_set_dh_private(mikey_ctx *ctx, const uint8_t *x, size_t len, mikey_error *err)
{
	uint8_t *copy = NULL;
	size_t copy_len = 0;
	mikey_error_clear(err);
	if (ctx == NULL || (x == NULL && len > 0))
		return mikey_fail(err, MIKEY_ERR_ARG, "NULL argument");
	if (len > 1024)
		return mikey_fail(err, MIKEY_ERR_ARG, "a DH private value of %zu bytes (at most the group size)", len);
	if (x != NULL && mikey_copy_bytes(&copy, &copy_len, x, len) != MIKEY_OK)
		return mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
	free_secret(ctx->dh_private, ctx->dh_private_len);
	ctx->dh_private = copy;
	ctx->dh_private_len = copy_len;
	return MIKEY_OK;
}

size_t mikey_ctx_replay_count(const mikey_ctx *ctx)
{
	return ctx != NULL ? mikey_replay_count(&ctx->replay) : 0;
}

uint64_t mikey_ctx_replay_evictions(const mikey_ctx *ctx)
{
	return ctx != NULL ? ctx->replay.evictions : 0;
}

void mikey_ctx_allow_null_kemac(mikey_ctx *ctx, bool allow)
{
	if (ctx != NULL)
		ctx->allow_null_kemac = allow;
}

void mikey_ctx_allow_weak_dh(mikey_ctx *ctx, bool allow)
{
	if (ctx != NULL)
		ctx->allow_weak_dh = allow;
}

void mikey_ctx_set_psk_lookup(mikey_ctx *ctx, mikey_psk_lookup_fn fn, void *user)
{
	if (ctx != NULL) {
		ctx->psk_lookup = fn;
		ctx->psk_lookup_user = fn != NULL ? user : NULL;
	}
}

const psk_entry *ex_find_psk_exact(const mikey_ctx *ctx, const uint8_t *peer, size_t peer_len)
{
	for (const psk_entry *e = ctx->psks; peer != NULL && e != NULL; e = e->next) {
		if (e->peer != NULL && e->peer_len == peer_len && memcmp(e->peer, peer, peer_len) == 0)
			return e;
	}
	return NULL;
}

const psk_entry *ex_find_psk(const mikey_ctx *ctx, const uint8_t *peer, size_t peer_len)
{
	const psk_entry *fallback = NULL;
	for (const psk_entry *e = ctx->psks; e != NULL; e = e->next) {
		if (e->peer == NULL)
			fallback = e;
		else if (peer != NULL && e->peer_len == peer_len && memcmp(e->peer, peer, peer_len) == 0)
			return e;
	}
	return fallback;
}
