/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The key store (mikey/keystore.h): put, get, replace and retire; 1,000
 * SSRCs; generations of two groups; the callback sequence and calls back
 * into the store from it; filling from a completed exchange; one writer
 * rekeying while two readers look up (no torn key, no key of a retired
 * generation after retire returned); every allocation failing in turn;
 * every key wiped before its memory is freed.
 */
#include <criterion/criterion.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "mikey/keystore.h"
#include "mikey/mikey.h"

#include "../common/exchange_fixture.h"

#define CSB_A 0xA0A0A0A0u
#define CSB_B 0xB0B0B0B0u

/* A session whose key bytes all say (ssrc, generation): a torn read would
 * mix two patterns. */
static void make_cs(mikey_crypto_session *cs, uint32_t ssrc, uint32_t gen, const char *mki)
{
	memset(cs, 0, sizeof(*cs));
	cs->ssrc = ssrc;
	cs->cs_id = 1;
	mikey_srtp_policy_default(&cs->policy);
	cs->master_key_len = 16;
	cs->master_salt_len = 14;
	for (size_t i = 0; i < 16; i++)
		cs->master_key[i] = (uint8_t)(ssrc * 31u + gen * 7u + i / 4);
	memcpy(cs->master_key, &gen, 4);
	memcpy(cs->master_salt, &ssrc, 4);
	memcpy(cs->master_salt + 4, &gen, 4);
	if (mki != NULL) {
		cs->mki_len = strlen(mki);
		memcpy(cs->mki, mki, cs->mki_len);
	}
}

static void assert_cs(const mikey_crypto_session *got, uint32_t ssrc, uint32_t gen, const char *mki)
{
	mikey_crypto_session want;
	make_cs(&want, ssrc, gen, mki);
	cr_assert_eq(got->ssrc, ssrc);
	cr_assert_eq(got->master_key_len, 16);
	cr_assert_arr_eq(got->master_key, want.master_key, 16, "key of ssrc %08x is not generation %u", ssrc, gen);
	cr_assert_arr_eq(got->master_salt, want.master_salt, 14);
	cr_assert_eq(got->mki_len, want.mki_len);
}

static mikey_keystore *ks;

static void setup(void)
{
	ks = mikey_keystore_new();
	cr_assert_not_null(ks);
}

static void teardown(void)
{
	mikey_keystore_free(ks);
	ks = NULL;
}

TestSuite(keystore, .init = setup, .fini = teardown, .timeout = 120);

Test(keystore, put_get_replace_retire)
{
	mikey_crypto_session cs, out;
	mikey_keystore_info info;
	mikey_key_validity v = {.has_index = true, .index_from = 0, .index_to = 0xffff};

	make_cs(&cs, 0x1234, 1, "M1");
	cr_assert_eq(mikey_keystore_put(ks, &cs, CSB_A, 1, &v), MIKEY_OK);
	mikey_crypto_session_cleanup(&cs);
	cr_assert_eq(mikey_keystore_count(ks), 1);
	cr_assert_eq(mikey_keystore_get(ks, 0x1234, (const uint8_t *)"M1", 2, &out, &info), MIKEY_OK);
	assert_cs(&out, 0x1234, 1, "M1");
	cr_assert_eq(info.csb_id, CSB_A);
	cr_assert_eq(info.generation, 1);
	cr_assert(info.validity.has_index && info.validity.index_to == 0xffff);
	mikey_crypto_session_cleanup(&out);
	/* Other MKI, other SSRC: not found, |out| zeroed. */
	cr_assert_eq(mikey_keystore_get(ks, 0x1234, (const uint8_t *)"M2", 2, &out, NULL), MIKEY_ERR_NOT_FOUND);
	cr_assert_eq(out.master_key_len, 0);
	cr_assert_eq(mikey_keystore_get(ks, 0x1235, (const uint8_t *)"M1", 2, &out, NULL), MIKEY_ERR_NOT_FOUND);
	cr_assert_eq(mikey_keystore_get(ks, 0x1234, NULL, 0, &out, NULL), MIKEY_ERR_NOT_FOUND);

	/* Replace: same (SSRC, MKI), generation 2. */
	make_cs(&cs, 0x1234, 2, "M1");
	cr_assert_eq(mikey_keystore_put(ks, &cs, CSB_A, 2, NULL), MIKEY_OK);
	cr_assert_eq(mikey_keystore_count(ks), 1);
	cr_assert_eq(mikey_keystore_get(ks, 0x1234, (const uint8_t *)"M1", 2, &out, &info), MIKEY_OK);
	assert_cs(&out, 0x1234, 2, "M1");
	cr_assert_eq(info.generation, 2);
	cr_assert_not(info.validity.has_index);

	/* Generations only move forward per group. */
	make_cs(&cs, 0x9999, 1, NULL);
	cr_assert_eq(mikey_keystore_put(ks, &cs, CSB_A, 1, NULL), MIKEY_ERR_STATE);
	cr_assert_eq(mikey_keystore_put(ks, &cs, CSB_B, 1, NULL), MIKEY_OK, "another group has its own");

	/* Retire: generation 2 is not older than 2; older than 3 it is. */
	size_t n = 99;
	cr_assert_eq(mikey_keystore_retire(ks, CSB_A, 2, &n), MIKEY_OK);
	cr_assert_eq(n, 0);
	cr_assert_eq(mikey_keystore_retire(ks, CSB_A, 3, &n), MIKEY_OK);
	cr_assert_eq(n, 1);
	cr_assert_eq(mikey_keystore_get(ks, 0x1234, (const uint8_t *)"M1", 2, &out, NULL), MIKEY_ERR_NOT_FOUND);
	cr_assert_eq(mikey_keystore_count(ks), 1);
	/* After retire(3), generation 2 may not come back. */
	make_cs(&cs, 0x1234, 2, "M1");
	cr_assert_eq(mikey_keystore_put(ks, &cs, CSB_A, 2, NULL), MIKEY_ERR_STATE);
	cr_assert_eq(mikey_keystore_put(ks, &cs, CSB_A, 3, NULL), MIKEY_OK);
	/* An unknown group retires nothing. */
	cr_assert_eq(mikey_keystore_retire(ks, 0x77, 100, &n), MIKEY_OK);
	cr_assert_eq(n, 0);
	mikey_crypto_session_cleanup(&cs);
	mikey_crypto_session_cleanup(&out);
}

Test(keystore, bad_arguments)
{
	mikey_crypto_session cs, out;
	make_cs(&cs, 1, 1, NULL);
	cr_assert_eq(mikey_keystore_put(NULL, &cs, 1, 1, NULL), MIKEY_ERR_ARG);
	cr_assert_eq(mikey_keystore_put(ks, NULL, 1, 1, NULL), MIKEY_ERR_ARG);
	cs.master_key_len = 33;
	cr_assert_eq(mikey_keystore_put(ks, &cs, 1, 1, NULL), MIKEY_ERR_ARG);
	cs.master_key_len = 16;
	cs.mki_len = 256;
	cr_assert_eq(mikey_keystore_put(ks, &cs, 1, 1, NULL), MIKEY_ERR_ARG);
	cr_assert_eq(mikey_keystore_get(ks, 1, NULL, 1, &out, NULL), MIKEY_ERR_ARG);
	cr_assert_eq(mikey_keystore_get(ks, 1, NULL, 0, NULL, NULL), MIKEY_ERR_ARG);
	cr_assert_eq(mikey_keystore_get_by_ssrc(NULL, 1, NULL, &out, NULL), MIKEY_ERR_ARG);
	cr_assert_eq(mikey_keystore_retire(NULL, 1, 1, NULL), MIKEY_ERR_ARG);
	cr_assert_eq(mikey_keystore_count(NULL), 0);
	cr_assert_eq(mikey_keystore_count(ks), 0);
	mikey_keystore_free(NULL);
}

Test(keystore, thousand_ssrcs)
{
	mikey_crypto_session cs, out;
	mikey_keystore_info info;

	for (uint32_t s = 0; s < 1000; s++) {
		make_cs(&cs, 0x10000 + s * 7919u, 1, (s % 3) ? "K" : NULL);
		cr_assert_eq(mikey_keystore_put(ks, &cs, CSB_A, 1, NULL), MIKEY_OK);
	}
	cr_assert_eq(mikey_keystore_count(ks), 1000);
	for (uint32_t s = 0; s < 1000; s++) {
		uint32_t ssrc = 0x10000 + s * 7919u;
		const char *mki = (s % 3) ? "K" : NULL;
		cr_assert_eq(mikey_keystore_get(ks, ssrc, (const uint8_t *)mki, mki ? 1 : 0, &out, &info), MIKEY_OK);
		assert_cs(&out, ssrc, 1, mki);
		cr_assert_eq(mikey_keystore_get_by_ssrc(ks, ssrc, NULL, &out, &info), MIKEY_OK);
		assert_cs(&out, ssrc, 1, mki);
	}
	/* Rekey all to generation 2 (new MKI), then retire 1. */
	for (uint32_t s = 0; s < 1000; s++) {
		make_cs(&cs, 0x10000 + s * 7919u, 2, "G2");
		cr_assert_eq(mikey_keystore_put(ks, &cs, CSB_A, 2, NULL), MIKEY_OK);
	}
	cr_assert_eq(mikey_keystore_count(ks), 2000);
	size_t n;
	cr_assert_eq(mikey_keystore_retire(ks, CSB_A, 2, &n), MIKEY_OK);
	cr_assert_eq(n, 1000);
	for (uint32_t s = 0; s < 1000; s++) {
		uint32_t ssrc = 0x10000 + s * 7919u;
		cr_assert_eq(mikey_keystore_get_by_ssrc(ks, ssrc, NULL, &out, &info), MIKEY_OK);
		assert_cs(&out, ssrc, 2, "G2");
	}
	cr_assert_eq(mikey_keystore_get_by_ssrc(ks, 0x10001, NULL, &out, NULL), MIKEY_ERR_NOT_FOUND);
	mikey_crypto_session_cleanup(&cs);
	mikey_crypto_session_cleanup(&out);
}

Test(keystore, generations_of_two_groups_and_validity)
{
	mikey_crypto_session cs, out;
	mikey_keystore_info info;

	/* SSRC 5 in group A, generations 1..3 under MKIs "1".."3"; SSRC 6 in B. */
	for (uint32_t g = 1; g <= 3; g++) {
		char mki[2] = {(char)('0' + g), 0};
		mikey_key_validity v = {.has_index = true, .index_from = (g - 1) * 1000, .index_to = g * 1000 - 1};
		make_cs(&cs, 5, g, mki);
		cr_assert_eq(mikey_keystore_put(ks, &cs, CSB_A, g, &v), MIKEY_OK);
		make_cs(&cs, 6, g * 10, NULL);
		cr_assert_eq(mikey_keystore_put(ks, &cs, CSB_B, g * 10, NULL), MIKEY_OK);
	}
	cr_assert_eq(mikey_keystore_count(ks), 4, "B replaced its single key twice");
	/* Newest generation without a position; by packet index otherwise. */
	cr_assert_eq(mikey_keystore_get_by_ssrc(ks, 5, NULL, &out, &info), MIKEY_OK);
	assert_cs(&out, 5, 3, "3");
	mikey_keystore_at at = {.has_index = true, .index = 1500};
	cr_assert_eq(mikey_keystore_get_by_ssrc(ks, 5, &at, &out, &info), MIKEY_OK);
	assert_cs(&out, 5, 2, "2");
	cr_assert_eq(info.generation, 2);
	at.index = 5000;
	cr_assert_eq(mikey_keystore_get_by_ssrc(ks, 5, &at, &out, &info), MIKEY_ERR_NOT_FOUND);
	/* Time validity. */
	mikey_key_validity tv = {.has_time = true, .time_from = T0, .time_to = T0 + 100};
	make_cs(&cs, 5, 4, "4");
	cr_assert_eq(mikey_keystore_put(ks, &cs, CSB_A, 4, &tv), MIKEY_OK);
	mikey_keystore_at when = {.has_time = true, .time = T0 + 50, .has_index = true, .index = 10};
	cr_assert_eq(mikey_keystore_get_by_ssrc(ks, 5, &when, &out, &info), MIKEY_OK);
	cr_assert_eq(info.generation, 4);
	when.time = T0 + 101;
	cr_assert_eq(mikey_keystore_get_by_ssrc(ks, 5, &when, &out, &info), MIKEY_OK);
	cr_assert_eq(info.generation, 1, "generation 4 expired, index 10 is generation 1's");
	/* Retiring in A leaves B alone. */
	size_t n;
	cr_assert_eq(mikey_keystore_retire(ks, CSB_A, 4, &n), MIKEY_OK);
	cr_assert_eq(n, 3);
	cr_assert_eq(mikey_keystore_get_by_ssrc(ks, 6, NULL, &out, &info), MIKEY_OK);
	assert_cs(&out, 6, 30, NULL);
	cr_assert_eq(info.csb_id, CSB_B);
	cr_assert_eq(mikey_keystore_retire(ks, CSB_B, 31, &n), MIKEY_OK);
	cr_assert_eq(n, 1);
	cr_assert_eq(mikey_keystore_count(ks), 1);
	mikey_crypto_session_cleanup(&cs);
	mikey_crypto_session_cleanup(&out);
}

Test(keystore, validity_from_kv)
{
	uint8_t vf[6] = {0, 0, 0, 1, 0, 0}, vt[6] = {0, 0, 0, 2, 0xff, 0xff}, big[7] = {0};
	mikey_kv kv = {.type = MIKEY_KV_INTERVAL, .valid_from = {vf, 6}, .valid_to = {vt, 6}};
	mikey_key_validity v = {.has_time = true, .time_from = 1, .time_to = 2};

	cr_assert_eq(mikey_key_validity_from_kv(&kv, &v), MIKEY_OK);
	cr_assert(v.has_index);
	cr_assert_eq(v.index_from, 0x10000); /* ROC 1, SEQ 0 */
	cr_assert_eq(v.index_to, 0x2ffff);
	cr_assert(v.has_time && v.time_to == 2, "time bounds untouched");
	kv.valid_to.len = 0;
	cr_assert_eq(mikey_key_validity_from_kv(&kv, &v), MIKEY_OK);
	cr_assert_eq(v.index_to, 0xffffffffffffu);
	kv.valid_to = (mikey_bytes){big, 7};
	cr_assert_eq(mikey_key_validity_from_kv(&kv, &v), MIKEY_ERR_FIELD_RANGE);
	kv.valid_from = (mikey_bytes){vt, 6};
	kv.valid_to = (mikey_bytes){vf, 6};
	cr_assert_eq(mikey_key_validity_from_kv(&kv, &v), MIKEY_ERR_FIELD_RANGE, "VF after VT");
	kv.type = MIKEY_KV_SPI;
	cr_assert_eq(mikey_key_validity_from_kv(&kv, &v), MIKEY_OK);
	cr_assert_not(v.has_index);
	kv.type = 9;
	cr_assert_eq(mikey_key_validity_from_kv(&kv, &v), MIKEY_ERR_UNKNOWN_VALUE);
	cr_assert_eq(mikey_key_validity_from_kv(NULL, &v), MIKEY_ERR_ARG);
}

/* ---- the callback ------------------------------------------------------ */

typedef struct cb_log {
	mikey_keystore_event ev[32];
	size_t n;
	bool reenter; /* read the key back from inside the callback */
	size_t got_in_cb;
} cb_log;

static void log_cb(const mikey_keystore_event *ev, void *user)
{
	cb_log *log = user;
	cr_assert_lt(log->n, 32);
	log->ev[log->n++] = *ev;
	if (log->reenter && ev->change != MIKEY_KEYSTORE_RETIRED) {
		mikey_crypto_session out;
		/* The lock is not held: this would deadlock otherwise. */
		cr_assert_eq(mikey_keystore_get(ks, ev->ssrc, ev->mki, ev->mki_len, &out, NULL), MIKEY_OK);
		cr_assert_eq(out.ssrc, ev->ssrc);
		mikey_crypto_session_cleanup(&out);
		log->got_in_cb++;
		/* A write from inside: delivered after this callback returns. */
		if (ev->ssrc == 1 && ev->change == MIKEY_KEYSTORE_ADDED) {
			mikey_crypto_session cs;
			make_cs(&cs, 99, 1, NULL);
			cr_assert_eq(mikey_keystore_put(ks, &cs, CSB_B, 1, NULL), MIKEY_OK);
			mikey_crypto_session_cleanup(&cs);
		}
	}
}

Test(keystore, callback_sequence)
{
	cb_log log = {.reenter = true};
	mikey_crypto_session cs;
	size_t n;

	mikey_keystore_set_callback(ks, log_cb, &log);
	make_cs(&cs, 1, 1, "a");
	cr_assert_eq(mikey_keystore_put(ks, &cs, CSB_A, 1, NULL), MIKEY_OK);
	make_cs(&cs, 2, 1, "a");
	cr_assert_eq(mikey_keystore_put(ks, &cs, CSB_A, 1, NULL), MIKEY_OK);
	make_cs(&cs, 1, 2, "a");
	cr_assert_eq(mikey_keystore_put(ks, &cs, CSB_A, 2, NULL), MIKEY_OK); /* replaces */
	make_cs(&cs, 2, 2, "b");
	cr_assert_eq(mikey_keystore_put(ks, &cs, CSB_A, 2, NULL), MIKEY_OK);
	cr_assert_eq(mikey_keystore_retire(ks, CSB_A, 2, &n), MIKEY_OK); /* (2, "a") of gen 1 */
	cr_assert_eq(n, 1);
	/* A refused put says nothing. */
	cr_assert_eq(mikey_keystore_put(ks, &cs, CSB_A, 1, NULL), MIKEY_ERR_STATE);

	struct { mikey_keystore_change c; uint32_t ssrc, csb, gen; } want[] = {
		{MIKEY_KEYSTORE_ADDED, 1, CSB_A, 1},    {MIKEY_KEYSTORE_ADDED, 99, CSB_B, 1},
		{MIKEY_KEYSTORE_ADDED, 2, CSB_A, 1},    {MIKEY_KEYSTORE_REPLACED, 1, CSB_A, 2},
		{MIKEY_KEYSTORE_ADDED, 2, CSB_A, 2},    {MIKEY_KEYSTORE_RETIRED, 2, CSB_A, 1},
	};
	cr_assert_eq(log.n, sizeof(want) / sizeof(want[0]), "%zu events", log.n);
	for (size_t i = 0; i < log.n; i++) {
		cr_assert_eq(log.ev[i].change, want[i].c, "event %zu", i);
		cr_assert_eq(log.ev[i].ssrc, want[i].ssrc, "event %zu", i);
		cr_assert_eq(log.ev[i].csb_id, want[i].csb, "event %zu", i);
		cr_assert_eq(log.ev[i].generation, want[i].gen, "event %zu", i);
	}
	cr_assert_eq(log.ev[5].mki_len, 1);
	cr_assert_eq(log.ev[5].mki[0], 'a');
	cr_assert_eq(log.got_in_cb, 5);
	/* No callback: changes without events. */
	mikey_keystore_set_callback(ks, NULL, NULL);
	make_cs(&cs, 3, 2, NULL);
	cr_assert_eq(mikey_keystore_put(ks, &cs, CSB_A, 2, NULL), MIKEY_OK);
	cr_assert_eq(log.n, 6);
	mikey_crypto_session_cleanup(&cs);
}

/* ---- from an exchange -------------------------------------------------- */

static const uint8_t psk[20] = "0123456789abcdefghij";

Test(keystore, put_exchange)
{
	uint32_t rs = 1;
	mikey_ctx *ctx = mikey_ctx_new();
	mikey_srtp_policy policy;
	mikey_cs_desc cs[3] = {{0x111, 0, 0}, {0x222, 7, 0}, {0x333, 0, 0}};
	mikey_offer o;
	mikey_exchange *ex;
	uint8_t *msg;
	size_t len;
	mikey_crypto_session want, got;
	mikey_keystore_info info;
	mikey_error err;

	cr_assert_not_null(ctx);
	now_ntp = T0;
	mikey_ctx_set_clock(ctx, fixed_clock, NULL);
	mikey_ctx_set_rng(ctx, counter_rng, &rs);
	cr_assert_eq(mikey_ctx_add_psk(ctx, NULL, 0, psk, sizeof(psk)), MIKEY_OK);
	mikey_srtp_policy_default(&policy);
	mikey_offer_init(&o, MIKEY_MODE_PSK);
	o.csb_id = CSB_A;
	o.cs = cs;
	o.n_cs = 3;
	o.policies = &policy;
	o.n_policies = 1;
	o.mki = (const uint8_t *)"\x01\x02";
	o.mki_len = 2;
	o.want_verify = true;
	cr_assert_eq(mikey_initiate(ctx, &o, &ex, &msg, &len, NULL), MIKEY_OK);
	cr_assert_eq(mikey_keystore_put_exchange(ks, ex, 1, NULL, &err), MIKEY_ERR_STATE, "not complete yet");
	mikey_exchange_free(ex);
	mikey_buf_free(msg, len);

	o.want_verify = false; /* complete right away on the initiator */
	cr_assert_eq(mikey_initiate(ctx, &o, &ex, &msg, &len, NULL), MIKEY_OK);
	cr_assert_eq(mikey_keystore_put_exchange(ks, ex, 7, NULL, &err), MIKEY_OK);
	cr_assert_eq(mikey_keystore_count(ks), 3);
	for (size_t i = 0; i < 3; i++) {
		cr_assert_eq(mikey_exchange_get_cs(ex, i, &want, NULL), MIKEY_OK);
		cr_assert_eq(mikey_keystore_get(ks, cs[i].ssrc, (const uint8_t *)"\x01\x02", 2, &got, &info), MIKEY_OK);
		cr_assert_eq(got.roc, cs[i].roc);
		cr_assert_eq(got.master_key_len, want.master_key_len);
		cr_assert_arr_eq(got.master_key, want.master_key, want.master_key_len);
		cr_assert_arr_eq(got.master_salt, want.master_salt, want.master_salt_len);
		cr_assert_eq(info.csb_id, CSB_A);
		cr_assert_eq(info.generation, 7);
		mikey_crypto_session_cleanup(&want);
		mikey_crypto_session_cleanup(&got);
	}
	cr_assert_eq(mikey_keystore_put_exchange(ks, ex, 6, NULL, &err), MIKEY_ERR_STATE, "older generation");
	cr_assert_eq(mikey_keystore_put_exchange(ks, NULL, 8, NULL, &err), MIKEY_ERR_ARG);
	mikey_exchange_free(ex);
	mikey_buf_free(msg, len);
	mikey_ctx_free(ctx);
}

/* ---- one writer, two readers ------------------------------------------- */

#define MT_SSRCS 64
#define MT_GENERATIONS 1000

/* The threads do not call cr_assert (criterion reports from the test's own
 * thread); they count what they find wrong, and the test asserts on it. */
static atomic_uint retired_below; /* set after retire(g) returned */
static atomic_bool writer_done;
static atomic_uint writer_errors, torn_reads, stale_reads;

static bool same_cs(const mikey_crypto_session *got, uint32_t ssrc, uint32_t gen, const char *mki)
{
	mikey_crypto_session want;
	make_cs(&want, ssrc, gen, mki);
	return got->ssrc == ssrc && got->master_key_len == 16 && memcmp(got->master_key, want.master_key, 16) == 0 &&
	       memcmp(got->master_salt, want.master_salt, 14) == 0 && got->mki_len == want.mki_len &&
	       memcmp(got->mki, want.mki, want.mki_len) == 0;
}

static void *writer(void *arg)
{
	(void)arg;
	mikey_crypto_session cs;
	for (uint32_t g = 1; g <= MT_GENERATIONS; g++) {
		for (uint32_t s = 0; s < MT_SSRCS; s++) {
			/* Each generation under its own MKI, so old and new coexist. */
			char mki[12];
			snprintf(mki, sizeof(mki), "g%u", g);
			make_cs(&cs, 1000 + s, g, mki);
			if (mikey_keystore_put(ks, &cs, CSB_A, g, NULL) != MIKEY_OK)
				atomic_fetch_add(&writer_errors, 1);
		}
		if (mikey_keystore_retire(ks, CSB_A, g, NULL) != MIKEY_OK)
			atomic_fetch_add(&writer_errors, 1);
		atomic_store(&retired_below, g);
	}
	mikey_crypto_session_cleanup(&cs);
	atomic_store(&writer_done, true);
	return NULL;
}

typedef struct reader_stats {
	unsigned lookups;
	unsigned found;
} reader_stats;

static void *reader(void *arg)
{
	reader_stats *st = arg;
	mikey_crypto_session out;
	mikey_keystore_info info;
	uint32_t s = 0;
	while (!atomic_load(&writer_done)) {
		uint32_t floor = atomic_load(&retired_below);
		uint32_t ssrc = 1000 + (s++ % MT_SSRCS);
		int rc = mikey_keystore_get_by_ssrc(ks, ssrc, NULL, &out, &info);
		st->lookups++;
		if (rc != MIKEY_OK)
			continue;
		st->found++;
		/* Not torn: every byte belongs to the generation info names. */
		char mki[12];
		snprintf(mki, sizeof(mki), "g%u", info.generation);
		if (!same_cs(&out, ssrc, info.generation, mki))
			atomic_fetch_add(&torn_reads, 1);
		/* Not stale: retire(floor) had returned before this lookup began. */
		if (info.generation < floor)
			atomic_fetch_add(&stale_reads, 1);
	}
	mikey_crypto_session_cleanup(&out);
	return NULL;
}

Test(keystore, one_writer_two_readers)
{
	pthread_t w, r1, r2;
	reader_stats s1 = {0}, s2 = {0};

	atomic_store(&retired_below, 0);
	atomic_store(&writer_done, false);
	atomic_store(&writer_errors, 0);
	atomic_store(&torn_reads, 0);
	atomic_store(&stale_reads, 0);
	cr_assert_eq(pthread_create(&r1, NULL, reader, &s1), 0);
	cr_assert_eq(pthread_create(&r2, NULL, reader, &s2), 0);
	cr_assert_eq(pthread_create(&w, NULL, writer, NULL), 0);
	pthread_join(w, NULL);
	pthread_join(r1, NULL);
	pthread_join(r2, NULL);
	cr_assert_eq(atomic_load(&writer_errors), 0);
	cr_assert_eq(atomic_load(&torn_reads), 0, "%u torn reads", atomic_load(&torn_reads));
	cr_assert_eq(atomic_load(&stale_reads), 0, "%u reads of a retired generation", atomic_load(&stale_reads));
	cr_assert_gt(s1.found, 0);
	cr_assert_gt(s2.found, 0);
	cr_assert_eq(mikey_keystore_count(ks), MT_SSRCS);
}

/* ---- allocation failures, and wiping ----------------------------------- */

/* Blocks carry their size in front, so free can look inside them. */
typedef struct hdr { size_t size; size_t pad; } hdr;

static size_t calls, fail_at, live;
static bool key_left_in_freed;
static const uint8_t MARK[8] = {0xC3, 0x5A, 0xC3, 0x5A, 0xC3, 0x5A, 0xC3, 0x5A};

static void *t_malloc(size_t size, void *user)
{
	(void)user;
	if (++calls == fail_at)
		return NULL;
	hdr *h = malloc(sizeof(hdr) + size);
	if (h == NULL)
		return NULL;
	h->size = size;
	live++;
	return h + 1;
}

static void t_free(void *p, void *user)
{
	(void)user;
	if (p == NULL)
		return;
	hdr *h = (hdr *)p - 1;
	const uint8_t *b = p;
	for (size_t i = 0; i + sizeof(MARK) <= h->size; i++) {
		if (memcmp(b + i, MARK, sizeof(MARK)) == 0)
			key_left_in_freed = true;
	}
	live--;
	free(h);
}

static void *t_realloc(void *p, size_t size, void *user)
{
	void *n = t_malloc(size, user);
	if (n != NULL && p != NULL) {
		hdr *h = (hdr *)p - 1;
		memcpy(n, p, h->size < size ? h->size : size);
		t_free(p, user);
	}
	return n;
}

static const mikey_mem t_mem = {t_malloc, t_realloc, t_free, NULL};

static void marked_cs(mikey_crypto_session *cs, uint32_t ssrc, uint32_t gen)
{
	make_cs(cs, ssrc, gen, "m");
	memcpy(cs->master_key + 4, MARK, sizeof(MARK));
}

static void restore(void)
{
	mikey_mem_set(NULL);
}

static void nop_cb(const mikey_keystore_event *ev, void *user)
{
	(void)ev;
	(*(size_t *)user)++;
}

/* One run of a scenario; returns true when an injected failure hit. */
static bool scenario(size_t n)
{
	mikey_crypto_session cs;
	size_t events = 0;
	bool hit = false;

	calls = 0;
	fail_at = n;
	mikey_keystore *k = mikey_keystore_new();
	if (k == NULL)
		return true;
	mikey_keystore_set_callback(k, nop_cb, &events);
	/* Enough keys for the tables to grow, then replace and retire. */
	for (uint32_t g = 1; g <= 2; g++) {
		for (uint32_t s = 0; s < 40; s++) {
			size_t before = mikey_keystore_count(k);
			marked_cs(&cs, s, g);
			int rc = mikey_keystore_put(k, &cs, CSB_A, g, NULL);
			if (rc == MIKEY_ERR_NOMEM) {
				hit = true;
				cr_assert_eq(mikey_keystore_count(k), before, "a failed put changed the store");
			} else {
				cr_assert_eq(rc, MIKEY_OK);
			}
		}
	}
	size_t retired;
	cr_assert_eq(mikey_keystore_retire(k, CSB_A, 2, &retired), MIKEY_OK);
	mikey_crypto_session out;
	for (uint32_t s = 0; s < 40; s++) {
		int rc = mikey_keystore_get(k, s, (const uint8_t *)"m", 1, &out, NULL);
		cr_assert(rc == MIKEY_OK || rc == MIKEY_ERR_NOT_FOUND);
		mikey_crypto_session_cleanup(&out);
	}
	mikey_keystore_free(k);
	mikey_crypto_session_cleanup(&cs);
	return hit || calls >= n;
}

Test(keystore_mem, allocation_failure_sweep, .fini = restore, .timeout = 300)
{
	size_t n;
	for (n = 1; n < 100000; n++) {
		live = 0;
		key_left_in_freed = false;
		mikey_mem_set(&t_mem);
		bool hit = scenario(n);
		mikey_mem_set(NULL);
		cr_assert_eq(live, 0, "fail at %zu: %zu blocks leaked", n, live);
		cr_assert_not(key_left_in_freed, "fail at %zu: a key was freed unwiped", n);
		if (!hit)
			break;
	}
	cr_assert_gt(n, 10, "the sweep ended at %zu", n);
}

Test(keystore_mem, keys_wiped_when_replaced_retired_freed, .fini = restore)
{
	mikey_crypto_session cs;
	size_t events = 0, n;

	live = 0;
	calls = 0;
	fail_at = 0;
	key_left_in_freed = false;
	mikey_mem_set(&t_mem);
	mikey_keystore *k = mikey_keystore_new();
	cr_assert_not_null(k);
	marked_cs(&cs, 1, 1);
	cr_assert_eq(mikey_keystore_put(k, &cs, CSB_A, 1, NULL), MIKEY_OK);
	marked_cs(&cs, 1, 2);
	cr_assert_eq(mikey_keystore_put(k, &cs, CSB_A, 2, NULL), MIKEY_OK); /* replaced */
	cr_assert_not(key_left_in_freed, "replaced key freed unwiped");
	mikey_keystore_set_callback(k, nop_cb, &events);
	marked_cs(&cs, 2, 2);
	cr_assert_eq(mikey_keystore_put(k, &cs, CSB_A, 2, NULL), MIKEY_OK);
	marked_cs(&cs, 2, 3);
	cr_assert_eq(mikey_keystore_put(k, &cs, CSB_A, 3, NULL), MIKEY_OK); /* replaced, with an event */
	cr_assert_eq(mikey_keystore_retire(k, CSB_A, 3, &n), MIKEY_OK);
	cr_assert_eq(n, 1);
	cr_assert_eq(events, 3);
	cr_assert_not(key_left_in_freed, "retired key freed unwiped");
	marked_cs(&cs, 3, 3);
	cr_assert_eq(mikey_keystore_put(k, &cs, CSB_A, 3, NULL), MIKEY_OK);
	mikey_keystore_free(k);
	cr_assert_not(key_left_in_freed, "key freed unwiped with the store");
	cr_assert_eq(live, 0);
	mikey_crypto_session_cleanup(&cs);
}
