/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * extensions.c - what a message carries besides keys: Key IDs (RFC 4563
 * §4, a General Extension) and TESLA bootstrapping (RFC 4442 §4: a TESLA
 * SP and I-Key, one for every crypto session or one per sender,
 * docs/interpretations.md §23).
 */
#include <string.h>

#include "modes/exchange_state.h"
#include "mikey/mem.h"
#include "mikey/tesla_mikey.h"

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
