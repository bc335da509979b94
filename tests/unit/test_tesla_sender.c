/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_tesla_sender.c - parameters, the sender's interval rules and the
 * layout of the extension it appends (RFC 4383 §4.1, §4.2, §4.5, §4.6).
 * Byte-exact known answers are in test_tesla_vectors.c.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "mikey/tesla.h"

#define T0 ((uint64_t)3900000000u << 32)
#define MS(x) MIKEY_TESLA_NTP_FROM_MS(x)

static void params(mikey_tesla_params *p)
{
	mikey_tesla_params_default(p);
	p->t_0 = T0;
	p->t_int = 50;
	p->d = 3;
	p->n_c = 100;
}

static const uint8_t seed[20] = {0x5e, 0xed};

Test(tesla_sender, defaults_and_parameter_checks)
{
	mikey_tesla_params p;

	mikey_tesla_params_default(&p);
	cr_assert_eq(p.prf, MIKEY_TESLA_PRF_ID_HMAC_SHA1);
	cr_assert_eq(p.mac, MIKEY_TESLA_MAC_ID_HMAC_SHA1);
	cr_assert_eq(p.n_p, 160);
	cr_assert_eq(p.n_f, 160);
	cr_assert_eq(p.n_m, 80);
	/* 4 + 20 + 10 bytes; RFC 4383 §6's "they add 38 bytes to each packet"
	 * counts the recommended 32-bit SRTP tag too. */
	cr_assert_eq(mikey_tesla_ext_len(&p), 34);
	cr_assert_eq(mikey_tesla_params_check(&p), MIKEY_ERR_ARG, "T_int, d, n_c still zero");
	params(&p);
	cr_assert_eq(mikey_tesla_params_check(&p), MIKEY_OK);
	p.n_m = 72;
	cr_assert_eq(mikey_tesla_params_check(&p), MIKEY_ERR_FIELD_RANGE, "below RFC 2104's 80 bits");
	params(&p);
	p.n_f = 81;
	cr_assert_eq(mikey_tesla_params_check(&p), MIKEY_ERR_FIELD_RANGE);
	params(&p);
	p.mac = 241;
	cr_assert_eq(mikey_tesla_params_check(&p), MIKEY_ERR_UNSUPPORTED);
	params(&p);
	p.commit_index = p.n_c;
	cr_assert_eq(mikey_tesla_params_check(&p), MIKEY_ERR_ARG);
	params(&p);
	p.d = 0;
	cr_assert_eq(mikey_tesla_params_check(&p), MIKEY_ERR_ARG);
	cr_assert_eq(mikey_tesla_params_check(NULL), MIKEY_ERR_ARG);
}

Test(tesla_sender, extension_layout_and_disclosed_keys)
{
	mikey_tesla_params p;
	mikey_tesla_sender *s;
	mikey_tesla_chain *c;
	uint8_t buf[200], pkt[60], k[20];
	size_t out = 0;

	params(&p);
	for (size_t n = 0; n < sizeof(pkt); n++)
		pkt[n] = (uint8_t)n;
	cr_assert_eq(mikey_tesla_sender_new(&p, seed, 20, &s), MIKEY_OK);
	cr_assert_eq(mikey_tesla_chain_new(&p, seed, 20, &c), MIKEY_OK);
	for (uint32_t i = 1; i <= p.n_c; i++) {
		mikey_tesla_ext e;
		memcpy(buf, pkt, sizeof(pkt));
		cr_assert_eq(mikey_tesla_sender_protect_rtp(s, buf, sizeof(pkt), sizeof(buf), 0, T0 + MS(50 * i + 25),
		                                            &out), MIKEY_OK);
		cr_assert_eq(out, sizeof(pkt) + 34);
		cr_assert_arr_eq(buf, pkt, sizeof(pkt), "the packet itself is untouched");
		cr_assert_eq(mikey_tesla_ext_parse(&p, buf, out, false, &e), MIKEY_OK);
		cr_assert_eq(e.i, i);
		cr_assert_eq(e.ext_offset, sizeof(pkt));
		/* Disclosed key is K_{i-d}, K_0 before that exists. */
		cr_assert_eq(mikey_tesla_chain_key(c, i >= p.d ? i - p.d : 0, k), MIKEY_OK);
		cr_assert_arr_eq(e.key, k, 20, "interval %u", i);
	}
	/* n_c used up. */
	cr_assert_eq(mikey_tesla_sender_protect_rtp(s, buf, sizeof(pkt), sizeof(buf), 0, T0 + MS(50 * 101 + 1), &out),
	             MIKEY_ERR_STATE);
	mikey_tesla_chain_free(c);
	mikey_tesla_sender_free(s);
}

Test(tesla_sender, refuses_unsafe_intervals_and_small_buffers)
{
	mikey_tesla_params p;
	mikey_tesla_sender *s;
	uint8_t buf[100] = {0x80};
	size_t out = 0;

	params(&p);
	cr_assert_eq(mikey_tesla_sender_new(&p, seed, 20, &s), MIKEY_OK);
	cr_assert_eq(mikey_tesla_sender_get0_params(s)->commit_index, 0);
	/* Before T_0, and in interval 0 (whose key K_0 is the public
	 * commitment). */
	cr_assert_eq(mikey_tesla_sender_protect_rtp(s, buf, 20, sizeof(buf), 0, T0 - 1, &out), MIKEY_ERR_STATE);
	cr_assert_eq(mikey_tesla_sender_protect_rtp(s, buf, 20, sizeof(buf), 0, T0 + MS(49), &out), MIKEY_ERR_STATE);
	/* Capacity: needs len + 34; nothing is written when it does not fit. */
	memset(buf + 20, 0xee, sizeof(buf) - 20);
	cr_assert_eq(mikey_tesla_sender_protect_rtp(s, buf, 20, 53, 0, T0 + MS(500), &out), MIKEY_ERR_LENGTH);
	for (size_t n = 20; n < sizeof(buf); n++)
		cr_assert_eq(buf[n], 0xee);
	cr_assert_eq(mikey_tesla_sender_protect_rtp(s, buf, 20, 54, 0, T0 + MS(500), &out), MIKEY_OK);
	cr_assert_eq(out, 54);
	/* Going back to an earlier interval could use a disclosed key. */
	cr_assert_eq(mikey_tesla_sender_protect_rtp(s, buf, 20, sizeof(buf), 0, T0 + MS(499), &out),
	             MIKEY_ERR_STATE);
	cr_assert_eq(mikey_tesla_sender_protect_rtp(s, buf, 20, sizeof(buf), 0, T0 + MS(549), &out), MIKEY_OK);
	cr_assert_eq(mikey_tesla_sender_protect_rtp(s, buf, 11, sizeof(buf), 0, T0 + MS(549), &out),
	             MIKEY_ERR_TRUNCATED);
	cr_assert_eq(mikey_tesla_sender_protect_rtcp(s, buf, 11, sizeof(buf), T0 + MS(549), &out),
	             MIKEY_ERR_TRUNCATED);
	cr_assert_eq(mikey_tesla_sender_protect_rtp(NULL, buf, 20, sizeof(buf), 0, T0 + MS(549), &out), MIKEY_ERR_ARG);
	mikey_tesla_sender_free(s);
	mikey_tesla_sender_free(NULL);
}

/* What the TESLA MAC covers: RTP: ROC and every byte before the
 * extension; RTCP: header + Encrypted Portion, not E||index (RFC 4383
 * §4.5, §4.6). */
Test(tesla_sender, mac_coverage)
{
	mikey_tesla_params p;
	mikey_tesla_sender *s;
	uint8_t base[40], a[100], b[100];
	size_t out = 0, out2 = 0;
	uint64_t now = T0 + MS(1000);

	params(&p);
	for (size_t n = 0; n < sizeof(base); n++)
		base[n] = (uint8_t)(3 * n);
	cr_assert_eq(mikey_tesla_sender_new(&p, seed, 20, &s), MIKEY_OK);
	memcpy(a, base, 40);
	cr_assert_eq(mikey_tesla_sender_protect_rtp(s, a, 40, sizeof(a), 5, now, &out), MIKEY_OK);
	memcpy(b, base, 40);
	cr_assert_eq(mikey_tesla_sender_protect_rtp(s, b, 40, sizeof(b), 5, now, &out2), MIKEY_OK);
	cr_assert_arr_eq(a, b, out, "deterministic");
	memcpy(b, base, 40);
	cr_assert_eq(mikey_tesla_sender_protect_rtp(s, b, 40, sizeof(b), 6, now, &out2), MIKEY_OK);
	cr_assert_arr_neq(a + 64, b + 64, 10, "ROC is covered");
	for (size_t flip = 0; flip < 40; flip += 13) {
		memcpy(b, base, 40);
		b[flip] ^= 1;
		cr_assert_eq(mikey_tesla_sender_protect_rtp(s, b, 40, sizeof(b), 5, now, &out2), MIKEY_OK);
		cr_assert_arr_neq(a + 64, b + 64, 10, "byte %zu is covered", flip);
	}
	/* RTCP: last 4 bytes are E||SRTCP index. */
	memcpy(a, base, 40);
	cr_assert_eq(mikey_tesla_sender_protect_rtcp(s, a, 40, sizeof(a), now, &out), MIKEY_OK);
	memcpy(b, base, 40);
	b[39] ^= 0xff;
	b[36] ^= 0x80;
	cr_assert_eq(mikey_tesla_sender_protect_rtcp(s, b, 40, sizeof(b), now, &out2), MIKEY_OK);
	cr_assert_arr_eq(a + 40, b + 40, 34, "E||index not covered by the TESLA MAC");
	memcpy(b, base, 40);
	b[35] ^= 1;
	cr_assert_eq(mikey_tesla_sender_protect_rtcp(s, b, 40, sizeof(b), now, &out2), MIKEY_OK);
	cr_assert_arr_neq(a + 64, b + 64, 10);
	mikey_tesla_sender_free(s);
}

/* Issue 7: a chain of 2^32 keys would take hours to build; the library
 * refuses lengths above MIKEY_TESLA_MAX_CHAIN_LEN at once, by name. */
Test(tesla_sender, refuses_chains_above_the_documented_maximum)
{
	mikey_tesla_params p;
	mikey_tesla_sender *s = (mikey_tesla_sender *)&p;
	mikey_tesla_chain *c = (mikey_tesla_chain *)&p;

	params(&p);
	p.n_c = UINT32_MAX;
	cr_assert_eq(mikey_tesla_sender_new(&p, seed, 20, &s), MIKEY_ERR_TOO_MANY);
	cr_assert_null(s);
	cr_assert_eq(mikey_tesla_chain_new(&p, seed, 20, &c), MIKEY_ERR_TOO_MANY);
	cr_assert_null(c);
	p.n_c = MIKEY_TESLA_MAX_CHAIN_LEN + 1;
	cr_assert_eq(mikey_tesla_chain_new(&p, seed, 20, &c), MIKEY_ERR_TOO_MANY);
	cr_assert_str_eq(mikey_error_name(MIKEY_ERR_TOO_MANY), "MIKEY_ERR_TOO_MANY");
}

/* A copy protects exactly as a fresh sender from the same seed, and the
 * two evolve independently (the copy keeps the state it was taken in). */
Test(tesla_sender, dup_is_an_independent_copy)
{
	mikey_tesla_params p;
	mikey_tesla_sender *s, *fresh, *d1, *d2;
	uint8_t a[100], b[100], pkt[40] = {0x80};
	size_t la, lb;

	params(&p);
	cr_assert_eq(mikey_tesla_sender_new(&p, seed, 20, &s), MIKEY_OK);
	cr_assert_eq(mikey_tesla_sender_new(&p, seed, 20, &fresh), MIKEY_OK);
	cr_assert_eq(mikey_tesla_sender_dup(s, &d1), MIKEY_OK);
	/* s moves to interval 60; d1 stays at the start. */
	memcpy(a, pkt, sizeof(pkt));
	cr_assert_eq(mikey_tesla_sender_protect_rtp(s, a, sizeof(pkt), sizeof(a), 0, T0 + MS(50 * 60 + 1), &la), MIKEY_OK);
	cr_assert_eq(mikey_tesla_sender_dup(s, &d2), MIKEY_OK);
	for (uint32_t i = 1; i <= p.n_c; i += 7) {
		memcpy(a, pkt, sizeof(pkt));
		memcpy(b, pkt, sizeof(pkt));
		cr_assert_eq(mikey_tesla_sender_protect_rtp(d1, a, sizeof(pkt), sizeof(a), 0, T0 + MS(50 * i + 1), &la),
		             MIKEY_OK);
		cr_assert_eq(mikey_tesla_sender_protect_rtp(fresh, b, sizeof(pkt), sizeof(b), 0, T0 + MS(50 * i + 1), &lb),
		             MIKEY_OK);
		cr_assert_eq(la, lb);
		cr_assert_arr_eq(a, b, la, "interval %u", i);
	}
	/* d2 inherited s's highest interval: going back is refused. */
	cr_assert_eq(mikey_tesla_sender_protect_rtp(d2, a, sizeof(pkt), sizeof(a), 0, T0 + MS(50 * 10 + 1), &la),
	             MIKEY_ERR_STATE);
	mikey_tesla_sender_free(d2);
	cr_assert_eq(mikey_tesla_sender_dup(NULL, &d2), MIKEY_ERR_ARG);
	cr_assert_null(d2);
	cr_assert_eq(mikey_tesla_sender_dup(s, NULL), MIKEY_ERR_ARG);
	mikey_tesla_sender_free(d1);
	mikey_tesla_sender_free(fresh);
	mikey_tesla_sender_free(s);
}
