/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fuzz_roundtrip.c - libFuzzer target: whatever mikey_msg_parse accepts,
 * mikey_msg_build must give back byte for byte (like BoringSSL's
 * der_roundtrip). Parse is the only place wire bytes become structure and
 * build the only place structure becomes bytes, so any difference is a
 * field one of them drops, invents or re-encodes. Also: the built bytes
 * parse again, and the ciphertext of an encrypted KEMAC, parsed as
 * plaintext sub-payloads, builds back to itself. abort() on any violation.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mikey/mikey.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void die(const char *what, int rc)
{
	fprintf(stderr, "fuzz_roundtrip: %s (%s)\n", what, mikey_error_name(rc));
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	mikey_parse_opts opts = {0};
	mikey_msg *m = NULL, *again = NULL;
	mikey_error err;
	uint8_t *out = NULL;
	size_t out_len = 0;
	int rc;

	opts.strict_rfc4650_mac = (size & 1) != 0;
	rc = mikey_msg_parse(data, size, &opts, &m, &err);
	if (rc != MIKEY_OK) {
		if (m != NULL)
			die("failed parse set *out", rc);
		return 0;
	}
	rc = mikey_msg_build(m, &out, &out_len, &err);
	if (rc != MIKEY_OK)
		die("parsed message does not build", rc);
	if (out_len != size || memcmp(out, data, size) != 0)
		die("build differs from the parsed input", rc);
	/* The same for the plaintext of every encrypted KEMAC, read as if it
	 * had been decrypted: whatever mikey_kemac_parse_plaintext accepts,
	 * mikey_payloads_build gives back. */
	for (size_t i = 0;; i++) {
		mikey_payload *k = mikey_msg_find(m, MIKEY_PT_KEMAC, i);
		uint8_t *plain = NULL;
		size_t plain_len = 0;

		if (k == NULL)
			break;
		if (k->u.kemac.encr_alg == MIKEY_ENCR_NULL)
			continue;
		rc = mikey_kemac_parse_plaintext(m, &k->u.kemac, k->u.kemac.encr_data.data, k->u.kemac.encr_data.len,
		                                 mikey_kemac_first_type(m->hdr.data_type), &err);
		if (rc != MIKEY_OK) {
			if (k->u.kemac.sub.count != 0 || k->u.kemac.sub.first != NULL)
				die("failed parse_plaintext left sub-payloads", rc);
			continue;
		}
		rc = mikey_payloads_build(&k->u.kemac.sub, &plain, &plain_len, &err);
		if (rc != MIKEY_OK)
			die("parsed KEMAC plaintext does not build", rc);
		if (plain_len != k->u.kemac.encr_data.len ||
		    (plain_len > 0 && memcmp(plain, k->u.kemac.encr_data.data, plain_len) != 0))
			die("KEMAC plaintext build differs from the parsed plaintext", rc);
		mikey_buf_free(plain, plain_len);
	}
	rc = mikey_msg_parse(out, out_len, &opts, &again, &err);
	if (rc != MIKEY_OK)
		die("built bytes do not parse", rc);
	if (again->payloads.count != m->payloads.count)
		die("second parse has another payload count", rc);
	mikey_msg_free(again);
	mikey_buf_free(out, out_len);
	mikey_msg_free(m);
	return 0;
}
