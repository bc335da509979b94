/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * srtp_policy.c - SP payload (RFC 3830 §6.10.1) <-> plain SRTP policy.
 */
#include <stdarg.h>
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

static int check(const mikey_srtp_policy *p, mikey_error *err)
{
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
		if (p->auth_alg != MIKEY_SRTP_AUTH_NULL)
			return fail(err, "SP: AES-GCM is an AEAD: authentication algorithm must be NULL");
		break;
	default:
		return fail(err, "SP: SRTP encryption algorithm %u is not supported", p->encr_alg);
	}
	switch (p->auth_alg) {
	case MIKEY_SRTP_AUTH_NULL:
		break;
	case MIKEY_SRTP_AUTH_HMAC_SHA1: /* RFC 3711 §4.2.1 */
		if (p->auth_key_len != 20)
			return fail(err, "SP: HMAC-SHA-1 needs a 20-byte session auth key, not %u", p->auth_key_len);
		if (p->auth_tag_len < 1 || p->auth_tag_len > 20)
			return fail(err, "SP: HMAC-SHA-1 tag of %u bytes (1..20 allowed)", p->auth_tag_len);
		break;
	default:
		return fail(err, "SP: SRTP authentication algorithm %u is not supported", p->auth_alg);
	}
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
	    (p.auth_key_len == 4 || p.auth_key_len == 10)) {
		/* GStreamer's slip: the tag length sits in the auth key length
		 * parameter (docs/interpretations.md). A 4 or 10-byte HMAC-SHA-1
		 * key is never meant; take it as the tag. */
		p.auth_tag_len = p.auth_key_len;
		p.auth_key_len = 20;
		p.quirks |= MIKEY_SRTP_QUIRK_TAG_IN_AUTH_KEY_LEN;
	}
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
		return MIKEY_OK;
	}
	return MIKEY_ERR_NOT_FOUND;
}
