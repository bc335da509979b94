/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tool_ctx.c - see tool_ctx.h. */
#include "tool_ctx.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "input.h"
#include "offer_json.h"
#include "verbs.h"

/* ---- RNG and clock ---- */

void tool_rng_init(tool_rng *r, const uint8_t *seed, size_t seed_len)
{
	memset(r, 0, sizeof(*r));
	if (seed_len > sizeof(r->seed))
		seed_len = sizeof(r->seed);
	memcpy(r->seed, seed, seed_len);
	r->seed_len = seed_len;
	r->pos = sizeof(r->block);
}

int tool_rng_fn(void *user, uint8_t *out, size_t len)
{
	tool_rng *r = user;
	while (len > 0) {
		if (r->pos == sizeof(r->block)) {
			/* block_i = SHA-256(seed || BE32(i)) */
			uint8_t ctr[4] = {(uint8_t)(r->counter >> 24), (uint8_t)(r->counter >> 16),
			                  (uint8_t)(r->counter >> 8), (uint8_t)r->counter};
			GChecksum *h = g_checksum_new(G_CHECKSUM_SHA256);
			gsize n = sizeof(r->block);
			if (h == NULL)
				return MIKEY_ERR_CRYPTO;
			g_checksum_update(h, r->seed, r->seed_len);
			g_checksum_update(h, ctr, sizeof(ctr));
			g_checksum_get_digest(h, r->block, &n);
			g_checksum_free(h);
			r->counter++;
			r->pos = 0;
		}
		size_t take = sizeof(r->block) - r->pos;
		if (take > len)
			take = len;
		memcpy(out, r->block + r->pos, take);
		r->pos += take;
		out += take;
		len -= take;
	}
	return MIKEY_OK;
}

uint64_t tool_clock_fn(void *user)
{
	const tool_clock *c = user;
	return c->fixed ? c->ntp : mikey_clock_system(NULL);
}

/* ---- names ---- */

static const struct {
	const char *name;
	mikey_mode mode;
	uint8_t init_dt, resp_dt;
} mode_names[] = {
	{"psk", MIKEY_MODE_PSK, MIKEY_DT_PSK_INIT, MIKEY_DT_PSK_RESP},
	{"pk", MIKEY_MODE_PK, MIKEY_DT_PK_INIT, MIKEY_DT_PK_RESP},
	{"dh", MIKEY_MODE_DH_SIGN, MIKEY_DT_DH_INIT, MIKEY_DT_DH_RESP},
	{"dhhmac", MIKEY_MODE_DHHMAC, MIKEY_DT_DHHMAC_INIT, MIKEY_DT_DHHMAC_RESP},
	{"rsar", MIKEY_MODE_RSAR, MIKEY_DT_RSAR_INIT, MIKEY_DT_RSAR_RESP},
};

bool tool_mode_from_name(const char *name, mikey_mode *mode)
{
	for (size_t i = 0; i < G_N_ELEMENTS(mode_names); i++) {
		if (name != NULL && g_ascii_strcasecmp(name, mode_names[i].name) == 0) {
			*mode = mode_names[i].mode;
			return true;
		}
	}
	return false;
}

const char *tool_mode_name(mikey_mode mode)
{
	for (size_t i = 0; i < G_N_ELEMENTS(mode_names); i++)
		if (mode_names[i].mode == mode)
			return mode_names[i].name;
	return "?";
}

bool tool_mode_from_data_type(uint8_t dt, mikey_mode *mode, bool *initiator)
{
	for (size_t i = 0; i < G_N_ELEMENTS(mode_names); i++) {
		if (mode_names[i].init_dt == dt || mode_names[i].resp_dt == dt) {
			*mode = mode_names[i].mode;
			*initiator = mode_names[i].init_dt == dt;
			return true;
		}
	}
	return false;
}

/* SRTP policies by the names of RFC 4568 §6.2 / RFC 6188 / RFC 7714,
 * lower-cased and shortened. */
static bool policy_from_name(const char *name, mikey_srtp_policy *p)
{
	static const struct {
		const char *name;
		uint8_t encr;
		uint32_t key_len, tag_len;
		bool null_auth;
	} names[] = {
		{"aes128-sha1-80", MIKEY_SRTP_ENCR_AES_CM, 16, 10, false},
		{"aes128-sha1-32", MIKEY_SRTP_ENCR_AES_CM, 16, 4, false},
		{"aes192-sha1-80", MIKEY_SRTP_ENCR_AES_CM, 24, 10, false},
		{"aes192-sha1-32", MIKEY_SRTP_ENCR_AES_CM, 24, 4, false},
		{"aes256-sha1-80", MIKEY_SRTP_ENCR_AES_CM, 32, 10, false},
		{"aes256-sha1-32", MIKEY_SRTP_ENCR_AES_CM, 32, 4, false},
		{"f8-128-sha1-80", MIKEY_SRTP_ENCR_AES_F8, 16, 10, false},
		{"null-sha1-80", MIKEY_SRTP_ENCR_NULL, 16, 10, false},
		{"aes-gcm-128", MIKEY_SRTP_ENCR_AES_GCM, 16, 0, true},
		{"aes-gcm-256", MIKEY_SRTP_ENCR_AES_GCM, 32, 0, true},
	};
	for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
		if (g_ascii_strcasecmp(name, names[i].name) != 0)
			continue;
		mikey_srtp_policy_default(p);
		p->encr_alg = names[i].encr;
		p->encr_key_len = names[i].key_len;
		if (names[i].encr == MIKEY_SRTP_ENCR_NULL)
			p->srtp_encr = p->srtcp_encr = false;
		if (names[i].null_auth) {
			/* RFC 7714 §8.1: AEAD, 12-byte salt, 16-byte tag. */
			p->auth_alg = MIKEY_SRTP_AUTH_NULL;
			p->auth_key_len = 0;
			p->auth_tag_len = 0;
			p->salt_key_len = 12;
			p->aead_tag_len = 16;
		} else {
			p->auth_tag_len = names[i].tag_len;
		}
		return true;
	}
	return false;
}

static bool named_value(const char *s, const char *const *names, const int *values, size_t n, int *out)
{
	for (size_t i = 0; i < n; i++) {
		if (g_ascii_strcasecmp(s, names[i]) == 0) {
			*out = values[i];
			return true;
		}
	}
	return false;
}

/* ---- small parsers ---- */

bool tool_hex_decode(const char *s, uint8_t **out, size_t *len)
{
	size_t n = 0, cap = strlen(s) / 2 + 1;
	uint8_t *buf = g_malloc(cap);
	int hi = -1;
	if (g_str_has_prefix(s, "0x") || g_str_has_prefix(s, "0X"))
		s += 2;
	for (; *s; s++) {
		if (g_ascii_isspace(*s) || *s == ':')
			continue;
		if (!g_ascii_isxdigit(*s))
			goto bad;
		int v = g_ascii_xdigit_value(*s);
		if (hi < 0) {
			hi = v;
		} else {
			buf[n++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	if (hi >= 0)
		goto bad;
	*out = buf;
	*len = n;
	return true;
bad:
	memset(buf, 0, cap);
	g_free(buf);
	return false;
}

char *tool_hex(const uint8_t *p, size_t n)
{
	char *s = g_malloc(2 * n + 1);
	for (size_t i = 0; i < n; i++)
		snprintf(s + 2 * i, 3, "%02x", p[i]);
	s[2 * n] = '\0';
	return s;
}

static bool parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	if (s == NULL || *s == '\0' || *s == '-' || g_ascii_isspace(*s))
		return false;
	errno = 0;
	guint64 v = g_ascii_strtoull(s, &end, 0);
	if (errno != 0 || *end != '\0' || v > max)
		return false;
	*out = v;
	return true;
}

bool tool_parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	return parse_u64(s, max, out);
}

/* Seconds from 1900-01-01 (NTP) to 1970-01-01 (Unix). */
#define NTP_UNIX_OFFSET 2208988800LL

bool tool_parse_now(const char *s, uint64_t *ntp)
{
	if (strchr(s, '-') == NULL || strchr(s, 'T') == NULL)
		return parse_u64(s, UINT64_MAX, ntp);
	/* ISO 8601 UTC: YYYY-MM-DDTHH:MM:SS[.fraction]Z */
	int y, mo, d, h, mi, sec, consumed = 0;
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &consumed) != 6)
		return false;
	const char *p = s + consumed;
	uint64_t frac = 0;
	if (*p == '.') {
		/* The fraction in units of 2^-32 s, from up to 9 digits. */
		uint64_t num = 0, den = 1;
		p++;
		if (!g_ascii_isdigit(*p))
			return false;
		for (; g_ascii_isdigit(*p); p++) {
			if (den < 1000000000u) {
				num = num * 10 + (uint64_t)(*p - '0');
				den *= 10;
			}
		}
		frac = (num << 32) / den;
	}
	if (strcmp(p, "Z") != 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return false;
	struct tm tm = {0};
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	time_t t = timegm(&tm);
	long long secs = (long long)t + NTP_UNIX_OFFSET;
	if (secs < 0)
		return false;
	/* RFC 4330 §3: the seconds count wraps in 2036 (era 1). */
	*ntp = ((uint64_t)(uint32_t)secs << 32) | frac;
	return true;
}

/* ---- options ---- */

/* The recipe options: what "create --state" records and "--state" reruns. */
typedef struct recipe_opt {
	const char *name;
	gchar **str;
	gboolean *flag;
	bool path; /* a file name: stored absolute */
} recipe_opt;

static size_t recipe_table(tool_opts *o, recipe_opt *t)
{
	const recipe_opt rows[] = {
		{"mode", &o->mode, NULL, false},
		{"psk", &o->psk, NULL, true},
		{"cert", &o->cert, NULL, true},
		{"key", &o->key, NULL, true},
		{"peer-cert", &o->peer_cert, NULL, true},
		{"ca", &o->ca, NULL, true},
		{"id", &o->id, NULL, false},
		{"peer-id", &o->peer_id, NULL, false},
		{"ssrc", &o->ssrc, NULL, false},
		{"roc", &o->roc, NULL, false},
		{"policy", &o->policy, NULL, false},
		{"encr", &o->encr, NULL, false},
		{"mac", &o->mac, NULL, false},
		{"prf", &o->prf, NULL, false},
		{"tgk", &o->tgk, NULL, false},
		{"tek", &o->tek, NULL, false},
		{"salt", &o->salt, NULL, false},
		{"mki", &o->mki, NULL, false},
		{"csb-id", &o->csb_id, NULL, false},
		{"dh-group", &o->dh_group, NULL, false},
		{"rand-len", &o->rand_len, NULL, false},
		{"sign", &o->sign, NULL, false},
		{"pke-cache", &o->pke_cache, NULL, false},
		{"omit-certs", NULL, &o->omit_certs, false},
		{"max-skew", &o->max_skew, NULL, false},
		{"verify", NULL, &o->verify, false},
		{"no-ids", NULL, &o->no_ids, false},
		{"allow-null-kemac", NULL, &o->allow_null_kemac, false},
		{"allow-weak-dh", NULL, &o->allow_weak_dh, false},
		{"tesla-seed", &o->tesla_seed, NULL, false},
		{"tesla-t0", &o->tesla_t0, NULL, false},
		{"tesla-interval", &o->tesla_interval, NULL, false},
		{"tesla-delay", &o->tesla_delay, NULL, false},
		{"tesla-chain", &o->tesla_chain, NULL, false},
		{"tesla-mac-len", &o->tesla_mac_len, NULL, false},
		{"tesla-mac-key-len", &o->tesla_mac_key_len, NULL, false},
	};
	memcpy(t, rows, sizeof(rows));
	return G_N_ELEMENTS(rows);
}

#define RECIPE_MAX 48

void tool_opts_clear(tool_opts *o)
{
	gchar **all[] = {&o->mode, &o->psk, &o->cert, &o->key, &o->peer_cert, &o->ca, &o->id, &o->peer_id,
	                 &o->ssrc, &o->roc, &o->policy, &o->encr, &o->mac, &o->prf, &o->tgk, &o->tek, &o->salt,
	                 &o->mki, &o->csb_id, &o->dh_group, &o->rand_len, &o->sign, &o->pke_cache, &o->max_skew, &o->tesla_seed, &o->tesla_t0, &o->tesla_interval,
	                 &o->tesla_delay, &o->tesla_chain, &o->tesla_mac_len, &o->tesla_mac_key_len, &o->now, &o->seed,
	                 &o->json, &o->out, &o->format, &o->in_format, &o->state};
	for (size_t i = 0; i < G_N_ELEMENTS(all); i++) {
		if (*all[i] != NULL) {
			/* psk, tgk, tek, salt may be secrets */
			memset(*all[i], 0, strlen(*all[i]));
			g_free(*all[i]);
			*all[i] = NULL;
		}
	}
}

/* GOption keeps the last of repeated string options but leaks the
 * earlier value; a JSON offer followed by overrides is the usual case, so
 * we parse the JSON-derived options and the command line separately. */
static int parse_into(const char *verb, const char *params, const char *summary, unsigned groups, int *argc,
                      char ***argv, tool_opts *o, bool quiet_help)
{
	GOptionEntry cred[] = {
		{"mode", 'm', 0, G_OPTION_ARG_STRING, &o->mode, "Key exchange mode: psk, pk, dh, dhhmac, rsar", "MODE"},
		{"id", 0, 0, G_OPTION_ARG_STRING, &o->id, "Our identity (ID payload, type URI)", "URI"},
		{"peer-id", 0, 0, G_OPTION_ARG_STRING, &o->peer_id, "The peer's identity (URI)", "URI"},
		{"psk", 0, 0, G_OPTION_ARG_STRING, &o->psk, "Pre-shared key (psk, dhhmac): hex, or @FILE holding hex",
		 "HEX|@FILE"},
		{"cert", 0, 0, G_OPTION_ARG_FILENAME, &o->cert, "Our certificate (PEM; further certificates: chain)",
		 "PEM"},
		{"key", 0, 0, G_OPTION_ARG_FILENAME, &o->key, "Our RSA private key (PEM)", "PEM"},
		{"peer-cert", 0, 0, G_OPTION_ARG_FILENAME, &o->peer_cert,
		 "The peer's certificate, known in advance (needs --peer-id)", "PEM"},
		{"ca", 0, 0, G_OPTION_ARG_FILENAME, &o->ca, "Trust anchors for peers' certificates (PEM)", "PEM"},
		{"allow-null-kemac", 0, 0, G_OPTION_ARG_NONE, &o->allow_null_kemac,
		 "Responder: accept NULL KEMAC encryption and MAC (RFC 3830 §4.2.3)", NULL},
		{"allow-weak-dh", 0, 0, G_OPTION_ARG_NONE, &o->allow_weak_dh, "Responder: accept OAKLEY 1 and 2", NULL},
		{"max-skew", 0, 0, G_OPTION_ARG_STRING, &o->max_skew, "Accepted clock skew in seconds (default 300)",
		 "SECONDS"},
		{"now", 0, 0, G_OPTION_ARG_STRING, &o->now,
		 "The time: NTP 64-bit (0xHEX or decimal) or ISO 8601 UTC; default: system clock", "TIME"},
		{"seed", 0, 0, G_OPTION_ARG_STRING, &o->seed,
		 "Deterministic RNG: stream SHA-256(BE64(N) || BE32(i)), i = 0, 1, ... (for test vectors only)", "N"},
		{"in-format", 0, 0, G_OPTION_ARG_STRING, &o->in_format,
		 "Input format: auto (default), bin, hex, base64, sdp, rtsp", "FMT"},
		{NULL, 0, 0, 0, NULL, NULL, NULL},
	};
	GOptionEntry offer[] = {
		{"ssrc", 0, 0, G_OPTION_ARG_STRING, &o->ssrc,
		 "Crypto sessions: SSRC[:POLICY_NO] per session, comma separated (default one, SSRC 0)", "N[,N...]"},
		{"roc", 0, 0, G_OPTION_ARG_STRING, &o->roc, "ROC: one for all sessions, or one per session", "N[,N...]"},
		{"policy", 0, 0, G_OPTION_ARG_STRING, &o->policy,
		 "SRTP policies (SP payloads 0, 1, ...): aes128-sha1-80 (default), aes128-sha1-32, aes192-sha1-80, "
		 "aes192-sha1-32, aes256-sha1-80, aes256-sha1-32, f8-128-sha1-80, null-sha1-80, aes-gcm-128, "
		 "aes-gcm-256",
		 "NAME[,NAME...]"},
		{"encr", 0, 0, G_OPTION_ARG_STRING, &o->encr, "KEMAC encryption: aes-cm-128 (default), aes-kw-128, "
		 "aes-cm-256, null", "ALG"},
		{"mac", 0, 0, G_OPTION_ARG_STRING, &o->mac, "KEMAC/V MAC: hmac-sha1 (default), hmac-sha256, null", "ALG"},
		{"prf", 0, 0, G_OPTION_ARG_STRING, &o->prf, "PRF: mikey-1 (default), hmac-sha256", "PRF"},
		{"tgk", 0, 0, G_OPTION_ARG_STRING, &o->tgk, "Transport this TGK (default: random)", "HEX"},
		{"tek", 0, 0, G_OPTION_ARG_STRING, &o->tek, "Transport this TEK (SRTP master key) instead of a TGK",
		 "HEX"},
		{"salt", 0, 0, G_OPTION_ARG_STRING, &o->salt, "Carry this master salt (key type TGK+SALT / TEK+SALT)",
		 "HEX"},
		{"mki", 0, 0, G_OPTION_ARG_STRING, &o->mki, "MKI (KV SPI, RFC 3830 §6.14)", "HEX"},
		{"csb-id", 0, 0, G_OPTION_ARG_STRING, &o->csb_id, "CSB ID (default: random)", "N"},
		{"dh-group", 0, 0, G_OPTION_ARG_STRING, &o->dh_group, "DH group: 5 (default), 1, 2 (OAKLEY)", "N"},
		{"rand-len", 0, 0, G_OPTION_ARG_STRING, &o->rand_len, "RAND length in bytes (default 16)", "N"},
		{"sign", 0, 0, G_OPTION_ARG_STRING, &o->sign,
		 "SIGN type: pkcs1 (RSA PKCS#1 v1.5, default, deterministic), pss (RSA-PSS, randomised)", "TYPE"},
		{"pke-cache", 0, 0, G_OPTION_ARG_STRING, &o->pke_cache, "PKE cache indicator C: 0 (default), 1, 2",
		 "N"},
		{"omit-certs", 0, 0, G_OPTION_ARG_NONE, &o->omit_certs, "Send no CERT payloads (peer knows our cert)",
		 NULL},
		{"verify", 'V', 0, G_OPTION_ARG_NONE, &o->verify, "Ask for a verification message (HDR V flag)", NULL},
		{"no-ids", 0, 0, G_OPTION_ARG_NONE, &o->no_ids, "Send no IDi/IDr payloads", NULL},
		{"tesla-seed", 0, 0, G_OPTION_ARG_STRING, &o->tesla_seed,
		 "TESLA (RFC 4442): chain seed K_{n_c}, 20 bytes of hex (default: random, recorded by --state)", "HEX"},
		{"tesla-t0", 0, 0, G_OPTION_ARG_STRING, &o->tesla_t0,
		 "TESLA: T_0, start of interval 0 (NTP 0xHEX / decimal, or ISO 8601); the first packet goes in interval 1",
		 "TIME"},
		{"tesla-interval", 0, 0, G_OPTION_ARG_STRING, &o->tesla_interval, "TESLA: interval duration in ms", "MS"},
		{"tesla-delay", 0, 0, G_OPTION_ARG_STRING, &o->tesla_delay, "TESLA: key disclosure delay d (intervals)",
		 "D"},
		{"tesla-chain", 0, 0, G_OPTION_ARG_STRING, &o->tesla_chain, "TESLA: chain length n_c (intervals)", "N"},
		{"tesla-mac-len", 0, 0, G_OPTION_ARG_STRING, &o->tesla_mac_len, "TESLA: MAC bits n_m (default 80)", "BITS"},
		{"tesla-mac-key-len", 0, 0, G_OPTION_ARG_STRING, &o->tesla_mac_key_len,
		 "TESLA: MAC key (F' output) bits n_f (default 160)", "BITS"},
		{"json", 'j', 0, G_OPTION_ARG_FILENAME, &o->json,
		 "Read the offer from a JSON object whose keys are these option names", "FILE"},
		{NULL, 0, 0, 0, NULL, NULL, NULL},
	};
	if (!(groups & TOOL_OPT_OFFER_JSON))
		memset(&offer[G_N_ELEMENTS(offer) - 2], 0, sizeof(offer[0]));
	GOptionEntry output[] = {
		{"out", 'o', 0, G_OPTION_ARG_FILENAME, &o->out, "Write the message to FILE (default: stdout)", "FILE"},
		{"format", 'f', 0, G_OPTION_ARG_STRING, &o->format, "Output format: hex (default), bin, base64, sdp",
		 "FMT"},
		{NULL, 0, 0, 0, NULL, NULL, NULL},
	};
	GOptionEntry state[] = {
		{"state", 's', 0, G_OPTION_ARG_FILENAME, &o->state,
		 (groups & TOOL_OPT_OFFER) ? "Write the initiator state (a secret recipe) to FILE"
		                           : "Initiator side: rerun the exchange recorded by \"create --state\"",
		 "FILE"},
		{NULL, 0, 0, 0, NULL, NULL, NULL},
	};
	GOptionEntry keys[] = {
		{"json", 'j', 0, G_OPTION_ARG_NONE, &o->keys_json, "Print the keys as JSON", NULL},
		{NULL, 0, 0, 0, NULL, NULL, NULL},
	};
	GOptionContext *ctx = g_option_context_new(params);
	GError *gerr = NULL;
	int rc = 0;
	(void)quiet_help;

	g_option_context_set_summary(ctx, summary);
	g_option_context_add_main_entries(ctx, cred, NULL);
	if (groups & TOOL_OPT_OFFER)
		g_option_context_add_main_entries(ctx, offer, NULL);
	if (groups & TOOL_OPT_OUTPUT)
		g_option_context_add_main_entries(ctx, output, NULL);
	if (groups & TOOL_OPT_STATE)
		g_option_context_add_main_entries(ctx, state, NULL);
	if (groups & TOOL_OPT_KEYS)
		g_option_context_add_main_entries(ctx, keys, NULL);
	if (!g_option_context_parse(ctx, argc, argv, &gerr)) {
		fprintf(stderr, "mikey-tool %s: %s\n", verb, gerr->message);
		rc = TOOL_EXIT_USAGE;
	}
	g_clear_error(&gerr);
	g_option_context_free(ctx);
	return rc;
}

/* Keep the values of |from| that are set over those of |to|. */
static void merge(tool_opts *to, tool_opts *from)
{
	recipe_opt a[RECIPE_MAX], b[RECIPE_MAX];
	size_t n = recipe_table(to, a);
	(void)recipe_table(from, b);
	for (size_t i = 0; i < n; i++) {
		if (a[i].str != NULL && *b[i].str != NULL) {
			g_free(*a[i].str);
			*a[i].str = *b[i].str;
			*b[i].str = NULL;
		} else if (a[i].flag != NULL && *b[i].flag) {
			*a[i].flag = TRUE;
		}
	}
	gchar **rt_to[] = {&to->now, &to->seed, &to->json, &to->out, &to->format, &to->in_format, &to->state};
	gchar **rt_from[] = {&from->now, &from->seed, &from->json, &from->out, &from->format, &from->in_format,
	                     &from->state};
	for (size_t i = 0; i < G_N_ELEMENTS(rt_to); i++) {
		if (*rt_from[i] != NULL) {
			g_free(*rt_to[i]);
			*rt_to[i] = *rt_from[i];
			*rt_from[i] = NULL;
		}
	}
	to->keys_json |= from->keys_json;
}

int tool_parse_options(const char *verb, const char *params, const char *summary, unsigned groups, int argc,
                       char **argv, tool_opts *o, gchar ***rest)
{
	char *prgname = g_strdup_printf("mikey-tool %s", verb);
	gchar **args = g_new0(gchar *, argc + 1);
	int rc;

	memset(o, 0, sizeof(*o));
	*rest = NULL;
	g_set_prgname(prgname);
	g_free(prgname);
	for (int i = 0; i < argc; i++)
		args[i] = g_strdup(argv[i]);
	/* GOption takes parsed options out of the array without freeing them. */
	gchar **owned = g_memdup2(args, (argc + 1) * sizeof(gchar *));
	int n = argc;
	gchar **pargs = args;
	rc = parse_into(verb, params, summary, groups, &n, &pargs, o, false);
	if (rc != 0)
		goto out;
	if ((groups & TOOL_OPT_OFFER_JSON) && o->json != NULL) {
		/* The JSON offer first, then the command line over it. */
		gchar *text = NULL;
		gsize len = 0;
		GError *gerr = NULL;
		char why[160];
		if (!g_file_get_contents(o->json, &text, &len, &gerr)) {
			fprintf(stderr, "mikey-tool %s: --json: %s\n", verb, gerr->message);
			g_clear_error(&gerr);
			rc = TOOL_EXIT_USAGE;
			goto out;
		}
		GPtrArray *jargs = g_ptr_array_new_with_free_func(g_free);
		g_ptr_array_add(jargs, g_strdup(verb));
		bool ok = offer_json_to_args(text, len, jargs, why, sizeof(why));
		g_free(text);
		if (!ok) {
			fprintf(stderr, "mikey-tool %s: --json %s: %s\n", verb, o->json, why);
			g_ptr_array_free(jargs, TRUE);
			rc = TOOL_EXIT_USAGE;
			goto out;
		}
		g_ptr_array_add(jargs, NULL);
		tool_opts from_json = {0};
		int jn = (int)jargs->len - 1;
		gchar **jv = g_memdup2(jargs->pdata, jargs->len * sizeof(gchar *));
		gchar **jv_start = jv;
		rc = parse_into(verb, params, summary, groups, &jn, &jv, &from_json, true);
		if (rc == 0 && jn > 1) {
			fprintf(stderr, "mikey-tool %s: --json %s: \"%s\" is not an option\n", verb, o->json, jv[1]);
			rc = TOOL_EXIT_USAGE;
		}
		g_free(jv_start);
		g_ptr_array_free(jargs, TRUE);
		if (rc != 0) {
			tool_opts_clear(&from_json);
			goto out;
		}
		/* from_json < command line: move the command line's values over. */
		merge(&from_json, o);
		tool_opts_clear(o);
		*o = from_json;
	}
	*rest = g_new0(gchar *, n + 1);
	for (int i = 0; i < n; i++)
		(*rest)[i] = g_strdup(pargs[i]);
out:
	g_strfreev(owned);
	g_free(args);
	return rc;
}

/* ---- context and offer ---- */

static bool read_file(const char *verb, const char *what, const char *path, gchar **text, gsize *len)
{
	GError *gerr = NULL;
	if (!g_file_get_contents(path, text, len, &gerr)) {
		fprintf(stderr, "mikey-tool %s: %s: %s\n", verb, what, gerr->message);
		g_clear_error(&gerr);
		return false;
	}
	return true;
}

static bool read_psk(const char *verb, const char *arg, uint8_t **key, size_t *len)
{
	gchar *text = NULL;
	gsize tlen = 0;
	bool ok;
	if (arg[0] == '@') {
		if (!read_file(verb, "--psk", arg + 1, &text, &tlen))
			return false;
		ok = tool_hex_decode(text, key, len);
		memset(text, 0, tlen);
		g_free(text);
	} else {
		ok = tool_hex_decode(arg, key, len);
	}
	if (!ok || *len == 0) {
		fprintf(stderr, "mikey-tool %s: --psk: not a hex key%s\n", verb, arg[0] == '@' ? " in the file" : "");
		if (ok)
			g_free(*key);
		return false;
	}
	return true;
}

mikey_ctx *tool_build_ctx(const char *verb, const tool_opts *o, tool_clock *clock, tool_rng *rng, int *status)
{
	mikey_ctx *ctx = mikey_ctx_new();
	gchar *cert = NULL, *key = NULL, *ca = NULL, *peer = NULL;
	gsize cert_len = 0, key_len = 0, ca_len = 0, peer_len = 0;
	uint8_t *psk = NULL;
	size_t psk_len = 0;
	int rc;
	mikey_error cerr;

	*status = TOOL_EXIT_USAGE;
	if (ctx == NULL) {
		fprintf(stderr, "mikey-tool %s: out of memory\n", verb);
		return NULL;
	}
	mikey_ctx_set_clock(ctx, tool_clock_fn, clock);
	if (rng != NULL)
		mikey_ctx_set_rng(ctx, tool_rng_fn, rng);
	if (o->id != NULL && mikey_ctx_set_id(ctx, MIKEY_ID_URI, o->id, strlen(o->id)) != MIKEY_OK) {
		fprintf(stderr, "mikey-tool %s: --id: too long\n", verb);
		goto fail;
	}
	if (o->max_skew != NULL) {
		uint64_t v;
		if (!parse_u64(o->max_skew, UINT32_MAX, &v)) {
			fprintf(stderr, "mikey-tool %s: --max-skew: \"%s\" is not a number of seconds\n", verb, o->max_skew);
			goto fail;
		}
		mikey_ctx_set_max_skew(ctx, (uint32_t)v);
	}
	mikey_ctx_allow_null_kemac(ctx, o->allow_null_kemac);
	mikey_ctx_allow_weak_dh(ctx, o->allow_weak_dh);
	if (o->psk != NULL) {
		if (!read_psk(verb, o->psk, &psk, &psk_len))
			goto fail;
		/* With --peer-id the key is for that peer only (an initiator we
		 * have no key for is an unknown identity); else for anyone. */
		rc = mikey_ctx_add_psk(ctx, o->peer_id, o->peer_id ? strlen(o->peer_id) : 0, psk, psk_len);
		if (rc != MIKEY_OK) {
			fprintf(stderr, "mikey-tool %s: --psk: %s\n", verb, mikey_strerror(rc));
			goto fail;
		}
	}
	if ((o->cert == NULL) != (o->key == NULL)) {
		fprintf(stderr, "mikey-tool %s: --cert and --key go together\n", verb);
		goto fail;
	}
	if (o->cert != NULL) {
		if (!read_file(verb, "--cert", o->cert, &cert, &cert_len) || !read_file(verb, "--key", o->key, &key, &key_len))
			goto fail;
		rc = mikey_ctx_set_credentials(ctx, cert, cert_len, key, key_len, &cerr);
		if (rc != MIKEY_OK) {
			fprintf(stderr, "mikey-tool %s: --cert %s / --key %s: %s (%s)\n", verb, o->cert, o->key,
			        cerr.message, mikey_error_name(rc));
			goto fail;
		}
	}
	if (o->ca != NULL) {
		if (!read_file(verb, "--ca", o->ca, &ca, &ca_len))
			goto fail;
		rc = mikey_ctx_add_trust(ctx, ca, ca_len, &cerr);
		if (rc != MIKEY_OK) {
			fprintf(stderr, "mikey-tool %s: --ca %s: %s\n", verb, o->ca, cerr.message);
			goto fail;
		}
	}
	if (o->peer_cert != NULL) {
		if (o->peer_id == NULL) {
			fprintf(stderr, "mikey-tool %s: --peer-cert needs --peer-id (the identity it belongs to)\n", verb);
			goto fail;
		}
		if (!read_file(verb, "--peer-cert", o->peer_cert, &peer, &peer_len))
			goto fail;
		rc = mikey_ctx_add_peer_cert(ctx, o->peer_id, strlen(o->peer_id), peer, peer_len, &cerr);
		if (rc != MIKEY_OK) {
			fprintf(stderr, "mikey-tool %s: --peer-cert %s: %s\n", verb, o->peer_cert, cerr.message);
			goto fail;
		}
	}
	*status = TOOL_EXIT_OK;
	goto out;
fail:
	mikey_ctx_free(ctx);
	ctx = NULL;
out:
	if (psk != NULL) {
		memset(psk, 0, psk_len);
		g_free(psk);
	}
	if (key != NULL) {
		memset(key, 0, key_len);
		g_free(key);
	}
	g_free(cert);
	g_free(ca);
	g_free(peer);
	return ctx;
}

static bool hex_field(const char *verb, const char *opt, const char *s, uint8_t *dst, size_t cap, size_t *len)
{
	uint8_t *b;
	size_t n;
	if (!tool_hex_decode(s, &b, &n) || n == 0 || n > cap) {
		if (n > cap)
			memset(b, 0, n), g_free(b);
		fprintf(stderr, "mikey-tool %s: --%s: expected 1 to %zu bytes of hex\n", verb, opt, cap);
		return false;
	}
	memcpy(dst, b, n);
	memset(b, 0, n);
	g_free(b);
	*len = n;
	return true;
}

/* The TESLA sender of --tesla-* (RFC 4442 §4: the parameters and the
 * commitment K_0 go into the offer). */
static int build_tesla(const char *verb, const tool_opts *o, tool_offer *t)
{
	mikey_tesla_params p;
	uint64_t v;
	int rc;

	if (o->tesla_seed == NULL && o->tesla_t0 == NULL && o->tesla_interval == NULL && o->tesla_delay == NULL &&
	    o->tesla_chain == NULL && o->tesla_mac_len == NULL && o->tesla_mac_key_len == NULL)
		return TOOL_EXIT_OK;
	mikey_tesla_params_default(&p);
	const struct {
		const char *name, *value;
	} need[] = {{"tesla-t0", o->tesla_t0},
	            {"tesla-interval", o->tesla_interval},
	            {"tesla-delay", o->tesla_delay},
	            {"tesla-chain", o->tesla_chain}};
	for (size_t i = 0; i < G_N_ELEMENTS(need); i++) {
		if (need[i].value == NULL) {
			fprintf(stderr, "mikey-tool %s: --%s is required with the other --tesla-* options (RFC 4442 §4.2: "
			                "no default)\n", verb, need[i].name);
			return TOOL_EXIT_USAGE;
		}
	}
	if (!tool_parse_now(o->tesla_t0, &p.t_0)) {
		fprintf(stderr, "mikey-tool %s: --tesla-t0: \"%s\" is not a time\n", verb, o->tesla_t0);
		return TOOL_EXIT_USAGE;
	}
	if (!parse_u64(o->tesla_interval, UINT32_MAX, &v) || v == 0) {
		fprintf(stderr, "mikey-tool %s: --tesla-interval: 1 to 4294967295 ms\n", verb);
		return TOOL_EXIT_USAGE;
	}
	p.t_int = (uint32_t)v;
	if (!parse_u64(o->tesla_delay, UINT16_MAX, &v) || v == 0) {
		fprintf(stderr, "mikey-tool %s: --tesla-delay: 1 to 65535 intervals\n", verb);
		return TOOL_EXIT_USAGE;
	}
	p.d = (uint32_t)v;
	if (!parse_u64(o->tesla_chain, UINT32_MAX, &v) || v == 0) {
		fprintf(stderr, "mikey-tool %s: --tesla-chain: 1 to 4294967295 intervals\n", verb);
		return TOOL_EXIT_USAGE;
	}
	p.n_c = (uint32_t)v;
	if (o->tesla_mac_len != NULL) {
		if (!parse_u64(o->tesla_mac_len, 160, &v) || v < 80 || v % 8 != 0) {
			fprintf(stderr, "mikey-tool %s: --tesla-mac-len: 80 to 160 bits, a multiple of 8\n", verb);
			return TOOL_EXIT_USAGE;
		}
		p.n_m = (uint16_t)v;
	}
	if (o->tesla_mac_key_len != NULL) {
		if (!parse_u64(o->tesla_mac_key_len, 160, &v) || v < 80 || v % 8 != 0) {
			fprintf(stderr, "mikey-tool %s: --tesla-mac-key-len: 80 to 160 bits, a multiple of 8\n", verb);
			return TOOL_EXIT_USAGE;
		}
		p.n_f = (uint16_t)v;
	}
	size_t seed_len = p.n_p / 8u; /* 20: RFC 4442 carries no n_p, RFC 4383 §6 */
	if (o->tesla_seed != NULL) {
		size_t n;
		if (!hex_field(verb, "tesla-seed", o->tesla_seed, t->tesla_seed, sizeof(t->tesla_seed), &n))
			return TOOL_EXIT_USAGE;
		if (n != seed_len) {
			fprintf(stderr, "mikey-tool %s: --tesla-seed: expected %zu bytes of hex\n", verb, seed_len);
			return TOOL_EXIT_USAGE;
		}
	} else {
		uint64_t n;
		if (o->seed != NULL && parse_u64(o->seed, UINT64_MAX, &n)) {
			uint8_t s[13];
			tool_rng r;
			for (int i = 0; i < 8; i++)
				s[i] = (uint8_t)(n >> (56 - 8 * i));
			memcpy(s + 8, "tesla", 5);
			tool_rng_init(&r, s, sizeof(s));
			rc = tool_rng_fn(&r, t->tesla_seed, seed_len);
			memset(&r, 0, sizeof(r));
		} else {
			rc = mikey_rng_bytes(NULL, t->tesla_seed, seed_len);
		}
		if (rc != MIKEY_OK) {
			fprintf(stderr, "mikey-tool %s: the random number generator failed\n", verb);
			return TOOL_EXIT_USAGE;
		}
		t->tesla_seed_drawn = true;
	}
	rc = mikey_tesla_sender_new(&p, t->tesla_seed, seed_len, &t->tesla);
	if (rc != MIKEY_OK) {
		fprintf(stderr, "mikey-tool %s: --tesla-*: %s (%s)\n", verb, mikey_strerror(rc), mikey_error_name(rc));
		return TOOL_EXIT_USAGE;
	}
	t->offer.tesla = mikey_tesla_sender_get0_params(t->tesla);
	return TOOL_EXIT_OK;
}

int tool_build_offer(const char *verb, const tool_opts *o, tool_offer *t)
{
	mikey_offer *f = &t->offer;
	mikey_mode mode;
	uint64_t v;

	memset(t, 0, sizeof(*t));
	if (o->mode == NULL || !tool_mode_from_name(o->mode, &mode)) {
		fprintf(stderr, "mikey-tool %s: --mode: %s (psk, pk, dh, dhhmac, rsar)\n", verb,
		        o->mode ? "unknown mode" : "required");
		return TOOL_EXIT_USAGE;
	}
	mikey_offer_init(f, mode);
	f->want_verify = o->verify;
	f->send_ids = !o->no_ids;

	/* Policies. */
	gchar **names = g_strsplit(o->policy ? o->policy : "aes128-sha1-80", ",", -1);
	size_t np = 0;
	for (; names[np] != NULL; np++) {
		if (np == G_N_ELEMENTS(t->policies) || !policy_from_name(g_strstrip(names[np]), &t->policies[np])) {
			fprintf(stderr, "mikey-tool %s: --policy: \"%s\" is not a policy name (or more than %zu)\n", verb,
			        names[np], G_N_ELEMENTS(t->policies));
			g_strfreev(names);
			return TOOL_EXIT_USAGE;
		}
	}
	g_strfreev(names);
	f->policies = t->policies;
	f->n_policies = np;

	/* Crypto sessions: SSRC[:POLICY_NO], ROC. */
	gchar **ssrcs = g_strsplit(o->ssrc ? o->ssrc : "0", ",", -1);
	size_t ncs = 0;
	for (; ssrcs[ncs] != NULL; ncs++) {
		gchar *s = g_strstrip(ssrcs[ncs]), *colon = strchr(s, ':');
		uint64_t pno = 0;
		if (colon != NULL)
			*colon = '\0';
		if (ncs == G_N_ELEMENTS(t->cs) || !parse_u64(s, UINT32_MAX, &v) ||
		    (colon != NULL && (!parse_u64(colon + 1, np - 1, &pno)))) {
			fprintf(stderr, "mikey-tool %s: --ssrc: entry %zu: expected SSRC[:POLICY_NO] (policy 0..%zu)\n",
			        verb, ncs + 1, np - 1);
			g_strfreev(ssrcs);
			return TOOL_EXIT_USAGE;
		}
		t->cs[ncs].ssrc = (uint32_t)v;
		t->cs[ncs].policy_no = (uint8_t)pno;
	}
	g_strfreev(ssrcs);
	f->cs = t->cs;
	f->n_cs = ncs;
	if (o->roc != NULL) {
		gchar **rocs = g_strsplit(o->roc, ",", -1);
		size_t nr = g_strv_length(rocs);
		bool ok = nr == 1 || nr == ncs;
		for (size_t i = 0; ok && i < ncs; i++) {
			ok = parse_u64(g_strstrip(rocs[nr == 1 ? 0 : i]), UINT32_MAX, &v);
			t->cs[i].roc = (uint32_t)v;
		}
		g_strfreev(rocs);
		if (!ok) {
			fprintf(stderr, "mikey-tool %s: --roc: one number, or one per --ssrc entry (%zu)\n", verb, ncs);
			return TOOL_EXIT_USAGE;
		}
	}

	/* KEMAC algorithms and PRF. */
	static const char *const encr_names[] = {"aes-cm-128", "aes-kw-128", "aes-cm-256", "null"};
	static const int encr_values[] = {MIKEY_ENCR_AES_CM_128, MIKEY_ENCR_AES_KW_128, MIKEY_ENCR_AES_CM_256,
	                                  MIKEY_ENCR_NULL};
	static const char *const mac_names[] = {"hmac-sha1", "hmac-sha1-160", "hmac-sha256", "hmac-sha256-256",
	                                        "null"};
	static const int mac_values[] = {MIKEY_MAC_HMAC_SHA1_160, MIKEY_MAC_HMAC_SHA1_160, MIKEY_MAC_HMAC_SHA256_256,
	                                 MIKEY_MAC_HMAC_SHA256_256, MIKEY_MAC_NULL};
	static const char *const prf_names[] = {"mikey-1", "hmac-sha256"};
	static const int prf_values[] = {MIKEY_PRF_MIKEY_1, MIKEY_PRF_HMAC_SHA_256};
	static const char *const dh_names[] = {"5", "1", "2", "oakley5", "oakley1", "oakley2"};
	static const int dh_values[] = {MIKEY_DH_OAKLEY_5, MIKEY_DH_OAKLEY_1, MIKEY_DH_OAKLEY_2,
	                                MIKEY_DH_OAKLEY_5, MIKEY_DH_OAKLEY_1, MIKEY_DH_OAKLEY_2};
	int val;
	if (o->encr != NULL) {
		if (!named_value(o->encr, encr_names, encr_values, G_N_ELEMENTS(encr_names), &val)) {
			fprintf(stderr, "mikey-tool %s: --encr: \"%s\" (aes-cm-128, aes-kw-128, aes-cm-256, null)\n", verb,
			        o->encr);
			return TOOL_EXIT_USAGE;
		}
		f->encr_alg = (uint8_t)val;
	}
	if (o->mac != NULL) {
		if (!named_value(o->mac, mac_names, mac_values, G_N_ELEMENTS(mac_names), &val)) {
			fprintf(stderr, "mikey-tool %s: --mac: \"%s\" (hmac-sha1, hmac-sha256, null)\n", verb, o->mac);
			return TOOL_EXIT_USAGE;
		}
		f->mac_alg = (uint8_t)val;
	}
	if (o->prf != NULL) {
		if (!named_value(o->prf, prf_names, prf_values, G_N_ELEMENTS(prf_names), &val)) {
			fprintf(stderr, "mikey-tool %s: --prf: \"%s\" (mikey-1, hmac-sha256)\n", verb, o->prf);
			return TOOL_EXIT_USAGE;
		}
		f->prf_func = (uint8_t)val;
	}
	if (o->dh_group != NULL) {
		if (!named_value(o->dh_group, dh_names, dh_values, G_N_ELEMENTS(dh_names), &val)) {
			fprintf(stderr, "mikey-tool %s: --dh-group: \"%s\" (5, 1, 2)\n", verb, o->dh_group);
			return TOOL_EXIT_USAGE;
		}
		f->dh_group = (uint8_t)val;
	}
	if (o->sign != NULL) {
		static const char *const sign_names[] = {"pkcs1", "pkcs1-1.5", "pss"};
		static const int sign_values[] = {MIKEY_SIGN_RSA_PKCS1_15, MIKEY_SIGN_RSA_PKCS1_15, MIKEY_SIGN_RSA_PSS};
		if (!named_value(o->sign, sign_names, sign_values, G_N_ELEMENTS(sign_names), &val)) {
			fprintf(stderr, "mikey-tool %s: --sign: \"%s\" (pkcs1, pss)\n", verb, o->sign);
			return TOOL_EXIT_USAGE;
		}
		f->sign_type = (uint8_t)val;
	}
	if (o->pke_cache != NULL) {
		if (!parse_u64(o->pke_cache, 2, &v)) {
			fprintf(stderr, "mikey-tool %s: --pke-cache: 0, 1 or 2 (RFC 3830 Table 6.3)\n", verb);
			return TOOL_EXIT_USAGE;
		}
		f->pke_cache = (uint8_t)v;
	}
	f->omit_certs = o->omit_certs;
	if (o->csb_id != NULL) {
		if (!parse_u64(o->csb_id, UINT32_MAX, &v) || v == 0) {
			fprintf(stderr, "mikey-tool %s: --csb-id: 1 to 0xffffffff\n", verb);
			return TOOL_EXIT_USAGE;
		}
		f->csb_id = (uint32_t)v;
	}
	if (o->rand_len != NULL) {
		if (!parse_u64(o->rand_len, 255, &v) || v < 16) {
			fprintf(stderr, "mikey-tool %s: --rand-len: 16 to 255 (RFC 3830 §6.11)\n", verb);
			return TOOL_EXIT_USAGE;
		}
		f->rand_len = (size_t)v;
	}

	/* The transported key (RFC 3830 §6.13). */
	if (o->tgk != NULL && o->tek != NULL) {
		fprintf(stderr, "mikey-tool %s: --tgk and --tek exclude each other\n", verb);
		return TOOL_EXIT_USAGE;
	}
	const char *key = o->tgk ? o->tgk : o->tek;
	f->key_type = o->tek ? (o->salt ? MIKEY_KEY_TEK_SALT : MIKEY_KEY_TEK)
	                     : (o->salt ? MIKEY_KEY_TGK_SALT : MIKEY_KEY_TGK);
	if (key != NULL) {
		if (!hex_field(verb, o->tgk ? "tgk" : "tek", key, t->key, sizeof(t->key), &f->key_len))
			return TOOL_EXIT_USAGE;
		f->key = t->key;
	}
	if (o->salt != NULL) {
		if (!hex_field(verb, "salt", o->salt, t->salt, sizeof(t->salt), &f->salt_len))
			return TOOL_EXIT_USAGE;
		f->salt = t->salt;
	}
	if (o->mki != NULL) {
		if (!hex_field(verb, "mki", o->mki, t->mki, sizeof(t->mki), &f->mki_len))
			return TOOL_EXIT_USAGE;
		f->mki = t->mki;
	}
	if (o->peer_id != NULL) {
		f->peer_id = o->peer_id;
		f->peer_id_len = strlen(o->peer_id);
	}
	return build_tesla(verb, o, t);
}

void tool_offer_cleanup(tool_offer *t)
{
	mikey_tesla_sender_free(t->tesla);
	memset(t, 0, sizeof(*t));
}

int tool_setup_rsar_keys(const char *verb, const tool_opts *o, mikey_ctx *ctx)
{
	tool_opts copy = *o;
	tool_offer *t = g_new0(tool_offer, 1);
	mikey_error err;
	int status;

	copy.mode = (gchar *)"rsar";
	status = tool_build_offer(verb, &copy, t);
	if (status == 0) {
		/* No --ssrc: echo the initiator's CS map (RFC 4738 §3.2). The
		 * PSK, DH and PK responders ignore this configuration. */
		if (o->ssrc == NULL)
			t->offer.n_cs = 0;
		int rc = mikey_ctx_set_rsar_keys(ctx, &t->offer);
		if (rc != MIKEY_OK) {
			mikey_error_clear(&err);
			fprintf(stderr, "mikey-tool %s: RSA-R responder keys: %s (%s)\n", verb, mikey_strerror(rc),
			        mikey_error_name(rc));
			status = TOOL_EXIT_USAGE;
		}
	}
	tool_offer_cleanup(t);
	g_free(t);
	return status;
}

bool tool_setup_rng(const char *verb, const tool_opts *o, tool_rng *rng, bool *bad)
{
	uint64_t n;
	*bad = false;
	if (o->seed == NULL)
		return false;
	if (!parse_u64(o->seed, UINT64_MAX, &n)) {
		fprintf(stderr, "mikey-tool %s: --seed: \"%s\" is not a number\n", verb, o->seed);
		*bad = true;
		return false;
	}
	uint8_t seed[8];
	for (int i = 0; i < 8; i++)
		seed[i] = (uint8_t)(n >> (56 - 8 * i));
	tool_rng_init(rng, seed, sizeof(seed));
	return true;
}

/* ---- message input and output ---- */

int tool_read_message(const char *verb, const char *path, const tool_opts *o, uint8_t **msg, size_t *len)
{
	uint8_t *input = NULL;
	size_t input_len = 0;
	mikey_text_format fmt = MIKEY_FORMAT_AUTO, detected;
	mikey_error err;

	*msg = NULL;
	*len = 0;
	if (o->in_format != NULL && mikey_text_format_from_name(o->in_format, &fmt) != MIKEY_OK) {
		fprintf(stderr, "mikey-tool %s: unknown --in-format \"%s\" (auto, bin, hex, base64, sdp, rtsp)\n", verb,
		        o->in_format);
		return TOOL_EXIT_USAGE;
	}
	if (tool_read_input(path, &input, &input_len) != 0)
		return TOOL_EXIT_USAGE;
	int rc = mikey_text_decode(input, input_len, fmt, msg, len, &detected, &err);
	free(input);
	if (rc != MIKEY_OK) {
		fprintf(stderr, "mikey-tool %s: %s: %s: %s\n", verb, path && strcmp(path, "-") ? path : "<stdin>",
		        mikey_error_name(rc), err.message);
		return TOOL_EXIT_BAD_INPUT;
	}
	return TOOL_EXIT_OK;
}

int tool_write_message(const char *verb, const tool_opts *o, const uint8_t *msg, size_t len)
{
	const char *fmt = o->format ? o->format : "hex";
	FILE *f = stdout;
	char *text = NULL;
	int status = TOOL_EXIT_USAGE;

	if (strcmp(fmt, "hex") == 0) {
		text = tool_hex(msg, len);
	} else if (strcmp(fmt, "base64") == 0 || strcmp(fmt, "sdp") == 0) {
		char *t = strcmp(fmt, "sdp") == 0 ? mikey_sdp_attribute(msg, len) : mikey_base64_encode(msg, len);
		if (t == NULL) {
			fprintf(stderr, "mikey-tool %s: out of memory\n", verb);
			return TOOL_EXIT_USAGE;
		}
		text = g_strdup(t);
		mikey_free(t);
	} else if (strcmp(fmt, "bin") != 0) {
		fprintf(stderr, "mikey-tool %s: unknown --format \"%s\" (hex, bin, base64, sdp)\n", verb, fmt);
		return TOOL_EXIT_USAGE;
	}
	if (o->out != NULL && strcmp(o->out, "-") != 0 && (f = fopen(o->out, "wb")) == NULL) {
		fprintf(stderr, "mikey-tool %s: cannot write %s: %s\n", verb, o->out, strerror(errno));
		goto out;
	}
	bool ok = text != NULL ? fprintf(f, "%s\n", text) >= 0 : fwrite(msg, 1, len, f) == len;
	if (f != stdout)
		ok = fclose(f) == 0 && ok;
	else
		ok = fflush(f) == 0 && ok;
	if (!ok)
		fprintf(stderr, "mikey-tool %s: cannot write %s\n", verb, o->out ? o->out : "<stdout>");
	else
		status = TOOL_EXIT_OK;
out:
	g_free(text);
	return status;
}

void tool_report_error(const char *verb, int rc, const mikey_error *err, int mode_hint)
{
	const char *msg = err != NULL && err->message[0] ? err->message : mikey_strerror(rc);
	bool unavailable = mode_hint > 0 && ((rc == MIKEY_ERR_UNSUPPORTED && strstr(msg, "not available") != NULL) ||
	                                     (rc == MIKEY_ERR_DATA_TYPE && mode_hint != MIKEY_MODE_PSK));
	if (unavailable)
		fprintf(stderr, "mikey-tool %s: mode not available: %s (this libmikey was built without it; %s)\n", verb,
		        tool_mode_name((mikey_mode)mode_hint), mikey_error_name(rc));
	else
		fprintf(stderr, "mikey-tool %s: %s: %s\n", verb, mikey_error_name(rc), msg);
}

/* ---- initiator state ---- */

#define STATE_GROUP "mikey-tool initiator state"

int tool_state_save(const char *verb, const char *path, const tool_opts *o, const tool_rng *rng, uint64_t now,
                    const uint8_t *imsg, size_t len)
{
	GKeyFile *kf = g_key_file_new();
	recipe_opt t[RECIPE_MAX];
	size_t n = recipe_table((tool_opts *)o, t);
	char *hex, nowbuf[32];
	GError *gerr = NULL;
	int status = TOOL_EXIT_USAGE;

	g_key_file_set_comment(kf, NULL, NULL,
	                       " Written by mikey-tool create --state. SECRET: the seed below regenerates\n"
	                       " every key of this exchange. Paths are absolute. See docs/mikey-tool.md.",
	                       NULL);
	g_key_file_set_integer(kf, STATE_GROUP, "version", 1);
	for (size_t i = 0; i < n; i++) {
		if (t[i].flag != NULL) {
			if (*t[i].flag)
				g_key_file_set_boolean(kf, STATE_GROUP, t[i].name, TRUE);
		} else if (*t[i].str != NULL) {
			const char *v = *t[i].str;
			bool at = t[i].path && v[0] == '@';
			bool is_path = t[i].path && (strcmp(t[i].name, "psk") != 0 || at);
			if (is_path) {
				gchar *abs = g_canonicalize_filename(at ? v + 1 : v, NULL);
				gchar *s = g_strconcat(at ? "@" : "", abs, NULL);
				g_key_file_set_string(kf, STATE_GROUP, t[i].name, s);
				g_free(abs);
				g_free(s);
			} else {
				g_key_file_set_string(kf, STATE_GROUP, t[i].name, v);
			}
		}
	}
	hex = tool_hex(rng->seed, rng->seed_len);
	g_key_file_set_string(kf, STATE_GROUP, "seed", hex);
	g_free(hex);
	snprintf(nowbuf, sizeof(nowbuf), "%" G_GUINT64_FORMAT, (guint64)now);
	g_key_file_set_string(kf, STATE_GROUP, "now", nowbuf);
	hex = tool_hex(imsg, len);
	g_key_file_set_string(kf, STATE_GROUP, "i-message", hex);
	g_free(hex);

	gsize data_len;
	gchar *data = g_key_file_to_data(kf, &data_len, NULL);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0) {
		fprintf(stderr, "mikey-tool %s: cannot write --state %s: %s\n", verb, path, strerror(errno));
	} else {
		(void)fchmod(fd, 0600);
		ssize_t w = write(fd, data, data_len);
		if (close(fd) != 0 || w != (ssize_t)data_len)
			fprintf(stderr, "mikey-tool %s: cannot write --state %s\n", verb, path);
		else
			status = TOOL_EXIT_OK;
	}
	memset(data, 0, data_len);
	g_free(data);
	g_clear_error(&gerr);
	g_key_file_free(kf);
	return status;
}

/* The bytes of a message that a rerun must reproduce: all of it, except
 * the signature of a final SIGN payload (RSA-PSS is randomised by OpenSSL,
 * RFC 3830 §6.5). Returns the length to compare, or 0 if unparsable. */
static size_t deterministic_prefix(const uint8_t *m, size_t len, size_t *sig_len)
{
	mikey_msg *msg = NULL;
	size_t n = len;
	*sig_len = 0;
	if (mikey_msg_parse(m, len, NULL, &msg, NULL) != MIKEY_OK)
		return 0;
	const mikey_payload *last = msg->payloads.last;
	if (last != NULL && last->type == MIKEY_PT_SIGN) {
		n = last->offset + 2; /* S type and length (RFC 3830 §6.5) stay */
		*sig_len = last->u.sign.sig.len;
	}
	mikey_msg_free(msg);
	return n;
}

int tool_state_rerun(const char *verb, const char *path, const char *now_override, tool_initiator *ini)
{
	GKeyFile *kf = g_key_file_new();
	GError *gerr = NULL;
	recipe_opt t[RECIPE_MAX];
	uint8_t *seed = NULL, *want = NULL;
	size_t seed_len = 0, want_len = 0;
	gchar *s = NULL;
	mikey_error err;
	int status = TOOL_EXIT_USAGE, rc;

	memset(ini, 0, sizeof(*ini));
	if (!g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, &gerr)) {
		fprintf(stderr, "mikey-tool %s: --state %s: %s\n", verb, path, gerr->message);
		goto out;
	}
	if (g_key_file_get_integer(kf, STATE_GROUP, "version", NULL) != 1) {
		fprintf(stderr, "mikey-tool %s: --state %s: not a version 1 mikey-tool state file\n", verb, path);
		goto out;
	}
	size_t n = recipe_table(&ini->opts, t);
	for (size_t i = 0; i < n; i++) {
		if (!g_key_file_has_key(kf, STATE_GROUP, t[i].name, NULL))
			continue;
		if (t[i].flag != NULL)
			*t[i].flag = g_key_file_get_boolean(kf, STATE_GROUP, t[i].name, NULL);
		else
			*t[i].str = g_key_file_get_string(kf, STATE_GROUP, t[i].name, NULL);
	}
	uint64_t created;
	s = g_key_file_get_string(kf, STATE_GROUP, "seed", NULL);
	bool ok = s != NULL && tool_hex_decode(s, &seed, &seed_len) && seed_len > 0 && seed_len <= 32;
	g_free(s);
	s = g_key_file_get_string(kf, STATE_GROUP, "now", NULL);
	ok = ok && s != NULL && parse_u64(s, UINT64_MAX, &created);
	g_free(s);
	s = g_key_file_get_string(kf, STATE_GROUP, "i-message", NULL);
	ok = ok && s != NULL && tool_hex_decode(s, &want, &want_len);
	if (!ok) {
		fprintf(stderr, "mikey-tool %s: --state %s: seed, now or i-message missing or malformed\n", verb, path);
		goto out;
	}
	uint64_t later = 0;
	if (now_override != NULL && !tool_parse_now(now_override, &later)) {
		fprintf(stderr, "mikey-tool %s: --now: \"%s\" is not a time\n", verb, now_override);
		goto out;
	}
	tool_rng_init(&ini->rng, seed, seed_len);
	ini->clock.fixed = true;
	ini->clock.ntp = created;
	if ((status = tool_build_offer(verb, &ini->opts, &ini->offer)) != 0)
		goto out;
	ini->ctx = tool_build_ctx(verb, &ini->opts, &ini->clock, &ini->rng, &status);
	if (ini->ctx == NULL)
		goto out;
	status = TOOL_EXIT_BAD_INPUT;
	rc = mikey_initiate(ini->ctx, &ini->offer.offer, &ini->ex, &ini->imsg, &ini->imsg_len, &err);
	if (rc != MIKEY_OK) {
		tool_report_error(verb, rc, &err, ini->offer.offer.mode);
		goto out;
	}
	size_t sig_a, sig_b;
	size_t pa = deterministic_prefix(ini->imsg, ini->imsg_len, &sig_a);
	size_t pb = deterministic_prefix(want, want_len, &sig_b);
	if (pa == 0 || pa != pb || sig_a != sig_b || ini->imsg_len != want_len || memcmp(ini->imsg, want, pa) != 0) {
		fprintf(stderr,
		        "mikey-tool %s: --state %s: rerunning the initiator did not rebuild the recorded I_MESSAGE "
		        "(changed files or library, or a mode drawing randomness outside the injected RNG)\n",
		        verb, path);
		goto out;
	}
	/* From now on the clock is the verb's --now, or the real time. */
	ini->clock.fixed = now_override != NULL;
	ini->clock.ntp = later;
	status = TOOL_EXIT_OK;
out:
	if (seed != NULL) {
		memset(seed, 0, seed_len);
		g_free(seed);
	}
	g_free(want);
	g_free(s);
	g_clear_error(&gerr);
	g_key_file_free(kf);
	return status;
}

void tool_initiator_cleanup(tool_initiator *ini)
{
	mikey_exchange_free(ini->ex);
	mikey_buf_free(ini->imsg, ini->imsg_len);
	mikey_ctx_free(ini->ctx);
	tool_offer_cleanup(&ini->offer);
	tool_opts_clear(&ini->opts);
	memset(&ini->rng, 0, sizeof(ini->rng));
	ini->ex = NULL;
	ini->imsg = NULL;
	ini->ctx = NULL;
}
