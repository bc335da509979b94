/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * store_sqlite.c - the SQLite back end (store_backend.h).
 *
 * WAL journal with synchronous=FULL: a committed generation survives a
 * SIGKILL and a power cut, and readers elsewhere (sqlite3 on the file) do
 * not block the key server. Every write is one BEGIN IMMEDIATE
 * transaction, so its checks and its insert see the same state even with
 * another process on the file. Statements are prepared once, after the
 * migrations, and every value is bound.
 */
#include "store_backend.h"
#include "store_schema.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#define BUSY_TIMEOUT_MS 5000

struct ks_backend {
	sqlite3 *db;
	char *path;
	int version;
	sqlite3_stmt *st[KS_SQL_N]; /* ks_sql's, prepared */
};

/* ---- errors and statements ---------------------------------------- */

/* "store PATH: WHAT: SQLite's message (its code)". Call before any
 * rollback, which replaces SQLite's message. */
G_GNUC_PRINTF(4, 5)
static bool db_fail(ks_backend *b, GError **err, KsStoreError code, const char *fmt, ...)
{
	va_list ap;
	char *what;

	va_start(ap, fmt);
	what = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error(err, KS_STORE_ERROR, code, "store %s: %s: %s (SQLite code %d)", b->path, what,
		b->db != NULL ? sqlite3_errmsg(b->db) : "out of memory",
		b->db != NULL ? sqlite3_extended_errcode(b->db) : SQLITE_NOMEM);
	g_free(what);
	return false;
}

/* Resets a statement after use: an unreset SELECT would keep its read
 * transaction open and stop WAL checkpoints. */
static void done(sqlite3_stmt *st)
{
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

static bool exec(ks_backend *b, const char *sql, KsStoreError code, const char *what, GError **err)
{
	if (sqlite3_exec(b->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(b, err, code, "%s", what);
	return true;
}

static void rollback(ks_backend *b)
{
	if (!sqlite3_get_autocommit(b->db))
		sqlite3_exec(b->db, "ROLLBACK", NULL, NULL, NULL);
}

/* IMMEDIATE takes the write lock first, so no one writes between our
 * checks and our insert (and SQLITE_BUSY comes here, under the timeout). */
static bool begin(ks_backend *b, KsStoreError code, const char *what, GError **err)
{
	return exec(b, "BEGIN IMMEDIATE", code, what, err);
}

/* Ends the transaction begun for |what|: commits when |ok|, else (or when
 * the commit fails, as |code|) rolls back. */
static bool finish(ks_backend *b, bool ok, KsStoreError code, const char *what, GError **err)
{
	if (ok && sqlite3_exec(b->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		db_fail(b, err, code, "%s: commit", what);
		ok = false;
	}
	if (!ok)
		rollback(b);
	return ok;
}

/* ---- open and migrate --------------------------------------------- */

/* SQLite gives its -wal and -shm files the database file's mode, so
 * making the file 0600 first keeps all three private. */
static bool precreate(ks_backend *b, GError **err)
{
	int fd = open(b->path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);

	if (fd < 0) {
		g_set_error(err, KS_STORE_ERROR, KS_STORE_ERR_OPEN, "store %s: cannot open or create: %s", b->path,
			g_strerror(errno));
		return false;
	}
	close(fd);
	return true;
}

/* Steps |st| to its one row and reads its first column. */
static bool step_int(sqlite3_stmt *st, sqlite3_int64 *out)
{
	if (sqlite3_step(st) != SQLITE_ROW)
		return false;
	*out = sqlite3_column_int64(st, 0);
	return true;
}

static bool query_int(ks_backend *b, const char *sql, sqlite3_int64 *out, GError **err)
{
	sqlite3_stmt *st = NULL;
	bool ok = sqlite3_prepare_v2(b->db, sql, -1, &st, NULL) == SQLITE_OK && step_int(st, out);

	if (!ok)
		db_fail(b, err, KS_STORE_ERR_OPEN, "%s", sql);
	sqlite3_finalize(st);
	return ok;
}

static bool set_pragmas(ks_backend *b, GError **err)
{
	sqlite3_stmt *st = NULL;
	const unsigned char *mode;
	bool ok = false;

	/* The first statement also tells a file that is no database. */
	if (sqlite3_prepare_v2(b->db, "PRAGMA journal_mode = WAL", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW) {
		db_fail(b, err, KS_STORE_ERR_OPEN, "cannot set the WAL journal");
		goto out;
	}
	mode = sqlite3_column_text(st, 0);
	if (mode == NULL || g_ascii_strcasecmp((const char *)mode, "wal") != 0) {
		g_set_error(err, KS_STORE_ERROR, KS_STORE_ERR_OPEN, "store %s: journal mode is %s, not WAL", b->path,
			mode != NULL ? (const char *)mode : "unknown");
		goto out;
	}
	ok = exec(b, "PRAGMA foreign_keys = ON", KS_STORE_ERR_OPEN, "cannot turn foreign keys on", err) &&
	     exec(b, "PRAGMA synchronous = FULL", KS_STORE_ERR_OPEN, "cannot set synchronous = FULL", err);
out:
	sqlite3_finalize(st);
	return ok;
}

static bool apply_migration(ks_backend *b, int version, GError **err)
{
	char *sql = ks_schema_migration(version, "BLOB");
	sqlite3_stmt *st = NULL;
	bool ok = false;

	if (sqlite3_exec(b->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		db_fail(b, err, KS_STORE_ERR_OPEN, "migration to schema version %d", version);
		goto out;
	}
	if (sqlite3_prepare_v2(b->db, "INSERT INTO schema_version (version, applied_at) VALUES (?1, ?2)", -1, &st,
		    NULL) != SQLITE_OK ||
	    sqlite3_bind_int(st, 1, version) != SQLITE_OK || sqlite3_bind_int64(st, 2, g_get_real_time()) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_DONE) {
		db_fail(b, err, KS_STORE_ERR_OPEN, "recording schema version %d", version);
		goto out;
	}
	ok = true;
out:
	sqlite3_finalize(st);
	g_free(sql);
	return ok;
}

/* All migrations in one transaction: a crash midway leaves the old
 * version, whole. */
static bool migrate(ks_backend *b, GError **err)
{
	sqlite3_int64 v = 0;
	bool ok = false;

	if (!begin(b, KS_STORE_ERR_OPEN, "cannot begin the schema migration", err))
		return false;
	if (!exec(b, ks_schema_version_table, KS_STORE_ERR_OPEN, "cannot create schema_version", err) ||
	    !query_int(b, "SELECT COALESCE(MAX(version), 0) FROM schema_version", &v, err))
		goto out;
	if (v > KS_STORE_SCHEMA_VERSION) {
		g_set_error(err, KS_STORE_ERROR, KS_STORE_ERR_OPEN,
			"store %s: schema version %lld is newer than this program's %d", b->path, (long long)v,
			KS_STORE_SCHEMA_VERSION);
		goto out;
	}
	for (int i = (int)v + 1; i <= KS_STORE_SCHEMA_VERSION; i++) {
		if (!apply_migration(b, i, err))
			goto out;
	}
	b->version = KS_STORE_SCHEMA_VERSION;
	ok = true;
out:
	return finish(b, ok, KS_STORE_ERR_OPEN, "schema migration", err);
}

static void sq_close(ks_backend *b)
{
	if (b == NULL)
		return;
	for (int i = 0; i < KS_SQL_N; i++)
		sqlite3_finalize(b->st[i]);
	/* The last connection's close checkpoints the WAL into the file. */
	sqlite3_close(b->db);
	g_free(b->path);
	g_free(b);
}

static bool sq_open(const char *location, const char *instance, ks_backend **out, GError **err)
{
	ks_backend *b = g_new0(ks_backend, 1);

	b->path = g_strdup(location);
	if (!precreate(b, err))
		goto fail;
	if (sqlite3_open_v2(b->path, &b->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_EXRESCODE,
		    NULL) != SQLITE_OK) {
		db_fail(b, err, KS_STORE_ERR_OPEN, "cannot open");
		goto fail;
	}
	sqlite3_busy_timeout(b->db, BUSY_TIMEOUT_MS);
	if (!set_pragmas(b, err) || !migrate(b, err))
		goto fail;
	for (int i = 0; i < KS_SQL_N; i++) {
		if (sqlite3_prepare_v3(b->db, ks_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &b->st[i], NULL) != SQLITE_OK) {
			db_fail(b, err, KS_STORE_ERR_OPEN, "cannot prepare \"%s\"", ks_sql[i]);
			goto fail;
		}
	}
	*out = b;
	return true;
fail:
	sq_close(b);
	return false;
}

static int sq_schema_version(ks_backend *b)
{
	return b->version;
}

/* ---- key check ---------------------------------------------------- */

static uint8_t *column_blob(sqlite3_stmt *st, int col, size_t *len)
{
	const void *p = sqlite3_column_blob(st, col);
	int n = sqlite3_column_bytes(st, col);
	uint8_t *copy = g_malloc(n > 0 ? (size_t)n : 1);

	if (p != NULL && n > 0)
		memcpy(copy, p, (size_t)n);
	*len = n > 0 ? (size_t)n : 0;
	return copy;
}

static bool sq_get_key_check(ks_backend *b, uint8_t **blob, size_t *len, GError **err)
{
	sqlite3_stmt *st = b->st[KS_SQL_CHECK_GET];
	int rc = sqlite3_step(st);
	bool ok = true;

	*blob = NULL;
	*len = 0;
	if (rc == SQLITE_ROW)
		*blob = column_blob(st, 0, len);
	else if (rc != SQLITE_DONE)
		ok = db_fail(b, err, KS_STORE_ERR_IO, "reading the master key check");
	done(st);
	return ok;
}

static bool sq_put_key_check(ks_backend *b, const uint8_t *blob, size_t len, GError **err)
{
	sqlite3_stmt *st = b->st[KS_SQL_CHECK_PUT];
	bool ok = true;

	if (sqlite3_bind_blob(st, 1, blob, (int)len, SQLITE_STATIC) != SQLITE_OK || sqlite3_step(st) != SQLITE_DONE)
		ok = db_fail(b, err, KS_STORE_ERR_IO, "writing the master key check");
	done(st);
	return ok;
}

/* ---- groups ------------------------------------------------------- */

/* Looks |group| up: *found false (and true returned) when absent. */
static bool find_group(ks_backend *b, const char *group, sqlite3_int64 *id, uint32_t *csb_id, bool *found,
	GError **err)
{
	sqlite3_stmt *st = b->st[KS_SQL_GROUP_GET];
	bool ok = true;
	int rc = SQLITE_ERROR;

	*found = false;
	if (sqlite3_bind_text(st, 1, group, -1, SQLITE_STATIC) == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*found = true;
		*id = sqlite3_column_int64(st, 0);
		if (csb_id != NULL)
			*csb_id = (uint32_t)sqlite3_column_int64(st, 1);
	} else if (rc != SQLITE_DONE) {
		ok = db_fail(b, err, KS_STORE_ERR_IO, "group %s: lookup", group);
	}
	done(st);
	return ok;
}

/* The id of |group|, KS_STORE_ERR_NOT_FOUND when there is none. */
static bool need_group(ks_backend *b, const char *group, sqlite3_int64 *id, GError **err)
{
	bool found;

	if (!find_group(b, group, id, NULL, &found, err))
		return false;
	if (!found) {
		return ks_fail_no_group(err, b->path, group);
	}
	return true;
}

/* Begins the write transaction |what| (which names the group and the
 * rest for messages) in |group|, whose id goes to *gid; leaves none open
 * when it fails. */
static bool begin_in_group(ks_backend *b, const char *group, const char *what, sqlite3_int64 *gid, GError **err)
{
	if (!begin(b, KS_STORE_ERR_IO, what, err))
		return false;
	if (need_group(b, group, gid, err))
		return true;
	rollback(b);
	return false;
}

static bool sq_ensure_group(ks_backend *b, const char *group, uint32_t csb_id, uint32_t *csb_id_out, GError **err)
{
	sqlite3_stmt *st = b->st[KS_SQL_GROUP_INSERT];
	char *what = g_strdup_printf("group %s: ensure", group);
	sqlite3_int64 id;
	uint32_t stored = csb_id;
	bool found, ok;

	if (!begin(b, KS_STORE_ERR_IO, what, err)) {
		g_free(what);
		return false;
	}
	ok = find_group(b, group, &id, &stored, &found, err);
	if (ok && !found &&
	    (sqlite3_bind_text(st, 1, group, -1, SQLITE_STATIC) != SQLITE_OK ||
		    sqlite3_bind_int64(st, 2, csb_id) != SQLITE_OK ||
		    sqlite3_bind_int64(st, 3, g_get_real_time()) != SQLITE_OK || sqlite3_step(st) != SQLITE_DONE))
		ok = db_fail(b, err, KS_STORE_ERR_IO, "%s: create", what);
	done(st);
	ok = finish(b, ok, KS_STORE_ERR_IO, what, err);
	if (ok && csb_id_out != NULL)
		*csb_id_out = stored;
	g_free(what);
	return ok;
}

static bool sq_list_groups(ks_backend *b, GPtrArray **out, GError **err)
{
	sqlite3_stmt *st = b->st[KS_SQL_GROUP_LIST];
	GPtrArray *a = g_ptr_array_new_with_free_func(g_free);
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		g_ptr_array_add(a, g_strdup((const char *)sqlite3_column_text(st, 0)));
	if (rc != SQLITE_DONE) {
		db_fail(b, err, KS_STORE_ERR_IO, "listing groups");
		g_ptr_array_unref(a);
		a = NULL;
	}
	done(st);
	*out = a;
	return a != NULL;
}

/* ---- generations -------------------------------------------------- */

/* A generation row (epoch, mki, secret, issued_at) into *out. */
static void read_generation(sqlite3_stmt *st, ks_wrapped_gen *out)
{
	int mki_len = sqlite3_column_bytes(st, 1);
	const void *mki = sqlite3_column_blob(st, 1);

	out->epoch = (uint32_t)sqlite3_column_int64(st, 0);
	/* The schema's CHECK keeps it 1..4 bytes; a file edited by hand need not. */
	out->mki_len = mki_len > 0 && mki_len <= KS_MKI_MAX ? (size_t)mki_len : 0;
	if (mki != NULL)
		memcpy(out->mki, mki, out->mki_len);
	out->blob = column_blob(st, 2, &out->blob_len);
	out->issued_at = sqlite3_column_int64(st, 3);
}

/* The group's highest-epoch row into *out (blob included); *found false
 * when it issued none. */
static bool top_generation(ks_backend *b, const char *group, sqlite3_int64 gid, ks_wrapped_gen *out, bool *found,
	GError **err)
{
	sqlite3_stmt *st = b->st[KS_SQL_GEN_TOP];
	int rc = SQLITE_ERROR;
	bool ok = true;

	*found = false;
	if (sqlite3_bind_int64(st, 1, gid) == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*found = true;
		read_generation(st, out);
	} else if (rc != SQLITE_DONE) {
		ok = db_fail(b, err, KS_STORE_ERR_IO, "group %s: reading its newest generation", group);
	}
	done(st);
	return ok;
}

/* Refuses (KS_STORE_ERR_REUSE) an epoch not above the group's highest
 * and an MKI it issued before, naming which. */
static bool check_reuse(ks_backend *b, const char *group, sqlite3_int64 gid, const ks_wrapped_gen *g, GError **err)
{
	sqlite3_stmt *st = b->st[KS_SQL_GEN_BY_MKI];
	ks_wrapped_gen top = {0};
	bool found, ok = false;
	int rc = SQLITE_ERROR;

	if (!top_generation(b, group, gid, &top, &found, err))
		goto out;
	if (found && g->epoch <= top.epoch) {
		ks_fail_epoch_reuse(err, b->path, group, g, top.epoch);
		goto out;
	}
	if (sqlite3_bind_int64(st, 1, gid) == SQLITE_OK &&
	    sqlite3_bind_blob(st, 2, g->mki, (int)g->mki_len, SQLITE_STATIC) == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		ks_fail_mki_reuse(err, b->path, group, g, sqlite3_column_int64(st, 0));
		goto out;
	}
	if (rc != SQLITE_DONE) {
		db_fail(b, err, KS_STORE_ERR_IO, "group %s: epoch %" G_GUINT32_FORMAT ": looking the MKI up", group,
			g->epoch);
		goto out;
	}
	ok = true;
out:
	done(st);
	g_free(top.blob);
	return ok;
}

static bool bind_generation(sqlite3_stmt *st, sqlite3_int64 gid, const ks_wrapped_gen *g)
{
	return sqlite3_bind_int64(st, 1, gid) == SQLITE_OK && sqlite3_bind_int64(st, 2, g->epoch) == SQLITE_OK &&
	       sqlite3_bind_blob(st, 3, g->mki, (int)g->mki_len, SQLITE_STATIC) == SQLITE_OK &&
	       sqlite3_bind_blob(st, 4, g->blob, (int)g->blob_len, SQLITE_STATIC) == SQLITE_OK &&
	       sqlite3_bind_int64(st, 5, g->issued_at) == SQLITE_OK;
}

static bool sq_issue_generation(ks_backend *b, const char *group, const ks_wrapped_gen *g, GError **err)
{
	sqlite3_stmt *st = b->st[KS_SQL_GEN_INSERT];
	char *what = g_strdup_printf("group %s: epoch %" G_GUINT32_FORMAT ": issue", group, g->epoch);
	sqlite3_int64 gid;
	bool ok = false;
	int rc;

	if (!begin_in_group(b, group, what, &gid, err))
		goto out;
	ok = check_reuse(b, group, gid, g, err);
	if (ok && (rc = bind_generation(st, gid, g) ? sqlite3_step(st) : SQLITE_ERROR) != SQLITE_DONE) {
		/* The UNIQUE constraints back the checks above up. */
		ok = db_fail(b, err, (rc & 0xff) == SQLITE_CONSTRAINT ? KS_STORE_ERR_REUSE : KS_STORE_ERR_IO, "%s",
			what);
	}
	done(st);
	ok = finish(b, ok, KS_STORE_ERR_IO, what, err);
out:
	g_free(what);
	return ok;
}

static bool sq_current_generation(ks_backend *b, const char *group, ks_wrapped_gen *out, GError **err)
{
	sqlite3_int64 gid;
	bool found;

	if (!need_group(b, group, &gid, err) || !top_generation(b, group, gid, out, &found, err))
		return false;
	if (!found) {
		return ks_fail_no_generation(err, b->path, group);
	}
	return true;
}

static bool sq_generation_count(ks_backend *b, const char *group, unsigned *out, GError **err)
{
	sqlite3_stmt *st = b->st[KS_SQL_GEN_COUNT];
	sqlite3_int64 gid, n = 0;
	bool ok;

	if (!need_group(b, group, &gid, err))
		return false;
	ok = sqlite3_bind_int64(st, 1, gid) == SQLITE_OK && step_int(st, &n);
	if (!ok)
		db_fail(b, err, KS_STORE_ERR_IO, "group %s: counting generations", group);
	done(st);
	if (ok)
		*out = (unsigned)n;
	return ok;
}

/* ---- members ------------------------------------------------------ */

/* Binds ?1 group id, ?2 member id, ?3 ssrc, ?4 roc, ?5 joined epoch,
 * ?6 attrs, ?7 now: the update and the insert take the same values. */
static bool bind_member(sqlite3_stmt *st, sqlite3_int64 gid, const ks_member_rec *m)
{
	return sqlite3_bind_int64(st, 1, gid) == SQLITE_OK &&
	       sqlite3_bind_text(st, 2, m->member_id, -1, SQLITE_STATIC) == SQLITE_OK &&
	       sqlite3_bind_int64(st, 3, m->ssrc) == SQLITE_OK && sqlite3_bind_int64(st, 4, m->roc) == SQLITE_OK &&
	       sqlite3_bind_int64(st, 5, m->joined_epoch) == SQLITE_OK &&
	       (m->attrs != NULL ? sqlite3_bind_text(st, 6, m->attrs, -1, SQLITE_STATIC) : sqlite3_bind_null(st, 6)) ==
		       SQLITE_OK &&
	       sqlite3_bind_int64(st, 7, g_get_real_time()) == SQLITE_OK;
}

/* Updates the member's current row in place (keeping its place in the
 * joining order), or appends a row after the group's last. */
static bool sq_put_member(ks_backend *b, const char *group, const ks_member_rec *m, GError **err)
{
	sqlite3_stmt *up = b->st[KS_SQL_MEMBER_UPDATE], *ins = b->st[KS_SQL_MEMBER_INSERT];
	char *what = g_strdup_printf("group %s: member %s: put", group, m->member_id);
	sqlite3_int64 gid;
	bool ok = false;

	if (!begin_in_group(b, group, what, &gid, err))
		goto out;
	ok = bind_member(up, gid, m) && sqlite3_step(up) == SQLITE_DONE &&
	     (sqlite3_changes(b->db) > 0 || (bind_member(ins, gid, m) && sqlite3_step(ins) == SQLITE_DONE));
	if (!ok)
		db_fail(b, err, KS_STORE_ERR_IO, "%s", what);
	done(up);
	done(ins);
	ok = finish(b, ok, KS_STORE_ERR_IO, what, err);
out:
	g_free(what);
	return ok;
}

static bool sq_remove_member(ks_backend *b, const char *group, const char *member_id, uint32_t epoch, GError **err)
{
	sqlite3_stmt *st = b->st[KS_SQL_MEMBER_REMOVE];
	char *what = g_strdup_printf("group %s: member %s: remove at epoch %" G_GUINT32_FORMAT, group, member_id, epoch);
	sqlite3_int64 gid;
	bool ok = false;

	if (!begin_in_group(b, group, what, &gid, err))
		goto out;
	ok = sqlite3_bind_int64(st, 1, gid) == SQLITE_OK &&
	     sqlite3_bind_text(st, 2, member_id, -1, SQLITE_STATIC) == SQLITE_OK &&
	     sqlite3_bind_int64(st, 3, epoch) == SQLITE_OK && sqlite3_bind_int64(st, 4, g_get_real_time()) == SQLITE_OK &&
	     sqlite3_step(st) == SQLITE_DONE;
	if (!ok)
		db_fail(b, err, KS_STORE_ERR_IO, "%s", what);
	else if (sqlite3_changes(b->db) == 0)
		ok = ks_fail_not_member(err, b->path, group, member_id);
	done(st);
	ok = finish(b, ok, KS_STORE_ERR_IO, what, err);
out:
	g_free(what);
	return ok;
}

static ks_member_rec *read_member(sqlite3_stmt *st)
{
	ks_member_rec *m = g_new0(ks_member_rec, 1);

	m->member_id = g_strdup((const char *)sqlite3_column_text(st, 0));
	m->ssrc = (uint32_t)sqlite3_column_int64(st, 1);
	m->roc = (uint32_t)sqlite3_column_int64(st, 2);
	m->joined_epoch = (uint32_t)sqlite3_column_int64(st, 3);
	m->attrs = g_strdup((const char *)sqlite3_column_text(st, 4));
	return m;
}

static bool sq_list_members(ks_backend *b, const char *group, GPtrArray **out, GError **err)
{
	sqlite3_stmt *st = b->st[KS_SQL_MEMBER_LIST];
	GPtrArray *a;
	sqlite3_int64 gid;
	int rc = SQLITE_ERROR;

	if (!need_group(b, group, &gid, err))
		return false;
	a = g_ptr_array_new_with_free_func((GDestroyNotify)ks_member_rec_free);
	if (sqlite3_bind_int64(st, 1, gid) == SQLITE_OK) {
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			g_ptr_array_add(a, read_member(st));
	}
	if (rc != SQLITE_DONE) {
		db_fail(b, err, KS_STORE_ERR_IO, "group %s: listing members", group);
		g_ptr_array_unref(a);
		a = NULL;
	}
	done(st);
	*out = a;
	return a != NULL;
}

static bool sq_list_generations(ks_backend *b, const char *group, GPtrArray **out, GError **err)
{
	sqlite3_stmt *st = b->st[KS_SQL_GEN_LIST];
	GPtrArray *a;
	sqlite3_int64 gid;
	int rc = SQLITE_ERROR;

	if (!need_group(b, group, &gid, err))
		return false;
	a = g_ptr_array_new_with_free_func((GDestroyNotify)ks_wrapped_gen_free);
	if (sqlite3_bind_int64(st, 1, gid) == SQLITE_OK) {
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			ks_wrapped_gen *w = g_new0(ks_wrapped_gen, 1);

			read_generation(st, w);
			g_ptr_array_add(a, w);
		}
	}
	if (rc != SQLITE_DONE) {
		db_fail(b, err, KS_STORE_ERR_IO, "group %s: listing generations", group);
		g_clear_pointer(&a, g_ptr_array_unref);
	}
	done(st);
	*out = a;
	return a != NULL;
}

/* ---- one key server per file: leases always granted, no notes ------ */

static bool sq_try_lease(ks_backend *b, const char *group, bool *held, GError **err)
{
	sqlite3_int64 gid;

	if (!need_group(b, group, &gid, err))
		return false;
	*held = true;
	return true;
}

static bool sq_release_lease(ks_backend *b, const char *group, GError **err)
{
	sqlite3_int64 gid;

	return need_group(b, group, &gid, err);
}

static bool sq_lease_holder(ks_backend *b, const char *group, char **holder, GError **err)
{
	sqlite3_int64 gid;

	*holder = NULL;
	return need_group(b, group, &gid, err);
}

static unsigned sq_connection_serial(ks_backend *b)
{
	return 1;
}

static int sq_listen_fd(ks_backend *b)
{
	return -1;
}

static bool sq_poll_notes(ks_backend *b, ks_store_note_fn cb, void *user_data, unsigned *skipped, GError **err)
{
	return true;
}

const ks_backend_ops ks_sqlite_ops = {
	.name = "sqlite",
	.open = sq_open,
	.close = sq_close,
	.schema_version = sq_schema_version,
	.get_key_check = sq_get_key_check,
	.put_key_check = sq_put_key_check,
	.ensure_group = sq_ensure_group,
	.list_groups = sq_list_groups,
	.issue_generation = sq_issue_generation,
	.current_generation = sq_current_generation,
	.generation_count = sq_generation_count,
	.put_member = sq_put_member,
	.remove_member = sq_remove_member,
	.list_members = sq_list_members,
	.list_generations = sq_list_generations,
	.try_lease = sq_try_lease,
	.release_lease = sq_release_lease,
	.lease_holder = sq_lease_holder,
	.connection_serial = sq_connection_serial,
	.listen_fd = sq_listen_fd,
	.poll_notes = sq_poll_notes,
};
