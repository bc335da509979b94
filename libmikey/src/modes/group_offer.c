/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * group_offer.c - an offer that pushes a group key generation
 * (mikey_offer.group) becomes an ordinary offer whose CSB ID, CS ID map,
 * policies, RAND, key, salt, MKI and per-sender TESLA parameters are the
 * generation's, so that every member derives the same keys (RFC 3830
 * §4.1.3 mixes CSB ID, CS ID and RAND into each TEK).
 */
#include <string.h>

#include "group/generation.h"
#include "modes/exchange_state.h"

int ex_offer_from_group(const mikey_offer *o, mikey_offer *eff, ex_group_offer *buf, mikey_error *err)
{
	const mikey_group_gen *g = o->group;
	*eff = *o;
	if (g == NULL)
		return MIKEY_OK;
	if (o->csb_id != 0 || o->n_cs != 0 || o->n_policies != 0 || o->key != NULL || o->salt != NULL ||
	    o->mki != NULL || o->rand != NULL || o->tesla != NULL || o->cs_tesla != NULL)
		return mikey_fail(err, MIKEY_ERR_ARG,
		               "offer: with a group generation the generation gives the CSB ID, crypto sessions, "
		               "policies, keys, RAND and TESLA parameters");
	memset(buf, 0, sizeof(*buf));
	bool any_tesla = false, all_tesla = g->n_senders > 0;
	for (size_t i = 0; i < g->n_senders; i++) {
		const group_sender *s = &g->senders[i];
		buf->cs[i] = (mikey_cs_desc){.ssrc = s->ssrc, .roc = s->roc, .policy_no = s->policy_no};
		if (s->has_tesla)
			buf->tesla[i] = s->tesla;
		any_tesla |= s->has_tesla;
		all_tesla &= s->has_tesla;
	}
	if (any_tesla && !all_tesla)
		return mikey_fail(err, MIKEY_ERR_ARG,
		               "group 0x%08x: some senders have TESLA parameters and some do not; one TESLA SP per "
		               "crypto session needs them all (docs/interpretations.md §23)",
		               g->csb_id);
	if (g->n_policies == 0) {
		mikey_srtp_policy_default(&buf->default_policy);
		eff->policies = &buf->default_policy;
		eff->n_policies = 1;
	} else {
		eff->policies = g->policies;
		eff->n_policies = g->n_policies;
	}
	eff->csb_id = g->csb_id;
	eff->prf_func = g->prf_func;
	eff->cs = buf->cs;
	eff->n_cs = g->n_senders;
	eff->key_type = g->key_type;
	eff->key = g->key;
	eff->key_len = g->key_len;
	eff->salt = g->salt_len > 0 ? g->salt : NULL;
	eff->salt_len = g->salt_len;
	eff->mki = g->mki_len > 0 ? g->mki : NULL;
	eff->mki_len = g->mki_len;
	eff->rand = g->rand;
	eff->rand_len = g->rand_len;
	eff->cs_tesla = any_tesla ? buf->tesla : NULL;
	eff->group = NULL;
	return MIKEY_OK;
}
