/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tool_ctx.h - what the exchange verbs (create, respond, verify, derive)
 * share: one option table, a mikey_ctx and a mikey_offer built from it, a
 * deterministic RNG and a fixed clock for reproducible output, message
 * input and output, and the initiator state file.
 *
 * The initiator state file is a recipe, not a memory dump: the public API
 * cannot serialise a mikey_exchange, so "create --state" records the offer
 * options, the RNG seed, the time and the I_MESSAGE; "derive/verify
 * --state" rerun mikey_initiate with them (which, with the same RNG stream
 * and clock, rebuilds the same exchange), check that the rebuilt
 * I_MESSAGE is the recorded one, then finish. The file holds the seed of
 * every secret of the exchange: it is written with mode 0600.
 */
#ifndef MIKEY_TOOL_CTX_H
#define MIKEY_TOOL_CTX_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mikey/exchange.h>
#include <mikey/kdf.h>
#include <mikey/mikey.h>

/* A deterministic RNG: the byte stream SHA-256(seed || BE32(0)) ||
 * SHA-256(seed || BE32(1)) || ..., consumed in order across calls. The
 * seed of "--seed N" is N as 8 big-endian bytes. */
typedef struct tool_rng {
	uint8_t seed[32];
	size_t seed_len;
	uint32_t counter;
	uint8_t block[32];
	size_t pos; /* next unused byte of |block|; 32 = empty */
} tool_rng;

void tool_rng_init(tool_rng *r, const uint8_t *seed, size_t seed_len);
int tool_rng_fn(void *user, uint8_t *out, size_t len);

/* A clock that returns |ntp| when |fixed|, else the system time. */
typedef struct tool_clock {
	bool fixed;
	uint64_t ntp;
} tool_clock;

uint64_t tool_clock_fn(void *user);

/* Every option of the exchange verbs. Strings are NULL when not given. */
typedef struct tool_opts {
	/* Credentials and policy: the recipe ("create --state" stores these). */
	gchar *mode, *psk, *cert, *key, *peer_cert, *ca, *id, *peer_id;
	gchar *ssrc, *roc, *policy, *encr, *mac, *prf, *salt, *csb_id, *dh_group, *rand_len;
	/* Repeatable (NULL-terminated lists, NULL when not given): one key
	 * per --tgk/--tek, one MKI per key. */
	gchar **tgk, **tek, **mki;
	gchar *sign, *pke_cache;
	gchar *dh_private; /* DH private value x (test vectors only) */
	/* TESLA bootstrap (RFC 4442): the media sender's chain and timing. */
	gchar *tesla_seed, *tesla_t0, *tesla_interval, *tesla_delay, *tesla_chain, *tesla_mac_len, *tesla_mac_key_len;
	gboolean verify, no_ids, omit_certs, allow_null_kemac, allow_weak_dh;
	gchar *max_skew;
	/* Run-time options, never stored. */
	gchar *now, *seed, *json, *out, *format, *in_format, *state;
	gboolean keys_json;
} tool_opts;

/* Bounds of option values. */
#define TOOL_CHAIN_MAX 10000000u /* TESLA chain length n_c */
#define TOOL_OPTION_MAX 65536    /* bytes of one option value */
#define TOOL_MAX_KEYS 16         /* --tgk/--tek/--mki repeats */

/* tool_quote writes |s| to |buf| as a short C-escaped quoted string (at
 * most about 40 characters of |s|, then "..."), for error messages. */
void tool_quote(const char *s, char *buf, size_t cap);
/* tool_q is tool_quote into one of four static buffers (single-threaded
 * use in error messages: up to four per message). */
const char *tool_q(const char *s);

/* tool_no_repeats: false (after printing "WHO: --NAME given twice") when
 * an option of |entries| that takes a value appears twice in argv; for
 * the verbs with plain GOption tables (decode, tesla). */
bool tool_no_repeats(const char *who, int argc, char **argv, const GOptionEntry *entries);

/* Which groups of options a verb takes. */
enum {
	TOOL_OPT_OFFER = 1u << 0,  /* what an initiator offers */
	TOOL_OPT_OUTPUT = 1u << 1, /* --out, --format */
	TOOL_OPT_STATE = 1u << 2,  /* --state */
	TOOL_OPT_KEYS = 1u << 3,   /* --json (keys as JSON) */
	TOOL_OPT_OFFER_JSON = 1u << 4 /* --json FILE (the offer as JSON) */
};

/* tool_parse_options parses the command line of verb |verb| with the
 * option groups |groups| (credentials, --now, --seed, --in-format are
 * always there). A "--json FILE" offer (create) is expanded into options
 * first; options on the command line override it. On success the
 * positional arguments left are in *rest (NULL-terminated, g_strfreev).
 * Numeric options are checked against their ranges (docs/mikey-tool.md).
 * Returns 0, or TOOL_EXIT_USAGE after printing why. */
int tool_parse_options(const char *verb, const char *params, const char *summary, unsigned groups, int argc,
                       char **argv, tool_opts *o, gchar ***rest);
void tool_opts_clear(tool_opts *o);

/* The mode named by --mode ("psk", "pk", "dh", "dhhmac", "rsar"); false
 * when unknown. */
bool tool_mode_from_name(const char *name, mikey_mode *mode);
const char *tool_mode_name(mikey_mode mode);
/* The mode whose I_MESSAGE (initiator) or response has data type |dt|;
 * false for other data types. */
bool tool_mode_from_data_type(uint8_t dt, mikey_mode *mode, bool *initiator);

/* tool_parse_now reads an NTP time: "0x" + hex, decimal, or ISO 8601 UTC
 * ("2023-06-01T12:00:00Z", optional fraction). false when malformed. */
bool tool_parse_now(const char *s, uint64_t *ntp);

/* tool_parse_u64 reads a decimal or 0x-hex number no larger than |max|;
 * false when malformed or too large. */
bool tool_parse_u64(const char *s, uint64_t max, uint64_t *out);

/* tool_build_ctx makes a context from |o|: identity, PSK, certificates,
 * trust, responder policy flags, |clock| and, when |rng| is not NULL, that
 * RNG. Returns NULL after printing the field that was wrong; *status is
 * then the exit status to use. */
mikey_ctx *tool_build_ctx(const char *verb, const tool_opts *o, tool_clock *clock, tool_rng *rng, int *status);

/* The storage behind a mikey_offer built from options. */
typedef struct tool_offer {
	mikey_offer offer;
	mikey_cs_desc cs[255];
	mikey_srtp_policy policies[16];
	uint8_t key[TOOL_MAX_KEYS][64], salt[14], mki[TOOL_MAX_KEYS][255];
	mikey_key_desc extra[TOOL_MAX_KEYS]; /* keys after the first */
	/* --tesla-*: the TESLA sender whose parameters offer.tesla borrows,
	 * its chain seed, and whether that seed was drawn here (no
	 * --tesla-seed): then the caller records it for --state reruns. */
	mikey_tesla_sender *tesla;
	uint8_t tesla_seed[MIKEY_TESLA_MAX_KEY_LEN];
	bool tesla_seed_drawn;
} tool_offer;

/* tool_build_offer fills |t| from |o|. With any --tesla-* option it also
 * builds a TESLA sender (mikey_tesla_sender_new) and sets offer.tesla to
 * its parameters; without --tesla-seed the chain seed is drawn from the
 * library's RNG, or, with --seed N, taken from the stream SHA-256(BE64(N)
 * || "tesla" || BE32(i)) so that seeded runs stay reproducible without
 * disturbing the exchange's own RNG stream. Free with tool_offer_cleanup.
 * Returns 0 or TOOL_EXIT_USAGE after printing the option that was wrong. */
int tool_build_offer(const char *verb, const tool_opts *o, tool_offer *t);
void tool_offer_cleanup(tool_offer *t);

/* tool_setup_rsar_keys gives a responder context the keys it hands out in
 * RSA-R (RFC 4738: the responder chooses them), from the offer options of
 * |o| (the --mode option is ignored). Returns 0 or TOOL_EXIT_USAGE. */
int tool_setup_rsar_keys(const char *verb, const tool_opts *o, mikey_ctx *ctx);

/* tool_setup_rng installs the seed of --seed into |rng| (returns true), or
 * leaves it alone and returns false when there is no --seed. Malformed
 * seeds print an error and set *bad. */
bool tool_setup_rng(const char *verb, const tool_opts *o, tool_rng *rng, bool *bad);

/* tool_read_message reads a message from |path| (NULL/"-": stdin) in any
 * carrier mikey_text_decode knows (--in-format to force one). Returns 0,
 * TOOL_EXIT_USAGE (unreadable) or TOOL_EXIT_BAD_INPUT (not a message). */
int tool_read_message(const char *verb, const char *path, const tool_opts *o, uint8_t **msg, size_t *len);

/* tool_write_message writes |msg| to --out (or stdout) in --format
 * (bin, hex, base64, sdp; default hex). Returns 0 or TOOL_EXIT_USAGE. */
int tool_write_message(const char *verb, const tool_opts *o, const uint8_t *msg, size_t len);

/* tool_report_error prints "mikey-tool VERB: NAME: message" to stderr,
 * with "mode not available" for modes this libmikey lacks. */
void tool_report_error(const char *verb, int rc, const mikey_error *err, int mode_hint);

/* The initiator side, rebuilt or fresh. */
typedef struct tool_initiator {
	tool_opts opts; /* the recipe (when loaded from a state file) */
	tool_clock clock;
	tool_rng rng;
	mikey_ctx *ctx;
	tool_offer offer;
	mikey_exchange *ex;
	uint8_t *imsg;
	size_t imsg_len;
} tool_initiator;

/* tool_state_save writes the recipe of |o|, the seed of |rng|, the time
 * and the I_MESSAGE to |path| (mode 0600). Returns 0 or TOOL_EXIT_USAGE. */
int tool_state_save(const char *verb, const char *path, const tool_opts *o, const tool_rng *rng, uint64_t now,
                    const uint8_t *imsg, size_t len);

/* tool_state_rerun loads |path| and reruns the initiator into |ini|,
 * checking that it rebuilds the recorded I_MESSAGE (up to a SIGN payload's
 * randomised signature). Afterwards ini->clock reads |now_override| when
 * given (a --now of the current verb), else the system time. Returns 0,
 * TOOL_EXIT_USAGE (unreadable state) or TOOL_EXIT_BAD_INPUT. */
int tool_state_rerun(const char *verb, const char *path, const char *now_override, tool_initiator *ini);
void tool_initiator_cleanup(tool_initiator *ini);

/* tool_hex_decode decodes hex (whitespace and ':' ignored) into a new
 * buffer (g_free). false when malformed. */
bool tool_hex_decode(const char *s, uint8_t **out, size_t *len);
char *tool_hex(const uint8_t *p, size_t n); /* g_free */

#endif
