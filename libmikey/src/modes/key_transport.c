/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * key_transport.c - the keys a KEMAC carries (RFC 3830 §6.2, §6.13): which
 * key an initiator sends (TGK or TEK, salt, MKI, and further keys with
 * their validity, §6.14), the Key data sub-payloads it writes and a
 * responder reads, and the pre-shared key that protects them (§3.1).
 */
#include <string.h>

#include "codec/codec.h"
#include "modes/exchange_state.h"
#include "mikey/mem.h"

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
	else if ((rc = ex_draw(ex, ex->key, key_len, err)) != MIKEY_OK)
		return rc;
	if (type_has_salt(ex->key_type)) {
		size_t salt_len = o->salt != NULL ? o->salt_len : pol->salt_key_len;
		if (salt_len == 0 || salt_len > sizeof(ex->salt))
			return mikey_fail(err, MIKEY_ERR_ARG, "offer: salt of %zu bytes (1 to 14)", salt_len);
		ex->salt_len = salt_len;
		if (o->salt != NULL)
			memcpy(ex->salt, o->salt, salt_len);
		else if ((rc = ex_draw(ex, ex->salt, salt_len, err)) != MIKEY_OK)
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

/* Check one Key data sub-payload and copy it into |k|. */
static int read_one_key(const mikey_key_data *kd, size_t nth, ex_key *k, mikey_error *err)
{
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
		if (mikey_kv_srtp_interval(&kd->kv, &k->valid_from, &k->valid_to) != MIKEY_OK)
			return mikey_fail(err, MIKEY_ERR_POLICY,
			                  "Key data %zu: KV interval: SRTP indices of at most 6 bytes, start <= end", nth);
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
