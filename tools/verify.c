/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * verify.c - "mikey-tool verify [OPTIONS] [IN]": check a message's
 * authentication and say what verified.
 *
 * An initiator message is checked the way its responder would, through
 * mikey_respond with the credentials given (the public API has no
 * signature-only check; see docs/mikey-tool.md): KEMAC MAC (PSK, DH-HMAC),
 * SIGN and certificate chain (PK, DH, RSA-R). The clock is --now, else the
 * message's own timestamp, so an old message can still be checked (its
 * freshness is then not). For a pre-shared key MAC the tool also
 * recomputes the MAC itself (RFC 3830 §4.1.4 keys via mikey_kdf_msg_keys,
 * HMAC via GLib), an independent second opinion.
 *
 * A response (verification message, DH/RSA-R/DH-HMAC response) is
 * checked by the initiator: --state FILE from "create --state".
 */
#include <stdio.h>
#include <string.h>

#include "tool_ctx.h"
#include "verbs.h"

/* RFC 3830 §5.2: the KEMAC MAC covers the message up to the MAC field,
 * which ends the message. Returns 1 match, 0 mismatch, -1 cannot check. */
static int psk_mac_recheck(const tool_opts *o, const mikey_msg *m, const uint8_t *raw, size_t len)
{
	const mikey_payload *kp = m->payloads.last, *rp = mikey_msg_find(m, MIKEY_PT_RAND, 0);
	mikey_msg_keys keys;
	uint8_t *psk = NULL;
	size_t psk_len = 0;
	int result = -1;

	if (o->psk == NULL || o->psk[0] == '@' || kp == NULL || kp->type != MIKEY_PT_KEMAC || rp == NULL)
		return -1;
	const mikey_kemac *k = &kp->u.kemac;
	GChecksumType h = k->mac_alg == MIKEY_MAC_HMAC_SHA1_160     ? G_CHECKSUM_SHA1
	                  : k->mac_alg == MIKEY_MAC_HMAC_SHA256_256 ? G_CHECKSUM_SHA256
	                                                            : (GChecksumType)-1;
	if ((int)h < 0 || k->mac.len > len || !tool_hex_decode(o->psk, &psk, &psk_len))
		goto out;
	if (mikey_kdf_msg_keys(&keys, m->hdr.prf_func, k->encr_alg, k->mac_alg, psk, psk_len, m->hdr.csb_id,
	                       rp->u.rand.rand.data, rp->u.rand.rand.len) != MIKEY_OK)
		goto out;
	GHmac *mac = g_hmac_new(h, keys.auth, keys.auth_len);
	uint8_t tag[32];
	gsize tag_len = sizeof(tag);
	g_hmac_update(mac, raw, len - k->mac.len);
	g_hmac_get_digest(mac, tag, &tag_len);
	g_hmac_unref(mac);
	mikey_msg_keys_cleanup(&keys);
	unsigned diff = tag_len != k->mac.len;
	for (size_t i = 0; i < tag_len && i < k->mac.len; i++)
		diff |= tag[i] ^ k->mac.data[i];
	result = diff == 0;
out:
	if (psk != NULL) {
		memset(psk, 0, psk_len);
		g_free(psk);
	}
	return result;
}

static const char *name_or(const char *name, const char *fallback)
{
	return name != NULL ? name : fallback;
}

/* What authenticates |m|, now that the library accepted it. */
static void report(const mikey_msg *m, bool initiator)
{
	const mikey_payload *v = mikey_msg_find(m, MIKEY_PT_V, 0);
	const mikey_payload *k = mikey_msg_find(m, MIKEY_PT_KEMAC, 0);
	const mikey_payload *s = mikey_msg_find(m, MIKEY_PT_SIGN, 0);
	size_t certs = 0;
	while (mikey_msg_find(m, MIKEY_PT_CERT, certs) != NULL)
		certs++;
	printf("message: %s (CSB ID 0x%08x)\n", name_or(mikey_data_type_name(m->hdr.data_type), "?"), m->hdr.csb_id);
	if (k != NULL && k->u.kemac.mac_alg != MIKEY_MAC_NULL)
		printf("KEMAC MAC (%s): verified\n", name_or(mikey_mac_alg_name(k->u.kemac.mac_alg), "?"));
	else if (k != NULL)
		printf("KEMAC MAC: NULL (accepted only because --allow-null-kemac was given)\n");
	if (v != NULL)
		printf("V payload (%s): verified\n", name_or(mikey_mac_alg_name(v->u.v.auth_alg), "?"));
	if (s != NULL)
		printf("SIGN (%s): verified with %s\n", name_or(mikey_sign_type_name(s->u.sign.s_type), "?"),
		       certs > 0 ? "the certificate in the CERT payload, chain checked against --ca"
		                 : "the certificate known for the peer (--peer-cert), checked against --ca");
	(void)initiator;
}

int tool_verify(int argc, char **argv)
{
	tool_opts o;
	gchar **rest = NULL;
	tool_clock clock = {false, 0};
	tool_rng rng;
	tool_initiator ini;
	mikey_ctx *ctx = NULL;
	mikey_exchange *ex = NULL;
	mikey_msg *m = NULL;
	uint8_t *in = NULL, *resp = NULL;
	size_t in_len = 0, resp_len = 0;
	mikey_error err;
	mikey_mode mode;
	bool initiator, bad_seed;
	int status, rc;

	memset(&ini, 0, sizeof(ini));
	status = tool_parse_options("verify", "[IN|-]",
	                            "Check the MAC, signature or verification data of a MIKEY message and print "
	                            "what verified.\nInitiator messages: with the responder's credentials. "
	                            "Responses: with --state FILE.\nExit status: 0 verified, 1 did not verify or "
	                            "malformed (named error), 2 usage error.",
	                            TOOL_OPT_OFFER | TOOL_OPT_STATE, argc, argv, &o, &rest);
	if (status != 0)
		goto out;
	status = TOOL_EXIT_USAGE;
	if (g_strv_length(rest) > 2) {
		fprintf(stderr, "mikey-tool verify: expected at most one input, got %s too\n", tool_q(rest[2]));
		goto out;
	}
	if ((status = tool_read_message("verify", rest[1], &o, &in, &in_len)) != 0)
		goto out;
	status = TOOL_EXIT_BAD_INPUT;
	if ((rc = mikey_msg_parse(in, in_len, NULL, &m, &err)) != MIKEY_OK) {
		tool_report_error("verify", rc, &err, -1);
		goto out;
	}
	bool known = tool_mode_from_data_type(m->hdr.data_type, &mode, &initiator);
	if (m->hdr.data_type == MIKEY_DT_ERROR || (known && !initiator)) {
		if (o.state == NULL) {
			fprintf(stderr, "mikey-tool verify: a %s is checked by its initiator: give --state FILE\n",
			        m->hdr.data_type == MIKEY_DT_ERROR ? "error message" : "response");
			status = TOOL_EXIT_BAD_INPUT;
			goto out;
		}
		if ((status = tool_state_rerun("verify", o.state, o.now, &ini)) != 0)
			goto out;
		status = TOOL_EXIT_BAD_INPUT;
		rc = mikey_exchange_finish(ini.ex, in, in_len, &err);
		if (rc != MIKEY_OK) {
			tool_report_error("verify", rc, &err, -1);
			goto out;
		}
		report(m, false);
		printf("verified: yes (initiator, --state %s)\n", o.state);
		status = TOOL_EXIT_OK;
		goto out;
	}
	if (!known) {
		fprintf(stderr, "mikey-tool verify: MIKEY_ERR_DATA_TYPE: data type %u (%s) is not a key exchange this "
		        "tool checks\n", m->hdr.data_type, name_or(mikey_data_type_name(m->hdr.data_type), "unknown"));
		goto out;
	}
	status = TOOL_EXIT_USAGE;
	const mikey_payload *t = mikey_msg_find(m, MIKEY_PT_T, 0);
	if (o.now != NULL) {
		if (!tool_parse_now(o.now, &clock.ntp)) {
			fprintf(stderr, "mikey-tool verify: --now: %s is not a time\n", tool_q(o.now));
			goto out;
		}
		clock.fixed = true;
	} else if (t != NULL && (t->u.ts.ts_type == MIKEY_TS_NTP_UTC || t->u.ts.ts_type == MIKEY_TS_NTP)) {
		clock.ntp = t->u.ts.value;
		clock.fixed = true;
	}
	bool seeded = tool_setup_rng("verify", &o, &rng, &bad_seed);
	if (bad_seed)
		goto out;
	if ((ctx = tool_build_ctx("verify", &o, &clock, seeded ? &rng : NULL, &status)) == NULL)
		goto out;
	if ((status = tool_setup_rsar_keys("verify", &o, ctx)) != 0)
		goto out;
	status = TOOL_EXIT_BAD_INPUT;
	if (mode == MIKEY_MODE_PSK) {
		int again = psk_mac_recheck(&o, m, in, in_len);
		if (again == 0) {
			fprintf(stderr, "mikey-tool verify: MIKEY_ERR_AUTH: the KEMAC MAC recomputed by mikey-tool "
			        "(RFC 3830 Sec. 4.1.4 keys, GLib HMAC) does not match\n");
			goto out;
		}
		if (again == 1)
			printf("KEMAC MAC recomputed by mikey-tool (GLib HMAC): matches\n");
	}
	rc = mikey_respond(ctx, in, in_len, &ex, &resp, &resp_len, &err);
	if (rc != MIKEY_OK) {
		tool_report_error("verify", rc, &err, (int)mode);
		goto out;
	}
	report(m, true);
	printf("timestamp: %s\n", o.now ? "within the skew of --now" : "not checked (clock set to the message's T)");
	printf("verified: yes (responder, %s mode)\n", tool_mode_name(mode));
	status = TOOL_EXIT_OK;
out:
	mikey_buf_free(resp, resp_len);
	mikey_buf_free(in, in_len);
	mikey_msg_free(m);
	mikey_exchange_free(ex);
	mikey_ctx_free(ctx);
	tool_initiator_cleanup(&ini);
	memset(&rng, 0, sizeof(rng));
	tool_opts_clear(&o);
	g_strfreev(rest);
	return status;
}
