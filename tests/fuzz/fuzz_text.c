/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fuzz_text: the text carriers of RFC 4567 (hex, base64, SDP
 * a=key-mgmt, RTSP KeyMgmt) and auto-detection. The first input byte picks
 * the format; the rest is the text. Whatever comes out must parse or fail
 * cleanly.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "mikey/msg.h"
#include "mikey/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const mikey_text_format formats[] = {MIKEY_FORMAT_AUTO, MIKEY_FORMAT_BIN, MIKEY_FORMAT_HEX,
	                                            MIKEY_FORMAT_BASE64, MIKEY_FORMAT_SDP, MIKEY_FORMAT_RTSP};
	if (size == 0)
		return 0;
	mikey_text_format fmt = formats[data[0] % 6], detected;
	uint8_t *out = NULL;
	size_t out_len = 0;
	mikey_error err;
	int rc = mikey_text_decode(data + 1, size - 1, fmt, &out, &out_len, &detected, &err);
	if (rc == MIKEY_OK) {
		if (out == NULL && out_len > 0)
			abort();
		mikey_msg *m = NULL;
		if (mikey_msg_parse(out, out_len, NULL, &m, NULL) == MIKEY_OK)
			mikey_msg_free(m);
		mikey_buf_free(out, out_len);
	} else if (out != NULL || err.code != rc) {
		abort(); /* failures leave no output and report their own code */
	}
	return 0;
}
