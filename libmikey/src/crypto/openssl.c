/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * crypto/openssl.c - the one file that includes OpenSSL (see crypto.h).
 *
 * Algorithms are fetched from the provider once (pthread_once) and shared
 * by all threads: EVP_MAC, EVP_MD and EVP_CIPHER objects are immutable
 * after fetch, only the per-call contexts are private. Every public entry
 * point passes through mikey_crypto_init() (the start-up self test) first;
 * the *_impl functions and the descriptors' function pointers do not, so
 * that the self test itself can use them.
 */
#include <limits.h>
#include <pthread.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/decoder.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "crypto/crypto.h"
#include "mikey/error.h"
#include "mikey/mem.h"

size_t mikey_crypto_b64_encode(char *out, const uint8_t *in, size_t len)
{
	/* EVP_EncodeBlock takes an int length; callers never pass > 1 GiB. */
	return (size_t)EVP_EncodeBlock((unsigned char *)out, in, (int)len);
}

long mikey_crypto_b64_decode(uint8_t *out, const char *in, size_t len)
{
	size_t pad = 0;

	if (len % 4 != 0 || len > (size_t)1 << 30)
		return -1;
	if (len == 0)
		return 0;
	if (in[len - 1] == '=')
		pad++;
	if (len >= 2 && in[len - 2] == '=')
		pad++;
	/* EVP_DecodeBlock does not strip padding from its count; do it here. */
	int n = EVP_DecodeBlock(out, (const unsigned char *)in, (int)len);
	if (n < 0 || (size_t)n < pad)
		return -1;
	return (long)((size_t)n - pad);
}

/* ------------------------------------------------------------------ */
/* Algorithms fetched once                                             */

static pthread_once_t fetch_once = PTHREAD_ONCE_INIT;
static EVP_MAC *g_hmac;
static EVP_MD *g_md[4];         /* indexed by mikey_md */
static EVP_CIPHER *g_cipher[5]; /* indexed by mikey_cipher_id */

/* Keyed HMAC contexts with their digest already fetched: each call dups
 * one and re-keys it, so no provider lookup happens per call (EVP_MAC_init
 * with a "digest" parameter would fetch the EVP_MD again every time). An
 * unkeyed HMAC context cannot be duplicated in OpenSSL 3.0, hence the
 * throw-away key. Read-only after fetch_all, so shared by all threads. */
static EVP_MAC_CTX *g_hmac_tmpl[4]; /* indexed by mikey_md */

static EVP_MAC_CTX *hmac_template(const char *name)
{
	static const uint8_t dummy_key[1] = {0};
	OSSL_PARAM params[2];
	EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(g_hmac);

	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)name, 0);
	params[1] = OSSL_PARAM_construct_end();
	if (ctx != NULL && !EVP_MAC_init(ctx, dummy_key, sizeof dummy_key, params)) {
		EVP_MAC_CTX_free(ctx);
		ctx = NULL;
	}
	return ctx;
}

static void fetch_all(void)
{
	g_hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (g_hmac != NULL) {
		g_hmac_tmpl[MIKEY_MD_SHA1] = hmac_template("SHA1");
		g_hmac_tmpl[MIKEY_MD_SHA256] = hmac_template("SHA256");
	}
	g_md[MIKEY_MD_SHA1] = EVP_MD_fetch(NULL, "SHA1", NULL);
	g_md[MIKEY_MD_SHA256] = EVP_MD_fetch(NULL, "SHA256", NULL);
	g_md[MIKEY_MD_MD5] = EVP_MD_fetch(NULL, "MD5", NULL);
	g_cipher[MIKEY_CIPHER_AES_CM_128] = EVP_CIPHER_fetch(NULL, "AES-128-CTR", NULL);
	g_cipher[MIKEY_CIPHER_AES_CM_192] = EVP_CIPHER_fetch(NULL, "AES-192-CTR", NULL);
	g_cipher[MIKEY_CIPHER_AES_CM_256] = EVP_CIPHER_fetch(NULL, "AES-256-CTR", NULL);
	g_cipher[MIKEY_CIPHER_AES_KW_128] = EVP_CIPHER_fetch(NULL, "AES-128-WRAP", NULL);
}

static void fetch(void)
{
	(void)pthread_once(&fetch_once, fetch_all);
}

/* The self-test gate of the public entry points. */
#define GATE()                                                                                                   \
	do {                                                                                                     \
		if (mikey_crypto_init() != MIKEY_OK)                                                             \
			return MIKEY_ERR_CRYPTO;                                                                 \
	} while (0)

/* ------------------------------------------------------------------ */
/* Digests, HMAC, compare, RNG                                         */

size_t mikey_crypto_md_size(mikey_md md)
{
	switch (md) {
	case MIKEY_MD_SHA1:
		return 20;
	case MIKEY_MD_SHA256:
		return 32;
	case MIKEY_MD_MD5:
		return 16;
	}
	return 0;
}

static const char *md_name(mikey_md md)
{
	return md == MIKEY_MD_SHA1 ? "SHA1" : md == MIKEY_MD_SHA256 ? "SHA256" : NULL;
}

int mikey_crypto_digest_impl(mikey_md md, const mikey_iov *iov, size_t n_iov, uint8_t *out)
{
	EVP_MD_CTX *ctx = NULL;
	unsigned int out_len = 0;
	int rc = MIKEY_ERR_CRYPTO;

	if (mikey_crypto_md_size(md) == 0 || (iov == NULL && n_iov > 0) || out == NULL)
		return MIKEY_ERR_ARG;
	fetch();
	if (g_md[md] == NULL)
		return MIKEY_ERR_CRYPTO;
	ctx = EVP_MD_CTX_new();
	if (ctx == NULL || !EVP_DigestInit_ex2(ctx, g_md[md], NULL))
		goto out;
	for (size_t i = 0; i < n_iov; i++) {
		if (iov[i].len > 0 && !EVP_DigestUpdate(ctx, iov[i].data, iov[i].len))
			goto out;
	}
	if (!EVP_DigestFinal_ex(ctx, out, &out_len) || out_len != mikey_crypto_md_size(md))
		goto out;
	rc = MIKEY_OK;
out:
	EVP_MD_CTX_free(ctx);
	return rc;
}

int mikey_crypto_digest(mikey_md md, const mikey_iov *iov, size_t n_iov, uint8_t *out)
{
	GATE();
	return mikey_crypto_digest_impl(md, iov, n_iov, out);
}

int mikey_crypto_hmac_impl(mikey_md md, const uint8_t *key, size_t key_len, const mikey_iov *iov, size_t n_iov,
                           uint8_t *out)
{
	EVP_MAC_CTX *ctx = NULL;
	size_t out_len = 0;
	int rc = MIKEY_ERR_CRYPTO;

	if (md_name(md) == NULL || (key == NULL && key_len > 0) || (iov == NULL && n_iov > 0) || out == NULL)
		return MIKEY_ERR_ARG;
	fetch();
	if (g_hmac_tmpl[md] == NULL)
		return MIKEY_ERR_CRYPTO;
	ctx = EVP_MAC_CTX_dup(g_hmac_tmpl[md]);
	if (ctx == NULL)
		goto out;
	/* An empty key is legal HMAC; OpenSSL wants a non-NULL pointer for it. */
	static const uint8_t empty_key[1];
	if (!EVP_MAC_init(ctx, key_len ? key : empty_key, key_len, NULL))
		goto out;
	for (size_t i = 0; i < n_iov; i++) {
		if (iov[i].len > 0 && !EVP_MAC_update(ctx, iov[i].data, iov[i].len))
			goto out;
	}
	if (!EVP_MAC_final(ctx, out, &out_len, mikey_crypto_md_size(md)) || out_len != mikey_crypto_md_size(md))
		goto out;
	rc = MIKEY_OK;
out:
	EVP_MAC_CTX_free(ctx); /* cleanses the keyed state */
	return rc;
}

int mikey_crypto_hmac(mikey_md md, const uint8_t *key, size_t key_len, const mikey_iov *iov, size_t n_iov,
                      uint8_t *out)
{
	/* Argument errors keep precedence over the gate, as before the gate. */
	if (md_name(md) == NULL || (key == NULL && key_len > 0) || (iov == NULL && n_iov > 0) || out == NULL)
		return MIKEY_ERR_ARG;
	GATE();
	return mikey_crypto_hmac_impl(md, key, key_len, iov, n_iov, out);
}

int mikey_hmac_key_init(mikey_hmac_key *h, mikey_md md, const uint8_t *key, size_t key_len)
{
	static const uint8_t empty_key[1];

	if (h == NULL)
		return MIKEY_ERR_ARG;
	h->ctx = NULL;
	h->md = md;
	if (md_name(md) == NULL || md == MIKEY_MD_MD5 || (key == NULL && key_len > 0))
		return MIKEY_ERR_ARG;
	GATE();
	fetch();
	if (g_hmac_tmpl[md] == NULL)
		return MIKEY_ERR_CRYPTO;
	EVP_MAC_CTX *ctx = EVP_MAC_CTX_dup(g_hmac_tmpl[md]);
	if (ctx == NULL)
		return MIKEY_ERR_CRYPTO;
	if (!EVP_MAC_init(ctx, key_len ? key : empty_key, key_len, NULL)) {
		EVP_MAC_CTX_free(ctx);
		return MIKEY_ERR_CRYPTO;
	}
	h->ctx = ctx;
	return MIKEY_OK;
}

int mikey_hmac_key_mac(mikey_hmac_key *h, const mikey_iov *iov, size_t n_iov, uint8_t *out)
{
	size_t out_len = 0;

	if (h == NULL || h->ctx == NULL || out == NULL || (iov == NULL && n_iov > 0))
		return MIKEY_ERR_ARG;
	EVP_MAC_CTX *ctx = h->ctx;
	/* A NULL key restarts from the keyed state (OpenSSL 3 HMAC provider). */
	if (!EVP_MAC_init(ctx, NULL, 0, NULL))
		return MIKEY_ERR_CRYPTO;
	for (size_t i = 0; i < n_iov; i++) {
		if (iov[i].len > 0 && !EVP_MAC_update(ctx, iov[i].data, iov[i].len))
			return MIKEY_ERR_CRYPTO;
	}
	if (!EVP_MAC_final(ctx, out, &out_len, mikey_crypto_md_size(h->md)) || out_len != mikey_crypto_md_size(h->md))
		return MIKEY_ERR_CRYPTO;
	return MIKEY_OK;
}

void mikey_hmac_key_cleanup(mikey_hmac_key *h)
{
	if (h == NULL)
		return;
	EVP_MAC_CTX_free(h->ctx); /* cleanses the keyed state */
	h->ctx = NULL;
}

int mikey_crypto_memeq(const void *a, const void *b, size_t len)
{
	if (len == 0)
		return 1;
	return CRYPTO_memcmp(a, b, len) == 0;
}

static int rng_openssl(void *user, uint8_t *out, size_t len)
{
	(void)user;
	while (len > 0) {
		int chunk = len > INT_MAX ? INT_MAX : (int)len;
		if (RAND_bytes(out, chunk) != 1)
			return MIKEY_ERR_CRYPTO;
		out += chunk;
		len -= (size_t)chunk;
	}
	return MIKEY_OK;
}

static const mikey_rng default_rng = {rng_openssl, NULL};

const mikey_rng *mikey_rng_default(void)
{
	return &default_rng;
}

int mikey_rng_bytes(const mikey_rng *rng, uint8_t *out, size_t len)
{
	if (rng == NULL)
		rng = &default_rng;
	if (rng->fn == NULL || (out == NULL && len > 0))
		return MIKEY_ERR_ARG;
	if (len == 0)
		return MIKEY_OK;
	return rng->fn(rng->user, out, len);
}

/* ------------------------------------------------------------------ */
/* Symmetric ciphers                                                   */

/* RFC 3711 §4.1.1: AES-CM keystream block i is E(k, IV + i mod 2^128),
 * which is exactly OpenSSL's CTR mode with the IV as initial counter. */
static int aes_ctr(mikey_cipher_id id, const uint8_t *key, const uint8_t *iv, const uint8_t *in, size_t len,
                   uint8_t *out)
{
	EVP_CIPHER_CTX *ctx = NULL;
	int rc = MIKEY_ERR_CRYPTO;
	int n = 0;

	if (key == NULL || iv == NULL || (len > 0 && (in == NULL || out == NULL)))
		return MIKEY_ERR_ARG;
	fetch();
	if (g_cipher[id] == NULL)
		return MIKEY_ERR_CRYPTO;
	ctx = EVP_CIPHER_CTX_new();
	if (ctx == NULL || !EVP_EncryptInit_ex2(ctx, g_cipher[id], key, iv, NULL))
		goto out;
	while (len > 0) {
		int chunk = len > (size_t)INT_MAX / 2 ? INT_MAX / 2 : (int)len;
		if (!EVP_EncryptUpdate(ctx, out, &n, in, chunk) || n != chunk)
			goto out;
		in += chunk;
		out += chunk;
		len -= (size_t)chunk;
	}
	rc = MIKEY_OK;
out:
	EVP_CIPHER_CTX_free(ctx); /* cleanses the key schedule */
	return rc;
}

static int aes_cm_128(const uint8_t *key, const uint8_t *iv, const uint8_t *in, size_t len, uint8_t *out)
{
	return aes_ctr(MIKEY_CIPHER_AES_CM_128, key, iv, in, len, out);
}

static int aes_cm_192(const uint8_t *key, const uint8_t *iv, const uint8_t *in, size_t len, uint8_t *out)
{
	return aes_ctr(MIKEY_CIPHER_AES_CM_192, key, iv, in, len, out);
}

static int aes_cm_256(const uint8_t *key, const uint8_t *iv, const uint8_t *in, size_t len, uint8_t *out)
{
	return aes_ctr(MIKEY_CIPHER_AES_CM_256, key, iv, in, len, out);
}

/* RFC 3394 §2.2: wrap/unwrap with an explicit 8-byte initial value (RFC
 * 3830 §4.2.3 sets it to the derived salt); NULL selects the default
 * A6A6A6A6A6A6A6A6 of RFC 3394 §2.2.3.1. */
static int aes_kw(int enc, const uint8_t *key, const uint8_t *iv, const uint8_t *in, size_t len, uint8_t *out)
{
	EVP_CIPHER_CTX *ctx = NULL;
	int rc = MIKEY_ERR_CRYPTO;
	int n = 0, fin = 0;

	if (key == NULL || in == NULL || out == NULL || len % 8 != 0 || len < (enc ? 16u : 24u) ||
	    len > (size_t)INT_MAX / 2 || in == out)
		return MIKEY_ERR_ARG;
	fetch();
	if (g_cipher[MIKEY_CIPHER_AES_KW_128] == NULL)
		return MIKEY_ERR_CRYPTO;
	ctx = EVP_CIPHER_CTX_new();
	if (ctx == NULL)
		goto out;
	EVP_CIPHER_CTX_set_flags(ctx, EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
	if (!EVP_CipherInit_ex2(ctx, g_cipher[MIKEY_CIPHER_AES_KW_128], key, iv, enc, NULL))
		goto out;
	if (!EVP_CipherUpdate(ctx, out, &n, in, (int)len) || n <= 0) {
		/* Unwrap: the recovered initial value did not match. */
		rc = enc ? MIKEY_ERR_CRYPTO : MIKEY_ERR_AUTH;
		goto out;
	}
	if (!EVP_CipherFinal_ex(ctx, out + n, &fin))
		goto out;
	if ((size_t)(n + fin) != (enc ? len + 8 : len - 8))
		goto out;
	rc = MIKEY_OK;
out:
	if (rc != MIKEY_OK && !enc && len >= 8)
		mikey_wipe(out, len - 8);
	EVP_CIPHER_CTX_free(ctx);
	return rc;
}

static int aes_kw_wrap(const uint8_t *key, const uint8_t *iv, const uint8_t *in, size_t len, uint8_t *out)
{
	return aes_kw(1, key, iv, in, len, out);
}

static int aes_kw_unwrap(const uint8_t *key, const uint8_t *iv, const uint8_t *in, size_t len, uint8_t *out)
{
	return aes_kw(0, key, iv, in, len, out);
}

static const mikey_cipher_desc cipher_table[] = {
	{MIKEY_CIPHER_AES_CM_128, "AES-CM-128", 16, 16, 0, 1, 0, aes_cm_128, aes_cm_128},
	{MIKEY_CIPHER_AES_CM_192, "AES-CM-192", 24, 16, 0, 1, 0, aes_cm_192, aes_cm_192},
	{MIKEY_CIPHER_AES_CM_256, "AES-CM-256", 32, 16, 0, 1, 0, aes_cm_256, aes_cm_256},
	{MIKEY_CIPHER_AES_KW_128, "AES-KW-128", 16, 8, 8, 8, 16, aes_kw_wrap, aes_kw_unwrap},
};

const mikey_cipher_desc *mikey_crypto_cipher_impl(mikey_cipher_id id)
{
	for (size_t i = 0; i < sizeof cipher_table / sizeof cipher_table[0]; i++) {
		if (cipher_table[i].id == id)
			return &cipher_table[i];
	}
	return NULL;
}

/* ------------------------------------------------------------------ */
/* RSA                                                                 */

struct mikey_pkey {
	EVP_PKEY *pk;
	int is_private;
};

static int pkey_wrap(mikey_pkey **out, EVP_PKEY *pk, int is_private)
{
	mikey_pkey *k;

	if (!EVP_PKEY_is_a(pk, "RSA")) {
		EVP_PKEY_free(pk);
		return MIKEY_ERR_UNSUPPORTED;
	}
	k = mikey_malloc(sizeof *k);
	if (k == NULL) {
		EVP_PKEY_free(pk);
		return MIKEY_ERR_NOMEM;
	}
	k->pk = pk;
	k->is_private = is_private;
	*out = k;
	return MIKEY_OK;
}

static int pkey_decode(mikey_pkey **out, const char *input_type, const uint8_t *data, size_t len, int is_private)
{
	OSSL_DECODER_CTX *dctx = NULL;
	EVP_PKEY *pk = NULL;
	int selection = is_private ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY;

	if (out == NULL || data == NULL || len == 0)
		return MIKEY_ERR_ARG;
	*out = NULL;
	GATE();
	dctx = OSSL_DECODER_CTX_new_for_pkey(&pk, input_type, NULL, NULL, selection, NULL, NULL);
	if (dctx == NULL)
		return MIKEY_ERR_CRYPTO;
	const unsigned char *p = data;
	size_t left = len;
	int ok = OSSL_DECODER_from_data(dctx, &p, &left);
	OSSL_DECODER_CTX_free(dctx);
	if (!ok || pk == NULL) {
		EVP_PKEY_free(pk);
		return MIKEY_ERR_FORMAT;
	}
	return pkey_wrap(out, pk, is_private);
}

int mikey_pkey_from_der(mikey_pkey **out, const uint8_t *der, size_t len, int is_private)
{
	return pkey_decode(out, "DER", der, len, is_private);
}

int mikey_pkey_from_pem(mikey_pkey **out, const char *pem, size_t len, int is_private)
{
	return pkey_decode(out, "PEM", (const uint8_t *)pem, len, is_private);
}

void mikey_pkey_free(mikey_pkey *k)
{
	if (k == NULL)
		return;
	EVP_PKEY_free(k->pk); /* OpenSSL clears the private BIGNUMs */
	mikey_free(k);
}

size_t mikey_pkey_size(const mikey_pkey *k)
{
	if (k == NULL)
		return 0;
	int n = EVP_PKEY_get_size(k->pk);
	return n > 0 ? (size_t)n : 0;
}

int mikey_pkey_public_eq(const mikey_pkey *a, const mikey_pkey *b)
{
	/* EVP_PKEY_eq compares the public components (and parameters). */
	return a != NULL && b != NULL && EVP_PKEY_eq(a->pk, b->pk) == 1;
}

int mikey_pkey_is_private(const mikey_pkey *k)
{
	return k != NULL && k->is_private;
}

int mikey_rsa_pkcs1_encrypt(const mikey_pkey *pub, const mikey_rng *rng, const uint8_t *in, size_t in_len,
                            uint8_t *out)
{
	EVP_PKEY_CTX *ctx = NULL;
	uint8_t *em = NULL;
	size_t k = mikey_pkey_size(pub), out_len;
	int rc;

	if (pub == NULL || (in == NULL && in_len > 0) || out == NULL || k < 11 || in_len > k - 11)
		return MIKEY_ERR_ARG;
	GATE();
	em = mikey_malloc(k);
	if (em == NULL)
		return MIKEY_ERR_NOMEM;
	/* RFC 8017 §7.2.1: EM = 0x00 || 0x02 || PS || 0x00 || M, PS non-zero. */
	size_t ps_len = k - 3 - in_len;
	em[0] = 0x00;
	em[1] = 0x02;
	rc = mikey_rng_bytes(rng, em + 2, ps_len);
	for (size_t i = 0; rc == MIKEY_OK && i < ps_len; i++) {
		while (rc == MIKEY_OK && em[2 + i] == 0)
			rc = mikey_rng_bytes(rng, em + 2 + i, 1);
	}
	if (rc != MIKEY_OK)
		goto out;
	em[2 + ps_len] = 0x00;
	if (in_len > 0)
		memcpy(em + 3 + ps_len, in, in_len);
	rc = MIKEY_ERR_CRYPTO;
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pub->pk, NULL);
	if (ctx == NULL || EVP_PKEY_encrypt_init(ctx) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_NO_PADDING) <= 0)
		goto out;
	out_len = k;
	if (EVP_PKEY_encrypt(ctx, out, &out_len, em, k) <= 0 || out_len != k)
		goto out;
	rc = MIKEY_OK;
out:
	EVP_PKEY_CTX_free(ctx);
	mikey_wipe(em, k);
	mikey_free(em);
	return rc;
}

int mikey_rsa_pkcs1_decrypt(const mikey_pkey *priv, const uint8_t *in, size_t in_len, uint8_t *out,
                            size_t out_cap, size_t *out_len)
{
	EVP_PKEY_CTX *ctx = NULL;
	uint8_t *buf = NULL;
	size_t k = mikey_pkey_size(priv), n = k;
	int rc = MIKEY_ERR_CRYPTO;

	if (priv == NULL || !priv->is_private || in == NULL || (out == NULL && out_cap > 0) || out_len == NULL)
		return MIKEY_ERR_ARG;
	*out_len = 0;
	if (in_len != k)
		return MIKEY_ERR_AUTH;
	GATE();
	buf = mikey_malloc(k);
	if (buf == NULL)
		return MIKEY_ERR_NOMEM;
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, priv->pk, NULL);
	if (ctx == NULL || EVP_PKEY_decrypt_init(ctx) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) <= 0)
		goto out;
	if (EVP_PKEY_decrypt(ctx, buf, &n, in, in_len) <= 0) {
		rc = MIKEY_ERR_AUTH;
		goto out;
	}
	if (n > out_cap) {
		rc = MIKEY_ERR_ARG;
		goto out;
	}
	if (n > 0)
		memcpy(out, buf, n);
	*out_len = n;
	rc = MIKEY_OK;
out:
	EVP_PKEY_CTX_free(ctx);
	mikey_wipe(buf, k);
	mikey_free(buf);
	return rc;
}

static int rsa_sig_setup(EVP_MD_CTX *mctx, const mikey_pkey *key, mikey_rsa_sig scheme, mikey_md md, int sign)
{
	EVP_PKEY_CTX *pctx = NULL;
	const char *name = md_name(md);
	int ok;

	if (sign)
		ok = EVP_DigestSignInit_ex(mctx, &pctx, name, NULL, NULL, key->pk, NULL);
	else
		ok = EVP_DigestVerifyInit_ex(mctx, &pctx, name, NULL, NULL, key->pk, NULL);
	if (ok <= 0)
		return 0;
	if (scheme == MIKEY_RSA_SIG_PKCS1_V15)
		return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) > 0;
	/* PSS: MGF1 defaults to the message hash. The signer uses salt length
	 * = hash length (RFC 8017 §9.1 recommendation); the verifier accepts
	 * any, since MIKEY (RFC 3830 §6.5) does not say which. */
	return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) > 0 &&
	       EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, sign ? RSA_PSS_SALTLEN_DIGEST : RSA_PSS_SALTLEN_AUTO) > 0;
}

int mikey_rsa_sign(const mikey_pkey *priv, mikey_rsa_sig scheme, mikey_md md, const mikey_iov *iov,
                   size_t n_iov, uint8_t *sig)
{
	EVP_MD_CTX *mctx = NULL;
	size_t k = mikey_pkey_size(priv), n = k;
	int rc = MIKEY_ERR_CRYPTO;

	if (priv == NULL || !priv->is_private || md_name(md) == NULL || (iov == NULL && n_iov > 0) || sig == NULL ||
	    (scheme != MIKEY_RSA_SIG_PKCS1_V15 && scheme != MIKEY_RSA_SIG_PSS))
		return MIKEY_ERR_ARG;
	GATE();
	mctx = EVP_MD_CTX_new();
	if (mctx == NULL || !rsa_sig_setup(mctx, priv, scheme, md, 1))
		goto out;
	for (size_t i = 0; i < n_iov; i++) {
		if (iov[i].len > 0 && EVP_DigestSignUpdate(mctx, iov[i].data, iov[i].len) <= 0)
			goto out;
	}
	if (EVP_DigestSignFinal(mctx, sig, &n) <= 0 || n != k)
		goto out;
	rc = MIKEY_OK;
out:
	EVP_MD_CTX_free(mctx);
	return rc;
}

int mikey_rsa_verify(const mikey_pkey *pub, mikey_rsa_sig scheme, mikey_md md, const mikey_iov *iov,
                     size_t n_iov, const uint8_t *sig, size_t sig_len)
{
	EVP_MD_CTX *mctx = NULL;
	int rc = MIKEY_ERR_CRYPTO;

	if (pub == NULL || md_name(md) == NULL || (iov == NULL && n_iov > 0) || sig == NULL ||
	    (scheme != MIKEY_RSA_SIG_PKCS1_V15 && scheme != MIKEY_RSA_SIG_PSS))
		return MIKEY_ERR_ARG;
	if (sig_len != mikey_pkey_size(pub))
		return MIKEY_ERR_AUTH;
	GATE();
	mctx = EVP_MD_CTX_new();
	if (mctx == NULL || !rsa_sig_setup(mctx, pub, scheme, md, 0))
		goto out;
	for (size_t i = 0; i < n_iov; i++) {
		if (iov[i].len > 0 && EVP_DigestVerifyUpdate(mctx, iov[i].data, iov[i].len) <= 0)
			goto out;
	}
	rc = EVP_DigestVerifyFinal(mctx, sig, sig_len) == 1 ? MIKEY_OK : MIKEY_ERR_AUTH;
out:
	EVP_MD_CTX_free(mctx);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Diffie-Hellman                                                      */

struct mikey_dh_key {
	mikey_dh_group_id group;
	size_t len;    /* bytes of p */
	BIGNUM *p;     /* the group prime */
	EVP_PKEY *pk;  /* key pair with domain parameters */
	uint8_t *pub;  /* g^x mod p, |len| bytes, left-padded */
};

mikey_dh_group_id mikey_dh_group_for_registry(int dh_group)
{
	/* RFC 3830 Table 6.4: OAKLEY 5 = 0, OAKLEY 1 = 1, OAKLEY 2 = 2. */
	switch (dh_group) {
	case 0:
		return MIKEY_DHG_OAKLEY_5;
	case 1:
		return MIKEY_DHG_OAKLEY_1;
	case 2:
		return MIKEY_DHG_OAKLEY_2;
	}
	return (mikey_dh_group_id)0;
}

size_t mikey_dh_group_size(mikey_dh_group_id g)
{
	switch (g) {
	case MIKEY_DHG_OAKLEY_1:
		return 96;
	case MIKEY_DHG_OAKLEY_2:
		return 128;
	case MIKEY_DHG_OAKLEY_5:
		return 192;
	}
	return 0;
}

/* The primes: OpenSSL 3.0 knows RFC 3526 group 5 by the name "modp_1536",
 * but not the RFC 2409 groups 1 and 2 (768 and 1024 bits) as named groups,
 * so those go in as explicit p with generator 2 (RFC 2409 §6.1, §6.2). */
static BIGNUM *dh_prime(mikey_dh_group_id g)
{
	switch (g) {
	case MIKEY_DHG_OAKLEY_1:
		return BN_get_rfc2409_prime_768(NULL);
	case MIKEY_DHG_OAKLEY_2:
		return BN_get_rfc2409_prime_1024(NULL);
	case MIKEY_DHG_OAKLEY_5:
		return BN_get_rfc3526_prime_1536(NULL);
	}
	return NULL;
}

/* Builds a DH EVP_PKEY from the group and |pub| (and |priv| if given). */
static EVP_PKEY *dh_pkey(mikey_dh_group_id g, const BIGNUM *p, const BIGNUM *pub, const BIGNUM *priv)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pk = NULL;
	BIGNUM *gen = BN_new(), *q = BN_new();

	if (bld == NULL || gen == NULL || q == NULL || !BN_set_word(gen, 2) || !BN_rshift1(q, p))
		goto out;
	if (g == MIKEY_DHG_OAKLEY_5) {
		if (!OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "modp_1536", 0))
			goto out;
	} else if (!OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_P, p) ||
	           !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_Q, q) ||
	           !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_G, gen)) {
		goto out;
	}
	if (!OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PUB_KEY, pub))
		goto out;
	if (priv != NULL && !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, priv))
		goto out;
	params = OSSL_PARAM_BLD_to_param(bld);
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL);
	if (params == NULL || ctx == NULL || EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pk, priv != NULL ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params) <= 0)
		pk = NULL;
out:
	EVP_PKEY_CTX_free(ctx);
	/* |priv| is a secure BIGNUM, so the builder put its copy in the secure
	 * block, which OSSL_PARAM_free clears as it frees it. */
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(q);
	BN_free(gen);
	return pk;
}

/* The key pair of private value |xbin| (|xlen| bytes) when not NULL,
 * else of one drawn from |rng|. */
static int dh_make(mikey_dh_key **out, mikey_dh_group_id g, const mikey_rng *rng, const uint8_t *xbin, size_t xlen);

int mikey_dh_new(mikey_dh_key **out, mikey_dh_group_id g, const mikey_rng *rng)
{
	return dh_make(out, g, rng, NULL, 0);
}

int mikey_dh_new_private(mikey_dh_key **out, mikey_dh_group_id g, const uint8_t *x, size_t len)
{
	if (x == NULL || len == 0 || len > mikey_dh_group_size(g))
		return MIKEY_ERR_ARG;
	return dh_make(out, g, NULL, x, len);
}

static int dh_make(mikey_dh_key **out, mikey_dh_group_id g, const mikey_rng *rng, const uint8_t *xbin, size_t xlen)
{
	mikey_dh_key *dh = NULL;
	BN_CTX *bnctx = NULL;
	BIGNUM *x = NULL, *y = NULL, *gen = NULL;
	uint8_t *buf = NULL;
	size_t len = mikey_dh_group_size(g);
	int rc = MIKEY_ERR_CRYPTO;

	if (out == NULL || len == 0)
		return MIKEY_ERR_ARG;
	*out = NULL;
	GATE();
	dh = mikey_malloc(sizeof *dh);
	if (dh != NULL)
		memset(dh, 0, sizeof *dh); /* mikey_dh_free(dh) below must see NULLs */
	buf = mikey_malloc(len);
	if (dh == NULL || buf == NULL) {
		rc = MIKEY_ERR_NOMEM;
		goto out;
	}
	memset(dh, 0, sizeof *dh);
	dh->group = g;
	dh->len = len;
	dh->pub = mikey_malloc(len);
	if (dh->pub == NULL) {
		rc = MIKEY_ERR_NOMEM;
		goto out;
	}
	dh->p = dh_prime(g);
	bnctx = BN_CTX_secure_new();
	x = BN_secure_new();
	y = BN_new();
	gen = BN_new();
	if (dh->p == NULL || bnctx == NULL || x == NULL || y == NULL || gen == NULL || !BN_set_word(gen, 2) ||
	    (size_t)BN_num_bytes(dh->p) != len)
		goto out;
	/* x uniform in [2, 2^256). RFC 3526 §8 puts OAKLEY 5 at 90-120 bits of
	 * strength and asks for an exponent of twice that; 256 bits covers every
	 * group here (all primes exceed 2^767) at a sixth of the cost of a
	 * full-length exponent (docs/interpretations.md). */
	if (xbin != NULL) {
		/* A given private value (known-answer vectors): 1 < x < p - 1. */
		BIGNUM *pm1 = BN_dup(dh->p);
		int ok = BN_bin2bn(xbin, (int)xlen, x) != NULL && pm1 != NULL && BN_sub_word(pm1, 1) &&
		         !BN_is_zero(x) && !BN_is_one(x) && BN_cmp(x, pm1) < 0;
		BN_free(pm1);
		if (!ok) {
			rc = MIKEY_ERR_ARG;
			goto out;
		}
	}
	for (int tries = 0; xbin == NULL; tries++) {
		rc = mikey_rng_bytes(rng, buf, MIKEY_DH_PRIV_BYTES);
		if (rc != MIKEY_OK)
			goto out;
		rc = MIKEY_ERR_CRYPTO;
		if (BN_bin2bn(buf, MIKEY_DH_PRIV_BYTES, x) == NULL)
			goto out;
		if (!BN_is_zero(x) && !BN_is_one(x))
			break;
		if (tries > 16) /* an RNG that keeps giving 0 or 1 is broken */
			goto out;
	}
	BN_set_flags(x, BN_FLG_CONSTTIME);
	if (!BN_mod_exp(y, gen, x, dh->p, bnctx) || BN_bn2binpad(y, dh->pub, (int)len) != (int)len)
		goto out;
	dh->pk = dh_pkey(g, dh->p, y, x);
	if (dh->pk == NULL)
		goto out;
	*out = dh;
	dh = NULL;
	rc = MIKEY_OK;
out:
	mikey_dh_free(dh);
	BN_free(gen);
	BN_free(y);
	BN_clear_free(x);
	BN_CTX_free(bnctx);
	mikey_wipe(buf, len);
	mikey_free(buf);
	return rc;
}

void mikey_dh_free(mikey_dh_key *dh)
{
	if (dh == NULL)
		return;
	EVP_PKEY_free(dh->pk);
	BN_free(dh->p);
	mikey_free(dh->pub);
	mikey_free(dh);
}

int mikey_dh_public(const mikey_dh_key *dh, uint8_t *out, size_t out_len)
{
	if (dh == NULL || out == NULL || out_len != dh->len)
		return MIKEY_ERR_ARG;
	memcpy(out, dh->pub, dh->len);
	return MIKEY_OK;
}

/* 2 <= y <= p-2 and y^q == 1 (mod p), q = (p-1)/2: the OAKLEY primes are
 * safe primes, so this rules out the small subgroups {1}, {1, p-1}. */
static int dh_check_peer(const BIGNUM *p, const BIGNUM *y, BN_CTX *bnctx)
{
	BIGNUM *pm1 = BN_CTX_get(bnctx), *q = BN_CTX_get(bnctx), *r = BN_CTX_get(bnctx);

	if (r == NULL || !BN_sub(pm1, p, BN_value_one()) || !BN_rshift1(q, pm1))
		return MIKEY_ERR_CRYPTO;
	if (BN_cmp(y, BN_value_one()) <= 0 || BN_cmp(y, pm1) >= 0)
		return MIKEY_ERR_AUTH;
	if (!BN_mod_exp(r, y, q, p, bnctx))
		return MIKEY_ERR_CRYPTO;
	return BN_is_one(r) ? MIKEY_OK : MIKEY_ERR_AUTH;
}

int mikey_dh_derive(const mikey_dh_key *dh, const uint8_t *peer, size_t peer_len, uint8_t *out, size_t out_len)
{
	EVP_PKEY *peer_pk = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	BN_CTX *bnctx = NULL;
	BIGNUM *y = NULL;
	size_t n = out_len;
	int rc = MIKEY_ERR_CRYPTO;

	if (dh == NULL || peer == NULL || out == NULL || out_len != dh->len)
		return MIKEY_ERR_ARG;
	if (peer_len != dh->len)
		return MIKEY_ERR_AUTH;
	GATE();
	bnctx = BN_CTX_new();
	y = BN_bin2bn(peer, (int)peer_len, NULL);
	if (bnctx == NULL || y == NULL)
		goto out;
	BN_CTX_start(bnctx);
	rc = dh_check_peer(dh->p, y, bnctx);
	BN_CTX_end(bnctx);
	if (rc != MIKEY_OK)
		goto out;
	rc = MIKEY_ERR_CRYPTO;
	peer_pk = dh_pkey(dh->group, dh->p, y, NULL);
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, dh->pk, NULL);
	/* pad = 1: the secret keeps its leading zero bytes (fixed length). */
	if (peer_pk == NULL || ctx == NULL || EVP_PKEY_derive_init(ctx) <= 0 ||
	    EVP_PKEY_CTX_set_dh_pad(ctx, 1) <= 0 || EVP_PKEY_derive_set_peer_ex(ctx, peer_pk, 0) <= 0)
		goto out;
	if (EVP_PKEY_derive(ctx, out, &n) <= 0 || n != out_len) {
		mikey_wipe(out, out_len);
		goto out;
	}
	rc = MIKEY_OK;
out:
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(peer_pk);
	BN_free(y);
	BN_CTX_free(bnctx);
	return rc;
}

/* ------------------------------------------------------------------ */
/* X.509                                                               */

struct mikey_x509 {
	X509 *x;
};

struct mikey_trust {
	X509_STORE *store;
};

static int x509_wrap(mikey_x509 **out, X509 *x)
{
	mikey_x509 *c = mikey_malloc(sizeof *c);

	if (c == NULL) {
		X509_free(x);
		return MIKEY_ERR_NOMEM;
	}
	c->x = x;
	*out = c;
	return MIKEY_OK;
}

int mikey_x509_from_der(mikey_x509 **out, const uint8_t *der, size_t len)
{
	const unsigned char *p = der;
	X509 *x;

	if (out == NULL || der == NULL || len == 0 || len > LONG_MAX)
		return MIKEY_ERR_ARG;
	*out = NULL;
	GATE();
	x = d2i_X509(NULL, &p, (long)len);
	if (x == NULL || p != der + len) { /* trailing bytes are a format error */
		X509_free(x);
		return MIKEY_ERR_FORMAT;
	}
	return x509_wrap(out, x);
}

int mikey_x509_from_pem(mikey_x509 **out, const char *pem, size_t len)
{
	BIO *bio;
	X509 *x;

	if (out == NULL || pem == NULL || len == 0 || len > INT_MAX)
		return MIKEY_ERR_ARG;
	*out = NULL;
	GATE();
	bio = BIO_new_mem_buf(pem, (int)len);
	if (bio == NULL)
		return MIKEY_ERR_CRYPTO;
	x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (x == NULL)
		return MIKEY_ERR_FORMAT;
	return x509_wrap(out, x);
}

void mikey_x509_free(mikey_x509 *c)
{
	if (c == NULL)
		return;
	X509_free(c->x);
	mikey_free(c);
}

int mikey_x509_get1_pkey(const mikey_x509 *c, mikey_pkey **out)
{
	EVP_PKEY *pk;

	if (c == NULL || out == NULL)
		return MIKEY_ERR_ARG;
	*out = NULL;
	GATE();
	pk = X509_get_pubkey(c->x); /* get1 */
	if (pk == NULL)
		return MIKEY_ERR_FORMAT;
	return pkey_wrap(out, pk, 0);
}

int mikey_trust_new(mikey_trust **out)
{
	mikey_trust *t;

	if (out == NULL)
		return MIKEY_ERR_ARG;
	*out = NULL;
	GATE();
	t = mikey_malloc(sizeof *t);
	if (t == NULL)
		return MIKEY_ERR_NOMEM;
	t->store = X509_STORE_new();
	if (t->store == NULL) {
		mikey_free(t);
		return MIKEY_ERR_CRYPTO;
	}
	*out = t;
	return MIKEY_OK;
}

void mikey_trust_free(mikey_trust *t)
{
	if (t == NULL)
		return;
	X509_STORE_free(t->store);
	mikey_free(t);
}

int mikey_trust_add(mikey_trust *t, const mikey_x509 *anchor)
{
	if (t == NULL || anchor == NULL)
		return MIKEY_ERR_ARG;
	return X509_STORE_add_cert(t->store, anchor->x) == 1 ? MIKEY_OK : MIKEY_ERR_CRYPTO;
}

int mikey_x509_verify(const mikey_trust *t, const mikey_x509 *leaf, const mikey_x509 *const *chain,
                      size_t n_chain, int64_t now, mikey_pkey **pub)
{
	STACK_OF(X509) *untrusted = NULL;
	X509_STORE_CTX *ctx = NULL;
	int rc = MIKEY_ERR_CRYPTO;

	if (pub != NULL)
		*pub = NULL;
	if (t == NULL || leaf == NULL || (chain == NULL && n_chain > 0) || now < 0)
		return MIKEY_ERR_ARG;
	GATE();
	untrusted = sk_X509_new_null();
	if (untrusted == NULL)
		goto out;
	for (size_t i = 0; i < n_chain; i++) {
		if (chain[i] == NULL) {
			rc = MIKEY_ERR_ARG;
			goto out;
		}
		if (!sk_X509_push(untrusted, chain[i]->x)) /* borrowed: freed with sk_X509_free */
			goto out;
	}
	ctx = X509_STORE_CTX_new();
	if (ctx == NULL || !X509_STORE_CTX_init(ctx, t->store, leaf->x, untrusted))
		goto out;
	/* Sans-I/O: the caller's clock, not time(). */
	X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx), (time_t)now);
	if (X509_verify_cert(ctx) != 1) {
		rc = MIKEY_ERR_AUTH;
		goto out;
	}
	rc = pub != NULL ? mikey_x509_get1_pkey(leaf, pub) : MIKEY_OK;
out:
	X509_STORE_CTX_free(ctx);
	sk_X509_free(untrusted);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Certificate helpers the modes need: DER out, identity binding.      */

int mikey_x509_to_der(const mikey_x509 *c, uint8_t **der, size_t *len)
{
	unsigned char *buf = NULL;
	if (c == NULL || der == NULL || len == NULL)
		return MIKEY_ERR_ARG;
	int n = i2d_X509(c->x, &buf);
	if (n <= 0)
		return MIKEY_ERR_CRYPTO;
	*der = mikey_malloc((size_t)n);
	if (*der == NULL) {
		OPENSSL_free(buf);
		return MIKEY_ERR_NOMEM;
	}
	memcpy(*der, buf, (size_t)n);
	*len = (size_t)n;
	OPENSSL_free(buf);
	return MIKEY_OK;
}

static int bytes_eq(const unsigned char *a, int alen, const uint8_t *b, size_t blen)
{
	return alen >= 0 && (size_t)alen == blen && memcmp(a, b, blen) == 0;
}

int mikey_x509_identity(const mikey_x509 *c, uint8_t **id, size_t *len, int *is_email)
{
	const unsigned char *data = NULL;
	unsigned char *utf8 = NULL;
	int n = -1, rc = MIKEY_ERR_NOT_FOUND;
	if (c == NULL || id == NULL || len == NULL || is_email == NULL)
		return MIKEY_ERR_ARG;
	*id = NULL;
	*len = 0;
	*is_email = 0;
	/* The names mikey_x509_check_id accepts, in its order of preference. */
	GENERAL_NAMES *names = X509_get_ext_d2i(c->x, NID_subject_alt_name, NULL, NULL);
	static const int order[] = {GEN_URI, GEN_EMAIL, GEN_DNS};
	for (size_t k = 0; k < 3 && data == NULL; k++) {
		for (int i = 0; names != NULL && i < sk_GENERAL_NAME_num(names) && data == NULL; i++) {
			const GENERAL_NAME *g = sk_GENERAL_NAME_value(names, i);
			if (g->type != order[k])
				continue;
			const ASN1_IA5STRING *s = g->type == GEN_URI     ? g->d.uniformResourceIdentifier
			                          : g->type == GEN_EMAIL ? g->d.rfc822Name
			                                                 : g->d.dNSName;
			data = ASN1_STRING_get0_data(s);
			n = ASN1_STRING_length(s);
			*is_email = g->type == GEN_EMAIL;
		}
	}
	if (data == NULL) {
		const X509_NAME *subj = X509_get_subject_name(c->x);
		int idx = X509_NAME_get_index_by_NID(subj, NID_commonName, -1);
		if (idx >= 0 && (n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subj, idx)))) >= 0)
			data = utf8;
	}
	if (data != NULL && n > 0 && n <= 0xffff) {
		*id = mikey_malloc((size_t)n);
		rc = *id == NULL ? MIKEY_ERR_NOMEM : MIKEY_OK;
		if (*id != NULL) {
			memcpy(*id, data, (size_t)n);
			*len = (size_t)n;
		}
	}
	GENERAL_NAMES_free(names);
	OPENSSL_free(utf8);
	return rc;
}

int mikey_x509_check_id(const mikey_x509 *c, const uint8_t *id, size_t len)
{
	/* RFC 3830 §4.3.1: the identity is "generally the same ID as the one
	 * specified in the certificate". We accept an exact match with a
	 * subjectAltName URI, rfc822Name (NAI) or dNSName, or with the subject
	 * CN (docs/interpretations.md). */
	if (c == NULL || (id == NULL && len > 0))
		return MIKEY_ERR_ARG;
	int found = 0;
	GENERAL_NAMES *names = X509_get_ext_d2i(c->x, NID_subject_alt_name, NULL, NULL);
	for (int i = 0; names != NULL && i < sk_GENERAL_NAME_num(names) && !found; i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(names, i);
		const ASN1_IA5STRING *s = NULL;
		if (g->type == GEN_URI)
			s = g->d.uniformResourceIdentifier;
		else if (g->type == GEN_EMAIL)
			s = g->d.rfc822Name;
		else if (g->type == GEN_DNS)
			s = g->d.dNSName;
		if (s != NULL && bytes_eq(ASN1_STRING_get0_data(s), ASN1_STRING_length(s), id, len))
			found = 1;
	}
	GENERAL_NAMES_free(names);
	if (!found) {
		const X509_NAME *subj = X509_get_subject_name(c->x);
		int idx = -1;
		while (!found && (idx = X509_NAME_get_index_by_NID(subj, NID_commonName, idx)) >= 0) {
			const ASN1_STRING *cn = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subj, idx));
			unsigned char *utf8 = NULL;
			int n = ASN1_STRING_to_UTF8(&utf8, cn);
			if (n >= 0 && bytes_eq(utf8, n, id, len))
				found = 1;
			OPENSSL_free(utf8);
		}
	}
	return found ? MIKEY_OK : MIKEY_ERR_IDENTITY;
}
