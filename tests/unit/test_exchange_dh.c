/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The signed Diffie-Hellman method (RFC 3830 §3.3) end to end with a fixed
 * clock, a counter RNG and the test PKI in tests/certs: round trips for
 * each group and signature scheme, and every rejection the responder and
 * the initiator must make, each with its named error and ERR payload.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "mikey/exchange.h"
#include "mikey/mikey.h"

#include "../common/exchange_fixture.h"


/* The OAKLEY 5 prime (RFC 3526 §2), as `openssl genpkey -genparam
 * -algorithm DH -pkeyopt group:modp_1536` prints it. */
static const char oakley5_p_hex[] =
	"FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DDEF9519B3CD3A4"
	"31B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117"
	"C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB9ED52"
	"9077096966D670C354E4ABC9804F1746C08CA237327FFFFFFFFFFFFFFFF";

static uint32_t rng_state_i, rng_state_r;

static mikey_ctx *ini, *rsp;

static void setup(void)
{
	now_ntp = T0;
	rng_state_i = 1;
	rng_state_r = 1000;
	ini = make_cert_ctx("sip:alice@example.com", &rng_state_i, "alice.pem", "alice.key");
	rsp = make_cert_ctx("sip:bob@example.com", &rng_state_r, "bob.pem", "bob.key");
}

static void teardown(void)
{
	mikey_ctx_free(ini);
	mikey_ctx_free(rsp);
}

/* Replace the initiator's context (other identity or credentials). */
static void reinit_initiator(const char *id, const char *cert, const char *key)
{
	mikey_ctx_free(ini);
	ini = make_cert_ctx(id, &rng_state_i, cert, key);
}

static mikey_srtp_policy policy;
static mikey_cs_desc cs[2] = {{0x11111111, 0, 0}, {0x22222222, 5, 0}};

static void offer_for(mikey_offer *o, uint8_t group, uint8_t s_type)
{
	mikey_srtp_policy_default(&policy);
	mikey_offer_init(o, MIKEY_MODE_DH_SIGN);
	o->dh_group = group;
	o->sign_type = s_type;
	o->cs = cs;
	o->n_cs = 2;
	o->policies = &policy;
	o->n_policies = 1;
	o->peer_id = "sip:bob@example.com";
	o->peer_id_len = 19;
}

static void assert_same_sessions(mikey_exchange *a, mikey_exchange *b)
{
	cr_assert_eq(mikey_exchange_cs_count(a), 2);
	cr_assert_eq(mikey_exchange_cs_count(b), 2);
	for (size_t i = 0; i < 2; i++) {
		mikey_crypto_session x, y;
		cr_assert_eq(mikey_exchange_get_cs(a, i, &x, NULL), MIKEY_OK);
		cr_assert_eq(mikey_exchange_get_cs(b, i, &y, NULL), MIKEY_OK);
		cr_assert_eq(x.cs_id, i + 1);
		cr_assert_eq(x.ssrc, cs[i].ssrc);
		cr_assert_eq(y.ssrc, cs[i].ssrc);
		cr_assert_eq(y.roc, cs[i].roc);
		cr_assert_eq(x.master_key_len, 16);
		cr_assert_eq(x.master_salt_len, 14);
		cr_assert_eq(y.master_key_len, 16);
		cr_assert_eq(y.master_salt_len, 14);
		cr_assert_eq(memcmp(x.master_key, y.master_key, 16), 0, "both sides derive the same TEK");
		cr_assert_eq(memcmp(x.master_salt, y.master_salt, 14), 0, "and the same salt");
		mikey_crypto_session_cleanup(&x);
		mikey_crypto_session_cleanup(&y);
	}
	mikey_crypto_session s1, s2;
	cr_assert_eq(mikey_exchange_get_cs(a, 0, &s1, NULL), MIKEY_OK);
	cr_assert_eq(mikey_exchange_get_cs(a, 1, &s2, NULL), MIKEY_OK);
	cr_assert_neq(memcmp(s1.master_key, s2.master_key, 16), 0, "cs_id enters the derivation (RFC 3830 §4.1.3)");
	mikey_crypto_session_cleanup(&s1);
	mikey_crypto_session_cleanup(&s2);
}

static void assert_order(const uint8_t *msg, size_t len, uint8_t dt, const uint8_t *order, size_t n)
{
	mikey_msg *m;
	cr_assert_eq(mikey_msg_parse(msg, len, NULL, &m, NULL), MIKEY_OK);
	cr_assert_eq(m->hdr.data_type, dt);
	size_t i = 0;
	for (mikey_payload *p = m->payloads.first; p; p = p->next, i++) {
		cr_assert_lt(i, n, "more payloads than expected");
		cr_assert_eq(p->type, order[i], "payload %zu is type %u, want %u", i, p->type, order[i]);
	}
	cr_assert_eq(i, n);
	mikey_msg_free(m);
}

static const mikey_payload *nth(const mikey_msg *m, uint8_t type, size_t n)
{
	const mikey_payload *p = mikey_msg_find(m, type, n);
	cr_assert_not_null(p);
	return p;
}

static void run_exchange(uint8_t group, uint8_t s_type, size_t dh_len)
{
	mikey_offer o;
	mikey_exchange *ei, *er;
	uint8_t *imsg, *rmsg;
	size_t ilen, rlen;
	mikey_error err;

	offer_for(&o, group, s_type);
	cr_assert_eq(mikey_initiate(ini, &o, &ei, &imsg, &ilen, &err), MIKEY_OK, "%s", err.message);
	cr_assert_not(mikey_exchange_is_complete(ei), "DH: waits for DHr");
	cr_assert_eq(mikey_exchange_get_cs(ei, 0, &(mikey_crypto_session){0}, NULL), MIKEY_ERR_STATE);
	cr_assert_eq(mikey_respond(rsp, imsg, ilen, &er, &rmsg, &rlen, &err), MIKEY_OK, "%s", err.message);
	cr_assert_not_null(rmsg, "the DH response is mandatory");
	cr_assert(mikey_exchange_is_complete(er));
	cr_assert_eq(mikey_exchange_finish(ei, rmsg, rlen, &err), MIKEY_OK, "%s", err.message);
	cr_assert(mikey_exchange_is_complete(ei));
	cr_assert_eq(mikey_exchange_mode(er), MIKEY_MODE_DH_SIGN);
	cr_assert_eq(mikey_exchange_csb_id(ei), mikey_exchange_csb_id(er));
	assert_same_sessions(ei, er);
	size_t idl;
	const uint8_t *id = mikey_exchange_get0_peer_id(er, &idl);
	cr_assert_eq(idl, 21);
	cr_assert_eq(memcmp(id, "sip:alice@example.com", 21), 0);
	id = mikey_exchange_get0_peer_id(ei, &idl);
	cr_assert_eq(idl, 19);
	cr_assert_eq(memcmp(id, "sip:bob@example.com", 19), 0);

	/* RFC 3830 §3.3: HDR, T, RAND, IDi, CERTi, IDr, SP, DHi, SIGNi and
	 * HDR, T, IDr, CERTr, IDi, DHr, DHi, SIGNr. */
	static const uint8_t iorder[] = {MIKEY_PT_T,  MIKEY_PT_RAND, MIKEY_PT_ID, MIKEY_PT_CERT, MIKEY_PT_ID,
	                                 MIKEY_PT_SP, MIKEY_PT_DH,   MIKEY_PT_SIGN};
	static const uint8_t rorder[] = {MIKEY_PT_T,  MIKEY_PT_ID, MIKEY_PT_CERT, MIKEY_PT_ID,
	                                 MIKEY_PT_DH, MIKEY_PT_DH, MIKEY_PT_SIGN};
	assert_order(imsg, ilen, MIKEY_DT_DH_INIT, iorder, sizeof(iorder));
	assert_order(rmsg, rlen, MIKEY_DT_DH_RESP, rorder, sizeof(rorder));
	mikey_msg *mi, *mr;
	cr_assert_eq(mikey_msg_parse(imsg, ilen, NULL, &mi, NULL), MIKEY_OK);
	cr_assert_eq(mikey_msg_parse(rmsg, rlen, NULL, &mr, NULL), MIKEY_OK);
	const mikey_dh *dhi = &nth(mi, MIKEY_PT_DH, 0)->u.dh;
	const mikey_dh *dhr = &nth(mr, MIKEY_PT_DH, 0)->u.dh;
	const mikey_dh *echo = &nth(mr, MIKEY_PT_DH, 1)->u.dh;
	cr_assert_eq(dhi->group, group);
	cr_assert_eq(dhr->group, group);
	cr_assert_eq(dhi->value.len, dh_len);
	cr_assert_eq(dhr->value.len, dh_len);
	cr_assert_eq(echo->value.len, dh_len);
	cr_assert_eq(memcmp(echo->value.data, dhi->value.data, dh_len), 0, "R_MESSAGE echoes DHi");
	cr_assert_neq(memcmp(dhr->value.data, dhi->value.data, dh_len), 0);
	cr_assert_eq(nth(mi, MIKEY_PT_SIGN, 0)->u.sign.s_type, s_type);
	cr_assert_eq(nth(mr, MIKEY_PT_SIGN, 0)->u.sign.s_type, s_type, "the responder answers with the same scheme");
	cr_assert_eq(nth(mi, MIKEY_PT_SIGN, 0)->u.sign.sig.len, 256);
	cr_assert_eq(nth(mr, MIKEY_PT_T, 0)->u.ts.value, T0, "the responder echoes T (§5.2)");
	cr_assert_eq(nth(mr, MIKEY_PT_ID, 1)->u.id.data.len, 21, "IDi echoed");
	cr_assert_eq(mr->hdr.csb_id, mi->hdr.csb_id);
	mikey_msg_free(mi);
	mikey_msg_free(mr);

	mikey_buf_free(imsg, ilen);
	mikey_buf_free(rmsg, rlen);
	mikey_exchange_free(ei);
	mikey_exchange_free(er);
}

TestSuite(dh, .init = setup, .fini = teardown, .timeout = 240);

Test(dh, oakley5_pkcs1)
{
	run_exchange(MIKEY_DH_OAKLEY_5, MIKEY_SIGN_RSA_PKCS1_15, 192);
}

Test(dh, oakley5_pss)
{
	run_exchange(MIKEY_DH_OAKLEY_5, MIKEY_SIGN_RSA_PSS, 192);
}

Test(dh, oakley1_when_allowed)
{
	mikey_ctx_allow_weak_dh(rsp, true);
	run_exchange(MIKEY_DH_OAKLEY_1, MIKEY_SIGN_RSA_PKCS1_15, 96);
}

Test(dh, oakley2_when_allowed)
{
	mikey_ctx_allow_weak_dh(rsp, true);
	run_exchange(MIKEY_DH_OAKLEY_2, MIKEY_SIGN_RSA_PSS, 128);
}

Test(dh, different_exchanges_give_different_keys)
{
	mikey_offer o;
	mikey_exchange *e[2][2];
	uint8_t *imsg, *rmsg;
	size_t ilen, rlen;
	offer_for(&o, MIKEY_DH_OAKLEY_5, MIKEY_SIGN_RSA_PKCS1_15);
	for (int k = 0; k < 2; k++) {
		now_ntp = T0 + ((uint64_t)k << 32);
		cr_assert_eq(mikey_initiate(ini, &o, &e[k][0], &imsg, &ilen, NULL), MIKEY_OK);
		cr_assert_eq(mikey_respond(rsp, imsg, ilen, &e[k][1], &rmsg, &rlen, NULL), MIKEY_OK);
		cr_assert_eq(mikey_exchange_finish(e[k][0], rmsg, rlen, NULL), MIKEY_OK);
		mikey_buf_free(imsg, ilen);
		mikey_buf_free(rmsg, rlen);
	}
	mikey_crypto_session a, b;
	cr_assert_eq(mikey_exchange_get_cs(e[0][1], 0, &a, NULL), MIKEY_OK);
	cr_assert_eq(mikey_exchange_get_cs(e[1][1], 0, &b, NULL), MIKEY_OK);
	cr_assert_neq(memcmp(a.master_key, b.master_key, 16), 0, "fresh xi, xr each time");
	mikey_crypto_session_cleanup(&a);
	mikey_crypto_session_cleanup(&b);
	for (int k = 0; k < 2; k++) {
		mikey_exchange_free(e[k][0]);
		mikey_exchange_free(e[k][1]);
	}
}

/* Expect a rejection with |code| and an error message carrying |err_no|. */
static void assert_rejected(const uint8_t *msg, size_t len, int code, int err_no)
{
	expect_rejected(rsp, msg, len, code, err_no, NULL);
}

/* The message is accepted (so no earlier rejection entered the replay
 * cache); the exchange is dropped. */
static void assert_accepted(const uint8_t *msg, size_t len)
{
	mikey_exchange *er;
	uint8_t *resp;
	size_t rlen;
	mikey_error err;
	cr_assert_eq(mikey_respond(rsp, msg, len, &er, &resp, &rlen, &err), MIKEY_OK, "%s", err.message);
	mikey_buf_free(resp, rlen);
	mikey_exchange_free(er);
}

static void make_init(uint8_t **msg, size_t *len, mikey_exchange **ei, uint8_t group)
{
	mikey_offer o;
	mikey_error err;
	offer_for(&o, group, MIKEY_SIGN_RSA_PKCS1_15);
	cr_assert_eq(mikey_initiate(ini, &o, ei, msg, len, &err), MIKEY_OK, "%s", err.message);
}

Test(dh, weak_group_refused_without_permission)
{
	for (uint8_t g = MIKEY_DH_OAKLEY_1; g <= MIKEY_DH_OAKLEY_2; g++) {
		uint8_t *msg;
		size_t len;
		mikey_exchange *ei;
		make_init(&msg, &len, &ei, g);
		assert_rejected(msg, len, MIKEY_ERR_DH_GROUP, MIKEY_ERRNO_INVALID_DH);
		mikey_ctx_allow_weak_dh(rsp, true);
		assert_accepted(msg, len);
		mikey_ctx_allow_weak_dh(rsp, false);
		mikey_buf_free(msg, len);
		mikey_exchange_free(ei);
		now_ntp += (uint64_t)1 << 32;
	}
}

Test(dh, signature_by_the_wrong_key)
{
	/* Alice's certificate, Bob's key (same modulus size, so the context
	 * takes it): SIGNi does not verify with CERTi. */
	reinit_initiator("sip:alice@example.com", "alice.pem", "bob.key");
	uint8_t *msg;
	size_t len;
	mikey_exchange *ei;
	make_init(&msg, &len, &ei, MIKEY_DH_OAKLEY_5);
	assert_rejected(msg, len, MIKEY_ERR_AUTH, MIKEY_ERRNO_AUTH_FAILURE);
	mikey_buf_free(msg, len);
	mikey_exchange_free(ei);
}

Test(dh, expired_certificate)
{
	reinit_initiator("sip:carol@example.com", "expired.pem", "expired.key");
	uint8_t *msg;
	size_t len;
	mikey_exchange *ei;
	make_init(&msg, &len, &ei, MIKEY_DH_OAKLEY_5);
	assert_rejected(msg, len, MIKEY_ERR_CERT, MIKEY_ERRNO_INVALID_CERT);
	mikey_buf_free(msg, len);
	mikey_exchange_free(ei);
}

Test(dh, untrusted_issuer)
{
	reinit_initiator("sip:alice@example.com", "rogue.pem", "rogue.key");
	uint8_t *msg;
	size_t len;
	mikey_exchange *ei;
	make_init(&msg, &len, &ei, MIKEY_DH_OAKLEY_5);
	assert_rejected(msg, len, MIKEY_ERR_CERT, MIKEY_ERRNO_INVALID_CERT);
	/* Trusting the rogue CA makes the same message acceptable: it was
	 * the issuer, nothing else. */
	size_t l;
	char *ca = slurp("rogue-ca.pem", &l);
	cr_assert_eq(mikey_ctx_add_trust(rsp, ca, l, NULL), MIKEY_OK);
	free(ca);
	assert_accepted(msg, len);
	mikey_buf_free(msg, len);
	mikey_exchange_free(ei);
}

Test(dh, identity_not_matching_its_certificate)
{
	reinit_initiator("sip:mallory@example.com", "alice.pem", "alice.key");
	uint8_t *msg;
	size_t len;
	mikey_exchange *ei;
	make_init(&msg, &len, &ei, MIKEY_DH_OAKLEY_5);
	assert_rejected(msg, len, MIKEY_ERR_IDENTITY, MIKEY_ERRNO_INVALID_ID);
	mikey_buf_free(msg, len);
	mikey_exchange_free(ei);
}

Test(dh, idr_naming_someone_else)
{
	mikey_offer o;
	uint8_t *msg;
	size_t len;
	mikey_exchange *ei;
	offer_for(&o, MIKEY_DH_OAKLEY_5, MIKEY_SIGN_RSA_PKCS1_15);
	o.peer_id = "sip:carol@example.com";
	o.peer_id_len = 21;
	cr_assert_eq(mikey_initiate(ini, &o, &ei, &msg, &len, NULL), MIKEY_OK);
	assert_rejected(msg, len, MIKEY_ERR_IDENTITY, MIKEY_ERRNO_INVALID_ID);
	mikey_buf_free(msg, len);
	mikey_exchange_free(ei);
}

Test(dh, stale_and_future_timestamps)
{
	uint8_t *msg;
	size_t len;
	mikey_exchange *ei;
	make_init(&msg, &len, &ei, MIKEY_DH_OAKLEY_5);
	now_ntp = T0 + ((uint64_t)301 << 32);
	assert_rejected(msg, len, MIKEY_ERR_TIMESTAMP, MIKEY_ERRNO_INVALID_TS);
	now_ntp = T0 - ((uint64_t)301 << 32);
	assert_rejected(msg, len, MIKEY_ERR_TIMESTAMP, MIKEY_ERRNO_INVALID_TS);
	now_ntp = T0 + ((uint64_t)299 << 32);
	assert_accepted(msg, len);
	mikey_buf_free(msg, len);
	mikey_exchange_free(ei);
}

Test(dh, replay_is_refused)
{
	uint8_t *msg;
	size_t len;
	mikey_exchange *ei;
	make_init(&msg, &len, &ei, MIKEY_DH_OAKLEY_5);
	assert_accepted(msg, len);
	assert_rejected(msg, len, MIKEY_ERR_REPLAY, MIKEY_ERRNO_INVALID_TS);
	mikey_buf_free(msg, len);
	mikey_exchange_free(ei);
}

Test(dh, every_single_byte_flip_of_i_message_rejected_without_state_change)
{
	uint8_t *msg;
	size_t len;
	mikey_exchange *ei;
	make_init(&msg, &len, &ei, MIKEY_DH_OAKLEY_5);
	for (size_t i = 0; i < len; i++) {
		for (int bit = 0; bit < 8; bit += 7) {
			msg[i] ^= (uint8_t)(1u << bit);
			mikey_exchange *er = NULL;
			uint8_t *resp;
			size_t rlen;
			mikey_error err;
			int rc = mikey_respond(rsp, msg, len, &er, &resp, &rlen, &err);
			cr_assert_neq(rc, MIKEY_OK, "flip of bit %d in byte %zu accepted", bit, i);
			cr_assert_null(er);
			mikey_buf_free(resp, rlen);
			msg[i] ^= (uint8_t)(1u << bit);
		}
	}
	/* Nothing was remembered: the untouched message is still accepted. */
	assert_accepted(msg, len);
	mikey_buf_free(msg, len);
	mikey_exchange_free(ei);
}

Test(dh, tampered_r_message_rejected_by_initiator)
{
	uint8_t *msg, *resp;
	size_t len, rlen;
	mikey_exchange *ei, *er;
	make_init(&msg, &len, &ei, MIKEY_DH_OAKLEY_5);
	cr_assert_eq(mikey_respond(rsp, msg, len, &er, &resp, &rlen, NULL), MIKEY_OK);
	for (size_t i = 0; i < rlen; i++) {
		resp[i] ^= 0x01;
		mikey_error err;
		int rc = mikey_exchange_finish(ei, resp, rlen, &err);
		cr_assert_neq(rc, MIKEY_OK, "flip in byte %zu of R_MESSAGE accepted", i);
		cr_assert_not(mikey_exchange_is_complete(ei));
		resp[i] ^= 0x01;
	}
	/* The signature in particular. */
	resp[rlen - 1] ^= 0x80;
	mikey_error err;
	cr_assert_eq(mikey_exchange_finish(ei, resp, rlen, &err), MIKEY_ERR_AUTH, "%s", err.message);
	cr_assert_not(mikey_exchange_is_complete(ei));
	resp[rlen - 1] ^= 0x80;
	cr_assert_eq(mikey_exchange_finish(ei, resp, rlen, &err), MIKEY_OK, "%s", err.message);
	cr_assert(mikey_exchange_is_complete(ei));
	assert_same_sessions(ei, er);
	cr_assert_eq(mikey_exchange_finish(ei, resp, rlen, &err), MIKEY_ERR_STATE, "only one response");
	mikey_buf_free(resp, rlen);
	mikey_buf_free(msg, len);
	mikey_exchange_free(ei);
	mikey_exchange_free(er);
}

Test(dh, response_from_someone_else_is_refused)
{
	/* A responder holding another trusted certificate (Alice's) answers as Bob. */
	uint8_t *msg, *resp;
	size_t len, rlen;
	mikey_exchange *ei, *er;
	mikey_error err;
	mikey_ctx_free(rsp);
	rsp = make_cert_ctx("sip:bob@example.com", &rng_state_r, "alice.pem", "alice.key");
	make_init(&msg, &len, &ei, MIKEY_DH_OAKLEY_5);
	cr_assert_eq(mikey_respond(rsp, msg, len, &er, &resp, &rlen, &err), MIKEY_OK, "%s", err.message);
	cr_assert_eq(mikey_exchange_finish(ei, resp, rlen, &err), MIKEY_ERR_IDENTITY, "%s", err.message);
	cr_assert_not(mikey_exchange_is_complete(ei));
	mikey_buf_free(resp, rlen);
	mikey_buf_free(msg, len);
	mikey_exchange_free(ei);
	mikey_exchange_free(er);
}

Test(dh, error_message_ends_the_initiators_exchange)
{
	uint8_t *msg, *resp;
	size_t len, rlen;
	mikey_exchange *ei, *er;
	make_init(&msg, &len, &ei, MIKEY_DH_OAKLEY_1);
	cr_assert_eq(mikey_respond(rsp, msg, len, &er, &resp, &rlen, NULL), MIKEY_ERR_DH_GROUP);
	mikey_error err;
	cr_assert_eq(mikey_exchange_finish(ei, resp, rlen, &err), MIKEY_ERR_PEER_ERROR);
	cr_assert(strstr(err.message, "Invalid DH") != NULL, "%s", err.message);
	cr_assert_not(mikey_exchange_is_complete(ei));
	mikey_buf_free(resp, rlen);
	mikey_buf_free(msg, len);
	mikey_exchange_free(ei);
}

/* --- Bad DH values, validly signed ------------------------------------- */

static void hex_to_bytes(const char *hex, uint8_t *out, size_t len)
{
	cr_assert_eq(strlen(hex), 2 * len);
	for (size_t i = 0; i < len; i++) {
		unsigned v;
		cr_assert_eq(sscanf(hex + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
}

/* Rebuild |msg| with the |n|-th DH value set to |value| and sign it again
 * with |keyfile| (RSA PKCS#1 v1.5, SHA-256, as RFC 3830 §5.2 says: over
 * everything but the signature). */
static void forge_dh(const uint8_t *msg, size_t len, size_t n, const uint8_t value[192], const char *keyfile,
                     uint8_t **out, size_t *out_len)
{
	mikey_msg *m;
	cr_assert_eq(mikey_msg_parse(msg, len, NULL, &m, NULL), MIKEY_OK);
	mikey_payload *d = mikey_msg_find(m, MIKEY_PT_DH, n);
	cr_assert_not_null(d);
	cr_assert_eq(d->u.dh.value.len, 192);
	memcpy(d->u.dh.value.data, value, 192);
	cr_assert_eq(mikey_msg_build(m, out, out_len, NULL), MIKEY_OK);
	mikey_msg_free(m);
	size_t kl;
	char *kp = slurp(keyfile, &kl);
	mikey_pkey *key;
	cr_assert_eq(mikey_pkey_from_pem(&key, kp, kl, 1), MIKEY_OK);
	free(kp);
	mikey_iov iov = {*out, *out_len - 256};
	cr_assert_eq(mikey_rsa_sign(key, MIKEY_RSA_SIG_PKCS1_V15, MIKEY_MD_SHA256, &iov, 1, *out + *out_len - 256),
	             MIKEY_OK);
	mikey_pkey_free(key);
}

static void bad_values(uint8_t v[3][192])
{
	memset(v, 0, 3 * 192);
	v[1][191] = 1;
	hex_to_bytes(oakley5_p_hex, v[2], 192);
	cr_assert_eq(v[2][191], 0xff);
	v[2][191] = 0xfe; /* p - 1 */
}

Test(dh, dhi_zero_one_and_p_minus_1_rejected)
{
	uint8_t *msg;
	size_t len;
	mikey_exchange *ei;
	uint8_t v[3][192];
	bad_values(v);
	make_init(&msg, &len, &ei, MIKEY_DH_OAKLEY_5);
	for (int k = 0; k < 3; k++) {
		uint8_t *bad;
		size_t blen;
		forge_dh(msg, len, 0, v[k], "alice.key", &bad, &blen);
		assert_rejected(bad, blen, MIKEY_ERR_DH_GROUP, MIKEY_ERRNO_INVALID_DH);
		mikey_buf_free(bad, blen);
	}
	/* The forgery only changed DHi: re-signing the original value is
	 * accepted, so the signature step itself was right. */
	mikey_msg *m;
	cr_assert_eq(mikey_msg_parse(msg, len, NULL, &m, NULL), MIKEY_OK);
	uint8_t orig[192];
	memcpy(orig, mikey_msg_find(m, MIKEY_PT_DH, 0)->u.dh.value.data, 192);
	mikey_msg_free(m);
	uint8_t *same;
	size_t slen;
	forge_dh(msg, len, 0, orig, "alice.key", &same, &slen);
	cr_assert_eq(slen, len);
	cr_assert_eq(memcmp(same, msg, len), 0, "PKCS#1 v1.5 is deterministic: the same bytes");
	mikey_buf_free(same, slen);
	assert_accepted(msg, len);
	mikey_buf_free(msg, len);
	mikey_exchange_free(ei);
}

Test(dh, dhr_zero_one_and_p_minus_1_rejected)
{
	uint8_t *msg, *resp;
	size_t len, rlen;
	mikey_exchange *ei, *er;
	uint8_t v[3][192];
	bad_values(v);
	make_init(&msg, &len, &ei, MIKEY_DH_OAKLEY_5);
	cr_assert_eq(mikey_respond(rsp, msg, len, &er, &resp, &rlen, NULL), MIKEY_OK);
	for (int k = 0; k < 3; k++) {
		uint8_t *bad;
		size_t blen;
		mikey_error err;
		forge_dh(resp, rlen, 0, v[k], "bob.key", &bad, &blen);
		cr_assert_eq(mikey_exchange_finish(ei, bad, blen, &err), MIKEY_ERR_DH_GROUP, "%s", err.message);
		cr_assert_not(mikey_exchange_is_complete(ei));
		mikey_buf_free(bad, blen);
	}
	cr_assert_eq(mikey_exchange_finish(ei, resp, rlen, NULL), MIKEY_OK);
	assert_same_sessions(ei, er);
	mikey_buf_free(resp, rlen);
	mikey_buf_free(msg, len);
	mikey_exchange_free(ei);
	mikey_exchange_free(er);
}

Test(dh, r_message_must_echo_dhi)
{
	/* Bob signs a response whose DHi echo is not Alice's: refused. */
	uint8_t *msg, *resp, *bad;
	size_t len, rlen, blen;
	mikey_exchange *ei, *er;
	mikey_error err;
	uint8_t other[192];
	memset(other, 0x5a, sizeof(other));
	make_init(&msg, &len, &ei, MIKEY_DH_OAKLEY_5);
	cr_assert_eq(mikey_respond(rsp, msg, len, &er, &resp, &rlen, NULL), MIKEY_OK);
	forge_dh(resp, rlen, 1, other, "bob.key", &bad, &blen);
	cr_assert_eq(mikey_exchange_finish(ei, bad, blen, &err), MIKEY_ERR_AUTH, "%s", err.message);
	cr_assert_not(mikey_exchange_is_complete(ei));
	mikey_buf_free(bad, blen);
	mikey_buf_free(resp, rlen);
	mikey_buf_free(msg, len);
	mikey_exchange_free(ei);
	mikey_exchange_free(er);
}

Test(dh, initiator_needs_credentials)
{
	mikey_ctx *bare = mikey_ctx_new();
	mikey_ctx_set_clock(bare, fixed_clock, NULL);
	mikey_offer o;
	mikey_exchange *ei;
	uint8_t *msg;
	size_t len;
	offer_for(&o, MIKEY_DH_OAKLEY_5, MIKEY_SIGN_RSA_PKCS1_15);
	cr_assert_eq(mikey_initiate(bare, &o, &ei, &msg, &len, NULL), MIKEY_ERR_STATE);
	cr_assert_null(ei);
	cr_assert_null(msg);
	mikey_ctx_free(bare);
}
