/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * make_msgs.c - writes the MIKEY messages that test_decode_cli.py feeds
 * to "mikey-tool decode", built with the public builder API.
 *
 * Usage: make_msgs OUTDIR   (writes OUTDIR/<name>.bin, one per message)
 *
 * The field values set here are the test's inputs; test_decode_cli.py
 * holds the same values and checks that the tool prints them back (a
 * build -> bytes -> parse -> print round trip through a separate process).
 * Keep the two in step.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mikey/mikey.h>

#define CHECK(x)                                                                                       \
	do {                                                                                           \
		if (!(x)) {                                                                            \
			fprintf(stderr, "make_msgs: %s:%d: %s failed\n", __FILE__, __LINE__, #x);     \
			exit(1);                                                                       \
		}                                                                                      \
	} while (0)

/* pattern fills |n| bytes with start, start+1, ... */
static void set_pattern(mikey_msg *m, mikey_bytes *b, size_t n, uint8_t start)
{
	uint8_t buf[512];

	CHECK(n <= sizeof(buf));
	for (size_t i = 0; i < n; i++)
		buf[i] = (uint8_t)(start + i);
	CHECK(mikey_msg_set_bytes(m, b, buf, n) == MIKEY_OK);
}

static void set_str(mikey_msg *m, mikey_bytes *b, const char *s)
{
	CHECK(mikey_msg_set_bytes(m, b, s, strlen(s)) == MIKEY_OK);
}

static mikey_payload *add(mikey_msg *m, uint8_t type)
{
	mikey_payload *p = mikey_msg_add_payload(m, &m->payloads, type);
	CHECK(p != NULL);
	return p;
}

/* sp_params sets |n| parameters from a flat list of (type, len, bytes...). */
static void sp_params(mikey_msg *m, mikey_sp *sp, const uint8_t *tlv, size_t tlv_len)
{
	size_t n = 0;

	for (size_t i = 0; i + 1 < tlv_len; i += 2 + tlv[i + 1])
		n++;
	sp->params = mikey_msg_alloc(m, n * sizeof(*sp->params));
	CHECK(sp->params != NULL);
	sp->n_params = n;
	for (size_t i = 0, k = 0; k < n; k++) {
		sp->params[k].type = tlv[i];
		sp->params[k].len = tlv[i + 1];
		sp->params[k].value = mikey_msg_alloc(m, tlv[i + 1] ? tlv[i + 1] : 1);
		CHECK(sp->params[k].value != NULL);
		memcpy(sp->params[k].value, tlv + i + 2, tlv[i + 1]);
		i += 2 + tlv[i + 1];
	}
}

static void write_msg(const char *dir, const char *name, mikey_msg *m)
{
	char path[1024];
	uint8_t *buf = NULL;
	size_t len = 0;
	mikey_error err;
	FILE *f;

	if (mikey_msg_build(m, &buf, &len, &err) != MIKEY_OK) {
		fprintf(stderr, "make_msgs: building %s: %s: %s\n", name, mikey_error_name(err.code), err.message);
		exit(1);
	}
	snprintf(path, sizeof(path), "%s/%s.bin", dir, name);
	f = fopen(path, "wb");
	CHECK(f != NULL);
	CHECK(fwrite(buf, 1, len, f) == len);
	CHECK(fclose(f) == 0);
	mikey_buf_free(buf, len);
	mikey_msg_free(m);
}

/* 2023-01-01T00:00:00Z is Unix 1672531200, NTP 1672531200 + 2208988800 =
 * 3881520000 = 0xe75b4b80 seconds; fraction 0x80000000 = 0.5 s. */
#define NTP_2023 0xe75b4b8080000000ull

/* psk: HDR (SRTP-ID, 2 CS), T, RAND, SP (SRTP, all 13 parameters),
 * KEMAC (NULL, NULL) with a TEK+SALT (KV SPI) and a TGK (KV Interval). */
static void make_psk(const char *dir)
{
	static const uint8_t tlv[] = {0, 1, 1,  1, 1, 16, 2, 1, 1, 3, 1, 20, 4,  1, 14, 5, 1, 0, 6, 1, 0,
	                              7, 1, 1,  8, 1, 1,  9, 1, 0, 10, 1, 1, 11, 1, 10, 12, 1, 0};
	static const uint8_t spi[] = {0x01};
	static const uint8_t vf[] = {0, 0, 0, 0, 0, 0};
	static const uint8_t vt[] = {0, 0, 0xff, 0xff, 0xff, 0xff};
	mikey_msg *m = mikey_msg_new();
	mikey_payload *p, *kd;

	CHECK(m != NULL);
	m->hdr.data_type = MIKEY_DT_PSK_INIT;
	m->hdr.v = true;
	m->hdr.prf_func = MIKEY_PRF_MIKEY_1;
	m->hdr.csb_id = 0x12345678;
	m->hdr.n_cs = 2;
	m->hdr.map_type = MIKEY_MAP_SRTP_ID;
	m->hdr.srtp_cs = mikey_msg_alloc(m, 2 * sizeof(*m->hdr.srtp_cs));
	CHECK(m->hdr.srtp_cs != NULL);
	m->hdr.srtp_cs[0] = (mikey_srtp_cs){0, 0xdeadbeef, 0};
	m->hdr.srtp_cs[1] = (mikey_srtp_cs){0, 0x01020304, 7};

	p = add(m, MIKEY_PT_T);
	p->u.ts.ts_type = MIKEY_TS_NTP_UTC;
	p->u.ts.value = NTP_2023;
	p = add(m, MIKEY_PT_RAND);
	set_pattern(m, &p->u.rand.rand, 16, 0x00);
	p = add(m, MIKEY_PT_SP);
	p->u.sp.policy_no = 0;
	p->u.sp.prot_type = MIKEY_PROT_SRTP;
	sp_params(m, &p->u.sp, tlv, sizeof(tlv));
	p = add(m, MIKEY_PT_KEMAC);
	p->u.kemac.encr_alg = MIKEY_ENCR_NULL;
	p->u.kemac.mac_alg = MIKEY_MAC_NULL;
	kd = mikey_msg_add_payload(m, &p->u.kemac.sub, MIKEY_PT_KEY_DATA);
	CHECK(kd != NULL);
	kd->u.key_data.key_type = MIKEY_KEY_TEK_SALT;
	set_pattern(m, &kd->u.key_data.key, 16, 0x10);
	set_pattern(m, &kd->u.key_data.salt, 14, 0x20);
	kd->u.key_data.kv.type = MIKEY_KV_SPI;
	CHECK(mikey_msg_set_bytes(m, &kd->u.key_data.kv.spi, spi, sizeof(spi)) == MIKEY_OK);
	kd = mikey_msg_add_payload(m, &p->u.kemac.sub, MIKEY_PT_KEY_DATA);
	CHECK(kd != NULL);
	kd->u.key_data.key_type = MIKEY_KEY_TGK;
	set_pattern(m, &kd->u.key_data.key, 16, 0x40);
	kd->u.key_data.kv.type = MIKEY_KV_INTERVAL;
	CHECK(mikey_msg_set_bytes(m, &kd->u.key_data.kv.valid_from, vf, sizeof(vf)) == MIKEY_OK);
	CHECK(mikey_msg_set_bytes(m, &kd->u.key_data.kv.valid_to, vt, sizeof(vt)) == MIKEY_OK);
	write_msg(dir, "psk", m);
}

/* tesla: HDR (Empty map), T, SP (TESLA, RFC 4442 §4.2 parameters 1-9),
 * General Ext. TESLA I-Key and Key ID (RFC 4563), KEMAC NULL with a TGK. */
static void make_tesla(const char *dir)
{
	static const uint8_t tlv[] = {
		1, 1, 0,                                              /* PRF HMAC-SHA1 */
		2, 1, 160,                                            /* f' output 160 bits */
		3, 1, 0,                                              /* MAC HMAC-SHA1 */
		4, 1, 80,                                             /* MAC 80 bits */
		5, 8, 0xe7, 0x5b, 0x4b, 0x80, 0x00, 0x00, 0x00, 0x00, /* start: 2023-01-01 */
		6, 4, 0, 0, 0, 100,                                   /* interval 100 ms */
		7, 2, 0, 4,                                           /* delay 4 intervals */
		8, 4, 0, 0, 0x03, 0xe8,                               /* chain 1000 intervals */
		9, 8, 0xe7, 0x5b, 0x4b, 0x81, 0x40, 0x00, 0x00, 0x00, /* receiver: +1.25 s */
	};
	static const uint8_t id_traffic[] = {0x00, 0x00, 0x00, 0x2a};
	mikey_msg *m = mikey_msg_new();
	mikey_payload *p, *kd;

	CHECK(m != NULL);
	m->hdr.data_type = MIKEY_DT_PSK_INIT;
	m->hdr.csb_id = 0xcafe0001;
	m->hdr.n_cs = 0;
	m->hdr.map_type = MIKEY_MAP_EMPTY;
	p = add(m, MIKEY_PT_T);
	p->u.ts.ts_type = MIKEY_TS_NTP;
	p->u.ts.value = NTP_2023;
	p = add(m, MIKEY_PT_SP);
	p->u.sp.policy_no = 3;
	p->u.sp.prot_type = MIKEY_PROT_TESLA;
	sp_params(m, &p->u.sp, tlv, sizeof(tlv));
	p = add(m, MIKEY_PT_GEN_EXT);
	p->u.gen_ext.ext_type = MIKEY_GEN_TESLA_IKEY;
	set_pattern(m, &p->u.gen_ext.data, 20, 0x60);
	p = add(m, MIKEY_PT_GEN_EXT);
	p->u.gen_ext.ext_type = MIKEY_GEN_KEY_ID;
	p->u.gen_ext.n_key_ids = 2;
	p->u.gen_ext.key_ids = mikey_msg_alloc(m, 2 * sizeof(*p->u.gen_ext.key_ids));
	CHECK(p->u.gen_ext.key_ids != NULL);
	p->u.gen_ext.key_ids[0].type = MIKEY_KEYID_MBMS_SERVICE;
	set_pattern(m, &p->u.gen_ext.key_ids[0].id, 3, 0xa0);
	p->u.gen_ext.key_ids[1].type = MIKEY_KEYID_MBMS_TRAFFIC;
	CHECK(mikey_msg_set_bytes(m, &p->u.gen_ext.key_ids[1].id, id_traffic, 4) == MIKEY_OK);
	p = add(m, MIKEY_PT_KEMAC);
	kd = mikey_msg_add_payload(m, &p->u.kemac.sub, MIKEY_PT_KEY_DATA);
	CHECK(kd != NULL);
	kd->u.key_data.key_type = MIKEY_KEY_TGK;
	set_pattern(m, &kd->u.key_data.key, 16, 0x70);
	write_msg(dir, "tesla", m);
}

/* pk: HDR (Public key), T COUNTER, RAND, ID URI, CERT, CHASH, PKE,
 * KEMAC (AES-CM-128, HMAC-SHA-1-160), SIGN RSA/PSS. */
static void make_pk(const char *dir)
{
	mikey_msg *m = mikey_msg_new();
	mikey_payload *p;

	CHECK(m != NULL);
	m->hdr.data_type = MIKEY_DT_PK_INIT;
	m->hdr.csb_id = 0x0badf00d;
	m->hdr.n_cs = 1;
	m->hdr.map_type = MIKEY_MAP_SRTP_ID;
	m->hdr.srtp_cs = mikey_msg_alloc(m, sizeof(*m->hdr.srtp_cs));
	CHECK(m->hdr.srtp_cs != NULL);
	m->hdr.srtp_cs[0] = (mikey_srtp_cs){1, 0xffffffff, 0xffffffff};
	p = add(m, MIKEY_PT_T);
	p->u.ts.ts_type = MIKEY_TS_COUNTER;
	p->u.ts.value = 42;
	p = add(m, MIKEY_PT_RAND);
	set_pattern(m, &p->u.rand.rand, 20, 0x80);
	p = add(m, MIKEY_PT_ID);
	p->u.id.type = MIKEY_ID_URI;
	set_str(m, &p->u.id.data, "sip:alice@example.com");
	p = add(m, MIKEY_PT_CERT);
	p->u.id.type = MIKEY_CERT_X509V3_SIGN;
	set_pattern(m, &p->u.id.data, 48, 0x30);
	p = add(m, MIKEY_PT_CHASH);
	p->u.chash.hash_func = MIKEY_HASH_SHA1;
	set_pattern(m, &p->u.chash.hash, 20, 0x90);
	p = add(m, MIKEY_PT_PKE);
	p->u.pke.cache = MIKEY_PKE_CACHE_CSB;
	set_pattern(m, &p->u.pke.data, 64, 0x01);
	p = add(m, MIKEY_PT_KEMAC);
	p->u.kemac.encr_alg = MIKEY_ENCR_AES_CM_128;
	set_pattern(m, &p->u.kemac.encr_data, 32, 0xc0);
	p->u.kemac.mac_alg = MIKEY_MAC_HMAC_SHA1_160;
	set_pattern(m, &p->u.kemac.mac, 20, 0xe0);
	p = add(m, MIKEY_PT_SIGN);
	p->u.sign.s_type = MIKEY_SIGN_RSA_PSS;
	set_pattern(m, &p->u.sign.sig, 128, 0x05);
	write_msg(dir, "pk", m);
}

/* dh: HDR (D-H init), T, RAND, DH OAKLEY 1 (96 bytes) with KV SPI, SIGN. */
static void make_dh(const char *dir)
{
	static const uint8_t spi[] = {0xaa, 0xbb};
	mikey_msg *m = mikey_msg_new();
	mikey_payload *p;

	CHECK(m != NULL);
	m->hdr.data_type = MIKEY_DT_DH_INIT;
	m->hdr.csb_id = 7;
	m->hdr.map_type = MIKEY_MAP_SRTP_ID;
	p = add(m, MIKEY_PT_T);
	p->u.ts.ts_type = MIKEY_TS_NTP_UTC;
	p->u.ts.value = NTP_2023;
	p = add(m, MIKEY_PT_RAND);
	set_pattern(m, &p->u.rand.rand, 16, 0x11);
	p = add(m, MIKEY_PT_DH);
	p->u.dh.group = MIKEY_DH_OAKLEY_1;
	set_pattern(m, &p->u.dh.value, 96, 0x22);
	p->u.dh.kv.type = MIKEY_KV_SPI;
	CHECK(mikey_msg_set_bytes(m, &p->u.dh.kv.spi, spi, sizeof(spi)) == MIKEY_OK);
	p = add(m, MIKEY_PT_SIGN);
	p->u.sign.s_type = MIKEY_SIGN_RSA_PKCS1_15;
	set_pattern(m, &p->u.sign.sig, 64, 0x33);
	write_msg(dir, "dh", m);
}

/* err: HDR (Error), T, ERR Auth failure, ERR Invalid SPpar, V. */
static void make_err(const char *dir)
{
	mikey_msg *m = mikey_msg_new();
	mikey_payload *p;

	CHECK(m != NULL);
	m->hdr.data_type = MIKEY_DT_ERROR;
	m->hdr.csb_id = 0x12345678;
	m->hdr.map_type = MIKEY_MAP_SRTP_ID;
	p = add(m, MIKEY_PT_T);
	p->u.ts.ts_type = MIKEY_TS_NTP_UTC;
	p->u.ts.value = NTP_2023;
	p = add(m, MIKEY_PT_ERR);
	p->u.err.err_no = MIKEY_ERRNO_AUTH_FAILURE;
	p = add(m, MIKEY_PT_ERR);
	p->u.err.err_no = MIKEY_ERRNO_INVALID_SPPAR;
	p = add(m, MIKEY_PT_V);
	p->u.v.auth_alg = MIKEY_MAC_HMAC_SHA1_160;
	set_pattern(m, &p->u.v.ver_data, 20, 0x44);
	write_msg(dir, "err", m);
}

/* ticket: HDR (TRANSFER_INIT, PRF-HMAC-SHA-256, GENERIC-ID), TR, IDR,
 * RANDR, TICKET, V HMAC-SHA-256-256 (RFC 6043). */
static void make_ticket(const char *dir)
{
	static const uint8_t session[] = {0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 5, 0x12, 0x34};
	static const uint8_t spi[] = {0, 0, 0, 9};
	mikey_msg *m = mikey_msg_new();
	mikey_payload *p;
	mikey_generic_cs *g;

	CHECK(m != NULL);
	m->hdr.data_type = MIKEY_DT_TICKET_TRANSFER_INIT;
	m->hdr.prf_func = MIKEY_PRF_HMAC_SHA_256;
	m->hdr.csb_id = 0xfeedface;
	m->hdr.n_cs = 1;
	m->hdr.map_type = MIKEY_MAP_GENERIC_ID;
	g = m->hdr.generic_cs = mikey_msg_alloc(m, sizeof(*g));
	CHECK(g != NULL);
	g->cs_id = 1;
	g->prot_type = MIKEY_PROT_SRTP;
	g->s_flag = true;
	g->n_policies = 2;
	g->policies = mikey_msg_alloc(m, 2);
	CHECK(g->policies != NULL);
	g->policies[0] = 0;
	g->policies[1] = 5;
	CHECK(mikey_msg_set_bytes(m, &g->session_data, session, sizeof(session)) == MIKEY_OK);
	CHECK(mikey_msg_set_bytes(m, &g->spi, spi, sizeof(spi)) == MIKEY_OK);
	p = add(m, MIKEY_PT_TR);
	p->u.ts.role = MIKEY_TS_ROLE_START;
	p->u.ts.ts_type = MIKEY_TS_NTP_UTC_32;
	p->u.ts.value = 0xe75b4b80; /* 2023-01-01T00:00:00Z */
	p = add(m, MIKEY_PT_IDR);
	p->u.id.role = MIKEY_ID_ROLE_KMS;
	p->u.id.type = MIKEY_ID_URI;
	set_str(m, &p->u.id.data, "sip:kms@example.org");
	p = add(m, MIKEY_PT_RANDR);
	p->u.rand.role = MIKEY_RAND_ROLE_INITIATOR;
	set_pattern(m, &p->u.rand.rand, 16, 0x55);
	p = add(m, MIKEY_PT_TICKET);
	p->u.ticket.ticket_type = MIKEY_TICKET_MIKEY_BASE;
	p->u.ticket.subtype = 1;
	p->u.ticket.version = 1;
	p->u.ticket.prf_func = MIKEY_PRF_HMAC_SHA_256;
	p->u.ticket.flags = 0xa05; /* D, F, M, O */
	set_pattern(m, &p->u.ticket.tp_data, 4, 0x66);
	set_pattern(m, &p->u.ticket.ticket_data, 8, 0x77);
	p = add(m, MIKEY_PT_V);
	p->u.v.auth_alg = MIKEY_MAC_HMAC_SHA256_256;
	set_pattern(m, &p->u.v.ver_data, 32, 0x88);
	write_msg(dir, "ticket", m);
}

/* sakke: HDR (SAKKE msg), T, RAND, IDR, SAKKE, SIGN ECCSI (RFC 6509). */
static void make_sakke(const char *dir)
{
	mikey_msg *m = mikey_msg_new();
	mikey_payload *p;

	CHECK(m != NULL);
	m->hdr.data_type = MIKEY_DT_SAKKE;
	m->hdr.csb_id = 0x5a5a5a5a;
	m->hdr.map_type = MIKEY_MAP_EMPTY;
	p = add(m, MIKEY_PT_T);
	p->u.ts.ts_type = MIKEY_TS_NTP_UTC;
	p->u.ts.value = NTP_2023;
	p = add(m, MIKEY_PT_RAND);
	set_pattern(m, &p->u.rand.rand, 16, 0x99);
	p = add(m, MIKEY_PT_IDR);
	p->u.id.role = MIKEY_ID_ROLE_RESPONDER;
	p->u.id.type = MIKEY_ID_URI;
	set_str(m, &p->u.id.data, "tel:+447700900123");
	p = add(m, MIKEY_PT_SAKKE);
	p->u.sakke.params = 1;
	p->u.sakke.id_scheme = 1;
	set_pattern(m, &p->u.sakke.data, 40, 0x04);
	p = add(m, MIKEY_PT_SIGN);
	p->u.sign.s_type = MIKEY_SIGN_ECCSI;
	set_pattern(m, &p->u.sign.sig, 129, 0x02);
	write_msg(dir, "sakke", m);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: make_msgs OUTDIR\n");
		return 2;
	}
	make_psk(argv[1]);
	make_tesla(argv[1]);
	make_pk(argv[1]);
	make_dh(argv[1]);
	make_err(argv[1]);
	make_ticket(argv[1]);
	make_sakke(argv[1]);
	return 0;
}
