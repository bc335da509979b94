/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * store_backend.h - what a back end implements for store.c.
 *
 * store.c checks every argument, wraps secrets before they reach a back
 * end and unwraps what comes back, so a back end sees valid arguments and
 * opaque wrapped blobs only. A back end owns the SQL: it applies the
 * migrations of store_schema.h at open (in one transaction, recording
 * each in schema_version), binds every value as a parameter, and runs each
 * operation that writes in one transaction, leaving nothing changed when
 * it fails. Errors are GErrors in KS_STORE_ERROR whose message names the
 * store's location, the group and the epoch or member concerned, and the
 * database's own message.
 *
 * Back ends: store_sqlite.c (ks_sqlite_ops, "sqlite:PATH") and store_pg.c
 * (ks_pg_ops, "postgresql:CONNINFO"); the spec's part after "NAME:"
 * reaches open as its location. A back end that loses its database
 * fails with KS_STORE_ERR_UNAVAILABLE and reconnects on a later call.
 */
#ifndef KS_STORE_BACKEND_H
#define KS_STORE_BACKEND_H

#include "store.h"

/* A generation as a back end keeps it: |blob| is the wrapped secret
 * (store.c's format, see store.h). */
typedef struct ks_wrapped_gen {
	uint32_t epoch;
	uint8_t mki[KS_MKI_MAX];
	size_t mki_len;
	uint8_t *blob; /* g_free */
	size_t blob_len;
	gint64 issued_at;
} ks_wrapped_gen;

/* ks_wrapped_gen_free frees a heap ks_wrapped_gen and its blob (NULL ok):
 * the free function of list_generations' array. */
void ks_wrapped_gen_free(ks_wrapped_gen *w);

typedef struct ks_backend ks_backend; /* each back end's own handle */

/* The refusals every back end words alike (store.c): each sets *err in
 * KS_STORE_ERROR and returns false. |where| is the store as messages
 * name it. */
bool ks_fail_no_group(GError **err, const char *where, const char *group);
bool ks_fail_no_generation(GError **err, const char *where, const char *group);
bool ks_fail_not_member(GError **err, const char *where, const char *group, const char *member_id);
/* KS_STORE_ERR_REUSE: g's epoch not above |top|, or g's MKI issued at
 * epoch |used_at|. */
bool ks_fail_epoch_reuse(GError **err, const char *where, const char *group, const ks_wrapped_gen *g, uint32_t top);
bool ks_fail_mki_reuse(GError **err, const char *where, const char *group, const ks_wrapped_gen *g, gint64 used_at);

typedef struct ks_backend_ops {
	const char *name; /* the spec prefix before ':' */
	/* Connects as |instance| (never NULL) and migrates to
	 * KS_STORE_SCHEMA_VERSION; KS_STORE_ERR_OPEN on any failure,
	 * including a store at a newer version. */
	bool (*open)(const char *location, const char *instance, ks_backend **out, GError **err);
	void (*close)(ks_backend *b);
	/* How messages name |location| (g_free it): without secrets such as
	 * a password. NULL: the location as given. */
	char *(*redact)(const char *location);
	int (*schema_version)(ks_backend *b);

	/* The wrapped key check: *blob NULL when none was stored yet. put
	 * keeps an existing one (the caller reads back what won). */
	bool (*get_key_check)(ks_backend *b, uint8_t **blob, size_t *len, GError **err);
	bool (*put_key_check)(ks_backend *b, const uint8_t *blob, size_t len, GError **err);

	bool (*ensure_group)(ks_backend *b, const char *group, uint32_t csb_id, uint32_t *csb_id_out, GError **err);
	bool (*list_groups)(ks_backend *b, GPtrArray **out, GError **err);

	/* KS_STORE_ERR_NOT_FOUND for an unknown group; KS_STORE_ERR_REUSE
	 * (saying epoch or MKI) under store.h's rule, checked and inserted in
	 * one transaction. */
	bool (*issue_generation)(ks_backend *b, const char *group, const ks_wrapped_gen *g, GError **err);
	/* The highest epoch; KS_STORE_ERR_NOT_FOUND when none. */
	bool (*current_generation)(ks_backend *b, const char *group, ks_wrapped_gen *out, GError **err);
	bool (*generation_count)(ks_backend *b, const char *group, unsigned *out, GError **err);

	bool (*put_member)(ks_backend *b, const char *group, const ks_member_rec *m, GError **err);
	bool (*remove_member)(ks_backend *b, const char *group, const char *member_id, uint32_t epoch, GError **err);
	bool (*list_members)(ks_backend *b, const char *group, GPtrArray **out, GError **err);
	/* Every generation in epoch order: a GPtrArray of ks_wrapped_gen*
	 * freeing with ks_wrapped_gen_free. */
	bool (*list_generations)(ks_backend *b, const char *group, GPtrArray **out, GError **err);

	/* Leases and notifications, as store.h says; the group must exist
	 * (KS_STORE_ERR_NOT_FOUND). *holder is g_free'd by the caller. */
	bool (*try_lease)(ks_backend *b, const char *group, bool *held, GError **err);
	bool (*release_lease)(ks_backend *b, const char *group, GError **err);
	bool (*lease_holder)(ks_backend *b, const char *group, char **holder, GError **err);
	unsigned (*connection_serial)(ks_backend *b);
	int (*listen_fd)(ks_backend *b);
	bool (*poll_notes)(ks_backend *b, ks_store_note_fn cb, void *user_data, unsigned *skipped, GError **err);
} ks_backend_ops;

extern const ks_backend_ops ks_sqlite_ops;
extern const ks_backend_ops ks_pg_ops;

#endif
