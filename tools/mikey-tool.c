/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * mikey-tool.c - verb dispatch: "mikey-tool VERB [OPTIONS] [ARGS]".
 * A new verb is one more file and one more row in |verbs|.
 */
#include <stdio.h>
#include <string.h>

#include "tool_ctx.h"
#include "verbs.h"

static const tool_verb verbs[] = {
	{"decode", "print every field of a MIKEY message (text or --json)", tool_decode},
	{"create", "make an initiator message (I_MESSAGE) for --mode psk|pk|dh|dhhmac|rsar", tool_create},
	{"respond", "answer an I_MESSAGE as the responder (response or error message)", tool_respond},
	{"verify", "check a message's MAC, signature or verification data", tool_verify},
	{"derive", "print the SRTP keys of each crypto session (--json)", tool_derive},
	{"tesla", "TESLA by hand: chain keys, compute or check a packet's extension", tool_tesla},
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: mikey-tool VERB [OPTIONS] [ARGS]\n\nVerbs:\n");
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		fprintf(f, "  %-10s %s\n", verbs[i].name, verbs[i].summary);
	fprintf(f, "\n\"mikey-tool VERB --help\" describes the options of VERB.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return TOOL_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return TOOL_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (strcmp(argv[1], verbs[i].name) == 0)
			return verbs[i].run(argc - 1, argv + 1);
	fprintf(stderr, "mikey-tool: unknown verb %s\n\n", tool_q(argv[1]));
	usage(stderr);
	return TOOL_EXIT_USAGE;
}
