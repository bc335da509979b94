/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * srtpgroup_profile.h - srtpenc/srtpdec's way of naming SRTP protection
 * (a cipher and an authentication for RTP and for RTCP, and a raw master
 * key || salt) turned into libmikey crypto sessions.
 *
 * The nicks are the ones gst-plugins-bad's srtpenc/srtpdec use, so that
 * caps and gst-launch lines written for them work here; the GTypes have
 * their own names, for both plugins may be loaded in one process.
 */
#ifndef SRTPGROUP_PROFILE_H
#define SRTPGROUP_PROFILE_H

#include <gst/gst.h>

#include <mikey/exchange.h>

G_BEGIN_DECLS

typedef enum {
	SG_CIPHER_NULL = 0,
	SG_CIPHER_AES_128_ICM = 1,
	SG_CIPHER_AES_256_ICM = 2,
	SG_CIPHER_AES_128_GCM = 3,
	SG_CIPHER_AES_256_GCM = 4
} SgCipher;

typedef enum {
	SG_AUTH_NULL = 0,
	SG_AUTH_HMAC_SHA1_32 = 1,
	SG_AUTH_HMAC_SHA1_80 = 2
} SgAuth;

#define SG_TYPE_CIPHER (sg_cipher_get_type())
#define SG_TYPE_AUTH (sg_auth_get_type())
GType sg_cipher_get_type(void);
GType sg_auth_get_type(void);

/* Parse a nick ("aes-128-icm", "hmac-sha1-80", ...); FALSE if unknown. */
gboolean sg_cipher_from_nick(const gchar *nick, SgCipher *out);
gboolean sg_auth_from_nick(const gchar *nick, SgAuth *out);

/* The protection of one stream, srtpenc-style. */
typedef struct SgProfile {
	SgCipher rtp_cipher, rtcp_cipher;
	SgAuth rtp_auth, rtcp_auth;
} SgProfile;

/* Master key || salt length the profile needs (30, 46, 28 or 44 bytes). */
gsize sg_profile_key_len(const SgProfile *p);

/* sg_profile_to_cs fills |cs| (wiped first) with the policy of |p| and the
 * master key and salt from key[0, key_len), MKI mki[0, mki_len) (none when
 * 0), |ssrc| (0: any) and |roc|. FALSE with |err| (a MIKEY error naming
 * what is wrong) when libsrtp2 cannot run the combination (RTCP
 * protection other than RTP's, except an unencrypted SRTCP) or the key
 * length is not the profile's. */
gboolean sg_profile_to_cs(const SgProfile *p, const guint8 *key, gsize key_len, const guint8 *mki, gsize mki_len,
                          guint32 ssrc, guint32 roc, mikey_crypto_session *cs, GError **err);

G_END_DECLS
#endif
