/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * generation.c - group key generations (mikey/group.h): made from the RNG
 * or given values, the next one under the same CSB ID (RFC 3830 §4.5), and
 * every sender's crypto session derived exactly as members derive it
 * (kdf/session_keys.c, RFC 3830 §4.1.3).
 */
#include <string.h>

#include "base/internal.h"
#include "base/ssrc_table.h"
#include "group/generation.h"
#include "kdf/session_keys.h"
#include "mikey/mem.h"
#include "mikey/types.h"

void mikey_group_config_init(mikey_group_config *c)
{
	memset(c, 0, sizeof(*c));
	c->prf_func = MIKEY_PRF_MIKEY_1;
	c->key_type = MIKEY_KEY_TGK;
	c->rand_len = 16;
}

static bool key_type_has_salt(uint8_t t)
{
	return t == MIKEY_KEY_TGK_SALT || t == MIKEY_KEY_TEK_SALT;
}

/* The home slot among GROUP_INDEX_SLOTS (2^9): the SSRC hash of
 * base/ssrc_table.h, whose mixing spreads SSRCs chosen by hand too. */
static uint32_t slot_of(uint32_t ssrc)
{
	return (uint32_t)ssrc_table_home(ssrc, 32 - 9);
}

static size_t find_sender(const mikey_group_gen *g, uint32_t ssrc)
{
	for (uint32_t s = slot_of(ssrc), n = 0; n < GROUP_INDEX_SLOTS; s = (s + 1) % GROUP_INDEX_SLOTS, n++) {
		uint16_t v = g->index[s];
		if (v == 0)
			return SIZE_MAX;
		if (g->senders[v - 1].ssrc == ssrc)
			return v - 1u;
	}
	return SIZE_MAX;
}

static void index_sender(mikey_group_gen *g, size_t i)
{
	uint32_t s = slot_of(g->senders[i].ssrc);
	while (g->index[s] != 0)
		s = (s + 1) % GROUP_INDEX_SLOTS;
	g->index[s] = (uint16_t)(i + 1);
}

const mikey_srtp_policy *group_policy(const mikey_group_gen *g, uint8_t policy_no, mikey_srtp_policy *def)
{
	if (g->n_policies == 0) {
		/* RFC 3830 §6.10.1: no SP means SRTP's defaults. */
		if (policy_no != 0)
			return NULL;
		mikey_srtp_policy_default(def);
		return def;
	}
	return policy_no < g->n_policies ? &g->policies[policy_no] : NULL;
}

/* Check |s| against |g| (policies known, SSRC new, TESLA parameters
 * sound) and fill |out|. */
static int check_sender(const mikey_group_gen *g, const mikey_group_sender *s, group_sender *out, mikey_error *err)
{
	mikey_srtp_policy def;
	if (group_policy(g, s->policy_no, &def) == NULL)
		return mikey_fail(err, MIKEY_ERR_ARG, "sender 0x%08x names policy %u of %zu", s->ssrc, s->policy_no,
		               g->n_policies);
	if (find_sender(g, s->ssrc) != SIZE_MAX)
		return mikey_fail(err, MIKEY_ERR_ARG, "SSRC 0x%08x is already a sender of CSB 0x%08x", s->ssrc, g->csb_id);
	if (s->tesla != NULL && mikey_tesla_params_check(s->tesla) != MIKEY_OK)
		return mikey_fail(err, MIKEY_ERR_ARG, "sender 0x%08x: TESLA parameters do not check", s->ssrc);
	memset(out, 0, sizeof(*out));
	out->ssrc = s->ssrc;
	out->roc = s->roc;
	out->policy_no = s->policy_no;
	out->has_tesla = s->tesla != NULL;
	if (s->tesla != NULL)
		out->tesla = *s->tesla;
	return MIKEY_OK;
}

static int draw(const mikey_rng *rng, uint8_t *out, size_t len, mikey_error *err)
{
	if (len > 0 && mikey_rng_bytes(rng, out, len) != MIKEY_OK)
		return mikey_fail(err, MIKEY_ERR_CRYPTO, "the RNG failed");
	return MIKEY_OK;
}

/* A fresh key, salt and RAND for |g| (lengths already set), each given or
 * drawn. */
static int fill_keys(mikey_group_gen *g, const uint8_t *key, const uint8_t *salt, const uint8_t *rand,
                     const mikey_rng *rng, mikey_error *err)
{
	int rc;
	if (key != NULL)
		memcpy(g->key, key, g->key_len);
	else if ((rc = draw(rng, g->key, g->key_len, err)) != MIKEY_OK)
		return rc;
	if (salt != NULL)
		memcpy(g->salt, salt, g->salt_len);
	else if ((rc = draw(rng, g->salt, g->salt_len, err)) != MIKEY_OK)
		return rc;
	if (rand != NULL)
		memcpy(g->rand, rand, g->rand_len);
	else if ((rc = draw(rng, g->rand, g->rand_len, err)) != MIKEY_OK)
		return rc;
	return MIKEY_OK;
}

static mikey_group_gen *gen_alloc(size_t n_policies)
{
	mikey_group_gen *g = mikey_malloc(sizeof(*g));
	if (g == NULL)
		return NULL;
	memset(g, 0, sizeof(*g));
	if (n_policies > 0) {
		g->policies = mikey_malloc(n_policies * sizeof(*g->policies));
		if (g->policies == NULL) {
			mikey_free(g);
			return NULL;
		}
	}
	g->n_policies = n_policies;
	return g;
}

int mikey_group_gen_new(const mikey_group_config *c, const mikey_rng *rng, mikey_group_gen **out, mikey_error *err)
{
	mikey_group_gen *g = NULL;
	mikey_srtp_policy def;
	int rc;

	mikey_error_clear(err);
	if (out != NULL)
		*out = NULL;
	if (c == NULL || out == NULL)
		return mikey_fail(err, MIKEY_ERR_ARG, "NULL argument");
	if (c->n_policies > 256 || (c->n_policies > 0 && c->policies == NULL))
		return mikey_fail(err, MIKEY_ERR_ARG, "%zu policies (at most 256, and given)", c->n_policies);
	if (c->n_senders > MIKEY_GROUP_MAX_SENDERS || (c->n_senders > 0 && c->senders == NULL))
		return mikey_fail(err, MIKEY_ERR_ARG, "%zu senders (at most %d, and given)", c->n_senders,
		               MIKEY_GROUP_MAX_SENDERS);
	if (c->prf_func != MIKEY_PRF_MIKEY_1 && c->prf_func != MIKEY_PRF_HMAC_SHA_256)
		return mikey_fail(err, MIKEY_ERR_ARG, "PRF %u is not a MIKEY PRF", c->prf_func);
	if (c->key_type > MIKEY_KEY_TEK_SALT)
		return mikey_fail(err, MIKEY_ERR_ARG, "key type %u: a group generation carries a TGK or a TEK",
		               c->key_type);
	if (c->rand_len < 16 || c->rand_len > 255)
		return mikey_fail(err, MIKEY_ERR_ARG, "RAND of %zu bytes (16 to 255, RFC 3830 §6.11)", c->rand_len);
	if (c->mki_len > MIKEY_GROUP_MAX_MKI)
		return mikey_fail(err, MIKEY_ERR_ARG, "MKI of %zu bytes (0 to %d)", c->mki_len, MIKEY_GROUP_MAX_MKI);

	g = gen_alloc(c->n_policies);
	if (g == NULL)
		return mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
	if (c->n_policies > 0)
		memcpy(g->policies, c->policies, c->n_policies * sizeof(*g->policies));
	for (size_t i = 0; i < g->n_policies; i++) {
		if (g->policies[i].encr_key_len == 0 || g->policies[i].encr_key_len > 32 ||
		    g->policies[i].salt_key_len > 14) {
			rc = mikey_fail(err, MIKEY_ERR_POLICY, "policy %zu: a %u-byte key and a %u-byte salt", i,
			             g->policies[i].encr_key_len, g->policies[i].salt_key_len);
			goto fail;
		}
	}
	g->epoch = c->epoch;
	g->prf_func = c->prf_func;
	g->key_type = c->key_type;
	const mikey_srtp_policy *first = group_policy(g, 0, &def);
	g->key_len = c->key_len ? c->key_len : first->encr_key_len;
	if (g->key_len == 0 || g->key_len > sizeof(g->key)) {
		rc = mikey_fail(err, MIKEY_ERR_ARG, "key of %zu bytes (1 to 64)", g->key_len);
		goto fail;
	}
	if (key_type_has_salt(g->key_type)) {
		g->salt_len = c->salt_len ? c->salt_len : first->salt_key_len;
		if (g->salt_len == 0 || g->salt_len > sizeof(g->salt)) {
			rc = mikey_fail(err, MIKEY_ERR_ARG, "salt of %zu bytes (1 to 14)", g->salt_len);
			goto fail;
		}
	}
	g->rand_len = c->rand_len;
	g->mki_len = c->mki_len;
	if (c->mki != NULL)
		memcpy(g->mki, c->mki, c->mki_len);
	else if (c->mki_len > 0)
		g->mki[c->mki_len - 1] = 1; /* the first MKI: 0...01 */
	for (size_t i = 0; i < c->n_senders; i++) {
		if ((rc = check_sender(g, &c->senders[i], &g->senders[i], err)) != MIKEY_OK)
			goto fail;
		g->n_senders = i + 1;
		index_sender(g, i);
	}
	if ((rc = fill_keys(g, c->key, c->salt, c->rand, rng, err)) != MIKEY_OK)
		goto fail;
	if (c->csb_id != 0) {
		g->csb_id = c->csb_id;
	} else {
		uint8_t b[4];
		do {
			if ((rc = draw(rng, b, sizeof(b), err)) != MIKEY_OK)
				goto fail;
			g->csb_id = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
		} while (g->csb_id == 0);
	}
	*out = g;
	return MIKEY_OK;
fail:
	mikey_group_gen_free(g);
	return rc;
}

/* The MKI counter + 1, big-endian; false when it would wrap to a value
 * already issued under this CSB ID. */
static bool mki_increment(uint8_t *mki, size_t len)
{
	for (size_t i = len; i-- > 0;) {
		if (++mki[i] != 0)
			return true;
	}
	return false;
}

int mikey_group_gen_next(const mikey_group_gen *g, const mikey_rng *rng, mikey_group_gen **out, mikey_error *err)
{
	mikey_group_gen *n = NULL;
	int rc;

	mikey_error_clear(err);
	if (out != NULL)
		*out = NULL;
	if (g == NULL || out == NULL)
		return mikey_fail(err, MIKEY_ERR_ARG, "NULL argument");
	if (g->epoch == UINT32_MAX)
		return mikey_fail(err, MIKEY_ERR_STATE, "CSB 0x%08x: the epoch counter is exhausted", g->csb_id);
	n = gen_alloc(g->n_policies);
	if (n == NULL)
		return mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
	mikey_srtp_policy *policies = n->policies;
	memcpy(n, g, sizeof(*n));
	n->policies = policies;
	if (g->n_policies > 0)
		memcpy(n->policies, g->policies, g->n_policies * sizeof(*n->policies));
	n->epoch = g->epoch + 1;
	if (n->mki_len > 0 && !mki_increment(n->mki, n->mki_len)) {
		rc = mikey_fail(err, MIKEY_ERR_STATE, "CSB 0x%08x: every %zu-byte MKI has been issued", g->csb_id,
		             g->mki_len);
		goto fail;
	}
	if ((rc = fill_keys(n, NULL, NULL, NULL, rng, err)) != MIKEY_OK)
		goto fail;
	*out = n;
	return MIKEY_OK;
fail:
	mikey_group_gen_free(n);
	return rc;
}

void mikey_group_gen_free(mikey_group_gen *g)
{
	if (g == NULL)
		return;
	mikey_free(g->policies);
	mikey_wipe(g, sizeof(*g));
	mikey_free(g);
}

uint32_t mikey_group_gen_csb_id(const mikey_group_gen *g)
{
	return g->csb_id;
}

uint32_t mikey_group_gen_epoch(const mikey_group_gen *g)
{
	return g->epoch;
}

uint8_t mikey_group_gen_prf_func(const mikey_group_gen *g)
{
	return g->prf_func;
}

uint8_t mikey_group_gen_key_type(const mikey_group_gen *g)
{
	return g->key_type;
}

const uint8_t *mikey_group_gen_get0_mki(const mikey_group_gen *g, size_t *len)
{
	*len = g->mki_len;
	return g->mki_len > 0 ? g->mki : NULL;
}

const uint8_t *mikey_group_gen_get0_rand(const mikey_group_gen *g, size_t *len)
{
	*len = g->rand_len;
	return g->rand;
}

size_t mikey_group_gen_cs_count(const mikey_group_gen *g)
{
	return g != NULL ? g->n_senders : 0;
}

int mikey_group_gen_add_sender(mikey_group_gen *g, const mikey_group_sender *s, uint8_t *cs_id, mikey_error *err)
{
	mikey_error_clear(err);
	if (g == NULL || s == NULL)
		return mikey_fail(err, MIKEY_ERR_ARG, "NULL argument");
	if (g->n_senders >= MIKEY_GROUP_MAX_SENDERS)
		return mikey_fail(err, MIKEY_ERR_FIELD_RANGE, "CSB 0x%08x has %d senders already", g->csb_id,
		               MIKEY_GROUP_MAX_SENDERS);
	int rc = check_sender(g, s, &g->senders[g->n_senders], err);
	if (rc != MIKEY_OK)
		return rc;
	index_sender(g, g->n_senders);
	g->n_senders++;
	if (cs_id != NULL)
		*cs_id = (uint8_t)g->n_senders;
	return MIKEY_OK;
}

int mikey_group_gen_set_roc(mikey_group_gen *g, uint32_t ssrc, uint32_t roc)
{
	size_t i = g != NULL ? find_sender(g, ssrc) : SIZE_MAX;
	if (i == SIZE_MAX)
		return MIKEY_ERR_ARG;
	g->senders[i].roc = roc;
	return MIKEY_OK;
}

int mikey_group_gen_get_cs(const mikey_group_gen *g, size_t index, mikey_crypto_session *out, mikey_error *err)
{
	mikey_srtp_policy def;
	mikey_error_clear(err);
	if (g == NULL || out == NULL)
		return mikey_fail(err, MIKEY_ERR_ARG, "NULL argument");
	memset(out, 0, sizeof(*out));
	if (index >= g->n_senders)
		return mikey_fail(err, MIKEY_ERR_ARG, "crypto session %zu of %zu", index + 1, g->n_senders);
	const group_sender *s = &g->senders[index];
	const mikey_srtp_policy *pol = group_policy(g, s->policy_no, &def);
	out->cs_id = (uint8_t)(index + 1);
	out->ssrc = s->ssrc;
	out->roc = s->roc;
	out->policy_no = s->policy_no;
	out->policy = *pol;
	mikey_key_source src = {
		.prf_func = g->prf_func,
		.key_type = g->key_type,
		.key = g->key,
		.key_len = g->key_len,
		.salt = g->salt,
		.salt_len = g->salt_len,
		.rand = g->rand,
		.rand_len = g->rand_len,
		.csb_id = g->csb_id,
	};
	int rc = mikey_session_keys(&src, out->cs_id, s->policy_no, pol, out->master_key, sizeof(out->master_key),
	                            out->master_salt, sizeof(out->master_salt), err);
	if (rc != MIKEY_OK) {
		mikey_crypto_session_cleanup(out);
		return rc;
	}
	out->master_key_len = pol->encr_key_len;
	out->master_salt_len = pol->salt_key_len;
	out->mki_len = g->mki_len;
	memcpy(out->mki, g->mki, g->mki_len);
	out->has_tesla = s->has_tesla;
	if (s->has_tesla)
		out->tesla = s->tesla;
	return MIKEY_OK;
}

int mikey_group_gen_find_cs(const mikey_group_gen *g, uint32_t ssrc, mikey_crypto_session *out, mikey_error *err)
{
	mikey_error_clear(err);
	if (g == NULL || out == NULL)
		return mikey_fail(err, MIKEY_ERR_ARG, "NULL argument");
	size_t i = find_sender(g, ssrc);
	if (i == SIZE_MAX) {
		memset(out, 0, sizeof(*out));
		return mikey_fail(err, MIKEY_ERR_ARG, "SSRC 0x%08x is not a sender of CSB 0x%08x", ssrc, g->csb_id);
	}
	return mikey_group_gen_get_cs(g, i, out, err);
}
