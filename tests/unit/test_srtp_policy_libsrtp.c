/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_srtp_policy_libsrtp.c - mikey_srtp_fill_policy / mikey_srtp_session_new
 * (mikey/srtp_libsrtp.h) against libsrtp2 itself.
 *
 * Expected values do not come from the code under test:
 *  - libsrtp2's own known-answer vectors (srtp_driver.c srtp_validate:
 *    AES-CM-128 / HMAC-SHA1-80, SSRC 0xcafebabe, seq 0x1234, SRTP and SRTCP
 *    index 1); the 32-bit-tag packet is the same with the tag cut;
 *  - sessions libsrtp2 builds from its own named setters
 *    (srtp_crypto_policy_set_aes_cm_192_hmac_sha1_32 and so on) with the
 *    same key: our policy must produce byte-identical packets;
 *  - RFC 3711 layouts: MKI between payload and tag (§3.1), the E flag of
 *    the SRTCP index word (§3.4), the NULL cipher leaving the payload clear.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "mikey/srtp_libsrtp.h"

static const uint8_t kat_key[16] = {0xe1, 0xf9, 0x7a, 0x0d, 0x3e, 0x01, 0x8b, 0xe0,
                                    0xd6, 0x4f, 0xa3, 0x2c, 0x06, 0xde, 0x41, 0x39};
static const uint8_t kat_salt[14] = {0x0e, 0xc6, 0x75, 0xad, 0x49, 0x8a, 0xfe, 0xeb, 0xb6, 0x96, 0x0b, 0x3a, 0xab, 0xe6};
static const uint8_t kat_rtp_plain[28] = {0x80, 0x0f, 0x12, 0x34, 0xde, 0xca, 0xfb, 0xad, 0xca, 0xfe,
                                          0xba, 0xbe, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab,
                                          0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab};
static const uint8_t kat_srtp[38] = {0x80, 0x0f, 0x12, 0x34, 0xde, 0xca, 0xfb, 0xad, 0xca, 0xfe,
                                     0xba, 0xbe, 0x4e, 0x55, 0xdc, 0x4c, 0xe7, 0x99, 0x78, 0xd8,
                                     0x8c, 0xa4, 0xd2, 0x15, 0x94, 0x9d, 0x24, 0x02, 0xb7, 0x8d,
                                     0x6a, 0xcc, 0x99, 0xea, 0x17, 0x9b, 0x8d, 0xbb};
static const uint8_t kat_rtcp_plain[24] = {0x81, 0xc8, 0x00, 0x0b, 0xca, 0xfe, 0xba, 0xbe,
                                           0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab,
                                           0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab};
static const uint8_t kat_srtcp[38] = {0x81, 0xc8, 0x00, 0x0b, 0xca, 0xfe, 0xba, 0xbe, 0x71, 0x28,
                                      0x03, 0x5b, 0xe4, 0x87, 0xb9, 0xbd, 0xbe, 0xf8, 0x90, 0x41,
                                      0xf9, 0x77, 0xa5, 0xa8, 0x80, 0x00, 0x00, 0x01, 0x99, 0x3e,
                                      0x08, 0xcd, 0x54, 0xd6, 0xc1, 0x23, 0x07, 0x98};

#define SSRC 0xcafebabeu
#define BUF 256

static void init_once(void)
{
	static bool done;
	if (!done) {
		(void)srtp_init();
		done = true;
	}
}

/* A crypto session as mikey_exchange_get_cs would give it. */
static void make_cs(mikey_crypto_session *cs, uint8_t encr, uint32_t key_len, uint32_t tag_len, uint8_t fill)
{
	memset(cs, 0, sizeof(*cs));
	cs->cs_id = 1;
	cs->ssrc = SSRC;
	mikey_srtp_policy_default(&cs->policy);
	cs->policy.encr_alg = encr;
	cs->policy.encr_key_len = key_len;
	cs->policy.auth_tag_len = tag_len;
	if (encr == MIKEY_SRTP_ENCR_AES_GCM) {
		cs->policy.auth_alg = MIKEY_SRTP_AUTH_NULL;
		cs->policy.auth_key_len = 0;
		cs->policy.auth_tag_len = 0;
		cs->policy.salt_key_len = 12;
		cs->policy.aead_tag_len = 16;
	}
	if (encr == MIKEY_SRTP_ENCR_NULL)
		cs->policy.srtp_encr = cs->policy.srtcp_encr = false;
	cs->master_key_len = key_len;
	cs->master_salt_len = cs->policy.salt_key_len;
	for (size_t i = 0; i < key_len; i++)
		cs->master_key[i] = (uint8_t)(fill + i);
	for (size_t i = 0; i < cs->master_salt_len; i++)
		cs->master_salt[i] = (uint8_t)(0xa0 + fill + i);
}

static size_t rtp_packet(uint8_t *buf, uint16_t seq, size_t payload)
{
	buf[0] = 0x80;
	buf[1] = 0x60;
	buf[2] = (uint8_t)(seq >> 8);
	buf[3] = (uint8_t)seq;
	memset(buf + 4, 0x11, 4); /* timestamp */
	buf[8] = (uint8_t)(SSRC >> 24);
	buf[9] = (uint8_t)(SSRC >> 16);
	buf[10] = (uint8_t)(SSRC >> 8);
	buf[11] = (uint8_t)SSRC;
	for (size_t i = 0; i < payload; i++)
		buf[12 + i] = (uint8_t)(i * 7 + seq);
	return 12 + payload;
}

static size_t rtcp_packet(uint8_t *buf, uint8_t fill)
{
	/* Sender report header with our SSRC, then 20 bytes of report. */
	buf[0] = 0x80;
	buf[1] = 200;
	buf[2] = 0;
	buf[3] = 6;
	buf[4] = (uint8_t)(SSRC >> 24);
	buf[5] = (uint8_t)(SSRC >> 16);
	buf[6] = (uint8_t)(SSRC >> 8);
	buf[7] = (uint8_t)SSRC;
	memset(buf + 8, fill, 20);
	return 28;
}

/* A session from libsrtp2's own setters, with key || salt. */
static srtp_t reference_session(void (*setter)(srtp_crypto_policy_t *), const uint8_t *key, size_t key_len,
                                const uint8_t *salt, size_t salt_len)
{
	srtp_policy_t pol;
	uint8_t k[64];
	srtp_t s = NULL;
	memset(&pol, 0, sizeof(pol));
	setter(&pol.rtp);
	setter(&pol.rtcp);
	memcpy(k, key, key_len);
	memcpy(k + key_len, salt, salt_len);
	pol.key = k;
	pol.ssrc.type = ssrc_specific;
	pol.ssrc.value = SSRC;
	init_once();
	cr_assert_eq(srtp_create(&s, &pol), srtp_err_status_ok);
	return s;
}

static srtp_t ours(const mikey_crypto_session *cs)
{
	srtp_t s = NULL;
	init_once();
	cr_assert_eq(mikey_srtp_session_new(cs, MIKEY_SRTP_SSRC_SPECIFIC, &s), MIKEY_OK);
	cr_assert_not_null(s);
	return s;
}

Test(srtp_policy_libsrtp, libsrtp_known_answer_aes_cm_128_sha1_80_and_32)
{
	mikey_crypto_session cs;
	uint8_t buf[BUF];
	int len;

	make_cs(&cs, MIKEY_SRTP_ENCR_AES_CM, 16, 10, 0);
	memcpy(cs.master_key, kat_key, 16);
	memcpy(cs.master_salt, kat_salt, 14);
	srtp_t tx = ours(&cs), rx = ours(&cs);
	memcpy(buf, kat_rtp_plain, sizeof(kat_rtp_plain));
	len = sizeof(kat_rtp_plain);
	cr_assert_eq(srtp_protect(tx, buf, &len), srtp_err_status_ok);
	cr_assert_eq(len, (int)sizeof(kat_srtp));
	cr_assert_arr_eq(buf, kat_srtp, sizeof(kat_srtp));
	cr_assert_eq(srtp_unprotect(rx, buf, &len), srtp_err_status_ok);
	cr_assert_arr_eq(buf, kat_rtp_plain, sizeof(kat_rtp_plain));
	/* SRTCP, index 1 (E || index = 0x80000001). */
	memcpy(buf, kat_rtcp_plain, sizeof(kat_rtcp_plain));
	len = sizeof(kat_rtcp_plain);
	cr_assert_eq(srtp_protect_rtcp(tx, buf, &len), srtp_err_status_ok);
	cr_assert_eq(len, (int)sizeof(kat_srtcp));
	cr_assert_arr_eq(buf, kat_srtcp, sizeof(kat_srtcp));
	cr_assert_eq(srtp_unprotect_rtcp(rx, buf, &len), srtp_err_status_ok);
	cr_assert_arr_eq(buf, kat_rtcp_plain, sizeof(kat_rtcp_plain));
	srtp_dealloc(tx);
	srtp_dealloc(rx);

	/* 32-bit tag: the same packet, tag truncated (RFC 3711 §4.2). */
	cs.policy.auth_tag_len = 4;
	tx = ours(&cs);
	memcpy(buf, kat_rtp_plain, sizeof(kat_rtp_plain));
	len = sizeof(kat_rtp_plain);
	cr_assert_eq(srtp_protect(tx, buf, &len), srtp_err_status_ok);
	cr_assert_eq(len, 28 + 4);
	cr_assert_arr_eq(buf, kat_srtp, 32);
	srtp_dealloc(tx);
}

/* One supported policy: our session equals libsrtp2's named one byte for
 * byte, our receiver opens it, and a sender with other keys is refused. */
struct suite_case {
	const char *name;
	uint8_t encr;
	uint32_t key_len, tag_len;
	void (*setter)(srtp_crypto_policy_t *);
};

static const struct suite_case suites[] = {
	{"AES-CM-128 HMAC-SHA1-80", MIKEY_SRTP_ENCR_AES_CM, 16, 10, srtp_crypto_policy_set_rtp_default},
	{"AES-CM-128 HMAC-SHA1-32", MIKEY_SRTP_ENCR_AES_CM, 16, 4, srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32},
	{"AES-CM-192 HMAC-SHA1-80", MIKEY_SRTP_ENCR_AES_CM, 24, 10, srtp_crypto_policy_set_aes_cm_192_hmac_sha1_80},
	{"AES-CM-192 HMAC-SHA1-32", MIKEY_SRTP_ENCR_AES_CM, 24, 4, srtp_crypto_policy_set_aes_cm_192_hmac_sha1_32},
	{"AES-CM-256 HMAC-SHA1-80", MIKEY_SRTP_ENCR_AES_CM, 32, 10, srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80},
	{"AES-CM-256 HMAC-SHA1-32", MIKEY_SRTP_ENCR_AES_CM, 32, 4, srtp_crypto_policy_set_aes_cm_256_hmac_sha1_32},
	{"AES-GCM-128", MIKEY_SRTP_ENCR_AES_GCM, 16, 0, srtp_crypto_policy_set_aes_gcm_128_16_auth},
	{"AES-GCM-256", MIKEY_SRTP_ENCR_AES_GCM, 32, 0, srtp_crypto_policy_set_aes_gcm_256_16_auth},
	{"NULL HMAC-SHA1-80", MIKEY_SRTP_ENCR_NULL, 16, 10, srtp_crypto_policy_set_null_cipher_hmac_sha1_80},
};

static void run_suite(const struct suite_case *sc)
{
	mikey_crypto_session cs, other;
	uint8_t a[BUF], b[BUF], plain[BUF];
	int la, lb;
	size_t n;

	make_cs(&cs, sc->encr, sc->key_len, sc->tag_len, 1);
	make_cs(&other, sc->encr, sc->key_len, sc->tag_len, 2);
	srtp_t tx = ours(&cs), rx = ours(&cs), evil = ours(&other);
	srtp_t ref = reference_session(sc->setter, cs.master_key, cs.master_key_len, cs.master_salt,
	                               cs.master_salt_len);
	for (uint16_t seq = 100; seq < 105; seq++) {
		n = rtp_packet(plain, seq, 40 + seq % 3);
		memcpy(a, plain, n);
		memcpy(b, plain, n);
		la = lb = (int)n;
		cr_assert_eq(srtp_protect(tx, a, &la), srtp_err_status_ok, "%s", sc->name);
		cr_assert_eq(srtp_protect(ref, b, &lb), srtp_err_status_ok, "%s", sc->name);
		cr_assert_eq(la, lb, "%s", sc->name);
		cr_assert_arr_eq(a, b, (size_t)la, "%s: differs from libsrtp2's named policy", sc->name);
		if (sc->encr == MIKEY_SRTP_ENCR_NULL)
			cr_assert_arr_eq(a + 12, plain + 12, n - 12, "%s: NULL cipher leaves the payload", sc->name);
		else
			cr_assert(memcmp(a + 12, plain + 12, n - 12) != 0, "%s: payload not encrypted", sc->name);
		cr_assert_eq(srtp_unprotect(rx, a, &la), srtp_err_status_ok, "%s", sc->name);
		cr_assert_eq(la, (int)n);
		cr_assert_arr_eq(a, plain, n, "%s", sc->name);

		/* Same SSRC and sequence number, other keys: not authentic. */
		memcpy(a, plain, n);
		a[3] ^= 0x40; /* a sequence number the receiver has not seen */
		la = (int)n;
		cr_assert_eq(srtp_protect(evil, a, &la), srtp_err_status_ok);
		cr_assert_eq(srtp_unprotect(rx, a, &la), srtp_err_status_auth_fail, "%s: foreign key accepted", sc->name);
	}
	for (uint8_t i = 0; i < 3; i++) {
		n = rtcp_packet(plain, (uint8_t)(0x30 + i));
		memcpy(a, plain, n);
		memcpy(b, plain, n);
		la = lb = (int)n;
		cr_assert_eq(srtp_protect_rtcp(tx, a, &la), srtp_err_status_ok, "%s", sc->name);
		cr_assert_eq(srtp_protect_rtcp(ref, b, &lb), srtp_err_status_ok, "%s", sc->name);
		cr_assert_eq(la, lb, "%s", sc->name);
		cr_assert_arr_eq(a, b, (size_t)la, "%s: SRTCP differs from libsrtp2's named policy", sc->name);
		cr_assert_eq(srtp_unprotect_rtcp(rx, a, &la), srtp_err_status_ok, "%s", sc->name);
		cr_assert_arr_eq(a, plain, n, "%s", sc->name);
		/* libsrtp2 checks the SRTCP index before the tag: let the
		 * foreign sender run ahead so its index is a fresh one. */
		memcpy(b, plain, n);
		lb = (int)n;
		cr_assert_eq(srtp_protect_rtcp(evil, b, &lb), srtp_err_status_ok);
		memcpy(a, plain, n);
		la = (int)n;
		cr_assert_eq(srtp_protect_rtcp(evil, a, &la), srtp_err_status_ok);
		cr_assert_eq(srtp_unprotect_rtcp(rx, a, &la), srtp_err_status_auth_fail, "%s: SRTCP foreign key accepted",
		             sc->name);
	}
	srtp_dealloc(tx);
	srtp_dealloc(rx);
	srtp_dealloc(evil);
	srtp_dealloc(ref);
}

Test(srtp_policy_libsrtp, every_supported_policy_matches_libsrtp_and_round_trips)
{
	for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
		run_suite(&suites[i]);
}

Test(srtp_policy_libsrtp, srtcp_encryption_off_sets_e_flag_zero)
{
	mikey_crypto_session cs;
	uint8_t a[BUF], plain[BUF];
	int la;
	size_t n;

	make_cs(&cs, MIKEY_SRTP_ENCR_AES_CM, 16, 10, 3);
	cs.policy.srtcp_encr = false;
	srtp_t tx = ours(&cs), rx = ours(&cs);
	n = rtcp_packet(plain, 0x55);
	memcpy(a, plain, n);
	la = (int)n;
	cr_assert_eq(srtp_protect_rtcp(tx, a, &la), srtp_err_status_ok);
	/* RFC 3711 §3.4: E = 0, the report in the clear, index 1. */
	cr_assert_eq(la, (int)n + 4 + 10);
	cr_assert_arr_eq(a, plain, n);
	cr_assert_eq(a[n] & 0x80, 0);
	cr_assert_eq(a[n + 3], 1);
	cr_assert_eq(srtp_unprotect_rtcp(rx, a, &la), srtp_err_status_ok);
	cr_assert_arr_eq(a, plain, n);
	/* SRTP still encrypted. */
	n = rtp_packet(plain, 7, 32);
	memcpy(a, plain, n);
	la = (int)n;
	cr_assert_eq(srtp_protect(tx, a, &la), srtp_err_status_ok);
	cr_assert(memcmp(a + 12, plain + 12, 32) != 0);
	srtp_dealloc(tx);
	srtp_dealloc(rx);

	/* AES-GCM with SRTCP unencrypted (RFC 7714 §9.3) still round-trips. */
	make_cs(&cs, MIKEY_SRTP_ENCR_AES_GCM, 16, 0, 4);
	cs.policy.srtcp_encr = false;
	tx = ours(&cs);
	rx = ours(&cs);
	n = rtcp_packet(plain, 0x66);
	memcpy(a, plain, n);
	la = (int)n;
	cr_assert_eq(srtp_protect_rtcp(tx, a, &la), srtp_err_status_ok);
	cr_assert_arr_eq(a, plain, n);
	cr_assert_eq(srtp_unprotect_rtcp(rx, a, &la), srtp_err_status_ok);
	cr_assert_arr_eq(a, plain, n);
	srtp_dealloc(tx);
	srtp_dealloc(rx);
}

Test(srtp_policy_libsrtp, null_auth_policy)
{
	mikey_crypto_session cs;
	uint8_t a[BUF], b[BUF], plain[BUF];
	int la, lb;
	size_t n;

	make_cs(&cs, MIKEY_SRTP_ENCR_AES_CM, 16, 10, 5);
	cs.policy.srtp_auth = false;
	srtp_t tx = ours(&cs), rx = ours(&cs);
	srtp_t ref = reference_session(srtp_crypto_policy_set_aes_cm_128_null_auth, cs.master_key, 16, cs.master_salt, 14);
	n = rtp_packet(plain, 9, 20);
	memcpy(a, plain, n);
	memcpy(b, plain, n);
	la = lb = (int)n;
	cr_assert_eq(srtp_protect(tx, a, &la), srtp_err_status_ok);
	cr_assert_eq(srtp_protect(ref, b, &lb), srtp_err_status_ok);
	cr_assert_eq(la, (int)n); /* no tag */
	cr_assert_arr_eq(a, b, n);
	cr_assert_eq(srtp_unprotect(rx, a, &la), srtp_err_status_ok);
	cr_assert_arr_eq(a, plain, n);
	srtp_dealloc(tx);
	srtp_dealloc(rx);
	srtp_dealloc(ref);
}

Test(srtp_policy_libsrtp, mki_sits_between_payload_and_tag)
{
	static const uint8_t mki[4] = {0xde, 0xad, 0xbe, 0xef};
	mikey_crypto_session cs, wrong;
	uint8_t a[BUF], plain[BUF];
	int la;
	size_t n;

	make_cs(&cs, MIKEY_SRTP_ENCR_AES_CM, 16, 10, 6);
	memcpy(cs.mki, mki, sizeof(mki));
	cs.mki_len = sizeof(mki);
	wrong = cs;
	wrong.mki[3] = 0xee;
	srtp_t tx = ours(&cs), rx = ours(&cs), rx_wrong = ours(&wrong);
	n = rtp_packet(plain, 300, 24);
	memcpy(a, plain, n);
	la = (int)n;
	cr_assert_eq(srtp_protect_mki(tx, a, &la, 1, 0), srtp_err_status_ok);
	/* RFC 3711 §3.1: header || encrypted payload || MKI || tag. */
	cr_assert_eq(la, (int)n + 4 + 10);
	cr_assert_arr_eq(a + n, mki, sizeof(mki));
	uint8_t copy[BUF];
	int lc = la;
	memcpy(copy, a, (size_t)la);
	cr_assert_eq(srtp_unprotect_mki(rx_wrong, copy, &lc, 1), srtp_err_status_bad_mki);
	cr_assert_eq(srtp_unprotect_mki(rx, a, &la, 1), srtp_err_status_ok);
	cr_assert_arr_eq(a, plain, n);

	n = rtcp_packet(plain, 0x77);
	memcpy(a, plain, n);
	la = (int)n;
	cr_assert_eq(srtp_protect_rtcp_mki(tx, a, &la, 1, 0), srtp_err_status_ok);
	cr_assert_eq(la, (int)n + 4 + 4 + 10);
	cr_assert_arr_eq(a + n + 4, mki, sizeof(mki));
	cr_assert_eq(srtp_unprotect_rtcp_mki(rx, a, &la, 1), srtp_err_status_ok);
	cr_assert_arr_eq(a, plain, n);
	srtp_dealloc(tx);
	srtp_dealloc(rx);
	srtp_dealloc(rx_wrong);

	/* fill_policy alone: the policy points at one master key with the MKI. */
	srtp_policy_t pol;
	mikey_srtp_key_buf kb;
	cr_assert_eq(mikey_srtp_fill_policy(&cs, MIKEY_SRTP_SSRC_SPECIFIC, &pol, &kb), MIKEY_OK);
	cr_assert_null(pol.key);
	cr_assert_eq(pol.num_master_keys, 1);
	cr_assert_eq(pol.keys[0]->mki_size, 4);
	cr_assert_arr_eq(pol.keys[0]->mki_id, mki, 4);
	cr_assert_arr_eq(pol.keys[0]->key, cs.master_key, 16);
	cr_assert_arr_eq(pol.keys[0]->key + 16, cs.master_salt, 14);
	mikey_srtp_key_buf_wipe(&kb);
	uint8_t zero[sizeof(kb)];
	memset(zero, 0, sizeof(zero));
	cr_assert_arr_eq(&kb, zero, sizeof(kb));
}

Test(srtp_policy_libsrtp, roc_from_the_srtp_id_map)
{
	mikey_crypto_session cs, cs0;
	uint8_t a[BUF], b[BUF], plain[BUF];
	int la, lb;
	size_t n;

	make_cs(&cs, MIKEY_SRTP_ENCR_AES_CM, 16, 10, 7);
	cs.roc = 5;
	cs0 = cs;
	cs0.roc = 0;
	srtp_t tx = ours(&cs), rx = ours(&cs), rx0 = ours(&cs0);
	/* Reference: libsrtp2's setter and srtp_set_stream_roc by hand. */
	srtp_t ref = reference_session(srtp_crypto_policy_set_rtp_default, cs.master_key, 16,
	                               cs.master_salt, 14);
	cr_assert_eq(srtp_set_stream_roc(ref, SSRC, 5), srtp_err_status_ok);
	n = rtp_packet(plain, 1000, 30);
	memcpy(a, plain, n);
	memcpy(b, plain, n);
	la = lb = (int)n;
	cr_assert_eq(srtp_protect(tx, a, &la), srtp_err_status_ok);
	cr_assert_eq(srtp_protect(ref, b, &lb), srtp_err_status_ok);
	cr_assert_arr_eq(a, b, (size_t)la);
	/* libsrtp2 keeps a preset ROC pending until the first packet. */
	uint32_t roc = 0;
	cr_assert_eq(srtp_get_stream_roc(tx, SSRC, &roc), srtp_err_status_ok);
	cr_assert_eq(roc, 5);
	memcpy(b, a, (size_t)la);
	lb = la;
	/* The ROC enters the tag (RFC 3711 §4.2): a receiver at ROC 0 refuses. */
	cr_assert_eq(srtp_unprotect(rx0, b, &lb), srtp_err_status_auth_fail);
	cr_assert_eq(srtp_unprotect(rx, a, &la), srtp_err_status_ok);
	cr_assert_arr_eq(a, plain, n);
	srtp_dealloc(tx);
	srtp_dealloc(rx);
	srtp_dealloc(rx0);
	srtp_dealloc(ref);
}

Test(srtp_policy_libsrtp, wildcard_ssrc)
{
	mikey_crypto_session cs;
	uint8_t a[BUF], plain[BUF];
	srtp_t tx = NULL, rx = NULL;
	int la;
	size_t n;

	make_cs(&cs, MIKEY_SRTP_ENCR_AES_CM, 16, 10, 8);
	init_once();
	cr_assert_eq(mikey_srtp_session_new(&cs, MIKEY_SRTP_SSRC_ANY_OUTBOUND, &tx), MIKEY_OK);
	cr_assert_eq(mikey_srtp_session_new(&cs, MIKEY_SRTP_SSRC_ANY_INBOUND, &rx), MIKEY_OK);
	n = rtp_packet(plain, 55, 16);
	memcpy(a, plain, n);
	la = (int)n;
	cr_assert_eq(srtp_protect(tx, a, &la), srtp_err_status_ok);
	cr_assert_eq(srtp_unprotect(rx, a, &la), srtp_err_status_ok);
	cr_assert_arr_eq(a, plain, n);
	srtp_dealloc(tx);
	srtp_dealloc(rx);
	/* libsrtp2 cannot preset the ROC of a stream that does not exist yet. */
	cs.roc = 1;
	tx = (srtp_t)1;
	cr_assert_eq(mikey_srtp_session_new(&cs, MIKEY_SRTP_SSRC_ANY_OUTBOUND, &tx), MIKEY_ERR_POLICY);
	cr_assert_null(tx);
}

Test(srtp_policy_libsrtp, what_libsrtp2_cannot_run_is_refused)
{
	mikey_crypto_session cs;
	srtp_policy_t pol;
	mikey_srtp_key_buf kb;
	srtp_t s;

#define REFUSE(tweak)                                                                                   \
	do {                                                                                                \
		make_cs(&cs, MIKEY_SRTP_ENCR_AES_CM, 16, 10, 9);                                            \
		tweak;                                                                                      \
		cr_assert_eq(mikey_srtp_fill_policy(&cs, MIKEY_SRTP_SSRC_SPECIFIC, &pol, &kb), MIKEY_ERR_POLICY, \
		             "accepted: %s", #tweak);                                                       \
		s = (srtp_t)1;                                                                              \
		cr_assert_eq(mikey_srtp_session_new(&cs, MIKEY_SRTP_SSRC_SPECIFIC, &s), MIKEY_ERR_POLICY);  \
		cr_assert_null(s);                                                                          \
	} while (0)

	REFUSE(cs.policy.encr_alg = MIKEY_SRTP_ENCR_AES_F8);
	REFUSE(cs.policy.encr_alg = 9);
	REFUSE(cs.policy.kdr = 1u << 16);
	REFUSE(cs.policy.prf = 1);
	REFUSE(cs.policy.prefix_len = 4);
	REFUSE(cs.policy.roc_tx_rate = 1);
	REFUSE(cs.policy.auth_alg = MIKEY_SRTP_AUTH_RCCM1);
	REFUSE(cs.policy.auth_key_len = 32);
	REFUSE(cs.policy.auth_tag_len = 0);
	REFUSE(cs.policy.auth_tag_len = 21);
	REFUSE((cs.policy.encr_key_len = 20, cs.master_key_len = 20));
	REFUSE(cs.master_key_len = 32); /* key does not match the policy */
	REFUSE((cs.policy.salt_key_len = 12, cs.master_salt_len = 12));
	REFUSE(cs.mki_len = SRTP_MAX_MKI_LEN + 1);
	/* AES-GCM: 12-byte salt, AEAD tag 8 or 16, SRTP encryption on. */
	REFUSE((make_cs(&cs, MIKEY_SRTP_ENCR_AES_GCM, 16, 0, 9), cs.policy.aead_tag_len = 12));
	REFUSE((make_cs(&cs, MIKEY_SRTP_ENCR_AES_GCM, 24, 0, 9)));
	REFUSE((make_cs(&cs, MIKEY_SRTP_ENCR_AES_GCM, 16, 0, 9), cs.policy.srtp_encr = false));
	REFUSE((make_cs(&cs, MIKEY_SRTP_ENCR_AES_GCM, 16, 0, 9), cs.policy.auth_alg = MIKEY_SRTP_AUTH_HMAC_SHA1));
	REFUSE((make_cs(&cs, MIKEY_SRTP_ENCR_NULL, 16, 10, 9), cs.policy.encr_key_len = 32, cs.master_key_len = 32));
#undef REFUSE

	make_cs(&cs, MIKEY_SRTP_ENCR_AES_CM, 16, 10, 9);
	cr_assert_eq(mikey_srtp_fill_policy(NULL, MIKEY_SRTP_SSRC_SPECIFIC, &pol, &kb), MIKEY_ERR_ARG);
	cr_assert_eq(mikey_srtp_fill_policy(&cs, (mikey_srtp_ssrc_mode)7, &pol, &kb), MIKEY_ERR_ARG);
	cr_assert_eq(mikey_srtp_session_new(&cs, MIKEY_SRTP_SSRC_SPECIFIC, NULL), MIKEY_ERR_ARG);
}
