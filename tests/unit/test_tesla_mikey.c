/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_tesla_mikey.c - TESLA bootstrapping payloads (RFC 4442 §4): SP of
 * Prot type TESLA, TESLA I-Key General Extension, D_t (§4.3).
 *
 * The message bytes below are written by hand from the layouts of RFC 3830
 * §6.1 (HDR), RFC 4442 §4.1-§4.2 (SP, TLV params) and §4.4 (General
 * Extension); the expected numbers are read off those bytes (and, for the
 * NTP arithmetic, computed with Python's int), never produced by the code
 * under test.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "hexspec.h"
#include "mikey/msg.h"
#include "mikey/tesla.h"
#include "mikey/tesla_mikey.h"
#include "mikey/types.h"

/* HDR: version 1, data type PSK init (0), next payload SP (10), V=0 PRF
 * MIKEY-1, CSB ID 0x12345678, #CS 1, map type SRTP-ID, then one SRTP-ID
 * entry: policy no 7, SSRC 0xdeadbeef, ROC 0. */
#define HDR "01 00 0a 00 | 12345678 | 01 00 | 07 deadbeef 00000000"

/* SP (RFC 4442 §4.1): next payload General Extension (21), policy no 7,
 * Prot type TESLA (1), params length 0x0026 = 38, then TLVs:
 *  1 PRF HMAC-SHA1 (0); 2 f' output 160 bits; 3 MAC HMAC-SHA1 (0);
 *  4 MAC 80 bits; 5 T_0 NTP 0xe8754700.80000000 (3 900 000 000.5 s);
 *  6 interval 20 ms (4 bytes); 7 delay 4 (2 bytes); 8 chain 100 000. */
#define SP_PARAMS                                                                                                \
	"01 01 00 | 02 01 a0 | 03 01 00 | 04 01 50 | 05 08 e8754700 80000000 | 06 04 00000014 | 07 02 0004 | "   \
	"08 04 000186a0"
#define SP "15 07 01 0026 | " SP_PARAMS

/* General Extension (RFC 4442 §4.4): next payload Last (0), type TESLA
 * I-Key (2), length 20, K_0 = 00 01 02 ... 13. */
#define IKEY "00 02 0014 | 000102030405060708090a0b0c0d0e0f10111213"

static mikey_msg *parse_hex(const char *spec)
{
	uint8_t buf[512];
	size_t n = hexspec(spec, buf, sizeof(buf));
	mikey_msg *m = NULL;
	mikey_error err;
	int rc = mikey_msg_parse(buf, n, NULL, &m, &err);
	cr_assert_eq(rc, MIKEY_OK, "parse: %s (%s)", mikey_error_name(rc), err.message);
	return m;
}

static void expect_rfc_params(const mikey_tesla_params *p)
{
	cr_assert_eq(p->prf, 0);
	cr_assert_eq(p->n_p, 160);
	cr_assert_eq(p->n_f, 160);
	cr_assert_eq(p->mac, 0);
	cr_assert_eq(p->n_m, 80);
	cr_assert_eq(p->t_0, 0xe875470080000000ull);
	cr_assert_eq(p->t_int, 20);
	cr_assert_eq(p->d, 4);
	cr_assert_eq(p->n_c, 100000);
	cr_assert_eq(p->d_t, 0, "D_t is not transported (RFC 4442 §3)");
}

Test(tesla_mikey, decodes_hand_written_sp_and_ikey)
{
	mikey_msg *m = parse_hex(HDR "|" SP "|" IKEY);
	mikey_tesla_params p;
	mikey_error err;
	uint8_t k0[20];

	memset(&p, 0xa5, sizeof(p));
	cr_assert_eq(mikey_tesla_params_from_msg(m, 7, &p, &err), MIKEY_OK, "%s", err.message);
	expect_rfc_params(&p);
	for (int i = 0; i < 20; i++)
		k0[i] = (uint8_t)i;
	cr_assert_eq(p.commit_index, 0);
	cr_assert_arr_eq(p.commitment, k0, 20);
	cr_assert_eq(mikey_tesla_params_check(&p), MIKEY_OK);
	/* The parameters build a working receiver. */
	mikey_tesla_receiver *r = NULL;
	cr_assert_eq(mikey_tesla_receiver_new(&p, NULL, &r), MIKEY_OK);
	mikey_tesla_receiver_free(r);

	cr_assert_eq(mikey_tesla_params_from_msg(m, 8, &p, &err), MIKEY_ERR_NOT_FOUND);
	mikey_msg_free(m);
}

Test(tesla_mikey, builds_the_same_bytes)
{
	uint8_t want[512], *got = NULL;
	size_t want_len = hexspec(HDR "|" SP "|" IKEY, want, sizeof(want)), got_len = 0;
	mikey_tesla_params p;
	mikey_msg *m = mikey_msg_new();

	cr_assert_not_null(m);
	m->hdr.version = 1;
	m->hdr.data_type = MIKEY_DT_PSK_INIT;
	m->hdr.csb_id = 0x12345678;
	m->hdr.n_cs = 1;
	m->hdr.map_type = MIKEY_MAP_SRTP_ID;
	m->hdr.srtp_cs = mikey_msg_alloc(m, sizeof(*m->hdr.srtp_cs));
	m->hdr.srtp_cs->policy_no = 7;
	m->hdr.srtp_cs->ssrc = 0xdeadbeef;

	mikey_tesla_params_default(&p);
	p.t_0 = 0xe875470080000000ull;
	p.t_int = 20;
	p.d = 4;
	p.n_c = 100000;
	for (int i = 0; i < 20; i++)
		p.commitment[i] = (uint8_t)i;
	cr_assert_eq(mikey_tesla_params_to_payloads(m, &p, 7), MIKEY_OK);
	cr_assert_eq(mikey_msg_build(m, &got, &got_len, NULL), MIKEY_OK);
	cr_assert_eq(got_len, want_len);
	cr_assert_arr_eq(got, want, want_len);
	mikey_buf_free(got, got_len);
	mikey_msg_free(m);
}

/* Round trip through bytes for several parameter sets, including a
 * later commitment (index != 0) and non-default lengths. */
Test(tesla_mikey, round_trip)
{
	static const struct {
		uint16_t n_f, n_m;
		uint32_t t_int, d, n_c, c;
	} cases[] = {
		{160, 80, 20, 4, 100000, 0},
		{80, 160, 1, 1, 1, 0},
		{128, 96, 0xffffffffu, 65535, 0xffffffffu, 0xfffffffeu},
		{160, 80, 1000, 2, 3600, 1234},
	};
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		mikey_tesla_params p, q;
		mikey_msg *m = mikey_msg_new(), *m2 = NULL;
		uint8_t *buf = NULL;
		size_t len = 0;
		mikey_error err;

		mikey_tesla_params_default(&p);
		p.n_f = cases[k].n_f;
		p.n_m = cases[k].n_m;
		p.t_0 = 0x0123456789abcdefull + k;
		p.t_int = cases[k].t_int;
		p.d = cases[k].d;
		p.n_c = cases[k].n_c;
		p.commit_index = cases[k].c;
		for (int i = 0; i < 20; i++)
			p.commitment[i] = (uint8_t)(0xc0 + i + k);
		m->hdr.version = 1;
		m->hdr.map_type = MIKEY_MAP_EMPTY;
		/* Another policy first: pairing by rank must skip non-TESLA SPs. */
		mikey_payload *srtp = mikey_msg_add_payload(m, &m->payloads, MIKEY_PT_SP);
		srtp->u.sp.policy_no = 1;
		srtp->u.sp.prot_type = MIKEY_PROT_SRTP;
		cr_assert_eq(mikey_tesla_params_to_payloads(m, &p, (uint8_t)(9 + k)), MIKEY_OK);
		cr_assert_eq(mikey_msg_build(m, &buf, &len, NULL), MIKEY_OK);
		cr_assert_eq(mikey_msg_parse(buf, len, NULL, &m2, &err), MIKEY_OK, "%s", err.message);
		cr_assert_eq(mikey_tesla_params_from_msg(m2, (uint8_t)(9 + k), &q, &err), MIKEY_OK, "case %zu: %s", k,
		             err.message);
		cr_assert_eq(memcmp(&p, &q, sizeof(p)), 0, "case %zu", k);
		/* The I-Key is 20 bytes for K_0 and 24 with an index. */
		const mikey_payload *ge = mikey_msg_find(m2, MIKEY_PT_GEN_EXT, 0);
		cr_assert_eq(ge->u.gen_ext.data.len, cases[k].c ? 24u : 20u);
		mikey_buf_free(buf, len);
		mikey_msg_free(m);
		mikey_msg_free(m2);
	}
}

/* Each row: SP params (hex, replacing SP_PARAMS) and the error expected. */
static void expect_sp_error(const char *params_hex, int want, const char *why)
{
	char spec[1024];
	uint8_t body[256];
	size_t n = hexspec(params_hex, body, sizeof(body));
	snprintf(spec, sizeof(spec), HDR "| 15 07 01 %04zx | %s |" IKEY, n, params_hex);
	mikey_msg *m = parse_hex(spec);
	mikey_tesla_params p;
	mikey_error err;
	int rc = mikey_tesla_params_from_msg(m, 7, &p, &err);
	cr_assert_eq(rc, want, "%s: got %s (%s)", why, mikey_error_name(rc), err.message);
	if (want == MIKEY_ERR_POLICY) {
		cr_assert_eq(err.code, MIKEY_ERR_POLICY);
		cr_assert_eq(err.payload_type, MIKEY_PT_SP, "%s", why);
		cr_assert_eq(err.payload_index, 1, "%s", why);
		cr_assert_neq(err.message[0], 0);
	}
	mikey_msg_free(m);
}

#define MAND "05 08 e8754700 80000000 | 06 04 00000014 | 07 02 0004 | 08 04 000186a0"

Test(tesla_mikey, strict_sp_parsing)
{
	/* Defaults for 1-4 when absent (RFC 4442 §4.2 -> RFC 4383 §6). */
	expect_sp_error(MAND, MIKEY_OK, "only mandatory params");
	/* Other widths of the integers are fine. */
	expect_sp_error("06 01 14 | 07 04 00000004 | 05 08 e8754700 80000000 | 08 08 00000000000186a0", MIKEY_OK,
	                "1-byte interval, 4-byte delay, 8-byte chain length, other order");
	expect_sp_error("01 01 01 |" MAND, MIKEY_ERR_POLICY, "PRF id 1 unknown");
	expect_sp_error("03 01 07 |" MAND, MIKEY_ERR_POLICY, "MAC id 7 unknown");
	expect_sp_error("02 01 54 |" MAND, MIKEY_ERR_POLICY, "84 bits: not whole bytes");
	expect_sp_error("02 01 48 |" MAND, MIKEY_ERR_POLICY, "72 bits: below 80 (RFC 4383 §7)");
	expect_sp_error("04 02 00a8 |" MAND, MIKEY_ERR_POLICY, "168-bit MAC: longer than HMAC-SHA1");
	expect_sp_error("04 00 |" MAND, MIKEY_ERR_POLICY, "empty value");
	expect_sp_error("04 09 000000000000000050 |" MAND, MIKEY_ERR_POLICY, "9-byte integer");
	expect_sp_error("0a 01 00 |" MAND, MIKEY_ERR_POLICY, "unknown type 10");
	expect_sp_error("00 01 00 |" MAND, MIKEY_ERR_POLICY, "type 0 is not assigned");
	expect_sp_error("02 01 a0 | 02 01 a0 |" MAND, MIKEY_ERR_POLICY, "duplicate");
	expect_sp_error("05 04 e8754700 | 06 04 00000014 | 07 02 0004 | 08 04 000186a0", MIKEY_ERR_POLICY,
	                "T_0 in 4 bytes (NTP-UTC needs 8)");
	expect_sp_error("06 04 00000014 | 07 02 0004 | 08 04 000186a0", MIKEY_ERR_POLICY, "T_0 missing");
	expect_sp_error("05 08 e8754700 80000000 | 07 02 0004 | 08 04 000186a0", MIKEY_ERR_POLICY,
	                "interval missing");
	expect_sp_error("05 08 e8754700 80000000 | 06 04 00000014 | 08 04 000186a0", MIKEY_ERR_POLICY,
	                "delay missing");
	expect_sp_error("05 08 e8754700 80000000 | 06 04 00000014 | 07 02 0004", MIKEY_ERR_POLICY,
	                "chain length missing");
	expect_sp_error("05 08 e8754700 80000000 | 06 04 00000000 | 07 02 0004 | 08 04 000186a0", MIKEY_ERR_POLICY,
	                "interval 0");
	expect_sp_error("05 08 e8754700 80000000 | 06 04 00000014 | 07 02 0000 | 08 04 000186a0", MIKEY_ERR_POLICY,
	                "delay 0");
	expect_sp_error("05 08 e8754700 80000000 | 06 04 00000014 | 07 02 0004 | 08 04 00000000", MIKEY_ERR_POLICY,
	                "chain length 0");
	expect_sp_error("05 08 e8754700 80000000 | 06 05 0100000000 | 07 02 0004 | 08 04 000186a0",
	                MIKEY_ERR_POLICY, "interval 2^32 ms does not fit");
	expect_sp_error("09 04 00000001 |" MAND, MIKEY_ERR_POLICY, "receiver timestamp in 4 bytes");
	expect_sp_error("09 08 0000000100000002 |" MAND, MIKEY_OK, "receiver timestamp is optional type 9");
}

Test(tesla_mikey, ikey_rules)
{
	mikey_tesla_params p;
	mikey_error err;
	mikey_msg *m;

	/* I-Key with an index: K_c || c (c = 0x00000102 = 258). */
	m = parse_hex(HDR "|" SP "| 00 02 0018 | 000102030405060708090a0b0c0d0e0f10111213 | 00000102");
	cr_assert_eq(mikey_tesla_params_from_msg(m, 7, &p, &err), MIKEY_OK, "%s", err.message);
	cr_assert_eq(p.commit_index, 258);
	mikey_msg_free(m);

	/* Index beyond the chain (100 000 = 0x186a0). */
	m = parse_hex(HDR "|" SP "| 00 02 0018 | 000102030405060708090a0b0c0d0e0f10111213 | 000186a0");
	cr_assert_eq(mikey_tesla_params_from_msg(m, 7, &p, &err), MIKEY_ERR_POLICY);
	cr_assert_eq(err.payload_type, MIKEY_PT_GEN_EXT);
	cr_assert_eq(err.payload_index, 2);
	mikey_msg_free(m);

	/* 21 bytes: neither form. */
	m = parse_hex(HDR "|" SP "| 00 02 0015 | 000102030405060708090a0b0c0d0e0f1011121314");
	cr_assert_eq(mikey_tesla_params_from_msg(m, 7, &p, &err), MIKEY_ERR_POLICY);
	mikey_msg_free(m);

	/* No I-Key at all (SP's next payload = Last). */
	m = parse_hex(HDR "| 00 07 01 0026 |" SP_PARAMS);
	cr_assert_eq(mikey_tesla_params_from_msg(m, 7, &p, &err), MIKEY_ERR_POLICY);
	mikey_msg_free(m);

	/* Two TESLA SPs, one I-Key: which one it commits is ambiguous. */
	m = parse_hex(HDR "| 0a 07 01 0026 |" SP_PARAMS "| 15 08 01 0026 |" SP_PARAMS "|" IKEY);
	cr_assert_eq(mikey_tesla_params_from_msg(m, 8, &p, &err), MIKEY_ERR_POLICY);
	mikey_msg_free(m);

	/* Two of each: the second I-Key belongs to the second TESLA SP. */
	m = parse_hex(HDR "| 0a 07 01 0026 |" SP_PARAMS "| 15 08 01 0026 |" SP_PARAMS
	                  "| 15 02 0014 | 000102030405060708090a0b0c0d0e0f10111213"
	                  "| 00 02 0014 | ffffffffffffffffffffffffffffffffffffff42");
	cr_assert_eq(mikey_tesla_params_from_msg(m, 8, &p, &err), MIKEY_OK, "%s", err.message);
	cr_assert_eq(p.commitment[19], 0x42);
	cr_assert_eq(mikey_tesla_params_from_msg(m, 7, &p, &err), MIKEY_OK, "%s", err.message);
	cr_assert_eq(p.commitment[19], 0x13);
	mikey_msg_free(m);

	/* An SRTP SP with the asked policy number is not a TESLA policy. */
	m = parse_hex(HDR "| 15 07 00 0003 | 00 01 01 |" IKEY);
	cr_assert_eq(mikey_tesla_params_from_msg(m, 7, &p, &err), MIKEY_ERR_NOT_FOUND);
	mikey_msg_free(m);
}

Test(tesla_mikey, builder_refuses_what_rfc4442_cannot_say)
{
	mikey_tesla_params p;
	mikey_msg *m = mikey_msg_new();

	mikey_tesla_params_default(&p);
	p.t_0 = 1;
	p.t_int = 20;
	p.d = 4;
	p.n_c = 10;
	p.n_p = 128; /* no SP parameter for n_p */
	cr_assert_eq(mikey_tesla_params_to_payloads(m, &p, 1), MIKEY_ERR_POLICY);
	p.n_p = 160;
	p.d = 70000; /* does not fit the 2-byte delay */
	cr_assert_eq(mikey_tesla_params_to_payloads(m, &p, 1), MIKEY_ERR_POLICY);
	p.d = 4;
	p.n_c = 0;
	cr_assert_eq(mikey_tesla_params_to_payloads(m, &p, 1), MIKEY_ERR_POLICY);
	cr_assert_eq(m->payloads.count, 0, "nothing appended on refusal");
	cr_assert_eq(mikey_tesla_params_to_payloads(NULL, &p, 1), MIKEY_ERR_ARG);
	mikey_msg_free(m);
}

Test(tesla_mikey, dt_compute)
{
	uint64_t d;
	const uint64_t T = 0xe875470000000000ull;

	/* Expected values computed with Python ints:
	 *   int(2.5 * 2**32) = 0x280000000, 2**32 // 10 = 0x19999999. */
	cr_assert_eq(mikey_tesla_dt_compute(T + 0x280000000ull, T, 0x19999999ull, &d), MIKEY_OK);
	cr_assert_eq(d, 0x299999999ull);
	/* Sender 2.5 s behind, S = 0.1 s: negative, raised to 0. */
	cr_assert_eq(mikey_tesla_dt_compute(T - 0x280000000ull, T, 0x19999999ull, &d), MIKEY_OK);
	cr_assert_eq(d, 0);
	/* Sender 0.05 s behind, S = 0.1 s: 0.05 s left. */
	cr_assert_eq(mikey_tesla_dt_compute(T - 0x0ccccccc, T, 0x19999999ull, &d), MIKEY_OK);
	cr_assert_eq(d, 0x0ccccccdull);
	/* Saturates. */
	cr_assert_eq(mikey_tesla_dt_compute(UINT64_MAX, 0, 5, &d), MIKEY_OK);
	cr_assert_eq(d, UINT64_MAX);
	cr_assert_eq(mikey_tesla_dt_compute(1, 2, 3, NULL), MIKEY_ERR_ARG);
}

/* RFC 4442 §4.3 alternative 2 end to end: the receiver sent t_r; the
 * sender's responder message carries T = t_s and echoes t_r in type 9. */
Test(tesla_mikey, dt_from_responder_message)
{
	const uint64_t t_r = 0xe875470000000000ull, t_s = t_r + 0x180000000ull; /* +1.5 s */
	mikey_tesla_params p;
	mikey_msg *m = mikey_msg_new(), *m2 = NULL;
	uint8_t *buf = NULL;
	size_t len = 0;
	uint64_t d = 7;
	mikey_error err;

	mikey_tesla_params_default(&p);
	p.t_0 = t_s;
	p.t_int = 20;
	p.d = 4;
	p.n_c = 10;
	m->hdr.version = 1;
	m->hdr.data_type = MIKEY_DT_PSK_RESP;
	m->hdr.map_type = MIKEY_MAP_EMPTY;
	mikey_payload *t = mikey_msg_add_payload(m, &m->payloads, MIKEY_PT_T);
	t->u.ts.ts_type = MIKEY_TS_NTP_UTC;
	t->u.ts.value = t_s;
	cr_assert_eq(mikey_tesla_params_to_payloads_echo(m, &p, 3, t_r), MIKEY_OK);
	cr_assert_eq(mikey_msg_build(m, &buf, &len, NULL), MIKEY_OK);
	cr_assert_eq(mikey_msg_parse(buf, len, NULL, &m2, &err), MIKEY_OK);

	/* S = 0.25 s = 0x40000000: D_t = 1.75 s = 0x1c0000000. */
	cr_assert_eq(mikey_tesla_dt_from_msg(m2, 3, t_r, 0x40000000ull, &d, &err), MIKEY_OK, "%s", err.message);
	cr_assert_eq(d, 0x1c0000000ull);
	/* A reply to someone else's request. */
	cr_assert_eq(mikey_tesla_dt_from_msg(m2, 3, t_r + 1, 0, &d, &err), MIKEY_ERR_TIMESTAMP);
	cr_assert_eq(mikey_tesla_dt_from_msg(m2, 4, t_r, 0, &d, &err), MIKEY_ERR_NOT_FOUND);
	/* The whole policy still reads (type 9 is allowed). */
	cr_assert_eq(mikey_tesla_params_from_msg(m2, 3, &p, &err), MIKEY_OK);
	mikey_buf_free(buf, len);
	mikey_msg_free(m2);

	/* Without parameter 9. */
	mikey_msg_free(m);
	m = mikey_msg_new();
	m->hdr.version = 1;
	m->hdr.map_type = MIKEY_MAP_EMPTY;
	t = mikey_msg_add_payload(m, &m->payloads, MIKEY_PT_T);
	t->u.ts.ts_type = MIKEY_TS_COUNTER;
	cr_assert_eq(mikey_tesla_params_to_payloads(m, &p, 3), MIKEY_OK);
	cr_assert_eq(mikey_tesla_dt_from_msg(m, 3, t_r, 0, &d, &err), MIKEY_ERR_TIMESTAMP, "COUNTER is no time");
	t->u.ts.ts_type = MIKEY_TS_NTP;
	cr_assert_eq(mikey_tesla_dt_from_msg(m, 3, t_r, 0, &d, &err), MIKEY_ERR_NOT_FOUND, "no type 9");
	mikey_msg_free(m);
}
