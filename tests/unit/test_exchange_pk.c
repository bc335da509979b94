/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The public-key envelope method (RFC 3830 §3.2) end to end with a fixed
 * clock, a counter RNG and the test PKI in tests/certs: round trips for
 * each algorithm and signature choice, with and without the verification
 * message and CERT payloads; every rejection with its named error and ERR
 * payload and no replay-cache change; a PKE that does not decrypt looks
 * exactly like a wrong MAC; and an allocation-failure sweep.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "mikey/exchange.h"
#include "mikey/kdf.h"
#include "mikey/mem.h"
#include "mikey/mikey.h"

#include "../common/exchange_fixture.h"


static uint32_t rng_state_i, rng_state_r;

static mikey_ctx *ini, *rsp;

/* An initiator named |id| with credentials |cert|/|key| that knows Bob's
 * certificate (PKr). */
static mikey_ctx *make_initiator(const char *id, const char *cert, const char *key)
{
	mikey_ctx *c = make_cert_ctx(id, &rng_state_i, cert, key);
	add_peer_cert(c, BOB, "bob.pem");
	return c;
}

static void setup(void)
{
	now_ntp = T0;
	rng_state_i = 1;
	rng_state_r = 1000;
	ini = make_initiator(ALICE, "alice.pem", "alice.key");
	rsp = make_cert_ctx(BOB, &rng_state_r, "bob.pem", "bob.key");
}

static void teardown(void)
{
	mikey_ctx_free(ini);
	mikey_ctx_free(rsp);
	mikey_mem_set(NULL);
}

static mikey_srtp_policy policy;
static mikey_cs_desc cs[2] = {{0x11111111, 0, 0}, {0x22222222, 5, 0}};

static void offer_for(mikey_offer *o, uint8_t encr, uint8_t mac)
{
	mikey_srtp_policy_default(&policy);
	mikey_offer_init(o, MIKEY_MODE_PK);
	o->encr_alg = encr;
	o->mac_alg = mac;
	o->want_verify = true;
	o->cs = cs;
	o->n_cs = 2;
	o->policies = &policy;
	o->n_policies = 1;
	o->peer_id = BOB;
	o->peer_id_len = strlen(BOB);
}

static void assert_same_sessions(mikey_exchange *a, mikey_exchange *b)
{
	cr_assert_eq(mikey_exchange_cs_count(a), 2);
	cr_assert_eq(mikey_exchange_cs_count(b), 2);
	for (size_t i = 0; i < 2; i++) {
		mikey_crypto_session x, y;
		mikey_error err;
		cr_assert_eq(mikey_exchange_get_cs(a, i, &x, &err), MIKEY_OK, "%s", err.message);
		cr_assert_eq(mikey_exchange_get_cs(b, i, &y, &err), MIKEY_OK, "%s", err.message);
		cr_assert_eq(x.cs_id, i + 1);
		cr_assert_eq(x.ssrc, cs[i].ssrc);
		cr_assert_eq(y.roc, cs[i].roc);
		cr_assert_eq(x.master_key_len, 16);
		cr_assert_eq(x.master_salt_len, 14);
		cr_assert_eq(memcmp(x.master_key, y.master_key, 16), 0, "both sides derive the same TEK");
		cr_assert_eq(memcmp(x.master_salt, y.master_salt, 14), 0);
		mikey_crypto_session_cleanup(&x);
		mikey_crypto_session_cleanup(&y);
	}
}

/* SHA-1 of tests/certs/bob.pem in DER, from
 * `openssl x509 -in tests/certs/bob.pem -outform DER | sha1sum`. */
static const uint8_t bob_cert_sha1[20] = {0x5b, 0xfd, 0x2a, 0xa2, 0xdd, 0x2d, 0x6f, 0x11, 0x47, 0xa7,
                                          0xe9, 0xdb, 0x28, 0xae, 0x9f, 0x96, 0x28, 0x9d, 0x41, 0x6c};

typedef struct pk_case {
	uint8_t encr, mac, sign;
	bool verify, certs;
	uint8_t cache;
} pk_case;

static void run_exchange(pk_case k)
{
	mikey_offer o;
	mikey_exchange *ei, *er;
	uint8_t *imsg, *rmsg;
	size_t ilen, rlen;
	mikey_error err;

	if (!k.certs)
		add_peer_cert(rsp, ALICE, "alice.pem"); /* Bob knows Alice's certificate */
	offer_for(&o, k.encr, k.mac);
	o.sign_type = k.sign;
	o.want_verify = k.verify;
	o.omit_certs = !k.certs;
	o.pke_cache = k.cache;
	cr_assert_eq(mikey_initiate(ini, &o, &ei, &imsg, &ilen, &err), MIKEY_OK, "%s", err.message);
	cr_assert_eq(mikey_exchange_is_complete(ei), !k.verify);
	cr_assert_eq(mikey_respond(rsp, imsg, ilen, &er, &rmsg, &rlen, &err), MIKEY_OK, "%s", err.message);
	cr_assert(mikey_exchange_is_complete(er));
	if (k.verify) {
		cr_assert_not_null(rmsg);
		mikey_msg *v;
		cr_assert_eq(mikey_msg_parse(rmsg, rlen, NULL, &v, NULL), MIKEY_OK);
		cr_assert_eq(v->hdr.data_type, MIKEY_DT_PK_RESP, "PK ver msg (RFC 3830 Table 6.1.a)");
		mikey_msg_free(v);
		cr_assert_eq(mikey_exchange_finish(ei, rmsg, rlen, &err), MIKEY_OK, "%s", err.message);
	} else {
		cr_assert_null(rmsg, "V flag clear: no response");
	}
	cr_assert(mikey_exchange_is_complete(ei));
	assert_same_sessions(ei, er);
	size_t idl;
	const uint8_t *id = mikey_exchange_get0_peer_id(er, &idl);
	cr_assert_eq(idl, strlen(ALICE));
	cr_assert_eq(memcmp(id, ALICE, idl), 0);

	/* The message is what RFC 3830 §3.2 says:
	 * HDR, T, RAND, IDi, [CERTi], IDr, SP, KEMAC, CHASH, PKE, SIGNi. */
	mikey_msg *m;
	cr_assert_eq(mikey_msg_parse(imsg, ilen, NULL, &m, NULL), MIKEY_OK);
	cr_assert_eq(m->hdr.data_type, MIKEY_DT_PK_INIT);
	cr_assert_eq(m->hdr.v, k.verify);
	static const uint8_t with_cert[] = {MIKEY_PT_T,  MIKEY_PT_RAND,  MIKEY_PT_ID,  MIKEY_PT_CERT, MIKEY_PT_ID, MIKEY_PT_SP,
	                                    MIKEY_PT_KEMAC, MIKEY_PT_CHASH, MIKEY_PT_PKE, MIKEY_PT_SIGN};
	static const uint8_t no_cert[] = {MIKEY_PT_T,     MIKEY_PT_RAND,  MIKEY_PT_ID,  MIKEY_PT_ID,
	                                  MIKEY_PT_SP,    MIKEY_PT_KEMAC, MIKEY_PT_CHASH, MIKEY_PT_PKE,
	                                  MIKEY_PT_SIGN};
	const uint8_t *order = k.certs ? with_cert : no_cert;
	size_t n = k.certs ? sizeof(with_cert) : sizeof(no_cert), i = 0;
	for (mikey_payload *p = m->payloads.first; p; p = p->next, i++) {
		cr_assert_lt(i, n);
		cr_assert_eq(p->type, order[i], "payload %zu is %u, want %u", i, p->type, order[i]);
	}
	cr_assert_eq(i, n);
	const mikey_payload *kp = mikey_msg_find(m, MIKEY_PT_KEMAC, 0);
	cr_assert_eq(kp->u.kemac.encr_alg, k.encr);
	cr_assert_eq(kp->u.kemac.sub.count, 0, "key data is not in the clear");
	const mikey_payload *ch = mikey_msg_find(m, MIKEY_PT_CHASH, 0);
	cr_assert_eq(ch->u.chash.hash_func, MIKEY_HASH_SHA1);
	cr_assert_eq(ch->u.chash.hash.len, 20);
	cr_assert_eq(memcmp(ch->u.chash.hash.data, bob_cert_sha1, 20), 0, "CHASH = SHA-1 of Bob's DER certificate");
	const mikey_payload *pke = mikey_msg_find(m, MIKEY_PT_PKE, 0);
	cr_assert_eq(pke->u.pke.cache, k.cache);
	cr_assert_eq(pke->u.pke.data.len, 256, "RSA-2048 ciphertext");
	cr_assert_eq(m->payloads.last->u.sign.s_type, k.sign);
	cr_assert_eq(m->payloads.last->u.sign.sig.len, 256);
	mikey_msg_free(m);

	mikey_buf_free(imsg, ilen);
	mikey_buf_free(rmsg, rlen);
	mikey_exchange_free(ei);
	mikey_exchange_free(er);
}

TestSuite(pk, .init = setup, .fini = teardown, .timeout = 240);

Test(pk, aes_cm_128_hmac_sha1_pkcs1_verify_certs)
{
	run_exchange((pk_case){MIKEY_ENCR_AES_CM_128, MIKEY_MAC_HMAC_SHA1_160, MIKEY_SIGN_RSA_PKCS1_15, true, true, 0});
}

Test(pk, aes_kw_128_hmac_sha1_pss_verify_certs)
{
	run_exchange((pk_case){MIKEY_ENCR_AES_KW_128, MIKEY_MAC_HMAC_SHA1_160, MIKEY_SIGN_RSA_PSS, true, true, 0});
}

Test(pk, aes_cm_128_hmac_sha256_pss_no_verify_known_cert)
{
	run_exchange((pk_case){MIKEY_ENCR_AES_CM_128, MIKEY_MAC_HMAC_SHA256_256, MIKEY_SIGN_RSA_PSS, false, false, 0});
}

Test(pk, aes_kw_128_hmac_sha256_pkcs1_no_verify_certs_cache)
{
	run_exchange((pk_case){MIKEY_ENCR_AES_KW_128, MIKEY_MAC_HMAC_SHA256_256, MIKEY_SIGN_RSA_PKCS1_15, false, true,
	                       MIKEY_PKE_CACHE});
}

Test(pk, aes_cm_128_hmac_sha1_pkcs1_verify_known_cert)
{
	run_exchange((pk_case){MIKEY_ENCR_AES_CM_128, MIKEY_MAC_HMAC_SHA1_160, MIKEY_SIGN_RSA_PKCS1_15, true, false,
	                       MIKEY_PKE_CACHE_CSB});
}

static const uint8_t *find_bytes(const uint8_t *hay, size_t n, const uint8_t *needle, size_t m)
{
	for (size_t i = 0; i + m <= n; i++) {
		if (memcmp(hay + i, needle, m) == 0)
			return hay + i;
	}
	return NULL;
}

/* RFC 3830 §5.2, §6.2: recompute the KEMAC MAC from the pieces, with Bob's
 * private key and the primitives, independently of the mode code: it
 * covers the KEMAC payload only, with its Next payload field zeroed. */
Test(pk, kemac_mac_covers_the_kemac_with_next_payload_zero)
{
	mikey_offer o;
	mikey_exchange *ei;
	uint8_t *imsg;
	size_t ilen;
	offer_for(&o, MIKEY_ENCR_AES_CM_128, MIKEY_MAC_HMAC_SHA1_160);
	cr_assert_eq(mikey_initiate(ini, &o, &ei, &imsg, &ilen, NULL), MIKEY_OK);
	mikey_msg *m;
	cr_assert_eq(mikey_msg_parse(imsg, ilen, NULL, &m, NULL), MIKEY_OK);
	const mikey_payload *kp = mikey_msg_find(m, MIKEY_PT_KEMAC, 0);
	const mikey_payload *pke = mikey_msg_find(m, MIKEY_PT_PKE, 0);
	const mikey_payload *rand = mikey_msg_find(m, MIKEY_PT_RAND, 0);
	size_t kl;
	char *kpem = slurp("bob.key", &kl);
	mikey_pkey *bob;
	cr_assert_eq(mikey_pkey_from_pem(&bob, kpem, kl, 1), MIKEY_OK);
	free(kpem);
	uint8_t env[64];
	size_t env_len;
	cr_assert_eq(mikey_rsa_pkcs1_decrypt(bob, pke->u.pke.data.data, pke->u.pke.data.len, env, sizeof(env), &env_len),
	             MIKEY_OK);
	cr_assert_eq(env_len, 32);
	mikey_msg_keys keys;
	cr_assert_eq(mikey_kdf_msg_keys(&keys, MIKEY_PRF_MIKEY_1, MIKEY_ENCR_AES_CM_128, MIKEY_MAC_HMAC_SHA1_160, env,
	                                env_len, m->hdr.csb_id, rand->u.rand.rand.data, rand->u.rand.rand.len),
	             MIKEY_OK);
	/* The KEMAC's bytes: from its Next payload field (4 bytes before its
	 * Encr data) to the end of its MAC (20 bytes after Encr data and MAC alg). */
	const uint8_t *ed = find_bytes(imsg, ilen, kp->u.kemac.encr_data.data, kp->u.kemac.encr_data.len);
	cr_assert_not_null(ed);
	const uint8_t *start = ed - 4;
	const uint8_t *mac = ed + kp->u.kemac.encr_data.len + 1;
	cr_assert_eq(start[0], MIKEY_PT_CHASH, "on the wire the KEMAC names CHASH next");
	cr_assert_eq(start[1], MIKEY_ENCR_AES_CM_128);
	cr_assert_eq(mac[-1], MIKEY_MAC_HMAC_SHA1_160);
	cr_assert_eq(memcmp(mac, kp->u.kemac.mac.data, 20), 0);
	uint8_t copy[512];
	size_t covered = (size_t)(mac - start);
	cr_assert_lt(covered, sizeof(copy));
	memcpy(copy, start, covered);
	copy[0] = 0;
	mikey_iov iov = {copy, covered};
	uint8_t tag[20];
	cr_assert_eq(mikey_crypto_hmac(MIKEY_MD_SHA1, keys.auth, keys.auth_len, &iov, 1, tag), MIKEY_OK);
	cr_assert_eq(memcmp(tag, mac, 20), 0, "MAC over the KEMAC with Next payload = 0");
	copy[0] = MIKEY_PT_CHASH;
	cr_assert_eq(mikey_crypto_hmac(MIKEY_MD_SHA1, keys.auth, keys.auth_len, &iov, 1, tag), MIKEY_OK);
	cr_assert_neq(memcmp(tag, mac, 20), 0, "not with the Next payload as sent");
	mikey_msg_keys_cleanup(&keys);
	mikey_pkey_free(bob);
	mikey_msg_free(m);
	mikey_buf_free(imsg, ilen);
	mikey_exchange_free(ei);
}

/* Expect a rejection with |code| and an error message carrying |err_no|. */
static void assert_rejected(const uint8_t *msg, size_t len, int code, int err_no, mikey_error *out_err)
{
	expect_rejected(rsp, msg, len, code, err_no, out_err);
}

static void make_init(uint8_t **msg, size_t *len, mikey_exchange **ei)
{
	mikey_offer o;
	mikey_error err;
	offer_for(&o, MIKEY_ENCR_AES_CM_128, MIKEY_MAC_HMAC_SHA1_160);
	cr_assert_eq(mikey_initiate(ini, &o, ei, msg, len, &err), MIKEY_OK, "%s", err.message);
}

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

/* Initiator |id| with |cert|/|key| sends to Bob; Bob rejects it. */
static void rejected_initiator(const char *id, const char *cert, const char *key, int code, int err_no)
{
	uint8_t *msg;
	size_t len;
	mikey_exchange *ei;
	mikey_ctx_free(ini);
	ini = make_initiator(id, cert, key);
	make_init(&msg, &len, &ei);
	assert_rejected(msg, len, code, err_no, NULL);
	mikey_buf_free(msg, len);
	mikey_exchange_free(ei);
}

Test(pk, signature_by_the_wrong_key_is_auth_failure)
{
	/* Alice's certificate, Bob's private key (same size, so accepted). */
	rejected_initiator(ALICE, "alice.pem", "bob.key", MIKEY_ERR_AUTH, MIKEY_ERRNO_AUTH_FAILURE);
}

Test(pk, expired_certificate_is_invalid_cert)
{
	rejected_initiator("sip:carol@example.com", "expired.pem", "expired.key", MIKEY_ERR_CERT,
	                   MIKEY_ERRNO_INVALID_CERT);
}

Test(pk, untrusted_issuer_is_invalid_cert)
{
	rejected_initiator(ALICE, "rogue.pem", "rogue.key", MIKEY_ERR_CERT, MIKEY_ERRNO_INVALID_CERT);
}

Test(pk, identity_not_in_its_certificate_is_invalid_id)
{
	rejected_initiator("sip:mallory@example.com", "alice.pem", "alice.key", MIKEY_ERR_IDENTITY,
	                   MIKEY_ERRNO_INVALID_ID);
}

Test(pk, message_for_someone_else_is_invalid_id)
{
	uint8_t *msg;
	size_t len;
	mikey_exchange *ei;
	make_init(&msg, &len, &ei);
	mikey_ctx_free(rsp);
	rsp = make_cert_ctx("sip:carol@example.com", &rng_state_r, "bob.pem", "bob.key");
	assert_rejected(msg, len, MIKEY_ERR_IDENTITY, MIKEY_ERRNO_INVALID_ID, NULL);
	mikey_buf_free(msg, len);
	mikey_exchange_free(ei);
}

Test(pk, unknown_signer_without_cert_is_invalid_cert)
{
	uint8_t *msg;
	size_t len;
	mikey_exchange *ei;
	mikey_offer o;
	offer_for(&o, MIKEY_ENCR_AES_CM_128, MIKEY_MAC_HMAC_SHA1_160);
	o.omit_certs = true; /* and Bob does not know Alice's certificate */
	cr_assert_eq(mikey_initiate(ini, &o, &ei, &msg, &len, NULL), MIKEY_OK);
	assert_rejected(msg, len, MIKEY_ERR_CERT, MIKEY_ERRNO_INVALID_CERT, NULL);
	mikey_buf_free(msg, len);
	mikey_exchange_free(ei);
}

Test(pk, initiator_needs_a_valid_responder_certificate)
{
	mikey_offer o;
	mikey_exchange *ei;
	uint8_t *msg;
	size_t len;
	mikey_error err;
	offer_for(&o, MIKEY_ENCR_AES_CM_128, MIKEY_MAC_HMAC_SHA1_160);
	o.peer_id = "sip:carol@example.com";
	o.peer_id_len = strlen(o.peer_id);
	cr_assert_eq(mikey_initiate(ini, &o, &ei, &msg, &len, &err), MIKEY_ERR_CERT, "no certificate for Carol");
	cr_assert_null(ei);
	add_peer_cert(ini, "sip:carol@example.com", "expired.pem");
	cr_assert_eq(mikey_initiate(ini, &o, &ei, &msg, &len, &err), MIKEY_ERR_CERT, "Carol's certificate expired");
	add_peer_cert(ini, "sip:dave@example.com", "bob.pem");
	o.peer_id = "sip:dave@example.com";
	o.peer_id_len = strlen(o.peer_id);
	cr_assert_eq(mikey_initiate(ini, &o, &ei, &msg, &len, &err), MIKEY_ERR_IDENTITY,
	             "Bob's certificate does not name Dave");
}

Test(pk, stale_and_future_timestamps_are_refused)
{
	uint8_t *msg;
	size_t len;
	mikey_exchange *ei;
	make_init(&msg, &len, &ei);
	now_ntp = T0 + ((uint64_t)301 << 32);
	assert_rejected(msg, len, MIKEY_ERR_TIMESTAMP, MIKEY_ERRNO_INVALID_TS, NULL);
	now_ntp = T0 - ((uint64_t)301 << 32);
	assert_rejected(msg, len, MIKEY_ERR_TIMESTAMP, MIKEY_ERRNO_INVALID_TS, NULL);
	now_ntp = T0 + ((uint64_t)299 << 32);
	assert_accepted(msg, len);
	mikey_buf_free(msg, len);
	mikey_exchange_free(ei);
}

Test(pk, replay_is_refused)
{
	uint8_t *msg;
	size_t len;
	mikey_exchange *ei;
	make_init(&msg, &len, &ei);
	assert_accepted(msg, len);
	assert_rejected(msg, len, MIKEY_ERR_REPLAY, MIKEY_ERRNO_INVALID_TS, NULL);
	mikey_buf_free(msg, len);
	mikey_exchange_free(ei);
}

/* Replace the PKE of |msg| by |pke| (256 bytes) and sign again with
 * Alice's key, as an attacker holding a valid certificate could. */
static void resign_with_pke(uint8_t **msg, size_t *len, const uint8_t *pke)
{
	mikey_msg *m;
	cr_assert_eq(mikey_msg_parse(*msg, *len, NULL, &m, NULL), MIKEY_OK);
	mikey_payload *p = mikey_msg_find(m, MIKEY_PT_PKE, 0);
	cr_assert_eq(p->u.pke.data.len, 256);
	memcpy(p->u.pke.data.data, pke, 256);
	uint8_t *out;
	size_t out_len;
	cr_assert_eq(mikey_msg_build(m, &out, &out_len, NULL), MIKEY_OK);
	cr_assert_eq(out_len, *len);
	mikey_msg_free(m);
	size_t kl;
	char *kpem = slurp("alice.key", &kl);
	mikey_pkey *alice;
	cr_assert_eq(mikey_pkey_from_pem(&alice, kpem, kl, 1), MIKEY_OK);
	free(kpem);
	mikey_iov iov = {out, out_len - 256};
	cr_assert_eq(mikey_rsa_sign(alice, MIKEY_RSA_SIG_PKCS1_V15, MIKEY_MD_SHA256, &iov, 1, out + out_len - 256),
	             MIKEY_OK);
	mikey_pkey_free(alice);
	mikey_buf_free(*msg, *len);
	*msg = out;
	*len = out_len;
}

static mikey_pkey *cert_key(const char *name)
{
	size_t len;
	char *pem = slurp(name, &len);
	mikey_x509 *c;
	mikey_pkey *k;
	cr_assert_eq(mikey_x509_from_pem(&c, pem, len), MIKEY_OK);
	cr_assert_eq(mikey_x509_get1_pkey(c, &k), MIKEY_OK);
	mikey_x509_free(c);
	free(pem);
	return k;
}

/* A PKE for another recipient (Alice's key: Bob's padding check fails)
 * and a PKE Bob can open but with another envelope key (the MAC fails)
 * must be indistinguishable: same error, same text (RFC 8017 §7.2.2). */
Test(pk, wrong_pke_fails_like_a_wrong_mac)
{
	uint8_t *msg1, *msg2;
	size_t len1, len2;
	mikey_exchange *e1, *e2;
	uint8_t ct[256], env[32];
	mikey_error err1, err2;
	memset(env, 0x5a, sizeof(env));

	make_init(&msg1, &len1, &e1);
	mikey_pkey *alice = cert_key("alice.pem");
	cr_assert_eq(mikey_rsa_pkcs1_encrypt(alice, NULL, env, sizeof(env), ct), MIKEY_OK);
	mikey_pkey_free(alice);
	resign_with_pke(&msg1, &len1, ct);
	assert_rejected(msg1, len1, MIKEY_ERR_AUTH, MIKEY_ERRNO_AUTH_FAILURE, &err1);

	now_ntp += (uint64_t)1 << 32; /* a new timestamp, a new message */
	make_init(&msg2, &len2, &e2);
	mikey_pkey *bob = cert_key("bob.pem");
	cr_assert_eq(mikey_rsa_pkcs1_encrypt(bob, NULL, env, sizeof(env), ct), MIKEY_OK);
	mikey_pkey_free(bob);
	resign_with_pke(&msg2, &len2, ct);
	assert_rejected(msg2, len2, MIKEY_ERR_AUTH, MIKEY_ERRNO_AUTH_FAILURE, &err2);
	cr_assert_str_eq(err1.message, err2.message, "no padding oracle");

	/* Garbage of the right length: the same again. */
	memset(ct, 0xff, sizeof(ct));
	resign_with_pke(&msg2, &len2, ct);
	mikey_error err3;
	assert_rejected(msg2, len2, MIKEY_ERR_AUTH, MIKEY_ERRNO_AUTH_FAILURE, &err3);
	cr_assert_str_eq(err1.message, err3.message);

	mikey_buf_free(msg1, len1);
	mikey_buf_free(msg2, len2);
	mikey_exchange_free(e1);
	mikey_exchange_free(e2);
}

/* Flipping bit 0 or bit 7 of any byte of |msg| gets it refused with no
 * exchange, and nothing is remembered: the untouched message is still
 * accepted afterwards. */
static void expect_every_flip_rejected(uint8_t *msg, size_t len)
{
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
	assert_accepted(msg, len);
}

Test(pk, every_single_byte_flip_is_rejected_without_state_change)
{
	uint8_t *msg;
	size_t len;
	mikey_exchange *ei;
	make_init(&msg, &len, &ei);
	expect_every_flip_rejected(msg, len);
	mikey_buf_free(msg, len);
	mikey_exchange_free(ei);
}

/* RFC 3830 §4.2.3: AES key wrap with the NULL MAC is the RECOMMENDED
 * public-key combination. It works without mikey_ctx_allow_null_kemac, the
 * verification message is still authenticated (HMAC-SHA-1, docs/
 * interpretations.md §27), and every tampered byte is still rejected: the
 * wrap's integrity check covers the keys, SIGNi the rest. */
Test(pk, aes_kw_with_null_mac_by_default)
{
	run_exchange((pk_case){MIKEY_ENCR_AES_KW_128, MIKEY_MAC_NULL, MIKEY_SIGN_RSA_PKCS1_15, true, true, 0});
}

Test(pk, aes_kw_null_mac_verification_message_is_authenticated)
{
	mikey_offer o;
	mikey_exchange *ei, *er;
	uint8_t *imsg, *rmsg;
	size_t ilen, rlen;
	mikey_error err;
	offer_for(&o, MIKEY_ENCR_AES_KW_128, MIKEY_MAC_NULL);
	cr_assert_eq(mikey_initiate(ini, &o, &ei, &imsg, &ilen, &err), MIKEY_OK, "%s", err.message);
	cr_assert_eq(mikey_respond(rsp, imsg, ilen, &er, &rmsg, &rlen, &err), MIKEY_OK, "%s", err.message);
	mikey_msg *v;
	cr_assert_eq(mikey_msg_parse(rmsg, rlen, NULL, &v, NULL), MIKEY_OK);
	const mikey_payload *vp = mikey_msg_find(v, MIKEY_PT_V, 0);
	cr_assert_not_null(vp);
	cr_assert_eq(vp->u.v.auth_alg, MIKEY_MAC_HMAC_SHA1_160, "V keeps a MAC when the KEMAC has none");
	cr_assert_eq(vp->u.v.ver_data.len, 20);
	mikey_msg_free(v);
	rmsg[rlen - 1] ^= 1;
	cr_assert_eq(mikey_exchange_finish(ei, rmsg, rlen, &err), MIKEY_ERR_AUTH, "a tampered V is refused");
	mikey_buf_free(imsg, ilen);
	mikey_buf_free(rmsg, rlen);
	mikey_exchange_free(ei);
	mikey_exchange_free(er);
}

Test(pk, aes_kw_null_mac_every_byte_flip_is_rejected)
{
	mikey_offer o;
	uint8_t *msg;
	size_t len;
	mikey_exchange *ei;
	mikey_error err;
	offer_for(&o, MIKEY_ENCR_AES_KW_128, MIKEY_MAC_NULL);
	cr_assert_eq(mikey_initiate(ini, &o, &ei, &msg, &len, &err), MIKEY_OK, "%s", err.message);
	expect_every_flip_rejected(msg, len);
	mikey_buf_free(msg, len);
	mikey_exchange_free(ei);
}

/* Other NULL combinations still need mikey_ctx_allow_null_kemac. */
Test(pk, aes_cm_with_null_mac_needs_the_switch)
{
	mikey_offer o;
	uint8_t *msg = NULL;
	size_t len = 0;
	mikey_exchange *ei = NULL;
	mikey_error err;
	offer_for(&o, MIKEY_ENCR_AES_CM_128, MIKEY_MAC_NULL);
	cr_assert_eq(mikey_initiate(ini, &o, &ei, &msg, &len, &err), MIKEY_ERR_MAC_ALG, "%s", err.message);
	cr_assert_null(ei);
}

Test(pk, tampered_verification_message_fails_at_initiator)
{
	uint8_t *msg, *resp;
	size_t len, rlen;
	mikey_exchange *ei, *er;
	make_init(&msg, &len, &ei);
	cr_assert_eq(mikey_respond(rsp, msg, len, &er, &resp, &rlen, NULL), MIKEY_OK);
	resp[rlen - 1] ^= 1;
	mikey_error err;
	cr_assert_eq(mikey_exchange_finish(ei, resp, rlen, &err), MIKEY_ERR_AUTH);
	cr_assert_not(mikey_exchange_is_complete(ei));
	resp[rlen - 1] ^= 1;
	cr_assert_eq(mikey_exchange_finish(ei, resp, rlen, &err), MIKEY_OK, "%s", err.message);
	mikey_buf_free(resp, rlen);
	mikey_buf_free(msg, len);
	mikey_exchange_free(ei);
	mikey_exchange_free(er);
}

/* ------------------------------------------------------------------ */
/* Allocation failures                                                 */

static size_t fm_calls, fm_fail_at, fm_injected;

static bool fm_fail(void)
{
	fm_calls++;
	if (fm_fail_at != 0 && fm_calls == fm_fail_at) {
		fm_injected++;
		return true;
	}
	return false;
}

static void *fm_malloc(size_t size, void *user)
{
	(void)user;
	return fm_fail() ? NULL : malloc(size);
}

static void *fm_realloc(void *ptr, size_t size, void *user)
{
	(void)user;
	return fm_fail() ? NULL : realloc(ptr, size);
}

static void fm_free(void *ptr, void *user)
{
	(void)user;
	free(ptr);
}

static const mikey_mem fm_mem = {fm_malloc, fm_realloc, fm_free, NULL};

/* One full exchange (initiate, respond, finish); MIKEY_OK or the first error. */
static int one_exchange(void)
{
	mikey_offer o;
	mikey_exchange *ei = NULL, *er = NULL;
	uint8_t *imsg = NULL, *rmsg = NULL;
	size_t ilen = 0, rlen = 0;
	int rc;

	offer_for(&o, MIKEY_ENCR_AES_KW_128, MIKEY_MAC_HMAC_SHA1_160);
	if ((rc = mikey_initiate(ini, &o, &ei, &imsg, &ilen, NULL)) != MIKEY_OK) {
		cr_assert_null(ei);
		cr_assert_null(imsg);
		goto out;
	}
	if ((rc = mikey_respond(rsp, imsg, ilen, &er, &rmsg, &rlen, NULL)) != MIKEY_OK) {
		cr_assert_null(er);
		goto out;
	}
	if ((rc = mikey_exchange_finish(ei, rmsg, rlen, NULL)) != MIKEY_OK)
		goto out;
	mikey_crypto_session x, y;
	if ((rc = mikey_exchange_get_cs(ei, 0, &x, NULL)) == MIKEY_OK) {
		if ((rc = mikey_exchange_get_cs(er, 0, &y, NULL)) == MIKEY_OK) {
			cr_assert_eq(memcmp(x.master_key, y.master_key, x.master_key_len), 0);
			mikey_crypto_session_cleanup(&y);
		}
		mikey_crypto_session_cleanup(&x);
	}
out:
	mikey_buf_free(rmsg, rlen);
	mikey_buf_free(imsg, ilen);
	mikey_exchange_free(er);
	mikey_exchange_free(ei);
	return rc;
}

Test(pk, allocation_failure_sweep)
{
	size_t n, nomem = 0, recovered = 0;
	for (n = 1; n < 20000; n++) {
		/* Fresh contexts each time, built with the normal allocator. */
		mikey_ctx_free(ini);
		mikey_ctx_free(rsp);
		rng_state_i = 1;
		rng_state_r = 1000;
		ini = make_initiator(ALICE, "alice.pem", "alice.key");
		rsp = make_cert_ctx(BOB, &rng_state_r, "bob.pem", "bob.key");
		fm_calls = 0;
		fm_injected = 0;
		fm_fail_at = n;
		mikey_mem_set(&fm_mem);
		int rc = one_exchange();
		mikey_mem_set(NULL);
		if (fm_injected == 0) {
			cr_assert_eq(rc, MIKEY_OK, "no failure injected, yet %s", mikey_error_name(rc));
			break;
		}
		/* An error, or success when the failure hit a path that is
		 * allowed to fail (e.g. one of the AES-KW padding guesses in
		 * kemac_open). Either way: no crash, and ASan sees no leak. */
		cr_assert(rc == MIKEY_OK || rc < 0);
		if (rc == MIKEY_OK)
			recovered++;
		else
			nomem += rc == MIKEY_ERR_NOMEM;
	}
	cr_assert_gt(n, 10, "the sweep covered %zu allocations", n);
	cr_assert_gt(nomem, (n - 1) / 2, "most failures surface as MIKEY_ERR_NOMEM (%zu of %zu)", nomem, n - 1);
	cr_log_info("PK exchange: %zu allocations swept, %zu NOMEM, %zu recovered", n - 1, nomem, recovered);
}

/* RFC 4442 through the public-key method: the signed I_MESSAGE carries the
 * sender's TESLA policy and commitment to the responder. */
Test(pk, carries_tesla_bootstrap)
{
	mikey_tesla_params tp;
	mikey_tesla_params_default(&tp);
	tp.t_0 = T0;
	tp.t_int = 10;
	tp.d = 4;
	tp.n_c = 256;
	uint8_t seed[20];
	for (int i = 0; i < 20; i++)
		seed[i] = (uint8_t)(5 * i + 3);
	mikey_tesla_sender *snd;
	cr_assert_eq(mikey_tesla_sender_new(&tp, seed, sizeof(seed), &snd), MIKEY_OK);
	mikey_offer o;
	offer_for(&o, MIKEY_ENCR_AES_CM_128, MIKEY_MAC_HMAC_SHA1_160);
	o.want_verify = false;
	o.tesla = mikey_tesla_sender_get0_params(snd);
	mikey_exchange *ei, *er;
	uint8_t *imsg, *rmsg;
	size_t ilen, rlen;
	mikey_error err;
	cr_assert_eq(mikey_initiate(ini, &o, &ei, &imsg, &ilen, &err), MIKEY_OK, "%s", err.message);
	cr_assert_eq(mikey_respond(rsp, imsg, ilen, &er, &rmsg, &rlen, &err), MIKEY_OK, "%s", err.message);
	mikey_crypto_session s;
	cr_assert_eq(mikey_exchange_get_cs(er, 1, &s, NULL), MIKEY_OK);
	cr_assert(s.has_tesla);
	cr_assert_eq(s.tesla.t_int, 10);
	cr_assert_eq(s.tesla.d, 4);
	cr_assert_eq(s.tesla.n_c, 256);
	cr_assert_eq(memcmp(s.tesla.commitment, o.tesla->commitment, 20), 0);
	mikey_crypto_session_cleanup(&s);
	mikey_buf_free(imsg, ilen);
	mikey_buf_free(rmsg, rlen);
	mikey_exchange_free(ei);
	mikey_exchange_free(er);
	mikey_tesla_sender_free(snd);
}

/* ------------------------------------------------ credentials */

/* The context setters say what was wrong, and change nothing. */
Test(pk, credential_setters_name_the_problem)
{
	size_t cl, kl, bl;
	char *cert = slurp("alice.pem", &cl), *key = slurp("bob.key", &kl), *own = slurp("alice.key", &bl);
	mikey_ctx *c = mikey_ctx_new();
	mikey_error err;
	cr_assert_eq(mikey_ctx_set_credentials(c, cert, cl, key, kl, &err), MIKEY_ERR_ARG);
	cr_assert(strstr(err.message, "does not belong") != NULL, "%s", err.message);
	cr_assert_eq(mikey_ctx_set_credentials(c, "garbage", 7, own, bl, &err), MIKEY_ERR_FORMAT);
	cr_assert(strstr(err.message, "certificate file") != NULL, "%s", err.message);
	cr_assert_eq(mikey_ctx_set_credentials(c, cert, cl, "garbage", 7, &err), MIKEY_ERR_FORMAT);
	cr_assert(strstr(err.message, "private key") != NULL, "%s", err.message);
	/* A chain longer than any receiver takes. */
	size_t n = MIKEY_MAX_CERT_CHAIN + 1;
	char *chain = malloc(cl * n);
	cr_assert_not_null(chain);
	for (size_t i = 0; i < n; i++)
		memcpy(chain + i * cl, cert, cl);
	cr_assert_eq(mikey_ctx_set_credentials(c, chain, cl * n, own, bl, &err), MIKEY_ERR_TOO_MANY);
	cr_assert(strstr(err.message, "more than") != NULL, "%s", err.message);
	cr_assert_eq(mikey_ctx_set_credentials(c, chain, cl * (n - 1), own, bl, &err), MIKEY_OK, "%s", err.message);
	/* A broken certificate in the middle of a CA file is named by number. */
	char bad[] = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
	char *two = malloc(cl + sizeof(bad));
	memcpy(two, cert, cl);
	memcpy(two + cl, bad, sizeof(bad));
	cr_assert_eq(mikey_ctx_add_trust(c, two, cl + sizeof(bad) - 1, &err), MIKEY_ERR_FORMAT);
	cr_assert(strstr(err.message, "CA file: certificate 2") != NULL, "%s", err.message);
	cr_assert_eq(mikey_ctx_add_peer_cert(c, BOB, strlen(BOB), "x", 1, &err), MIKEY_ERR_FORMAT);
	cr_assert(strstr(err.message, "peer certificate") != NULL, "%s", err.message);
	free(two);
	free(chain);
	free(cert);
	free(key);
	free(own);
	mikey_ctx_free(c);
}

/* A public-key responder that only opens envelopes needs its key, not its
 * certificate (RFC 3830 §3.2: PKE is decrypted with the private key). */
Test(pk, responder_with_a_key_and_no_certificate)
{
	size_t kl, al;
	char *key = slurp("bob.key", &kl), *ca = slurp("ca.pem", &al);
	mikey_ctx *bob = mikey_ctx_new();
	mikey_error err;
	mikey_ctx_set_clock(bob, fixed_clock, NULL);
	cr_assert_eq(mikey_ctx_set_id(bob, MIKEY_ID_URI, BOB, strlen(BOB)), MIKEY_OK);
	cr_assert_eq(mikey_ctx_set_credentials(bob, NULL, 0, key, kl, &err), MIKEY_OK, "%s", err.message);
	cr_assert_eq(mikey_ctx_add_trust(bob, ca, al, &err), MIKEY_OK, "%s", err.message);
	mikey_offer o;
	mikey_exchange *ei, *er;
	uint8_t *imsg, *rmsg;
	size_t ilen, rlen;
	offer_for(&o, MIKEY_ENCR_AES_CM_128, MIKEY_MAC_HMAC_SHA1_160);
	o.want_verify = false;
	cr_assert_eq(mikey_initiate(ini, &o, &ei, &imsg, &ilen, &err), MIKEY_OK, "%s", err.message);
	cr_assert_eq(mikey_respond(bob, imsg, ilen, &er, &rmsg, &rlen, &err), MIKEY_OK, "%s", err.message);
	assert_same_sessions(ei, er);
	mikey_buf_free(imsg, ilen);
	mikey_buf_free(rmsg, rlen);
	mikey_exchange_free(ei);
	mikey_exchange_free(er);
	mikey_ctx_free(bob);
	free(key);
	free(ca);
}
