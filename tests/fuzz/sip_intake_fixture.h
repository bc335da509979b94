/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sip_intake_fixture.h - the key server's side of a join, shared by the
 * fuzz target and its seed maker: a fixed clock (so that seeds made once
 * stay inside the timestamp window), the PSK of one member, and the
 * key server's context.
 */
#ifndef SIP_INTAKE_FIXTURE_H
#define SIP_INTAKE_FIXTURE_H

#include <string.h>

#include "mikey/exchange.h"
#include "mikey/types.h"

#define FIX_NTP ((uint64_t)0xe9a0000000000000ull) /* a fixed NTP time, 2024 */
#define FIX_KS "sip:ks@example.org"
#define FIX_MEMBER "sip:alice@example.org"

static const uint8_t fix_psk[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

static inline uint64_t fix_clock(void *user)
{
	(void)user;
	return FIX_NTP;
}

/* fix_ctx: a context named |self| holding the PSK for |peer|. */
static inline mikey_ctx *fix_ctx(const char *self, const char *peer)
{
	mikey_ctx *c = mikey_ctx_new();
	if (c == NULL)
		return NULL;
	mikey_ctx_set_clock(c, fix_clock, NULL);
	if (mikey_ctx_set_id(c, MIKEY_ID_URI, self, strlen(self)) != MIKEY_OK ||
	    mikey_ctx_add_psk(c, peer, strlen(peer), fix_psk, sizeof(fix_psk)) != MIKEY_OK) {
		mikey_ctx_free(c);
		return NULL;
	}
	return c;
}

#endif
