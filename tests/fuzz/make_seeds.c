/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * make_seeds.c - writes a seed corpus for the fuzz targets, all made with
 * the public builder API: the sample messages of tests/common/msgs.c; each
 * of them with its NULL-encrypted KEMAC turned into an "encrypted" one whose
 * ciphertext is the plaintext sub-payloads (so fuzz_decode's
 * mikey_kemac_parse_plaintext starts from something valid); the RFC 4650
 * DH-HMAC MAC numbering; and a few long chains.
 * Usage: make_seeds DIR   (writes DIR/<name>.bin)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mikey/mikey.h"

#include "../common/msgs.c"

static int failed;

static void write_seed(const char *dir, const char *name, const uint8_t *buf, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.bin", dir, name);
	f = fopen(path, "wb");
	if (f == NULL) {
		perror(path);
		failed = 1;
		return;
	}
	if (fwrite(buf, 1, len, f) != len)
		failed = 1;
	if (fclose(f) != 0)
		failed = 1;
}

static void build_and_write(const char *dir, const char *name, mikey_msg *m)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc = mikey_msg_build(m, &buf, &len, NULL);

	if (rc != MIKEY_OK) {
		fprintf(stderr, "make_seeds: %s: %s\n", name, mikey_error_name(rc));
		failed = 1;
		return;
	}
	write_seed(dir, name, buf, len);
	mikey_buf_free(buf, len);
}

/* Sample |i| with every NULL-encrypted KEMAC carrying its sub-payloads as
 * AES-CM "ciphertext" instead. Returns false when it has no such KEMAC. */
static bool encrypted_variant(const char *dir, size_t i)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	mikey_msg *m = NULL;
	bool any = false;
	char name[128];

	if (test_msgs_build(i, &buf, &len) != MIKEY_OK || mikey_msg_parse(buf, len, NULL, &m, NULL) != MIKEY_OK) {
		failed = 1;
		mikey_buf_free(buf, len);
		return false;
	}
	for (mikey_payload *p = m->payloads.first; p != NULL; p = p->next) {
		uint8_t *plain = NULL;
		size_t plain_len = 0;

		if (p->type != MIKEY_PT_KEMAC || p->u.kemac.encr_alg != MIKEY_ENCR_NULL || p->u.kemac.sub.count == 0)
			continue;
		if (mikey_payloads_build(&p->u.kemac.sub, &plain, &plain_len, NULL) != MIKEY_OK ||
		    mikey_msg_set_bytes(m, &p->u.kemac.encr_data, plain, plain_len) != MIKEY_OK) {
			failed = 1;
			continue;
		}
		mikey_buf_free(plain, plain_len);
		memset(&p->u.kemac.sub, 0, sizeof(p->u.kemac.sub));
		p->u.kemac.encr_alg = MIKEY_ENCR_AES_CM_128;
		any = true;
	}
	if (any) {
		snprintf(name, sizeof(name), "%s_encrypted", test_msgs_get(i)->name);
		build_and_write(dir, name, m);
	}
	mikey_msg_free(m);
	mikey_buf_free(buf, len);
	return any;
}

static mikey_msg *empty_map_msg(uint8_t data_type)
{
	mikey_msg *m = mikey_msg_new();

	if (m == NULL) {
		failed = 1;
		return NULL;
	}
	m->hdr.data_type = data_type;
	m->hdr.csb_id = 0x01020304;
	m->hdr.map_type = MIKEY_MAP_EMPTY;
	return m;
}

static void chains(const char *dir)
{
	mikey_msg *m;
	mikey_payload *p, *k;
	uint8_t b = 0x42;

	/* 20 RAND */
	if ((m = empty_map_msg(MIKEY_DT_PSK_INIT)) != NULL) {
		for (int i = 0; i < 20; i++)
			if ((p = mikey_msg_add_payload(m, &m->payloads, MIKEY_PT_RAND)) == NULL ||
			    mikey_msg_set_bytes(m, &p->u.rand.rand, &b, 1) != MIKEY_OK)
				failed = 1;
		build_and_write(dir, "chain_rand", m);
		mikey_msg_free(m);
	}
	/* 8 empty CERT then SIGN */
	if ((m = empty_map_msg(MIKEY_DT_DH_INIT)) != NULL) {
		for (int i = 0; i < 8; i++)
			if (mikey_msg_add_payload(m, &m->payloads, MIKEY_PT_CERT) == NULL)
				failed = 1;
		if (mikey_msg_add_payload(m, &m->payloads, MIKEY_PT_SIGN) == NULL)
			failed = 1;
		build_and_write(dir, "chain_cert_sign", m);
		mikey_msg_free(m);
	}
	/* KEMAC of 12 empty Key data */
	if ((m = empty_map_msg(MIKEY_DT_PSK_INIT)) != NULL) {
		if ((k = mikey_msg_add_payload(m, &m->payloads, MIKEY_PT_KEMAC)) == NULL)
			failed = 1;
		else
			for (int i = 0; i < 12; i++)
				if ((p = mikey_msg_add_payload(m, &k->u.kemac.sub, MIKEY_PT_KEY_DATA)) == NULL)
					failed = 1;
				else
					p->u.key_data.key_type = (uint8_t)(i % 7);
		build_and_write(dir, "kemac_many_keys", m);
		mikey_msg_free(m);
	}
	/* one of each payload with empty bodies where that is allowed */
	if ((m = empty_map_msg(MIKEY_DT_TICKET_TRANSFER_INIT)) != NULL) {
		static const uint8_t types[] = {MIKEY_PT_T,      MIKEY_PT_ID,    MIKEY_PT_IDR,   MIKEY_PT_RAND,
		                                MIKEY_PT_RANDR,  MIKEY_PT_ERR,   MIKEY_PT_TR,    MIKEY_PT_TP,
		                                MIKEY_PT_TICKET, MIKEY_PT_GEN_EXT, MIKEY_PT_SAKKE, MIKEY_PT_SP,
		                                MIKEY_PT_CHASH,  MIKEY_PT_V,     MIKEY_PT_PKE,   MIKEY_PT_SIGN};

		for (size_t i = 0; i < sizeof(types); i++) {
			if ((p = mikey_msg_add_payload(m, &m->payloads, types[i])) == NULL) {
				failed = 1;
				break;
			}
			if (types[i] == MIKEY_PT_CHASH)
				mikey_msg_set_bytes(m, &p->u.chash.hash, "0123456789abcdef0123", 20) == MIKEY_OK ||
					(failed = 1);
		}
		build_and_write(dir, "one_of_each", m);
		mikey_msg_free(m);
	}
}

/* RFC 4650: DH-HMAC with KEMAC MAC alg 0 followed by a 20-byte HMAC. */
static void rfc4650_mac(const char *dir)
{
	mikey_msg *m = empty_map_msg(MIKEY_DT_DHHMAC_RESP);
	mikey_payload *p;
	uint8_t mac[20];

	if (m == NULL)
		return;
	test_pattern(mac, sizeof(mac), 4650);
	if ((p = mikey_msg_add_payload(m, &m->payloads, MIKEY_PT_T)) == NULL ||
	    (p = mikey_msg_add_payload(m, &m->payloads, MIKEY_PT_KEMAC)) == NULL ||
	    mikey_msg_set_bytes(m, &p->u.kemac.mac, mac, sizeof(mac)) != MIKEY_OK) {
		failed = 1;
	} else {
		uint8_t *buf = NULL;
		size_t len = 0;

		p->u.kemac.mac_alg = MIKEY_MAC_NULL;
		/* the builder may refuse a MAC with the NULL algorithm; then
		 * the seed is not made */
		if (mikey_msg_build(m, &buf, &len, NULL) == MIKEY_OK) {
			write_seed(dir, "dhhmac_rfc4650_mac", buf, len);
			mikey_buf_free(buf, len);
		}
	}
	mikey_msg_free(m);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	for (size_t i = 0; i < test_msgs_count(); i++) {
		const test_msg_desc *d = test_msgs_get(i);
		uint8_t *buf = NULL;
		size_t len = 0;
		int rc = test_msgs_build(i, &buf, &len);

		if (rc != MIKEY_OK) {
			fprintf(stderr, "make_seeds: %s: %s\n", d->name, mikey_error_name(rc));
			failed = 1;
			continue;
		}
		write_seed(argv[1], d->name, buf, len);
		mikey_buf_free(buf, len);
		encrypted_variant(argv[1], i);
	}
	chains(argv[1]);
	rfc4650_mac(argv[1]);
	return failed;
}
