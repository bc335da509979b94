/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * store.c - the public API of store.h: checks arguments, picks the back
 * end from the spec, and seals secrets before a back end sees them.
 *
 * Sealed form of a generation's secret (the `secret` column):
 *   RFC 5649 wrap under the master key of
 *   1 (format) || epoch (4, big-endian) || mki_len (1) || mki ||
 *   SHA-256(group name) (32) || secret
 * Unwrapping checks that header against the row it came from, so a blob
 * copied to another epoch, MKI or group is refused (KS_STORE_ERR_WRAP)
 * instead of handing out another generation's keys.
 */
#include "store_backend.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "keywrap.h"

#define SEAL_FORMAT 1
#define GROUP_HASH_LEN 32
#define SEAL_HEADER_MAX (1 + 4 + 1 + KS_MKI_MAX + GROUP_HASH_LEN)
#define SEAL_MAX (SEAL_HEADER_MAX + KS_SECRET_MAX)
#define WRAPPED_MAX KS_KEYWRAP_LEN(SEAL_MAX)

/* The key check's plaintext: any fixed value; wrapped, it tells whether
 * the store's key material was wrapped under this master key. */
static const uint8_t key_check_plain[] = "mikey key server store: master key check 1";

G_DEFINE_QUARK(ks-store-error-quark, ks_store_error)

struct ks_store {
	const ks_backend_ops *ops;
	ks_backend *be;
	char *where; /* the back end's location, for messages */
	uint8_t kek[KS_MASTER_KEY_LEN];
};

static const ks_backend_ops *const backends[] = {&ks_sqlite_ops, &ks_pg_ops};

#define DEFAULT_INSTANCE "mikey-sip-agent"

/* ---- arguments ---------------------------------------------------- */

static bool bad_arg(GError **err, const char *fn, const char *what)
{
	g_set_error(err, KS_STORE_ERROR, KS_STORE_ERR_ARG, "%s: %s", fn, what);
	return false;
}

/* Names are text in every back end: non-empty UTF-8. */
static bool check_text(GError **err, const char *fn, const char *what, const char *s)
{
	if (s == NULL || *s == '\0' || !g_utf8_validate(s, -1, NULL)) {
		g_set_error(err, KS_STORE_ERROR, KS_STORE_ERR_ARG, "%s: %s is NULL, empty or not UTF-8", fn, what);
		return false;
	}
	return true;
}

static bool check_call(GError **err, const char *fn, ks_store *s, const char *group)
{
	if (s == NULL)
		return bad_arg(err, fn, "store is NULL");
	return check_text(err, fn, "group", group);
}

/* "NAME:LOCATION" for a known back end; a bare path is SQLite's. An
 * unknown lower-case prefix is refused rather than taken for a file name. */
static bool parse_spec(const char *spec, const ks_backend_ops **ops, const char **location, GError **err)
{
	size_t n = strspn(spec, "abcdefghijklmnopqrstuvwxyz");

	*ops = &ks_sqlite_ops;
	*location = spec;
	if (n > 0 && spec[n] == ':') {
		*ops = NULL;
		for (size_t i = 0; i < G_N_ELEMENTS(backends); i++) {
			if (strlen(backends[i]->name) == n && strncmp(spec, backends[i]->name, n) == 0)
				*ops = backends[i];
		}
		if (*ops == NULL) {
			g_set_error(err, KS_STORE_ERROR, KS_STORE_ERR_ARG, "ks_store_open: %s: unknown store back end %.*s",
				spec, (int)n, spec);
			return false;
		}
		*location = spec + n + 1;
	}
	if (**location == '\0')
		return bad_arg(err, "ks_store_open", "the store location is empty");
	return true;
}

/* ---- refusals the back ends share ------------------------------------ */

bool ks_fail_no_group(GError **err, const char *where, const char *group)
{
	g_set_error(err, KS_STORE_ERROR, KS_STORE_ERR_NOT_FOUND, "store %s: no group %s", where, group);
	return false;
}

bool ks_fail_no_generation(GError **err, const char *where, const char *group)
{
	g_set_error(err, KS_STORE_ERROR, KS_STORE_ERR_NOT_FOUND, "store %s: group %s issued no generation", where, group);
	return false;
}

bool ks_fail_not_member(GError **err, const char *where, const char *group, const char *member_id)
{
	g_set_error(err, KS_STORE_ERROR, KS_STORE_ERR_NOT_FOUND, "store %s: group %s: %s is not a member", where, group,
		member_id);
	return false;
}

bool ks_fail_epoch_reuse(GError **err, const char *where, const char *group, const ks_wrapped_gen *g, uint32_t top)
{
	g_set_error(err, KS_STORE_ERROR, KS_STORE_ERR_REUSE,
		"store %s: group %s: epoch %" G_GUINT32_FORMAT " is not above epoch %" G_GUINT32_FORMAT " issued before",
		where, group, g->epoch, top);
	return false;
}

bool ks_fail_mki_reuse(GError **err, const char *where, const char *group, const ks_wrapped_gen *g, gint64 used_at)
{
	char hex[2 * KS_MKI_MAX + 1] = "";

	for (size_t i = 0; i < g->mki_len && i < KS_MKI_MAX; i++)
		g_snprintf(hex + 2 * i, 3, "%02x", g->mki[i]);
	g_set_error(err, KS_STORE_ERROR, KS_STORE_ERR_REUSE,
		"store %s: group %s: epoch %" G_GUINT32_FORMAT ": MKI %s was issued before, at epoch %" G_GINT64_FORMAT,
		where, group, g->epoch, hex, used_at);
	return false;
}

/* ---- sealing ------------------------------------------------------ */

static size_t seal_header(uint8_t *p, const char *group, uint32_t epoch, const uint8_t *mki, size_t mki_len)
{
	size_t n = 0;

	p[n++] = SEAL_FORMAT;
	p[n++] = (uint8_t)(epoch >> 24);
	p[n++] = (uint8_t)(epoch >> 16);
	p[n++] = (uint8_t)(epoch >> 8);
	p[n++] = (uint8_t)epoch;
	p[n++] = (uint8_t)mki_len;
	memcpy(p + n, mki, mki_len);
	n += mki_len;
	/* SHA-256 cannot fail on this input short of memory, which aborts. */
	EVP_Digest(group, strlen(group), p + n, NULL, EVP_sha256(), NULL);
	return n + GROUP_HASH_LEN;
}

static bool seal(ks_store *s, const char *group, const ks_generation *g, ks_wrapped_gen *w, GError **err)
{
	uint8_t plain[SEAL_MAX];
	size_t n = seal_header(plain, group, g->epoch, g->mki, g->mki_len);
	bool ok;

	memcpy(plain + n, g->secret, g->secret_len);
	n += g->secret_len;
	w->blob = g_malloc(KS_KEYWRAP_LEN(n));
	ok = ks_keywrap_wrap(s->kek, plain, n, w->blob, &w->blob_len);
	OPENSSL_cleanse(plain, sizeof(plain));
	if (!ok) {
		g_clear_pointer(&w->blob, g_free);
		g_set_error(err, KS_STORE_ERROR, KS_STORE_ERR_WRAP, "store %s: group %s: epoch %" G_GUINT32_FORMAT
			": wrapping the key material failed", s->where, group, g->epoch);
	}
	return ok;
}

/* Unwraps w's blob into g after checking it was sealed for this row. */
static bool unseal(ks_store *s, const char *group, const ks_wrapped_gen *w, ks_generation *g, GError **err)
{
	uint8_t plain[WRAPPED_MAX], want[SEAL_HEADER_MAX];
	size_t n = 0, hn = seal_header(want, group, w->epoch, w->mki, w->mki_len);
	const char *why = NULL;

	if (w->blob_len > sizeof(plain) || !ks_keywrap_unwrap(s->kek, w->blob, w->blob_len, plain, &n))
		why = "does not unwrap under this master key";
	else if (n <= hn || memcmp(plain, want, hn) != 0)
		why = "was sealed for another group, epoch or MKI (a blob moved between rows)";
	if (why != NULL) {
		g_set_error(err, KS_STORE_ERROR, KS_STORE_ERR_WRAP,
			"store %s: group %s: epoch %" G_GUINT32_FORMAT ": the key material %s", s->where, group, w->epoch,
			why);
		OPENSSL_cleanse(plain, sizeof(plain));
		return false;
	}
	g->epoch = w->epoch;
	memcpy(g->mki, w->mki, w->mki_len);
	g->mki_len = w->mki_len;
	g->secret_len = n - hn;
	g->secret = g_malloc(g->secret_len);
	memcpy(g->secret, plain + hn, g->secret_len);
	g->issued_at = w->issued_at;
	OPENSSL_cleanse(plain, sizeof(plain));
	return true;
}

/* The first open stores the key check; every later one compares, so a
 * store is never written under two master keys. */
static bool check_master_key(ks_store *s, GError **err)
{
	uint8_t want[KS_KEYWRAP_LEN(sizeof(key_check_plain))];
	uint8_t *got = NULL;
	size_t want_len = 0, got_len = 0;
	bool ok = false;

	if (!ks_keywrap_wrap(s->kek, key_check_plain, sizeof(key_check_plain), want, &want_len)) {
		g_set_error(err, KS_STORE_ERROR, KS_STORE_ERR_WRAP, "store %s: wrapping the key check failed", s->where);
		return false;
	}
	if (!s->ops->get_key_check(s->be, &got, &got_len, err))
		return false;
	if (got == NULL) {
		if (!s->ops->put_key_check(s->be, want, want_len, err) ||
		    !s->ops->get_key_check(s->be, &got, &got_len, err))
			goto out;
	}
	if (got == NULL || got_len != want_len || CRYPTO_memcmp(got, want, want_len) != 0) {
		g_set_error(err, KS_STORE_ERROR, KS_STORE_ERR_WRAP,
			"store %s: its key material was wrapped under another master key", s->where);
		goto out;
	}
	ok = true;
out:
	g_free(got);
	return ok;
}

/* ---- the API ------------------------------------------------------ */

bool ks_store_open(const char *spec, const uint8_t master_key[KS_MASTER_KEY_LEN], ks_store **out, GError **err)
{
	return ks_store_open_as(spec, NULL, master_key, out, err);
}

bool ks_store_open_as(const char *spec, const char *instance, const uint8_t master_key[KS_MASTER_KEY_LEN],
	ks_store **out, GError **err)
{
	const ks_backend_ops *ops;
	const char *location;
	ks_store *s;

	if (out != NULL)
		*out = NULL;
	if (spec == NULL || master_key == NULL || out == NULL)
		return bad_arg(err, "ks_store_open", "spec, master_key or out is NULL");
	if (instance == NULL)
		instance = DEFAULT_INSTANCE;
	else if (!check_text(err, "ks_store_open", "instance", instance))
		return false;
	if (!parse_spec(spec, &ops, &location, err))
		return false;
	s = g_new0(ks_store, 1);
	s->ops = ops;
	s->where = ops->redact != NULL ? ops->redact(location) : g_strdup(location);
	memcpy(s->kek, master_key, KS_MASTER_KEY_LEN);
	if (!ops->open(location, instance, &s->be, err) || !check_master_key(s, err)) {
		ks_store_close(s);
		return false;
	}
	*out = s;
	return true;
}

void ks_store_close(ks_store *s)
{
	if (s == NULL)
		return;
	if (s->be != NULL)
		s->ops->close(s->be);
	OPENSSL_cleanse(s->kek, sizeof(s->kek));
	g_free(s->where);
	g_free(s);
}

int ks_store_schema_version(ks_store *s)
{
	return s != NULL ? s->ops->schema_version(s->be) : -1;
}

bool ks_store_ensure_group(ks_store *s, const char *group, uint32_t csb_id, uint32_t *csb_id_out, GError **err)
{
	if (!check_call(err, "ks_store_ensure_group", s, group))
		return false;
	return s->ops->ensure_group(s->be, group, csb_id, csb_id_out, err);
}

bool ks_store_list_groups(ks_store *s, GPtrArray **out, GError **err)
{
	if (s == NULL || out == NULL)
		return bad_arg(err, "ks_store_list_groups", "store or out is NULL");
	return s->ops->list_groups(s->be, out, err);
}

void ks_generation_clear(ks_generation *g)
{
	if (g == NULL)
		return;
	if (g->secret != NULL) {
		OPENSSL_cleanse(g->secret, g->secret_len);
		g_free(g->secret);
	}
	OPENSSL_cleanse(g, sizeof(*g));
}

bool ks_store_issue_generation(ks_store *s, const char *group, const ks_generation *g, GError **err)
{
	const char *fn = "ks_store_issue_generation";
	ks_wrapped_gen w = {0};
	bool ok;

	if (!check_call(err, fn, s, group))
		return false;
	if (g == NULL)
		return bad_arg(err, fn, "generation is NULL");
	if (g->mki_len < 1 || g->mki_len > KS_MKI_MAX)
		return bad_arg(err, fn, "mki_len is not 1 to KS_MKI_MAX");
	if (g->secret == NULL || g->secret_len < 1 || g->secret_len > KS_SECRET_MAX)
		return bad_arg(err, fn, "secret is NULL or secret_len not 1 to KS_SECRET_MAX");
	w.epoch = g->epoch;
	memcpy(w.mki, g->mki, g->mki_len);
	w.mki_len = g->mki_len;
	w.issued_at = g->issued_at != 0 ? g->issued_at : g_get_real_time();
	if (!seal(s, group, g, &w, err))
		return false;
	ok = s->ops->issue_generation(s->be, group, &w, err);
	g_free(w.blob);
	return ok;
}

bool ks_store_current_generation(ks_store *s, const char *group, ks_generation *out, GError **err)
{
	ks_wrapped_gen w = {0};
	bool ok;

	if (out != NULL)
		memset(out, 0, sizeof(*out));
	if (!check_call(err, "ks_store_current_generation", s, group))
		return false;
	if (out == NULL)
		return bad_arg(err, "ks_store_current_generation", "out is NULL");
	ok = s->ops->current_generation(s->be, group, &w, err) && unseal(s, group, &w, out, err);
	g_free(w.blob);
	return ok;
}

bool ks_store_generation_count(ks_store *s, const char *group, unsigned *out, GError **err)
{
	if (!check_call(err, "ks_store_generation_count", s, group))
		return false;
	if (out == NULL)
		return bad_arg(err, "ks_store_generation_count", "out is NULL");
	return s->ops->generation_count(s->be, group, out, err);
}

void ks_member_rec_free(ks_member_rec *m)
{
	if (m == NULL)
		return;
	g_free(m->member_id);
	g_free(m->attrs);
	g_free(m);
}

bool ks_store_put_member(ks_store *s, const char *group, const ks_member_rec *m, GError **err)
{
	const char *fn = "ks_store_put_member";

	if (!check_call(err, fn, s, group))
		return false;
	if (m == NULL)
		return bad_arg(err, fn, "member is NULL");
	if (!check_text(err, fn, "member_id", m->member_id))
		return false;
	if (m->attrs != NULL && !g_utf8_validate(m->attrs, -1, NULL))
		return bad_arg(err, fn, "attrs is not UTF-8");
	return s->ops->put_member(s->be, group, m, err);
}

bool ks_store_remove_member(ks_store *s, const char *group, const char *member_id, uint32_t epoch, GError **err)
{
	if (!check_call(err, "ks_store_remove_member", s, group) ||
	    !check_text(err, "ks_store_remove_member", "member_id", member_id))
		return false;
	return s->ops->remove_member(s->be, group, member_id, epoch, err);
}

bool ks_store_list_members(ks_store *s, const char *group, GPtrArray **out, GError **err)
{
	if (!check_call(err, "ks_store_list_members", s, group))
		return false;
	if (out == NULL)
		return bad_arg(err, "ks_store_list_members", "out is NULL");
	return s->ops->list_members(s->be, group, out, err);
}

void ks_wrapped_gen_free(ks_wrapped_gen *w)
{
	if (w == NULL)
		return;
	g_free(w->blob);
	g_free(w);
}

void ks_generation_free(ks_generation *g)
{
	ks_generation_clear(g);
	g_free(g);
}

bool ks_store_list_generations(ks_store *s, const char *group, GPtrArray **out, GError **err)
{
	GPtrArray *wrapped = NULL, *a;

	if (out != NULL)
		*out = NULL;
	if (!check_call(err, "ks_store_list_generations", s, group))
		return false;
	if (out == NULL)
		return bad_arg(err, "ks_store_list_generations", "out is NULL");
	if (!s->ops->list_generations(s->be, group, &wrapped, err))
		return false;
	a = g_ptr_array_new_full(wrapped->len, (GDestroyNotify)ks_generation_free);
	for (guint i = 0; i < wrapped->len; i++) {
		ks_generation *g = g_new0(ks_generation, 1);

		g_ptr_array_add(a, g);
		if (!unseal(s, group, g_ptr_array_index(wrapped, i), g, err)) {
			g_clear_pointer(&a, g_ptr_array_unref);
			break;
		}
	}
	g_ptr_array_unref(wrapped);
	*out = a;
	return a != NULL;
}

/* ---- several key servers on one store ------------------------------- */

bool ks_store_try_lease(ks_store *s, const char *group, bool *held, GError **err)
{
	if (held != NULL)
		*held = false;
	if (!check_call(err, "ks_store_try_lease", s, group))
		return false;
	if (held == NULL)
		return bad_arg(err, "ks_store_try_lease", "held is NULL");
	return s->ops->try_lease(s->be, group, held, err);
}

bool ks_store_release_lease(ks_store *s, const char *group, GError **err)
{
	if (!check_call(err, "ks_store_release_lease", s, group))
		return false;
	return s->ops->release_lease(s->be, group, err);
}

bool ks_store_lease_holder(ks_store *s, const char *group, char **holder, GError **err)
{
	if (holder != NULL)
		*holder = NULL;
	if (!check_call(err, "ks_store_lease_holder", s, group))
		return false;
	if (holder == NULL)
		return bad_arg(err, "ks_store_lease_holder", "holder is NULL");
	return s->ops->lease_holder(s->be, group, holder, err);
}

unsigned ks_store_connection_serial(ks_store *s)
{
	return s != NULL ? s->ops->connection_serial(s->be) : 0;
}

int ks_store_listen_fd(ks_store *s)
{
	return s != NULL ? s->ops->listen_fd(s->be) : -1;
}

bool ks_store_poll_notes(ks_store *s, ks_store_note_fn cb, void *user_data, unsigned *skipped, GError **err)
{
	if (skipped != NULL)
		*skipped = 0;
	if (s == NULL || cb == NULL)
		return bad_arg(err, "ks_store_poll_notes", "store or callback is NULL");
	return s->ops->poll_notes(s->be, cb, user_data, skipped, err);
}
