/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * create.c - "mikey-tool create --mode M [OPTIONS]": the initiator's first
 * step (mikey_initiate). Writes the I_MESSAGE; with --state FILE also the
 * recipe that lets "derive/verify --state FILE" rerun this initiator to
 * finish the exchange (tool_ctx.h explains why a recipe).
 */
#include <stdio.h>
#include <string.h>

#include "tool_ctx.h"
#include "verbs.h"

int tool_create(int argc, char **argv)
{
	tool_opts o;
	gchar **rest = NULL;
	tool_offer offer;
	tool_clock clock = {false, 0};
	tool_rng rng;
	mikey_ctx *ctx = NULL;
	mikey_exchange *ex = NULL;
	uint8_t *msg = NULL;
	size_t len = 0;
	mikey_error err;
	bool bad_seed;
	int status, rc;

	memset(&offer, 0, sizeof(offer));
	status = tool_parse_options("create", "",
	                            "Create an initiator message (I_MESSAGE) of a MIKEY exchange (RFC 3830, 4650, "
	                            "4738).\nExit status: 0 done, 1 the library refused (named error on stderr), "
	                            "2 usage error.",
	                            TOOL_OPT_OFFER | TOOL_OPT_OFFER_JSON | TOOL_OPT_OUTPUT | TOOL_OPT_STATE, argc, argv, &o, &rest);
	if (status != 0)
		goto out;
	status = TOOL_EXIT_USAGE;
	if (g_strv_length(rest) > 1) {
		fprintf(stderr, "mikey-tool create: unexpected argument %s\n", tool_q(rest[1]));
		goto out;
	}
	if ((status = tool_build_offer("create", &o, &offer)) != 0)
		goto out;
	if (offer.tesla_seed_drawn) {
		/* The recipe must rebuild the same chain (and commitment). */
		o.tesla_seed = tool_hex(offer.tesla_seed, mikey_tesla_sender_get0_params(offer.tesla)->n_p / 8u);
	}
	status = TOOL_EXIT_USAGE;
	if (o.now != NULL) {
		if (!tool_parse_now(o.now, &clock.ntp)) {
			fprintf(stderr, "mikey-tool create: --now: %s is not a time (0xHEX, decimal NTP, ISO 8601)\n",
			        tool_q(o.now));
			goto out;
		}
	} else {
		/* One reading for the whole run, so that --state records it. */
		clock.ntp = mikey_clock_system(NULL);
	}
	clock.fixed = true;
	bool seeded = tool_setup_rng("create", &o, &rng, &bad_seed);
	if (bad_seed)
		goto out;
	if (!seeded && o.state != NULL) {
		/* The state must be able to replay the RNG: seed a stream from
		 * the library's RNG (the OpenSSL DRBG) and record the seed. */
		uint8_t seed[32];
		if (mikey_rng_bytes(NULL, seed, sizeof(seed)) != MIKEY_OK) {
			fprintf(stderr, "mikey-tool create: the random number generator failed\n");
			status = TOOL_EXIT_BAD_INPUT;
			goto out;
		}
		tool_rng_init(&rng, seed, sizeof(seed));
		memset(seed, 0, sizeof(seed));
		seeded = true;
	}
	if ((ctx = tool_build_ctx("create", &o, &clock, seeded ? &rng : NULL, &status)) == NULL)
		goto out;
	rc = mikey_initiate(ctx, &offer.offer, &ex, &msg, &len, &err);
	if (rc != MIKEY_OK) {
		tool_report_error("create", rc, &err, offer.offer.mode);
		status = TOOL_EXIT_BAD_INPUT;
		goto out;
	}
	if (o.state != NULL) {
		/* The seed as it was before this run drew from it. */
		tool_rng fresh;
		tool_rng_init(&fresh, rng.seed, rng.seed_len);
		status = tool_state_save("create", o.state, &o, &fresh, clock.ntp, msg, len);
		memset(&fresh, 0, sizeof(fresh));
		if (status != 0)
			goto out;
	}
	status = tool_write_message("create", &o, msg, len);
out:
	mikey_buf_free(msg, len);
	mikey_exchange_free(ex);
	mikey_ctx_free(ctx);
	tool_offer_cleanup(&offer);
	memset(&rng, 0, sizeof(rng));
	tool_opts_clear(&o);
	g_strfreev(rest);
	return status;
}
