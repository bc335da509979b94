/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * json.h - a small streaming JSON writer for mikey-tool (no external JSON
 * library). It tracks commas and indentation; strings are escaped per
 * RFC 8259 §7, and bytes outside ASCII are written as \u00XX so that the
 * output is always valid UTF-8.
 */
#ifndef MIKEY_TOOL_JSON_H
#define MIKEY_TOOL_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 32

typedef struct json_writer {
	FILE *f;
	bool pretty;
	int depth;
	bool first[JSON_MAX_DEPTH]; /* no element written yet at this depth */
	bool after_key;             /* a key was written; its value comes next */
} json_writer;

/* json_init prepares |w| to write to |f|, indented when |pretty|. */
void json_init(json_writer *w, FILE *f, bool pretty);
/* json_finish ends the document with a newline. */
void json_finish(json_writer *w);

void json_begin_object(json_writer *w);
void json_end_object(json_writer *w);
void json_begin_array(json_writer *w);
void json_end_array(json_writer *w);
void json_key(json_writer *w, const char *key);

/* Values. json_string writes null for NULL. */
void json_string(json_writer *w, const char *s);
void json_string_n(json_writer *w, const uint8_t *s, size_t n);
void json_uint(json_writer *w, uint64_t v);
void json_int(json_writer *w, int64_t v);
void json_bool(json_writer *w, bool v);
void json_null(json_writer *w);
/* json_hex writes |n| bytes as a lowercase hex string ("" when n == 0). */
void json_hex(json_writer *w, const uint8_t *p, size_t n);

/* Shorthands for "key": value. */
void json_kv_string(json_writer *w, const char *key, const char *s);
void json_kv_uint(json_writer *w, const char *key, uint64_t v);
void json_kv_int(json_writer *w, const char *key, int64_t v);
void json_kv_bool(json_writer *w, const char *key, bool v);
void json_kv_hex(json_writer *w, const char *key, const uint8_t *p, size_t n);
/* json_kv_named writes "key": v and "key_name": name (null when NULL),
 * the pattern docs/decode-json.md uses for every registry value. */
void json_kv_named(json_writer *w, const char *key, uint64_t v, const char *name);

#endif
