/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * srtp_policy.c - SP payload (RFC 3830 §6.10.1) <-> plain SRTP policy.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "mikey/names.h"
#include "mikey/srtp.h"

void mikey_srtp_policy_default(mikey_srtp_policy *p)
{
	/* RFC 3711 §8.2 defaults; RFC 3830 §6.10.1: an absent parameter takes
	 * SRTP's default. */
	memset(p, 0, sizeof(*p));
	p->encr_alg = MIKEY_SRTP_ENCR_AES_CM;
	p->encr_key_len = 16;
	p->auth_alg = MIKEY_SRTP_AUTH_HMAC_SHA1;
	p->auth_key_len = 20;
	p->salt_key_len = 14;
	p->prf = 0;
	p->srtp_encr = true;
	p->srtcp_encr = true;
	p->srtp_auth = true;
	p->auth_tag_len = 10;
	p->aead_tag_len = 16;
	p->srtp_auth_alg = p->srtcp_auth_alg = p->auth_alg;
	p->srtp_auth_key_len = p->srtcp_auth_key_len = p->auth_key_len;
	p->srtp_auth_tag_len = p->srtcp_auth_tag_len = p->auth_tag_len;
}

static bool is_rcc_alg(uint8_t alg)
{
	return alg == MIKEY_SRTP_AUTH_RCCM1 || alg == MIKEY_SRTP_AUTH_RCCM2 || alg == MIKEY_SRTP_AUTH_RCCM3;
}

int mikey_srtp_policy_integrity(const mikey_srtp_policy *p, bool rtcp, mikey_srtp_integrity *out)
{
	if (p == NULL || out == NULL)
		return MIKEY_ERR_ARG;
	/* RFC 4771 §4: "the more specific parameter SHALL have precedence". */
	unsigned alg_bit = rtcp ? MIKEY_SRTP_SPEC_SRTCP_AUTH_ALG : MIKEY_SRTP_SPEC_SRTP_AUTH_ALG;
	unsigned key_bit = rtcp ? MIKEY_SRTP_SPEC_SRTCP_AUTH_KEY_LEN : MIKEY_SRTP_SPEC_SRTP_AUTH_KEY_LEN;
	unsigned tag_bit = rtcp ? MIKEY_SRTP_SPEC_SRTCP_TAG_LEN : MIKEY_SRTP_SPEC_SRTP_TAG_LEN;
	memset(out, 0, sizeof(*out));
	if (p->specific & alg_bit)
		out->alg = rtcp ? p->srtcp_auth_alg : p->srtp_auth_alg;
	else if (rtcp && is_rcc_alg(p->auth_alg))
		/* RFC 4771 §2: RCC "SHALL NOT be used with SRTCP"; its MAC is
		 * HMAC-SHA-1 (§3), which SRTCP then uses as the default
		 * transform (docs/interpretations.md). */
		out->alg = MIKEY_SRTP_AUTH_HMAC_SHA1;
	else
		out->alg = p->auth_alg;
	out->key_len = (p->specific & key_bit) ? (rtcp ? p->srtcp_auth_key_len : p->srtp_auth_key_len) : p->auth_key_len;
	out->tag_len = (p->specific & tag_bit) ? (rtcp ? p->srtcp_auth_tag_len : p->srtp_auth_tag_len) : p->auth_tag_len;
	if (is_rcc_alg(out->alg))
		/* RFC 4771 §4: "If the ROC transmission rate is not included
		 * in the negotiation, the default value of 1 SHALL be used." */
		out->rate = p->roc_tx_rate != 0 ? p->roc_tx_rate : 1;
	return MIKEY_OK;
}

bool mikey_srtp_policy_equal(const mikey_srtp_policy *a, const mikey_srtp_policy *b)
{
	mikey_srtp_integrity ia, ib;

	if (a == NULL || b == NULL)
		return false;
	for (int rtcp = 0; rtcp < 2; rtcp++) {
		(void)mikey_srtp_policy_integrity(a, rtcp, &ia);
		(void)mikey_srtp_policy_integrity(b, rtcp, &ib);
		if (ia.alg != ib.alg || ia.key_len != ib.key_len || ia.tag_len != ib.tag_len || ia.rate != ib.rate)
			return false;
	}
	return a->encr_alg == b->encr_alg && a->encr_key_len == b->encr_key_len && a->salt_key_len == b->salt_key_len &&
	       a->prf == b->prf && a->kdr == b->kdr && a->srtp_encr == b->srtp_encr && a->srtcp_encr == b->srtcp_encr &&
	       a->fec_order == b->fec_order && a->srtp_auth == b->srtp_auth && a->prefix_len == b->prefix_len &&
	       a->aead_tag_len == b->aead_tag_len && a->roc_tx_rate == b->roc_tx_rate;
}

/* RFC 4771 §4 precedence: what is in force for SRTP and for SRTCP, kept
 * in the specific fields (their |specific| bits stay as they are). */
static void sync_integrity(mikey_srtp_policy *p)
{
	mikey_srtp_integrity in;
	(void)mikey_srtp_policy_integrity(p, false, &in);
	p->srtp_auth_alg = in.alg, p->srtp_auth_key_len = in.key_len, p->srtp_auth_tag_len = in.tag_len;
	(void)mikey_srtp_policy_integrity(p, true, &in);
	p->srtcp_auth_alg = in.alg, p->srtcp_auth_key_len = in.key_len, p->srtcp_auth_tag_len = in.tag_len;
}

bool mikey_srtp_policy_is_rcc(const mikey_srtp_policy *p)
{
	mikey_srtp_integrity in;
	return mikey_srtp_policy_integrity(p, false, &in) == MIKEY_OK && is_rcc_alg(in.alg);
}

static int fail(mikey_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(mikey_error *err, const char *fmt, ...)
{
	if (err != NULL) {
		err->code = MIKEY_ERR_POLICY;
		err->payload_type = MIKEY_PT_SP;
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err->message, sizeof(err->message), fmt, ap);
		va_end(ap);
	}
	return MIKEY_ERR_POLICY;
}

static bool param_int(const mikey_sp_param *pp, uint64_t *v)
{
	if (pp->len == 0 || pp->len > 8)
		return false;
	uint64_t x = 0;
	for (unsigned i = 0; i < pp->len; i++)
		x = x << 8 | pp->value[i];
	*v = x;
	return true;
}

static const char *pname(uint8_t type)
{
	const char *n = mikey_sp_param_name(MIKEY_PROT_SRTP, type);
	return n ? n : "unknown parameter";
}

/* RFC 4771: what an RCC transform needs. */
static int check_rcc(const mikey_srtp_policy *p, const mikey_srtp_integrity *in, int rtcp, mikey_error *err)
{
	static const char *const mode[] = {"RCCm1", "RCCm2", "RCCm3"};
	const char *m = mode[in->alg - MIKEY_SRTP_AUTH_RCCM1];

	if (rtcp) /* §2: "SHALL NOT be used with SRTCP" */
		return fail(err, "SP: %s is for SRTP only; RFC 4771 §2 forbids it for SRTCP", m);
	if (p->encr_alg == MIKEY_SRTP_ENCR_AES_GCM)
		return fail(err, "SP: %s cannot be used with AES-GCM, an AEAD with its own tag (RFC 7714 §8)", m);
	if (p->roc_tx_rate > 0xffff) /* §4 Table 2: a 16-bit integer */
		return fail(err, "SP: ROC transmission rate %u does not fit 16 bits (RFC 4771 §4)", p->roc_tx_rate);
	if (!p->srtp_auth)
		return fail(err, "SP: %s with SRTP authentication off", m);
	if (p->kdr != 0) /* §2: the session auth key would depend on the ROC */
		return fail(err, "SP: %s with key derivation rate %llu is not supported (only 0)", m,
		            (unsigned long long)p->kdr);
	if (in->alg == MIKEY_SRTP_AUTH_RCCM3) {
		/* §5 case 5: "the tag-length MUST be set to four octets". */
		if (in->tag_len != 4)
			return fail(err, "SP: RCCm3 needs an SRTP tag length of 4 (the ROC), not %u", in->tag_len);
		return MIKEY_OK;
	}
	if (in->key_len != 20)
		return fail(err, "SP: %s MACs with HMAC-SHA-1: 20-byte session auth key needed, not %u", m, in->key_len);
	/* §4: the tag counts the ROC, so at least 4; §5: a 4-byte tag leaves
	 * no MAC at all, and RCCm2 sends a full tag_len HMAC on the others. */
	if (in->tag_len < 5 || in->tag_len > 20)
		return fail(err, "SP: %s tag of %u bytes (5..20 allowed: 4 of them carry the ROC, RFC 4771 §4)", m,
		            in->tag_len);
	return MIKEY_OK;
}

static int check(const mikey_srtp_policy *p, mikey_error *err)
{
	int rc;

	switch (p->encr_alg) {
	case MIKEY_SRTP_ENCR_NULL:
		break;
	case MIKEY_SRTP_ENCR_AES_CM: /* RFC 3711 §4.1.1, RFC 6188 */
		if (p->encr_key_len != 16 && p->encr_key_len != 24 && p->encr_key_len != 32)
			return fail(err, "SP: AES-CM needs a 16, 24 or 32-byte key, not %u", p->encr_key_len);
		if (p->salt_key_len != 14)
			return fail(err, "SP: AES-CM needs a 14-byte salt, not %u", p->salt_key_len);
		break;
	case MIKEY_SRTP_ENCR_AES_F8: /* RFC 3711 §4.1.2 */
		if (p->encr_key_len != 16 || p->salt_key_len != 14)
			return fail(err, "SP: AES-F8 needs a 16-byte key and a 14-byte salt");
		break;
	case MIKEY_SRTP_ENCR_AES_GCM: /* RFC 7714 §8.1, §15 */
		if (p->encr_key_len != 16 && p->encr_key_len != 32)
			return fail(err, "SP: AES-GCM needs a 16 or 32-byte key, not %u", p->encr_key_len);
		if (p->salt_key_len != 12)
			return fail(err, "SP: AES-GCM needs a 12-byte salt, not %u", p->salt_key_len);
		if (p->aead_tag_len != 16)
			return fail(err, "SP: AES-GCM needs a 16-byte AEAD tag, not %u", p->aead_tag_len);
		if (p->auth_alg != MIKEY_SRTP_AUTH_NULL && !is_rcc_alg(p->auth_alg))
			return fail(err, "SP: AES-GCM is an AEAD: authentication algorithm must be NULL");
		break;
	default:
		return fail(err, "SP: SRTP encryption algorithm %u is not supported", p->encr_alg);
	}
	mikey_srtp_integrity in[2];
	(void)mikey_srtp_policy_integrity(p, false, &in[0]);
	(void)mikey_srtp_policy_integrity(p, true, &in[1]);
	for (int rtcp = 0; rtcp < 2; rtcp++) {
		const char *proto = rtcp ? "SRTCP" : "SRTP";
		switch (in[rtcp].alg) {
		case MIKEY_SRTP_AUTH_NULL:
			break;
		case MIKEY_SRTP_AUTH_HMAC_SHA1: /* RFC 3711 §4.2.1 */
			if (in[rtcp].key_len != 20)
				return fail(err, "SP: %s HMAC-SHA-1 needs a 20-byte session auth key, not %u", proto,
				            in[rtcp].key_len);
			if (in[rtcp].tag_len < 1 || in[rtcp].tag_len > 20)
				return fail(err, "SP: %s HMAC-SHA-1 tag of %u bytes (1..20 allowed)", proto,
				            in[rtcp].tag_len);
			break;
		case MIKEY_SRTP_AUTH_RCCM1:
		case MIKEY_SRTP_AUTH_RCCM2:
		case MIKEY_SRTP_AUTH_RCCM3:
			if ((rc = check_rcc(p, &in[rtcp], rtcp, err)) != MIKEY_OK)
				return rc;
			break;
		default:
			return fail(err, "SP: %s authentication algorithm %u is not supported", proto, in[rtcp].alg);
		}
	}
	if (p->encr_alg == MIKEY_SRTP_ENCR_AES_GCM && (in[0].alg != MIKEY_SRTP_AUTH_NULL || in[1].alg != MIKEY_SRTP_AUTH_NULL))
		return fail(err, "SP: AES-GCM is an AEAD: authentication algorithm must be NULL");
	if (p->roc_tx_rate != 0 && !is_rcc_alg(in[0].alg))
		return fail(err, "SP: ROC transmission rate %u given without an RCC transform (RFC 4771 §4)",
		            p->roc_tx_rate);
	if (p->prf != 0)
		return fail(err, "SP: SRTP PRF %u is not supported (only AES-CM)", p->prf);
	if (p->prefix_len != 0)
		return fail(err, "SP: SRTP prefix length %u is not supported (only 0)", p->prefix_len);
	return MIKEY_OK;
}

int mikey_srtp_policy_from_sp(const mikey_sp *sp, mikey_srtp_policy *out, mikey_error *err)
{
	mikey_srtp_policy p;
	bool have_tag_len = false, have_auth_key_len = false;
	int rc;

	mikey_error_clear(err);
	if (sp == NULL || out == NULL || sp->prot_type != MIKEY_PROT_SRTP)
		return MIKEY_ERR_ARG;
	mikey_srtp_policy_default(&p);
	for (size_t i = 0; i < sp->n_params; i++) {
		const mikey_sp_param *pp = &sp->params[i];
		uint64_t v;
		if (!param_int(pp, &v))
			return fail(err, "SP: parameter %zu (%s) has length %u; 1 to 8 bytes expected", i,
			            pname(pp->type), pp->len);
		bool fits32 = v <= UINT32_MAX, fits8 = v <= 0xff;
		switch (pp->type) {
		case MIKEY_SRTP_SRTP_AUTH_ALG:
		case MIKEY_SRTP_SRTCP_AUTH_ALG:
			if (!fits8)
				return fail(err, "SP: %s value %llu out of range", pname(pp->type), (unsigned long long)v);
			if (pp->type == MIKEY_SRTP_SRTP_AUTH_ALG)
				p.srtp_auth_alg = (uint8_t)v, p.specific |= MIKEY_SRTP_SPEC_SRTP_AUTH_ALG;
			else
				p.srtcp_auth_alg = (uint8_t)v, p.specific |= MIKEY_SRTP_SPEC_SRTCP_AUTH_ALG;
			break;
		case MIKEY_SRTP_SRTP_AUTH_KEY_LEN:
		case MIKEY_SRTP_SRTCP_AUTH_KEY_LEN:
		case MIKEY_SRTP_SRTP_AUTH_TAG_LEN:
		case MIKEY_SRTP_SRTCP_AUTH_TAG_LEN: {
			/* RFC 4771 §4 Table 3: the values of types 3 and 11. */
			static const struct {
				uint8_t type;
				unsigned bit;
				size_t off;
			} spec[] = {
				{MIKEY_SRTP_SRTP_AUTH_KEY_LEN, MIKEY_SRTP_SPEC_SRTP_AUTH_KEY_LEN,
				 offsetof(mikey_srtp_policy, srtp_auth_key_len)},
				{MIKEY_SRTP_SRTCP_AUTH_KEY_LEN, MIKEY_SRTP_SPEC_SRTCP_AUTH_KEY_LEN,
				 offsetof(mikey_srtp_policy, srtcp_auth_key_len)},
				{MIKEY_SRTP_SRTP_AUTH_TAG_LEN, MIKEY_SRTP_SPEC_SRTP_TAG_LEN,
				 offsetof(mikey_srtp_policy, srtp_auth_tag_len)},
				{MIKEY_SRTP_SRTCP_AUTH_TAG_LEN, MIKEY_SRTP_SPEC_SRTCP_TAG_LEN,
				 offsetof(mikey_srtp_policy, srtcp_auth_tag_len)},
			};
			if (!fits32)
				return fail(err, "SP: %s value %llu out of range", pname(pp->type), (unsigned long long)v);
			for (size_t k = 0; k < sizeof(spec) / sizeof(spec[0]); k++) {
				if (spec[k].type != pp->type)
					continue;
				uint32_t u = (uint32_t)v;
				memcpy((uint8_t *)&p + spec[k].off, &u, sizeof(u));
				p.specific |= spec[k].bit;
			}
			break;
		}
		case MIKEY_SRTP_ENCR_ALG:
		case MIKEY_SRTP_AUTH_ALG:
		case MIKEY_SRTP_PRF:
		case MIKEY_SRTP_FEC_ORDER:
			if (!fits8)
				return fail(err, "SP: %s value %llu out of range", pname(pp->type), (unsigned long long)v);
			if (pp->type == MIKEY_SRTP_ENCR_ALG)
				p.encr_alg = (uint8_t)v;
			else if (pp->type == MIKEY_SRTP_AUTH_ALG)
				p.auth_alg = (uint8_t)v;
			else if (pp->type == MIKEY_SRTP_PRF)
				p.prf = (uint8_t)v;
			else
				p.fec_order = (uint8_t)v;
			break;
		case MIKEY_SRTP_SRTP_ENCR:
		case MIKEY_SRTP_SRTCP_ENCR:
		case MIKEY_SRTP_SRTP_AUTH:
			/* RFC 3830 Table 6.10.1.a: "0 if off, 1 if on". */
			if (v > 1)
				return fail(err, "SP: %s is %llu; 0 (off) or 1 (on) expected", pname(pp->type),
				            (unsigned long long)v);
			if (pp->type == MIKEY_SRTP_SRTP_ENCR)
				p.srtp_encr = v;
			else if (pp->type == MIKEY_SRTP_SRTCP_ENCR)
				p.srtcp_encr = v;
			else
				p.srtp_auth = v;
			break;
		case MIKEY_SRTP_KEY_DERIV_RATE:
			p.kdr = v;
			break;
		case MIKEY_SRTP_ENCR_KEY_LEN:
		case MIKEY_SRTP_AUTH_KEY_LEN:
		case MIKEY_SRTP_SALT_KEY_LEN:
		case MIKEY_SRTP_AUTH_TAG_LEN:
		case MIKEY_SRTP_PREFIX_LEN:
		case MIKEY_SRTP_AEAD_TAG_LEN:
		case MIKEY_SRTP_ROC_TX_RATE:
			if (!fits32)
				return fail(err, "SP: %s value %llu out of range", pname(pp->type), (unsigned long long)v);
			if (pp->type == MIKEY_SRTP_ENCR_KEY_LEN)
				p.encr_key_len = (uint32_t)v;
			else if (pp->type == MIKEY_SRTP_AUTH_KEY_LEN)
				p.auth_key_len = (uint32_t)v, have_auth_key_len = true;
			else if (pp->type == MIKEY_SRTP_SALT_KEY_LEN)
				p.salt_key_len = (uint32_t)v;
			else if (pp->type == MIKEY_SRTP_AUTH_TAG_LEN)
				p.auth_tag_len = (uint32_t)v, have_tag_len = true;
			else if (pp->type == MIKEY_SRTP_PREFIX_LEN)
				p.prefix_len = (uint32_t)v;
			else if (pp->type == MIKEY_SRTP_AEAD_TAG_LEN)
				p.aead_tag_len = (uint32_t)v;
			else if (v == 0) /* RFC 4771 §4: "R MUST be a non-zero unsigned integer" */
				return fail(err, "SP: ROC transmission rate 0; RFC 4771 §4 needs R > 0");
			else
				p.roc_tx_rate = (uint32_t)v;
			break;
		default:
			return fail(err, "SP: SRTP policy parameter type %u is not known", pp->type);
		}
	}
	if (p.encr_alg == MIKEY_SRTP_ENCR_AES_GCM) {
		/* RFC 7714 §8.1: 12-byte salt; no separate auth tag. Defaults
		 * shift with the algorithm unless given explicitly. */
		bool salt_given = false, auth_given = false;
		for (size_t i = 0; i < sp->n_params; i++) {
			salt_given |= sp->params[i].type == MIKEY_SRTP_SALT_KEY_LEN;
			auth_given |= sp->params[i].type == MIKEY_SRTP_AUTH_ALG;
		}
		if (!salt_given)
			p.salt_key_len = 12;
		if (!auth_given)
			p.auth_alg = MIKEY_SRTP_AUTH_NULL;
		if (!have_tag_len)
			p.auth_tag_len = 0;
	}
	if (p.auth_alg == MIKEY_SRTP_AUTH_HMAC_SHA1 && have_auth_key_len && !have_tag_len &&
	    !(p.specific & (MIKEY_SRTP_SPEC_SRTP_TAG_LEN | MIKEY_SRTP_SPEC_SRTCP_TAG_LEN)) &&
	    (p.auth_key_len == 4 || p.auth_key_len == 10)) {
		/* GStreamer's slip: the tag length sits in the auth key length
		 * parameter (docs/interpretations.md). A 4 or 10-byte HMAC-SHA-1
		 * key is never meant; take it as the tag. */
		p.auth_tag_len = p.auth_key_len;
		p.auth_key_len = 20;
		p.quirks |= MIKEY_SRTP_QUIRK_TAG_IN_AUTH_KEY_LEN;
	}
	sync_integrity(&p);
	rc = check(&p, err);
	if (rc != MIKEY_OK)
		return rc;
	*out = p;
	return MIKEY_OK;
}

static int put(mikey_msg *msg, mikey_sp_param *pp, uint8_t type, uint64_t v)
{
	uint8_t buf[8];
	unsigned n = 1;
	while (n < 8 && (v >> (8 * n)) != 0)
		n++;
	for (unsigned i = 0; i < n; i++)
		buf[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
	pp->type = type;
	pp->len = (uint8_t)n;
	pp->value = mikey_msg_alloc(msg, n);
	if (pp->value == NULL)
		return MIKEY_ERR_NOMEM;
	memcpy(pp->value, buf, n);
	return MIKEY_OK;
}

int mikey_srtp_policy_to_sp(mikey_msg *msg, const mikey_srtp_policy *p, uint8_t policy_no, mikey_sp *sp)
{
	if (msg == NULL || p == NULL || sp == NULL)
		return MIKEY_ERR_ARG;
	bool gcm = p->encr_alg == MIKEY_SRTP_ENCR_AES_GCM;
	const struct {
		uint8_t type;
		uint64_t value;
		bool present;
	} rows[] = {
		{MIKEY_SRTP_ENCR_ALG, p->encr_alg, true},
		{MIKEY_SRTP_ENCR_KEY_LEN, p->encr_key_len, true},
		{MIKEY_SRTP_AUTH_ALG, p->auth_alg, true},
		{MIKEY_SRTP_AUTH_KEY_LEN, p->auth_key_len, p->auth_alg != MIKEY_SRTP_AUTH_NULL},
		{MIKEY_SRTP_SALT_KEY_LEN, p->salt_key_len, true},
		{MIKEY_SRTP_PRF, p->prf, true},
		{MIKEY_SRTP_KEY_DERIV_RATE, p->kdr, true},
		{MIKEY_SRTP_SRTP_ENCR, p->srtp_encr, true},
		{MIKEY_SRTP_SRTCP_ENCR, p->srtcp_encr, true},
		{MIKEY_SRTP_FEC_ORDER, p->fec_order, true},
		{MIKEY_SRTP_SRTP_AUTH, p->srtp_auth, true},
		{MIKEY_SRTP_AUTH_TAG_LEN, p->auth_tag_len, !gcm},
		{MIKEY_SRTP_PREFIX_LEN, p->prefix_len, true},
		{MIKEY_SRTP_ROC_TX_RATE, p->roc_tx_rate, p->roc_tx_rate != 0},
		{MIKEY_SRTP_AEAD_TAG_LEN, p->aead_tag_len, gcm},
		/* RFC 4771 §4 Table 3, only those the policy gives itself. */
		{MIKEY_SRTP_SRTP_AUTH_ALG, p->srtp_auth_alg, (p->specific & MIKEY_SRTP_SPEC_SRTP_AUTH_ALG) != 0},
		{MIKEY_SRTP_SRTCP_AUTH_ALG, p->srtcp_auth_alg, (p->specific & MIKEY_SRTP_SPEC_SRTCP_AUTH_ALG) != 0},
		{MIKEY_SRTP_SRTP_AUTH_KEY_LEN, p->srtp_auth_key_len, (p->specific & MIKEY_SRTP_SPEC_SRTP_AUTH_KEY_LEN) != 0},
		{MIKEY_SRTP_SRTCP_AUTH_KEY_LEN, p->srtcp_auth_key_len,
		 (p->specific & MIKEY_SRTP_SPEC_SRTCP_AUTH_KEY_LEN) != 0},
		{MIKEY_SRTP_SRTP_AUTH_TAG_LEN, p->srtp_auth_tag_len, (p->specific & MIKEY_SRTP_SPEC_SRTP_TAG_LEN) != 0},
		{MIKEY_SRTP_SRTCP_AUTH_TAG_LEN, p->srtcp_auth_tag_len, (p->specific & MIKEY_SRTP_SPEC_SRTCP_TAG_LEN) != 0},
	};
	size_t n = 0;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		n += rows[i].present;
	mikey_sp_param *params = mikey_msg_alloc(msg, n * sizeof(*params));
	if (params == NULL)
		return MIKEY_ERR_NOMEM;
	size_t j = 0;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		if (!rows[i].present)
			continue;
		if (put(msg, &params[j++], rows[i].type, rows[i].value) != MIKEY_OK)
			return MIKEY_ERR_NOMEM;
	}
	sp->policy_no = policy_no;
	sp->prot_type = MIKEY_PROT_SRTP;
	sp->n_params = n;
	sp->params = params;
	return MIKEY_OK;
}

/* The names of RFC 4568 §6.2 / RFC 6188 / RFC 7714 suites, lower-cased and
 * shortened as mikey-tool's --policy takes them. */
int mikey_srtp_policy_from_name(const char *name, mikey_srtp_policy *p)
{
	static const struct {
		const char *name;
		uint8_t encr;
		uint32_t key_len, tag_len;
		bool aead;
	} names[] = {
		{"aes128-sha1-80", MIKEY_SRTP_ENCR_AES_CM, 16, 10, false},
		{"aes128-sha1-32", MIKEY_SRTP_ENCR_AES_CM, 16, 4, false},
		{"aes192-sha1-80", MIKEY_SRTP_ENCR_AES_CM, 24, 10, false},
		{"aes192-sha1-32", MIKEY_SRTP_ENCR_AES_CM, 24, 4, false},
		{"aes256-sha1-80", MIKEY_SRTP_ENCR_AES_CM, 32, 10, false},
		{"aes256-sha1-32", MIKEY_SRTP_ENCR_AES_CM, 32, 4, false},
		{"f8-128-sha1-80", MIKEY_SRTP_ENCR_AES_F8, 16, 10, false},
		{"null-sha1-80", MIKEY_SRTP_ENCR_NULL, 16, 10, false},
		{"aes-gcm-128", MIKEY_SRTP_ENCR_AES_GCM, 16, 0, true},
		{"aes-gcm-256", MIKEY_SRTP_ENCR_AES_GCM, 32, 0, true},
	};
	if (name == NULL || p == NULL)
		return MIKEY_ERR_ARG;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcasecmp(name, names[i].name) != 0)
			continue;
		mikey_srtp_policy_default(p);
		p->encr_alg = names[i].encr;
		p->encr_key_len = names[i].key_len;
		if (names[i].encr == MIKEY_SRTP_ENCR_NULL)
			p->srtp_encr = p->srtcp_encr = false;
		if (names[i].aead) {
			/* RFC 7714 §8.1: AEAD, 12-byte salt, 16-byte tag. */
			p->auth_alg = MIKEY_SRTP_AUTH_NULL;
			p->auth_key_len = 0;
			p->auth_tag_len = 0;
			p->salt_key_len = 12;
			p->aead_tag_len = 16;
		} else {
			p->auth_tag_len = names[i].tag_len;
		}
		sync_integrity(p);
		return MIKEY_OK;
	}
	return MIKEY_ERR_NOT_FOUND;
}
