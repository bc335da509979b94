/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * key_fingerprint.c - SHA-256(TGK || RAND), truncated to 64 bits, for key
 * logs (key_fingerprint.h). The truncation costs nothing an audit needs:
 * it compares a handful of generations, where 64 bits make a chance match
 * negligible, and a shorter digest tells an attacker no more about the
 * 128-bit or longer TGK than the full one would (a preimage search on
 * SHA-256 stays a search of the TGK space).
 */
#include "key_fingerprint.h"

#include <openssl/evp.h>

/* RFC 3830 §6.11 and §6.13: RAND and Key data lengths are one byte. */
#define FIELD_MAX 255u

bool ks_key_fingerprint(const uint8_t *tgk, size_t tgk_len, const uint8_t *rand, size_t rand_len,
                        char out[KS_KEY_FP_SIZE])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;
	EVP_MD_CTX *ctx = NULL;
	bool ok = false;

	if (out == NULL)
		return false;
	out[0] = '\0';
	if (tgk == NULL || tgk_len == 0 || tgk_len > FIELD_MAX || rand_len > FIELD_MAX || (rand == NULL && rand_len > 0))
		return false;
	ctx = EVP_MD_CTX_new();
	if (ctx == NULL)
		goto cleanup;
	if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 || EVP_DigestUpdate(ctx, tgk, tgk_len) != 1 ||
	    (rand_len > 0 && EVP_DigestUpdate(ctx, rand, rand_len) != 1) || EVP_DigestFinal_ex(ctx, md, &md_len) != 1 ||
	    md_len * 2 < KS_KEY_FP_DIGITS)
		goto cleanup;
	for (size_t i = 0; i < KS_KEY_FP_DIGITS / 2; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 0x0f];
	}
	out[KS_KEY_FP_DIGITS] = '\0';
	ok = true;
cleanup:
	EVP_MD_CTX_free(ctx);
	return ok;
}
