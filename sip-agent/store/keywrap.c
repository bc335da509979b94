/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * keywrap.c - RFC 5649 through EVP_aes_256_wrap_pad. The wrap modes take
 * the whole input in one EVP_CipherUpdate; OpenSSL refuses them unless the
 * context allows wrap explicitly.
 */
#include "keywrap.h"

#include <limits.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#define SEMIBLOCK 8

static bool run(int enc, const uint8_t *kek, const uint8_t *in, size_t in_len, uint8_t *out, size_t *out_len)
{
	EVP_CIPHER_CTX *ctx = NULL;
	int n = 0, fin = 0;
	bool ok = false;

	if (in_len == 0 || in_len > INT_MAX / 2)
		return false;
	ctx = EVP_CIPHER_CTX_new();
	if (ctx == NULL)
		return false;
	EVP_CIPHER_CTX_set_flags(ctx, EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
	if (EVP_CipherInit_ex(ctx, EVP_aes_256_wrap_pad(), NULL, kek, NULL, enc) != 1)
		goto out;
	if (EVP_CipherUpdate(ctx, out, &n, in, (int)in_len) != 1 || n <= 0)
		goto out;
	if (EVP_CipherFinal_ex(ctx, out + n, &fin) != 1)
		goto out;
	*out_len = (size_t)n + (size_t)fin;
	ok = true;
out:
	EVP_CIPHER_CTX_free(ctx);
	return ok;
}

bool ks_keywrap_wrap(const uint8_t kek[KS_KEYWRAP_KEY_LEN], const uint8_t *in, size_t in_len,
	uint8_t *out, size_t *out_len)
{
	return run(1, kek, in, in_len, out, out_len);
}

bool ks_keywrap_unwrap(const uint8_t kek[KS_KEYWRAP_KEY_LEN], const uint8_t *in, size_t in_len,
	uint8_t *out, size_t *out_len)
{
	/* At least one padded block plus the integrity block. */
	if (in_len < 2 * SEMIBLOCK || in_len % SEMIBLOCK != 0)
		return false;
	if (run(0, kek, in, in_len, out, out_len))
		return true;
	OPENSSL_cleanse(out, in_len - SEMIBLOCK);
	return false;
}
