/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * offer_json.c - "create --json FILE": an offer written as one flat JSON
 * object whose keys are the long option names (with '-' or '_'), e.g.
 *   {"mode": "psk", "psk": "00112233...", "ssrc": [1, 2], "verify": true}
 * Each member becomes the option it names: strings and numbers give
 * "--key=value", arrays are joined with ',' ("--ssrc=1,2"), true gives
 * "--key", false and null give nothing. So a JSON offer means exactly what
 * the same options mean (docs/mikey-tool.md). A small RFC 8259 reader
 * suffices: no nesting beyond arrays of scalars.
 */
#include "offer_json.h"

#include <stdio.h>
#include <string.h>

typedef struct jin {
	const char *start, *p, *end;
	char *why;
	size_t cap;
} jin;

static void ws(jin *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static bool fail(jin *j, const char *what)
{
	snprintf(j->why, j->cap, "%s at byte %td", what, j->p - j->start);
	return false;
}

/* A string (after its opening quote) into |out|. Escapes of RFC 8259 §7;
 * \u is taken for ASCII only (option values are ASCII). */
static bool string(jin *j, GString *out)
{
	for (;;) {
		if (j->p >= j->end)
			return fail(j, "unterminated string");
		char c = *j->p++;
		if (c == '"')
			return true;
		if ((unsigned char)c < 0x20)
			return fail(j, "control character in string");
		if (c != '\\') {
			g_string_append_c(out, c);
			continue;
		}
		if (j->p >= j->end)
			return fail(j, "unterminated escape");
		c = *j->p++;
		switch (c) {
		case '"': case '\\': case '/': g_string_append_c(out, c); break;
		case 'b': g_string_append_c(out, '\b'); break;
		case 'f': g_string_append_c(out, '\f'); break;
		case 'n': g_string_append_c(out, '\n'); break;
		case 'r': g_string_append_c(out, '\r'); break;
		case 't': g_string_append_c(out, '\t'); break;
		case 'u': {
			unsigned v = 0;
			for (int i = 0; i < 4; i++) {
				if (j->p >= j->end || !g_ascii_isxdigit(*j->p))
					return fail(j, "bad \\u escape");
				v = v * 16 + (unsigned)g_ascii_xdigit_value(*j->p++);
			}
			if (v == 0 || v > 0x7f)
				return fail(j, "\\u escape outside ASCII");
			g_string_append_c(out, (char)v);
			break;
		}
		default:
			return fail(j, "bad escape");
		}
	}
}

/* A scalar: string, number, true, false, null. *kind: 's', 'n', 't', 'f', 'z'. */
static bool scalar(jin *j, GString *out, char *kind)
{
	ws(j);
	if (j->p >= j->end)
		return fail(j, "value expected");
	if (*j->p == '"') {
		j->p++;
		*kind = 's';
		return string(j, out);
	}
	static const struct {
		const char *word;
		char kind;
	} words[] = {{"true", 't'}, {"false", 'f'}, {"null", 'z'}};
	for (size_t i = 0; i < 3; i++) {
		size_t n = strlen(words[i].word);
		if ((size_t)(j->end - j->p) >= n && memcmp(j->p, words[i].word, n) == 0) {
			j->p += n;
			*kind = words[i].kind;
			return true;
		}
	}
	const char *s = j->p;
	if (j->p < j->end && *j->p == '-')
		j->p++;
	while (j->p < j->end && (g_ascii_isdigit(*j->p) || *j->p == '.' || *j->p == 'e' || *j->p == 'E' ||
	                         *j->p == '+' || *j->p == '-'))
		j->p++;
	if (j->p == s)
		return fail(j, "value expected");
	g_string_append_len(out, s, j->p - s);
	*kind = 'n';
	return true;
}

bool offer_json_to_args(const char *text, size_t len, GPtrArray *args, char *why, size_t cap)
{
	jin j = {text, text, text + len, why, cap};
	GString *key = g_string_new(NULL), *val = g_string_new(NULL);
	bool ok = false;

	ws(&j);
	if (j.p >= j.end || *j.p != '{') {
		fail(&j, "a JSON object expected");
		goto out;
	}
	j.p++;
	ws(&j);
	if (j.p < j.end && *j.p == '}') {
		j.p++;
		ok = true;
		goto trailing;
	}
	for (;;) {
		ws(&j);
		g_string_truncate(key, 0);
		g_string_truncate(val, 0);
		if (j.p >= j.end || *j.p != '"') {
			fail(&j, "member name expected");
			goto out;
		}
		j.p++;
		if (!string(&j, key))
			goto out;
		ws(&j);
		if (j.p >= j.end || *j.p != ':') {
			fail(&j, "':' expected");
			goto out;
		}
		j.p++;
		ws(&j);
		char kind;
		if (j.p < j.end && *j.p == '[') {
			j.p++;
			ws(&j);
			kind = 'a';
			bool first = true;
			while (j.p < j.end && *j.p != ']') {
				char k;
				if (!first) {
					if (*j.p != ',') {
						fail(&j, "',' or ']' expected");
						goto out;
					}
					j.p++;
					g_string_append_c(val, ',');
				}
				if (!scalar(&j, val, &k))
					goto out;
				if (k != 's' && k != 'n') {
					fail(&j, "arrays hold strings and numbers only");
					goto out;
				}
				first = false;
				ws(&j);
			}
			if (j.p >= j.end) {
				fail(&j, "unterminated array");
				goto out;
			}
			j.p++;
		} else if (!scalar(&j, val, &kind)) {
			goto out;
		}
		for (char *c = key->str; *c; c++)
			if (*c == '_')
				*c = '-';
		if (kind == 't')
			g_ptr_array_add(args, g_strdup_printf("--%s", key->str));
		else if (kind == 's' || kind == 'n' || kind == 'a')
			g_ptr_array_add(args, g_strdup_printf("--%s=%s", key->str, val->str));
		ws(&j);
		if (j.p < j.end && *j.p == ',') {
			j.p++;
			continue;
		}
		if (j.p < j.end && *j.p == '}') {
			j.p++;
			ok = true;
			break;
		}
		fail(&j, "',' or '}' expected");
		goto out;
	}
trailing:
	ws(&j);
	if (j.p != j.end) {
		ok = false;
		fail(&j, "text after the object");
	}
out:
	g_string_free(key, TRUE);
	g_string_free(val, TRUE);
	return ok;
}
