/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * srtpgroup_fuzz_input.h - the input format of fuzz_srtpgroup_dec, shared
 * with make_srtpgroup_seeds, which writes genuine inputs in it:
 *
 *   byte 0      profile: cipher = b % 5 (srtpenc's numbering), auth =
 *               (b / 5) % 3; bit 7 set: grace period 0
 *   byte 1      MKI length = b % 5 (0: no MKI); the MKI is 0..0 || n;
 *               RFC 4771 RCC mode = (b / 5) % 4 (0: none; AES-CM with
 *               HMAC-SHA1 profiles only), R = 1 + (b / 20) % 8, SRTP tag
 *               14 (RCCm1/2) or 4 (RCCm3)
 *   bytes 2-47  master key || salt (as much as the profile takes)
 *   then records: type (1 byte), length (2 bytes, big-endian), data
 *     type % 4 == 0   an SRTP packet for the decoder
 *     type % 4 == 1   an SRTCP packet for the decoder
 *     type % 4 == 2   a rekey for any SSRC: data = new key || salt, next MKI
 *     type % 4 == 3   keys for one SSRC: data = SSRC (4 bytes) || key
 *   type / 4 is how many milliseconds pass before the record.
 */
#ifndef SRTPGROUP_FUZZ_INPUT_H
#define SRTPGROUP_FUZZ_INPUT_H

#include <stdint.h>
#include <string.h>

#include "srtpgroup_profile.h"

#define SGF_HEADER 48

/* The profile byte 0 names (GCM with an HMAC is made NULL auth). */
static inline void sgf_profile(uint8_t b, SgProfile *p)
{
	p->rtp_cipher = p->rtcp_cipher = (SgCipher)(b % 5);
	p->rtp_auth = p->rtcp_auth = (SgAuth)((b / 5) % 3);
	if (p->rtp_cipher == SG_CIPHER_AES_128_GCM || p->rtp_cipher == SG_CIPHER_AES_256_GCM)
		p->rtp_auth = p->rtcp_auth = SG_AUTH_NULL;
}

/* The MKI of generation |gen| (|len| bytes, big-endian counter). */
static inline void sgf_mki(uint8_t *mki, size_t len, uint32_t gen)
{
	memset(mki, 0, len);
	for (size_t i = 0; i < len && i < 4; i++)
		mki[len - 1 - i] = (uint8_t)(gen >> (8 * i));
}

/* Byte 1's RCC choice applied to a crypto session made from the profile:
 * SRTP auth alg RCCm1..3 (type 14), its tag (type 18) and R. */
static inline void sgf_rcc(uint8_t b, mikey_crypto_session *cs)
{
	unsigned mode = (b / 5) % 4;
	mikey_srtp_policy *p = &cs->policy;

	if (mode == 0 || p->encr_alg != MIKEY_SRTP_ENCR_AES_CM || p->auth_alg != MIKEY_SRTP_AUTH_HMAC_SHA1 ||
	    !p->srtp_auth)
		return;
	p->srtp_auth_alg = (uint8_t)(MIKEY_SRTP_AUTH_RCCM1 + mode - 1);
	p->srtp_auth_key_len = 20;
	p->srtp_auth_tag_len = mode == 3 ? 4 : 14;
	p->roc_tx_rate = 1 + (b / 20) % 8;
	p->specific = MIKEY_SRTP_SPEC_SRTP_AUTH_ALG | MIKEY_SRTP_SPEC_SRTP_TAG_LEN;
}

#endif
