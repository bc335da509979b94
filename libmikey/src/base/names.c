/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * names.c - printable names of MIKEY registry values (mikey/names.h).
 *
 * Every string is copied from the first column of the RFC table that
 * registers the value, so that our output can be read next to the RFC.
 * Cross-references inside a name ("(See Appendix A)") are left out.
 * Values nobody registered give NULL; callers print the number then.
 */
#include "mikey/names.h"

#include <stdbool.h>
#include <stddef.h>

#include "mikey/error.h"

#define COUNT(t) (sizeof(t) / sizeof((t)[0]))

/* lookup returns tbl[v], or NULL when |v| is past the table or a hole. */
static const char *lookup(const char *const *tbl, size_t n, unsigned v)
{
	return v < n ? tbl[v] : NULL;
}

#define LOOKUP(tbl, v) lookup((tbl), COUNT(tbl), (v))

/* RFC 3830 Table 6.1.a, RFC 4650 §4.1, RFC 4738 §3.9.1 (RSA-R),
 * RFC 6043 Table 6.1 (MIKEY-TICKET), RFC 6509 §4.1 (SAKKE). */
static const char *const data_types[] = {
	[0] = "Pre-shared",
	[1] = "PSK ver msg",
	[2] = "Public key",
	[3] = "PK ver msg",
	[4] = "D-H init",
	[5] = "D-H resp",
	[6] = "Error",
	[7] = "DHHMAC init",
	[8] = "DHHMAC resp",
	[9] = "RSA-R I_MSG",
	[10] = "RSA-R R_MSG",
	[11] = "REQUEST_INIT_PSK",
	[12] = "REQUEST_INIT_PK",
	[13] = "REQUEST_RESP",
	[14] = "TRANSFER_INIT",
	[15] = "TRANSFER_RESP",
	[16] = "RESOLVE_INIT_PSK",
	[17] = "RESOLVE_INIT_PK",
	[18] = "RESOLVE_RESP",
	[26] = "SAKKE msg",
};

const char *mikey_data_type_name(uint8_t v)
{
	return LOOKUP(data_types, v);
}

/* RFC 3830 Table 6.1.b, RFC 6043 Table 6.2, RFC 6509 §4.1. */
static const char *const payload_types[] = {
	[0] = "Last payload",
	[1] = "KEMAC",
	[2] = "PKE",
	[3] = "DH",
	[4] = "SIGN",
	[5] = "T",
	[6] = "ID",
	[7] = "CERT",
	[8] = "CHASH",
	[9] = "V",
	[10] = "SP",
	[11] = "RAND",
	[12] = "ERR",
	[13] = "TR",
	[14] = "IDR",
	[15] = "RANDR",
	[16] = "TP",
	[17] = "TICKET",
	[20] = "Key data",
	[21] = "General Ext.",
	[26] = "SAKKE",
};

const char *mikey_payload_type_name(uint8_t v)
{
	return LOOKUP(payload_types, v);
}

/* RFC 3830 Table 6.1.c, RFC 6043 Table 6.3. */
static const char *const prfs[] = {
	[0] = "MIKEY-1",
	[1] = "PRF-HMAC-SHA-256",
};

const char *mikey_prf_name(uint8_t v)
{
	return LOOKUP(prfs, v);
}

/* RFC 3830 Table 6.1.d, RFC 4563 Table 3, RFC 6043 Table 6.4. */
static const char *const map_types[] = {
	[0] = "SRTP-ID",
	[1] = "Empty map",
	[2] = "GENERIC-ID",
};

const char *mikey_map_type_name(uint8_t v)
{
	return LOOKUP(map_types, v);
}

/* RFC 3830 Table 6.2.a, RFC 6043 Table 6.5. */
static const char *const encr_algs[] = {
	[0] = "NULL",
	[1] = "AES-CM-128",
	[2] = "AES-KW-128",
	[3] = "AES-CM-256",
};

const char *mikey_encr_alg_name(uint8_t v)
{
	return LOOKUP(encr_algs, v);
}

/* RFC 3830 Table 6.2.b, RFC 6043 Table 6.6. RFC 4650 Table 4.2.a numbers
 * these the other way round (0 = HMAC-SHA-1); the registry does not. */
static const char *const mac_algs[] = {
	[0] = "NULL",
	[1] = "HMAC-SHA-1-160",
	[2] = "HMAC-SHA-256-256",
};

const char *mikey_mac_alg_name(uint8_t v)
{
	return LOOKUP(mac_algs, v);
}

/* RFC 3830 Table 6.3. */
static const char *const pke_caches[] = {
	[0] = "No cache",
	[1] = "Cache",
	[2] = "Cache for CSB",
};

const char *mikey_pke_cache_name(uint8_t v)
{
	return LOOKUP(pke_caches, v);
}

/* RFC 3830 Table 6.4. */
static const char *const dh_groups[] = {
	[0] = "OAKLEY 5",
	[1] = "OAKLEY 1",
	[2] = "OAKLEY 2",
};

const char *mikey_dh_group_name(uint8_t v)
{
	return LOOKUP(dh_groups, v);
}

/* RFC 3830 Table 6.5, RFC 6509 Table 6. */
static const char *const sign_types[] = {
	[0] = "RSA/PKCS#1/1.5",
	[1] = "RSA/PSS",
	[2] = "ECCSI",
};

const char *mikey_sign_type_name(uint8_t v)
{
	return LOOKUP(sign_types, v);
}

/* RFC 3830 Table 6.6, RFC 6043 Table 6.8. */
static const char *const ts_types[] = {
	[0] = "NTP-UTC",
	[1] = "NTP",
	[2] = "COUNTER",
	[3] = "NTP-UTC-32",
};

const char *mikey_ts_type_name(uint8_t v)
{
	return LOOKUP(ts_types, v);
}

/* RFC 6043 Table 6.9. */
static const char *const ts_roles[] = {
	[1] = "Time of issue (TRi)",
	[2] = "Start of validity period (TRs)",
	[3] = "End of validity period (TRe)",
	[4] = "Rekeying interval (TRr)",
};

const char *mikey_ts_role_name(uint8_t v)
{
	return LOOKUP(ts_roles, v);
}

/* RFC 3830 Table 6.7.a, RFC 6043 Table 6.10. */
static const char *const id_types[] = {
	[0] = "NAI",
	[1] = "URI",
	[2] = "Byte string",
};

const char *mikey_id_type_name(uint8_t v)
{
	return LOOKUP(id_types, v);
}

/* RFC 6043 Table 6.11, RFC 6509 Table 7. */
static const char *const id_roles[] = {
	[1] = "Initiator (IDRi)",
	[2] = "Responder (IDRr)",
	[3] = "KMS (IDRkms)",
	[4] = "Pre-Shared Key (IDRpsk)",
	[5] = "Application (IDRapp)",
	[6] = "Initiator's KMS (IDRkmsi)",
	[7] = "Responder's KMS (IDRkmsr)",
};

const char *mikey_id_role_name(uint8_t v)
{
	return LOOKUP(id_roles, v);
}

/* RFC 3830 Table 6.7.b. */
static const char *const cert_types[] = {
	[0] = "X.509v3",
	[1] = "X.509v3 URL",
	[2] = "X.509v3 Sign",
	[3] = "X.509v3 Encr",
};

const char *mikey_cert_type_name(uint8_t v)
{
	return LOOKUP(cert_types, v);
}

/* RFC 3830 Table 6.8, RFC 6043 Table 6.12. */
static const char *const hash_funcs[] = {
	[0] = "SHA-1",
	[1] = "MD5",
	[2] = "SHA-256",
};

const char *mikey_hash_func_name(uint8_t v)
{
	return LOOKUP(hash_funcs, v);
}

/* RFC 3830 Table 6.10, RFC 4442 §4.1. */
static const char *const prot_types[] = {
	[0] = "SRTP",
	[1] = "TESLA",
};

const char *mikey_prot_type_name(uint8_t v)
{
	return LOOKUP(prot_types, v);
}

/* RFC 3830 Table 6.10.1.a, RFC 4771 §4 Tables 2 and 3, RFC 7714 §14.3;
 * "Meaning" column. */
static const char *const srtp_params[] = {
	[0] = "Encryption algorithm",
	[1] = "Session Encr. key length",
	[2] = "Authentication algorithm",
	[3] = "Session Auth. key length",
	[4] = "Session Salt key length",
	[5] = "SRTP Pseudo Random Function",
	[6] = "Key derivation rate",
	[7] = "SRTP encryption off/on",
	[8] = "SRTCP encryption off/on",
	[9] = "sender's FEC order",
	[10] = "SRTP authentication off/on",
	[11] = "Authentication tag length",
	[12] = "SRTP prefix length",
	[13] = "ROC transmission rate",
	[14] = "SRTP Auth. algorithm",
	[15] = "SRTCP Auth. algorithm",
	[16] = "SRTP Session Auth. key len",
	[17] = "SRTCP Session Auth. key len",
	[18] = "SRTP Authentication tag len",
	[19] = "SRTCP Authentication tag len",
	[20] = "AEAD authentication tag length",
};

/* RFC 4442 §4.2, "Meaning" column (type 0 is not assigned). */
static const char *const tesla_params[] = {
	[1] = "PRF identifier for f and f', realising F(x) and F'(x)",
	[2] = "Length of PRF f' output",
	[3] = "Identifier for the TESLA MAC",
	[4] = "Length of TESLA MAC output",
	[5] = "Start of session",
	[6] = "Interval duration (in msec)",
	[7] = "Key disclosure delay",
	[8] = "Key chain length (number of intervals)",
	[9] = "Local timestamp media receiver",
};

const char *mikey_sp_param_name(uint8_t prot_type, uint8_t param_type)
{
	switch (prot_type) {
	case 0: /* SRTP */
		return LOOKUP(srtp_params, param_type);
	case 1: /* TESLA */
		return LOOKUP(tesla_params, param_type);
	default:
		return NULL;
	}
}

/* RFC 3830 Table 6.10.1.b, RFC 7714 §14.3. */
static const char *const srtp_encrs[] = {
	[0] = "NULL",
	[1] = "AES-CM",
	[2] = "AES-F8",
	[6] = "AES-GCM",
};

const char *mikey_srtp_encr_name(uint8_t v)
{
	return LOOKUP(srtp_encrs, v);
}

/* RFC 3830 Table 6.10.1.c, RFC 4771 §4 Table 1. */
static const char *const srtp_auths[] = {
	[0] = "NULL",
	[1] = "HMAC-SHA-1",
	[2] = "RCCm1",
	[3] = "RCCm2",
	[4] = "RCCm3",
};

const char *mikey_srtp_auth_name(uint8_t v)
{
	return LOOKUP(srtp_auths, v);
}

/* RFC 3830 Table 6.10.1.d. */
static const char *const srtp_prfs[] = {
	[0] = "AES-CM",
};

const char *mikey_srtp_prf_name(uint8_t v)
{
	return LOOKUP(srtp_prfs, v);
}

/* RFC 3830 Table 6.10.1.e. */
static const char *const fec_orders[] = {
	[0] = "FEC-SRTP",
};

const char *mikey_fec_order_name(uint8_t v)
{
	return LOOKUP(fec_orders, v);
}

/* RFC 4442 §4.2: "TESLA PRF F(x), F'(x)" table. */
static const char *const tesla_prfs[] = {
	[0] = "HMAC-SHA1",
};

const char *mikey_tesla_prf_name(uint8_t v)
{
	return LOOKUP(tesla_prfs, v);
}

/* RFC 4442 §4.2: "TESLA MAC" table. */
static const char *const tesla_macs[] = {
	[0] = "HMAC-SHA1",
};

const char *mikey_tesla_mac_name(uint8_t v)
{
	return LOOKUP(tesla_macs, v);
}

/* RFC 3830 Table 6.12, RFC 4738 §3.9.2, RFC 6043 Table 6.14:
 * first column ... */
static const char *const err_nos[] = {
	[0] = "Auth failure",
	[1] = "Invalid TS",
	[2] = "Invalid PRF",
	[3] = "Invalid MAC",
	[4] = "Invalid EA",
	[5] = "Invalid HA",
	[6] = "Invalid DH",
	[7] = "Invalid ID",
	[8] = "Invalid Cert",
	[9] = "Invalid SP",
	[10] = "Invalid SPpar",
	[11] = "Invalid DT",
	[12] = "Unspecified error",
	[13] = "Unsupported message type",
	[14] = "Invalid TICKET",
	[15] = "Invalid TPpar",
};

/* ... and its comment column. */
static const char *const err_descriptions[] = {
	[0] = "Authentication failure",
	[1] = "Invalid timestamp",
	[2] = "PRF function not supported",
	[3] = "MAC algorithm not supported",
	[4] = "Encryption algorithm not supported",
	[5] = "Hash function not supported",
	[6] = "DH group not supported",
	[7] = "ID not supported",
	[8] = "Certificate not supported",
	[9] = "SP type not supported",
	[10] = "SP parameters not supported",
	[11] = "not supported Data type",
	[12] = "an unspecified error occurred",
	[13] = "unparseable MIKEY message",
	[14] = "Ticket Type not supported",
	[15] = "TP parameters not supported",
};

const char *mikey_err_no_name(uint8_t v)
{
	return LOOKUP(err_nos, v);
}

const char *mikey_err_no_description(uint8_t v)
{
	return LOOKUP(err_descriptions, v);
}

/* RFC 3830 Table 6.13.a, RFC 6043 Table 6.7. */
static const char *const key_types[] = {
	[0] = "TGK",
	[1] = "TGK+SALT",
	[2] = "TEK",
	[3] = "TEK+SALT",
	[4] = "GTGK",
	[5] = "GTGK+SALT",
	[6] = "MPK",
};

const char *mikey_key_type_name(uint8_t v)
{
	return LOOKUP(key_types, v);
}

/* RFC 3830 Table 6.13.b. */
static const char *const kv_types[] = {
	[0] = "Null",
	[1] = "SPI",
	[2] = "Interval",
};

const char *mikey_kv_type_name(uint8_t v)
{
	return LOOKUP(kv_types, v);
}

/* RFC 3830 Table 6.15, RFC 4442 §4.4, RFC 4563 Table 1, RFC 4738 §3.9.3,
 * RFC 5410 §3. */
static const char *const gen_ext_types[] = {
	[0] = "Vendor ID",
	[1] = "SDP IDs",
	[2] = "TESLA I-Key",
	[3] = "Key ID",
	[4] = "CSB_ID",
	[5] = "OMA BCAST",
};

const char *mikey_gen_ext_type_name(uint8_t v)
{
	return LOOKUP(gen_ext_types, v);
}

/* RFC 4563 Table 2. */
static const char *const key_id_types[] = {
	[0] = "MBMS Key Domain ID",
	[1] = "MBMS Service Key ID",
	[2] = "MBMS Traffic Key ID",
};

const char *mikey_key_id_type_name(uint8_t v)
{
	return LOOKUP(key_id_types, v);
}

/* RFC 6043 Table 6.13. */
static const char *const rand_roles[] = {
	[1] = "Initiator (RANDRi)",
	[2] = "Responder (RANDRr)",
	[3] = "KMS (RANDRkms)",
};

const char *mikey_rand_role_name(uint8_t v)
{
	return LOOKUP(rand_roles, v);
}

/* RFC 6043 Table 6.15. */
static const char *const ticket_types[] = {
	[1] = "MIKEY Base Ticket",
	[2] = "3GPP Base Ticket",
};

const char *mikey_ticket_type_name(uint16_t v)
{
	return LOOKUP(ticket_types, v);
}

/* RFC 6509 Table 4. */
static const char *const sakke_params[] = {
	[1] = "Parameter Set 1",
};

const char *mikey_sakke_params_name(uint8_t v)
{
	return LOOKUP(sakke_params, v);
}

/* RFC 6509 Table 5. */
static const char *const sakke_id_schemes[] = {
	[1] = "tel URI with monthly keys",
};

const char *mikey_sakke_id_scheme_name(uint8_t v)
{
	return LOOKUP(sakke_id_schemes, v);
}

/* ---- names to values (configuration files, element properties) ---- */

/* name_eq compares case-insensitively, treating '-', '_' and ' ' as one
 * character, so "hmac_sha_1_160" finds "HMAC-SHA-1-160". */
static bool name_eq(const char *a, const char *b)
{
	for (;; a++, b++) {
		unsigned char x = (unsigned char)*a, y = (unsigned char)*b;
		if (x == '_' || x == ' ')
			x = '-';
		if (y == '_' || y == ' ')
			y = '-';
		if (x >= 'A' && x <= 'Z')
			x = (unsigned char)(x - 'A' + 'a');
		if (y >= 'A' && y <= 'Z')
			y = (unsigned char)(y - 'A' + 'a');
		if (x != y)
			return false;
		if (x == '\0')
			return true;
	}
}

/* parse finds |name| in |tbl| (holes skipped) and stores its index. */
static int parse(const char *const *tbl, size_t n, const char *name, uint8_t *out)
{
	size_t v;

	if (name == NULL || out == NULL)
		return MIKEY_ERR_ARG;
	for (v = 0; v < n && v <= UINT8_MAX; v++) {
		if (tbl[v] != NULL && name_eq(name, tbl[v])) {
			*out = (uint8_t)v;
			return MIKEY_OK;
		}
	}
	return MIKEY_ERR_NOT_FOUND;
}

#define PARSE(tbl, name, out) parse((tbl), COUNT(tbl), (name), (out))

int mikey_names_parse_prf(const char *name, uint8_t *out)
{
	return PARSE(prfs, name, out);
}

int mikey_names_parse_encr_alg(const char *name, uint8_t *out)
{
	return PARSE(encr_algs, name, out);
}

int mikey_names_parse_mac_alg(const char *name, uint8_t *out)
{
	return PARSE(mac_algs, name, out);
}

int mikey_names_parse_dh_group(const char *name, uint8_t *out)
{
	return PARSE(dh_groups, name, out);
}

int mikey_names_parse_sign_type(const char *name, uint8_t *out)
{
	return PARSE(sign_types, name, out);
}

int mikey_names_parse_hash_func(const char *name, uint8_t *out)
{
	return PARSE(hash_funcs, name, out);
}

int mikey_names_parse_srtp_encr(const char *name, uint8_t *out)
{
	return PARSE(srtp_encrs, name, out);
}

int mikey_names_parse_srtp_auth(const char *name, uint8_t *out)
{
	return PARSE(srtp_auths, name, out);
}

int mikey_names_parse_srtp_prf(const char *name, uint8_t *out)
{
	return PARSE(srtp_prfs, name, out);
}

/* Key exchange modes, spelled as mikey-tool's --mode spells them. */
static const struct {
	const char *name;
	mikey_mode mode;
} modes[] = {
	{"psk", MIKEY_MODE_PSK},       {"pk", MIKEY_MODE_PK},     {"dh", MIKEY_MODE_DH_SIGN},
	{"dhhmac", MIKEY_MODE_DHHMAC}, {"rsar", MIKEY_MODE_RSAR},
};

const char *mikey_names_mode_name(mikey_mode mode)
{
	for (size_t k = 0; k < COUNT(modes); k++)
		if (modes[k].mode == mode)
			return modes[k].name;
	return NULL;
}

int mikey_names_parse_mode(const char *name, mikey_mode *out)
{
	if (name == NULL || out == NULL)
		return MIKEY_ERR_ARG;
	for (size_t k = 0; k < COUNT(modes); k++) {
		if (name_eq(name, modes[k].name)) {
			*out = modes[k].mode;
			return MIKEY_OK;
		}
	}
	return MIKEY_ERR_NOT_FOUND;
}

/* SRTP ciphers as GStreamer's srtpenc "rtp-cipher" (GstSrtpCipherType
 * nicks, 1.22) and libsrtp2 name them: the fields of the policy they set. */
static const struct {
	const char *name;
	uint8_t encr_alg;
	uint32_t key_len, salt_len, aead_tag_len;
	bool encr;
} ciphers[] = {
	{"null", MIKEY_SRTP_ENCR_NULL, 16, 14, 16, false},
	{"aes-128-icm", MIKEY_SRTP_ENCR_AES_CM, 16, 14, 16, true},
	{"aes-256-icm", MIKEY_SRTP_ENCR_AES_CM, 32, 14, 16, true},
	{"aes-128-gcm", MIKEY_SRTP_ENCR_AES_GCM, 16, 12, 16, true}, /* RFC 7714 §8.1: 12-byte salt */
	{"aes-256-gcm", MIKEY_SRTP_ENCR_AES_GCM, 32, 12, 16, true},
};

/* SRTP authentication as srtpenc's "rtp-auth" (GstSrtpAuthType nicks). */
static const struct {
	const char *name;
	uint8_t auth_alg;
	uint32_t key_len, tag_len;
} auths[] = {
	{"null", MIKEY_SRTP_AUTH_NULL, 0, 0},
	{"hmac-sha1-32", MIKEY_SRTP_AUTH_HMAC_SHA1, 20, 4},
	{"hmac-sha1-80", MIKEY_SRTP_AUTH_HMAC_SHA1, 20, 10},
};

/* Crypto-suites of RFC 4568 §6.2 (SDES), RFC 6188 §7 (192/256-bit AES-CM)
 * and RFC 7714 §14.2 (AES-GCM), as cipher + auth of the tables above. */
static const struct {
	const char *name;
	const char *cipher, *auth;
	uint8_t encr_alg; /* AES-F8 has no srtpenc nick */
	uint32_t key_len;
} suites[] = {
	{"AES_CM_128_HMAC_SHA1_80", "aes-128-icm", "hmac-sha1-80", MIKEY_SRTP_ENCR_AES_CM, 16},
	{"AES_CM_128_HMAC_SHA1_32", "aes-128-icm", "hmac-sha1-32", MIKEY_SRTP_ENCR_AES_CM, 16},
	{"F8_128_HMAC_SHA1_80", "aes-128-icm", "hmac-sha1-80", MIKEY_SRTP_ENCR_AES_F8, 16},
	{"AES_192_CM_HMAC_SHA1_80", "aes-128-icm", "hmac-sha1-80", MIKEY_SRTP_ENCR_AES_CM, 24},
	{"AES_192_CM_HMAC_SHA1_32", "aes-128-icm", "hmac-sha1-32", MIKEY_SRTP_ENCR_AES_CM, 24},
	{"AES_256_CM_HMAC_SHA1_80", "aes-256-icm", "hmac-sha1-80", MIKEY_SRTP_ENCR_AES_CM, 32},
	{"AES_256_CM_HMAC_SHA1_32", "aes-256-icm", "hmac-sha1-32", MIKEY_SRTP_ENCR_AES_CM, 32},
	{"AEAD_AES_128_GCM", "aes-128-gcm", "null", MIKEY_SRTP_ENCR_AES_GCM, 16},
	{"AEAD_AES_256_GCM", "aes-256-gcm", "null", MIKEY_SRTP_ENCR_AES_GCM, 32},
};

static int find_cipher(const char *name)
{
	for (size_t k = 0; k < COUNT(ciphers); k++)
		if (name_eq(name, ciphers[k].name))
			return (int)k;
	return -1;
}

static int find_auth(const char *name)
{
	for (size_t k = 0; k < COUNT(auths); k++)
		if (name_eq(name, auths[k].name))
			return (int)k;
	return -1;
}

static void apply_cipher(mikey_srtp_policy *p, int c)
{
	p->encr_alg = ciphers[c].encr_alg;
	p->encr_key_len = ciphers[c].key_len;
	p->salt_key_len = ciphers[c].salt_len;
	p->aead_tag_len = ciphers[c].aead_tag_len;
	p->srtp_encr = p->srtcp_encr = ciphers[c].encr;
}

static void apply_auth(mikey_srtp_policy *p, int a)
{
	p->auth_alg = auths[a].auth_alg;
	p->auth_key_len = auths[a].key_len;
	p->auth_tag_len = auths[a].tag_len;
	p->srtp_auth = auths[a].auth_alg != MIKEY_SRTP_AUTH_NULL;
}

int mikey_names_parse_srtp_cipher(const char *name, mikey_srtp_policy *p)
{
	int c;

	if (name == NULL || p == NULL)
		return MIKEY_ERR_ARG;
	c = find_cipher(name);
	if (c < 0)
		return MIKEY_ERR_NOT_FOUND;
	apply_cipher(p, c);
	return MIKEY_OK;
}

int mikey_names_parse_srtp_auth_profile(const char *name, mikey_srtp_policy *p)
{
	int a;

	if (name == NULL || p == NULL)
		return MIKEY_ERR_ARG;
	a = find_auth(name);
	if (a < 0)
		return MIKEY_ERR_NOT_FOUND;
	apply_auth(p, a);
	return MIKEY_OK;
}

int mikey_names_parse_srtp_profile(const char *name, mikey_srtp_policy *p)
{
	mikey_srtp_policy q;

	if (name == NULL || p == NULL)
		return MIKEY_ERR_ARG;
	for (size_t k = 0; k < COUNT(suites); k++) {
		if (!name_eq(name, suites[k].name))
			continue;
		q = *p; /* all or nothing */
		apply_cipher(&q, find_cipher(suites[k].cipher));
		apply_auth(&q, find_auth(suites[k].auth));
		q.encr_alg = suites[k].encr_alg;
		q.encr_key_len = suites[k].key_len;
		if (q.encr_alg == MIKEY_SRTP_ENCR_AES_GCM)
			q.auth_tag_len = 0; /* RFC 7714 §8.2: the AEAD tag is in the ciphertext */
		*p = q;
		return MIKEY_OK;
	}
	return MIKEY_ERR_NOT_FOUND;
}

const char *mikey_names_srtp_cipher_name(const mikey_srtp_policy *p)
{
	if (p == NULL)
		return NULL;
	for (size_t k = 0; k < COUNT(ciphers); k++) {
		if (p->encr_alg != ciphers[k].encr_alg || p->salt_key_len != ciphers[k].salt_len)
			continue;
		if (p->encr_alg == MIKEY_SRTP_ENCR_NULL || p->encr_key_len == ciphers[k].key_len)
			return ciphers[k].name;
	}
	return NULL;
}

const char *mikey_names_srtp_auth_profile_name(const mikey_srtp_policy *p)
{
	if (p == NULL)
		return NULL;
	if (p->auth_alg == MIKEY_SRTP_AUTH_NULL || p->encr_alg == MIKEY_SRTP_ENCR_AES_GCM)
		return "null";
	for (size_t k = 0; k < COUNT(auths); k++)
		if (p->auth_alg == auths[k].auth_alg && p->auth_key_len == auths[k].key_len &&
		    p->auth_tag_len == auths[k].tag_len)
			return auths[k].name;
	return NULL;
}

const char *mikey_names_srtp_profile_name(const mikey_srtp_policy *p)
{
	if (p == NULL)
		return NULL;
	for (size_t k = 0; k < COUNT(suites); k++) {
		mikey_srtp_policy q = *p;
		if (mikey_names_parse_srtp_profile(suites[k].name, &q) != MIKEY_OK)
			continue;
		if (q.encr_alg == p->encr_alg && q.encr_key_len == p->encr_key_len && q.salt_key_len == p->salt_key_len &&
		    q.auth_alg == p->auth_alg && q.auth_tag_len == p->auth_tag_len &&
		    (p->encr_alg == MIKEY_SRTP_ENCR_AES_GCM ? q.aead_tag_len == p->aead_tag_len
		                                             : q.auth_key_len == p->auth_key_len))
			return suites[k].name;
	}
	return NULL;
}
