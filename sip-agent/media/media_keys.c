/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* media_keys.c - see media_keys.h. */
#include "media_keys.h"

#include <string.h>

#include <mikey/mem.h>
#include <mikey/rng.h>
#include <mikey/srtp_tesla.h>
#include <mikey/tesla.h>
#include <mikey/types.h>

#include "member_media.h"

/* Room for one forgery: RTP header, payload, and what SRTP with TESLA
 * appends (extension, MKI, tag: well under 512 bytes). */
#define FORGE_MAX_PAYLOAD 1024
#define FORGE_BUF (12 + FORGE_MAX_PAYLOAD + 512)

bool media_keys_own_cs(const mikey_exchange *ex, uint32_t ssrc, mikey_crypto_session *out, GError **err)
{
	mikey_error merr;
	size_t n = mikey_exchange_cs_count(ex);

	if (mikey_exchange_find_cs(ex, ssrc, 0, out, &merr) == MIKEY_OK)
		return true;
	/* A crypto session for any SSRC serves a plain sender. */
	for (size_t i = 0; i < n; i++) {
		if (mikey_exchange_get_cs(ex, i, out, &merr) != MIKEY_OK)
			continue;
		if (out->ssrc == 0 && !out->has_tesla)
			return true;
		mikey_crypto_session_cleanup(out);
	}
	g_set_error(err, MEMBER_MEDIA_ERROR, MEMBER_MEDIA_ERR_KEY,
	            "the MIKEY exchange (CSB ID 0x%08x) has no crypto session for this member's SSRC 0x%08x",
	            mikey_exchange_csb_id(ex), ssrc);
	return false;
}

mikey_ctx *media_keys_wrap_ctx(GError **err)
{
	mikey_ctx *ctx = mikey_ctx_new();
	uint8_t psk[16];
	bool ok = false;

	if (ctx == NULL)
		goto cleanup;
	mikey_ctx_set_clock(ctx, mikey_clock_system, NULL);
	if (mikey_rng_bytes(NULL, psk, sizeof(psk)) != MIKEY_OK ||
	    mikey_ctx_add_psk(ctx, NULL, 0, psk, sizeof(psk)) != MIKEY_OK)
		goto cleanup;
	ok = true;
cleanup:
	mikey_wipe(psk, sizeof(psk));
	if (!ok) {
		mikey_ctx_free(ctx);
		g_set_error(err, MEMBER_MEDIA_ERROR, MEMBER_MEDIA_ERR_INIT, "cannot make the MIKEY context for the encoder");
		return NULL;
	}
	return ctx;
}

mikey_exchange *media_keys_wrap(mikey_ctx *ctx, uint32_t csb_id, const mikey_crypto_session *cs, GError **err)
{
	mikey_cs_desc d = {cs->ssrc, cs->roc, 0};
	mikey_offer o;
	mikey_exchange *ex = NULL;
	mikey_error merr;
	uint8_t *msg = NULL;
	size_t len = 0;
	int rc;

	mikey_offer_init(&o, MIKEY_MODE_PSK);
	o.csb_id = csb_id;
	o.cs = &d;
	o.n_cs = 1;
	o.policies = &cs->policy;
	o.n_policies = 1;
	/* The session's own master key and salt, used as they are. */
	o.key_type = MIKEY_KEY_TEK_SALT;
	o.key = cs->master_key;
	o.key_len = cs->master_key_len;
	o.salt = cs->master_salt;
	o.salt_len = cs->master_salt_len;
	o.mki = cs->mki_len > 0 ? cs->mki : NULL;
	o.mki_len = cs->mki_len;
	o.cs_tesla = cs->has_tesla ? &cs->tesla : NULL;
	rc = mikey_initiate(ctx, &o, &ex, &msg, &len, &merr);
	/* The message is never sent: only the exchange is wanted. */
	if (msg != NULL)
		mikey_buf_free(msg, len);
	if (rc != MIKEY_OK || !mikey_exchange_is_complete(ex)) {
		g_set_error(err, MEMBER_MEDIA_ERROR, MEMBER_MEDIA_ERR_KEY, "SSRC 0x%08x: the encoder's keys: %s: %s",
		            cs->ssrc, mikey_error_name(rc), rc != MIKEY_OK ? merr.message : "exchange not complete");
		mikey_exchange_free(ex);
		return NULL;
	}
	return ex;
}

bool media_keys_tesla_equal(const mikey_tesla_params *a, const mikey_tesla_params *b)
{
	return a->prf == b->prf && a->n_p == b->n_p && a->n_f == b->n_f && a->mac == b->mac && a->n_m == b->n_m &&
	       a->t_0 == b->t_0 && a->t_int == b->t_int && a->d == b->d && a->n_c == b->n_c &&
	       a->commit_index == b->commit_index && a->n_p <= 8u * MIKEY_TESLA_MAX_KEY_LEN &&
	       memcmp(a->commitment, b->commitment, a->n_p / 8u) == 0;
}

char *media_keys_hex(const uint8_t *b, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	char *s = g_malloc(2 * len + 1);

	for (size_t i = 0; i < len; i++) {
		s[2 * i] = digits[b[i] >> 4];
		s[2 * i + 1] = digits[b[i] & 0x0f];
	}
	s[2 * len] = '\0';
	return s;
}

/* RTP header (RFC 3550 §5.1): version 2, PT 96, no CSRC, network order. */
static void rtp_header(uint8_t *p, uint32_t ssrc, uint16_t seq, uint32_t ts)
{
	uint16_t s = g_htons(seq);
	uint32_t t = g_htonl(ts), id = g_htonl(ssrc);

	p[0] = 0x80;
	p[1] = 96;
	memcpy(p + 2, &s, 2);
	memcpy(p + 4, &t, 4);
	memcpy(p + 8, &id, 4);
}

unsigned media_keys_forge(const mikey_crypto_session *victim_cs, uint32_t roc, uint16_t seq, size_t payload_len,
                          unsigned n, media_forge_send_fn send, void *user, GError **err)
{
	mikey_crypto_session cs;
	mikey_tesla_sender *chain = NULL;
	mikey_srtp_tesla_tx *tx = NULL;
	mikey_srtp_tesla_config cfg = {0, 0};
	uint8_t seed[MIKEY_TESLA_MAX_KEY_LEN], buf[FORGE_BUF];
	size_t seed_len = victim_cs->tesla.n_p / 8u;
	unsigned made = 0;
	int rc;

	memcpy(&cs, victim_cs, sizeof(cs));
	cs.roc = roc;
	if (payload_len < MEDIA_FORGE_MARK_LEN)
		payload_len = MEDIA_FORGE_MARK_LEN;
	if (payload_len > FORGE_MAX_PAYLOAD)
		payload_len = FORGE_MAX_PAYLOAD;
	if (seed_len == 0 || seed_len > sizeof(seed)) {
		rc = MIKEY_ERR_ARG;
		goto cleanup;
	}
	/* A chain the victim never committed to, under its parameters. */
	if ((rc = mikey_rng_bytes(NULL, seed, seed_len)) != MIKEY_OK ||
	    (rc = mikey_tesla_sender_new(&cs.tesla, seed, seed_len, &chain)) != MIKEY_OK)
		goto cleanup;
	/* The tag length the elements use for a TESLA session. */
	cfg.tag_len = cs.policy.srtp_auth ? cs.policy.auth_tag_len : 0;
	if ((rc = mikey_srtp_tesla_tx_new(&cs, &cfg, chain, &tx)) != MIKEY_OK)
		goto cleanup;
	for (; made < n; made++) {
		size_t len = 0;
		uint16_t s = (uint16_t)(seq + made);
		rtp_header(buf, cs.ssrc, s, (uint32_t)s * 160u);
		memset(buf + 12, 0, payload_len);
		memcpy(buf + 12, MEDIA_FORGE_MARK, MEDIA_FORGE_MARK_LEN);
		rc = mikey_srtp_tesla_tx_protect_rtp(tx, buf, 12 + payload_len, sizeof(buf), mikey_clock_system(NULL),
		                                     &len);
		if (rc != MIKEY_OK || !send(buf, len, user))
			break;
	}
cleanup:
	if (made == 0 && n > 0 && rc != MIKEY_OK)
		g_set_error(err, MEMBER_MEDIA_ERROR, MEMBER_MEDIA_ERR_KEY, "no forgery for SSRC 0x%08x could be made: %s (%s)",
		            victim_cs->ssrc, mikey_error_name(rc), mikey_strerror(rc));
	else if (made == 0 && n > 0)
		g_set_error(err, MEMBER_MEDIA_ERROR, MEMBER_MEDIA_ERR_NETWORK, "no forgery for SSRC 0x%08x could be sent",
		            victim_cs->ssrc);
	mikey_srtp_tesla_tx_free(tx);
	mikey_tesla_sender_free(chain);
	mikey_wipe(seed, sizeof(seed));
	mikey_wipe(buf, sizeof(buf));
	mikey_crypto_session_cleanup(&cs);
	return made;
}
