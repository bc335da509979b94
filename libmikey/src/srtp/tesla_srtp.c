/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tesla_srtp.c - RFC 4383 SRTP/SRTCP packets with TESLA on libsrtp2.
 * See mikey/srtp_tesla.h for the split of work and docs/tesla.md for the
 * reasoning.
 */
#include <string.h>

#include <srtp2/srtp.h>

#include "crypto/crypto.h"
#include "mikey/mem.h"
#include "mikey/srtp_tesla.h"
#include "mikey/types.h"
#include "srtp/srtp_kdf.h"
#include "srtp/srtp_index.h"
#include "srtp/srtp_lib.h"

#define RTP_HDR_LEN 12  /* RFC 3550 §5.1 fixed header */
#define RTCP_HDR_LEN 8  /* RFC 3550 §6.4.1: V/P/RC, PT, length, SSRC */
#define SRTCP_IDX_LEN 4 /* RFC 3711 §3.4: E || SRTCP index */
#define AUTH_KEY_LEN 20 /* RFC 3711 §4.2.1 / §8.2: HMAC-SHA1 key n_a = 160 */

/* ------------------------------------------------------------------ */
/* RFC 3711 §4.3 key derivation and §4.2 tag                            */

int mikey_srtp_kdf(const uint8_t *master_key, size_t key_len, const uint8_t salt[14], uint8_t label, uint8_t *out,
                   size_t out_len)
{
	const mikey_cipher_desc *aes;
	uint8_t iv[16];
	int rc;

	if (master_key == NULL || salt == NULL || out == NULL || out_len == 0)
		return MIKEY_ERR_ARG;
	/* RFC 3711 §4.3.3 (AES-128) and RFC 6188 §5.3 (AES-192 and AES-256
	 * keys use the AES_192_CM_PRF / AES_256_CM_PRF): the PRF is AES-CM
	 * keyed with the master key. */
	switch (key_len) {
	case 16:
		aes = mikey_crypto_cipher(MIKEY_CIPHER_AES_CM_128);
		break;
	case 24:
		aes = mikey_crypto_cipher(MIKEY_CIPHER_AES_CM_192);
		break;
	case 32:
		aes = mikey_crypto_cipher(MIKEY_CIPHER_AES_CM_256);
		break;
	default:
		return MIKEY_ERR_ARG;
	}
	if (aes == NULL)
		return MIKEY_ERR_CRYPTO;
	/* RFC 3711 §4.3.1: key_id = label || r (r = index DIV kdr = 0 for
	 * kdr 0, 48 bits), x = key_id XOR master_salt, key_id right-aligned
	 * in the 112-bit salt; the AES-CM input is x * 2^16. */
	memcpy(iv, salt, 14);
	iv[7] ^= label;
	iv[14] = 0;
	iv[15] = 0;
	/* The keystream is AES-CM over zeros; encrypting zeros in place. */
	memset(out, 0, out_len);
	rc = aes->encrypt(master_key, iv, out, out_len, out);
	mikey_wipe(iv, sizeof(iv));
	if (rc != MIKEY_OK)
		mikey_wipe(out, out_len);
	return rc;
}

int mikey_srtp_tag(const uint8_t *key, const uint8_t *data, size_t len, bool with_roc, uint32_t roc, uint8_t *tag,
                   size_t tag_len)
{
	uint8_t md[MIKEY_CRYPTO_MAX_MD], roc_be[4];
	mikey_iov iov[2] = {{data, len}, {roc_be, sizeof(roc_be)}};
	int rc;

	if (key == NULL || data == NULL || tag == NULL || tag_len == 0 || tag_len > 20)
		return MIKEY_ERR_ARG;
	roc_be[0] = (uint8_t)(roc >> 24);
	roc_be[1] = (uint8_t)(roc >> 16);
	roc_be[2] = (uint8_t)(roc >> 8);
	roc_be[3] = (uint8_t)roc;
	/* RFC 3711 §4.2: M = Authenticated Portion || ROC for SRTP; SRTCP has
	 * no ROC (its index is inside the Authenticated Portion, §3.4). */
	rc = mikey_crypto_hmac(MIKEY_MD_SHA1, key, AUTH_KEY_LEN, iov, with_roc ? 2 : 1, md);
	if (rc == MIKEY_OK)
		memcpy(tag, md, tag_len); /* §4.2.1: the n_tag left-most bits */
	mikey_wipe(md, sizeof(md));
	return rc;
}

/* mikey_srtp_tag with a keyed handle: the per-packet path. */
static int tag_keyed(mikey_hmac_key *hk, const uint8_t *data, size_t len, bool with_roc, uint32_t roc, uint8_t *tag,
                     size_t tag_len)
{
	uint8_t md[MIKEY_CRYPTO_MAX_MD];
	uint8_t roc_be[4] = {(uint8_t)(roc >> 24), (uint8_t)(roc >> 16), (uint8_t)(roc >> 8), (uint8_t)roc};
	mikey_iov iov[2] = {{data, len}, {roc_be, sizeof(roc_be)}};
	int rc = mikey_hmac_key_mac(hk, iov, with_roc ? 2 : 1, md);
	if (rc == MIKEY_OK)
		memcpy(tag, md, tag_len);
	mikey_wipe(md, sizeof(md));
	return rc;
}

/* ------------------------------------------------------------------ */
/* Shared setup                                                        */

/* What both directions hold. */
typedef struct glue {
	srtp_t srtp;
	uint32_t ssrc;
	uint8_t rtp_auth[AUTH_KEY_LEN];  /* RFC 3711 §4.3.2 label 0x01 */
	uint8_t rtcp_auth[AUTH_KEY_LEN]; /* label 0x04 */
	/* The same two keys, keyed once: every packet's tag uses one of them. */
	mikey_hmac_key rtp_tag_key;
	mikey_hmac_key rtcp_tag_key;
	uint8_t mki[255];
	size_t mki_len;
	size_t tag_len;
	uint64_t highest; /* highest SRTP index processed (s_l with ROC) */
	size_t ext_len;
	unsigned long window;
	/* srtp is a fresh srtp_t after a rekey: its ROC is set from our index
	 * estimate before its first RTP packet (srtp_set_stream_roc). */
	bool fresh;
	bool any_rtp; /* an RTP packet went through srtp */
} glue;

static void glue_cleanup(glue *g)
{
	if (g->srtp != NULL)
		srtp_dealloc(g->srtp); /* libsrtp2 zeroes its session keys */
	mikey_hmac_key_cleanup(&g->rtp_tag_key);
	mikey_hmac_key_cleanup(&g->rtcp_tag_key);
	mikey_wipe(g, sizeof(*g));
}

/* The libsrtp2 policy of the glue: AES-CM encryption only (sec_serv_conf),
 * key = master key || master salt in |key|. */
static void glue_policy(const mikey_crypto_session *cs, unsigned long window, srtp_policy_t *policy,
                        uint8_t key[32 + 14])
{
	memset(policy, 0, sizeof(*policy));
	if (cs->master_key_len == 16) {
		srtp_crypto_policy_set_aes_cm_128_null_auth(&policy->rtp);
		srtp_crypto_policy_set_aes_cm_128_null_auth(&policy->rtcp);
	} else {
		srtp_crypto_policy_set_aes_cm_256_null_auth(&policy->rtp);
		srtp_crypto_policy_set_aes_cm_256_null_auth(&policy->rtcp);
	}
	memcpy(key, cs->master_key, cs->master_key_len);
	memcpy(key + cs->master_key_len, cs->master_salt, 14);
	policy->key = key;
	policy->ssrc.type = ssrc_specific;
	policy->ssrc.value = cs->ssrc;
	policy->window_size = window;
}

static int glue_init(glue *g, const mikey_crypto_session *cs, const mikey_srtp_tesla_config *cfg, size_t ext_len)
{
	const mikey_srtp_policy *pol;
	srtp_policy_t policy;
	uint8_t key[32 + 14];
	unsigned long window;
	int rc = MIKEY_ERR_CRYPTO;

	memset(g, 0, sizeof(*g));
	if (cs == NULL)
		return MIKEY_ERR_ARG;
	pol = &cs->policy;
	/* What we can run: AES-CM by libsrtp2 with our HMAC-SHA1 tag, KDR 0
	 * (libsrtp2 does not rekey by KDR), both directions encrypted. */
	if (pol->encr_alg != MIKEY_SRTP_ENCR_AES_CM || (cs->master_key_len != 16 && cs->master_key_len != 32) ||
	    pol->encr_key_len != cs->master_key_len || cs->master_salt_len != 14 || pol->salt_key_len != 14 ||
	    pol->prf != 0 || pol->kdr != 0 || !pol->srtp_encr || !pol->srtcp_encr ||
	    pol->auth_alg != MIKEY_SRTP_AUTH_HMAC_SHA1)
		return MIKEY_ERR_POLICY;
	g->tag_len = cfg != NULL && cfg->tag_len != 0 ? cfg->tag_len : MIKEY_SRTP_TESLA_TAG_LEN_DEFAULT;
	window = cfg != NULL && cfg->window != 0 ? cfg->window : 4096;
	if (g->tag_len > MIKEY_SRTP_TESLA_TAG_LEN_MAX || window < 64 || window > 0x7fff || cs->mki_len > 255)
		return MIKEY_ERR_ARG;
	if (mikey_srtp_lib_init() != MIKEY_OK)
		return MIKEY_ERR_CRYPTO;

	g->ssrc = cs->ssrc;
	g->mki_len = cs->mki_len;
	memcpy(g->mki, cs->mki, cs->mki_len);
	g->highest = (uint64_t)cs->roc << 16;
	g->ext_len = ext_len;
	g->window = window;
	rc = mikey_srtp_kdf(cs->master_key, cs->master_key_len, cs->master_salt, MIKEY_SRTP_LABEL_RTP_AUTH, g->rtp_auth,
	                    AUTH_KEY_LEN);
	if (rc == MIKEY_OK)
		rc = mikey_srtp_kdf(cs->master_key, cs->master_key_len, cs->master_salt, MIKEY_SRTP_LABEL_RTCP_AUTH,
		                    g->rtcp_auth, AUTH_KEY_LEN);
	if (rc == MIKEY_OK)
		rc = mikey_hmac_key_init(&g->rtp_tag_key, MIKEY_MD_SHA1, g->rtp_auth, AUTH_KEY_LEN);
	if (rc == MIKEY_OK)
		rc = mikey_hmac_key_init(&g->rtcp_tag_key, MIKEY_MD_SHA1, g->rtcp_auth, AUTH_KEY_LEN);
	if (rc != MIKEY_OK)
		goto out;

	/* libsrtp2 does encryption only: auth NULL (sec_serv_conf). */
	glue_policy(cs, window, &policy, key);
	rc = MIKEY_ERR_CRYPTO;
	if (srtp_create(&g->srtp, &policy) != srtp_err_status_ok) {
		g->srtp = NULL;
		goto out;
	}
	/* RFC 3830 §6.1.1: the ROC of the SRTP-ID map starts the stream. */
	if (cs->roc != 0 && srtp_set_stream_roc(g->srtp, cs->ssrc, cs->roc) != srtp_err_status_ok)
		goto out;
	rc = MIKEY_OK;
out:
	mikey_wipe(key, sizeof(key));
	mikey_wipe(&policy, sizeof(policy));
	if (rc != MIKEY_OK)
		glue_cleanup(g);
	return rc;
}

/* A glue for the next key |cs| of |old|'s stream: same SSRC, tag length,
 * window, extension length and MKI length (the receiver tells the keys
 * apart by MKI: both must have one, and they must differ); its index
 * estimate goes on from |old|'s. */
static int glue_next(const glue *old, const mikey_crypto_session *cs, glue *ng)
{
	mikey_srtp_tesla_config cfg;
	int rc;

	if (cs == NULL || cs->ssrc != old->ssrc || cs->mki_len == 0 || cs->mki_len != old->mki_len ||
	    memcmp(cs->mki, old->mki, old->mki_len) == 0)
		return MIKEY_ERR_ARG;
	cfg.tag_len = old->tag_len;
	cfg.window = old->window;
	if ((rc = glue_init(ng, cs, &cfg, old->ext_len)) != MIKEY_OK)
		return rc;
	ng->highest = old->highest;
	ng->fresh = true;
	return MIKEY_OK;
}

/* Before the first RTP packet through a fresh srtp_t: libsrtp2 takes ROC ||
 * SEQ with the ROC set here (its "pending ROC"), so the stream goes on at
 * the index we estimated. */
static int glue_fresh_roc(glue *g, uint64_t index)
{
	if (!g->fresh)
		return MIKEY_OK;
	if ((index >> 16) != 0 && srtp_set_stream_roc(g->srtp, g->ssrc, (uint32_t)(index >> 16)) != srtp_err_status_ok)
		return MIKEY_ERR_CRYPTO;
	g->fresh = false;
	return MIKEY_OK;
}

static uint32_t get32(const uint8_t *b)
{
	return ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) | ((uint32_t)b[2] << 8) | (uint32_t)b[3];
}

/* ------------------------------------------------------------------ */
/* Sender                                                              */

struct mikey_srtp_tesla_tx {
	glue g;
	mikey_tesla_sender *sender; /* borrowed */
};

int mikey_srtp_tesla_tx_new(const mikey_crypto_session *cs, const mikey_srtp_tesla_config *cfg,
                            mikey_tesla_sender *sender, mikey_srtp_tesla_tx **out)
{
	mikey_srtp_tesla_tx *tx;
	int rc;

	if (out == NULL)
		return MIKEY_ERR_ARG;
	*out = NULL;
	if (sender == NULL || cs == NULL)
		return MIKEY_ERR_ARG;
	tx = mikey_malloc(sizeof(*tx));
	if (tx == NULL)
		return MIKEY_ERR_NOMEM;
	rc = glue_init(&tx->g, cs, cfg, mikey_tesla_ext_len(mikey_tesla_sender_get0_params(sender)));
	if (rc != MIKEY_OK) {
		mikey_free(tx);
		return rc;
	}
	tx->sender = sender;
	*out = tx;
	return MIKEY_OK;
}

void mikey_srtp_tesla_tx_free(mikey_srtp_tesla_tx *tx)
{
	if (tx == NULL)
		return;
	glue_cleanup(&tx->g);
	mikey_free(tx);
}

size_t mikey_srtp_tesla_tx_overhead(const mikey_srtp_tesla_tx *tx, bool rtcp)
{
	return tx->g.ext_len + tx->g.mki_len + tx->g.tag_len + (rtcp ? SRTCP_IDX_LEN : 0);
}

/* Steps 7-8 of RFC 4383 §4.4.1: MKI, then the tag over everything before
 * the MKI (|covered| bytes) || ROC. */
static int append_mki_tag(glue *g, uint8_t *buf, size_t covered, bool rtcp, uint32_t roc, size_t *out_len)
{
	int rc;

	memcpy(buf + covered, g->mki, g->mki_len);
	rc = tag_keyed(rtcp ? &g->rtcp_tag_key : &g->rtp_tag_key, buf, covered, !rtcp, roc, buf + covered + g->mki_len,
	                    g->tag_len);
	if (rc == MIKEY_OK)
		*out_len = covered + g->mki_len + g->tag_len;
	return rc;
}

int mikey_srtp_tesla_tx_protect_rtp(mikey_srtp_tesla_tx *tx, uint8_t *buf, size_t len, size_t cap, uint64_t now,
                                    size_t *out_len)
{
	uint64_t index;
	size_t l;
	int ilen, rc;

	if (tx == NULL || buf == NULL || out_len == NULL || len < RTP_HDR_LEN || (buf[0] >> 6) != 2 ||
	    get32(buf + 8) != tx->g.ssrc || len > INT32_MAX)
		return MIKEY_ERR_ARG;
	if (cap < len || cap - len < mikey_srtp_tesla_tx_overhead(tx, false))
		return MIKEY_ERR_LENGTH;
	if (!mikey_srtp_estimate_index(tx->g.highest, (uint16_t)(buf[2] << 8 | buf[3]), &index))
		return MIKEY_ERR_STATE;
	if (glue_fresh_roc(&tx->g, index) != MIKEY_OK)
		return MIKEY_ERR_CRYPTO;
	/* RFC 4383 §4.4.1: RFC 3711 §3.3 steps 1-5 (encryption) by libsrtp2. */
	ilen = (int)len;
	if (srtp_protect(tx->g.srtp, buf, &ilen) != srtp_err_status_ok || (size_t)ilen != len)
		return MIKEY_ERR_CRYPTO;
	if (index > tx->g.highest)
		tx->g.highest = index;
	tx->g.any_rtp = true;
	/* Step 6: the TESLA extension, its MAC over ROC || header || payload. */
	rc = mikey_tesla_sender_protect_rtp(tx->sender, buf, len, cap, (uint32_t)(index >> 16), now, &l);
	if (rc != MIKEY_OK)
		return rc;
	return append_mki_tag(&tx->g, buf, l, false, (uint32_t)(index >> 16), out_len);
}

int mikey_srtp_tesla_tx_protect_rtcp(mikey_srtp_tesla_tx *tx, uint8_t *buf, size_t len, size_t cap, uint64_t now,
                                     size_t *out_len)
{
	size_t l;
	int ilen, rc;

	if (tx == NULL || buf == NULL || out_len == NULL || len < RTCP_HDR_LEN || (buf[0] >> 6) != 2 ||
	    get32(buf + 4) != tx->g.ssrc || len > INT32_MAX - SRTCP_IDX_LEN)
		return MIKEY_ERR_ARG;
	if (cap < len || cap - len < mikey_srtp_tesla_tx_overhead(tx, true))
		return MIKEY_ERR_LENGTH;
	/* libsrtp2 encrypts from byte 9 and appends E||SRTCP index (RFC 3711
	 * §3.4); with NULL auth nothing else. */
	ilen = (int)len;
	if (srtp_protect_rtcp(tx->g.srtp, buf, &ilen) != srtp_err_status_ok || (size_t)ilen != len + SRTCP_IDX_LEN)
		return MIKEY_ERR_CRYPTO;
	rc = mikey_tesla_sender_protect_rtcp(tx->sender, buf, (size_t)ilen, cap, now, &l);
	if (rc != MIKEY_OK)
		return rc;
	return append_mki_tag(&tx->g, buf, l, true, 0, out_len);
}

int mikey_srtp_tesla_tx_rekey(mikey_srtp_tesla_tx *tx, const mikey_crypto_session *cs)
{
	srtp_policy_t policy;
	uint8_t key[32 + 14];
	srtp_t fresh;
	glue ng;
	int rc;

	if (tx == NULL || cs == NULL)
		return MIKEY_ERR_ARG;
	/* ng.srtp, a fresh srtp_t with the new key, proves libsrtp2 takes it
	 * before the running stream is touched. */
	if ((rc = glue_next(&tx->g, cs, &ng)) != MIKEY_OK)
		return rc;
	fresh = ng.srtp;
	/* The running stream takes the new key with srtp_update_stream, which
	 * keeps its RTP index (ROC, s_l) and its SRTCP index. */
	glue_policy(cs, tx->g.window, &policy, key);
	if (srtp_update_stream(tx->g.srtp, &policy) == srtp_err_status_ok) {
		ng.srtp = tx->g.srtp;
		tx->g.srtp = fresh;
		/* srtp_update_stream drops a ROC set before the first packet. */
		ng.fresh = !tx->g.any_rtp;
		ng.any_rtp = tx->g.any_rtp;
	}
	/* else libsrtp2 removed the old stream and could not add the new
	 * one: the fresh srtp_t takes over, its ROC set at the next packet
	 * (its SRTCP index starts again, under the new key). */
	mikey_wipe(key, sizeof(key));
	mikey_wipe(&policy, sizeof(policy));
	glue_cleanup(&tx->g); /* the srtp_t not kept, the old tag keys */
	tx->g = ng;
	return MIKEY_OK;
}

/* ------------------------------------------------------------------ */
/* Receiver                                                            */

struct mikey_srtp_tesla_rx {
	glue g;
	/* After a rekey: the previous key, for the packets TESLA still holds
	 * that came under it. A packet goes to |prev| when its index is below
	 * the lowest index seen under the new MKI (switch[rtcp]): the sender
	 * switches at a packet boundary (RFC 3711 §8.1). */
	glue prev;
	bool has_prev;
	uint64_t switch_at[2];
	mikey_tesla_receiver *r;
	mikey_srtp_tesla_rx_counters c;
};

int mikey_srtp_tesla_rx_new(const mikey_crypto_session *cs, const mikey_srtp_tesla_config *cfg,
                            const mikey_tesla_params *p, const mikey_tesla_receiver_config *rcfg,
                            mikey_srtp_tesla_rx **out)
{
	mikey_srtp_tesla_rx *rx;
	int rc;

	if (out == NULL)
		return MIKEY_ERR_ARG;
	*out = NULL;
	if (cs == NULL || p == NULL)
		return MIKEY_ERR_ARG;
	rc = mikey_tesla_params_check(p);
	if (rc != MIKEY_OK)
		return rc;
	rx = mikey_malloc(sizeof(*rx));
	if (rx == NULL)
		return MIKEY_ERR_NOMEM;
	memset(rx, 0, sizeof(*rx));
	rc = mikey_tesla_receiver_new(p, rcfg, &rx->r);
	if (rc != MIKEY_OK)
		goto fail_free;
	rc = glue_init(&rx->g, cs, cfg, mikey_tesla_ext_len(p));
	if (rc != MIKEY_OK)
		goto fail_receiver;
	*out = rx;
	return MIKEY_OK;
fail_receiver:
	mikey_tesla_receiver_free(rx->r);
fail_free:
	mikey_free(rx);
	return rc;
}

void mikey_srtp_tesla_rx_free(mikey_srtp_tesla_rx *rx)
{
	if (rx == NULL)
		return;
	mikey_tesla_receiver_free(rx->r);
	glue_cleanup(&rx->g);
	if (rx->has_prev)
		glue_cleanup(&rx->prev);
	mikey_wipe(&rx->c, sizeof(rx->c));
	mikey_free(rx);
}

static int drop(mikey_srtp_tesla_rx *rx, mikey_srtp_tesla_result *res, mikey_srtp_tesla_status st)
{
	res->status = st;
	switch (st) {
	case MIKEY_SRTP_TESLA_MALFORMED: rx->c.malformed++; break;
	case MIKEY_SRTP_TESLA_OTHER_SSRC: rx->c.other_ssrc++; break;
	case MIKEY_SRTP_TESLA_REPLAY: rx->c.replay++; break;
	case MIKEY_SRTP_TESLA_BAD_MKI: rx->c.bad_mki++; break;
	case MIKEY_SRTP_TESLA_BAD_TAG: rx->c.bad_tag++; break;
	default: break;
	}
	return MIKEY_OK;
}

/* Common part of RFC 4383 §4.4.2 after the index is known: replay check
 * against the TESLA-verified list, MKI, SRTP tag; returns the length of
 * the packet without MKI and tag in *inner, or 0 when dropped. */
static int check_outer(mikey_srtp_tesla_rx *rx, const uint8_t *pkt, size_t len, bool rtcp, uint64_t index,
                       uint32_t roc, mikey_srtp_tesla_result *res, size_t *inner)
{
	uint8_t tag[MIKEY_SRTP_TESLA_TAG_LEN_MAX];
	size_t covered = len - rx->g.mki_len - rx->g.tag_len;
	int rc;

	glue *gen = &rx->g;

	*inner = 0;
	if (mikey_tesla_receiver_seen(rx->r, rtcp, index))
		return drop(rx, res, MIKEY_SRTP_TESLA_REPLAY);
	/* The MKI is public: an ordinary compare is fine. A rekey keeps the
	 * MKI length, so |covered| is the same under either key. */
	if (rx->g.mki_len != 0 && memcmp(pkt + covered, rx->g.mki, rx->g.mki_len) != 0) {
		if (!rx->has_prev || memcmp(pkt + covered, rx->prev.mki, rx->prev.mki_len) != 0)
			return drop(rx, res, MIKEY_SRTP_TESLA_BAD_MKI);
		gen = &rx->prev;
	}
	rc = tag_keyed(rtcp ? &gen->rtcp_tag_key : &gen->rtp_tag_key, pkt, covered, !rtcp, roc, tag, gen->tag_len);
	if (rc != MIKEY_OK)
		return rc;
	if (!mikey_crypto_memeq(tag, pkt + covered + gen->mki_len, gen->tag_len))
		return drop(rx, res, MIKEY_SRTP_TESLA_BAD_TAG);
	if (gen == &rx->g && rx->has_prev && index < rx->switch_at[rtcp])
		rx->switch_at[rtcp] = index;
	*inner = covered;
	return MIKEY_OK;
}

int mikey_srtp_tesla_rx_input_rtp(mikey_srtp_tesla_rx *rx, const uint8_t *pkt, size_t len, uint64_t now,
                                  mikey_srtp_tesla_result *res)
{
	uint64_t index;
	size_t inner;
	int rc;

	if (rx == NULL || res == NULL || (pkt == NULL && len != 0))
		return MIKEY_ERR_ARG;
	memset(res, 0, sizeof(*res));
	if (len < RTP_HDR_LEN + rx->g.ext_len + rx->g.mki_len + rx->g.tag_len || (pkt[0] >> 6) != 2)
		return drop(rx, res, MIKEY_SRTP_TESLA_MALFORMED);
	if (get32(pkt + 8) != rx->g.ssrc)
		return drop(rx, res, MIKEY_SRTP_TESLA_OTHER_SSRC);
	/* RFC 3711 §3.3 step 2, from s_l/ROC as updated by released packets. */
	if (!mikey_srtp_estimate_index(rx->g.highest, (uint16_t)(pkt[2] << 8 | pkt[3]), &index))
		return drop(rx, res, MIKEY_SRTP_TESLA_REPLAY);
	res->index = index;
	rc = check_outer(rx, pkt, len, false, index, (uint32_t)(index >> 16), res, &inner);
	if (rc != MIKEY_OK || inner == 0)
		return rc;
	rc = mikey_tesla_receiver_input_rtp(rx->r, pkt, inner, (uint32_t)(index >> 16), index, now, &res->tesla);
	if (rc == MIKEY_ERR_TRUNCATED)
		return drop(rx, res, MIKEY_SRTP_TESLA_MALFORMED);
	return rc;
}

int mikey_srtp_tesla_rx_input_rtcp(mikey_srtp_tesla_rx *rx, const uint8_t *pkt, size_t len, uint64_t now,
                                   mikey_srtp_tesla_result *res)
{
	size_t inner, idx_at;
	uint64_t index;
	int rc;

	if (rx == NULL || res == NULL || (pkt == NULL && len != 0))
		return MIKEY_ERR_ARG;
	memset(res, 0, sizeof(*res));
	if (len < RTCP_HDR_LEN + SRTCP_IDX_LEN + rx->g.ext_len + rx->g.mki_len + rx->g.tag_len || (pkt[0] >> 6) != 2)
		return drop(rx, res, MIKEY_SRTP_TESLA_MALFORMED);
	if (get32(pkt + 4) != rx->g.ssrc)
		return drop(rx, res, MIKEY_SRTP_TESLA_OTHER_SSRC);
	/* RFC 4383 §4.5: E||index sits right before the extension. */
	idx_at = len - rx->g.tag_len - rx->g.mki_len - rx->g.ext_len - SRTCP_IDX_LEN;
	index = get32(pkt + idx_at) & 0x7fffffffu;
	res->index = index;
	rc = check_outer(rx, pkt, len, true, index, 0, res, &inner);
	if (rc != MIKEY_OK || inner == 0)
		return rc;
	rc = mikey_tesla_receiver_input_rtcp(rx->r, pkt, inner, index, now, &res->tesla);
	if (rc == MIKEY_ERR_TRUNCATED)
		return drop(rx, res, MIKEY_SRTP_TESLA_MALFORMED);
	return rc;
}

int mikey_srtp_tesla_rx_next(mikey_srtp_tesla_rx *rx, uint8_t *out, size_t cap, size_t *out_len, bool *rtcp)
{
	mikey_tesla_released info;
	srtp_err_status_t st;
	glue *gen;
	int rc, ilen;

	if (rx == NULL || out_len == NULL || rtcp == NULL || (out == NULL && cap != 0))
		return MIKEY_ERR_ARG;
	for (;;) {
		rc = mikey_tesla_receiver_next(rx->r, out, cap, &info);
		if (rc == MIKEY_ERR_LENGTH)
			*out_len = info.len;
		if (rc != MIKEY_OK)
			return rc;
		/* RFC 4383 §4.4.2: decrypt only now, after TESLA verification;
		 * libsrtp2 then updates its replay list, ROC and s_l. */
		gen = rx->has_prev && info.index < rx->switch_at[info.rtcp] ? &rx->prev : &rx->g;
		if (!info.rtcp && glue_fresh_roc(gen, info.index) != MIKEY_OK) {
			rx->c.decrypt_fail++;
			mikey_wipe(out, info.len);
			continue;
		}
		ilen = (int)info.len;
		st = info.rtcp ? srtp_unprotect_rtcp(gen->srtp, out, &ilen) : srtp_unprotect(gen->srtp, out, &ilen);
		if (st != srtp_err_status_ok) {
			rx->c.decrypt_fail++;
			mikey_wipe(out, info.len);
			continue;
		}
		if (!info.rtcp && info.index > rx->g.highest)
			rx->g.highest = info.index; /* §4.4.2 last paragraph */
		if (!info.rtcp)
			gen->any_rtp = true;
		rx->c.released++;
		*out_len = (size_t)ilen;
		*rtcp = info.rtcp;
		return MIKEY_OK;
	}
}

void mikey_srtp_tesla_rx_get_counters(const mikey_srtp_tesla_rx *rx, mikey_srtp_tesla_rx_counters *c)
{
	*c = rx->c;
	mikey_tesla_receiver_get_counters(rx->r, &c->tesla);
}

/* same_key: |cs| names |g|'s MKI: is it |g|'s key (the same generation
 * sent again, e.g. with one more sender in its CS map)? Compared through
 * the derived authentication keys, in constant time. */
static int same_key(const glue *g, const mikey_crypto_session *cs)
{
	mikey_srtp_tesla_config cfg = {.tag_len = g->tag_len, .window = g->window};
	glue t;
	int rc = glue_init(&t, cs, &cfg, g->ext_len);
	if (rc != MIKEY_OK)
		return rc;
	rc = mikey_crypto_memeq(t.rtp_auth, g->rtp_auth, AUTH_KEY_LEN) &&
	             mikey_crypto_memeq(t.rtcp_auth, g->rtcp_auth, AUTH_KEY_LEN)
	         ? MIKEY_OK
	         : MIKEY_ERR_ARG;
	glue_cleanup(&t);
	return rc;
}

int mikey_srtp_tesla_rx_rekey(mikey_srtp_tesla_rx *rx, const mikey_crypto_session *cs)
{
	glue ng;
	int rc;

	if (rx == NULL || cs == NULL)
		return MIKEY_ERR_ARG;
	/* The current key again: nothing to do (another key under the same
	 * MKI is refused: an MKI names one key, RFC 3711 §3.1). */
	if (cs->ssrc == rx->g.ssrc && cs->mki_len > 0 && cs->mki_len == rx->g.mki_len &&
	    memcmp(cs->mki, rx->g.mki, cs->mki_len) == 0)
		return same_key(&rx->g, cs);
	if ((rc = glue_next(&rx->g, cs, &ng)) != MIKEY_OK)
		return rc;
	/* The new key gets a fresh srtp_t (ROC set before its first packet
	 * from our index estimate); the current one, with its ROC, replay
	 * list and the key of the packets TESLA holds, becomes |prev|. A
	 * third key drops the oldest: its packets still held then fail to
	 * decrypt (counted in decrypt_fail). */
	if (rx->has_prev)
		glue_cleanup(&rx->prev);
	rx->prev = rx->g;
	rx->g = ng;
	rx->has_prev = true;
	rx->switch_at[0] = rx->switch_at[1] = UINT64_MAX;
	return MIKEY_OK;
}
