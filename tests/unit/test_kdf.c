/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_kdf.c - the MIKEY PRF and key derivations (mikey/kdf.h).
 *
 * 1. Every case of ../shared/vectors/mikey-prf-selfcomputed.txt, parsed at
 *    run time (nothing copied by hand), through the raw PRF and through the
 *    §4.1.3 / §4.1.4 wrappers after taking the label apart.
 * 2. Extra cases (PRF-HMAC-SHA-256, multi-piece inkeys, odd lengths, a
 *    255-byte RAND) recomputed independently in Python with CPython's
 *    built-in _sha1/_sha256 and a hand-written HMAC; the script is in
 *    docs/kdf.md.
 * 3. The §4.2.3 IV recipe and the message-key bundle.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "mikey/error.h"
#include "mikey/kdf.h"
#include "mikey/types.h"

#ifndef MIKEY_SHARED_DIR
#define MIKEY_SHARED_DIR "../shared"
#endif

static uint8_t *unhex(const char *s, size_t *len)
{
	size_t n = strlen(s) / 2;
	uint8_t *b = malloc(n ? n : 1);
	cr_assert_not_null(b);
	cr_assert_eq(strlen(s) % 2, 0, "odd hex length");
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		cr_assert_eq(sscanf(s + 2 * i, "%2x", &v), 1, "bad hex");
		b[i] = (uint8_t)v;
	}
	if (len)
		*len = n;
	return b;
}

static void assert_hex(const uint8_t *got, size_t len, const char *want_hex, const char *what)
{
	size_t n;
	uint8_t *want = unhex(want_hex, &n);
	cr_assert_eq(len, n, "%s: length %zu, want %zu", what, len, n);
	cr_assert_eq(memcmp(got, want, n), 0, "%s differs", what);
	free(want);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* One parsed case of the shared vector file. */
typedef struct vcase {
	char title[200];
	char inkey[600], label[600], outkey[600];
	unsigned outkey_bits;
	unsigned title_constant; /* from "(constant 0x...)" in the title, 0 if none */
} vcase;

#define MAX_CASES 32

/* Reads every "Case N:" block; returns how many were complete. */
static size_t read_vectors(vcase *cases, size_t max)
{
	char path[512], line[1024];
	size_t n = 0;
	vcase *c = NULL;

	snprintf(path, sizeof path, "%s/vectors/mikey-prf-selfcomputed.txt", MIKEY_SHARED_DIR);
	FILE *f = fopen(path, "r");
	cr_assert_not_null(f, "cannot open %s", path);
	while (fgets(line, sizeof line, f)) {
		char v[600];
		const char *colon = strchr(line, ':');
		if (strncmp(line, "Case ", 5) == 0) {
			cr_assert_lt(n, max);
			c = &cases[n++];
			memset(c, 0, sizeof *c);
			snprintf(c->title, sizeof c->title, "%.*s", (int)strcspn(line, "\n"), line);
			const char *k = strstr(line, "constant 0x");
			if (k != NULL)
				sscanf(k, "constant 0x%x", &c->title_constant);
			continue;
		}
		if (c == NULL || colon == NULL || sscanf(colon + 1, " %599s", v) != 1)
			continue;
		if (strncmp(line, "  inkey", 7) == 0)
			strcpy(c->inkey, v);
		else if (strncmp(line, "  label", 7) == 0)
			strcpy(c->label, v);
		else if (strncmp(line, "  outkey_len", 12) == 0)
			c->outkey_bits = (unsigned)strtoul(v, NULL, 10);
		else if (strncmp(line, "  outkey", 8) == 0)
			strcpy(c->outkey, v);
	}
	fclose(f);
	for (size_t i = 0; i < n; i++) {
		cr_assert(cases[i].inkey[0] && cases[i].label[0] && cases[i].outkey[0] && cases[i].outkey_bits,
		          "incomplete: %s", cases[i].title);
		cr_assert_eq(cases[i].outkey_bits % 8, 0);
		cr_assert_eq(strlen(cases[i].outkey) * 4, cases[i].outkey_bits, "%s", cases[i].title);
	}
	return n;
}

Test(kdf, shared_vectors_raw_prf)
{
	static vcase cases[MAX_CASES];
	size_t n = read_vectors(cases, MAX_CASES);

	cr_assert_eq(n, 9, "the file has 9 cases, parsed %zu", n);
	for (size_t i = 0; i < n; i++) {
		size_t kl, ll, ol = cases[i].outkey_bits / 8;
		uint8_t *k = unhex(cases[i].inkey, &kl), *l = unhex(cases[i].label, &ll), out[64];
		cr_assert_leq(ol, sizeof out);
		cr_assert_eq(mikey_kdf_prf(MIKEY_PRF_MIKEY_1, k, kl, l, ll, out, ol), MIKEY_OK);
		assert_hex(out, ol, cases[i].outkey, cases[i].title);
		free(k);
		free(l);
	}
}

/* The same cases through mikey_kdf_tgk / mikey_kdf_envelope: the label is
 * taken apart as constant (4) || cs_id or 0xFF (1) || csb_id (4) || RAND. */
Test(kdf, shared_vectors_label_layout)
{
	static vcase cases[MAX_CASES];
	size_t n = read_vectors(cases, MAX_CASES);
	static const uint32_t known[] = {MIKEY_KDF_TGK_TEK, MIKEY_KDF_TGK_AUTH, MIKEY_KDF_TGK_ENCR,
	                                 MIKEY_KDF_TGK_SALT, MIKEY_KDF_ENV_ENCR, MIKEY_KDF_ENV_AUTH,
	                                 MIKEY_KDF_ENV_SALT};
	size_t env_cases = 0;

	for (size_t i = 0; i < n; i++) {
		size_t kl, ll, ol = cases[i].outkey_bits / 8;
		uint8_t *k = unhex(cases[i].inkey, &kl), *l = unhex(cases[i].label, &ll), out[64];
		cr_assert_geq(ll, 9 + 16, "RAND is at least 128 bits (RFC 3830 §4.1.1)");
		uint32_t constant = get32(l), csb = get32(l + 5);
		uint8_t id = l[4];
		int found = 0;
		for (size_t j = 0; j < sizeof known / sizeof known[0]; j++)
			found |= known[j] == constant;
		cr_assert(found, "%s: constant %08x is not in kdf.h", cases[i].title, constant);
		if (cases[i].title_constant)
			cr_assert_eq(cases[i].title_constant, constant, "%s", cases[i].title);
		if (id == 0xFF) {
			/* §4.1.4 (envelope / pre-shared key): no CS ID. */
			env_cases++;
			cr_assert(constant == MIKEY_KDF_ENV_ENCR || constant == MIKEY_KDF_ENV_AUTH ||
			          constant == MIKEY_KDF_ENV_SALT);
			cr_assert_eq(mikey_kdf_envelope(MIKEY_PRF_MIKEY_1, k, kl, constant, csb, l + 9, ll - 9, out, ol),
			             MIKEY_OK);
		} else {
			cr_assert_eq(mikey_kdf_tgk(MIKEY_PRF_MIKEY_1, k, kl, constant, id, csb, l + 9, ll - 9, out, ol),
			             MIKEY_OK);
		}
		assert_hex(out, ol, cases[i].outkey, cases[i].title);
		free(k);
		free(l);
	}
	cr_assert_eq(env_cases, 3);
}

/* Independent recomputation in Python (docs/kdf.md, prf.py). */
typedef struct xcase {
	const char *name;
	int prf;
	const char *inkey;
	uint32_t constant;
	unsigned id; /* cs_id, or 0xFF for the envelope label */
	uint32_t csb;
	const char *rand;
	const char *out;
} xcase;

static const xcase extra[] = {
	{"sha256 TEK, 256-bit TGK, m=1", 1, "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f",
	 0x2AD01C64, 1, 0x01020304, "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a", "fe75f54afdd654bf808c9bd9cc08be30"},
	{"sha256 TEK, 256-bit TGK, m=2 (40 bytes)", 1,
	 "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f", 0x2AD01C64, 1, 0x01020304,
	 "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a",
	 "fe75f54afdd654bf808c9bd9cc08be30bb660fe87904cf8347ec1c7a3525f08202e4887a68c3e5d3"},
	{"sha1 600-bit inkey (n=3, s_3 = 88 bits), 50 bytes out (m=3)", 0,
	 "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435"
	 "363738393a3b3c3d3e3f404142434445464748494a",
	 0x2AD01C64, 3, 0xDEADBEEF, "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf",
	 "570780131b6deebf625137f7e211836fd898f71b51ac23d48fbc98274e545e1ac33baf9f88907ac14ed2653b7abc4743333e"},
	{"sha256 env auth key, 32-byte RAND, csb ffffffff", 1,
	 "c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3", 0x2D22AC75, 0xFF, 0xFFFFFFFF,
	 "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
	 "fb08b42bf9bad28e6aced9b6157c8319ef2faa880bf096298a7ebf8db5dc9f24"},
	{"sha256 env encr key, 48-byte PSK (n=2)", 1,
	 "6465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f90919293",
	 0x150533E1, 0xFF, 0x00000001, "11111111111111111111111111111111",
	 "a68e4a21351a0af43a518a69f30325ac4479264837741b9501a486fb3a520092"},
	{"sha1 TGK salt, 255-byte RAND", 0, "000102030405060708090a0b0c0d0e0f", 0x39A2C14B, 7, 0x89ABCDEF,
	 NULL /* (i * 7) mod 256, i = 0..254 */, "ae5f6c82543cf79329dba37fe45d"},
	{"sha1 1-byte inkey", 0, "01", 0x1B5C7973, 0, 0, "00000000000000000000000000000000",
	 "e07b1d12a1a7082357e5c4a07aa0aa074a2d9094"},
};

Test(kdf, python_recomputed_cases)
{
	for (size_t i = 0; i < sizeof extra / sizeof extra[0]; i++) {
		const xcase *x = &extra[i];
		size_t kl, rl, ol;
		uint8_t *k = unhex(x->inkey, &kl), *r, *want = unhex(x->out, &ol), out[64], out2[64];
		uint8_t label[9 + 255];
		if (x->rand != NULL) {
			r = unhex(x->rand, &rl);
		} else {
			rl = 255;
			r = malloc(rl);
			for (size_t j = 0; j < rl; j++)
				r[j] = (uint8_t)(j * 7);
		}
		if (x->id == 0xFF)
			cr_assert_eq(mikey_kdf_envelope(x->prf, k, kl, x->constant, x->csb, r, rl, out, ol), MIKEY_OK);
		else
			cr_assert_eq(mikey_kdf_tgk(x->prf, k, kl, x->constant, (uint8_t)x->id, x->csb, r, rl, out, ol),
			             MIKEY_OK);
		cr_assert_eq(memcmp(out, want, ol), 0, "%s", x->name);
		/* And through the raw PRF with a label built here. */
		label[0] = (uint8_t)(x->constant >> 24), label[1] = (uint8_t)(x->constant >> 16);
		label[2] = (uint8_t)(x->constant >> 8), label[3] = (uint8_t)x->constant;
		label[4] = (uint8_t)x->id;
		label[5] = (uint8_t)(x->csb >> 24), label[6] = (uint8_t)(x->csb >> 16);
		label[7] = (uint8_t)(x->csb >> 8), label[8] = (uint8_t)x->csb;
		memcpy(label + 9, r, rl);
		cr_assert_eq(mikey_kdf_prf(x->prf, k, kl, label, 9 + rl, out2, ol), MIKEY_OK);
		cr_assert_eq(memcmp(out2, want, ol), 0, "%s (raw PRF)", x->name);
		free(k);
		free(r);
		free(want);
	}
}

/* A prefix of a longer output equals the shorter output (P is a stream). */
Test(kdf, output_prefix_property)
{
	uint8_t k[20] = {9}, l[25] = {1}, a[100], b[37];
	for (int prf = 0; prf <= 1; prf++) {
		cr_assert_eq(mikey_kdf_prf(prf, k, sizeof k, l, sizeof l, a, sizeof a), MIKEY_OK);
		cr_assert_eq(mikey_kdf_prf(prf, k, sizeof k, l, sizeof l, b, sizeof b), MIKEY_OK);
		cr_assert_eq(memcmp(a, b, sizeof b), 0);
	}
	/* The two PRFs differ. */
	cr_assert_eq(mikey_kdf_prf(0, k, sizeof k, l, sizeof l, a, 20), MIKEY_OK);
	cr_assert_eq(mikey_kdf_prf(1, k, sizeof k, l, sizeof l, b, 20), MIKEY_OK);
	cr_assert_neq(memcmp(a, b, 20), 0);
}

Test(kdf, bad_arguments)
{
	uint8_t k[16] = {0}, r[16] = {0}, out[32], big[256] = {0};

	cr_assert_eq(mikey_kdf_prf(2, k, 16, r, 16, out, 16), MIKEY_ERR_UNSUPPORTED);
	cr_assert_eq(mikey_kdf_prf(-1, k, 16, r, 16, out, 16), MIKEY_ERR_UNSUPPORTED);
	cr_assert_eq(mikey_kdf_prf(0, k, 0, r, 16, out, 16), MIKEY_ERR_ARG, "empty inkey");
	cr_assert_eq(mikey_kdf_prf(0, NULL, 16, r, 16, out, 16), MIKEY_ERR_ARG);
	cr_assert_eq(mikey_kdf_prf(0, k, 16, NULL, 16, out, 16), MIKEY_ERR_ARG);
	cr_assert_eq(mikey_kdf_prf(0, k, 16, r, 16, out, 0), MIKEY_ERR_ARG);
	cr_assert_eq(mikey_kdf_prf(0, k, 16, r, 16, NULL, 16), MIKEY_ERR_ARG);
	cr_assert_eq(mikey_kdf_tgk(0, k, 16, MIKEY_KDF_TGK_TEK, 1, 2, big, 256, out, 16), MIKEY_ERR_ARG,
	             "RAND longer than its 8-bit length field");
	cr_assert_eq(mikey_kdf_tgk(0, k, 16, MIKEY_KDF_TGK_TEK, 1, 2, big, 255, out, 16), MIKEY_OK);
	cr_assert_eq(mikey_kdf_envelope(0, k, 16, MIKEY_KDF_ENV_ENCR, 2, NULL, 16, out, 16), MIKEY_ERR_ARG);
}

/* Finds the shared-vector case with this label constant. */
static const vcase *by_constant(const vcase *cases, size_t n, uint32_t constant)
{
	for (size_t i = 0; i < n; i++) {
		size_t ll;
		uint8_t *l = unhex(cases[i].label, &ll);
		uint32_t c = get32(l);
		free(l);
		if (c == constant)
			return &cases[i];
	}
	cr_assert_fail("no case with constant %08x", constant);
	return NULL;
}

Test(kdf, msg_keys_from_psk)
{
	static vcase cases[MAX_CASES];
	size_t n = read_vectors(cases, MAX_CASES);
	const vcase *ce = by_constant(cases, n, MIKEY_KDF_ENV_ENCR), *ca = by_constant(cases, n, MIKEY_KDF_ENV_AUTH),
	            *cs = by_constant(cases, n, MIKEY_KDF_ENV_SALT);
	size_t kl, ll;
	uint8_t *psk = unhex(ce->inkey, &kl), *label = unhex(ce->label, &ll);
	mikey_msg_keys keys;

	/* AES-CM-128 + HMAC-SHA-1-160: 16-byte key, 14-byte salt, 20-byte MAC key,
	 * i.e. exactly cases 7-9 of the shared file. */
	cr_assert_eq(mikey_kdf_msg_keys(&keys, MIKEY_PRF_MIKEY_1, MIKEY_ENCR_AES_CM_128, MIKEY_MAC_HMAC_SHA1_160, psk,
	                                kl, get32(label + 5), label + 9, ll - 9),
	             MIKEY_OK);
	cr_assert(keys.encr_len == 16 && keys.salt_len == 14 && keys.auth_len == 20);
	assert_hex(keys.encr, keys.encr_len, ce->outkey, ce->title);
	assert_hex(keys.salt, keys.salt_len, cs->outkey, cs->title);
	assert_hex(keys.auth, keys.auth_len, ca->outkey, ca->title);
	mikey_msg_keys_cleanup(&keys);
	for (size_t i = 0; i < sizeof keys; i++)
		cr_assert_eq(((uint8_t *)&keys)[i], 0, "cleanup wipes everything");

	/* AES-KW-128: the salt is the 64-bit KW IV, a prefix of the same PRF output. */
	cr_assert_eq(mikey_kdf_msg_keys(&keys, MIKEY_PRF_MIKEY_1, MIKEY_ENCR_AES_KW_128, MIKEY_MAC_NULL, psk, kl,
	                                get32(label + 5), label + 9, ll - 9),
	             MIKEY_OK);
	cr_assert(keys.encr_len == 16 && keys.salt_len == 8 && keys.auth_len == 0);
	char salt8[17];
	snprintf(salt8, sizeof salt8, "%.16s", cs->outkey);
	assert_hex(keys.salt, 8, salt8, "KW salt = first 64 bits");
	mikey_msg_keys_cleanup(&keys);

	/* AES-CM-256 + HMAC-SHA-256-256 (RFC 6043): 32-byte keys. */
	cr_assert_eq(mikey_kdf_msg_keys(&keys, MIKEY_PRF_HMAC_SHA_256, MIKEY_ENCR_AES_CM_256, MIKEY_MAC_HMAC_SHA256_256,
	                                psk, kl, 1, label + 9, ll - 9),
	             MIKEY_OK);
	cr_assert(keys.encr_len == 32 && keys.salt_len == 14 && keys.auth_len == 32);
	mikey_msg_keys_cleanup(&keys);

	cr_assert_eq(mikey_kdf_msg_keys(&keys, MIKEY_PRF_MIKEY_1, MIKEY_ENCR_NULL, MIKEY_MAC_NULL, psk, kl, 1,
	                                label + 9, ll - 9),
	             MIKEY_OK);
	cr_assert(keys.encr_len == 0 && keys.salt_len == 0 && keys.auth_len == 0);
	cr_assert_eq(mikey_kdf_msg_keys(&keys, MIKEY_PRF_MIKEY_1, 9, MIKEY_MAC_NULL, psk, kl, 1, label + 9, ll - 9),
	             MIKEY_ERR_UNSUPPORTED);
	cr_assert_eq(mikey_kdf_msg_keys(&keys, MIKEY_PRF_MIKEY_1, MIKEY_ENCR_NULL, 9, psk, kl, 1, label + 9, ll - 9),
	             MIKEY_ERR_UNSUPPORTED);
	cr_assert_eq(mikey_kdf_msg_keys(&keys, 5, MIKEY_ENCR_AES_CM_128, MIKEY_MAC_NULL, psk, kl, 1, label + 9, ll - 9),
	             MIKEY_ERR_UNSUPPORTED);
	free(psk);
	free(label);
}

/* RFC 3830 §4.2.3 IV, then KEMAC-style AES-CM encryption of a TGK with the
 * PSK-derived key of case 7. Expected values from Python (docs/kdf.md). */
Test(kdf, aes_cm_iv_and_kemac_encryption)
{
	uint8_t *salt = unhex("613a5af032a2b466e1807bd7c251", NULL); /* case 9 */
	uint8_t *key = unhex("6b314a7c24be018c46d32961b3dc0ede", NULL);  /* case 7 */
	uint8_t iv[16], tgk[32];

	cr_assert_eq(mikey_kdf_aes_cm_iv(salt, 14, 0x12345678, 0xE1D3C5B780000000ull, iv), MIKEY_OK);
	assert_hex(iv, 16, "613a48c464da55b52437fbd7c2510000", "IV, 64-bit NTP timestamp");
	/* NTP-UTC-32 padded with a zero fraction (RFC 6043 §6.3). */
	cr_assert_eq(mikey_kdf_aes_cm_iv(salt, 14, 0x12345678, (uint64_t)0xE1D3C5B7u << 32, iv), MIKEY_OK);
	assert_hex(iv, 16, "613a48c464da55b524377bd7c2510000", "IV, NTP-UTC-32 padded");
	cr_assert_eq(mikey_kdf_aes_cm_iv(salt, 8, 1, 2, iv), MIKEY_ERR_ARG, "AES-CM wants the 112-bit salt");

	cr_assert_eq(mikey_kdf_aes_cm_iv(salt, 14, 0x12345678, 0xE1D3C5B780000000ull, iv), MIKEY_OK);
	for (int i = 0; i < 32; i++)
		tgk[i] = (uint8_t)(0x20 + i);
	const mikey_cipher_desc *d = mikey_crypto_cipher_for_encr_alg(MIKEY_ENCR_AES_CM_128);
	cr_assert_not_null(d);
	cr_assert_eq(d->encrypt(key, iv, tgk, sizeof tgk, tgk), MIKEY_OK);
	assert_hex(tgk, 32, "0abbdb2073e0b90ac2c97be910df15641435815762f1aacb0058e3ff6c54af8e",
	           "encrypted TGK (Python AES-CTR)");
	free(salt);
	free(key);
}
