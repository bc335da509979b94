/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kdf.c - the MIKEY PRF and the label layouts (see mikey/kdf.h and
 * docs/kdf.md). Only HMAC comes from the crypto layer.
 */
#include <string.h>

#include "crypto/crypto.h"
#include "mikey/error.h"
#include "mikey/kdf.h"
#include "mikey/mem.h"
#include "mikey/types.h"

/* RFC 3830 §4.1.2: inkey is cut into 256-bit pieces s_1 .. s_n ("half the
 * input block-size" of SHA-1). RFC 6043 §6.1 changes only the hash and the
 * 160 of m's computation, so the 256 stays for PRF-HMAC-SHA-256 (and is
 * also half of SHA-256's 512-bit block). */
#define PRF_INKEY_BLOCK 32

/* Label prefix: constant (4) || cs_id or 0xFF (1) || csb_id (4). */
#define LABEL_PREFIX 9

/* out ^= P(s, label, m) with m = ceil(out_len / h), h the hash size:
 *   A_0 = label, A_i = HMAC(s, A_(i-1)), block_i = HMAC(s, A_i || label).
 * Only the first out_len bytes of P are produced. */
static int p_xor(mikey_md md, const uint8_t *s, size_t s_len, const uint8_t *label, size_t label_len,
                 uint8_t *out, size_t out_len)
{
	uint8_t a[MIKEY_CRYPTO_MAX_MD], block[MIKEY_CRYPTO_MAX_MD];
	size_t h = mikey_crypto_md_size(md);
	mikey_hmac_key key;
	mikey_hmac_key *hk = &key;

	/* Every HMAC of one P() uses the key s: key it once. */
	int rc = mikey_hmac_key_init(hk, md, s, s_len);
	if (rc != MIKEY_OK)
		return rc;
	/* A_1 = HMAC(s, A_0) = HMAC(s, label). */
	mikey_iov iov[2] = {{label, label_len}, {NULL, 0}};
	rc = mikey_hmac_key_mac(hk, iov, 1, a);
	for (size_t off = 0; rc == MIKEY_OK && off < out_len; off += h) {
		iov[0] = (mikey_iov){a, h};
		iov[1] = (mikey_iov){label, label_len};
		rc = mikey_hmac_key_mac(hk, iov, 2, block);
		if (rc != MIKEY_OK)
			break;
		size_t take = out_len - off < h ? out_len - off : h;
		for (size_t i = 0; i < take; i++)
			out[off + i] ^= block[i];
		if (off + h < out_len) {
			/* A_(i+1) = HMAC(s, A_i). */
			iov[0] = (mikey_iov){a, h};
			rc = mikey_hmac_key_mac(hk, iov, 1, a);
		}
	}
	mikey_hmac_key_cleanup(hk);
	mikey_wipe(a, sizeof a);
	mikey_wipe(block, sizeof block);
	return rc;
}

int mikey_kdf_prf(int prf_func, const uint8_t *inkey, size_t inkey_len, const uint8_t *label, size_t label_len,
                  uint8_t *out, size_t out_len)
{
	mikey_md md;
	int rc = MIKEY_OK;

	switch (prf_func) {
	case MIKEY_PRF_MIKEY_1:
		md = MIKEY_MD_SHA1;
		break;
	case MIKEY_PRF_HMAC_SHA_256:
		md = MIKEY_MD_SHA256;
		break;
	default:
		return MIKEY_ERR_UNSUPPORTED;
	}
	if (inkey == NULL || inkey_len == 0 || (label == NULL && label_len > 0) || out == NULL || out_len == 0)
		return MIKEY_ERR_ARG;
	memset(out, 0, out_len);
	/* PRF(inkey, label) = P(s_1, label, m) XOR ... XOR P(s_n, label, m). */
	for (size_t off = 0; rc == MIKEY_OK && off < inkey_len; off += PRF_INKEY_BLOCK) {
		size_t s_len = inkey_len - off < PRF_INKEY_BLOCK ? inkey_len - off : PRF_INKEY_BLOCK;
		rc = p_xor(md, inkey + off, s_len, label, label_len, out, out_len);
	}
	if (rc != MIKEY_OK)
		mikey_wipe(out, out_len);
	return rc;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* constant || id_byte || csb_id || RAND, then the PRF. The label is not
 * secret (all of it travels in the clear), so it is not wiped. */
static int kdf_label(int prf_func, const uint8_t *key, size_t key_len, uint32_t constant, uint8_t id_byte,
                     uint32_t csb_id, const uint8_t *rand, size_t rand_len, uint8_t *out, size_t out_len)
{
	uint8_t label[LABEL_PREFIX + MIKEY_KDF_MAX_RAND];

	if ((rand == NULL && rand_len > 0) || rand_len > MIKEY_KDF_MAX_RAND)
		return MIKEY_ERR_ARG;
	put32(label, constant);
	label[4] = id_byte;
	put32(label + 5, csb_id);
	if (rand_len > 0)
		memcpy(label + LABEL_PREFIX, rand, rand_len);
	return mikey_kdf_prf(prf_func, key, key_len, label, LABEL_PREFIX + rand_len, out, out_len);
}

int mikey_kdf_tgk(int prf_func, const uint8_t *tgk, size_t tgk_len, uint32_t constant, uint8_t cs_id,
                  uint32_t csb_id, const uint8_t *rand, size_t rand_len, uint8_t *out, size_t out_len)
{
	/* RFC 3830 §4.1.3: label = constant || cs_id || csb_id || RAND. */
	return kdf_label(prf_func, tgk, tgk_len, constant, cs_id, csb_id, rand, rand_len, out, out_len);
}

int mikey_kdf_envelope(int prf_func, const uint8_t *key, size_t key_len, uint32_t constant, uint32_t csb_id,
                       const uint8_t *rand, size_t rand_len, uint8_t *out, size_t out_len)
{
	/* RFC 3830 §4.1.4: label = constant || 0xFF || csb_id || RAND. */
	return kdf_label(prf_func, key, key_len, constant, 0xFF, csb_id, rand, rand_len, out, out_len);
}

void mikey_msg_keys_cleanup(mikey_msg_keys *keys)
{
	if (keys != NULL)
		mikey_wipe(keys, sizeof *keys);
}

int mikey_kdf_msg_keys(mikey_msg_keys *keys, int prf_func, int encr_alg, int mac_alg, const uint8_t *key,
                       size_t key_len, uint32_t csb_id, const uint8_t *rand, size_t rand_len)
{
	size_t encr_len, salt_len, auth_len;
	int rc = MIKEY_OK;

	if (keys == NULL)
		return MIKEY_ERR_ARG;
	mikey_msg_keys_cleanup(keys);
	switch (encr_alg) {
	case MIKEY_ENCR_NULL:
		encr_len = 0, salt_len = 0;
		break;
	case MIKEY_ENCR_AES_CM_128: /* RFC 3830 §4.2.3: 128-bit key, 112-bit salt */
		encr_len = 16, salt_len = 14;
		break;
	case MIKEY_ENCR_AES_KW_128: /* RFC 3830 §4.2.3: 128-bit key, 64-bit salt = KW IV */
		encr_len = 16, salt_len = 8;
		break;
	case MIKEY_ENCR_AES_CM_256: /* RFC 6043 §6.2: as AES-CM-128 with a 256-bit key */
		encr_len = 32, salt_len = 14;
		break;
	default:
		return MIKEY_ERR_UNSUPPORTED;
	}
	switch (mac_alg) {
	case MIKEY_MAC_NULL:
		auth_len = 0;
		break;
	case MIKEY_MAC_HMAC_SHA1_160: /* RFC 3830 §4.2.4: key size = hash size */
		auth_len = 20;
		break;
	case MIKEY_MAC_HMAC_SHA256_256: /* RFC 6043 §6.2: 256-bit key */
		auth_len = 32;
		break;
	default:
		return MIKEY_ERR_UNSUPPORTED;
	}
	if (encr_len > 0)
		rc = mikey_kdf_envelope(prf_func, key, key_len, MIKEY_KDF_ENV_ENCR, csb_id, rand, rand_len, keys->encr,
		                        encr_len);
	if (rc == MIKEY_OK && salt_len > 0)
		rc = mikey_kdf_envelope(prf_func, key, key_len, MIKEY_KDF_ENV_SALT, csb_id, rand, rand_len, keys->salt,
		                        salt_len);
	if (rc == MIKEY_OK && auth_len > 0)
		rc = mikey_kdf_envelope(prf_func, key, key_len, MIKEY_KDF_ENV_AUTH, csb_id, rand, rand_len, keys->auth,
		                        auth_len);
	if (rc != MIKEY_OK) {
		mikey_msg_keys_cleanup(keys);
		return rc;
	}
	keys->encr_len = encr_len;
	keys->salt_len = salt_len;
	keys->auth_len = auth_len;
	return MIKEY_OK;
}

int mikey_kdf_aes_cm_iv(const uint8_t *salt, size_t salt_len, uint32_t csb_id, uint64_t t, uint8_t iv[16])
{
	uint8_t x[14];

	if (salt == NULL || iv == NULL || salt_len != sizeof x)
		return MIKEY_ERR_ARG;
	/* RFC 3830 §4.2.3: IV = (S XOR (0x0000 || CSB ID || T)) || 0x0000,
	 * S 112 bits = 16 + 32 + 64 bits of the XOR mask. */
	x[0] = 0;
	x[1] = 0;
	put32(x + 2, csb_id);
	put32(x + 6, (uint32_t)(t >> 32));
	put32(x + 10, (uint32_t)t);
	for (size_t i = 0; i < sizeof x; i++)
		iv[i] = salt[i] ^ x[i];
	iv[14] = 0;
	iv[15] = 0;
	return MIKEY_OK;
}
