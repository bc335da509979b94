/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tool_ctx.c - see tool_ctx.h. */
#include "tool_ctx.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <mikey/mem.h>

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

/* RFC 4771 after a policy name: "+rccmN[:R[:TAG]]" puts SRTP auth alg
 * RCCmN (type 14), R (type 13, default: not sent, meaning 1) and the SRTP
 * tag length (type 18; default 14, RFC 4771 §5's advice, or 4 for RCCm3)
 * in the SP; SRTCP keeps the suite's HMAC-SHA-1 (types 2, 11). */
static bool rcc_suffix(const char *s, mikey_srtp_policy *p)
{
	unsigned mode, rate = 0, tag = 0;
	char tail;
	int n = sscanf(s, "rccm%u:%u:%u%c", &mode, &rate, &tag, &tail);

	if (g_ascii_strncasecmp(s, "rccm", 4) != 0 || n < 1 || n > 3 || mode < 1 || mode > 3 ||
	    (n >= 2 && (rate < 1 || rate > 0xffff)))
		return false;
	if (n < 3)
		tag = mode == 3 ? 4 : 14;
	if (mode == 3 ? tag != 4 : tag < 5 || tag > 20) /* RFC 4771 §4, §5 */
		return false;
	p->srtp_auth_alg = (uint8_t)(MIKEY_SRTP_AUTH_RCCM1 + mode - 1);
	p->srtp_auth_tag_len = tag;
	p->srtp_auth_key_len = 20;
	p->roc_tx_rate = n >= 2 ? rate : 0;
	p->specific |= MIKEY_SRTP_SPEC_SRTP_AUTH_ALG | MIKEY_SRTP_SPEC_SRTP_TAG_LEN;
	return p->encr_alg != MIKEY_SRTP_ENCR_AES_GCM && p->auth_alg == MIKEY_SRTP_AUTH_HMAC_SHA1;
}

/* SRTP policies by name: mikey_srtp_policy_from_name (mikey/srtp.h),
 * optionally with an RCC suffix. */
static bool policy_from_name(const char *name, mikey_srtp_policy *p)
{
	gchar **parts = g_strsplit(name, "+", 2);
	bool ok = parts[0] != NULL && mikey_srtp_policy_from_name(parts[0], p) == MIKEY_OK &&
	          (parts[1] == NULL || rcc_suffix(parts[1], p));
	g_strfreev(parts);
	return ok;
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
	if (strcmp(p, "Z") != 0 || y < 1900 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 ||
	    sec < 0 || sec > 60)
		return false;
	/* A calendar date: no 2023-02-30 (timegm would roll it over). */
	static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (d > mdays[mo - 1] + (mo == 2 && leap))
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
static const char *const sign_names[] = {"pkcs1", "pkcs1-1.5", "pss"};
static const int sign_values[] = {MIKEY_SIGN_RSA_PKCS1_15, MIKEY_SIGN_RSA_PKCS1_15, MIKEY_SIGN_RSA_PSS};

#define NAMED_VALID(fn, arr)                                                                                          \
	static bool fn(const char *v)                                                                                    \
	{                                                                                                                \
		int x;                                                                                                       \
		return named_value(v, arr##_names, arr##_values, G_N_ELEMENTS(arr##_names), &x);                             \
	}
NAMED_VALID(valid_encr, encr)
NAMED_VALID(valid_mac, mac)
NAMED_VALID(valid_prf, prf)
NAMED_VALID(valid_dh, dh)
NAMED_VALID(valid_sign, sign)

static bool valid_mode(const char *v)
{
	mikey_mode m;
	return tool_mode_from_name(v, &m);
}

static bool valid_policy(const char *v)
{
	gchar **names = g_strsplit(v, ",", -1);
	guint n = g_strv_length(names);
	bool ok = n >= 1 && n <= 16;
	for (guint i = 0; ok && i < n; i++) {
		mikey_srtp_policy p;
		ok = policy_from_name(g_strstrip(names[i]), &p);
	}
	g_strfreev(names);
	return ok;
}

static bool valid_out_format(const char *v)
{
	return strcmp(v, "hex") == 0 || strcmp(v, "bin") == 0 || strcmp(v, "base64") == 0 || strcmp(v, "sdp") == 0;
}

static bool valid_in_format(const char *v)
{
	mikey_text_format f;
	return mikey_text_format_from_name(v, &f) == MIKEY_OK;
}

/* One table declares every option of the exchange verbs: its name, kind,
 * range, whether it may repeat, whether it is secret, whether "create
 * --state" records it, its help and where its value goes. The GOption
 * entries, clearing, merging, range checks and the state recipe are all
 * generated from it. */
typedef enum { K_STR, K_HEX, K_FILE, K_INT, K_FLAG } opt_kind;

enum { G_ALL = 0 }; /* in every exchange verb; else TOOL_OPT_* */

typedef struct optdef {
	const char *name;
	char short_name;
	unsigned group;
	opt_kind kind;
	bool repeatable; /* field is a gchar ** (NULL-terminated), else gchar * */
	bool secret;     /* wiped when cleared */
	bool recipe;     /* recorded by "create --state" */
	bool path;       /* a file name (or @FILE): recorded absolute */
	uint64_t min, max; /* K_INT */
	size_t off;
	const char *arg, *help;
	bool (*valid)(const char *); /* names and lists: checked on entry */
	const char *expect;          /* what |valid| accepts, for the message */
} optdef;

#define OFF(f) offsetof(tool_opts, f)
#define STR(n, s, g, f, a, h) {n, s, g, K_STR, false, false, true, false, 0, 0, OFF(f), a, h, NULL, NULL}
#define RT_STR(n, s, g, f, a, h) {n, s, g, K_STR, false, false, false, false, 0, 0, OFF(f), a, h, NULL, NULL}
#define HEX(n, g, f, rep, a, h) {n, 0, g, K_HEX, rep, true, true, false, 0, 0, OFF(f), a, h, NULL, NULL}
#define FILEOPT(n, s, g, f, rec, a, h) {n, s, g, K_FILE, false, false, rec, rec, 0, 0, OFF(f), a, h, NULL, NULL}
#define INT(n, g, f, rec, lo, hi, a, h) {n, 0, g, K_INT, false, false, rec, false, lo, hi, OFF(f), a, h, NULL, NULL}
#define ENUM(n, s, g, f, rec, a, h, fn, e) {n, s, g, K_STR, false, false, rec, false, 0, 0, OFF(f), a, h, fn, e}
#define FLAG(n, s, g, f, rec, h) {n, s, g, K_FLAG, false, false, rec, false, 0, 0, OFF(f), NULL, h, NULL, NULL}

static const optdef optdefs[] = {
	ENUM("mode", 'm', G_ALL, mode, true, "MODE", "Key exchange mode: psk, pk, dh, dhhmac, rsar", valid_mode,
	     "psk, pk, dh, dhhmac, rsar"),
	{"psk", 0, G_ALL, K_STR, false, true, true, true, 0, 0, OFF(psk), "HEX|@FILE",
	 "Pre-shared key (psk, dhhmac): hex, or @FILE holding hex (at most 1 MiB)", NULL, NULL},
	{"dh-private", 0, G_ALL, K_STR, false, true, true, true, 0, 0, OFF(dh_private), "HEX|@FILE",
	 "DH and DH-HMAC: our DH private value x, big-endian hex or @FILE holding hex (FOR TEST VECTORS ONLY)",
	 NULL, NULL},
	FILEOPT("cert", 0, G_ALL, cert, true, "PEM",
	        "Our certificate (PEM, at most 1 MiB; further certificates: chain)"),
	FILEOPT("key", 0, G_ALL, key, true, "PEM", "Our RSA private key (PEM, at most 1 MiB)"),
	FILEOPT("peer-cert", 0, G_ALL, peer_cert, true, "PEM",
	        "The peer's certificate, known in advance (needs --peer-id; at most 1 MiB)"),
	FILEOPT("ca", 0, G_ALL, ca, true, "PEM", "Trust anchors for peers' certificates (PEM, at most 1 MiB)"),
	STR("id", 0, G_ALL, id, "URI", "Our identity (ID payload, type URI)"),
	STR("peer-id", 0, G_ALL, peer_id, "URI", "The peer's identity (URI)"),
	STR("ssrc", 0, TOOL_OPT_OFFER, ssrc, "N[,N...]",
	    "Crypto sessions: SSRC[:POLICY_NO] per session, comma separated, 1 to 255 (default one, SSRC 0)"),
	STR("roc", 0, TOOL_OPT_OFFER, roc, "N[,N...]", "ROC: one for all sessions, or one per session"),
	ENUM("policy", 0, TOOL_OPT_OFFER, policy, true, "NAME[,NAME...]",
	    "SRTP policies (SP payloads 0, 1, ..., at most 16): aes128-sha1-80 (default), aes128-sha1-32, "
	    "aes192-sha1-80, aes192-sha1-32, aes256-sha1-80, aes256-sha1-32, f8-128-sha1-80, null-sha1-80, "
	    "aes-gcm-128, aes-gcm-256; +rccmN[:R[:TAG]] after a name runs SRTP with RFC 4771 RCCmN (N 1..3)",
	    valid_policy, "1 to 16 policy names, comma separated: see --help"),
	ENUM("encr", 0, TOOL_OPT_OFFER, encr, true, "ALG",
	     "KEMAC encryption: aes-cm-128 (default), aes-kw-128, aes-cm-256, null", valid_encr,
	     "aes-cm-128, aes-kw-128, aes-cm-256, null"),
	ENUM("mac", 0, TOOL_OPT_OFFER, mac, true, "ALG", "KEMAC/V MAC: hmac-sha1 (default), hmac-sha256, null",
	     valid_mac, "hmac-sha1, hmac-sha256, null"),
	ENUM("prf", 0, TOOL_OPT_OFFER, prf, true, "PRF", "PRF: mikey-1 (default), hmac-sha256", valid_prf,
	     "mikey-1, hmac-sha256"),
	HEX("tgk", TOOL_OPT_OFFER, tgk, true, "HEX",
	    "Transport this TGK, 1 to 64 bytes (default: random); repeat for several keys"),
	HEX("tek", TOOL_OPT_OFFER, tek, true, "HEX",
	    "Transport this TEK (SRTP master key, 1 to 64 bytes) instead of a TGK; repeat for several keys"),
	HEX("salt", TOOL_OPT_OFFER, salt, false, "HEX",
	    "Carry this master salt with every key, 1 to 14 bytes (key type TGK+SALT / TEK+SALT)"),
	HEX("mki", TOOL_OPT_OFFER, mki, true, "HEX",
	    "MKI (KV SPI, RFC 3830 Sec. 6.14), 1 to 255 bytes; repeated: one per --tgk/--tek, in order"),
	INT("csb-id", TOOL_OPT_OFFER, csb_id, true, 1, UINT32_MAX, "N", "CSB ID, 1 to 4294967295 (default: random)"),
	ENUM("dh-group", 0, TOOL_OPT_OFFER, dh_group, true, "N", "DH group: 5 (default), 1, 2 (OAKLEY)", valid_dh, "5, 1, 2"),
	INT("rand-len", TOOL_OPT_OFFER, rand_len, true, 16, 255, "N", "RAND length in bytes, 16 to 255 (default 16)"),
	ENUM("sign", 0, TOOL_OPT_OFFER, sign, true, "TYPE",
	    "SIGN type: pkcs1 (RSA PKCS#1 v1.5, default, deterministic), pss (RSA-PSS, randomised)", valid_sign, "pkcs1, pss"),
	INT("pke-cache", TOOL_OPT_OFFER, pke_cache, true, 0, 2, "N", "PKE cache indicator C: 0 (default), 1, 2"),
	FLAG("omit-certs", 0, TOOL_OPT_OFFER, omit_certs, true, "Send no CERT payloads (peer knows our cert)"),
	INT("max-skew", G_ALL, max_skew, true, 0, UINT32_MAX, "SECONDS",
	    "Accepted clock skew in seconds, 0 to 4294967295 (default 300)"),
	FLAG("verify", 'V', TOOL_OPT_OFFER, verify, true, "Ask for a verification message (HDR V flag)"),
	FLAG("no-ids", 0, TOOL_OPT_OFFER, no_ids, true, "Send no IDi/IDr payloads"),
	FLAG("allow-null-kemac", 0, G_ALL, allow_null_kemac, true,
	     "Responder: accept NULL KEMAC encryption and MAC (RFC 3830 Sec. 4.2.3)"),
	FLAG("allow-weak-dh", 0, G_ALL, allow_weak_dh, true, "Responder: accept OAKLEY 1 and 2"),
	HEX("tesla-seed", TOOL_OPT_OFFER, tesla_seed, false, "HEX",
	    "TESLA (RFC 4442): chain seed K_{n_c}, 20 bytes of hex (default: random, recorded by --state)"),
	STR("tesla-t0", 0, TOOL_OPT_OFFER, tesla_t0, "TIME",
	    "TESLA: T_0, start of interval 0 (NTP 0xHEX / decimal, or ISO 8601); the first packet goes in interval 1"),
	INT("tesla-interval", TOOL_OPT_OFFER, tesla_interval, true, 1, UINT32_MAX, "MS",
	    "TESLA: interval duration in ms, 1 to 4294967295"),
	INT("tesla-delay", TOOL_OPT_OFFER, tesla_delay, true, 1, 65535, "D",
	    "TESLA: key disclosure delay d in intervals, 1 to 65535, less than --tesla-chain"),
	INT("tesla-chain", TOOL_OPT_OFFER, tesla_chain, true, 1, TOOL_CHAIN_MAX, "N",
	    "TESLA: chain length n_c in intervals, 1 to 10000000"),
	INT("tesla-mac-len", TOOL_OPT_OFFER, tesla_mac_len, true, 80, 160, "BITS",
	    "TESLA: MAC bits n_m, 80 to 160, a multiple of 8 (default 80)"),
	INT("tesla-mac-key-len", TOOL_OPT_OFFER, tesla_mac_key_len, true, 80, 160, "BITS",
	    "TESLA: MAC key (F' output) bits n_f, 80 to 160, a multiple of 8 (default 160)"),
	FILEOPT("json", 'j', TOOL_OPT_OFFER_JSON, json, false, "FILE",
	        "Read the offer from a JSON object whose keys are these option names (at most 16 MiB)"),
	RT_STR("now", 0, G_ALL, now, "TIME",
	       "The time: NTP 64-bit (0xHEX or decimal) or ISO 8601 UTC; default: system clock"),
	INT("seed", G_ALL, seed, false, 0, UINT64_MAX, "N",
	    "Deterministic RNG: stream SHA-256(BE64(N) || BE32(i)), i = 0, 1, ... (for test vectors only)"),
	ENUM("in-format", 0, G_ALL, in_format, false, "FMT", "Input format: auto (default), bin, hex, base64, sdp, rtsp",
	     valid_in_format, "auto, bin, hex, base64, sdp, rtsp"),
	FILEOPT("out", 'o', TOOL_OPT_OUTPUT, out, false, "FILE", "Write the message to FILE (default: stdout)"),
	ENUM("format", 'f', TOOL_OPT_OUTPUT, format, false, "FMT", "Output format: hex (default), bin, base64, sdp",
	     valid_out_format, "hex, bin, base64, sdp"),
	FILEOPT("state", 's', TOOL_OPT_STATE, state, false, "FILE",
	        "Initiator side: rerun the exchange recorded by \"create --state\" (at most 1 MiB)"),
	FLAG("json", 'j', TOOL_OPT_KEYS, keys_json, false, "Print the keys as JSON"),
};

static gchar **str_field(tool_opts *o, const optdef *d)
{
	return (gchar **)((char *)o + d->off);
}

static gchar ***strv_field(tool_opts *o, const optdef *d)
{
	return (gchar ***)((char *)o + d->off);
}

static gboolean *flag_field(tool_opts *o, const optdef *d)
{
	return (gboolean *)((char *)o + d->off);
}

static bool in_groups(const optdef *d, unsigned groups)
{
	return d->group == G_ALL || (groups & d->group) != 0;
}

static void wipe_str(gchar *s)
{
	if (s != NULL) {
		mikey_wipe(s, strlen(s));
		g_free(s);
	}
}

static void wipe_strv(gchar **v)
{
	if (v != NULL) {
		for (size_t i = 0; v[i] != NULL; i++)
			mikey_wipe(v[i], strlen(v[i]));
		g_strfreev(v);
	}
}

void tool_opts_clear(tool_opts *o)
{
	for (size_t i = 0; i < G_N_ELEMENTS(optdefs); i++) {
		const optdef *d = &optdefs[i];
		if (d->kind == K_FLAG) {
			*flag_field(o, d) = FALSE;
		} else if (d->repeatable) {
			wipe_strv(*strv_field(o, d));
			*strv_field(o, d) = NULL;
		} else {
			/* Every value is wiped: psk, tgk, tek, salt, seed are secrets. */
			wipe_str(*str_field(o, d));
			*str_field(o, d) = NULL;
		}
	}
}

void tool_quote(const char *s, char *buf, size_t cap)
{
	/* "..." with C escapes, at most about 40 characters of |s|. */
	size_t n = 0, i = 0;
	if (cap < 8) {
		if (cap > 0)
			buf[0] = '\0';
		return;
	}
	buf[n++] = '"';
	for (; s[i] != '\0' && i < 40 && n + 6 < cap; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			n += (size_t)snprintf(buf + n, cap - n, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			n += (size_t)snprintf(buf + n, cap - n, "\\x%02x", c);
		else
			buf[n++] = (char)c;
	}
	if (s[i] != '\0' && n + 5 < cap) {
		memcpy(buf + n, "\"...", 4);
		n += 4;
	} else {
		buf[n++] = '"';
	}
	buf[n] = '\0';
}

bool tool_no_repeats(const char *who, int argc, char **argv, const GOptionEntry *entries)
{
	for (const GOptionEntry *e = entries; e->long_name != NULL; e++) {
		if (e->arg == G_OPTION_ARG_NONE)
			continue;
		size_t ln = strlen(e->long_name);
		int seen = 0;
		for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
			const char *a = argv[i];
			bool eq = a[0] == '-' && a[1] == '-' && strncmp(a + 2, e->long_name, ln) == 0 && a[2 + ln] == '=';
			bool sep = (a[0] == '-' && a[1] == '-' && strcmp(a + 2, e->long_name) == 0) ||
			           (e->short_name != 0 && a[0] == '-' && a[1] == e->short_name && a[2] == '\0');
			if (!eq && !sep)
				continue;
			if (++seen > 1) {
				fprintf(stderr, "%s: --%s given twice (it takes one value)\n", who, e->long_name);
				return false;
			}
			if (sep)
				i++; /* its value */
		}
	}
	return true;
}

const char *tool_q(const char *s)
{
	static char bufs[4][128];
	static unsigned next;
	char *b = bufs[next++ % 4];
	tool_quote(s != NULL ? s : "", b, sizeof(bufs[0]));
	return b;
}

/* Where GOption hands each value: one callback for every option, so that
 * repeats are seen and the table says what to do with them. */
typedef struct parse_data {
	tool_opts *o;
	unsigned groups;
} parse_data;

static const optdef *find_opt(const char *option_name, unsigned groups)
{
	for (size_t i = 0; i < G_N_ELEMENTS(optdefs); i++) {
		const optdef *d = &optdefs[i];
		if (!in_groups(d, groups))
			continue;
		if ((option_name[0] == '-' && option_name[1] == '-' && strcmp(option_name + 2, d->name) == 0) ||
		    (option_name[0] == '-' && option_name[1] == d->short_name && d->short_name != 0 &&
		     option_name[2] == '\0'))
			return d;
	}
	return NULL;
}

static gboolean on_option(const gchar *option_name, const gchar *value, gpointer data, GError **error)
{
	parse_data *pd = data;
	const optdef *d = find_opt(option_name, pd->groups);
	if (d == NULL) {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_UNKNOWN_OPTION, "unknown option %s", option_name);
		return FALSE;
	}
	if (d->kind == K_FLAG) {
		if (value != NULL) {
			g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--%s takes no value", d->name);
			return FALSE;
		}
		*flag_field(pd->o, d) = TRUE;
		return TRUE;
	}
	if (strlen(value) > TOOL_OPTION_MAX) {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--%s: value longer than %d bytes", d->name,
		            TOOL_OPTION_MAX);
		return FALSE;
	}
	if (d->repeatable) {
		/* Repeated, or comma separated (a JSON offer's array arrives as
		 * "--tgk=A,B"; hex has no commas). */
		gchar ***v = strv_field(pd->o, d);
		gchar **parts = g_strsplit(value, ",", -1);
		guint n = *v ? g_strv_length(*v) : 0, add = g_strv_length(parts);
		if (add == 0 || n + add > TOOL_MAX_KEYS) {
			g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--%s: 1 to %d values in all", d->name,
			            TOOL_MAX_KEYS);
			wipe_strv(parts);
			return FALSE;
		}
		*v = g_renew(gchar *, *v, n + add + 1);
		for (guint i = 0; i < add; i++)
			(*v)[n + i] = parts[i];
		(*v)[n + add] = NULL;
		g_free(parts); /* the strings moved into *v */
		return TRUE;
	}
	gchar **s = str_field(pd->o, d);
	if (*s != NULL) {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--%s given twice (it takes one value)",
		            d->name);
		return FALSE;
	}
	*s = g_strdup(value);
	return TRUE;
}

static int parse_into(const char *verb, const char *params, const char *summary, unsigned groups, int *argc,
                      char ***argv, tool_opts *o)
{
	GOptionEntry entries[G_N_ELEMENTS(optdefs) + 1];
	parse_data pd = {o, groups};
	size_t n = 0;
	GError *gerr = NULL;
	int rc = 0;

	for (size_t i = 0; i < G_N_ELEMENTS(optdefs); i++) {
		const optdef *d = &optdefs[i];
		if (!in_groups(d, groups))
			continue;
		GOptionEntry e = {d->name, d->short_name, 0, G_OPTION_ARG_CALLBACK, (gpointer)on_option, d->help, d->arg};
		if (d->kind == K_FLAG) /* so that "--verify=x" reaches on_option and is refused */
			e.flags |= G_OPTION_FLAG_OPTIONAL_ARG;
		if (d->kind == K_FILE)
			e.flags |= G_OPTION_FLAG_FILENAME;
		if (strcmp(d->name, "state") == 0 && (groups & TOOL_OPT_OFFER_JSON))
			e.description = "Write the initiator state (a secret recipe) to FILE";
		entries[n++] = e;
	}
	memset(&entries[n], 0, sizeof(entries[n]));

	GOptionContext *ctx = g_option_context_new(params);
	GOptionGroup *main_group = g_option_group_new(NULL, NULL, NULL, &pd, NULL);
	g_option_group_add_entries(main_group, entries);
	g_option_context_set_main_group(ctx, main_group);
	g_option_context_set_summary(ctx, summary);
	if (!g_option_context_parse(ctx, argc, argv, &gerr)) {
		char q[128];
		/* GOption's own messages quote the whole value: keep it short. */
		tool_quote(gerr->message, q, sizeof(q));
		fprintf(stderr, "mikey-tool %s: %s\n", verb, strlen(gerr->message) > 40 ? q : gerr->message);
		rc = TOOL_EXIT_USAGE;
	}
	g_clear_error(&gerr);
	g_option_context_free(ctx);
	return rc;
}

/* Keep the values of |from| that are set over those of |to|. */
static void merge(tool_opts *to, tool_opts *from)
{
	for (size_t i = 0; i < G_N_ELEMENTS(optdefs); i++) {
		const optdef *d = &optdefs[i];
		if (d->kind == K_FLAG) {
			*flag_field(to, d) |= *flag_field(from, d);
		} else if (d->repeatable) {
			if (*strv_field(from, d) != NULL) {
				wipe_strv(*strv_field(to, d));
				*strv_field(to, d) = *strv_field(from, d);
				*strv_field(from, d) = NULL;
			}
		} else if (*str_field(from, d) != NULL) {
			wipe_str(*str_field(to, d));
			*str_field(to, d) = *str_field(from, d);
			*str_field(from, d) = NULL;
		}
	}
}

/* The ranges of the table, checked where the values enter. */
static int check_ranges(const char *verb, tool_opts *o, unsigned groups)
{
	for (size_t i = 0; i < G_N_ELEMENTS(optdefs); i++) {
		const optdef *d = &optdefs[i];
		uint64_t v;
		if (!in_groups(d, groups) || d->kind == K_FLAG || d->repeatable || *str_field(o, d) == NULL)
			continue;
		if (d->valid != NULL && !d->valid(*str_field(o, d))) {
			char q[64];
			tool_quote(*str_field(o, d), q, sizeof(q));
			fprintf(stderr, "mikey-tool %s: --%s: %s is not one of: %s\n", verb, d->name, q, d->expect);
			return TOOL_EXIT_USAGE;
		}
		if (d->kind != K_INT)
			continue;
		if (!parse_u64(*str_field(o, d), d->max, &v) || v < d->min) {
			char q[64];
			tool_quote(*str_field(o, d), q, sizeof(q));
			fprintf(stderr, "mikey-tool %s: --%s: %s is not a number from %" G_GUINT64_FORMAT " to %" G_GUINT64_FORMAT "\n",
			        verb, d->name, q, (guint64)d->min, (guint64)d->max);
			return TOOL_EXIT_USAGE;
		}
	}
	return TOOL_EXIT_OK;
}

/* A bounded read of a whole file, NUL-terminated (for PEM and hex text). */
static bool read_file(const char *verb, const char *what, const char *path, size_t max, gchar **text, gsize *len)
{
	uint8_t *buf = NULL;
	size_t n = 0;
	*text = NULL;
	*len = 0;
	if (tool_read_file(verb, what, path, max, &buf, &n) != 0)
		return false;
	*text = (gchar *)buf;
	*len = n;
	return true;
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
	rc = parse_into(verb, params, summary, groups, &n, &pargs, o);
	if (rc != 0)
		goto out;
	if ((groups & TOOL_OPT_OFFER_JSON) && o->json != NULL) {
		/* The JSON offer first, then the command line over it. */
		gchar *text = NULL;
		gsize len = 0;
		char why[160];
		if (!read_file(verb, "--json", o->json, TOOL_INPUT_MAX, &text, &len)) {
			rc = TOOL_EXIT_USAGE;
			goto out;
		}
		GPtrArray *jargs = g_ptr_array_new_with_free_func(g_free);
		g_ptr_array_add(jargs, g_strdup(verb));
		bool ok = offer_json_to_args(text, len, jargs, why, sizeof(why));
		mikey_wipe(text, len);
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
		rc = parse_into(verb, params, summary, groups, &jn, &jv, &from_json);
		if (rc == 0 && jn > 1) {
			char q[64];
			tool_quote(jv[1], q, sizeof(q));
			fprintf(stderr, "mikey-tool %s: --json %s: %s is not an option\n", verb, o->json, q);
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
	if ((rc = check_ranges(verb, o, groups)) != 0)
		goto out;
	*rest = g_new0(gchar *, n + 1);
	for (int i = 0; i < n; i++)
		(*rest)[i] = g_strdup(pargs[i]);
out:
	if (rc != 0)
		tool_opts_clear(o);
	g_strfreev(owned);
	g_free(args);
	return rc;
}

/* ---- context and offer ---- */

static bool read_hex_arg(const char *verb, const char *opt, const char *arg, uint8_t **key, size_t *len)
{
	gchar *text = NULL;
	gsize tlen = 0;
	bool ok;
	*key = NULL;
	*len = 0;
	if (arg[0] == '@') {
		if (!read_file(verb, opt, arg + 1, TOOL_PEM_MAX, &text, &tlen))
			return false;
		if (strlen(text) != tlen) {
			fprintf(stderr, "mikey-tool %s: %s: a NUL byte at offset %zu of %s\n", verb, opt, strlen(text), arg + 1);
			mikey_wipe(text, tlen);
			g_free(text);
			return false;
		}
		ok = tool_hex_decode(text, key, len);
		mikey_wipe(text, tlen);
		g_free(text);
	} else {
		ok = tool_hex_decode(arg, key, len);
	}
	if (!ok || *len == 0) {
		fprintf(stderr, "mikey-tool %s: %s: %s%s\n", verb, opt, ok ? "empty value" : "not hex",
		        arg[0] == '@' ? " in the file" : "");
		if (ok) {
			g_free(*key);
			*key = NULL;
			*len = 0;
		}
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
		*status = TOOL_EXIT_FAIL;
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
			fprintf(stderr, "mikey-tool %s: --max-skew: %s is not a number of seconds\n", verb, tool_q(o->max_skew));
			goto fail;
		}
		mikey_ctx_set_max_skew(ctx, (uint32_t)v);
	}
	mikey_ctx_allow_null_kemac(ctx, o->allow_null_kemac);
	mikey_ctx_allow_weak_dh(ctx, o->allow_weak_dh);
	if (o->psk != NULL) {
		if (!read_hex_arg(verb, "--psk", o->psk, &psk, &psk_len))
			goto fail;
		/* With --peer-id the key is for that peer only (an initiator we
		 * have no key for is an unknown identity); else for anyone. */
		rc = mikey_ctx_add_psk(ctx, o->peer_id, o->peer_id ? strlen(o->peer_id) : 0, psk, psk_len);
		if (rc != MIKEY_OK) {
			fprintf(stderr, "mikey-tool %s: --psk: %s\n", verb, mikey_strerror(rc));
			goto fail;
		}
	}
	if (o->dh_private != NULL) {
		uint8_t *x = NULL;
		size_t x_len = 0;
		mikey_error xerr;
		if (!read_hex_arg(verb, "--dh-private", o->dh_private, &x, &x_len))
			goto fail;
		rc = mikey_ctx_set_dh_private(ctx, x, x_len, &xerr);
		mikey_wipe(x, x_len);
		g_free(x);
		if (rc != MIKEY_OK) {
			fprintf(stderr, "mikey-tool %s: --dh-private: %s (%s)\n", verb,
			        xerr.message[0] ? xerr.message : mikey_strerror(rc), mikey_error_name(rc));
			goto fail;
		}
		fprintf(stderr, "mikey-tool %s: warning: --dh-private is for test vectors only: every exchange using "
		        "this value shares one DH key agreement\n", verb);
	}
	if (o->cert != NULL && o->key == NULL) {
		fprintf(stderr, "mikey-tool %s: --cert needs --key (our private key)\n", verb);
		goto fail;
	}
	/* --key alone: a public-key responder that only opens the envelope
	 * needs no certificate (it signs nothing). */
	if (o->key != NULL) {
		if ((o->cert != NULL && !read_file(verb, "--cert", o->cert, TOOL_PEM_MAX, &cert, &cert_len)) ||
		    !read_file(verb, "--key", o->key, TOOL_PEM_MAX, &key, &key_len))
			goto fail;
		rc = mikey_ctx_set_credentials(ctx, cert, cert_len, key, key_len, &cerr);
		if (rc != MIKEY_OK) {
			fprintf(stderr, "mikey-tool %s: --cert %s / --key %s: %s (%s)\n", verb,
			        o->cert != NULL ? o->cert : "(none)", o->key, cerr.message, mikey_error_name(rc));
			goto fail;
		}
	}
	if (o->ca != NULL) {
		if (!read_file(verb, "--ca", o->ca, TOOL_PEM_MAX, &ca, &ca_len))
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
		if (!read_file(verb, "--peer-cert", o->peer_cert, TOOL_PEM_MAX, &peer, &peer_len))
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
		mikey_wipe(psk, psk_len);
		g_free(psk);
	}
	if (key != NULL) {
		mikey_wipe(key, key_len);
		g_free(key);
	}
	g_free(cert);
	g_free(ca);
	g_free(peer);
	return ctx;
}

static bool hex_field(const char *verb, const char *opt, const char *s, uint8_t *dst, size_t cap, size_t *len)
{
	uint8_t *b = NULL;
	size_t n = 0;
	bool ok = tool_hex_decode(s, &b, &n);
	if (!ok || n == 0 || n > cap) {
		if (b != NULL) {
			mikey_wipe(b, n);
			g_free(b);
		}
		fprintf(stderr, "mikey-tool %s: --%s: expected 1 to %zu bytes of hex%s\n", verb, opt, cap,
		        !ok ? " (bad character or odd length)" : n == 0 ? " (empty)" : " (too long)");
		return false;
	}
	memcpy(dst, b, n);
	mikey_wipe(b, n);
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
			fprintf(stderr, "mikey-tool %s: --%s is required with the other --tesla-* options (RFC 4442 Sec. 4.2: "
			                "no default)\n", verb, need[i].name);
			return TOOL_EXIT_USAGE;
		}
	}
	if (!tool_parse_now(o->tesla_t0, &p.t_0)) {
		fprintf(stderr, "mikey-tool %s: --tesla-t0: %s is not a time\n", verb, tool_q(o->tesla_t0));
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
	if (!parse_u64(o->tesla_chain, TOOL_CHAIN_MAX, &v) || v == 0) {
		fprintf(stderr, "mikey-tool %s: --tesla-chain: 1 to %u intervals\n", verb, TOOL_CHAIN_MAX);
		return TOOL_EXIT_USAGE;
	}
	p.n_c = (uint32_t)v;
	if (p.d >= p.n_c) {
		fprintf(stderr, "mikey-tool %s: --tesla-delay (%u) must be less than --tesla-chain (%u) (RFC 4082)\n", verb,
		        p.d, p.n_c);
		return TOOL_EXIT_USAGE;
	}
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
			return TOOL_EXIT_BAD_INPUT;
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
			fprintf(stderr, "mikey-tool %s: --policy: %s is not a policy name (or more than %zu)\n", verb,
			        tool_q(names[np]), G_N_ELEMENTS(t->policies));
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
	if (ncs == 0) {
		fprintf(stderr, "mikey-tool %s: --ssrc: empty list (give at least one SSRC)\n", verb);
		return TOOL_EXIT_USAGE;
	}
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
	int val;
	if (o->encr != NULL) {
		if (!named_value(o->encr, encr_names, encr_values, G_N_ELEMENTS(encr_names), &val)) {
			fprintf(stderr, "mikey-tool %s: --encr: %s (aes-cm-128, aes-kw-128, aes-cm-256, null)\n", verb,
			        tool_q(o->encr));
			return TOOL_EXIT_USAGE;
		}
		f->encr_alg = (uint8_t)val;
	}
	if (o->mac != NULL) {
		if (!named_value(o->mac, mac_names, mac_values, G_N_ELEMENTS(mac_names), &val)) {
			fprintf(stderr, "mikey-tool %s: --mac: %s (hmac-sha1, hmac-sha256, null)\n", verb, tool_q(o->mac));
			return TOOL_EXIT_USAGE;
		}
		f->mac_alg = (uint8_t)val;
	}
	if (o->prf != NULL) {
		if (!named_value(o->prf, prf_names, prf_values, G_N_ELEMENTS(prf_names), &val)) {
			fprintf(stderr, "mikey-tool %s: --prf: %s (mikey-1, hmac-sha256)\n", verb, tool_q(o->prf));
			return TOOL_EXIT_USAGE;
		}
		f->prf_func = (uint8_t)val;
	}
	if (o->dh_group != NULL) {
		if (!named_value(o->dh_group, dh_names, dh_values, G_N_ELEMENTS(dh_names), &val)) {
			fprintf(stderr, "mikey-tool %s: --dh-group: %s (5, 1, 2)\n", verb, tool_q(o->dh_group));
			return TOOL_EXIT_USAGE;
		}
		f->dh_group = (uint8_t)val;
	}
	if (o->sign != NULL) {
		if (!named_value(o->sign, sign_names, sign_values, G_N_ELEMENTS(sign_names), &val)) {
			fprintf(stderr, "mikey-tool %s: --sign: %s (pkcs1, pss)\n", verb, tool_q(o->sign));
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
			fprintf(stderr, "mikey-tool %s: --rand-len: 16 to 255 (RFC 3830 Sec. 6.11)\n", verb);
			return TOOL_EXIT_USAGE;
		}
		f->rand_len = (size_t)v;
	}

	/* The transported keys (RFC 3830 §6.13): the first is offer.key, the
	 * others offer.extra_keys; --mki pairs with them in order. */
	if (o->tgk != NULL && o->tek != NULL) {
		fprintf(stderr, "mikey-tool %s: --tgk and --tek exclude each other\n", verb);
		return TOOL_EXIT_USAGE;
	}
	gchar **keys = o->tgk ? o->tgk : o->tek;
	const char *kname = o->tgk ? "tgk" : "tek";
	size_t nkeys = keys ? g_strv_length(keys) : 0, nmki = o->mki ? g_strv_length(o->mki) : 0;
	if (nkeys > TOOL_MAX_KEYS || nmki > TOOL_MAX_KEYS) {
		fprintf(stderr, "mikey-tool %s: at most %d keys and MKIs\n", verb, TOOL_MAX_KEYS);
		return TOOL_EXIT_USAGE;
	}
	if (nmki > 1 && nmki != nkeys) {
		fprintf(stderr, "mikey-tool %s: --mki given %zu times for %zu keys: give one --mki per --%s\n", verb, nmki,
		        nkeys, kname);
		return TOOL_EXIT_USAGE;
	}
	f->key_type = o->tek ? (o->salt ? MIKEY_KEY_TEK_SALT : MIKEY_KEY_TEK)
	                     : (o->salt ? MIKEY_KEY_TGK_SALT : MIKEY_KEY_TGK);
	if (o->salt != NULL) {
		if (!hex_field(verb, "salt", o->salt, t->salt, sizeof(t->salt), &f->salt_len))
			return TOOL_EXIT_USAGE;
		f->salt = t->salt;
	}
	size_t mki_len[TOOL_MAX_KEYS] = {0};
	for (size_t i = 0; i < nmki; i++)
		if (!hex_field(verb, "mki", o->mki[i], t->mki[i], sizeof(t->mki[i]), &mki_len[i]))
			return TOOL_EXIT_USAGE;
	if (nmki > 0) {
		f->mki = t->mki[0];
		f->mki_len = mki_len[0];
	}
	for (size_t i = 0; i < nkeys; i++) {
		size_t klen = 0;
		if (!hex_field(verb, kname, keys[i], t->key[i], sizeof(t->key[i]), &klen))
			return TOOL_EXIT_USAGE;
		if (i == 0) {
			f->key = t->key[0];
			f->key_len = klen;
			continue;
		}
		mikey_key_desc *k = &t->extra[i - 1];
		k->key_type = f->key_type;
		k->key = t->key[i];
		k->key_len = klen;
		k->salt = f->salt;
		k->salt_len = f->salt_len;
		k->mki = i < nmki ? t->mki[i] : NULL;
		k->mki_len = i < nmki ? mki_len[i] : 0;
	}
	if (nkeys > 1) {
		f->extra_keys = t->extra;
		f->n_extra_keys = nkeys - 1;
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
		fprintf(stderr, "mikey-tool %s: --seed: %s is not a number\n", verb, tool_q(o->seed));
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
		fprintf(stderr, "mikey-tool %s: unknown --in-format %s (auto, bin, hex, base64, sdp, rtsp)\n", verb,
		        tool_q(o->in_format));
		return TOOL_EXIT_USAGE;
	}
	int rrc = tool_read_input(path, &input, &input_len);
	if (rrc != 0)
		return rrc == -2 ? TOOL_EXIT_FAIL : TOOL_EXIT_USAGE;
	long bad = fmt == MIKEY_FORMAT_AUTO ? tool_text_bad_char(input, input_len) : -1;
	if (bad >= 0) {
		fprintf(stderr, "mikey-tool %s: %s: MIKEY_ERR_FORMAT: bad character 0x%02x at offset %ld (not hex, base64 "
		        "or binary MIKEY)\n", verb, path && strcmp(path, "-") ? path : "<stdin>", input[bad], bad);
		mikey_wipe(input, input_len);
		free(input);
		return TOOL_EXIT_BAD_INPUT;
	}
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
			return TOOL_EXIT_FAIL;
		}
		text = g_strdup(t);
		mikey_free(t);
	} else if (strcmp(fmt, "bin") != 0) {
		fprintf(stderr, "mikey-tool %s: unknown --format %s (hex, bin, base64, sdp)\n", verb, tool_q(fmt));
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
	char *hex, nowbuf[32];
	GError *gerr = NULL;
	int status = TOOL_EXIT_USAGE;

	g_key_file_set_comment(kf, NULL, NULL,
	                       " Written by mikey-tool create --state. SECRET: the seed below regenerates\n"
	                       " every key of this exchange. Paths are absolute. See docs/mikey-tool.md.",
	                       NULL);
	g_key_file_set_integer(kf, STATE_GROUP, "version", 1);
	for (size_t i = 0; i < G_N_ELEMENTS(optdefs); i++) {
		const optdef *d = &optdefs[i];
		tool_opts *mo = (tool_opts *)o;
		if (!d->recipe)
			continue;
		if (d->kind == K_FLAG) {
			if (*flag_field(mo, d))
				g_key_file_set_boolean(kf, STATE_GROUP, d->name, TRUE);
		} else if (d->repeatable) {
			gchar **v = *strv_field(mo, d);
			if (v != NULL)
				g_key_file_set_string_list(kf, STATE_GROUP, d->name, (const gchar *const *)v, g_strv_length(v));
		} else if (*str_field(mo, d) != NULL) {
			const char *v = *str_field(mo, d);
			bool at = d->path && v[0] == '@';
			bool is_path = d->path && (d->kind == K_FILE || at);
			if (is_path) {
				gchar *abs = g_canonicalize_filename(at ? v + 1 : v, NULL);
				gchar *p = g_strconcat(at ? "@" : "", abs, NULL);
				g_key_file_set_string(kf, STATE_GROUP, d->name, p);
				g_free(abs);
				g_free(p);
			} else {
				g_key_file_set_string(kf, STATE_GROUP, d->name, v);
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
	uint8_t *seed = NULL, *want = NULL;
	size_t seed_len = 0, want_len = 0;
	gchar *s = NULL, *text = NULL;
	gsize text_len = 0;
	mikey_error err;
	int status = TOOL_EXIT_USAGE, rc;

	memset(ini, 0, sizeof(*ini));
	if (!read_file(verb, "--state", path, TOOL_PEM_MAX, &text, &text_len))
		goto out;
	if (!g_key_file_load_from_data(kf, text, text_len, G_KEY_FILE_NONE, &gerr)) {
		/* GLib's message quotes the whole bad line (which may hold a
		 * secret or be huge): name the first bad line, a short prefix. */
		char q[64] = "";
		size_t lineno = 0;
		gchar **lines = g_strsplit(text, "\n", -1);
		for (size_t i = 0; lines[i] != NULL; i++) {
			const char *l = lines[i];
			while (*l == ' ' || *l == '\t')
				l++;
			if (*l == '\0' || *l == '#' || *l == '[' || *l == '\r' || strchr(l, '=') != NULL)
				continue;
			tool_quote(l, q, sizeof(q));
			lineno = i + 1;
			break;
		}
		for (size_t i = 0; lines[i] != NULL; i++)
			mikey_wipe(lines[i], strlen(lines[i]));
		g_strfreev(lines);
		if (lineno > 0)
			fprintf(stderr, "mikey-tool %s: --state %s: not a state file (line %zu: %s)\n", verb, path, lineno, q);
		else
			fprintf(stderr, "mikey-tool %s: --state %s: not a state file (malformed key file)\n", verb, path);
		goto out;
	}
	if (g_key_file_get_integer(kf, STATE_GROUP, "version", NULL) != 1) {
		fprintf(stderr, "mikey-tool %s: --state %s: not a version 1 mikey-tool state file\n", verb, path);
		goto out;
	}
	for (size_t i = 0; i < G_N_ELEMENTS(optdefs); i++) {
		const optdef *d = &optdefs[i];
		if (!d->recipe || !g_key_file_has_key(kf, STATE_GROUP, d->name, NULL))
			continue;
		if (d->kind == K_FLAG)
			*flag_field(&ini->opts, d) = g_key_file_get_boolean(kf, STATE_GROUP, d->name, NULL);
		else if (d->repeatable)
			*strv_field(&ini->opts, d) = g_key_file_get_string_list(kf, STATE_GROUP, d->name, NULL, NULL);
		else if (*str_field(&ini->opts, d) == NULL)
			*str_field(&ini->opts, d) = g_key_file_get_string(kf, STATE_GROUP, d->name, NULL);
	}
	if (check_ranges(verb, &ini->opts, TOOL_OPT_OFFER) != 0)
		goto out;
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
		fprintf(stderr, "mikey-tool %s: --now: %s is not a time\n", verb, tool_q(now_override));
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
	if (text != NULL) {
		mikey_wipe(text, text_len);
		g_free(text);
	}
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
