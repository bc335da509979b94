/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * decode.c - "mikey-tool decode [--json] [--format FMT] [FILE|-]":
 * take a MIKEY message out of its carrier (mikey_text_decode), parse it
 * (mikey_msg_parse) and print every field.
 */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>

#include <mikey/mikey.h>

#include "input.h"
#include "print.h"
#include "tool_ctx.h"
#include "verbs.h"

int tool_decode(int argc, char **argv)
{
	gboolean json = FALSE;
	gchar *format_name = NULL;
	GOptionEntry entries[] = {
		{"json", 'j', 0, G_OPTION_ARG_NONE, &json, "Print JSON as docs/decode-json.md specifies", NULL},
		{"format", 'f', 0, G_OPTION_ARG_STRING, &format_name,
		 "Input format: auto (default), bin, hex, base64, sdp, rtsp", "FMT"},
		{NULL, 0, 0, 0, NULL, NULL, NULL},
	};
	GOptionContext *ctx = g_option_context_new("[FILE|-]");
	GError *gerr = NULL;
	mikey_text_format fmt = MIKEY_FORMAT_AUTO;
	uint8_t *input = NULL, *bytes = NULL;
	size_t input_len = 0, len = 0;
	mikey_msg *msg = NULL;
	mikey_error err;
	print_input in = {NULL, MIKEY_FORMAT_AUTO, 0};
	int status = TOOL_EXIT_USAGE;
	int rc;

	mikey_error_clear(&err);
	g_option_context_set_summary(ctx, "Decode a MIKEY message (RFC 3830) and print every field.\n"
	                                  "Reads FILE, or standard input when FILE is - or absent.\n"
	                                  "Exit status: 0 good message, 1 malformed, 2 usage error.");
	g_option_context_add_main_entries(ctx, entries, NULL);
	g_set_prgname("mikey-tool decode");
	if (!tool_no_repeats("mikey-tool decode", argc, argv, entries))
		goto out;
	if (!g_option_context_parse(ctx, &argc, &argv, &gerr)) {
		fprintf(stderr, "mikey-tool decode: %s\n", gerr->message);
		goto out;
	}
	if (argc > 2) {
		fprintf(stderr, "mikey-tool decode: expected at most one FILE, got %d arguments\n", argc - 1);
		goto out;
	}
	if (format_name != NULL && mikey_text_format_from_name(format_name, &fmt) != MIKEY_OK) {
		fprintf(stderr, "mikey-tool decode: unknown --format %s (auto, bin, hex, base64, sdp, rtsp)\n",
		        tool_q(format_name));
		goto out;
	}
	in.source = argc == 2 && g_strcmp0(argv[1], "-") != 0 ? argv[1] : "<stdin>";
	if ((rc = tool_read_input(argc == 2 ? argv[1] : NULL, &input, &input_len)) != 0) {
		if (rc == -2)
			status = TOOL_EXIT_FAIL; /* out of memory is not a usage error */
		goto out;
	}

	status = TOOL_EXIT_BAD_INPUT;
	long bad = fmt == MIKEY_FORMAT_AUTO ? tool_text_bad_char(input, input_len) : -1;
	if (bad >= 0) {
		/* A NUL or control byte in text input: say where, rather than
		 * decoding the text as a binary message of "version 48". */
		mikey_error_clear(&err);
		rc = err.code = MIKEY_ERR_FORMAT;
		err.offset = (size_t)bad;
		snprintf(err.message, sizeof(err.message),
		         "bad character 0x%02x at offset %ld (not hex, base64 or binary MIKEY)", input[bad], bad);
	} else {
		rc = mikey_text_decode(input, input_len, fmt, &bytes, &len, &in.format, &err);
	}
	if (rc == MIKEY_OK) {
		in.length = len;
		rc = mikey_msg_parse(bytes, len, NULL, &msg, &err);
	}
	if (rc != MIKEY_OK) {
		if (err.code == MIKEY_OK)
			err.code = rc; /* a callee that did not fill |err| */
		if (json)
			print_json_error(stdout, &err);
		else
			print_text_error(stderr, &err, &in);
		goto out;
	}
	if (json)
		print_json(stdout, msg, &in);
	else
		print_text(stdout, msg, &in);
	status = fflush(stdout) == 0 ? TOOL_EXIT_OK : TOOL_EXIT_BAD_INPUT;
out:
	mikey_msg_free(msg);
	mikey_buf_free(bytes, len);
	free(input);
	g_clear_error(&gerr);
	g_free(format_name);
	g_option_context_free(ctx);
	return status;
}
