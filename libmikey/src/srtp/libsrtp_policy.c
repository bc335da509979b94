/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libsrtp_policy.c - a MIKEY crypto session as a libsrtp2 srtp_policy_t; see
 * mikey/srtp_libsrtp.h for the mapping. Keys flow one way: crypto session
 * -> policy -> libsrtp2; nothing here reads packets.
 */
#include "mikey/srtp_libsrtp.h"

#include <string.h>

#include "mikey/mem.h"
#include "srtp/libsrtp_prf_check.h"
#include "srtp/srtp_lib.h"

/* One crypto policy (SRTP or SRTCP) from the SP parameters; |encr| is the
 * SRTP or SRTCP encryption flag (RFC 3830 Table 6.10.1.a types 7 and 8),
 * |in| the integrity transform in force for it (RFC 4771 §4). An RCC
 * transform (SRTP only) becomes NULL auth here: the RCC glue
 * (srtp/rcc.c) computes and checks its tags itself. */
static int crypto_policy(const mikey_srtp_policy *p, bool encr, const mikey_srtp_integrity *in,
                         srtp_crypto_policy_t *cp)
{
	bool auth, rcc;

	memset(cp, 0, sizeof(*cp));
	switch (p->encr_alg) {
	case MIKEY_SRTP_ENCR_AES_GCM:
		/* RFC 7714 §8.1: AEAD, 12-byte salt, the tag comes with the
		 * cipher; no separate authentication algorithm. */
		if (p->salt_key_len != 12 || in->alg != MIKEY_SRTP_AUTH_NULL)
			return MIKEY_ERR_POLICY;
		if (p->encr_key_len == 16 && p->aead_tag_len == 16)
			srtp_crypto_policy_set_aes_gcm_128_16_auth(cp);
		else if (p->encr_key_len == 16 && p->aead_tag_len == 8)
			srtp_crypto_policy_set_aes_gcm_128_8_auth(cp);
		else if (p->encr_key_len == 32 && p->aead_tag_len == 16)
			srtp_crypto_policy_set_aes_gcm_256_16_auth(cp);
		else if (p->encr_key_len == 32 && p->aead_tag_len == 8)
			srtp_crypto_policy_set_aes_gcm_256_8_auth(cp);
		else
			return MIKEY_ERR_POLICY;
		/* RFC 7714 §9.3 lets SRTCP go unencrypted (E = 0, all AAD);
		 * libsrtp2 does that with sec_serv_auth. */
		if (!encr)
			cp->sec_serv = sec_serv_auth;
		return MIKEY_OK;
	case MIKEY_SRTP_ENCR_AES_CM:
		if (p->salt_key_len != 14)
			return MIKEY_ERR_POLICY;
		if (p->encr_key_len == 16)
			srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(cp);
		else if (p->encr_key_len == 24 && mikey_libsrtp_aes192_ok())
			srtp_crypto_policy_set_aes_cm_192_hmac_sha1_80(cp);
		else if (p->encr_key_len == 32)
			srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80(cp);
		else
			return MIKEY_ERR_POLICY;
		break;
	case MIKEY_SRTP_ENCR_NULL:
		/* libsrtp2 keys the NULL cipher like AES-ICM-128: its KDF still
		 * needs a 16-byte master key and a 14-byte salt. */
		if (p->salt_key_len != 14 || p->encr_key_len != 16)
			return MIKEY_ERR_POLICY;
		srtp_crypto_policy_set_null_cipher_hmac_sha1_80(cp);
		encr = false;
		break;
	default: /* AES-F8 (libsrtp2 2.x has none) and unknown values */
		return MIKEY_ERR_POLICY;
	}
	/* Non-AEAD: HMAC-SHA-1 (RFC 3711 §4.2.1) or no authentication. */
	rcc = in->alg == MIKEY_SRTP_AUTH_RCCM1 || in->alg == MIKEY_SRTP_AUTH_RCCM2 || in->alg == MIKEY_SRTP_AUTH_RCCM3;
	auth = p->srtp_auth && in->alg != MIKEY_SRTP_AUTH_NULL && !rcc;
	if (auth) {
		if (in->alg != MIKEY_SRTP_AUTH_HMAC_SHA1 || in->key_len != 20 || in->tag_len < 1 || in->tag_len > 20)
			return MIKEY_ERR_POLICY;
		cp->auth_tag_len = (int)in->tag_len;
	} else {
		cp->auth_type = SRTP_NULL_AUTH;
		cp->auth_key_len = 0;
		cp->auth_tag_len = 0;
	}
	cp->sec_serv = (srtp_sec_serv_t)((encr ? sec_serv_conf : 0) | (auth ? sec_serv_auth : 0));
	return MIKEY_OK;
}

int mikey_srtp_fill_policy(const mikey_crypto_session *cs, mikey_srtp_ssrc_mode mode, srtp_policy_t *policy,
                           mikey_srtp_key_buf *kb)
{
	return mikey_srtp_fill_policy_ex(cs, mode, false, policy, kb);
}

int mikey_srtp_fill_policy_ex(const mikey_crypto_session *cs, mikey_srtp_ssrc_mode mode, bool rcc_ok,
                              srtp_policy_t *policy, mikey_srtp_key_buf *kb)
{
	const mikey_srtp_policy *p;
	mikey_srtp_integrity rtp_in, rtcp_in;
	int rc;

	if (cs == NULL || policy == NULL || kb == NULL)
		return MIKEY_ERR_ARG;
	memset(policy, 0, sizeof(*policy));
	memset(kb, 0, sizeof(*kb));
	p = &cs->policy;
	switch (mode) {
	case MIKEY_SRTP_SSRC_SPECIFIC:
		policy->ssrc.type = ssrc_specific;
		policy->ssrc.value = cs->ssrc;
		break;
	case MIKEY_SRTP_SSRC_ANY_INBOUND:
		policy->ssrc.type = ssrc_any_inbound;
		break;
	case MIKEY_SRTP_SSRC_ANY_OUTBOUND:
		policy->ssrc.type = ssrc_any_outbound;
		break;
	default:
		return MIKEY_ERR_ARG;
	}
	/* What libsrtp2 2.5 has no code for. The PRF (RFC 3830 type 5) is
	 * AES-CM, 0, in every SRTP profile it runs; it derives session keys
	 * once (KDR 0, RFC 3711 §4.3.1); no keystream prefix (type 12); no
	 * RFC 4771 ROC carrying (auth alg 2-4, type 13): that only with
	 * |rcc_ok|, for mikey_srtp_sess, which runs RCC around libsrtp2. */
	if (p->prf != 0 || p->kdr != 0 || p->prefix_len != 0)
		return MIKEY_ERR_POLICY;
	(void)mikey_srtp_policy_integrity(p, false, &rtp_in);
	(void)mikey_srtp_policy_integrity(p, true, &rtcp_in);
	if (rtp_in.rate != 0 ? !rcc_ok || rtp_in.rate > 0xffff || !p->srtp_auth : p->roc_tx_rate != 0)
		return MIKEY_ERR_POLICY;
	if (rtcp_in.rate != 0) /* RFC 4771 §2: never on SRTCP */
		return MIKEY_ERR_POLICY;
	if (cs->master_key_len != p->encr_key_len || cs->master_salt_len != p->salt_key_len ||
	    cs->master_key_len + cs->master_salt_len > sizeof(kb->key) || cs->mki_len > sizeof(kb->mki))
		return MIKEY_ERR_POLICY;
	if ((rc = crypto_policy(p, p->srtp_encr, &rtp_in, &policy->rtp)) != MIKEY_OK)
		goto fail;
	if ((rc = crypto_policy(p, p->srtcp_encr, &rtcp_in, &policy->rtcp)) != MIKEY_OK)
		goto fail;
	/* GCM with SRTP encryption off would be GMAC-only SRTP, which
	 * RFC 7714 does not define for RTP (§9.2 always encrypts). */
	if (p->encr_alg == MIKEY_SRTP_ENCR_AES_GCM && !p->srtp_encr) {
		rc = MIKEY_ERR_POLICY;
		goto fail;
	}

	/* libsrtp2 wants master key || master salt in one buffer. */
	memcpy(kb->key, cs->master_key, cs->master_key_len);
	memcpy(kb->key + cs->master_key_len, cs->master_salt, cs->master_salt_len);
	if (cs->mki_len > 0) {
		/* RFC 3711 §3.1 MKI: libsrtp2 2.x takes a list of master keys,
		 * each with its MKI; ours has one. */
		memcpy(kb->mki, cs->mki, cs->mki_len);
		kb->master_key.key = kb->key;
		kb->master_key.mki_id = kb->mki;
		kb->master_key.mki_size = (unsigned int)cs->mki_len;
		kb->master_keys[0] = &kb->master_key;
		policy->keys = kb->master_keys;
		policy->num_master_keys = 1;
	} else {
		policy->key = kb->key;
	}
	policy->window_size = 0;
	policy->allow_repeat_tx = 0;
	policy->next = NULL;
	return MIKEY_OK;
fail:
	memset(policy, 0, sizeof(*policy));
	return rc;
}

void mikey_srtp_key_buf_wipe(mikey_srtp_key_buf *kb)
{
	if (kb != NULL)
		mikey_wipe(kb, sizeof(*kb));
}

int mikey_srtp_session_new(const mikey_crypto_session *cs, mikey_srtp_ssrc_mode mode, srtp_t *out)
{
	srtp_policy_t policy;
	mikey_srtp_key_buf kb;
	srtp_t session = NULL;
	int rc;

	if (out == NULL)
		return MIKEY_ERR_ARG;
	*out = NULL;
	if ((rc = mikey_srtp_fill_policy(cs, mode, &policy, &kb)) != MIKEY_OK)
		goto out;
	if (cs->roc != 0 && mode != MIKEY_SRTP_SSRC_SPECIFIC) {
		rc = MIKEY_ERR_POLICY;
		goto out;
	}
	/* One start-up of libsrtp2 for the whole library (srtp/srtp_lib.c). */
	if ((rc = mikey_srtp_lib_init()) != MIKEY_OK)
		goto out;
	rc = MIKEY_ERR_CRYPTO;
	if (srtp_create(&session, &policy) != srtp_err_status_ok) {
		session = NULL;
		goto out;
	}
	/* RFC 3830 §6.1.1: the ROC of the SRTP-ID map is the stream's. */
	if (cs->roc != 0 && srtp_set_stream_roc(session, cs->ssrc, cs->roc) != srtp_err_status_ok)
		goto out;
	*out = session;
	session = NULL;
	rc = MIKEY_OK;
out:
	if (session != NULL)
		srtp_dealloc(session);
	mikey_srtp_key_buf_wipe(&kb);
	memset(&policy, 0, sizeof(policy));
	return rc;
}
