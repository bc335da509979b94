/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_names.c - mikey/names.h: a name for every registered value of every
 * registry table, NULL for values nobody registered.
 *
 * The expected strings are not taken on trust: for every row that the RFC
 * prints on one line, the test finds that row ("name | value | comment")
 * in the RFC text under ../shared/rfc/ and fails if it is not there. The
 * few names the RFC wraps over two lines or follows with a cross-reference
 * are marked rfc = NULL and explained where they are listed.
 */
#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mikey/names.h"

#ifndef MIKEY_SHARED_DIR
#error "MIKEY_SHARED_DIR must point at the shared directory with rfc/"
#endif

typedef const char *(*name_fn)(uint8_t);

typedef struct row {
	unsigned value;
	const char *name;
	const char *rfc;      /* e.g. "3830": the RFC that prints this row, or NULL */
	bool value_first;     /* the row reads "value | name" (policy parameter tables) */
} row;

/* trim copies |s| (|n| bytes) without surrounding blanks into |out|. */
static void trim(const char *s, size_t n, char *out, size_t cap)
{
	while (n > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	if (n >= cap)
		n = cap - 1;
	memcpy(out, s, n);
	out[n] = '\0';
}

/* split_cells splits a table line at '|' into at most |max| trimmed cells. */
static int split_cells(const char *line, char cells[][128], int max)
{
	int n = 0;
	const char *p = line;

	while (n < max) {
		const char *bar = strchr(p, '|');
		size_t len = bar ? (size_t)(bar - p) : strlen(p);
		trim(p, len, cells[n++], 128);
		if (bar == NULL)
			break;
		p = bar + 1;
	}
	return n;
}

/* rfc_has_row tells whether rfc<num>.txt has a table line whose first two
 * cells are |name| and |value| (or |value| and |name|), and, when |third|
 * is not NULL, whose third cell is |third|. */
static bool rfc_has_row(const char *num, const char *name, unsigned value, bool value_first, const char *third)
{
	char path[512], line[512], cells[4][128], vbuf[16];
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "%s/rfc/rfc%s.txt", MIKEY_SHARED_DIR, num);
	snprintf(vbuf, sizeof(vbuf), "%u", value);
	f = fopen(path, "r");
	cr_assert_not_null(f, "cannot open %s", path);
	while (!found && fgets(line, sizeof(line), f) != NULL) {
		if (strchr(line, '|') == NULL)
			continue;
		int n = split_cells(line, cells, 4);
		if (n < 2)
			continue;
		const char *c_name = value_first ? cells[1] : cells[0];
		const char *c_val = value_first ? cells[0] : cells[1];
		if (strcmp(c_name, name) != 0 || strcmp(c_val, vbuf) != 0)
			continue;
		if (third != NULL && (n < 3 || strcmp(cells[2], third) != 0))
			continue;
		found = true;
	}
	fclose(f);
	return found;
}

/* check_table checks |fn| against |rows| and that every value not listed
 * (0..255) gives NULL. */
static void check_table(const char *what, name_fn fn, const row *rows, size_t n)
{
	bool listed[256] = {false};

	for (size_t i = 0; i < n; i++) {
		const char *got = fn((uint8_t)rows[i].value);
		listed[rows[i].value] = true;
		cr_assert_not_null(got, "%s(%u) is NULL, expected \"%s\"", what, rows[i].value, rows[i].name);
		cr_assert_str_eq(got, rows[i].name, "%s(%u)", what, rows[i].value);
		if (rows[i].rfc != NULL)
			cr_assert(rfc_has_row(rows[i].rfc, rows[i].name, rows[i].value, rows[i].value_first, NULL),
			          "RFC %s has no table row \"%s | %u\"", rows[i].rfc, rows[i].name, rows[i].value);
	}
	for (unsigned v = 0; v < 256; v++)
		if (!listed[v])
			cr_assert_null(fn((uint8_t)v), "%s(%u) should be unregistered, got \"%s\"", what, v, fn((uint8_t)v));
}

#define CHECK(fn, rows) check_table(#fn, fn, rows, sizeof(rows) / sizeof(rows[0]))

Test(names, data_type)
{
	static const row rows[] = {
		{0, "Pre-shared", "3830", false},   {1, "PSK ver msg", "3830", false},
		{2, "Public key", "3830", false},   {3, "PK ver msg", "3830", false},
		{4, "D-H init", "3830", false},     {5, "D-H resp", "3830", false},
		{6, "Error", "3830", false},        {7, "DHHMAC init", "4650", false},
		{8, "DHHMAC resp", "4650", false},  {9, "RSA-R I_MSG", "4738", false},
		{10, "RSA-R R_MSG", "4738", false}, {11, "REQUEST_INIT_PSK", "6043", false},
		{12, "REQUEST_INIT_PK", "6043", false}, {13, "REQUEST_RESP", "6043", false},
		{14, "TRANSFER_INIT", "6043", false},   {15, "TRANSFER_RESP", "6043", false},
		{16, "RESOLVE_INIT_PSK", "6043", false}, {17, "RESOLVE_INIT_PK", "6043", false},
		{18, "RESOLVE_RESP", "6043", false},     {26, "SAKKE msg", "6509", false},
	};
	CHECK(mikey_data_type_name, rows);
}

Test(names, payload_type)
{
	static const row rows[] = {
		{0, "Last payload", "3830", false}, {1, "KEMAC", "3830", false},  {2, "PKE", "3830", false},
		{3, "DH", "3830", false},           {4, "SIGN", "3830", false},   {5, "T", "3830", false},
		{6, "ID", "3830", false},           {7, "CERT", "3830", false},   {8, "CHASH", "3830", false},
		{9, "V", "3830", false},            {10, "SP", "3830", false},    {11, "RAND", "3830", false},
		{12, "ERR", "3830", false},         {13, "TR", "6043", false},    {14, "IDR", "6043", false},
		{15, "RANDR", "6043", false},       {16, "TP", "6043", false},    {17, "TICKET", "6043", false},
		{20, "Key data", "3830", false},    {21, "General Ext.", "3830", false},
		{26, "SAKKE", "6509", false},
	};
	CHECK(mikey_payload_type_name, rows);
}

Test(names, prf_map_encr_mac)
{
	static const row prf[] = {{0, "MIKEY-1", "3830", false}, {1, "PRF-HMAC-SHA-256", "6043", false}};
	static const row map[] = {
		{0, "SRTP-ID", "3830", false}, {1, "Empty map", "4563", false}, {2, "GENERIC-ID", "6043", false}};
	static const row encr[] = {{0, "NULL", "3830", false}, {1, "AES-CM-128", "3830", false},
	                           {2, "AES-KW-128", "3830", false}, {3, "AES-CM-256", "6043", false}};
	static const row mac[] = {{0, "NULL", "3830", false}, {1, "HMAC-SHA-1-160", "3830", false},
	                          {2, "HMAC-SHA-256-256", "6043", false}};
	CHECK(mikey_prf_name, prf);
	CHECK(mikey_map_type_name, map);
	CHECK(mikey_encr_alg_name, encr);
	CHECK(mikey_mac_alg_name, mac);
}

Test(names, pke_dh_sign_ts)
{
	static const row pke[] = {
		{0, "No cache", "3830", false}, {1, "Cache", "3830", false}, {2, "Cache for CSB", "3830", false}};
	static const row dh[] = {
		{0, "OAKLEY 5", "3830", false}, {1, "OAKLEY 1", "3830", false}, {2, "OAKLEY 2", "3830", false}};
	static const row sign[] = {
		{0, "RSA/PKCS#1/1.5", "3830", false}, {1, "RSA/PSS", "3830", false}, {2, "ECCSI", "6509", false}};
	static const row ts[] = {{0, "NTP-UTC", "3830", false}, {1, "NTP", "3830", false},
	                         {2, "COUNTER", "3830", false}, {3, "NTP-UTC-32", "6043", false}};
	static const row role[] = {{1, "Time of issue (TRi)", "6043", false},
	                           {2, "Start of validity period (TRs)", "6043", false},
	                           {3, "End of validity period (TRe)", "6043", false},
	                           {4, "Rekeying interval (TRr)", "6043", false}};
	CHECK(mikey_pke_cache_name, pke);
	CHECK(mikey_dh_group_name, dh);
	CHECK(mikey_sign_type_name, sign);
	CHECK(mikey_ts_type_name, ts);
	CHECK(mikey_ts_role_name, role);
}

Test(names, id_cert_hash)
{
	static const row id[] = {
		{0, "NAI", "3830", false}, {1, "URI", "3830", false}, {2, "Byte string", "6043", false}};
	static const row role[] = {
		{1, "Initiator (IDRi)", "6043", false},          {2, "Responder (IDRr)", "6043", false},
		{3, "KMS (IDRkms)", "6043", false},              {4, "Pre-Shared Key (IDRpsk)", "6043", false},
		{5, "Application (IDRapp)", "6043", false},      {6, "Initiator's KMS (IDRkmsi)", "6509", false},
		{7, "Responder's KMS (IDRkmsr)", "6509", false},
	};
	static const row cert[] = {{0, "X.509v3", "3830", false}, {1, "X.509v3 URL", "3830", false},
	                           {2, "X.509v3 Sign", "3830", false}, {3, "X.509v3 Encr", "3830", false}};
	static const row hash[] = {
		{0, "SHA-1", "3830", false}, {1, "MD5", "3830", false}, {2, "SHA-256", "6043", false}};
	CHECK(mikey_id_type_name, id);
	CHECK(mikey_id_role_name, role);
	CHECK(mikey_cert_type_name, cert);
	CHECK(mikey_hash_func_name, hash);
}

Test(names, sp_values)
{
	static const row prot[] = {{0, "SRTP", "3830", false}, {1, "TESLA", "4442", false}};
	static const row encr[] = {{0, "NULL", "3830", false}, {1, "AES-CM", "3830", false},
	                           {2, "AES-F8", "3830", false}, {6, "AES-GCM", "7714", false}};
	static const row auth[] = {{0, "NULL", "3830", false}, {1, "HMAC-SHA-1", "3830", false},
	                           {2, "RCCm1", "4771", false}, {3, "RCCm2", "4771", false},
	                           {4, "RCCm3", "4771", false}};
	static const row prf[] = {{0, "AES-CM", "3830", false}};
	static const row fec[] = {{0, "FEC-SRTP", "3830", false}};
	static const row tprf[] = {{0, "HMAC-SHA1", "4442", false}};
	static const row tmac[] = {{0, "HMAC-SHA1", "4442", false}};
	CHECK(mikey_prot_type_name, prot);
	CHECK(mikey_srtp_encr_name, encr);
	CHECK(mikey_srtp_auth_name, auth);
	CHECK(mikey_srtp_prf_name, prf);
	CHECK(mikey_fec_order_name, fec);
	CHECK(mikey_tesla_prf_name, tprf);
	CHECK(mikey_tesla_mac_name, tmac);
}

/* Adapters so the two-argument parameter lookup fits check_table. */
static const char *srtp_param(uint8_t v)
{
	return mikey_sp_param_name(0, v);
}

static const char *tesla_param(uint8_t v)
{
	return mikey_sp_param_name(1, v);
}

Test(names, sp_params)
{
	/* RFC 3830 Table 6.10.1.a reads "Type | Meaning | Possible values";
	 * so do its extensions. */
	static const row srtp[] = {
		{0, "Encryption algorithm", "3830", true},         {1, "Session Encr. key length", "3830", true},
		{2, "Authentication algorithm", "3830", true},     {3, "Session Auth. key length", "3830", true},
		{4, "Session Salt key length", "3830", true},      {5, "SRTP Pseudo Random Function", "3830", true},
		{6, "Key derivation rate", "3830", true},          {7, "SRTP encryption off/on", "3830", true},
		{8, "SRTCP encryption off/on", "3830", true},      {9, "sender's FEC order", "3830", true},
		{10, "SRTP authentication off/on", "3830", true},  {11, "Authentication tag length", "3830", true},
		{12, "SRTP prefix length", "3830", true},
		/* RFC 4771 §4 Tables 2 and 3, RFC 7714 §14.3 */
		{13, "ROC transmission rate", "4771", true},
		{14, "SRTP Auth. algorithm", "4771", true},
		{15, "SRTCP Auth. algorithm", "4771", true},
		{16, "SRTP Session Auth. key len", "4771", true},
		{17, "SRTCP Session Auth. key len", "4771", true},
		{18, "SRTP Authentication tag len", "4771", true},
		{19, "SRTCP Authentication tag len", "4771", true},
		{20, "AEAD authentication tag length", "7714", true},
	};
	/* RFC 4442 §4.2; the RFC wraps the meaning of type 1 over two lines
	 * ("PRF identifier for f and f', realising" / "F(x) and F'(x)"). */
	static const row tesla[] = {
		{1, "PRF identifier for f and f', realising F(x) and F'(x)", NULL, true},
		{2, "Length of PRF f' output", "4442", true},
		{3, "Identifier for the TESLA MAC", "4442", true},
		{4, "Length of TESLA MAC output", "4442", true},
		{5, "Start of session", "4442", true},
		{6, "Interval duration (in msec)", "4442", true},
		{7, "Key disclosure delay", "4442", true},
		{8, "Key chain length (number of intervals)", "4442", true},
		{9, "Local timestamp media receiver", "4442", true},
	};
	CHECK(srtp_param, srtp);
	CHECK(tesla_param, tesla);
	for (unsigned p = 2; p < 256; p++)
		for (unsigned t = 0; t < 256; t++)
			cr_assert_null(mikey_sp_param_name((uint8_t)p, (uint8_t)t), "prot %u type %u", p, t);
}

Test(names, err_no)
{
	/* 13 is wrapped in RFC 4738 §3.9.2 ("Unsupported" / "message type"). */
	static const row names[] = {
		{0, "Auth failure", "3830", false},    {1, "Invalid TS", "3830", false},
		{2, "Invalid PRF", "3830", false},     {3, "Invalid MAC", "3830", false},
		{4, "Invalid EA", "3830", false},      {5, "Invalid HA", "3830", false},
		{6, "Invalid DH", "3830", false},      {7, "Invalid ID", "3830", false},
		{8, "Invalid Cert", "3830", false},    {9, "Invalid SP", "3830", false},
		{10, "Invalid SPpar", "3830", false},  {11, "Invalid DT", "3830", false},
		{12, "Unspecified error", "3830", false}, {13, "Unsupported message type", NULL, false},
		{14, "Invalid TICKET", "6043", false}, {15, "Invalid TPpar", "6043", false},
	};
	static const char *const desc[] = {
		"Authentication failure", "Invalid timestamp", "PRF function not supported",
		"MAC algorithm not supported", "Encryption algorithm not supported", "Hash function not supported",
		"DH group not supported", "ID not supported", "Certificate not supported", "SP type not supported",
		"SP parameters not supported", "not supported Data type", "an unspecified error occurred",
		"unparseable MIKEY message", "Ticket Type not supported", "TP parameters not supported",
	};
	CHECK(mikey_err_no_name, names);
	for (unsigned v = 0; v < 16; v++) {
		cr_assert_str_eq(mikey_err_no_description((uint8_t)v), desc[v], "description of %u", v);
		if (names[v].rfc != NULL)
			cr_assert(rfc_has_row(names[v].rfc, names[v].name, v, false, desc[v]),
			          "RFC %s has no row \"%s | %u | %s\"", names[v].rfc, names[v].name, v, desc[v]);
	}
	cr_assert(rfc_has_row("4738", "Unsupported", 13, false, NULL) == false); /* wrapped, see above */
	for (unsigned v = 16; v < 256; v++)
		cr_assert_null(mikey_err_no_description((uint8_t)v));
}

Test(names, key_data_kv)
{
	static const row key[] = {
		{0, "TGK", "3830", false},  {1, "TGK+SALT", "3830", false}, {2, "TEK", "3830", false},
		{3, "TEK+SALT", "3830", false}, {4, "GTGK", "6043", false}, {5, "GTGK+SALT", "6043", false},
		{6, "MPK", "6043", false},
	};
	static const row kv[] = {{0, "Null", "3830", false}, {1, "SPI", "3830", false}, {2, "Interval", "3830", false}};
	CHECK(mikey_key_type_name, key);
	CHECK(mikey_kv_type_name, kv);
}

Test(names, gen_ext_key_id_rand_role)
{
	static const row ext[] = {
		{0, "Vendor ID", "3830", false}, {1, "SDP IDs", "3830", false}, {2, "TESLA I-Key", "4442", false},
		{3, "Key ID", "4563", false},    {4, "CSB_ID", "4738", false},  {5, "OMA BCAST", "5410", false},
	};
	static const row keyid[] = {{0, "MBMS Key Domain ID", "4563", false},
	                            {1, "MBMS Service Key ID", "4563", false},
	                            {2, "MBMS Traffic Key ID", "4563", false}};
	static const row rand[] = {{1, "Initiator (RANDRi)", "6043", false},
	                           {2, "Responder (RANDRr)", "6043", false},
	                           {3, "KMS (RANDRkms)", "6043", false}};
	CHECK(mikey_gen_ext_type_name, ext);
	CHECK(mikey_key_id_type_name, keyid);
	CHECK(mikey_rand_role_name, rand);
}

Test(names, ticket_and_sakke)
{
	/* RFC 6509 Tables 4 and 5 follow each name with a cross-reference
	 * ("Parameter Set 1 (See Appendix A)"), which the name leaves out. */
	static const row params[] = {{1, "Parameter Set 1", NULL, false}};
	static const row scheme[] = {{1, "tel URI with monthly keys", NULL, false}};
	CHECK(mikey_sakke_params_name, params);
	CHECK(mikey_sakke_id_scheme_name, scheme);
	cr_assert(rfc_has_row("6509", "Parameter Set 1 (See Appendix A)", 1, false, NULL));
	cr_assert(rfc_has_row("6509", "tel URI with monthly keys (See Section 3.2)", 1, false, NULL));

	cr_assert_str_eq(mikey_ticket_type_name(1), "MIKEY Base Ticket");
	cr_assert_str_eq(mikey_ticket_type_name(2), "3GPP Base Ticket");
	cr_assert(rfc_has_row("6043", "MIKEY Base Ticket", 1, false, NULL));
	cr_assert(rfc_has_row("6043", "3GPP Base Ticket", 2, false, NULL));
	cr_assert_null(mikey_ticket_type_name(0));
	cr_assert_null(mikey_ticket_type_name(3));
	cr_assert_null(mikey_ticket_type_name(0x0101)); /* must not alias 1 */
	cr_assert_null(mikey_ticket_type_name(0xffff));
}

/* The checker itself must be able to say no. */
Test(names, rfc_row_checker_rejects)
{
	cr_assert(rfc_has_row("3830", "KEMAC", 1, false, NULL));
	cr_assert_not(rfc_has_row("3830", "KEMAC", 2, false, NULL));
	cr_assert_not(rfc_has_row("3830", "Kemac", 1, false, NULL));
}

/* ---- names to values ---- */

typedef int (*parse_fn)(const char *, uint8_t *);

/* Every registered value of |name| goes value -> name -> value, also in
 * lower case and with '_' for '-' and ' '; unregistered values give NULL. */
static void round_trip(const char *what, name_fn name, parse_fn parse, unsigned expect_count)
{
	unsigned seen = 0;

	for (unsigned v = 0; v <= 255; v++) {
		const char *n = name((uint8_t)v);
		char low[64];
		uint8_t back = 0xaa;

		if (n == NULL)
			continue;
		seen++;
		cr_assert_eq(parse(n, &back), MIKEY_OK, "%s %u \"%s\"", what, v, n);
		cr_assert_eq(back, v, "%s \"%s\" -> %u", what, n, back);
		cr_assert_lt(strlen(n), sizeof(low));
		size_t k;
		for (k = 0; n[k] != '\0'; k++) {
			char c = n[k];
			low[k] = (char)((c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : (c == '-' || c == ' ') ? '_' : c);
		}
		low[k] = '\0';
		back = 0xaa;
		cr_assert_eq(parse(low, &back), MIKEY_OK, "%s \"%s\"", what, low);
		cr_assert_eq(back, v);
	}
	cr_assert_eq(seen, expect_count, "%s: %u names", what, seen);
	uint8_t untouched = 0x5a;
	cr_assert_eq(parse("no-such-algorithm", &untouched), MIKEY_ERR_NOT_FOUND, "%s", what);
	cr_assert_eq(parse("", &untouched), MIKEY_ERR_NOT_FOUND, "%s", what);
	cr_assert_eq(untouched, 0x5a, "no change on failure");
	cr_assert_eq(parse(NULL, &untouched), MIKEY_ERR_ARG);
	cr_assert_eq(parse("NULL", NULL), MIKEY_ERR_ARG);
}

Test(names, registries_parse_back)
{
	round_trip("prf", mikey_prf_name, mikey_names_parse_prf, 2);
	round_trip("encr", mikey_encr_alg_name, mikey_names_parse_encr_alg, 4);
	round_trip("mac", mikey_mac_alg_name, mikey_names_parse_mac_alg, 3);
	round_trip("dh", mikey_dh_group_name, mikey_names_parse_dh_group, 3);
	round_trip("sign", mikey_sign_type_name, mikey_names_parse_sign_type, 3);
	round_trip("hash", mikey_hash_func_name, mikey_names_parse_hash_func, 3);
	round_trip("srtp encr", mikey_srtp_encr_name, mikey_names_parse_srtp_encr, 4);
	round_trip("srtp auth", mikey_srtp_auth_name, mikey_names_parse_srtp_auth, 5);
	round_trip("srtp prf", mikey_srtp_prf_name, mikey_names_parse_srtp_prf, 1);

	/* The registry's spelling, as a config file would write it. */
	uint8_t v = 0;
	cr_assert_eq(mikey_names_parse_mac_alg("hmac-sha-256-256", &v), MIKEY_OK);
	cr_assert_eq(v, MIKEY_MAC_HMAC_SHA256_256);
	cr_assert_eq(mikey_names_parse_dh_group("oakley_2", &v), MIKEY_OK);
	cr_assert_eq(v, MIKEY_DH_OAKLEY_2);
	cr_assert_eq(mikey_names_parse_sign_type("rsa/pss", &v), MIKEY_OK);
	cr_assert_eq(v, MIKEY_SIGN_RSA_PSS);
	cr_assert_eq(mikey_names_parse_encr_alg("AES-CM-128x", &v), MIKEY_ERR_NOT_FOUND, "no prefix match");
	cr_assert_eq(mikey_names_parse_encr_alg("AES-CM", &v), MIKEY_ERR_NOT_FOUND, "no prefix match");
	cr_assert_str_eq(mikey_error_name(MIKEY_ERR_NOT_FOUND), "MIKEY_ERR_NOT_FOUND");
}

Test(names, modes_as_mikey_tool_spells_them)
{
	static const struct {
		const char *name;
		mikey_mode mode;
	} rows[] = {{"psk", MIKEY_MODE_PSK},       {"pk", MIKEY_MODE_PK},     {"dh", MIKEY_MODE_DH_SIGN},
	            {"dhhmac", MIKEY_MODE_DHHMAC}, {"rsar", MIKEY_MODE_RSAR}};
	mikey_mode m;

	for (size_t k = 0; k < sizeof(rows) / sizeof(rows[0]); k++) {
		cr_assert_str_eq(mikey_names_mode_name(rows[k].mode), rows[k].name);
		m = (mikey_mode)0;
		cr_assert_eq(mikey_names_parse_mode(rows[k].name, &m), MIKEY_OK);
		cr_assert_eq(m, rows[k].mode);
	}
	cr_assert_eq(mikey_names_parse_mode("DHHMAC", &m), MIKEY_OK);
	cr_assert_eq(m, MIKEY_MODE_DHHMAC);
	m = MIKEY_MODE_PK;
	cr_assert_eq(mikey_names_parse_mode("dh-sign", &m), MIKEY_ERR_NOT_FOUND);
	cr_assert_eq(m, MIKEY_MODE_PK);
	cr_assert_eq(mikey_names_parse_mode(NULL, &m), MIKEY_ERR_ARG);
	cr_assert_null(mikey_names_mode_name((mikey_mode)0));
	cr_assert_null(mikey_names_mode_name((mikey_mode)6));
}

/* RFC 4568 §6.2.1-6.2.3, RFC 6188 §7, RFC 7714 §12/§14.2: master key,
 * master salt, auth tag (and AEAD tag) lengths in bytes. */
Test(names, srtp_profiles_rfc4568_and_rfc7714)
{
	static const struct {
		const char *name;
		uint8_t encr;
		uint32_t key, salt;
		uint8_t auth;
		uint32_t tag, aead_tag;
		const char *gst_cipher, *gst_auth; /* srtpenc nicks, NULL: none */
	} rows[] = {
		{"AES_CM_128_HMAC_SHA1_80", MIKEY_SRTP_ENCR_AES_CM, 16, 14, MIKEY_SRTP_AUTH_HMAC_SHA1, 10, 16, "aes-128-icm", "hmac-sha1-80"},
		{"AES_CM_128_HMAC_SHA1_32", MIKEY_SRTP_ENCR_AES_CM, 16, 14, MIKEY_SRTP_AUTH_HMAC_SHA1, 4, 16, "aes-128-icm", "hmac-sha1-32"},
		{"F8_128_HMAC_SHA1_80", MIKEY_SRTP_ENCR_AES_F8, 16, 14, MIKEY_SRTP_AUTH_HMAC_SHA1, 10, 16, NULL, "hmac-sha1-80"},
		{"AES_192_CM_HMAC_SHA1_80", MIKEY_SRTP_ENCR_AES_CM, 24, 14, MIKEY_SRTP_AUTH_HMAC_SHA1, 10, 16, NULL, "hmac-sha1-80"},
		{"AES_192_CM_HMAC_SHA1_32", MIKEY_SRTP_ENCR_AES_CM, 24, 14, MIKEY_SRTP_AUTH_HMAC_SHA1, 4, 16, NULL, "hmac-sha1-32"},
		{"AES_256_CM_HMAC_SHA1_80", MIKEY_SRTP_ENCR_AES_CM, 32, 14, MIKEY_SRTP_AUTH_HMAC_SHA1, 10, 16, "aes-256-icm", "hmac-sha1-80"},
		{"AES_256_CM_HMAC_SHA1_32", MIKEY_SRTP_ENCR_AES_CM, 32, 14, MIKEY_SRTP_AUTH_HMAC_SHA1, 4, 16, "aes-256-icm", "hmac-sha1-32"},
		{"AEAD_AES_128_GCM", MIKEY_SRTP_ENCR_AES_GCM, 16, 12, MIKEY_SRTP_AUTH_NULL, 0, 16, "aes-128-gcm", "null"},
		{"AEAD_AES_256_GCM", MIKEY_SRTP_ENCR_AES_GCM, 32, 12, MIKEY_SRTP_AUTH_NULL, 0, 16, "aes-256-gcm", "null"},
	};

	for (size_t k = 0; k < sizeof(rows) / sizeof(rows[0]); k++) {
		mikey_srtp_policy p, g;
		mikey_srtp_policy_default(&p);
		cr_assert_eq(mikey_names_parse_srtp_profile(rows[k].name, &p), MIKEY_OK, "%s", rows[k].name);
		cr_assert_eq(p.encr_alg, rows[k].encr, "%s", rows[k].name);
		cr_assert_eq(p.encr_key_len, rows[k].key, "%s", rows[k].name);
		cr_assert_eq(p.salt_key_len, rows[k].salt, "%s", rows[k].name);
		cr_assert_eq(p.auth_alg, rows[k].auth, "%s", rows[k].name);
		cr_assert_eq(p.auth_tag_len, rows[k].tag, "%s", rows[k].name);
		cr_assert_eq(p.aead_tag_len, rows[k].aead_tag, "%s", rows[k].name);
		cr_assert_eq(p.srtp_auth, rows[k].auth != MIKEY_SRTP_AUTH_NULL);
		cr_assert(p.srtp_encr && p.srtcp_encr);
		/* And back. */
		cr_assert_str_eq(mikey_names_srtp_profile_name(&p), rows[k].name);
		if (rows[k].gst_cipher != NULL)
			cr_assert_str_eq(mikey_names_srtp_cipher_name(&p), rows[k].gst_cipher, "%s", rows[k].name);
		else
			cr_assert_null(mikey_names_srtp_cipher_name(&p), "%s", rows[k].name);
		cr_assert_str_eq(mikey_names_srtp_auth_profile_name(&p), rows[k].gst_auth, "%s", rows[k].name);
		/* The srtpenc pair sets the same policy. */
		if (rows[k].gst_cipher != NULL) {
			mikey_srtp_policy_default(&g);
			cr_assert_eq(mikey_names_parse_srtp_cipher(rows[k].gst_cipher, &g), MIKEY_OK);
			cr_assert_eq(mikey_names_parse_srtp_auth_profile(rows[k].gst_auth, &g), MIKEY_OK);
			cr_assert_str_eq(mikey_names_srtp_profile_name(&g), rows[k].name);
		}
		/* Case-insensitive. */
		char low[40];
		size_t n;
		for (n = 0; rows[k].name[n] != '\0'; n++)
			low[n] = (char)(rows[k].name[n] >= 'A' && rows[k].name[n] <= 'Z' ? rows[k].name[n] - 'A' + 'a'
			                                                                 : rows[k].name[n]);
		low[n] = '\0';
		cr_assert_eq(mikey_names_parse_srtp_profile(low, &g), MIKEY_OK, "%s", low);
	}
	/* The default policy is AES_CM_128_HMAC_SHA1_80 (RFC 3711 §8.2). */
	mikey_srtp_policy d, before;
	mikey_srtp_policy_default(&d);
	cr_assert_str_eq(mikey_names_srtp_profile_name(&d), "AES_CM_128_HMAC_SHA1_80");
	cr_assert_str_eq(mikey_names_srtp_cipher_name(&d), "aes-128-icm");
	cr_assert_str_eq(mikey_names_srtp_auth_profile_name(&d), "hmac-sha1-80");
	/* srtpenc's null cipher and null auth. */
	cr_assert_eq(mikey_names_parse_srtp_cipher("null", &d), MIKEY_OK);
	cr_assert_eq(d.encr_alg, MIKEY_SRTP_ENCR_NULL);
	cr_assert_not(d.srtp_encr);
	cr_assert_str_eq(mikey_names_srtp_cipher_name(&d), "null");
	cr_assert_eq(mikey_names_parse_srtp_auth_profile("NULL", &d), MIKEY_OK);
	cr_assert_eq(d.auth_alg, MIKEY_SRTP_AUTH_NULL);
	cr_assert_not(d.srtp_auth);
	cr_assert_null(mikey_names_srtp_profile_name(&d), "no RFC 4568 name for NULL/NULL");
	/* Unknown names: named error, policy untouched. */
	mikey_srtp_policy_default(&d);
	before = d;
	cr_assert_eq(mikey_names_parse_srtp_profile("AES_CM_128_HMAC_SHA1_81", &d), MIKEY_ERR_NOT_FOUND);
	cr_assert_eq(mikey_names_parse_srtp_profile("aes-128-icm", &d), MIKEY_ERR_NOT_FOUND, "a cipher is not a suite");
	cr_assert_eq(mikey_names_parse_srtp_cipher("aes-192-icm", &d), MIKEY_ERR_NOT_FOUND);
	cr_assert_eq(mikey_names_parse_srtp_auth_profile("hmac-sha1-64", &d), MIKEY_ERR_NOT_FOUND);
	cr_assert_eq(memcmp(&d, &before, sizeof(d)), 0);
	cr_assert_eq(mikey_names_parse_srtp_profile(NULL, &d), MIKEY_ERR_ARG);
	cr_assert_eq(mikey_names_parse_srtp_profile("AEAD_AES_128_GCM", NULL), MIKEY_ERR_ARG);
	cr_assert_null(mikey_names_srtp_profile_name(NULL));
}
