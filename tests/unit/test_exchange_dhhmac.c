/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * HMAC-authenticated Diffie-Hellman (RFC 4650) end to end with a fixed
 * clock and a counter RNG: round trips with HMAC-SHA-1 and HMAC-SHA-256,
 * the RFC 4650 Table 4.2.a numbering accepted on input, every rejection
 * with its named error and ERR payload, and an allocation-failure sweep
 * over a whole exchange.
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


/* The OAKLEY 5 prime (RFC 3526 §2), as `openssl genpkey -genparam
 * -algorithm DH -pkeyopt group:modp_1536` prints it. */
static const char oakley5_p_hex[] =
	"FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DDEF9519B3CD3A4"
	"31B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117"
	"C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB9ED52"
	"9077096966D670C354E4ABC9804F1746C08CA237327FFFFFFFFFFFFFFFF";

static const uint8_t psk[20] = "0123456789abcdefghij";
static uint32_t rng_state_i, rng_state_r;

static mikey_ctx *make_ctx(const char *id, uint32_t *rng_state)
{
	mikey_ctx *c = mikey_ctx_new();
	if (c == NULL)
		return NULL;
	mikey_ctx_set_clock(c, fixed_clock, NULL);
	mikey_ctx_set_rng(c, counter_rng, rng_state);
	if (mikey_ctx_set_id(c, MIKEY_ID_URI, id, strlen(id)) != MIKEY_OK) {
		mikey_ctx_free(c);
		return NULL;
	}
	return c;
}

static mikey_ctx *ini, *rsp;

static void setup(void)
{
	now_ntp = T0;
	rng_state_i = 1;
	rng_state_r = 1000;
	ini = make_ctx("sip:alice@example.com", &rng_state_i);
	rsp = make_ctx("sip:bob@example.com", &rng_state_r);
	cr_assert_not_null(ini);
	cr_assert_not_null(rsp);
	cr_assert_eq(mikey_ctx_add_psk(ini, "sip:bob@example.com", 19, psk, sizeof(psk)), MIKEY_OK);
	cr_assert_eq(mikey_ctx_add_psk(rsp, "sip:alice@example.com", 21, psk, sizeof(psk)), MIKEY_OK);
}

static void teardown(void)
{
	mikey_ctx_free(ini);
	mikey_ctx_free(rsp);
}

static mikey_srtp_policy policy;
static mikey_cs_desc cs[2] = {{0x11111111, 0, 0}, {0x22222222, 5, 0}};

static void offer_for(mikey_offer *o, uint8_t mac)
{
	mikey_srtp_policy_default(&policy);
	mikey_offer_init(o, MIKEY_MODE_DHHMAC);
	o->mac_alg = mac;
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

/* The HMAC RFC 4650 §3/§4.2 puts in the KEMAC, recomputed here from the
 * pieces: auth_key = PRF(s, 0x2D22AC75 || 0xFF || CSB ID || RAND) (RFC 3830
 * §4.1.4), HMAC over the message up to the MAC field. |rand_from| is the
 * I_MESSAGE (the R_MESSAGE has no RAND). */
static void expected_mac(const uint8_t *msg, size_t len, const uint8_t *imsg, size_t ilen, mikey_md md,
                         uint8_t *tag, size_t tag_len)
{
	mikey_msg *m;
	cr_assert_eq(mikey_msg_parse(imsg, ilen, NULL, &m, NULL), MIKEY_OK);
	const mikey_payload *r = mikey_msg_find(m, MIKEY_PT_RAND, 0);
	cr_assert_not_null(r);
	uint8_t key[32];
	cr_assert_eq(mikey_kdf_envelope(MIKEY_PRF_MIKEY_1, psk, sizeof(psk), MIKEY_KDF_ENV_AUTH, m->hdr.csb_id,
	                                r->u.rand.rand.data, r->u.rand.rand.len, key, tag_len),
	             MIKEY_OK);
	mikey_msg_free(m);
	mikey_iov iov = {msg, len - tag_len};
	cr_assert_eq(mikey_crypto_hmac(md, key, tag_len, &iov, 1, tag), MIKEY_OK);
}

static void run_exchange(uint8_t mac, mikey_md md, size_t tag_len)
{
	mikey_offer o;
	mikey_exchange *ei, *er;
	uint8_t *imsg, *rmsg;
	size_t ilen, rlen;
	mikey_error err;

	offer_for(&o, mac);
	cr_assert_eq(mikey_initiate(ini, &o, &ei, &imsg, &ilen, &err), MIKEY_OK, "%s", err.message);
	cr_assert_not(mikey_exchange_is_complete(ei), "DH-HMAC: waits for DHr");
	cr_assert_eq(mikey_respond(rsp, imsg, ilen, &er, &rmsg, &rlen, &err), MIKEY_OK, "%s", err.message);
	cr_assert_not_null(rmsg, "the DH-HMAC response is mandatory");
	cr_assert(mikey_exchange_is_complete(er));
	cr_assert_eq(mikey_exchange_finish(ei, rmsg, rlen, &err), MIKEY_OK, "%s", err.message);
	cr_assert(mikey_exchange_is_complete(ei));
	cr_assert_eq(mikey_exchange_mode(er), MIKEY_MODE_DHHMAC);
	assert_same_sessions(ei, er);
	size_t idl;
	const uint8_t *id = mikey_exchange_get0_peer_id(er, &idl);
	cr_assert_eq(idl, 21);
	cr_assert_eq(memcmp(id, "sip:alice@example.com", 21), 0);

	/* RFC 4650 §3: HDR, T, RAND, IDi, IDr, SP, DHi, KEMAC and
	 * HDR, T, IDr, IDi, DHr, DHi, KEMAC. */
	static const uint8_t iorder[] = {MIKEY_PT_T,  MIKEY_PT_RAND, MIKEY_PT_ID,   MIKEY_PT_ID,
	                                 MIKEY_PT_SP, MIKEY_PT_DH,   MIKEY_PT_KEMAC};
	static const uint8_t rorder[] = {MIKEY_PT_T,  MIKEY_PT_ID, MIKEY_PT_ID,
	                                 MIKEY_PT_DH, MIKEY_PT_DH, MIKEY_PT_KEMAC};
	assert_order(imsg, ilen, MIKEY_DT_DHHMAC_INIT, iorder, sizeof(iorder));
	assert_order(rmsg, rlen, MIKEY_DT_DHHMAC_RESP, rorder, sizeof(rorder));

	/* The KEMAC on the wire: Next payload Last, Encr alg 0 (NULL, RFC 3830
	 * registry), Encr data len 0, MAC alg as offered, then the MAC. */
	const uint8_t *k = imsg + ilen - tag_len - 5;
	cr_assert_eq(k[0], 0, "KEMAC is last");
	cr_assert_eq(k[1], MIKEY_ENCR_NULL);
	cr_assert_eq(k[2], 0);
	cr_assert_eq(k[3], 0);
	cr_assert_eq(k[4], mac);
	cr_assert_eq(rmsg[rlen - tag_len - 1], mac, "the response uses the same MAC");

	/* Both MACs are what RFC 4650 §4.2 with RFC 3830 §4.1.4 gives. */
	uint8_t tag[32];
	expected_mac(imsg, ilen, imsg, ilen, md, tag, tag_len);
	cr_assert_eq(memcmp(tag, imsg + ilen - tag_len, tag_len), 0, "I_MESSAGE HMAC");
	expected_mac(rmsg, rlen, imsg, ilen, md, tag, tag_len);
	cr_assert_eq(memcmp(tag, rmsg + rlen - tag_len, tag_len), 0, "R_MESSAGE HMAC");

	mikey_buf_free(imsg, ilen);
	mikey_buf_free(rmsg, rlen);
	mikey_exchange_free(ei);
	mikey_exchange_free(er);
}

TestSuite(dhhmac, .init = setup, .fini = teardown, .timeout = 240);

Test(dhhmac, hmac_sha1)
{
	run_exchange(MIKEY_MAC_HMAC_SHA1_160, MIKEY_MD_SHA1, 20);
}

Test(dhhmac, hmac_sha256)
{
	run_exchange(MIKEY_MAC_HMAC_SHA256_256, MIKEY_MD_SHA256, 32);
}

/* Known answer, computed independently in Python (pow() and hmac/hashlib)
 * from this test's inputs: the counter RNG gives the initiator CSB ID
 * (4 bytes), RAND (16) and xi (192, top bit cleared), counter from 1, and
 * the responder xr (192), counter from 1000; the script checked DHi =
 * 2^xi mod p and DHr = 2^xr mod p against the messages, both HMACs with
 * auth_key = PRF(s, 0x2D22AC75 || 0xFF || CSB ID || RAND), then
 * TGK = 2^(xi*xr) mod p (192 bytes) and TEK/salt = PRF(TGK, 0x2AD01C64 /
 * 0x39A2C14B || cs_id || CSB ID || RAND) per RFC 3830 §4.1.2-§4.1.3. */
Test(dhhmac, known_answer)
{
	/* Confirmed by tests/vectors/dhhmac/check.py (independent Python). */
	static const uint8_t tek[2][16] = {
		{0xfa, 0x39, 0x4d, 0x1e, 0xef, 0xbf, 0xe6, 0x8a, 0x0b, 0x5a, 0x8e, 0x41, 0x96, 0xf4, 0x2f, 0x54},
		{0xb1, 0xbc, 0xb6, 0xf2, 0x22, 0x30, 0x11, 0x4c, 0x9a, 0xc9, 0x9a, 0xea, 0x78, 0xf9, 0xd2, 0xfd}};
	static const uint8_t salt[2][14] = {
		{0x48, 0xa9, 0x27, 0xbe, 0x5d, 0xc0, 0x95, 0x94, 0x84, 0xc5, 0x6c, 0xec, 0x04, 0x7d},
		{0xf5, 0xf4, 0x8c, 0xf8, 0x21, 0xa1, 0x27, 0xb7, 0x4e, 0xac, 0x42, 0x76, 0xe0, 0xe8}};
	mikey_offer o;
	mikey_exchange *ei, *er;
	uint8_t *imsg, *rmsg;
	size_t ilen, rlen;
	mikey_error err;
	offer_for(&o, MIKEY_MAC_HMAC_SHA1_160);
	cr_assert_eq(mikey_initiate(ini, &o, &ei, &imsg, &ilen, &err), MIKEY_OK, "%s", err.message);
	cr_assert_eq(mikey_respond(rsp, imsg, ilen, &er, &rmsg, &rlen, &err), MIKEY_OK, "%s", err.message);
	cr_assert_eq(mikey_exchange_finish(ei, rmsg, rlen, &err), MIKEY_OK, "%s", err.message);
	for (size_t i = 0; i < 2; i++) {
		mikey_crypto_session s;
		cr_assert_eq(mikey_exchange_get_cs(ei, i, &s, NULL), MIKEY_OK);
		cr_assert_eq(memcmp(s.master_key, tek[i], 16), 0, "TEK of crypto session %zu", i + 1);
		cr_assert_eq(memcmp(s.master_salt, salt[i], 14), 0, "salt of crypto session %zu", i + 1);
		mikey_crypto_session_cleanup(&s);
	}
	assert_same_sessions(ei, er);
	mikey_buf_free(imsg, ilen);
	mikey_buf_free(rmsg, rlen);
	mikey_exchange_free(ei);
	mikey_exchange_free(er);
}

Test(dhhmac, oakley2_when_allowed)
{
	mikey_offer o;
	mikey_exchange *ei, *er;
	uint8_t *imsg, *rmsg;
	size_t ilen, rlen;
	mikey_error err;
	offer_for(&o, MIKEY_MAC_HMAC_SHA1_160);
	o.dh_group = MIKEY_DH_OAKLEY_2;
	cr_assert_eq(mikey_initiate(ini, &o, &ei, &imsg, &ilen, &err), MIKEY_OK, "%s", err.message);
	cr_assert_eq(mikey_respond(rsp, imsg, ilen, &er, &rmsg, &rlen, &err), MIKEY_ERR_DH_GROUP);
	mikey_buf_free(rmsg, rlen);
	mikey_ctx_allow_weak_dh(rsp, true);
	cr_assert_eq(mikey_respond(rsp, imsg, ilen, &er, &rmsg, &rlen, &err), MIKEY_OK, "%s", err.message);
	cr_assert_eq(mikey_exchange_finish(ei, rmsg, rlen, &err), MIKEY_OK, "%s", err.message);
	assert_same_sessions(ei, er);
	mikey_buf_free(imsg, ilen);
	mikey_buf_free(rmsg, rlen);
	mikey_exchange_free(ei);
	mikey_exchange_free(er);
}

/* Expect a rejection with |code| and an error message carrying |err_no|. */
static void assert_rejected(const uint8_t *msg, size_t len, int code, int err_no)
{
	expect_rejected(rsp, msg, len, code, err_no, NULL);
}

static void make_init(uint8_t **msg, size_t *len, mikey_exchange **ei)
{
	mikey_offer o;
	mikey_error err;
	offer_for(&o, MIKEY_MAC_HMAC_SHA1_160);
	cr_assert_eq(mikey_initiate(ini, &o, ei, msg, len, &err), MIKEY_OK, "%s", err.message);
}

Test(dhhmac, rfc4650_numbering_accepted)
{
	/* RFC 4650 §4.2 writes HMAC-SHA-1 as MAC alg 0 and NULL encryption as
	 * Encr alg 2; a peer that follows it sends this. Rewrite our message
	 * that way and put the HMAC it would compute over it. */
	uint8_t *msg, *resp;
	size_t len, rlen;
	mikey_exchange *ei, *er;
	mikey_error err;
	make_init(&msg, &len, &ei);
	cr_assert_eq(msg[len - 21], MIKEY_MAC_HMAC_SHA1_160);
	cr_assert_eq(msg[len - 24], MIKEY_ENCR_NULL);
	for (int variant = 0; variant < 2; variant++) {
		msg[len - 21] = 0; /* Table 4.2.a: HMAC-SHA-1 */
		if (variant == 1)
			msg[len - 24] = 2; /* §4.2: "Encr alg SHALL be set to 2 (NULL)" */
		expected_mac(msg, len, msg, len, MIKEY_MD_SHA1, msg + len - 20, 20);
		cr_assert_eq(mikey_respond(rsp, msg, len, &er, &resp, &rlen, &err), MIKEY_OK, "variant %d: %s",
		             variant, err.message);
		/* We answer with the registry numbering (docs/interpretations.md §1). */
		cr_assert_eq(resp[rlen - 21], MIKEY_MAC_HMAC_SHA1_160);
		cr_assert_eq(resp[rlen - 24], MIKEY_ENCR_NULL);
		if (variant == 1) {
			/* The message is ours but for the numbering, so Alice can finish. */
			cr_assert_eq(mikey_exchange_finish(ei, resp, rlen, &err), MIKEY_OK, "%s", err.message);
			assert_same_sessions(ei, er);
		}
		mikey_buf_free(resp, rlen);
		mikey_exchange_free(er);
		now_ntp += (uint64_t)1 << 32; /* not a replay of variant 0 */
	}
	/* A response in RFC 4650 numbering is accepted by the initiator too. */
	mikey_exchange_free(ei);
	mikey_buf_free(msg, len);
	make_init(&msg, &len, &ei);
	cr_assert_eq(mikey_respond(rsp, msg, len, &er, &resp, &rlen, &err), MIKEY_OK, "%s", err.message);
	resp[rlen - 21] = 0;
	resp[rlen - 24] = 2;
	expected_mac(resp, rlen, msg, len, MIKEY_MD_SHA1, resp + rlen - 20, 20);
	cr_assert_eq(mikey_exchange_finish(ei, resp, rlen, &err), MIKEY_OK, "%s", err.message);
	assert_same_sessions(ei, er);
	mikey_buf_free(resp, rlen);
	mikey_exchange_free(er);
	mikey_buf_free(msg, len);
	mikey_exchange_free(ei);
}

Test(dhhmac, wrong_psk_is_auth_failure)
{
	uint8_t *msg;
	size_t len;
	mikey_exchange *ei;
	static const uint8_t other[20] = "XXXXXXXXXXXXXXXXXXXX";
	cr_assert_eq(mikey_ctx_add_psk(rsp, "sip:alice@example.com", 21, other, sizeof(other)), MIKEY_OK);
	make_init(&msg, &len, &ei);
	assert_rejected(msg, len, MIKEY_ERR_AUTH, MIKEY_ERRNO_AUTH_FAILURE);
	/* The right key again: the rejection left no trace. */
	cr_assert_eq(mikey_ctx_add_psk(rsp, "sip:alice@example.com", 21, psk, sizeof(psk)), MIKEY_OK);
	mikey_exchange *er;
	uint8_t *resp;
	size_t rlen;
	cr_assert_eq(mikey_respond(rsp, msg, len, &er, &resp, &rlen, NULL), MIKEY_OK);
	mikey_buf_free(resp, rlen);
	mikey_exchange_free(er);
	mikey_buf_free(msg, len);
	mikey_exchange_free(ei);
}

Test(dhhmac, unknown_initiator_is_invalid_id)
{
	uint8_t *msg;
	size_t len;
	mikey_exchange *ei;
	mikey_ctx_free(rsp);
	rsp = make_ctx("sip:bob@example.com", &rng_state_r);
	make_init(&msg, &len, &ei);
	assert_rejected(msg, len, MIKEY_ERR_IDENTITY, MIKEY_ERRNO_INVALID_ID);
	mikey_buf_free(msg, len);
	mikey_exchange_free(ei);
}

Test(dhhmac, idr_naming_someone_else)
{
	mikey_offer o;
	uint8_t *msg;
	size_t len;
	mikey_exchange *ei;
	/* Alice shares the key with Carol too; a message for Carol that
	 * reaches Bob (who also shares it) is not for him. */
	cr_assert_eq(mikey_ctx_add_psk(ini, "sip:carol@example.com", 21, psk, sizeof(psk)), MIKEY_OK);
	offer_for(&o, MIKEY_MAC_HMAC_SHA1_160);
	o.peer_id = "sip:carol@example.com";
	o.peer_id_len = 21;
	cr_assert_eq(mikey_initiate(ini, &o, &ei, &msg, &len, NULL), MIKEY_OK);
	assert_rejected(msg, len, MIKEY_ERR_IDENTITY, MIKEY_ERRNO_INVALID_ID);
	mikey_buf_free(msg, len);
	mikey_exchange_free(ei);
}

Test(dhhmac, weak_group_refused_without_permission)
{
	mikey_offer o;
	uint8_t *msg;
	size_t len;
	mikey_exchange *ei;
	offer_for(&o, MIKEY_MAC_HMAC_SHA1_160);
	o.dh_group = MIKEY_DH_OAKLEY_1;
	cr_assert_eq(mikey_initiate(ini, &o, &ei, &msg, &len, NULL), MIKEY_OK);
	assert_rejected(msg, len, MIKEY_ERR_DH_GROUP, MIKEY_ERRNO_INVALID_DH);
	mikey_buf_free(msg, len);
	mikey_exchange_free(ei);
}

Test(dhhmac, stale_and_future_timestamps)
{
	uint8_t *msg;
	size_t len;
	mikey_exchange *ei;
	make_init(&msg, &len, &ei);
	now_ntp = T0 + ((uint64_t)301 << 32);
	assert_rejected(msg, len, MIKEY_ERR_TIMESTAMP, MIKEY_ERRNO_INVALID_TS);
	now_ntp = T0 - ((uint64_t)301 << 32);
	assert_rejected(msg, len, MIKEY_ERR_TIMESTAMP, MIKEY_ERRNO_INVALID_TS);
	mikey_buf_free(msg, len);
	mikey_exchange_free(ei);
}

Test(dhhmac, replay_is_refused)
{
	uint8_t *msg, *resp;
	size_t len, rlen;
	mikey_exchange *ei, *er;
	make_init(&msg, &len, &ei);
	cr_assert_eq(mikey_respond(rsp, msg, len, &er, &resp, &rlen, NULL), MIKEY_OK);
	mikey_buf_free(resp, rlen);
	mikey_exchange_free(er);
	assert_rejected(msg, len, MIKEY_ERR_REPLAY, MIKEY_ERRNO_INVALID_TS);
	mikey_buf_free(msg, len);
	mikey_exchange_free(ei);
}

Test(dhhmac, every_single_byte_flip_of_i_message_rejected_without_state_change)
{
	uint8_t *msg;
	size_t len;
	mikey_exchange *ei;
	make_init(&msg, &len, &ei);
	for (size_t i = 0; i < len; i++) {
		for (int bit = 0; bit < 8; bit++) {
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
	mikey_exchange *er;
	uint8_t *resp;
	size_t rlen;
	cr_assert_eq(mikey_respond(rsp, msg, len, &er, &resp, &rlen, NULL), MIKEY_OK);
	mikey_buf_free(resp, rlen);
	mikey_exchange_free(er);
	mikey_buf_free(msg, len);
	mikey_exchange_free(ei);
}

Test(dhhmac, tampered_r_message_rejected_by_initiator)
{
	uint8_t *msg, *resp;
	size_t len, rlen;
	mikey_exchange *ei, *er;
	mikey_error err;
	make_init(&msg, &len, &ei);
	cr_assert_eq(mikey_respond(rsp, msg, len, &er, &resp, &rlen, NULL), MIKEY_OK);
	for (size_t i = 0; i < rlen; i++) {
		for (int bit = 0; bit < 8; bit++) {
			resp[i] ^= (uint8_t)(1u << bit);
			int rc = mikey_exchange_finish(ei, resp, rlen, &err);
			cr_assert_neq(rc, MIKEY_OK, "flip of bit %d in byte %zu of R_MESSAGE accepted", bit, i);
			cr_assert_not(mikey_exchange_is_complete(ei));
			resp[i] ^= (uint8_t)(1u << bit);
		}
	}
	resp[rlen - 1] ^= 1;
	cr_assert_eq(mikey_exchange_finish(ei, resp, rlen, &err), MIKEY_ERR_AUTH, "%s", err.message);
	resp[rlen - 1] ^= 1;
	cr_assert_eq(mikey_exchange_finish(ei, resp, rlen, &err), MIKEY_OK, "%s", err.message);
	assert_same_sessions(ei, er);
	mikey_buf_free(resp, rlen);
	mikey_buf_free(msg, len);
	mikey_exchange_free(ei);
	mikey_exchange_free(er);
}

Test(dhhmac, response_with_another_psk_is_refused)
{
	uint8_t *msg, *resp;
	size_t len, rlen;
	mikey_exchange *ei, *er;
	mikey_error err;
	make_init(&msg, &len, &ei);
	cr_assert_eq(mikey_respond(rsp, msg, len, &er, &resp, &rlen, NULL), MIKEY_OK);
	/* Re-MAC the genuine response under another key. */
	static const uint8_t other[20] = "XXXXXXXXXXXXXXXXXXXX";
	mikey_msg *m;
	cr_assert_eq(mikey_msg_parse(msg, len, NULL, &m, NULL), MIKEY_OK);
	const mikey_payload *r = mikey_msg_find(m, MIKEY_PT_RAND, 0);
	uint8_t key[20];
	cr_assert_eq(mikey_kdf_envelope(MIKEY_PRF_MIKEY_1, other, 20, MIKEY_KDF_ENV_AUTH, m->hdr.csb_id,
	                                r->u.rand.rand.data, r->u.rand.rand.len, key, 20),
	             MIKEY_OK);
	mikey_msg_free(m);
	mikey_iov iov = {resp, rlen - 20};
	cr_assert_eq(mikey_crypto_hmac(MIKEY_MD_SHA1, key, 20, &iov, 1, resp + rlen - 20), MIKEY_OK);
	cr_assert_eq(mikey_exchange_finish(ei, resp, rlen, &err), MIKEY_ERR_AUTH, "%s", err.message);
	cr_assert_not(mikey_exchange_is_complete(ei));
	mikey_buf_free(resp, rlen);
	mikey_buf_free(msg, len);
	mikey_exchange_free(ei);
	mikey_exchange_free(er);
}

/* --- Bad DH values, validly MACed -------------------------------------- */

static void hex_to_bytes(const char *hex, uint8_t *out, size_t len)
{
	cr_assert_eq(strlen(hex), 2 * len);
	for (size_t i = 0; i < len; i++) {
		unsigned v;
		cr_assert_eq(sscanf(hex + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
}

/* The |n|-th DH value of |msg| replaced by |value|, HMAC-SHA-1 redone with
 * the PSK (RAND and CSB ID from |imsg|). */
static void forge_dh(uint8_t *msg, size_t len, const uint8_t *imsg, size_t ilen, size_t n, const uint8_t value[192])
{
	mikey_msg *m;
	cr_assert_eq(mikey_msg_parse(msg, len, NULL, &m, NULL), MIKEY_OK);
	const mikey_payload *d = mikey_msg_find(m, MIKEY_PT_DH, n);
	cr_assert_not_null(d);
	cr_assert_eq(d->u.dh.value.len, 192);
	/* The DH-value starts one byte (DH-Group) after the payload's Next
	 * payload byte. */
	size_t off = d->offset + 2;
	mikey_msg_free(m);
	memcpy(msg + off, value, 192);
	expected_mac(msg, len, imsg, ilen, MIKEY_MD_SHA1, msg + len - 20, 20);
}

static void bad_values(uint8_t v[3][192])
{
	memset(v, 0, 3 * 192);
	v[1][191] = 1;
	hex_to_bytes(oakley5_p_hex, v[2], 192);
	cr_assert_eq(v[2][191], 0xff);
	v[2][191] = 0xfe; /* p - 1 */
}

Test(dhhmac, dhi_zero_one_and_p_minus_1_rejected)
{
	uint8_t *msg;
	size_t len;
	mikey_exchange *ei;
	uint8_t v[3][192];
	bad_values(v);
	make_init(&msg, &len, &ei);
	uint8_t *copy = malloc(len);
	for (int k = 0; k < 3; k++) {
		memcpy(copy, msg, len);
		forge_dh(copy, len, msg, len, 0, v[k]);
		assert_rejected(copy, len, MIKEY_ERR_DH_GROUP, MIKEY_ERRNO_INVALID_DH);
	}
	/* The forging itself is right: the original value forged back in is
	 * the original message, and is accepted. */
	mikey_msg *m;
	cr_assert_eq(mikey_msg_parse(msg, len, NULL, &m, NULL), MIKEY_OK);
	uint8_t orig[192];
	memcpy(orig, mikey_msg_find(m, MIKEY_PT_DH, 0)->u.dh.value.data, 192);
	mikey_msg_free(m);
	forge_dh(copy, len, msg, len, 0, orig);
	cr_assert_eq(memcmp(copy, msg, len), 0);
	mikey_exchange *er;
	uint8_t *resp;
	size_t rlen;
	cr_assert_eq(mikey_respond(rsp, copy, len, &er, &resp, &rlen, NULL), MIKEY_OK);
	mikey_buf_free(resp, rlen);
	mikey_exchange_free(er);
	free(copy);
	mikey_buf_free(msg, len);
	mikey_exchange_free(ei);
}

Test(dhhmac, dhr_zero_one_and_p_minus_1_rejected)
{
	uint8_t *msg, *resp;
	size_t len, rlen;
	mikey_exchange *ei, *er;
	uint8_t v[3][192];
	bad_values(v);
	make_init(&msg, &len, &ei);
	cr_assert_eq(mikey_respond(rsp, msg, len, &er, &resp, &rlen, NULL), MIKEY_OK);
	uint8_t *copy = malloc(rlen);
	for (int k = 0; k < 3; k++) {
		mikey_error err;
		memcpy(copy, resp, rlen);
		forge_dh(copy, rlen, msg, len, 0, v[k]);
		cr_assert_eq(mikey_exchange_finish(ei, copy, rlen, &err), MIKEY_ERR_DH_GROUP, "%s", err.message);
		cr_assert_not(mikey_exchange_is_complete(ei));
	}
	cr_assert_eq(mikey_exchange_finish(ei, resp, rlen, NULL), MIKEY_OK);
	assert_same_sessions(ei, er);
	free(copy);
	mikey_buf_free(resp, rlen);
	mikey_buf_free(msg, len);
	mikey_exchange_free(ei);
	mikey_exchange_free(er);
}

/* --- Allocation failures ---------------------------------------------- */

typedef struct failmalloc {
	size_t calls, fail_at, injected, live;
} failmalloc;
static failmalloc fm;

static bool fm_fail(void)
{
	fm.calls++;
	if (fm.fail_at != 0 && fm.calls == fm.fail_at) {
		fm.injected++;
		return true;
	}
	return false;
}

static void *fm_malloc(size_t size, void *user)
{
	(void)user;
	if (fm_fail())
		return NULL;
	void *p = malloc(size ? size : 1);
	if (p != NULL)
		fm.live++;
	return p;
}

static void *fm_realloc(void *ptr, size_t size, void *user)
{
	(void)user;
	if (fm_fail())
		return NULL;
	void *p = realloc(ptr, size ? size : 1);
	if (p != NULL && ptr == NULL)
		fm.live++;
	return p;
}

static void fm_free(void *ptr, void *user)
{
	(void)user;
	if (ptr == NULL)
		return;
	fm.live--;
	free(ptr);
}

static const mikey_mem fm_mem = {fm_malloc, fm_realloc, fm_free, NULL};

static bool ok_or_nomem(int rc)
{
	return rc == MIKEY_OK || rc == MIKEY_ERR_NOMEM;
}

/* One whole DH-HMAC exchange, contexts included. Returns true when it
 * went through; every step may instead fail with MIKEY_ERR_NOMEM. */
static bool full_exchange(void)
{
	mikey_ctx *a = NULL, *b = NULL;
	mikey_exchange *ei = NULL, *er = NULL;
	uint8_t *imsg = NULL, *rmsg = NULL;
	size_t ilen = 0, rlen = 0;
	bool done = false;
	int rc;
	uint32_t sa = 1, sb = 1000;

	a = make_ctx("sip:alice@example.com", &sa);
	b = make_ctx("sip:bob@example.com", &sb);
	if (a == NULL || b == NULL)
		goto out;
	rc = mikey_ctx_add_psk(a, "sip:bob@example.com", 19, psk, sizeof(psk));
	cr_assert(ok_or_nomem(rc), "%s", mikey_error_name(rc));
	if (rc != MIKEY_OK)
		goto out;
	rc = mikey_ctx_add_psk(b, "sip:alice@example.com", 21, psk, sizeof(psk));
	cr_assert(ok_or_nomem(rc), "%s", mikey_error_name(rc));
	if (rc != MIKEY_OK)
		goto out;
	mikey_offer o;
	offer_for(&o, MIKEY_MAC_HMAC_SHA1_160);
	rc = mikey_initiate(a, &o, &ei, &imsg, &ilen, NULL);
	cr_assert(ok_or_nomem(rc), "initiate: %s", mikey_error_name(rc));
	if (rc != MIKEY_OK) {
		cr_assert_null(ei);
		cr_assert_null(imsg);
		goto out;
	}
	rc = mikey_respond(b, imsg, ilen, &er, &rmsg, &rlen, NULL);
	cr_assert(ok_or_nomem(rc), "respond: %s", mikey_error_name(rc));
	if (rc != MIKEY_OK) {
		cr_assert_null(er);
		cr_assert_null(rmsg, "no error message when out of memory");
		goto out;
	}
	rc = mikey_exchange_finish(ei, rmsg, rlen, NULL);
	cr_assert(ok_or_nomem(rc), "finish: %s", mikey_error_name(rc));
	if (rc != MIKEY_OK) {
		cr_assert_not(mikey_exchange_is_complete(ei));
		goto out;
	}
	mikey_crypto_session x, y;
	rc = mikey_exchange_get_cs(ei, 1, &x, NULL);
	cr_assert_eq(rc, MIKEY_OK, "get_cs allocates nothing");
	cr_assert_eq(mikey_exchange_get_cs(er, 1, &y, NULL), MIKEY_OK);
	cr_assert_eq(memcmp(x.master_key, y.master_key, 16), 0);
	mikey_crypto_session_cleanup(&x);
	mikey_crypto_session_cleanup(&y);
	done = true;
out:
	mikey_buf_free(imsg, ilen);
	mikey_buf_free(rmsg, rlen);
	mikey_exchange_free(ei);
	mikey_exchange_free(er);
	mikey_ctx_free(a);
	mikey_ctx_free(b);
	return done;
}

Test(dhhmac_alloc, fail_every_allocation_of_a_full_exchange, .timeout = 600)
{
	/* Warm up (crypto self test, OpenSSL providers) with the C allocator,
	 * so that what follows counts only this exchange. */
	cr_assert(full_exchange());
	mikey_mem_set(&fm_mem);
	memset(&fm, 0, sizeof(fm));
	cr_assert(full_exchange(), "the exchange works through the counting allocator");
	size_t total = fm.calls;
	cr_assert_eq(fm.live, 0, "no leak without failures");
	cr_assert_gt(total, 10);
	size_t n;
	for (n = 1;; n++) {
		memset(&fm, 0, sizeof(fm));
		fm.fail_at = n;
		bool done = full_exchange();
		cr_assert_eq(fm.live, 0, "allocation %zu failed: %zu blocks leaked", n, fm.live);
		if (fm.injected == 0) {
			cr_assert(done, "no failure injected, yet the exchange failed");
			break;
		}
	}
	mikey_mem_set(NULL);
	cr_log_info("DH-HMAC exchange: %zu allocations, each failed once in turn", total);
	cr_assert_eq(n, total + 1, "every one of the %zu allocations was failed once", total);
}
