/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * make_sip_intake_seeds DIR: genuine join offers as a member sends them
 * (SDP with a=key-mgmt:mikey, PSK, with and without TESLA, at session
 * level; and one with the attribute at media level too), at the fixture's
 * clock.
 */
#include <stdio.h>
#include <string.h>

#include "mikey/msg.h"
#include "mikey/srtp.h"
#include "mikey/tesla.h"
#include "sdp_keymgmt.h"
#include "sip_intake_fixture.h"

static int write_seed(const char *dir, const char *name, const char *text)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (f == NULL || fwrite(text, 1, strlen(text), f) != strlen(text)) {
		if (f != NULL)
			fclose(f);
		return 1;
	}
	return fclose(f) != 0;
}

static char *offer(bool tesla)
{
	mikey_ctx *m = fix_ctx(FIX_MEMBER, FIX_KS);
	mikey_srtp_policy pol;
	mikey_tesla_params tp;
	mikey_tesla_sender *ts = NULL;
	mikey_cs_desc cs = {.ssrc = 0x11223344u, .roc = 0, .policy_no = 0};
	mikey_offer o;
	mikey_exchange *ex = NULL;
	uint8_t *msg = NULL, seed[20] = {7};
	size_t len = 0;
	char *sdp = NULL;

	if (m == NULL || mikey_srtp_policy_from_name("aes128-sha1-80", &pol) != MIKEY_OK)
		goto out;
	mikey_offer_init(&o, MIKEY_MODE_PSK);
	o.want_verify = true;
	o.cs = &cs;
	o.n_cs = 1;
	o.policies = &pol;
	o.n_policies = 1;
	o.peer_id_type = MIKEY_ID_URI;
	o.peer_id = FIX_KS;
	o.peer_id_len = strlen(FIX_KS);
	o.send_ids = true;
	if (tesla) {
		mikey_tesla_params_default(&tp);
		tp.t_0 = FIX_NTP;
		tp.t_int = 20;
		tp.d = 4;
		tp.n_c = 100;
		if (mikey_tesla_sender_new(&tp, seed, sizeof(seed), &ts) != MIKEY_OK)
			goto out;
		o.tesla = mikey_tesla_sender_get0_params(ts);
	}
	if (mikey_initiate(m, &o, &ex, &msg, &len, NULL) != MIKEY_OK)
		goto out;
	sdp_out so = {.user = "alice", .session_id = 1, .version = 1, .addr = "127.0.0.1", .port = 40000,
	              .ssrc = cs.ssrc, .mikey = msg, .mikey_len = len};
	sdp = sdp_build(&so, NULL);
out:
	if (msg != NULL)
		mikey_buf_free(msg, len);
	mikey_exchange_free(ex);
	mikey_tesla_sender_free(ts);
	mikey_ctx_free(m);
	return sdp;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: make_sip_intake_seeds DIR\n");
		return 2;
	}
	char *plain = offer(false), *tesla = offer(true);
	int bad = plain == NULL || tesla == NULL;
	if (!bad) {
		bad |= write_seed(argv[1], "join-psk.sdp.bin", plain);
		bad |= write_seed(argv[1], "join-psk-tesla.sdp.bin", tesla);
		/* The same attribute again at media level (RFC 4567 §3.1). */
		char *km = strstr(tesla, "a=key-mgmt:");
		char *eol = km != NULL ? strstr(km, "\r\n") : NULL;
		if (eol != NULL) {
			GString *s = g_string_new(tesla);
			g_string_append_len(s, km, eol + 2 - km);
			bad |= write_seed(argv[1], "join-both-levels.sdp.bin", s->str);
			g_string_free(s, TRUE);
		}
	}
	g_free(plain);
	g_free(tesla);
	if (bad)
		fprintf(stderr, "make_sip_intake_seeds: could not make the seeds\n");
	return bad;
}
