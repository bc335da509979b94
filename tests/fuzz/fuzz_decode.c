/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fuzz_decode.c - libFuzzer target: mikey_msg_parse on arbitrary bytes.
 * On success the message is built again, and the ciphertext of every
 * encrypted KEMAC is fed to mikey_kemac_parse_plaintext as if it had been
 * decrypted, so the sub-payload decoder sees hostile plaintexts too.
 * Crashes, leaks and sanitizer reports are the findings; a failing parse is
 * not.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "mikey/mikey.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	mikey_parse_opts opts = {0};
	mikey_msg *m = NULL;
	mikey_error err;
	uint8_t *out = NULL;
	size_t out_len = 0;
	int rc;

	/* Both readings of an RFC 4650 KEMAC; small limits now and then so
	 * the limit paths are reached too. Derived from the input so a crash
	 * file replays exactly. */
	opts.strict_rfc4650_mac = (size & 1) != 0;
	if (size % 7 == 3) {
		opts.max_payloads = 4;
		opts.max_sp_params = 2;
	}
	rc = mikey_msg_parse(data, size, &opts, &m, &err);
	if (rc != MIKEY_OK) {
		if (m != NULL || err.code != rc || err.offset > size)
			abort();
		return 0;
	}
	if (mikey_msg_build(m, &out, &out_len, NULL) == MIKEY_OK)
		mikey_buf_free(out, out_len);
	for (size_t i = 0;; i++) {
		mikey_payload *k = mikey_msg_find(m, MIKEY_PT_KEMAC, i);

		if (k == NULL)
			break;
		if (k->u.kemac.encr_alg == MIKEY_ENCR_NULL || k->u.kemac.sub.count != 0)
			continue;
		rc = mikey_kemac_parse_plaintext(m, &k->u.kemac, k->u.kemac.encr_data.data, k->u.kemac.encr_data.len,
		                                 mikey_kemac_first_type(m->hdr.data_type), &err);
		if (rc != MIKEY_OK && k->u.kemac.sub.count != 0)
			abort();
		if (rc == MIKEY_OK && mikey_payloads_build(&k->u.kemac.sub, &out, &out_len, NULL) == MIKEY_OK)
			mikey_buf_free(out, out_len);
	}
	mikey_msg_free(m);
	return 0;
}
