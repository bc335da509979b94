/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ks_generation.c - group key generations for the key server (RFC 3830
 * §4.5: rekeying keeps the CSB ID and draws a new TGK, RAND and MKI).
 */
#include "ks_generation.h"

#include <string.h>

#include <mikey/mem.h>
#include <mikey/rng.h>

#define KS_GEN_ERROR (ks_gen_error_quark())
static G_DEFINE_QUARK(ks-generation-error-quark, ks_gen_error)

#define RAND_LEN 16

static void mki_for(uint32_t epoch, uint8_t mki[KS_MKI_LEN])
{
	mki[0] = (uint8_t)(epoch >> 24);
	mki[1] = (uint8_t)(epoch >> 16);
	mki[2] = (uint8_t)(epoch >> 8);
	mki[3] = (uint8_t)epoch;
}

/* unpack: key_len(1) || key || rand_len(1) || rand. */
static bool unpack(const ks_generation *r, size_t want_key, const uint8_t **key, const uint8_t **rand,
                   size_t *rand_len)
{
	if (r->secret == NULL || r->secret_len < 2 || r->secret[0] != want_key || r->secret_len < 2u + want_key)
		return false;
	size_t rl = r->secret[1 + want_key];
	if (rl < 16 || r->secret_len != 2u + want_key + rl)
		return false;
	*key = r->secret + 1;
	*rand = r->secret + 2 + want_key;
	*rand_len = rl;
	return true;
}

bool ks_generation_make(const mikey_srtp_policy *policy, uint32_t csb_id, uint32_t epoch,
                        const mikey_group_sender *senders, size_t n_senders, const ks_generation *restore,
                        mikey_group_gen **out, ks_generation *record, GError **err)
{
	uint8_t drawn[32 + RAND_LEN];
	uint8_t mki[KS_MKI_LEN];
	const uint8_t *key = NULL, *rand = NULL;
	size_t key_len = policy->encr_key_len, rand_len = RAND_LEN;
	mikey_group_config c;
	mikey_error me;
	bool ok = false;

	*out = NULL;
	if (record != NULL)
		memset(record, 0, sizeof(*record));
	if (key_len == 0 || key_len > 32) {
		g_set_error(err, KS_GEN_ERROR, 0, "policy master key of %zu bytes", key_len);
		return false;
	}
	mki_for(epoch, mki);
	if (restore != NULL) {
		if (!unpack(restore, key_len, &key, &rand, &rand_len)) {
			g_set_error(err, KS_GEN_ERROR, 0, "stored generation %u does not fit the group's policy", epoch);
			return false;
		}
	} else {
		if (mikey_rng_bytes(NULL, drawn, key_len + RAND_LEN) != MIKEY_OK) {
			g_set_error(err, KS_GEN_ERROR, 0, "the random number generator failed");
			goto out;
		}
		key = drawn;
		rand = drawn + key_len;
	}
	mikey_group_config_init(&c);
	c.csb_id = csb_id;
	c.epoch = epoch;
	c.policies = policy;
	c.n_policies = 1;
	c.senders = senders;
	c.n_senders = n_senders;
	c.key_type = MIKEY_KEY_TGK;
	c.key_len = key_len;
	c.key = key;
	c.rand_len = rand_len;
	c.rand = rand;
	c.mki_len = KS_MKI_LEN;
	c.mki = mki;
	memset(&me, 0, sizeof(me));
	if (mikey_group_gen_new(&c, NULL, out, &me) != MIKEY_OK) {
		g_set_error(err, KS_GEN_ERROR, 0, "cannot make generation %u: %s", epoch, me.message);
		goto out;
	}
	if (record != NULL && restore == NULL) {
		record->epoch = epoch;
		memcpy(record->mki, mki, KS_MKI_LEN);
		record->mki_len = KS_MKI_LEN;
		record->secret_len = 2 + key_len + rand_len;
		record->secret = g_malloc(record->secret_len);
		record->secret[0] = (uint8_t)key_len;
		memcpy(record->secret + 1, key, key_len);
		record->secret[1 + key_len] = (uint8_t)rand_len;
		memcpy(record->secret + 2 + key_len, rand, rand_len);
		record->issued_at = g_get_real_time();
	}
	ok = true;
out:
	mikey_wipe(drawn, sizeof(drawn));
	return ok;
}

char *ks_mki_hex(const mikey_group_gen *g)
{
	size_t n = 0;
	const uint8_t *m = mikey_group_gen_get0_mki(g, &n);
	GString *s = g_string_new(NULL);
	for (size_t i = 0; m != NULL && i < n; i++)
		g_string_append_printf(s, "%02x", m[i]);
	return g_string_free(s, FALSE);
}
