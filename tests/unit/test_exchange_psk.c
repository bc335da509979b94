/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The pre-shared key method (RFC 3830 §3.1) end to end with a fixed clock
 * and RNG: round trips for each algorithm choice, and every rejection the
 * responder must make, each with its named error and ERR payload, with no
 * replay-cache change.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "mikey/exchange.h"
#include "mikey/mikey.h"

#include "../common/exchange_fixture.h"


static const uint8_t psk[20] = "0123456789abcdefghij";
static uint32_t rng_state_i, rng_state_r;

static mikey_ctx *make_ctx(const char *id, uint32_t *rng_state)
{
	mikey_ctx *c = mikey_ctx_new();
	cr_assert_not_null(c);
	mikey_ctx_set_clock(c, fixed_clock, NULL);
	mikey_ctx_set_rng(c, counter_rng, rng_state);
	cr_assert_eq(mikey_ctx_set_id(c, MIKEY_ID_URI, id, strlen(id)), MIKEY_OK);
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

static void offer_for(mikey_offer *o, uint8_t encr, uint8_t mac)
{
	mikey_srtp_policy_default(&policy);
	mikey_offer_init(o, MIKEY_MODE_PSK);
	o->encr_alg = encr;
	o->mac_alg = mac;
	o->want_verify = true;
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
		cr_assert_eq(memcmp(x.master_key, y.master_key, 16), 0, "both sides derive the same TEK");
		cr_assert_eq(memcmp(x.master_salt, y.master_salt, 14), 0);
		mikey_crypto_session_cleanup(&x);
		mikey_crypto_session_cleanup(&y);
	}
	mikey_crypto_session s1, s2;
	cr_assert_eq(mikey_exchange_get_cs(a, 0, &s1, NULL), MIKEY_OK);
	cr_assert_eq(mikey_exchange_get_cs(a, 1, &s2, NULL), MIKEY_OK);
	cr_assert_neq(memcmp(s1.master_key, s2.master_key, 16), 0, "cs_id enters the derivation (RFC 3830 §4.1.3)");
}

static void run_exchange(uint8_t encr, uint8_t mac)
{
	mikey_offer o;
	mikey_exchange *ei, *er;
	uint8_t *imsg, *rmsg;
	size_t ilen, rlen;
	mikey_error err;

	offer_for(&o, encr, mac);
	cr_assert_eq(mikey_initiate(ini, &o, &ei, &imsg, &ilen, &err), MIKEY_OK, "%s", err.message);
	cr_assert_not(mikey_exchange_is_complete(ei), "V flag set: waits for the response");
	cr_assert_eq(mikey_respond(rsp, imsg, ilen, &er, &rmsg, &rlen, &err), MIKEY_OK, "%s", err.message);
	cr_assert_not_null(rmsg);
	cr_assert(mikey_exchange_is_complete(er));
	cr_assert_eq(mikey_exchange_finish(ei, rmsg, rlen, &err), MIKEY_OK, "%s", err.message);
	cr_assert(mikey_exchange_is_complete(ei));
	assert_same_sessions(ei, er);
	size_t idl;
	const uint8_t *id = mikey_exchange_get0_peer_id(er, &idl);
	cr_assert_eq(idl, 21);
	cr_assert_eq(memcmp(id, "sip:alice@example.com", 21), 0);

	/* The message is what RFC 3830 §3.1 says: HDR, T, RAND, IDi, IDr, SP, KEMAC. */
	mikey_msg *m;
	cr_assert_eq(mikey_msg_parse(imsg, ilen, NULL, &m, NULL), MIKEY_OK);
	static const uint8_t order[] = {MIKEY_PT_T, MIKEY_PT_RAND, MIKEY_PT_ID, MIKEY_PT_ID, MIKEY_PT_SP, MIKEY_PT_KEMAC};
	size_t i = 0;
	for (mikey_payload *p = m->payloads.first; p; p = p->next, i++)
		cr_assert_eq(p->type, order[i]);
	cr_assert_eq(m->payloads.last->u.kemac.encr_alg, encr);
	if (encr != MIKEY_ENCR_NULL)
		cr_assert_eq(m->payloads.last->u.kemac.sub.count, 0, "key data is not in the clear");
	mikey_msg_free(m);

	mikey_buf_free(imsg, ilen);
	mikey_buf_free(rmsg, rlen);
	mikey_exchange_free(ei);
	mikey_exchange_free(er);
}

TestSuite(psk, .init = setup, .fini = teardown);

Test(psk, aes_cm_128_hmac_sha1)
{
	run_exchange(MIKEY_ENCR_AES_CM_128, MIKEY_MAC_HMAC_SHA1_160);
}

Test(psk, aes_kw_128_hmac_sha1)
{
	run_exchange(MIKEY_ENCR_AES_KW_128, MIKEY_MAC_HMAC_SHA1_160);
}

Test(psk, aes_cm_256_hmac_sha256)
{
	run_exchange(MIKEY_ENCR_AES_CM_256, MIKEY_MAC_HMAC_SHA256_256);
}

Test(psk, null_kemac_only_when_allowed)
{
	mikey_offer o;
	mikey_exchange *ei, *er;
	uint8_t *imsg, *rmsg;
	size_t ilen, rlen;
	mikey_error err;

	offer_for(&o, MIKEY_ENCR_NULL, MIKEY_MAC_NULL);
	cr_assert_eq(mikey_initiate(ini, &o, &ei, &imsg, &ilen, &err), MIKEY_OK);
	cr_assert_eq(mikey_respond(rsp, imsg, ilen, &er, &rmsg, &rlen, &err), MIKEY_ERR_ENCR_ALG);
	cr_assert_null(er);
	mikey_buf_free(rmsg, rlen);
	mikey_ctx_allow_null_kemac(rsp, true);
	cr_assert_eq(mikey_respond(rsp, imsg, ilen, &er, &rmsg, &rlen, &err), MIKEY_OK, "%s", err.message);
	cr_assert_eq(mikey_exchange_finish(ei, rmsg, rlen, &err), MIKEY_OK, "%s", err.message);
	assert_same_sessions(ei, er);
	mikey_buf_free(imsg, ilen);
	mikey_buf_free(rmsg, rlen);
	mikey_exchange_free(ei);
	mikey_exchange_free(er);
}

/* RFC 3830 §4.2.4 ties the NULL MAC to NULL encryption, not the reverse;
 * §4.2.3: a NULL MAC SHOULD NOT be used with a pre-shared key, even with
 * the key wrap (that is the public-key method's combination). */
Test(psk, null_mac_goes_with_null_encryption_only)
{
	mikey_offer o;
	mikey_exchange *ei = NULL, *er = NULL;
	uint8_t *imsg = NULL, *rmsg = NULL;
	size_t ilen = 0, rlen = 0;
	mikey_error err;

	offer_for(&o, MIKEY_ENCR_AES_CM_128, MIKEY_MAC_NULL);
	cr_assert_eq(mikey_initiate(ini, &o, &ei, &imsg, &ilen, &err), MIKEY_ERR_MAC_ALG);
	offer_for(&o, MIKEY_ENCR_AES_KW_128, MIKEY_MAC_NULL);
	cr_assert_eq(mikey_initiate(ini, &o, &ei, &imsg, &ilen, &err), MIKEY_ERR_MAC_ALG);
	cr_assert_null(ei);
	/* NULL encryption with a real MAC may be sent; a responder takes it
	 * only when NULL KEMACs are allowed (restricted use, §4.2.3). */
	offer_for(&o, MIKEY_ENCR_NULL, MIKEY_MAC_HMAC_SHA1_160);
	cr_assert_eq(mikey_initiate(ini, &o, &ei, &imsg, &ilen, &err), MIKEY_OK, "%s", err.message);
	cr_assert_eq(mikey_respond(rsp, imsg, ilen, &er, &rmsg, &rlen, &err), MIKEY_ERR_ENCR_ALG);
	mikey_buf_free(rmsg, rlen);
	mikey_ctx_allow_null_kemac(rsp, true);
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
	offer_for(&o, MIKEY_ENCR_AES_CM_128, MIKEY_MAC_HMAC_SHA1_160);
	cr_assert_eq(mikey_initiate(ini, &o, ei, msg, len, NULL), MIKEY_OK);
}

Test(psk, wrong_psk_is_auth_failure)
{
	uint8_t *msg;
	size_t len;
	mikey_exchange *ei;
	static const uint8_t other[20] = "XXXXXXXXXXXXXXXXXXXX";
	cr_assert_eq(mikey_ctx_add_psk(rsp, "sip:alice@example.com", 21, other, sizeof(other)), MIKEY_OK);
	make_init(&msg, &len, &ei);
	assert_rejected(msg, len, MIKEY_ERR_AUTH, MIKEY_ERRNO_AUTH_FAILURE);
	mikey_buf_free(msg, len);
	mikey_exchange_free(ei);
}

Test(psk, every_single_byte_flip_is_rejected_without_state_change)
{
	uint8_t *msg;
	size_t len;
	mikey_exchange *ei;
	make_init(&msg, &len, &ei);
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
	mikey_exchange *er;
	uint8_t *resp;
	size_t rlen;
	cr_assert_eq(mikey_respond(rsp, msg, len, &er, &resp, &rlen, NULL), MIKEY_OK);
	mikey_buf_free(resp, rlen);
	mikey_exchange_free(er);
	mikey_buf_free(msg, len);
	mikey_exchange_free(ei);
}

Test(psk, replay_is_refused)
{
	uint8_t *msg;
	size_t len;
	mikey_exchange *ei, *er;
	uint8_t *resp;
	size_t rlen;
	make_init(&msg, &len, &ei);
	cr_assert_eq(mikey_respond(rsp, msg, len, &er, &resp, &rlen, NULL), MIKEY_OK);
	mikey_buf_free(resp, rlen);
	mikey_exchange_free(er);
	assert_rejected(msg, len, MIKEY_ERR_REPLAY, MIKEY_ERRNO_INVALID_TS);
	mikey_buf_free(msg, len);
	mikey_exchange_free(ei);
}

Test(psk, stale_and_future_timestamps_are_refused)
{
	uint8_t *msg;
	size_t len;
	mikey_exchange *ei;
	make_init(&msg, &len, &ei);
	now_ntp = T0 + ((uint64_t)301 << 32);
	assert_rejected(msg, len, MIKEY_ERR_TIMESTAMP, MIKEY_ERRNO_INVALID_TS);
	now_ntp = T0 - ((uint64_t)301 << 32);
	assert_rejected(msg, len, MIKEY_ERR_TIMESTAMP, MIKEY_ERRNO_INVALID_TS);
	now_ntp = T0 + ((uint64_t)299 << 32);
	mikey_exchange *er;
	uint8_t *resp;
	size_t rlen;
	cr_assert_eq(mikey_respond(rsp, msg, len, &er, &resp, &rlen, NULL), MIKEY_OK, "within the window");
	mikey_buf_free(resp, rlen);
	mikey_exchange_free(er);
	mikey_buf_free(msg, len);
	mikey_exchange_free(ei);
}

Test(psk, unknown_initiator_is_invalid_id)
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

Test(psk, tampered_verification_message_fails_at_initiator)
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

Test(psk, error_message_ends_the_initiators_exchange)
{
	uint8_t *msg, *resp;
	size_t len, rlen;
	mikey_exchange *ei, *er;
	static const uint8_t other[20] = "XXXXXXXXXXXXXXXXXXXX";
	cr_assert_eq(mikey_ctx_add_psk(rsp, "sip:alice@example.com", 21, other, sizeof(other)), MIKEY_OK);
	make_init(&msg, &len, &ei);
	cr_assert_eq(mikey_respond(rsp, msg, len, &er, &resp, &rlen, NULL), MIKEY_ERR_AUTH);
	mikey_error err;
	cr_assert_eq(mikey_exchange_finish(ei, resp, rlen, &err), MIKEY_ERR_PEER_ERROR);
	cr_assert(strstr(err.message, "Auth failure") != NULL, "%s", err.message);
	mikey_buf_free(resp, rlen);
	mikey_buf_free(msg, len);
	mikey_exchange_free(ei);
}

Test(psk, tek_with_salt_is_used_as_is)
{
	mikey_offer o;
	mikey_exchange *ei, *er;
	uint8_t *imsg, *rmsg;
	size_t ilen, rlen;
	static const uint8_t key[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
	static const uint8_t salt[14] = {0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae};
	static const uint8_t mki[2] = {0, 1};
	offer_for(&o, MIKEY_ENCR_AES_CM_128, MIKEY_MAC_HMAC_SHA1_160);
	o.want_verify = false;
	o.key_type = MIKEY_KEY_TEK_SALT;
	o.key = key;
	o.key_len = 16;
	o.salt = salt;
	o.salt_len = 14;
	o.mki = mki;
	o.mki_len = 2;
	cr_assert_eq(mikey_initiate(ini, &o, &ei, &imsg, &ilen, NULL), MIKEY_OK);
	cr_assert(mikey_exchange_is_complete(ei), "no verification asked: complete at once");
	cr_assert_eq(mikey_respond(rsp, imsg, ilen, &er, &rmsg, &rlen, NULL), MIKEY_OK);
	cr_assert_null(rmsg, "V flag clear: no response");
	mikey_crypto_session s;
	cr_assert_eq(mikey_exchange_get_cs(er, 1, &s, NULL), MIKEY_OK);
	cr_assert_eq(memcmp(s.master_key, key, 16), 0);
	cr_assert_eq(memcmp(s.master_salt, salt, 14), 0);
	cr_assert_eq(s.mki_len, 2);
	cr_assert_eq(s.mki[1], 1);
	mikey_crypto_session_cleanup(&s);
	mikey_buf_free(imsg, ilen);
	mikey_exchange_free(ei);
	mikey_exchange_free(er);
}

/* GStreamer's new_from_caps output for srtpenc caps (aes-128-icm,
 * hmac-sha1-80, 30-byte srtp-key, SSRC 0x12345678, ROC 0), written by hand
 * from its layout (docs/interop-gstreamer.md): HDR PSK init without IDs,
 * T, RAND, SP with the tag length in parameter 3, NULL KEMAC carrying key
 * and salt as one 30-byte TEK. */
Test(psk, consumes_gstreamer_null_kemac_without_a_psk)
{
	uint8_t msg[256];
	size_t n = 0;
	static const uint8_t hdr[] = {0x01, 0x00, 0x05, 0x00, 0xca, 0xfe, 0x00, 0x01, 0x01, 0x00,
	                              0x00, 0x12, 0x34, 0x56, 0x78, 0x00, 0x00, 0x00, 0x00};
	memcpy(msg, hdr, sizeof(hdr));
	n = sizeof(hdr);
	uint64_t t = T0;
	msg[n++] = MIKEY_PT_RAND; /* T: next RAND */
	msg[n++] = MIKEY_TS_NTP_UTC;
	for (int i = 7; i >= 0; i--)
		msg[n++] = (uint8_t)(t >> (8 * i));
	msg[n++] = MIKEY_PT_SP; /* RAND: next SP, 16 bytes */
	msg[n++] = 16;
	for (int i = 0; i < 16; i++)
		msg[n++] = (uint8_t)(0x40 + i);
	static const uint8_t sp[] = {MIKEY_PT_KEMAC, 0, 0, 0, 15, 0, 1, 1, 1, 1, 16, 2, 1, 1, 3, 1, 10, 4, 1, 14};
	memcpy(msg + n, sp, sizeof(sp));
	n += sizeof(sp);
	static const uint8_t kemac_head[] = {0, 0, 0, 34, 0, 0x20, 0, 30}; /* last, NULL, 34; Key data: TEK, KV NULL, 30 */
	memcpy(msg + n, kemac_head, sizeof(kemac_head));
	n += sizeof(kemac_head);
	for (int i = 0; i < 30; i++)
		msg[n++] = (uint8_t)(0xc0 + i);
	msg[n++] = 0; /* MAC alg NULL */

	mikey_ctx *plain = mikey_ctx_new();
	uint32_t st = 5;
	mikey_ctx_set_clock(plain, fixed_clock, NULL);
	mikey_ctx_set_rng(plain, counter_rng, &st);
	mikey_ctx_allow_null_kemac(plain, true);
	mikey_exchange *ex;
	uint8_t *resp;
	size_t rlen;
	mikey_error err;
	cr_assert_eq(mikey_respond(plain, msg, n, &ex, &resp, &rlen, &err), MIKEY_OK, "%s", err.message);
	mikey_crypto_session s;
	cr_assert_eq(mikey_exchange_get_cs(ex, 0, &s, &err), MIKEY_OK, "%s", err.message);
	cr_assert_eq(s.ssrc, 0x12345678);
	cr_assert_eq(s.policy.auth_tag_len, 10, "tag length read from GStreamer's parameter 3");
	cr_assert(s.policy.quirks & MIKEY_SRTP_QUIRK_TAG_IN_AUTH_KEY_LEN);
	cr_assert_eq(s.master_key[0], 0xc0);
	cr_assert_eq(s.master_key[15], 0xcf);
	cr_assert_eq(s.master_salt[0], 0xd0, "the 30-byte TEK is key || salt");
	cr_assert_eq(s.master_salt[13], 0xdd);
	mikey_crypto_session_cleanup(&s);
	mikey_exchange_free(ex);
	mikey_ctx_free(plain);
}

/* RFC 4442: the sender's TESLA parameters and chain commitment ride in the
 * I_MESSAGE (SP of Prot type TESLA + TESLA I-Key) and come out with every
 * crypto session on the responder. */
Test(psk, carries_tesla_bootstrap)
{
	mikey_tesla_params tp;
	mikey_tesla_params_default(&tp);
	tp.t_0 = T0;
	tp.t_int = 20;
	tp.d = 2;
	tp.n_c = 1000;
	uint8_t seed[20];
	for (int i = 0; i < 20; i++)
		seed[i] = (uint8_t)(3 * i + 1);
	mikey_tesla_sender *snd;
	cr_assert_eq(mikey_tesla_sender_new(&tp, seed, sizeof(seed), &snd), MIKEY_OK);
	const mikey_tesla_params *sent = mikey_tesla_sender_get0_params(snd);

	mikey_offer o;
	offer_for(&o, MIKEY_ENCR_AES_CM_128, MIKEY_MAC_HMAC_SHA1_160);
	o.want_verify = false;
	o.tesla = sent;
	mikey_exchange *ei, *er;
	uint8_t *imsg, *rmsg;
	size_t ilen, rlen;
	mikey_error err;
	cr_assert_eq(mikey_initiate(ini, &o, &ei, &imsg, &ilen, &err), MIKEY_OK, "%s", err.message);
	cr_assert_eq(mikey_respond(rsp, imsg, ilen, &er, &rmsg, &rlen, &err), MIKEY_OK, "%s", err.message);
	for (size_t i = 0; i < 2; i++) {
		mikey_crypto_session s;
		cr_assert_eq(mikey_exchange_get_cs(er, i, &s, NULL), MIKEY_OK);
		cr_assert(s.has_tesla);
		cr_assert_eq(s.tesla.t_0, T0);
		cr_assert_eq(s.tesla.t_int, 20);
		cr_assert_eq(s.tesla.d, 2);
		cr_assert_eq(s.tesla.n_c, 1000);
		cr_assert_eq(s.tesla.commit_index, sent->commit_index);
		cr_assert_eq(memcmp(s.tesla.commitment, sent->commitment, 20), 0, "K_0 arrives intact");
		mikey_crypto_session_cleanup(&s);
	}
	/* Tampering with the TESLA policy breaks the KEMAC MAC like any other byte. */
	mikey_msg *m;
	cr_assert_eq(mikey_msg_parse(imsg, ilen, NULL, &m, NULL), MIKEY_OK);
	mikey_payload *ik = mikey_msg_find(m, MIKEY_PT_GEN_EXT, 0);
	cr_assert_not_null(ik);
	cr_assert_eq(ik->u.gen_ext.ext_type, MIKEY_GEN_TESLA_IKEY);
	size_t at = ik->offset + 4;
	mikey_msg_free(m);
	imsg[at] ^= 0x80;
	mikey_ctx_free(rsp);
	rsp = make_ctx("sip:bob@example.com", &rng_state_r);
	cr_assert_eq(mikey_ctx_add_psk(rsp, "sip:alice@example.com", 21, psk, sizeof(psk)), MIKEY_OK);
	mikey_exchange *bad;
	cr_assert_eq(mikey_respond(rsp, imsg, ilen, &bad, &rmsg, &rlen, &err), MIKEY_ERR_AUTH);
	mikey_buf_free(rmsg, rlen);
	mikey_buf_free(imsg, ilen);
	mikey_exchange_free(ei);
	mikey_exchange_free(er);
	mikey_tesla_sender_free(snd);
}

/* Fail the n-th allocation of a whole exchange (contexts, initiate,
 * respond, finish, keys out) for every n until it succeeds: each step must
 * return MIKEY_OK or MIKEY_ERR_NOMEM, never crash, and leave no live block. */
static long alloc_budget, live_blocks;

static void *fail_malloc(size_t n, void *u)
{
	(void)u;
	if (alloc_budget-- == 0)
		return NULL;
	void *p = malloc(n);
	if (p)
		live_blocks++;
	return p;
}

static void *fail_realloc(void *p, size_t n, void *u)
{
	(void)u;
	if (alloc_budget-- == 0)
		return NULL;
	void *q = realloc(p, n);
	if (q && !p)
		live_blocks++;
	return q;
}

static void fail_free(void *p, void *u)
{
	(void)u;
	if (p)
		live_blocks--;
	free(p);
}

static int exchange_once(void)
{
	int rc = MIKEY_ERR_NOMEM;
	uint32_t si = 1, sr = 1000;
	mikey_ctx *a = mikey_ctx_new(), *b = mikey_ctx_new();
	mikey_exchange *ei = NULL, *er = NULL;
	uint8_t *imsg = NULL, *rmsg = NULL;
	size_t ilen = 0, rlen = 0;
	mikey_offer o;
	if (a == NULL || b == NULL)
		goto out;
	mikey_ctx_set_clock(a, fixed_clock, NULL);
	mikey_ctx_set_clock(b, fixed_clock, NULL);
	mikey_ctx_set_rng(a, counter_rng, &si);
	mikey_ctx_set_rng(b, counter_rng, &sr);
	if ((rc = mikey_ctx_set_id(a, MIKEY_ID_URI, "sip:alice@example.com", 21)) != MIKEY_OK ||
	    (rc = mikey_ctx_set_id(b, MIKEY_ID_URI, "sip:bob@example.com", 19)) != MIKEY_OK ||
	    (rc = mikey_ctx_add_psk(a, "sip:bob@example.com", 19, psk, sizeof(psk))) != MIKEY_OK ||
	    (rc = mikey_ctx_add_psk(b, "sip:alice@example.com", 21, psk, sizeof(psk))) != MIKEY_OK)
		goto out;
	offer_for(&o, MIKEY_ENCR_AES_CM_128, MIKEY_MAC_HMAC_SHA1_160);
	if ((rc = mikey_initiate(a, &o, &ei, &imsg, &ilen, NULL)) != MIKEY_OK)
		goto out;
	rc = mikey_respond(b, imsg, ilen, &er, &rmsg, &rlen, NULL);
	if (rc != MIKEY_OK)
		goto out;
	if ((rc = mikey_exchange_finish(ei, rmsg, rlen, NULL)) != MIKEY_OK)
		goto out;
	for (size_t i = 0; i < 2 && rc == MIKEY_OK; i++) {
		mikey_crypto_session s;
		rc = mikey_exchange_get_cs(er, i, &s, NULL);
		mikey_crypto_session_cleanup(&s);
	}
out:
	mikey_buf_free(imsg, ilen);
	mikey_buf_free(rmsg, rlen);
	mikey_exchange_free(ei);
	mikey_exchange_free(er);
	mikey_ctx_free(a);
	mikey_ctx_free(b);
	return rc;
}

Test(psk_alloc, fail_every_allocation_of_a_full_exchange)
{
	mikey_mem m = {fail_malloc, fail_realloc, fail_free, NULL};
	int rc = MIKEY_ERR_NOMEM;
	long n;
	for (n = 0; n < 10000 && rc != MIKEY_OK; n++) {
		alloc_budget = n;
		live_blocks = 0;
		mikey_mem_set(&m);
		rc = exchange_once();
		mikey_mem_set(NULL);
		cr_assert(rc == MIKEY_OK || rc == MIKEY_ERR_NOMEM, "allocation %ld failed: got %s", n,
		          mikey_error_name(rc));
		cr_assert_eq(live_blocks, 0, "allocation %ld failed: %ld blocks leaked", n, live_blocks);
	}
	cr_assert_eq(rc, MIKEY_OK);
	cr_assert_gt(n, 10, "the sweep covered %ld allocation points", n);
}

/* RFC 4563: Key IDs travel in a General Extension of type Key ID, covered
 * by the KEMAC MAC, and come out on the responder. */
Test(psk, carries_key_ids)
{
	static const uint8_t domain[] = {0x01, 0x02, 0x03};
	static const uint8_t traffic[] = {0xaa, 0xbb, 0xcc, 0xdd};
	mikey_key_id ids[2] = {{MIKEY_KEYID_MBMS_DOMAIN, {(uint8_t *)domain, sizeof(domain)}},
	                       {MIKEY_KEYID_MBMS_TRAFFIC, {(uint8_t *)traffic, sizeof(traffic)}}};
	mikey_offer o;
	offer_for(&o, MIKEY_ENCR_AES_CM_128, MIKEY_MAC_HMAC_SHA1_160);
	o.want_verify = false;
	o.key_ids = ids;
	o.n_key_ids = 2;
	mikey_exchange *ei, *er;
	uint8_t *imsg, *rmsg;
	size_t ilen, rlen, n;
	mikey_error err;
	cr_assert_eq(mikey_initiate(ini, &o, &ei, &imsg, &ilen, &err), MIKEY_OK, "%s", err.message);
	cr_assert_eq(mikey_respond(rsp, imsg, ilen, &er, &rmsg, &rlen, &err), MIKEY_OK, "%s", err.message);
	const mikey_key_id *got = mikey_exchange_get0_key_ids(er, &n);
	cr_assert_eq(n, 2);
	cr_assert_eq(got[0].type, MIKEY_KEYID_MBMS_DOMAIN);
	cr_assert_eq(got[0].id.len, 3);
	cr_assert_eq(memcmp(got[1].id.data, traffic, 4), 0);
	cr_assert_eq(got[1].type, MIKEY_KEYID_MBMS_TRAFFIC);
	cr_assert_not_null(mikey_exchange_get0_key_ids(ei, &n));
	cr_assert_eq(n, 2, "the initiator remembers what it sent");
	/* The extension is in the message before the KEMAC, so the MAC covers it. */
	mikey_msg *m;
	cr_assert_eq(mikey_msg_parse(imsg, ilen, NULL, &m, NULL), MIKEY_OK);
	mikey_payload *g = mikey_msg_find(m, MIKEY_PT_GEN_EXT, 0);
	cr_assert_not_null(g);
	cr_assert_eq(g->u.gen_ext.ext_type, MIKEY_GEN_KEY_ID);
	cr_assert_eq(m->payloads.last->type, MIKEY_PT_KEMAC);
	mikey_msg_free(m);
	mikey_buf_free(imsg, ilen);
	mikey_exchange_free(ei);
	mikey_exchange_free(er);
}
