/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rcc.c - RFC 4771 Roll-over Counter Carrying tags; see srtp/rcc.h.
 */
#include "srtp/rcc.h"

#include <string.h>

#include "crypto/crypto.h"
#include "mikey/mem.h"
#include "srtp/srtp_kdf.h"

#define MAC_MAX 20 /* HMAC-SHA1 output */

int mikey_rcc_init(mikey_rcc *r, const mikey_srtp_policy *p)
{
	mikey_srtp_integrity in;

	if (r == NULL || p == NULL)
		return MIKEY_ERR_ARG;
	memset(r, 0, sizeof(*r));
	if (mikey_srtp_policy_integrity(p, false, &in) != MIKEY_OK || in.rate == 0)
		return MIKEY_ERR_NOT_FOUND;
	r->mode = (uint8_t)(in.alg - MIKEY_SRTP_AUTH_RCCM1 + 1);
	r->rate = in.rate;
	r->tag_len = in.tag_len;
	/* Same bounds as the SP check (policy/sp_policy.c), for hand-made
	 * policies: RFC 4771 §4 (R 16 bits, non-zero), §5 (tag lengths). */
	if (r->rate > 0xffff || (r->mode == 3 ? r->tag_len != MIKEY_RCC_ROC_LEN
	                                      : r->tag_len <= MIKEY_RCC_ROC_LEN || r->tag_len > MAC_MAX))
		return MIKEY_ERR_POLICY;
	return MIKEY_OK;
}

bool mikey_rcc_carries_roc(const mikey_rcc *r, uint16_t seq)
{
	return seq % r->rate == 0;
}

size_t mikey_rcc_trailer_len(const mikey_rcc *r, uint16_t seq)
{
	return mikey_rcc_carries_roc(r, seq) || r->mode == 2 ? r->tag_len : 0;
}

int mikey_rcc_auth_key(const uint8_t *master_key, size_t key_len, const uint8_t *salt,
                       uint8_t auth[MIKEY_RCC_AUTH_KEY_LEN])
{
	return mikey_srtp_kdf(master_key, key_len, salt, MIKEY_SRTP_LABEL_RTP_AUTH, auth, MIKEY_RCC_AUTH_KEY_LEN);
}

static void put32(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
}

int mikey_rcc_put_tag(const mikey_rcc *r, const uint8_t auth[MIKEY_RCC_AUTH_KEY_LEN], const uint8_t *covered,
                      size_t covered_len, uint16_t seq, uint32_t roc, uint8_t *tag)
{
	if (r == NULL || auth == NULL || covered == NULL || tag == NULL)
		return MIKEY_ERR_ARG;
	if (!mikey_rcc_carries_roc(r, seq)) {
		/* RFC 4771 §3: mode 2 protects the others with the default
		 * transform (RFC 3711 §4.2.1); modes 1 and 3 leave them bare. */
		if (r->mode != 2)
			return MIKEY_OK;
		return mikey_srtp_tag(auth, covered, covered_len, true, roc, tag, r->tag_len);
	}
	/* RFC 4771 §2: TAG = ROC_sender || MAC_tr; mode 3 has no MAC. */
	put32(tag, roc);
	if (r->mode == 3)
		return MIKEY_OK;
	return mikey_srtp_tag(auth, covered, covered_len, true, roc, tag + MIKEY_RCC_ROC_LEN,
	                      r->tag_len - MIKEY_RCC_ROC_LEN);
}

int mikey_rcc_check_tag(const mikey_rcc *r, const uint8_t auth[MIKEY_RCC_AUTH_KEY_LEN], const uint8_t *covered,
                        size_t covered_len, uint16_t seq, const uint8_t *tag, uint32_t local_roc, bool trust_local,
                        uint32_t *roc, bool *from_packet)
{
	uint8_t mac[MAC_MAX];
	uint32_t use = local_roc;
	size_t off = 0;
	int rc;

	if (r == NULL || auth == NULL || covered == NULL || roc == NULL || from_packet == NULL ||
	    (tag == NULL && mikey_rcc_trailer_len(r, seq) != 0))
		return MIKEY_ERR_ARG;
	*from_packet = false;
	if (mikey_rcc_carries_roc(r, seq)) {
		/* RFC 4771 §2: "ROC_local is replaced by ROC_sender". */
		uint32_t sender = (uint32_t)tag[0] << 24 | (uint32_t)tag[1] << 16 | (uint32_t)tag[2] << 8 | tag[3];
		if (r->mode == 3) {
			/* §3: without a MAC the ROC is taken on trust, unless the
			 * application says ours is right; it is removed anyway. */
			*roc = trust_local ? local_roc : sender;
			*from_packet = !trust_local;
			return MIKEY_OK;
		}
		use = sender;
		off = MIKEY_RCC_ROC_LEN;
	} else if (r->mode != 2) {
		*roc = local_roc;
		return MIKEY_OK;
	}
	rc = mikey_srtp_tag(auth, covered, covered_len, true, use, mac, r->tag_len - off);
	if (rc == MIKEY_OK && !mikey_crypto_memeq(mac, tag + off, r->tag_len - off))
		rc = MIKEY_ERR_AUTH; /* §2: "the packet MUST be dropped" */
	mikey_wipe(mac, sizeof(mac));
	if (rc != MIKEY_OK)
		return rc;
	*roc = use;
	*from_packet = off != 0;
	return MIKEY_OK;
}
