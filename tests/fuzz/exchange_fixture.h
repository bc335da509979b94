/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * exchange_fixture.h - the fixed parties of fuzz_exchange and its seed
 * maker: "bob", a responder that knows every mode (PSK, certificates, an
 * RSA-R key-server configuration, NULL KEMACs and weak DH allowed), and
 * "alice", whose initiator exchanges are deterministic (fixed clock,
 * counter RNG), so the seed maker and the fuzzer build the same ones.
 */
#ifndef FUZZ_EXCHANGE_FIXTURE_H
#define FUZZ_EXCHANGE_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mikey/exchange.h"

#define FIX_T0 ((uint64_t)0xe9000000u << 32)
#define FIX_ALICE "sip:alice@example.com"
#define FIX_BOB "sip:bob@example.com"

static uint64_t fix_clock(void *user)
{
	(void)user;
	return FIX_T0;
}

static int fix_rng(void *user, uint8_t *out, size_t len)
{
	uint32_t *c = user;
	for (size_t i = 0; i < len; i++)
		out[i] = (uint8_t)(*c * 131u + 7u), (*c)++;
	return 0;
}

static char *fix_slurp(const char *name, size_t *len)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/tests/certs/%s", MIKEY_SOURCE_ROOT, name);
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		abort();
	static char buf[4][16384];
	static int next;
	char *b = buf[next++ % 4];
	*len = fread(b, 1, sizeof(buf[0]) - 1, f);
	b[*len] = 0;
	fclose(f);
	return b;
}

static const uint8_t fix_psk[20] = "0123456789abcdefghij";

static mikey_ctx *fix_party(const char *id, const char *cert, const char *key, uint32_t *rng_state)
{
	size_t cl, kl, al;
	mikey_ctx *c = mikey_ctx_new();
	if (c == NULL)
		abort();
	mikey_ctx_set_clock(c, fix_clock, NULL);
	mikey_ctx_set_rng(c, fix_rng, rng_state);
	const char *cp = fix_slurp(cert, &cl), *kp = fix_slurp(key, &kl), *ca = fix_slurp("ca.pem", &al);
	if (mikey_ctx_set_id(c, MIKEY_ID_URI, id, strlen(id)) != MIKEY_OK ||
	    mikey_ctx_set_credentials(c, cp, cl, kp, kl, NULL) != MIKEY_OK || mikey_ctx_add_trust(c, ca, al, NULL) != MIKEY_OK ||
	    mikey_ctx_add_psk(c, NULL, 0, fix_psk, sizeof(fix_psk)) != MIKEY_OK)
		abort();
	mikey_ctx_allow_null_kemac(c, true);
	mikey_ctx_allow_weak_dh(c, true);
	return c;
}

static mikey_srtp_policy fix_policy;
static const mikey_cs_desc fix_cs[2] = {{0x11111111, 0, 0}, {0x22222222, 5, 0}};

static void fix_offer(mikey_offer *o, mikey_mode mode)
{
	mikey_srtp_policy_default(&fix_policy);
	mikey_offer_init(o, mode);
	o->cs = fix_cs;
	o->n_cs = 2;
	o->policies = &fix_policy;
	o->n_policies = 1;
	o->peer_id = FIX_BOB;
	o->peer_id_len = strlen(FIX_BOB);
	o->want_verify = true;
}

/* bob: answers every mode. */
static mikey_ctx *fix_responder(uint32_t *rng_state)
{
	mikey_ctx *c = fix_party(FIX_BOB, "bob.pem", "bob.key", rng_state);
	mikey_offer k;
	fix_offer(&k, MIKEY_MODE_RSAR);
	if (mikey_ctx_set_rsar_keys(c, &k) != MIKEY_OK || mikey_ctx_set_replay_capacity(c, 8) != MIKEY_OK)
		abort();
	return c;
}

/* alice: knows bob's certificate for the public-key mode. */
static mikey_ctx *fix_initiator(uint32_t *rng_state)
{
	size_t bl;
	mikey_ctx *c = fix_party(FIX_ALICE, "alice.pem", "alice.key", rng_state);
	const char *bob = fix_slurp("bob.pem", &bl);
	if (mikey_ctx_add_peer_cert(c, FIX_BOB, strlen(FIX_BOB), bob, bl, NULL) != MIKEY_OK)
		abort();
	return c;
}

static const mikey_mode fix_modes[5] = {MIKEY_MODE_PSK, MIKEY_MODE_PK, MIKEY_MODE_DH_SIGN, MIKEY_MODE_DHHMAC,
                                        MIKEY_MODE_RSAR};

#endif
