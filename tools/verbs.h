/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * verbs.h - the verbs of mikey-tool. Each verb lives in its own file and
 * gets the command line from its own name on (argv[0] is the verb), so it
 * parses its options with GOption like a program of its own.
 *
 * Exit status for every verb: 0 success, 2 usage error (bad option or
 * option value, unreadable file named on the command line), 1 every other
 * failure (malformed input, did not verify, out of memory, write error).
 */
#ifndef MIKEY_TOOL_VERBS_H
#define MIKEY_TOOL_VERBS_H

enum {
	TOOL_EXIT_OK = 0,
	TOOL_EXIT_BAD_INPUT = 1,
	TOOL_EXIT_FAIL = 1, /* any other failure: out of memory, write error */
	TOOL_EXIT_USAGE = 2
};

typedef struct tool_verb {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);
} tool_verb;

/* decode.c */
int tool_decode(int argc, char **argv);
/* create.c, respond.c, verify.c, derive.c (shared parts: tool_ctx.c) */
int tool_create(int argc, char **argv);
int tool_respond(int argc, char **argv);
int tool_verify(int argc, char **argv);
int tool_derive(int argc, char **argv);
/* tesla.c: chain, ext, check */
int tool_tesla(int argc, char **argv);

#endif
