/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rtsp_keys - the libmikey and libsrtp2 side of the gst-rtsp-server interop
 * test (tests/interop/rtsp/rtsp_interop.py, docs/interop-rtsp.md).
 *
 *   rtsp_keys derive FORMAT TEXT
 *       TEXT is a MIKEY message as "hex", "base64", "sdp" (a whole SDP body)
 *       or "rtsp" (a KeyMgmt header); libmikey extracts it (mikey_text_decode),
 *       answers it as a pre-shared-key responder that accepts NULL KEMACs
 *       (mikey_respond) and prints the crypto sessions as JSON, the same
 *       shape as `mikey-tool derive --json`:
 *       {"message":"HEX","crypto_sessions":[{"cs_id":N,"ssrc":N,"roc":N,
 *        "master_key":"HEX","master_salt":"HEX","mki":"HEX"|null,
 *        "srtp_policy":{...}}]}
 *
 *   rtsp_keys create SSRC ROC KEYHEX TAGLEN
 *       builds, with mikey_initiate, the pre-shared-key I_MESSAGE that
 *       gst-rtsp-server can read: KEMAC with NULL encryption and NULL MAC,
 *       one Key data of type TEK holding master key || master salt
 *       (GStreamer's layout), one CS (SSRC, ROC, policy 0), policy 0 =
 *       AES-CM-128 / HMAC-SHA-1 with a TAGLEN-byte tag. Prints the message
 *       in hex.
 *
 *   rtsp_keys protect|unprotect SSRC ROC KEYHEX SALTHEX KEYLEN TAGLEN
 *       runs libsrtp2 over packets read from stdin, one hex packet a line,
 *       with AES-CM (KEYLEN 16 or 32) and HMAC-SHA-1 (TAGLEN bytes), the
 *       stream's ROC set to ROC. Writes one line per packet: "OK HEX" or
 *       "ERR <srtp_err_status_t>".
 *
 * Exit status: 0 on success, 1 on a libmikey/libsrtp2 failure, 2 on usage.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <srtp2/crypto_types.h>
#include <srtp2/srtp.h>

#include <mikey/exchange.h>
#include <mikey/mikey.h>

#define MAX_PACKET 4096

static void print_hex(FILE *f, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%02x", p[i]);
}

static int hex_val(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* parse_hex reads exactly the hex digits of |s| (no separators) into |out|
 * (at most |cap| bytes). Returns the byte count, or -1. */
static long parse_hex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = strlen(s);
	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	if (n % 2 != 0 || n / 2 > cap)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hex_val((unsigned char)s[2 * i]), lo = hex_val((unsigned char)s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return (long)(n / 2);
}

static bool parse_u32(const char *s, uint32_t *out)
{
	char *end = NULL;
	unsigned long long v = strtoull(s, &end, 0);
	if (*s == '\0' || *end != '\0' || v > UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

static void print_policy(const mikey_srtp_policy *p)
{
	printf("{\"encr_alg\":%u,\"encr_key_len\":%" PRIu32 ",\"auth_alg\":%u,\"auth_key_len\":%" PRIu32
	       ",\"salt_key_len\":%" PRIu32 ",\"prf\":%u,\"kdr\":%" PRIu64
	       ",\"srtp_encr\":%s,\"srtcp_encr\":%s,\"fec_order\":%u,\"srtp_auth\":%s,\"auth_tag_len\":%" PRIu32
	       ",\"prefix_len\":%" PRIu32 ",\"aead_tag_len\":%" PRIu32 ",\"roc_tx_rate\":%" PRIu32
	       ",\"quirk_tag_in_auth_key_len\":%s}",
	       p->encr_alg, p->encr_key_len, p->auth_alg, p->auth_key_len, p->salt_key_len, p->prf, p->kdr,
	       p->srtp_encr ? "true" : "false", p->srtcp_encr ? "true" : "false", p->fec_order,
	       p->srtp_auth ? "true" : "false", p->auth_tag_len, p->prefix_len, p->aead_tag_len, p->roc_tx_rate,
	       (p->quirks & MIKEY_SRTP_QUIRK_TAG_IN_AUTH_KEY_LEN) ? "true" : "false");
}

static mikey_ctx *new_ctx(void)
{
	mikey_ctx *ctx = mikey_ctx_new();
	if (ctx != NULL)
		mikey_ctx_set_clock(ctx, mikey_clock_system, NULL);
	return ctx;
}

static int cmd_derive(const char *fmt_name, const char *text)
{
	mikey_text_format fmt;
	mikey_error err;
	uint8_t *msg = NULL, *resp = NULL;
	size_t msg_len = 0, resp_len = 0;
	mikey_exchange *ex = NULL;
	mikey_ctx *ctx = NULL;
	int ret = 1;

	if (mikey_text_format_from_name(fmt_name, &fmt) != MIKEY_OK) {
		fprintf(stderr, "rtsp_keys: unknown format '%s'\n", fmt_name);
		return 2;
	}
	if (mikey_text_decode((const uint8_t *)text, strlen(text), fmt, &msg, &msg_len, NULL, &err) != MIKEY_OK) {
		fprintf(stderr, "rtsp_keys: %s input: %s\n", fmt_name, err.message);
		goto out;
	}
	if ((ctx = new_ctx()) == NULL)
		goto out;
	mikey_ctx_allow_null_kemac(ctx, true);
	if (mikey_respond(ctx, msg, msg_len, &ex, &resp, &resp_len, &err) != MIKEY_OK) {
		fprintf(stderr, "rtsp_keys: mikey_respond: %s (%s)\n", err.message, mikey_strerror(err.code));
		goto out;
	}
	printf("{\"message\":\"");
	print_hex(stdout, msg, msg_len);
	printf("\",\"crypto_sessions\":[");
	for (size_t i = 0; i < mikey_exchange_cs_count(ex); i++) {
		mikey_crypto_session cs;
		if (mikey_exchange_get_cs(ex, i, &cs, &err) != MIKEY_OK) {
			fprintf(stderr, "rtsp_keys: crypto session %zu: %s\n", i, err.message);
			goto out;
		}
		printf("%s{\"cs_id\":%u,\"ssrc\":%" PRIu32 ",\"roc\":%" PRIu32 ",\"policy_no\":%u,\"master_key\":\"",
		       i > 0 ? "," : "", cs.cs_id, cs.ssrc, cs.roc, cs.policy_no);
		print_hex(stdout, cs.master_key, cs.master_key_len);
		printf("\",\"master_salt\":\"");
		print_hex(stdout, cs.master_salt, cs.master_salt_len);
		printf("\",\"mki\":");
		if (cs.mki_len > 0) {
			printf("\"");
			print_hex(stdout, cs.mki, cs.mki_len);
			printf("\"");
		} else {
			printf("null");
		}
		printf(",\"srtp_policy\":");
		print_policy(&cs.policy);
		printf("}");
		mikey_crypto_session_cleanup(&cs);
	}
	printf("]}\n");
	ret = 0;
out:
	mikey_buf_free(resp, resp_len);
	mikey_buf_free(msg, msg_len);
	mikey_exchange_free(ex);
	mikey_ctx_free(ctx);
	return ret;
}

static int cmd_create(const char *ssrc_s, const char *roc_s, const char *key_hex, const char *tag_s)
{
	uint8_t key[46];
	uint32_t ssrc, roc, tag_len;
	long key_len = parse_hex(key_hex, key, sizeof(key));
	static const uint8_t dummy_psk[16] = {0}; /* mikey_initiate wants one; NULL KEMAC never uses it */
	mikey_error err;
	mikey_exchange *ex = NULL;
	uint8_t *msg = NULL;
	size_t msg_len = 0;
	mikey_ctx *ctx = NULL;
	int ret = 1;

	if (!parse_u32(ssrc_s, &ssrc) || !parse_u32(roc_s, &roc) || !parse_u32(tag_s, &tag_len) || key_len != 30) {
		fprintf(stderr, "rtsp_keys create: SSRC ROC KEYHEX(30 bytes: key||salt) TAGLEN\n");
		return 2;
	}
	if ((ctx = new_ctx()) == NULL || mikey_ctx_add_psk(ctx, NULL, 0, dummy_psk, sizeof(dummy_psk)) != MIKEY_OK)
		goto out;

	mikey_srtp_policy pol;
	mikey_srtp_policy_default(&pol); /* AES-CM-128, HMAC-SHA-1, salt 14 */
	pol.auth_tag_len = tag_len;
	mikey_cs_desc cs = {.ssrc = ssrc, .roc = roc, .policy_no = 0};
	mikey_offer offer;
	mikey_offer_init(&offer, MIKEY_MODE_PSK);
	offer.encr_alg = MIKEY_ENCR_NULL;
	offer.mac_alg = MIKEY_MAC_NULL;
	offer.cs = &cs;
	offer.n_cs = 1;
	offer.policies = &pol;
	offer.n_policies = 1;
	offer.key_type = MIKEY_KEY_TEK;
	offer.key = key;
	offer.key_len = (size_t)key_len;
	if (mikey_initiate(ctx, &offer, &ex, &msg, &msg_len, &err) != MIKEY_OK) {
		fprintf(stderr, "rtsp_keys: mikey_initiate: %s (%s)\n", err.message, mikey_strerror(err.code));
		goto out;
	}
	print_hex(stdout, msg, msg_len);
	printf("\n");
	ret = 0;
out:
	mikey_buf_free(msg, msg_len);
	mikey_exchange_free(ex);
	mikey_ctx_free(ctx);
	memset(key, 0, sizeof(key));
	return ret;
}

static int cmd_srtp(bool protect, char **a)
{
	uint32_t ssrc, roc, key_len, tag_len;
	uint8_t master[46];
	long kl = -1, sl = -1;
	srtp_policy_t policy;
	srtp_t session = NULL;
	char line[2 * MAX_PACKET + 64];
	uint8_t pkt[MAX_PACKET + SRTP_MAX_TRAILER_LEN];
	int ret = 1;

	if (!parse_u32(a[0], &ssrc) || !parse_u32(a[1], &roc) || !parse_u32(a[4], &key_len) ||
	    !parse_u32(a[5], &tag_len) || (key_len != 16 && key_len != 32) || tag_len == 0 || tag_len > 20 ||
	    (kl = parse_hex(a[2], master, key_len)) != (long)key_len ||
	    (sl = parse_hex(a[3], master + key_len, sizeof(master) - key_len)) != 14) {
		fprintf(stderr, "rtsp_keys protect|unprotect: SSRC ROC KEYHEX SALTHEX KEYLEN(16|32) TAGLEN\n");
		return 2;
	}
	if (srtp_init() != srtp_err_status_ok)
		return 1;
	memset(&policy, 0, sizeof(policy));
	srtp_crypto_policy_set_rtp_default(&policy.rtp);
	policy.rtp.cipher_type = key_len == 16 ? SRTP_AES_ICM_128 : SRTP_AES_ICM_256;
	policy.rtp.cipher_key_len = (int)key_len + 14;
	policy.rtp.auth_type = SRTP_HMAC_SHA1;
	policy.rtp.auth_key_len = 20;
	policy.rtp.auth_tag_len = (int)tag_len;
	policy.rtp.sec_serv = sec_serv_conf_and_auth;
	policy.rtcp = policy.rtp;
	policy.ssrc.type = ssrc_specific;
	policy.ssrc.value = ssrc;
	policy.key = master;
	policy.window_size = 1024;
	policy.allow_repeat_tx = 0;
	if (srtp_create(&session, &policy) != srtp_err_status_ok ||
	    srtp_set_stream_roc(session, ssrc, roc) != srtp_err_status_ok) {
		fprintf(stderr, "rtsp_keys: srtp_create/srtp_set_stream_roc failed\n");
		goto out;
	}
	while (fgets(line, sizeof(line), stdin) != NULL) {
		long n = parse_hex(line, pkt, MAX_PACKET);
		if (n < 12) {
			fprintf(stderr, "rtsp_keys: bad packet line\n");
			goto out;
		}
		int len = (int)n;
		srtp_err_status_t st = protect ? srtp_protect(session, pkt, &len) : srtp_unprotect(session, pkt, &len);
		if (st == srtp_err_status_ok) {
			printf("OK ");
			print_hex(stdout, pkt, (size_t)len);
			printf("\n");
		} else {
			printf("ERR %d\n", (int)st);
		}
	}
	ret = 0;
out:
	if (session != NULL)
		srtp_dealloc(session);
	memset(master, 0, sizeof(master));
	srtp_shutdown();
	return ret;
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "derive") == 0)
		return cmd_derive(argv[2], argv[3]);
	if (argc == 6 && strcmp(argv[1], "create") == 0)
		return cmd_create(argv[2], argv[3], argv[4], argv[5]);
	if (argc == 8 && (strcmp(argv[1], "protect") == 0 || strcmp(argv[1], "unprotect") == 0))
		return cmd_srtp(strcmp(argv[1], "protect") == 0, argv + 2);
	fprintf(stderr, "usage: rtsp_keys derive hex|base64|sdp|rtsp TEXT\n"
	                "       rtsp_keys create SSRC ROC KEYHEX TAGLEN\n"
	                "       rtsp_keys protect|unprotect SSRC ROC KEYHEX SALTHEX KEYLEN TAGLEN < packets\n");
	return 2;
}
