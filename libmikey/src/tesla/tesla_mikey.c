/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tesla_mikey.c - TESLA parameters <-> MIKEY SP (Prot type TESLA) and
 * TESLA I-Key General Extension (RFC 4442 §4), and the in-band D_t of
 * RFC 4442 §4.3. The wire choices are listed in mikey/tesla_mikey.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mikey/mem.h"
#include "mikey/names.h"
#include "mikey/tesla_mikey.h"
#include "mikey/types.h"
#include "tesla/tesla_internal.h"

/* RFC 4442 §4.2 table: the highest parameter type we know. */
#define TESLA_PARAM_MAX MIKEY_TESLA_RECEIVER_TS
/* NTP-UTC (RFC 3830 §6.6) is a 64-bit value. */
#define NTP_LEN 8

static int fail(mikey_error *err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(mikey_error *err, int code, const char *fmt, ...)
{
	if (err != NULL) {
		va_list ap;

		err->code = code;
		va_start(ap, fmt);
		vsnprintf(err->message, sizeof(err->message), fmt, ap);
		va_end(ap);
	}
	return code;
}

static const char *pname(uint8_t type)
{
	const char *n = mikey_sp_param_name(MIKEY_PROT_TESLA, type);
	return n != NULL ? n : "unknown parameter";
}

static void put_be(uint8_t *b, uint64_t v, size_t n)
{
	for (size_t i = n; i-- > 0; v >>= 8)
		b[i] = (uint8_t)v;
}

static uint64_t get_be(const uint8_t *b, size_t n)
{
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++)
		v = v << 8 | b[i];
	return v;
}

/* What may go on the wire: the struct must be a valid TESLA context and
 * fit the field widths we write. */
static int check_for_wire(const mikey_tesla_params *p)
{
	if (mikey_tesla_params_check(p) != MIKEY_OK)
		return MIKEY_ERR_POLICY;
	/* RFC 4442 §4.2 transports no n_p: it is RFC 4383 §6's default. */
	if (p->n_p != MIKEY_TESLA_WIRE_N_P)
		return MIKEY_ERR_POLICY;
	/* RFC 4442 §4.2: a two-byte delay is RECOMMENDED; we write two. */
	if (p->d > UINT16_MAX)
		return MIKEY_ERR_POLICY;
	return MIKEY_OK;
}

int mikey_tesla_params_to_sp(mikey_msg *msg, const mikey_tesla_params *p, uint8_t policy_no, const uint64_t *t_r,
                             mikey_sp *sp)
{
	struct {
		uint8_t type;
		uint8_t len;
		uint64_t v;
	} rows[] = {
		{MIKEY_TESLA_PRF, 1, 0},
		{MIKEY_TESLA_PRF_OUT_LEN, 1, 0},
		{MIKEY_TESLA_MAC, 1, 0},
		{MIKEY_TESLA_MAC_LEN, 1, 0},
		{MIKEY_TESLA_START, NTP_LEN, 0},
		{MIKEY_TESLA_INTERVAL, 4, 0},
		{MIKEY_TESLA_DELAY, 2, 0},
		{MIKEY_TESLA_CHAIN_LEN, 4, 0},
		{MIKEY_TESLA_RECEIVER_TS, NTP_LEN, 0},
	};
	size_t n = t_r != NULL ? 9 : 8;
	int rc;

	if (msg == NULL || p == NULL || sp == NULL)
		return MIKEY_ERR_ARG;
	rc = check_for_wire(p);
	if (rc != MIKEY_OK)
		return rc;
	rows[0].v = p->prf;
	rows[1].v = p->n_f; /* RFC 4442 §4.2 type 2: length of f' output */
	rows[2].v = p->mac;
	rows[3].v = p->n_m;
	rows[4].v = p->t_0;
	rows[5].v = p->t_int;
	rows[6].v = p->d;
	rows[7].v = p->n_c;
	rows[8].v = t_r != NULL ? *t_r : 0;

	mikey_sp_param *params = mikey_msg_alloc(msg, n * sizeof(*params));
	if (params == NULL)
		return MIKEY_ERR_NOMEM;
	for (size_t i = 0; i < n; i++) {
		params[i].type = rows[i].type;
		params[i].len = rows[i].len;
		params[i].value = mikey_msg_alloc(msg, rows[i].len);
		if (params[i].value == NULL)
			return MIKEY_ERR_NOMEM;
		put_be(params[i].value, rows[i].v, rows[i].len);
	}
	sp->policy_no = policy_no;
	sp->prot_type = MIKEY_PROT_TESLA;
	sp->n_params = n;
	sp->params = params;
	return MIKEY_OK;
}

/* Reads an integer parameter of 1..8 bytes that must lie in [lo, hi]. */
static int int_param(const mikey_sp_param *pp, uint64_t lo, uint64_t hi, uint64_t *v, mikey_error *err)
{
	if (pp->len == 0 || pp->len > 8 || pp->value == NULL)
		return fail(err, MIKEY_ERR_POLICY, "TESLA SP: parameter %u (%s) has %u bytes, expected 1..8", pp->type,
		            pname(pp->type), pp->len);
	*v = get_be(pp->value, pp->len);
	if (*v < lo || *v > hi)
		return fail(err, MIKEY_ERR_POLICY, "TESLA SP: parameter %u (%s) = %llu, supported %llu..%llu", pp->type,
		            pname(pp->type), (unsigned long long)*v, (unsigned long long)lo, (unsigned long long)hi);
	return MIKEY_OK;
}

/* A bit length (types 2 and 4): RFC 4383 §7 with RFC 2104 needs 80..160
 * bits, and we handle whole bytes only (mikey_tesla_params_check). */
static int bits_param(const mikey_sp_param *pp, uint16_t *out, mikey_error *err)
{
	uint64_t v;
	int rc = int_param(pp, 80, 160, &v, err);

	if (rc != MIKEY_OK)
		return rc;
	if (v % 8 != 0)
		return fail(err, MIKEY_ERR_POLICY, "TESLA SP: parameter %u (%s) = %llu bits, not a whole number of bytes",
		            pp->type, pname(pp->type), (unsigned long long)v);
	*out = (uint16_t)v;
	return MIKEY_OK;
}

static int ntp_param(const mikey_sp_param *pp, uint64_t *out, mikey_error *err)
{
	/* RFC 4442 §4.2: items 5 and 9 SHALL be NTP-UTC (RFC 3830 §6.6, 64 bits). */
	if (pp->len != NTP_LEN || pp->value == NULL)
		return fail(err, MIKEY_ERR_POLICY, "TESLA SP: parameter %u (%s) has %u bytes, NTP-UTC needs 8", pp->type,
		            pname(pp->type), pp->len);
	*out = get_be(pp->value, NTP_LEN);
	return MIKEY_OK;
}

int mikey_tesla_params_from_sp(const mikey_sp *sp, mikey_tesla_params *p, bool *has_t_r, uint64_t *t_r,
                               mikey_error *err)
{
	mikey_tesla_params q;
	uint32_t seen = 0;
	uint64_t v, ts = 0;
	int rc = MIKEY_OK;

	if (sp == NULL || p == NULL)
		return MIKEY_ERR_ARG;
	if (err != NULL)
		err->payload_type = MIKEY_PT_SP;
	if (sp->prot_type != MIKEY_PROT_TESLA)
		return fail(err, MIKEY_ERR_ARG, "SP %u: Prot type %u is not TESLA", sp->policy_no, sp->prot_type);
	if (sp->n_params > 0 && sp->params == NULL)
		return MIKEY_ERR_ARG;
	/* RFC 4442 §4.2: "The concrete default values are taken from
	 * [RFC4383]" - for items 1-4; the session items have no default. */
	mikey_tesla_params_default(&q);
	q.n_p = MIKEY_TESLA_WIRE_N_P;

	for (size_t k = 0; k < sp->n_params && rc == MIKEY_OK; k++) {
		const mikey_sp_param *pp = &sp->params[k];

		if (pp->type == 0 || pp->type > TESLA_PARAM_MAX)
			/* An unknown TESLA parameter may change what packets mean:
			 * refuse rather than ignore (RFC 3830 §6.10: the receiver
			 * must understand the policy to use it). */
			return fail(err, MIKEY_ERR_POLICY, "TESLA SP %u: unknown parameter type %u", sp->policy_no,
			            pp->type);
		if (seen & (1u << pp->type))
			return fail(err, MIKEY_ERR_POLICY, "TESLA SP %u: parameter %u (%s) appears twice", sp->policy_no,
			            pp->type, pname(pp->type));
		seen |= 1u << pp->type;
		switch (pp->type) {
		case MIKEY_TESLA_PRF:
			rc = int_param(pp, MIKEY_TESLA_PRF_ID_HMAC_SHA1, MIKEY_TESLA_PRF_ID_HMAC_SHA1, &v, err);
			q.prf = (uint8_t)v;
			break;
		case MIKEY_TESLA_PRF_OUT_LEN:
			rc = bits_param(pp, &q.n_f, err);
			break;
		case MIKEY_TESLA_MAC:
			rc = int_param(pp, MIKEY_TESLA_MAC_ID_HMAC_SHA1, MIKEY_TESLA_MAC_ID_HMAC_SHA1, &v, err);
			q.mac = (uint8_t)v;
			break;
		case MIKEY_TESLA_MAC_LEN:
			rc = bits_param(pp, &q.n_m, err);
			break;
		case MIKEY_TESLA_START:
			rc = ntp_param(pp, &q.t_0, err);
			break;
		case MIKEY_TESLA_INTERVAL:
			rc = int_param(pp, 1, UINT32_MAX, &v, err);
			q.t_int = (uint32_t)v;
			break;
		case MIKEY_TESLA_DELAY:
			rc = int_param(pp, 1, UINT32_MAX, &v, err);
			q.d = (uint32_t)v;
			break;
		case MIKEY_TESLA_CHAIN_LEN:
			rc = int_param(pp, 1, UINT32_MAX, &v, err);
			q.n_c = (uint32_t)v;
			break;
		case MIKEY_TESLA_RECEIVER_TS:
			rc = ntp_param(pp, &ts, err);
			break;
		default:
			break;
		}
	}
	if (rc != MIKEY_OK)
		return rc;
	for (uint8_t t = MIKEY_TESLA_START; t <= MIKEY_TESLA_CHAIN_LEN; t++) {
		if (!(seen & (1u << t)))
			return fail(err, MIKEY_ERR_POLICY, "TESLA SP %u: mandatory parameter %u (%s) missing",
			            sp->policy_no, t, pname(t));
	}
	*p = q;
	if (has_t_r != NULL)
		*has_t_r = (seen & (1u << MIKEY_TESLA_RECEIVER_TS)) != 0;
	if (t_r != NULL)
		*t_r = ts;
	return MIKEY_OK;
}

int mikey_tesla_ikey_to_gen_ext(mikey_msg *msg, const mikey_tesla_params *p, mikey_gen_ext *ge)
{
	uint8_t data[MIKEY_TESLA_MAX_KEY_LEN + MIKEY_TESLA_IKEY_INDEX_LEN];
	size_t klen, len;
	int rc;

	if (msg == NULL || p == NULL || ge == NULL)
		return MIKEY_ERR_ARG;
	if (p->n_p != MIKEY_TESLA_WIRE_N_P)
		return MIKEY_ERR_POLICY;
	klen = p->n_p / 8u;
	memcpy(data, p->commitment, klen);
	len = klen;
	/* RFC 4442 §4.4 "TESLA initial key": the key alone means K_0; a later
	 * commitment (RFC 4082 §3.3) needs its index, appended as 32 bits
	 * like the i field of RFC 4383 §4.1. */
	if (p->commit_index != 0) {
		tesla_put32(data + klen, p->commit_index);
		len += MIKEY_TESLA_IKEY_INDEX_LEN;
	}
	memset(ge, 0, sizeof(*ge));
	ge->ext_type = MIKEY_GEN_TESLA_IKEY;
	rc = mikey_msg_set_bytes(msg, &ge->data, data, len);
	mikey_wipe(data, sizeof(data));
	return rc;
}

int mikey_tesla_ikey_from_gen_ext(const mikey_gen_ext *ge, mikey_tesla_params *p, mikey_error *err)
{
	size_t klen;
	uint32_t index = 0;

	if (ge == NULL || p == NULL || ge->ext_type != MIKEY_GEN_TESLA_IKEY)
		return MIKEY_ERR_ARG;
	if (err != NULL)
		err->payload_type = MIKEY_PT_GEN_EXT;
	if (p->n_p != MIKEY_TESLA_WIRE_N_P)
		return MIKEY_ERR_ARG;
	klen = p->n_p / 8u;
	if (ge->data.len == klen + MIKEY_TESLA_IKEY_INDEX_LEN)
		index = tesla_get32(ge->data.data + klen);
	else if (ge->data.len != klen)
		return fail(err, MIKEY_ERR_POLICY, "TESLA I-Key: %zu bytes, expected %zu (K_0) or %zu (K_c || c)",
		            ge->data.len, klen, klen + MIKEY_TESLA_IKEY_INDEX_LEN);
	if (p->n_c != 0 && index >= p->n_c)
		return fail(err, MIKEY_ERR_POLICY, "TESLA I-Key: key index %u is not before the chain end %u", index,
		            p->n_c);
	memset(p->commitment, 0, sizeof(p->commitment));
	memcpy(p->commitment, ge->data.data, klen);
	p->commit_index = index;
	return MIKEY_OK;
}

static int to_payloads(mikey_msg *m, const mikey_tesla_params *p, uint8_t policy_no, const uint64_t *t_r)
{
	mikey_payload *sp, *ge;
	int rc;

	if (m == NULL || p == NULL)
		return MIKEY_ERR_ARG;
	rc = check_for_wire(p);
	if (rc != MIKEY_OK)
		return rc;
	sp = mikey_msg_add_payload(m, &m->payloads, MIKEY_PT_SP);
	if (sp == NULL)
		return MIKEY_ERR_NOMEM;
	rc = mikey_tesla_params_to_sp(m, p, policy_no, t_r, &sp->u.sp);
	if (rc != MIKEY_OK)
		return rc;
	ge = mikey_msg_add_payload(m, &m->payloads, MIKEY_PT_GEN_EXT);
	if (ge == NULL)
		return MIKEY_ERR_NOMEM;
	return mikey_tesla_ikey_to_gen_ext(m, p, &ge->u.gen_ext);
}

int mikey_tesla_params_to_payloads(mikey_msg *m, const mikey_tesla_params *p, uint8_t policy_no)
{
	return to_payloads(m, p, policy_no, NULL);
}

int mikey_tesla_params_to_payloads_echo(mikey_msg *m, const mikey_tesla_params *p, uint8_t policy_no, uint64_t t_r)
{
	return to_payloads(m, p, policy_no, &t_r);
}

/* Finds the TESLA SP |policy_no|; *rank = how many TESLA SPs precede it,
 * *n_sp = how many there are in all. */
static const mikey_payload *find_tesla_sp(const mikey_msg *m, uint8_t policy_no, size_t *rank, size_t *n_sp,
                                          size_t *index)
{
	const mikey_payload *found = NULL;
	size_t n = 0, k = 0;

	for (const mikey_payload *pl = m->payloads.first; pl != NULL; pl = pl->next, k++) {
		if (pl->type != MIKEY_PT_SP || pl->u.sp.prot_type != MIKEY_PROT_TESLA)
			continue;
		if (found == NULL && pl->u.sp.policy_no == policy_no) {
			found = pl;
			*rank = n;
			*index = k + 1;
		}
		n++;
	}
	*n_sp = n;
	return found;
}

static void locate(mikey_error *err, const mikey_payload *pl, size_t index)
{
	if (err == NULL || pl == NULL)
		return;
	err->payload_index = (int)index;
	err->payload_type = pl->type;
	err->offset = pl->offset;
}

int mikey_tesla_params_from_msg(const mikey_msg *m, uint8_t policy_no, mikey_tesla_params *out, mikey_error *err)
{
	const mikey_payload *sp, *ikey = NULL;
	mikey_tesla_params q;
	size_t rank = 0, n_sp = 0, n_ikey = 0, index = 0, k = 0, ikey_index = 0;
	int rc;

	if (m == NULL || out == NULL)
		return MIKEY_ERR_ARG;
	mikey_error_clear(err);
	sp = find_tesla_sp(m, policy_no, &rank, &n_sp, &index);
	if (sp == NULL)
		return fail(err, MIKEY_ERR_NOT_FOUND, "no SP payload of Prot type TESLA with policy no %u", policy_no);
	locate(err, sp, index);
	rc = mikey_tesla_params_from_sp(&sp->u.sp, &q, NULL, NULL, err);
	if (rc != MIKEY_OK)
		return rc;
	for (const mikey_payload *pl = m->payloads.first; pl != NULL; pl = pl->next) {
		k++;
		if (pl->type != MIKEY_PT_GEN_EXT || pl->u.gen_ext.ext_type != MIKEY_GEN_TESLA_IKEY)
			continue;
		if (n_ikey == rank) {
			ikey = pl;
			ikey_index = k;
		}
		n_ikey++;
	}
	if (n_ikey != n_sp) {
		locate(err, sp, index);
		return fail(err, MIKEY_ERR_POLICY, "%zu TESLA SP payloads but %zu TESLA I-Key extensions: cannot pair them",
		            n_sp, n_ikey);
	}
	locate(err, ikey, ikey_index);
	rc = mikey_tesla_ikey_from_gen_ext(&ikey->u.gen_ext, &q, err);
	if (rc != MIKEY_OK)
		goto out;
	if (mikey_tesla_params_check(&q) != MIKEY_OK) {
		rc = fail(err, MIKEY_ERR_POLICY, "TESLA SP %u: parameters not usable together", policy_no);
		goto out;
	}
	*out = q;
	mikey_error_clear(err);
out:
	mikey_wipe(&q, sizeof(q));
	return rc;
}

int mikey_tesla_dt_compute(uint64_t t_s, uint64_t t_r, uint64_t s, uint64_t *d_t)
{
	uint64_t base;

	if (d_t == NULL)
		return MIKEY_ERR_ARG;
	/* RFC 4442 §4.3: D_t = t_s - t_r + S. The receiver's lag behind the
	 * sender is at most t_s - t_r (t_s was read after t_r); a negative
	 * difference means the receiver is ahead, and 0 still bounds it. */
	if (t_s >= t_r) {
		base = t_s - t_r;
		*d_t = base + s < base ? UINT64_MAX : base + s;
	} else {
		base = t_r - t_s;
		*d_t = s > base ? s - base : 0;
	}
	return MIKEY_OK;
}

int mikey_tesla_dt_from_msg(const mikey_msg *resp, uint8_t policy_no, uint64_t t_r_sent, uint64_t s, uint64_t *d_t,
                            mikey_error *err)
{
	const mikey_payload *sp, *t;
	mikey_tesla_params q;
	size_t rank, n_sp, index;
	bool has_t_r = false;
	uint64_t t_r = 0;
	int rc;

	if (resp == NULL || d_t == NULL)
		return MIKEY_ERR_ARG;
	mikey_error_clear(err);
	t = mikey_msg_find(resp, MIKEY_PT_T, 0);
	if (t == NULL)
		return fail(err, MIKEY_ERR_NOT_FOUND, "no T payload: the sender's time t_s is missing");
	/* RFC 4442 §4.3: t_s is "a 64-bit UTC value". */
	if (t->u.ts.ts_type != MIKEY_TS_NTP_UTC && t->u.ts.ts_type != MIKEY_TS_NTP)
		return fail(err, MIKEY_ERR_TIMESTAMP, "T payload TS type %u is not a 64-bit NTP time", t->u.ts.ts_type);
	sp = find_tesla_sp(resp, policy_no, &rank, &n_sp, &index);
	if (sp == NULL)
		return fail(err, MIKEY_ERR_NOT_FOUND, "no SP payload of Prot type TESLA with policy no %u", policy_no);
	locate(err, sp, index);
	rc = mikey_tesla_params_from_sp(&sp->u.sp, &q, &has_t_r, &t_r, err);
	if (rc != MIKEY_OK)
		return rc;
	if (!has_t_r)
		return fail(err, MIKEY_ERR_NOT_FOUND, "TESLA SP %u has no parameter 9 (receiver timestamp)", policy_no);
	if (t_r != t_r_sent)
		return fail(err, MIKEY_ERR_TIMESTAMP, "TESLA SP %u echoes a receiver timestamp we did not send",
		            policy_no);
	mikey_error_clear(err);
	return mikey_tesla_dt_compute(t->u.ts.value, t_r, s, d_t);
}
