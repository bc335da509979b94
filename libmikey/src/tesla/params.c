/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * params.c - TESLA parameters (RFC 4383 §4.3, §6), the one-way functions F
 * and F', the TESLA MAC, interval arithmetic and extension parsing.
 */
#include <string.h>

#include "crypto/crypto.h"
#include "mikey/mem.h"
#include "tesla/tesla_internal.h"

/* The one-octet inputs of the PRF. RFC 4383 §6 writes K_i =
 * HMAC_SHA1(K_{i+1}, 0) and K'_i = HMAC_SHA1(K_i, 1); RFC 4082 §3.2 / §3.4
 * define F(k) = f_k(0), F'(k) = f'_k(1): the chain key is the HMAC key
 * and the constant is the message. Neither RFC says how wide "0" and "1"
 * are; we read them as a single octet 0x00 / 0x01 (see docs/tesla.md). */
static const uint8_t prf_input_f = 0x00;
static const uint8_t prf_input_f_prime = 0x01;

void mikey_tesla_params_default(mikey_tesla_params *p)
{
	if (p == NULL)
		return;
	memset(p, 0, sizeof(*p));
	/* RFC 4383 §6 table. */
	p->prf = MIKEY_TESLA_PRF_ID_HMAC_SHA1;
	p->n_p = 160;
	p->n_f = 160;
	p->mac = MIKEY_TESLA_MAC_ID_HMAC_SHA1;
	p->n_m = 80;
}

static int bits_ok(uint16_t bits)
{
	/* RFC 4383 §7 (after RFC 2104 §5): at least 80 bits and at least half
	 * the hash output; at most the HMAC-SHA1 output. */
	return bits % 8 == 0 && bits >= 80 && bits <= 8 * MIKEY_TESLA_MAX_KEY_LEN;
}

int mikey_tesla_params_check(const mikey_tesla_params *p)
{
	if (p == NULL)
		return MIKEY_ERR_ARG;
	if (p->prf != MIKEY_TESLA_PRF_ID_HMAC_SHA1 || p->mac != MIKEY_TESLA_MAC_ID_HMAC_SHA1)
		return MIKEY_ERR_UNSUPPORTED;
	if (!bits_ok(p->n_p) || !bits_ok(p->n_f) || !bits_ok(p->n_m))
		return MIKEY_ERR_FIELD_RANGE;
	if (p->t_int == 0 || p->d == 0 || p->n_c == 0 || p->commit_index >= p->n_c)
		return MIKEY_ERR_ARG;
	return MIKEY_OK;
}

size_t mikey_tesla_ext_len(const mikey_tesla_params *p)
{
	/* RFC 4383 §4.1: i (32 bits) || Disclosed Key (n_p) || TESLA MAC (n_m). */
	return TESLA_I_LEN + p->n_p / 8u + p->n_m / 8u;
}

/* floor(diff / T_int) for an NTP 32.32 duration |diff| and T_int in ms,
 * exactly: diff*1000/2^32 ms = hi*1000 + lo*1000/2^32, and the floor of a
 * floor divided by an integer is the floor of the whole quotient. */
static uint64_t ntp_div_interval(uint64_t diff, uint32_t t_int)
{
	uint64_t hi = diff >> 32, lo = diff & 0xffffffffu;
	uint64_t ms = hi * 1000u + ((lo * 1000u) >> 32);
	return ms / t_int;
}

int mikey_tesla_interval(const mikey_tesla_params *p, uint64_t ntp, uint64_t *i)
{
	if (p == NULL || i == NULL || p->t_int == 0)
		return MIKEY_ERR_ARG;
	if (ntp < p->t_0)
		return MIKEY_ERR_STATE;
	*i = ntp_div_interval(ntp - p->t_0, p->t_int);
	return MIKEY_OK;
}

int64_t tesla_upper_interval(const mikey_tesla_params *p, uint64_t now)
{
	/* RFC 4082 §3.5 step 1: t_j = T + D_t (saturating), x = floor((t_j -
	 * T_0) / T_int). */
	uint64_t t_j = now + p->d_t < now ? UINT64_MAX : now + p->d_t;
	uint64_t x;

	if (t_j < p->t_0)
		return -1;
	x = ntp_div_interval(t_j - p->t_0, p->t_int);
	return x > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)x;
}

static int prf(const mikey_tesla_params *p, const uint8_t *k, uint8_t input, uint8_t *out, size_t out_len)
{
	uint8_t md[MIKEY_TESLA_MAX_KEY_LEN];
	mikey_iov iov = {&input, 1};
	int rc;

	if (p == NULL || k == NULL || out == NULL)
		return MIKEY_ERR_ARG;
	if (p->prf != MIKEY_TESLA_PRF_ID_HMAC_SHA1)
		return MIKEY_ERR_UNSUPPORTED;
	rc = mikey_crypto_hmac(MIKEY_MD_SHA1, k, p->n_p / 8u, &iov, 1, md);
	if (rc != MIKEY_OK)
		goto out;
	/* RFC 4383 §4.3 items 2 and 3: n_p / n_f bits of output, the left-most
	 * ones (as for the MAC, §4.6). */
	memcpy(out, md, out_len);
out:
	mikey_wipe(md, sizeof(md));
	return rc;
}

int mikey_tesla_f(const mikey_tesla_params *p, const uint8_t *k, uint8_t *out)
{
	if (p == NULL || !bits_ok(p->n_p))
		return MIKEY_ERR_ARG;
	return prf(p, k, prf_input_f, out, p->n_p / 8u);
}

int mikey_tesla_f_prime(const mikey_tesla_params *p, const uint8_t *k, uint8_t *out)
{
	if (p == NULL || !bits_ok(p->n_p) || !bits_ok(p->n_f))
		return MIKEY_ERR_ARG;
	return prf(p, k, prf_input_f_prime, out, p->n_f / 8u);
}

int tesla_mac_key(const mikey_tesla_params *p, const uint8_t *mac_key, mikey_hmac_key *hk)
{
	if (p->mac != MIKEY_TESLA_MAC_ID_HMAC_SHA1)
		return MIKEY_ERR_UNSUPPORTED;
	return mikey_hmac_key_init(hk, MIKEY_MD_SHA1, mac_key, p->n_f / 8u);
}

int tesla_mac(const mikey_tesla_params *p, mikey_hmac_key *hk, int with_roc, uint32_t roc, const uint8_t *data,
              size_t len, uint8_t *out)
{
	uint8_t md[MIKEY_TESLA_MAX_MAC_LEN];
	uint8_t roc_be[4];
	mikey_iov iov[2];
	size_t n = 0;
	int rc;

	if (p->mac != MIKEY_TESLA_MAC_ID_HMAC_SHA1)
		return MIKEY_ERR_UNSUPPORTED;
	/* RFC 4383 §4.6: M' = ROC || TESLA Authenticated Portion for SRTP,
	 * the portion alone for SRTCP; HMAC keyed with K'_i (§4.1, §6). */
	if (with_roc) {
		tesla_put32(roc_be, roc);
		iov[n].data = roc_be;
		iov[n++].len = sizeof(roc_be);
	}
	iov[n].data = data;
	iov[n++].len = len;
	rc = mikey_hmac_key_mac(hk, iov, n, md);
	if (rc == MIKEY_OK)
		memcpy(out, md, p->n_m / 8u); /* §4.6: n_m left-most bits */
	mikey_wipe(md, sizeof(md));
	return rc;
}

int mikey_tesla_ext_parse(const mikey_tesla_params *p, const uint8_t *pkt, size_t len, bool rtcp,
                          mikey_tesla_ext *ext)
{
	size_t ext_len, min;

	if (p == NULL || pkt == NULL || ext == NULL || !bits_ok(p->n_p) || !bits_ok(p->n_m))
		return MIKEY_ERR_ARG;
	ext_len = mikey_tesla_ext_len(p);
	/* RFC 4383 §4.2 / §4.5: the extension is the last thing before MKI and
	 * tag; in SRTCP E||index precedes it. */
	min = ext_len + (rtcp ? TESLA_MIN_RTCP + TESLA_SRTCP_INDEX_LEN : TESLA_MIN_RTP);
	if (len < min)
		return MIKEY_ERR_TRUNCATED;
	ext->ext_offset = len - ext_len;
	ext->portion_len = ext->ext_offset - (rtcp ? TESLA_SRTCP_INDEX_LEN : 0);
	ext->i = tesla_get32(pkt + ext->ext_offset);
	ext->key = pkt + ext->ext_offset + TESLA_I_LEN;
	ext->mac = ext->key + p->n_p / 8u;
	return MIKEY_OK;
}
