/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The replay cache of RFC 3830 §5.4 (context/replay.c): a key server takes
 * thousands of messages inside one skew window without a false replay,
 * refuses every replay, forgets by time as the clock moves, and past its
 * hard bound refuses (never accepts) what it can no longer vouch for.
 * End to end: 10,000 PSK exchanges in one minute through the
 * public API.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "context/replay.h"
#include "mikey/error.h"

#include "../common/exchange_fixture.h"

#define SEC(s) ((uint64_t)(s) << 32)
#define SKEW 300

/* A digest for message |i| (distinct for distinct i; deterministic). */
static void digest_of(uint32_t i, uint8_t d[MIKEY_REPLAY_DIGEST])
{
	uint32_t x = i * 2654435761u + 12345u;
	for (size_t k = 0; k < MIKEY_REPLAY_DIGEST; k++) {
		x ^= x << 13, x ^= x >> 17, x ^= x << 5;
		d[k] = (uint8_t)(x >> 7);
	}
	memcpy(d, &i, sizeof(i));
}

/* Responder side of §5.3 for a message stamped |t| at clock |now|. */
static int receive(mikey_replay *r, uint64_t now, uint64_t t, const uint8_t *d)
{
	int rc = mikey_replay_check(r, t, d);
	if (rc != MIKEY_OK)
		return rc;
	rc = mikey_replay_add(r, t, d, now - SEC(SKEW));
	return rc == MIKEY_ERR_TOO_MANY ? MIKEY_OK : rc;
}

Test(replay, ten_thousand_in_one_window_no_false_replay)
{
	mikey_replay r;
	uint8_t d[MIKEY_REPLAY_DIGEST];
	uint64_t now = T0;

	cr_assert_eq(mikey_replay_init(&r, 1024), MIKEY_OK);
	/* 10,000 members within 100 s, their clocks spread over the window
	 * (none so far behind that it expires within those 100 s). */
	for (uint32_t i = 0; i < 10000; i++) {
		now = T0 + (uint64_t)i * (SEC(100) / 10000);
		uint64_t t = now - SEC(SKEW - 100) + (uint64_t)(i % 500) * SEC(1);
		digest_of(i, d);
		cr_assert_eq(receive(&r, now, t, d), MIKEY_OK, "message %u refused", i);
	}
	cr_assert_eq(mikey_replay_count(&r), 10000);
	cr_assert_eq(r.evictions, 0);
	cr_assert_geq(r.capacity, 10000);
	/* Every one of them replayed is refused. */
	for (uint32_t i = 0; i < 10000; i++) {
		uint64_t t0 = T0 + (uint64_t)i * (SEC(100) / 10000);
		uint64_t t = t0 - SEC(SKEW - 100) + (uint64_t)(i % 500) * SEC(1);
		digest_of(i, d);
		cr_assert_eq(mikey_replay_check(&r, t, d), MIKEY_ERR_REPLAY, "replay %u accepted", i);
		/* Same digest, other timestamp: a different message. */
		cr_assert_eq(mikey_replay_check(&r, t + 1, d), MIKEY_OK);
	}
	mikey_replay_cleanup(&r);
}

Test(replay, duplicate_add_is_idempotent)
{
	mikey_replay r;
	uint8_t d[MIKEY_REPLAY_DIGEST];

	cr_assert_eq(mikey_replay_init(&r, 1), MIKEY_OK);
	digest_of(7, d);
	cr_assert_eq(mikey_replay_add(&r, T0, d, T0 - SEC(SKEW)), MIKEY_OK);
	cr_assert_eq(mikey_replay_add(&r, T0, d, T0 - SEC(SKEW)), MIKEY_OK);
	cr_assert_eq(mikey_replay_count(&r), 1);
	cr_assert(mikey_replay_seen(&r, T0, d));
	mikey_replay_cleanup(&r);
}

Test(replay, expiry_as_the_clock_moves)
{
	mikey_replay r;
	uint8_t d[MIKEY_REPLAY_DIGEST];

	cr_assert_eq(mikey_replay_init(&r, 16), MIKEY_OK);
	/* One message per second for 1,000 s: at most 2 x SKEW + 1 stay live. */
	for (uint32_t i = 0; i < 1000; i++) {
		uint64_t now = T0 + SEC(i);
		digest_of(i, d);
		cr_assert_eq(receive(&r, now, now, d), MIKEY_OK, "message %u", i);
		cr_assert_leq(mikey_replay_count(&r), SKEW + 1, "at %u s: %zu live", i, mikey_replay_count(&r));
	}
	cr_assert_eq(r.evictions, 0);
	cr_assert_leq(r.capacity, 512, "grew past what the window needs");
	/* Expired ones are refused by the floor too (a clock stepping back). */
	digest_of(5, d);
	cr_assert_eq(mikey_replay_check(&r, T0 + SEC(5), d), MIKEY_ERR_REPLAY);
	/* The live ones by their digest. */
	digest_of(999, d);
	cr_assert_eq(mikey_replay_check(&r, T0 + SEC(999), d), MIKEY_ERR_REPLAY);
	/* A fresh message inside the window is accepted. */
	digest_of(5000, d);
	cr_assert_eq(mikey_replay_check(&r, T0 + SEC(999) - SEC(SKEW), d), MIKEY_OK);
	/* Much later, everything has expired. */
	digest_of(1000, d);
	cr_assert_eq(receive(&r, T0 + SEC(10000), T0 + SEC(10000), d), MIKEY_OK);
	cr_assert_eq(mikey_replay_count(&r), 1);
	mikey_replay_cleanup(&r);
}

Test(replay, hard_bound_refuses_never_accepts)
{
	mikey_replay r;
	uint8_t d[MIKEY_REPLAY_DIGEST];

	cr_assert_eq(mikey_replay_init(&r, 4), MIKEY_OK);
	r.hard_max = 8; /* as if 2^20 were reached */
	for (uint32_t i = 0; i < 8; i++) {
		digest_of(i, d);
		cr_assert_eq(mikey_replay_add(&r, T0 + SEC(i), d, T0 - SEC(SKEW)), MIKEY_OK);
	}
	cr_assert_eq(r.capacity, 8);
	digest_of(8, d);
	cr_assert_eq(mikey_replay_add(&r, T0 + SEC(8), d, T0 - SEC(SKEW)), MIKEY_ERR_TOO_MANY);
	cr_assert_eq(r.evictions, 1);
	cr_assert_eq(mikey_replay_count(&r), 8);
	/* Every message ever added is still refused: 0 by the floor. */
	for (uint32_t i = 0; i <= 8; i++) {
		digest_of(i, d);
		cr_assert_eq(mikey_replay_check(&r, T0 + SEC(i), d), MIKEY_ERR_REPLAY, "replay %u accepted", i);
	}
	/* A fresh message newer than the floor still passes. */
	digest_of(100, d);
	cr_assert_eq(mikey_replay_check(&r, T0 + SEC(1), d), MIKEY_OK);
	mikey_replay_cleanup(&r);
}

Test(replay, bad_capacity)
{
	mikey_replay r;
	cr_assert_eq(mikey_replay_init(&r, 0), MIKEY_ERR_ARG);
	mikey_replay_cleanup(&r);
}

/* Random removals keep every probe chain intact (backward-shift delete). */
Test(replay, many_expiries_keep_lookups_exact)
{
	mikey_replay r;
	uint8_t d[MIKEY_REPLAY_DIGEST];

	cr_assert_eq(mikey_replay_init(&r, 8), MIKEY_OK);
	for (uint32_t i = 0; i < 20000; i++) {
		/* Timestamps out of order within ±SKEW of a moving clock. */
		uint64_t now = T0 + SEC(i / 10);
		uint64_t t = now - SEC(SKEW) + SEC((i * 7919u) % (2 * SKEW));
		digest_of(i, d);
		cr_assert_eq(receive(&r, now, t, d), MIKEY_OK, "message %u", i);
		cr_assert_eq(mikey_replay_check(&r, t, d), MIKEY_ERR_REPLAY);
		/* replay.h: never more than rate x 2 x skew (10/s here). */
		cr_assert_leq(mikey_replay_count(&r), 10 * 2 * SKEW + 10, "%zu live at %u", mikey_replay_count(&r), i);
	}
	cr_assert_eq(r.evictions, 0);
	mikey_replay_cleanup(&r);
}

/* ---- End to end: a PSK key server takes 10,000 members in one window --- */

static const uint8_t psk[20] = "0123456789abcdefghij";

Test(replay, psk_responder_beyond_default_capacity, .timeout = 300)
{
	uint32_t rs_i = 1, rs_r = 1000;
	mikey_ctx *ini = mikey_ctx_new(), *rsp = mikey_ctx_new();
	mikey_srtp_policy policy;
	mikey_cs_desc cs = {0x11111111, 0, 0};
	mikey_offer o;

	now_ntp = T0;
	cr_assert(ini != NULL && rsp != NULL);
	mikey_ctx_set_clock(ini, fixed_clock, NULL);
	mikey_ctx_set_clock(rsp, fixed_clock, NULL);
	mikey_ctx_set_rng(ini, counter_rng, &rs_i);
	mikey_ctx_set_rng(rsp, counter_rng, &rs_r);
	cr_assert_eq(mikey_ctx_add_psk(ini, NULL, 0, psk, sizeof(psk)), MIKEY_OK);
	cr_assert_eq(mikey_ctx_add_psk(rsp, NULL, 0, psk, sizeof(psk)), MIKEY_OK);
	mikey_srtp_policy_default(&policy);
	mikey_offer_init(&o, MIKEY_MODE_PSK);
	o.cs = &cs;
	o.n_cs = 1;
	o.policies = &policy;
	o.n_policies = 1;

	enum { N = 10000 };
	static uint8_t *msgs[N];
	static size_t lens[N];
	for (int i = 0; i < N; i++) {
		mikey_exchange *ei, *er;
		uint8_t *resp;
		size_t rlen;
		now_ntp = T0 + (uint64_t)i * (SEC(60) / N);
		cr_assert_eq(mikey_initiate(ini, &o, &ei, &msgs[i], &lens[i], NULL), MIKEY_OK);
		mikey_exchange_free(ei);
		cr_assert_eq(mikey_respond(rsp, msgs[i], lens[i], &er, &resp, &rlen, NULL), MIKEY_OK,
		             "member %d refused", i);
		mikey_buf_free(resp, rlen);
		mikey_exchange_free(er);
	}
	for (int i = 0; i < N; i++) {
		mikey_exchange *er = NULL;
		uint8_t *resp = NULL;
		size_t rlen = 0;
		cr_assert_eq(mikey_respond(rsp, msgs[i], lens[i], &er, &resp, &rlen, NULL), MIKEY_ERR_REPLAY,
		             "replay of member %d accepted", i);
		cr_assert_null(er);
		mikey_buf_free(resp, rlen);
		mikey_buf_free(msgs[i], lens[i]);
	}
	mikey_ctx_free(ini);
	mikey_ctx_free(rsp);
}
