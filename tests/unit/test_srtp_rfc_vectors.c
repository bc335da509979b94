/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_srtp_rfc_vectors.c - every AES-CM key size libmikey runs on
 * libsrtp2, checked against the RFC key-derivation vectors, never only
 * against libsrtp2 itself (libsrtp #763: 2.5 derives AES-192 session keys
 * with the AES-256 PRF).
 *
 * Expected values come from the RFCs and from OpenSSL, not from the code
 * under test:
 *  - the master key and salt of RFC 3711 Appendix B.3 (AES-128), RFC 6188
 *    §7.4 (AES-192) and §7.2 (AES-256), and the session cipher key, salt
 *    and auth key those sections print;
 *  - the SRTP packet those session keys give (RFC 3711 §4.1.1 counter,
 *    §4.2.1 HMAC-SHA1 over the Authenticated Portion || ROC), computed in
 *    this file with OpenSSL's EVP AES-CTR and HMAC;
 *  - it is compared with what libmikey's libsrtp2 session makes of the
 *    same master key (mikey_srtp_session_new and mikey_srtp_sess), and with
 *    mikey_srtp_kdf, the PRF of the libsrtp2 glue.
 * The libsrtp2 built here is patched for AES-192 (docs/libsrtp2-openssl.md)
 * and must match; a system libsrtp2 (-Dsystem_libsrtp2=true, 2.5 unpatched)
 * must instead have AES-192 refused with MIKEY_ERR_POLICY: never a packet
 * the RFC's keys do not give.
 */
#include <criterion/criterion.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <string.h>

#include "mikey/srtp_libsrtp.h"
#include "mikey/srtp_session.h"
#include "srtp/srtp_kdf.h"

#define SSRC 0x5c0ffee5u
#define SEQ 0x2a51u
#define ROC 7u
#define PAYLOAD 40
#define TAG_LEN 10

#ifndef MIKEY_LIBSRTP2_PATCHED
#define MIKEY_LIBSRTP2_PATCHED 1
#endif

typedef struct rfc_vector {
	const char *name;
	size_t key_len;
	uint8_t master_key[32];
	uint8_t master_salt[14];
	uint8_t cipher_key[32];
	uint8_t cipher_salt[14];
	uint8_t auth_key[20]; /* the first 20 bytes of the printed auth key */
} rfc_vector;

static const rfc_vector vectors[] = {
	{"RFC 3711 B.3 (AES-128)",
	 16,
	 {0xe1, 0xf9, 0x7a, 0x0d, 0x3e, 0x01, 0x8b, 0xe0, 0xd6, 0x4f, 0xa3, 0x2c, 0x06, 0xde, 0x41, 0x39},
	 {0x0e, 0xc6, 0x75, 0xad, 0x49, 0x8a, 0xfe, 0xeb, 0xb6, 0x96, 0x0b, 0x3a, 0xab, 0xe6},
	 {0xc6, 0x1e, 0x7a, 0x93, 0x74, 0x4f, 0x39, 0xee, 0x10, 0x73, 0x4a, 0xfe, 0x3f, 0xf7, 0xa0, 0x87},
	 {0x30, 0xcb, 0xbc, 0x08, 0x86, 0x3d, 0x8c, 0x85, 0xd4, 0x9d, 0xb3, 0x4a, 0x9a, 0xe1},
	 {0xce, 0xbe, 0x32, 0x1f, 0x6f, 0xf7, 0x71, 0x6b, 0x6f, 0xd4,
	  0xab, 0x49, 0xaf, 0x25, 0x6a, 0x15, 0x6d, 0x38, 0xba, 0xa4}},
	{"RFC 6188 7.4 (AES-192)",
	 24,
	 {0x73, 0xed, 0xc6, 0x6c, 0x4f, 0xa1, 0x57, 0x76, 0xfb, 0x57, 0xf9, 0x50,
	  0x5c, 0x17, 0x13, 0x65, 0x50, 0xff, 0xda, 0x71, 0xf3, 0xe8, 0xe5, 0xf1},
	 {0xc8, 0x52, 0x2f, 0x3a, 0xcd, 0x4c, 0xe8, 0x6d, 0x5a, 0xdd, 0x78, 0xed, 0xbb, 0x11},
	 {0x31, 0x87, 0x47, 0x36, 0xa8, 0xf1, 0x14, 0x38, 0x70, 0xc2, 0x6e, 0x48,
	  0x57, 0xd8, 0xa5, 0xb2, 0xc4, 0xa3, 0x54, 0x40, 0x7f, 0xaa, 0xda, 0xbb},
	 {0x23, 0x72, 0xb8, 0x2d, 0x63, 0x9b, 0x6d, 0x85, 0x03, 0xa4, 0x7a, 0xdc, 0x0a, 0x6c},
	 {0x35, 0x5b, 0x10, 0x97, 0x3c, 0xd9, 0x5b, 0x9e, 0xac, 0xf4,
	  0x06, 0x1c, 0x7e, 0x1a, 0x71, 0x51, 0xe7, 0xcf, 0xbf, 0xcb}},
	{"RFC 6188 7.2 (AES-256)",
	 32,
	 {0xf0, 0xf0, 0x49, 0x14, 0xb5, 0x13, 0xf2, 0x76, 0x3a, 0x1b, 0x1f, 0xa1, 0x30, 0xf1, 0x0e, 0x29,
	  0x98, 0xf6, 0xf6, 0xe4, 0x3e, 0x43, 0x09, 0xd1, 0xe6, 0x22, 0xa0, 0xe3, 0x32, 0xb9, 0xf1, 0xb6},
	 {0x3b, 0x04, 0x80, 0x3d, 0xe5, 0x1e, 0xe7, 0xc9, 0x64, 0x23, 0xab, 0x5b, 0x78, 0xd2},
	 {0x5b, 0xa1, 0x06, 0x4e, 0x30, 0xec, 0x51, 0x61, 0x3c, 0xad, 0x92, 0x6c, 0x5a, 0x28, 0xef, 0x73,
	  0x1e, 0xc7, 0xfb, 0x39, 0x7f, 0x70, 0xa9, 0x60, 0x65, 0x3c, 0xaf, 0x06, 0x55, 0x4c, 0xd8, 0xc4},
	 {0xfa, 0x31, 0x79, 0x16, 0x85, 0xca, 0x44, 0x4a, 0x9e, 0x07, 0xc6, 0xc6, 0x4e, 0x93},
	 {0xfd, 0x9c, 0x32, 0xd3, 0x9e, 0xd5, 0xfb, 0xb5, 0xa9, 0xdc,
	  0x96, 0xb3, 0x08, 0x18, 0x45, 0x4d, 0x13, 0x13, 0xdc, 0x05}},
};
#define N_VECTORS (sizeof(vectors) / sizeof(vectors[0]))

/* What libmikey must answer to a policy with this vector's key size. */
static int want_rc(const rfc_vector *v)
{
	return v->key_len == 24 && !MIKEY_LIBSRTP2_PATCHED ? MIKEY_ERR_POLICY : MIKEY_OK;
}

static void make_cs(mikey_crypto_session *cs, const rfc_vector *v)
{
	memset(cs, 0, sizeof(*cs));
	cs->cs_id = 1;
	cs->ssrc = SSRC;
	cs->roc = ROC;
	mikey_srtp_policy_default(&cs->policy);
	cs->policy.encr_key_len = (uint32_t)v->key_len;
	cs->policy.auth_tag_len = TAG_LEN;
	cs->master_key_len = v->key_len;
	cs->master_salt_len = 14;
	memcpy(cs->master_key, v->master_key, v->key_len);
	memcpy(cs->master_salt, v->master_salt, 14);
}

static size_t rtp_packet(uint8_t *buf)
{
	buf[0] = 0x80;
	buf[1] = 0x60;
	buf[2] = (uint8_t)(SEQ >> 8);
	buf[3] = (uint8_t)SEQ;
	buf[4] = 0x01, buf[5] = 0x02, buf[6] = 0x03, buf[7] = 0x04; /* timestamp */
	buf[8] = (uint8_t)(SSRC >> 24);
	buf[9] = (uint8_t)(SSRC >> 16);
	buf[10] = (uint8_t)(SSRC >> 8);
	buf[11] = (uint8_t)SSRC;
	for (size_t i = 0; i < PAYLOAD; i++)
		buf[12 + i] = (uint8_t)(i * 13 + 5);
	return 12 + PAYLOAD;
}

/* The SRTP packet of rtp_packet() under the RFC's session keys, by OpenSSL:
 * RFC 3711 §4.1.1 IV = (k_s * 2^16) XOR (SSRC * 2^64) XOR (i * 2^16) with
 * i = ROC * 2^16 + SEQ, then §4.2.1 tag over header || ciphertext || ROC. */
static size_t expected_srtp(const rfc_vector *v, uint8_t *out)
{
	const EVP_CIPHER *aes = v->key_len == 16 ? EVP_aes_128_ctr() : v->key_len == 24 ? EVP_aes_192_ctr()
	                                                                                 : EVP_aes_256_ctr();
	uint64_t index = (uint64_t)ROC << 16 | SEQ;
	uint8_t iv[16] = {0}, roc_be[4] = {ROC >> 24, (uint8_t)(ROC >> 16), (uint8_t)(ROC >> 8), (uint8_t)ROC};
	uint8_t mac[EVP_MAX_MD_SIZE];
	unsigned int mac_len = 0;
	size_t len = rtp_packet(out);
	int outl = 0;

	memcpy(iv, v->cipher_salt, 14);
	for (int i = 0; i < 4; i++)
		iv[4 + i] ^= (uint8_t)(SSRC >> (24 - 8 * i));
	for (int i = 0; i < 6; i++)
		iv[8 + i] ^= (uint8_t)(index >> (40 - 8 * i));

	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	cr_assert_not_null(ctx);
	cr_assert_eq(EVP_EncryptInit_ex(ctx, aes, NULL, v->cipher_key, iv), 1);
	cr_assert_eq(EVP_EncryptUpdate(ctx, out + 12, &outl, out + 12, PAYLOAD), 1);
	cr_assert_eq(outl, PAYLOAD);
	EVP_CIPHER_CTX_free(ctx);

	uint8_t covered[128];
	memcpy(covered, out, len);
	memcpy(covered + len, roc_be, 4);
	cr_assert_not_null(HMAC(EVP_sha1(), v->auth_key, 20, covered, len + 4, mac, &mac_len));
	cr_assert_eq(mac_len, 20);
	memcpy(out + len, mac, TAG_LEN);
	return len + TAG_LEN;
}

static void cr_assert_bytes_eq(const uint8_t *a, const uint8_t *b, size_t n, const char *what, const char *name)
{
	cr_assert(memcmp(a, b, n) == 0, "%s: %s differs from the RFC's", name, what);
}

/* libmikey's own SRTP PRF (the TESLA and RCC glue use it) gives the
 * session keys the RFCs print, for every key size. */
Test(srtp_rfc_vectors, mikey_srtp_kdf_gives_the_rfc_session_keys)
{
	for (size_t i = 0; i < N_VECTORS; i++) {
		const rfc_vector *v = &vectors[i];
		uint8_t k[32], s[14], a[20];
		cr_assert_eq(mikey_srtp_kdf(v->master_key, v->key_len, v->master_salt, MIKEY_SRTP_LABEL_RTP_ENCR, k,
		                            v->key_len),
		             MIKEY_OK, "%s", v->name);
		cr_assert_eq(
		    mikey_srtp_kdf(v->master_key, v->key_len, v->master_salt, MIKEY_SRTP_LABEL_RTP_SALT, s, 14),
		    MIKEY_OK);
		cr_assert_eq(
		    mikey_srtp_kdf(v->master_key, v->key_len, v->master_salt, MIKEY_SRTP_LABEL_RTP_AUTH, a, 20),
		    MIKEY_OK);
		cr_assert_bytes_eq(k, v->cipher_key, v->key_len, "cipher key", v->name);
		cr_assert_bytes_eq(s, v->cipher_salt, 14, "cipher salt", v->name);
		cr_assert_bytes_eq(a, v->auth_key, 20, "auth key", v->name);
	}
}

/* The packet libsrtp2 makes through mikey_srtp_session_new is the one the
 * RFC session keys give. */
Test(srtp_rfc_vectors, libsrtp2_session_packets_match_the_rfc_session_keys)
{
	for (size_t i = 0; i < N_VECTORS; i++) {
		const rfc_vector *v = &vectors[i];
		mikey_crypto_session cs;
		uint8_t want[128], got[128];
		int len;
		srtp_t s = NULL;

		make_cs(&cs, v);
		size_t want_len = expected_srtp(v, want);
		int rc = mikey_srtp_session_new(&cs, MIKEY_SRTP_SSRC_SPECIFIC, &s);
		cr_assert_eq(rc, want_rc(v), "%s: %d", v->name, rc);
		if (rc != MIKEY_OK)
			continue;
		cr_assert_eq(srtp_set_stream_roc(s, SSRC, ROC), srtp_err_status_ok);
		len = (int)rtp_packet(got);
		cr_assert_eq(srtp_protect(s, got, &len), srtp_err_status_ok, "%s", v->name);
		cr_assert_eq((size_t)len, want_len, "%s", v->name);
		cr_assert_bytes_eq(got, want, want_len, "SRTP packet", v->name);
		cr_assert_eq(srtp_dealloc(s), srtp_err_status_ok);
	}
}

/* The same through the per-SSRC multi-key session (the elements and the
 * agent use this one), sender and receiver. */
Test(srtp_rfc_vectors, multi_key_session_packets_match_the_rfc_session_keys)
{
	for (size_t i = 0; i < N_VECTORS; i++) {
		const rfc_vector *v = &vectors[i];
		mikey_crypto_session cs;
		mikey_srtp_sess *tx = NULL, *rx = NULL;
		uint8_t want[128], got[128];
		size_t len;

		make_cs(&cs, v);
		size_t want_len = expected_srtp(v, want);
		cr_assert_eq(mikey_srtp_sess_new(MIKEY_SRTP_SESS_PROTECT, NULL, &tx), MIKEY_OK);
		cr_assert_eq(mikey_srtp_sess_new(MIKEY_SRTP_SESS_UNPROTECT, NULL, &rx), MIKEY_OK);
		int rc = mikey_srtp_sess_add_stream(tx, &cs);
		cr_assert_eq(rc, want_rc(v), "%s: %d", v->name, rc);
		cr_assert_eq(mikey_srtp_sess_add_stream(rx, &cs), rc, "%s", v->name);
		if (rc != MIKEY_OK) {
			cr_assert_eq(mikey_srtp_sess_stream_count(tx), 0);
			mikey_srtp_sess_free(tx);
			mikey_srtp_sess_free(rx);
			continue;
		}
		cr_assert_eq(mikey_srtp_sess_protect_rtp(tx, got, rtp_packet(got), sizeof(got), &len), MIKEY_OK, "%s",
		             v->name);
		cr_assert_eq(len, want_len, "%s", v->name);
		cr_assert_bytes_eq(got, want, want_len, "SRTP packet", v->name);
		/* The receiver takes the RFC's packet back to the plain one. */
		cr_assert_eq(mikey_srtp_sess_unprotect_rtp(rx, want, want_len, &len), MIKEY_OK, "%s", v->name);
		cr_assert_eq(len, rtp_packet(got));
		cr_assert_bytes_eq(want, got, len, "plain RTP", v->name);
		mikey_srtp_sess_free(tx);
		mikey_srtp_sess_free(rx);
	}
}
