/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * respond.c - "mikey-tool respond [OPTIONS] [IN]": the responder
 * (mikey_respond). Writes the response (verification message, DH or RSA-R
 * response) when one is due; on rejection writes the error message the
 * library built (RFC 3830 §5.1.2), names the error on stderr, exits 1.
 */
#include <stdio.h>
#include <string.h>

#include "tool_ctx.h"
#include "verbs.h"

/* The mode an I_MESSAGE asks for, for "mode not available" reports. */
static int mode_of(const uint8_t *msg, size_t len)
{
	mikey_msg *m = NULL;
	mikey_mode mode;
	bool initiator;
	int hint = -1;
	if (mikey_msg_parse(msg, len, NULL, &m, NULL) == MIKEY_OK &&
	    tool_mode_from_data_type(m->hdr.data_type, &mode, &initiator) && initiator)
		hint = (int)mode;
	mikey_msg_free(m);
	return hint;
}

int tool_respond(int argc, char **argv)
{
	tool_opts o;
	gchar **rest = NULL;
	tool_clock clock = {false, 0};
	tool_rng rng;
	mikey_ctx *ctx = NULL;
	mikey_exchange *ex = NULL;
	uint8_t *in = NULL, *resp = NULL;
	size_t in_len = 0, resp_len = 0;
	mikey_error err;
	bool bad_seed;
	int status, rc;

	status = tool_parse_options("respond", "[IN|-]",
	                            "Answer an initiator message as the responder: writes the response, or the "
	                            "error message\non rejection (exit 1, the error named on stderr).\nExit status: "
	                            "0 accepted, 1 rejected or malformed, 2 usage error.",
	                            TOOL_OPT_OFFER | TOOL_OPT_OUTPUT, argc, argv, &o, &rest);
	if (status != 0)
		goto out;
	status = TOOL_EXIT_USAGE;
	if (g_strv_length(rest) > 2) {
		fprintf(stderr, "mikey-tool respond: expected at most one input, got %s too\n", tool_q(rest[2]));
		goto out;
	}
	if (o.now != NULL) {
		if (!tool_parse_now(o.now, &clock.ntp)) {
			fprintf(stderr, "mikey-tool respond: --now: %s is not a time\n", tool_q(o.now));
			goto out;
		}
		clock.fixed = true;
	}
	bool seeded = tool_setup_rng("respond", &o, &rng, &bad_seed);
	if (bad_seed)
		goto out;
	if ((ctx = tool_build_ctx("respond", &o, &clock, seeded ? &rng : NULL, &status)) == NULL)
		goto out;
	if ((status = tool_setup_rsar_keys("respond", &o, ctx)) != 0)
		goto out;
	if ((status = tool_read_message("respond", rest[1], &o, &in, &in_len)) != 0)
		goto out;
	rc = mikey_respond(ctx, in, in_len, &ex, &resp, &resp_len, &err);
	if (rc != MIKEY_OK) {
		tool_report_error("respond", rc, &err, mode_of(in, in_len));
		if (resp != NULL)
			(void)tool_write_message("respond", &o, resp, resp_len);
		status = TOOL_EXIT_BAD_INPUT;
		goto out;
	}
	if (resp == NULL) {
		fprintf(stderr, "mikey-tool respond: accepted; no response is due (V flag clear)\n");
		status = TOOL_EXIT_OK;
		goto out;
	}
	status = tool_write_message("respond", &o, resp, resp_len);
out:
	mikey_buf_free(resp, resp_len);
	mikey_buf_free(in, in_len);
	mikey_exchange_free(ex);
	mikey_ctx_free(ctx);
	memset(&rng, 0, sizeof(rng));
	tool_opts_clear(&o);
	g_strfreev(rest);
	return status;
}
