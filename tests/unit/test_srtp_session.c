/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_srtp_session.c - per-SSRC, multi-key SRTP sessions on libsrtp2
 * (mikey/srtp_session.h). Expected values come from code we did not
 * write: plain libsrtp2 srtp_t made independently from the same keys
 * decrypt what the session protects and the other way round; RFC 3711
 * rules (replay, MKI, §9.2 key limits) give the refusals.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include <srtp2/srtp.h>

#include "mikey/mem.h"
#include "mikey/srtp.h"
#include "mikey/srtp_session.h"
#include "srtp/srtp_lib.h"

#define CAP 512
#define PAYLOAD 160

/* A crypto session as mikey_exchange_get_cs gives it: AES-CM-128 /
 * HMAC-SHA1-80, key and salt from |fill|, MKI {0xa0, mki} when mki != 0. */
static void make_cs(mikey_crypto_session *cs, uint32_t ssrc, uint32_t roc, uint8_t fill, uint8_t mki)
{
	memset(cs, 0, sizeof(*cs));
	cs->cs_id = 1;
	cs->ssrc = ssrc;
	cs->roc = roc;
	mikey_srtp_policy_default(&cs->policy);
	cs->master_key_len = 16;
	cs->master_salt_len = 14;
	for (size_t i = 0; i < 16; i++)
		cs->master_key[i] = (uint8_t)(fill * 31 + i);
	for (size_t i = 0; i < 14; i++)
		cs->master_salt[i] = (uint8_t)(fill * 17 + 0x40 + i);
	if (mki != 0) {
		cs->mki[0] = 0xa0;
		cs->mki[1] = mki;
		cs->mki_len = 2;
	}
}

static size_t make_rtp(uint8_t *b, uint32_t ssrc, uint16_t seq)
{
	b[0] = 0x80;
	b[1] = 96;
	b[2] = (uint8_t)(seq >> 8);
	b[3] = (uint8_t)seq;
	memset(b + 4, 0x22, 4);
	b[8] = (uint8_t)(ssrc >> 24);
	b[9] = (uint8_t)(ssrc >> 16);
	b[10] = (uint8_t)(ssrc >> 8);
	b[11] = (uint8_t)ssrc;
	for (size_t i = 0; i < PAYLOAD; i++)
		b[12 + i] = (uint8_t)(i * 7 + seq + ssrc);
	return 12 + PAYLOAD;
}

static size_t make_rtcp(uint8_t *b, uint32_t ssrc, uint8_t fill)
{
	b[0] = 0x80;
	b[1] = 200;
	b[2] = 0;
	b[3] = 6;
	b[4] = (uint8_t)(ssrc >> 24);
	b[5] = (uint8_t)(ssrc >> 16);
	b[6] = (uint8_t)(ssrc >> 8);
	b[7] = (uint8_t)ssrc;
	memset(b + 8, fill, 20);
	return 28;
}

static mikey_srtp_sess *sess(mikey_srtp_sess_dir dir, const mikey_srtp_sess_config *cfg)
{
	mikey_srtp_sess *s = NULL;
	cr_assert_eq(mikey_srtp_sess_new(dir, cfg, &s), MIKEY_OK);
	cr_assert_not_null(s);
	return s;
}

/* Protect with |tx|, unprotect with |rx|, compare with the plain packet. */
static void roundtrip(mikey_srtp_sess *tx, mikey_srtp_sess *rx, uint32_t ssrc, uint16_t seq)
{
	uint8_t plain[CAP], buf[CAP];
	size_t len = make_rtp(plain, ssrc, seq), l, l2;

	memcpy(buf, plain, len);
	cr_assert_eq(mikey_srtp_sess_protect_rtp(tx, buf, len, sizeof(buf), &l), MIKEY_OK, "protect ssrc %08x seq %u",
	             ssrc, seq);
	cr_assert_gt(l, len);
	cr_assert_eq(mikey_srtp_sess_unprotect_rtp(rx, buf, l, &l2), MIKEY_OK, "unprotect ssrc %08x seq %u", ssrc, seq);
	cr_assert_eq(l2, len);
	cr_assert_arr_eq(buf, plain, len);
}

/* A plain libsrtp2 session for |cs| built here, from libsrtp2's own
 * setters (not mikey_srtp_fill_policy), with every key of |cs_list|. */
/* make_cs's crypto session made AES-GCM-128 (RFC 7714: 12-byte salt, the
 * 16-byte tag is the cipher's). */
static void make_gcm(mikey_crypto_session *cs)
{
	cs->policy.encr_alg = MIKEY_SRTP_ENCR_AES_GCM;
	cs->policy.salt_key_len = 12;
	cs->policy.auth_alg = MIKEY_SRTP_AUTH_NULL;
	cs->policy.auth_key_len = 0;
	cs->policy.auth_tag_len = 0;
	cs->policy.aead_tag_len = 16;
	cs->master_salt_len = 12;
}

/* A plain libsrtp2 session for cs_list[0, n) (AES-CM-128/HMAC-SHA1-80,
 * or AES-GCM-128 when the sessions are). */
static srtp_t plain_srtp(const mikey_crypto_session *cs_list, size_t n)
{
	srtp_policy_t pol;
	uint8_t keys[16][30];
	srtp_master_key_t mk[16], *mkp[16];
	srtp_t s = NULL;

	(void)srtp_init(); /* a second call fails in libsrtp2 2.5; harmless */
	memset(&pol, 0, sizeof(pol));
	if (cs_list[0].policy.encr_alg == MIKEY_SRTP_ENCR_AES_GCM) {
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&pol.rtp);
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&pol.rtcp);
	} else {
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtp);
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtcp);
	}
	for (size_t i = 0; i < n; i++) {
		memcpy(keys[i], cs_list[i].master_key, 16);
		memcpy(keys[i] + 16, cs_list[i].master_salt, cs_list[i].master_salt_len);
		mk[i].key = keys[i];
		mk[i].mki_id = (unsigned char *)cs_list[i].mki;
		mk[i].mki_size = (unsigned)cs_list[i].mki_len;
		mkp[i] = &mk[i];
	}
	if (cs_list[0].mki_len == 0) {
		pol.key = keys[0];
	} else {
		pol.keys = mkp;
		pol.num_master_keys = n;
	}
	pol.ssrc.type = ssrc_specific;
	pol.ssrc.value = cs_list[0].ssrc;
	cr_assert_eq(srtp_create(&s, &pol), srtp_err_status_ok);
	if (cs_list[0].roc != 0)
		cr_assert_eq(srtp_set_stream_roc(s, cs_list[0].ssrc, cs_list[0].roc), srtp_err_status_ok);
	return s;
}

Test(srtp_session, thousand_ssrcs_each_with_its_roc)
{
	mikey_srtp_sess *tx = sess(MIKEY_SRTP_SESS_PROTECT, NULL), *rx = sess(MIKEY_SRTP_SESS_UNPROTECT, NULL);
	mikey_crypto_session cs;
	uint32_t roc;

	for (uint32_t i = 0; i < 1000; i++) {
		make_cs(&cs, 0x10000000u + i * 0x9e37u, i * 3, (uint8_t)i, 0);
		cr_assert_eq(mikey_srtp_sess_add_stream(tx, &cs), MIKEY_OK);
		cr_assert_eq(mikey_srtp_sess_add_stream(rx, &cs), MIKEY_OK);
	}
	cr_assert_eq(mikey_srtp_sess_stream_count(tx), 1000);
	cr_assert_eq(mikey_srtp_sess_add_stream(tx, &cs), MIKEY_ERR_STATE);
	for (uint16_t seq = 100; seq < 103; seq++)
		for (uint32_t i = 0; i < 1000; i++)
			roundtrip(tx, rx, 0x10000000u + i * 0x9e37u, seq);
	for (uint32_t i = 0; i < 1000; i += 111) {
		cr_assert_eq(mikey_srtp_sess_get_roc(rx, 0x10000000u + i * 0x9e37u, &roc), MIKEY_OK);
		cr_assert_eq(roc, i * 3);
	}
	/* The ROC really went into the packets: a plain libsrtp2 receiver
	 * with the right ROC decrypts, one with ROC 0 does not. */
	for (uint32_t i = 1; i < 1000; i += 333) {
		uint8_t buf[CAP];
		size_t len, l;
		int il;
		make_cs(&cs, 0x10000000u + i * 0x9e37u, i * 3, (uint8_t)i, 0);
		srtp_t good = plain_srtp(&cs, 1);
		cs.roc = 0;
		srtp_t bad = plain_srtp(&cs, 1);
		len = make_rtp(buf, cs.ssrc, 200);
		cr_assert_eq(mikey_srtp_sess_protect_rtp(tx, buf, len, sizeof(buf), &l), MIKEY_OK);
		uint8_t copy[CAP];
		memcpy(copy, buf, l);
		il = (int)l;
		cr_assert_eq(srtp_unprotect(bad, copy, &il), srtp_err_status_auth_fail);
		il = (int)l;
		cr_assert_eq(srtp_unprotect(good, buf, &il), srtp_err_status_ok);
		cr_assert_eq((size_t)il, len);
		srtp_dealloc(good);
		srtp_dealloc(bad);
	}
	/* Removal: the SSRC is then unknown, the others still run. */
	cr_assert_eq(mikey_srtp_sess_remove_stream(rx, 0x10000000u), MIKEY_OK);
	cr_assert_eq(mikey_srtp_sess_remove_stream(rx, 0x10000000u), MIKEY_ERR_UNKNOWN_SSRC);
	cr_assert_eq(mikey_srtp_sess_stream_count(rx), 999);
	for (uint32_t i = 1; i < 1000; i += 7)
		roundtrip(tx, rx, 0x10000000u + i * 0x9e37u, 300);
	{
		uint8_t buf[CAP];
		size_t len = make_rtp(buf, 0x10000000u, 300), l, l2;
		cr_assert_eq(mikey_srtp_sess_protect_rtp(tx, buf, len, sizeof(buf), &l), MIKEY_OK);
		cr_assert_eq(mikey_srtp_sess_unprotect_rtp(rx, buf, l, &l2), MIKEY_ERR_UNKNOWN_SSRC);
	}
	mikey_srtp_sess_free(tx);
	mikey_srtp_sess_free(rx);
}

/* Sender and receiver with keys A (MKI a0 01) and B (a0 02) on SSRC. */
#define SSRC 0xcafe0001u
static void two_keys(mikey_srtp_sess *tx, mikey_srtp_sess *rx, uint32_t roc, mikey_crypto_session *a,
                     mikey_crypto_session *b)
{
	make_cs(a, SSRC, roc, 1, 1);
	make_cs(b, SSRC, 0 /* not used by add_key */, 2, 2);
	cr_assert_eq(mikey_srtp_sess_add_stream(tx, a), MIKEY_OK);
	cr_assert_eq(mikey_srtp_sess_add_stream(rx, a), MIKEY_OK);
}

/* SSRCs that differ only in their high bits, removed in an order that
 * exercises the table's backward-shift deletion. */
Test(srtp_session, structured_ssrcs_add_remove)
{
	mikey_srtp_sess *tx = sess(MIKEY_SRTP_SESS_PROTECT, NULL), *rx = sess(MIKEY_SRTP_SESS_UNPROTECT, NULL);
	mikey_crypto_session cs;

	for (uint32_t i = 0; i < 300; i++) {
		make_cs(&cs, i << 16, 0, (uint8_t)i, 0);
		cr_assert_eq(mikey_srtp_sess_add_stream(tx, &cs), MIKEY_OK);
		cr_assert_eq(mikey_srtp_sess_add_stream(rx, &cs), MIKEY_OK);
	}
	for (uint32_t i = 0; i < 300; i += 3)
		cr_assert_eq(mikey_srtp_sess_remove_stream(rx, i << 16), MIKEY_OK);
	for (uint32_t i = 0; i < 300; i++) {
		if (i % 3 == 0) {
			uint8_t buf[CAP];
			size_t len = make_rtp(buf, i << 16, 1), l;
			cr_assert_eq(mikey_srtp_sess_unprotect_rtp(rx, buf, len + 10, &l), MIKEY_ERR_UNKNOWN_SSRC);
		} else {
			roundtrip(tx, rx, i << 16, 1);
		}
	}
	cr_assert_eq(mikey_srtp_sess_stream_count(rx), 200);
	mikey_srtp_sess_free(tx);
	mikey_srtp_sess_free(rx);
}

Test(srtp_session, two_mkis_either_decrypts)
{
	mikey_srtp_sess *tx = sess(MIKEY_SRTP_SESS_PROTECT, NULL), *rx = sess(MIKEY_SRTP_SESS_UNPROTECT, NULL);
	mikey_crypto_session a, b;
	uint8_t plain[4][CAP], pkt[4][CAP];
	size_t len[4], l[4], out;

	two_keys(tx, rx, 0, &a, &b);
	cr_assert_eq(mikey_srtp_sess_add_key(tx, &b), MIKEY_OK);
	cr_assert_eq(mikey_srtp_sess_add_key(rx, &b), MIKEY_OK);
	cr_assert_eq(mikey_srtp_sess_add_key(rx, &b), MIKEY_ERR_ARG); /* MKI present */
	for (int i = 0; i < 4; i++) {
		if (i == 2)
			cr_assert_eq(mikey_srtp_sess_use_key(tx, SSRC, b.mki, b.mki_len), MIKEY_OK);
		len[i] = make_rtp(plain[i], SSRC, (uint16_t)(10 + i));
		memcpy(pkt[i], plain[i], len[i]);
		cr_assert_eq(mikey_srtp_sess_protect_rtp(tx, pkt[i], len[i], CAP, &l[i]), MIKEY_OK);
		/* RFC 3711 §3.1: MKI between payload and the 10-byte tag. */
		cr_assert_eq(l[i], len[i] + 2 + 10);
		cr_assert_eq(pkt[i][len[i] + 1], i < 2 ? 1 : 2);
	}
	/* Out of order, across the switch. */
	static const int order[4] = {2, 0, 3, 1};
	for (int j = 0; j < 4; j++) {
		int i = order[j];
		cr_assert_eq(mikey_srtp_sess_unprotect_rtp(rx, pkt[i], l[i], &out), MIKEY_OK, "packet %d", i);
		cr_assert_eq(out, len[i]);
		cr_assert_arr_eq(pkt[i], plain[i], len[i]);
	}
	/* SRTCP under either key. */
	for (int k = 0; k < 2; k++) {
		uint8_t p[CAP], c[CAP];
		size_t n = make_rtcp(p, SSRC, (uint8_t)k), cl, o;
		cr_assert_eq(mikey_srtp_sess_use_key(tx, SSRC, k ? b.mki : a.mki, 2), MIKEY_OK);
		memcpy(c, p, n);
		cr_assert_eq(mikey_srtp_sess_protect_rtcp(tx, c, n, CAP, &cl), MIKEY_OK);
		cr_assert_eq(cl, n + 4 + 2 + 10);
		cr_assert_eq(mikey_srtp_sess_unprotect_rtcp(rx, c, cl, &o), MIKEY_OK);
		cr_assert_eq(o, n);
		cr_assert_arr_eq(c, p, n);
	}
	mikey_srtp_sess_free(tx);
	mikey_srtp_sess_free(rx);
}

Test(srtp_session, retired_key_is_refused)
{
	mikey_srtp_sess *tx = sess(MIKEY_SRTP_SESS_PROTECT, NULL), *rx = sess(MIKEY_SRTP_SESS_UNPROTECT, NULL);
	mikey_crypto_session a, b;
	uint8_t pa[CAP], pb[CAP], pc[CAP];
	size_t la, lb, lc, out;

	two_keys(tx, rx, 0, &a, &b);
	cr_assert_eq(mikey_srtp_sess_add_key(tx, &b), MIKEY_OK);
	cr_assert_eq(mikey_srtp_sess_add_key(rx, &b), MIKEY_OK);
	la = make_rtp(pa, SSRC, 1);
	cr_assert_eq(mikey_srtp_sess_protect_rtp(tx, pa, la, CAP, &la), MIKEY_OK);
	lc = make_rtp(pc, SSRC, 2);
	cr_assert_eq(mikey_srtp_sess_protect_rtp(tx, pc, lc, CAP, &lc), MIKEY_OK);
	/* The sender's current key cannot go; after the switch it can. */
	cr_assert_eq(mikey_srtp_sess_retire_key(tx, SSRC, a.mki, 2), MIKEY_ERR_STATE);
	cr_assert_eq(mikey_srtp_sess_use_key(tx, SSRC, b.mki, 2), MIKEY_OK);
	cr_assert_eq(mikey_srtp_sess_retire_key(tx, SSRC, a.mki, 2), MIKEY_OK);
	cr_assert_eq(mikey_srtp_sess_use_key(tx, SSRC, a.mki, 2), MIKEY_ERR_UNKNOWN_MKI);
	cr_assert_eq(mikey_srtp_sess_retire_key(tx, SSRC, b.mki, 2), MIKEY_ERR_STATE); /* the last key */
	lb = make_rtp(pb, SSRC, 3);
	cr_assert_eq(mikey_srtp_sess_protect_rtp(tx, pb, lb, CAP, &lb), MIKEY_OK);

	cr_assert_eq(mikey_srtp_sess_unprotect_rtp(rx, pa, la, &out), MIKEY_OK);
	cr_assert_eq(mikey_srtp_sess_retire_key(rx, SSRC, a.mki, 2), MIKEY_OK);
	cr_assert_eq(mikey_srtp_sess_retire_key(rx, SSRC, a.mki, 2), MIKEY_ERR_UNKNOWN_MKI);
	/* Packet 2, under A, was never received: now refused by name. */
	cr_assert_eq(mikey_srtp_sess_unprotect_rtp(rx, pc, lc, &out), MIKEY_ERR_UNKNOWN_MKI);
	cr_assert_eq(mikey_srtp_sess_unprotect_rtp(rx, pb, lb, &out), MIKEY_OK);
	/* libsrtp2 itself names it too (it rebuilt the stream without A). */
	cr_assert_eq(mikey_srtp_error_from_libsrtp(srtp_err_status_bad_mki), MIKEY_ERR_UNKNOWN_MKI);
	mikey_srtp_sess_free(tx);
	mikey_srtp_sess_free(rx);
}

Test(srtp_session, replay_refused_also_across_a_rekey)
{
	mikey_srtp_sess_config cfg;
	mikey_srtp_sess *tx, *rx;
	mikey_crypto_session a, b;
	uint8_t p[3][CAP], keep[3][CAP];
	size_t l[3], out;

	mikey_srtp_sess_config_default(&cfg);
	cfg.window = 64;
	tx = sess(MIKEY_SRTP_SESS_PROTECT, &cfg);
	rx = sess(MIKEY_SRTP_SESS_UNPROTECT, &cfg);
	two_keys(tx, rx, 0, &a, &b);
	for (int i = 0; i < 3; i++) {
		l[i] = make_rtp(p[i], SSRC, (uint16_t)(500 + i));
		cr_assert_eq(mikey_srtp_sess_protect_rtp(tx, p[i], l[i], CAP, &l[i]), MIKEY_OK);
		memcpy(keep[i], p[i], l[i]);
	}
	/* The sender never reuses an index (RFC 3711 §3.3.2, keystream). */
	{
		uint8_t q[CAP];
		size_t n = make_rtp(q, SSRC, 501);
		cr_assert_eq(mikey_srtp_sess_protect_rtp(tx, q, n, CAP, &n), MIKEY_ERR_REPLAY);
	}
	cr_assert_eq(mikey_srtp_sess_unprotect_rtp(rx, p[0], l[0], &out), MIKEY_OK);
	cr_assert_eq(mikey_srtp_sess_unprotect_rtp(rx, p[2], l[2], &out), MIKEY_OK);
	memcpy(p[0], keep[0], l[0]);
	cr_assert_eq(mikey_srtp_sess_unprotect_rtp(rx, p[0], l[0], &out), MIKEY_ERR_REPLAY);
	/* A rekey rebuilds the libsrtp2 stream (srtp_update_stream starts
	 * its replay bitmap afresh): the session's window still refuses. */
	cr_assert_eq(mikey_srtp_sess_add_key(rx, &b), MIKEY_OK);
	memcpy(p[2], keep[2], l[2]);
	cr_assert_eq(mikey_srtp_sess_unprotect_rtp(rx, p[2], l[2], &out), MIKEY_ERR_REPLAY);
	memcpy(p[0], keep[0], l[0]);
	cr_assert_eq(mikey_srtp_sess_unprotect_rtp(rx, p[0], l[0], &out), MIKEY_ERR_REPLAY);
	/* The one not yet received still goes through, once. */
	cr_assert_eq(mikey_srtp_sess_unprotect_rtp(rx, p[1], l[1], &out), MIKEY_OK);
	memcpy(p[1], keep[1], l[1]);
	cr_assert_eq(mikey_srtp_sess_unprotect_rtp(rx, p[1], l[1], &out), MIKEY_ERR_REPLAY);
	/* Older than the window. */
	for (int i = 0; i < 70; i++)
		roundtrip(tx, rx, SSRC, (uint16_t)(600 + i));
	uint8_t old[CAP];
	size_t n = make_rtp(old, SSRC, 520);
	cr_assert_eq(mikey_srtp_sess_protect_rtp(tx, old, n, CAP, &n), MIKEY_ERR_REPLAY);
	/* SRTCP: libsrtp2's SRTCP replay list (kept by srtp_update_stream). */
	{
		uint8_t c[CAP], d[CAP];
		size_t cl = make_rtcp(c, SSRC, 9), o;
		cr_assert_eq(mikey_srtp_sess_protect_rtcp(tx, c, cl, CAP, &cl), MIKEY_OK);
		memcpy(d, c, cl);
		cr_assert_eq(mikey_srtp_sess_unprotect_rtcp(rx, c, cl, &o), MIKEY_OK);
		cr_assert_eq(mikey_srtp_sess_add_key(tx, &b), MIKEY_OK);
		cr_assert_eq(mikey_srtp_sess_retire_key(rx, SSRC, b.mki, 2), MIKEY_OK);
		cr_assert_eq(mikey_srtp_sess_unprotect_rtcp(rx, d, cl, &o), MIKEY_ERR_REPLAY);
	}
	mikey_srtp_sess_free(tx);
	mikey_srtp_sess_free(rx);
}

Test(srtp_session, rekey_across_roc_rollover_loses_nothing)
{
	mikey_srtp_sess *tx = sess(MIKEY_SRTP_SESS_PROTECT, NULL), *rx = sess(MIKEY_SRTP_SESS_UNPROTECT, NULL);
	mikey_crypto_session a, b, both[2];
	uint32_t roc;
	uint16_t seq = 65526;
	srtp_t ref;

	two_keys(tx, rx, 7, &a, &b);
	/* An independent libsrtp2 receiver with both keys and ROC 7. */
	both[0] = a;
	both[1] = b;
	both[1].roc = 7;
	ref = plain_srtp(both, 2);
	for (int i = 0; i < 30; i++, seq++) {
		uint8_t plain[CAP], buf[CAP], copy[CAP];
		size_t len = make_rtp(plain, SSRC, seq), l, out;
		int il;
		if (i == 4) { /* the receiver learns B first, then the sender */
			cr_assert_eq(mikey_srtp_sess_add_key(rx, &b), MIKEY_OK);
			cr_assert_eq(mikey_srtp_sess_add_key(tx, &b), MIKEY_OK);
		}
		if (i == 7) /* the switch, two packets before the ROC wraps */
			cr_assert_eq(mikey_srtp_sess_use_key(tx, SSRC, b.mki, 2), MIKEY_OK);
		if (i == 20)
			cr_assert_eq(mikey_srtp_sess_retire_key(rx, SSRC, a.mki, 2), MIKEY_OK);
		memcpy(buf, plain, len);
		cr_assert_eq(mikey_srtp_sess_protect_rtp(tx, buf, len, CAP, &l), MIKEY_OK, "seq %u", seq);
		memcpy(copy, buf, l);
		cr_assert_eq(mikey_srtp_sess_unprotect_rtp(rx, buf, l, &out), MIKEY_OK, "seq %u", seq);
		cr_assert_arr_eq(buf, plain, len);
		il = (int)l;
		cr_assert_eq(srtp_unprotect_mki(ref, copy, &il, 1), srtp_err_status_ok, "reference, seq %u", seq);
		cr_assert_arr_eq(copy, plain, len);
	}
	cr_assert_eq(mikey_srtp_sess_get_roc(tx, SSRC, &roc), MIKEY_OK);
	cr_assert_eq(roc, 8);
	cr_assert_eq(mikey_srtp_sess_get_roc(rx, SSRC, &roc), MIKEY_OK);
	cr_assert_eq(roc, 8);
	cr_assert_eq(srtp_get_stream_roc(ref, SSRC, &roc), srtp_err_status_ok);
	cr_assert_eq(roc, 8);
	srtp_dealloc(ref);
	mikey_srtp_sess_free(tx);
	mikey_srtp_sess_free(rx);
}

Test(srtp_session, rekey_before_the_first_packet_keeps_the_initial_roc)
{
	mikey_srtp_sess *tx = sess(MIKEY_SRTP_SESS_PROTECT, NULL), *rx = sess(MIKEY_SRTP_SESS_UNPROTECT, NULL);
	mikey_crypto_session a, b;
	uint32_t roc;

	two_keys(tx, rx, 0x12345, &a, &b);
	cr_assert_eq(mikey_srtp_sess_add_key(tx, &b), MIKEY_OK);
	cr_assert_eq(mikey_srtp_sess_add_key(rx, &b), MIKEY_OK);
	roundtrip(tx, rx, SSRC, 40000);
	cr_assert_eq(mikey_srtp_sess_get_roc(rx, SSRC, &roc), MIKEY_OK);
	cr_assert_eq(roc, 0x12345);
	mikey_srtp_sess_free(tx);
	mikey_srtp_sess_free(rx);
}

typedef struct events {
	int soft, hard, other;
	uint64_t used_at_soft, used_at_hard;
	bool rtcp;
	uint8_t mki;
	mikey_srtp_sess *sess;
} events;

static void on_event(mikey_srtp_sess *s, const mikey_srtp_sess_event *ev, void *user)
{
	events *e = user;
	cr_assert_eq(s, e->sess);
	cr_assert_eq(ev->ssrc, SSRC);
	cr_assert_eq(ev->mki_len, 2);
	e->mki = ev->mki[1];
	e->rtcp = ev->rtcp;
	cr_assert(!ev->from_libsrtp);
	if (ev->kind == MIKEY_SRTP_EVENT_KEY_SOFT_LIMIT) {
		e->soft++;
		e->used_at_soft = ev->used;
	} else if (ev->kind == MIKEY_SRTP_EVENT_KEY_HARD_LIMIT) {
		e->hard++;
		e->used_at_hard = ev->used;
	} else {
		e->other++;
	}
}

Test(srtp_session, key_limit_events_per_session)
{
	/* libsrtp2 2.5 has no way to set its key limit (fixed at 2^48
	 * packets, soft at 2^16 before): the session's own per-key count
	 * with a tiny limit is the honest test. */
	mikey_srtp_sess_config cfg;
	events et = {0}, er = {0};
	mikey_srtp_sess *tx, *rx;
	mikey_crypto_session a, b;
	uint8_t buf[CAP];
	size_t len, out;

	mikey_srtp_sess_config_default(&cfg);
	cfg.srtp_limit = 5;
	cfg.srtcp_limit = 2;
	cfg.soft_margin = 2;
	cfg.on_event = on_event;
	cfg.user = &et;
	tx = sess(MIKEY_SRTP_SESS_PROTECT, &cfg);
	et.sess = tx;
	cfg.user = &er;
	rx = sess(MIKEY_SRTP_SESS_UNPROTECT, &cfg);
	er.sess = rx;
	two_keys(tx, rx, 0, &a, &b);
	for (uint16_t seq = 0; seq < 5; seq++) {
		roundtrip(tx, rx, SSRC, seq);
		cr_assert_eq(et.soft, seq >= 2 ? 1 : 0);
		cr_assert_eq(er.soft, seq >= 2 ? 1 : 0);
	}
	cr_assert_eq(et.used_at_soft, 3);
	cr_assert_eq(et.hard, 1);
	cr_assert_eq(et.used_at_hard, 5);
	cr_assert_eq(er.hard, 1);
	cr_assert_eq(et.mki, 1);
	len = make_rtp(buf, SSRC, 5);
	cr_assert_eq(mikey_srtp_sess_protect_rtp(tx, buf, len, CAP, &out), MIKEY_ERR_KEY_LIMIT);
	/* The next key (RFC 3711 §9.2: rekey) goes on, counted afresh. */
	cr_assert_eq(mikey_srtp_sess_add_key(tx, &b), MIKEY_OK);
	cr_assert_eq(mikey_srtp_sess_add_key(rx, &b), MIKEY_OK);
	cr_assert_eq(mikey_srtp_sess_use_key(tx, SSRC, b.mki, 2), MIKEY_OK);
	roundtrip(tx, rx, SSRC, 6);
	cr_assert_eq(et.hard, 1);
	/* SRTCP has its own limit. */
	for (int i = 0; i < 2; i++) {
		size_t n = make_rtcp(buf, SSRC, 1);
		cr_assert_eq(mikey_srtp_sess_protect_rtcp(tx, buf, n, CAP, &n), MIKEY_OK);
		cr_assert_eq(mikey_srtp_sess_unprotect_rtcp(rx, buf, n, &out), MIKEY_OK);
	}
	cr_assert_eq(et.hard, 2);
	cr_assert(et.rtcp);
	cr_assert_eq(et.mki, 2);
	len = make_rtcp(buf, SSRC, 1);
	cr_assert_eq(mikey_srtp_sess_protect_rtcp(tx, buf, len, CAP, &out), MIKEY_ERR_KEY_LIMIT);
	cr_assert_eq(et.other + er.other, 0);
	mikey_srtp_sess_free(tx);
	mikey_srtp_sess_free(rx);
}

static int foreign_events;
static srtp_event_t foreign_last;
static void on_foreign(srtp_event_data_t *d, void *user)
{
	cr_assert_eq(user, &foreign_events);
	foreign_events++;
	foreign_last = d->event;
}

Test(srtp_session, one_dispatcher_passes_on_foreign_events)
{
	/* An srtp_t libmikey does not run: libsrtp2 reports an SSRC
	 * collision when one stream is used in both directions; the one
	 * process-wide handler (ours) passes it on. */
	mikey_crypto_session a;
	mikey_srtp_sess *s = sess(MIKEY_SRTP_SESS_PROTECT, NULL); /* installs the dispatcher */
	uint8_t buf[CAP];
	size_t len;
	int il;

	mikey_srtp_set_foreign_event_handler(on_foreign, &foreign_events);
	make_cs(&a, SSRC, 0, 3, 0);
	srtp_t t = plain_srtp(&a, 1), r = plain_srtp(&a, 1);
	len = make_rtp(buf, SSRC, 1);
	il = (int)len;
	cr_assert_eq(srtp_protect(t, buf, &il), srtp_err_status_ok);
	cr_assert_eq(srtp_unprotect(r, buf, &il), srtp_err_status_ok);
	len = make_rtp(buf, SSRC, 2);
	il = (int)len;
	cr_assert_eq(srtp_protect(r, buf, &il), srtp_err_status_ok);
	cr_assert_eq(foreign_events, 1);
	cr_assert_eq(foreign_last, event_ssrc_collision);
	mikey_srtp_set_foreign_event_handler(NULL, NULL);
	srtp_dealloc(t);
	srtp_dealloc(r);
	mikey_srtp_sess_free(s);
}

static int sink_events;
static void on_sink(mikey_srtp_sink *sink, srtp_event_t ev)
{
	(void)sink;
	cr_assert_eq(ev, event_ssrc_collision);
	sink_events++;
}

Test(srtp_session, dispatcher_maps_the_srtp_t_to_the_object_in_flight)
{
	/* What a session does around each libsrtp2 call: mark its stream
	 * (the sink) in flight. libsrtp2's event for that srtp_t reaches the
	 * sink; an event of another srtp_t, raised meanwhile, goes to the
	 * foreign handler, never to the sink. */
	mikey_crypto_session a;
	mikey_srtp_sess *s = sess(MIKEY_SRTP_SESS_PROTECT, NULL);
	uint8_t buf[CAP];
	int il;

	foreign_events = 0;
	mikey_srtp_set_foreign_event_handler(on_foreign, &foreign_events);
	make_cs(&a, SSRC, 0, 4, 0);
	srtp_t t = plain_srtp(&a, 1), r = plain_srtp(&a, 1), r2 = plain_srtp(&a, 1);
	for (int k = 0; k < 2; k++) {
		il = (int)make_rtp(buf, SSRC, (uint16_t)(1 + k));
		cr_assert_eq(srtp_protect(t, buf, &il), srtp_err_status_ok);
		cr_assert_eq(srtp_unprotect(k == 0 ? r : r2, buf, &il), srtp_err_status_ok);
	}
	mikey_srtp_sink sink = {r, on_sink};
	mikey_srtp_sink *prev = mikey_srtp_sink_enter(&sink);
	il = (int)make_rtp(buf, SSRC, 9);
	cr_assert_eq(srtp_protect(r, buf, &il), srtp_err_status_ok); /* collision on r: ours */
	il = (int)make_rtp(buf, SSRC, 9);
	cr_assert_eq(srtp_protect(r2, buf, &il), srtp_err_status_ok); /* on r2: foreign */
	mikey_srtp_sink_leave(prev);
	cr_assert_eq(sink_events, 1);
	cr_assert_eq(foreign_events, 1);
	mikey_srtp_set_foreign_event_handler(NULL, NULL);
	srtp_dealloc(t);
	srtp_dealloc(r);
	srtp_dealloc(r2);
	mikey_srtp_sess_free(s);
}

Test(srtp_session, named_errors)
{
	mikey_srtp_sess *tx = sess(MIKEY_SRTP_SESS_PROTECT, NULL), *rx = sess(MIKEY_SRTP_SESS_UNPROTECT, NULL);
	mikey_crypto_session a, b, c;
	uint8_t buf[CAP], keep[CAP];
	size_t len, l, out;

	{
		mikey_srtp_sess *y;
		cr_assert_eq(mikey_srtp_sess_new((mikey_srtp_sess_dir)7, NULL, &y), MIKEY_ERR_ARG);
		cr_assert_eq(mikey_srtp_sess_new(MIKEY_SRTP_SESS_PROTECT, NULL, NULL), MIKEY_ERR_ARG);
	}
	{
		mikey_srtp_sess_config cfg;
		mikey_srtp_sess *x;
		mikey_srtp_sess_config_default(&cfg);
		cfg.window = 63;
		cr_assert_eq(mikey_srtp_sess_new(MIKEY_SRTP_SESS_PROTECT, &cfg, &x), MIKEY_ERR_ARG);
		cr_assert_null(x);
	}
	two_keys(tx, rx, 0, &a, &b);
	/* Unknown SSRC, both directions: reported, not a crash. */
	len = make_rtp(buf, 0x0badf00d, 1);
	cr_assert_eq(mikey_srtp_sess_protect_rtp(tx, buf, len, CAP, &l), MIKEY_ERR_UNKNOWN_SSRC);
	cr_assert_eq(mikey_srtp_sess_unprotect_rtp(rx, buf, len, &l), MIKEY_ERR_UNKNOWN_SSRC);
	len = make_rtcp(buf, 0x0badf00d, 1);
	cr_assert_eq(mikey_srtp_sess_unprotect_rtcp(rx, buf, len, &l), MIKEY_ERR_UNKNOWN_SSRC);
	/* Too short. */
	len = make_rtp(buf, SSRC, 1);
	cr_assert_eq(mikey_srtp_sess_protect_rtp(tx, buf, 11, CAP, &l), MIKEY_ERR_TRUNCATED);
	cr_assert_eq(mikey_srtp_sess_unprotect_rtp(rx, buf, 12 + 2 + 9, &l), MIKEY_ERR_TRUNCATED);
	cr_assert_eq(mikey_srtp_sess_unprotect_rtcp(rx, buf, 7, &l), MIKEY_ERR_TRUNCATED);
	buf[0] = 0x8f; /* 15 CSRCs announced, not there */
	cr_assert_eq(mikey_srtp_sess_protect_rtp(tx, buf, 40, CAP, &l), MIKEY_ERR_TRUNCATED);
	buf[0] = 0x40;
	cr_assert_eq(mikey_srtp_sess_protect_rtp(tx, buf, len, CAP, &l), MIKEY_ERR_FORMAT);
	/* Wrong direction, no room. */
	len = make_rtp(buf, SSRC, 1);
	cr_assert_eq(mikey_srtp_sess_unprotect_rtp(tx, buf, len, &l), MIKEY_ERR_ARG);
	cr_assert_eq(mikey_srtp_sess_protect_rtp(rx, buf, len, CAP, &l), MIKEY_ERR_ARG);
	cr_assert_eq(mikey_srtp_sess_protect_rtp(tx, buf, len, len + 11, &l), MIKEY_ERR_LENGTH);
	cr_assert_eq(mikey_srtp_sess_use_key(rx, SSRC, a.mki, 2), MIKEY_ERR_STATE);
	/* Authentication failure: one bit of the payload. */
	cr_assert_eq(mikey_srtp_sess_protect_rtp(tx, buf, len, CAP, &l), MIKEY_OK);
	memcpy(keep, buf, l);
	buf[20] ^= 1;
	cr_assert_eq(mikey_srtp_sess_unprotect_rtp(rx, buf, l, &out), MIKEY_ERR_AUTH);
	/* ... after which the real packet still passes (nothing recorded). */
	memcpy(buf, keep, l);
	cr_assert_eq(mikey_srtp_sess_unprotect_rtp(rx, buf, l, &out), MIKEY_OK);
	/* An MKI never added. */
	len = make_rtp(buf, SSRC, 2);
	cr_assert_eq(mikey_srtp_sess_protect_rtp(tx, buf, len, CAP, &l), MIKEY_OK);
	buf[len + 1] = 0x77;
	cr_assert_eq(mikey_srtp_sess_unprotect_rtp(rx, buf, l, &out), MIKEY_ERR_UNKNOWN_MKI);
	/* Keys: 16 at most; same policy and MKI length only. */
	for (uint8_t k = 2; k <= 16; k++) {
		make_cs(&c, SSRC, 0, k, k);
		cr_assert_eq(mikey_srtp_sess_add_key(rx, &c), MIKEY_OK, "key %u", k);
	}
	make_cs(&c, SSRC, 0, 17, 17);
	cr_assert_eq(mikey_srtp_sess_add_key(rx, &c), MIKEY_ERR_TOO_MANY);
	make_cs(&c, SSRC, 0, 17, 17);
	c.policy.auth_tag_len = 4;
	cr_assert_eq(mikey_srtp_sess_add_key(tx, &c), MIKEY_ERR_POLICY);
	c.policy.auth_tag_len = 10;
	c.mki_len = 1;
	cr_assert_eq(mikey_srtp_sess_add_key(tx, &c), MIKEY_ERR_ARG);
	c.ssrc = 1;
	c.mki_len = 2;
	cr_assert_eq(mikey_srtp_sess_add_key(tx, &c), MIKEY_ERR_UNKNOWN_SSRC);
	/* Policies libsrtp2 cannot run. */
	make_cs(&c, 2, 0, 1, 0);
	c.policy.kdr = 24;
	cr_assert_eq(mikey_srtp_sess_add_stream(tx, &c), MIKEY_ERR_POLICY);
	cr_assert_eq(mikey_srtp_sess_add_stream(NULL, &c), MIKEY_ERR_ARG);
	cr_assert_eq(mikey_srtp_error_from_libsrtp(srtp_err_status_replay_old), MIKEY_ERR_REPLAY);
	cr_assert_eq(mikey_srtp_error_from_libsrtp(srtp_err_status_no_ctx), MIKEY_ERR_UNKNOWN_SSRC);
	cr_assert_eq(mikey_srtp_error_from_libsrtp(srtp_err_status_auth_fail), MIKEY_ERR_AUTH);
	cr_assert_eq(mikey_srtp_error_from_libsrtp(srtp_err_status_key_expired), MIKEY_ERR_KEY_LIMIT);
	cr_assert_str_eq(mikey_error_name(MIKEY_ERR_UNKNOWN_MKI), "MIKEY_ERR_UNKNOWN_MKI");
	mikey_srtp_sess_free(tx);
	mikey_srtp_sess_free(rx);
	mikey_srtp_sess_free(NULL);
}

/* AES-CM-128/HMAC-SHA1-80 and AES-GCM-128, each without and with an MKI
 * (with AEAD the MKI comes after the tag, RFC 7714 §9.1 and §17). */
Test(srtp_session, interop_with_plain_libsrtp2_both_ways)
{
	mikey_srtp_sess *tx = sess(MIKEY_SRTP_SESS_PROTECT, NULL), *rx = sess(MIKEY_SRTP_SESS_UNPROTECT, NULL);
	for (int round = 0; round < 4; round++) {
		int with_mki = round % 2, gcm = round / 2;
		mikey_crypto_session cs;
		uint32_t ssrc = 0x51000000u + (uint32_t)round;
		make_cs(&cs, ssrc, 3, 9, with_mki ? 5 : 0);
		if (gcm)
			make_gcm(&cs);
		cr_assert_eq(mikey_srtp_sess_add_stream(tx, &cs), MIKEY_OK);
		cr_assert_eq(mikey_srtp_sess_add_stream(rx, &cs), MIKEY_OK);
		srtp_t ptx = plain_srtp(&cs, 1), prx = plain_srtp(&cs, 1);
		for (uint16_t seq = 1; seq < 5; seq++) {
			uint8_t plain[CAP], buf[CAP];
			size_t len = make_rtp(plain, ssrc, seq), l, out;
			int il;
			/* ours -> plain libsrtp2 */
			memcpy(buf, plain, len);
			cr_assert_eq(mikey_srtp_sess_protect_rtp(tx, buf, len, CAP, &l), MIKEY_OK);
			il = (int)l;
			cr_assert_eq(srtp_unprotect_mki(prx, buf, &il, (unsigned)with_mki), srtp_err_status_ok);
			cr_assert_eq((size_t)il, len);
			cr_assert_arr_eq(buf, plain, len);
			/* plain libsrtp2 -> ours */
			memcpy(buf, plain, len);
			il = (int)len;
			cr_assert_eq(srtp_protect_mki(ptx, buf, &il, (unsigned)with_mki, 0), srtp_err_status_ok);
			cr_assert_eq(mikey_srtp_sess_unprotect_rtp(rx, buf, (size_t)il, &out), MIKEY_OK);
			cr_assert_eq(out, len);
			cr_assert_arr_eq(buf, plain, len);
			/* SRTCP both ways. */
			len = make_rtcp(plain, ssrc, (uint8_t)seq);
			memcpy(buf, plain, len);
			cr_assert_eq(mikey_srtp_sess_protect_rtcp(tx, buf, len, CAP, &l), MIKEY_OK);
			il = (int)l;
			cr_assert_eq(srtp_unprotect_rtcp_mki(prx, buf, &il, (unsigned)with_mki), srtp_err_status_ok);
			cr_assert_arr_eq(buf, plain, len);
			memcpy(buf, plain, len);
			il = (int)len;
			cr_assert_eq(srtp_protect_rtcp_mki(ptx, buf, &il, (unsigned)with_mki, 0), srtp_err_status_ok);
			cr_assert_eq(mikey_srtp_sess_unprotect_rtcp(rx, buf, (size_t)il, &out), MIKEY_OK);
			cr_assert_arr_eq(buf, plain, len);
		}
		srtp_dealloc(ptx);
		srtp_dealloc(prx);
	}
	mikey_srtp_sess_free(tx);
	mikey_srtp_sess_free(rx);
}

/* ---- allocation failures: every path cleans up (LeakSanitizer) ---- */

static size_t fm_calls, fm_fail_at;
static void *fm_malloc(size_t n, void *u)
{
	(void)u;
	return ++fm_calls == fm_fail_at ? NULL : malloc(n ? n : 1);
}
static void *fm_realloc(void *p, size_t n, void *u)
{
	(void)u;
	return ++fm_calls == fm_fail_at ? NULL : realloc(p, n ? n : 1);
}
static void fm_free(void *p, void *u)
{
	(void)u;
	free(p);
}

Test(srtp_session, allocation_failures_clean_up)
{
	static const mikey_mem fm = {fm_malloc, fm_realloc, fm_free, NULL};
	bool done = false;

	for (fm_fail_at = 1; !done && fm_fail_at < 200; fm_fail_at++) {
		mikey_srtp_sess *s = NULL;
		mikey_crypto_session cs;
		int rc;
		size_t added = 0;

		fm_calls = 0;
		mikey_mem_set(&fm);
		rc = mikey_srtp_sess_new(MIKEY_SRTP_SESS_UNPROTECT, NULL, &s);
		for (uint32_t i = 0; rc == MIKEY_OK && i < 40; i++) {
			make_cs(&cs, 0x7000u + i, i, (uint8_t)i, 1);
			rc = mikey_srtp_sess_add_stream(s, &cs);
			added += rc == MIKEY_OK;
		}
		mikey_mem_set(NULL);
		cr_assert(rc == MIKEY_OK || rc == MIKEY_ERR_NOMEM, "fail at %zu: %s", fm_fail_at, mikey_error_name(rc));
		if (rc == MIKEY_OK) {
			done = true;
			cr_assert_eq(mikey_srtp_sess_stream_count(s), 40);
		} else if (s != NULL) {
			/* What was added before the failure still works. */
			cr_assert_eq(mikey_srtp_sess_stream_count(s), added);
		}
		mikey_srtp_sess_free(s);
	}
	cr_assert(done);
}

/* srtpenc's allow-repeat-tx: a sender may protect the same packet again
 * (a retransmission) while its index is inside the replay window, and
 * gets the same bytes; by default, and beyond the window, a repeat is
 * MIKEY_ERR_REPLAY (RFC 3711 §3.3.2). The receiver takes the first copy
 * only. */
Test(srtp_session, allow_repeat_tx_repeats_the_same_packet)
{
	mikey_crypto_session cs;
	mikey_srtp_sess_config cfg;
	uint8_t first[CAP], again[CAP];
	size_t len, l1, l2, out;
	const uint32_t ssrc = 0x7e7e0001;

	make_cs(&cs, ssrc, 0, 5, 0);
	mikey_srtp_sess_config_default(&cfg);
	mikey_srtp_sess *strict = sess(MIKEY_SRTP_SESS_PROTECT, NULL);
	cfg.allow_repeat_tx = true;
	cfg.window = 64;
	mikey_srtp_sess *lenient = sess(MIKEY_SRTP_SESS_PROTECT, &cfg);
	mikey_srtp_sess *rx = sess(MIKEY_SRTP_SESS_UNPROTECT, NULL);
	cr_assert_eq(mikey_srtp_sess_add_stream(strict, &cs), MIKEY_OK);
	cr_assert_eq(mikey_srtp_sess_add_stream(lenient, &cs), MIKEY_OK);
	cr_assert_eq(mikey_srtp_sess_add_stream(rx, &cs), MIKEY_OK);

	/* Default: the second protect of seq 10 is refused. */
	len = make_rtp(first, ssrc, 10);
	cr_assert_eq(mikey_srtp_sess_protect_rtp(strict, first, len, CAP, &l1), MIKEY_OK);
	len = make_rtp(again, ssrc, 10);
	cr_assert_eq(mikey_srtp_sess_protect_rtp(strict, again, len, CAP, &l2), MIKEY_ERR_REPLAY);

	/* Allowed: the same bytes twice, also after later packets. */
	len = make_rtp(first, ssrc, 10);
	cr_assert_eq(mikey_srtp_sess_protect_rtp(lenient, first, len, CAP, &l1), MIKEY_OK);
	for (uint16_t seq = 11; seq < 40; seq++) {
		uint8_t b[CAP];
		cr_assert_eq(mikey_srtp_sess_protect_rtp(lenient, b, make_rtp(b, ssrc, seq), CAP, &l2), MIKEY_OK);
	}
	len = make_rtp(again, ssrc, 10);
	cr_assert_eq(mikey_srtp_sess_protect_rtp(lenient, again, len, CAP, &l2), MIKEY_OK);
	cr_assert_eq(l1, l2);
	cr_assert_arr_eq(first, again, l1, "a repeat must be the same packet");

	/* The receiver: the first copy decrypts, the repeat is a replay. */
	cr_assert_eq(mikey_srtp_sess_unprotect_rtp(rx, first, l1, &out), MIKEY_OK);
	cr_assert_eq(mikey_srtp_sess_unprotect_rtp(rx, again, l2, &out), MIKEY_ERR_REPLAY);

	/* Beyond the 64-packet window a repeat is refused even when allowed. */
	for (uint16_t seq = 40; seq < 80; seq++) {
		uint8_t b[CAP];
		cr_assert_eq(mikey_srtp_sess_protect_rtp(lenient, b, make_rtp(b, ssrc, seq), CAP, &l2), MIKEY_OK);
	}
	len = make_rtp(again, ssrc, 10);
	cr_assert_eq(mikey_srtp_sess_protect_rtp(lenient, again, len, CAP, &l2), MIKEY_ERR_REPLAY);

	mikey_srtp_sess_free(strict);
	mikey_srtp_sess_free(lenient);
	mikey_srtp_sess_free(rx);
}
