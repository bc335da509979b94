/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tesla.c - "mikey-tool tesla chain|ext|check": TESLA (RFC 4082, RFC 4383)
 * by hand, through the public mikey/tesla.h API only.
 *
 *   chain  K_i and K'_i of a key chain (RFC 4383 §6: K_i = F(K_{i+1}),
 *          K'_i = F'(K_i)), from the seed K_{n_c};
 *   ext    the TESLA authentication extension i || K_{i-d} || MAC of one
 *          packet (RFC 4383 §4.1, §4.2, §4.5) as a sender would append it;
 *   check  a received packet's extension as a receiver judges it: safety
 *          test and interval (RFC 4082 §3.5 step 1), disclosed key against
 *          the commitment (steps 2-3), and, given K_i, the TESLA MAC.
 *
 * check runs a mikey_tesla_receiver. To verify the MAC with a K_i given on
 * the command line it feeds a second receiver the packet and then a
 * synthetic packet of interval i + d that discloses K_i, sent at the start
 * of that interval: the library then verifies K_i against the chain and
 * the MAC exactly as it would for real traffic, and releases the packet or
 * counts it forged. No chain or MAC arithmetic is done here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mikey/mikey.h>
#include <mikey/tesla.h>

#include "input.h"
#include "json.h"
#include "tool_ctx.h"
#include "verbs.h"

typedef struct tesla_opts {
	gchar *seed, *n_c, *n_p, *n_f, *n_m, *t0, *interval, *delay, *now, *roc, *dt, *commitment, *commit_index,
		*key, *from, *to, *trailer;
	gboolean rtcp, json;
} tesla_opts;

static void opts_clear(tesla_opts *o)
{
	gchar **all[] = {&o->seed, &o->n_c, &o->n_p, &o->n_f, &o->n_m, &o->t0, &o->interval, &o->delay, &o->now,
	                 &o->roc, &o->dt, &o->commitment, &o->commit_index, &o->key, &o->from, &o->to, &o->trailer};
	for (size_t i = 0; i < G_N_ELEMENTS(all); i++) {
		if (*all[i] != NULL) {
			memset(*all[i], 0, strlen(*all[i])); /* seed and key are secrets */
			g_free(*all[i]);
			*all[i] = NULL;
		}
	}
}

/* Which options a subcommand takes. */
enum {
	OPT_CHAIN = 1u << 0,  /* --seed, --n-c, --n-p, --n-f */
	OPT_TIME = 1u << 1,   /* --t0, --interval, --delay, --n-m, --now */
	OPT_PACKET = 1u << 2, /* --roc, --rtcp */
	OPT_RANGE = 1u << 3,  /* --from, --to */
	OPT_CHECK = 1u << 4   /* --commitment, --commit-index, --key, --dt, --trailer */
};

static int parse(const char *sub, const char *params, const char *summary, unsigned groups, int *argc, char ***argv,
                 tesla_opts *o)
{
	GOptionEntry chain[] = {
		{"seed", 0, 0, G_OPTION_ARG_STRING, &o->seed, "Chain seed K_{n_c} (n_p/8 bytes of hex)", "HEX"},
		{"n-c", 0, 0, G_OPTION_ARG_STRING, &o->n_c, "Chain length n_c: keys K_0 ... K_{n_c}", "N"},
		{"n-p", 0, 0, G_OPTION_ARG_STRING, &o->n_p, "Bits of F output, the chain key (default 160)", "BITS"},
		{"n-f", 0, 0, G_OPTION_ARG_STRING, &o->n_f, "Bits of F' output, the MAC key (default 160)", "BITS"},
		{NULL, 0, 0, 0, NULL, NULL, NULL},
	};
	GOptionEntry time[] = {
		{"t0", 0, 0, G_OPTION_ARG_STRING, &o->t0, "T_0, start of interval 0: NTP (0xHEX, decimal) or ISO 8601",
		 "TIME"},
		{"interval", 0, 0, G_OPTION_ARG_STRING, &o->interval, "Interval duration T_int in milliseconds", "MS"},
		{"delay", 0, 0, G_OPTION_ARG_STRING, &o->delay, "Key disclosure delay d in intervals", "D"},
		{"n-m", 0, 0, G_OPTION_ARG_STRING, &o->n_m, "Bits of the TESLA MAC in packets (default 80)", "BITS"},
		{"now", 0, 0, G_OPTION_ARG_STRING, &o->now, "Sending (ext) or arrival (check) time", "TIME"},
		{NULL, 0, 0, 0, NULL, NULL, NULL},
	};
	GOptionEntry packet[] = {
		{"roc", 0, 0, G_OPTION_ARG_STRING, &o->roc, "SRTP rollover counter, covered by the MAC (default 0)", "N"},
		{"rtcp", 0, 0, G_OPTION_ARG_NONE, &o->rtcp,
		 "The packet is SRTCP: ends with E||SRTCP index, no ROC (RFC 4383 Sec. 4.5)", NULL},
		{NULL, 0, 0, 0, NULL, NULL, NULL},
	};
	GOptionEntry range[] = {
		{"from", 0, 0, G_OPTION_ARG_STRING, &o->from, "First index to print (default 0)", "I"},
		{"to", 0, 0, G_OPTION_ARG_STRING, &o->to, "Last index to print (default n_c)", "J"},
		{NULL, 0, 0, 0, NULL, NULL, NULL},
	};
	GOptionEntry check[] = {
		{"commitment", 0, 0, G_OPTION_ARG_STRING, &o->commitment, "The authenticated commitment K_c (hex)", "HEX"},
		{"commit-index", 0, 0, G_OPTION_ARG_STRING, &o->commit_index, "Its index c (default 0)", "C"},
		{"key", 0, 0, G_OPTION_ARG_STRING, &o->key,
		 "K_i of the packet's interval, as disclosed later: verify the TESLA MAC with it", "HEX"},
		{"dt", 0, 0, G_OPTION_ARG_STRING, &o->dt,
		 "D_t: bound on how far the receiver's clock lags the sender's, in ms (default 0)", "MS"},
		{"trailer", 0, 0, G_OPTION_ARG_STRING, &o->trailer,
		 "Bytes of MKI and SRTP tag after the extension, cut off first (default 0)", "N"},
		{NULL, 0, 0, 0, NULL, NULL, NULL},
	};
	GOptionEntry common[] = {
		{"json", 'j', 0, G_OPTION_ARG_NONE, &o->json, "Print JSON", NULL},
		{NULL, 0, 0, 0, NULL, NULL, NULL},
	};
	gchar *prg = g_strdup_printf("mikey-tool tesla %s", sub);
	GOptionContext *ctx = g_option_context_new(params);
	GError *gerr = NULL;
	int rc = 0;

	g_set_prgname(prg);
	g_free(prg);
	g_option_context_set_summary(ctx, summary);
	char who[64];
	snprintf(who, sizeof(who), "mikey-tool tesla %s", sub);
	const GOptionEntry *all[] = {chain, time, packet, range, check};
	const unsigned bits[] = {OPT_CHAIN, OPT_TIME, OPT_PACKET, OPT_RANGE, OPT_CHECK};
	for (size_t i = 0; i < G_N_ELEMENTS(all); i++) {
		if ((groups & bits[i]) && !tool_no_repeats(who, *argc, *argv, all[i])) {
			g_option_context_free(ctx);
			return TOOL_EXIT_USAGE;
		}
	}
	g_option_context_add_main_entries(ctx, common, NULL);
	if (groups & OPT_CHAIN)
		g_option_context_add_main_entries(ctx, chain, NULL);
	if (groups & OPT_TIME)
		g_option_context_add_main_entries(ctx, time, NULL);
	if (groups & OPT_PACKET)
		g_option_context_add_main_entries(ctx, packet, NULL);
	if (groups & OPT_RANGE)
		g_option_context_add_main_entries(ctx, range, NULL);
	if (groups & OPT_CHECK)
		g_option_context_add_main_entries(ctx, check, NULL);
	if (!g_option_context_parse(ctx, argc, argv, &gerr)) {
		fprintf(stderr, "mikey-tool tesla %s: %s\n", sub, gerr->message);
		rc = TOOL_EXIT_USAGE;
	}
	g_clear_error(&gerr);
	g_option_context_free(ctx);
	return rc;
}

/* ---- option values ---- */

static bool num(const char *sub, const char *opt, const char *s, uint64_t min, uint64_t max, uint64_t def,
                uint64_t *out)
{
	if (s == NULL) {
		*out = def;
		return true;
	}
	if (!tool_parse_u64(s, max, out) || *out < min) {
		char q[64];
		tool_quote(s, q, sizeof(q));
		fprintf(stderr, "mikey-tool tesla %s: --%s: %s is not a number in %llu..%llu\n", sub, opt, q,
		        (unsigned long long)min, (unsigned long long)max);
		return false;
	}
	return true;
}

static bool required(const char *sub, const char *opt, const char *s)
{
	if (s == NULL)
		fprintf(stderr, "mikey-tool tesla %s: --%s is required\n", sub, opt);
	return s != NULL;
}

static bool time_opt(const char *sub, const char *opt, const char *s, uint64_t *ntp)
{
	if (!required(sub, opt, s))
		return false;
	if (!tool_parse_now(s, ntp)) {
		fprintf(stderr, "mikey-tool tesla %s: --%s: %s is not a time (0xHEX, decimal NTP, ISO 8601)\n", sub,
		        opt, tool_q(s));
		return false;
	}
	return true;
}

/* A hex option of exactly |want| bytes into |dst|. */
static bool hex_exact(const char *sub, const char *opt, const char *s, size_t want, uint8_t *dst)
{
	uint8_t *b = NULL;
	size_t n = 0;
	if (!required(sub, opt, s))
		return false;
	if (!tool_hex_decode(s, &b, &n) || n != want) {
		fprintf(stderr, "mikey-tool tesla %s: --%s: expected %zu bytes of hex\n", sub, opt, want);
		if (b != NULL) {
			memset(b, 0, n);
			g_free(b);
		}
		return false;
	}
	memcpy(dst, b, n);
	memset(b, 0, n);
	g_free(b);
	return true;
}

/* Fills |p| from the chain (and, with |timed|, time) options and checks
 * it with the library. */
static bool params_from(const char *sub, const tesla_opts *o, bool timed, mikey_tesla_params *p)
{
	uint64_t v;
	mikey_tesla_params_default(p);
	if (!required(sub, "n-c", o->n_c) || !num(sub, "n-c", o->n_c, 1, TOOL_CHAIN_MAX, 0, &v))
		return false;
	p->n_c = (uint32_t)v;
	if (!num(sub, "n-p", o->n_p, 80, 160, 160, &v))
		return false;
	p->n_p = (uint16_t)v;
	if (!num(sub, "n-f", o->n_f, 80, 160, 160, &v))
		return false;
	p->n_f = (uint16_t)v;
	if (timed) {
		if (!time_opt(sub, "t0", o->t0, &p->t_0))
			return false;
		if (!required(sub, "interval", o->interval) || !num(sub, "interval", o->interval, 1, UINT32_MAX, 0, &v))
			return false;
		p->t_int = (uint32_t)v;
		if (!required(sub, "delay", o->delay) || !num(sub, "delay", o->delay, 1, 65535, 0, &v))
			return false;
		p->d = (uint32_t)v;
		if (p->d >= p->n_c) {
			fprintf(stderr, "mikey-tool tesla %s: --delay (%u) must be less than --n-c (%u) (RFC 4082)\n", sub,
			        p->d, p->n_c);
			return false;
		}
		if (!num(sub, "n-m", o->n_m, 80, 160, 80, &v))
			return false;
		p->n_m = (uint16_t)v;
	} else {
		p->t_int = 1; /* unused by the chain; params_check wants them */
		p->d = 1;
	}
	int rc = mikey_tesla_params_check(p);
	if (rc != MIKEY_OK) {
		fprintf(stderr,
		        "mikey-tool tesla %s: parameters refused: %s (%s): bit lengths are multiples of 8 in 80..160\n",
		        sub, mikey_error_name(rc), mikey_strerror(rc));
		return false;
	}
	return true;
}

/* The packet argument: hex on the command line, or "-" / @FILE for hex
 * text. */
static bool packet_arg(const char *sub, gchar **rest, uint8_t **pkt, size_t *len)
{
	gchar *text = NULL;
	uint8_t *raw = NULL;
	size_t raw_len = 0;
	bool ok;

	if (rest[1] == NULL || rest[2] != NULL) {
		fprintf(stderr, "mikey-tool tesla %s: expected one PACKET_HEX argument (or - or @FILE holding hex)\n", sub);
		return false;
	}
	if (strcmp(rest[1], "-") == 0 || rest[1][0] == '@') {
		if (tool_read_input(rest[1][0] == '@' ? rest[1] + 1 : NULL, &raw, &raw_len) != 0)
			return false;
		text = g_strndup((const char *)raw, raw_len);
		free(raw);
	} else {
		text = g_strdup(rest[1]);
	}
	ok = tool_hex_decode(g_strstrip(text), pkt, len);
	g_free(text);
	if (!ok || *len == 0)
		fprintf(stderr, "mikey-tool tesla %s: the packet is not hex\n", sub);
	return ok && *len > 0;
}

static void print_hex(FILE *f, const char *label, const uint8_t *p, size_t n)
{
	fprintf(f, "%-20s ", label);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%02x", p[i]);
	fputc('\n', f);
}

/* ---- chain ---- */

static int sub_chain(int argc, char **argv)
{
	tesla_opts o = {0};
	mikey_tesla_params p;
	mikey_tesla_chain *c = NULL;
	uint8_t seed[MIKEY_TESLA_MAX_KEY_LEN], k[MIKEY_TESLA_MAX_KEY_LEN], kp[MIKEY_TESLA_MAX_KEY_LEN];
	uint64_t from, to;
	int status = TOOL_EXIT_USAGE, rc;

	if (parse("chain", "",
	          "Print the TESLA key chain: K_{n_c} = seed, K_i = F(K_{i+1}) = HMAC-SHA1(K_{i+1}, 0x00),\n"
	          "K'_i = F'(K_i) = HMAC-SHA1(K_i, 0x01), truncated to n_p / n_f bits (RFC 4383 Sec. 6).\n"
	          "Exit status: 0 printed, 2 usage error.",
	          OPT_CHAIN | OPT_RANGE, &argc, &argv, &o) != 0)
		goto out;
	if (argc > 1) {
		fprintf(stderr, "mikey-tool tesla chain: unexpected argument %s\n", tool_q(argv[1]));
		goto out;
	}
	if (!params_from("chain", &o, false, &p) || !hex_exact("chain", "seed", o.seed, p.n_p / 8u, seed))
		goto out;
	if (!num("chain", "from", o.from, 0, p.n_c, 0, &from) || !num("chain", "to", o.to, from, p.n_c, p.n_c, &to))
		goto out;
	rc = mikey_tesla_chain_new(&p, seed, p.n_p / 8u, &c);
	if (rc != MIKEY_OK) {
		fprintf(stderr, "mikey-tool tesla chain: %s: %s\n", mikey_error_name(rc), mikey_strerror(rc));
		status = TOOL_EXIT_BAD_INPUT;
		goto out;
	}
	json_writer w;
	if (o.json) {
		json_init(&w, stdout, false);
		json_begin_object(&w);
		json_kv_uint(&w, "n_c", p.n_c);
		json_kv_uint(&w, "n_p", p.n_p);
		json_kv_uint(&w, "n_f", p.n_f);
		json_key(&w, "keys");
		json_begin_array(&w);
	} else {
		printf("TESLA key chain: n_c = %u, K_i %u bits, K'_i %u bits (HMAC-SHA1, RFC 4383 Sec. 6)\n", p.n_c, p.n_p,
		       p.n_f);
	}
	for (uint64_t i = from; i <= to; i++) {
		rc = mikey_tesla_chain_key(c, (uint32_t)i, k);
		if (rc == MIKEY_OK)
			rc = mikey_tesla_f_prime(&p, k, kp);
		if (rc != MIKEY_OK) {
			fprintf(stderr, "mikey-tool tesla chain: K_%llu: %s\n", (unsigned long long)i, mikey_error_name(rc));
			status = TOOL_EXIT_BAD_INPUT;
			goto out;
		}
		if (o.json) {
			json_begin_object(&w);
			json_kv_uint(&w, "i", i);
			json_kv_hex(&w, "k", k, p.n_p / 8u);
			json_kv_hex(&w, "k_prime", kp, p.n_f / 8u);
			json_end_object(&w);
		} else {
			char label[32];
			snprintf(label, sizeof(label), "K_%llu", (unsigned long long)i);
			print_hex(stdout, label, k, p.n_p / 8u);
			snprintf(label, sizeof(label), "K'_%llu", (unsigned long long)i);
			print_hex(stdout, label, kp, p.n_f / 8u);
		}
	}
	if (o.json) {
		json_end_array(&w);
		json_end_object(&w);
		json_finish(&w);
	}
	status = fflush(stdout) == 0 ? TOOL_EXIT_OK : TOOL_EXIT_FAIL;
out:
	mikey_tesla_chain_free(c);
	memset(seed, 0, sizeof(seed));
	memset(k, 0, sizeof(k));
	memset(kp, 0, sizeof(kp));
	opts_clear(&o);
	return status;
}

/* ---- ext ---- */

static int sub_ext(int argc, char **argv)
{
	tesla_opts o = {0};
	mikey_tesla_params p;
	mikey_tesla_sender *s = NULL;
	uint8_t seed[MIKEY_TESLA_MAX_KEY_LEN], *pkt = NULL, *buf = NULL;
	size_t len = 0, out_len = 0, cap;
	uint64_t now, roc, i;
	int status = TOOL_EXIT_USAGE, rc;

	if (parse("ext", "PACKET_HEX",
	          "Compute the TESLA authentication extension i || K_{i-d} || TESLA MAC (RFC 4383 Sec. 4.1) of one\n"
	          "packet: PACKET_HEX is the TESLA Authenticated Portion (RTP header and encrypted payload,\n"
	          "Sec. 4.2; for --rtcp header, encrypted portion and E||SRTCP index, Sec. 4.5). Prints the\n"
	          "extension and the packet with it appended (MKI and SRTP tag come after it).\n"
	          "Exit status: 0 printed, 1 no key for --now (interval 0 or after n_c), 2 usage error.",
	          OPT_CHAIN | OPT_TIME | OPT_PACKET, &argc, &argv, &o) != 0)
		goto out;
	if (!params_from("ext", &o, true, &p) || !hex_exact("ext", "seed", o.seed, p.n_p / 8u, seed) ||
	    !time_opt("ext", "now", o.now, &now) || !num("ext", "roc", o.roc, 0, UINT32_MAX, 0, &roc))
		goto out;
	if (o.rtcp && o.roc != NULL) {
		fprintf(stderr, "mikey-tool tesla ext: --roc and --rtcp exclude each other (no ROC in SRTCP, Sec. 4.6)\n");
		goto out;
	}
	if (!packet_arg("ext", argv, &pkt, &len))
		goto out;
	rc = mikey_tesla_sender_new(&p, seed, p.n_p / 8u, &s);
	if (rc != MIKEY_OK) {
		fprintf(stderr, "mikey-tool tesla ext: %s: %s\n", mikey_error_name(rc), mikey_strerror(rc));
		status = TOOL_EXIT_BAD_INPUT;
		goto out;
	}
	cap = len + mikey_tesla_ext_len(&p);
	buf = g_malloc(cap);
	memcpy(buf, pkt, len);
	if (o.rtcp)
		rc = mikey_tesla_sender_protect_rtcp(s, buf, len, cap, now, &out_len);
	else
		rc = mikey_tesla_sender_protect_rtp(s, buf, len, cap, (uint32_t)roc, now, &out_len);
	if (rc != MIKEY_OK) {
		status = TOOL_EXIT_BAD_INPUT;
		if (rc == MIKEY_ERR_STATE && mikey_tesla_interval(&p, now, &i) == MIKEY_OK)
			fprintf(stderr,
			        "mikey-tool tesla ext: MIKEY_ERR_STATE: --now is in interval %llu; a sender authenticates "
			        "intervals 1..%u (interval 0 is the commitment's, RFC 4082 Sec. 3.2)\n",
			        (unsigned long long)i, p.n_c);
		else if (rc == MIKEY_ERR_STATE)
			fprintf(stderr, "mikey-tool tesla ext: MIKEY_ERR_STATE: --now is before --t0\n");
		else
			fprintf(stderr, "mikey-tool tesla ext: %s: %s\n", mikey_error_name(rc), mikey_strerror(rc));
		goto out;
	}
	/* What the library appended, read back through its own parser. */
	mikey_tesla_ext ext;
	rc = mikey_tesla_ext_parse(&p, buf, out_len, o.rtcp, &ext);
	if (rc != MIKEY_OK) {
		fprintf(stderr, "mikey-tool tesla ext: %s\n", mikey_error_name(rc));
		status = TOOL_EXIT_BAD_INPUT;
		goto out;
	}
	uint32_t disclosed = ext.i >= p.d ? ext.i - p.d : 0;
	if (o.json) {
		json_writer w;
		json_init(&w, stdout, false);
		json_begin_object(&w);
		json_kv_uint(&w, "i", ext.i);
		json_kv_uint(&w, "disclosed_index", disclosed);
		json_kv_hex(&w, "disclosed_key", ext.key, p.n_p / 8u);
		json_kv_hex(&w, "mac", ext.mac, p.n_m / 8u);
		json_kv_hex(&w, "extension", buf + ext.ext_offset, out_len - ext.ext_offset);
		json_kv_hex(&w, "packet", buf, out_len);
		json_end_object(&w);
		json_finish(&w);
	} else {
		char label[40];
		printf("%-20s %u\n", "interval i", ext.i);
		snprintf(label, sizeof(label), "disclosed K_%u", disclosed);
		print_hex(stdout, label, ext.key, p.n_p / 8u);
		snprintf(label, sizeof(label), "TESLA MAC (%u bits)", p.n_m);
		print_hex(stdout, label, ext.mac, p.n_m / 8u);
		print_hex(stdout, "extension", buf + ext.ext_offset, out_len - ext.ext_offset);
		print_hex(stdout, "packet", buf, out_len);
	}
	status = fflush(stdout) == 0 ? TOOL_EXIT_OK : TOOL_EXIT_FAIL;
out:
	mikey_tesla_sender_free(s);
	memset(seed, 0, sizeof(seed));
	g_free(pkt);
	g_free(buf);
	opts_clear(&o);
	return status;
}

/* ---- check ---- */

/* NTP time at which interval |k| starts: T_0 + ceil(k * T_int ms). The
 * product of two 32-bit values fits 64 bits; split whole seconds from the
 * rest so the shift by 32 cannot overflow. */
static bool interval_start(const mikey_tesla_params *p, uint64_t k, uint64_t *ntp)
{
	uint64_t ms = k * p->t_int;
	uint64_t secs = ms / 1000u, rest = ms % 1000u;
	uint64_t frac = ((rest << 32) + 999u) / 1000u;
	if (secs > (UINT64_MAX >> 32) || (secs << 32) > UINT64_MAX - frac || p->t_0 > UINT64_MAX - (secs << 32) - frac)
		return false;
	*ntp = p->t_0 + (secs << 32) + frac;
	return true;
}

static const char *verdict_reason(mikey_tesla_verdict v, const char **name)
{
	switch (v) {
	case MIKEY_TESLA_UNSAFE:
		*name = "unsafe";
		return "the sender may already have disclosed K_i when the packet arrived (x >= i + d, RFC 4082 sec. 3.5)";
	case MIKEY_TESLA_FUTURE:
		*name = "future";
		return "interval i is later than the sender can be in at --now + D_t, or after n_c";
	case MIKEY_TESLA_LATE:
		*name = "late";
		return "K_i is not newer than the commitment: anyone may know it";
	case MIKEY_TESLA_BAD_KEY:
		*name = "bad-key";
		return "the disclosed key K_{i-d} does not lead to the commitment (RFC 4082 sec. 3.5 step 3)";
	case MIKEY_TESLA_TOO_FAR:
		*name = "too-far";
		return "the disclosed key is too far past the commitment";
	default:
		*name = "refused";
		return "the receiver did not buffer the packet";
	}
}

/* MAC check with K_i: a second receiver gets the packet, then a packet of
 * interval i + d disclosing K_i. *mac_ok tells whether the packet came
 * out verified; *key_ok whether K_i was on the chain. */
static int mac_check(const mikey_tesla_params *p0, const uint8_t *pkt, size_t len, bool rtcp, uint32_t roc,
                     uint64_t now, uint32_t i, const uint8_t *k_i, bool *key_ok, bool *mac_ok)
{
	mikey_tesla_params p = *p0;
	mikey_tesla_receiver_config cfg;
	mikey_tesla_receiver *r = NULL;
	mikey_tesla_verdict v;
	mikey_tesla_released info;
	uint8_t *synth = NULL, *out = NULL;
	size_t ext_len = mikey_tesla_ext_len(&p), slen = 12 + ext_len;
	uint64_t when, x;
	int rc;

	*key_ok = *mac_ok = false;
	/* The real sender never discloses the keys of its last d intervals in
	 * a packet; the synthetic one may, so the chain bound moves up. */
	if ((uint64_t)i + p.d > p.n_c)
		p.n_c = (uint32_t)((uint64_t)i + p.d > UINT32_MAX ? UINT32_MAX : (uint64_t)i + p.d);
	mikey_tesla_receiver_config_default(&cfg);
	cfg.max_gap = p.n_c;
	if (!interval_start(&p, (uint64_t)i + p.d, &when))
		return MIKEY_ERR_ARG;
	when = when >= p.d_t && when - p.d_t > now ? when - p.d_t : now;
	if (mikey_tesla_interval(&p, when + p.d_t, &x) != MIKEY_OK || x != (uint64_t)i + p.d)
		return MIKEY_ERR_STATE;
	if ((rc = mikey_tesla_receiver_new(&p, &cfg, &r)) != MIKEY_OK)
		return rc;
	rc = rtcp ? mikey_tesla_receiver_input_rtcp(r, pkt, len, 0, now, &v)
	          : mikey_tesla_receiver_input_rtp(r, pkt, len, roc, 0, now, &v);
	if (rc != MIKEY_OK || v != MIKEY_TESLA_BUFFERED) {
		rc = rc != MIKEY_OK ? rc : MIKEY_ERR_STATE;
		goto out;
	}
	/* RTP header (version 2) || i + d || K_i || any MAC. */
	synth = g_malloc0(slen);
	synth[0] = 0x80;
	uint32_t j = i + p.d;
	synth[12] = (uint8_t)(j >> 24);
	synth[13] = (uint8_t)(j >> 16);
	synth[14] = (uint8_t)(j >> 8);
	synth[15] = (uint8_t)j;
	memcpy(synth + 16, k_i, p.n_p / 8u);
	rc = mikey_tesla_receiver_input_rtp(r, synth, slen, 0, 1, when, &v);
	if (rc != MIKEY_OK)
		goto out;
	*key_ok = v != MIKEY_TESLA_BAD_KEY && v != MIKEY_TESLA_TOO_FAR;
	out = g_malloc(len);
	while ((rc = mikey_tesla_receiver_next(r, out, len, &info)) == MIKEY_OK) {
		if (info.interval == i && info.rtcp == rtcp)
			*mac_ok = true;
	}
	rc = rc == MIKEY_ERR_NOT_FOUND ? MIKEY_OK : rc;
out:
	mikey_tesla_receiver_free(r);
	g_free(synth);
	if (out != NULL) {
		memset(out, 0, len);
		g_free(out);
	}
	return rc;
}

/* Constant time: the commitment is public, the habit is not. Reason
 * strings stay ASCII: json.h writes other bytes as \u00XX. */
static bool same(const uint8_t *a, const uint8_t *b, size_t n)
{
	uint8_t d = 0;
	for (size_t i = 0; i < n; i++)
		d |= (uint8_t)(a[i] ^ b[i]);
	return d == 0;
}

static int sub_check(int argc, char **argv)
{
	tesla_opts o = {0};
	mikey_tesla_params p;
	mikey_tesla_receiver_config cfg;
	mikey_tesla_receiver *r = NULL;
	mikey_tesla_verdict v = MIKEY_TESLA_BUFFERED;
	mikey_tesla_ext ext;
	uint8_t *pkt = NULL, k_i[MIKEY_TESLA_MAX_KEY_LEN];
	size_t len = 0;
	uint64_t now, roc, v64, x = 0;
	bool have_x = false, ok = false, have_key;
	const char *reason = NULL, *reason_name = NULL, *key_check = NULL, *mac_check_s = "not-checked";
	int status = TOOL_EXIT_USAGE, rc;

	if (parse("check", "PACKET_HEX",
	          "Check the TESLA extension of a received SRTP (or --rtcp SRTCP) packet, as a receiver would\n"
	          "(RFC 4082 Sec. 3.5, RFC 4383 Sec. 4.4.2): PACKET_HEX ends with the extension (use --trailer to cut\n"
	          "MKI and SRTP tag). Checks the safety condition for the interval at --now, the disclosed\n"
	          "key against --commitment, and with --key K_i the TESLA MAC.\n"
	          "Exit status: 0 accepted, 1 rejected (reason on stdout and stderr), 2 usage error.",
	          OPT_CHAIN | OPT_TIME | OPT_PACKET | OPT_CHECK, &argc, &argv, &o) != 0)
		goto out;
	if (!params_from("check", &o, true, &p) || !time_opt("check", "now", o.now, &now) ||
	    !num("check", "roc", o.roc, 0, UINT32_MAX, 0, &roc))
		goto out;
	if (o.seed != NULL) {
		fprintf(stderr, "mikey-tool tesla check: a receiver has no --seed; give --commitment (and --key)\n");
		goto out;
	}
	if (!num("check", "commit-index", o.commit_index, 0, p.n_c - 1, 0, &v64))
		goto out;
	p.commit_index = (uint32_t)v64;
	if (!hex_exact("check", "commitment", o.commitment, p.n_p / 8u, p.commitment))
		goto out;
	if (!num("check", "dt", o.dt, 0, UINT32_MAX, 0, &v64))
		goto out;
	p.d_t = MIKEY_TESLA_NTP_FROM_MS(v64);
	have_key = o.key != NULL;
	if (have_key && !hex_exact("check", "key", o.key, p.n_p / 8u, k_i))
		goto out;
	if (!packet_arg("check", argv, &pkt, &len))
		goto out;
	if (!num("check", "trailer", o.trailer, 0, len, 0, &v64))
		goto out;
	len -= (size_t)v64;

	status = TOOL_EXIT_BAD_INPUT;
	rc = mikey_tesla_ext_parse(&p, pkt, len, o.rtcp, &ext);
	if (rc != MIKEY_OK) {
		reason_name = "malformed";
		reason = "too short to carry a header and the TESLA extension";
		goto report;
	}
	/* x: the latest interval the sender can be in (RFC 4082 §3.5). */
	have_x = mikey_tesla_interval(&p, now + p.d_t, &x) == MIKEY_OK;
	mikey_tesla_receiver_config_default(&cfg);
	cfg.max_gap = p.n_c; /* one packet: walk as far as it takes */
	rc = mikey_tesla_receiver_new(&p, &cfg, &r);
	if (rc == MIKEY_OK)
		rc = o.rtcp ? mikey_tesla_receiver_input_rtcp(r, pkt, len, 0, now, &v)
		            : mikey_tesla_receiver_input_rtp(r, pkt, len, (uint32_t)roc, 0, now, &v);
	if (rc != MIKEY_OK) {
		fprintf(stderr, "mikey-tool tesla check: %s: %s\n", mikey_error_name(rc), mikey_strerror(rc));
		status = TOOL_EXIT_BAD_INPUT;
		goto out;
	}
	if (v != MIKEY_TESLA_BUFFERED) {
		reason = verdict_reason(v, &reason_name);
		if (v == MIKEY_TESLA_BAD_KEY)
			key_check = "bad";
		goto report;
	}
	/* The receiver checks disclosed keys newer than the commitment; the
	 * one of the commitment's own index we compare here. Older ones, and
	 * the field while i < d, carry nothing to check (§3.5 step 2). */
	if (ext.i < p.d || ext.i - p.d < p.commit_index) {
		key_check = "not-newer";
	} else if (ext.i - p.d == p.commit_index) {
		if (!same(ext.key, p.commitment, p.n_p / 8u)) {
			key_check = "bad";
			reason_name = "bad-key";
			reason = "the disclosed key has the commitment's index but is not the commitment";
			goto report;
		}
		key_check = "commitment";
	} else {
		key_check = "verified";
	}
	if (have_key) {
		bool key_ok, mac_ok;
		rc = mac_check(&p, pkt, len, o.rtcp, (uint32_t)roc, now, ext.i, k_i, &key_ok, &mac_ok);
		if (rc != MIKEY_OK) {
			fprintf(stderr, "mikey-tool tesla check: the MAC could not be checked: %s\n", mikey_error_name(rc));
			goto out;
		}
		if (!key_ok) {
			mac_check_s = "bad-key";
			reason_name = "bad-mac-key";
			reason = "--key is not K_i of the committed chain";
			goto report;
		}
		if (!mac_ok) {
			mac_check_s = "forged";
			reason_name = "forged";
			reason = "the TESLA MAC does not verify with K'_i = F'(K_i) (RFC 4383 sec. 4.6)";
			goto report;
		}
		mac_check_s = "verified";
	}
	ok = true;
	status = TOOL_EXIT_OK;
report:;
	bool parsed = reason_name == NULL || strcmp(reason_name, "malformed") != 0;
	uint32_t w = parsed && ext.i >= p.d ? ext.i - p.d : 0;
	if (o.json) {
		json_writer jw;
		json_init(&jw, stdout, false);
		json_begin_object(&jw);
		json_kv_bool(&jw, "ok", ok);
		json_kv_string(&jw, "reason", reason_name);
		json_kv_string(&jw, "detail", reason);
		if (parsed) {
			json_kv_uint(&jw, "i", ext.i);
			json_key(&jw, "x");
			if (have_x)
				json_uint(&jw, x);
			else
				json_null(&jw);
			json_kv_uint(&jw, "disclosed_index", w);
			json_kv_hex(&jw, "disclosed_key", ext.key, p.n_p / 8u);
			json_kv_hex(&jw, "mac", ext.mac, p.n_m / 8u);
			json_kv_string(&jw, "key_check", key_check);
			json_kv_string(&jw, "mac_check", mac_check_s);
		}
		json_end_object(&jw);
		json_finish(&jw);
	} else {
		if (parsed) {
			printf("packet: %s, TESLA extension at byte %zu: i = %u, disclosed K_%u, %u-bit MAC\n",
			       o.rtcp ? "SRTCP" : "SRTP", ext.ext_offset, ext.i, w, p.n_m);
			if (have_x)
				printf("interval: at --now + D_t the sender is at most in interval x = %llu; safe needs "
				       "i <= x < i + d = %llu\n",
				       (unsigned long long)x, (unsigned long long)ext.i + p.d);
			else
				printf("interval: --now + D_t is before T_0\n");
			if (key_check != NULL)
				printf("disclosed key: %s\n",
				       strcmp(key_check, "verified") == 0     ? "verified against the commitment"
				       : strcmp(key_check, "commitment") == 0 ? "equals the commitment"
				       : strcmp(key_check, "bad") == 0        ? "does not lead to the commitment"
				                                              : "not newer than the commitment: not checked");
			printf("TESLA MAC: %s\n", strcmp(mac_check_s, "not-checked") == 0 ? "not checked (no --key)"
			                          : strcmp(mac_check_s, "verified") == 0  ? "verified with K'_i = F'(K_i)"
			                          : strcmp(mac_check_s, "forged") == 0    ? "does not verify"
			                                                                  : "not checked: --key is not K_i");
		}
		if (ok)
			printf("result: ok\n");
		else
			printf("result: rejected (%s): %s\n", reason_name, reason);
	}
	if (!ok)
		fprintf(stderr, "mikey-tool tesla check: rejected (%s): %s\n", reason_name, reason);
	if (fflush(stdout) != 0)
		status = TOOL_EXIT_FAIL;
out:
	mikey_tesla_receiver_free(r);
	memset(k_i, 0, sizeof(k_i));
	g_free(pkt);
	opts_clear(&o);
	return status;
}

/* ---- dispatch ---- */

static const struct {
	const char *name, *summary;
	int (*run)(int argc, char **argv);
} subs[] = {
	{"chain", "print K_i and K'_i of a key chain (RFC 4383 Sec. 6)", sub_chain},
	{"ext", "compute the TESLA extension of a packet (RFC 4383 Sec. 4.1)", sub_ext},
	{"check", "check a packet's TESLA extension as a receiver (RFC 4082 Sec. 3.5)", sub_check},
};

int tool_tesla(int argc, char **argv)
{
	FILE *f = stderr;
	if (argc >= 2) {
		for (size_t i = 0; i < G_N_ELEMENTS(subs); i++)
			if (strcmp(argv[1], subs[i].name) == 0)
				return subs[i].run(argc - 1, argv + 1);
		if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
			f = stdout;
		else
			fprintf(stderr, "mikey-tool tesla: unknown subcommand %s\n\n", tool_q(argv[1]));
	}
	fprintf(f, "Usage: mikey-tool tesla SUBCOMMAND [OPTIONS]\n\nSubcommands:\n");
	for (size_t i = 0; i < G_N_ELEMENTS(subs); i++)
		fprintf(f, "  %-6s %s\n", subs[i].name, subs[i].summary);
	fprintf(f, "\n\"mikey-tool tesla SUBCOMMAND --help\" describes its options.\n");
	return f == stdout ? TOOL_EXIT_OK : TOOL_EXIT_USAGE;
}
