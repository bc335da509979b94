/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * crypto.h - the only door to OpenSSL. crypto/openssl.c is the one file
 * that includes OpenSSL headers; everything else calls these.
 *
 * Shape (picotls / libsrtp cipher types): symmetric algorithms are
 * descriptors (mikey_cipher_desc, mikey_mac_desc) with their sizes and
 * function pointers; crypto/algorithms.c maps MIKEY registry values (types.h)
 * onto them; selftest.c checks every algorithm once against a known answer
 * before the first use (mikey_crypto_init, run lazily by every entry point
 * here). Algorithms know no protocol: the MIKEY IV recipe and the key
 * derivation live in kdf.c.
 *
 * Unless a comment says otherwise, functions return MIKEY_OK or a negative
 * MIKEY_ERR_* code: MIKEY_ERR_ARG for bad arguments, MIKEY_ERR_CRYPTO when
 * OpenSSL fails or the start-up self test failed, MIKEY_ERR_AUTH when a
 * MAC, key-wrap integrity check, signature or certificate does not verify.
 * Every buffer that held a secret is wiped before it is freed.
 */
#ifndef MIKEY_SRC_CRYPTO_H
#define MIKEY_SRC_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "mikey/error.h"
#include "mikey/rng.h"

/* ------------------------------------------------------------------ */
/* Start-up self test                                                  */

/* mikey_crypto_init runs the known-answer self test of every algorithm
 * (selftest.c) the first time it is called, from any thread, exactly once
 * (pthread_once); later calls return the stored result. Returns MIKEY_OK or
 * MIKEY_ERR_CRYPTO (then every crypto entry point fails closed). */
MIKEY_WARN_UNUSED int mikey_crypto_init(void);

/* ------------------------------------------------------------------ */
/* Base64 (RFC 4648) through OpenSSL's EVP_Encode/Decode.             */

/* mikey_crypto_b64_encode writes the NUL-terminated encoding of |len| bytes
 * to |out|, which must hold 4*((len+2)/3)+1 bytes. Returns chars written. */
size_t mikey_crypto_b64_encode(char *out, const uint8_t *in, size_t len);
/* mikey_crypto_b64_decode decodes |len| base64 chars (no whitespace) into
 * |out| (3*len/4 bytes). Returns the decoded length, or -1 when |in| is not
 * valid base64 (bad char, bad padding, length not a multiple of 4). */
long mikey_crypto_b64_decode(uint8_t *out, const char *in, size_t len);

/* ------------------------------------------------------------------ */
/* Digests, HMAC, constant-time compare                                */

/* Message digests. MD5 is here only because RFC 3830 §6.8 (CHASH) and old
 * certificates name it; HMAC refuses it. */
typedef enum mikey_md {
	MIKEY_MD_SHA1 = 1,   /* 20-byte output */
	MIKEY_MD_SHA256 = 2, /* 32-byte output */
	MIKEY_MD_MD5 = 3     /* 16-byte output; digest only */
} mikey_md;

/* A (pointer, length) pair for MACs over several discontiguous pieces. */
typedef struct mikey_iov {
	const uint8_t *data;
	size_t len;
} mikey_iov;

/* The largest digest / HMAC output of any mikey_md, for stack buffers. */
#define MIKEY_CRYPTO_MAX_MD 32

/* mikey_crypto_md_size returns the output size of |md| in bytes, 0 if unknown. */
size_t mikey_crypto_md_size(mikey_md md);

/* mikey_crypto_digest hashes the concatenation of the |n_iov| pieces into
 * |out| (mikey_crypto_md_size(md) bytes). */
MIKEY_WARN_UNUSED int mikey_crypto_digest(mikey_md md, const mikey_iov *iov, size_t n_iov, uint8_t *out);

/* mikey_crypto_hmac computes HMAC-|md| (SHA1 or SHA256) with |key| over the
 * concatenation of the |n_iov| pieces into |out| (mikey_crypto_md_size(md)
 * bytes). Thread-safe; the HMAC implementation is fetched from OpenSSL once.
 * Returns MIKEY_OK, MIKEY_ERR_ARG or MIKEY_ERR_CRYPTO. */
int mikey_crypto_hmac(mikey_md md, const uint8_t *key, size_t key_len, const mikey_iov *iov, size_t n_iov,
                      uint8_t *out);

/* A keyed HMAC for computing many MACs under one key: keyed once, each MAC
 * then restarts from the keyed state without re-keying. The keyed state is
 * a secret: clean the handle up (which cleanses it) as soon as the key is
 * no longer needed. Plain data the caller holds (e.g. on the stack):
 * _init/_cleanup, no allocation through mikey_malloc. */
typedef struct mikey_hmac_key {
	void *ctx; /* EVP_MAC_CTX, keyed */
	mikey_md md;
} mikey_hmac_key;

/* mikey_hmac_key_init keys |h|. Returns MIKEY_OK, MIKEY_ERR_ARG,
 * MIKEY_ERR_CRYPTO; on failure |h| needs no cleanup (but may get one). */
MIKEY_WARN_UNUSED int mikey_hmac_key_init(mikey_hmac_key *h, mikey_md md, const uint8_t *key, size_t key_len);
/* mikey_hmac_key_mac computes the MAC of the concatenated pieces into |out|
 * (mikey_crypto_md_size bytes). Returns MIKEY_OK, MIKEY_ERR_ARG, MIKEY_ERR_CRYPTO. */
MIKEY_WARN_UNUSED int mikey_hmac_key_mac(mikey_hmac_key *h, const mikey_iov *iov, size_t n_iov, uint8_t *out);
/* mikey_hmac_key_cleanup cleanses |h|'s keyed state. Idempotent. */
void mikey_hmac_key_cleanup(mikey_hmac_key *h);

/* mikey_crypto_memeq compares |len| bytes in time independent of their
 * contents (CRYPTO_memcmp). Returns 1 when equal, 0 otherwise. */
int mikey_crypto_memeq(const void *a, const void *b, size_t len);

/* ------------------------------------------------------------------ */
/* Symmetric ciphers (descriptor table)                                */

typedef enum mikey_cipher_id {
	MIKEY_CIPHER_AES_CM_128 = 1, /* RFC 3711 §4.1.1 AES-CM, 128-bit key */
	MIKEY_CIPHER_AES_CM_256 = 2, /* RFC 6188 §3 AES-CM, 256-bit key */
	MIKEY_CIPHER_AES_KW_128 = 3, /* RFC 3394 key wrap, 128-bit KEK */
	MIKEY_CIPHER_AES_CM_192 = 4  /* RFC 6188 §3 AES-CM, 192-bit key (SRTP PRF only) */
} mikey_cipher_id;

typedef struct mikey_cipher_desc mikey_cipher_desc;

/* Encrypt or decrypt |in_len| bytes of |in| to |out| with |key|
 * (desc->key_len bytes) and |iv| (desc->iv_len bytes). |out| receives
 * in_len + overhead bytes when encrypting, in_len - overhead when
 * decrypting; |in| and |out| may be the same buffer for AES-CM only. */
typedef int (*mikey_cipher_fn)(const uint8_t *key, const uint8_t *iv, const uint8_t *in, size_t in_len,
                               uint8_t *out);

struct mikey_cipher_desc {
	mikey_cipher_id id;
	const char *name;
	size_t key_len;  /* bytes */
	size_t iv_len;   /* AES-CM: the full 16-byte initial counter block;
	                  * AES-KW: the 8-byte initial value (RFC 3394 §2.2.3) */
	size_t overhead; /* ciphertext bytes minus plaintext bytes (KW: 8) */
	size_t unit;     /* plaintext length must be a multiple of this (KW: 8) */
	size_t min_len;  /* shortest plaintext accepted (KW: 16) */
	mikey_cipher_fn encrypt;
	mikey_cipher_fn decrypt; /* KW: MIKEY_ERR_AUTH when the IV check fails */
};

/* mikey_crypto_cipher returns the descriptor of |id| (static storage), or
 * NULL when |id| is unknown or the self test failed. */
const mikey_cipher_desc *mikey_crypto_cipher(mikey_cipher_id id);

/* mikey_crypto_cipher_for_encr_alg maps a KEMAC Encr alg value (RFC 3830
 * Table 6.2.a, RFC 6043 Table 6.5; mikey/types.h) to its descriptor. NULL
 * for MIKEY_ENCR_NULL (no cipher), unknown values, or a failed self test. */
const mikey_cipher_desc *mikey_crypto_cipher_for_encr_alg(int encr_alg);

/* MAC algorithms (HMAC with the full-length tag MIKEY uses). */
typedef struct mikey_mac_desc {
	int mac_alg; /* the MIKEY registry value (types.h enum mikey_mac_alg) */
	const char *name;
	mikey_md md;
	size_t key_len; /* recommended key length (RFC 3830 §4.2.4: = tag size) */
	size_t tag_len;
} mikey_mac_desc;

/* mikey_crypto_mac_for_mac_alg maps a KEMAC MAC alg / V Auth alg value
 * (RFC 3830 Table 6.2.b, RFC 6043 Table 6.6) to its descriptor. NULL for
 * MIKEY_MAC_NULL, unknown values, or a failed self test. */
const mikey_mac_desc *mikey_crypto_mac_for_mac_alg(int mac_alg);

/* mikey_crypto_mac computes the tag (d->tag_len bytes) into |tag|. */
MIKEY_WARN_UNUSED int mikey_crypto_mac(const mikey_mac_desc *d, const uint8_t *key, size_t key_len,
                                       const mikey_iov *iov, size_t n_iov, uint8_t *tag);

/* mikey_crypto_mac_verify recomputes the tag and compares it with |tag|
 * (|tag_len| bytes, must equal d->tag_len) in constant time. Returns
 * MIKEY_OK, MIKEY_ERR_AUTH (mismatch or wrong length), MIKEY_ERR_ARG or
 * MIKEY_ERR_CRYPTO. */
MIKEY_WARN_UNUSED int mikey_crypto_mac_verify(const mikey_mac_desc *d, const uint8_t *key, size_t key_len,
                                              const mikey_iov *iov, size_t n_iov, const uint8_t *tag,
                                              size_t tag_len);

/* ------------------------------------------------------------------ */
/* RSA: RFC 3830 §4.2.5 (PKE envelope key) and §4.2.6 (SIGN)           */

/* An RSA public or private key (EVP_PKEY behind an opaque handle). */
typedef struct mikey_pkey mikey_pkey;

/* mikey_pkey_from_der reads a DER key: with |is_private| a PKCS#8 or
 * PKCS#1 RSAPrivateKey, otherwise a SubjectPublicKeyInfo or PKCS#1
 * RSAPublicKey. Only RSA keys are accepted (MIKEY_ERR_UNSUPPORTED).
 * Returns MIKEY_OK, MIKEY_ERR_ARG, MIKEY_ERR_FORMAT, MIKEY_ERR_UNSUPPORTED,
 * MIKEY_ERR_NOMEM. */
MIKEY_WARN_UNUSED int mikey_pkey_from_der(mikey_pkey **out, const uint8_t *der, size_t len, int is_private);
/* mikey_pkey_from_pem: the same from PEM text ("-----BEGIN ..."). */
MIKEY_WARN_UNUSED int mikey_pkey_from_pem(mikey_pkey **out, const char *pem, size_t len, int is_private);
/* mikey_pkey_free frees |k| (NULL is fine). */
void mikey_pkey_free(mikey_pkey *k);
/* mikey_pkey_size returns the modulus size in bytes (signature and
 * ciphertext length), 0 for NULL. */
size_t mikey_pkey_size(const mikey_pkey *k);
/* mikey_pkey_public_eq returns 1 when |a| and |b| have the same public key
 * (a private key compared with its certificate's public key), else 0. */
int mikey_pkey_public_eq(const mikey_pkey *a, const mikey_pkey *b);
/* mikey_pkey_is_private returns 1 when |k| holds a private key. */
int mikey_pkey_is_private(const mikey_pkey *k);

/* mikey_rsa_pkcs1_encrypt encrypts |in| with RSAES-PKCS1-v1_5 (RFC 8017
 * §7.2.1) to |out| (mikey_pkey_size(pub) bytes). The padding string comes
 * from |rng| (NULL = default), so a deterministic RNG gives a known answer.
 * |in_len| must be at most size - 11. */
MIKEY_WARN_UNUSED int mikey_rsa_pkcs1_encrypt(const mikey_pkey *pub, const mikey_rng *rng, const uint8_t *in,
                                              size_t in_len, uint8_t *out);
/* mikey_rsa_pkcs1_decrypt decrypts |in| (mikey_pkey_size(priv) bytes) into
 * |out| (room for |out_cap| bytes); |*out_len| gets the length. A bad
 * padding gives MIKEY_ERR_AUTH; |out_cap| too small gives MIKEY_ERR_ARG. */
MIKEY_WARN_UNUSED int mikey_rsa_pkcs1_decrypt(const mikey_pkey *priv, const uint8_t *in, size_t in_len,
                                              uint8_t *out, size_t out_cap, size_t *out_len);

typedef enum mikey_rsa_sig {
	MIKEY_RSA_SIG_PKCS1_V15 = 0, /* RSASSA-PKCS1-v1_5 */
	MIKEY_RSA_SIG_PSS = 1        /* RSASSA-PSS, MGF1 with the same hash, salt = hash length */
} mikey_rsa_sig;

/* mikey_rsa_sign signs the concatenation of the pieces with |scheme| and
 * hash |md| (SHA1 or SHA256) into |sig| (mikey_pkey_size(priv) bytes).
 * PSS salts come from OpenSSL's DRBG, not from a mikey_rng. */
MIKEY_WARN_UNUSED int mikey_rsa_sign(const mikey_pkey *priv, mikey_rsa_sig scheme, mikey_md md,
                                     const mikey_iov *iov, size_t n_iov, uint8_t *sig);
/* mikey_rsa_verify checks |sig| over the pieces. PSS accepts any salt
 * length (the signer's choice is not signalled in MIKEY). Returns MIKEY_OK
 * or MIKEY_ERR_AUTH (also for a signature of the wrong length). */
MIKEY_WARN_UNUSED int mikey_rsa_verify(const mikey_pkey *pub, mikey_rsa_sig scheme, mikey_md md,
                                       const mikey_iov *iov, size_t n_iov, const uint8_t *sig, size_t sig_len);

/* ------------------------------------------------------------------ */
/* Diffie-Hellman: RFC 3830 §4.2.7, groups of RFC 2409 §6 / RFC 3526 §2 */

typedef enum mikey_dh_group_id {
	MIKEY_DHG_OAKLEY_1 = 1, /* RFC 2409 §6.1, 768-bit MODP; explicit prime */
	MIKEY_DHG_OAKLEY_2 = 2, /* RFC 2409 §6.2, 1024-bit MODP; explicit prime */
	MIKEY_DHG_OAKLEY_5 = 5  /* RFC 3526 §2, 1536-bit MODP; OpenSSL "modp_1536" */
} mikey_dh_group_id;

/* mikey_dh_group_for_registry maps a DH payload DH-Group value (RFC 3830
 * Table 6.4, types.h enum mikey_dh_group) to a group id, 0 if unknown. */
mikey_dh_group_id mikey_dh_group_for_registry(int dh_group);

/* mikey_dh_group_size returns the length of p in bytes (the length of every
 * public value and of the shared secret), 0 if unknown. */
size_t mikey_dh_group_size(mikey_dh_group_id g);

/* One side's DH key pair (opaque; the private value is wiped on free). */
typedef struct mikey_dh_key mikey_dh_key;

/* Private exponents are this many bytes (RFC 3526 §8). */
#define MIKEY_DH_PRIV_BYTES 32

/* mikey_dh_new draws a private value x from |rng| (NULL = default) in
 * [2, 2^256) and computes g^x mod p. */
MIKEY_WARN_UNUSED int mikey_dh_new(mikey_dh_key **out, mikey_dh_group_id g, const mikey_rng *rng);
/* mikey_dh_free wipes and frees |dh| (NULL is fine). */
void mikey_dh_free(mikey_dh_key *dh);
/* mikey_dh_new_private makes the key pair of the given private value |x|
 * (|len| bytes, big-endian), for known-answer tests. MIKEY_OK, MIKEY_ERR_ARG
 * (not 1 < x < p - 1, or longer than p), MIKEY_ERR_NOMEM, MIKEY_ERR_CRYPTO. */
MIKEY_WARN_UNUSED int mikey_dh_new_private(mikey_dh_key **out, mikey_dh_group_id g, const uint8_t *x, size_t len);
/* mikey_dh_public writes g^x mod p, big-endian, left-padded with zeros to
 * mikey_dh_group_size() bytes (RFC 3830 §6.4: the DH-value length is
 * implied by the group), to |out| of |out_len| bytes (must be that size). */
MIKEY_WARN_UNUSED int mikey_dh_public(const mikey_dh_key *dh, uint8_t *out, size_t out_len);
/* mikey_dh_derive computes (peer)^x mod p into |out| (exactly group-size
 * bytes, left-padded). The peer value must be group-size bytes and lie in
 * [2, p-2] and in the prime-order subgroup; otherwise MIKEY_ERR_AUTH. */
MIKEY_WARN_UNUSED int mikey_dh_derive(const mikey_dh_key *dh, const uint8_t *peer, size_t peer_len, uint8_t *out,
                                      size_t out_len);

/* ------------------------------------------------------------------ */
/* X.509 certificates and trust: RFC 3830 §4.3.1, §6.7                 */

typedef struct mikey_x509 mikey_x509;   /* one certificate */
typedef struct mikey_trust mikey_trust; /* trust anchors (X509_STORE) */

/* mikey_x509_from_der parses one DER certificate (as carried in a CERT
 * payload). Returns MIKEY_OK, MIKEY_ERR_ARG, MIKEY_ERR_FORMAT. */
MIKEY_WARN_UNUSED int mikey_x509_from_der(mikey_x509 **out, const uint8_t *der, size_t len);
/* mikey_x509_from_pem: one PEM certificate (configuration files, tests). */
MIKEY_WARN_UNUSED int mikey_x509_from_pem(mikey_x509 **out, const char *pem, size_t len);
void mikey_x509_free(mikey_x509 *c);
/* mikey_x509_get1_pkey returns a new handle on the certificate's public
 * key (MIKEY_ERR_UNSUPPORTED when it is not RSA). Caller frees it. */
MIKEY_WARN_UNUSED int mikey_x509_get1_pkey(const mikey_x509 *c, mikey_pkey **out);

MIKEY_WARN_UNUSED int mikey_trust_new(mikey_trust **out);
void mikey_trust_free(mikey_trust *t);
/* mikey_trust_add adds |anchor| (copied reference) as a trust anchor. */
MIKEY_WARN_UNUSED int mikey_trust_add(mikey_trust *t, const mikey_x509 *anchor);

/* mikey_x509_verify builds and checks a chain from |leaf| through the
 * |n_chain| untrusted intermediates to an anchor in |t|, at time |now|
 * (seconds since 1970, UTC; the caller's clock, never time()). On success
 * and when |pub| is not NULL, *pub gets the leaf's public key (caller
 * frees). Returns MIKEY_OK, MIKEY_ERR_AUTH (no valid chain: unknown issuer,
 * bad signature, expired, not yet valid, ...), MIKEY_ERR_ARG,
 * MIKEY_ERR_CRYPTO, MIKEY_ERR_UNSUPPORTED (leaf key not RSA). */
MIKEY_WARN_UNUSED int mikey_x509_verify(const mikey_trust *t, const mikey_x509 *leaf,
                                        const mikey_x509 *const *chain, size_t n_chain, int64_t now,
                                        mikey_pkey **pub);

/* mikey_x509_to_der returns the certificate's DER bytes (caller frees with
 * mikey_free), as a CERT payload carries them (RFC 3830 §6.7). */
MIKEY_WARN_UNUSED int mikey_x509_to_der(const mikey_x509 *c, uint8_t **der, size_t *len);
/* mikey_x509_identity gives the identity |c| names, as mikey_x509_check_id
 * would accept it: the first subjectAltName URI, else rfc822Name (then
 * *is_email = 1), else dNSName, else the subject CN. *id is mikey_malloc'd
 * (caller frees). MIKEY_OK, MIKEY_ERR_NOT_FOUND, MIKEY_ERR_ARG,
 * MIKEY_ERR_NOMEM. */
MIKEY_WARN_UNUSED int mikey_x509_identity(const mikey_x509 *c, uint8_t **id, size_t *len, int *is_email);
/* mikey_x509_check_id: MIKEY_OK when |id| equals a subjectAltName URI,
 * rfc822Name or dNSName of |c|, or its subject CN; MIKEY_ERR_IDENTITY
 * otherwise. */
MIKEY_WARN_UNUSED int mikey_x509_check_id(const mikey_x509 *c, const uint8_t *id, size_t len);

/* ------------------------------------------------------------------ */
/* For selftest.c only: the same algorithms without the self-test gate */

const mikey_cipher_desc *mikey_crypto_cipher_impl(mikey_cipher_id id);
int mikey_crypto_hmac_impl(mikey_md md, const uint8_t *key, size_t key_len, const mikey_iov *iov, size_t n_iov,
                           uint8_t *out);
int mikey_crypto_digest_impl(mikey_md md, const mikey_iov *iov, size_t n_iov, uint8_t *out);
/* mikey_crypto_selftest_run performs every known-answer test; MIKEY_OK or
 * MIKEY_ERR_CRYPTO. Called once by mikey_crypto_init. */
int mikey_crypto_selftest_run(void);

#endif
