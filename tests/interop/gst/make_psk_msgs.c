/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * make_psk_msgs - write NULL-KEMAC pre-shared-key MIKEY messages built with
 * the public libmikey builder API, for GStreamer's GstMIKEYMessage parser
 * to read back (tests/interop/gst/gst_interop.py, direction "we build").
 *
 * Usage: make_psk_msgs OUTDIR
 *
 * Writes OUTDIR/NN-name.bin (raw MIKEY bytes) and OUTDIR/manifest.json: for
 * every message the fields this program put into it, taken from the input
 * tables below (never read back from the built bytes), so that the test
 * compares GStreamer's view against what was meant, not against our output.
 *
 * Every message is the RFC 3830 §3.1 initiator message of the pre-shared-key
 * method with NULL encryption and NULL MAC (the only kind GStreamer 1.22 can
 * parse without hanging or misreading): HDR (SRTP-ID map, 1..3 CS), T,
 * RAND, SP*, KEMAC{Key data+}.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mikey/mikey.h>

#define MAX_CS 3
#define MAX_SP 2
#define MAX_KD 3
#define MAX_PARAMS 16

struct cs_spec {
	uint8_t policy_no;
	uint32_t ssrc;
	uint32_t roc;
};

struct param_spec {
	uint8_t type;
	uint8_t len;
	uint8_t value[4];
};

struct sp_spec {
	uint8_t policy_no;
	size_t n_params;
	struct param_spec params[MAX_PARAMS];
};

struct kd_spec {
	uint8_t key_type; /* MIKEY_KEY_* */
	uint16_t key_len;
	uint16_t salt_len; /* > 0 only for the +SALT types */
	uint8_t kv_type;   /* MIKEY_KV_* */
	uint8_t spi_len;
	uint8_t vf_len;
	uint8_t vt_len;
};

struct msg_spec {
	const char *name;
	bool v;
	uint8_t prf_func;
	uint32_t csb_id;
	uint8_t n_cs;
	struct cs_spec cs[MAX_CS];
	uint8_t ts_type;
	uint64_t ts_value;
	uint8_t rand_len;
	size_t n_sp;
	const struct sp_spec *sp[MAX_SP];
	size_t n_kd;
	struct kd_spec kd[MAX_KD];
};

/* RFC 3830 Table 6.10.1.a parameter sets. */

/* AES-CM-128 / HMAC-SHA1-80 with every SRTP parameter (RFC 3711 defaults). */
static const struct sp_spec sp_full = {
	.policy_no = 0,
	.n_params = 13,
	.params = {
		{ MIKEY_SRTP_ENCR_ALG, 1, { MIKEY_SRTP_ENCR_AES_CM } },
		{ MIKEY_SRTP_ENCR_KEY_LEN, 1, { 16 } },
		{ MIKEY_SRTP_AUTH_ALG, 1, { MIKEY_SRTP_AUTH_HMAC_SHA1 } },
		{ MIKEY_SRTP_AUTH_KEY_LEN, 1, { 20 } },
		{ MIKEY_SRTP_SALT_KEY_LEN, 1, { 14 } },
		{ MIKEY_SRTP_PRF, 1, { 0 } },
		{ MIKEY_SRTP_KEY_DERIV_RATE, 4, { 0, 0, 0, 0 } },
		{ MIKEY_SRTP_SRTP_ENCR, 1, { 1 } },
		{ MIKEY_SRTP_SRTCP_ENCR, 1, { 1 } },
		{ MIKEY_SRTP_FEC_ORDER, 1, { 0 } },
		{ MIKEY_SRTP_SRTP_AUTH, 1, { 1 } },
		{ MIKEY_SRTP_AUTH_TAG_LEN, 1, { 10 } },
		{ MIKEY_SRTP_PREFIX_LEN, 1, { 0 } },
	},
};

/* AES-CM with a 256-bit key, 32-bit auth tag (RFC 6188 style). */
static const struct sp_spec sp_aes256_tag32 = {
	.policy_no = 1,
	.n_params = 6,
	.params = {
		{ MIKEY_SRTP_ENCR_ALG, 1, { MIKEY_SRTP_ENCR_AES_CM } },
		{ MIKEY_SRTP_ENCR_KEY_LEN, 1, { 32 } },
		{ MIKEY_SRTP_AUTH_ALG, 1, { MIKEY_SRTP_AUTH_HMAC_SHA1 } },
		{ MIKEY_SRTP_AUTH_KEY_LEN, 1, { 20 } },
		{ MIKEY_SRTP_SALT_KEY_LEN, 1, { 14 } },
		{ MIKEY_SRTP_AUTH_TAG_LEN, 1, { 4 } },
	},
};

/* NULL cipher, NULL auth, everything switched off. */
static const struct sp_spec sp_null = {
	.policy_no = 2,
	.n_params = 5,
	.params = {
		{ MIKEY_SRTP_ENCR_ALG, 1, { MIKEY_SRTP_ENCR_NULL } },
		{ MIKEY_SRTP_AUTH_ALG, 1, { MIKEY_SRTP_AUTH_NULL } },
		{ MIKEY_SRTP_SRTP_ENCR, 1, { 0 } },
		{ MIKEY_SRTP_SRTCP_ENCR, 1, { 0 } },
		{ MIKEY_SRTP_SRTP_AUTH, 1, { 0 } },
	},
};

/* AES-F8, key derivation rate 2^16, FEC order 1, prefix length 0. */
static const struct sp_spec sp_f8 = {
	.policy_no = 3,
	.n_params = 7,
	.params = {
		{ MIKEY_SRTP_ENCR_ALG, 1, { MIKEY_SRTP_ENCR_AES_F8 } },
		{ MIKEY_SRTP_ENCR_KEY_LEN, 1, { 16 } },
		{ MIKEY_SRTP_AUTH_ALG, 1, { MIKEY_SRTP_AUTH_HMAC_SHA1 } },
		{ MIKEY_SRTP_KEY_DERIV_RATE, 4, { 0x00, 0x01, 0x00, 0x00 } },
		{ MIKEY_SRTP_FEC_ORDER, 1, { 1 } },
		{ MIKEY_SRTP_AUTH_TAG_LEN, 1, { 10 } },
		{ MIKEY_SRTP_PREFIX_LEN, 1, { 0 } },
	},
};

/* The parameter set GStreamer's own gst_mikey_message_new_from_caps()
 * writes for aes-128-icm / hmac-sha1-80 (auth tag length 10 in param 3). */
static const struct sp_spec sp_gst80 = {
	.policy_no = 0,
	.n_params = 7,
	.params = {
		{ MIKEY_SRTP_ENCR_ALG, 1, { 1 } },
		{ MIKEY_SRTP_ENCR_KEY_LEN, 1, { 16 } },
		{ MIKEY_SRTP_AUTH_ALG, 1, { 1 } },
		{ MIKEY_SRTP_AUTH_KEY_LEN, 1, { 10 } },
		{ MIKEY_SRTP_SRTP_ENCR, 1, { 1 } },
		{ MIKEY_SRTP_SRTCP_ENCR, 1, { 1 } },
		{ MIKEY_SRTP_SRTP_AUTH, 1, { 1 } },
	},
};

/* The same for hmac-sha1-32 (4 in param 3). */
static const struct sp_spec sp_gst32 = {
	.policy_no = 1,
	.n_params = 4,
	.params = {
		{ MIKEY_SRTP_ENCR_ALG, 1, { 1 } },
		{ MIKEY_SRTP_ENCR_KEY_LEN, 1, { 16 } },
		{ MIKEY_SRTP_AUTH_ALG, 1, { 1 } },
		{ MIKEY_SRTP_AUTH_KEY_LEN, 1, { 4 } },
	},
};

/* Policy number 255 with an empty parameter list. */
static const struct sp_spec sp_empty = {
	.policy_no = 255,
	.n_params = 0,
};

#define NTP_2023 UINT64_C(0xe75c6a8020c49ba5) /* 2023-01-01T00:00:00.128Z */

static const struct msg_spec specs[] = {
	{
		.name = "tek-salt-spi-1cs",
		.csb_id = 0x12345678,
		.n_cs = 1,
		.cs = { { 0, 0xdeadbeef, 0 } },
		.ts_type = MIKEY_TS_NTP_UTC,
		.ts_value = NTP_2023,
		.rand_len = 16,
		.n_sp = 1,
		.sp = { &sp_full },
		.n_kd = 1,
		.kd = { { MIKEY_KEY_TEK_SALT, 16, 14, MIKEY_KV_SPI, 4, 0, 0 } },
	},
	{
		.name = "tek30-kvnull-gst80",
		.csb_id = 1,
		.n_cs = 1,
		.cs = { { 0, 0x00000001, 7 } },
		.ts_type = MIKEY_TS_NTP_UTC,
		.ts_value = NTP_2023 + 1,
		.rand_len = 16,
		.n_sp = 1,
		.sp = { &sp_gst80 },
		.n_kd = 1,
		/* GStreamer's convention: master key || master salt as one TEK. */
		.kd = { { MIKEY_KEY_TEK, 30, 0, MIKEY_KV_NULL, 0, 0, 0 } },
	},
	{
		.name = "tgk-interval-2cs",
		.csb_id = 0xcafef00d,
		.n_cs = 2,
		.cs = { { 1, 0x11111111, 1 }, { 1, 0x22222222, 2 } },
		.ts_type = MIKEY_TS_NTP_UTC,
		.ts_value = NTP_2023 + 2,
		.rand_len = 32,
		.n_sp = 1,
		.sp = { &sp_aes256_tag32 },
		.n_kd = 1,
		.kd = { { MIKEY_KEY_TGK, 16, 0, MIKEY_KV_INTERVAL, 0, 8, 8 } },
	},
	{
		.name = "tgk-salt-spi1-3cs-counter",
		.csb_id = 0x80000000,
		.n_cs = 3,
		.cs = { { 0, 0xa0a0a0a0, 0 }, { 0, 0xb0b0b0b0, 0x10 }, { 0, 0xc0c0c0c0, 0x100 } },
		.ts_type = MIKEY_TS_COUNTER,
		.ts_value = 0x01020304,
		.rand_len = 16,
		.n_sp = 1,
		.sp = { &sp_full },
		.n_kd = 1,
		.kd = { { MIKEY_KEY_TGK_SALT, 16, 14, MIKEY_KV_SPI, 1, 0, 0 } },
	},
	{
		.name = "three-keys-v-null-policy",
		.v = true,
		.csb_id = 0xffffffff,
		.n_cs = 1,
		.cs = { { 2, 0x01020304, 0xfffffffe } },
		.ts_type = MIKEY_TS_NTP_UTC,
		.ts_value = NTP_2023 + 3,
		.rand_len = 16,
		.n_sp = 1,
		.sp = { &sp_null },
		.n_kd = 3,
		.kd = {
			{ MIKEY_KEY_TEK_SALT, 16, 14, MIKEY_KV_SPI, 2, 0, 0 },
			{ MIKEY_KEY_TEK, 16, 0, MIKEY_KV_SPI, 3, 0, 0 },
			{ MIKEY_KEY_TGK, 32, 0, MIKEY_KV_NULL, 0, 0, 0 },
		},
	},
	{
		.name = "f8-rand255",
		.csb_id = 0x00000100,
		.n_cs = 1,
		.cs = { { 3, 0x5a5a5a5a, 3 } },
		.ts_type = MIKEY_TS_NTP,
		.ts_value = NTP_2023 + 4,
		.rand_len = 255,
		.n_sp = 1,
		.sp = { &sp_f8 },
		.n_kd = 1,
		.kd = { { MIKEY_KEY_TEK_SALT, 16, 14, MIKEY_KV_NULL, 0, 0, 0 } },
	},
	{
		.name = "no-sp-rand1",
		.csb_id = 0x0badcafe,
		.n_cs = 1,
		.cs = { { 0, 0x00c0ffee, 0 } },
		.ts_type = MIKEY_TS_NTP_UTC,
		.ts_value = NTP_2023 + 5,
		.rand_len = 1,
		.n_sp = 0,
		.n_kd = 1,
		.kd = { { MIKEY_KEY_TEK, 16, 0, MIKEY_KV_SPI, 4, 0, 0 } },
	},
	{
		.name = "two-sp-3cs",
		.csb_id = 0x2468ace0,
		.n_cs = 3,
		.cs = { { 0, 0x10000001, 0 }, { 1, 0x10000002, 0 }, { 0, 0x10000003, 9 } },
		.ts_type = MIKEY_TS_NTP_UTC,
		.ts_value = NTP_2023 + 6,
		.rand_len = 16,
		.n_sp = 2,
		.sp = { &sp_gst80, &sp_gst32 },
		.n_kd = 1,
		.kd = { { MIKEY_KEY_TEK_SALT, 16, 14, MIKEY_KV_SPI, 4, 0, 0 } },
	},
	{
		.name = "extremes-policy255",
		.csb_id = 0,
		.n_cs = 1,
		.cs = { { 255, 0xffffffff, 0xffffffff } },
		.ts_type = MIKEY_TS_COUNTER,
		.ts_value = 0xffffffff,
		.rand_len = 16,
		.n_sp = 1,
		.sp = { &sp_empty },
		.n_kd = 1,
		.kd = { { MIKEY_KEY_TEK, 1, 0, MIKEY_KV_NULL, 0, 0, 0 } },
	},
	{
		.name = "interval-4-8-prf1",
		.prf_func = MIKEY_PRF_HMAC_SHA_256,
		.csb_id = 0x13572468,
		.n_cs = 2,
		.cs = { { 0, 0x0000abcd, 0 }, { 0, 0x0000dcba, 0 } },
		.ts_type = MIKEY_TS_NTP_UTC,
		.ts_value = NTP_2023 + 7,
		.rand_len = 16,
		.n_sp = 1,
		.sp = { &sp_aes256_tag32 },
		.n_kd = 2,
		.kd = {
			{ MIKEY_KEY_TEK_SALT, 32, 14, MIKEY_KV_INTERVAL, 0, 4, 8 },
			{ MIKEY_KEY_TGK_SALT, 16, 12, MIKEY_KV_INTERVAL, 0, 8, 4 },
		},
	},
	{
		.name = "gst32-tek30-spi",
		.csb_id = 0x00000042,
		.n_cs = 1,
		.cs = { { 1, 0x42424242, 0 } },
		.ts_type = MIKEY_TS_NTP_UTC,
		.ts_value = NTP_2023 + 8,
		.rand_len = 16,
		.n_sp = 1,
		.sp = { &sp_gst32 },
		.n_kd = 1,
		.kd = { { MIKEY_KEY_TEK, 30, 0, MIKEY_KV_SPI, 4, 0, 0 } },
	},
	{
		/* RFC 6043 NTP-UTC-32 timestamp: GStreamer 1.22 knows only the
		 * three RFC 3830 TS types and must refuse this message. */
		.name = "ntp-utc-32",
		.csb_id = 0x00000043,
		.n_cs = 1,
		.cs = { { 0, 0x43434343, 0 } },
		.ts_type = MIKEY_TS_NTP_UTC_32,
		.ts_value = 0xe75c6a80,
		.rand_len = 16,
		.n_sp = 1,
		.sp = { &sp_full },
		.n_kd = 1,
		.kd = { { MIKEY_KEY_TEK_SALT, 16, 14, MIKEY_KV_SPI, 4, 0, 0 } },
	},
};

/* fill writes a deterministic, field-specific byte pattern. */
static void fill(uint8_t *buf, size_t len, unsigned seed)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(seed * 37u + i * 13u + (i >> 3) + 1u);
}

static void put_hex(FILE *f, const uint8_t *buf, size_t len)
{
	fputc('"', f);
	for (size_t i = 0; i < len; i++)
		fprintf(f, "%02x", buf[i]);
	fputc('"', f);
}

/* set_filled puts |len| pattern bytes into |dst| (owned by |msg|) and
 * keeps a copy in |copy| for the manifest. */
static int set_filled(mikey_msg *msg, mikey_bytes *dst, uint8_t *copy, size_t len, unsigned seed)
{
	fill(copy, len, seed);
	return mikey_msg_set_bytes(msg, dst, copy, len);
}

static void manifest_hdr(FILE *f, const struct msg_spec *s)
{
	fprintf(f, "\"hdr\": {\"version\": %d, \"data_type\": %d, \"v\": %s, \"prf_func\": %u, "
	           "\"csb_id\": %" PRIu32 ", \"map_type\": %d, \"srtp_cs\": [",
	        MIKEY_VERSION_1, MIKEY_DT_PSK_INIT, s->v ? "true" : "false", s->prf_func, s->csb_id,
	        MIKEY_MAP_SRTP_ID);
	for (size_t i = 0; i < s->n_cs; i++)
		fprintf(f, "%s{\"policy_no\": %u, \"ssrc\": %" PRIu32 ", \"roc\": %" PRIu32 "}", i ? ", " : "",
		        s->cs[i].policy_no, s->cs[i].ssrc, s->cs[i].roc);
	fputs("]}", f);
}

static void manifest_sp(FILE *f, const struct sp_spec *sp)
{
	fprintf(f, "{\"type\": %d, \"policy_no\": %u, \"prot_type\": %d, \"params\": [", MIKEY_PT_SP, sp->policy_no,
	        MIKEY_PROT_SRTP);
	for (size_t i = 0; i < sp->n_params; i++) {
		fprintf(f, "%s{\"type\": %u, \"value\": ", i ? ", " : "", sp->params[i].type);
		put_hex(f, sp->params[i].value, sp->params[i].len);
		fputc('}', f);
	}
	fputs("]}", f);
}

/* build_one builds message |idx| of |specs|, writes it to |dir| and its
 * manifest entry to |mf| (counted in *n_written). Returns 0 or -1 (after
 * printing why). */
static int build_one(const char *dir, size_t idx, FILE *mf, size_t *n_written)
{
	const struct msg_spec *s = &specs[idx];
	uint8_t rand_buf[255], key[MAX_KD][64], salt[MAX_KD][64], spi[MAX_KD][16], vf[MAX_KD][16], vt[MAX_KD][16];
	mikey_msg *msg = NULL;
	mikey_payload *p, *kemac, *kd;
	mikey_error err;
	uint8_t *out = NULL;
	size_t out_len = 0, n;
	char path[4096];
	FILE *bf = NULL;
	int ret = -1;

	msg = mikey_msg_new();
	if (msg == NULL) {
		fprintf(stderr, "%s: out of memory\n", s->name);
		goto out;
	}

	/* RFC 3830 §6.1: Common Header, SRTP-ID map (§6.1.1). */
	msg->hdr.version = MIKEY_VERSION_1;
	msg->hdr.data_type = MIKEY_DT_PSK_INIT;
	msg->hdr.v = s->v;
	msg->hdr.prf_func = s->prf_func;
	msg->hdr.csb_id = s->csb_id;
	msg->hdr.map_type = MIKEY_MAP_SRTP_ID;
	msg->hdr.n_cs = s->n_cs;
	msg->hdr.srtp_cs = mikey_msg_alloc(msg, sizeof(*msg->hdr.srtp_cs) * s->n_cs);
	if (msg->hdr.srtp_cs == NULL)
		goto nomem;
	for (size_t i = 0; i < s->n_cs; i++) {
		msg->hdr.srtp_cs[i].policy_no = s->cs[i].policy_no;
		msg->hdr.srtp_cs[i].ssrc = s->cs[i].ssrc;
		msg->hdr.srtp_cs[i].roc = s->cs[i].roc;
	}

	/* RFC 3830 §6.6 */
	p = mikey_msg_add_payload(msg, &msg->payloads, MIKEY_PT_T);
	if (p == NULL)
		goto nomem;
	p->u.ts.ts_type = s->ts_type;
	p->u.ts.value = s->ts_value;

	/* RFC 3830 §6.11 */
	p = mikey_msg_add_payload(msg, &msg->payloads, MIKEY_PT_RAND);
	if (p == NULL || set_filled(msg, &p->u.rand.rand, rand_buf, s->rand_len, (unsigned)idx * 11u + 1u) != MIKEY_OK)
		goto nomem;

	/* RFC 3830 §6.10 */
	for (size_t i = 0; i < s->n_sp; i++) {
		const struct sp_spec *sp = s->sp[i];

		p = mikey_msg_add_payload(msg, &msg->payloads, MIKEY_PT_SP);
		if (p == NULL)
			goto nomem;
		p->u.sp.policy_no = sp->policy_no;
		p->u.sp.prot_type = MIKEY_PROT_SRTP;
		p->u.sp.n_params = sp->n_params;
		if (sp->n_params > 0) {
			p->u.sp.params = mikey_msg_alloc(msg, sizeof(*p->u.sp.params) * sp->n_params);
			if (p->u.sp.params == NULL)
				goto nomem;
		}
		for (size_t j = 0; j < sp->n_params; j++) {
			mikey_sp_param *par = &p->u.sp.params[j];

			par->type = sp->params[j].type;
			par->len = sp->params[j].len;
			par->value = mikey_msg_alloc(msg, par->len);
			if (par->value == NULL)
				goto nomem;
			memcpy(par->value, sp->params[j].value, par->len);
		}
	}

	/* RFC 3830 §6.2 with §6.13 Key data sub-payloads, NULL encr and MAC. */
	kemac = mikey_msg_add_payload(msg, &msg->payloads, MIKEY_PT_KEMAC);
	if (kemac == NULL)
		goto nomem;
	kemac->u.kemac.encr_alg = MIKEY_ENCR_NULL;
	kemac->u.kemac.mac_alg = MIKEY_MAC_NULL;
	for (size_t k = 0; k < s->n_kd; k++) {
		const struct kd_spec *ks = &s->kd[k];
		unsigned seed = (unsigned)idx * 11u + (unsigned)k * 5u + 2u;

		kd = mikey_msg_add_payload(msg, &kemac->u.kemac.sub, MIKEY_PT_KEY_DATA);
		if (kd == NULL)
			goto nomem;
		kd->u.key_data.key_type = ks->key_type;
		if (set_filled(msg, &kd->u.key_data.key, key[k], ks->key_len, seed) != MIKEY_OK ||
		    set_filled(msg, &kd->u.key_data.salt, salt[k], ks->salt_len, seed + 1) != MIKEY_OK)
			goto nomem;
		kd->u.key_data.kv.type = ks->kv_type;
		if (ks->kv_type == MIKEY_KV_SPI &&
		    set_filled(msg, &kd->u.key_data.kv.spi, spi[k], ks->spi_len, seed + 2) != MIKEY_OK)
			goto nomem;
		if (ks->kv_type == MIKEY_KV_INTERVAL &&
		    (set_filled(msg, &kd->u.key_data.kv.valid_from, vf[k], ks->vf_len, seed + 3) != MIKEY_OK ||
		     set_filled(msg, &kd->u.key_data.kv.valid_to, vt[k], ks->vt_len, seed + 4) != MIKEY_OK))
			goto nomem;
	}

	if (mikey_msg_build(msg, &out, &out_len, &err) != MIKEY_OK) {
		fprintf(stderr, "%s: mikey_msg_build: %s (%s)\n", s->name, mikey_error_name(err.code), err.message);
		goto out;
	}

	n = (size_t)snprintf(path, sizeof(path), "%s/%02zu-%s.bin", dir, idx, s->name);
	if (n >= sizeof(path)) {
		fprintf(stderr, "%s: path too long\n", s->name);
		goto out;
	}
	bf = fopen(path, "wb");
	if (bf == NULL || fwrite(out, 1, out_len, bf) != out_len) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		goto out;
	}

	/* Manifest entry: the inputs above, in the field names of
	 * docs/decode-json.md. */
	fprintf(mf, "%s\n  {\"name\": \"%s\", \"file\": \"%02zu-%s.bin\", \"length\": %zu, ", *n_written ? "," : "", s->name,
	        idx, s->name, out_len);
	manifest_hdr(mf, s);
	fprintf(mf, ",\n   \"payloads\": [{\"type\": %d, \"ts_type\": %u, \"value\": %" PRIu64 "}, ", MIKEY_PT_T,
	        s->ts_type, s->ts_value);
	fprintf(mf, "{\"type\": %d, \"rand\": ", MIKEY_PT_RAND);
	put_hex(mf, rand_buf, s->rand_len);
	fputs("}", mf);
	for (size_t i = 0; i < s->n_sp; i++) {
		fputs(",\n    ", mf);
		manifest_sp(mf, s->sp[i]);
	}
	fprintf(mf, ",\n    {\"type\": %d, \"encr_alg\": %d, \"mac_alg\": %d, \"sub\": [", MIKEY_PT_KEMAC,
	        MIKEY_ENCR_NULL, MIKEY_MAC_NULL);
	for (size_t k = 0; k < s->n_kd; k++) {
		const struct kd_spec *ks = &s->kd[k];

		fprintf(mf, "%s{\"type\": %d, \"key_type\": %u, \"key\": ", k ? ", " : "", MIKEY_PT_KEY_DATA,
		        ks->key_type);
		put_hex(mf, key[k], ks->key_len);
		fputs(", \"salt\": ", mf);
		put_hex(mf, salt[k], ks->salt_len);
		fprintf(mf, ", \"kv\": {\"type\": %u", ks->kv_type);
		if (ks->kv_type == MIKEY_KV_SPI) {
			fputs(", \"spi\": ", mf);
			put_hex(mf, spi[k], ks->spi_len);
		} else if (ks->kv_type == MIKEY_KV_INTERVAL) {
			fputs(", \"valid_from\": ", mf);
			put_hex(mf, vf[k], ks->vf_len);
			fputs(", \"valid_to\": ", mf);
			put_hex(mf, vt[k], ks->vt_len);
		}
		fputs("}}", mf);
	}
	fputs("]}]}", mf);
	(*n_written)++;
	ret = 0;
	goto out;

nomem:
	fprintf(stderr, "%s: out of memory\n", s->name);
out:
	if (bf != NULL && fclose(bf) != 0 && ret == 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		ret = -1;
	}
	mikey_buf_free(out, out_len);
	mikey_msg_free(msg);
	return ret;
}

int main(int argc, char **argv)
{
	char path[4096];
	FILE *mf;
	size_t n_written = 0;
	int ret = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: %s OUTDIR\n", argv[0]);
		return 2;
	}
	if ((size_t)snprintf(path, sizeof(path), "%s/manifest.json", argv[1]) >= sizeof(path)) {
		fprintf(stderr, "%s: path too long\n", argv[1]);
		return 2;
	}
	mf = fopen(path, "w");
	if (mf == NULL) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return 1;
	}
	fputs("{\"messages\": [", mf);
	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++)
		if (build_one(argv[1], i, mf, &n_written) != 0)
			ret = 1;
	fputs("\n]}\n", mf);
	if (fclose(mf) != 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		ret = 1;
	}
	return ret;
}
