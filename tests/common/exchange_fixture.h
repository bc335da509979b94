/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * exchange_fixture.h - what the per-mode exchange suites share: a fixed
 * clock in 2023 that a test may move, a counter RNG (byte i of a stream
 * starting at c is (c+i)*131+7), the test PKI of tests/certs, and the check
 * that a responder rejects a message with a named error and the matching
 * ERR payload (RFC 3830 §5.1.2). Criterion test files include it once.
 */
#ifndef TESTS_EXCHANGE_FIXTURE_H
#define TESTS_EXCHANGE_FIXTURE_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "context/context.h" /* set_creds: a wrong key behind the library's back */
#include "mikey/exchange.h"
#include "mikey/mikey.h"

#define T0 ((uint64_t)0xe9000000u << 32) /* an NTP time in 2023 */
#define ALICE "sip:alice@example.com"
#define BOB "sip:bob@example.com"

static uint64_t now_ntp = T0;

static inline uint64_t fixed_clock(void *user)
{
	(void)user;
	return now_ntp;
}

static inline int counter_rng(void *user, uint8_t *out, size_t len)
{
	uint32_t *c = user;
	for (size_t i = 0; i < len; i++)
		out[i] = (uint8_t)(*c * 131u + 7u), (*c)++;
	return 0;
}

/* slurp reads tests/certs/|name| into a new buffer (caller frees). */
static inline char *slurp(const char *name, size_t *len)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/tests/certs/%s", MIKEY_SOURCE_ROOT, name);
	FILE *f = fopen(path, "rb");
	cr_assert_not_null(f, "cannot open %s", path);
	char *buf = malloc(16384);
	cr_assert_not_null(buf);
	*len = fread(buf, 1, 16384, f);
	fclose(f);
	cr_assert_gt(*len, 0);
	return buf;
}

/* set_creds gives |c| the certificate |cert| and the private key |key|.
 * The library refuses a key that is not the certificate's (the public keys
 * are compared); tests of what a peer does with a signature by the wrong
 * key (e.g. alice.pem with bob.key) install the certificate with its own
 * key and then put the wrong key in place behind the library's back. */
static inline void set_creds(mikey_ctx *c, const char *cert, const char *key)
{
	size_t cl, kl;
	char *cp = slurp(cert, &cl), *kp = slurp(key, &kl);
	mikey_error err;
	int rc = mikey_ctx_set_credentials(c, cp, cl, kp, kl, &err);
	if (rc == MIKEY_ERR_ARG) {
		cr_assert(strstr(err.message, "does not belong") != NULL, "%s / %s: %s", cert, key, err.message);
		char own[64];
		size_t ol;
		snprintf(own, sizeof(own), "%.*s.key", (int)(strlen(cert) - 4), cert);
		char *op = slurp(own, &ol);
		cr_assert_eq(mikey_ctx_set_credentials(c, cp, cl, op, ol, NULL), MIKEY_OK, "credentials %s / %s", cert, own);
		free(op);
		mikey_pkey *wrong = NULL;
		cr_assert_eq(mikey_pkey_from_pem(&wrong, kp, kl, 1), MIKEY_OK);
		mikey_pkey_free(c->own_key);
		c->own_key = wrong;
		rc = MIKEY_OK;
	}
	cr_assert_eq(rc, MIKEY_OK, "credentials %s / %s: %s", cert, key, err.message);
	free(cp);
	free(kp);
}

static inline void add_peer_cert(mikey_ctx *c, const char *id, const char *cert)
{
	size_t len;
	char *pem = slurp(cert, &len);
	cr_assert_eq(mikey_ctx_add_peer_cert(c, id, strlen(id), pem, len, NULL), MIKEY_OK);
	free(pem);
}

/* make_cert_ctx: a party named |id| with the fixed clock, a counter RNG at
 * *rng_state, credentials |cert|/|key| and the test CA as trust anchor. */
static inline mikey_ctx *make_cert_ctx(const char *id, uint32_t *rng_state, const char *cert, const char *key)
{
	mikey_ctx *c = mikey_ctx_new();
	cr_assert_not_null(c);
	mikey_ctx_set_clock(c, fixed_clock, NULL);
	mikey_ctx_set_rng(c, counter_rng, rng_state);
	cr_assert_eq(mikey_ctx_set_id(c, MIKEY_ID_URI, id, strlen(id)), MIKEY_OK);
	set_creds(c, cert, key);
	size_t len;
	char *ca = slurp("ca.pem", &len);
	cr_assert_eq(mikey_ctx_add_trust(c, ca, len, NULL), MIKEY_OK);
	free(ca);
	return c;
}

/* expect_rejected: |responder| refuses |msg| with |code|, creates no
 * exchange, and hands back an error message whose first ERR is |err_no|.
 * |out_err| (may be NULL) receives the error. */
static inline void expect_rejected(mikey_ctx *responder, const uint8_t *msg, size_t len, int code, int err_no,
                                   mikey_error *out_err)
{
	mikey_exchange *er;
	uint8_t *resp;
	size_t rlen;
	mikey_error err;
	int rc = mikey_respond(responder, msg, len, &er, &resp, &rlen, &err);
	cr_assert_eq(rc, code, "got %s (%s), want %s", mikey_error_name(rc), err.message, mikey_error_name(code));
	cr_assert_null(er);
	cr_assert_not_null(resp, "an error message to send back");
	mikey_msg *m;
	cr_assert_eq(mikey_msg_parse(resp, rlen, NULL, &m, NULL), MIKEY_OK);
	cr_assert_eq(m->hdr.data_type, MIKEY_DT_ERROR);
	mikey_payload *e = mikey_msg_find(m, MIKEY_PT_ERR, 0);
	cr_assert_not_null(e);
	cr_assert_eq(e->u.err.err_no, err_no, "ERR %u, want %d", e->u.err.err_no, err_no);
	mikey_msg_free(m);
	mikey_buf_free(resp, rlen);
	if (out_err != NULL)
		*out_err = err;
}

#endif
