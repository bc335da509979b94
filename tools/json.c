/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* json.c - see json.h. */
#include "json.h"

#include <inttypes.h>
#include <string.h>

void json_init(json_writer *w, FILE *f, bool pretty)
{
	memset(w, 0, sizeof(*w));
	w->f = f;
	w->pretty = pretty;
	w->first[0] = true;
}

void json_finish(json_writer *w)
{
	fputc('\n', w->f);
}

static void newline_indent(json_writer *w)
{
	if (!w->pretty)
		return;
	fputc('\n', w->f);
	for (int i = 0; i < w->depth; i++)
		fputs("  ", w->f);
}

/* before_value writes the separator a new element needs. */
static void before_value(json_writer *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (w->depth == 0)
		return;
	if (!w->first[w->depth])
		fputc(',', w->f);
	w->first[w->depth] = false;
	newline_indent(w);
}

static void open_container(json_writer *w, char c)
{
	before_value(w);
	fputc(c, w->f);
	if (w->depth + 1 < JSON_MAX_DEPTH)
		w->depth++;
	w->first[w->depth] = true;
}

static void close_container(json_writer *w, char c)
{
	bool empty = w->first[w->depth];

	if (w->depth > 0)
		w->depth--;
	if (!empty)
		newline_indent(w);
	fputc(c, w->f);
}

void json_begin_object(json_writer *w)
{
	open_container(w, '{');
}

void json_end_object(json_writer *w)
{
	close_container(w, '}');
}

void json_begin_array(json_writer *w)
{
	open_container(w, '[');
}

void json_end_array(json_writer *w)
{
	close_container(w, ']');
}

static void write_escaped(json_writer *w, const uint8_t *s, size_t n)
{
	fputc('"', w->f);
	for (size_t i = 0; i < n; i++) {
		uint8_t c = s[i];
		switch (c) {
		case '"':
			fputs("\\\"", w->f);
			break;
		case '\\':
			fputs("\\\\", w->f);
			break;
		case '\n':
			fputs("\\n", w->f);
			break;
		case '\r':
			fputs("\\r", w->f);
			break;
		case '\t':
			fputs("\\t", w->f);
			break;
		case '\b':
			fputs("\\b", w->f);
			break;
		case '\f':
			fputs("\\f", w->f);
			break;
		default:
			/* Controls must be escaped (RFC 8259 §7); bytes >= 0x80 are
			 * escaped too, read as Latin-1, so the output is valid UTF-8. */
			if (c < 0x20 || c >= 0x7f)
				fprintf(w->f, "\\u%04x", (unsigned)c);
			else
				fputc(c, w->f);
		}
	}
	fputc('"', w->f);
}

void json_key(json_writer *w, const char *key)
{
	before_value(w);
	write_escaped(w, (const uint8_t *)key, strlen(key));
	fputs(w->pretty ? ": " : ":", w->f);
	w->after_key = true;
}

void json_string(json_writer *w, const char *s)
{
	if (s == NULL) {
		json_null(w);
		return;
	}
	json_string_n(w, (const uint8_t *)s, strlen(s));
}

void json_string_n(json_writer *w, const uint8_t *s, size_t n)
{
	before_value(w);
	write_escaped(w, s, n);
}

void json_uint(json_writer *w, uint64_t v)
{
	before_value(w);
	fprintf(w->f, "%" PRIu64, v);
}

void json_int(json_writer *w, int64_t v)
{
	before_value(w);
	fprintf(w->f, "%" PRId64, v);
}

void json_bool(json_writer *w, bool v)
{
	before_value(w);
	fputs(v ? "true" : "false", w->f);
}

void json_null(json_writer *w)
{
	before_value(w);
	fputs("null", w->f);
}

void json_hex(json_writer *w, const uint8_t *p, size_t n)
{
	before_value(w);
	fputc('"', w->f);
	for (size_t i = 0; i < n; i++)
		fprintf(w->f, "%02x", (unsigned)p[i]);
	fputc('"', w->f);
}

void json_kv_string(json_writer *w, const char *key, const char *s)
{
	json_key(w, key);
	json_string(w, s);
}

void json_kv_uint(json_writer *w, const char *key, uint64_t v)
{
	json_key(w, key);
	json_uint(w, v);
}

void json_kv_int(json_writer *w, const char *key, int64_t v)
{
	json_key(w, key);
	json_int(w, v);
}

void json_kv_bool(json_writer *w, const char *key, bool v)
{
	json_key(w, key);
	json_bool(w, v);
}

void json_kv_hex(json_writer *w, const char *key, const uint8_t *p, size_t n)
{
	json_key(w, key);
	json_hex(w, p, n);
}

void json_kv_named(json_writer *w, const char *key, uint64_t v, const char *name)
{
	char name_key[64];

	json_kv_uint(w, key, v);
	snprintf(name_key, sizeof(name_key), "%s_name", key);
	json_kv_string(w, name_key, name);
}
