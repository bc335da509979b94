/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * gen_corpus - writes a deterministic corpus of valid MIKEY messages, one
 * file "NNN-short-name.bin" per message, into the directory named by
 * argv[1].
 *
 * Only the public builder API of libmikey is used (mikey_msg_new,
 * mikey_msg_add_payload, mikey_msg_set_bytes, mikey_msg_alloc,
 * mikey_msg_build): the corpus says what a user of the library can
 * produce, and it feeds the interop comparisons (tshark, GStreamer) and the
 * samples/ folder.
 *
 * Every byte comes from fixed values or from pattern(): no clock, no RNG,
 * so two runs write identical files. Keys, signatures, certificates and
 * ciphertexts are placeholders of the right length, not real ones.
 *
 * Usage: gen_corpus OUTDIR
 * Exit status: 0 when every message was built and written, 1 otherwise.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "mikey/mikey.h"

/* Return the error of a failing libmikey call to the caller. Builders own
 * nothing but the message (whose arena owns everything else), so an early
 * return leaks nothing. */
#define TRY(expr)                                                                                                \
	do {                                                                                                     \
		int rc_ = (expr);                                                                                \
		if (rc_ != MIKEY_OK)                                                                             \
			return rc_;                                                                              \
	} while (0)

/* 2023-01-01T00:00:00.125Z as a 64-bit NTP timestamp (RFC 3830 §6.6:
 * seconds since 1900 in the high 32 bits, fraction in the low 32). */
#define NTP_2023 UINT64_C(0xE75B4B8020000000)

/* A recognisable, deterministic byte pattern that differs per |seed|. */
static void pattern(uint8_t *buf, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		buf[i] = (uint8_t)(seed + i * 0x1d);
}

/* Two self-signed X.509v3 certificates (ECDSA P-256), made once with
 * "openssl req -x509 -newkey ec" and kept as fixed bytes so that CERT
 * payloads carry real DER a certificate parser accepts (RFC 3830 §6.7). */
static const char cert_alice_hex[] =
	"308201a93082014ea003020102020101300a06082a8648ce3d0403023033311a301806035504030c11616c6963652e65"
	"78616d706c652e636f6d31153013060355040a0c0c6d696b657920636f72707573301e170d3236313132323036353633"
	"365a170d3336313131393036353633365a3033311a301806035504030c11616c6963652e6578616d706c652e636f6d31"
	"153013060355040a0c0c6d696b657920636f727075733059301306072a8648ce3d020106082a8648ce3d030107034200"
	"040d367af879a48bc4e40700c5915c822bab2f401277f894a99ae52a6d08a648333b978ede40d7a6bb2ddfb76d455414"
	"62b338957c3f696a69facde07624e08e12a3533051301d0603551d0e041604143140a358195400933421e2fc97f69734"
	"4c0c856b301f0603551d230418301680143140a358195400933421e2fc97f697344c0c856b300f0603551d130101ff04"
	"0530030101ff300a06082a8648ce3d0403020349003046022100f9b14e0f62a3b3bfbd85805a5a7b06eb9e34ea88e787"
	"e00111d4a278e0fbcbf7022100d6f555799dc85a8ca61fd6702e4db8be590a2fe5094536a22472d1907b65b03c";

static const char cert_bob_hex[] =
	"308201a33082014aa003020102020102300a06082a8648ce3d04030230313118301606035504030c0f626f622e657861"
	"6d706c652e6f726731153013060355040a0c0c6d696b657920636f72707573301e170d3236313132323036353633365a"
	"170d3336313131393036353633365a30313118301606035504030c0f626f622e6578616d706c652e6f72673115301306"
	"0355040a0c0c6d696b657920636f727075733059301306072a8648ce3d020106082a8648ce3d03010703420004f62c82"
	"3ebfd3f5116a0343774344e4919775d30da408430acf04853211a366d44633589dae0ddb0a88bcd3d41bb66cbcd66e0c"
	"5398509e4624af811abf7bcadfa3533051301d0603551d0e041604144367e005e4e3c1f33e335c21a33205653b1a825d"
	"301f0603551d230418301680144367e005e4e3c1f33e335c21a33205653b1a825d300f0603551d130101ff0405300301"
	"01ff300a06082a8648ce3d0403020347003044022052ef7962faa3176863e985a6c34d97fba5a6c0e6dcea0f887b0ede"
	"72ba6f92f30220608b0cf226420962775a7a67bcfb82f0aa6d2b391e4f9e381374b5e44255b075";

/* Points |dst| at |n| pattern bytes owned by |m|. n == 0 leaves |dst| empty. */
static int set_pat(mikey_msg *m, mikey_bytes *dst, size_t n, uint8_t seed)
{
	uint8_t *p;

	if (n == 0) {
		dst->data = NULL;
		dst->len = 0;
		return MIKEY_OK;
	}
	p = mikey_msg_alloc(m, n);
	if (p == NULL)
		return MIKEY_ERR_NOMEM;
	pattern(p, n, seed);
	dst->data = p;
	dst->len = n;
	return MIKEY_OK;
}

/* Copies the C string |s| (without its NUL) into |dst|. */
static int set_str(mikey_msg *m, mikey_bytes *dst, const char *s)
{
	return mikey_msg_set_bytes(m, dst, s, strlen(s));
}

static int set_hex(mikey_msg *m, mikey_bytes *dst, const char *hex)
{
	uint8_t buf[1024];
	size_t n = strlen(hex) / 2;

	if (n > sizeof(buf) || strlen(hex) % 2 != 0)
		return MIKEY_ERR_ARG;
	for (size_t i = 0; i < n; i++) {
		unsigned int v;
		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			return MIKEY_ERR_ARG;
		buf[i] = (uint8_t)v;
	}
	return mikey_msg_set_bytes(m, dst, buf, n);
}

static mikey_payload *add(mikey_msg *m, uint8_t type)
{
	return mikey_msg_add_payload(m, &m->payloads, type);
}

#define ADD(p, m, type)                                                                                          \
	do {                                                                                                     \
		(p) = add((m), (type));                                                                          \
		if ((p) == NULL)                                                                                 \
			return MIKEY_ERR_NOMEM;                                                                  \
	} while (0)

#define ADD_SUB(p, m, kemac, type)                                                                               \
	do {                                                                                                     \
		(p) = mikey_msg_add_payload((m), &(kemac)->sub, (type));                                         \
		if ((p) == NULL)                                                                                 \
			return MIKEY_ERR_NOMEM;                                                                  \
	} while (0)

/* ---- Common Header (RFC 3830 §6.1) ---- */

/* SRTP-ID map with |n| crypto sessions (RFC 3830 §6.1.1). */
static int hdr_srtp(mikey_msg *m, uint8_t data_type, uint32_t csb_id, uint8_t n)
{
	m->hdr.data_type = data_type;
	m->hdr.csb_id = csb_id;
	m->hdr.map_type = MIKEY_MAP_SRTP_ID;
	m->hdr.n_cs = n;
	if (n == 0)
		return MIKEY_OK;
	m->hdr.srtp_cs = mikey_msg_alloc(m, n * sizeof(*m->hdr.srtp_cs));
	if (m->hdr.srtp_cs == NULL)
		return MIKEY_ERR_NOMEM;
	for (uint8_t i = 0; i < n; i++) {
		m->hdr.srtp_cs[i].policy_no = i;
		m->hdr.srtp_cs[i].ssrc = 0xdeadbe00u + i;
		m->hdr.srtp_cs[i].roc = i == 0 ? 0 : 0x00010000u * i + i;
	}
	return MIKEY_OK;
}

/* ---- payload helpers ---- */

static int add_t(mikey_msg *m, uint8_t ts_type, uint64_t value)
{
	mikey_payload *p;

	ADD(p, m, MIKEY_PT_T);
	p->u.ts.ts_type = ts_type;
	p->u.ts.value = value;
	return MIKEY_OK;
}

static int add_t_default(mikey_msg *m)
{
	return add_t(m, MIKEY_TS_NTP_UTC, NTP_2023);
}

static int add_tr(mikey_msg *m, uint8_t role, uint8_t ts_type, uint64_t value)
{
	mikey_payload *p;

	ADD(p, m, MIKEY_PT_TR);
	p->u.ts.role = role;
	p->u.ts.ts_type = ts_type;
	p->u.ts.value = value;
	return MIKEY_OK;
}

static int add_rand(mikey_msg *m, size_t len, uint8_t seed)
{
	mikey_payload *p;

	ADD(p, m, MIKEY_PT_RAND);
	return set_pat(m, &p->u.rand.rand, len, seed);
}

static int add_randr(mikey_msg *m, uint8_t role, size_t len, uint8_t seed)
{
	mikey_payload *p;

	ADD(p, m, MIKEY_PT_RANDR);
	p->u.rand.role = role;
	return set_pat(m, &p->u.rand.rand, len, seed);
}

/* ID, CERT or IDR with a text value. */
static int add_id(mikey_msg *m, uint8_t pt, uint8_t role, uint8_t type, const char *text)
{
	mikey_payload *p;

	ADD(p, m, pt);
	p->u.id.role = role;
	p->u.id.type = type;
	return set_str(m, &p->u.id.data, text);
}

/* CERT carrying one of the fixed certificates (|bob| picks the second). */
static int add_cert(mikey_msg *m, uint8_t cert_type, bool bob)
{
	mikey_payload *p;

	ADD(p, m, MIKEY_PT_CERT);
	p->u.id.type = cert_type;
	return set_hex(m, &p->u.id.data, bob ? cert_bob_hex : cert_alice_hex);
}

static int add_sign(mikey_msg *m, uint8_t s_type, size_t len, uint8_t seed)
{
	mikey_payload *p;

	ADD(p, m, MIKEY_PT_SIGN);
	p->u.sign.s_type = s_type;
	return set_pat(m, &p->u.sign.sig, len, seed);
}

static int add_v(mikey_msg *m, uint8_t auth_alg, uint8_t seed)
{
	mikey_payload *p;
	int len = mikey_mac_len(auth_alg);

	if (len < 0)
		return MIKEY_ERR_ARG;
	ADD(p, m, MIKEY_PT_V);
	p->u.v.auth_alg = auth_alg;
	return set_pat(m, &p->u.v.ver_data, (size_t)len, seed);
}

static int add_err(mikey_msg *m, uint8_t err_no)
{
	mikey_payload *p;

	ADD(p, m, MIKEY_PT_ERR);
	p->u.err.err_no = err_no;
	return MIKEY_OK;
}

static int add_pke(mikey_msg *m, uint8_t cache, size_t len, uint8_t seed)
{
	mikey_payload *p;

	ADD(p, m, MIKEY_PT_PKE);
	p->u.pke.cache = cache;
	return set_pat(m, &p->u.pke.data, len, seed);
}

static int add_chash(mikey_msg *m, uint8_t hash_func, uint8_t seed)
{
	mikey_payload *p;
	int len = mikey_hash_len(hash_func);

	if (len < 0)
		return MIKEY_ERR_ARG;
	ADD(p, m, MIKEY_PT_CHASH);
	p->u.chash.hash_func = hash_func;
	return set_pat(m, &p->u.chash.hash, (size_t)len, seed);
}

static int set_kv(mikey_msg *m, mikey_kv *kv, uint8_t kv_type, uint8_t seed)
{
	kv->type = kv_type;
	switch (kv_type) {
	case MIKEY_KV_NULL:
		return MIKEY_OK;
	case MIKEY_KV_SPI:
		/* RFC 3830 §6.14: for SRTP the SPI is the MKI; 4 bytes here. */
		return set_pat(m, &kv->spi, 4, seed);
	case MIKEY_KV_INTERVAL:
		/* RFC 3830 §6.14: for SRTP, from/to are 48-bit SRTP indices. */
		TRY(set_hex(m, &kv->valid_from, "000000000000"));
		return set_hex(m, &kv->valid_to, "0000ffffffff");
	default:
		return MIKEY_ERR_ARG;
	}
}

static int add_dh(mikey_msg *m, uint8_t group, uint8_t kv_type, uint8_t seed)
{
	mikey_payload *p;
	int len = mikey_dh_value_len(group);

	if (len < 0)
		return MIKEY_ERR_ARG;
	ADD(p, m, MIKEY_PT_DH);
	p->u.dh.group = group;
	TRY(set_pat(m, &p->u.dh.value, (size_t)len, seed));
	return set_kv(m, &p->u.dh.kv, kv_type, (uint8_t)(seed + 1));
}

/* A Key data sub-payload (RFC 3830 §6.13) in |kemac|. The salt is written
 * only for the +SALT key types. */
static int add_key(mikey_msg *m, mikey_kemac *kemac, uint8_t key_type, size_t key_len, uint8_t kv_type, uint8_t seed)
{
	mikey_payload *p;
	bool salted = key_type == MIKEY_KEY_TGK_SALT || key_type == MIKEY_KEY_TEK_SALT ||
	              key_type == MIKEY_KEY_GTGK_SALT;

	ADD_SUB(p, m, kemac, MIKEY_PT_KEY_DATA);
	p->u.key_data.key_type = key_type;
	TRY(set_pat(m, &p->u.key_data.key, key_len, seed));
	if (salted)
		TRY(set_pat(m, &p->u.key_data.salt, 14, (uint8_t)(seed + 0x40)));
	return set_kv(m, &p->u.key_data.kv, kv_type, (uint8_t)(seed + 0x80));
}

static int add_kemac(mikey_msg *m, uint8_t encr_alg, uint8_t mac_alg, mikey_kemac **out)
{
	mikey_payload *p;
	int mac_len = mikey_mac_len(mac_alg);

	if (mac_len < 0)
		return MIKEY_ERR_ARG;
	ADD(p, m, MIKEY_PT_KEMAC);
	p->u.kemac.encr_alg = encr_alg;
	p->u.kemac.mac_alg = mac_alg;
	TRY(set_pat(m, &p->u.kemac.mac, (size_t)mac_len, 0xa0));
	*out = &p->u.kemac;
	return MIKEY_OK;
}

/* NULL-encrypted KEMAC with one key of |key_type| and |kv_type|. */
static int add_kemac_one(mikey_msg *m, uint8_t key_type, uint8_t kv_type, uint8_t mac_alg, uint8_t seed)
{
	mikey_kemac *k;

	TRY(add_kemac(m, MIKEY_ENCR_NULL, mac_alg, &k));
	return add_key(m, k, key_type, 16, kv_type, seed);
}

/* KEMAC whose Encr data is |len| opaque bytes (RFC 3830 §6.2: the codec
 * does not decrypt; the bytes stand for ciphertext). */
static int add_kemac_encrypted(mikey_msg *m, uint8_t encr_alg, uint8_t mac_alg, size_t len)
{
	mikey_kemac *k;

	TRY(add_kemac(m, encr_alg, mac_alg, &k));
	return set_pat(m, &k->encr_data, len, 0xc3);
}

/* SP parameters are given as (type, hex value) pairs. */
struct param {
	uint8_t type;
	const char *hex;
};

static int add_sp(mikey_msg *m, uint8_t policy_no, uint8_t prot_type, const struct param *params, size_t n)
{
	mikey_payload *p;
	mikey_sp *sp;

	ADD(p, m, MIKEY_PT_SP);
	sp = &p->u.sp;
	sp->policy_no = policy_no;
	sp->prot_type = prot_type;
	sp->n_params = n;
	if (n == 0)
		return MIKEY_OK;
	sp->params = mikey_msg_alloc(m, n * sizeof(*sp->params));
	if (sp->params == NULL)
		return MIKEY_ERR_NOMEM;
	for (size_t i = 0; i < n; i++) {
		mikey_bytes b = {0};
		TRY(set_hex(m, &b, params[i].hex));
		if (b.len > 255)
			return MIKEY_ERR_ARG;
		sp->params[i].type = params[i].type;
		sp->params[i].len = (uint8_t)b.len;
		sp->params[i].value = b.data;
	}
	return MIKEY_OK;
}

/* The usual SRTP policy: AES-CM-128, HMAC-SHA-1-80 (RFC 3711 defaults). */
static const struct param srtp_default[] = {
	{MIKEY_SRTP_ENCR_ALG, "01"},       {MIKEY_SRTP_ENCR_KEY_LEN, "10"}, {MIKEY_SRTP_AUTH_ALG, "01"},
	{MIKEY_SRTP_AUTH_KEY_LEN, "14"},   {MIKEY_SRTP_SALT_KEY_LEN, "0e"}, {MIKEY_SRTP_SRTP_ENCR, "01"},
	{MIKEY_SRTP_SRTCP_ENCR, "01"},     {MIKEY_SRTP_SRTP_AUTH, "01"},    {MIKEY_SRTP_AUTH_TAG_LEN, "0a"},
};
#define N_SRTP_DEFAULT (sizeof(srtp_default) / sizeof(srtp_default[0]))

static int add_sp_default(mikey_msg *m, uint8_t policy_no)
{
	return add_sp(m, policy_no, MIKEY_PROT_SRTP, srtp_default, N_SRTP_DEFAULT);
}

static int add_gen_ext(mikey_msg *m, uint8_t ext_type, const char *hex)
{
	mikey_payload *p;

	ADD(p, m, MIKEY_PT_GEN_EXT);
	p->u.gen_ext.ext_type = ext_type;
	return set_hex(m, &p->u.gen_ext.data, hex);
}

/* ---- the messages ---- */

/* HDR data type |dt| with T and RAND, the smallest common body. */
static int hdr_dt(mikey_msg *m, uint8_t dt)
{
	TRY(hdr_srtp(m, dt, 0x10000000u + dt, 1));
	TRY(add_t_default(m));
	return add_rand(m, 16, dt);
}

#define HDR_DT(n)                                                                                                \
	static int b_hdr_dt##n(mikey_msg *m)                                                                     \
	{                                                                                                        \
		return hdr_dt(m, n);                                                                             \
	}
HDR_DT(0)
HDR_DT(1)
HDR_DT(2)
HDR_DT(3)
HDR_DT(4)
HDR_DT(5)
HDR_DT(6)
HDR_DT(7)
HDR_DT(8)
HDR_DT(9)
HDR_DT(10)
HDR_DT(11)
HDR_DT(12)
HDR_DT(13)
HDR_DT(14)
HDR_DT(15)
HDR_DT(16)
HDR_DT(17)
HDR_DT(18)
HDR_DT(26)

/* RFC 3830 §6.1: V flag set asks for a verification message. */
static int b_hdr_v_flag(mikey_msg *m)
{
	TRY(hdr_srtp(m, MIKEY_DT_PSK_INIT, 0xcafe0001u, 1));
	m->hdr.v = true;
	TRY(add_t_default(m));
	return add_rand(m, 16, 0x31);
}

/* RFC 6043 Table 6.3: PRF HMAC-SHA-256. */
static int b_hdr_prf_sha256(mikey_msg *m)
{
	TRY(hdr_srtp(m, MIKEY_DT_PSK_INIT, 0xcafe0002u, 1));
	m->hdr.prf_func = MIKEY_PRF_HMAC_SHA_256;
	m->hdr.v = true;
	TRY(add_t_default(m));
	return add_rand(m, 16, 0x32);
}

/* RFC 3830 §6.1: #CS may be 0 (no crypto session yet). */
static int b_hdr_srtp_0cs(mikey_msg *m)
{
	TRY(hdr_srtp(m, MIKEY_DT_PSK_INIT, 0xcafe0003u, 0));
	TRY(add_t_default(m));
	return add_rand(m, 16, 0x33);
}

static int b_hdr_srtp_4cs(mikey_msg *m)
{
	TRY(hdr_srtp(m, MIKEY_DT_PSK_INIT, 0xcafe0004u, 4));
	TRY(add_t_default(m));
	TRY(add_rand(m, 16, 0x34));
	for (uint8_t i = 0; i < 4; i++)
		TRY(add_sp_default(m, i));
	return MIKEY_OK;
}

/* RFC 4563 §5: Empty map, policy conveyed outside MIKEY, so no SP. */
static int b_hdr_empty_map(mikey_msg *m)
{
	mikey_kemac *k;

	m->hdr.data_type = MIKEY_DT_PSK_INIT;
	m->hdr.csb_id = 0xcafe0005u;
	m->hdr.map_type = MIKEY_MAP_EMPTY;
	m->hdr.n_cs = 0;
	TRY(add_t_default(m));
	TRY(add_rand(m, 16, 0x35));
	TRY(add_kemac(m, MIKEY_ENCR_NULL, MIKEY_MAC_NULL, &k));
	return add_key(m, k, MIKEY_KEY_TGK, 16, MIKEY_KV_NULL, 0x35);
}

/* RFC 6043 §6.1.1: GENERIC-ID blocks. */
static int b_hdr_generic_id(mikey_msg *m)
{
	mikey_generic_cs *cs;

	m->hdr.data_type = MIKEY_DT_PSK_INIT;
	m->hdr.csb_id = 0xcafe0006u;
	m->hdr.map_type = MIKEY_MAP_GENERIC_ID;
	m->hdr.n_cs = 3;
	cs = mikey_msg_alloc(m, 3 * sizeof(*cs));
	if (cs == NULL)
		return MIKEY_ERR_NOMEM;
	m->hdr.generic_cs = cs;
	/* CS 1: two policies, session data SSRC+ROC+SEQ (S = 1), 4-byte SPI. */
	cs[0].cs_id = 1;
	cs[0].prot_type = MIKEY_PROT_SRTP;
	cs[0].s_flag = true;
	cs[0].n_policies = 2;
	cs[0].policies = mikey_msg_alloc(m, 2);
	if (cs[0].policies == NULL)
		return MIKEY_ERR_NOMEM;
	cs[0].policies[0] = 0;
	cs[0].policies[1] = 1;
	TRY(set_hex(m, &cs[0].session_data, "11223344" "00000001" "1234"));
	TRY(set_hex(m, &cs[0].spi, "a1a2a3a4"));
	/* CS 2: one policy, session data SSRC only (S = 0), no SPI. */
	cs[1].cs_id = 2;
	cs[1].prot_type = MIKEY_PROT_SRTP;
	cs[1].n_policies = 1;
	cs[1].policies = mikey_msg_alloc(m, 1);
	if (cs[1].policies == NULL)
		return MIKEY_ERR_NOMEM;
	cs[1].policies[0] = 1;
	TRY(set_hex(m, &cs[1].session_data, "55667788"));
	/* CS 3: #P = 0 and no session data (allowed in an initial message). */
	cs[2].cs_id = 3;
	cs[2].prot_type = MIKEY_PROT_SRTP;
	TRY(add_t_default(m));
	TRY(add_rand(m, 16, 0x36));
	TRY(add_sp_default(m, 0));
	return add_sp_default(m, 1);
}

/* GENERIC-ID in a response: #P = 1, SPI given, S flag set (RFC 6043 §6.1.1). */
static int b_hdr_generic_id_resp(mikey_msg *m)
{
	mikey_generic_cs *cs;

	m->hdr.data_type = MIKEY_DT_PSK_RESP;
	m->hdr.csb_id = 0xcafe0007u;
	m->hdr.map_type = MIKEY_MAP_GENERIC_ID;
	m->hdr.n_cs = 1;
	cs = mikey_msg_alloc(m, sizeof(*cs));
	if (cs == NULL)
		return MIKEY_ERR_NOMEM;
	m->hdr.generic_cs = cs;
	cs->cs_id = 7;
	cs->prot_type = MIKEY_PROT_SRTP;
	cs->s_flag = true;
	cs->n_policies = 1;
	cs->policies = mikey_msg_alloc(m, 1);
	if (cs->policies == NULL)
		return MIKEY_ERR_NOMEM;
	cs->policies[0] = 3;
	TRY(set_hex(m, &cs->session_data, "0badf00d" "00000000" "0001"));
	TRY(set_hex(m, &cs->spi, "00000001"));
	TRY(add_t_default(m));
	return add_v(m, MIKEY_MAC_HMAC_SHA256_256, 0x37);
}

/* KEMAC with NULL encryption and one key of each type (RFC 3830
 * Table 6.13.a, RFC 6043 Table 6.7), KV chosen to cover every KV type. */
static int psk_with_key(mikey_msg *m, uint8_t key_type, uint8_t kv_type, uint8_t seed)
{
	TRY(hdr_srtp(m, MIKEY_DT_PSK_INIT, 0xbeef0000u + seed, 1));
	TRY(add_t_default(m));
	TRY(add_rand(m, 16, seed));
	TRY(add_sp_default(m, 0));
	return add_kemac_one(m, key_type, kv_type, MIKEY_MAC_NULL, seed);
}

static int b_kemac_tgk(mikey_msg *m)
{
	return psk_with_key(m, MIKEY_KEY_TGK, MIKEY_KV_NULL, 0x40);
}
static int b_kemac_tgk_salt(mikey_msg *m)
{
	return psk_with_key(m, MIKEY_KEY_TGK_SALT, MIKEY_KV_SPI, 0x41);
}
static int b_kemac_tek(mikey_msg *m)
{
	return psk_with_key(m, MIKEY_KEY_TEK, MIKEY_KV_INTERVAL, 0x42);
}
static int b_kemac_tek_salt(mikey_msg *m)
{
	return psk_with_key(m, MIKEY_KEY_TEK_SALT, MIKEY_KV_NULL, 0x43);
}
static int b_kemac_gtgk(mikey_msg *m)
{
	return psk_with_key(m, MIKEY_KEY_GTGK, MIKEY_KV_SPI, 0x44);
}
static int b_kemac_gtgk_salt(mikey_msg *m)
{
	return psk_with_key(m, MIKEY_KEY_GTGK_SALT, MIKEY_KV_INTERVAL, 0x45);
}
static int b_kemac_mpk(mikey_msg *m)
{
	return psk_with_key(m, MIKEY_KEY_MPK, MIKEY_KV_SPI, 0x46);
}
static int b_kemac_kv_null(mikey_msg *m)
{
	return psk_with_key(m, MIKEY_KEY_TEK_SALT, MIKEY_KV_NULL, 0x47);
}
static int b_kemac_kv_spi(mikey_msg *m)
{
	return psk_with_key(m, MIKEY_KEY_TEK_SALT, MIKEY_KV_SPI, 0x48);
}
static int b_kemac_kv_interval(mikey_msg *m)
{
	return psk_with_key(m, MIKEY_KEY_TEK_SALT, MIKEY_KV_INTERVAL, 0x49);
}

/* Several Key data sub-payloads in one KEMAC (RFC 3830 §6.2). */
static int b_kemac_multi_key(mikey_msg *m)
{
	mikey_kemac *k;

	TRY(hdr_srtp(m, MIKEY_DT_PSK_INIT, 0xbeef0050u, 2));
	TRY(add_t_default(m));
	TRY(add_rand(m, 16, 0x50));
	TRY(add_sp_default(m, 0));
	TRY(add_sp_default(m, 1));
	TRY(add_kemac(m, MIKEY_ENCR_NULL, MIKEY_MAC_NULL, &k));
	TRY(add_key(m, k, MIKEY_KEY_TGK, 16, MIKEY_KV_SPI, 0x51));
	TRY(add_key(m, k, MIKEY_KEY_TEK_SALT, 16, MIKEY_KV_INTERVAL, 0x52));
	return add_key(m, k, MIKEY_KEY_TGK_SALT, 32, MIKEY_KV_NULL, 0x53);
}

/* NULL encryption with a MAC (HMAC-SHA-1-160 over the whole message,
 * RFC 3830 §6.2; the MAC bytes are placeholders). */
static int b_kemac_null_hmac_sha1(mikey_msg *m)
{
	TRY(hdr_srtp(m, MIKEY_DT_PSK_INIT, 0xbeef0054u, 1));
	TRY(add_t_default(m));
	TRY(add_rand(m, 16, 0x54));
	TRY(add_sp_default(m, 0));
	return add_kemac_one(m, MIKEY_KEY_TGK, MIKEY_KV_NULL, MIKEY_MAC_HMAC_SHA1_160, 0x54);
}

static int b_kemac_null_hmac_sha256(mikey_msg *m)
{
	TRY(hdr_srtp(m, MIKEY_DT_PSK_INIT, 0xbeef0055u, 1));
	m->hdr.prf_func = MIKEY_PRF_HMAC_SHA_256;
	TRY(add_t_default(m));
	TRY(add_rand(m, 16, 0x55));
	TRY(add_sp_default(m, 0));
	return add_kemac_one(m, MIKEY_KEY_TGK, MIKEY_KV_NULL, MIKEY_MAC_HMAC_SHA256_256, 0x55);
}

/* RFC 3830 §6.2: in the public-key method the KEMAC's Encr data starts
 * with IDi; with NULL encryption it is readable. */
static int b_kemac_pk_id_first(mikey_msg *m)
{
	mikey_kemac *k;
	mikey_payload *p;

	TRY(hdr_srtp(m, MIKEY_DT_PK_INIT, 0xbeef0056u, 1));
	TRY(add_t_default(m));
	TRY(add_rand(m, 16, 0x56));
	TRY(add_sp_default(m, 0));
	TRY(add_kemac(m, MIKEY_ENCR_NULL, MIKEY_MAC_HMAC_SHA1_160, &k));
	ADD_SUB(p, m, k, MIKEY_PT_ID);
	p->u.id.type = MIKEY_ID_URI;
	TRY(set_str(m, &p->u.id.data, "sip:alice@example.com"));
	TRY(add_key(m, k, MIKEY_KEY_TGK, 16, MIKEY_KV_NULL, 0x56));
	TRY(add_pke(m, MIKEY_PKE_NO_CACHE, 128, 0x57));
	return add_sign(m, MIKEY_SIGN_RSA_PKCS1_15, 128, 0x58);
}

static int b_kemac_aes_cm_128(mikey_msg *m)
{
	TRY(hdr_srtp(m, MIKEY_DT_PSK_INIT, 0xbeef0060u, 1));
	TRY(add_t_default(m));
	TRY(add_rand(m, 16, 0x60));
	TRY(add_sp_default(m, 0));
	return add_kemac_encrypted(m, MIKEY_ENCR_AES_CM_128, MIKEY_MAC_HMAC_SHA1_160, 20);
}

static int b_kemac_aes_kw_128(mikey_msg *m)
{
	TRY(hdr_srtp(m, MIKEY_DT_PSK_INIT, 0xbeef0061u, 1));
	TRY(add_t_default(m));
	TRY(add_rand(m, 16, 0x61));
	TRY(add_sp_default(m, 0));
	/* RFC 3394 key wrap output is a multiple of 8 bytes, one block longer. */
	return add_kemac_encrypted(m, MIKEY_ENCR_AES_KW_128, MIKEY_MAC_NULL, 40);
}

static int b_kemac_aes_cm_256(mikey_msg *m)
{
	TRY(hdr_srtp(m, MIKEY_DT_PSK_INIT, 0xbeef0062u, 1));
	m->hdr.prf_func = MIKEY_PRF_HMAC_SHA_256;
	TRY(add_t_default(m));
	TRY(add_rand(m, 16, 0x62));
	TRY(add_sp_default(m, 0));
	return add_kemac_encrypted(m, MIKEY_ENCR_AES_CM_256, MIKEY_MAC_HMAC_SHA256_256, 52);
}

/* PKE with each C value (RFC 3830 Table 6.3). */
static int pk_with_pke(mikey_msg *m, uint8_t cache, uint8_t seed)
{
	TRY(hdr_srtp(m, MIKEY_DT_PK_INIT, 0xfeed0000u + seed, 1));
	TRY(add_t_default(m));
	TRY(add_rand(m, 16, seed));
	TRY(add_kemac_encrypted(m, MIKEY_ENCR_AES_CM_128, MIKEY_MAC_HMAC_SHA1_160, 40));
	TRY(add_pke(m, cache, 256, seed));
	return add_sign(m, MIKEY_SIGN_RSA_PKCS1_15, 256, (uint8_t)(seed + 1));
}

static int b_pke_no_cache(mikey_msg *m)
{
	return pk_with_pke(m, MIKEY_PKE_NO_CACHE, 0x70);
}
static int b_pke_cache(mikey_msg *m)
{
	return pk_with_pke(m, MIKEY_PKE_CACHE, 0x71);
}
static int b_pke_cache_csb(mikey_msg *m)
{
	return pk_with_pke(m, MIKEY_PKE_CACHE_CSB, 0x72);
}

/* DH with each group (RFC 3830 Table 6.4) and each KV type. */
static int dh_msg(mikey_msg *m, uint8_t group, uint8_t kv_type, uint8_t seed)
{
	TRY(hdr_srtp(m, MIKEY_DT_DH_INIT, 0xd1d10000u + seed, 1));
	m->hdr.v = true;
	TRY(add_t_default(m));
	TRY(add_rand(m, 16, seed));
	TRY(add_sp_default(m, 0));
	TRY(add_dh(m, group, kv_type, seed));
	return add_sign(m, MIKEY_SIGN_RSA_PKCS1_15, 128, (uint8_t)(seed + 2));
}

static int b_dh_oakley5_kv_null(mikey_msg *m)
{
	return dh_msg(m, MIKEY_DH_OAKLEY_5, MIKEY_KV_NULL, 0x80);
}
static int b_dh_oakley1_kv_spi(mikey_msg *m)
{
	return dh_msg(m, MIKEY_DH_OAKLEY_1, MIKEY_KV_SPI, 0x81);
}
static int b_dh_oakley2_kv_interval(mikey_msg *m)
{
	return dh_msg(m, MIKEY_DH_OAKLEY_2, MIKEY_KV_INTERVAL, 0x82);
}
static int b_dh_oakley5_kv_spi(mikey_msg *m)
{
	return dh_msg(m, MIKEY_DH_OAKLEY_5, MIKEY_KV_SPI, 0x83);
}

/* SIGN with each S type (RFC 3830 Table 6.5, RFC 6509 Table 6), last. */
static int sign_msg(mikey_msg *m, uint8_t s_type, size_t len, uint8_t seed)
{
	TRY(hdr_srtp(m, MIKEY_DT_RSAR_INIT, 0x519e0000u + seed, 1));
	m->hdr.v = true;
	TRY(add_t_default(m));
	TRY(add_rand(m, 16, seed));
	TRY(add_id(m, MIKEY_PT_ID, 0, MIKEY_ID_URI, "sip:bob@example.org"));
	return add_sign(m, s_type, len, seed);
}

static int b_sign_pkcs1(mikey_msg *m)
{
	return sign_msg(m, MIKEY_SIGN_RSA_PKCS1_15, 256, 0x90);
}
static int b_sign_pss(mikey_msg *m)
{
	return sign_msg(m, MIKEY_SIGN_RSA_PSS, 384, 0x91);
}
static int b_sign_eccsi(mikey_msg *m)
{
	/* RFC 6507 §3.3: ECCSI signature = r || s || PVT = 32 + 32 + 65 bytes. */
	return sign_msg(m, MIKEY_SIGN_ECCSI, 129, 0x92);
}

/* T with each TS type (RFC 3830 Table 6.6, RFC 6043 Table 6.8). */
static int t_msg(mikey_msg *m, uint8_t ts_type, uint64_t value, uint8_t seed)
{
	TRY(hdr_srtp(m, MIKEY_DT_PSK_INIT, 0x7e570000u + seed, 1));
	TRY(add_t(m, ts_type, value));
	return add_rand(m, 16, seed);
}

static int b_t_ntp_utc(mikey_msg *m)
{
	return t_msg(m, MIKEY_TS_NTP_UTC, NTP_2023, 0xa0);
}
static int b_t_ntp(mikey_msg *m)
{
	/* 2004-08-01T12:00:00.5 in NTP form, RFC 3830's publication month. */
	return t_msg(m, MIKEY_TS_NTP, UINT64_C(0xC4B6C3C080000000), 0xa1);
}
static int b_t_counter(mikey_msg *m)
{
	return t_msg(m, MIKEY_TS_COUNTER, 0x0000002aU, 0xa2);
}
static int b_t_ntp_utc_32(mikey_msg *m)
{
	return t_msg(m, MIKEY_TS_NTP_UTC_32, 0xE75B4B80U, 0xa3);
}

/* TR with each role (RFC 6043 Table 6.9). */
static int b_tr_roles(mikey_msg *m)
{
	TRY(hdr_srtp(m, MIKEY_DT_TICKET_REQUEST_RESP, 0x7e570010u, 1));
	TRY(add_t_default(m));
	TRY(add_tr(m, MIKEY_TS_ROLE_ISSUE, MIKEY_TS_NTP_UTC, NTP_2023));
	TRY(add_tr(m, MIKEY_TS_ROLE_START, MIKEY_TS_NTP_UTC_32, 0xE75B4B80U));
	TRY(add_tr(m, MIKEY_TS_ROLE_END, MIKEY_TS_NTP_UTC_32, 0xE75B4B80U + 86400U));
	/* RFC 6043 §6.10: TRr is NTP-UTC-32, seconds between rekeyings. */
	TRY(add_tr(m, MIKEY_TS_ROLE_REKEY, MIKEY_TS_NTP_UTC_32, 3600));
	return add_v(m, MIKEY_MAC_HMAC_SHA256_256, 0xa4);
}

/* ID with each ID type (RFC 3830 Table 6.7.a, RFC 6043 Table 6.10). */
static int id_msg(mikey_msg *m, uint8_t id_type, const char *text, uint8_t seed)
{
	TRY(hdr_srtp(m, MIKEY_DT_PSK_INIT, 0x1d000000u + seed, 1));
	TRY(add_t_default(m));
	TRY(add_rand(m, 16, seed));
	TRY(add_id(m, MIKEY_PT_ID, 0, id_type, text));
	TRY(add_sp_default(m, 0));
	return add_kemac_one(m, MIKEY_KEY_TGK, MIKEY_KV_NULL, MIKEY_MAC_NULL, seed);
}

static int b_id_nai(mikey_msg *m)
{
	return id_msg(m, MIKEY_ID_NAI, "alice@example.com", 0xb0);
}
static int b_id_uri(mikey_msg *m)
{
	return id_msg(m, MIKEY_ID_URI, "sip:alice@example.com", 0xb1);
}
static int b_id_byte_string(mikey_msg *m)
{
	mikey_payload *p;

	TRY(hdr_srtp(m, MIKEY_DT_PSK_INIT, 0x1d0000b2u, 1));
	TRY(add_t_default(m));
	TRY(add_rand(m, 16, 0xb2));
	ADD(p, m, MIKEY_PT_ID);
	p->u.id.type = MIKEY_ID_BYTE_STRING;
	/* RFC 6043 §6.5: a byte string without encoding rules (a PSK id). */
	TRY(set_hex(m, &p->u.id.data, "00017f80fffe"));
	return add_kemac_one(m, MIKEY_KEY_TGK, MIKEY_KV_NULL, MIKEY_MAC_NULL, 0xb2);
}

/* Two IDs, initiator then responder (RFC 3830 §3.1 [IDi], [IDr]). */
static int b_id_i_and_r(mikey_msg *m)
{
	TRY(hdr_srtp(m, MIKEY_DT_PSK_INIT, 0x1d0000b3u, 1));
	TRY(add_t_default(m));
	TRY(add_rand(m, 16, 0xb3));
	TRY(add_id(m, MIKEY_PT_ID, 0, MIKEY_ID_URI, "sip:alice@example.com"));
	TRY(add_id(m, MIKEY_PT_ID, 0, MIKEY_ID_URI, "sip:bob@example.org"));
	TRY(add_sp_default(m, 0));
	return add_kemac_one(m, MIKEY_KEY_TGK, MIKEY_KV_NULL, MIKEY_MAC_NULL, 0xb3);
}

/* IDR with each role (RFC 6043 Table 6.11, RFC 6509 Table 7). */
static int b_idr_roles(mikey_msg *m)
{
	static const char *const ids[] = {
		"sip:alice@example.com", "sip:bob@example.org", "kms.example.net",
		"psk-1",                 "app:ptt",             "kms-i.example.net",
		"kms-r.example.org",
	};

	TRY(hdr_srtp(m, MIKEY_DT_TICKET_REQUEST_INIT_PSK, 0x1d0000c0u, 1));
	TRY(add_t_default(m));
	TRY(add_randr(m, MIKEY_RAND_ROLE_INITIATOR, 16, 0xc0));
	for (uint8_t r = MIKEY_ID_ROLE_INITIATOR; r <= MIKEY_ID_ROLE_RESPONDER_KMS; r++)
		TRY(add_id(m, MIKEY_PT_IDR, r, r == MIKEY_ID_ROLE_PSK ? MIKEY_ID_BYTE_STRING : MIKEY_ID_URI,
		           ids[r - 1]));
	return add_v(m, MIKEY_MAC_HMAC_SHA256_256, 0xc1);
}

/* CERT with each Cert type (RFC 3830 Table 6.7.b). */
static int cert_msg(mikey_msg *m, uint8_t cert_type, uint8_t seed)
{
	TRY(hdr_srtp(m, MIKEY_DT_DH_INIT, 0xce700000u + seed, 1));
	m->hdr.v = true;
	TRY(add_t_default(m));
	TRY(add_rand(m, 16, seed));
	if (cert_type == MIKEY_CERT_X509V3_URL)
		TRY(add_id(m, MIKEY_PT_CERT, 0, cert_type, "https://pki.example.com/alice.crt"));
	else
		TRY(add_cert(m, cert_type, false));
	TRY(add_sp_default(m, 0));
	TRY(add_dh(m, MIKEY_DH_OAKLEY_2, MIKEY_KV_NULL, seed));
	return add_sign(m, MIKEY_SIGN_RSA_PKCS1_15, 128, seed);
}

static int b_cert_x509v3(mikey_msg *m)
{
	return cert_msg(m, MIKEY_CERT_X509V3, 0xd0);
}
static int b_cert_x509v3_url(mikey_msg *m)
{
	return cert_msg(m, MIKEY_CERT_X509V3_URL, 0xd1);
}
static int b_cert_x509v3_sign(mikey_msg *m)
{
	return cert_msg(m, MIKEY_CERT_X509V3_SIGN, 0xd2);
}
static int b_cert_x509v3_encr(mikey_msg *m)
{
	return cert_msg(m, MIKEY_CERT_X509V3_ENCR, 0xd3);
}

/* CHASH with each hash (RFC 3830 Table 6.8, RFC 6043 Table 6.12), in a
 * public-key message: HDR, T, RAND, IDi, KEMAC, CHASH, PKE, SIGN (§3.2). */
static int chash_msg(mikey_msg *m, uint8_t hash_func, uint8_t seed)
{
	TRY(hdr_srtp(m, MIKEY_DT_PK_INIT, 0xc4a50000u + seed, 1));
	TRY(add_t_default(m));
	TRY(add_rand(m, 16, seed));
	TRY(add_id(m, MIKEY_PT_ID, 0, MIKEY_ID_URI, "sip:alice@example.com"));
	TRY(add_kemac_encrypted(m, MIKEY_ENCR_AES_CM_128, MIKEY_MAC_HMAC_SHA1_160, 40));
	TRY(add_chash(m, hash_func, seed));
	TRY(add_pke(m, MIKEY_PKE_CACHE, 128, seed));
	return add_sign(m, MIKEY_SIGN_RSA_PKCS1_15, 128, seed);
}

static int b_chash_sha1(mikey_msg *m)
{
	return chash_msg(m, MIKEY_HASH_SHA1, 0xe0);
}
static int b_chash_md5(mikey_msg *m)
{
	return chash_msg(m, MIKEY_HASH_MD5, 0xe1);
}
static int b_chash_sha256(mikey_msg *m)
{
	return chash_msg(m, MIKEY_HASH_SHA256, 0xe2);
}

/* V with each auth alg: PSK verification messages (RFC 3830 §3.1). */
static int v_msg(mikey_msg *m, uint8_t auth_alg, uint8_t seed)
{
	TRY(hdr_srtp(m, MIKEY_DT_PSK_RESP, 0x0ee00000u + seed, 1));
	TRY(add_t_default(m));
	return add_v(m, auth_alg, seed);
}

static int b_v_null(mikey_msg *m)
{
	return v_msg(m, MIKEY_MAC_NULL, 0xe8);
}
static int b_v_hmac_sha1(mikey_msg *m)
{
	return v_msg(m, MIKEY_MAC_HMAC_SHA1_160, 0xe9);
}
static int b_v_hmac_sha256(mikey_msg *m)
{
	return v_msg(m, MIKEY_MAC_HMAC_SHA256_256, 0xea);
}

/* SP for SRTP with all 13 parameter types (RFC 3830 Table 6.10.1.a). */
static int b_sp_srtp_all(mikey_msg *m)
{
	static const struct param all[] = {
		{MIKEY_SRTP_ENCR_ALG, "01"},      {MIKEY_SRTP_ENCR_KEY_LEN, "10"},   {MIKEY_SRTP_AUTH_ALG, "01"},
		{MIKEY_SRTP_AUTH_KEY_LEN, "14"},  {MIKEY_SRTP_SALT_KEY_LEN, "0e"},   {MIKEY_SRTP_PRF, "00"},
		{MIKEY_SRTP_KEY_DERIV_RATE, "00"}, {MIKEY_SRTP_SRTP_ENCR, "01"},     {MIKEY_SRTP_SRTCP_ENCR, "01"},
		{MIKEY_SRTP_FEC_ORDER, "00"},     {MIKEY_SRTP_SRTP_AUTH, "01"},      {MIKEY_SRTP_AUTH_TAG_LEN, "0a"},
		{MIKEY_SRTP_PREFIX_LEN, "00"},
	};
	TRY(hdr_srtp(m, MIKEY_DT_PSK_INIT, 0x5b000001u, 1));
	TRY(add_t_default(m));
	TRY(add_rand(m, 16, 0xf0));
	TRY(add_sp(m, 0, MIKEY_PROT_SRTP, all, sizeof(all) / sizeof(all[0])));
	return add_kemac_one(m, MIKEY_KEY_TGK, MIKEY_KV_NULL, MIKEY_MAC_NULL, 0xf0);
}

/* SRTP values other than the defaults: AES-F8, NULL auth, a 4-byte key
 * derivation rate (RFC 3711 §4.3.1: a power of two up to 2^24). */
static int b_sp_srtp_f8(mikey_msg *m)
{
	static const struct param f8[] = {
		{MIKEY_SRTP_ENCR_ALG, "02"},  {MIKEY_SRTP_ENCR_KEY_LEN, "10"}, {MIKEY_SRTP_AUTH_ALG, "00"},
		{MIKEY_SRTP_AUTH_KEY_LEN, "00"}, {MIKEY_SRTP_KEY_DERIV_RATE, "00010000"},
		{MIKEY_SRTP_SRTP_AUTH, "00"}, {MIKEY_SRTP_AUTH_TAG_LEN, "00"},
	};
	TRY(hdr_srtp(m, MIKEY_DT_PSK_INIT, 0x5b000002u, 1));
	TRY(add_t_default(m));
	TRY(add_rand(m, 16, 0xf1));
	TRY(add_sp(m, 0, MIKEY_PROT_SRTP, f8, sizeof(f8) / sizeof(f8[0])));
	return add_kemac_one(m, MIKEY_KEY_TEK_SALT, MIKEY_KV_NULL, MIKEY_MAC_NULL, 0xf1);
}

/* SP for TESLA (RFC 4442 §4.2, parameters 1-9). */
static int b_sp_tesla(mikey_msg *m)
{
	static const struct param tesla[] = {
		{MIKEY_TESLA_PRF, "00"},              /* HMAC-SHA1 */
		{MIKEY_TESLA_PRF_OUT_LEN, "a0"},      /* 160 bits */
		{MIKEY_TESLA_MAC, "00"},              /* HMAC-SHA1 */
		{MIKEY_TESLA_MAC_LEN, "50"},          /* 80 bits */
		{MIKEY_TESLA_START, "e75b4b8020000000"}, /* NTP-UTC */
		{MIKEY_TESLA_INTERVAL, "00000014"},   /* 20 ms, 4 bytes */
		{MIKEY_TESLA_DELAY, "0004"},          /* 4 intervals, 2 bytes */
		{MIKEY_TESLA_CHAIN_LEN, "00002710"},  /* 10000 intervals */
		{MIKEY_TESLA_RECEIVER_TS, "e75b4b8120000000"}, /* NTP-UTC */
	};
	TRY(hdr_srtp(m, MIKEY_DT_PSK_INIT, 0x7e5a0001u, 1));
	TRY(add_t_default(m));
	TRY(add_rand(m, 16, 0xf2));
	TRY(add_sp_default(m, 0));
	TRY(add_sp(m, 1, MIKEY_PROT_TESLA, tesla, sizeof(tesla) / sizeof(tesla[0])));
	/* RFC 4442 §4.4: the TESLA initial key (160-bit PRF output). */
	TRY(add_gen_ext(m, MIKEY_GEN_TESLA_IKEY, "0102030405060708090a0b0c0d0e0f1011121314"));
	return add_kemac_one(m, MIKEY_KEY_TGK, MIKEY_KV_NULL, MIKEY_MAC_NULL, 0xf2);
}

/* SP with no parameters: every SRTP default applies (RFC 3830 §6.10.1). */
static int b_sp_empty(mikey_msg *m)
{
	TRY(hdr_srtp(m, MIKEY_DT_PSK_INIT, 0x5b000003u, 1));
	TRY(add_t_default(m));
	TRY(add_rand(m, 16, 0xf3));
	TRY(add_sp(m, 0, MIKEY_PROT_SRTP, NULL, 0));
	return add_kemac_one(m, MIKEY_KEY_TGK, MIKEY_KV_NULL, MIKEY_MAC_NULL, 0xf3);
}

/* RAND of several lengths (RFC 3830 §6.11: 8-bit length). */
static int rand_msg(mikey_msg *m, size_t len, uint8_t seed)
{
	TRY(hdr_srtp(m, MIKEY_DT_PSK_INIT, 0x7a000000u + (uint32_t)len, 1));
	TRY(add_t_default(m));
	TRY(add_rand(m, len, seed));
	return add_kemac_one(m, MIKEY_KEY_TGK, MIKEY_KV_NULL, MIKEY_MAC_NULL, seed);
}

static int b_rand_16(mikey_msg *m)
{
	return rand_msg(m, 16, 0x11);
}
static int b_rand_1(mikey_msg *m)
{
	return rand_msg(m, 1, 0x12);
}
static int b_rand_32(mikey_msg *m)
{
	return rand_msg(m, 32, 0x13);
}
static int b_rand_255(mikey_msg *m)
{
	return rand_msg(m, 255, 0x14);
}

/* RANDR with each role (RFC 6043 Table 6.13). */
static int b_randr_roles(mikey_msg *m)
{
	TRY(hdr_srtp(m, MIKEY_DT_TICKET_TRANSFER_RESP, 0x7a000100u, 1));
	TRY(add_t_default(m));
	TRY(add_randr(m, MIKEY_RAND_ROLE_INITIATOR, 16, 0x15));
	TRY(add_randr(m, MIKEY_RAND_ROLE_RESPONDER, 16, 0x16));
	TRY(add_randr(m, MIKEY_RAND_ROLE_KMS, 32, 0x17));
	return add_v(m, MIKEY_MAC_HMAC_SHA256_256, 0x18);
}

/* ERR with every error no (RFC 3830 Table 6.12, RFC 6043 Table 6.14). */
static int b_err_all(mikey_msg *m)
{
	TRY(hdr_srtp(m, MIKEY_DT_ERROR, 0xe7700000u, 1));
	TRY(add_t_default(m));
	for (uint8_t e = 0; e <= MIKEY_ERRNO_INVALID_TPPAR; e++)
		TRY(add_err(m, e));
	return MIKEY_OK;
}

/* General Extension of each type. */
static int ext_msg(mikey_msg *m, uint8_t ext_type, const char *hex, uint8_t seed)
{
	TRY(hdr_srtp(m, MIKEY_DT_PSK_INIT, 0xe8700000u + ext_type, 1));
	TRY(add_t_default(m));
	TRY(add_rand(m, 16, seed));
	TRY(add_gen_ext(m, ext_type, hex));
	TRY(add_sp_default(m, 0));
	return add_kemac_one(m, MIKEY_KEY_TGK, MIKEY_KV_NULL, MIKEY_MAC_NULL, seed);
}

static int b_ext_vendor_id(mikey_msg *m)
{
	/* "example-vendor\0" plus two bytes of vendor data. */
	return ext_msg(m, MIKEY_GEN_VENDOR_ID, "6578616d706c652d76656e646f72000102", 0x21);
}
static int b_ext_sdp_ids(mikey_msg *m)
{
	return ext_msg(m, MIKEY_GEN_SDP_IDS, "010203", 0x22);
}
static int b_ext_csb_id(mikey_msg *m)
{
	/* RFC 4738 §3.9.3: the Responder's CSB ID, 32 bits. */
	return ext_msg(m, MIKEY_GEN_CSB_ID, "a5a5a5a5", 0x23);
}
static int b_ext_oma_bcast(mikey_msg *m)
{
	/* RFC 5410 §3: subtype STKM (2), then subtype-specific data. */
	return ext_msg(m, MIKEY_GEN_OMA_BCAST, "0200112233", 0x24);
}

/* RFC 4563: KEY-ID with several Key ID sub-payloads. */
static int b_ext_key_id(mikey_msg *m)
{
	mikey_payload *p;
	mikey_key_id *ids;

	TRY(hdr_srtp(m, MIKEY_DT_PSK_INIT, 0xe8700003u, 1));
	TRY(add_t_default(m));
	TRY(add_rand(m, 16, 0x25));
	ADD(p, m, MIKEY_PT_GEN_EXT);
	p->u.gen_ext.ext_type = MIKEY_GEN_KEY_ID;
	ids = mikey_msg_alloc(m, 3 * sizeof(*ids));
	if (ids == NULL)
		return MIKEY_ERR_NOMEM;
	p->u.gen_ext.key_ids = ids;
	p->u.gen_ext.n_key_ids = 3;
	ids[0].type = MIKEY_KEYID_MBMS_DOMAIN; /* MCC || MNC, 3 bytes */
	TRY(set_hex(m, &ids[0].id, "00f110"));
	ids[1].type = MIKEY_KEYID_MBMS_SERVICE; /* MSK ID, 4 bytes */
	TRY(set_hex(m, &ids[1].id, "00000007"));
	ids[2].type = MIKEY_KEYID_MBMS_TRAFFIC; /* MTK ID, 2 bytes */
	TRY(set_hex(m, &ids[2].id, "0003"));
	TRY(add_sp_default(m, 0));
	return add_kemac_one(m, MIKEY_KEY_TEK_SALT, MIKEY_KV_SPI, MIKEY_MAC_NULL, 0x25);
}

/* RFC 6043 §6.10 TP Data: first-payload byte, then IDRkms and TRe. */
#define TP_DATA_HEX                                                                                              \
	"0e"                               /* first payload: IDR */                                        \
	"0d" "03" "01" "000f" "6b6d732e6578616d706c652e6e6574" /* IDRkms "kms.example.net" */               \
	"00" "03" "03" "e75c9d00"          /* TRe, NTP-UTC-32 */

/* TICKET_REQUEST_INIT (PSK): HDR, T, RANDRi, IDRi, IDRkms, TP, V
 * (RFC 6043 §4.2.1.2, a reduced form without KEMAC). */
static int b_tp_request(mikey_msg *m)
{
	mikey_payload *p;

	TRY(hdr_srtp(m, MIKEY_DT_TICKET_REQUEST_INIT_PSK, 0x71c00001u, 0));
	m->hdr.map_type = MIKEY_MAP_GENERIC_ID;
	m->hdr.v = true;
	TRY(add_t_default(m));
	TRY(add_randr(m, MIKEY_RAND_ROLE_INITIATOR, 16, 0x61));
	TRY(add_id(m, MIKEY_PT_IDR, MIKEY_ID_ROLE_INITIATOR, MIKEY_ID_URI, "sip:alice@example.com"));
	TRY(add_id(m, MIKEY_PT_IDR, MIKEY_ID_ROLE_KMS, MIKEY_ID_URI, "kms.example.net"));
	ADD(p, m, MIKEY_PT_TP);
	p->u.ticket.ticket_type = MIKEY_TICKET_MIKEY_BASE;
	p->u.ticket.subtype = 1;
	p->u.ticket.version = 1;
	p->u.ticket.prf_func = MIKEY_PRF_HMAC_SHA_256;
	/* D E F G H I J K L M N O: D, F, G, H, L, N, O set. */
	p->u.ticket.flags = 0xB8B;
	TRY(set_hex(m, &p->u.ticket.tp_data, TP_DATA_HEX));
	return add_v(m, MIKEY_MAC_HMAC_SHA256_256, 0x62);
}

/* TRANSFER_INIT (RFC 6043 §4.2.2): HDR, T, RANDRi, IDRi, IDRr, TICKET, V. */
static int b_ticket_transfer(mikey_msg *m)
{
	mikey_payload *p;

	TRY(hdr_srtp(m, MIKEY_DT_TICKET_TRANSFER_INIT, 0x71c00002u, 1));
	m->hdr.v = true;
	TRY(add_t_default(m));
	TRY(add_randr(m, MIKEY_RAND_ROLE_INITIATOR, 16, 0x63));
	TRY(add_id(m, MIKEY_PT_IDR, MIKEY_ID_ROLE_INITIATOR, MIKEY_ID_URI, "sip:alice@example.com"));
	TRY(add_id(m, MIKEY_PT_IDR, MIKEY_ID_ROLE_RESPONDER, MIKEY_ID_URI, "sip:bob@example.org"));
	ADD(p, m, MIKEY_PT_TICKET);
	p->u.ticket.ticket_type = MIKEY_TICKET_MIKEY_BASE;
	p->u.ticket.subtype = 1;
	p->u.ticket.version = 1;
	p->u.ticket.prf_func = MIKEY_PRF_MIKEY_1;
	p->u.ticket.flags = 0xFFF;
	p->u.ticket.reserved = 0;
	TRY(set_hex(m, &p->u.ticket.tp_data, TP_DATA_HEX));
	TRY(set_pat(m, &p->u.ticket.ticket_data, 64, 0x64));
	TRY(set_pat(m, &p->u.ticket.initiator_data, 20, 0x65));
	return add_v(m, MIKEY_MAC_HMAC_SHA256_256, 0x66);
}

/* A TICKET without Initiator data and with a 3GPP ticket type. */
static int b_ticket_3gpp(mikey_msg *m)
{
	mikey_payload *p;

	TRY(hdr_srtp(m, MIKEY_DT_TICKET_RESOLVE_INIT_PSK, 0x71c00003u, 1));
	m->hdr.v = true;
	TRY(add_t_default(m));
	TRY(add_randr(m, MIKEY_RAND_ROLE_RESPONDER, 16, 0x67));
	TRY(add_id(m, MIKEY_PT_IDR, MIKEY_ID_ROLE_RESPONDER, MIKEY_ID_NAI, "bob@example.org"));
	ADD(p, m, MIKEY_PT_TICKET);
	p->u.ticket.ticket_type = MIKEY_TICKET_3GPP_BASE;
	p->u.ticket.subtype = 2;
	p->u.ticket.version = 3;
	p->u.ticket.prf_func = MIKEY_PRF_HMAC_SHA_256;
	p->u.ticket.flags = 0x801;
	TRY(set_hex(m, &p->u.ticket.tp_data, "00"));
	TRY(set_pat(m, &p->u.ticket.ticket_data, 33, 0x68));
	return add_v(m, MIKEY_MAC_HMAC_SHA1_160, 0x69);
}

/* MIKEY-SAKKE I_MESSAGE (RFC 6509 §2.1): HDR, T, RAND, [IDRi], [IDRr],
 * [IDRkmsi], [IDRkmsr], [CERT], {SP}, SAKKE, SIGN (ECCSI). */
static int b_sakke(mikey_msg *m)
{
	mikey_payload *p;

	TRY(hdr_srtp(m, MIKEY_DT_SAKKE, 0x5a110001u, 1));
	TRY(add_t_default(m));
	TRY(add_rand(m, 16, 0x26));
	TRY(add_id(m, MIKEY_PT_IDR, MIKEY_ID_ROLE_INITIATOR, MIKEY_ID_URI, "tel:+447700900123"));
	TRY(add_id(m, MIKEY_PT_IDR, MIKEY_ID_ROLE_RESPONDER, MIKEY_ID_URI, "tel:+447700900124"));
	TRY(add_id(m, MIKEY_PT_IDR, MIKEY_ID_ROLE_INITIATOR_KMS, MIKEY_ID_URI, "kms.example.org"));
	TRY(add_id(m, MIKEY_PT_IDR, MIKEY_ID_ROLE_RESPONDER_KMS, MIKEY_ID_URI, "kms.example.org"));
	TRY(add_sp_default(m, 0));
	ADD(p, m, MIKEY_PT_SAKKE);
	p->u.sakke.params = 1;    /* Parameter Set 1 (RFC 6509 Table 4) */
	p->u.sakke.id_scheme = 1; /* tel URI with monthly keys (Table 5) */
	/* RFC 6508 §4: 0x04 || Rx || Ry || H with 128-byte coordinates and a
	 * 16-byte H: 273 bytes. */
	TRY(set_pat(m, &p->u.sakke.data, 273, 0x27));
	p->u.sakke.data.data[0] = 0x04;
	return add_sign(m, MIKEY_SIGN_ECCSI, 129, 0x28);
}

/* ---- realistic whole messages ---- */

/* RFC 3830 §3.1 I_MESSAGE = HDR, T, RAND, [IDi],[IDr], {SP}, KEMAC, with
 * the mandatory AES-CM-128 + HMAC-SHA-1-160 (ciphertext: placeholder). */
static int b_psk_i_message(mikey_msg *m)
{
	TRY(hdr_srtp(m, MIKEY_DT_PSK_INIT, 0x12345678u, 1));
	m->hdr.v = true;
	TRY(add_t_default(m));
	TRY(add_rand(m, 16, 0x01));
	TRY(add_sp_default(m, 0));
	/* Encr data = Key data(TGK, 16-byte key) = 4 + 16 = 20 bytes. */
	return add_kemac_encrypted(m, MIKEY_ENCR_AES_CM_128, MIKEY_MAC_HMAC_SHA1_160, 20);
}

/* The same exchange as SDP offers typically carry it with NULL protection:
 * the form GStreamer's GstMIKEYMessage produces and reads. */
static int b_psk_i_message_null(mikey_msg *m)
{
	TRY(hdr_srtp(m, MIKEY_DT_PSK_INIT, 0x12345679u, 1));
	TRY(add_t_default(m));
	TRY(add_rand(m, 16, 0x02));
	TRY(add_sp_default(m, 0));
	return add_kemac_one(m, MIKEY_KEY_TEK_SALT, MIKEY_KV_NULL, MIKEY_MAC_NULL, 0x02);
}

/* RFC 3830 §3.1 R_MESSAGE = HDR, T, [IDr], V. */
static int b_psk_r_message(mikey_msg *m)
{
	TRY(hdr_srtp(m, MIKEY_DT_PSK_RESP, 0x12345678u, 1));
	TRY(add_t_default(m));
	TRY(add_id(m, MIKEY_PT_ID, 0, MIKEY_ID_URI, "sip:bob@example.org"));
	return add_v(m, MIKEY_MAC_HMAC_SHA1_160, 0x03);
}

/* RFC 3830 §3.2 I_MESSAGE = HDR, T, RAND, [IDi|CERTi], [IDr], {SP},
 * KEMAC, [CHASH], PKE, SIGNi. */
static int b_pk_i_message(mikey_msg *m)
{
	TRY(hdr_srtp(m, MIKEY_DT_PK_INIT, 0x2468ace0u, 1));
	m->hdr.v = true;
	TRY(add_t_default(m));
	TRY(add_rand(m, 16, 0x04));
	TRY(add_cert(m, MIKEY_CERT_X509V3_SIGN, false));
	TRY(add_id(m, MIKEY_PT_ID, 0, MIKEY_ID_URI, "sip:bob@example.org"));
	TRY(add_sp_default(m, 0));
	/* IDi (4 + 21) + Key data TGK (4 + 16) = 45 bytes of ciphertext. */
	TRY(add_kemac_encrypted(m, MIKEY_ENCR_AES_CM_128, MIKEY_MAC_HMAC_SHA1_160, 45));
	TRY(add_pke(m, MIKEY_PKE_CACHE, 128, 0x06));
	return add_sign(m, MIKEY_SIGN_RSA_PKCS1_15, 128, 0x07);
}

/* RFC 3830 §3.2 R_MESSAGE = HDR, T, [IDr], V. */
static int b_pk_r_message(mikey_msg *m)
{
	TRY(hdr_srtp(m, MIKEY_DT_PK_RESP, 0x2468ace0u, 1));
	TRY(add_t_default(m));
	return add_v(m, MIKEY_MAC_HMAC_SHA1_160, 0x08);
}

/* RFC 3830 §3.3 I_MESSAGE = HDR, T, RAND, [IDi|CERTi], [IDr], {SP},
 * DHi, SIGNi. */
static int b_dh_i_message(mikey_msg *m)
{
	TRY(hdr_srtp(m, MIKEY_DT_DH_INIT, 0x13579bdfu, 2));
	m->hdr.v = true;
	TRY(add_t_default(m));
	TRY(add_rand(m, 16, 0x09));
	TRY(add_cert(m, MIKEY_CERT_X509V3, false));
	TRY(add_id(m, MIKEY_PT_ID, 0, MIKEY_ID_URI, "sip:bob@example.org"));
	TRY(add_sp_default(m, 0));
	TRY(add_sp_default(m, 1));
	TRY(add_dh(m, MIKEY_DH_OAKLEY_5, MIKEY_KV_NULL, 0x0b));
	return add_sign(m, MIKEY_SIGN_RSA_PKCS1_15, 256, 0x0c);
}

/* RFC 3830 §3.3 R_MESSAGE = HDR, T, [IDr|CERTr], IDi, DHr, DHi, SIGNr. */
static int b_dh_r_message(mikey_msg *m)
{
	TRY(hdr_srtp(m, MIKEY_DT_DH_RESP, 0x13579bdfu, 2));
	TRY(add_t_default(m));
	TRY(add_cert(m, MIKEY_CERT_X509V3, true));
	TRY(add_id(m, MIKEY_PT_ID, 0, MIKEY_ID_URI, "sip:alice@example.com"));
	TRY(add_dh(m, MIKEY_DH_OAKLEY_5, MIKEY_KV_NULL, 0x0e));
	TRY(add_dh(m, MIKEY_DH_OAKLEY_5, MIKEY_KV_NULL, 0x0b));
	return add_sign(m, MIKEY_SIGN_RSA_PSS, 256, 0x0f);
}

/* RFC 4650 §3 I_MESSAGE = HDR, T, RAND, [IDi|CERTi], [IDr|CERTr], {SP},
 * DHi, KEMAC: a KEMAC with NULL encryption, no key data, and a MAC. */
static int b_dhhmac_i_message(mikey_msg *m)
{
	mikey_kemac *k;

	TRY(hdr_srtp(m, MIKEY_DT_DHHMAC_INIT, 0x0dd0c0deu, 1));
	m->hdr.v = true;
	TRY(add_t_default(m));
	TRY(add_rand(m, 16, 0x1a));
	TRY(add_id(m, MIKEY_PT_ID, 0, MIKEY_ID_NAI, "alice@example.com"));
	TRY(add_id(m, MIKEY_PT_ID, 0, MIKEY_ID_NAI, "bob@example.org"));
	TRY(add_sp_default(m, 0));
	TRY(add_dh(m, MIKEY_DH_OAKLEY_2, MIKEY_KV_NULL, 0x1b));
	return add_kemac(m, MIKEY_ENCR_NULL, MIKEY_MAC_HMAC_SHA1_160, &k);
}

/* RFC 3830 §5.1.2 error message: HDR, T, {ERR}, [V|SIGN]. */
static int b_error_message(mikey_msg *m)
{
	TRY(hdr_srtp(m, MIKEY_DT_ERROR, 0x12345678u, 1));
	TRY(add_t_default(m));
	TRY(add_err(m, MIKEY_ERRNO_INVALID_TS));
	TRY(add_err(m, MIKEY_ERRNO_INVALID_SPPAR));
	return add_v(m, MIKEY_MAC_HMAC_SHA1_160, 0x1c);
}

/* RFC 4738 §3.1 I_MESSAGE = HDR, T, [RAND], [IDi|CERTi], [IDr], {SP}, SIGNi. */
static int b_rsar_i_msg(mikey_msg *m)
{
	TRY(hdr_srtp(m, MIKEY_DT_RSAR_INIT, 0x0badcafeu, 1));
	m->hdr.v = true; /* RFC 4738 §3.4: V MUST be 1 */
	TRY(add_t_default(m));
	TRY(add_rand(m, 16, 0x1d));
	TRY(add_cert(m, MIKEY_CERT_X509V3_SIGN, false));
	TRY(add_id(m, MIKEY_PT_ID, 0, MIKEY_ID_URI, "sip:conference@example.org"));
	TRY(add_sp_default(m, 0));
	return add_sign(m, MIKEY_SIGN_RSA_PKCS1_15, 256, 0x1f);
}

/* RFC 4738 §3.2 R_MESSAGE = HDR, GenExt(CSB_ID), T, RAND, [IDr|CERTr], SP,
 * KEMAC, PKE, SIGNr. */
static int b_rsar_r_msg(mikey_msg *m)
{
	TRY(hdr_srtp(m, MIKEY_DT_RSAR_RESP, 0x0badcafeu, 1));
	TRY(add_gen_ext(m, MIKEY_GEN_CSB_ID, "5eed5eed"));
	TRY(add_t_default(m));
	TRY(add_rand(m, 16, 0x2a));
	TRY(add_cert(m, MIKEY_CERT_X509V3_ENCR, true));
	TRY(add_sp_default(m, 0));
	TRY(add_kemac_encrypted(m, MIKEY_ENCR_AES_CM_128, MIKEY_MAC_HMAC_SHA1_160, 60));
	TRY(add_pke(m, MIKEY_PKE_NO_CACHE, 256, 0x2c));
	return add_sign(m, MIKEY_SIGN_RSA_PKCS1_15, 256, 0x2d);
}

/* The RSA-R R_MESSAGE with NULL encryption: the KEMAC starts with IDr
 * (mikey_kemac_first_type for data type 10). */
static int b_rsar_r_msg_null(mikey_msg *m)
{
	mikey_kemac *k;
	mikey_payload *p;

	TRY(hdr_srtp(m, MIKEY_DT_RSAR_RESP, 0x0badcaffu, 1));
	TRY(add_gen_ext(m, MIKEY_GEN_CSB_ID, "5eed5eee"));
	TRY(add_t_default(m));
	TRY(add_rand(m, 16, 0x2e));
	TRY(add_sp_default(m, 0));
	TRY(add_kemac(m, MIKEY_ENCR_NULL, MIKEY_MAC_HMAC_SHA1_160, &k));
	ADD_SUB(p, m, k, MIKEY_PT_ID);
	p->u.id.type = MIKEY_ID_URI;
	TRY(set_str(m, &p->u.id.data, "sip:conference@example.org"));
	TRY(add_key(m, k, MIKEY_KEY_TGK, 16, MIKEY_KV_NULL, 0x2f));
	TRY(add_pke(m, MIKEY_PKE_NO_CACHE, 128, 0x30));
	return add_sign(m, MIKEY_SIGN_RSA_PSS, 128, 0x31);
}

struct corpus_entry {
	const char *name;
	int (*build)(mikey_msg *m);
};

static const struct corpus_entry corpus[] = {
	/* realistic exchanges first: the samples/ folder picks from these */
	{"psk-i-message", b_psk_i_message},
	{"psk-i-message-null", b_psk_i_message_null},
	{"psk-r-message", b_psk_r_message},
	{"pk-i-message", b_pk_i_message},
	{"pk-r-message", b_pk_r_message},
	{"dh-i-message", b_dh_i_message},
	{"dh-r-message", b_dh_r_message},
	{"dhhmac-i-message", b_dhhmac_i_message},
	{"error-message", b_error_message},
	{"rsar-i-msg", b_rsar_i_msg},
	{"rsar-r-msg", b_rsar_r_msg},
	{"rsar-r-msg-null-kemac", b_rsar_r_msg_null},
	{"sakke-i-message", b_sakke},
	{"ticket-request-tp", b_tp_request},
	{"ticket-transfer", b_ticket_transfer},
	{"ticket-3gpp", b_ticket_3gpp},
	/* Common Header */
	{"hdr-dt00-psk-init", b_hdr_dt0},
	{"hdr-dt01-psk-resp", b_hdr_dt1},
	{"hdr-dt02-pk-init", b_hdr_dt2},
	{"hdr-dt03-pk-resp", b_hdr_dt3},
	{"hdr-dt04-dh-init", b_hdr_dt4},
	{"hdr-dt05-dh-resp", b_hdr_dt5},
	{"hdr-dt06-error", b_hdr_dt6},
	{"hdr-dt07-dhhmac-init", b_hdr_dt7},
	{"hdr-dt08-dhhmac-resp", b_hdr_dt8},
	{"hdr-dt09-rsar-init", b_hdr_dt9},
	{"hdr-dt10-rsar-resp", b_hdr_dt10},
	{"hdr-dt11-ticket-req-psk", b_hdr_dt11},
	{"hdr-dt12-ticket-req-pk", b_hdr_dt12},
	{"hdr-dt13-ticket-req-resp", b_hdr_dt13},
	{"hdr-dt14-ticket-xfer-init", b_hdr_dt14},
	{"hdr-dt15-ticket-xfer-resp", b_hdr_dt15},
	{"hdr-dt16-ticket-res-psk", b_hdr_dt16},
	{"hdr-dt17-ticket-res-pk", b_hdr_dt17},
	{"hdr-dt18-ticket-res-resp", b_hdr_dt18},
	{"hdr-dt26-sakke", b_hdr_dt26},
	{"hdr-v-flag", b_hdr_v_flag},
	{"hdr-prf-hmac-sha256", b_hdr_prf_sha256},
	{"hdr-srtp-id-0cs", b_hdr_srtp_0cs},
	{"hdr-srtp-id-4cs", b_hdr_srtp_4cs},
	{"hdr-empty-map", b_hdr_empty_map},
	{"hdr-generic-id", b_hdr_generic_id},
	{"hdr-generic-id-resp", b_hdr_generic_id_resp},
	/* KEMAC and Key data */
	{"kemac-tgk", b_kemac_tgk},
	{"kemac-tgk-salt", b_kemac_tgk_salt},
	{"kemac-tek", b_kemac_tek},
	{"kemac-tek-salt", b_kemac_tek_salt},
	{"kemac-gtgk", b_kemac_gtgk},
	{"kemac-gtgk-salt", b_kemac_gtgk_salt},
	{"kemac-mpk", b_kemac_mpk},
	{"kemac-kv-null", b_kemac_kv_null},
	{"kemac-kv-spi", b_kemac_kv_spi},
	{"kemac-kv-interval", b_kemac_kv_interval},
	{"kemac-multi-key", b_kemac_multi_key},
	{"kemac-null-hmac-sha1", b_kemac_null_hmac_sha1},
	{"kemac-null-hmac-sha256", b_kemac_null_hmac_sha256},
	{"kemac-pk-id-first", b_kemac_pk_id_first},
	{"kemac-aes-cm-128", b_kemac_aes_cm_128},
	{"kemac-aes-kw-128", b_kemac_aes_kw_128},
	{"kemac-aes-cm-256", b_kemac_aes_cm_256},
	/* PKE, DH, SIGN */
	{"pke-no-cache", b_pke_no_cache},
	{"pke-cache", b_pke_cache},
	{"pke-cache-csb", b_pke_cache_csb},
	{"dh-oakley5-kv-null", b_dh_oakley5_kv_null},
	{"dh-oakley1-kv-spi", b_dh_oakley1_kv_spi},
	{"dh-oakley2-kv-interval", b_dh_oakley2_kv_interval},
	{"dh-oakley5-kv-spi", b_dh_oakley5_kv_spi},
	{"sign-rsa-pkcs1", b_sign_pkcs1},
	{"sign-rsa-pss", b_sign_pss},
	{"sign-eccsi", b_sign_eccsi},
	/* T, TR */
	{"t-ntp-utc", b_t_ntp_utc},
	{"t-ntp", b_t_ntp},
	{"t-counter", b_t_counter},
	{"t-ntp-utc-32", b_t_ntp_utc_32},
	{"tr-roles", b_tr_roles},
	/* ID, IDR, CERT, CHASH, V */
	{"id-nai", b_id_nai},
	{"id-uri", b_id_uri},
	{"id-byte-string", b_id_byte_string},
	{"id-initiator-responder", b_id_i_and_r},
	{"idr-roles", b_idr_roles},
	{"cert-x509v3", b_cert_x509v3},
	{"cert-x509v3-url", b_cert_x509v3_url},
	{"cert-x509v3-sign", b_cert_x509v3_sign},
	{"cert-x509v3-encr", b_cert_x509v3_encr},
	{"chash-sha1", b_chash_sha1},
	{"chash-md5", b_chash_md5},
	{"chash-sha256", b_chash_sha256},
	{"v-null", b_v_null},
	{"v-hmac-sha1", b_v_hmac_sha1},
	{"v-hmac-sha256", b_v_hmac_sha256},
	/* SP, RAND, RANDR, ERR */
	{"sp-srtp-all-params", b_sp_srtp_all},
	{"sp-srtp-f8-kdr4", b_sp_srtp_f8},
	{"sp-tesla", b_sp_tesla},
	{"sp-empty", b_sp_empty},
	{"rand-16", b_rand_16},
	{"rand-1", b_rand_1},
	{"rand-32", b_rand_32},
	{"rand-255", b_rand_255},
	{"randr-roles", b_randr_roles},
	{"err-all", b_err_all},
	/* General Extension */
	{"ext-vendor-id", b_ext_vendor_id},
	{"ext-sdp-ids", b_ext_sdp_ids},
	{"ext-key-id", b_ext_key_id},
	{"ext-csb-id", b_ext_csb_id},
	{"ext-oma-bcast", b_ext_oma_bcast},
};

#define N_CORPUS (sizeof(corpus) / sizeof(corpus[0]))

/* Builds entry |i| and writes it to |dir|/NNN-name.bin. Returns 0 or -1. */
static int write_one(const char *dir, size_t i)
{
	char path[4096];
	mikey_msg *m = NULL;
	uint8_t *buf = NULL;
	size_t len = 0;
	FILE *f = NULL;
	mikey_error err;
	int rc;
	int ret = -1;

	m = mikey_msg_new();
	if (m == NULL) {
		fprintf(stderr, "gen_corpus: %s: out of memory\n", corpus[i].name);
		goto out;
	}
	rc = corpus[i].build(m);
	if (rc != MIKEY_OK) {
		fprintf(stderr, "gen_corpus: %s: building the model: %s\n", corpus[i].name, mikey_error_name(rc));
		goto out_msg;
	}
	rc = mikey_msg_build(m, &buf, &len, &err);
	if (rc != MIKEY_OK) {
		fprintf(stderr, "gen_corpus: %s: mikey_msg_build: %s (%s)\n", corpus[i].name, mikey_error_name(rc),
		        err.message);
		goto out_msg;
	}
	snprintf(path, sizeof(path), "%s/%03zu-%s.bin", dir, i + 1, corpus[i].name);
	f = fopen(path, "wb");
	if (f == NULL) {
		fprintf(stderr, "gen_corpus: %s: %s\n", path, strerror(errno));
		goto out_buf;
	}
	if (fwrite(buf, 1, len, f) != len) {
		fprintf(stderr, "gen_corpus: %s: write failed\n", path);
		goto out_file;
	}
	ret = 0;
out_file:
	if (fclose(f) != 0 && ret == 0) {
		fprintf(stderr, "gen_corpus: %s: %s\n", path, strerror(errno));
		ret = -1;
	}
out_buf:
	mikey_buf_free(buf, len);
out_msg:
	mikey_msg_free(m);
out:
	return ret;
}

int main(int argc, char **argv)
{
	size_t failed = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: %s OUTDIR\n", argv[0]);
		return 2;
	}
	if (mkdir(argv[1], 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, "gen_corpus: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	for (size_t i = 0; i < N_CORPUS; i++)
		if (write_one(argv[1], i) != 0)
			failed++;
	printf("gen_corpus: wrote %zu of %zu messages to %s\n", N_CORPUS - failed, N_CORPUS, argv[1]);
	return failed == 0 ? 0 : 1;
}
