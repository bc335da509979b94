/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench/modes.c - complete MIKEY exchanges per second for every key-exchange
 * mode libmikey was built with, against the raw OpenSSL operations each
 * exchange has to perform, measured in the same process.
 *
 * One exchange = mikey_initiate (I_MESSAGE) -> mikey_respond (R_MESSAGE) ->
 * mikey_exchange_finish, then mikey_exchange_get_cs for every crypto session
 * on both sides (the SRTP master keys, i.e. the TEK derivation), then frees.
 * Both contexts live in this process; the messages go from one to the other
 * in memory.
 *
 * The baseline for a mode does, directly with OpenSSL EVP calls written in
 * this file, the cryptographic work that mode does per exchange (counted from
 * the files in libmikey/src/modes, listed in the output): MIKEY PRF runs (RFC 3830
 * §4.1.2-4.1.4, each HMAC-SHA-1 call counted), KEMAC/V MACs, AES-CM, RSA,
 * X.509 chain checks and Diffie-Hellman, each on data of the size the real
 * messages have. Contexts that can be prepared once (HMAC, cipher, digest,
 * own private key) are prepared once, as a careful implementation would;
 * what depends on the peer (a certificate received in a message, its key,
 * a DH value) is redone every time, as the protocol requires.
 *
 * The bench never asserts on time. It prints, per mode, exchanges/s,
 * baseline sets/s, their ratio (median over rounds of per-round ratios,
 * wall and thread-CPU time), and whether the target of the issue is met:
 * PSK within 2x of its primitives, every public-key / DH mode within 1.1x.
 * The rounds alternate which side runs first.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "mikey/exchange.h"
#include "mikey/kdf.h"
#include "mikey/mikey.h"

#ifndef BENCH_CERT_DIR
#define BENCH_CERT_DIR "tests/certs"
#endif

#define N_CS 2
#define DEFAULT_ROUNDS 7
#define DEFAULT_SECONDS 0.4 /* per side and round */
#define NOINLINE __attribute__((noinline))

static const char ID_I[] = "sip:alice@example.com";
static const char ID_R[] = "sip:bob@example.com";
static const uint8_t PSK[20] = "0123456789abcdefghij";

static void die(const char *what, const char *detail)
{
	fprintf(stderr, "bench/modes: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
	ERR_print_errors_fp(stderr);
	exit(2);
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (p == NULL)
		die("out of memory", NULL);
	return p;
}

static char *slurp(const char *name, size_t *len)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/%s", BENCH_CERT_DIR, name);
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		die("cannot open", path);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = xmalloc((size_t)n + 1);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n)
		die("cannot read", path);
	buf[n] = 0;
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* ------------------------------------------------------------------ */
/* Clock                                                               */

/* A deterministic clock starting 2025-01-01 that advances 1 ms per call:
 * every I_MESSAGE gets a new timestamp, so the replay cache behaves as on a
 * busy server (full, oldest entries evicted) and runs repeat exactly. */
static uint64_t clock_ntp;
static uint64_t bench_clock(void *user)
{
	(void)user;
	clock_ntp += ((uint64_t)1 << 32) / 1000;
	return clock_ntp;
}
#define NTP_2025 ((uint64_t)(1735689600ull + 2208988800ull) << 32)

static double now_ns(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* ------------------------------------------------------------------ */
/* The library side: two contexts and one complete exchange            */

typedef struct fixture {
	mikey_ctx *ini, *rsp;
	mikey_srtp_policy policy;
	mikey_cs_desc cs[N_CS];
	mikey_offer offer;
} fixture;

static void ctx_setup(mikey_ctx *c, const char *id, const char *peer, const char *cert, const char *key,
                      const char *peer_cert)
{
	size_t cl, kl, pl, al;
	char *cp = slurp(cert, &cl), *kp = slurp(key, &kl), *pp = slurp(peer_cert, &pl), *ap = slurp("ca.pem", &al);
	mikey_ctx_set_clock(c, bench_clock, NULL);
	if (mikey_ctx_set_id(c, MIKEY_ID_URI, id, strlen(id)) != MIKEY_OK ||
	    mikey_ctx_add_psk(c, peer, strlen(peer), PSK, sizeof PSK) != MIKEY_OK ||
	    mikey_ctx_set_credentials(c, cp, cl, kp, kl, NULL) != MIKEY_OK || mikey_ctx_add_trust(c, ap, al, NULL) != MIKEY_OK ||
	    mikey_ctx_add_peer_cert(c, peer, strlen(peer), pp, pl, NULL) != MIKEY_OK)
		die("context setup failed", id);
	free(cp);
	free(kp);
	free(pp);
	free(ap);
}

static void fixture_init(fixture *f, mikey_mode mode)
{
	memset(f, 0, sizeof *f);
	f->ini = mikey_ctx_new();
	f->rsp = mikey_ctx_new();
	if (f->ini == NULL || f->rsp == NULL)
		die("mikey_ctx_new failed", NULL);
	ctx_setup(f->ini, ID_I, ID_R, "alice.pem", "alice.key", "bob.pem");
	ctx_setup(f->rsp, ID_R, ID_I, "bob.pem", "bob.key", "alice.pem");
	mikey_srtp_policy_default(&f->policy);
	for (int i = 0; i < N_CS; i++)
		f->cs[i] = (mikey_cs_desc){0x11111111u * (uint32_t)(i + 1), (uint32_t)i, 0};
	mikey_offer *o = &f->offer;
	mikey_offer_init(o, mode);
	o->cs = f->cs;
	o->n_cs = N_CS;
	o->policies = &f->policy;
	o->n_policies = 1;
	o->peer_id = ID_R;
	o->peer_id_len = strlen(ID_R);
	/* The V flag asks PSK and PK responders for the verification message;
	 * the DH modes and RSA-R always answer. */
	o->want_verify = mode == MIKEY_MODE_PSK || mode == MIKEY_MODE_PK;
	if (mode == MIKEY_MODE_RSAR) {
		/* RFC 4738 unicast: the responder draws a fresh TGK per exchange. */
		mikey_offer keys;
		mikey_offer_init(&keys, MIKEY_MODE_RSAR);
		keys.policies = &f->policy;
		keys.n_policies = 1;
		keys.csb_id = 0;
		if (mikey_ctx_set_rsar_keys(f->rsp, &keys) != MIKEY_OK)
			die("mikey_ctx_set_rsar_keys failed", NULL);
	}
}

static void fixture_cleanup(fixture *f)
{
	mikey_ctx_free(f->ini);
	mikey_ctx_free(f->rsp);
}

/* What one probe exchange showed about the messages (sizes for the baseline). */
typedef struct probe {
	uint8_t *imsg, *rmsg;
	size_t ilen, rlen;
	size_t encr_len;  /* KEMAC ciphertext bytes (the key data encrypted) */
	size_t kemac_len; /* KEMAC payload bytes (the PK-style MAC input) */
	size_t n_cert_i, n_cert_r;
	size_t pke_len;
} probe;

/* One complete exchange. Returns MIKEY_OK, or the failing call's code with
 * |err| filled. When |pr| is not NULL, the messages are kept there. */
static int exchange_once(fixture *f, probe *pr, mikey_error *err)
{
	mikey_exchange *ei = NULL, *er = NULL;
	uint8_t *imsg = NULL, *rmsg = NULL;
	size_t ilen = 0, rlen = 0;
	int rc;

	if ((rc = mikey_initiate(f->ini, &f->offer, &ei, &imsg, &ilen, err)) != MIKEY_OK)
		goto out;
	if ((rc = mikey_respond(f->rsp, imsg, ilen, &er, &rmsg, &rlen, err)) != MIKEY_OK)
		goto out;
	if (rmsg != NULL && (rc = mikey_exchange_finish(ei, rmsg, rlen, err)) != MIKEY_OK)
		goto out;
	rc = MIKEY_ERR_STATE;
	if (!mikey_exchange_is_complete(ei) || !mikey_exchange_is_complete(er)) {
		snprintf(err->message, sizeof err->message, "exchange not complete on both sides");
		goto out;
	}
	size_t n = mikey_exchange_cs_count(ei);
	if (n != N_CS || mikey_exchange_cs_count(er) != N_CS) {
		snprintf(err->message, sizeof err->message, "%zu crypto sessions, expected %d", n, N_CS);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		mikey_crypto_session a, b;
		if ((rc = mikey_exchange_get_cs(ei, i, &a, err)) != MIKEY_OK)
			goto out;
		if ((rc = mikey_exchange_get_cs(er, i, &b, err)) != MIKEY_OK) {
			mikey_crypto_session_cleanup(&a);
			goto out;
		}
		bool same = a.master_key_len == b.master_key_len && a.master_salt_len == b.master_salt_len &&
		            memcmp(a.master_key, b.master_key, a.master_key_len) == 0 &&
		            memcmp(a.master_salt, b.master_salt, a.master_salt_len) == 0;
		mikey_crypto_session_cleanup(&a);
		mikey_crypto_session_cleanup(&b);
		if (!same) {
			rc = MIKEY_ERR_STATE;
			snprintf(err->message, sizeof err->message, "the two sides derived different SRTP keys");
			goto out;
		}
	}
	rc = MIKEY_OK;
	if (pr != NULL) {
		pr->imsg = imsg, pr->ilen = ilen, pr->rmsg = rmsg, pr->rlen = rlen;
		imsg = rmsg = NULL;
	}
out:
	mikey_buf_free(imsg, ilen);
	mikey_buf_free(rmsg, rlen);
	mikey_exchange_free(ei);
	mikey_exchange_free(er);
	return rc;
}

static NOINLINE void loop_exchange(fixture *f, size_t n)
{
	mikey_error err;
	for (size_t i = 0; i < n; i++) {
		int rc = exchange_once(f, NULL, &err);
		if (rc != MIKEY_OK)
			die("exchange failed", err.message);
	}
}

static void probe_messages(probe *pr)
{
	const uint8_t *bufs[2] = {pr->imsg, pr->rmsg};
	size_t lens[2] = {pr->ilen, pr->rlen};
	for (int w = 0; w < 2; w++) {
		if (bufs[w] == NULL)
			continue;
		mikey_msg *m;
		if (mikey_msg_parse(bufs[w], lens[w], NULL, &m, NULL) != MIKEY_OK)
			die("cannot parse the probe message", w ? "R_MESSAGE" : "I_MESSAGE");
		for (mikey_payload *p = m->payloads.first; p != NULL; p = p->next) {
			if (p->type == MIKEY_PT_KEMAC) {
				pr->encr_len = p->u.kemac.encr_data.len;
				pr->kemac_len = p->length;
			} else if (p->type == MIKEY_PT_CERT) {
				*(w ? &pr->n_cert_r : &pr->n_cert_i) += 1;
			} else if (p->type == MIKEY_PT_PKE) {
				pr->pke_len = p->u.pke.data.len;
			}
		}
		mikey_msg_free(m);
	}
}

/* ------------------------------------------------------------------ */
/* The baseline: raw OpenSSL                                           */

enum {
	OPC_HMAC,    /* HMAC-SHA-1 (PRF blocks, KEMAC MAC, V) */
	OPC_AES,     /* AES-128-CTR en/decryption of the key data */
	OPC_SHA256,  /* SHA-256 of an I_MESSAGE (replay cache) */
	OPC_SHA1,    /* SHA-1 of a certificate (CHASH) */
	OPC_SIGN,    /* RSA-2048 PKCS#1 v1.5 SHA-256 signature */
	OPC_VERIFY,  /* its verification */
	OPC_ENC,     /* RSA-2048 PKCS#1 v1.5 encryption (PKE) */
	OPC_DEC,     /* its decryption */
	OPC_CHAIN,   /* X.509 chain check (leaf -> CA, one RSA verify) */
	OPC_DHGEN,   /* DH key generation, OAKLEY 5 */
	OPC_DHDER,   /* DH derivation with peer-value check, OAKLEY 5 */
	OPC_RAND,    /* RAND_bytes: CSB ID, RAND, keys the mode draws itself */
	N_OPC
};

static const char *const opc_name[N_OPC] = {
	"HMAC-SHA-1",
	"AES-128-CTR (key data)",
	"SHA-256 (replay digest of the I_MESSAGE)",
	"SHA-1 (CHASH of a certificate)",
	"RSA-2048 sign, PKCS#1 v1.5 / SHA-256",
	"RSA-2048 verify, PKCS#1 v1.5 / SHA-256",
	"RSA-2048 encrypt, PKCS#1 v1.5 (PKE)",
	"RSA-2048 decrypt, PKCS#1 v1.5 (PKE)",
	"X.509 chain verification (leaf -> CA)",
	"DH key generation, OAKLEY 5 (1536-bit MODP)",
	"DH derivation + peer check, OAKLEY 5",
	"RAND_bytes (CSB ID, RAND, TGK, envelope key, decoy key)",
};

typedef struct bctx {
	unsigned count[N_OPC];
	EVP_MAC_CTX *hmac;   /* HMAC with SHA1 set once, re-keyed per call */
	EVP_CIPHER *aes_ctr; /* fetched once */
	EVP_CIPHER_CTX *cctx;
	EVP_MD *sha1, *sha256;
	EVP_MD_CTX *mctx;
	EVP_PKEY *key_i, *key_r;          /* private keys */
	EVP_PKEY_CTX *sign_i, *sign_r;    /* sign contexts, prepared once */
	EVP_PKEY_CTX *dec_i, *dec_r;      /* decrypt contexts, prepared once */
	uint8_t *der_i, *der_r;           /* certificates as CERT payloads carry them */
	size_t der_i_len, der_r_len;
	X509 *x509_r;                     /* PK mode: PKr known in advance */
	X509_STORE *store;
	int64_t now;
	EVP_PKEY *dh_params;              /* "modp_1536" */
	int dh_priv_bits;                 /* 0: OpenSSL's default */
	volatile uint8_t sink;
} bctx;

static EVP_PKEY *load_key(const char *name)
{
	size_t len;
	char *pem = slurp(name, &len);
	BIO *b = BIO_new_mem_buf(pem, (int)len);
	EVP_PKEY *k = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
	BIO_free(b);
	free(pem);
	if (k == NULL)
		die("cannot read key", name);
	return k;
}

static X509 *load_cert(const char *name)
{
	size_t len;
	char *pem = slurp(name, &len);
	BIO *b = BIO_new_mem_buf(pem, (int)len);
	X509 *x = PEM_read_bio_X509(b, NULL, NULL, NULL);
	BIO_free(b);
	free(pem);
	if (x == NULL)
		die("cannot read certificate", name);
	return x;
}

static EVP_PKEY_CTX *prepared(EVP_PKEY *k, bool sign)
{
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_pkey(NULL, k, NULL);
	if (c == NULL || (sign ? EVP_PKEY_sign_init(c) : EVP_PKEY_decrypt_init(c)) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING) <= 0 ||
	    (sign && EVP_PKEY_CTX_set_signature_md(c, EVP_sha256()) <= 0))
		die("cannot prepare an RSA context", NULL);
	return c;
}

static void bctx_init(bctx *b)
{
	memset(b, 0, sizeof *b);
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	b->hmac = mac ? EVP_MAC_CTX_new(mac) : NULL;
	EVP_MAC_free(mac);
	OSSL_PARAM mp[2] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA1", 0),
	                    OSSL_PARAM_construct_end()};
	if (b->hmac == NULL || !EVP_MAC_CTX_set_params(b->hmac, mp))
		die("HMAC setup failed", NULL);
	b->aes_ctr = EVP_CIPHER_fetch(NULL, "AES-128-CTR", NULL);
	b->cctx = EVP_CIPHER_CTX_new();
	b->sha1 = EVP_MD_fetch(NULL, "SHA1", NULL);
	b->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	b->mctx = EVP_MD_CTX_new();
	if (b->aes_ctr == NULL || b->cctx == NULL || b->sha1 == NULL || b->sha256 == NULL || b->mctx == NULL)
		die("EVP setup failed", NULL);
	b->key_i = load_key("alice.key");
	b->key_r = load_key("bob.key");
	b->sign_i = prepared(b->key_i, true);
	b->sign_r = prepared(b->key_r, true);
	b->dec_i = prepared(b->key_i, false);
	b->dec_r = prepared(b->key_r, false);
	X509 *xi = load_cert("alice.pem");
	b->x509_r = load_cert("bob.pem");
	b->der_i_len = (size_t)i2d_X509(xi, &b->der_i);
	b->der_r_len = (size_t)i2d_X509(b->x509_r, &b->der_r);
	X509_free(xi);
	X509 *ca = load_cert("ca.pem");
	b->store = X509_STORE_new();
	if (b->store == NULL || X509_STORE_add_cert(b->store, ca) != 1)
		die("X509_STORE setup failed", NULL);
	X509_free(ca);
	b->now = 1735689600; /* 2025-01-01, as the exchanges' clock */
	OSSL_PARAM dp[2] = {OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, "modp_1536", 0),
	                    OSSL_PARAM_construct_end()};
	EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL);
	if (pc == NULL || EVP_PKEY_fromdata_init(pc) <= 0 ||
	    EVP_PKEY_fromdata(pc, &b->dh_params, EVP_PKEY_KEY_PARAMETERS, dp) <= 0)
		die("DH group setup failed", NULL);
	EVP_PKEY_CTX_free(pc);
}

static void bctx_cleanup(bctx *b)
{
	EVP_MAC_CTX_free(b->hmac);
	EVP_CIPHER_free(b->aes_ctr);
	EVP_CIPHER_CTX_free(b->cctx);
	EVP_MD_free(b->sha1);
	EVP_MD_free(b->sha256);
	EVP_MD_CTX_free(b->mctx);
	EVP_PKEY_CTX_free(b->sign_i);
	EVP_PKEY_CTX_free(b->sign_r);
	EVP_PKEY_CTX_free(b->dec_i);
	EVP_PKEY_CTX_free(b->dec_r);
	EVP_PKEY_free(b->key_i);
	EVP_PKEY_free(b->key_r);
	OPENSSL_free(b->der_i);
	OPENSSL_free(b->der_r);
	X509_free(b->x509_r);
	X509_STORE_free(b->store);
	EVP_PKEY_free(b->dh_params);
}

typedef struct piece {
	const uint8_t *p;
	size_t n;
} piece;

/* HMAC-SHA-1 of up to 4 pieces into out[20]. */
static void b_hmac(bctx *b, const uint8_t *key, size_t klen, const piece *pc, int npc, uint8_t *out)
{
	size_t olen;
	b->count[OPC_HMAC]++;
	if (!EVP_MAC_init(b->hmac, key, klen, NULL))
		die("EVP_MAC_init failed", NULL);
	for (int i = 0; i < npc; i++)
		if (pc[i].n > 0 && !EVP_MAC_update(b->hmac, pc[i].p, pc[i].n))
			die("EVP_MAC_update failed", NULL);
	if (!EVP_MAC_final(b->hmac, out, &olen, 20))
		die("EVP_MAC_final failed", NULL);
}

static void b_mac_verify(bctx *b, const uint8_t *key, size_t klen, const piece *pc, int npc, const uint8_t *tag)
{
	uint8_t t[20];
	b_hmac(b, key, klen, pc, npc, t);
	b->sink ^= (uint8_t)CRYPTO_memcmp(t, tag, 20);
}

/* The MIKEY PRF with HMAC-SHA-1 (RFC 3830 §4.1.2): inkey in 256-bit pieces,
 * P(s, label, m) per piece, XORed. */
static void b_prf(bctx *b, const uint8_t *inkey, size_t inlen, const uint8_t *label, size_t llen, uint8_t *out,
                  size_t olen)
{
	memset(out, 0, olen);
	for (size_t off = 0; off < inlen; off += 32) {
		size_t sl = inlen - off < 32 ? inlen - off : 32;
		uint8_t a[20], blk[20];
		piece pl = {label, llen};
		b_hmac(b, inkey + off, sl, &pl, 1, a);
		for (size_t o = 0; o < olen; o += 20) {
			piece pc[2] = {{a, 20}, {label, llen}};
			b_hmac(b, inkey + off, sl, pc, 2, blk);
			for (size_t i = 0; i < 20 && o + i < olen; i++)
				out[o + i] ^= blk[i];
			if (o + 20 < olen)
				b_hmac(b, inkey + off, sl, &(piece){a, 20}, 1, a);
		}
		OPENSSL_cleanse(a, sizeof a);
		OPENSSL_cleanse(blk, sizeof blk);
	}
}

static size_t label(uint8_t *l, uint32_t constant, uint8_t id, uint32_t csb, const uint8_t *rand, size_t rlen)
{
	l[0] = (uint8_t)(constant >> 24), l[1] = (uint8_t)(constant >> 16), l[2] = (uint8_t)(constant >> 8);
	l[3] = (uint8_t)constant, l[4] = id;
	l[5] = (uint8_t)(csb >> 24), l[6] = (uint8_t)(csb >> 16), l[7] = (uint8_t)(csb >> 8), l[8] = (uint8_t)csb;
	memcpy(l + 9, rand, rlen);
	return 9 + rlen;
}

typedef struct mkeys {
	uint8_t encr[16], salt[14], auth[20];
} mkeys;

/* RFC 3830 §4.1.4: encr_key, salt_key, auth_key (any of them may be skipped). */
static void b_msg_keys(bctx *b, const uint8_t *key, size_t klen, uint32_t csb, const uint8_t *rand, bool encr,
                       bool auth, mkeys *k)
{
	uint8_t l[9 + 16];
	if (encr) {
		b_prf(b, key, klen, l, label(l, MIKEY_KDF_ENV_ENCR, 0xFF, csb, rand, 16), k->encr, 16);
		b_prf(b, key, klen, l, label(l, MIKEY_KDF_ENV_SALT, 0xFF, csb, rand, 16), k->salt, 14);
	}
	if (auth)
		b_prf(b, key, klen, l, label(l, MIKEY_KDF_ENV_AUTH, 0xFF, csb, rand, 16), k->auth, 20);
}

/* RFC 3830 §4.1.3: TEK and master salt of every crypto session. */
static void b_teks(bctx *b, const uint8_t *tgk, size_t tlen, uint32_t csb, const uint8_t *rand)
{
	uint8_t l[9 + 16], tek[16], salt[14];
	for (uint8_t cs = 1; cs <= N_CS; cs++) {
		b_prf(b, tgk, tlen, l, label(l, MIKEY_KDF_TGK_TEK, cs, csb, rand, 16), tek, 16);
		b_prf(b, tgk, tlen, l, label(l, MIKEY_KDF_TGK_SALT, cs, csb, rand, 16), salt, 14);
		b->sink ^= tek[0] ^ salt[0];
	}
	OPENSSL_cleanse(tek, sizeof tek);
	OPENSSL_cleanse(salt, sizeof salt);
}

static void b_aes(bctx *b, const mkeys *k, const uint8_t *in, size_t len, uint8_t *out)
{
	uint8_t iv[16] = {0};
	int n;
	memcpy(iv, k->salt, 14); /* the XOR with CSB ID || T costs nothing */
	b->count[OPC_AES]++;
	if (!EVP_EncryptInit_ex2(b->cctx, b->aes_ctr, k->encr, iv, NULL) ||
	    !EVP_EncryptUpdate(b->cctx, out, &n, in, (int)len))
		die("AES-CTR failed", NULL);
}

/* A random draw the mode makes through the context's RNG (OpenSSL's by
 * default); draws inside RSA padding and DH key generation are part of
 * those operations. */
static void b_rand(bctx *b, uint8_t *out, size_t len)
{
	b->count[OPC_RAND]++;
	if (RAND_bytes(out, (int)len) != 1)
		die("RAND_bytes failed", NULL);
}

static void b_digest(bctx *b, int opc, const EVP_MD *md, const uint8_t *in, size_t len, uint8_t *out)
{
	unsigned n;
	b->count[opc]++;
	if (!EVP_DigestInit_ex2(b->mctx, md, NULL) || !EVP_DigestUpdate(b->mctx, in, len) ||
	    !EVP_DigestFinal_ex(b->mctx, out, &n))
		die("digest failed", NULL);
}

static void b_sign(bctx *b, EVP_PKEY_CTX *c, const uint8_t *msg, size_t len, uint8_t *sig)
{
	uint8_t h[32];
	unsigned hn;
	size_t n = 256;
	b->count[OPC_SIGN]++;
	if (!EVP_DigestInit_ex2(b->mctx, b->sha256, NULL) || !EVP_DigestUpdate(b->mctx, msg, len) ||
	    !EVP_DigestFinal_ex(b->mctx, h, &hn) || EVP_PKEY_sign(c, sig, &n, h, hn) <= 0)
		die("RSA sign failed", NULL);
}

static void b_verify(bctx *b, EVP_PKEY *pub, const uint8_t *msg, size_t len, const uint8_t *sig)
{
	uint8_t h[32];
	unsigned hn;
	b->count[OPC_VERIFY]++;
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_pkey(NULL, pub, NULL);
	if (c == NULL || !EVP_DigestInit_ex2(b->mctx, b->sha256, NULL) || !EVP_DigestUpdate(b->mctx, msg, len) ||
	    !EVP_DigestFinal_ex(b->mctx, h, &hn) || EVP_PKEY_verify_init(c) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING) <= 0 ||
	    EVP_PKEY_CTX_set_signature_md(c, EVP_sha256()) <= 0 || EVP_PKEY_verify(c, sig, 256, h, hn) != 1)
		die("RSA verify failed", NULL);
	EVP_PKEY_CTX_free(c);
}

static void b_encrypt(bctx *b, EVP_PKEY *pub, const uint8_t *in, size_t len, uint8_t *out)
{
	size_t n = 256;
	b->count[OPC_ENC]++;
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_pkey(NULL, pub, NULL);
	if (c == NULL || EVP_PKEY_encrypt_init(c) <= 0 || EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING) <= 0 ||
	    EVP_PKEY_encrypt(c, out, &n, in, len) <= 0)
		die("RSA encrypt failed", NULL);
	EVP_PKEY_CTX_free(c);
}

static void b_decrypt(bctx *b, EVP_PKEY_CTX *c, const uint8_t *in, uint8_t *out, size_t *len)
{
	size_t n = 256;
	b->count[OPC_DEC]++;
	if (EVP_PKEY_decrypt(c, out, &n, in, 256) <= 0)
		die("RSA decrypt failed", NULL);
	*len = n;
}

/* The certificate chain check: |x| or else |der| parsed as a CERT payload
 * would be; returns the leaf's public key (caller frees). */
static EVP_PKEY *b_chain(bctx *b, X509 *x, const uint8_t *der, size_t len)
{
	b->count[OPC_CHAIN]++;
	X509 *leaf = x;
	if (leaf == NULL) {
		const unsigned char *p = der;
		leaf = d2i_X509(NULL, &p, (long)len);
	}
	X509_STORE_CTX *c = X509_STORE_CTX_new();
	if (leaf == NULL || c == NULL || !X509_STORE_CTX_init(c, b->store, leaf, NULL))
		die("chain setup failed", NULL);
	X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(c), (time_t)b->now);
	if (X509_verify_cert(c) != 1)
		die("chain does not verify", X509_verify_cert_error_string(X509_STORE_CTX_get_error(c)));
	EVP_PKEY *pub = X509_get_pubkey(leaf);
	X509_STORE_CTX_free(c);
	if (x == NULL)
		X509_free(leaf);
	if (pub == NULL)
		die("no public key", NULL);
	return pub;
}

/* DH: a key pair in OAKLEY 5 (OpenSSL's private-value length unless
 * dh_priv_bits says otherwise) and its 192-byte public value. */
static EVP_PKEY *b_dh_keygen(bctx *b, uint8_t pub[192])
{
	EVP_PKEY *k = NULL;
	b->count[OPC_DHGEN]++;
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_pkey(NULL, b->dh_params, NULL);
	if (c == NULL || EVP_PKEY_keygen_init(c) <= 0)
		die("DH keygen init failed", NULL);
	if (b->dh_priv_bits > 0) {
		OSSL_PARAM p[2] = {OSSL_PARAM_construct_int(OSSL_PKEY_PARAM_DH_PRIV_LEN, &b->dh_priv_bits),
		                   OSSL_PARAM_construct_end()};
		if (!EVP_PKEY_CTX_set_params(c, p))
			die("DH priv_len failed", NULL);
	}
	if (EVP_PKEY_keygen(c, &k) <= 0)
		die("DH keygen failed", NULL);
	EVP_PKEY_CTX_free(c);
	unsigned char *enc = NULL;
	size_t n = EVP_PKEY_get1_encoded_public_key(k, &enc);
	if (n != 192)
		die("DH public value is not 192 bytes", NULL);
	memcpy(pub, enc, 192);
	OPENSSL_free(enc);
	return k;
}

/* DH: import the peer's value (as read from a DH payload), check it (done
 * by EVP_PKEY_derive_set_peer) and derive the 192-byte secret. */
static void b_dh_derive(bctx *b, EVP_PKEY *own, const uint8_t peer_pub[192], uint8_t secret[192])
{
	size_t n = 192;
	b->count[OPC_DHDER]++;
	EVP_PKEY *peer = EVP_PKEY_new();
	if (peer == NULL || EVP_PKEY_copy_parameters(peer, b->dh_params) != 1 ||
	    EVP_PKEY_set1_encoded_public_key(peer, peer_pub, 192) != 1)
		die("DH peer import failed", NULL);
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_pkey(NULL, own, NULL);
	if (c == NULL || EVP_PKEY_derive_init(c) <= 0 || EVP_PKEY_CTX_set_dh_pad(c, 1) <= 0 ||
	    EVP_PKEY_derive_set_peer(c, peer) <= 0 || EVP_PKEY_derive(c, secret, &n) <= 0 || n != 192)
		die("DH derive failed", NULL);
	EVP_PKEY_CTX_free(c);
	EVP_PKEY_free(peer);
}

/* Per-mode baselines. Each does, in the order the exchange does it, the
 * cryptographic operations of one complete exchange (comments name the
 * libmikey function that does the same). |pr| gives message sizes. */

typedef struct bdata {
	const probe *pr;
	uint32_t csb;
	uint8_t rand[16];
	uint8_t tgk[16];
	uint8_t plain[256], ct[256];
	uint8_t ids_ts[64];
} bdata;

static void base_psk(bctx *b, const bdata *d)
{
	const probe *pr = d->pr;
	mkeys ki, kr;
	uint8_t tag[20], ct[256], pt[256], h[32];
	uint8_t rnd[32];
	size_t il = pr->ilen, rl = pr->rlen, el = pr->encr_len;
	/* Initiator (psk_initiate): CSB ID, RAND and TGK drawn, §4.1.4 keys,
	 * KEMAC encryption, MAC. */
	b_rand(b, rnd, 4);
	b_rand(b, rnd, 16);
	b_rand(b, rnd, 16);
	b_msg_keys(b, PSK, sizeof PSK, d->csb, d->rand, true, true, &ki);
	b_aes(b, &ki, d->plain, el, ct);
	b_hmac(b, ki.auth, 20, &(piece){pr->imsg, il - 20}, 1, tag);
	/* Responder (psk_respond): replay digest, keys, MAC check, decryption, V. */
	b_digest(b, OPC_SHA256, b->sha256, pr->imsg, il, h);
	b_msg_keys(b, PSK, sizeof PSK, d->csb, d->rand, true, true, &kr);
	b_mac_verify(b, kr.auth, 20, &(piece){pr->imsg, il - 20}, 1, pr->imsg + il - 20);
	b_aes(b, &kr, ct, el, pt);
	piece v[4] = {{pr->rmsg, rl - 20}, {(const uint8_t *)ID_I, 21}, {(const uint8_t *)ID_R, 19}, {d->ids_ts, 8}};
	b_hmac(b, kr.auth, 20, v, 4, tag);
	/* Initiator (psk_finish -> vmsg_check): V. */
	b_mac_verify(b, ki.auth, 20, v, 4, pr->rmsg + rl - 20);
	/* Keys out on both sides (mikey_exchange_get_cs). */
	b_teks(b, d->tgk, 16, d->csb, d->rand);
	b_teks(b, d->tgk, 16, d->csb, d->rand);
	b->sink ^= tag[0] ^ pt[0] ^ h[0];
}

static void base_pk(bctx *b, const bdata *d)
{
	const probe *pr = d->pr;
	mkeys ki, kr;
	uint8_t env[32], env2[256], pke[256], sig[256], tag[20], ct[256], pt[256], h[32];
	size_t il = pr->ilen, rl = pr->rlen, el = pr->encr_len, kl = pr->kemac_len, envl;
	memcpy(env, d->plain, 32);
	/* Initiator (pk_initiate): PKr checked, envelope key -> keys, KEMAC,
	 * CHASH, PKE, KEMAC MAC, SIGNi. */
	EVP_PKEY *pkr = b_chain(b, b->x509_r, NULL, 0);
	b_rand(b, h, 4);   /* CSB ID */
	b_rand(b, h, 16);  /* RAND */
	b_rand(b, h, 16);  /* TGK */
	b_rand(b, env, 32); /* envelope key */
	b_msg_keys(b, env, 32, d->csb, d->rand, true, true, &ki);
	b_aes(b, &ki, d->plain, el, ct);
	b_digest(b, OPC_SHA1, b->sha1, b->der_r, b->der_r_len, h);
	b_encrypt(b, pkr, env, 32, pke);
	b_hmac(b, ki.auth, 20, &(piece){pr->imsg, kl - 20}, 1, tag);
	b_sign(b, b->sign_i, pr->imsg, il - 256, sig);
	/* Responder (pk_respond): replay digest, CERTi chain, SIGNi, CHASH,
	 * PKE, keys, MAC, decryption, V. */
	b_digest(b, OPC_SHA256, b->sha256, pr->imsg, il, h);
	EVP_PKEY *pki = b_chain(b, NULL, b->der_i, b->der_i_len);
	b_verify(b, pki, pr->imsg, il - 256, sig);
	b_digest(b, OPC_SHA1, b->sha1, b->der_r, b->der_r_len, h);
	b_rand(b, h, 32); /* env_open: decoy key against padding oracles */
	b_decrypt(b, b->dec_r, pke, env2, &envl);
	b_msg_keys(b, env2, envl, d->csb, d->rand, true, true, &kr);
	b_mac_verify(b, kr.auth, 20, &(piece){pr->imsg, kl - 20}, 1, tag);
	b_aes(b, &kr, ct, el, pt);
	piece v[4] = {{pr->rmsg, rl - 20}, {(const uint8_t *)ID_I, 21}, {(const uint8_t *)ID_R, 19}, {d->ids_ts, 8}};
	b_hmac(b, kr.auth, 20, v, 4, tag);
	/* Initiator (pk_finish): V. */
	b_mac_verify(b, ki.auth, 20, v, 4, pr->rmsg + rl - 20);
	b_teks(b, d->tgk, 16, d->csb, d->rand);
	b_teks(b, d->tgk, 16, d->csb, d->rand);
	EVP_PKEY_free(pkr);
	EVP_PKEY_free(pki);
	b->sink ^= tag[0] ^ pt[0] ^ h[0];
}

static void base_rsar(bctx *b, const bdata *d)
{
	const probe *pr = d->pr;
	mkeys ki, kr;
	uint8_t env[32], env2[256], pke[256], sig_i[256], sig_r[256], tag[20], ct[256], pt[256], h[32];
	size_t il = pr->ilen, rl = pr->rlen, el = pr->encr_len, kl = pr->kemac_len, envl;
	memcpy(env, d->plain, 32);
	/* Initiator: CSB ID, RAND, SIGNi (RFC 4738 §3.1). */
	b_rand(b, h, 4);
	b_rand(b, h, 16);
	b_sign(b, b->sign_i, pr->imsg, il - 256, sig_i);
	/* Responder: replay digest, CERTi chain, SIGNi, then the envelope to
	 * the initiator's key (keys, KEMAC, CHASH, PKE, MAC) and SIGNr. */
	b_digest(b, OPC_SHA256, b->sha256, pr->imsg, il, h);
	EVP_PKEY *pki = b_chain(b, NULL, b->der_i, b->der_i_len);
	b_verify(b, pki, pr->imsg, il - 256, sig_i);
	b_rand(b, h, 16);   /* TGK */
	b_rand(b, env, 32); /* envelope key */
	b_msg_keys(b, env, 32, d->csb, d->rand, true, true, &kr);
	b_aes(b, &kr, d->plain, el, ct);
	b_encrypt(b, pki, env, 32, pke); /* no CHASH: rsar_respond passes none */
	b_hmac(b, kr.auth, 20, &(piece){pr->rmsg, kl - 20}, 1, tag);
	b_sign(b, b->sign_r, pr->rmsg, rl - 256, sig_r);
	/* Initiator: CERTr chain, SIGNr, CHASH, PKE, keys, MAC, decryption. */
	EVP_PKEY *pkr = b_chain(b, NULL, b->der_r, b->der_r_len);
	b_verify(b, pkr, pr->rmsg, rl - 256, sig_r);
	b_rand(b, h, 32); /* env_open: decoy key */
	b_decrypt(b, b->dec_i, pke, env2, &envl);
	b_msg_keys(b, env2, envl, d->csb, d->rand, true, true, &ki);
	b_mac_verify(b, ki.auth, 20, &(piece){pr->rmsg, kl - 20}, 1, tag);
	b_aes(b, &ki, ct, el, pt);
	b_teks(b, d->tgk, 16, d->csb, d->rand);
	b_teks(b, d->tgk, 16, d->csb, d->rand);
	EVP_PKEY_free(pki);
	EVP_PKEY_free(pkr);
	b->sink ^= tag[0] ^ pt[0] ^ h[0];
}

static void base_dh(bctx *b, const bdata *d)
{
	const probe *pr = d->pr;
	uint8_t pub_i[192], pub_r[192], s_i[192], s_r[192], sig_i[256], sig_r[256], h[32];
	size_t il = pr->ilen, rl = pr->rlen;
	/* Initiator (dh_initiate): CSB ID, RAND, xi, SIGNi. */
	b_rand(b, h, 4);
	b_rand(b, h, 16);
	EVP_PKEY *xi = b_dh_keygen(b, pub_i);
	b_sign(b, b->sign_i, pr->imsg, il - 256, sig_i);
	/* Responder (dh_respond): replay digest, CERTi chain, SIGNi, xr, TGK, SIGNr. */
	b_digest(b, OPC_SHA256, b->sha256, pr->imsg, il, h);
	EVP_PKEY *pki = b_chain(b, NULL, b->der_i, b->der_i_len);
	b_verify(b, pki, pr->imsg, il - 256, sig_i);
	EVP_PKEY *xr = b_dh_keygen(b, pub_r);
	b_dh_derive(b, xr, pub_i, s_r);
	b_sign(b, b->sign_r, pr->rmsg, rl - 256, sig_r);
	/* Initiator (dh_finish): CERTr chain, SIGNr, TGK. */
	EVP_PKEY *pkr = b_chain(b, NULL, b->der_r, b->der_r_len);
	b_verify(b, pkr, pr->rmsg, rl - 256, sig_r);
	b_dh_derive(b, xi, pub_r, s_i);
	/* Keys out: the TGK is the 192-byte DH secret. */
	b_teks(b, s_i, 192, d->csb, d->rand);
	b_teks(b, s_r, 192, d->csb, d->rand);
	EVP_PKEY_free(xi);
	EVP_PKEY_free(xr);
	EVP_PKEY_free(pki);
	EVP_PKEY_free(pkr);
	b->sink ^= h[0] ^ (uint8_t)(s_i[0] ^ s_r[0]);
}

static void base_dhhmac(bctx *b, const bdata *d)
{
	const probe *pr = d->pr;
	mkeys ki, kr;
	uint8_t pub_i[192], pub_r[192], s_i[192], s_r[192], tag[20], h[32];
	size_t il = pr->ilen, rl = pr->rlen;
	/* Initiator (dhhmac_initiate): CSB ID, RAND, xi, auth_key, KEMAC MAC. */
	b_rand(b, h, 4);
	b_rand(b, h, 16);
	EVP_PKEY *xi = b_dh_keygen(b, pub_i);
	b_msg_keys(b, PSK, sizeof PSK, d->csb, d->rand, false, true, &ki);
	b_hmac(b, ki.auth, 20, &(piece){pr->imsg, il - 20}, 1, tag);
	/* Responder (dhhmac_respond): replay digest, auth_key, MAC, xr, TGK, MAC. */
	b_digest(b, OPC_SHA256, b->sha256, pr->imsg, il, h);
	b_msg_keys(b, PSK, sizeof PSK, d->csb, d->rand, false, true, &kr);
	b_mac_verify(b, kr.auth, 20, &(piece){pr->imsg, il - 20}, 1, tag);
	EVP_PKEY *xr = b_dh_keygen(b, pub_r);
	b_dh_derive(b, xr, pub_i, s_r);
	b_hmac(b, kr.auth, 20, &(piece){pr->rmsg, rl - 20}, 1, tag);
	/* Initiator (dhhmac_finish): MAC, TGK. */
	b_mac_verify(b, ki.auth, 20, &(piece){pr->rmsg, rl - 20}, 1, tag);
	b_dh_derive(b, xi, pub_r, s_i);
	b_teks(b, s_i, 192, d->csb, d->rand);
	b_teks(b, s_r, 192, d->csb, d->rand);
	EVP_PKEY_free(xi);
	EVP_PKEY_free(xr);
	b->sink ^= h[0] ^ (uint8_t)(s_i[0] ^ s_r[0]);
}

/* ------------------------------------------------------------------ */
/* Modes                                                               */

typedef struct mode_desc {
	const char *key, *name;
	mikey_mode mode;
	void (*base)(bctx *, const bdata *);
	double target;
	const char *target_of; /* what the target is relative to */
} mode_desc;

static const mode_desc modes[] = {
	{"psk", "PSK", MIKEY_MODE_PSK, base_psk, 2.0, "its primitives"},
	{"pk", "PK", MIKEY_MODE_PK, base_pk, 1.1, "its public-key operations"},
	{"dh", "DH-signed", MIKEY_MODE_DH_SIGN, base_dh, 1.1, "its public-key operations"},
	{"dhhmac", "DH-HMAC", MIKEY_MODE_DHHMAC, base_dhhmac, 1.1, "its public-key operations"},
	{"rsar", "RSA-R", MIKEY_MODE_RSAR, base_rsar, 1.1, "its public-key operations"},
};
#define N_MODES (sizeof modes / sizeof modes[0])

static NOINLINE void loop_baseline(const mode_desc *md, bctx *b, const bdata *d, size_t n)
{
	for (size_t i = 0; i < n; i++)
		md->base(b, d);
}

static void bdata_init(bdata *d, const probe *pr)
{
	memset(d, 0, sizeof *d);
	d->pr = pr;
	d->csb = 0x12345678u;
	for (size_t i = 0; i < sizeof d->rand; i++)
		d->rand[i] = (uint8_t)(i * 37 + 1);
	for (size_t i = 0; i < sizeof d->tgk; i++)
		d->tgk[i] = (uint8_t)(i * 11 + 5);
	for (size_t i = 0; i < sizeof d->plain; i++)
		d->plain[i] = (uint8_t)(i * 7 + 3);
	for (size_t i = 0; i < 8; i++)
		d->ids_ts[i] = (uint8_t)i;
}

/* ------------------------------------------------------------------ */
/* Measurement                                                         */

typedef struct sample {
	double wall, cpu; /* ns per item */
} sample;

static sample time_exchanges(fixture *f, size_t n)
{
	double w0 = now_ns(CLOCK_MONOTONIC), c0 = now_ns(CLOCK_THREAD_CPUTIME_ID);
	loop_exchange(f, n);
	double w1 = now_ns(CLOCK_MONOTONIC), c1 = now_ns(CLOCK_THREAD_CPUTIME_ID);
	return (sample){(w1 - w0) / (double)n, (c1 - c0) / (double)n};
}

static sample time_baseline(const mode_desc *md, bctx *b, const bdata *d, size_t n)
{
	double w0 = now_ns(CLOCK_MONOTONIC), c0 = now_ns(CLOCK_THREAD_CPUTIME_ID);
	loop_baseline(md, b, d, n);
	double w1 = now_ns(CLOCK_MONOTONIC), c1 = now_ns(CLOCK_THREAD_CPUTIME_ID);
	return (sample){(w1 - w0) / (double)n, (c1 - c0) / (double)n};
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

typedef struct result {
	bool present;
	int why_rc;
	char why[256];
	double ex_ns, base_ns, ratio, ratio_cpu, ratio_min, ratio_max;
	double cpu_share; /* thread CPU time / wall time while timed */
	size_t n_ex, n_base;
	unsigned count[N_OPC];
	probe pr;
} result;

typedef struct options {
	int rounds;
	double seconds;
	size_t iterations; /* 0: calibrate */
	const char *only;
	const char *part; /* NULL, "exchange" or "baseline" */
	bool dh_full;
} options;

static size_t calibrate(double ns_per_item, double seconds)
{
	double n = seconds * 1e9 / (ns_per_item > 1 ? ns_per_item : 1);
	return n < 3 ? 3 : (size_t)n;
}

static void run_mode(const mode_desc *md, const options *opt, bctx *b, result *r)
{
	fixture f;
	mikey_error err;
	memset(r, 0, sizeof *r);
	clock_ntp = NTP_2025;
	fixture_init(&f, md->mode);
	/* Probe: one exchange must work; its messages give the baseline's sizes. */
	int rc = exchange_once(&f, &r->pr, &err);
	if (rc != MIKEY_OK) {
		r->why_rc = rc;
		snprintf(r->why, sizeof r->why, "%s: %s", mikey_error_name(rc), err.message);
		fixture_cleanup(&f);
		return;
	}
	r->present = true;
	probe_messages(&r->pr);
	bdata d;
	bdata_init(&d, &r->pr);
	memset(b->count, 0, sizeof b->count);
	md->base(b, &d);
	memcpy(r->count, b->count, sizeof r->count);

	bool do_ex = opt->part == NULL || strcmp(opt->part, "exchange") == 0;
	bool do_base = opt->part == NULL || strcmp(opt->part, "baseline") == 0;
	size_t n_ex = opt->iterations, n_base = opt->iterations;
	/* Three exchanges, timed outside loop_exchange (which callgrind counts). */
	double c0 = now_ns(CLOCK_THREAD_CPUTIME_ID), w0 = now_ns(CLOCK_MONOTONIC);
	for (int i = 0; i < 3; i++)
		if (exchange_once(&f, NULL, &err) != MIKEY_OK)
			die("exchange failed", err.message);
	sample se0 = {(now_ns(CLOCK_MONOTONIC) - w0) / 3, (now_ns(CLOCK_THREAD_CPUTIME_ID) - c0) / 3};
	if (n_ex == 0) {
		/* Calibrate on a few of each. */
		sample sb = time_baseline(md, b, &d, 3);
		n_ex = calibrate(se0.wall, opt->seconds);
		n_base = calibrate(sb.wall, opt->seconds);
	}
	(void)se0;
	if (do_ex && md->mode == MIKEY_MODE_PSK) {
		/* Steady state: the responder's replay cache full (1024 entries by
		 * default), as on a busy server; fill it before anything is timed
		 * or counted. Only for PSK: in the other modes the cache scans are
		 * noise next to one RSA or DH operation, and 1100 exchanges would
		 * take seconds. */
		mikey_error werr;
		for (int i = 0; i < 1100; i++)
			if (exchange_once(&f, NULL, &werr) != MIKEY_OK)
				die("exchange failed", werr.message);
	}
	r->n_ex = n_ex, r->n_base = n_base;
	int rounds = opt->rounds;
	double *rw = xmalloc(sizeof(double) * (size_t)rounds), *rc_ = xmalloc(sizeof(double) * (size_t)rounds);
	double *ew = xmalloc(sizeof(double) * (size_t)rounds), *bw = xmalloc(sizeof(double) * (size_t)rounds);
	double sum_wall = 0, sum_cpu = 0;
	for (int i = 0; i < rounds; i++) {
		sample se = {1, 1}, sb = {1, 1};
		if (i % 2 == 0) {
			if (do_ex)
				se = time_exchanges(&f, n_ex);
			if (do_base)
				sb = time_baseline(md, b, &d, n_base);
		} else {
			if (do_base)
				sb = time_baseline(md, b, &d, n_base);
			if (do_ex)
				se = time_exchanges(&f, n_ex);
		}
		sum_wall += se.wall * (double)n_ex + sb.wall * (double)n_base;
		sum_cpu += se.cpu * (double)n_ex + sb.cpu * (double)n_base;
		rw[i] = se.wall / sb.wall;
		rc_[i] = se.cpu / sb.cpu;
		ew[i] = se.wall;
		bw[i] = sb.wall;
	}
	r->ex_ns = median(ew, (size_t)rounds);
	r->base_ns = median(bw, (size_t)rounds);
	r->ratio = median(rw, (size_t)rounds); /* sorts rw */
	r->ratio_min = rw[0];
	r->ratio_max = rw[rounds - 1];
	r->ratio_cpu = median(rc_, (size_t)rounds);
	r->cpu_share = sum_wall > 0 ? sum_cpu / sum_wall : 1;
	free(rw);
	free(rc_);
	free(ew);
	free(bw);
	fixture_cleanup(&f);
}

static void usage(void)
{
	fprintf(stderr,
	        "usage: modes [--rounds N] [--seconds S] [--iterations N] [--only MODE] [--part exchange|baseline]\n"
	        "             [--dh-full]\n"
	        "  MODE: psk, pk, dh, dhhmac, rsar. --iterations fixes the count per round (no calibration);\n"
	        "  --part runs one side only (for callgrind); --dh-full gives the baseline's DH keys\n"
	        "  1535-bit private values (libmikey's length) instead of OpenSSL's default.\n");
	exit(1);
}

int main(int argc, char **argv)
{
	options opt = {DEFAULT_ROUNDS, DEFAULT_SECONDS, 0, NULL, NULL, false};
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--rounds") == 0 && v)
			opt.rounds = atoi(v), i++;
		else if (strcmp(a, "--seconds") == 0 && v)
			opt.seconds = atof(v), i++;
		else if (strcmp(a, "--iterations") == 0 && v)
			opt.iterations = (size_t)strtoull(v, NULL, 10), i++;
		else if (strcmp(a, "--only") == 0 && v)
			opt.only = v, i++;
		else if (strcmp(a, "--part") == 0 && v)
			opt.part = v, i++;
		else if (strcmp(a, "--dh-full") == 0)
			opt.dh_full = true;
		else
			usage();
	}
	if (opt.rounds < 1 || opt.seconds <= 0)
		usage();
	if (opt.part != NULL && strcmp(opt.part, "exchange") != 0 && strcmp(opt.part, "baseline") != 0)
		usage();

	bctx b;
	bctx_init(&b);
	if (opt.dh_full)
		b.dh_priv_bits = 1535;
	result res[N_MODES];
	bool any = false;
	for (size_t i = 0; i < N_MODES; i++) {
		memset(&res[i], 0, sizeof res[i]);
		if (opt.only != NULL && strcmp(opt.only, modes[i].key) != 0)
			continue;
		any = true;
		run_mode(&modes[i], &opt, &b, &res[i]);
	}
	if (!any)
		usage();
	if (opt.part != NULL) {
		/* Under callgrind only the counted loop matters. */
		bctx_cleanup(&b);
		return 0;
	}

	printf("bench/modes: complete exchanges (initiate -> respond -> finish -> keys of %d crypto sessions on\n"
	       "both sides) against the raw OpenSSL operations of the same exchange; %d rounds, median.\n"
	       "Baseline DH private values: %s.\n\n",
	       N_CS, opt.rounds,
	       opt.dh_full ? "1535 bits (--dh-full, as libmikey draws them)" : "OpenSSL's default for modp_1536");
	printf("%-10s %12s %12s %12s %8s %15s %9s %8s %s\n", "mode", "exchanges/s", "baseline/s", "us/exchange",
	       "ratio", "wall [min..max]", "cpu ratio", "target", "met?");
	bool all_met = true, low_share = false;
	for (size_t i = 0; i < N_MODES; i++) {
		const result *r = &res[i];
		if (opt.only != NULL && strcmp(opt.only, modes[i].key) != 0)
			continue;
		if (!r->present) {
			printf("%-10s %12s   (%s)\n", modes[i].name, "missing", r->why);
			continue;
		}
		bool met = r->ratio_cpu <= modes[i].target;
		all_met = all_met && met;
		char range[32];
		snprintf(range, sizeof range, "[%.2f..%.2f]", r->ratio_min, r->ratio_max);
		printf("%-10s %12.1f %12.1f %12.1f %7.2fx %15s %8.2fx %7.1fx %s\n", modes[i].name, 1e9 / r->ex_ns,
		       1e9 / r->base_ns, r->ex_ns / 1e3, r->ratio, range, r->ratio_cpu, modes[i].target,
		       met ? "yes" : "NO");
		if (r->cpu_share < 0.9)
			low_share = true;
	}
	printf("\nratio = time of one exchange / time of its baseline set, per round, median (lower is better):\n"
	       "wall clock, and thread CPU time (\"cpu ratio\", which decides \"met?\": it does not count time the\n"
	       "process waited for a CPU). Targets: PSK <= 2x its primitives, PK / DH-signed / DH-HMAC / RSA-R\n"
	       "<= 1.1x their public-key operations. For exact, load-independent counts: bench/modes-callgrind.sh.\n");
	if (low_share)
		printf("warning: the process got less than 90%% of the wall time (machine busy); trust the cpu ratio\n"
		       "or the callgrind counts over the wall ratio.\n");

	printf("\nWhat each baseline set contains (operations of one complete exchange, both sides):\n");
	for (size_t i = 0; i < N_MODES; i++) {
		const result *r = &res[i];
		if (!r->present)
			continue;
		printf("  %s: I_MESSAGE %zu bytes, R_MESSAGE %zu bytes", modes[i].name, r->pr.ilen, r->pr.rlen);
		if (r->pr.encr_len)
			printf(", KEMAC ciphertext %zu bytes", r->pr.encr_len);
		printf("\n");
		for (int k = 0; k < N_OPC; k++)
			if (r->count[k])
				printf("    %3u x %s\n", r->count[k], opc_name[k]);
	}
	printf("  HMAC-SHA-1 counts every HMAC of the MIKEY PRF (RFC 3830 §4.1.2: per 256-bit piece of the\n"
	       "  key, 2 HMACs per output of up to 20 bytes; a 192-byte DH TGK is 6 pieces), the KEMAC MAC and V.\n");
	int missing = 0;
	for (size_t i = 0; i < N_MODES; i++)
		if (opt.only == NULL && !res[i].present)
			missing++;
	printf("\nsummary (cpu ratio):");
	for (size_t i = 0; i < N_MODES; i++) {
		if (opt.only != NULL && strcmp(opt.only, modes[i].key) != 0)
			continue;
		if (res[i].present)
			printf(" %s %.2fx%s", modes[i].key, res[i].ratio_cpu,
			       res[i].ratio_cpu <= modes[i].target ? "" : "(!)");
		else
			printf(" %s missing", modes[i].key);
	}
	printf("  targets %s\n", all_met ? "met" : "NOT all met");
	for (size_t i = 0; i < N_MODES; i++)
		free(res[i].pr.imsg), free(res[i].pr.rmsg);
	bctx_cleanup(&b);
	(void)missing;
	return 0;
}
