/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * MIKEY-RSA-R (RFC 4738) end to end with a fixed clock, a counter RNG and
 * the test PKI in tests/certs: a unicast exchange, a member-initiated group
 * key download by three members (identical TEK, salt and MKI for everyone,
 * the key server's CSB ID and RAND), the key server's rejections with their
 * named errors and ERR payloads, and R_MESSAGEs the initiator must refuse
 * while it keeps waiting for the genuine one.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "mikey/exchange.h"
#include "mikey/kdf.h"
#include "mikey/mikey.h"

#include "../common/exchange_fixture.h"


static uint32_t rng_state_i, rng_state_r;

static mikey_ctx *ini, *srv;
static mikey_srtp_policy policy;
static mikey_cs_desc cs[2] = {{0x11111111, 0, 0}, {0x22222222, 5, 0}};

/* The key server's configuration: unicast unless |group_csb| != 0. */
static mikey_offer server_keys(uint32_t group_csb)
{
	mikey_offer k;
	mikey_srtp_policy_default(&policy);
	mikey_offer_init(&k, MIKEY_MODE_RSAR);
	k.csb_id = group_csb;
	k.policies = &policy;
	k.n_policies = 1;
	return k;
}

static void setup(void)
{
	now_ntp = T0;
	rng_state_i = 1;
	rng_state_r = 1000;
	ini = make_cert_ctx(ALICE, &rng_state_i, "alice.pem", "alice.key");
	srv = make_cert_ctx(BOB, &rng_state_r, "bob.pem", "bob.key");
	mikey_offer k = server_keys(0);
	cr_assert_eq(mikey_ctx_set_rsar_keys(srv, &k), MIKEY_OK);
}

static void teardown(void)
{
	mikey_ctx_free(ini);
	mikey_ctx_free(srv);
}

TestSuite(rsar, .init = setup, .fini = teardown, .timeout = 240);

static void member_offer(mikey_offer *o, bool with_cs)
{
	mikey_srtp_policy_default(&policy);
	mikey_offer_init(o, MIKEY_MODE_RSAR);
	if (with_cs) {
		o->cs = cs;
		o->n_cs = 2;
		o->policies = &policy;
		o->n_policies = 1;
	}
	o->peer_id = BOB;
	o->peer_id_len = strlen(BOB);
}

static void payload_order(const uint8_t *msg, size_t len, const uint8_t *want, size_t n, uint8_t data_type)
{
	mikey_msg *m;
	cr_assert_eq(mikey_msg_parse(msg, len, NULL, &m, NULL), MIKEY_OK);
	cr_assert_eq(m->hdr.data_type, data_type);
	size_t i = 0;
	for (mikey_payload *p = m->payloads.first; p; p = p->next, i++) {
		cr_assert_lt(i, n, "extra payload %u", p->type);
		cr_assert_eq(p->type, want[i], "payload %zu is %u, want %u", i, p->type, want[i]);
	}
	cr_assert_eq(i, n);
	mikey_msg_free(m);
}

static void same_session(mikey_exchange *a, mikey_exchange *b, size_t i, size_t key_len)
{
	mikey_crypto_session x, y;
	mikey_error err;
	cr_assert_eq(mikey_exchange_get_cs(a, i, &x, &err), MIKEY_OK, "%s", err.message);
	cr_assert_eq(mikey_exchange_get_cs(b, i, &y, &err), MIKEY_OK, "%s", err.message);
	cr_assert_eq(x.ssrc, y.ssrc);
	cr_assert_eq(x.master_key_len, key_len);
	cr_assert_eq(memcmp(x.master_key, y.master_key, key_len), 0, "same TEK for CS %zu", i + 1);
	cr_assert_eq(x.master_salt_len, y.master_salt_len);
	cr_assert_eq(memcmp(x.master_salt, y.master_salt, x.master_salt_len), 0);
	cr_assert_eq(x.mki_len, y.mki_len);
	cr_assert_eq(memcmp(x.mki, y.mki, x.mki_len), 0);
	mikey_crypto_session_cleanup(&x);
	mikey_crypto_session_cleanup(&y);
}

/* One I_MESSAGE -> R_MESSAGE round: *ei complete, *er the server's. */
static void round_trip(mikey_ctx *member, const mikey_offer *o, mikey_exchange **ei, mikey_exchange **er,
                       uint8_t **rmsg, size_t *rlen)
{
	uint8_t *imsg;
	size_t ilen;
	mikey_error err;
	cr_assert_eq(mikey_initiate(member, o, ei, &imsg, &ilen, &err), MIKEY_OK, "%s", err.message);
	cr_assert_not(mikey_exchange_is_complete(*ei), "RSA-R: the initiator waits for R_MESSAGE");
	mikey_msg *m;
	cr_assert_eq(mikey_msg_parse(imsg, ilen, NULL, &m, NULL), MIKEY_OK);
	cr_assert_eq(m->hdr.data_type, MIKEY_DT_RSAR_INIT);
	cr_assert(m->hdr.v, "RFC 4738 §3.4: V MUST be 1");
	cr_assert_eq(m->payloads.last->type, MIKEY_PT_SIGN);
	mikey_msg_free(m);
	cr_assert_eq(mikey_respond(srv, imsg, ilen, er, rmsg, rlen, &err), MIKEY_OK, "%s", err.message);
	cr_assert_not_null(*rmsg);
	cr_assert(mikey_exchange_is_complete(*er));
	cr_assert_eq(mikey_exchange_finish(*ei, *rmsg, *rlen, &err), MIKEY_OK, "%s", err.message);
	cr_assert(mikey_exchange_is_complete(*ei));
	mikey_buf_free(imsg, ilen);
}

Test(rsar, unicast_single_peer)
{
	mikey_offer o;
	mikey_exchange *ei, *er;
	uint8_t *rmsg;
	size_t rlen;
	member_offer(&o, true);
	uint32_t csb_sent = 0;
	round_trip(ini, &o, &ei, &er, &rmsg, &rlen);
	csb_sent = mikey_exchange_csb_id(ei);
	cr_assert_eq(mikey_exchange_csb_id(er), csb_sent, "unicast: the initiator's CSB ID (RFC 4738 §3.6)");
	cr_assert_eq(mikey_exchange_cs_count(ei), 2);
	same_session(ei, er, 0, 16);
	same_session(ei, er, 1, 16);
	mikey_crypto_session a, b;
	cr_assert_eq(mikey_exchange_get_cs(ei, 0, &a, NULL), MIKEY_OK);
	cr_assert_eq(mikey_exchange_get_cs(ei, 1, &b, NULL), MIKEY_OK);
	cr_assert_neq(memcmp(a.master_key, b.master_key, 16), 0);
	cr_assert_eq(a.ssrc, cs[0].ssrc, "the initiator's CS map, echoed");
	cr_assert_eq(b.roc, cs[1].roc);
	mikey_crypto_session_cleanup(&a);
	mikey_crypto_session_cleanup(&b);
	size_t idl;
	const uint8_t *id = mikey_exchange_get0_peer_id(ei, &idl);
	cr_assert_eq(idl, strlen(BOB));
	cr_assert_eq(memcmp(id, BOB, idl), 0);
	id = mikey_exchange_get0_peer_id(er, &idl);
	cr_assert_eq(memcmp(id, ALICE, idl), 0);
	/* §3.6 unicast: no GenExt(CSB_ID), no RAND (the initiator sent one). */
	static const uint8_t order[] = {MIKEY_PT_T,  MIKEY_PT_ID,    MIKEY_PT_CERT, MIKEY_PT_SP,
	                                MIKEY_PT_KEMAC, MIKEY_PT_PKE, MIKEY_PT_SIGN};
	payload_order(rmsg, rlen, order, sizeof(order), MIKEY_DT_RSAR_RESP);
	mikey_msg *m;
	cr_assert_eq(mikey_msg_parse(rmsg, rlen, NULL, &m, NULL), MIKEY_OK);
	cr_assert_eq(m->hdr.csb_id, csb_sent);
	cr_assert_eq(mikey_msg_find(m, MIKEY_PT_KEMAC, 0)->u.kemac.sub.count, 0, "TGK not in the clear");
	mikey_msg_free(m);
	mikey_buf_free(rmsg, rlen);
	mikey_exchange_free(ei);
	mikey_exchange_free(er);
}

Test(rsar, unicast_tek_salt_and_mki_as_configured)
{
	static const uint8_t key[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
	static const uint8_t salt[14] = {0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae};
	static const uint8_t mki[2] = {0, 9};
	mikey_offer k = server_keys(0);
	k.key_type = MIKEY_KEY_TEK_SALT;
	k.key = key;
	k.key_len = 16;
	k.salt = salt;
	k.salt_len = 14;
	k.mki = mki;
	k.mki_len = 2;
	k.sign_type = MIKEY_SIGN_RSA_PSS;
	k.encr_alg = MIKEY_ENCR_AES_KW_128;
	k.mac_alg = MIKEY_MAC_HMAC_SHA256_256;
	cr_assert_eq(mikey_ctx_set_rsar_keys(srv, &k), MIKEY_OK);
	mikey_offer o;
	mikey_exchange *ei, *er;
	uint8_t *rmsg;
	size_t rlen;
	member_offer(&o, true);
	o.sign_type = MIKEY_SIGN_RSA_PSS;
	round_trip(ini, &o, &ei, &er, &rmsg, &rlen);
	mikey_crypto_session s;
	cr_assert_eq(mikey_exchange_get_cs(ei, 1, &s, NULL), MIKEY_OK);
	cr_assert_eq(memcmp(s.master_key, key, 16), 0, "the key server's TEK");
	cr_assert_eq(memcmp(s.master_salt, salt, 14), 0);
	cr_assert_eq(s.mki_len, 2);
	cr_assert_eq(s.mki[1], 9);
	mikey_crypto_session_cleanup(&s);
	mikey_msg *m;
	cr_assert_eq(mikey_msg_parse(rmsg, rlen, NULL, &m, NULL), MIKEY_OK);
	cr_assert_eq(m->payloads.last->u.sign.s_type, MIKEY_SIGN_RSA_PSS);
	cr_assert_eq(mikey_msg_find(m, MIKEY_PT_KEMAC, 0)->u.kemac.encr_alg, MIKEY_ENCR_AES_KW_128);
	mikey_msg_free(m);
	mikey_buf_free(rmsg, rlen);
	mikey_exchange_free(ei);
	mikey_exchange_free(er);
}

#define GROUP_CSB 0x47524f55u

Test(rsar, group_download_three_members_get_identical_keys)
{
	static const uint8_t mki[2] = {0, 7};
	mikey_offer k = server_keys(GROUP_CSB);
	k.cs = cs;
	k.n_cs = 2;
	k.mki = mki;
	k.mki_len = 2;
	k.key_type = MIKEY_KEY_TGK; /* random, drawn once now */
	cr_assert_eq(mikey_ctx_set_rsar_keys(srv, &k), MIKEY_OK);

	uint32_t seeds[3] = {1, 50000, 90000};
	mikey_ctx *members[3];
	mikey_exchange *ei[3], *er[3];
	uint8_t *rmsg[3];
	size_t rlen[3];
	uint8_t group_rand[3][32];
	size_t group_rand_len[3];
	for (int i = 0; i < 3; i++) {
		members[i] = make_cert_ctx(ALICE, &seeds[i], "alice.pem", "alice.key");
		mikey_offer o;
		member_offer(&o, false); /* §3.2: members send no SP and no CS */
		round_trip(members[i], &o, &ei[i], &er[i], &rmsg[i], &rlen[i]);
		cr_assert_eq(mikey_exchange_csb_id(ei[i]), GROUP_CSB, "the key server's CSB ID (RFC 4738 §3.6)");
		cr_assert_eq(mikey_exchange_csb_id(er[i]), GROUP_CSB);
		cr_assert_eq(mikey_exchange_cs_count(ei[i]), 2, "the key server's CS map");
		static const uint8_t order[] = {MIKEY_PT_GEN_EXT, MIKEY_PT_T,     MIKEY_PT_RAND, MIKEY_PT_ID,  MIKEY_PT_CERT,
		                                MIKEY_PT_SP,      MIKEY_PT_KEMAC, MIKEY_PT_PKE,  MIKEY_PT_SIGN};
		payload_order(rmsg[i], rlen[i], order, sizeof(order), MIKEY_DT_RSAR_RESP);
		mikey_msg *m;
		cr_assert_eq(mikey_msg_parse(rmsg[i], rlen[i], NULL, &m, NULL), MIKEY_OK);
		const mikey_payload *g = mikey_msg_find(m, MIKEY_PT_GEN_EXT, 0);
		cr_assert_eq(g->u.gen_ext.ext_type, MIKEY_GEN_CSB_ID);
		static const uint8_t be[4] = {0x47, 0x52, 0x4f, 0x55};
		cr_assert_eq(g->u.gen_ext.data.len, 4);
		cr_assert_eq(memcmp(g->u.gen_ext.data.data, be, 4), 0);
		cr_assert_neq(m->hdr.csb_id, GROUP_CSB, "HDR keeps the member's own CSB ID");
		const mikey_payload *r = mikey_msg_find(m, MIKEY_PT_RAND, 0);
		group_rand_len[i] = r->u.rand.rand.len;
		memcpy(group_rand[i], r->u.rand.rand.data, r->u.rand.rand.len);
		mikey_msg_free(m);
	}
	for (int i = 1; i < 3; i++) {
		cr_assert_eq(group_rand_len[i], group_rand_len[0]);
		cr_assert_eq(memcmp(group_rand[i], group_rand[0], group_rand_len[0]), 0, "one RAND for the group");
		cr_assert_neq(mikey_exchange_csb_id(ei[i]), 0);
	}
	for (size_t c = 0; c < 2; c++) {
		same_session(ei[0], ei[1], c, 16);
		same_session(ei[0], ei[2], c, 16);
		same_session(ei[0], er[0], c, 16);
		same_session(er[1], er[2], c, 16);
		mikey_crypto_session s;
		cr_assert_eq(mikey_exchange_get_cs(ei[2], c, &s, NULL), MIKEY_OK);
		cr_assert_eq(s.ssrc, cs[c].ssrc);
		cr_assert_eq(s.mki_len, 2);
		cr_assert_eq(s.mki[1], 7);
		mikey_crypto_session_cleanup(&s);
	}
	for (int i = 0; i < 3; i++) {
		mikey_buf_free(rmsg[i], rlen[i]);
		mikey_exchange_free(ei[i]);
		mikey_exchange_free(er[i]);
		mikey_ctx_free(members[i]);
	}
}

/* With a known TGK, recompute a member's TEK from the R_MESSAGE's
 * GenExt(CSB_ID) and RAND (RFC 3830 §4.1.3) with the PRF alone. */
Test(rsar, group_tek_derives_from_the_servers_csb_id_and_rand)
{
	static const uint8_t tgk[16] = {0x10, 0x32, 0x54, 0x76, 0x98, 0xba, 0xdc, 0xfe,
	                                0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef};
	mikey_offer k = server_keys(GROUP_CSB);
	k.cs = cs;
	k.n_cs = 2;
	k.key = tgk;
	k.key_len = 16;
	cr_assert_eq(mikey_ctx_set_rsar_keys(srv, &k), MIKEY_OK);
	mikey_offer o;
	mikey_exchange *ei, *er;
	uint8_t *rmsg;
	size_t rlen;
	member_offer(&o, false);
	round_trip(ini, &o, &ei, &er, &rmsg, &rlen);
	mikey_msg *m;
	cr_assert_eq(mikey_msg_parse(rmsg, rlen, NULL, &m, NULL), MIKEY_OK);
	const mikey_payload *r = mikey_msg_find(m, MIKEY_PT_RAND, 0);
	uint8_t tek[16], salt[14];
	cr_assert_eq(mikey_kdf_tgk(MIKEY_PRF_MIKEY_1, tgk, 16, MIKEY_KDF_TGK_TEK, 2, GROUP_CSB, r->u.rand.rand.data,
	                           r->u.rand.rand.len, tek, 16),
	             MIKEY_OK);
	cr_assert_eq(mikey_kdf_tgk(MIKEY_PRF_MIKEY_1, tgk, 16, MIKEY_KDF_TGK_SALT, 2, GROUP_CSB, r->u.rand.rand.data,
	                           r->u.rand.rand.len, salt, 14),
	             MIKEY_OK);
	mikey_crypto_session s;
	cr_assert_eq(mikey_exchange_get_cs(ei, 1, &s, NULL), MIKEY_OK);
	cr_assert_eq(memcmp(s.master_key, tek, 16), 0);
	cr_assert_eq(memcmp(s.master_salt, salt, 14), 0);
	mikey_crypto_session_cleanup(&s);
	mikey_msg_free(m);
	mikey_buf_free(rmsg, rlen);
	mikey_exchange_free(ei);
	mikey_exchange_free(er);
}

/* Expect the key server to reject |msg| with |code| and ERR |err_no|. */
static void assert_rejected(const uint8_t *msg, size_t len, int code, int err_no)
{
	expect_rejected(srv, msg, len, code, err_no, NULL);
}

static void make_init(mikey_ctx *c, uint8_t **msg, size_t *len, mikey_exchange **ei)
{
	mikey_offer o;
	mikey_error err;
	member_offer(&o, true);
	cr_assert_eq(mikey_initiate(c, &o, ei, msg, len, &err), MIKEY_OK, "%s", err.message);
}

static void rejected_member(const char *id, const char *cert, const char *key, int code, int err_no)
{
	uint8_t *msg;
	size_t len;
	mikey_exchange *ei;
	mikey_ctx *c = make_cert_ctx(id, &rng_state_i, cert, key);
	make_init(c, &msg, &len, &ei);
	assert_rejected(msg, len, code, err_no);
	mikey_buf_free(msg, len);
	mikey_exchange_free(ei);
	mikey_ctx_free(c);
}

Test(rsar, signature_by_the_wrong_key_is_auth_failure)
{
	rejected_member(ALICE, "alice.pem", "bob.key", MIKEY_ERR_AUTH, MIKEY_ERRNO_AUTH_FAILURE);
}

Test(rsar, expired_certificate_is_invalid_cert)
{
	rejected_member("sip:carol@example.com", "expired.pem", "expired.key", MIKEY_ERR_CERT, MIKEY_ERRNO_INVALID_CERT);
}

Test(rsar, untrusted_issuer_is_invalid_cert)
{
	rejected_member(ALICE, "rogue.pem", "rogue.key", MIKEY_ERR_CERT, MIKEY_ERRNO_INVALID_CERT);
}

Test(rsar, identity_not_in_its_certificate_is_invalid_id)
{
	rejected_member("sip:mallory@example.com", "alice.pem", "alice.key", MIKEY_ERR_IDENTITY, MIKEY_ERRNO_INVALID_ID);
}

Test(rsar, stale_timestamp_and_replay_are_refused)
{
	uint8_t *msg;
	size_t len;
	mikey_exchange *ei, *er;
	uint8_t *resp;
	size_t rlen;
	make_init(ini, &msg, &len, &ei);
	now_ntp = T0 + ((uint64_t)301 << 32);
	assert_rejected(msg, len, MIKEY_ERR_TIMESTAMP, MIKEY_ERRNO_INVALID_TS);
	now_ntp = T0;
	cr_assert_eq(mikey_respond(srv, msg, len, &er, &resp, &rlen, NULL), MIKEY_OK);
	mikey_buf_free(resp, rlen);
	mikey_exchange_free(er);
	assert_rejected(msg, len, MIKEY_ERR_REPLAY, MIKEY_ERRNO_INVALID_TS);
	mikey_buf_free(msg, len);
	mikey_exchange_free(ei);
}

Test(rsar, unconfigured_responder_and_policy_mismatch)
{
	uint8_t *msg;
	size_t len;
	mikey_exchange *ei;
	make_init(ini, &msg, &len, &ei);
	cr_assert_eq(mikey_ctx_set_rsar_keys(srv, NULL), MIKEY_OK);
	assert_rejected(msg, len, MIKEY_ERR_STATE, MIKEY_ERRNO_UNSPECIFIED);
	/* The key server insists on AES-256 keys; the member offered AES-128. */
	mikey_offer k = server_keys(0);
	mikey_srtp_policy p256;
	mikey_srtp_policy_default(&p256);
	p256.encr_key_len = 32;
	k.policies = &p256;
	cr_assert_eq(mikey_ctx_set_rsar_keys(srv, &k), MIKEY_OK);
	assert_rejected(msg, len, MIKEY_ERR_POLICY, MIKEY_ERRNO_INVALID_SPPAR);
	mikey_buf_free(msg, len);
	mikey_exchange_free(ei);
}

Test(rsar, request_for_another_responder_is_invalid_id)
{
	uint8_t *msg;
	size_t len;
	mikey_exchange *ei;
	mikey_offer o;
	member_offer(&o, true);
	o.peer_id = "sip:carol@example.com";
	o.peer_id_len = strlen(o.peer_id);
	cr_assert_eq(mikey_initiate(ini, &o, &ei, &msg, &len, NULL), MIKEY_OK);
	assert_rejected(msg, len, MIKEY_ERR_IDENTITY, MIKEY_ERRNO_INVALID_ID);
	mikey_buf_free(msg, len);
	mikey_exchange_free(ei);
}

Test(rsar, every_single_byte_flip_of_the_i_message_is_rejected_without_state_change)
{
	uint8_t *msg;
	size_t len;
	mikey_exchange *ei, *er;
	uint8_t *resp;
	size_t rlen;
	make_init(ini, &msg, &len, &ei);
	for (size_t i = 0; i < len; i++) {
		msg[i] ^= 0x01;
		int rc = mikey_respond(srv, msg, len, &er, &resp, &rlen, NULL);
		cr_assert_neq(rc, MIKEY_OK, "flip in byte %zu accepted", i);
		cr_assert_null(er);
		mikey_buf_free(resp, rlen);
		msg[i] ^= 0x01;
	}
	cr_assert_eq(mikey_respond(srv, msg, len, &er, &resp, &rlen, NULL), MIKEY_OK);
	mikey_buf_free(resp, rlen);
	mikey_exchange_free(er);
	mikey_buf_free(msg, len);
	mikey_exchange_free(ei);
}

Test(rsar, tampered_r_message_is_rejected_and_the_initiator_keeps_waiting)
{
	uint8_t *msg, *resp;
	size_t len, rlen;
	mikey_exchange *ei, *er;
	mikey_error err;
	make_init(ini, &msg, &len, &ei);
	cr_assert_eq(mikey_respond(srv, msg, len, &er, &resp, &rlen, &err), MIKEY_OK, "%s", err.message);
	for (size_t i = 0; i < rlen; i++) {
		resp[i] ^= 0x80;
		int rc = mikey_exchange_finish(ei, resp, rlen, &err);
		cr_assert_neq(rc, MIKEY_OK, "flip in byte %zu of the R_MESSAGE accepted", i);
		cr_assert_not(mikey_exchange_is_complete(ei));
		resp[i] ^= 0x80;
	}
	cr_assert_eq(mikey_exchange_finish(ei, resp, rlen, &err), MIKEY_OK, "%s", err.message);
	same_session(ei, er, 0, 16);
	mikey_buf_free(resp, rlen);
	mikey_buf_free(msg, len);
	mikey_exchange_free(ei);
	mikey_exchange_free(er);
}

Test(rsar, responder_named_by_the_r_message_must_own_its_certificate)
{
	/* No IDr in the I_MESSAGE: the initiator learns who answered... */
	mikey_offer o;
	mikey_exchange *ei, *er;
	uint8_t *msg, *resp;
	size_t len, rlen;
	mikey_error err;
	member_offer(&o, true);
	o.peer_id = NULL;
	o.peer_id_len = 0;
	cr_assert_eq(mikey_initiate(ini, &o, &ei, &msg, &len, NULL), MIKEY_OK);
	cr_assert_eq(mikey_respond(srv, msg, len, &er, &resp, &rlen, &err), MIKEY_OK, "%s", err.message);
	cr_assert_eq(mikey_exchange_finish(ei, resp, rlen, &err), MIKEY_OK, "%s", err.message);
	size_t idl;
	const uint8_t *id = mikey_exchange_get0_peer_id(ei, &idl);
	cr_assert_eq(idl, strlen(BOB));
	cr_assert_eq(memcmp(id, BOB, idl), 0);
	mikey_buf_free(msg, len);
	mikey_buf_free(resp, rlen);
	mikey_exchange_free(ei);
	mikey_exchange_free(er);

	/* ...and refuses a responder calling itself Carol with Bob's certificate. */
	mikey_ctx_free(srv);
	srv = make_cert_ctx("sip:carol@example.com", &rng_state_r, "bob.pem", "bob.key");
	mikey_offer k = server_keys(0);
	cr_assert_eq(mikey_ctx_set_rsar_keys(srv, &k), MIKEY_OK);
	now_ntp += (uint64_t)1 << 32;
	cr_assert_eq(mikey_initiate(ini, &o, &ei, &msg, &len, NULL), MIKEY_OK);
	cr_assert_eq(mikey_respond(srv, msg, len, &er, &resp, &rlen, &err), MIKEY_OK, "%s", err.message);
	cr_assert_eq(mikey_exchange_finish(ei, resp, rlen, &err), MIKEY_ERR_IDENTITY, "%s", err.message);
	cr_assert_not(mikey_exchange_is_complete(ei));
	mikey_buf_free(msg, len);
	mikey_buf_free(resp, rlen);
	mikey_exchange_free(ei);
	mikey_exchange_free(er);
}

Test(rsar, error_message_ends_the_initiators_exchange)
{
	uint8_t *msg, *resp;
	size_t len, rlen;
	mikey_exchange *ei, *er;
	mikey_error err;
	cr_assert_eq(mikey_ctx_set_rsar_keys(srv, NULL), MIKEY_OK);
	make_init(ini, &msg, &len, &ei);
	cr_assert_eq(mikey_respond(srv, msg, len, &er, &resp, &rlen, NULL), MIKEY_ERR_STATE);
	cr_assert_eq(mikey_exchange_finish(ei, resp, rlen, &err), MIKEY_ERR_PEER_ERROR);
	cr_assert_not(mikey_exchange_is_complete(ei));
	mikey_buf_free(resp, rlen);
	mikey_buf_free(msg, len);
	mikey_exchange_free(ei);
}

Test(rsar, certificates_known_in_advance_instead_of_cert_payloads)
{
	mikey_offer k = server_keys(0);
	k.omit_certs = true;
	cr_assert_eq(mikey_ctx_set_rsar_keys(srv, &k), MIKEY_OK);
	add_peer_cert(srv, ALICE, "alice.pem");
	add_peer_cert(ini, BOB, "bob.pem");
	mikey_offer o;
	mikey_exchange *ei, *er;
	uint8_t *rmsg;
	size_t rlen;
	member_offer(&o, true);
	o.omit_certs = true;
	round_trip(ini, &o, &ei, &er, &rmsg, &rlen);
	static const uint8_t order[] = {MIKEY_PT_T, MIKEY_PT_ID, MIKEY_PT_SP, MIKEY_PT_KEMAC, MIKEY_PT_PKE, MIKEY_PT_SIGN};
	payload_order(rmsg, rlen, order, sizeof(order), MIKEY_DT_RSAR_RESP);
	same_session(ei, er, 1, 16);
	mikey_buf_free(rmsg, rlen);
	mikey_exchange_free(ei);
	mikey_exchange_free(er);
}

/* RFC 4442 through RSA-R: the key server hands every member the media
 * sender's TESLA parameters and chain commitment with the group key. */
Test(rsar, group_download_carries_tesla_bootstrap)
{
	mikey_tesla_params tp;
	mikey_tesla_params_default(&tp);
	tp.t_0 = T0;
	tp.t_int = 40;
	tp.d = 3;
	tp.n_c = 500;
	uint8_t seed[20];
	for (int i = 0; i < 20; i++)
		seed[i] = (uint8_t)(7 * i + 2);
	mikey_tesla_sender *snd;
	cr_assert_eq(mikey_tesla_sender_new(&tp, seed, sizeof(seed), &snd), MIKEY_OK);
	const mikey_tesla_params *sent = mikey_tesla_sender_get0_params(snd);

	mikey_offer k = server_keys(GROUP_CSB);
	k.cs = cs;
	k.n_cs = 2;
	k.tesla = sent;
	cr_assert_eq(mikey_ctx_set_rsar_keys(srv, &k), MIKEY_OK);
	uint32_t seeds[2] = {11, 22};
	for (int i = 0; i < 2; i++) {
		mikey_ctx *member = make_cert_ctx(ALICE, &seeds[i], "alice.pem", "alice.key");
		mikey_offer o;
		member_offer(&o, false);
		mikey_exchange *ei, *er;
		uint8_t *rmsg;
		size_t rlen;
		round_trip(member, &o, &ei, &er, &rmsg, &rlen);
		for (size_t c = 0; c < 2; c++) {
			mikey_crypto_session s;
			cr_assert_eq(mikey_exchange_get_cs(ei, c, &s, NULL), MIKEY_OK);
			cr_assert(s.has_tesla, "member %d, session %zu", i, c);
			cr_assert_eq(s.tesla.t_int, 40);
			cr_assert_eq(s.tesla.d, 3);
			cr_assert_eq(s.tesla.n_c, 500);
			cr_assert_eq(memcmp(s.tesla.commitment, sent->commitment, 20), 0);
			mikey_crypto_session_cleanup(&s);
		}
		mikey_buf_free(rmsg, rlen);
		mikey_exchange_free(ei);
		mikey_exchange_free(er);
		mikey_ctx_free(member);
	}
	mikey_tesla_sender_free(snd);
}

/* RFC 3830 §4.2.3: AES key wrap with the NULL MAC, the public-key
 * combination, by default in RSA-R too; a tampered KEMAC fails the wrap. */
Test(rsar, aes_kw_with_null_mac_by_default)
{
	mikey_offer k = server_keys(0);
	k.encr_alg = MIKEY_ENCR_AES_KW_128;
	k.mac_alg = MIKEY_MAC_NULL;
	cr_assert_eq(mikey_ctx_set_rsar_keys(srv, &k), MIKEY_OK);
	mikey_offer o;
	member_offer(&o, true);
	mikey_exchange *ei, *er;
	uint8_t *rmsg;
	size_t rlen;
	round_trip(ini, &o, &ei, &er, &rmsg, &rlen);
	for (size_t c = 0; c < 2; c++)
		same_session(ei, er, c, 16);
	mikey_buf_free(rmsg, rlen);
	mikey_exchange_free(ei);
	mikey_exchange_free(er);
}
