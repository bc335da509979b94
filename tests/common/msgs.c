/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tests/common/msgs.c - valid sample messages built with the public API.
 * See msgs.h. Every fill function stops at the first failing call and
 * returns its code, so the allocation-failure tests can run them with an
 * allocator that fails the n-th allocation.
 */
#include "msgs.h"

#include <string.h>

/* Add a payload of |type| to |list| and name it |var|, or give up. */
#define ADD(var, list, type)                                                                                     \
	do {                                                                                                     \
		(var) = mikey_msg_add_payload(m, (list), (type));                                                \
		if ((var) == NULL)                                                                               \
			return MIKEY_ERR_NOMEM;                                                                  \
	} while (0)

/* Copy |len| pattern bytes (seeded by |seed|) into |dst|. */
#define PAT(dst, len, seed)                                                                                      \
	do {                                                                                                     \
		int rc_ = set_pattern(m, (dst), (len), (seed));                                                  \
		if (rc_ != MIKEY_OK)                                                                             \
			return rc_;                                                                              \
	} while (0)

/* Copy a C string (without its NUL) into |dst|. */
#define STR(dst, s)                                                                                              \
	do {                                                                                                     \
		int rc_ = mikey_msg_set_bytes(m, (dst), (s), strlen(s));                                         \
		if (rc_ != MIKEY_OK)                                                                             \
			return rc_;                                                                              \
	} while (0)

/* Zeroed array of |n| elements owned by the message. */
#define ALLOC(var, n)                                                                                            \
	do {                                                                                                     \
		(var) = mikey_msg_alloc(m, (n) * sizeof(*(var)));                                                \
		if ((var) == NULL)                                                                               \
			return MIKEY_ERR_NOMEM;                                                                  \
	} while (0)

void test_pattern(uint8_t *buf, size_t len, unsigned seed)
{
	uint32_t x = 0x9e3779b9u ^ (seed * 0x85ebca6bu);

	for (size_t i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		buf[i] = (uint8_t)(x >> 11);
	}
}

static int set_pattern(mikey_msg *m, mikey_bytes *dst, size_t len, unsigned seed)
{
	uint8_t tmp[512];

	if (len > sizeof(tmp))
		return MIKEY_ERR_ARG;
	test_pattern(tmp, len, seed);
	return mikey_msg_set_bytes(m, dst, tmp, len);
}

static int hdr_srtp(mikey_msg *m, uint8_t data_type, uint8_t n_cs)
{
	m->hdr.data_type = data_type;
	m->hdr.csb_id = 0x12345678u ^ data_type;
	m->hdr.n_cs = n_cs;
	m->hdr.map_type = MIKEY_MAP_SRTP_ID;
	if (n_cs > 0) {
		ALLOC(m->hdr.srtp_cs, n_cs);
		for (uint8_t i = 0; i < n_cs; i++) {
			m->hdr.srtp_cs[i].policy_no = i;
			m->hdr.srtp_cs[i].ssrc = 0xdeadbe00u + i;
			m->hdr.srtp_cs[i].roc = i * 7u;
		}
	}
	return MIKEY_OK;
}

static int add_ts(mikey_msg *m, uint8_t ts_type, uint64_t value)
{
	mikey_payload *p;

	ADD(p, &m->payloads, MIKEY_PT_T);
	p->u.ts.ts_type = ts_type;
	p->u.ts.value = value;
	return MIKEY_OK;
}

static int add_rand(mikey_msg *m, size_t len, unsigned seed)
{
	mikey_payload *p;

	ADD(p, &m->payloads, MIKEY_PT_RAND);
	PAT(&p->u.rand.rand, len, seed);
	return MIKEY_OK;
}

/* A Security Policy payload with |n| params of type i, length 1 (or 4 for
 * every fourth), value from the pattern. */
static int add_sp(mikey_msg *m, uint8_t policy_no, uint8_t prot_type, size_t n)
{
	mikey_payload *p;

	ADD(p, &m->payloads, MIKEY_PT_SP);
	p->u.sp.policy_no = policy_no;
	p->u.sp.prot_type = prot_type;
	p->u.sp.n_params = n;
	if (n == 0)
		return MIKEY_OK;
	ALLOC(p->u.sp.params, n);
	for (size_t i = 0; i < n; i++) {
		mikey_sp_param *sp = &p->u.sp.params[i];

		sp->type = (uint8_t)i;
		sp->len = (i % 4 == 3) ? 4 : 1;
		ALLOC(sp->value, sp->len);
		test_pattern(sp->value, sp->len, (unsigned)(100 + i));
	}
	return MIKEY_OK;
}

static int add_id(mikey_msg *m, mikey_payload_list *list, uint8_t pt, uint8_t role, uint8_t type, const char *s)
{
	mikey_payload *p;

	ADD(p, list, pt);
	p->u.id.role = role;
	p->u.id.type = type;
	STR(&p->u.id.data, s);
	return MIKEY_OK;
}

static int add_cert(mikey_msg *m, uint8_t type, size_t len, unsigned seed)
{
	mikey_payload *p;

	ADD(p, &m->payloads, MIKEY_PT_CERT);
	p->u.id.type = type;
	PAT(&p->u.id.data, len, seed);
	return MIKEY_OK;
}

static int add_sign(mikey_msg *m, uint8_t s_type, size_t len)
{
	mikey_payload *p;

	ADD(p, &m->payloads, MIKEY_PT_SIGN);
	p->u.sign.s_type = s_type;
	PAT(&p->u.sign.sig, len, 77);
	return MIKEY_OK;
}

static int add_v(mikey_msg *m, uint8_t alg)
{
	mikey_payload *p;

	ADD(p, &m->payloads, MIKEY_PT_V);
	p->u.v.auth_alg = alg;
	PAT(&p->u.v.ver_data, (size_t)mikey_mac_len(alg), 55);
	return MIKEY_OK;
}

static int add_key_data(mikey_msg *m, mikey_payload_list *list, uint8_t key_type, size_t key_len, size_t salt_len,
                        uint8_t kv_type)
{
	mikey_payload *p;

	ADD(p, list, MIKEY_PT_KEY_DATA);
	p->u.key_data.key_type = key_type;
	PAT(&p->u.key_data.key, key_len, 10 + key_type);
	if (salt_len > 0)
		PAT(&p->u.key_data.salt, salt_len, 20 + key_type);
	p->u.key_data.kv.type = kv_type;
	if (kv_type == MIKEY_KV_SPI) {
		PAT(&p->u.key_data.kv.spi, 4, 30);
	} else if (kv_type == MIKEY_KV_INTERVAL) {
		PAT(&p->u.key_data.kv.valid_from, 8, 31);
		PAT(&p->u.key_data.kv.valid_to, 6, 32);
	}
	return MIKEY_OK;
}

/* A KEMAC with NULL encryption; the caller adds the sub-payloads to the
 * returned payload's u.kemac.sub. */
static int add_kemac_null(mikey_msg *m, uint8_t mac_alg, mikey_payload **out)
{
	mikey_payload *p;

	ADD(p, &m->payloads, MIKEY_PT_KEMAC);
	p->u.kemac.encr_alg = MIKEY_ENCR_NULL;
	p->u.kemac.mac_alg = mac_alg;
	if (mikey_mac_len(mac_alg) > 0)
		PAT(&p->u.kemac.mac, (size_t)mikey_mac_len(mac_alg), 44);
	*out = p;
	return MIKEY_OK;
}

#define CALL(expr)                                                                                               \
	do {                                                                                                     \
		int rc_ = (expr);                                                                                \
		if (rc_ != MIKEY_OK)                                                                             \
			return rc_;                                                                              \
	} while (0)

/* RFC 3830 §3.1 I_MESSAGE: HDR, T, RAND, SP, KEMAC (NULL encryption). */
static int fill_psk_init(mikey_msg *m)
{
	mikey_payload *k;

	CALL(hdr_srtp(m, MIKEY_DT_PSK_INIT, 2));
	m->hdr.v = true;
	CALL(add_ts(m, MIKEY_TS_NTP_UTC, 0xe7a1b2c3d4e5f607ull));
	CALL(add_rand(m, 16, 1));
	CALL(add_sp(m, 0, MIKEY_PROT_SRTP, 13));
	CALL(add_kemac_null(m, MIKEY_MAC_HMAC_SHA1_160, &k));
	CALL(add_key_data(m, &k->u.kemac.sub, MIKEY_KEY_TEK_SALT, 16, 14, MIKEY_KV_SPI));
	CALL(add_key_data(m, &k->u.kemac.sub, MIKEY_KEY_TGK, 16, 0, MIKEY_KV_INTERVAL));
	return MIKEY_OK;
}

/* RFC 3830 §3.1 R_MESSAGE: HDR, T, V. */
static int fill_psk_resp(mikey_msg *m)
{
	CALL(hdr_srtp(m, MIKEY_DT_PSK_RESP, 1));
	CALL(add_ts(m, MIKEY_TS_NTP, 0x0102030405060708ull));
	CALL(add_v(m, MIKEY_MAC_HMAC_SHA256_256));
	return MIKEY_OK;
}

/* RFC 3830 §3.3 I_MESSAGE: HDR, T, RAND, CERT, SP, DH, SIGN. */
static int fill_dh_init(mikey_msg *m)
{
	mikey_payload *p;

	CALL(hdr_srtp(m, MIKEY_DT_DH_INIT, 1));
	m->hdr.prf_func = MIKEY_PRF_HMAC_SHA_256;
	CALL(add_ts(m, MIKEY_TS_COUNTER, 0x11223344u));
	CALL(add_rand(m, 32, 2));
	CALL(add_cert(m, MIKEY_CERT_X509V3, 200, 3));
	CALL(add_sp(m, 1, MIKEY_PROT_SRTP, 3));
	ADD(p, &m->payloads, MIKEY_PT_DH);
	p->u.dh.group = MIKEY_DH_OAKLEY_2;
	PAT(&p->u.dh.value, (size_t)mikey_dh_value_len(MIKEY_DH_OAKLEY_2), 4);
	p->u.dh.kv.type = MIKEY_KV_SPI;
	PAT(&p->u.dh.kv.spi, 2, 5);
	CALL(add_sign(m, MIKEY_SIGN_RSA_PKCS1_15, 128));
	return MIKEY_OK;
}

/* RFC 3830 §3.3 R_MESSAGE: HDR, T, [ID], CERT, DH (two, both KV kinds), SIGN. */
static int fill_dh_resp(mikey_msg *m)
{
	mikey_payload *p;

	CALL(hdr_srtp(m, MIKEY_DT_DH_RESP, 1));
	CALL(add_ts(m, MIKEY_TS_NTP_UTC, 0xe000000000000001ull));
	CALL(add_id(m, &m->payloads, MIKEY_PT_ID, 0, MIKEY_ID_URI, "sip:bob@example.com"));
	CALL(add_cert(m, MIKEY_CERT_X509V3_SIGN, 64, 6));
	ADD(p, &m->payloads, MIKEY_PT_DH);
	p->u.dh.group = MIKEY_DH_OAKLEY_1;
	PAT(&p->u.dh.value, (size_t)mikey_dh_value_len(MIKEY_DH_OAKLEY_1), 7);
	p->u.dh.kv.type = MIKEY_KV_NULL;
	ADD(p, &m->payloads, MIKEY_PT_DH);
	p->u.dh.group = MIKEY_DH_OAKLEY_5;
	PAT(&p->u.dh.value, (size_t)mikey_dh_value_len(MIKEY_DH_OAKLEY_5), 8);
	p->u.dh.kv.type = MIKEY_KV_INTERVAL;
	PAT(&p->u.dh.kv.valid_from, 4, 9);
	PAT(&p->u.dh.kv.valid_to, 4, 10);
	CALL(add_sign(m, MIKEY_SIGN_RSA_PSS, 256));
	return MIKEY_OK;
}

/* RFC 3830 §3.2 I_MESSAGE: HDR, T, RAND, IDi, CERTi, CHASH, SP, KEMAC
 * (ID first, NULL encryption so the parser decodes it), PKE, SIGN. */
static int fill_pk_init(mikey_msg *m)
{
	mikey_payload *p, *k;

	CALL(hdr_srtp(m, MIKEY_DT_PK_INIT, 1));
	CALL(add_ts(m, MIKEY_TS_NTP_UTC, 0xe7a1b2c3d4e5f608ull));
	CALL(add_rand(m, 16, 11));
	CALL(add_id(m, &m->payloads, MIKEY_PT_ID, 0, MIKEY_ID_NAI, "alice@example.com"));
	CALL(add_cert(m, MIKEY_CERT_X509V3_URL, 40, 12));
	ADD(p, &m->payloads, MIKEY_PT_CHASH);
	p->u.chash.hash_func = MIKEY_HASH_SHA256;
	PAT(&p->u.chash.hash, (size_t)mikey_hash_len(MIKEY_HASH_SHA256), 13);
	CALL(add_sp(m, 0, MIKEY_PROT_SRTP, 5));
	CALL(add_kemac_null(m, MIKEY_MAC_HMAC_SHA256_256, &k));
	CALL(add_id(m, &k->u.kemac.sub, MIKEY_PT_ID, 0, MIKEY_ID_NAI, "alice@example.com"));
	CALL(add_key_data(m, &k->u.kemac.sub, MIKEY_KEY_TGK, 16, 0, MIKEY_KV_NULL));
	ADD(p, &m->payloads, MIKEY_PT_PKE);
	p->u.pke.cache = MIKEY_PKE_CACHE;
	PAT(&p->u.pke.data, 128, 14);
	CALL(add_sign(m, MIKEY_SIGN_RSA_PKCS1_15, 128));
	return MIKEY_OK;
}

/* The same with an encrypted (opaque) KEMAC, SHA-1 and MD5 CHASH. */
static int fill_pk_init_enc(mikey_msg *m)
{
	mikey_payload *p;

	CALL(hdr_srtp(m, MIKEY_DT_PK_INIT, 3));
	CALL(add_ts(m, MIKEY_TS_NTP, 0x1ull));
	CALL(add_rand(m, 8, 15));
	ADD(p, &m->payloads, MIKEY_PT_CHASH);
	p->u.chash.hash_func = MIKEY_HASH_SHA1;
	PAT(&p->u.chash.hash, (size_t)mikey_hash_len(MIKEY_HASH_SHA1), 16);
	ADD(p, &m->payloads, MIKEY_PT_CHASH);
	p->u.chash.hash_func = MIKEY_HASH_MD5;
	PAT(&p->u.chash.hash, (size_t)mikey_hash_len(MIKEY_HASH_MD5), 17);
	ADD(p, &m->payloads, MIKEY_PT_KEMAC);
	p->u.kemac.encr_alg = MIKEY_ENCR_AES_CM_128;
	PAT(&p->u.kemac.encr_data, 60, 18);
	p->u.kemac.mac_alg = MIKEY_MAC_HMAC_SHA1_160;
	PAT(&p->u.kemac.mac, 20, 19);
	ADD(p, &m->payloads, MIKEY_PT_PKE);
	p->u.pke.cache = MIKEY_PKE_CACHE_CSB;
	PAT(&p->u.pke.data, 300, 20);
	CALL(add_sign(m, MIKEY_SIGN_RSA_PSS, 64));
	return MIKEY_OK;
}

/* RFC 3830 §5.1.2 error message: HDR, T, {ERR}, V. */
static int fill_error(mikey_msg *m)
{
	mikey_payload *p;

	CALL(hdr_srtp(m, MIKEY_DT_ERROR, 0));
	CALL(add_ts(m, MIKEY_TS_NTP_UTC, 0xe7a1b2c3d4e5f609ull));
	ADD(p, &m->payloads, MIKEY_PT_ERR);
	p->u.err.err_no = MIKEY_ERRNO_INVALID_TS;
	ADD(p, &m->payloads, MIKEY_PT_ERR);
	p->u.err.err_no = MIKEY_ERRNO_UNSUPPORTED_MSG;
	p->u.err.reserved = 0x1234;
	CALL(add_v(m, MIKEY_MAC_HMAC_SHA1_160));
	return MIKEY_OK;
}

/* RFC 4563: Empty map, General Extensions KEY-ID and raw, KEMAC with all
 * key types that carry (or not) a salt, NULL MAC. */
static int fill_key_id(mikey_msg *m)
{
	mikey_payload *p, *k;

	m->hdr.data_type = MIKEY_DT_PSK_INIT;
	m->hdr.csb_id = 0xcafef00du;
	m->hdr.map_type = MIKEY_MAP_EMPTY;
	CALL(add_ts(m, MIKEY_TS_NTP_UTC, 0xe7a1b2c3d4e5f60aull));
	CALL(add_rand(m, 16, 21));
	ADD(p, &m->payloads, MIKEY_PT_GEN_EXT);
	p->u.gen_ext.ext_type = MIKEY_GEN_KEY_ID;
	p->u.gen_ext.n_key_ids = 3;
	ALLOC(p->u.gen_ext.key_ids, 3);
	p->u.gen_ext.key_ids[0].type = MIKEY_KEYID_MBMS_DOMAIN;
	PAT(&p->u.gen_ext.key_ids[0].id, 5, 22);
	p->u.gen_ext.key_ids[1].type = MIKEY_KEYID_MBMS_SERVICE;
	p->u.gen_ext.key_ids[2].type = MIKEY_KEYID_MBMS_TRAFFIC;
	PAT(&p->u.gen_ext.key_ids[2].id, 16, 23);
	ADD(p, &m->payloads, MIKEY_PT_GEN_EXT);
	p->u.gen_ext.ext_type = MIKEY_GEN_VENDOR_ID;
	STR(&p->u.gen_ext.data, "libmikey-test");
	ADD(p, &m->payloads, MIKEY_PT_GEN_EXT);
	p->u.gen_ext.ext_type = MIKEY_GEN_SDP_IDS;
	CALL(add_kemac_null(m, MIKEY_MAC_NULL, &k));
	CALL(add_key_data(m, &k->u.kemac.sub, MIKEY_KEY_TEK, 16, 0, MIKEY_KV_NULL));
	CALL(add_key_data(m, &k->u.kemac.sub, MIKEY_KEY_TGK_SALT, 16, 12, MIKEY_KV_NULL));
	CALL(add_key_data(m, &k->u.kemac.sub, MIKEY_KEY_GTGK, 32, 0, MIKEY_KV_SPI));
	CALL(add_key_data(m, &k->u.kemac.sub, MIKEY_KEY_GTGK_SALT, 16, 14, MIKEY_KV_INTERVAL));
	CALL(add_key_data(m, &k->u.kemac.sub, MIKEY_KEY_MPK, 0, 0, MIKEY_KV_NULL));
	return MIKEY_OK;
}

/* RFC 6043 §6.1.1 GENERIC-ID map with two blocks, TESLA SP (RFC 4442). */
static int fill_generic_id(mikey_msg *m)
{
	mikey_payload *k;
	mikey_generic_cs *cs;

	m->hdr.data_type = MIKEY_DT_PSK_INIT;
	m->hdr.prf_func = MIKEY_PRF_HMAC_SHA_256;
	m->hdr.csb_id = 0x0badc0deu;
	m->hdr.n_cs = 2;
	m->hdr.map_type = MIKEY_MAP_GENERIC_ID;
	ALLOC(m->hdr.generic_cs, 2);
	cs = &m->hdr.generic_cs[0];
	cs->cs_id = 1;
	cs->prot_type = MIKEY_PROT_SRTP;
	cs->s_flag = true;
	cs->n_policies = 2;
	ALLOC(cs->policies, 2);
	cs->policies[0] = 0;
	cs->policies[1] = 1;
	PAT(&cs->session_data, 10, 24);
	PAT(&cs->spi, 4, 25);
	cs = &m->hdr.generic_cs[1];
	cs->cs_id = 2;
	cs->prot_type = MIKEY_PROT_TESLA;
	PAT(&cs->session_data, 4, 26);
	CALL(add_ts(m, MIKEY_TS_NTP_UTC, 0xe7a1b2c3d4e5f60bull));
	CALL(add_rand(m, 16, 27));
	CALL(add_sp(m, 0, MIKEY_PROT_SRTP, 2));
	CALL(add_sp(m, 1, MIKEY_PROT_TESLA, 9));
	CALL(add_kemac_null(m, MIKEY_MAC_HMAC_SHA256_256, &k));
	CALL(add_key_data(m, &k->u.kemac.sub, MIKEY_KEY_TEK_SALT, 16, 14, MIKEY_KV_SPI));
	return MIKEY_OK;
}

/* RFC 6043 REQUEST_INIT: HDR, T, RANDRi, IDRi, IDRkms, TP, KEMAC, V. */
static int fill_ticket_request(mikey_msg *m)
{
	mikey_payload *p, *k;

	CALL(hdr_srtp(m, MIKEY_DT_TICKET_REQUEST_INIT_PSK, 0));
	CALL(add_ts(m, MIKEY_TS_NTP_UTC, 0xe7a1b2c3d4e5f60cull));
	ADD(p, &m->payloads, MIKEY_PT_RANDR);
	p->u.rand.role = MIKEY_RAND_ROLE_INITIATOR;
	PAT(&p->u.rand.rand, 16, 28);
	CALL(add_id(m, &m->payloads, MIKEY_PT_IDR, MIKEY_ID_ROLE_INITIATOR, MIKEY_ID_URI, "sip:alice@example.com"));
	CALL(add_id(m, &m->payloads, MIKEY_PT_IDR, MIKEY_ID_ROLE_KMS, MIKEY_ID_URI, "sip:kms@example.com"));
	ADD(p, &m->payloads, MIKEY_PT_TP);
	p->u.ticket.ticket_type = MIKEY_TICKET_MIKEY_BASE;
	p->u.ticket.subtype = 1;
	p->u.ticket.version = 1;
	p->u.ticket.prf_func = MIKEY_PRF_HMAC_SHA_256;
	p->u.ticket.flags = 0xabc;
	PAT(&p->u.ticket.tp_data, 12, 29);
	CALL(add_kemac_null(m, MIKEY_MAC_NULL, &k));
	CALL(add_key_data(m, &k->u.kemac.sub, MIKEY_KEY_TGK, 16, 0, MIKEY_KV_NULL));
	CALL(add_v(m, MIKEY_MAC_HMAC_SHA256_256));
	return MIKEY_OK;
}

/* RFC 6043 TRANSFER_INIT: HDR, T, RANDRi, RANDRkms, IDRi, TICKET, TRs, TRe,
 * KEMAC, V. */
static int fill_ticket_transfer(mikey_msg *m)
{
	mikey_payload *p, *k;

	CALL(hdr_srtp(m, MIKEY_DT_TICKET_TRANSFER_INIT, 1));
	CALL(add_ts(m, MIKEY_TS_NTP, 0xe7a1b2c3d4e5f60dull));
	ADD(p, &m->payloads, MIKEY_PT_RANDR);
	p->u.rand.role = MIKEY_RAND_ROLE_INITIATOR;
	PAT(&p->u.rand.rand, 16, 30);
	ADD(p, &m->payloads, MIKEY_PT_RANDR);
	p->u.rand.role = MIKEY_RAND_ROLE_KMS;
	PAT(&p->u.rand.rand, 20, 31);
	CALL(add_id(m, &m->payloads, MIKEY_PT_IDR, MIKEY_ID_ROLE_INITIATOR, MIKEY_ID_BYTE_STRING, "\x01\x02\x03"));
	ADD(p, &m->payloads, MIKEY_PT_TICKET);
	p->u.ticket.ticket_type = MIKEY_TICKET_3GPP_BASE;
	p->u.ticket.subtype = 1;
	p->u.ticket.version = 2;
	p->u.ticket.prf_func = 0;
	p->u.ticket.flags = 0x801;
	p->u.ticket.reserved = 0x15;
	PAT(&p->u.ticket.tp_data, 7, 32);
	PAT(&p->u.ticket.ticket_data, 40, 33);
	PAT(&p->u.ticket.initiator_data, 3, 34);
	ADD(p, &m->payloads, MIKEY_PT_TR);
	p->u.ts.role = MIKEY_TS_ROLE_START;
	p->u.ts.ts_type = MIKEY_TS_NTP_UTC_32;
	p->u.ts.value = 0xe7a1b2c3u;
	ADD(p, &m->payloads, MIKEY_PT_TR);
	p->u.ts.role = MIKEY_TS_ROLE_END;
	p->u.ts.ts_type = MIKEY_TS_NTP;
	p->u.ts.value = 0xe8a1b2c3d4e5f60dull;
	CALL(add_kemac_null(m, MIKEY_MAC_HMAC_SHA1_160, &k));
	CALL(add_key_data(m, &k->u.kemac.sub, MIKEY_KEY_TEK, 16, 0, MIKEY_KV_SPI));
	CALL(add_v(m, MIKEY_MAC_HMAC_SHA1_160));
	return MIKEY_OK;
}

/* RFC 6509 §2.1 I_MESSAGE: HDR, T, RAND, IDRi, IDRr, SAKKE, SIGN (ECCSI). */
static int fill_sakke(mikey_msg *m)
{
	mikey_payload *p;

	CALL(hdr_srtp(m, MIKEY_DT_SAKKE, 1));
	CALL(add_ts(m, MIKEY_TS_NTP_UTC, 0xe7a1b2c3d4e5f60eull));
	CALL(add_rand(m, 16, 35));
	CALL(add_id(m, &m->payloads, MIKEY_PT_IDR, MIKEY_ID_ROLE_INITIATOR, MIKEY_ID_URI,
	            "tel:+447700900123"));
	CALL(add_id(m, &m->payloads, MIKEY_PT_IDR, MIKEY_ID_ROLE_RESPONDER_KMS, MIKEY_ID_URI, "kms.example.org"));
	ADD(p, &m->payloads, MIKEY_PT_SAKKE);
	p->u.sakke.params = 1;
	p->u.sakke.id_scheme = 1;
	PAT(&p->u.sakke.data, 273, 36);
	CALL(add_sign(m, MIKEY_SIGN_ECCSI, 129));
	return MIKEY_OK;
}

/* RFC 4650 I_MESSAGE: HDR, T, RAND, IDi, IDr, SP, DHi, KEMAC (no keys). */
static int fill_dhhmac_init(mikey_msg *m)
{
	mikey_payload *p, *k;

	CALL(hdr_srtp(m, MIKEY_DT_DHHMAC_INIT, 1));
	CALL(add_ts(m, MIKEY_TS_NTP_UTC, 0xe7a1b2c3d4e5f60full));
	CALL(add_rand(m, 16, 37));
	CALL(add_id(m, &m->payloads, MIKEY_PT_ID, 0, MIKEY_ID_NAI, "alice@example.com"));
	CALL(add_id(m, &m->payloads, MIKEY_PT_ID, 0, MIKEY_ID_NAI, "bob@example.com"));
	CALL(add_sp(m, 0, MIKEY_PROT_SRTP, 4));
	ADD(p, &m->payloads, MIKEY_PT_DH);
	p->u.dh.group = MIKEY_DH_OAKLEY_2;
	PAT(&p->u.dh.value, (size_t)mikey_dh_value_len(MIKEY_DH_OAKLEY_2), 38);
	CALL(add_kemac_null(m, MIKEY_MAC_HMAC_SHA1_160, &k));
	return MIKEY_OK;
}

/* RFC 4738 §3.2 R_MESSAGE: HDR, T, IDr, RAND, KEMAC (ID first), PKE, SIGN. */
static int fill_rsar_resp(mikey_msg *m)
{
	mikey_payload *p, *k;

	CALL(hdr_srtp(m, MIKEY_DT_RSAR_RESP, 1));
	CALL(add_ts(m, MIKEY_TS_NTP_UTC, 0xe7a1b2c3d4e5f610ull));
	CALL(add_id(m, &m->payloads, MIKEY_PT_ID, 0, MIKEY_ID_URI, "sip:bob@example.com"));
	CALL(add_rand(m, 16, 39));
	CALL(add_kemac_null(m, MIKEY_MAC_HMAC_SHA1_160, &k));
	CALL(add_id(m, &k->u.kemac.sub, MIKEY_PT_ID, 0, MIKEY_ID_URI, "sip:bob@example.com"));
	CALL(add_key_data(m, &k->u.kemac.sub, MIKEY_KEY_TGK, 16, 0, MIKEY_KV_NULL));
	CALL(add_key_data(m, &k->u.kemac.sub, MIKEY_KEY_TEK_SALT, 16, 14, MIKEY_KV_SPI));
	ADD(p, &m->payloads, MIKEY_PT_PKE);
	p->u.pke.cache = MIKEY_PKE_NO_CACHE;
	PAT(&p->u.pke.data, 64, 40);
	CALL(add_sign(m, MIKEY_SIGN_RSA_PKCS1_15, 64));
	return MIKEY_OK;
}

/* A Common Header alone (an empty next-payload chain). */
static int fill_hdr_only(mikey_msg *m)
{
	m->hdr.data_type = MIKEY_DT_PSK_RESP;
	m->hdr.map_type = MIKEY_MAP_EMPTY;
	m->hdr.csb_id = 1;
	return MIKEY_OK;
}

static const test_msg_desc test_msgs[] = {
	{"psk_init", fill_psk_init},
	{"psk_resp", fill_psk_resp},
	{"dh_init", fill_dh_init},
	{"dh_resp", fill_dh_resp},
	{"pk_init", fill_pk_init},
	{"pk_init_enc", fill_pk_init_enc},
	{"error", fill_error},
	{"key_id", fill_key_id},
	{"generic_id", fill_generic_id},
	{"ticket_request", fill_ticket_request},
	{"ticket_transfer", fill_ticket_transfer},
	{"sakke", fill_sakke},
	{"dhhmac_init", fill_dhhmac_init},
	{"rsar_resp", fill_rsar_resp},
	{"hdr_only", fill_hdr_only},
};

size_t test_msgs_count(void)
{
	return sizeof(test_msgs) / sizeof(test_msgs[0]);
}

const test_msg_desc *test_msgs_get(size_t i)
{
	return i < test_msgs_count() ? &test_msgs[i] : NULL;
}

size_t test_msgs_find(const char *name)
{
	for (size_t i = 0; i < test_msgs_count(); i++)
		if (strcmp(test_msgs[i].name, name) == 0)
			return i;
	return (size_t)-1;
}

int test_msgs_build(size_t i, uint8_t **out, size_t *out_len)
{
	mikey_msg *m;
	int rc;

	if (i >= test_msgs_count())
		return MIKEY_ERR_ARG;
	m = mikey_msg_new();
	if (m == NULL)
		return MIKEY_ERR_NOMEM;
	rc = test_msgs[i].fill(m);
	if (rc == MIKEY_OK)
		rc = mikey_msg_build(m, out, out_len, NULL);
	mikey_msg_free(m);
	return rc;
}
