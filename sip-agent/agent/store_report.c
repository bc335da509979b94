/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * store_report.c - the store's generations and members as JSON
 * (store_report.h).
 */
#include "store_report.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <mikey/mem.h>

#include "../store/store.h"
#include "key_fingerprint.h"
#include "summary_file.h"

/* The stored secret is key_len(1) || TGK || rand_len(1) || RAND
 * (ks_generation.h); a secret of another shape gets no fingerprint. */
static bool secret_fingerprint(const ks_generation *g, char fp[KS_KEY_FP_SIZE])
{
	const uint8_t *p = g->secret;
	size_t n = g->secret_len;

	if (n < 1 || (size_t)p[0] + 2 > n)
		return false;
	size_t key_len = p[0];
	size_t rand_len = p[1 + key_len];
	if (2 + key_len + rand_len != n)
		return false;
	return ks_key_fingerprint(p + 1, key_len, p + 2 + key_len, rand_len, fp);
}

static bool report_group(json_writer *j, ks_store *st, const agent_group_conf *gc, GError **err)
{
	GPtrArray *gens = NULL, *members = NULL;
	uint32_t csb = 0;
	bool ok = false;

	/* ensure_group with CSB ID 0 never creates: a group that was never
	 * keyed is reported with no generations. */
	if (!ks_store_list_generations(st, gc->name, &gens, err)) {
		if (!g_error_matches(*err, KS_STORE_ERROR, KS_STORE_ERR_NOT_FOUND))
			return false;
		g_clear_error(err);
		json_begin_object(j);
		json_kv_string(j, "name", gc->name);
		json_key(j, "generations");
		json_begin_array(j);
		json_end_array(j);
		json_end_object(j);
		return true;
	}
	if (!ks_store_ensure_group(st, gc->name, 1, &csb, err) || !ks_store_list_members(st, gc->name, &members, err))
		goto out;
	json_begin_object(j);
	json_kv_string(j, "name", gc->name);
	json_kv_uint(j, "csb_id", csb);
	json_key(j, "generations");
	json_begin_array(j);
	for (guint i = 0; i < gens->len; i++) {
		const ks_generation *g = g_ptr_array_index(gens, i);
		char fp[KS_KEY_FP_SIZE];
		json_begin_object(j);
		json_kv_uint(j, "epoch", g->epoch);
		json_kv_hex(j, "mki", g->mki, g->mki_len);
		json_kv_int(j, "issued_at_us", g->issued_at);
		if (secret_fingerprint(g, fp))
			json_kv_string(j, "fp", fp);
		json_end_object(j);
	}
	json_end_array(j);
	json_key(j, "members");
	json_begin_array(j);
	for (guint i = 0; i < members->len; i++) {
		const ks_member_rec *m = g_ptr_array_index(members, i);
		json_begin_object(j);
		json_kv_string(j, "id", m->member_id);
		json_kv_uint(j, "ssrc", m->ssrc);
		json_kv_uint(j, "joined_epoch", m->joined_epoch);
		json_end_object(j);
	}
	json_end_array(j);
	json_end_object(j);
	ok = true;
out:
	if (gens != NULL)
		g_ptr_array_free(gens, TRUE);
	if (members != NULL)
		g_ptr_array_free(members, TRUE);
	return ok;
}

bool store_report_write(const agent_config *c, const char *path, GError **err)
{
	uint8_t master[KS_MASTER_KEY_LEN];
	ks_store *st = NULL;
	summary s;
	bool ok = false;

	if (!ks_master_key_load(c->master_key_file, false, master, err))
		return false;
	if (!ks_store_open_as(c->store, "mikey-sip-agent store report", master, &st, err))
		goto out;
	json_writer *j = summary_open(&s);
	json_begin_object(j);
	json_key(j, "groups");
	json_begin_array(j);
	ok = true;
	for (guint i = 0; ok && i < c->groups->len; i++)
		ok = report_group(j, st, g_ptr_array_index(c->groups, i), err);
	json_end_array(j);
	json_end_object(j);
	summary_close(&s, ok ? path : NULL);
out:
	mikey_wipe(master, sizeof(master));
	ks_store_close(st);
	return ok;
}
