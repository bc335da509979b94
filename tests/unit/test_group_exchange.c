/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_group_exchange.c - a key server pushes group key generations
 * (mikey/group.h) to its members in the PSK and PK modes, and a KEMAC with
 * several keys reaches the crypto sessions:
 *  - 50 members keyed by PSK push, 50 by PK push: every member derives the
 *    key server's keys for every sender, generation N and N+1 alike, and
 *    both generations stay usable side by side during the switch;
 *  - per-sender TESLA parameters travel one TESLA SP per crypto session;
 *  - two TGKs with two MKIs in one message: both keys through the API and
 *    through libsrtp2 (packets protected under either MKI decrypt).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/exchange_fixture.h"
#include "../common/fail_alloc.h"
#include "mikey/group.h"
#include "mikey/keystore.h"
#include "mikey/kdf.h"
#include "mikey/mikey.h"
#include "mikey/srtp_libsrtp.h"

#define N_MEMBERS 50
#define N_SENDERS 5

static uint32_t rng_server = 1, rng_members = 5000;

static mikey_group_gen *make_generation(size_t mki_len, bool tesla)
{
	static mikey_tesla_params tp[N_SENDERS];
	mikey_group_sender s[N_SENDERS];
	for (size_t i = 0; i < N_SENDERS; i++) {
		s[i] = (mikey_group_sender){.ssrc = 0x10000000u + (uint32_t)i * 0x111, .roc = (uint32_t)i};
		if (tesla) {
			mikey_tesla_params_default(&tp[i]);
			tp[i].t_0 = T0;
			tp[i].t_int = 20;
			tp[i].d = 2;
			tp[i].n_c = 1000;
			memset(tp[i].commitment, (int)(0xA0 + i), sizeof(tp[i].commitment));
			s[i].tesla = &tp[i];
		}
	}
	mikey_group_config c;
	mikey_group_config_init(&c);
	c.senders = s;
	c.n_senders = N_SENDERS;
	c.mki_len = mki_len;
	mikey_rng rng = {counter_rng, &rng_server};
	mikey_group_gen *g = NULL;
	mikey_error err;
	cr_assert_eq(mikey_group_gen_new(&c, &rng, &g, &err), MIKEY_OK, "%s", err.message);
	return g;
}

static mikey_ctx *party(const char *id)
{
	mikey_ctx *c = mikey_ctx_new();
	cr_assert_not_null(c);
	mikey_ctx_set_clock(c, fixed_clock, NULL);
	cr_assert_eq(mikey_ctx_set_id(c, MIKEY_ID_URI, id, strlen(id)), MIKEY_OK);
	return c;
}

static void member_psk(uint8_t psk[16], size_t i)
{
	for (size_t k = 0; k < 16; k++)
		psk[k] = (uint8_t)(i * 16 + k + 1);
}

/* Every crypto session the member's exchange gives equals the key server's
 * own (from the generation), looked up by index and by SSRC. */
static void expect_same_keys(const mikey_exchange *member, const mikey_group_gen *g, size_t who)
{
	mikey_error err;
	cr_assert_eq(mikey_exchange_cs_count(member), mikey_group_gen_cs_count(g));
	cr_assert_eq(mikey_exchange_csb_id(member), mikey_group_gen_csb_id(g));
	for (size_t i = 0; i < mikey_group_gen_cs_count(g); i++) {
		mikey_crypto_session mine, theirs, by_ssrc;
		cr_assert_eq(mikey_group_gen_get_cs(g, i, &mine, &err), MIKEY_OK, "%s", err.message);
		cr_assert_eq(mikey_exchange_get_cs(member, i, &theirs, &err), MIKEY_OK, "%s", err.message);
		cr_assert_eq(mikey_exchange_find_cs(member, mine.ssrc, 0, &by_ssrc, &err), MIKEY_OK, "%s", err.message);
		cr_assert_eq(theirs.ssrc, mine.ssrc);
		cr_assert_eq(theirs.roc, mine.roc);
		cr_assert_eq(theirs.master_key_len, mine.master_key_len);
		cr_assert_arr_eq(theirs.master_key, mine.master_key, mine.master_key_len,
		                 "member %zu, sender %zu: master key differs from the key server's", who, i);
		cr_assert_arr_eq(theirs.master_salt, mine.master_salt, mine.master_salt_len,
		                 "member %zu, sender %zu: master salt differs", who, i);
		cr_assert_eq(theirs.mki_len, mine.mki_len);
		cr_assert_arr_eq(theirs.mki, mine.mki, mine.mki_len);
		cr_assert_eq(theirs.has_tesla, mine.has_tesla);
		if (mine.has_tesla)
			cr_assert_arr_eq(theirs.tesla.commitment, mine.tesla.commitment, 20,
			                 "sender %zu: its own TESLA commitment", i);
		cr_assert_eq(memcmp(&by_ssrc, &theirs, sizeof(theirs)), 0, "lookup by SSRC equals lookup by index");
		mikey_crypto_session_cleanup(&mine);
		mikey_crypto_session_cleanup(&theirs);
		mikey_crypto_session_cleanup(&by_ssrc);
	}
}

/* The key server pushes |g| to every member over PSK; returns the
 * members' exchanges. */
static void push_psk(mikey_ctx *server, mikey_ctx **members, const mikey_group_gen *g, mikey_exchange **got)
{
	for (size_t i = 0; i < N_MEMBERS; i++) {
		char id[64];
		snprintf(id, sizeof(id), "sip:member%zu@example.com", i);
		mikey_offer o;
		mikey_offer_init(&o, MIKEY_MODE_PSK);
		o.group = g;
		o.peer_id = id;
		o.peer_id_len = strlen(id);
		mikey_exchange *ex = NULL;
		uint8_t *msg = NULL, *resp = NULL;
		size_t len = 0, rlen = 0;
		mikey_error err;
		cr_assert_eq(mikey_initiate(server, &o, &ex, &msg, &len, &err), MIKEY_OK, "%s", err.message);
		cr_assert_eq(mikey_respond(members[i], msg, len, &got[i], &resp, &rlen, &err), MIKEY_OK,
		             "member %zu: %s", i, err.message);
		mikey_buf_free(msg, len);
		mikey_buf_free(resp, rlen);
		mikey_exchange_free(ex);
	}
}

Test(group_exchange, psk_push_fifty_members_two_generations)
{
	mikey_ctx *server = party("sip:keyserver@example.com");
	mikey_rng_fn fn = counter_rng;
	mikey_ctx_set_rng(server, fn, &rng_server);
	mikey_ctx *members[N_MEMBERS];
	for (size_t i = 0; i < N_MEMBERS; i++) {
		char id[64];
		uint8_t psk[16];
		snprintf(id, sizeof(id), "sip:member%zu@example.com", i);
		members[i] = party(id);
		mikey_ctx_set_rng(members[i], counter_rng, &rng_members);
		member_psk(psk, i);
		cr_assert_eq(mikey_ctx_add_psk(server, id, strlen(id), psk, 16), MIKEY_OK);
		cr_assert_eq(mikey_ctx_add_psk(members[i], NULL, 0, psk, 16), MIKEY_OK);
	}
	mikey_group_gen *g = make_generation(2, false), *next = NULL;
	mikey_exchange *got[N_MEMBERS], *got_next[N_MEMBERS];
	push_psk(server, members, g, got);
	for (size_t i = 0; i < N_MEMBERS; i++)
		expect_same_keys(got[i], g, i);

	/* Rekey: generation N+1 under the same CSB ID, pushed while N stays. */
	mikey_error err;
	mikey_rng rng = {counter_rng, &rng_server};
	cr_assert_eq(mikey_group_gen_next(g, &rng, &next, &err), MIKEY_OK, "%s", err.message);
	now_ntp += (uint64_t)1 << 32; /* a second later: new timestamps */
	push_psk(server, members, next, got_next);
	for (size_t i = 0; i < N_MEMBERS; i++) {
		expect_same_keys(got_next[i], next, i);
		expect_same_keys(got[i], g, i); /* generation N is still there */
		/* The member can tell the rekey from a stale or repeated push. */
		cr_assert_eq(mikey_exchange_compare_generation(got_next[i], got[i]), MIKEY_GEN_NEWER);
		cr_assert_eq(mikey_exchange_compare_generation(got[i], got_next[i]), MIKEY_GEN_OLDER);
		cr_assert_eq(mikey_exchange_compare_generation(got[i], got[i]), MIKEY_GEN_SAME);
		if (i > 0)
			cr_assert_eq(mikey_exchange_compare_generation(got[i], got[i - 1]), MIKEY_GEN_SAME,
			             "two members' copies of one generation");
		mikey_crypto_session a, b;
		cr_assert_eq(mikey_exchange_get_cs(got[i], 0, &a, &err), MIKEY_OK);
		cr_assert_eq(mikey_exchange_get_cs(got_next[i], 0, &b, &err), MIKEY_OK);
		cr_assert_neq(memcmp(a.master_key, b.master_key, a.master_key_len), 0, "N+1 has another key");
		cr_assert_neq(memcmp(a.mki, b.mki, a.mki_len), 0, "N+1 has another MKI");
		mikey_crypto_session_cleanup(&a);
		mikey_crypto_session_cleanup(&b);
	}
	for (size_t i = 0; i < N_MEMBERS; i++) {
		mikey_exchange_free(got[i]);
		mikey_exchange_free(got_next[i]);
		mikey_ctx_free(members[i]);
	}
	mikey_group_gen_free(g);
	mikey_group_gen_free(next);
	mikey_ctx_free(server);
}

/* The key server pushes |g| to |member| (Bob) in the PK mode; the member
 * derives the key server's keys for every sender. */
static void pk_push(mikey_ctx *server, mikey_ctx *member, const mikey_group_gen *g, size_t who)
{
	mikey_offer o;
	mikey_offer_init(&o, MIKEY_MODE_PK);
	o.group = g;
	o.peer_id = BOB;
	o.peer_id_len = strlen(BOB);
	mikey_exchange *ex = NULL, *got = NULL;
	uint8_t *msg = NULL, *resp = NULL;
	size_t len = 0, rlen = 0;
	mikey_error err;
	cr_assert_eq(mikey_initiate(server, &o, &ex, &msg, &len, &err), MIKEY_OK, "%s", err.message);
	cr_assert_eq(mikey_respond(member, msg, len, &got, &resp, &rlen, &err), MIKEY_OK, "member %zu: %s", who,
	             err.message);
	expect_same_keys(got, g, who);
	mikey_buf_free(msg, len);
	mikey_buf_free(resp, rlen);
	mikey_exchange_free(ex);
	mikey_exchange_free(got);
}

Test(group_exchange, pk_push_fifty_members_with_tesla_per_sender)
{
	uint32_t rs = 77;
	mikey_ctx *server = make_cert_ctx(ALICE, &rs, "alice.pem", "alice.key");
	add_peer_cert(server, BOB, "bob.pem");
	mikey_group_gen *g = make_generation(1, true);
	for (size_t i = 0; i < N_MEMBERS; i++) {
		/* Fifty member contexts; the test PKI has one member certificate,
		 * so they share Bob's identity and key. */
		uint32_t rm = (uint32_t)(9000 + 100 * i);
		mikey_ctx *member = make_cert_ctx(BOB, &rm, "bob.pem", "bob.key");
		pk_push(server, member, g, i);
		mikey_ctx_free(member);
		now_ntp += (uint64_t)1 << 28;
	}
	mikey_group_gen_free(g);
	mikey_ctx_free(server);
}

Test(group_exchange, group_with_offer_fields_is_refused)
{
	mikey_ctx *server = party("sip:keyserver@example.com");
	uint8_t psk[16] = {1};
	cr_assert_eq(mikey_ctx_add_psk(server, NULL, 0, psk, 16), MIKEY_OK);
	mikey_group_gen *g = make_generation(0, false);
	mikey_cs_desc cs = {.ssrc = 1};
	mikey_offer o;
	mikey_offer_init(&o, MIKEY_MODE_PSK);
	o.group = g;
	o.cs = &cs;
	o.n_cs = 1;
	mikey_exchange *ex = NULL;
	uint8_t *msg = NULL;
	size_t len = 0;
	mikey_error err;
	cr_assert_eq(mikey_initiate(server, &o, &ex, &msg, &len, &err), MIKEY_ERR_ARG);
	cr_assert_null(ex);
	cr_assert_null(msg);
	mikey_offer_init(&o, MIKEY_MODE_DH_SIGN);
	o.group = g;
	cr_assert_eq(mikey_initiate(server, &o, &ex, &msg, &len, &err), MIKEY_ERR_ARG, "no group push over DH");
	mikey_group_gen_free(g);
	mikey_ctx_free(server);
}

/* ------------------------------------------------ two keys, two MKIs */

static const uint8_t TGK1[16] = {0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18,
                                 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x10};
static const uint8_t TGK2[16] = {0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28,
                                 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f, 0x20};
static const uint8_t MKI1[2] = {0, 1}, MKI2[2] = {0, 2};
#define SSRC 0xcafef00du

static mikey_ctx *ctx_a, *ctx_b;
static uint8_t msg_rand[255];
static size_t msg_rand_len;

static void free_parties(void)
{
	mikey_ctx_free(ctx_a);
	mikey_ctx_free(ctx_b);
	ctx_a = ctx_b = NULL;
}

/* Alice sends Bob one crypto session with TGK1 (MKI 1) and TGK2 (MKI 2);
 * the contexts live until free_parties (exchanges borrow them). */
static mikey_exchange *two_key_exchange(mikey_exchange **initiator)
{
	mikey_ctx *a = ctx_a = party(ALICE), *b = ctx_b = party(BOB);
	uint8_t psk[16] = {9, 8, 7};
	cr_assert_eq(mikey_ctx_add_psk(a, NULL, 0, psk, 16), MIKEY_OK);
	cr_assert_eq(mikey_ctx_add_psk(b, NULL, 0, psk, 16), MIKEY_OK);
	mikey_cs_desc cs = {.ssrc = SSRC, .roc = 3};
	mikey_srtp_policy pol;
	mikey_srtp_policy_default(&pol);
	mikey_key_desc second = {.key_type = MIKEY_KEY_TGK, .key = TGK2, .key_len = 16, .mki = MKI2, .mki_len = 2};
	mikey_offer o;
	mikey_offer_init(&o, MIKEY_MODE_PSK);
	o.cs = &cs;
	o.n_cs = 1;
	o.policies = &pol;
	o.n_policies = 1;
	o.key = TGK1;
	o.key_len = 16;
	o.mki = MKI1;
	o.mki_len = 2;
	o.extra_keys = &second;
	o.n_extra_keys = 1;
	mikey_exchange *ex = NULL, *got = NULL;
	uint8_t *msg = NULL, *resp = NULL;
	size_t len = 0, rlen = 0;
	mikey_error err;
	cr_assert_eq(mikey_initiate(a, &o, &ex, &msg, &len, &err), MIKEY_OK, "%s", err.message);
	mikey_msg *m = NULL;
	cr_assert_eq(mikey_msg_parse(msg, len, NULL, &m, &err), MIKEY_OK);
	mikey_payload *r = mikey_msg_find(m, MIKEY_PT_RAND, 0);
	cr_assert_not_null(r);
	msg_rand_len = r->u.rand.rand.len;
	memcpy(msg_rand, r->u.rand.rand.data, msg_rand_len);
	mikey_msg_free(m);
	cr_assert_eq(mikey_respond(b, msg, len, &got, &resp, &rlen, &err), MIKEY_OK, "%s", err.message);
	mikey_buf_free(msg, len);
	mikey_buf_free(resp, rlen);
	*initiator = ex;
	return got;
}

Test(group_exchange, two_tgks_two_mkis_both_reach_the_api, .fini = free_parties)
{
	mikey_exchange *ini = NULL, *got = two_key_exchange(&ini);
	mikey_error err;
	cr_assert_eq(mikey_exchange_key_count(got), 2);
	cr_assert_eq(mikey_exchange_key_count(ini), 2);
	const uint8_t *tgks[2] = {TGK1, TGK2}, *mkis[2] = {MKI1, MKI2};
	for (size_t k = 0; k < 2; k++) {
		mikey_crypto_session cs, cs_i;
		cr_assert_eq(mikey_exchange_get_cs_key(got, 0, k, &cs, &err), MIKEY_OK, "%s", err.message);
		cr_assert_eq(mikey_exchange_get_cs_key(ini, 0, k, &cs_i, &err), MIKEY_OK, "%s", err.message);
		cr_assert_eq(cs.key_index, k);
		cr_assert_eq(cs.mki_len, 2);
		cr_assert_arr_eq(cs.mki, mkis[k], 2, "key %zu has its own MKI", k);
		/* Key k is derived from TGK k: TEK = PRF(TGK_k, 0x2AD01C64 || 1 ||
		 * CSB ID || RAND), RFC 3830 §4.1.3 (the PRF has its own known
		 * answers in test_kdf). */
		uint8_t want[16];
		cr_assert_eq(mikey_kdf_tgk(MIKEY_PRF_MIKEY_1, tgks[k], 16, MIKEY_KDF_TGK_TEK, 1, mikey_exchange_csb_id(got),
		                           msg_rand, msg_rand_len, want, 16),
		             MIKEY_OK);
		cr_assert_arr_eq(cs.master_key, want, 16, "key %zu is TGK %zu's TEK", k, k + 1);
		cr_assert_arr_eq(cs.master_key, cs_i.master_key, 16, "both sides agree on key %zu", k);
		mikey_crypto_session other;
		cr_assert_eq(mikey_exchange_get_cs_key(got, 0, 1 - k, &other, &err), MIKEY_OK);
		cr_assert_neq(memcmp(other.master_key, cs.master_key, 16), 0, "two TGKs, two TEKs");
		mikey_crypto_session_cleanup(&cs);
		mikey_crypto_session_cleanup(&cs_i);
		mikey_crypto_session_cleanup(&other);
	}
	mikey_crypto_session cs;
	cr_assert_eq(mikey_exchange_get_cs_key(got, 0, 2, &cs, &err), MIKEY_ERR_ARG, "there is no third key");
	cr_assert_eq(mikey_exchange_find_cs(got, 0x1234, 0, &cs, &err), MIKEY_ERR_ARG);
	mikey_exchange_free(got);
	mikey_exchange_free(ini);
}

static void one_cs_offer(mikey_offer *o, mikey_cs_desc *cs, mikey_srtp_policy *pol)
{
	mikey_srtp_policy_default(pol);
	mikey_offer_init(o, MIKEY_MODE_PSK);
	o->cs = cs;
	o->n_cs = 1;
	o->policies = pol;
	o->n_policies = 1;
}

/* mikey_exchange_get_key and mikey_exchange_get0_rand: both sides see the
 * TGKs as sent, before derivation, and the message's RAND (what the SIP
 * agent's key log fingerprints); an exchange still waiting for its
 * verification message gives nothing. */
Test(group_exchange, transported_keys_and_rand_through_the_api, .fini = free_parties)
{
	mikey_exchange *ini = NULL, *got = two_key_exchange(&ini);
	mikey_error err;
	const uint8_t *tgks[2] = {TGK1, TGK2};
	uint8_t k[64];
	size_t len = 0;
	uint8_t type = 0xff;
	for (size_t i = 0; i < 2; i++) {
		cr_assert_eq(mikey_exchange_get_key(got, i, k, sizeof(k), &len, &type, &err), MIKEY_OK, "%s", err.message);
		cr_assert_eq(len, 16);
		cr_assert_eq(type, MIKEY_KEY_TGK);
		cr_assert_arr_eq(k, tgks[i], 16, "responder: key %zu as transported", i);
		cr_assert_eq(mikey_exchange_get_key(ini, i, k, sizeof(k), &len, NULL, &err), MIKEY_OK, "%s", err.message);
		cr_assert_arr_eq(k, tgks[i], 16, "initiator: key %zu as sent", i);
	}
	cr_assert_eq(mikey_exchange_get_key(got, 2, k, sizeof(k), &len, NULL, &err), MIKEY_ERR_ARG, "no third key");
	cr_assert_eq(mikey_exchange_get_key(got, 0, k, 15, &len, NULL, &err), MIKEY_ERR_ARG, "buffer too small");
	cr_assert_eq(len, 0);
	cr_assert_eq(mikey_exchange_get_key(NULL, 0, k, sizeof(k), &len, NULL, &err), MIKEY_ERR_ARG);
	size_t rl = 0, rl_i = 0;
	const uint8_t *r = mikey_exchange_get0_rand(got, &rl), *r_i = mikey_exchange_get0_rand(ini, &rl_i);
	cr_assert_not_null(r);
	cr_assert_eq(rl, msg_rand_len);
	cr_assert_arr_eq(r, msg_rand, msg_rand_len, "the responder's RAND is the message's");
	cr_assert_eq(rl_i, rl);
	cr_assert_arr_eq(r_i, r, rl, "both sides hold one RAND");
	mikey_wipe(k, sizeof(k));
	mikey_exchange_free(got);
	mikey_exchange_free(ini);

	/* An initiator that asked for verification is not complete yet. */
	mikey_cs_desc cs = {.ssrc = SSRC};
	mikey_srtp_policy pol;
	mikey_offer o;
	one_cs_offer(&o, &cs, &pol);
	o.want_verify = true;
	mikey_exchange *pending = NULL;
	uint8_t *msg = NULL;
	size_t mlen = 0;
	cr_assert_eq(mikey_initiate(ctx_a, &o, &pending, &msg, &mlen, &err), MIKEY_OK, "%s", err.message);
	cr_assert_eq(mikey_exchange_get_key(pending, 0, k, sizeof(k), &len, NULL, &err), MIKEY_ERR_STATE);
	cr_assert_null(mikey_exchange_get0_rand(pending, &rl));
	cr_assert_eq(rl, 0);
	mikey_buf_free(msg, mlen);
	mikey_exchange_free(pending);
}

/* libsrtp2 with both master keys on one stream: packets protected under
 * either MKI decrypt on the receiver. */
Test(group_exchange, two_mkis_through_libsrtp2, .fini = free_parties)
{
	mikey_exchange *ini = NULL, *got = two_key_exchange(&ini);
	mikey_error err;
	mikey_crypto_session tx[2], rx[2];
	mikey_srtp_key_buf tkb[2], rkb[2];
	srtp_policy_t tp, rp, scratch;
	srtp_master_key_t *tkeys[2], *rkeys[2];
	for (size_t k = 0; k < 2; k++) {
		cr_assert_eq(mikey_exchange_get_cs_key(ini, 0, k, &tx[k], &err), MIKEY_OK);
		cr_assert_eq(mikey_exchange_get_cs_key(got, 0, k, &rx[k], &err), MIKEY_OK);
		cr_assert_eq(mikey_srtp_fill_policy(&tx[k], MIKEY_SRTP_SSRC_SPECIFIC, k == 0 ? &tp : &scratch, &tkb[k]),
		             MIKEY_OK);
		cr_assert_eq(mikey_srtp_fill_policy(&rx[k], MIKEY_SRTP_SSRC_SPECIFIC, k == 0 ? &rp : &scratch, &rkb[k]),
		             MIKEY_OK);
		tkeys[k] = &tkb[k].master_key;
		rkeys[k] = &rkb[k].master_key;
	}
	tp.keys = tkeys;
	tp.num_master_keys = 2;
	rp.keys = rkeys;
	rp.num_master_keys = 2;
	srtp_t ts = NULL, rs = NULL;
	cr_assert_eq(srtp_init(), srtp_err_status_ok);
	cr_assert_eq(srtp_create(&ts, &tp), srtp_err_status_ok);
	cr_assert_eq(srtp_create(&rs, &rp), srtp_err_status_ok);
	for (size_t k = 0; k < 2; k++) {
		mikey_srtp_key_buf_wipe(&tkb[k]);
		mikey_srtp_key_buf_wipe(&rkb[k]);
	}
	for (unsigned seq = 1; seq <= 20; seq++) {
		uint8_t pkt[12 + 100 + 16 + 16] = {0x80, 0x60, 0, (uint8_t)seq, 0, 0, 0, (uint8_t)seq,
		                                   (uint8_t)(SSRC >> 24), (uint8_t)(SSRC >> 16), (uint8_t)(SSRC >> 8),
		                                   (uint8_t)SSRC};
		for (size_t i = 12; i < 112; i++)
			pkt[i] = (uint8_t)(i ^ seq);
		uint8_t plain[112];
		memcpy(plain, pkt, 112);
		int len = 112;
		unsigned mki_index = seq % 2; /* alternate the two keys */
		cr_assert_eq(srtp_protect_mki(ts, pkt, &len, 1, mki_index), srtp_err_status_ok);
		cr_assert_eq(len, 112 + 2 + 10, "payload + MKI + 80-bit tag");
		cr_assert_eq(memcmp(pkt + 112, mki_index == 0 ? MKI1 : MKI2, 2), 0, "the packet names its MKI");
		cr_assert_eq(srtp_unprotect_mki(rs, pkt, &len, 1), srtp_err_status_ok, "packet %u (MKI %u)", seq,
		             mki_index + 1);
		cr_assert_eq(len, 112);
		cr_assert_arr_eq(pkt, plain, 112);
	}
	srtp_dealloc(ts);
	srtp_dealloc(rs);
	for (size_t k = 0; k < 2; k++) {
		mikey_crypto_session_cleanup(&tx[k]);
		mikey_crypto_session_cleanup(&rx[k]);
	}
	mikey_exchange_free(got);
	mikey_exchange_free(ini);
}

/* ------------------------------------------------------ PSK lookup */

typedef struct member_db {
	size_t lookups;
	bool fail;
} member_db;

/* A member database: "sip:member<N>@example.com" has PSK member_psk(N). */
static int db_lookup(void *user, const uint8_t *peer, size_t len, uint8_t *psk, size_t *psk_len)
{
	member_db *db = user;
	db->lookups++;
	if (db->fail)
		return MIKEY_ERR_NOMEM;
	unsigned n;
	char id[64];
	if (len >= sizeof(id))
		return MIKEY_ERR_NOT_FOUND;
	memcpy(id, peer, len);
	id[len] = 0;
	if (sscanf(id, "sip:member%u@example.com", &n) != 1 || n >= 1000)
		return MIKEY_ERR_NOT_FOUND;
	cr_assert_geq(*psk_len, 16);
	member_psk(psk, n);
	*psk_len = 16;
	return MIKEY_OK;
}

/* Member |i| initiates to the key server, which knows no PSK in advance. */
/* A member called |id| holding member |i|'s PSK. */
static mikey_ctx *psk_member(const char *id, size_t i)
{
	mikey_ctx *m = party(id);
	uint8_t psk[16];
	member_psk(psk, i);
	cr_assert_eq(mikey_ctx_add_psk(m, NULL, 0, psk, 16), MIKEY_OK);
	return m;
}

/* A PSK offer of one crypto session (|cs|, SRTP's default policy |pol|). */
static int member_calls(mikey_ctx *server, size_t i, const char *id, mikey_exchange **got, mikey_error *err)
{
	mikey_ctx *m = psk_member(id, i);
	mikey_cs_desc cs = {.ssrc = (uint32_t)i + 1};
	mikey_srtp_policy pol;
	mikey_offer o;
	one_cs_offer(&o, &cs, &pol);
	mikey_exchange *ex = NULL;
	uint8_t *msg = NULL, *resp = NULL;
	size_t len = 0, rlen = 0;
	cr_assert_eq(mikey_initiate(m, &o, &ex, &msg, &len, err), MIKEY_OK, "%s", err->message);
	int rc = mikey_respond(server, msg, len, got, &resp, &rlen, err);
	mikey_buf_free(msg, len);
	mikey_buf_free(resp, rlen);
	mikey_exchange_free(ex);
	mikey_ctx_free(m);
	now_ntp += 1u << 20;
	return rc;
}

Test(group_exchange, psk_lookup_serves_members_not_preloaded)
{
	mikey_ctx *server = party("sip:keyserver@example.com");
	member_db db = {0};
	mikey_ctx_set_psk_lookup(server, db_lookup, &db);
	mikey_error err;
	for (size_t i = 0; i < 20; i++) {
		char id[64];
		snprintf(id, sizeof(id), "sip:member%zu@example.com", i);
		mikey_exchange *got = NULL;
		cr_assert_eq(member_calls(server, i, id, &got, &err), MIKEY_OK, "member %zu: %s", i, err.message);
		cr_assert_null(mikey_exchange_get_user(got));
		mikey_exchange_set_user(got, &db);
		cr_assert_eq(mikey_exchange_get_user(got), &db);
		mikey_exchange_free(got);
	}
	cr_assert_eq(db.lookups, 20);
	/* An unknown member, and a database that fails: refused, and a default
	 * key is not used when the lookup itself failed. */
	mikey_exchange *got = NULL;
	cr_assert_eq(member_calls(server, 5, "sip:stranger@example.com", &got, &err), MIKEY_ERR_IDENTITY);
	cr_assert_null(got);
	uint8_t member5[16];
	member_psk(member5, 5);
	cr_assert_eq(mikey_ctx_add_psk(server, NULL, 0, member5, 16), MIKEY_OK); /* a default key */
	db.fail = true;
	cr_assert_eq(member_calls(server, 5, "sip:member5@example.com", &got, &err), MIKEY_ERR_IDENTITY,
	             "the lookup failed: no fallback to the default key");
	db.fail = false;
	cr_assert_eq(member_calls(server, 5, "sip:stranger@example.com", &got, &err), MIKEY_OK,
	             "not found: the default key applies (%s)", err.message);
	mikey_exchange_free(got);
	mikey_ctx_set_psk_lookup(server, NULL, NULL);
	mikey_ctx_free(server);
}

/* ------------------------------------------------ allocation failure */

static void restore_mem(void)
{
	fail_alloc_disarm();
}

/* A PSK push of a TESLA generation with a second key: every allocation of
 * both sides fails in turn; each failure is MIKEY_ERR_NOMEM (or the
 * identity error the responder's lookup turns it into), nothing leaks, and
 * the run without a failure completes. */
Test(group_exchange, push_with_every_allocation_failing, .fini = restore_mem)
{
	uint8_t psk[16] = {3, 1, 4, 1, 5};
	uint8_t tgk2[16] = {2}, mki2[1] = {0x77};
	size_t completed = 0;
	for (size_t n = 1; n < 2000 && completed == 0; n++) {
		fail_alloc_arm(0);
		mikey_group_gen *g = NULL;
		mikey_ctx *a = NULL, *b = NULL;
		mikey_exchange *ex = NULL, *got = NULL;
		uint8_t *msg = NULL, *resp = NULL;
		size_t len = 0, rlen = 0;
		mikey_error err;
		int rc = MIKEY_ERR_NOMEM;
		g = make_generation(1, true);
		a = mikey_ctx_new();
		b = mikey_ctx_new();
		if (a == NULL || b == NULL)
			goto done;
		mikey_ctx_set_clock(a, fixed_clock, NULL);
		mikey_ctx_set_clock(b, fixed_clock, NULL);
		if (mikey_ctx_add_psk(a, NULL, 0, psk, 16) != MIKEY_OK || mikey_ctx_add_psk(b, NULL, 0, psk, 16) != MIKEY_OK)
			goto done;
		fail_alloc_from_now(n);
		mikey_key_desc k2 = {.key_type = MIKEY_KEY_TGK, .key = tgk2, .key_len = 16, .mki = mki2, .mki_len = 1};
		mikey_offer o;
		mikey_offer_init(&o, MIKEY_MODE_PSK);
		o.group = g;
		o.extra_keys = &k2;
		o.n_extra_keys = 1;
		rc = mikey_initiate(a, &o, &ex, &msg, &len, &err);
		if (rc == MIKEY_OK)
			rc = mikey_respond(b, msg, len, &got, &resp, &rlen, &err);
		if (rc == MIKEY_OK) {
			mikey_crypto_session cs;
			rc = mikey_exchange_get_cs_key(got, N_SENDERS - 1, 1, &cs, &err);
			mikey_crypto_session_cleanup(&cs);
			if (rc == MIKEY_OK && fail_alloc.calls < fail_alloc.fail_at)
				completed = n;
		}
		if (rc != MIKEY_OK)
			cr_assert_eq(rc, MIKEY_ERR_NOMEM, "allocation %zu failing: %s (%s)", n, mikey_error_name(rc),
			             err.message);
	done:
		mikey_buf_free(msg, len);
		mikey_buf_free(resp, rlen);
		mikey_exchange_free(ex);
		mikey_exchange_free(got);
		mikey_ctx_free(a);
		mikey_ctx_free(b);
		mikey_group_gen_free(g);
		fail_alloc_disarm();
		cr_assert_eq(fail_alloc.live, 0, "allocation %zu failing leaked %zu blocks", n, fail_alloc.live);
		now_ntp += 1u << 20;
	}
	cr_assert_gt(completed, 1, "the sweep never reached a run without an injected failure");
}

/* ------------------------------------------------ RSA-R download */

typedef struct serving {
	const mikey_group_gen *gen[2];
	size_t asked;
	size_t switch_at; /* requests before this get gen[0], later gen[1] */
} serving;

/* The key server's choice: generation N until the rekey is under way,
 * then N+1; a stranger gets nothing. */
static const mikey_group_gen *choose_generation(void *user, const uint8_t *id, size_t len)
{
	serving *s = user;
	if (len != strlen(BOB) || memcmp(id, BOB, len) != 0)
		return NULL;
	return s->gen[s->asked++ < s->switch_at ? 0 : 1];
}

/* A member downloads the group key (RFC 4738 §3.2) from |server| and must
 * derive |want|'s keys for every sender. */
static int download(mikey_ctx *server, size_t i, const mikey_group_gen *want, mikey_error *err)
{
	uint32_t rm = (uint32_t)(40000 + 100 * i);
	mikey_ctx *member = make_cert_ctx(BOB, &rm, "bob.pem", "bob.key");
	mikey_offer o;
	mikey_offer_init(&o, MIKEY_MODE_RSAR);
	o.peer_id = ALICE;
	o.peer_id_len = strlen(ALICE);
	mikey_exchange *ex = NULL, *srv_ex = NULL;
	uint8_t *msg = NULL, *resp = NULL;
	size_t len = 0, rlen = 0;
	cr_assert_eq(mikey_initiate(member, &o, &ex, &msg, &len, err), MIKEY_OK, "%s", err->message);
	int rc = mikey_respond(server, msg, len, &srv_ex, &resp, &rlen, err);
	if (rc == MIKEY_OK)
		rc = mikey_exchange_finish(ex, resp, rlen, err);
	mikey_buf_free(msg, len);
	mikey_buf_free(resp, rlen);
	mikey_exchange_free(srv_ex);
	now_ntp += 1u << 24;
	if (rc == MIKEY_OK)
		expect_same_keys(ex, want, i);
	mikey_exchange_free(ex);
	mikey_ctx_free(member);
	return rc;
}

Test(group_exchange, rsar_download_fifty_members_during_a_rekey)
{
	uint32_t rs = 31;
	mikey_ctx *server = make_cert_ctx(ALICE, &rs, "alice.pem", "alice.key");
	mikey_group_gen *g = make_generation(2, true), *next = NULL;
	mikey_error err;
	mikey_rng rng = {counter_rng, &rng_server};
	cr_assert_eq(mikey_group_gen_next(g, &rng, &next, &err), MIKEY_OK, "%s", err.message);
	serving s = {.gen = {g, next}, .switch_at = N_MEMBERS / 2};
	mikey_ctx_set_rsar_group_fn(server, choose_generation, &s);
	for (size_t i = 0; i < N_MEMBERS; i++) {
		const mikey_group_gen *want = i < s.switch_at ? g : next;
		cr_assert_eq(download(server, i, want, &err), MIKEY_OK, "member %zu: %s", i, err.message);
	}
	cr_assert_eq(s.asked, N_MEMBERS, "one choice per request");
	mikey_group_gen_free(g);
	mikey_group_gen_free(next);
	mikey_ctx_free(server);
}

static const mikey_group_gen *nobody(void *user, const uint8_t *id, size_t len)
{
	(void)user, (void)id, (void)len;
	return NULL;
}

Test(group_exchange, rsar_refuses_a_member_it_serves_nothing)
{
	uint32_t rs = 32;
	mikey_ctx *server = make_cert_ctx(ALICE, &rs, "alice.pem", "alice.key");
	mikey_ctx_set_rsar_group_fn(server, nobody, NULL);
	uint32_t rm = 77777;
	mikey_ctx *member = make_cert_ctx(BOB, &rm, "bob.pem", "bob.key");
	mikey_offer o;
	mikey_offer_init(&o, MIKEY_MODE_RSAR);
	o.peer_id = ALICE;
	o.peer_id_len = strlen(ALICE);
	mikey_exchange *ex = NULL;
	uint8_t *msg = NULL;
	size_t len = 0;
	mikey_error err;
	cr_assert_eq(mikey_initiate(member, &o, &ex, &msg, &len, &err), MIKEY_OK, "%s", err.message);
	expect_rejected(server, msg, len, MIKEY_ERR_IDENTITY, MIKEY_ERRNO_INVALID_ID, &err);
	cr_assert(strstr(err.message, "serves no group generation") != NULL, "%s", err.message);
	mikey_buf_free(msg, len);
	mikey_exchange_free(ex);
	mikey_ctx_free(member);
	mikey_ctx_free(server);
}

/* mikey_ctx_set_rsar_keys with offer.group: a fixed generation, copied. */
Test(group_exchange, rsar_keys_from_a_generation)
{
	uint32_t rs = 33;
	mikey_ctx *server = make_cert_ctx(ALICE, &rs, "alice.pem", "alice.key");
	mikey_group_gen *g = make_generation(1, false);
	mikey_offer k;
	mikey_offer_init(&k, MIKEY_MODE_RSAR);
	k.group = g;
	cr_assert_eq(mikey_ctx_set_rsar_keys(server, &k), MIKEY_OK);
	mikey_error err;
	for (size_t i = 0; i < 3; i++) {
		cr_assert_eq(download(server, i, g, &err), MIKEY_OK, "%s", err.message);
	}
	mikey_group_gen_free(g);
	mikey_ctx_free(server);
}

/* ------------------------------------------------ RFC 4442 §4.3 D_t */

static uint64_t server_ahead(void *user)
{
	(void)user;
	return now_ntp + ((uint64_t)5 << 31); /* 2.5 s ahead of the members */
}

/* RSA-R with in-band time (RFC 4442 §4.3 alternative 2): the key server
 * answers with its own time and echoes ours in TESLA parameter 9; every
 * sender's D_t is t_s - t_r + S. */
Test(group_exchange, tesla_dt_in_band_over_rsar)
{
	uint32_t rs = 34;
	mikey_ctx *server = make_cert_ctx(ALICE, &rs, "alice.pem", "alice.key");
	mikey_ctx_set_clock(server, server_ahead, NULL);
	mikey_group_gen *g = make_generation(1, true);
	mikey_offer k;
	mikey_offer_init(&k, MIKEY_MODE_RSAR);
	k.group = g;
	k.tesla_time_sync = true;
	cr_assert_eq(mikey_ctx_set_rsar_keys(server, &k), MIKEY_OK);

	const uint64_t drift = (uint64_t)1 << 30; /* S = 0.25 s */
	for (int sync = 0; sync < 2; sync++) {
		uint32_t rm = 50505;
		mikey_ctx *member = make_cert_ctx(BOB, &rm, "bob.pem", "bob.key");
		mikey_offer o;
		mikey_offer_init(&o, MIKEY_MODE_RSAR);
		o.peer_id = ALICE;
		o.peer_id_len = strlen(ALICE);
		o.tesla_time_sync = sync;
		o.tesla_drift = drift;
		mikey_exchange *ex = NULL, *srv_ex = NULL;
		uint8_t *msg = NULL, *resp = NULL;
		size_t len = 0, rlen = 0;
		mikey_error err;
		cr_assert_eq(mikey_initiate(member, &o, &ex, &msg, &len, &err), MIKEY_OK, "%s", err.message);
		cr_assert_eq(mikey_respond(server, msg, len, &srv_ex, &resp, &rlen, &err), MIKEY_OK, "%s", err.message);
		int rc = mikey_exchange_finish(ex, resp, rlen, &err);
		if (!sync) {
			/* A member that did not ask insists on the echoed T. */
			cr_assert_eq(rc, MIKEY_ERR_TIMESTAMP, "%s", err.message);
		} else {
			cr_assert_eq(rc, MIKEY_OK, "%s", err.message);
			expect_same_keys(ex, g, 0);
			for (size_t i = 0; i < N_SENDERS; i++) {
				mikey_crypto_session cs;
				cr_assert_eq(mikey_exchange_get_cs(ex, i, &cs, &err), MIKEY_OK);
				cr_assert(cs.has_tesla);
				cr_assert_eq(cs.tesla.d_t, ((uint64_t)5 << 31) + drift,
				             "sender %zu: D_t = t_s - t_r + S = 2.75 s, got %llu/2^32 s", i,
				             (unsigned long long)cs.tesla.d_t);
				mikey_crypto_session_cleanup(&cs);
			}
		}
		mikey_buf_free(msg, len);
		mikey_buf_free(resp, rlen);
		mikey_exchange_free(ex);
		mikey_exchange_free(srv_ex);
		mikey_ctx_free(member);
		now_ntp += 1u << 24;
	}
	mikey_group_gen_free(g);
	mikey_ctx_free(server);
}

/* ------------------------------------------------ certificate lookup */

typedef struct cert_db {
	char *pem;
	size_t len, lookups;
} cert_db;

static int cert_lookup(void *user, const uint8_t *peer, size_t len, const char **pem, size_t *pem_len)
{
	cert_db *db = user;
	db->lookups++;
	if (len != strlen(BOB) || memcmp(peer, BOB, len) != 0)
		return MIKEY_ERR_NOT_FOUND;
	*pem = db->pem;
	*pem_len = db->len;
	return MIKEY_OK;
}

/* A PK key server that preloads no member certificate asks its lookup;
 * a member that does not exist there is refused. */
Test(group_exchange, pk_push_with_certificate_lookup)
{
	uint32_t rs = 88;
	mikey_ctx *server = make_cert_ctx(ALICE, &rs, "alice.pem", "alice.key");
	cert_db db = {0};
	db.pem = slurp("bob.pem", &db.len);
	mikey_ctx_set_cert_lookup(server, cert_lookup, &db);
	mikey_group_gen *g = make_generation(1, false);
	uint32_t rm = 123;
	mikey_ctx *member = make_cert_ctx(BOB, &rm, "bob.pem", "bob.key");
	pk_push(server, member, g, 0);
	cr_assert_eq(db.lookups, 1, "the initiator looked Bob's certificate up");
	mikey_offer o;
	mikey_offer_init(&o, MIKEY_MODE_PK);
	o.group = g;
	mikey_exchange *ex = NULL;
	uint8_t *msg = NULL;
	size_t len = 0;
	mikey_error err;

	o.peer_id = "sip:nobody@example.com";
	o.peer_id_len = strlen(o.peer_id);
	cr_assert_eq(mikey_initiate(server, &o, &ex, &msg, &len, &err), MIKEY_ERR_CERT);
	cr_assert_null(ex);
	/* A lookup that answers with something that is no certificate. */
	db.len = 10;
	o.peer_id = BOB;
	o.peer_id_len = strlen(BOB);
	cr_assert_eq(mikey_initiate(server, &o, &ex, &msg, &len, &err), MIKEY_ERR_CERT);
	cr_assert(strstr(err.message, "lookup") != NULL, "%s", err.message);
	free(db.pem);
	mikey_group_gen_free(g);
	mikey_ctx_free(member);
	mikey_ctx_free(server);
}

/* ------------------------------------------------ 10,000 members */

/* A key server answers 10,000 members inside one clock-skew window, their
 * timestamps in no particular order: no legitimate message may be taken
 * for a replay, and a message sent again is. */
Test(group_exchange, ten_thousand_members_no_false_replay, .timeout = 240)
{
	enum { N = 10000 };
	mikey_ctx *server = party("sip:keyserver@example.com");
	member_db db = {0};
	mikey_ctx_set_psk_lookup(server, db_lookup, &db);
	mikey_ctx *member = psk_member("sip:member7@example.com", 7);
	mikey_cs_desc cs = {.ssrc = 7};
	mikey_srtp_policy pol;
	uint64_t start = now_ntp;
	uint8_t *keep[8];
	size_t keep_len[8], n_keep = 0;
	for (size_t i = 0; i < N; i++) {
		/* Members' clocks differ: message i carries a timestamp in a
		 * shuffled order (7919 is prime to N), 10 ms apart, 0 to 100 s
		 * after |start|; the key server's clock stays at |start| + 50 s,
		 * so every one is inside the ±300 s window. */
		now_ntp = start + ((((uint64_t)i * 7919 % N) << 32) / 100);
		mikey_offer o;
		cs.ssrc = (uint32_t)i + 1;
		one_cs_offer(&o, &cs, &pol);
		mikey_exchange *ex = NULL, *got = NULL;
		uint8_t *msg = NULL, *resp = NULL;
		size_t len = 0, rlen = 0;
		mikey_error err;
		cr_assert_eq(mikey_initiate(member, &o, &ex, &msg, &len, &err), MIKEY_OK);
		now_ntp = start + ((uint64_t)50 << 32);
		int rc = mikey_respond(server, msg, len, &got, &resp, &rlen, &err);
		cr_assert_eq(rc, MIKEY_OK, "message %zu of %d refused: %s (%s)", i, N, mikey_error_name(rc), err.message);
		if (i % (N / 8) == 0 && n_keep < 8) {
			keep[n_keep] = msg;
			keep_len[n_keep++] = len;
			msg = NULL;
		}
		mikey_buf_free(msg, len);
		mikey_buf_free(resp, rlen);
		mikey_exchange_free(ex);
		mikey_exchange_free(got);
	}
	for (size_t k = 0; k < n_keep; k++) {
		mikey_exchange *got = NULL;
		uint8_t *resp = NULL;
		size_t rlen = 0;
		mikey_error err;
		cr_assert_eq(mikey_respond(server, keep[k], keep_len[k], &got, &resp, &rlen, &err), MIKEY_ERR_REPLAY,
		             "replay %zu was accepted", k);
		cr_assert_null(got);
		mikey_buf_free(resp, rlen);
		mikey_buf_free(keep[k], keep_len[k]);
	}
	cr_assert_eq(db.lookups, N);
	mikey_ctx_free(member);
	mikey_ctx_free(server);
}

/* ------------------------------------------------ into the key store */

/* A member puts its exchange (both keys) in a key store, the key server
 * its generation: both stores answer every (SSRC, MKI) with one key. */
Test(group_exchange, exchange_and_generation_into_key_stores, .fini = free_parties)
{
	mikey_exchange *ini = NULL, *got = two_key_exchange(&ini);
	mikey_keystore *ks = mikey_keystore_new();
	cr_assert_not_null(ks);
	mikey_error err;
	cr_assert_eq(mikey_keystore_put_exchange(ks, got, 1, NULL, &err), MIKEY_OK, "%s", err.message);
	cr_assert_eq(mikey_keystore_count(ks), 2, "one crypto session under two MKIs");
	const uint8_t *mkis[2] = {MKI1, MKI2};
	for (size_t k = 0; k < 2; k++) {
		mikey_crypto_session want, have;
		cr_assert_eq(mikey_exchange_get_cs_key(ini, 0, k, &want, &err), MIKEY_OK);
		cr_assert_eq(mikey_keystore_get(ks, SSRC, mkis[k], 2, &have, NULL), MIKEY_OK);
		cr_assert_arr_eq(have.master_key, want.master_key, 16, "MKI %zu: the initiator's key", k + 1);
		mikey_crypto_session_cleanup(&want);
		mikey_crypto_session_cleanup(&have);
	}
	mikey_keystore_free(ks);
	mikey_exchange_free(got);
	mikey_exchange_free(ini);

	mikey_group_gen *g = make_generation(2, false);
	ks = mikey_keystore_new();
	cr_assert_eq(mikey_keystore_put_generation(ks, g, NULL, &err), MIKEY_OK, "%s", err.message);
	cr_assert_eq(mikey_keystore_count(ks), N_SENDERS);
	for (size_t i = 0; i < N_SENDERS; i++) {
		mikey_crypto_session want, have;
		cr_assert_eq(mikey_group_gen_get_cs(g, i, &want, &err), MIKEY_OK);
		cr_assert_eq(mikey_keystore_get(ks, want.ssrc, want.mki, want.mki_len, &have, NULL), MIKEY_OK);
		cr_assert_arr_eq(have.master_key, want.master_key, 16);
		mikey_crypto_session_cleanup(&want);
		mikey_crypto_session_cleanup(&have);
	}
	mikey_keystore_free(ks);
	mikey_group_gen_free(g);
}

/* Resizing the replay cache keeps what it remembers. */
Test(group_exchange, replay_cache_resize_keeps_entries)
{
	mikey_ctx *server = party("sip:keyserver@example.com");
	member_db db = {0};
	mikey_ctx_set_psk_lookup(server, db_lookup, &db);
	mikey_ctx *member = psk_member("sip:member3@example.com", 3);
	mikey_cs_desc cs = {.ssrc = 3};
	mikey_srtp_policy pol;
	mikey_offer o;
	one_cs_offer(&o, &cs, &pol);
	mikey_exchange *ex = NULL, *got = NULL;
	uint8_t *msg = NULL, *resp = NULL;
	size_t len = 0, rlen = 0;
	mikey_error err;
	cr_assert_eq(mikey_initiate(member, &o, &ex, &msg, &len, &err), MIKEY_OK);
	cr_assert_eq(mikey_respond(server, msg, len, &got, &resp, &rlen, &err), MIKEY_OK, "%s", err.message);
	mikey_exchange_free(got);
	cr_assert_eq(mikey_ctx_replay_count(server), 1);
	cr_assert_eq(mikey_ctx_set_replay_capacity(server, 4096), MIKEY_OK);
	cr_assert_eq(mikey_ctx_replay_count(server), 1, "the entry survives the resize");
	cr_assert_eq(mikey_respond(server, msg, len, &got, &resp, &rlen, &err), MIKEY_ERR_REPLAY);
	cr_assert_eq(mikey_ctx_replay_evictions(server), 0);
	mikey_buf_free(msg, len);
	mikey_buf_free(resp, rlen);
	mikey_exchange_free(ex);
	mikey_ctx_free(member);
	mikey_ctx_free(server);
}
