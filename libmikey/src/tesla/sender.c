/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sender.c - appends the TESLA authentication extension to SRTP and SRTCP
 * packets (RFC 4383 §4.1, §4.2, §4.4.1 step 6, §4.5).
 */
#include <string.h>

#include "mikey/mem.h"
#include "tesla/tesla_internal.h"

struct mikey_tesla_sender {
	mikey_tesla_params p; /* commitment = K_0, commit_index = 0 */
	mikey_tesla_chain *chain;
	uint64_t highest;     /* highest interval used so far, 0 = none */
	/* An HMAC keyed with K'_i of the interval last used, so a packet
	 * costs one HMAC and no re-keying; 0 = none keyed. */
	uint64_t mac_key_interval;
	mikey_hmac_key mac_hk;
};

int mikey_tesla_sender_new(const mikey_tesla_params *p, const uint8_t *seed, size_t seed_len,
                           mikey_tesla_sender **out)
{
	mikey_tesla_sender *s;
	mikey_tesla_params q;
	int rc;

	if (p == NULL || out == NULL)
		return MIKEY_ERR_ARG;
	*out = NULL;
	q = *p;
	q.commit_index = 0;
	memset(q.commitment, 0, sizeof(q.commitment));
	s = mikey_malloc(sizeof(*s));
	if (s == NULL)
		return MIKEY_ERR_NOMEM;
	memset(s, 0, sizeof(*s));
	rc = mikey_tesla_chain_new(&q, seed, seed_len, &s->chain);
	if (rc != MIKEY_OK)
		goto fail;
	rc = mikey_tesla_chain_key(s->chain, 0, q.commitment);
	if (rc != MIKEY_OK)
		goto fail;
	s->p = q;
	*out = s;
	return MIKEY_OK;
fail:
	mikey_tesla_sender_free(s);
	return rc;
}

int mikey_tesla_sender_dup(const mikey_tesla_sender *s, mikey_tesla_sender **out)
{
	mikey_tesla_sender *d;
	int rc;

	if (out == NULL)
		return MIKEY_ERR_ARG;
	*out = NULL;
	if (s == NULL)
		return MIKEY_ERR_ARG;
	d = mikey_malloc(sizeof(*d));
	if (d == NULL)
		return MIKEY_ERR_NOMEM;
	*d = *s;
	d->chain = NULL;
	/* The keyed HMAC is not shared: the copy keys its own. */
	d->mac_hk.ctx = NULL;
	d->mac_key_interval = 0;
	rc = tesla_chain_dup(s->chain, &d->chain);
	if (rc != MIKEY_OK)
		goto fail;
	*out = d;
	return MIKEY_OK;
fail:
	mikey_tesla_sender_free(d);
	return rc;
}

void mikey_tesla_sender_free(mikey_tesla_sender *s)
{
	if (s == NULL)
		return;
	mikey_tesla_chain_free(s->chain);
	mikey_hmac_key_cleanup(&s->mac_hk);
	mikey_wipe(s, sizeof(*s));
	mikey_free(s);
}

const mikey_tesla_params *mikey_tesla_sender_get0_params(const mikey_tesla_sender *s)
{
	return s != NULL ? &s->p : NULL;
}

/* protect appends i || K_{i-d} || TESLA MAC at buf + len. |mac_len| bytes
 * of buf are covered by the MAC (after ROC when |with_roc|). */
static int protect(mikey_tesla_sender *s, uint8_t *buf, size_t len, size_t cap, size_t mac_len, int with_roc,
                   uint32_t roc, uint64_t now, size_t *out_len)
{
	size_t ext_len = mikey_tesla_ext_len(&s->p), key_len = s->p.n_p / 8u;
	uint8_t k[MIKEY_TESLA_MAX_KEY_LEN], mac_key[MIKEY_TESLA_MAX_KEY_LEN];
	uint8_t *ext;
	uint64_t i;
	int rc;

	if (cap < len || cap - len < ext_len)
		return MIKEY_ERR_LENGTH;
	rc = mikey_tesla_interval(&s->p, now, &i);
	if (rc != MIKEY_OK)
		return rc;
	/* Interval 0 belongs to the public commitment K_0; after n_c the chain
	 * is used up (RFC 4082 §3.2: "limits the maximum transmission
	 * duration"). Going back to an earlier interval could MAC with a key
	 * already disclosed (RFC 4082 §3.7.2: never use K_i after interval
	 * i). */
	if (i == 0 || i > s->p.n_c || i < s->highest)
		return MIKEY_ERR_STATE;

	if (s->mac_key_interval != i) {
		mikey_hmac_key_cleanup(&s->mac_hk);
		s->mac_key_interval = 0;
		rc = mikey_tesla_chain_key(s->chain, (uint32_t)i, k);
		if (rc != MIKEY_OK)
			goto out;
		rc = mikey_tesla_f_prime(&s->p, k, mac_key);
		if (rc == MIKEY_OK)
			rc = tesla_mac_key(&s->p, mac_key, &s->mac_hk);
		if (rc != MIKEY_OK)
			goto out;
		s->mac_key_interval = i;
	}
	ext = buf + len;
	/* RFC 4383 §4.1, §4.4.1 step 6: i, then the key of interval i - d
	 * (the commitment K_0 while i < d: it is public anyway, and receivers
	 * skip keys at or below the index they already hold). */
	tesla_put32(ext, (uint32_t)i);
	rc = mikey_tesla_chain_key(s->chain, i >= s->p.d ? (uint32_t)(i - s->p.d) : 0, ext + TESLA_I_LEN);
	if (rc != MIKEY_OK)
		goto out;
	rc = tesla_mac(&s->p, &s->mac_hk, with_roc, roc, buf, mac_len, ext + TESLA_I_LEN + key_len);
	if (rc != MIKEY_OK)
		goto out;
	s->highest = i;
	*out_len = len + ext_len;
out:
	mikey_wipe(k, sizeof(k));
	mikey_wipe(mac_key, sizeof(mac_key));
	if (rc != MIKEY_OK)
		memset(buf + len, 0, ext_len);
	return rc;
}

int mikey_tesla_sender_protect_rtp(mikey_tesla_sender *s, uint8_t *buf, size_t len, size_t cap, uint32_t roc,
                                   uint64_t now, size_t *out_len)
{
	if (s == NULL || buf == NULL || out_len == NULL)
		return MIKEY_ERR_ARG;
	if (len < TESLA_MIN_RTP)
		return MIKEY_ERR_TRUNCATED;
	/* RFC 4383 §4.6: M' = ROC || TESLA Authenticated Portion. */
	return protect(s, buf, len, cap, len, 1, roc, now, out_len);
}

int mikey_tesla_sender_protect_rtcp(mikey_tesla_sender *s, uint8_t *buf, size_t len, size_t cap, uint64_t now,
                                    size_t *out_len)
{
	if (s == NULL || buf == NULL || out_len == NULL)
		return MIKEY_ERR_ARG;
	if (len < TESLA_MIN_RTCP + TESLA_SRTCP_INDEX_LEN)
		return MIKEY_ERR_TRUNCATED;
	/* RFC 4383 §4.5, §4.6: M' = RTCP header || Encrypted Portion, without
	 * E||SRTCP index and without ROC. */
	return protect(s, buf, len, cap, len - TESLA_SRTCP_INDEX_LEN, 0, 0, now, out_len);
}
