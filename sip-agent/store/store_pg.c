/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * store_pg.c - the PostgreSQL back end (store_backend.h),
 * "postgresql:CONNINFO": any number of key servers on one database.
 *
 * Every write is one READ COMMITTED transaction that first locks its
 * group's row (SELECT ... FOR UPDATE): key servers writing one group take
 * turns, and each statement after the lock sees what the previous holder
 * committed, so the reuse checks and the insert are atomic; the UNIQUE
 * constraints stay the last line. The same transaction sends a NOTIFY on
 * channel "mikey_ks" (delivered only if it commits). Leases are session
 * advisory locks, gone with the session. Values are always bound
 * (prepared statements, BYTEA in binary); results come back in binary.
 *
 * A lost connection fails the call with KS_STORE_ERR_UNAVAILABLE; a later
 * call reconnects (at most once a second), LISTENs again, prepares the
 * statements again and counts the connection (connection_serial).
 * docs/sip-agent-store.md has the notification payload's format.
 */
#include "store_backend.h"
#include "store_note.h"
#include "store_schema.h"

#include <stdarg.h>
#include <string.h>

#include <libpq-fe.h>

#define NOTE_CHANNEL "mikey_ks"
/* Advisory lock keys: (LEASE_CLASS, group id) for leases, one bigint for
 * migrations; "mks1" and "mikeyks1" in ASCII, unlikely to meet others'. */
#define LEASE_CLASS "1835758385"
#define MIGRATE_LOCK "7883959383657411377"
#define RECONNECT_US G_USEC_PER_SEC
#define MAX_PARAMS 8

/* Statements of this back end only, after store_schema.h's shared ones. */
enum {
	ST_GROUP_LOCK = KS_SQL_N,
	ST_NOTIFY,
	ST_LEASE_TRY,
	ST_LEASE_RELEASE,
	ST_LEASE_HOLDER,
	N_ST
};

/* This session's hold on lease $1 (a group id). */
#define LEASE_MINE                                                                                         \
	"EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()"            \
	" AND classid = " LEASE_CLASS "::oid AND objid = $1::integer::oid AND objsubid = 2 AND granted)"

static const char *const pg_sql[N_ST - KS_SQL_N] = {
	[ST_GROUP_LOCK - KS_SQL_N] = "SELECT id, csb_id FROM key_groups WHERE name = $1 FOR UPDATE",
	[ST_NOTIFY - KS_SQL_N] = "SELECT pg_notify('" NOTE_CHANNEL "', $1)",
	/* Advisory locks count: taking one held already would need two unlocks. */
	[ST_LEASE_TRY - KS_SQL_N] = "SELECT CASE WHEN " LEASE_MINE " THEN true"
			 " ELSE pg_try_advisory_lock(" LEASE_CLASS ", $1::integer) END",
	[ST_LEASE_RELEASE - KS_SQL_N] = "SELECT CASE WHEN " LEASE_MINE " THEN pg_advisory_unlock(" LEASE_CLASS ", $1::integer)"
			     " ELSE false END",
	[ST_LEASE_HOLDER - KS_SQL_N] = "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
			    " WHERE l.locktype = 'advisory' AND l.granted AND l.classid = " LEASE_CLASS "::oid"
			    " AND l.objid = $1::integer::oid AND l.objsubid = 2"
			    " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
			    " LIMIT 1",
};

struct ks_backend {
	PGconn *conn;
	char *conninfo; /* as given: it may hold a password, never printed */
	char *where;    /* conninfo without secrets, for messages */
	char *instance; /* application_name */
	int version;
	unsigned serial;   /* connections made */
	bool broken;       /* the server said the session is over */
	gint64 last_try;   /* monotonic time of the last reconnect attempt */
	char *last_error;  /* why the last (re)connect failed */
	char sqlstate[6];  /* of the last failed statement */
};

/* Values for one statement: numbers and text in text format (the server
 * parses them into the column's type), bytes in binary. */
typedef struct params {
	const char *val[MAX_PARAMS];
	int len[MAX_PARAMS];
	int fmt[MAX_PARAMS];
	char num[MAX_PARAMS][24];
	int n;
} params;

static void p_text(params *p, const char *s)
{
	p->val[p->n] = s;
	p->len[p->n] = 0;
	p->fmt[p->n++] = 0;
}

static void p_int(params *p, gint64 v)
{
	g_snprintf(p->num[p->n], sizeof(p->num[0]), "%" G_GINT64_FORMAT, v);
	p_text(p, p->num[p->n]);
}

static void p_bytes(params *p, const uint8_t *data, size_t len)
{
	p->val[p->n] = (const char *)data;
	p->len[p->n] = (int)len;
	p->fmt[p->n++] = 1;
}

/* ---- errors and connections ---------------------------------------- */

static bool connected(ks_backend *b)
{
	return b->conn != NULL && !b->broken && PQstatus(b->conn) == CONNECTION_OK;
}

/* SQLSTATE class 08 (connection exception) and 57P01-57P03 (shutdown,
 * crash, starting up): the session is gone, not the statement wrong. */
static bool session_over(const char *state)
{
	return state != NULL && (strncmp(state, "08", 2) == 0 || strcmp(state, "57P01") == 0 ||
					strcmp(state, "57P02") == 0 || strcmp(state, "57P03") == 0);
}

/* libpq's message without its trailing newline (g_free it). */
static char *server_message(ks_backend *b, const PGresult *r)
{
	const char *m = r != NULL ? PQresultErrorMessage(r) : "";

	if (*m == '\0')
		m = b->conn != NULL ? PQerrorMessage(b->conn) : "out of memory";
	return g_strchomp(g_strdup(*m != '\0' ? m : "no message"));
}

/* "store WHERE: WHAT: the server's message (SQLSTATE x)", as |code|, or
 * as KS_STORE_ERR_UNAVAILABLE when the connection went. */
G_GNUC_PRINTF(5, 6)
static bool pg_fail(ks_backend *b, const PGresult *r, GError **err, KsStoreError code, const char *fmt, ...)
{
	const char *state = r != NULL ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	char *what, *msg = server_message(b, r);
	va_list ap;

	va_start(ap, fmt);
	what = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_strlcpy(b->sqlstate, state != NULL ? state : "", sizeof(b->sqlstate));
	if (session_over(state))
		b->broken = true;
	if (!connected(b)) {
		g_set_error(err, KS_STORE_ERROR, KS_STORE_ERR_UNAVAILABLE, "store %s: %s: database unavailable: %s",
			b->where, what, msg);
	} else {
		g_set_error(err, KS_STORE_ERROR, code, "store %s: %s: %s (SQLSTATE %s)", b->where, what, msg,
			state != NULL ? state : "none");
	}
	g_free(msg);
	g_free(what);
	return false;
}

/* Runs |sql| (no values, no rows wanted). */
static bool exec(ks_backend *b, const char *sql, KsStoreError code, const char *what, GError **err)
{
	PGresult *r = PQexec(b->conn, sql);
	bool ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;

	if (!ok)
		pg_fail(b, r, err, code, "%s", what);
	PQclear(r);
	return ok;
}

/* Runs prepared statement |st|; the result (PQclear it), or NULL with
 * *err set naming |fmt|'s text. */
G_GNUC_PRINTF(5, 6)
static PGresult *run(ks_backend *b, int st, const params *p, GError **err, const char *fmt, ...)
{
	char name[16];
	PGresult *r;
	ExecStatusType t;
	va_list ap;
	char *what;

	g_snprintf(name, sizeof(name), "ks_%d", st);
	r = PQexecPrepared(b->conn, name, p != NULL ? p->n : 0, p != NULL ? p->val : NULL, p != NULL ? p->len : NULL,
		p != NULL ? p->fmt : NULL, 1);
	t = PQresultStatus(r);
	if (t == PGRES_TUPLES_OK || t == PGRES_COMMAND_OK)
		return r;
	va_start(ap, fmt);
	what = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	pg_fail(b, r, err, KS_STORE_ERR_IO, "%s", what);
	g_free(what);
	PQclear(r);
	return NULL;
}

/* Binary integers of any width (int2, int4, int8, bool), sign-extended. */
static gint64 col_int(const PGresult *r, int row, int col)
{
	const uint8_t *p = (const uint8_t *)PQgetvalue(r, row, col);
	int n = PQgetlength(r, row, col);
	guint64 v = 0;

	if (PQgetisnull(r, row, col) || n < 1 || n > 8)
		return 0;
	for (int i = 0; i < n; i++)
		v = v << 8 | p[i];
	if (n < 8 && (p[0] & 0x80) != 0)
		v |= ~(guint64)0 << (8 * n);
	return (gint64)v;
}

static char *col_text(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? NULL : g_strdup(PQgetvalue(r, row, col));
}

static uint8_t *col_bytes(const PGresult *r, int row, int col, size_t *len)
{
	int n = PQgetlength(r, row, col);

	*len = n > 0 ? (size_t)n : 0;
	return g_memdup2(PQgetvalue(r, row, col), n > 0 ? (size_t)n : 1);
}

static void quiet_notices(void *arg, const char *message)
{
	/* Notices (e.g. "relation already exists, skipping") are not errors. */
}

/* Statement |i|'s SQL (g_free): the shared ones with ?N made $N. */
static char *statement_sql(int i)
{
	char *sql;

	if (i >= KS_SQL_N)
		return g_strdup(pg_sql[i - KS_SQL_N]);
	sql = g_strdup(ks_sql[i]);
	for (char *c = sql; *c != '\0'; c++) {
		if (c[0] == '?' && g_ascii_isdigit(c[1]))
			*c = '$';
	}
	return sql;
}

/* What every new session needs: a bounded wait for row locks (a stuck
 * peer makes a call fail, not hang), LISTEN, the prepared statements. */
static bool session_setup(ks_backend *b, KsStoreError code, GError **err)
{
	PQsetNoticeProcessor(b->conn, quiet_notices, NULL);
	if (!exec(b, "SET lock_timeout = '5s'", code, "setting lock_timeout", err) ||
	    !exec(b, "LISTEN " NOTE_CHANNEL, code, "LISTEN " NOTE_CHANNEL, err))
		return false;
	for (int i = 0; i < N_ST; i++) {
		char name[16], *sql = statement_sql(i);
		PGresult *r;
		bool ok;

		g_snprintf(name, sizeof(name), "ks_%d", i);
		r = PQprepare(b->conn, name, sql, 0, NULL);
		ok = PQresultStatus(r) == PGRES_COMMAND_OK;
		if (!ok)
			pg_fail(b, r, err, code, "cannot prepare \"%s\"", sql);
		PQclear(r);
		g_free(sql);
		if (!ok)
			return false;
	}
	b->serial++;
	return true;
}

static void remember_failure(ks_backend *b)
{
	g_free(b->last_error);
	b->last_error = server_message(b, NULL);
}

/* Makes sure there is a session, reconnecting at most once a second;
 * KS_STORE_ERR_UNAVAILABLE when there is none. */
static bool need_conn(ks_backend *b, GError **err)
{
	gint64 now = g_get_monotonic_time();

	if (connected(b))
		return true;
	if (b->last_try != 0 && now - b->last_try < RECONNECT_US) {
		g_set_error(err, KS_STORE_ERROR, KS_STORE_ERR_UNAVAILABLE,
			"store %s: database unavailable (next reconnect within a second): %s", b->where,
			b->last_error != NULL ? b->last_error : "connection lost");
		return false;
	}
	b->last_try = now;
	b->broken = false;
	PQreset(b->conn);
	if (PQstatus(b->conn) != CONNECTION_OK) {
		remember_failure(b);
		g_set_error(err, KS_STORE_ERROR, KS_STORE_ERR_UNAVAILABLE, "store %s: database unavailable: %s",
			b->where, b->last_error);
		return false;
	}
	if (!session_setup(b, KS_STORE_ERR_UNAVAILABLE, err)) {
		b->broken = true;
		remember_failure(b);
		return false;
	}
	return true;
}

/* ---- transactions -------------------------------------------------- */

static void rollback(ks_backend *b)
{
	if (connected(b) && PQtransactionStatus(b->conn) != PQTRANS_IDLE)
		PQclear(PQexec(b->conn, "ROLLBACK"));
}

static bool begin(ks_backend *b, const char *what, GError **err)
{
	return need_conn(b, err) && exec(b, "BEGIN", KS_STORE_ERR_IO, what, err);
}

/* Ends the transaction begun for |what|: commits when |ok|, else (or when
 * the commit fails) rolls back. */
static bool finish(ks_backend *b, bool ok, const char *what, GError **err)
{
	if (ok && !exec(b, "COMMIT", KS_STORE_ERR_IO, what, err))
		ok = false;
	if (!ok)
		rollback(b);
	return ok;
}

/* ---- open and migrate ---------------------------------------------- */

static bool apply_migration(ks_backend *b, int version, GError **err)
{
	char *sql = ks_schema_migration(version, "BYTEA"), *what = NULL;
	params p = {0};
	PGresult *r = NULL;
	bool ok = false;

	what = g_strdup_printf("migration to schema version %d", version);
	if (!exec(b, sql, KS_STORE_ERR_OPEN, what, err))
		goto out;
	p_int(&p, version);
	p_int(&p, g_get_real_time());
	r = PQexecParams(b->conn, "INSERT INTO schema_version (version, applied_at) VALUES ($1, $2)", p.n, NULL, p.val,
		p.len, p.fmt, 1);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		pg_fail(b, r, err, KS_STORE_ERR_OPEN, "recording schema version %d", version);
		goto out;
	}
	ok = true;
out:
	PQclear(r);
	g_free(what);
	g_free(sql);
	return ok;
}

/* All migrations in one transaction, under a lock that makes a second
 * key server opening at the same time wait and then find them done. */
static bool migrate(ks_backend *b, GError **err)
{
	PGresult *r = NULL;
	gint64 v;
	bool ok = false;

	if (!exec(b, "BEGIN", KS_STORE_ERR_OPEN, "cannot begin the schema migration", err))
		return false;
	if (!exec(b, "SELECT pg_advisory_xact_lock(" MIGRATE_LOCK ")", KS_STORE_ERR_OPEN, "locking the schema", err) ||
	    !exec(b, ks_schema_version_table, KS_STORE_ERR_OPEN, "cannot create schema_version", err))
		goto out;
	r = PQexecParams(b->conn, "SELECT COALESCE(MAX(version), 0) FROM schema_version", 0, NULL, NULL, NULL, NULL, 1);
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
		pg_fail(b, r, err, KS_STORE_ERR_OPEN, "reading the schema version");
		goto out;
	}
	v = col_int(r, 0, 0);
	if (v > KS_STORE_SCHEMA_VERSION) {
		g_set_error(err, KS_STORE_ERROR, KS_STORE_ERR_OPEN,
			"store %s: schema version %" G_GINT64_FORMAT " is newer than this program's %d", b->where, v,
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
	PQclear(r);
	if (ok && !exec(b, "COMMIT", KS_STORE_ERR_OPEN, "schema migration: commit", err))
		ok = false;
	if (!ok)
		rollback(b);
	return ok;
}

/* Appends " key=value", quoting the value as conninfo strings do. */
static void append_option(GString *s, const char *key, const char *val)
{
	bool plain = *val != '\0' && strpbrk(val, " \t\n\r\f\v'\\") == NULL;

	g_string_append_printf(s, "%s%s=", s->len > 0 ? " " : "", key);
	if (plain) {
		g_string_append(s, val);
		return;
	}
	g_string_append_c(s, '\'');
	for (const char *c = val; *c != '\0'; c++) {
		if (*c == '\'' || *c == '\\')
			g_string_append_c(s, '\\');
		g_string_append_c(s, *c);
	}
	g_string_append_c(s, '\'');
}

/* The conninfo (key=value or URI) as key=value without the options libpq
 * marks secret (dispchar '*': password, sslpassword). */
static char *pg_redact(const char *location)
{
	char *msg = NULL;
	PQconninfoOption *opts = PQconninfoParse(location, &msg);
	GString *s;

	if (opts == NULL) {
		PQfreemem(msg);
		/* A bare database name; anything else we cannot parse is not shown. */
		if (strchr(location, '=') == NULL && strstr(location, "://") == NULL)
			return g_strdup_printf("dbname=%s", location);
		return g_strdup("(a conninfo libpq cannot parse)");
	}
	s = g_string_new(NULL);
	for (const PQconninfoOption *o = opts; o->keyword != NULL; o++) {
		if (o->val != NULL && *o->val != '\0' && strchr(o->dispchar, '*') == NULL)
			append_option(s, o->keyword, o->val);
	}
	PQconninfoFree(opts);
	return g_string_free(s, FALSE);
}

static void pg_close(ks_backend *b)
{
	if (b == NULL)
		return;
	/* Ending the session also drops its leases and its LISTEN. */
	PQfinish(b->conn);
	g_free(b->conninfo);
	g_free(b->where);
	g_free(b->instance);
	g_free(b->last_error);
	g_free(b);
}

static bool pg_open(const char *location, const char *instance, ks_backend **out, GError **err)
{
	ks_backend *b = g_new0(ks_backend, 1);
	/* Later keywords win over what the expanded conninfo says. */
	const char *const keys[] = {"dbname", "client_encoding", "application_name", NULL};
	const char *vals[] = {location, "UTF8", instance, NULL};

	b->conninfo = g_strdup(location);
	b->where = pg_redact(location);
	b->instance = g_strdup(instance);
	b->conn = PQconnectdbParams(keys, vals, 1);
	if (PQstatus(b->conn) != CONNECTION_OK) {
		char *msg = server_message(b, NULL);

		g_set_error(err, KS_STORE_ERROR, KS_STORE_ERR_OPEN, "store %s: cannot connect: %s", b->where, msg);
		g_free(msg);
		goto fail;
	}
	PQsetNoticeProcessor(b->conn, quiet_notices, NULL);
	if (!migrate(b, err) || !session_setup(b, KS_STORE_ERR_OPEN, err))
		goto fail;
	*out = b;
	return true;
fail:
	pg_close(b);
	return false;
}

static int pg_schema_version(ks_backend *b)
{
	return b->version;
}

/* ---- key check ----------------------------------------------------- */

static bool pg_get_key_check(ks_backend *b, uint8_t **blob, size_t *len, GError **err)
{
	PGresult *r;

	*blob = NULL;
	*len = 0;
	if (!need_conn(b, err) || (r = run(b, KS_SQL_CHECK_GET, NULL, err, "reading the master key check")) == NULL)
		return false;
	if (PQntuples(r) > 0)
		*blob = col_bytes(r, 0, 0, len);
	PQclear(r);
	return true;
}

static bool pg_put_key_check(ks_backend *b, const uint8_t *blob, size_t len, GError **err)
{
	params p = {0};
	PGresult *r;

	p_bytes(&p, blob, len);
	if (!need_conn(b, err) || (r = run(b, KS_SQL_CHECK_PUT, &p, err, "writing the master key check")) == NULL)
		return false;
	PQclear(r);
	return true;
}

/* ---- groups -------------------------------------------------------- */

/* Looks |group| up for |what| (a message's words for the operation, or
 * NULL), with |lock| locking its row until the transaction ends: *found
 * false (and true returned) when absent. */
static bool find_group(ks_backend *b, const char *group, const char *what, bool lock, gint64 *id, uint32_t *csb_id,
	bool *found, GError **err)
{
	params p = {0};
	PGresult *r;

	*found = false;
	p_text(&p, group);
	if (what != NULL)
		r = run(b, lock ? ST_GROUP_LOCK : KS_SQL_GROUP_GET, &p, err, "%s: %s the group", what,
			lock ? "locking" : "looking up");
	else
		r = run(b, KS_SQL_GROUP_GET, &p, err, "group %s: lookup", group);
	if (r == NULL)
		return false;
	if (PQntuples(r) > 0) {
		*found = true;
		*id = col_int(r, 0, 0);
		if (csb_id != NULL)
			*csb_id = (uint32_t)col_int(r, 0, 1);
	}
	PQclear(r);
	return true;
}

/* The id of |group|, KS_STORE_ERR_NOT_FOUND when there is none. */
static bool need_group(ks_backend *b, const char *group, const char *what, bool lock, gint64 *id, GError **err)
{
	bool found;

	if (!find_group(b, group, what, lock, id, NULL, &found, err))
		return false;
	if (!found) {
		return ks_fail_no_group(err, b->where, group);
	}
	return true;
}

/* Connects if needed and looks |group| up outside any transaction. */
static bool read_group(ks_backend *b, const char *group, gint64 *id, GError **err)
{
	return need_conn(b, err) && need_group(b, group, NULL, false, id, err);
}

/* Runs statement |st| with |group|'s id as $1 (outside any transaction):
 * the result, or NULL with *err set naming |what|. */
static PGresult *group_query(ks_backend *b, int st, const char *group, const char *what, GError **err)
{
	params p = {0};
	gint64 gid;

	if (!read_group(b, group, &gid, err))
		return NULL;
	p_int(&p, gid);
	return run(b, st, &p, err, "group %s: %s", group, what);
}

/* Begins the write transaction |what| in |group|, whose row it locks and
 * whose id goes to *gid; leaves none open when it fails. */
static bool begin_in_group(ks_backend *b, const char *group, const char *what, gint64 *gid, GError **err)
{
	if (!begin(b, what, err))
		return false;
	if (need_group(b, group, what, true, gid, err))
		return true;
	rollback(b);
	return false;
}

static bool pg_ensure_group(ks_backend *b, const char *group, uint32_t csb_id, uint32_t *csb_id_out, GError **err)
{
	char *what = g_strdup_printf("group %s: ensure", group);
	uint32_t stored = csb_id;
	params p = {0};
	PGresult *r = NULL;
	gint64 id;
	bool found = false, ok;

	if (!begin(b, what, err)) {
		g_free(what);
		return false;
	}
	ok = find_group(b, group, what, false, &id, &stored, &found, err);
	/* MAX(id) + 1 needs the creators to take turns; readers and the
	 * row locks of other writers go on. Then look again: another may
	 * have made it while we waited. */
	if (ok && !found)
		ok = exec(b, "LOCK TABLE key_groups IN SHARE ROW EXCLUSIVE MODE", KS_STORE_ERR_IO, what, err) &&
		     find_group(b, group, what, false, &id, &stored, &found, err);
	if (ok && !found) {
		p_text(&p, group);
		p_int(&p, csb_id);
		p_int(&p, g_get_real_time());
		r = run(b, KS_SQL_GROUP_INSERT, &p, err, "%s: create", what);
		ok = r != NULL;
	}
	PQclear(r);
	ok = finish(b, ok, what, err);
	if (ok && csb_id_out != NULL)
		*csb_id_out = stored;
	g_free(what);
	return ok;
}

static bool pg_list_groups(ks_backend *b, GPtrArray **out, GError **err)
{
	PGresult *r;

	*out = NULL;
	if (!need_conn(b, err) || (r = run(b, KS_SQL_GROUP_LIST, NULL, err, "listing groups")) == NULL)
		return false;
	*out = g_ptr_array_new_with_free_func(g_free);
	for (int i = 0; i < PQntuples(r); i++)
		g_ptr_array_add(*out, col_text(r, i, 0));
	PQclear(r);
	return true;
}

/* ---- notifications ------------------------------------------------- */

/* Sends the note (format in docs/sip-agent-store.md) inside the open
 * transaction: "1 KIND EPOCH " then origin, group and (JOIN, LEAVE)
 * member, each as LENGTH:BYTES, so any name round-trips. */
static bool notify(ks_backend *b, KsStoreNoteKind kind, uint32_t epoch, const char *group, const char *member,
	const char *what, GError **err)
{
	ks_store_note note = {.kind = kind, .group = group, .member = member, .epoch = epoch, .origin = b->instance};
	char *payload = ks_note_format(&note);
	params p = {0};
	PGresult *r = NULL;

	if (payload == NULL) {
		g_set_error(err, KS_STORE_ERROR, KS_STORE_ERR_ARG,
			"store %s: %s: names too long for a notification (PostgreSQL takes %d bytes)", b->where, what,
			KS_NOTE_MAX);
		return false;
	}
	p_text(&p, payload);
	r = run(b, ST_NOTIFY, &p, err, "%s: notify", what);
	g_free(payload);
	PQclear(r);
	return r != NULL;
}

static int pg_listen_fd(ks_backend *b)
{
	return connected(b) ? PQsocket(b->conn) : -1;
}

static bool pg_poll_notes(ks_backend *b, ks_store_note_fn cb, void *user_data, unsigned *skipped, GError **err)
{
	PGnotify *n;

	if (!need_conn(b, err))
		return false;
	if (!PQconsumeInput(b->conn) || PQstatus(b->conn) != CONNECTION_OK)
		return pg_fail(b, NULL, err, KS_STORE_ERR_UNAVAILABLE, "reading notifications");
	while ((n = PQnotifies(b->conn)) != NULL) {
		ks_store_note note = {0};
		char *f[3] = {NULL, NULL, NULL};

		/* Our own commits come back to us too. */
		if (n->be_pid != PQbackendPID(b->conn) && strcmp(n->relname, NOTE_CHANNEL) == 0) {
			if (ks_note_parse(n->extra, &note, f))
				cb(&note, user_data);
			else if (skipped != NULL)
				(*skipped)++;
		}
		for (int i = 0; i < 3; i++)
			g_free(f[i]);
		PQfreemem(n);
	}
	return true;
}

/* ---- generations --------------------------------------------------- */

/* Row |i| of (epoch, mki, secret, issued_at) into *out. */
static void read_generation(const PGresult *r, int i, ks_wrapped_gen *out)
{
	int mki_len = PQgetlength(r, i, 1);

	out->epoch = (uint32_t)col_int(r, i, 0);
	/* The schema's CHECK keeps it 1..4 bytes. */
	out->mki_len = mki_len > 0 && mki_len <= KS_MKI_MAX ? (size_t)mki_len : 0;
	memcpy(out->mki, PQgetvalue(r, i, 1), out->mki_len);
	out->blob = col_bytes(r, i, 2, &out->blob_len);
	out->issued_at = col_int(r, i, 3);
}

static bool top_generation(ks_backend *b, const char *group, gint64 gid, ks_wrapped_gen *out, bool *found,
	GError **err)
{
	params p = {0};
	PGresult *r;

	*found = false;
	p_int(&p, gid);
	r = run(b, KS_SQL_GEN_TOP, &p, err, "group %s: reading its newest generation", group);
	if (r == NULL)
		return false;
	if (PQntuples(r) > 0) {
		*found = true;
		read_generation(r, 0, out);
	}
	PQclear(r);
	return true;
}

/* Refuses (KS_STORE_ERR_REUSE) an epoch not above the group's highest
 * and an MKI it issued before, naming which. Runs under the group lock. */
static bool check_reuse(ks_backend *b, const char *group, gint64 gid, const ks_wrapped_gen *g, GError **err)
{
	ks_wrapped_gen top = {0};
	params p = {0};
	PGresult *r = NULL;
	bool found, ok = false;

	if (!top_generation(b, group, gid, &top, &found, err))
		goto out;
	if (found && g->epoch <= top.epoch) {
		ks_fail_epoch_reuse(err, b->where, group, g, top.epoch);
		goto out;
	}
	p_int(&p, gid);
	p_bytes(&p, g->mki, g->mki_len);
	r = run(b, KS_SQL_GEN_BY_MKI, &p, err, "group %s: epoch %" G_GUINT32_FORMAT ": looking the MKI up", group, g->epoch);
	if (r == NULL)
		goto out;
	if (PQntuples(r) > 0) {
		ks_fail_mki_reuse(err, b->where, group, g, col_int(r, 0, 0));
		goto out;
	}
	ok = true;
out:
	PQclear(r);
	g_free(top.blob);
	return ok;
}

static bool pg_issue_generation(ks_backend *b, const char *group, const ks_wrapped_gen *g, GError **err)
{
	char *what = g_strdup_printf("group %s: epoch %" G_GUINT32_FORMAT ": issue", group, g->epoch);
	params p = {0};
	PGresult *r = NULL;
	GError *e = NULL;
	gint64 gid;
	bool ok = false;

	if (!begin_in_group(b, group, what, &gid, &e))
		goto out;
	ok = check_reuse(b, group, gid, g, &e);
	if (ok) {
		p_int(&p, gid);
		p_int(&p, g->epoch);
		p_bytes(&p, g->mki, g->mki_len);
		p_bytes(&p, g->blob, g->blob_len);
		p_int(&p, g->issued_at);
		r = run(b, KS_SQL_GEN_INSERT, &p, &e, "%s", what);
		/* The UNIQUE constraints back the checks above up. */
		if (r == NULL && e->code == KS_STORE_ERR_IO && strcmp(b->sqlstate, "23505") == 0)
			e->code = KS_STORE_ERR_REUSE;
		ok = r != NULL && notify(b, KS_NOTE_GENERATION, g->epoch, group, NULL, what, &e);
	}
	ok = finish(b, ok, what, &e);
out:
	if (e != NULL)
		g_propagate_error(err, e);
	PQclear(r);
	g_free(what);
	return ok;
}

static bool pg_current_generation(ks_backend *b, const char *group, ks_wrapped_gen *out, GError **err)
{
	gint64 gid;
	bool found;

	if (!read_group(b, group, &gid, err) || !top_generation(b, group, gid, out, &found, err))
		return false;
	if (!found) {
		return ks_fail_no_generation(err, b->where, group);
	}
	return true;
}

static bool pg_generation_count(ks_backend *b, const char *group, unsigned *out, GError **err)
{
	PGresult *r = group_query(b, KS_SQL_GEN_COUNT, group, "counting generations", err);

	if (r == NULL)
		return false;
	*out = (unsigned)col_int(r, 0, 0);
	PQclear(r);
	return true;
}

static bool pg_list_generations(ks_backend *b, const char *group, GPtrArray **out, GError **err)
{
	PGresult *r = group_query(b, KS_SQL_GEN_LIST, group, "listing generations", err);

	*out = NULL;
	if (r == NULL)
		return false;
	*out = g_ptr_array_new_with_free_func((GDestroyNotify)ks_wrapped_gen_free);
	for (int i = 0; i < PQntuples(r); i++) {
		ks_wrapped_gen *w = g_new0(ks_wrapped_gen, 1);

		read_generation(r, i, w);
		g_ptr_array_add(*out, w);
	}
	PQclear(r);
	return true;
}

/* ---- members ------------------------------------------------------- */

/* $1 group id, $2 member id, $3 ssrc, $4 roc, $5 joined epoch, $6 attrs,
 * $7 now: the update and the insert take the same values. */
static void member_params(params *p, gint64 gid, const ks_member_rec *m)
{
	p_int(p, gid);
	p_text(p, m->member_id);
	p_int(p, m->ssrc);
	p_int(p, m->roc);
	p_int(p, m->joined_epoch);
	p_text(p, m->attrs); /* NULL binds SQL NULL */
	p_int(p, g_get_real_time());
}

/* Whether the UPDATE or INSERT in |r| changed a row. */
static bool changed_rows(PGresult *r)
{
	return strcmp(PQcmdTuples(r), "0") != 0;
}

static bool pg_put_member(ks_backend *b, const char *group, const ks_member_rec *m, GError **err)
{
	char *what = g_strdup_printf("group %s: member %s: put", group, m->member_id);
	params p = {0};
	PGresult *up = NULL, *ins = NULL;
	gint64 gid;
	bool ok = false;

	if (!begin_in_group(b, group, what, &gid, err))
		goto out;
	member_params(&p, gid, m);
	ok = (up = run(b, KS_SQL_MEMBER_UPDATE, &p, err, "%s", what)) != NULL &&
	     (changed_rows(up) || (ins = run(b, KS_SQL_MEMBER_INSERT, &p, err, "%s", what)) != NULL) &&
	     notify(b, KS_NOTE_JOIN, m->joined_epoch, group, m->member_id, what, err);
	ok = finish(b, ok, what, err);
out:
	PQclear(ins);
	PQclear(up);
	g_free(what);
	return ok;
}

static bool pg_remove_member(ks_backend *b, const char *group, const char *member_id, uint32_t epoch, GError **err)
{
	char *what = g_strdup_printf("group %s: member %s: remove at epoch %" G_GUINT32_FORMAT, group, member_id, epoch);
	params p = {0};
	PGresult *r = NULL;
	gint64 gid;
	bool ok = false;

	if (!begin_in_group(b, group, what, &gid, err))
		goto out;
	p_int(&p, gid);
	p_text(&p, member_id);
	p_int(&p, epoch);
	p_int(&p, g_get_real_time());
	r = run(b, KS_SQL_MEMBER_REMOVE, &p, err, "%s", what);
	ok = r != NULL;
	if (ok && !changed_rows(r)) {
		ok = ks_fail_not_member(err, b->where, group, member_id);
	}
	ok = ok && notify(b, KS_NOTE_LEAVE, epoch, group, member_id, what, err);
	ok = finish(b, ok, what, err);
out:
	PQclear(r);
	g_free(what);
	return ok;
}

static bool pg_list_members(ks_backend *b, const char *group, GPtrArray **out, GError **err)
{
	PGresult *r = group_query(b, KS_SQL_MEMBER_LIST, group, "listing members", err);

	*out = NULL;
	if (r == NULL)
		return false;
	*out = g_ptr_array_new_with_free_func((GDestroyNotify)ks_member_rec_free);
	for (int i = 0; i < PQntuples(r); i++) {
		ks_member_rec *m = g_new0(ks_member_rec, 1);

		m->member_id = col_text(r, i, 0);
		m->ssrc = (uint32_t)col_int(r, i, 1);
		m->roc = (uint32_t)col_int(r, i, 2);
		m->joined_epoch = (uint32_t)col_int(r, i, 3);
		m->attrs = col_text(r, i, 4);
		g_ptr_array_add(*out, m);
	}
	PQclear(r);
	return true;
}

/* ---- leases -------------------------------------------------------- */

static bool pg_try_lease(ks_backend *b, const char *group, bool *held, GError **err)
{
	PGresult *r = group_query(b, ST_LEASE_TRY, group, "taking the lease", err);

	if (r == NULL)
		return false;
	*held = PQntuples(r) == 1 && col_int(r, 0, 0) != 0;
	PQclear(r);
	return true;
}

static bool pg_release_lease(ks_backend *b, const char *group, GError **err)
{
	PGresult *r = group_query(b, ST_LEASE_RELEASE, group, "releasing the lease", err);

	PQclear(r);
	return r != NULL;
}

static bool pg_lease_holder(ks_backend *b, const char *group, char **holder, GError **err)
{
	PGresult *r = group_query(b, ST_LEASE_HOLDER, group, "looking the lease holder up", err);

	*holder = NULL;
	if (r == NULL)
		return false;
	if (PQntuples(r) > 0)
		*holder = col_text(r, 0, 0);
	PQclear(r);
	return true;
}

static unsigned pg_connection_serial(ks_backend *b)
{
	return b->serial;
}

const ks_backend_ops ks_pg_ops = {
	.name = "postgresql",
	.open = pg_open,
	.close = pg_close,
	.redact = pg_redact,
	.schema_version = pg_schema_version,
	.get_key_check = pg_get_key_check,
	.put_key_check = pg_put_key_check,
	.ensure_group = pg_ensure_group,
	.list_groups = pg_list_groups,
	.issue_generation = pg_issue_generation,
	.current_generation = pg_current_generation,
	.generation_count = pg_generation_count,
	.put_member = pg_put_member,
	.remove_member = pg_remove_member,
	.list_members = pg_list_members,
	.list_generations = pg_list_generations,
	.try_lease = pg_try_lease,
	.release_lease = pg_release_lease,
	.lease_holder = pg_lease_holder,
	.connection_serial = pg_connection_serial,
	.listen_fd = pg_listen_fd,
	.poll_notes = pg_poll_notes,
};
