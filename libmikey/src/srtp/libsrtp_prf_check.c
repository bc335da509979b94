/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libsrtp_prf_check.c - the once-per-process check of libsrtp2's AES-192
 * key derivation; see libsrtp_prf_check.h for why.
 */
#include "srtp/libsrtp_prf_check.h"

#include <pthread.h>
#include <string.h>

#include <srtp2/srtp.h>

#include "crypto/crypto.h"
#include "mikey/error.h"
#include "mikey/mem.h"
#include "srtp/srtp_kdf.h"
#include "srtp/srtp_lib.h"

#define KEY_LEN 24
#define SALT_LEN 14
#define TAG_LEN 10
#define HDR_LEN 12
#define PAYLOAD_LEN 16
#define SSRC 0x00c0ffeeu

/* RFC 6188 §7.4: the AES_192_CM_PRF master key and salt. */
static const uint8_t master[KEY_LEN + SALT_LEN] = {
	0x73, 0xed, 0xc6, 0x6c, 0x4f, 0xa1, 0x57, 0x76, 0xfb, 0x57, 0xf9, 0x50, 0x5c, 0x17, 0x13, 0x65, 0x50,
	0xff, 0xda, 0x71, 0xf3, 0xe8, 0xe5, 0xf1, 0xc8, 0x52, 0x2f, 0x3a, 0xcd, 0x4c, 0xe8, 0x6d, 0x5a, 0xdd,
	0x78, 0xed, 0xbb, 0x11};

static pthread_once_t check_once = PTHREAD_ONCE_INIT;
static bool aes192_ok;

/* An RTP packet, SEQ 1, ROC 0, SSRC above, payload of zeros. */
static void plain_packet(uint8_t *p)
{
	memset(p, 0, HDR_LEN + PAYLOAD_LEN);
	p[0] = 0x80;
	p[3] = 1;
	p[8] = (uint8_t)(SSRC >> 24);
	p[9] = (uint8_t)(SSRC >> 16);
	p[10] = (uint8_t)(SSRC >> 8);
	p[11] = (uint8_t)SSRC;
}

/* What RFC 3711 §4.1.1 / §4.2.1 make of plain_packet() under the session
 * keys our own PRF derives. */
static int expected_packet(uint8_t *p)
{
	const mikey_cipher_desc *aes = mikey_crypto_cipher(MIKEY_CIPHER_AES_CM_192);
	uint8_t k_e[KEY_LEN], k_s[SALT_LEN], k_a[20], iv[16];
	int rc = MIKEY_ERR_CRYPTO;

	plain_packet(p);
	if (aes == NULL)
		goto out;
	if ((rc = mikey_srtp_kdf(master, KEY_LEN, master + KEY_LEN, MIKEY_SRTP_LABEL_RTP_ENCR, k_e, KEY_LEN)) !=
	        MIKEY_OK ||
	    (rc = mikey_srtp_kdf(master, KEY_LEN, master + KEY_LEN, MIKEY_SRTP_LABEL_RTP_SALT, k_s, SALT_LEN)) !=
	        MIKEY_OK ||
	    (rc = mikey_srtp_kdf(master, KEY_LEN, master + KEY_LEN, MIKEY_SRTP_LABEL_RTP_AUTH, k_a, 20)) != MIKEY_OK)
		goto out;
	/* IV = (k_s * 2^16) XOR (SSRC * 2^64) XOR (index * 2^16), index 1. */
	memcpy(iv, k_s, SALT_LEN);
	iv[14] = iv[15] = 0;
	for (int i = 0; i < 4; i++)
		iv[4 + i] ^= p[8 + i];
	iv[13] ^= 1;
	if ((rc = aes->encrypt(k_e, iv, p + HDR_LEN, PAYLOAD_LEN, p + HDR_LEN)) != MIKEY_OK)
		goto out;
	rc = mikey_srtp_tag(k_a, p, HDR_LEN + PAYLOAD_LEN, true, 0, p + HDR_LEN + PAYLOAD_LEN, TAG_LEN);
out:
	mikey_wipe(k_e, sizeof(k_e));
	mikey_wipe(k_s, sizeof(k_s));
	mikey_wipe(k_a, sizeof(k_a));
	return rc;
}

static void check_once_fn(void)
{
	uint8_t key[KEY_LEN + SALT_LEN], got[HDR_LEN + PAYLOAD_LEN + TAG_LEN], want[sizeof(got)];
	srtp_policy_t pol;
	srtp_t s = NULL;
	int len = HDR_LEN + PAYLOAD_LEN;

	if (mikey_srtp_lib_init() != MIKEY_OK || expected_packet(want) != MIKEY_OK)
		return;
	memcpy(key, master, sizeof(key)); /* libsrtp2 takes a non-const key */
	memset(&pol, 0, sizeof(pol));
	srtp_crypto_policy_set_aes_cm_192_hmac_sha1_80(&pol.rtp);
	srtp_crypto_policy_set_aes_cm_192_hmac_sha1_80(&pol.rtcp);
	pol.key = key;
	pol.ssrc.type = ssrc_specific;
	pol.ssrc.value = SSRC;
	plain_packet(got);
	if (srtp_create(&s, &pol) == srtp_err_status_ok && srtp_protect(s, got, &len) == srtp_err_status_ok &&
	    len == (int)sizeof(got))
		aes192_ok = memcmp(got, want, sizeof(got)) == 0;
	if (s != NULL)
		(void)srtp_dealloc(s);
	mikey_wipe(key, sizeof(key));
}

bool mikey_libsrtp_aes192_ok(void)
{
	return pthread_once(&check_once, check_once_fn) == 0 && aes192_ok;
}
