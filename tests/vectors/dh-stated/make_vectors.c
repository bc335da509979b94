/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * make_vectors.c - DH-signed (RFC 3830 §3.3) and DH-HMAC (RFC 4650)
 * exchanges whose DH private values are stated (mikey_ctx_set_dh_private),
 * so that another implementation can check itself against them.
 *
 * Usage: make_vectors SOURCE_ROOT OUT_DIR
 * Writes OUT_DIR/dh-signed-stated.txt and OUT_DIR/dhhmac-stated.txt:
 * the private values xi and xr, the clock, the RNG (a counter stream, for
 * the CSB ID and RAND), the credentials, both messages and every crypto
 * session's SRTP master key and salt. check.py recomputes the DH values, the
 * shared TGK = g^(xi*xr) mod p and the keys with Python's integers and hmac.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mikey/mikey.h"

#define NOW ((uint64_t)0xe82306c0u << 32) /* 2023-06-01T12:00:00Z */

static uint64_t fixed_clock(void *user)
{
	(void)user;
	return NOW;
}

/* Byte i of the stream from counter c: (c + i) * 131 + 7 (mod 256). */
static int counter_rng(void *user, uint8_t *out, size_t len)
{
	uint32_t *c = user;
	for (size_t i = 0; i < len; i++, (*c)++)
		out[i] = (uint8_t)(*c * 131u + 7u);
	return 0;
}

/* 256-bit private values (RFC 3526 §8 asks twice the strength of OAKLEY 5). */
static const char XI_HEX[] = "6a09e667f3bcc908b2fb1366ea957d3e3adec17512775099da2f590b0667322a";
static const char XR_HEX[] = "bb67ae8584caa73b3c6ef372fe94f82ba54ff53a5f1d36f1510e527fade682d1";
static const char PSK[] = "0123456789abcdefghij";

static void die(const char *what, const mikey_error *err)
{
	fprintf(stderr, "make_vectors: %s%s%s\n", what, err ? ": " : "", err ? err->message : "");
	exit(1);
}

static size_t unhex(const char *h, uint8_t *out)
{
	size_t n = strlen(h) / 2;
	for (size_t i = 0; i < n; i++) {
		unsigned b;
		if (sscanf(h + 2 * i, "%2x", &b) != 1)
			die("bad hex", NULL);
		out[i] = (uint8_t)b;
	}
	return n;
}

static char *slurp(const char *root, const char *name, size_t *len)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/tests/certs/%s", root, name);
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		die(path, NULL);
	char *buf = malloc(65536);
	*len = buf ? fread(buf, 1, 65536, f) : 0;
	fclose(f);
	if (*len == 0)
		die(path, NULL);
	return buf;
}

static mikey_ctx *party(const char *root, const char *id, uint32_t *rng, const char *hexx, bool signed_mode,
                        const char *cert, const char *key, const char *peer, const char *peer_cert)
{
	mikey_ctx *c = mikey_ctx_new();
	mikey_error err;
	uint8_t x[64];
	size_t xl = unhex(hexx, x);
	if (c == NULL)
		die("out of memory", NULL);
	mikey_ctx_set_clock(c, fixed_clock, NULL);
	mikey_ctx_set_rng(c, counter_rng, rng);
	if (mikey_ctx_set_id(c, MIKEY_ID_URI, id, strlen(id)) != MIKEY_OK ||
	    mikey_ctx_set_dh_private(c, x, xl, &err) != MIKEY_OK)
		die("context", &err);
	if (signed_mode) {
		size_t cl, kl, al, pl;
		char *cp = slurp(root, cert, &cl), *kp = slurp(root, key, &kl), *ca = slurp(root, "ca.pem", &al),
		     *pp = slurp(root, peer_cert, &pl);
		if (mikey_ctx_set_credentials(c, cp, cl, kp, kl, NULL) != MIKEY_OK || mikey_ctx_add_trust(c, ca, al, NULL) != MIKEY_OK ||
		    mikey_ctx_add_peer_cert(c, peer, strlen(peer), pp, pl, NULL) != MIKEY_OK)
			die("credentials", NULL);
		free(cp);
		free(kp);
		free(ca);
		free(pp);
	} else if (mikey_ctx_add_psk(c, NULL, 0, (const uint8_t *)PSK, strlen(PSK)) != MIKEY_OK) {
		die("psk", NULL);
	}
	return c;
}

static void hexline(FILE *f, const char *name, const uint8_t *b, size_t n)
{
	fprintf(f, "%s = ", name);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%02x", b[i]);
	fputc('\n', f);
}

static void vector(const char *root, const char *out_dir, const char *name, mikey_mode mode, const char *what)
{
	bool signed_mode = mode == MIKEY_MODE_DH_SIGN;
	uint32_t rng_i = 1, rng_r = 1000;
	const char *alice = "sip:alice@example.com", *bob = "sip:bob@example.com";
	mikey_ctx *ini = party(root, alice, &rng_i, XI_HEX, signed_mode, "alice.pem", "alice.key", bob, "bob.pem");
	mikey_ctx *rsp = party(root, bob, &rng_r, XR_HEX, signed_mode, "bob.pem", "bob.key", alice, "alice.pem");
	mikey_cs_desc cs[2] = {{0x11111111, 0, 0}, {0x22222222, 5, 0}};
	mikey_srtp_policy pol;
	mikey_srtp_policy_default(&pol);
	mikey_offer o;
	mikey_offer_init(&o, mode);
	o.cs = cs;
	o.n_cs = 2;
	o.policies = &pol;
	o.n_policies = 1;
	o.peer_id = bob;
	o.peer_id_len = strlen(bob);
	mikey_exchange *ei = NULL, *er = NULL;
	uint8_t *im = NULL, *rm = NULL;
	size_t il = 0, rl = 0;
	mikey_error err;
	if (mikey_initiate(ini, &o, &ei, &im, &il, &err) != MIKEY_OK)
		die("initiate", &err);
	if (mikey_respond(rsp, im, il, &er, &rm, &rl, &err) != MIKEY_OK)
		die("respond", &err);
	if (mikey_exchange_finish(ei, rm, rl, &err) != MIKEY_OK)
		die("finish", &err);

	char path[1024];
	snprintf(path, sizeof(path), "%s/%s.txt", out_dir, name);
	FILE *f = fopen(path, "w");
	if (f == NULL)
		die(path, NULL);
	fprintf(f, "# %s with stated DH private values (mikey_ctx_set_dh_private)\n", what);
	fprintf(f, "# Regenerate: make_vectors SOURCE_ROOT OUT_DIR (tests/vectors/dh-stated/README.md)\n");
	fprintf(f, "Name = %s\n", name);
	fprintf(f, "Group = OAKLEY 5 (RFC 3526 1536-bit MODP), g = 2\n");
	fprintf(f, "Now = %016llx\n", (unsigned long long)NOW);
	fprintf(f, "RNG = byte i of counter c is (c+i)*131+7 mod 256; initiator c=1, responder c=1000 (CSB ID, RAND)\n");
	fprintf(f, "xi = %s\nxr = %s\n", XI_HEX, XR_HEX);
	if (signed_mode)
		fprintf(f, "Credentials = tests/certs/alice.pem, bob.pem (RSA PKCS#1 v1.5 signatures)\n");
	else
		fprintf(f, "PSK = %s\n", PSK);
	hexline(f, "I_MESSAGE", im, il);
	hexline(f, "R_MESSAGE", rm, rl);
	for (size_t i = 0; i < 2; i++) {
		mikey_crypto_session a, b;
		if (mikey_exchange_get_cs(ei, i, &a, &err) != MIKEY_OK || mikey_exchange_get_cs(er, i, &b, &err) != MIKEY_OK)
			die("get_cs", &err);
		if (memcmp(a.master_key, b.master_key, a.master_key_len) != 0 ||
		    memcmp(a.master_salt, b.master_salt, a.master_salt_len) != 0)
			die("initiator and responder derive different keys", NULL);
		char k[32];
		snprintf(k, sizeof(k), "CS%zu.MasterKey", i + 1);
		hexline(f, k, a.master_key, a.master_key_len);
		snprintf(k, sizeof(k), "CS%zu.MasterSalt", i + 1);
		hexline(f, k, a.master_salt, a.master_salt_len);
		mikey_crypto_session_cleanup(&a);
		mikey_crypto_session_cleanup(&b);
	}
	fclose(f);
	mikey_buf_free(im, il);
	mikey_buf_free(rm, rl);
	mikey_exchange_free(ei);
	mikey_exchange_free(er);
	mikey_ctx_free(ini);
	mikey_ctx_free(rsp);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: make_vectors SOURCE_ROOT OUT_DIR\n");
		return 2;
	}
	vector(argv[1], argv[2], "dh-signed-stated", MIKEY_MODE_DH_SIGN, "DH-signed (RFC 3830 §3.3)");
	vector(argv[1], argv[2], "dhhmac-stated", MIKEY_MODE_DHHMAC, "DH-HMAC (RFC 4650), HMAC-SHA-1");
	return 0;
}
