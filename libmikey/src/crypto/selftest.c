/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * selftest.c - the start-up known-answer test (libsrtp's crypto kernel
 * style): every symmetric algorithm in the descriptor tables and every
 * digest is run once against a published answer before its first use, and
 * a failure closes the whole crypto layer (fail closed, not open).
 *
 * Sources of the answers (all re-computed independently, see docs/kdf.md):
 *   AES-CM-128   RFC 3711 Appendix B.2 (first three keystream blocks)
 *   AES-CM-256   RFC 6188 §7.1 (first three keystream blocks)
 *   AES-KW-128   RFC 3394 §4.1 (128-bit KEK, 128-bit key data)
 *   HMAC-SHA-1   RFC 2202 §3 test case 2
 *   HMAC-SHA-256 RFC 4231 §4.3 test case 2
 *   SHA-1, SHA-256  "abc" of FIPS 180-2 Appendix A.1 / B.1
 *   MD5          "abc" of RFC 1321 §A.5
 */
#include <pthread.h>
#include <string.h>

#include "crypto/crypto.h"
#include "mikey/error.h"
#include "mikey/mem.h"

static const uint8_t cm_iv[16] = {0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7,
                                  0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd, 0x00, 0x00};

static const uint8_t cm128_key[16] = {0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6,
                                      0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf, 0x4f, 0x3c};
static const uint8_t cm128_ks[48] = {
	0xe0, 0x3e, 0xad, 0x09, 0x35, 0xc9, 0x5e, 0x80, 0xe1, 0x66, 0xb1, 0x6d, 0xd9, 0x2b, 0x4e, 0xb4,
	0xd2, 0x35, 0x13, 0x16, 0x2b, 0x02, 0xd0, 0xf7, 0x2a, 0x43, 0xa2, 0xfe, 0x4a, 0x5f, 0x97, 0xab,
	0x41, 0xe9, 0x5b, 0x3b, 0xb0, 0xa2, 0xe8, 0xdd, 0x47, 0x79, 0x01, 0xe4, 0xfc, 0xa8, 0x94, 0xc0};

static const uint8_t cm256_key[32] = {0x57, 0xf8, 0x2f, 0xe3, 0x61, 0x3f, 0xd1, 0x70, 0xa8, 0x5e, 0xc9,
                                      0x3c, 0x40, 0xb1, 0xf0, 0x92, 0x2e, 0xc4, 0xcb, 0x0d, 0xc0, 0x25,
                                      0xb5, 0x82, 0x72, 0x14, 0x7c, 0xc4, 0x38, 0x94, 0x4a, 0x98};
static const uint8_t cm256_ks[48] = {
	0x92, 0xbd, 0xd2, 0x8a, 0x93, 0xc3, 0xf5, 0x25, 0x11, 0xc6, 0x77, 0xd0, 0x8b, 0x55, 0x15, 0xa4,
	0x9d, 0xa7, 0x1b, 0x23, 0x78, 0xa8, 0x54, 0xf6, 0x70, 0x50, 0x75, 0x6d, 0xed, 0x16, 0x5b, 0xac,
	0x63, 0xc4, 0x86, 0x8b, 0x70, 0x96, 0xd8, 0x84, 0x21, 0xb5, 0x63, 0xb8, 0xc9, 0x4c, 0x9a, 0x31};

static const uint8_t kw_kek[16] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
                                   0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f};
static const uint8_t kw_data[16] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
                                    0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff};
static const uint8_t kw_wrapped[24] = {0x1f, 0xa6, 0x8b, 0x0a, 0x81, 0x12, 0xb4, 0x47, 0xae, 0xf3, 0x4b, 0xd8,
                                       0xfb, 0x5a, 0x7b, 0x82, 0x9d, 0x3e, 0x86, 0x23, 0x71, 0xd2, 0xcf, 0xe5};

static const uint8_t hmac_key[4] = {'J', 'e', 'f', 'e'};
static const char hmac_msg[] = "what do ya want for nothing?";
static const uint8_t hmac_sha1[20] = {0xef, 0xfc, 0xdf, 0x6a, 0xe5, 0xeb, 0x2f, 0xa2, 0xd2, 0x74,
                                      0x16, 0xd5, 0xf1, 0x84, 0xdf, 0x9c, 0x25, 0x9a, 0x7c, 0x79};
static const uint8_t hmac_sha256[32] = {0x5b, 0xdc, 0xc1, 0x46, 0xbf, 0x60, 0x75, 0x4e, 0x6a, 0x04, 0x24,
                                        0x26, 0x08, 0x95, 0x75, 0xc7, 0x5a, 0x00, 0x3f, 0x08, 0x9d, 0x27,
                                        0x39, 0x83, 0x9d, 0xec, 0x58, 0xb9, 0x64, 0xec, 0x38, 0x43};

static const uint8_t sha1_abc[20] = {0xa9, 0x99, 0x3e, 0x36, 0x47, 0x06, 0x81, 0x6a, 0xba, 0x3e,
                                     0x25, 0x71, 0x78, 0x50, 0xc2, 0x6c, 0x9c, 0xd0, 0xd8, 0x9d};
static const uint8_t sha256_abc[32] = {0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40,
                                       0xde, 0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17,
                                       0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad};
static const uint8_t md5_abc[16] = {0x90, 0x01, 0x50, 0x98, 0x3c, 0xd2, 0x4f, 0xb0,
                                    0xd6, 0x96, 0x3f, 0x7d, 0x28, 0xe1, 0x7f, 0x72};

/* A counter-mode cipher must produce the keystream for zero plaintext, and
 * decrypt must be its inverse. */
static int kat_cm(mikey_cipher_id id, const uint8_t *key, const uint8_t *ks)
{
	const mikey_cipher_desc *d = mikey_crypto_cipher_impl(id);
	uint8_t buf[48] = {0};

	if (d == NULL || d->encrypt(key, cm_iv, buf, sizeof buf, buf) != MIKEY_OK ||
	    memcmp(buf, ks, sizeof buf) != 0)
		return 0;
	if (d->decrypt(key, cm_iv, buf, sizeof buf, buf) != MIKEY_OK)
		return 0;
	for (size_t i = 0; i < sizeof buf; i++) {
		if (buf[i] != 0)
			return 0;
	}
	return 1;
}

static int kat_kw(void)
{
	const mikey_cipher_desc *d = mikey_crypto_cipher_impl(MIKEY_CIPHER_AES_KW_128);
	uint8_t wrapped[24], bad[24], plain[16];
	int ok;

	if (d == NULL || d->encrypt(kw_kek, NULL, kw_data, sizeof kw_data, wrapped) != MIKEY_OK ||
	    memcmp(wrapped, kw_wrapped, sizeof wrapped) != 0)
		return 0;
	ok = d->decrypt(kw_kek, NULL, wrapped, sizeof wrapped, plain) == MIKEY_OK &&
	     memcmp(plain, kw_data, sizeof plain) == 0;
	/* The integrity check must bite. */
	memcpy(bad, wrapped, sizeof bad);
	bad[23] ^= 1;
	ok = ok && d->decrypt(kw_kek, NULL, bad, sizeof bad, plain) == MIKEY_ERR_AUTH;
	mikey_wipe(plain, sizeof plain);
	return ok;
}

static int kat_hmac(mikey_md md, const uint8_t *want)
{
	uint8_t out[MIKEY_CRYPTO_MAX_MD];
	/* Split the message to exercise the multi-piece path. */
	mikey_iov iov[2] = {{(const uint8_t *)hmac_msg, 10}, {(const uint8_t *)hmac_msg + 10, sizeof hmac_msg - 11}};

	return mikey_crypto_hmac_impl(md, hmac_key, sizeof hmac_key, iov, 2, out) == MIKEY_OK &&
	       memcmp(out, want, mikey_crypto_md_size(md)) == 0;
}

static int kat_digest(mikey_md md, const uint8_t *want)
{
	uint8_t out[MIKEY_CRYPTO_MAX_MD];
	mikey_iov iov[2] = {{(const uint8_t *)"a", 1}, {(const uint8_t *)"bc", 2}};

	return mikey_crypto_digest_impl(md, iov, 2, out) == MIKEY_OK &&
	       memcmp(out, want, mikey_crypto_md_size(md)) == 0;
}

int mikey_crypto_selftest_run(void)
{
	int ok = kat_cm(MIKEY_CIPHER_AES_CM_128, cm128_key, cm128_ks) &&
	         kat_cm(MIKEY_CIPHER_AES_CM_256, cm256_key, cm256_ks) && kat_kw() &&
	         kat_hmac(MIKEY_MD_SHA1, hmac_sha1) && kat_hmac(MIKEY_MD_SHA256, hmac_sha256) &&
	         kat_digest(MIKEY_MD_SHA1, sha1_abc) && kat_digest(MIKEY_MD_SHA256, sha256_abc) &&
	         kat_digest(MIKEY_MD_MD5, md5_abc);

	return ok ? MIKEY_OK : MIKEY_ERR_CRYPTO;
}

static pthread_once_t selftest_once = PTHREAD_ONCE_INIT;
static int selftest_result = MIKEY_ERR_CRYPTO;

static void selftest_once_fn(void)
{
	selftest_result = mikey_crypto_selftest_run();
}

int mikey_crypto_init(void)
{
	if (pthread_once(&selftest_once, selftest_once_fn) != 0)
		return MIKEY_ERR_CRYPTO;
	return selftest_result;
}
