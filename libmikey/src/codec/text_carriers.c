/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * text.c - MIKEY messages in their textual carriers (mikey/text.h): hex,
 * base64, SDP "a=key-mgmt" attributes (RFC 4567 §3.1) and RTSP "KeyMgmt"
 * headers (RFC 4567 §3.2).
 *
 * The input is a byte range, not a C string: nothing here reads past
 * |len| or relies on a terminating NUL. Every position handed back in a
 * mikey_error is an offset into the caller's input, so a user can find
 * the bad character.
 *
 * Base64 is checked character by character here (OpenSSL's decoder is
 * more forgiving than the SDP grammar) and only then decoded through
 * crypto.h; this file does not include OpenSSL.
 */
#include "mikey/text.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "crypto/crypto.h"
#include "mikey/mem.h"
#include "mikey/types.h"

/* A half-open range [start, end) of the input. */
typedef struct span {
	size_t start;
	size_t end;
} span;

static int fail(mikey_error *err, int code, size_t offset, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* fail fills |err| (when given) and returns |code|. */
static int fail(mikey_error *err, int code, size_t offset, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return code;
	err->code = code;
	err->payload_index = -1;
	err->payload_type = -1;
	err->offset = offset;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return code;
}

/* describe_char writes "'g'" for a printable byte, "byte 0x07" otherwise. */
static const char *describe_char(uint8_t c, char buf[16])
{
	if (c >= 0x21 && c <= 0x7e)
		snprintf(buf, 16, "'%c'", (char)c);
	else
		snprintf(buf, 16, "byte 0x%02x", (unsigned)c);
	return buf;
}

static bool is_ws(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static int hex_value(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool is_b64_char(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
	       c == '/';
}

static bool is_alnum(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static uint8_t lower(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c - 'A' + 'a') : c;
}

/* span_equals tells whether in[s] is exactly the NUL-terminated |lit|. */
static bool span_equals(const uint8_t *in, span s, const char *lit, bool ci)
{
	size_t n = strlen(lit);

	if (s.end - s.start != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		uint8_t a = in[s.start + i], b = (uint8_t)lit[i];
		if (ci ? lower(a) != lower(b) : a != b)
			return false;
	}
	return true;
}

/* has_prefix tells whether the |n| bytes at |p| start with |lit|. */
static bool has_prefix(const uint8_t *p, size_t n, const char *lit, bool ci)
{
	size_t m = strlen(lit);

	if (n < m)
		return false;
	return span_equals(p, (span){0, m}, lit, ci);
}

/* next_line finds the line starting at |pos| (< |end|): *content is the
 * line without its CR LF / LF, and the return value is where the next line
 * starts. */
static size_t next_line(const uint8_t *in, size_t pos, size_t end, span *content)
{
	size_t e = pos;

	while (e < end && in[e] != '\n')
		e++;
	content->start = pos;
	content->end = (e > pos && in[e - 1] == '\r') ? e - 1 : e;
	return e < end ? e + 1 : end;
}

/* ---- hex ---------------------------------------------------------------- */

/* decode_hex decodes the hex digits of in[s]; whitespace and ':' are
 * ignored, and one leading "0x" is allowed. */
static int decode_hex(const uint8_t *in, span s, uint8_t **out, size_t *out_len, mikey_error *err)
{
	size_t pos = s.start, digits = 0, last_digit = s.start, n = 0;
	char cbuf[16];
	uint8_t *buf;
	int hi = -1;

	while (pos < s.end && is_ws(in[pos]))
		pos++;
	if (s.end - pos >= 2 && in[pos] == '0' && (in[pos + 1] == 'x' || in[pos + 1] == 'X'))
		pos += 2;
	const size_t first = pos;
	for (size_t i = first; i < s.end; i++) {
		if (is_ws(in[i]) || in[i] == ':')
			continue;
		if (hex_value(in[i]) < 0)
			return fail(err, MIKEY_ERR_FORMAT, i, "invalid hex digit %s at input offset %zu",
			            describe_char(in[i], cbuf), i);
		digits++;
		last_digit = i;
	}
	if (digits == 0)
		return fail(err, MIKEY_ERR_FORMAT, s.start, "no hex digits in the input");
	if (digits % 2 != 0)
		return fail(err, MIKEY_ERR_FORMAT, last_digit,
		            "odd number of hex digits (%zu); the last one is at input offset %zu", digits,
		            last_digit);
	buf = mikey_malloc(digits / 2);
	if (buf == NULL)
		return fail(err, MIKEY_ERR_NOMEM, s.start, "out of memory");
	for (size_t i = first; i < s.end; i++) {
		int v = hex_value(in[i]);
		if (v < 0)
			continue; /* a separator: checked above */
		if (hi < 0) {
			hi = v;
		} else {
			buf[n++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	*out = buf;
	*out_len = n;
	return MIKEY_OK;
}

/* ---- base64 ------------------------------------------------------------- */

/* decode_base64 decodes the RFC 4648 base64 in in[s], whitespace ignored.
 * The alphabet and the padding are checked here so that the error can
 * name the offending character; OpenSSL only decodes what passed. */
static int decode_base64(const uint8_t *in, span s, uint8_t **out, size_t *out_len, mikey_error *err)
{
	size_t chars = 0, pad = 0, first_pad = 0;
	char cbuf[16];
	char *compact = NULL;
	uint8_t *buf = NULL;
	long n;
	int rc;

	for (size_t i = s.start; i < s.end; i++) {
		uint8_t c = in[i];
		if (is_ws(c))
			continue;
		if (c == '=') {
			if (pad == 0)
				first_pad = i;
			if (++pad > 2)
				return fail(err, MIKEY_ERR_FORMAT, i,
				            "too much base64 padding: third '=' at input offset %zu", i);
		} else if (!is_b64_char(c)) {
			return fail(err, MIKEY_ERR_FORMAT, i, "invalid base64 character %s at input offset %zu",
			            describe_char(c, cbuf), i);
		} else if (pad > 0) {
			return fail(err, MIKEY_ERR_FORMAT, i,
			            "base64 data %s at input offset %zu follows the '=' padding at offset %zu",
			            describe_char(c, cbuf), i, first_pad);
		}
		chars++;
	}
	if (chars == 0)
		return fail(err, MIKEY_ERR_FORMAT, s.start, "no base64 data in the input");
	if (chars % 4 != 0)
		return fail(err, MIKEY_ERR_FORMAT, s.end,
		            "base64 text has %zu characters, not a multiple of 4 (missing padding?)", chars);

	compact = mikey_malloc(chars);
	buf = mikey_malloc(chars / 4 * 3);
	if (compact == NULL || buf == NULL) {
		rc = fail(err, MIKEY_ERR_NOMEM, s.start, "out of memory");
		goto out_free;
	}
	for (size_t i = s.start, j = 0; i < s.end; i++)
		if (!is_ws(in[i]))
			compact[j++] = (char)in[i];
	n = mikey_crypto_b64_decode(buf, compact, chars);
	if (n < 0) {
		rc = fail(err, MIKEY_ERR_FORMAT, s.start, "base64 text at input offset %zu does not decode",
		          s.start);
		goto out_free;
	}
	if (n == 0) {
		rc = fail(err, MIKEY_ERR_FORMAT, s.start, "base64 text decodes to nothing");
		goto out_free;
	}
	*out = buf;
	*out_len = (size_t)n;
	buf = NULL;
	rc = MIKEY_OK;
out_free:
	mikey_free(compact);
	mikey_free(buf);
	return rc;
}

/* ---- SDP (RFC 4567 §3.1) -------------------------------------------------- */

/* RFC 4567 §3.1:
 *   key-mgmt-attribute = "key-mgmt" ":" key-mgmt-att-value
 *   key-mgmt-att-value = 0*1SP prtcl-id SP keymgmt-data
 *   prtcl-id = KMPID = 1*(ALPHA / DIGIT)      (case sensitive, §3)
 *   keymgmt-data = base64
 * We accept a tab as well as a space around prtcl-id, and leading
 * whitespace on the line (SDP pasted from an indented document).
 *
 * sdp_find looks through the lines of in[s] for the first key-mgmt
 * attribute whose prtcl-id is "mikey" and sets *data to its keymgmt-data.
 * Session-level attributes come before the first "m=" line in an SDP
 * body, so the first one in text order is the session-level one when
 * there is one, and the first media-level one otherwise.
 * Returns MIKEY_OK, MIKEY_ERR_FORMAT or MIKEY_ERR_NOT_FOUND. */
static int sdp_find(const uint8_t *in, span s, span *data, mikey_error *err)
{
	static const char attr[] = "a=key-mgmt:";
	size_t pos = s.start;

	while (pos < s.end) {
		span line;
		pos = next_line(in, pos, s.end, &line);
		size_t p = line.start;
		while (p < line.end && (in[p] == ' ' || in[p] == '\t'))
			p++;
		if (!has_prefix(in + p, line.end - p, attr, false))
			continue;
		p += sizeof(attr) - 1;
		if (p < line.end && (in[p] == ' ' || in[p] == '\t'))
			p++; /* 0*1SP */
		span id = {p, p};
		while (id.end < line.end && is_alnum(in[id.end]))
			id.end++;
		if (!span_equals(in, id, "mikey", false))
			continue; /* another key management protocol */
		p = id.end;
		if (p < line.end && in[p] != ' ' && in[p] != '\t')
			continue; /* e.g. "mikey2": a different prtcl-id */
		while (p < line.end && (in[p] == ' ' || in[p] == '\t'))
			p++;
		size_t e = p;
		while (e < line.end && !is_ws(in[e]))
			e++;
		if (e == p)
			return fail(err, MIKEY_ERR_FORMAT, p,
			            "a=key-mgmt:mikey attribute at input offset %zu has no key management data",
			            line.start);
		/* keymgmt-data is one base64 token: only blanks may follow it */
		for (size_t q = e; q < line.end; q++)
			if (!is_ws(in[q]))
				return fail(err, MIKEY_ERR_FORMAT, q,
				            "unexpected text after the key management data at input offset %zu", q);
		data->start = p;
		data->end = e;
		return MIKEY_OK;
	}
	return fail(err, MIKEY_ERR_NOT_FOUND, s.end, "no a=key-mgmt:mikey attribute in the SDP text");
}

/* ---- RTSP (RFC 4567 §3.2) ----------------------------------------------- */

/* RFC 4567 §3.2:
 *   KeyMgmt = "KeyMgmt" ":" key-mgmt-spec 0*("," key-mgmt-spec)
 *   key-mgmt-spec = "prot" "=" KMPID ";" ["uri" "=" %x22 URI %x22 ";"]
 * and the examples of §5.3 add data="<base64>" (the grammar omits it).
 * Header names are case-insensitive (RFC 2326 §4.2, the examples write
 * "keymgmt:"); parameters may come in any order, quoted or not; a header
 * may be folded over several lines (continuation lines start with SP or
 * HT), so CR and LF inside the value count as whitespace. */

/* rtsp_skip_ws skips whitespace, including folded line breaks. */
static size_t rtsp_skip_ws(const uint8_t *in, size_t p, size_t end)
{
	while (p < end && is_ws(in[p]))
		p++;
	return p;
}

static bool is_token_char(uint8_t c)
{
	return c > 0x20 && c < 0x7f && c != ';' && c != ',' && c != '=' && c != '"';
}

/* rtsp_parse_value looks at the header value in[v] for a key-mgmt-spec
 * with prot=mikey and sets *data to its data parameter (without quotes).
 * Returns MIKEY_OK, MIKEY_ERR_NOT_FOUND (no mikey spec in this header) or
 * MIKEY_ERR_FORMAT. */
static int rtsp_parse_value(const uint8_t *in, span v, span *data, mikey_error *err)
{
	size_t p = v.start;
	char cbuf[16];

	while (p < v.end) {
		/* one key-mgmt-spec: params separated by ';', ended by ',' */
		bool is_mikey = false, have_data = false;
		span spec_data = {0, 0};
		size_t spec_start = rtsp_skip_ws(in, p, v.end);

		p = spec_start;
		while (p < v.end && in[p] != ',') {
			span name = {p, p}, val;
			while (name.end < v.end && is_token_char(in[name.end]))
				name.end++;
			if (name.end == name.start)
				return fail(err, MIKEY_ERR_FORMAT, p,
				            "KeyMgmt header: expected a parameter name, found %s at input offset %zu",
				            describe_char(in[p], cbuf), p);
			p = rtsp_skip_ws(in, name.end, v.end);
			if (p >= v.end || in[p] != '=')
				return fail(err, MIKEY_ERR_FORMAT, p,
				            "KeyMgmt header: expected '=' after parameter name at input offset %zu",
				            p);
			p = rtsp_skip_ws(in, p + 1, v.end);
			if (p < v.end && in[p] == '"') {
				size_t q = p + 1;
				while (q < v.end && in[q] != '"')
					q += (in[q] == '\\' && q + 1 < v.end) ? 2 : 1;
				if (q >= v.end)
					return fail(err, MIKEY_ERR_FORMAT, p,
					            "KeyMgmt header: quoted string at input offset %zu is not closed",
					            p);
				val = (span){p + 1, q};
				p = q + 1;
			} else {
				val = (span){p, p};
				/* '=' is base64 padding, so it may end an unquoted value */
				while (val.end < v.end && (is_token_char(in[val.end]) || in[val.end] == '='))
					val.end++;
				p = val.end;
			}
			if (span_equals(in, name, "prot", true)) {
				is_mikey = span_equals(in, val, "mikey", false);
			} else if (span_equals(in, name, "data", true)) {
				have_data = true;
				spec_data = val;
			}
			p = rtsp_skip_ws(in, p, v.end);
			if (p < v.end && in[p] == ';') {
				p = rtsp_skip_ws(in, p + 1, v.end);
			} else if (p < v.end && in[p] != ',') {
				return fail(err, MIKEY_ERR_FORMAT, p,
				            "KeyMgmt header: unexpected %s at input offset %zu",
				            describe_char(in[p], cbuf), p);
			}
		}
		if (is_mikey) {
			if (!have_data)
				return fail(err, MIKEY_ERR_FORMAT, spec_start,
				            "KeyMgmt header: prot=mikey at input offset %zu has no data parameter",
				            spec_start);
			*data = spec_data;
			return MIKEY_OK;
		}
		if (p < v.end)
			p++; /* ',' */
	}
	return MIKEY_ERR_NOT_FOUND;
}

/* rtsp_header_name_end returns the offset after "KeyMgmt" [WS] ":" when
 * |line| starts with that header, or 0. */
static size_t rtsp_keymgmt_header(const uint8_t *in, span line)
{
	size_t p = line.start;

	if (!has_prefix(in + p, line.end - p, "keymgmt", true))
		return 0;
	p += 7;
	while (p < line.end && (in[p] == ' ' || in[p] == '\t'))
		p++;
	if (p >= line.end || in[p] != ':')
		return 0;
	return p + 1;
}

/* rtsp_find looks for a KeyMgmt header with prot=mikey in the header part
 * of in[s]; when there is none, it looks for an SDP a=key-mgmt:mikey in
 * the body (a DESCRIBE response carries MIKEY that way, RFC 4567 §4.2). */
static int rtsp_find(const uint8_t *in, span s, span *data, mikey_error *err)
{
	size_t pos = s.start;
	span body = {s.end, s.end};
	int rc;

	while (pos < s.end) {
		span line;
		size_t next = next_line(in, pos, s.end, &line);
		if (line.end == line.start) {
			body.start = next; /* empty line: end of headers */
			break;
		}
		size_t vstart = rtsp_keymgmt_header(in, line);
		/* A header value runs on over continuation lines. */
		while (next < s.end && (in[next] == ' ' || in[next] == '\t')) {
			span cont;
			next = next_line(in, next, s.end, &cont);
			line.end = cont.end;
		}
		if (vstart != 0) {
			rc = rtsp_parse_value(in, (span){vstart, line.end}, data, err);
			if (rc != MIKEY_ERR_NOT_FOUND)
				return rc;
		}
		pos = next;
	}
	if (body.start < body.end) {
		rc = sdp_find(in, body, data, err);
		if (rc != MIKEY_ERR_NOT_FOUND)
			return rc;
	}
	return fail(err, MIKEY_ERR_NOT_FOUND, s.end,
	            "no KeyMgmt header with prot=mikey (and no a=key-mgmt:mikey in a body)");
}

/* ---- detection and the public functions --------------------------------- */

/* detect guesses the carrier (see mikey_text_decode). */
static mikey_text_format detect(const uint8_t *in, size_t len)
{
	bool hex = true, b64 = true, any = false;
	size_t pos = 0;

	/* A version-1 MIKEY message starts with 0x01, which no text carrier
	 * does: let it win over any text that happens to follow. */
	if (len > 0 && in[0] == MIKEY_VERSION_1)
		return MIKEY_FORMAT_BIN;
	while (pos < len) {
		span line;
		pos = next_line(in, pos, len, &line);
		if (rtsp_keymgmt_header(in, line) != 0)
			return MIKEY_FORMAT_RTSP;
	}
	for (size_t i = 0; i + 11 <= len; i++)
		if (in[i] == 'a' && has_prefix(in + i, len - i, "a=key-mgmt:", false))
			return MIKEY_FORMAT_SDP;

	pos = 0;
	while (pos < len && is_ws(in[pos]))
		pos++;
	size_t hex_from = pos;
	if (len - pos >= 2 && in[pos] == '0' && (in[pos + 1] == 'x' || in[pos + 1] == 'X'))
		hex_from = pos + 2;
	for (size_t i = 0; i < len; i++) {
		uint8_t c = in[i];
		if (is_ws(c))
			continue;
		any = true;
		if (i >= hex_from && hex_value(c) < 0 && c != ':')
			hex = false;
		if (!is_b64_char(c) && c != '=')
			b64 = false;
	}
	if (!any)
		return MIKEY_FORMAT_HEX; /* blank: the hex decoder reports it */
	if (hex)
		return MIKEY_FORMAT_HEX;
	if (b64)
		return MIKEY_FORMAT_BASE64;
	return MIKEY_FORMAT_BIN;
}

static const char *const format_names[] = {
	[MIKEY_FORMAT_AUTO] = "auto", [MIKEY_FORMAT_BIN] = "bin",   [MIKEY_FORMAT_HEX] = "hex",
	[MIKEY_FORMAT_BASE64] = "base64", [MIKEY_FORMAT_SDP] = "sdp", [MIKEY_FORMAT_RTSP] = "rtsp",
};

int mikey_text_format_from_name(const char *name, mikey_text_format *out)
{
	if (name == NULL || out == NULL)
		return MIKEY_ERR_ARG;
	for (size_t i = 0; i < sizeof(format_names) / sizeof(format_names[0]); i++) {
		if (strcmp(name, format_names[i]) == 0) {
			*out = (mikey_text_format)i;
			return MIKEY_OK;
		}
	}
	return MIKEY_ERR_ARG;
}

const char *mikey_text_format_name(mikey_text_format f)
{
	if ((unsigned)f < sizeof(format_names) / sizeof(format_names[0]))
		return format_names[f];
	return "unknown";
}

int mikey_text_decode(const uint8_t *in, size_t len, mikey_text_format fmt, uint8_t **out, size_t *out_len,
                      mikey_text_format *detected, mikey_error *err)
{
	span all = {0, len}, data;
	int rc;

	if (err != NULL)
		mikey_error_clear(err);
	if (out == NULL || out_len == NULL || (in == NULL && len > 0) || (unsigned)fmt > MIKEY_FORMAT_RTSP)
		return fail(err, MIKEY_ERR_ARG, 0, "invalid argument to mikey_text_decode");
	*out = NULL;
	*out_len = 0;
	if (fmt == MIKEY_FORMAT_AUTO)
		fmt = detect(in, len);
	if (detected != NULL)
		*detected = fmt;

	switch (fmt) {
	case MIKEY_FORMAT_BIN: {
		if (len == 0)
			return fail(err, MIKEY_ERR_FORMAT, 0, "the input is empty");
		uint8_t *buf = mikey_malloc(len);
		if (buf == NULL)
			return fail(err, MIKEY_ERR_NOMEM, 0, "out of memory");
		memcpy(buf, in, len);
		*out = buf;
		*out_len = len;
		return MIKEY_OK;
	}
	case MIKEY_FORMAT_HEX:
		return decode_hex(in, all, out, out_len, err);
	case MIKEY_FORMAT_BASE64:
		return decode_base64(in, all, out, out_len, err);
	case MIKEY_FORMAT_SDP:
		rc = sdp_find(in, all, &data, err);
		if (rc != MIKEY_OK)
			return rc;
		return decode_base64(in, data, out, out_len, err);
	case MIKEY_FORMAT_RTSP:
		rc = rtsp_find(in, all, &data, err);
		if (rc != MIKEY_OK)
			return rc;
		return decode_base64(in, data, out, out_len, err);
	case MIKEY_FORMAT_AUTO:
	default:
		break;
	}
	return fail(err, MIKEY_ERR_ARG, 0, "invalid format");
}

char *mikey_base64_encode(const uint8_t *in, size_t len)
{
	char *out;

	if (in == NULL && len > 0)
		return NULL;
	if (len > ((size_t)1 << 30))
		return NULL; /* the crypto layer takes an int length */
	out = mikey_malloc(4 * ((len + 2) / 3) + 1);
	if (out == NULL)
		return NULL;
	if (len == 0) {
		out[0] = '\0';
		return out;
	}
	mikey_crypto_b64_encode(out, in, len);
	return out;
}

char *mikey_sdp_attribute(const uint8_t *msg, size_t len)
{
	static const char prefix[] = "a=key-mgmt:mikey ";
	char *b64, *line;
	size_t n;

	b64 = mikey_base64_encode(msg, len);
	if (b64 == NULL)
		return NULL;
	n = strlen(b64);
	line = mikey_malloc(sizeof(prefix) + n);
	if (line != NULL) {
		memcpy(line, prefix, sizeof(prefix) - 1);
		memcpy(line + sizeof(prefix) - 1, b64, n + 1);
	}
	mikey_free(b64);
	return line;
}
