/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_group.c - group key generations (mikey/group.h): known answers from
 * tests/vectors/group/ (computed by Python from RFC 3830 §4.1.2-§4.1.3, not
 * by libmikey), the next generation under the same CSB ID (§4.5), lookup by
 * SSRC, senders joining, the MKI never issued twice, bad configurations and
 * every allocation failing in turn.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/fail_alloc.h"
#include "mikey/group.h"
#include "mikey/mem.h"
#include "mikey/types.h"

#ifndef MIKEY_SOURCE_ROOT
#define MIKEY_SOURCE_ROOT "."
#endif
#define VEC_DIR MIKEY_SOURCE_ROOT "/tests/vectors/group/"

/* ---------------------------------------------------------------- vectors */

typedef struct vec_cs {
	unsigned cs_id;
	uint32_t ssrc, roc;
	uint8_t key[16], salt[14];
} vec_cs;

typedef struct vec {
	uint32_t csb_id, epoch;
	uint8_t tgk[16], rand[16], mki[4];
	vec_cs cs[8];
	size_t n_cs;
} vec;

static void hex(const char *s, uint8_t *out, size_t n)
{
	cr_assert_eq(strlen(s), 2 * n, "hex field '%s' is not %zu bytes", s, n);
	for (size_t i = 0; i < n; i++) {
		unsigned b;
		cr_assert_eq(sscanf(s + 2 * i, "%2x", &b), 1);
		out[i] = (uint8_t)b;
	}
}

static void load(const char *name, vec *v)
{
	char path[512], line[512], a[80], b[80];
	snprintf(path, sizeof(path), VEC_DIR "%s", name);
	FILE *f = fopen(path, "r");
	cr_assert_not_null(f, "cannot open %s", path);
	memset(v, 0, sizeof(*v));
	while (fgets(line, sizeof(line), f) != NULL) {
		unsigned cs_id, ssrc, roc;
		if (line[0] == '#')
			continue;
		if (sscanf(line, "cs=%u ssrc=%x roc=%u key=%79s salt=%79s", &cs_id, &ssrc, &roc, a, b) == 5) {
			cr_assert_lt(v->n_cs, 8);
			vec_cs *c = &v->cs[v->n_cs++];
			c->cs_id = cs_id;
			c->ssrc = ssrc;
			c->roc = roc;
			hex(a, c->key, 16);
			hex(b, c->salt, 14);
		} else if (sscanf(line, "csb_id=%x", &cs_id) == 1) {
			v->csb_id = cs_id;
		} else if (sscanf(line, "epoch=%u", &cs_id) == 1) {
			v->epoch = cs_id;
		} else if (sscanf(line, "tgk=%79s", a) == 1) {
			hex(a, v->tgk, 16);
		} else if (sscanf(line, "rand=%79s", a) == 1) {
			hex(a, v->rand, 16);
		} else if (sscanf(line, "mki=%79s", a) == 1) {
			hex(a, v->mki, 4);
		}
	}
	fclose(f);
	cr_assert_eq(v->n_cs, 3, "%s: expected 3 crypto sessions", name);
}

/* An RNG that hands out queued bytes, then fails. */
typedef struct queue_rng {
	uint8_t buf[256];
	size_t len, pos;
} queue_rng;

static int queue_rng_fn(void *user, uint8_t *out, size_t len)
{
	queue_rng *q = user;
	if (q->len - q->pos < len)
		return MIKEY_ERR_CRYPTO;
	memcpy(out, q->buf + q->pos, len);
	q->pos += len;
	return MIKEY_OK;
}

static mikey_group_gen *make_from(const vec *v)
{
	mikey_group_sender s[3];
	for (size_t i = 0; i < 3; i++)
		s[i] = (mikey_group_sender){.ssrc = v->cs[i].ssrc, .roc = v->cs[i].roc};
	mikey_group_config c;
	mikey_group_config_init(&c);
	c.csb_id = v->csb_id;
	c.epoch = v->epoch;
	c.senders = s;
	c.n_senders = 3;
	c.key = v->tgk;
	c.key_len = 16;
	c.rand = v->rand;
	c.mki = v->mki;
	c.mki_len = 4;
	mikey_group_gen *g = NULL;
	mikey_error err;
	int rc = mikey_group_gen_new(&c, NULL, &g, &err);
	cr_assert_eq(rc, MIKEY_OK, "mikey_group_gen_new: %s", err.message);
	return g;
}

static void expect_sessions(const mikey_group_gen *g, const vec *v);

static void expect_vec(const mikey_group_gen *g, const vec *v)
{
	size_t n;
	cr_assert_eq(mikey_group_gen_csb_id(g), v->csb_id);
	cr_assert_eq(mikey_group_gen_epoch(g), v->epoch);
	const uint8_t *mki = mikey_group_gen_get0_mki(g, &n);
	cr_assert_eq(n, 4);
	cr_assert_arr_eq(mki, v->mki, 4, "MKI");
	const uint8_t *rand = mikey_group_gen_get0_rand(g, &n);
	cr_assert_eq(n, 16);
	cr_assert_arr_eq(rand, v->rand, 16, "RAND");
	cr_assert_eq(mikey_group_gen_cs_count(g), v->n_cs);
	expect_sessions(g, v);
}

/* The crypto sessions of |v| are those of |g| (which may have more). */
static void expect_sessions(const mikey_group_gen *g, const vec *v)
{
	for (size_t i = 0; i < v->n_cs; i++) {
		mikey_crypto_session cs;
		mikey_error err;
		cr_assert_eq(mikey_group_gen_get_cs(g, i, &cs, &err), MIKEY_OK, "%s", err.message);
		cr_assert_eq(cs.cs_id, v->cs[i].cs_id);
		cr_assert_eq(cs.ssrc, v->cs[i].ssrc);
		cr_assert_eq(cs.roc, v->cs[i].roc);
		cr_assert_eq(cs.master_key_len, 16);
		cr_assert_eq(cs.master_salt_len, 14);
		cr_assert_arr_eq(cs.master_key, v->cs[i].key, 16, "CS %zu master key", i + 1);
		cr_assert_arr_eq(cs.master_salt, v->cs[i].salt, 14, "CS %zu master salt", i + 1);
		cr_assert_eq(cs.mki_len, 4);
		cr_assert_arr_eq(cs.mki, v->mki, 4);
		mikey_crypto_session_cleanup(&cs);
	}
}

Test(group, known_answer_generation)
{
	vec v;
	load("group-tgk.txt", &v);
	mikey_group_gen *g = make_from(&v);
	expect_vec(g, &v);
	mikey_group_gen_free(g);
}

/* The next generation keeps CSB ID and senders and takes a new TGK, then a
 * new RAND, from the RNG (in that order), with epoch + 1 and MKI + 1. */
Test(group, known_answer_next_generation)
{
	vec v, w;
	load("group-tgk.txt", &v);
	load("group-tgk-next.txt", &w);
	mikey_group_gen *g = make_from(&v), *n = NULL;
	queue_rng q = {.len = 32};
	memcpy(q.buf, w.tgk, 16);
	memcpy(q.buf + 16, w.rand, 16);
	mikey_rng rng = {queue_rng_fn, &q};
	mikey_error err;
	cr_assert_eq(mikey_group_gen_next(g, &rng, &n, &err), MIKEY_OK, "%s", err.message);
	cr_assert_eq(q.pos, 32, "the next generation draws a TGK and a RAND, nothing else");
	expect_vec(n, &w);
	expect_vec(g, &v); /* the old generation is untouched: both can be live */
	mikey_group_gen_free(g);
	mikey_group_gen_free(n);
}

Test(group, rng_failure_makes_nothing)
{
	vec v;
	load("group-tgk.txt", &v);
	mikey_group_gen *g = make_from(&v), *n = (mikey_group_gen *)1;
	queue_rng q = {.len = 20}; /* a TGK, then too few bytes for RAND */
	mikey_rng rng = {queue_rng_fn, &q};
	mikey_error err;
	cr_assert_eq(mikey_group_gen_next(g, &rng, &n, &err), MIKEY_ERR_CRYPTO);
	cr_assert_null(n);
	mikey_group_gen_free(g);
}

Test(group, find_by_ssrc_matches_index)
{
	mikey_group_sender s[MIKEY_GROUP_MAX_SENDERS];
	for (size_t i = 0; i < MIKEY_GROUP_MAX_SENDERS; i++)
		s[i] = (mikey_group_sender){.ssrc = (uint32_t)(i * 0x01000193u), .roc = (uint32_t)i};
	mikey_group_config c;
	mikey_group_config_init(&c);
	c.senders = s;
	c.n_senders = MIKEY_GROUP_MAX_SENDERS;
	c.mki_len = 2;
	mikey_group_gen *g = NULL;
	mikey_error err;
	cr_assert_eq(mikey_group_gen_new(&c, NULL, &g, &err), MIKEY_OK, "%s", err.message);
	cr_assert_neq(mikey_group_gen_csb_id(g), 0, "a drawn CSB ID is never 0");
	for (size_t i = 0; i < MIKEY_GROUP_MAX_SENDERS; i++) {
		mikey_crypto_session a, b;
		cr_assert_eq(mikey_group_gen_get_cs(g, i, &a, &err), MIKEY_OK);
		cr_assert_eq(mikey_group_gen_find_cs(g, s[i].ssrc, &b, &err), MIKEY_OK, "%s", err.message);
		cr_assert_eq(memcmp(&a, &b, sizeof(a)), 0, "SSRC 0x%08x: lookup differs from index %zu", s[i].ssrc, i);
		cr_assert_eq(b.roc, (uint32_t)i);
		mikey_crypto_session_cleanup(&a);
		mikey_crypto_session_cleanup(&b);
	}
	mikey_crypto_session cs;
	cr_assert_eq(mikey_group_gen_find_cs(g, 0xfeedface, &cs, &err), MIKEY_ERR_ARG);
	cr_assert(strstr(err.message, "not a sender") != NULL, "%s", err.message);
	/* Full: a 256th sender does not fit #CS. */
	mikey_group_sender extra = {.ssrc = 0xfeedface};
	cr_assert_eq(mikey_group_gen_add_sender(g, &extra, NULL, &err), MIKEY_ERR_FIELD_RANGE);
	mikey_group_gen_free(g);
}

Test(group, joining_sender_gets_next_cs_id_and_same_key)
{
	vec v;
	load("group-tgk.txt", &v);
	mikey_group_gen *g = make_from(&v);
	mikey_group_sender joiner = {.ssrc = 0x44444444, .roc = 3};
	uint8_t cs_id = 0;
	mikey_error err;
	cr_assert_eq(mikey_group_gen_add_sender(g, &joiner, &cs_id, &err), MIKEY_OK, "%s", err.message);
	cr_assert_eq(cs_id, 4);
	cr_assert_eq(mikey_group_gen_add_sender(g, &joiner, NULL, &err), MIKEY_ERR_ARG, "an SSRC twice");
	mikey_group_sender bad_policy = {.ssrc = 0x55555555, .policy_no = 1};
	cr_assert_eq(mikey_group_gen_add_sender(g, &bad_policy, NULL, &err), MIKEY_ERR_ARG, "a missing policy");
	cr_assert_eq(mikey_group_gen_cs_count(g), 4, "failed joins change nothing");
	expect_sessions(g, &v); /* senders 1-3 unchanged */
	cr_assert_eq(mikey_group_gen_set_roc(g, 0x44444444, 9), MIKEY_OK);
	cr_assert_eq(mikey_group_gen_set_roc(g, 0x99999999, 9), MIKEY_ERR_ARG);
	mikey_crypto_session cs;
	cr_assert_eq(mikey_group_gen_find_cs(g, 0x44444444, &cs, &err), MIKEY_OK);
	cr_assert_eq(cs.cs_id, 4);
	cr_assert_eq(cs.roc, 9);
	mikey_crypto_session_cleanup(&cs);
	mikey_group_gen_free(g);
}

/* An MKI must never be issued twice under one CSB ID: the counter stops. */
Test(group, mki_counter_never_wraps)
{
	uint8_t last = 0xfe;
	mikey_group_sender s = {.ssrc = 1};
	mikey_group_config c;
	mikey_group_config_init(&c);
	c.senders = &s;
	c.n_senders = 1;
	c.mki = &last;
	c.mki_len = 1;
	mikey_group_gen *g = NULL, *n = NULL, *n2 = (mikey_group_gen *)1;
	mikey_error err;
	cr_assert_eq(mikey_group_gen_new(&c, NULL, &g, &err), MIKEY_OK);
	cr_assert_eq(mikey_group_gen_next(g, NULL, &n, &err), MIKEY_OK);
	size_t len;
	cr_assert_eq(mikey_group_gen_get0_mki(n, &len)[0], 0xff);
	cr_assert_eq(mikey_group_gen_next(n, NULL, &n2, &err), MIKEY_ERR_STATE);
	cr_assert_null(n2);
	cr_assert(strstr(err.message, "MKI") != NULL, "%s", err.message);
	mikey_group_gen_free(g);
	mikey_group_gen_free(n);
}

Test(group, drawn_generations_differ)
{
	mikey_group_sender s = {.ssrc = 0x1234};
	mikey_group_config c;
	mikey_group_config_init(&c);
	c.senders = &s;
	c.n_senders = 1;
	mikey_group_gen *g = NULL, *n = NULL;
	mikey_error err;
	cr_assert_eq(mikey_group_gen_new(&c, NULL, &g, &err), MIKEY_OK);
	cr_assert_eq(mikey_group_gen_next(g, NULL, &n, &err), MIKEY_OK);
	cr_assert_eq(mikey_group_gen_csb_id(g), mikey_group_gen_csb_id(n));
	cr_assert_eq(mikey_group_gen_epoch(n), mikey_group_gen_epoch(g) + 1);
	mikey_crypto_session a, b;
	cr_assert_eq(mikey_group_gen_get_cs(g, 0, &a, &err), MIKEY_OK);
	cr_assert_eq(mikey_group_gen_get_cs(n, 0, &b, &err), MIKEY_OK);
	cr_assert_neq(memcmp(a.master_key, b.master_key, 16), 0, "a new generation, a new key");
	mikey_crypto_session_cleanup(&a);
	mikey_crypto_session_cleanup(&b);
	mikey_group_gen_free(g);
	mikey_group_gen_free(n);
}

Test(group, tek_generation_shares_one_master_key)
{
	uint8_t tek[16], salt[14];
	memset(tek, 0x42, sizeof(tek));
	memset(salt, 0x24, sizeof(salt));
	mikey_group_sender s[2] = {{.ssrc = 1}, {.ssrc = 2}};
	mikey_group_config c;
	mikey_group_config_init(&c);
	c.key_type = MIKEY_KEY_TEK_SALT;
	c.key = tek;
	c.salt = salt;
	c.senders = s;
	c.n_senders = 2;
	mikey_group_gen *g = NULL;
	mikey_error err;
	cr_assert_eq(mikey_group_gen_new(&c, NULL, &g, &err), MIKEY_OK, "%s", err.message);
	for (size_t i = 0; i < 2; i++) {
		mikey_crypto_session cs;
		cr_assert_eq(mikey_group_gen_get_cs(g, i, &cs, &err), MIKEY_OK);
		cr_assert_arr_eq(cs.master_key, tek, 16);
		cr_assert_arr_eq(cs.master_salt, salt, 14);
		mikey_crypto_session_cleanup(&cs);
	}
	mikey_group_gen_free(g);
}

Test(group, bad_configurations_are_named)
{
	mikey_group_sender dup[2] = {{.ssrc = 7}, {.ssrc = 7}};
	mikey_tesla_params bad_tesla;
	memset(&bad_tesla, 0, sizeof(bad_tesla));
	mikey_group_sender with_bad_tesla = {.ssrc = 8, .tesla = &bad_tesla};
	mikey_group_config c;
	mikey_group_gen *g = (mikey_group_gen *)1;
	mikey_error err;

	mikey_group_config_init(&c);
	c.senders = dup;
	c.n_senders = 2;
	cr_assert_eq(mikey_group_gen_new(&c, NULL, &g, &err), MIKEY_ERR_ARG);
	cr_assert_null(g);
	cr_assert(strstr(err.message, "already") != NULL, "%s", err.message);

	mikey_group_config_init(&c);
	c.senders = &with_bad_tesla;
	c.n_senders = 1;
	cr_assert_eq(mikey_group_gen_new(&c, NULL, &g, &err), MIKEY_ERR_ARG);
	cr_assert(strstr(err.message, "TESLA") != NULL, "%s", err.message);

	mikey_group_config_init(&c);
	c.rand_len = 15;
	cr_assert_eq(mikey_group_gen_new(&c, NULL, &g, &err), MIKEY_ERR_ARG);
	cr_assert(strstr(err.message, "RAND") != NULL, "%s", err.message);

	mikey_group_config_init(&c);
	c.mki_len = MIKEY_GROUP_MAX_MKI + 1;
	cr_assert_eq(mikey_group_gen_new(&c, NULL, &g, &err), MIKEY_ERR_ARG);

	mikey_group_config_init(&c);
	c.key_type = MIKEY_KEY_GTGK;
	cr_assert_eq(mikey_group_gen_new(&c, NULL, &g, &err), MIKEY_ERR_ARG);

	mikey_group_config_init(&c);
	c.key_len = 65;
	cr_assert_eq(mikey_group_gen_new(&c, NULL, &g, &err), MIKEY_ERR_ARG);

	mikey_group_config_init(&c);
	c.n_senders = MIKEY_GROUP_MAX_SENDERS + 1;
	c.senders = dup;
	cr_assert_eq(mikey_group_gen_new(&c, NULL, &g, &err), MIKEY_ERR_ARG);

	mikey_srtp_policy p;
	mikey_srtp_policy_default(&p);
	p.encr_key_len = 0;
	mikey_group_config_init(&c);
	c.policies = &p;
	c.n_policies = 1;
	cr_assert_eq(mikey_group_gen_new(&c, NULL, &g, &err), MIKEY_ERR_POLICY);

	cr_assert_eq(mikey_group_gen_new(NULL, NULL, &g, &err), MIKEY_ERR_ARG);
	cr_assert_eq(mikey_group_gen_next(NULL, NULL, &g, &err), MIKEY_ERR_ARG);
	mikey_group_gen_free(NULL);
}

/* ------------------------------------------------------ allocation failure */

static void restore_mem(void)
{
	fail_alloc_disarm();
}

/* Every allocation of new + add_sender + next fails in turn: a named
 * error, nothing half made, nothing leaked. */
Test(group, every_allocation_failure, .fini = restore_mem)
{
	mikey_srtp_policy p;
	mikey_srtp_policy_default(&p);
	mikey_group_sender s = {.ssrc = 1};
	mikey_group_sender joiner = {.ssrc = 2};
	size_t completed = 0;
	for (size_t n = 1; n < 100; n++) {
		fail_alloc_arm(n);
		mikey_group_config c;
		mikey_group_config_init(&c);
		c.policies = &p;
		c.n_policies = 1;
		c.senders = &s;
		c.n_senders = 1;
		mikey_group_gen *g = NULL, *next = NULL;
		mikey_error err;
		int rc = mikey_group_gen_new(&c, NULL, &g, &err);
		if (rc == MIKEY_OK)
			rc = mikey_group_gen_add_sender(g, &joiner, NULL, &err);
		if (rc == MIKEY_OK)
			rc = mikey_group_gen_next(g, NULL, &next, &err);
		if (rc != MIKEY_OK)
			cr_assert_eq(rc, MIKEY_ERR_NOMEM, "allocation %zu: %s (%d)", n, err.message, rc);
		mikey_group_gen_free(g);
		mikey_group_gen_free(next);
		fail_alloc_disarm();
		cr_assert_eq(fail_alloc.live, 0, "allocation %zu failing leaked %zu blocks", n, fail_alloc.live);
		if (rc == MIKEY_OK && fail_alloc.calls < n) {
			completed = n;
			break;
		}
	}
	cr_assert_gt(completed, 1, "the sweep never reached a run without an injected failure");
}
