/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * crypto/algorithms.c - which algorithm each MIKEY registry value names, and
 * the MAC helpers built on the HMAC primitive. No OpenSSL here: the
 * algorithms themselves live in crypto/openssl.c.
 */
#include "crypto/crypto.h"
#include "mikey/error.h"
#include "mikey/mem.h"
#include "mikey/types.h"

/* RFC 3830 §4.2.4 and Table 6.2.b; RFC 6043 §6.2 and Table 6.6: the key is
 * as long as the hash output, the tag is the full HMAC output. */
static const mikey_mac_desc mac_table[] = {
	{MIKEY_MAC_HMAC_SHA1_160, "HMAC-SHA-1-160", MIKEY_MD_SHA1, 20, 20},
	{MIKEY_MAC_HMAC_SHA256_256, "HMAC-SHA-256-256", MIKEY_MD_SHA256, 32, 32},
};

const mikey_cipher_desc *mikey_crypto_cipher(mikey_cipher_id id)
{
	if (mikey_crypto_init() != MIKEY_OK)
		return NULL;
	return mikey_crypto_cipher_impl(id);
}

const mikey_cipher_desc *mikey_crypto_cipher_for_encr_alg(int encr_alg)
{
	/* RFC 3830 Table 6.2.a, RFC 6043 Table 6.5. */
	switch (encr_alg) {
	case MIKEY_ENCR_AES_CM_128:
		return mikey_crypto_cipher(MIKEY_CIPHER_AES_CM_128);
	case MIKEY_ENCR_AES_KW_128:
		return mikey_crypto_cipher(MIKEY_CIPHER_AES_KW_128);
	case MIKEY_ENCR_AES_CM_256:
		return mikey_crypto_cipher(MIKEY_CIPHER_AES_CM_256);
	}
	return NULL;
}

const mikey_mac_desc *mikey_crypto_mac_for_mac_alg(int mac_alg)
{
	if (mikey_crypto_init() != MIKEY_OK)
		return NULL;
	for (size_t i = 0; i < sizeof mac_table / sizeof mac_table[0]; i++) {
		if (mac_table[i].mac_alg == mac_alg)
			return &mac_table[i];
	}
	return NULL;
}

int mikey_crypto_mac(const mikey_mac_desc *d, const uint8_t *key, size_t key_len, const mikey_iov *iov,
                     size_t n_iov, uint8_t *tag)
{
	if (d == NULL)
		return MIKEY_ERR_ARG;
	return mikey_crypto_hmac(d->md, key, key_len, iov, n_iov, tag);
}

int mikey_crypto_mac_verify(const mikey_mac_desc *d, const uint8_t *key, size_t key_len, const mikey_iov *iov,
                            size_t n_iov, const uint8_t *tag, size_t tag_len)
{
	uint8_t want[MIKEY_CRYPTO_MAX_MD];
	int rc;

	if (d == NULL || tag == NULL || d->tag_len > sizeof want)
		return MIKEY_ERR_ARG;
	if (tag_len != d->tag_len)
		return MIKEY_ERR_AUTH;
	rc = mikey_crypto_hmac(d->md, key, key_len, iov, n_iov, want);
	if (rc == MIKEY_OK && !mikey_crypto_memeq(want, tag, d->tag_len))
		rc = MIKEY_ERR_AUTH;
	mikey_wipe(want, sizeof want);
	return rc;
}
