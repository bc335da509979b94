/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* srtpgroup_profile.c - see srtpgroup_profile.h. */
#include "srtpgroup_profile.h"

#include <string.h>

#include <mikey/srtp.h>
#include <mikey/types.h>

#include "srtpgroup_error.h"

static const GEnumValue cipher_values[] = {
	{SG_CIPHER_NULL, "SG_CIPHER_NULL", "null"},
	{SG_CIPHER_AES_128_ICM, "SG_CIPHER_AES_128_ICM", "aes-128-icm"},
	{SG_CIPHER_AES_256_ICM, "SG_CIPHER_AES_256_ICM", "aes-256-icm"},
	{SG_CIPHER_AES_128_GCM, "SG_CIPHER_AES_128_GCM", "aes-128-gcm"},
	{SG_CIPHER_AES_256_GCM, "SG_CIPHER_AES_256_GCM", "aes-256-gcm"},
	{0, NULL, NULL}};

static const GEnumValue auth_values[] = {
	{SG_AUTH_NULL, "SG_AUTH_NULL", "null"},
	{SG_AUTH_HMAC_SHA1_32, "SG_AUTH_HMAC_SHA1_32", "hmac-sha1-32"},
	{SG_AUTH_HMAC_SHA1_80, "SG_AUTH_HMAC_SHA1_80", "hmac-sha1-80"},
	{0, NULL, NULL}};

GType sg_cipher_get_type(void)
{
	static gsize id = 0;
	if (g_once_init_enter(&id))
		g_once_init_leave(&id, g_enum_register_static("GstSrtpGroupCipherType", cipher_values));
	return (GType)id;
}

GType sg_auth_get_type(void)
{
	static gsize id = 0;
	if (g_once_init_enter(&id))
		g_once_init_leave(&id, g_enum_register_static("GstSrtpGroupAuthType", auth_values));
	return (GType)id;
}

static gboolean from_nick(const GEnumValue *v, const gchar *nick, gint *out)
{
	for (; nick != NULL && v->value_nick != NULL; v++) {
		if (strcmp(v->value_nick, nick) == 0) {
			*out = v->value;
			return TRUE;
		}
	}
	return FALSE;
}

gboolean sg_cipher_from_nick(const gchar *nick, SgCipher *out)
{
	gint v;
	if (!from_nick(cipher_values, nick, &v))
		return FALSE;
	*out = (SgCipher)v;
	return TRUE;
}

gboolean sg_auth_from_nick(const gchar *nick, SgAuth *out)
{
	gint v;
	if (!from_nick(auth_values, nick, &v))
		return FALSE;
	*out = (SgAuth)v;
	return TRUE;
}

static gboolean is_gcm(SgCipher c)
{
	return c == SG_CIPHER_AES_128_GCM || c == SG_CIPHER_AES_256_GCM;
}

/* Key and salt lengths: RFC 3711 §8.2 (AES-CM: 14-byte salt), RFC 6188
 * (AES-256-CM), RFC 7714 §8.1 (AES-GCM: 12-byte salt). */
static void lengths(SgCipher c, gsize *key, gsize *salt)
{
	*key = (c == SG_CIPHER_AES_256_ICM || c == SG_CIPHER_AES_256_GCM) ? 32 : 16;
	*salt = is_gcm(c) ? 12 : 14;
}

gsize sg_profile_key_len(const SgProfile *p)
{
	gsize k, s;
	lengths(p->rtp_cipher, &k, &s);
	return k + s;
}

gboolean sg_profile_to_cs(const SgProfile *p, const guint8 *key, gsize key_len, const guint8 *mki, gsize mki_len,
                          guint32 ssrc, guint32 roc, mikey_crypto_session *cs, GError **err)
{
	mikey_srtp_policy *pol = &cs->policy;
	gsize klen, slen;

	memset(cs, 0, sizeof(*cs));
	lengths(p->rtp_cipher, &klen, &slen);
	/* One SRTP policy covers both (RFC 3830 §6.10.1): SRTCP may only
	 * differ by being unencrypted. */
	if (p->rtcp_cipher != p->rtp_cipher && p->rtcp_cipher != SG_CIPHER_NULL) {
		sg_set_error(err, MIKEY_ERR_POLICY, "rtcp-cipher must be rtp-cipher's or null");
		return FALSE;
	}
	if (p->rtcp_auth != p->rtp_auth) {
		sg_set_error(err, MIKEY_ERR_POLICY,
		             "rtcp-auth must equal rtp-auth (libsrtp2 2.5 mis-handles SRTCP with MKI when the tag "
		             "lengths differ)");
		return FALSE;
	}
	if (is_gcm(p->rtp_cipher) && p->rtp_auth != SG_AUTH_NULL) {
		sg_set_error(err, MIKEY_ERR_POLICY, "AES-GCM authenticates by itself: rtp-auth must be null (RFC 7714)");
		return FALSE;
	}
	if (key_len != klen + slen) {
		sg_set_error(err, MIKEY_ERR_LENGTH, "the key is %zu bytes; %s needs %zu (master key %zu + salt %zu)",
		             key_len, cipher_values[p->rtp_cipher].value_nick, klen + slen, klen, slen);
		return FALSE;
	}
	if (mki_len > sizeof(cs->mki)) {
		sg_set_error(err, MIKEY_ERR_LENGTH, "MKI of %zu bytes", mki_len);
		return FALSE;
	}
	mikey_srtp_policy_default(pol);
	pol->encr_key_len = (uint32_t)klen;
	pol->salt_key_len = (uint32_t)slen;
	switch (p->rtp_cipher) {
	case SG_CIPHER_NULL:
		pol->encr_alg = MIKEY_SRTP_ENCR_NULL;
		pol->srtp_encr = FALSE;
		pol->srtcp_encr = FALSE;
		break;
	case SG_CIPHER_AES_128_GCM:
	case SG_CIPHER_AES_256_GCM:
		pol->encr_alg = MIKEY_SRTP_ENCR_AES_GCM;
		pol->auth_alg = MIKEY_SRTP_AUTH_NULL;
		pol->auth_key_len = 0;
		pol->auth_tag_len = 0;
		pol->aead_tag_len = 16;
		break;
	default:
		pol->encr_alg = MIKEY_SRTP_ENCR_AES_CM;
		break;
	}
	if (p->rtcp_cipher == SG_CIPHER_NULL)
		pol->srtcp_encr = FALSE;
	if (!is_gcm(p->rtp_cipher)) {
		if (p->rtp_auth == SG_AUTH_NULL) {
			pol->srtp_auth = FALSE;
			pol->auth_tag_len = 0;
		} else {
			pol->auth_alg = MIKEY_SRTP_AUTH_HMAC_SHA1;
			pol->auth_key_len = 20;
			pol->auth_tag_len = p->rtp_auth == SG_AUTH_HMAC_SHA1_32 ? 4 : 10;
		}
	}
	cs->cs_id = 1;
	cs->ssrc = ssrc;
	cs->roc = roc;
	memcpy(cs->master_key, key, klen);
	cs->master_key_len = klen;
	memcpy(cs->master_salt, key + klen, slen);
	cs->master_salt_len = slen;
	if (mki_len > 0)
		memcpy(cs->mki, mki, mki_len);
	cs->mki_len = mki_len;
	return TRUE;
}
