/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_bad_input.c - hostile bytes never crash the codec, never leak, and
 * always come back as a named error; whatever parses builds back to the
 * very same bytes.
 *
 * Starting point: the valid messages of tests/common/msgs.c. From each we
 * derive (a) every truncation, (b) every length field too large or too
 * small, (c) next-payload chains that loop, run long or name unknown types,
 * and registry values whose length the parser cannot know, (d) every byte
 * value at every position, (e) random mutations from a fixed seed. The
 * oracle is the same everywhere (check_input below). Build must refuse
 * values that do not fit their wire fields.
 *
 * MIKEY_TEST_QUICK=1 in the environment shrinks (d) and (e), for the
 * valgrind run (tests/valgrind/run.sh).
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mikey/mikey.h"

#include "../common/msgs.c"

/* ------------------------------------------------------------------------
 * The oracle
 * --------------------------------------------------------------------- */

/* A set of return codes, one bit per -code; bit 0 is MIKEY_OK. */
#define B(code) (1u << (unsigned)(-(code)))
#define PARSE_ERRS                                                                                               \
	(B(MIKEY_ERR_TRUNCATED) | B(MIKEY_ERR_LENGTH) | B(MIKEY_ERR_TRAILING) | B(MIKEY_ERR_VERSION) |         \
	 B(MIKEY_ERR_PAYLOAD_TYPE) | B(MIKEY_ERR_UNKNOWN_VALUE) | B(MIKEY_ERR_TOO_MANY) |                      \
	 B(MIKEY_ERR_PLACEMENT))
#define ANY (B(MIKEY_OK) | PARSE_ERRS)
#define SHORT (B(MIKEY_ERR_TRUNCATED) | B(MIKEY_ERR_LENGTH))

typedef struct stats {
	size_t ok;
	size_t failed;
	size_t by_code[32];
} stats;

static void hex_into(char *dst, size_t cap, const uint8_t *buf, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len && n + 3 < cap; i++)
		n += (size_t)snprintf(dst + n, cap - n, "%02x", buf[i]);
	if (n + 3 >= cap && cap > 4)
		memcpy(dst + cap - 4, "...", 4);
}

static bool quick_mode(void)
{
	const char *q = getenv("MIKEY_TEST_QUICK");

	return q != NULL && q[0] != '\0' && q[0] != '0';
}

/* Fails the test, printing what was being done and the input in hex. */
#define FAIL_INPUT(what, buf, len, fmt, ...)                                                                     \
	do {                                                                                                     \
		static char hx_[8192];                                                                           \
		hex_into(hx_, sizeof(hx_), (buf), (len));                                                        \
		cr_assert_fail("%s: " fmt "\n  input (%zu bytes): %s", (what), __VA_ARGS__, (size_t)(len), hx_); \
	} while (0)

/* The mikey_error of the last check_input. */
static mikey_error last_err;

/* check_input parses |buf| and holds the result to the oracle:
 * - parse succeeds: *out is set, payload offsets lie inside the input, and
 *   build succeeds and gives back the input byte for byte;
 * - parse fails: *out is NULL, the code is named and in |allowed|, the
 *   mikey_error says the same code, has a message, and its offset is at
 *   most |len|.
 * Returns the parse return code. */
static int check_input(const char *what, const uint8_t *buf, size_t len, const mikey_parse_opts *opts,
                       unsigned allowed, stats *st)
{
	mikey_msg *m = (mikey_msg *)(uintptr_t)1;
	mikey_error err;
	int rc;

	memset(&err, 0xa5, sizeof(err));
	rc = mikey_msg_parse(buf, len, opts, &m, &err);
	if (rc > 0 || rc < -31 || !(B(rc) & (PARSE_ERRS | B(MIKEY_OK))))
		FAIL_INPUT(what, buf, len, "parse returned %d (%s), not a parse code", rc, mikey_error_name(rc));
	if (!(B(rc) & allowed))
		FAIL_INPUT(what, buf, len, "parse returned %s (%s at payload %d type %d offset %zu), not expected here",
		           mikey_error_name(rc), err.message, err.payload_index, err.payload_type, err.offset);
	if (st != NULL) {
		st->by_code[-rc]++;
		if (rc == MIKEY_OK)
			st->ok++;
		else
			st->failed++;
	}
	if (rc == MIKEY_OK) {
		uint8_t *out = NULL;
		size_t out_len = 0;
		size_t prev_end;
		int brc;

		if (m == NULL || m == (mikey_msg *)(uintptr_t)1)
			FAIL_INPUT(what, buf, len, "parse returned MIKEY_OK but *out is %p", (void *)m);
		if (m->hdr_length > len)
			FAIL_INPUT(what, buf, len, "hdr_length %zu > input length", m->hdr_length);
		prev_end = m->hdr_length;
		for (const mikey_payload *p = m->payloads.first; p != NULL; p = p->next) {
			if (p->offset != prev_end || p->length == 0 || p->offset + p->length > len)
				FAIL_INPUT(what, buf, len, "payload type %u at offset %zu length %zu (previous ended at %zu)",
				           p->type, p->offset, p->length, prev_end);
			prev_end = p->offset + p->length;
		}
		if (prev_end != len)
			FAIL_INPUT(what, buf, len, "payloads end at %zu, input at %zu", prev_end, len);
		memset(&err, 0, sizeof(err));
		brc = mikey_msg_build(m, &out, &out_len, &err);
		if (brc != MIKEY_OK) {
			mikey_msg_free(m);
			FAIL_INPUT(what, buf, len, "parsed, but build returned %s (%s)", mikey_error_name(brc), err.message);
		}
		if (out_len != len || memcmp(out, buf, len) != 0) {
			static char hx[8192];

			hex_into(hx, sizeof(hx), out, out_len);
			mikey_buf_free(out, out_len);
			mikey_msg_free(m);
			FAIL_INPUT(what, buf, len, "round trip differs: built %zu bytes %s", out_len, hx);
		}
		mikey_buf_free(out, out_len);
		mikey_msg_free(m);
	} else {
		last_err = err;
		if (m != NULL)
			FAIL_INPUT(what, buf, len, "parse failed with %s but *out is %p", mikey_error_name(rc), (void *)m);
		if (err.code != rc)
			FAIL_INPUT(what, buf, len, "parse returned %s but err.code is %d", mikey_error_name(rc), err.code);
		if (err.offset > len)
			FAIL_INPUT(what, buf, len, "%s: err.offset %zu > length", mikey_error_name(rc), err.offset);
		if (memchr(err.message, '\0', sizeof(err.message)) == NULL || err.message[0] == '\0')
			FAIL_INPUT(what, buf, len, "%s: err.message empty or not terminated", mikey_error_name(rc));
		if (err.payload_index < -1 || err.payload_type < -1 || err.payload_type > MIKEY_PT_HDR)
			FAIL_INPUT(what, buf, len, "%s: err.payload_index %d, payload_type %d", mikey_error_name(rc),
			           err.payload_index, err.payload_type);
	}
	return rc;
}

/* The samples, built once per test process. */
static uint8_t *sample_buf[32];
static size_t sample_len[32];
static size_t n_samples;

static void load_samples(void)
{
	n_samples = test_msgs_count();
	cr_assert_leq(n_samples, 32);
	for (size_t i = 0; i < n_samples; i++) {
		int rc = test_msgs_build(i, &sample_buf[i], &sample_len[i]);

		cr_assert_eq(rc, MIKEY_OK, "sample %s does not build: %s", test_msgs_get(i)->name, mikey_error_name(rc));
	}
}

static void free_samples(void)
{
	for (size_t i = 0; i < n_samples; i++) {
		mikey_buf_free(sample_buf[i], sample_len[i]);
		sample_buf[i] = NULL;
	}
}

/* Parses sample |i| (which must parse). Caller frees. */
static mikey_msg *parse_sample(size_t i)
{
	mikey_msg *m = NULL;
	mikey_error err;
	int rc = mikey_msg_parse(sample_buf[i], sample_len[i], NULL, &m, &err);

	cr_assert_eq(rc, MIKEY_OK, "sample %s does not parse: %s (%s, offset %zu)", test_msgs_get(i)->name,
	             mikey_error_name(rc), err.message, err.offset);
	return m;
}

static unsigned stat_percent(const stats *st)
{
	size_t n = st->ok + st->failed;

	return n == 0 ? 0 : (unsigned)(st->failed * 100 / n);
}

static void print_stats(const char *name, const stats *st)
{
	char line[512];
	size_t n = 0;

	n += (size_t)snprintf(line + n, sizeof(line) - n, "%s: %zu inputs, %zu parsed, %zu refused (", name,
	                      st->ok + st->failed, st->ok, st->failed);
	for (int c = 1; c < 32 && n < sizeof(line); c++)
		if (st->by_code[c] != 0)
			n += (size_t)snprintf(line + n, sizeof(line) - n, " %s=%zu", mikey_error_name(-c), st->by_code[c]);
	if (n < sizeof(line))
		snprintf(line + n, sizeof(line) - n, " )");
	cr_log_info("%s", line);
}

TestSuite(bad_input, .init = load_samples, .fini = free_samples, .timeout = 120);

/* ------------------------------------------------------------------------
 * Where the fields are (RFC 3830 §6, RFC 6043 §6, RFC 4563, RFC 6509)
 * --------------------------------------------------------------------- */

/* A length or count field: |bits| 8 or 16 (whole bytes, big endian), or 7,
 * 12, 14 (the low bits of 1, 2, 2 bytes). */
typedef struct field {
	size_t pos;
	unsigned bits;
	const char *what;
} field;

typedef struct fields {
	field f[512];
	size_t n;
} fields;

static void add_field(fields *fs, size_t pos, unsigned bits, const char *what)
{
	cr_assert_lt(fs->n, sizeof(fs->f) / sizeof(fs->f[0]));
	fs->f[fs->n].pos = pos;
	fs->f[fs->n].bits = bits;
	fs->f[fs->n].what = what;
	fs->n++;
}

static unsigned field_get(const uint8_t *buf, const field *f)
{
	switch (f->bits) {
	case 8:
		return buf[f->pos];
	case 7:
		return buf[f->pos] & 0x7fu;
	case 16:
		return (unsigned)buf[f->pos] << 8 | buf[f->pos + 1];
	case 14:
		return ((unsigned)buf[f->pos] << 8 | buf[f->pos + 1]) & 0x3fffu;
	case 12:
		return ((unsigned)buf[f->pos] << 8 | buf[f->pos + 1]) & 0x0fffu;
	}
	cr_assert_fail("bad field width %u", f->bits);
	return 0;
}

static void field_set(uint8_t *buf, const field *f, unsigned v)
{
	unsigned mask = (1u << f->bits) - 1;
	unsigned w;

	switch (f->bits) {
	case 8:
	case 7:
		buf[f->pos] = (uint8_t)((buf[f->pos] & ~mask) | (v & mask));
		return;
	default:
		w = (unsigned)buf[f->pos] << 8 | buf[f->pos + 1];
		w = (w & ~mask) | (v & mask);
		buf[f->pos] = (uint8_t)(w >> 8);
		buf[f->pos + 1] = (uint8_t)w;
		return;
	}
}

static bool key_has_salt(uint8_t key_type)
{
	return key_type == MIKEY_KEY_TGK_SALT || key_type == MIKEY_KEY_TEK_SALT || key_type == MIKEY_KEY_GTGK_SALT;
}

/* RFC 3830 §6.14: KV data starting at |pos|. */
static void kv_fields(fields *fs, const mikey_kv *kv, size_t pos)
{
	if (kv->type == MIKEY_KV_SPI) {
		add_field(fs, pos, 8, "SPI length");
	} else if (kv->type == MIKEY_KV_INTERVAL) {
		add_field(fs, pos, 8, "VF length");
		add_field(fs, pos + 1 + kv->valid_from.len, 8, "VT length");
	}
}

static void payload_fields(fields *fs, const mikey_payload *p, bool decoded_subs)
{
	size_t o = p->offset;
	size_t pos;

	switch (p->type) {
	case MIKEY_PT_KEMAC:
		add_field(fs, o + 2, 16, "KEMAC Encr data len");
		if (decoded_subs)
			for (const mikey_payload *s = p->u.kemac.sub.first; s != NULL; s = s->next)
				payload_fields(fs, s, true);
		break;
	case MIKEY_PT_PKE:
		add_field(fs, o + 1, 14, "PKE Data len");
		break;
	case MIKEY_PT_DH:
		kv_fields(fs, &p->u.dh.kv, o + 3 + p->u.dh.value.len);
		break;
	case MIKEY_PT_SIGN:
		add_field(fs, o, 12, "SIGN Signature len");
		break;
	case MIKEY_PT_ID:
	case MIKEY_PT_CERT:
		add_field(fs, o + 2, 16, "ID/Cert len");
		break;
	case MIKEY_PT_IDR:
		add_field(fs, o + 3, 16, "IDR ID len");
		break;
	case MIKEY_PT_SP:
		add_field(fs, o + 3, 16, "SP Policy param length");
		pos = o + 5;
		for (size_t i = 0; i < p->u.sp.n_params; i++) {
			add_field(fs, pos + 1, 8, "SP param Length");
			pos += 2 + p->u.sp.params[i].len;
		}
		break;
	case MIKEY_PT_RAND:
		add_field(fs, o + 1, 8, "RAND len");
		break;
	case MIKEY_PT_RANDR:
		add_field(fs, o + 2, 8, "RANDR RAND length");
		break;
	case MIKEY_PT_KEY_DATA:
		add_field(fs, o + 2, 16, "Key data len");
		pos = o + 4 + p->u.key_data.key.len;
		if (key_has_salt(p->u.key_data.key_type)) {
			add_field(fs, pos, 16, "Salt len");
			pos += 2 + p->u.key_data.salt.len;
		}
		kv_fields(fs, &p->u.key_data.kv, pos);
		break;
	case MIKEY_PT_GEN_EXT:
		add_field(fs, o + 2, 16, "General Ext. Length");
		if (p->u.gen_ext.ext_type == MIKEY_GEN_KEY_ID) {
			pos = o + 4;
			for (size_t i = 0; i < p->u.gen_ext.n_key_ids; i++) {
				add_field(fs, pos + 1, 8, "Key ID Length");
				pos += 2 + p->u.gen_ext.key_ids[i].id.len;
			}
		}
		break;
	case MIKEY_PT_TP:
	case MIKEY_PT_TICKET:
		add_field(fs, o + 8, 16, "TP Data length");
		if (p->type == MIKEY_PT_TICKET) {
			pos = o + 10 + p->u.ticket.tp_data.len;
			add_field(fs, pos, 16, "Ticket Data length");
			pos += 2 + p->u.ticket.ticket_data.len;
			add_field(fs, pos, 16, "Initiator Data length");
		}
		break;
	case MIKEY_PT_SAKKE:
		add_field(fs, o + 3, 16, "SAKKE data length");
		break;
	default:
		break;
	}
}

static void msg_fields(fields *fs, const mikey_msg *m)
{
	fs->n = 0;
	/* RFC 4563 §5: an Empty map has no map info, so #CS frames nothing */
	if (m->hdr.map_type != MIKEY_MAP_EMPTY)
		add_field(fs, 8, 8, "HDR #CS");
	if (m->hdr.map_type == MIKEY_MAP_GENERIC_ID) {
		size_t pos = 10;

		for (size_t i = 0; i < m->hdr.n_cs; i++) {
			const mikey_generic_cs *cs = &m->hdr.generic_cs[i];

			add_field(fs, pos + 2, 7, "GENERIC-ID #P");
			pos += 3 + cs->n_policies;
			add_field(fs, pos, 16, "GENERIC-ID Session Data Length");
			pos += 2 + cs->session_data.len;
			add_field(fs, pos, 8, "GENERIC-ID SPI Length");
			pos += 1 + cs->spi.len;
		}
	}
	for (const mikey_payload *p = m->payloads.first; p != NULL; p = p->next)
		payload_fields(fs, p, p->type == MIKEY_PT_KEMAC && p->u.kemac.encr_alg == MIKEY_ENCR_NULL);
}

/* A next-payload byte: where it is and whether it ends its chain. */
typedef struct np_pos {
	size_t pos;
	bool last;     /* ends its chain (value 0) */
	bool in_kemac; /* a KEMAC sub-payload's */
} np_pos;

static size_t next_payload_positions(const mikey_msg *m, np_pos *out, size_t cap)
{
	size_t n = 0;

	cr_assert_lt(n, cap);
	out[n++] = (np_pos){2, m->payloads.first == NULL, false};
	for (const mikey_payload *p = m->payloads.first; p != NULL; p = p->next) {
		if (p->type == MIKEY_PT_SIGN)
			continue; /* RFC 3830 §6.5: SIGN has no next-payload field */
		cr_assert_lt(n, cap);
		out[n++] = (np_pos){p->offset, p->next == NULL, false};
		if (p->type == MIKEY_PT_KEMAC && p->u.kemac.encr_alg == MIKEY_ENCR_NULL)
			for (const mikey_payload *s = p->u.kemac.sub.first; s != NULL; s = s->next) {
				cr_assert_lt(n, cap);
				out[n++] = (np_pos){s->offset, s->next == NULL, true};
			}
	}
	return n;
}

static bool payload_type_known(unsigned t)
{
	return t <= MIKEY_PT_TICKET || t == MIKEY_PT_KEY_DATA || t == MIKEY_PT_GEN_EXT || t == MIKEY_PT_SAKKE;
}

/* ------------------------------------------------------------------------
 * Sanity: the samples are what the rest relies on
 * --------------------------------------------------------------------- */

Test(bad_input, samples_round_trip)
{
	cr_assert_geq(n_samples, 15);
	for (size_t i = 0; i < n_samples; i++) {
		mikey_msg *m = parse_sample(i);

		cr_assert_gt(m->payloads.count + (m->payloads.first == NULL), 0);
		mikey_msg_free(m);
		check_input(test_msgs_get(i)->name, sample_buf[i], sample_len[i], NULL, B(MIKEY_OK), NULL);
	}
}

Test(bad_input, samples_cover_every_payload_type)
{
	bool seen[256] = {false};

	for (size_t i = 0; i < n_samples; i++) {
		mikey_msg *m = parse_sample(i);

		for (const mikey_payload *p = m->payloads.first; p != NULL; p = p->next) {
			seen[p->type] = true;
			if (p->type == MIKEY_PT_KEMAC)
				for (const mikey_payload *s = p->u.kemac.sub.first; s != NULL; s = s->next)
					seen[s->type] = true;
		}
		mikey_msg_free(m);
	}
	for (unsigned t = 1; t < 256; t++)
		if (payload_type_known(t))
			cr_expect(seen[t], "no sample has payload type %u", t);
}

/* The implicit lengths the parser depends on, against the RFC tables. */
Test(bad_input, implicit_lengths)
{
	/* RFC 3830 Table 6.2.b, RFC 6043 Table 6.6 */
	cr_assert_eq(mikey_mac_len(MIKEY_MAC_NULL), 0);
	cr_assert_eq(mikey_mac_len(MIKEY_MAC_HMAC_SHA1_160), 20);
	cr_assert_eq(mikey_mac_len(MIKEY_MAC_HMAC_SHA256_256), 32);
	/* RFC 3830 Table 6.8, RFC 6043 Table 6.12 */
	cr_assert_eq(mikey_hash_len(MIKEY_HASH_SHA1), 20);
	cr_assert_eq(mikey_hash_len(MIKEY_HASH_MD5), 16);
	cr_assert_eq(mikey_hash_len(MIKEY_HASH_SHA256), 32);
	/* RFC 3830 Table 6.4: OAKLEY 5 = 1536, 1 = 768, 2 = 1024 bits */
	cr_assert_eq(mikey_dh_value_len(MIKEY_DH_OAKLEY_5), 192);
	cr_assert_eq(mikey_dh_value_len(MIKEY_DH_OAKLEY_1), 96);
	cr_assert_eq(mikey_dh_value_len(MIKEY_DH_OAKLEY_2), 128);
	/* RFC 3830 Table 6.6, RFC 6043 Table 6.8 */
	cr_assert_eq(mikey_ts_value_len(MIKEY_TS_NTP_UTC), 8);
	cr_assert_eq(mikey_ts_value_len(MIKEY_TS_NTP), 8);
	cr_assert_eq(mikey_ts_value_len(MIKEY_TS_COUNTER), 4);
	cr_assert_eq(mikey_ts_value_len(MIKEY_TS_NTP_UTC_32), 4);
	for (unsigned v = 3; v < 256; v++) {
		cr_assert_eq(mikey_mac_len((uint8_t)v), -1, "mac alg %u", v);
		cr_assert_eq(mikey_hash_len((uint8_t)v), -1, "hash func %u", v);
		cr_assert_eq(mikey_dh_value_len((uint8_t)v), -1, "DH group %u", v);
		if (v >= 4)
			cr_assert_eq(mikey_ts_value_len((uint8_t)v), -1, "TS type %u", v);
	}
}

/* ------------------------------------------------------------------------
 * (a) truncation
 * --------------------------------------------------------------------- */

Test(bad_input, truncated_at_every_length)
{
	stats st = {0};

	for (size_t i = 0; i < n_samples; i++) {
		uint8_t *copy = malloc(sample_len[i] + 1);

		cr_assert_not_null(copy);
		for (size_t n = 0; n < sample_len[i]; n++) {
			/* A fresh exact-size copy, so ASan sees any read past n. */
			uint8_t *t = malloc(n ? n : 1);

			cr_assert_not_null(t);
			memcpy(t, sample_buf[i], n);
			check_input(test_msgs_get(i)->name, t, n, NULL, SHORT, &st);
			free(t);
		}
		free(copy);
	}
	cr_assert_eq(st.ok, 0);
	print_stats("truncation", &st);
}

/* Parse must not read before it knows the bytes are there: a NULL buffer
 * with length 0 is an empty message, not a crash. */
Test(bad_input, empty_and_null)
{
	mikey_msg *m = NULL;
	mikey_error err;
	int rc;

	rc = mikey_msg_parse(NULL, 0, NULL, &m, &err);
	cr_assert(rc == MIKEY_ERR_TRUNCATED || rc == MIKEY_ERR_ARG, "got %s", mikey_error_name(rc));
	cr_assert_null(m);
	rc = mikey_msg_parse(NULL, 10, NULL, &m, &err);
	cr_assert_eq(rc, MIKEY_ERR_ARG, "got %s", mikey_error_name(rc));
	cr_assert_null(m);
	rc = mikey_msg_parse(sample_buf[0], sample_len[0], NULL, NULL, &err);
	cr_assert_eq(rc, MIKEY_ERR_ARG, "got %s", mikey_error_name(rc));
	/* err may be NULL */
	rc = mikey_msg_parse(sample_buf[0], 3, NULL, &m, NULL);
	cr_assert_eq(rc, MIKEY_ERR_TRUNCATED, "got %s", mikey_error_name(rc));
	cr_assert_null(m);
	rc = mikey_msg_parse(sample_buf[0], sample_len[0], NULL, &m, NULL);
	cr_assert_eq(rc, MIKEY_OK);
	{
		uint8_t *out = NULL;
		size_t out_len = 0;

		cr_assert_eq(mikey_msg_build(NULL, &out, &out_len, NULL), MIKEY_ERR_ARG);
		cr_assert_eq(mikey_msg_build(m, NULL, &out_len, NULL), MIKEY_ERR_ARG);
		cr_assert_eq(mikey_msg_build(m, &out, NULL, NULL), MIKEY_ERR_ARG);
		cr_assert_null(out);
	}
	mikey_msg_free(m);
	mikey_msg_free(NULL);
	mikey_buf_free(NULL, 0);
}

/* Bytes after the last payload, and a version other than 1. */
Test(bad_input, trailing_and_version)
{
	for (size_t i = 0; i < n_samples; i++) {
		const char *name = test_msgs_get(i)->name;
		size_t len = sample_len[i];
		uint8_t *t = malloc(len + 1);

		cr_assert_not_null(t);
		memcpy(t, sample_buf[i], len);
		/* A message ending in SIGN frames its end with the signature
		 * length; any other ends with next payload = Last. Either way one
		 * more byte is one too many. */
		t[len] = 0;
		check_input(name, t, len + 1, NULL, B(MIKEY_ERR_TRAILING) | B(MIKEY_ERR_LENGTH), NULL);
		/* RFC 3830 §6.1: version 1 only */
		for (unsigned v = 0; v < 256; v++) {
			if (v == MIKEY_VERSION_1)
				continue;
			t[0] = (uint8_t)v;
			check_input(name, t, len, NULL, B(MIKEY_ERR_VERSION), NULL);
		}
		free(t);
	}
}

/* ------------------------------------------------------------------------
 * (b) length fields
 * --------------------------------------------------------------------- */

Test(bad_input, length_fields_too_large_or_small)
{
	static fields fs;
	stats st = {0};
	size_t n_fields = 0;

	for (size_t i = 0; i < n_samples; i++) {
		const char *name = test_msgs_get(i)->name;
		size_t len = sample_len[i];
		mikey_msg *m = parse_sample(i);
		uint8_t *t = malloc(len);

		cr_assert_not_null(t);
		msg_fields(&fs, m);
		n_fields += fs.n;
		for (size_t k = 0; k < fs.n; k++) {
			const field *f = &fs.f[k];
			unsigned max = (1u << f->bits) - 1;
			unsigned cur;
			unsigned vals[4];
			char what[160];

			cr_assert_lt(f->pos + (f->bits > 8 ? 1 : 0), len, "%s: %s at %zu outside", name, f->what, f->pos);
			cur = field_get(sample_buf[i], f);
			vals[0] = 0;
			vals[1] = cur > 0 ? cur - 1 : 0;
			vals[2] = cur < max ? cur + 1 : max;
			vals[3] = max;
			for (size_t j = 0; j < 4; j++) {
				unsigned allowed = ANY;

				if (vals[j] == cur)
					continue;
				memcpy(t, sample_buf[i], len);
				field_set(t, f, vals[j]);
				/* Framing more bytes than the message has cannot parse. */
				if (vals[j] > cur && vals[j] - cur > len)
					allowed = PARSE_ERRS;
				snprintf(what, sizeof(what), "%s: %s at %zu set %u -> %u", name, f->what, f->pos, cur,
				         vals[j]);
				check_input(what, t, len, NULL, allowed, &st);
			}
		}
		free(t);
		mikey_msg_free(m);
	}
	/* every sample has at least its #CS; most have many more */
	cr_assert_geq(n_fields, 60, "found only %zu length fields", n_fields);
	cr_assert_geq(stat_percent(&st), 80, "only %u%% of broken lengths refused", stat_percent(&st));
	print_stats("length fields", &st);
}

/* RFC 3830 §6.1: #CS counts map entries; 255 with a 2-entry map runs off
 * the end. RFC 6043 §6.1.1: #P = 127 with 2 policies does too. */
Test(bad_input, absurd_counts)
{
	for (size_t i = 0; i < n_samples; i++) {
		const char *name = test_msgs_get(i)->name;
		size_t len = sample_len[i];
		mikey_msg *m = parse_sample(i);
		uint8_t *t = malloc(len);

		cr_assert_not_null(t);
		memcpy(t, sample_buf[i], len);
		if (m->hdr.map_type != MIKEY_MAP_EMPTY && len < 255 * 9) {
			t[8] = 255;
			check_input(name, t, len, NULL, PARSE_ERRS, NULL);
		}
		if (m->hdr.map_type == MIKEY_MAP_GENERIC_ID) {
			memcpy(t, sample_buf[i], len);
			t[12] |= 0x7f;
			check_input(name, t, len, NULL, PARSE_ERRS, NULL);
		}
		free(t);
		mikey_msg_free(m);
	}
}

/* ------------------------------------------------------------------------
 * (c) next-payload chains
 * --------------------------------------------------------------------- */

Test(bad_input, next_payload_unknown_types)
{
	np_pos np[128];
	stats st = {0};

	for (size_t i = 0; i < n_samples; i++) {
		const char *name = test_msgs_get(i)->name;
		size_t len = sample_len[i];
		mikey_msg *m = parse_sample(i);
		size_t n = next_payload_positions(m, np, 128);
		uint8_t *t = malloc(len);

		cr_assert_not_null(t);
		for (size_t k = 0; k < n; k++) {
			char what[128];

			for (unsigned v = 0; v < 256; v++) {
				unsigned allowed;

				memcpy(t, sample_buf[i], len);
				if (t[np[k].pos] == v)
					continue;
				t[np[k].pos] = (uint8_t)v;
				if (v == MIKEY_PT_LAST)
					/* the chain ends early: what follows is surplus */
					allowed = B(MIKEY_ERR_TRAILING) | B(MIKEY_ERR_LENGTH);
				else if (!payload_type_known(v))
					allowed = B(MIKEY_ERR_PAYLOAD_TYPE) | (np[k].last ? SHORT : 0);
				else
					allowed = ANY; /* a known type: whatever it reads as */
				snprintf(what, sizeof(what), "%s: next payload at %zu%s set to %u", name, np[k].pos,
				         np[k].in_kemac ? " (KEMAC sub)" : "", v);
				/* the error points at the field that named the type */
				if (check_input(what, t, len, NULL, allowed, &st) == MIKEY_ERR_PAYLOAD_TYPE &&
				    !payload_type_known(v) && last_err.offset != np[k].pos)
					FAIL_INPUT(what, t, len, "err.offset %zu, not the next-payload field",
					           last_err.offset);
			}
		}
		free(t);
		mikey_msg_free(m);
	}
	print_stats("next payload", &st);
}

/* Every next-payload byte of a message names the same type: each payload
 * is then re-read as that type (a payload naming its own type, again and
 * again). Also every next-payload byte pointing back to the first type. */
Test(bad_input, next_payload_all_the_same)
{
	np_pos np[128];
	stats st = {0};

	for (size_t i = 0; i < n_samples; i++) {
		const char *name = test_msgs_get(i)->name;
		size_t len = sample_len[i];
		mikey_msg *m = parse_sample(i);
		size_t n = next_payload_positions(m, np, 128);
		uint8_t *t = malloc(len);

		cr_assert_not_null(t);
		for (unsigned v = 1; v < 256; v++) {
			char what[128];

			if (!payload_type_known(v))
				continue;
			memcpy(t, sample_buf[i], len);
			for (size_t k = 0; k < n; k++)
				t[np[k].pos] = (uint8_t)v;
			snprintf(what, sizeof(what), "%s: every next payload set to %u", name, v);
			check_input(what, t, len, NULL, ANY, &st);
			/* only the non-last ones: the chain never ends */
			memcpy(t, sample_buf[i], len);
			for (size_t k = 0; k < n; k++)
				if (!np[k].last)
					t[np[k].pos] = (uint8_t)v;
			snprintf(what, sizeof(what), "%s: every non-last next payload set to %u", name, v);
			check_input(what, t, len, NULL, ANY, &st);
		}
		free(t);
		mikey_msg_free(m);
	}
	print_stats("same next payload", &st);
}

/* An Empty-map header (RFC 4563 §5) followed by |n| items of |item_len|
 * bytes each written by |put|. */
static uint8_t *chain(size_t n, size_t item_len, uint8_t first, void (*put)(uint8_t *p, size_t i, size_t n),
                      size_t *out_len)
{
	size_t len = 10 + n * item_len;
	uint8_t *b = malloc(len);

	cr_assert_not_null(b);
	b[0] = MIKEY_VERSION_1;
	b[1] = MIKEY_DT_PSK_INIT;
	b[2] = n ? first : MIKEY_PT_LAST;
	b[3] = 0;
	b[4] = 0x01, b[5] = 0x02, b[6] = 0x03, b[7] = 0x04;
	b[8] = 0;
	b[9] = MIKEY_MAP_EMPTY;
	for (size_t i = 0; i < n; i++)
		put(b + 10 + i * item_len, i, n);
	*out_len = len;
	return b;
}

static void put_rand(uint8_t *p, size_t i, size_t n)
{
	p[0] = i + 1 < n ? MIKEY_PT_RAND : MIKEY_PT_LAST;
	p[1] = 1;
	p[2] = (uint8_t)i;
}

static void put_cert(uint8_t *p, size_t i, size_t n)
{
	p[0] = i + 1 < n ? MIKEY_PT_CERT : MIKEY_PT_LAST;
	p[1] = MIKEY_CERT_X509V3;
	p[2] = 0;
	p[3] = 0;
}

/* Parses a chain with max_payloads |limit|: TOO_MANY when there are more
 * payloads, and a full, exact round trip when there are not. */
static void chain_limit(const char *name, const uint8_t *b, size_t len, size_t n, size_t limit)
{
	mikey_parse_opts opts = {0};
	char what[96];

	opts.max_payloads = limit;
	snprintf(what, sizeof(what), "%s x%zu, max_payloads %zu", name, n, limit);
	if (n > (limit ? limit : 256)) {
		check_input(what, b, len, &opts, B(MIKEY_ERR_TOO_MANY), NULL);
	} else {
		mikey_msg *m = NULL;
		int rc = mikey_msg_parse(b, len, &opts, &m, NULL);

		cr_assert_eq(rc, MIKEY_OK, "%s: %s", what, mikey_error_name(rc));
		cr_assert_eq(m->payloads.count, n);
		mikey_msg_free(m);
		check_input(what, b, len, &opts, B(MIKEY_OK), NULL);
	}
}

Test(bad_input, long_chains)
{
	size_t len;
	uint8_t *b;

	b = chain(10000, 3, MIKEY_PT_RAND, put_rand, &len);
	chain_limit("RAND", b, len, 10000, 0);
	chain_limit("RAND", b, len, 10000, 9999);
	chain_limit("RAND", b, len, 10000, 10000);
	chain_limit("RAND", b, len, 10000, 20000);
	free(b);
	/* the default limit is 256 per chain: exactly at the limit parses */
	b = chain(256, 3, MIKEY_PT_RAND, put_rand, &len);
	chain_limit("RAND", b, len, 256, 0);
	free(b);
	b = chain(257, 3, MIKEY_PT_RAND, put_rand, &len);
	chain_limit("RAND", b, len, 257, 0);
	free(b);
	b = chain(10000, 4, MIKEY_PT_CERT, put_cert, &len);
	chain_limit("CERT", b, len, 10000, 0);
	chain_limit("CERT", b, len, 10000, 10000);
	free(b);
}

/* The same long chain through the builder: build has no payload limit,
 * so what it builds is what the parser limits. */
Test(bad_input, long_chain_built)
{
	mikey_msg *m = mikey_msg_new();
	uint8_t *out = NULL, *ref;
	size_t out_len = 0, ref_len;

	cr_assert_not_null(m);
	m->hdr.data_type = MIKEY_DT_PSK_INIT;
	m->hdr.csb_id = 0x01020304;
	m->hdr.map_type = MIKEY_MAP_EMPTY;
	for (size_t i = 0; i < 10000; i++) {
		mikey_payload *p = mikey_msg_add_payload(m, &m->payloads, MIKEY_PT_RAND);
		uint8_t v = (uint8_t)i;

		cr_assert_not_null(p);
		cr_assert_eq(mikey_msg_set_bytes(m, &p->u.rand.rand, &v, 1), MIKEY_OK);
	}
	cr_assert_eq(m->payloads.count, 10000);
	cr_assert_eq(mikey_msg_build(m, &out, &out_len, NULL), MIKEY_OK);
	ref = chain(10000, 3, MIKEY_PT_RAND, put_rand, &ref_len);
	cr_assert_eq(out_len, ref_len);
	cr_assert_arr_eq(out, ref, ref_len);
	free(ref);
	mikey_buf_free(out, out_len);
	mikey_msg_free(m);
}

/* RFC 3830 §6.10: one SP with |n| zero-length params; max_sp_params. */
static uint8_t *sp_many(size_t n, size_t *out_len)
{
	size_t plen = 2 * n;
	size_t len = 10 + 5 + plen;
	uint8_t *b;
	size_t dummy;

	cr_assert_leq(plen, 0xffff);
	b = chain(0, 0, 0, NULL, &dummy);
	b = realloc(b, len);
	cr_assert_not_null(b);
	b[2] = MIKEY_PT_SP;
	b[10] = MIKEY_PT_LAST;
	b[11] = 0;
	b[12] = MIKEY_PROT_SRTP;
	b[13] = (uint8_t)(plen >> 8);
	b[14] = (uint8_t)plen;
	for (size_t i = 0; i < n; i++) {
		b[15 + 2 * i] = (uint8_t)i;
		b[16 + 2 * i] = 0;
	}
	*out_len = len;
	return b;
}

Test(bad_input, sp_param_counts)
{
	mikey_parse_opts opts = {0};
	size_t len;
	uint8_t *b;

	b = sp_many(256, &len);
	check_input("SP 256 params", b, len, NULL, B(MIKEY_OK), NULL);
	free(b);
	b = sp_many(257, &len);
	check_input("SP 257 params", b, len, NULL, B(MIKEY_ERR_TOO_MANY), NULL);
	free(b);
	b = sp_many(30000, &len);
	check_input("SP 30000 params", b, len, NULL, B(MIKEY_ERR_TOO_MANY), NULL);
	opts.max_sp_params = 30000;
	check_input("SP 30000 params, limit 30000", b, len, &opts, B(MIKEY_OK), NULL);
	opts.max_sp_params = 29999;
	check_input("SP 30000 params, limit 29999", b, len, &opts, B(MIKEY_ERR_TOO_MANY), NULL);
	/* the last param's length runs past the SP's own length */
	b[len - 1] = 1;
	opts.max_sp_params = 30000;
	check_input("SP param longer than the SP", b, len, &opts, SHORT, NULL);
	free(b);
}

/* A KEMAC (NULL encryption) with |n| Key data sub-payloads of 4 bytes. */
static uint8_t *kemac_many(size_t n, size_t *out_len)
{
	size_t elen = 4 * n;
	size_t len = 10 + 4 + elen + 1;
	uint8_t *b, *p;
	size_t dummy;

	b = chain(0, 0, 0, NULL, &dummy);
	b = realloc(b, len);
	cr_assert_not_null(b);
	b[2] = MIKEY_PT_KEMAC;
	b[10] = MIKEY_PT_LAST;
	b[11] = MIKEY_ENCR_NULL;
	b[12] = (uint8_t)(elen >> 8);
	b[13] = (uint8_t)elen;
	p = b + 14;
	for (size_t i = 0; i < n; i++, p += 4) {
		p[0] = i + 1 < n ? MIKEY_PT_KEY_DATA : MIKEY_PT_LAST;
		p[1] = MIKEY_KEY_TEK << 4 | MIKEY_KV_NULL;
		p[2] = 0;
		p[3] = 0;
	}
	*p = MIKEY_MAC_NULL;
	*out_len = len;
	return b;
}

Test(bad_input, kemac_sub_counts)
{
	mikey_parse_opts opts = {0};
	size_t len;
	uint8_t *b;

	b = kemac_many(0, &len);
	check_input("KEMAC 0 subs", b, len, NULL, B(MIKEY_OK), NULL);
	free(b);
	b = kemac_many(256, &len);
	check_input("KEMAC 256 subs", b, len, NULL, B(MIKEY_OK), NULL);
	free(b);
	b = kemac_many(10000, &len);
	check_input("KEMAC 10000 subs", b, len, NULL, B(MIKEY_ERR_TOO_MANY), NULL);
	opts.max_payloads = 10000;
	check_input("KEMAC 10000 subs, limit 10000", b, len, &opts, B(MIKEY_OK), NULL);
	/* the last sub names another one: it runs off the end of the KEMAC
	 * (with a limit above the count, or TOO_MANY would come first) */
	b[14 + 4 * 9999] = MIKEY_PT_KEY_DATA;
	opts.max_payloads = 20000;
	check_input("KEMAC sub chain runs past Encr data", b, len, &opts, SHORT, NULL);
	free(b);
}

/* RFC 4563 §4: a KEY-ID extension of |n| empty Key ID sub-payloads. */
Test(bad_input, key_id_counts)
{
	size_t n = 30000, elen = 2 * n, len;
	uint8_t *b, *p;
	size_t dummy;

	b = chain(0, 0, 0, NULL, &dummy);
	len = 10 + 4 + elen;
	b = realloc(b, len);
	cr_assert_not_null(b);
	b[2] = MIKEY_PT_GEN_EXT;
	b[10] = MIKEY_PT_LAST;
	b[11] = MIKEY_GEN_KEY_ID;
	b[12] = (uint8_t)(elen >> 8);
	b[13] = (uint8_t)elen;
	p = b + 14;
	for (size_t i = 0; i < n; i++, p += 2) {
		p[0] = (uint8_t)(i % 3);
		p[1] = 0;
	}
	check_input("KEY-ID 30000 sub-payloads", b, len, NULL, B(MIKEY_OK) | B(MIKEY_ERR_TOO_MANY), NULL);
	/* the last Key ID length runs past the extension */
	b[len - 1] = 1;
	check_input("KEY-ID length past the extension", b, len, NULL, SHORT, NULL);
	free(b);
}

/* ------------------------------------------------------------------------
 * (c) registry values whose length the parser cannot know
 * --------------------------------------------------------------------- */

typedef int (*len_fn)(uint8_t);

/* Sets the byte at |pos| (masked by |mask|, shifted by |shift|) to every
 * value; UNKNOWN_VALUE is required where |known| says -1 (or, without
 * |known|, for values >= |first_unknown|). */
static void try_values(const char *name, size_t i, size_t pos, unsigned mask, unsigned shift, len_fn known,
                       unsigned first_unknown, const char *field_name, stats *st)
{
	size_t len = sample_len[i];
	uint8_t *t = malloc(len);

	cr_assert_not_null(t);
	for (unsigned v = 0; v <= (mask >> shift); v++) {
		bool unknown = known ? known((uint8_t)v) < 0 : v >= first_unknown;
		char what[128];

		memcpy(t, sample_buf[i], len);
		t[pos] = (uint8_t)((t[pos] & ~mask) | (v << shift));
		snprintf(what, sizeof(what), "%s: %s at %zu set to %u", name, field_name, pos, v);
		check_input(what, t, len, NULL, unknown ? B(MIKEY_ERR_UNKNOWN_VALUE) : ANY, st);
	}
	free(t);
}

static void kv_values(const char *name, size_t i, size_t pos, stats *st)
{
	/* RFC 3830 Table 6.13.b: NULL, SPI, Interval; the rest cannot be
	 * framed */
	try_values(name, i, pos, 0x0f, 0, NULL, 3, "KV type", st);
}

static int never_unknown(uint8_t v)
{
	(void)v;
	return 0;
}

Test(bad_input, unknown_registry_values)
{
	stats st = {0};
	bool tried[8] = {false};

	for (size_t i = 0; i < n_samples; i++) {
		const char *name = test_msgs_get(i)->name;
		mikey_msg *m = parse_sample(i);

		/* RFC 3830 Table 6.1.d, RFC 4563, RFC 6043: SRTP-ID, Empty, GENERIC-ID */
		try_values(name, i, 9, 0xff, 0, NULL, 3, "CS ID map type", &st);
		tried[0] = true;
		for (const mikey_payload *p = m->payloads.first; p != NULL; p = p->next) {
			size_t o = p->offset;

			switch (p->type) {
			case MIKEY_PT_T:
				try_values(name, i, o + 1, 0xff, 0, mikey_ts_value_len, 0, "TS type", &st);
				tried[1] = true;
				break;
			case MIKEY_PT_TR:
				try_values(name, i, o + 2, 0xff, 0, mikey_ts_value_len, 0, "TR TS type", &st);
				tried[1] = true;
				break;
			case MIKEY_PT_DH:
				try_values(name, i, o + 1, 0xff, 0, mikey_dh_value_len, 0, "DH-Group", &st);
				kv_values(name, i, o + 2 + p->u.dh.value.len, &st);
				tried[2] = true;
				break;
			case MIKEY_PT_KEMAC:
				try_values(name, i, o + 4 + (sample_buf[i][o + 2] << 8 | sample_buf[i][o + 3]), 0xff, 0,
				           mikey_mac_len, 0, "KEMAC MAC alg", &st);
				/* any Encr alg frames its data by length: never unknown */
				try_values(name, i, o + 1, 0xff, 0, never_unknown, 0, "KEMAC Encr alg", &st);
				tried[3] = true;
				if (p->u.kemac.encr_alg != MIKEY_ENCR_NULL)
					break;
				for (const mikey_payload *s = p->u.kemac.sub.first; s != NULL; s = s->next)
					if (s->type == MIKEY_PT_KEY_DATA) {
						kv_values(name, i, s->offset + 1, &st);
						/* key type decides whether a salt follows */
						try_values(name, i, s->offset + 1, 0xf0, 4, never_unknown, 0, "Key data type", &st);
						tried[4] = true;
					}
				break;
			case MIKEY_PT_V:
				try_values(name, i, o + 1, 0xff, 0, mikey_mac_len, 0, "V Auth alg", &st);
				tried[5] = true;
				break;
			case MIKEY_PT_CHASH:
				try_values(name, i, o + 1, 0xff, 0, mikey_hash_len, 0, "CHASH Hash func", &st);
				tried[6] = true;
				break;
			case MIKEY_PT_GEN_EXT:
				try_values(name, i, o + 1, 0xff, 0, never_unknown, 0, "General Ext. Type", &st);
				tried[7] = true;
				break;
			default:
				break;
			}
		}
		mikey_msg_free(m);
	}
	for (size_t k = 0; k < 8; k++)
		cr_assert(tried[k], "registry field %zu never tried", k);
	print_stats("registry values", &st);
}

/* RFC 4650 §4.2 Table 4.2.a numbers HMAC-SHA-1 0: a DH-HMAC message whose
 * last payload is a KEMAC with MAC alg 0 and 20 bytes after it parses
 * (unless strict_rfc4650_mac), anything else with those bytes does not. */
Test(bad_input, rfc4650_mac_numbering)
{
	mikey_parse_opts strict = {0};
	mikey_msg *m = mikey_msg_new();
	mikey_payload *p;
	uint8_t mac[20], *out = NULL;
	size_t out_len = 0;

	cr_assert_not_null(m);
	m->hdr.data_type = MIKEY_DT_DHHMAC_RESP;
	m->hdr.map_type = MIKEY_MAP_EMPTY;
	add_ts(m, MIKEY_TS_NTP_UTC, 5);
	p = mikey_msg_add_payload(m, &m->payloads, MIKEY_PT_KEMAC);
	cr_assert_not_null(p);
	test_pattern(mac, sizeof(mac), 4650);
	cr_assert_eq(mikey_msg_set_bytes(m, &p->u.kemac.mac, mac, sizeof(mac)), MIKEY_OK);
	cr_assert_eq(mikey_msg_build(m, &out, &out_len, NULL), MIKEY_OK);
	mikey_msg_free(m);

	check_input("DH-HMAC, MAC alg 0 + 20 bytes", out, out_len, NULL, B(MIKEY_OK), NULL);
	strict.strict_rfc4650_mac = true;
	check_input("DH-HMAC, MAC alg 0 + 20 bytes, strict", out, out_len, &strict, B(MIKEY_ERR_TRAILING), NULL);
	/* one byte more or less than 20 is not that reading */
	check_input("DH-HMAC, MAC alg 0 + 19 bytes", out, out_len - 1, NULL, B(MIKEY_ERR_TRAILING), NULL);
	/* only in DH-HMAC messages (RFC 4650 data types 7, 8) */
	for (unsigned dt = 0; dt < 256; dt++) {
		char what[64];

		if (dt == MIKEY_DT_DHHMAC_INIT || dt == MIKEY_DT_DHHMAC_RESP)
			continue;
		out[1] = (uint8_t)dt;
		snprintf(what, sizeof(what), "data type %u, MAC alg 0 + 20 bytes", dt);
		check_input(what, out, out_len, NULL, B(MIKEY_ERR_TRAILING), NULL);
	}
	mikey_buf_free(out, out_len);
}

/* ------------------------------------------------------------------------
 * (d) every byte value at every position
 * --------------------------------------------------------------------- */

static void every_byte(size_t i, stats *st)
{
	const char *name = test_msgs_get(i)->name;
	size_t len = sample_len[i];
	uint8_t *t = malloc(len);

	cr_assert_not_null(t);
	memcpy(t, sample_buf[i], len);
	for (size_t pos = 0; pos < len; pos++) {
		uint8_t orig = t[pos];

		for (unsigned v = 0; v < 256; v++) {
			char what[96];

			if (v == orig)
				continue;
			t[pos] = (uint8_t)v;
			snprintf(what, sizeof(what), "%s: byte %zu %02x -> %02x", name, pos, orig, v);
			check_input(what, t, len, NULL, ANY, st);
		}
		t[pos] = orig;
	}
	free(t);
}

/* One criterion test per sample so they run in parallel. */
ParameterizedTestParameters(bad_input, every_byte_value)
{
	static size_t idx[32];
	size_t n = test_msgs_count();

	for (size_t i = 0; i < n; i++)
		idx[i] = i;
	return cr_make_param_array(size_t, idx, n);
}

ParameterizedTest(size_t *i, bad_input, every_byte_value)
{
	stats st = {0};
	char name[64];

	/* quick mode (valgrind): the three smallest samples are enough */
	if (quick_mode() && sample_len[*i] > 64)
		return;
	every_byte(*i, &st);
	snprintf(name, sizeof(name), "every byte of %s", test_msgs_get(*i)->name);
	print_stats(name, &st);
}

/* ------------------------------------------------------------------------
 * (e) random mutations, fixed seed
 * --------------------------------------------------------------------- */

static uint64_t xorshift64(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x;
}

/* Applies 1..4 random edits to t (capacity cap), returns the new length. */
static size_t mutate(uint8_t *t, size_t len, size_t cap, uint64_t *rs)
{
	static const uint8_t interesting[] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x0b, 0x14, 0x15, 0x7f, 0x80, 0xfe, 0xff};
	unsigned edits = 1 + (unsigned)(xorshift64(rs) % 4);

	for (unsigned e = 0; e < edits; e++) {
		uint64_t r = xorshift64(rs);
		size_t pos = len ? (size_t)((r >> 8) % len) : 0;

		switch (r % 8) {
		case 0: /* flip a bit */
			if (len)
				t[pos] ^= (uint8_t)(1u << ((r >> 40) % 8));
			break;
		case 1: /* random byte */
			if (len)
				t[pos] = (uint8_t)(r >> 40);
			break;
		case 2: /* interesting byte */
			if (len)
				t[pos] = interesting[(r >> 40) % sizeof(interesting)];
			break;
		case 3: /* delete a run */
			if (len) {
				size_t n = 1 + (size_t)((r >> 40) % 8);

				if (n > len - pos)
					n = len - pos;
				memmove(t + pos, t + pos + n, len - pos - n);
				len -= n;
			}
			break;
		case 4: /* insert a byte */
			if (len < cap) {
				memmove(t + pos + 1, t + pos, len - pos);
				t[pos] = (uint8_t)(r >> 40);
				len++;
			}
			break;
		case 5: /* duplicate a run */
			if (len) {
				size_t n = 1 + (size_t)((r >> 40) % 16);

				if (n > len - pos)
					n = len - pos;
				if (len + n <= cap) {
					memmove(t + pos + n, t + pos, len - pos);
					len += n;
				}
			}
			break;
		case 6: /* truncate */
			len = pos;
			break;
		default: /* 16-bit big-endian +-1 */
			if (len >= 2 && pos + 1 < len) {
				unsigned w = (unsigned)t[pos] << 8 | t[pos + 1];

				w += (r >> 40) & 1 ? 1 : 0xffff;
				t[pos] = (uint8_t)(w >> 8);
				t[pos + 1] = (uint8_t)w;
			}
			break;
		}
	}
	return len;
}

static void mutations(uint64_t seed, size_t iterations, stats *st)
{
	size_t cap = 0;
	uint8_t *t;
	uint64_t rs = seed;

	for (size_t i = 0; i < n_samples; i++)
		if (sample_len[i] > cap)
			cap = sample_len[i];
	cap += 64;
	t = malloc(cap);
	cr_assert_not_null(t);
	for (size_t it = 0; it < iterations; it++) {
		size_t i = (size_t)(xorshift64(&rs) % n_samples);
		size_t len = sample_len[i];
		uint8_t *exact;
		char what[96];

		memcpy(t, sample_buf[i], len);
		len = mutate(t, len, cap, &rs);
		/* exact-size copy so ASan catches reads past the end */
		exact = malloc(len ? len : 1);
		cr_assert_not_null(exact);
		memcpy(exact, t, len);
		snprintf(what, sizeof(what), "%s, mutation %zu of seed %llu", test_msgs_get(i)->name, it,
		         (unsigned long long)seed);
		check_input(what, exact, len, NULL, ANY, st);
		free(exact);
	}
	free(t);
}

ParameterizedTestParameters(bad_input, random_mutations)
{
	static uint64_t seeds[] = {0x6d696b6579000001ull, 0x6d696b6579000002ull, 0x6d696b6579000003ull,
	                           0x6d696b6579000004ull};

	return cr_make_param_array(uint64_t, seeds, sizeof(seeds) / sizeof(seeds[0]));
}

ParameterizedTest(uint64_t *seed, bad_input, random_mutations)
{
	stats st = {0};

	/* 4 x 50000 = 200000 in all; quick mode (valgrind) 4 x 500 */
	mutations(*seed, quick_mode() ? 500 : 50000, &st);
	cr_assert_gt(st.failed, 0);
	print_stats("random mutations", &st);
}

/* ------------------------------------------------------------------------
 * Build refuses what does not fit the wire
 * --------------------------------------------------------------------- */

static mikey_msg *base_msg(void)
{
	mikey_msg *m = mikey_msg_new();
	mikey_payload *p;

	cr_assert_not_null(m);
	m->hdr.data_type = MIKEY_DT_PSK_INIT; /* KEMAC sub-payloads start with Key data */
	m->hdr.csb_id = 7;
	m->hdr.map_type = MIKEY_MAP_EMPTY;
	p = mikey_msg_add_payload(m, &m->payloads, MIKEY_PT_T);
	cr_assert_not_null(p);
	p->u.ts.ts_type = MIKEY_TS_NTP_UTC;
	p->u.ts.value = 42;
	return m;
}

static mikey_payload *add(mikey_msg *m, uint8_t type)
{
	mikey_payload *p = mikey_msg_add_payload(m, &m->payloads, type);

	cr_assert_not_null(p);
	cr_assert_eq(p->type, type);
	return p;
}

static void set_n(mikey_msg *m, mikey_bytes *dst, size_t n)
{
	uint8_t *tmp = malloc(n ? n : 1);

	cr_assert_not_null(tmp);
	memset(tmp, 0x5a, n);
	cr_assert_eq(mikey_msg_set_bytes(m, dst, tmp, n), MIKEY_OK);
	free(tmp);
}

/* Builds |m| expecting |expect| (any of |also| too), then frees it. When
 * the build succeeds, the bytes must parse and round-trip. */
static void expect_build(const char *what, mikey_msg *m, int expect, unsigned also)
{
	uint8_t *out = NULL;
	size_t out_len = 0;
	mikey_error err;
	int rc;

	memset(&err, 0, sizeof(err));
	rc = mikey_msg_build(m, &out, &out_len, &err);
	mikey_msg_free(m);
	if (rc == MIKEY_OK) {
		cr_assert_eq(expect, MIKEY_OK, "%s: built %zu bytes, expected %s", what, out_len, mikey_error_name(expect));
		check_input(what, out, out_len, NULL, B(MIKEY_OK), NULL);
		mikey_buf_free(out, out_len);
		return;
	}
	cr_assert(rc == expect || (B(rc) & also), "%s: build returned %s (%s), expected %s", what, mikey_error_name(rc),
	          err.message, mikey_error_name(expect));
	cr_assert_null(out, "%s: failed build left *out set", what);
	cr_assert_eq(err.code, rc, "%s", what);
	cr_assert_neq(err.message[0], '\0', "%s: no message", what);
}

Test(bad_input, build_refuses_out_of_range)
{
	mikey_msg *m;
	mikey_payload *p;

	/* RFC 3830 §6.7: ID len is 16 bits */
	m = base_msg();
	p = add(m, MIKEY_PT_ID);
	set_n(m, &p->u.id.data, 70000);
	expect_build("ID of 70000 bytes", m, MIKEY_ERR_FIELD_RANGE, 0);
	m = base_msg();
	p = add(m, MIKEY_PT_ID);
	set_n(m, &p->u.id.data, 65535);
	expect_build("ID of 65535 bytes", m, MIKEY_OK, 0);
	m = base_msg();
	p = add(m, MIKEY_PT_CERT);
	set_n(m, &p->u.id.data, 65536);
	expect_build("CERT of 65536 bytes", m, MIKEY_ERR_FIELD_RANGE, 0);
	m = base_msg();
	p = add(m, MIKEY_PT_IDR);
	set_n(m, &p->u.id.data, 65536);
	expect_build("IDR of 65536 bytes", m, MIKEY_ERR_FIELD_RANGE, 0);

	/* RFC 3830 §6.3: PKE Data len is 14 bits */
	m = base_msg();
	p = add(m, MIKEY_PT_PKE);
	set_n(m, &p->u.pke.data, 16384);
	expect_build("PKE of 16384 bytes", m, MIKEY_ERR_FIELD_RANGE, 0);
	m = base_msg();
	p = add(m, MIKEY_PT_PKE);
	set_n(m, &p->u.pke.data, 16383);
	p->u.pke.cache = 3;
	expect_build("PKE of 16383 bytes", m, MIKEY_OK, 0);
	m = base_msg();
	p = add(m, MIKEY_PT_PKE);
	p->u.pke.cache = 4;
	expect_build("PKE C = 4", m, MIKEY_ERR_FIELD_RANGE, 0);

	/* RFC 3830 §6.5: Signature len is 12 bits, S type 4 */
	m = base_msg();
	p = add(m, MIKEY_PT_SIGN);
	set_n(m, &p->u.sign.sig, 4096);
	expect_build("SIGN of 4096 bytes", m, MIKEY_ERR_FIELD_RANGE, 0);
	m = base_msg();
	p = add(m, MIKEY_PT_SIGN);
	set_n(m, &p->u.sign.sig, 4095);
	p->u.sign.s_type = 15;
	expect_build("SIGN of 4095 bytes", m, MIKEY_OK, 0);
	m = base_msg();
	p = add(m, MIKEY_PT_SIGN);
	p->u.sign.s_type = 16;
	expect_build("SIGN S type 16", m, MIKEY_ERR_FIELD_RANGE, 0);

	/* RFC 3830 §6.11: RAND len is 8 bits */
	m = base_msg();
	p = add(m, MIKEY_PT_RAND);
	set_n(m, &p->u.rand.rand, 256);
	expect_build("RAND of 256 bytes", m, MIKEY_ERR_FIELD_RANGE, 0);
	m = base_msg();
	p = add(m, MIKEY_PT_RANDR);
	set_n(m, &p->u.rand.rand, 255);
	expect_build("RANDR of 255 bytes", m, MIKEY_OK, 0);

	/* RFC 3830 §6.2: Encr data len 16 bits */
	m = base_msg();
	p = add(m, MIKEY_PT_KEMAC);
	p->u.kemac.encr_alg = MIKEY_ENCR_AES_CM_128;
	set_n(m, &p->u.kemac.encr_data, 65536);
	expect_build("KEMAC Encr data of 65536 bytes", m, MIKEY_ERR_FIELD_RANGE, 0);

	/* RFC 3830 §6.15, RFC 6509 §4.2, RFC 6043 §6.10: 16-bit lengths */
	m = base_msg();
	p = add(m, MIKEY_PT_GEN_EXT);
	p->u.gen_ext.ext_type = MIKEY_GEN_VENDOR_ID;
	set_n(m, &p->u.gen_ext.data, 65536);
	expect_build("General Ext. of 65536 bytes", m, MIKEY_ERR_FIELD_RANGE, 0);
	m = base_msg();
	p = add(m, MIKEY_PT_SAKKE);
	set_n(m, &p->u.sakke.data, 65536);
	expect_build("SAKKE data of 65536 bytes", m, MIKEY_ERR_FIELD_RANGE, 0);
	m = base_msg();
	p = add(m, MIKEY_PT_TICKET);
	set_n(m, &p->u.ticket.ticket_data, 65536);
	expect_build("Ticket data of 65536 bytes", m, MIKEY_ERR_FIELD_RANGE, 0);
	m = base_msg();
	p = add(m, MIKEY_PT_TP);
	p->u.ticket.flags = 0x1000;
	expect_build("TP flags 0x1000 (12 bits)", m, MIKEY_ERR_FIELD_RANGE, 0);
	m = base_msg();
	p = add(m, MIKEY_PT_TP);
	p->u.ticket.prf_func = 128;
	expect_build("TP PRF func 128 (7 bits)", m, MIKEY_ERR_FIELD_RANGE, 0);

	/* RFC 3830 §6.10: the params of one SP must fit 16 bits */
	m = base_msg();
	p = add(m, MIKEY_PT_SP);
	p->u.sp.n_params = 300;
	p->u.sp.params = mikey_msg_alloc(m, 300 * sizeof(mikey_sp_param));
	cr_assert_not_null(p->u.sp.params);
	for (size_t k = 0; k < 300; k++) {
		p->u.sp.params[k].type = (uint8_t)k;
		p->u.sp.params[k].len = 255;
		p->u.sp.params[k].value = mikey_msg_alloc(m, 255);
		cr_assert_not_null(p->u.sp.params[k].value);
	}
	expect_build("SP params of 300 x 257 bytes", m, MIKEY_ERR_FIELD_RANGE, 0);

	/* RFC 3830 §6.13: Key data type 4 bits; Key data len 16 bits */
	m = base_msg();
	p = add(m, MIKEY_PT_KEMAC);
	{
		mikey_payload *s = mikey_msg_add_payload(m, &p->u.kemac.sub, MIKEY_PT_KEY_DATA);

		cr_assert_not_null(s);
		s->u.key_data.key_type = 16;
	}
	expect_build("Key data type 16", m, MIKEY_ERR_FIELD_RANGE, 0);
	m = base_msg();
	p = add(m, MIKEY_PT_KEMAC);
	{
		mikey_payload *s = mikey_msg_add_payload(m, &p->u.kemac.sub, MIKEY_PT_KEY_DATA);

		cr_assert_not_null(s);
		s->u.key_data.key_type = MIKEY_KEY_TEK;
		set_n(m, &s->u.key_data.key, 70000);
	}
	expect_build("Key data of 70000 bytes", m, MIKEY_ERR_FIELD_RANGE, 0);

	/* RFC 3830 §6.1: PRF func is 7 bits */
	m = base_msg();
	m->hdr.prf_func = 128;
	expect_build("HDR PRF func 128", m, MIKEY_ERR_FIELD_RANGE, 0);
	/* RFC 6043 §6.1.1: #P is 7 bits */
	m = base_msg();
	m->hdr.map_type = MIKEY_MAP_GENERIC_ID;
	m->hdr.n_cs = 1;
	m->hdr.generic_cs = mikey_msg_alloc(m, sizeof(mikey_generic_cs));
	cr_assert_not_null(m->hdr.generic_cs);
	m->hdr.generic_cs[0].n_policies = 128;
	m->hdr.generic_cs[0].policies = mikey_msg_alloc(m, 128);
	cr_assert_not_null(m->hdr.generic_cs[0].policies);
	expect_build("GENERIC-ID #P 128", m, MIKEY_ERR_FIELD_RANGE, 0);

	/* values whose wire length is unknown */
	m = base_msg();
	m->hdr.map_type = 7;
	expect_build("map type 7", m, MIKEY_ERR_UNKNOWN_VALUE, 0);
	m = base_msg();
	p = add(m, MIKEY_PT_DH);
	p->u.dh.group = 9;
	expect_build("DH-Group 9", m, MIKEY_ERR_UNKNOWN_VALUE, B(MIKEY_ERR_FIELD_RANGE));
	m = base_msg();
	p = add(m, MIKEY_PT_DH);
	p->u.dh.group = MIKEY_DH_OAKLEY_2;
	set_n(m, &p->u.dh.value, 10);
	expect_build("DH value of 10 bytes for OAKLEY 2", m, MIKEY_ERR_FIELD_RANGE, B(MIKEY_ERR_ARG));
	m = base_msg();
	m->payloads.first->u.ts.ts_type = 9;
	expect_build("TS type 9", m, MIKEY_ERR_UNKNOWN_VALUE, B(MIKEY_ERR_FIELD_RANGE));
	m = base_msg();
	p = add(m, MIKEY_PT_V);
	p->u.v.auth_alg = 200;
	expect_build("V Auth alg 200", m, MIKEY_ERR_UNKNOWN_VALUE, B(MIKEY_ERR_FIELD_RANGE));
}

/* RFC 3830 §6.5: SIGN is always last (it has no next-payload field). */
Test(bad_input, build_refuses_sign_not_last)
{
	mikey_msg *m;
	mikey_payload *p;

	m = base_msg();
	p = add(m, MIKEY_PT_SIGN);
	set_n(m, &p->u.sign.sig, 16);
	p = add(m, MIKEY_PT_RAND);
	set_n(m, &p->u.rand.rand, 16);
	expect_build("SIGN before RAND", m, MIKEY_ERR_PLACEMENT, 0);
	m = base_msg();
	add(m, MIKEY_PT_SIGN);
	add(m, MIKEY_PT_SIGN);
	expect_build("two SIGNs", m, MIKEY_ERR_PLACEMENT, 0);
	m = base_msg();
	p = add(m, MIKEY_PT_SIGN);
	set_n(m, &p->u.sign.sig, 16);
	expect_build("SIGN last", m, MIKEY_OK, 0);
}

/* What the builder would write in a way the parser reads differently
 * (found by tests/fuzz/fuzz_build.c; A, B, C in .codec-bugs.txt). */
Test(bad_input, build_refuses_what_parse_would_misread)
{
	mikey_msg *m;
	mikey_payload *p, *s;

	/* A. RFC 3830 §6.2: with Encr alg NULL the keys are sub-payloads; raw
	 * encr_data would be parsed as sub-payloads */
	m = base_msg();
	p = add(m, MIKEY_PT_KEMAC);
	set_n(m, &p->u.kemac.encr_data, 3);
	expect_build("NULL KEMAC with encr_data", m, MIKEY_ERR_ARG, B(MIKEY_ERR_FIELD_RANGE));
	/* B. the first sub-payload's type is not on the wire: it follows from
	 * the data type (mikey_kemac_first_type) */
	m = base_msg();
	m->hdr.data_type = MIKEY_DT_PK_INIT;
	p = add(m, MIKEY_PT_KEMAC);
	s = mikey_msg_add_payload(m, &p->u.kemac.sub, MIKEY_PT_KEY_DATA);
	cr_assert_not_null(s);
	set_n(m, &s->u.key_data.key, 16);
	expect_build("PK_INIT KEMAC starting with Key data", m, MIKEY_ERR_PLACEMENT, 0);
	m = base_msg();
	p = add(m, MIKEY_PT_KEMAC);
	s = mikey_msg_add_payload(m, &p->u.kemac.sub, MIKEY_PT_ID);
	cr_assert_not_null(s);
	expect_build("PSK_INIT KEMAC starting with ID", m, MIKEY_ERR_PLACEMENT, 0);
	m = base_msg();
	m->hdr.data_type = MIKEY_DT_RSAR_RESP;
	p = add(m, MIKEY_PT_KEMAC);
	s = mikey_msg_add_payload(m, &p->u.kemac.sub, MIKEY_PT_ID);
	cr_assert_not_null(s);
	s = mikey_msg_add_payload(m, &p->u.kemac.sub, MIKEY_PT_KEY_DATA);
	cr_assert_not_null(s);
	expect_build("RSA-R R_MESSAGE KEMAC starting with ID", m, MIKEY_OK, 0);
	/* C. RFC 4650's MAC numbering is only read from a KEMAC that ends the
	 * message */
	m = base_msg();
	m->hdr.data_type = MIKEY_DT_DHHMAC_INIT;
	p = add(m, MIKEY_PT_KEMAC);
	set_n(m, &p->u.kemac.mac, 20);
	p = add(m, MIKEY_PT_RAND);
	set_n(m, &p->u.rand.rand, 2);
	expect_build("DH-HMAC KEMAC, MAC alg 0 + 20 bytes, not last", m, MIKEY_ERR_FIELD_RANGE, B(MIKEY_ERR_PLACEMENT));
	m = base_msg();
	m->hdr.data_type = MIKEY_DT_DHHMAC_INIT;
	p = add(m, MIKEY_PT_KEMAC);
	set_n(m, &p->u.kemac.mac, 20);
	expect_build("DH-HMAC KEMAC, MAC alg 0 + 20 bytes, last", m, MIKEY_OK, 0);
}

/* The parser's side of the same rule: a SIGN whose length leaves bytes
 * after it. */
Test(bad_input, parse_refuses_bytes_after_sign)
{
	for (size_t i = 0; i < n_samples; i++) {
		mikey_msg *m = parse_sample(i);
		const mikey_payload *last = m->payloads.last;

		if (last != NULL && last->type == MIKEY_PT_SIGN) {
			size_t len = sample_len[i];
			uint8_t *t = malloc(len);
			field f = {last->offset, 12, "SIGN len"};

			cr_assert_not_null(t);
			memcpy(t, sample_buf[i], len);
			field_set(t, &f, field_get(t, &f) - 1);
			check_input(test_msgs_get(i)->name, t, len, NULL,
			            B(MIKEY_ERR_TRAILING) | B(MIKEY_ERR_PLACEMENT) | B(MIKEY_ERR_LENGTH), NULL);
			free(t);
		}
		mikey_msg_free(m);
	}
}
