/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * common.c - the parts every mode shares: the message head (HDR, T, RAND,
 * IDs, SPs: RFC 3830 §3), the transported key (Key data, §6.13), the
 * timestamp and replay checks (§5.3, §5.4) and error messages (§5.1.2).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "modes/exchange_state.h"
#include "mikey/mem.h"
#include "mikey/names.h"
#include "mikey/tesla_mikey.h"

mikey_exchange *ex_new(mikey_ctx *ctx, mikey_mode mode, bool initiator)
{
	mikey_exchange *ex = mikey_malloc(sizeof(*ex));
	if (ex == NULL)
		return NULL;
	memset(ex, 0, sizeof(*ex));
	ex->ctx = ctx;
	ex->mode = mode;
	ex->initiator = initiator;
	return ex;
}

int ex_message_ids(const mikey_msg *m, const mikey_payload **own, const mikey_payload **peer, bool *has_cert,
                   mikey_error *err)
{
	/* RFC 3830 §1.3: "|" is a selection, so "[IDi|CERTi], [IDr]" means an
	 * ID before any CERT is the sender's, and an ID after a CERT, or the
	 * second ID, is the peer's (docs/interpretations.md §28). */
	*own = *peer = NULL;
	*has_cert = false;
	for (const mikey_payload *p = m->payloads.first; p != NULL; p = p->next) {
		if (p->type == MIKEY_PT_CERT) {
			*has_cert = true;
		} else if (p->type == MIKEY_PT_ID) {
			if (*own == NULL && *peer == NULL && !*has_cert)
				*own = p;
			else if (*peer == NULL)
				*peer = p;
			else
				return mikey_fail(err, MIKEY_ERR_PLACEMENT, "more than two ID payloads (RFC 3830 §3)");
		}
	}
	return MIKEY_OK;
}

const psk_entry *ex_psk_for(mikey_exchange *ex, const uint8_t *peer, size_t peer_len)
{
	const mikey_ctx *ctx = ex->ctx;
	const psk_entry *e = ex_find_psk_exact(ctx, peer, peer_len);
	if (e != NULL)
		return e;
	if (ctx->psk_lookup != NULL && peer != NULL) {
		size_t len = sizeof(ex->looked_up_key);
		int rc = ctx->psk_lookup(ctx->psk_lookup_user, peer, peer_len, ex->looked_up_key, &len);
		if (rc == MIKEY_OK && len > 0 && len <= sizeof(ex->looked_up_key)) {
			ex->looked_up_psk = (psk_entry){.key = ex->looked_up_key, .key_len = len};
			return &ex->looked_up_psk;
		}
		mikey_wipe(ex->looked_up_key, sizeof(ex->looked_up_key));
		if (rc != MIKEY_OK && rc != MIKEY_ERR_NOT_FOUND)
			return NULL; /* a failed lookup is no reason to try the default key */
	}
	return ex_find_psk(ctx, NULL, 0);
}

int ex_now(mikey_ctx *ctx, uint64_t *ntp, mikey_error *err)
{
	if (ctx->clock == NULL)
		return mikey_fail(err, MIKEY_ERR_STATE, "no clock: call mikey_ctx_set_clock() first");
	*ntp = ctx->clock(ctx->clock_user);
	return MIKEY_OK;
}

static int rng(mikey_exchange *ex, uint8_t *out, size_t len, mikey_error *err)
{
	if (mikey_rng_bytes(&ex->ctx->rng, out, len) != MIKEY_OK)
		return mikey_fail(err, MIKEY_ERR_CRYPTO, "the random number generator failed");
	return MIKEY_OK;
}

static int add_id(mikey_msg *m, uint8_t type, const uint8_t *id, size_t len)
{
	mikey_payload *p = mikey_msg_add_payload(m, &m->payloads, MIKEY_PT_ID);
	if (p == NULL)
		return MIKEY_ERR_NOMEM;
	p->u.id.type = type;
	return mikey_msg_set_bytes(m, &p->u.id.data, id, len);
}

int ex_build_head(mikey_exchange *ex, const mikey_offer *o, mikey_msg *m, uint8_t data_type, mikey_error *err)
{
	int rc;

	if (o->n_cs > 255)
		return mikey_fail(err, MIKEY_ERR_ARG, "offer: %zu crypto sessions, at most 255 (#CS is 8 bits)", o->n_cs);
	if (o->n_policies > 256)
		return mikey_fail(err, MIKEY_ERR_ARG, "offer: at most 256 policies");
	for (size_t i = 0; i < o->n_cs; i++) {
		if (o->cs[i].policy_no >= o->n_policies)
			return mikey_fail(err, MIKEY_ERR_ARG, "offer: crypto session %zu names policy %u of %zu", i + 1,
			               o->cs[i].policy_no, o->n_policies);
	}
	ex->csb_id = o->csb_id;
	while (ex->csb_id == 0) {
		/* RFC 3830 §6.1: the CSB ID is RECOMMENDED to be random. */
		uint8_t b[4];
		if ((rc = rng(ex, b, 4, err)) != MIKEY_OK)
			return rc;
		ex->csb_id = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
	}
	ex->prf_func = o->prf_func;
	ex->want_verify = o->want_verify;
	if ((rc = ex_now(ex->ctx, &ex->t, err)) != MIKEY_OK)
		return rc;
	ex->ts_type = MIKEY_TS_NTP_UTC;
	ex->rand_len = o->rand_len ? o->rand_len : 16;
	if (ex->rand_len > sizeof(ex->rand))
		return mikey_fail(err, MIKEY_ERR_ARG, "offer: RAND of %zu bytes, at most 255", ex->rand_len);
	if (o->rand != NULL)
		memcpy(ex->rand, o->rand, ex->rand_len);
	else if ((rc = rng(ex, ex->rand, ex->rand_len, err)) != MIKEY_OK)
		return rc;

	/* HDR (RFC 3830 §6.1) with the SRTP-ID map (§6.1.1). */
	m->hdr.data_type = data_type;
	m->hdr.v = o->want_verify;
	m->hdr.prf_func = o->prf_func;
	m->hdr.csb_id = ex->csb_id;
	m->hdr.n_cs = (uint8_t)o->n_cs;
	m->hdr.map_type = MIKEY_MAP_SRTP_ID;
	ex->map_type = MIKEY_MAP_SRTP_ID;
	ex->n_cs = o->n_cs;
	if (o->n_cs > 0) {
		m->hdr.srtp_cs = mikey_msg_alloc(m, o->n_cs * sizeof(mikey_srtp_cs));
		ex->cs = mikey_malloc(o->n_cs * sizeof(mikey_srtp_cs));
		if (m->hdr.srtp_cs == NULL || ex->cs == NULL)
			return mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
		for (size_t i = 0; i < o->n_cs; i++) {
			mikey_srtp_cs c = {o->cs[i].policy_no, o->cs[i].ssrc, o->cs[i].roc};
			m->hdr.srtp_cs[i] = c;
			ex->cs[i] = c;
		}
	}

	/* T (§6.6) and RAND (§6.11). */
	mikey_payload *t = mikey_msg_add_payload(m, &m->payloads, MIKEY_PT_T);
	mikey_payload *r = mikey_msg_add_payload(m, &m->payloads, MIKEY_PT_RAND);
	if (t == NULL || r == NULL || mikey_msg_set_bytes(m, &r->u.rand.rand, ex->rand, ex->rand_len) != MIKEY_OK)
		return mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
	t->u.ts.ts_type = ex->ts_type;
	t->u.ts.value = ex->t;

	/* [IDi], [IDr] (§3.1). */
	if (o->send_ids && ex->ctx->id != NULL) {
		if (add_id(m, ex->ctx->id_type, ex->ctx->id, ex->ctx->id_len) != MIKEY_OK ||
		    mikey_copy_bytes(&ex->id_i, &ex->id_i_len, ex->ctx->id, ex->ctx->id_len) != MIKEY_OK)
			return mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
		ex->id_i_type = ex->ctx->id_type;
	}
	if (o->send_ids && o->peer_id != NULL) {
		if (o->peer_id_len > 0xffff)
			return mikey_fail(err, MIKEY_ERR_ARG, "offer: peer ID longer than 65535 bytes");
		if (add_id(m, o->peer_id_type, o->peer_id, o->peer_id_len) != MIKEY_OK ||
		    mikey_copy_bytes(&ex->id_r, &ex->id_r_len, o->peer_id, o->peer_id_len) != MIKEY_OK)
			return mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
		ex->id_r_type = o->peer_id_type;
	}

	/* {SP} (§6.10): policy number i is the offer's policies[i]. */
	if (o->n_policies > 0) {
		ex->policies = mikey_malloc(o->n_policies * sizeof(ex_policy));
		if (ex->policies == NULL)
			return mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
		memset(ex->policies, 0, o->n_policies * sizeof(ex_policy));
	}
	for (size_t i = 0; i < o->n_policies; i++) {
		mikey_payload *sp = mikey_msg_add_payload(m, &m->payloads, MIKEY_PT_SP);
		if (sp == NULL || mikey_srtp_policy_to_sp(m, &o->policies[i], (uint8_t)i, &sp->u.sp) != MIKEY_OK)
			return mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
		/* What we offer must be what we would accept. */
		mikey_error perr;
		if ((rc = mikey_srtp_policy_from_sp(&sp->u.sp, &ex->policies[i].policy, &perr)) != MIKEY_OK)
			return mikey_fail(err, rc, "offer: policy %zu: %s", i, perr.message);
		ex->policies[i].policy_no = (uint8_t)i;
		ex->policies[i].usable = true;
		ex->n_policies++;
	}
	int rc2 = ex_add_key_ids(ex, o, m, err);
	return rc2 != MIKEY_OK ? rc2 : ex_add_tesla(ex, o, m, err);
}

/* Keep a copy of |ids| in an exchange-owned message arena. */
static int keep_key_ids(mikey_exchange *ex, const mikey_key_id *ids, size_t n)
{
	mikey_msg *hold = mikey_msg_new();
	mikey_key_id *copy = hold != NULL ? mikey_msg_alloc(hold, n * sizeof(*copy)) : NULL;
	if (copy == NULL) {
		mikey_msg_free(hold);
		return MIKEY_ERR_NOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		copy[i].type = ids[i].type;
		if (mikey_msg_set_bytes(hold, &copy[i].id, ids[i].id.data, ids[i].id.len) != MIKEY_OK) {
			mikey_msg_free(hold);
			return MIKEY_ERR_NOMEM;
		}
	}
	mikey_msg_free(ex->key_id_msg);
	ex->key_id_msg = hold;
	ex->key_ids = copy;
	ex->n_key_ids = n;
	return MIKEY_OK;
}

int ex_add_key_ids(mikey_exchange *ex, const mikey_offer *o, mikey_msg *m, mikey_error *err)
{
	if (o->n_key_ids == 0)
		return MIKEY_OK;
	if (o->key_ids == NULL)
		return mikey_fail(err, MIKEY_ERR_ARG, "offer: n_key_ids set but no key_ids");
	mikey_payload *g = mikey_msg_add_payload(m, &m->payloads, MIKEY_PT_GEN_EXT);
	mikey_key_id *ids = g != NULL ? mikey_msg_alloc(m, o->n_key_ids * sizeof(*ids)) : NULL;
	if (ids == NULL)
		return mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < o->n_key_ids; i++) {
		if (o->key_ids[i].id.len > 255)
			return mikey_fail(err, MIKEY_ERR_ARG, "offer: Key ID %zu longer than 255 bytes (RFC 4563 §4)", i);
		ids[i].type = o->key_ids[i].type;
		if (mikey_msg_set_bytes(m, &ids[i].id, o->key_ids[i].id.data, o->key_ids[i].id.len) != MIKEY_OK)
			return mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
	}
	g->u.gen_ext.ext_type = MIKEY_GEN_KEY_ID;
	g->u.gen_ext.key_ids = ids;
	g->u.gen_ext.n_key_ids = o->n_key_ids;
	if (keep_key_ids(ex, ids, o->n_key_ids) != MIKEY_OK)
		return mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
	return MIKEY_OK;
}

int ex_read_key_ids(mikey_exchange *ex, const mikey_msg *m, mikey_error *err)
{
	/* RFC 4563 §4: Key ID sub-payloads, possibly in several extensions. */
	size_t n = 0;
	for (const mikey_payload *p = m->payloads.first; p != NULL; p = p->next)
		if (p->type == MIKEY_PT_GEN_EXT && p->u.gen_ext.ext_type == MIKEY_GEN_KEY_ID)
			n += p->u.gen_ext.n_key_ids;
	if (n == 0)
		return MIKEY_OK;
	mikey_key_id *all = mikey_malloc(n * sizeof(*all));
	if (all == NULL)
		return mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
	size_t k = 0;
	for (const mikey_payload *p = m->payloads.first; p != NULL; p = p->next)
		if (p->type == MIKEY_PT_GEN_EXT && p->u.gen_ext.ext_type == MIKEY_GEN_KEY_ID)
			for (size_t i = 0; i < p->u.gen_ext.n_key_ids; i++)
				all[k++] = p->u.gen_ext.key_ids[i];
	int rc = keep_key_ids(ex, all, n);
	mikey_free(all);
	return rc == MIKEY_OK ? MIKEY_OK : mikey_fail(err, rc, "out of memory");
}

/* One TESLA SP (and I-Key) per crypto session, in CS order, numbered
 * after the SRTP policies (docs/interpretations.md §23). */
static int add_cs_tesla(mikey_exchange *ex, const mikey_offer *o, mikey_msg *m, mikey_error *err)
{
	if (o->tesla != NULL)
		return mikey_fail(err, MIKEY_ERR_ARG, "offer: TESLA for every crypto session or per crypto session, not both");
	if (o->n_cs == 0 || o->n_policies + o->n_cs > 256)
		return mikey_fail(err, MIKEY_ERR_ARG, "offer: %zu per-session TESLA policies after %zu SRTP ones", o->n_cs,
		               o->n_policies);
	ex->cs_tesla = mikey_malloc(o->n_cs * sizeof(*ex->cs_tesla));
	if (ex->cs_tesla == NULL)
		return mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < o->n_cs; i++) {
		int rc = mikey_tesla_params_to_payloads(m, &o->cs_tesla[i], (uint8_t)(o->n_policies + i));
		if (rc != MIKEY_OK)
			return mikey_fail(err, rc, "offer: crypto session %zu: the TESLA parameters cannot be sent (%s)", i + 1,
			               mikey_strerror(rc));
		ex->cs_tesla[i] = o->cs_tesla[i];
	}
	return MIKEY_OK;
}

int ex_add_tesla(mikey_exchange *ex, const mikey_offer *o, mikey_msg *m, mikey_error *err)
{
	if (o->cs_tesla != NULL)
		return add_cs_tesla(ex, o, m, err);
	if (o->tesla == NULL)
		return MIKEY_OK;
	/* The TESLA SP takes the policy number after the SRTP ones. */
	int rc = mikey_tesla_params_to_payloads(m, o->tesla, (uint8_t)o->n_policies);
	if (rc != MIKEY_OK)
		return mikey_fail(err, rc, "offer: the TESLA parameters cannot be sent (%s)", mikey_strerror(rc));
	ex->tesla = *o->tesla;
	ex->has_tesla = true;
	return MIKEY_OK;
}

int ex_read_tesla(mikey_exchange *ex, const mikey_msg *m, mikey_error *err)
{
	return ex_read_tesla_n(ex, m, ex->n_cs, err);
}

int ex_read_tesla_n(mikey_exchange *ex, const mikey_msg *m, size_t n_cs, mikey_error *err)
{
	/* One TESLA SP: it covers every crypto session. One per crypto
	 * session: the k-th covers CS k (docs/interpretations.md §23). */
	size_t n = 0;
	for (const mikey_payload *p = m->payloads.first; p != NULL; p = p->next)
		n += p->type == MIKEY_PT_SP && p->u.sp.prot_type == MIKEY_PROT_TESLA;
	if (n == 0)
		return MIKEY_OK;
	if (n > 1 && n != n_cs)
		return mikey_fail(err, MIKEY_ERR_POLICY,
		               "%zu TESLA policies for %zu crypto sessions: one for all, or one per crypto session", n,
		               n_cs);
	mikey_tesla_params *all = mikey_malloc(n * sizeof(*all));
	if (all == NULL)
		return mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
	size_t k = 0;
	int rc = MIKEY_OK;
	for (const mikey_payload *p = m->payloads.first; p != NULL && rc == MIKEY_OK; p = p->next) {
		if (p->type != MIKEY_PT_SP || p->u.sp.prot_type != MIKEY_PROT_TESLA)
			continue;
		mikey_error terr;
		rc = mikey_tesla_params_from_msg(m, p->u.sp.policy_no, &all[k++], &terr);
		if (rc != MIKEY_OK)
			rc = mikey_fail(err, rc == MIKEY_ERR_NOMEM ? rc : MIKEY_ERR_POLICY, "TESLA policy %u: %s",
			             p->u.sp.policy_no, terr.message);
	}
	if (rc != MIKEY_OK) {
		mikey_free(all);
		return rc;
	}
	if (n == 1) {
		ex->tesla = all[0];
		ex->has_tesla = true;
		mikey_free(all);
	} else {
		mikey_free(ex->cs_tesla);
		ex->cs_tesla = all;
	}
	return MIKEY_OK;
}

static const mikey_srtp_policy *first_policy(const mikey_exchange *ex, mikey_srtp_policy *def)
{
	if (ex->n_policies > 0 && ex->policies[0].usable)
		return &ex->policies[0].policy;
	mikey_srtp_policy_default(def);
	return def;
}

static bool type_has_salt(uint8_t t)
{
	return t == MIKEY_KEY_TGK_SALT || t == MIKEY_KEY_TEK_SALT || t == MIKEY_KEY_GTGK_SALT;
}

/* Keys 2.. of the offer (RFC 3830 §6.2: several Key data in one KEMAC),
 * each given in full: they are there to be known ahead (the next MKI). */
static int choose_extra_keys(mikey_exchange *ex, const mikey_offer *o, mikey_error *err)
{
	if (o->n_extra_keys == 0)
		return MIKEY_OK;
	if (o->extra_keys == NULL || o->n_extra_keys > EX_MAX_KEYS - 1)
		return mikey_fail(err, MIKEY_ERR_ARG, "offer: %zu extra keys (at most %d, and given)", o->n_extra_keys,
		               EX_MAX_KEYS - 1);
	ex->extra_keys = mikey_malloc(o->n_extra_keys * sizeof(*ex->extra_keys));
	if (ex->extra_keys == NULL)
		return mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
	memset(ex->extra_keys, 0, o->n_extra_keys * sizeof(*ex->extra_keys));
	ex->n_extra_keys = o->n_extra_keys;
	for (size_t i = 0; i < o->n_extra_keys; i++) {
		const mikey_key_desc *d = &o->extra_keys[i];
		ex_key *k = &ex->extra_keys[i];
		if (d->key_type != MIKEY_KEY_TGK && d->key_type != MIKEY_KEY_TGK_SALT && d->key_type != MIKEY_KEY_TEK &&
		    d->key_type != MIKEY_KEY_TEK_SALT)
			return mikey_fail(err, MIKEY_ERR_ARG, "offer: extra key %zu: key type %u", i + 2, d->key_type);
		if (d->key == NULL || d->key_len == 0 || d->key_len > sizeof(k->key))
			return mikey_fail(err, MIKEY_ERR_ARG, "offer: extra key %zu: %zu bytes (1 to 64, given)", i + 2,
			               d->key_len);
		if (type_has_salt(d->key_type) != (d->salt != NULL && d->salt_len > 0) || d->salt_len > sizeof(k->salt))
			return mikey_fail(err, MIKEY_ERR_ARG, "offer: extra key %zu: a salt of %zu bytes with key type %u",
			               i + 2, d->salt_len, d->key_type);
		if (d->mki_len > sizeof(k->mki) || (d->mki == NULL && d->mki_len > 0) ||
		    (d->mki_len > 0 && d->has_interval))
			return mikey_fail(err, MIKEY_ERR_ARG, "offer: extra key %zu: an MKI of %zu bytes%s", i + 2,
			               d->mki_len, d->has_interval ? " and an interval (one KV only)" : "");
		if (d->has_interval && (d->valid_from > d->valid_to || d->valid_to >= (uint64_t)1 << 48))
			return mikey_fail(err, MIKEY_ERR_ARG, "offer: extra key %zu: interval %llu..%llu of 48-bit SRTP indices",
			               i + 2, (unsigned long long)d->valid_from, (unsigned long long)d->valid_to);
		k->key_type = d->key_type;
		memcpy(k->key, d->key, d->key_len);
		k->key_len = d->key_len;
		if (d->salt_len > 0)
			memcpy(k->salt, d->salt, d->salt_len);
		k->salt_len = d->salt_len;
		if (d->mki_len > 0)
			memcpy(k->mki, d->mki, d->mki_len);
		k->mki_len = d->mki_len;
		k->has_interval = d->has_interval;
		k->valid_from = d->valid_from;
		k->valid_to = d->valid_to;
	}
	return MIKEY_OK;
}

int ex_choose_key(mikey_exchange *ex, const mikey_offer *o, mikey_error *err)
{
	mikey_srtp_policy def;
	const mikey_srtp_policy *pol = first_policy(ex, &def);
	int rc;

	ex->key_type = o->key_type;
	if (ex->key_type != MIKEY_KEY_TGK && ex->key_type != MIKEY_KEY_TGK_SALT && ex->key_type != MIKEY_KEY_TEK &&
	    ex->key_type != MIKEY_KEY_TEK_SALT)
		return mikey_fail(err, MIKEY_ERR_ARG, "offer: key type %u is not TGK, TGK+SALT, TEK or TEK+SALT", o->key_type);
	size_t key_len = o->key != NULL ? o->key_len : pol->encr_key_len;
	if (key_len == 0 || key_len > 64)
		return mikey_fail(err, MIKEY_ERR_ARG, "offer: key of %zu bytes (1 to 64)", key_len);
	ex->key = mikey_malloc(key_len);
	if (ex->key == NULL)
		return mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
	ex->key_len = key_len;
	if (o->key != NULL)
		memcpy(ex->key, o->key, key_len);
	else if ((rc = rng(ex, ex->key, key_len, err)) != MIKEY_OK)
		return rc;
	if (type_has_salt(ex->key_type)) {
		size_t salt_len = o->salt != NULL ? o->salt_len : pol->salt_key_len;
		if (salt_len == 0 || salt_len > sizeof(ex->salt))
			return mikey_fail(err, MIKEY_ERR_ARG, "offer: salt of %zu bytes (1 to 14)", salt_len);
		ex->salt_len = salt_len;
		if (o->salt != NULL)
			memcpy(ex->salt, o->salt, salt_len);
		else if ((rc = rng(ex, ex->salt, salt_len, err)) != MIKEY_OK)
			return rc;
	}
	if (o->mki_len > sizeof(ex->mki) || (o->mki == NULL && o->mki_len > 0))
		return mikey_fail(err, MIKEY_ERR_ARG, "offer: MKI of %zu bytes (at most 255)", o->mki_len);
	ex->mki_len = o->mki_len;
	if (o->mki_len > 0)
		memcpy(ex->mki, o->mki, o->mki_len);
	return choose_extra_keys(ex, o, err);
}

/* An SRTP index (48 bits) as a KV Interval bound (RFC 3830 §6.14). */
static int set_index(mikey_msg *m, mikey_bytes *dst, uint64_t v)
{
	uint8_t b[6];
	for (int i = 5; i >= 0; i--, v >>= 8)
		b[i] = (uint8_t)v;
	return mikey_msg_set_bytes(m, dst, b, sizeof(b));
}

static int add_one_key(mikey_msg *m, mikey_payload_list *list, uint8_t key_type, const uint8_t *key, size_t key_len,
                       const uint8_t *salt, size_t salt_len, const uint8_t *mki, size_t mki_len, bool has_interval,
                       uint64_t from, uint64_t to)
{
	/* RFC 3830 §6.13; KV SPI carries the MKI, KV Interval the SRTP
	 * indices the key is valid for (§6.14). */
	mikey_payload *kd = mikey_msg_add_payload(m, list, MIKEY_PT_KEY_DATA);
	if (kd == NULL)
		return MIKEY_ERR_NOMEM;
	kd->u.key_data.key_type = key_type;
	if (mikey_msg_set_bytes(m, &kd->u.key_data.key, key, key_len) != MIKEY_OK ||
	    mikey_msg_set_bytes(m, &kd->u.key_data.salt, salt, salt_len) != MIKEY_OK)
		return MIKEY_ERR_NOMEM;
	if (mki_len > 0) {
		kd->u.key_data.kv.type = MIKEY_KV_SPI;
		if (mikey_msg_set_bytes(m, &kd->u.key_data.kv.spi, mki, mki_len) != MIKEY_OK)
			return MIKEY_ERR_NOMEM;
	} else if (has_interval) {
		kd->u.key_data.kv.type = MIKEY_KV_INTERVAL;
		if (set_index(m, &kd->u.key_data.kv.valid_from, from) != MIKEY_OK ||
		    set_index(m, &kd->u.key_data.kv.valid_to, to) != MIKEY_OK)
			return MIKEY_ERR_NOMEM;
	}
	return MIKEY_OK;
}

int ex_add_key_data(mikey_exchange *ex, mikey_msg *m, mikey_payload_list *list, mikey_error *err)
{
	int rc = add_one_key(m, list, ex->key_type, ex->key, ex->key_len, ex->salt, ex->salt_len, ex->mki, ex->mki_len,
	                     ex->key_has_interval, ex->key_valid_from, ex->key_valid_to);
	for (size_t i = 0; rc == MIKEY_OK && i < ex->n_extra_keys; i++) {
		const ex_key *k = &ex->extra_keys[i];
		rc = add_one_key(m, list, k->key_type, k->key, k->key_len, k->salt, k->salt_len, k->mki, k->mki_len,
		                 k->has_interval, k->valid_from, k->valid_to);
	}
	return rc == MIKEY_OK ? MIKEY_OK : mikey_fail(err, rc, "out of memory");
}

/* Seconds between two NTP timestamps, as a signed difference modulo 2^32
 * seconds so that the 2036 era rollover (RFC 4330 §3) does not matter. */
static int64_t ntp_diff_seconds(uint64_t a, uint64_t b)
{
	return (int64_t)(int32_t)(uint32_t)((a >> 32) - (b >> 32));
}

int ex_read_head(mikey_exchange *ex, const mikey_msg *m, const uint8_t *raw, size_t len,
                 uint8_t digest[MIKEY_REPLAY_DIGEST], mikey_error *err)
{
	mikey_ctx *ctx = ex->ctx;
	uint64_t now = 0;
	int rc;

	ex->csb_id = m->hdr.csb_id;
	ex->prf_func = m->hdr.prf_func;
	ex->want_verify = m->hdr.v;
	if (m->hdr.prf_func != MIKEY_PRF_MIKEY_1 && m->hdr.prf_func != MIKEY_PRF_HMAC_SHA_256)
		return mikey_fail(err, MIKEY_ERR_PRF, "HDR: PRF func %u is not supported", m->hdr.prf_func);
	if (m->hdr.map_type == MIKEY_MAP_SRTP_ID) {
		ex->map_type = MIKEY_MAP_SRTP_ID;
		ex->n_cs = m->hdr.n_cs;
		if (ex->n_cs > 0) {
			ex->cs = mikey_malloc(ex->n_cs * sizeof(mikey_srtp_cs));
			if (ex->cs == NULL)
				return mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
			memcpy(ex->cs, m->hdr.srtp_cs, ex->n_cs * sizeof(mikey_srtp_cs));
		}
	} else if (m->hdr.map_type == MIKEY_MAP_EMPTY) {
		ex->map_type = MIKEY_MAP_EMPTY; /* RFC 4563 §5: policy comes from elsewhere */
	} else {
		return mikey_fail(err, MIKEY_ERR_POLICY, "HDR: CS ID map type %u is not supported for SRTP here",
		               m->hdr.map_type);
	}

	/* T: RFC 3830 §5.3 first step. */
	const mikey_payload *t = mikey_msg_find(m, MIKEY_PT_T, 0);
	if (t == NULL)
		return mikey_fail(err, MIKEY_ERR_TIMESTAMP, "no T payload");
	if (t->u.ts.ts_type != MIKEY_TS_NTP_UTC && t->u.ts.ts_type != MIKEY_TS_NTP)
		return mikey_fail(err, MIKEY_ERR_TIMESTAMP,
		               "T: TS type %u: only NTP-UTC and NTP can be checked against the clock",
		               t->u.ts.ts_type);
	ex->ts_type = t->u.ts.ts_type;
	ex->t = t->u.ts.value;
	if ((rc = ex_now(ctx, &now, err)) != MIKEY_OK)
		return rc;
	int64_t skew = ntp_diff_seconds(ex->t, now);
	if (skew > (int64_t)ctx->max_skew || -skew > (int64_t)ctx->max_skew)
		return mikey_fail(err, MIKEY_ERR_TIMESTAMP, "T: timestamp is %lld s from our clock; at most %u s allowed",
		               (long long)skew, ctx->max_skew);
	mikey_iov iov = {raw, len};
	if (mikey_crypto_digest(MIKEY_MD_SHA256, &iov, 1, digest) != MIKEY_OK)
		return mikey_fail(err, MIKEY_ERR_CRYPTO, "SHA-256 failed");
	if (mikey_replay_seen(&ctx->replay, ex->t, digest))
		return mikey_fail(err, MIKEY_ERR_REPLAY, "message already accepted, or older than the replay cache remembers");

	/* RAND: always in the Initiator's first message (§3), except in RSA-R
	 * where the Responder may supply it instead (RFC 4738 §3.4, §3.6). */
	const mikey_payload *r = mikey_msg_find(m, MIKEY_PT_RAND, 0);
	if ((r == NULL || r->u.rand.rand.len == 0) && ex->mode != MIKEY_MODE_RSAR)
		return mikey_fail(err, MIKEY_ERR_ARG, "no RAND payload in the initiator's message");
	ex->rand_len = r != NULL ? r->u.rand.rand.len : 0;
	if (ex->rand_len > 0)
		memcpy(ex->rand, r->u.rand.rand.data, ex->rand_len);

	/* [IDi|CERTi], [IDr] (§3.1-§3.3, RFC 4738 §3.1): by position. */
	const mikey_payload *idi, *idr;
	bool has_cert;
	if ((rc = ex_message_ids(m, &idi, &idr, &has_cert, err)) != MIKEY_OK)
		return rc;
	/* One ID, no CERT: IDi, unless in a signed mode it names us -- then it
	 * is IDr and IDi is elsewhere (PK: inside the KEMAC) or known from a
	 * certificate looked up for the signer. */
	if (idi != NULL && idr == NULL && !has_cert && ex->mode != MIKEY_MODE_PSK && ex->mode != MIKEY_MODE_DHHMAC &&
	    ctx->id != NULL && idi->u.id.data.len == ctx->id_len &&
	    memcmp(idi->u.id.data.data, ctx->id, ctx->id_len) == 0) {
		idr = idi;
		idi = NULL;
	}
	if (idi != NULL) {
		if (mikey_copy_bytes(&ex->id_i, &ex->id_i_len, idi->u.id.data.data, idi->u.id.data.len) != MIKEY_OK)
			return mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
		ex->id_i_type = idi->u.id.type;
	}
	if (idr != NULL) {
		if (mikey_copy_bytes(&ex->id_r, &ex->id_r_len, idr->u.id.data.data, idr->u.id.data.len) != MIKEY_OK)
			return mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
		ex->id_r_type = idr->u.id.type;
	}

	/* {SP}: each SRTP policy must map to something libsrtp2 can run. */
	size_t n_sp = 0;
	for (const mikey_payload *p = m->payloads.first; p != NULL; p = p->next)
		n_sp += p->type == MIKEY_PT_SP && p->u.sp.prot_type == MIKEY_PROT_SRTP;
	if (n_sp > 0) {
		ex->policies = mikey_malloc(n_sp * sizeof(ex_policy));
		if (ex->policies == NULL)
			return mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
		memset(ex->policies, 0, n_sp * sizeof(ex_policy));
	}
	for (const mikey_payload *p = m->payloads.first; p != NULL; p = p->next) {
		if (p->type != MIKEY_PT_SP || p->u.sp.prot_type != MIKEY_PROT_SRTP)
			continue;
		ex_policy *ep = &ex->policies[ex->n_policies++];
		mikey_error perr;
		ep->policy_no = p->u.sp.policy_no;
		if ((rc = mikey_srtp_policy_from_sp(&p->u.sp, &ep->policy, &perr)) != MIKEY_OK)
			return mikey_fail(err, rc, "SP policy %u: %s", ep->policy_no, perr.message);
		ep->usable = true;
	}
	if ((rc = ex_read_key_ids(ex, m, err)) != MIKEY_OK)
		return rc;
	return ex_read_tesla(ex, m, err);
}

/* A KV Interval bound: an SRTP index of 1 to 8 bytes (RFC 3830 §6.14). */
static int read_index(const mikey_bytes *b, uint64_t *v, size_t nth, const char *which, mikey_error *err)
{
	if (b->len == 0 || b->len > 8)
		return mikey_fail(err, MIKEY_ERR_POLICY, "Key data %zu: KV interval %s of %zu bytes (1 to 8)", nth, which,
		               b->len);
	*v = 0;
	for (size_t i = 0; i < b->len; i++)
		*v = *v << 8 | b->data[i];
	return MIKEY_OK;
}

/* Check one Key data sub-payload and copy it into |k|. */
static int read_one_key(const mikey_key_data *kd, size_t nth, ex_key *k, mikey_error *err)
{
	int rc;
	switch (kd->key_type) {
	case MIKEY_KEY_TGK:
	case MIKEY_KEY_TGK_SALT:
	case MIKEY_KEY_TEK:
	case MIKEY_KEY_TEK_SALT:
		break;
	default:
		return mikey_fail(err, MIKEY_ERR_POLICY, "Key data %zu: key type %u is not supported here", nth,
		               kd->key_type);
	}
	if (kd->key.len == 0 || kd->key.len > sizeof(k->key))
		return mikey_fail(err, MIKEY_ERR_POLICY, "Key data %zu: key of %zu bytes (1 to 64 supported)", nth,
		               kd->key.len);
	if (kd->salt.len > sizeof(k->salt))
		return mikey_fail(err, MIKEY_ERR_POLICY, "Key data %zu: salt of %zu bytes (at most 14)", nth, kd->salt.len);
	memset(k, 0, sizeof(*k));
	k->key_type = kd->key_type;
	memcpy(k->key, kd->key.data, kd->key.len);
	k->key_len = kd->key.len;
	if (kd->salt.len > 0)
		memcpy(k->salt, kd->salt.data, kd->salt.len);
	k->salt_len = kd->salt.len;
	if (kd->kv.type == MIKEY_KV_SPI) {
		if (kd->kv.spi.len > sizeof(k->mki))
			return mikey_fail(err, MIKEY_ERR_POLICY, "Key data %zu: MKI too long", nth);
		if (kd->kv.spi.len > 0)
			memcpy(k->mki, kd->kv.spi.data, kd->kv.spi.len);
		k->mki_len = kd->kv.spi.len;
	} else if (kd->kv.type == MIKEY_KV_INTERVAL) {
		if ((rc = read_index(&kd->kv.valid_from, &k->valid_from, nth, "start", err)) != MIKEY_OK ||
		    (rc = read_index(&kd->kv.valid_to, &k->valid_to, nth, "end", err)) != MIKEY_OK)
			return rc;
		k->has_interval = true;
	}
	return MIKEY_OK;
}

int ex_read_key_data(mikey_exchange *ex, const mikey_payload_list *sub, mikey_error *err)
{
	/* RFC 3830 §6.2: every Key data of the KEMAC counts, each with its own
	 * KV (Appendix A: several TGKs told apart by their MKI). */
	size_t n = 0;
	for (const mikey_payload *p = sub->first; p != NULL; p = p->next)
		n += p->type == MIKEY_PT_KEY_DATA;
	if (n == 0)
		return mikey_fail(err, MIKEY_ERR_ARG, "KEMAC carries no Key data");
	if (n > EX_MAX_KEYS)
		return mikey_fail(err, MIKEY_ERR_POLICY, "KEMAC carries %zu keys; at most %d are taken", n, EX_MAX_KEYS);
	ex_key *keys = mikey_malloc(n * sizeof(*keys));
	if (keys == NULL)
		return mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
	int rc = MIKEY_OK;
	size_t i = 0;
	for (const mikey_payload *p = sub->first; p != NULL && rc == MIKEY_OK; p = p->next) {
		if (p->type == MIKEY_PT_KEY_DATA)
			rc = read_one_key(&p->u.key_data, i + 1, &keys[i], err), i++;
	}
	/* Two keys with one MKI would leave a receiver unable to tell which
	 * key protects a packet (RFC 3711 §3.1). */
	for (size_t a = 0; rc == MIKEY_OK && a < n; a++)
		for (size_t b = a + 1; rc == MIKEY_OK && b < n; b++)
			if (keys[a].mki_len > 0 && keys[a].mki_len == keys[b].mki_len &&
			    memcmp(keys[a].mki, keys[b].mki, keys[a].mki_len) == 0)
				rc = mikey_fail(err, MIKEY_ERR_POLICY, "Key data %zu and %zu carry the same MKI", a + 1, b + 1);
	if (rc != MIKEY_OK)
		goto out;
	ex->key = mikey_malloc(keys[0].key_len);
	if (ex->key == NULL) {
		rc = mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
		goto out;
	}
	memcpy(ex->key, keys[0].key, keys[0].key_len);
	ex->key_len = keys[0].key_len;
	ex->key_type = keys[0].key_type;
	memcpy(ex->salt, keys[0].salt, keys[0].salt_len);
	ex->salt_len = keys[0].salt_len;
	memcpy(ex->mki, keys[0].mki, keys[0].mki_len);
	ex->mki_len = keys[0].mki_len;
	ex->key_has_interval = keys[0].has_interval;
	ex->key_valid_from = keys[0].valid_from;
	ex->key_valid_to = keys[0].valid_to;
	if (n > 1) {
		ex->extra_keys = mikey_malloc((n - 1) * sizeof(*ex->extra_keys));
		if (ex->extra_keys == NULL) {
			rc = mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
			goto out;
		}
		memcpy(ex->extra_keys, keys + 1, (n - 1) * sizeof(*keys));
		ex->n_extra_keys = n - 1;
	}
out:
	mikey_wipe(keys, n * sizeof(*keys));
	mikey_free(keys);
	return rc;
}

void ex_remember(mikey_exchange *ex, const uint8_t digest[MIKEY_REPLAY_DIGEST])
{
	mikey_ctx *ctx = ex->ctx;
	uint64_t now = ctx->clock(ctx->clock_user);
	/* Anything older than now - skew is refused by the window anyway. */
	uint64_t oldest = now - ((uint64_t)ctx->max_skew << 32);
	if (((now >> 32) < ctx->max_skew))
		oldest = 0;
	mikey_replay_add(&ctx->replay, ex->t, digest, oldest);
}

int ex_error_message(mikey_ctx *ctx, const mikey_msg *in, int code, uint8_t **out, size_t *out_len)
{
	/* RFC 3830 §5.1.2: HDR, T, {ERR}; not authenticated (a failed
	 * authentication must not make us sign for an attacker). */
	mikey_msg *m = mikey_msg_new();
	uint64_t now = 0;
	int rc = MIKEY_ERR_NOMEM;

	*out = NULL;
	*out_len = 0;
	if (m == NULL)
		return MIKEY_ERR_NOMEM;
	m->hdr.data_type = MIKEY_DT_ERROR;
	m->hdr.map_type = MIKEY_MAP_SRTP_ID;
	if (in != NULL) {
		m->hdr.csb_id = in->hdr.csb_id;
		m->hdr.prf_func = in->hdr.prf_func;
	}
	mikey_payload *t = mikey_msg_add_payload(m, &m->payloads, MIKEY_PT_T);
	mikey_payload *e = mikey_msg_add_payload(m, &m->payloads, MIKEY_PT_ERR);
	if (t == NULL || e == NULL)
		goto out;
	const mikey_payload *it = in != NULL ? mikey_msg_find(in, MIKEY_PT_T, 0) : NULL;
	if (it != NULL) {
		/* The Responder uses the Initiator's timestamp (§5.2). */
		t->u.ts = it->u.ts;
	} else {
		if (ctx->clock != NULL)
			now = ctx->clock(ctx->clock_user);
		t->u.ts.ts_type = MIKEY_TS_NTP_UTC;
		t->u.ts.value = now;
	}
	e->u.err.err_no = (uint8_t)mikey_error_to_err_no(code);
	rc = mikey_msg_build(m, out, out_len, NULL);
out:
	mikey_msg_free(m);
	return rc;
}

size_t ex_ts_bytes(const mikey_exchange *ex, uint8_t out[8])
{
	int n = mikey_ts_value_len(ex->ts_type);
	size_t len = n > 0 ? (size_t)n : 0;
	for (size_t i = 0; i < len; i++)
		out[i] = (uint8_t)(ex->t >> (8 * (len - 1 - i)));
	return len;
}

int ex_response_hdr(const mikey_exchange *ex, mikey_msg *m, uint8_t data_type, uint32_t csb_id, mikey_error *err)
{
	m->hdr.data_type = data_type;
	m->hdr.prf_func = ex->prf_func;
	m->hdr.csb_id = csb_id;
	m->hdr.map_type = ex->map_type;
	m->hdr.n_cs = (uint8_t)ex->n_cs;
	if (ex->map_type == MIKEY_MAP_SRTP_ID && ex->n_cs > 0) {
		m->hdr.srtp_cs = mikey_msg_alloc(m, ex->n_cs * sizeof(mikey_srtp_cs));
		if (m->hdr.srtp_cs == NULL)
			return mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
		memcpy(m->hdr.srtp_cs, ex->cs, ex->n_cs * sizeof(mikey_srtp_cs));
	}
	return MIKEY_OK;
}

int ex_echo_t(const mikey_exchange *ex, mikey_msg *m, mikey_error *err)
{
	/* RFC 3830 §5.2: the Responder uses the Initiator's timestamp. */
	mikey_payload *t = mikey_msg_add_payload(m, &m->payloads, MIKEY_PT_T);
	if (t == NULL)
		return mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
	t->u.ts.ts_type = ex->ts_type;
	t->u.ts.value = ex->t;
	return MIKEY_OK;
}

int ex_peer_error(const mikey_msg *m, mikey_error *err)
{
	const mikey_payload *e = mikey_msg_find(m, MIKEY_PT_ERR, 0);
	if (e == NULL)
		return mikey_fail(err, MIKEY_ERR_PEER_ERROR, "the peer sent an error message without an ERR payload");
	const char *name = mikey_err_no_name(e->u.err.err_no);
	return mikey_fail(err, MIKEY_ERR_PEER_ERROR, "the peer sent Error no %u (%s)", e->u.err.err_no,
	               name != NULL ? name : "unregistered");
}
