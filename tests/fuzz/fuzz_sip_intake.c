/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fuzz_sip_intake: what mikey-sip-agent takes from a SIP body - the SDP
 * (sofia-sip's parser), the a=key-mgmt:mikey attributes at session and
 * media level, the media address and SSRC (sip-agent/agent/sdp_keymgmt.c)
 * - and then the MIKEY message into the key server's mikey_respond, as a
 * join does. Seeds are genuine join offers (make_sip_intake_seeds).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "mikey/msg.h"
#include "sdp_keymgmt.h"
#include "sip_intake_fixture.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sdp_intake in;
	GError *e = NULL;

	if (!sdp_intake_parse((const char *)data, size, true, false, &in, &e)) {
		if (e == NULL || e->domain != AGENT_SDP_ERROR)
			abort(); /* every failure is named */
		g_error_free(e);
		return 0;
	}
	if (e != NULL || in.mikey == NULL || in.mikey_len == 0)
		abort();
	mikey_exchange *ex = NULL;
	uint8_t *resp = NULL;
	size_t resp_len = 0;
	mikey_error me;
	/* A fresh context (replay cache) each time: a seed would otherwise be
	 * refused as a replay after its first run. */
	mikey_ctx *ks = fix_ctx(FIX_KS, FIX_MEMBER);
	if (ks == NULL)
		abort();
	int rc = mikey_respond(ks, in.mikey, in.mikey_len, &ex, &resp, &resp_len, &me);
	if (rc == MIKEY_OK && ex == NULL)
		abort();
	for (size_t i = 0; ex != NULL && i < mikey_exchange_cs_count(ex); i++) {
		mikey_crypto_session cs;
		if (mikey_exchange_get_cs(ex, i, &cs, &me) == MIKEY_OK)
			mikey_crypto_session_cleanup(&cs);
	}
	if (resp != NULL)
		mikey_buf_free(resp, resp_len);
	mikey_exchange_free(ex);
	mikey_ctx_free(ks);
	sdp_intake_clear(&in);
	return 0;
}
