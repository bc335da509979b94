/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sdp_keymgmt.c - MIKEY in SDP, RFC 4567 §3.1 (the key-mgmt attribute:
 * "a=key-mgmt:" prtcl-id SP keymgmt-data, the data base64 of the MIKEY
 * message) and §4.1.2 (offer/answer).
 */
#include "sdp_keymgmt.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <sofia-sip/sdp.h>

#include <mikey/mem.h>
#include <mikey/msg.h>
#include <mikey/text.h>

G_DEFINE_QUARK(agent-sdp-error-quark, agent_sdp_error)

/* The largest MIKEY message taken from SDP: base64 of the largest key-mgmt
 * value a 64 KiB body can hold. */
#define MIKEY_MAX_FROM_SDP (AGENT_SDP_MAX_BODY / 4 * 3)

/* decode_keymgmt: one "mikey <base64>" value into bytes. Other protocols
 * leave *out NULL. */
static bool decode_keymgmt(const char *value, uint8_t **out, size_t *out_len, GError **err)
{
	*out = NULL;
	*out_len = 0;
	if (value == NULL)
		return true;
	/* RFC 4567 §3.1: prtcl-id = KMPID, case as registered ("mikey"). */
	if (g_ascii_strncasecmp(value, "mikey", 5) != 0 || (value[5] != ' ' && value[5] != '\t'))
		return true;
	const char *data = value + 6;
	size_t n = strlen(data);
	uint8_t *bin = NULL;
	size_t bin_len = 0;
	mikey_error me;
	memset(&me, 0, sizeof(me));
	int rc = mikey_text_decode((const uint8_t *)data, n, MIKEY_FORMAT_BASE64, &bin, &bin_len, NULL, &me);
	if (rc != MIKEY_OK || bin_len == 0 || bin_len > MIKEY_MAX_FROM_SDP) {
		g_set_error(err, AGENT_SDP_ERROR, AGENT_SDP_ERR_ENCODING, "a=key-mgmt:mikey: the data is not base64 (%s)",
		            rc != MIKEY_OK ? me.message : "empty or too long");
		if (bin != NULL)
			mikey_buf_free(bin, bin_len);
		return false;
	}
	*out = g_memdup2(bin, bin_len);
	*out_len = bin_len;
	mikey_buf_free(bin, bin_len);
	return true;
}

/* take_keymgmt: every a=key-mgmt in |a| (one level). The first MIKEY
 * message found is kept; any other must be the same bytes. */
static bool take_keymgmt(const sdp_attribute_t *a, const char *level, sdp_intake *out, GError **err)
{
	for (; a != NULL; a = a->a_next) {
		if (a->a_name == NULL || g_ascii_strcasecmp(a->a_name, "key-mgmt") != 0)
			continue;
		uint8_t *m;
		size_t n;
		if (!decode_keymgmt(a->a_value, &m, &n, err)) {
			g_prefix_error(err, "%s level: ", level);
			return false;
		}
		if (m == NULL)
			continue;
		if (out->mikey == NULL) {
			out->mikey = m;
			out->mikey_len = n;
			continue;
		}
		bool same = n == out->mikey_len && memcmp(m, out->mikey, n) == 0;
		g_free(m);
		if (!same) {
			g_set_error(err, AGENT_SDP_ERROR, AGENT_SDP_ERR_CONFLICT,
			            "%s level: a second a=key-mgmt:mikey carries another message (one CSB per SDP)", level);
			return false;
		}
	}
	return true;
}

static bool parse_ssrc(const sdp_attribute_t *a, uint32_t *ssrc)
{
	for (; a != NULL; a = a->a_next) {
		if (a->a_name == NULL || g_ascii_strcasecmp(a->a_name, "ssrc") != 0 || a->a_value == NULL)
			continue;
		/* RFC 5576 §4.1: a=ssrc:<ssrc-id> <attribute>[:<value>] */
		char *end = NULL;
		guint64 v = g_ascii_strtoull(a->a_value, &end, 10);
		if (end == a->a_value || v > UINT32_MAX || (*end != '\0' && *end != ' '))
			continue;
		*ssrc = (uint32_t)v;
		return true;
	}
	return false;
}

/* check_m_line: RFC 4566 §5.14 "m=<media> <port>[/<number of ports>]
 * <proto> <fmt> ...", with proto RTP/AVP or RTP/SAVP (RFC 3711 §12) and
 * RTP payload type numbers as formats: the only streams the agent runs.
 * Checked here first because sofia-sip 1.12's sdp_parse loops, asking for
 * memory until it fails, on a non-RTP format list it cannot split ("m=x 0
 * FOO ==", found by tests/fuzz/fuzz_sip_intake); docs/interpretations.md
 * §34. */
static bool check_m_line(const char *v, size_t n)
{
	size_t i = 0;
	while (i < n && g_ascii_isalnum(v[i]))
		i++;
	if (i == 0 || i == n || v[i] != ' ')
		return false;
	size_t d = ++i;
	while (i < n && g_ascii_isdigit(v[i]))
		i++;
	if (i == d || i - d > 5)
		return false;
	if (i < n && v[i] == '/') {
		size_t c = ++i;
		while (i < n && g_ascii_isdigit(v[i]))
			i++;
		if (i == c || i - c > 5)
			return false;
	}
	if (i == n || v[i++] != ' ')
		return false;
	size_t pr = i;
	while (i < n && v[i] != ' ')
		i++;
	size_t plen = i - pr;
	if (!((plen == 7 && g_ascii_strncasecmp(v + pr, "RTP/AVP", 7) == 0) ||
	      (plen == 8 && g_ascii_strncasecmp(v + pr, "RTP/SAVP", 8) == 0)))
		return false;
	size_t fmts = 0;
	while (i < n) {
		if (v[i++] != ' ')
			return false;
		size_t f = i;
		while (i < n && g_ascii_isdigit(v[i]))
			i++;
		if (i == f || i - f > 3)
			return false;
		fmts++;
	}
	return fmts > 0;
}

/* precheck: UTF-8 text (RFC 4566 §5), no control bytes but CR, LF and
 * TAB, and well-formed m= lines, before sofia-sip parses it. */
static bool precheck(const char *body, size_t len, GError **err)
{
	const char *bad_at = NULL;
	if (!g_utf8_validate(body, (gssize)len, &bad_at)) {
		g_set_error(err, AGENT_SDP_ERROR, AGENT_SDP_ERR_MALFORMED, "SDP body is not UTF-8 (byte 0x%02x at offset %zu)",
		            (unsigned)(unsigned char)*bad_at, (size_t)(bad_at - body));
		return false;
	}
	size_t line = 0;
	for (size_t i = 0; i <= len; i++) {
		unsigned char ch = i < len ? (unsigned char)body[i] : '\n';
		if (ch < 0x20 && ch != '\r' && ch != '\n' && ch != '\t') {
			g_set_error(err, AGENT_SDP_ERROR, AGENT_SDP_ERR_MALFORMED, "SDP body holds control byte 0x%02x at offset %zu",
			            ch, i);
			return false;
		}
		/* RFC 4566 §5: lines end in CRLF (LF alone is tolerated); a bare
		 * CR would split lines where this check does not. */
		if (ch == '\r' && (i + 1 >= len || body[i + 1] != '\n')) {
			g_set_error(err, AGENT_SDP_ERROR, AGENT_SDP_ERR_MALFORMED, "SDP body holds a bare CR at offset %zu", i);
			return false;
		}
		if (ch != '\n')
			continue;
		size_t end = i > line && body[i - 1] == '\r' ? i - 1 : i;
		if (end - line >= 2 && body[line] == 'm' && body[line + 1] == '=' &&
		    !check_m_line(body + line + 2, end - line - 2)) {
			g_set_error(err, AGENT_SDP_ERROR, AGENT_SDP_ERR_MALFORMED,
			            "SDP m= line at offset %zu is not <media> <port>[/<n>] <proto> <fmt>", line);
			return false;
		}
		line = i + 1;
	}
	return true;
}

bool sdp_intake_parse(const char *body, size_t len, bool need_mikey, bool need_media, sdp_intake *out,
                      GError **err)
{
	sdp_parser_t *p = NULL;
	bool ok = false;

	memset(out, 0, sizeof(*out));
	if (body == NULL || len == 0 || len > AGENT_SDP_MAX_BODY) {
		g_set_error(err, AGENT_SDP_ERROR, AGENT_SDP_ERR_MALFORMED, "SDP body of %zu bytes (1 to %d)", len,
		            AGENT_SDP_MAX_BODY);
		return false;
	}
	if (memchr(body, '\0', len) != NULL) {
		g_set_error(err, AGENT_SDP_ERROR, AGENT_SDP_ERR_MALFORMED, "SDP body holds a NUL byte at offset %zu",
		            (size_t)((const char *)memchr(body, '\0', len) - body));
		return false;
	}
	if (!precheck(body, len, err))
		return false;
	p = sdp_parse(NULL, body, (issize_t)len, sdp_f_strict);
	const char *perr = p != NULL ? sdp_parsing_error(p) : "out of memory";
	sdp_session_t *sdp = p != NULL ? sdp_session(p) : NULL;
	if (sdp == NULL) {
		g_set_error(err, AGENT_SDP_ERROR, AGENT_SDP_ERR_MALFORMED, "SDP does not parse: %s",
		            perr != NULL ? perr : "?");
		goto out;
	}
	if (!take_keymgmt(sdp->sdp_attributes, "session", out, err))
		goto out;
	const sdp_media_t *audio = NULL;
	for (const sdp_media_t *m = sdp->sdp_media; m != NULL; m = m->m_next) {
		if (!take_keymgmt(m->m_attributes, "media", out, err))
			goto out;
		if (audio == NULL && m->m_type == sdp_media_audio && !m->m_rejected && m->m_port != 0)
			audio = m;
	}
	if (audio != NULL) {
		const sdp_connection_t *c = audio->m_connections != NULL ? audio->m_connections : sdp->sdp_connection;
		if (c != NULL && c->c_address != NULL && audio->m_port <= UINT16_MAX) {
			out->media_addr = g_strdup(c->c_address);
			out->media_port = (uint16_t)audio->m_port;
			out->media_ttl = c->c_mcast ? c->c_ttl : 0;
			out->has_ssrc = parse_ssrc(audio->m_attributes, &out->ssrc);
		}
	}
	if (need_mikey && out->mikey == NULL) {
		g_set_error(err, AGENT_SDP_ERROR, AGENT_SDP_ERR_NO_MIKEY, "no a=key-mgmt:mikey at session or media level");
		goto out;
	}
	if (need_media && out->media_addr == NULL) {
		g_set_error(err, AGENT_SDP_ERROR, AGENT_SDP_ERR_NO_MEDIA, "no m=audio line with a port and a c= address");
		goto out;
	}
	ok = true;
out:
	if (p != NULL)
		sdp_parser_free(p);
	if (!ok)
		sdp_intake_clear(out);
	return ok;
}

void sdp_intake_clear(sdp_intake *in)
{
	if (in == NULL)
		return;
	if (in->mikey != NULL) {
		mikey_wipe(in->mikey, in->mikey_len);
		g_free(in->mikey);
	}
	g_free(in->media_addr);
	memset(in, 0, sizeof(*in));
}

char *sdp_build(const sdp_out *o, GError **err)
{
	GString *s = g_string_new(NULL);
	char *km = NULL;
	char *res = NULL;
	sdp_parser_t *p = NULL;
	sdp_printer_t *pr = NULL;

	g_string_append_printf(s, "v=0\r\no=%s %" PRIu64 " %" PRIu64 " IN IP4 %s\r\ns=-\r\n",
	                       o->user != NULL ? o->user : "-", o->session_id, o->version, o->addr);
	if (o->group != NULL)
		g_string_append_printf(s, "c=IN IP4 %s/%u\r\nt=0 0\r\n", o->group, o->ttl != 0 ? o->ttl : 1u);
	else
		g_string_append_printf(s, "c=IN IP4 %s\r\nt=0 0\r\n", o->addr);
	if (o->mikey != NULL) {
		km = mikey_sdp_attribute(o->mikey, o->mikey_len);
		if (km == NULL) {
			g_set_error(err, AGENT_SDP_ERROR, AGENT_SDP_ERR_ENCODING, "out of memory encoding MIKEY");
			goto out;
		}
		g_string_append_printf(s, "%s\r\n", km);
	}
	g_string_append_printf(s, "m=audio %u RTP/SAVP 96\r\na=rtpmap:96 L16/8000\r\n", (unsigned)o->port);
	if (o->ssrc != 0)
		g_string_append_printf(s, "a=ssrc:%" PRIu32 " cname:%s\r\n", o->ssrc, o->user != NULL ? o->user : "-");
	/* Through sofia-sip's parser and printer: what we send is what a
	 * sofia-sip peer reads back. */
	p = sdp_parse(NULL, s->str, (issize_t)s->len, sdp_f_strict);
	sdp_session_t *sdp = p != NULL ? sdp_session(p) : NULL;
	if (sdp == NULL) {
		g_set_error(err, AGENT_SDP_ERROR, AGENT_SDP_ERR_MALFORMED, "our SDP does not parse: %s",
		            p != NULL && sdp_parsing_error(p) != NULL ? sdp_parsing_error(p) : "?");
		goto out;
	}
	pr = sdp_print(NULL, sdp, NULL, 0, 0);
	if (pr == NULL || sdp_message(pr) == NULL) {
		g_set_error(err, AGENT_SDP_ERROR, AGENT_SDP_ERR_MALFORMED, "our SDP does not print: %s",
		            pr != NULL && sdp_printing_error(pr) != NULL ? sdp_printing_error(pr) : "?");
		goto out;
	}
	res = g_strdup(sdp_message(pr));
out:
	if (pr != NULL)
		sdp_printer_free(pr);
	if (p != NULL)
		sdp_parser_free(p);
	if (km != NULL)
		mikey_free(km);
	g_string_free(s, TRUE);
	return res;
}
