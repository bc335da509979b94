/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rsar_config.c - the RSA-R key server configuration (RFC 4738 §3.2,
 * §3.6): in MIKEY-RSA-R the Responder chooses the keys, policies and, in
 * group mode, a common CSB ID and RAND, so that every member that
 * downloads the keys derives the same TEKs (RFC 3830 §4.1.3).
 */
#include <string.h>

#include "modes/modes.h"
#include "mikey/mem.h"
#include "modes/rsar_config.h"

void rsar_config_free(struct ex_rsar_config *c)
{
	if (c == NULL)
		return;
	mikey_free(c->cs_tesla);
	if (c->key != NULL) {
		mikey_wipe(c->key, c->key_len);
		mikey_free(c->key);
	}
	mikey_free(c->policies);
	mikey_free(c->cs);
	mikey_wipe(c, sizeof(*c));
	mikey_free(c);
}

/* Every policy must survive the trip through an SP payload (what we would
 * send is what a receiver, ourselves included, accepts). */
static int check_policies(const mikey_offer *o)
{
	mikey_msg *m = mikey_msg_new();
	int rc = MIKEY_OK;
	if (m == NULL)
		return MIKEY_ERR_NOMEM;
	for (size_t i = 0; i < o->n_policies && rc == MIKEY_OK; i++) {
		mikey_sp sp;
		mikey_srtp_policy back;
		mikey_error perr;
		rc = mikey_srtp_policy_to_sp(m, &o->policies[i], (uint8_t)i, &sp);
		if (rc == MIKEY_OK && mikey_srtp_policy_from_sp(&sp, &back, &perr) != MIKEY_OK)
			rc = MIKEY_ERR_ARG;
	}
	mikey_msg_free(m);
	return rc;
}

static int rng(mikey_ctx *ctx, uint8_t *out, size_t len)
{
	return mikey_rng_bytes(&ctx->rng, out, len) == MIKEY_OK ? MIKEY_OK : MIKEY_ERR_CRYPTO;
}

int mikey_ctx_set_rsar_keys(mikey_ctx *ctx, const mikey_offer *o)
{
	struct ex_rsar_config *c = NULL;
	if (ctx == NULL)
		return MIKEY_ERR_ARG;
	if (o != NULL) {
		mikey_offer eff;
		ex_group_offer *buf = NULL;
		int rc = MIKEY_OK;
		if (o->group != NULL) {
			/* A fixed generation: what mikey_ctx_set_rsar_group_fn
			 * does per request, once. */
			buf = mikey_malloc(sizeof(*buf));
			if (buf == NULL)
				return MIKEY_ERR_NOMEM;
			rc = ex_offer_from_group(o, &eff, buf, NULL);
		} else {
			eff = *o;
		}
		if (rc == MIKEY_OK)
			rc = rsar_config_new(ctx, &eff, &c);
		mikey_free(buf);
		if (rc != MIKEY_OK)
			return rc;
	}
	rsar_config_free(ctx->rsar);
	ctx->rsar = c;
	ctx->rsar_free = rsar_config_free;
	return MIKEY_OK;
}

void mikey_ctx_set_rsar_group_fn(mikey_ctx *ctx, mikey_rsar_group_fn fn, void *user)
{
	if (ctx != NULL) {
		ctx->rsar_group_fn = fn;
		ctx->rsar_group_user = fn != NULL ? user : NULL;
	}
}

int rsar_config_new(mikey_ctx *ctx, const mikey_offer *o, struct ex_rsar_config **out)
{
	struct ex_rsar_config *c = NULL;
	int rc;

	*out = NULL;
	/* The same consistency rules as an initiator's offer. */
	if (o->n_cs > 255 || o->n_policies > 256 || (o->n_cs > 0 && o->cs == NULL) ||
	    (o->n_policies > 0 && o->policies == NULL))
		return MIKEY_ERR_ARG;
	for (size_t i = 0; i < o->n_cs; i++) {
		if (o->cs[i].policy_no >= o->n_policies)
			return MIKEY_ERR_ARG;
	}
	if (o->key_type != MIKEY_KEY_TGK && o->key_type != MIKEY_KEY_TGK_SALT && o->key_type != MIKEY_KEY_TEK &&
	    o->key_type != MIKEY_KEY_TEK_SALT)
		return MIKEY_ERR_ARG;
	bool salted = o->key_type == MIKEY_KEY_TGK_SALT || o->key_type == MIKEY_KEY_TEK_SALT;
	if ((o->key != NULL && (o->key_len == 0 || o->key_len > 64)) ||
	    (salted && o->salt != NULL && (o->salt_len == 0 || o->salt_len > 14)) || o->mki_len > 255 ||
	    (o->mki == NULL && o->mki_len > 0) || o->rand_len > 255)
		return MIKEY_ERR_ARG;
	if (o->sign_type != MIKEY_SIGN_RSA_PKCS1_15 && o->sign_type != MIKEY_SIGN_RSA_PSS)
		return MIKEY_ERR_ARG;
	if (o->pke_cache > MIKEY_PKE_CACHE_CSB)
		return MIKEY_ERR_ARG;
	if (kemac_check_algs(o->encr_alg, o->mac_alg, true, true, NULL) != MIKEY_OK)
		return MIKEY_ERR_ARG;
	if ((rc = check_policies(o)) != MIKEY_OK)
		return rc;

	c = mikey_malloc(sizeof(*c));
	if (c == NULL)
		return MIKEY_ERR_NOMEM;
	memset(c, 0, sizeof(*c));
	c->group = o->csb_id != 0;
	c->csb_id = o->csb_id;
	c->key_type = o->key_type;
	c->encr_alg = o->encr_alg;
	c->mac_alg = o->mac_alg;
	c->sign_type = o->sign_type;
	c->pke_cache = o->pke_cache;
	c->omit_certs = o->omit_certs;
	c->send_ids = o->send_ids;
	c->rand_len = o->rand_len ? o->rand_len : 16;
	c->tesla_time_sync = o->tesla_time_sync;
	if (o->tesla != NULL) {
		if (mikey_tesla_params_check(o->tesla) != MIKEY_OK) {
			rc = MIKEY_ERR_ARG;
			goto fail;
		}
		c->tesla = *o->tesla;
		c->has_tesla = true;
	}
	rc = MIKEY_ERR_NOMEM;
	if (o->cs_tesla != NULL) {
		/* One TESLA policy per sender (docs/interpretations.md §23). */
		if (o->n_cs == 0 || o->tesla != NULL) {
			rc = MIKEY_ERR_ARG;
			goto fail;
		}
		c->cs_tesla = mikey_malloc(o->n_cs * sizeof(*c->cs_tesla));
		if (c->cs_tesla == NULL)
			goto fail;
		memcpy(c->cs_tesla, o->cs_tesla, o->n_cs * sizeof(*c->cs_tesla));
	}
	if (o->n_policies > 0) {
		c->policies = mikey_malloc(o->n_policies * sizeof(*c->policies));
		if (c->policies == NULL)
			goto fail;
		memcpy(c->policies, o->policies, o->n_policies * sizeof(*c->policies));
		c->n_policies = o->n_policies;
	}
	if (o->n_cs > 0) {
		c->cs = mikey_malloc(o->n_cs * sizeof(*c->cs));
		if (c->cs == NULL)
			goto fail;
		memcpy(c->cs, o->cs, o->n_cs * sizeof(*c->cs));
		c->n_cs = o->n_cs;
	}
	c->mki_len = o->mki_len;
	if (o->mki_len > 0)
		memcpy(c->mki, o->mki, o->mki_len);

	/* Lengths for what we draw: the first policy's, else SRTP's default. */
	mikey_srtp_policy def;
	mikey_srtp_policy_default(&def);
	const mikey_srtp_policy *first = o->n_policies > 0 ? &o->policies[0] : &def;
	if (o->key != NULL || c->group) {
		c->key_len = o->key != NULL ? o->key_len : first->encr_key_len;
		c->key = mikey_malloc(c->key_len);
		if (c->key == NULL)
			goto fail;
		if (o->key != NULL)
			memcpy(c->key, o->key, c->key_len);
		else if ((rc = rng(ctx, c->key, c->key_len)) != MIKEY_OK)
			goto fail;
	}
	if (salted && (o->salt != NULL || c->group)) {
		c->have_salt = true;
		c->salt_len = o->salt != NULL ? o->salt_len : first->salt_key_len;
		if (c->salt_len == 0 || c->salt_len > sizeof(c->salt)) {
			rc = MIKEY_ERR_ARG;
			goto fail;
		}
		if (o->salt != NULL)
			memcpy(c->salt, o->salt, c->salt_len);
		else if ((rc = rng(ctx, c->salt, c->salt_len)) != MIKEY_OK)
			goto fail;
	}
	/* RFC 4738 §3.5: in group mode the Responder's RAND is the one used,
	 * given (a group generation's) or drawn now. */
	if (c->group && o->rand != NULL)
		memcpy(c->rand, o->rand, c->rand_len);
	else if (c->group && (rc = rng(ctx, c->rand, c->rand_len)) != MIKEY_OK)
		goto fail;
	*out = c;
	return MIKEY_OK;
fail:
	rsar_config_free(c);
	return rc;
}
