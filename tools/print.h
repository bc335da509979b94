/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * print.h - the two ways mikey-tool shows a parsed message: text for
 * people (every field with its name, value and meaning) and JSON for
 * programs (docs/decode-json.md).
 */
#ifndef MIKEY_TOOL_PRINT_H
#define MIKEY_TOOL_PRINT_H

#include <stddef.h>
#include <stdio.h>

#include <mikey/mikey.h>

/* Facts about the input that are not part of the message. */
typedef struct print_input {
	const char *source;        /* file name, or "<stdin>" */
	mikey_text_format format;  /* carrier the bytes came in */
	size_t length;             /* message bytes */
} print_input;

/* print_text writes |msg| for people. */
void print_text(FILE *f, const mikey_msg *msg, const print_input *in);

/* print_text_error writes a decode failure for people. */
void print_text_error(FILE *f, const mikey_error *err, const print_input *in);

/* print_json writes |msg| as the object docs/decode-json.md specifies. */
void print_json(FILE *f, const mikey_msg *msg, const print_input *in);

/* print_json_error writes {"error": {...}} for a decode failure. */
void print_json_error(FILE *f, const mikey_error *err);

/* Helpers shared by both printers (print_common.c). */

/* be_uint reads |n| (<= 8) big-endian bytes. */
unsigned long long be_uint(const uint8_t *p, size_t n);

/* is_printable tells whether all |n| bytes are printable ASCII (n > 0). */
int is_printable(const uint8_t *p, size_t n);

/* sp_value_name returns the registry name of an SP parameter's value when
 * the parameter type has a value registry; *has_registry says whether it
 * has one (the name may still be NULL for an unregistered value). */
const char *sp_value_name(uint8_t prot_type, const mikey_sp_param *param, int *has_registry);

/* payload_title returns a longer title for a payload type, e.g.
 * "Timestamp" for T; never NULL. */
const char *payload_title(int type);

#endif
