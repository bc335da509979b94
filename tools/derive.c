/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * derive.c - "mikey-tool derive [--json] [OPTIONS] [IN]": the keys of each
 * crypto session. Responder side by default (IN is an I_MESSAGE, run
 * through mikey_respond); initiator side with --state FILE (the exchange
 * of "create --state" rerun, finished with the response IN when the
 * exchange asked for one).
 */
#include <stdio.h>
#include <string.h>

#include "keys_out.h"
#include "tool_ctx.h"
#include "verbs.h"

int tool_derive(int argc, char **argv)
{
	tool_opts o;
	gchar **rest = NULL;
	tool_clock clock = {false, 0};
	tool_rng rng;
	tool_initiator ini;
	mikey_ctx *ctx = NULL;
	mikey_exchange *ex = NULL;
	const mikey_exchange *done = NULL;
	uint8_t *in = NULL, *resp = NULL;
	size_t in_len = 0, resp_len = 0;
	mikey_error err;
	bool bad_seed;
	int status, rc;

	memset(&ini, 0, sizeof(ini));
	status = tool_parse_options("derive", "[IN|-]",
	                            "Print the SRTP master key, salt, MKI and policy of each crypto session.\n"
	                            "Responder: IN is the I_MESSAGE. Initiator: --state FILE from \"create --state\", "
	                            "IN the response\n(when the initiator asked for one).\nExit status: 0 keys "
	                            "printed, 1 the exchange failed (named error), 2 usage error.",
	                            TOOL_OPT_OFFER | TOOL_OPT_STATE | TOOL_OPT_KEYS, argc, argv, &o, &rest);
	if (status != 0)
		goto out;
	status = TOOL_EXIT_USAGE;
	if (g_strv_length(rest) > 2) {
		fprintf(stderr, "mikey-tool derive: expected at most one input, got %s too\n", tool_q(rest[2]));
		goto out;
	}
	if (o.state != NULL) {
		if ((status = tool_state_rerun("derive", o.state, o.now, &ini)) != 0)
			goto out;
		status = TOOL_EXIT_USAGE;
		if (!mikey_exchange_is_complete(ini.ex)) {
			if ((status = tool_read_message("derive", rest[1], &o, &in, &in_len)) != 0)
				goto out;
			rc = mikey_exchange_finish(ini.ex, in, in_len, &err);
			if (rc != MIKEY_OK) {
				tool_report_error("derive", rc, &err, -1);
				status = TOOL_EXIT_BAD_INPUT;
				goto out;
			}
		} else if (rest[1] != NULL) {
			fprintf(stderr, "mikey-tool derive: this exchange takes no response (no V flag), yet IN was given\n");
			goto out;
		}
		done = ini.ex;
	} else {
		if (o.now != NULL) {
			if (!tool_parse_now(o.now, &clock.ntp)) {
				fprintf(stderr, "mikey-tool derive: --now: %s is not a time\n", tool_q(o.now));
				goto out;
			}
			clock.fixed = true;
		}
		bool seeded = tool_setup_rng("derive", &o, &rng, &bad_seed);
		if (bad_seed)
			goto out;
		if ((ctx = tool_build_ctx("derive", &o, &clock, seeded ? &rng : NULL, &status)) == NULL)
			goto out;
		if ((status = tool_setup_rsar_keys("derive", &o, ctx)) != 0)
			goto out;
		if ((status = tool_read_message("derive", rest[1], &o, &in, &in_len)) != 0)
			goto out;
		rc = mikey_respond(ctx, in, in_len, &ex, &resp, &resp_len, &err);
		if (rc != MIKEY_OK) {
			mikey_msg *m = NULL;
			mikey_mode mode;
			bool initiator;
			int hint = -1;
			if (mikey_msg_parse(in, in_len, NULL, &m, NULL) == MIKEY_OK &&
			    tool_mode_from_data_type(m->hdr.data_type, &mode, &initiator) && initiator)
				hint = (int)mode;
			mikey_msg_free(m);
			tool_report_error("derive", rc, &err, hint);
			status = TOOL_EXIT_BAD_INPUT;
			goto out;
		}
		done = ex;
	}
	rc = keys_print(stdout, done, o.keys_json, &err);
	if (rc != MIKEY_OK) {
		tool_report_error("derive", rc, &err, -1);
		status = TOOL_EXIT_BAD_INPUT;
		goto out;
	}
	status = fflush(stdout) == 0 ? TOOL_EXIT_OK : TOOL_EXIT_FAIL;
out:
	mikey_buf_free(resp, resp_len);
	mikey_buf_free(in, in_len);
	mikey_exchange_free(ex);
	mikey_ctx_free(ctx);
	tool_initiator_cleanup(&ini);
	memset(&rng, 0, sizeof(rng));
	tool_opts_clear(&o);
	g_strfreev(rest);
	return status;
}
