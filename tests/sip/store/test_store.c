/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The key server's store (sip-agent/store/store.h): the schema and its
 * migrations, everything surviving a close and a SIGKILL, the reuse rule,
 * secrets wrapped and bound to their row, members, the master key file,
 * argument and open errors; several stores on one database (leases,
 * notifications, concurrent writers, the database going away).
 *
 * One binary, two back ends: SQLite (a file in each test's temporary
 * directory) by default; PostgreSQL when KS_TEST_PG holds a conninfo
 * (tests/sip/pgcluster.py run sets it), each test in a database of its
 * own. KS_TEST_PG_CTL, a command taking "stop" or "start", lets the
 * outage test stop and restart the server, so the PostgreSQL run goes
 * one test at a time (-j1). Tests about the file run on SQLite only.
 */
#include <criterion/criterion.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <openssl/evp.h>
#include <sqlite3.h>

#include "keywrap.h"
#include "store.h"
#include "store_schema.h"

#define GROUP_A "sip:conf-a@example.org"
#define GROUP_B "sip:conf-b@example.org"

static char *dir;
static char *db;      /* the SQLite file */
static char *spec;    /* the store's spec: db, or postgresql:CONNINFO */
static char *where;   /* what store messages name: db, or dbname=... */
static bool pg;       /* PostgreSQL: KS_TEST_PG names the server */
static char *pg_base; /* its conninfo, to which a test appends its dbname */
static char *pg_db;   /* the test's database */
static const uint8_t key_a[KS_MASTER_KEY_LEN] = {
	0x10, 0x21, 0x32, 0x43, 0x54, 0x65, 0x76, 0x87, 0x98, 0xa9, 0xba, 0xcb, 0xdc, 0xed, 0xfe, 0x0f,
	0x1f, 0x2e, 0x3d, 0x4c, 0x5b, 0x6a, 0x79, 0x88, 0x97, 0xa6, 0xb5, 0xc4, 0xd3, 0xe2, 0xf1, 0x00,
};
static uint8_t key_b[KS_MASTER_KEY_LEN];

/* Runs |sql| on the cluster's own database (CREATE / DROP DATABASE). */
static void pg_admin(const char *sql)
{
	PGconn *c = PQconnectdb(pg_base);
	PGresult *r;

	cr_assert_eq(PQstatus(c), CONNECTION_OK, "connect %s: %s", pg_base, PQerrorMessage(c));
	r = PQexec(c, sql);
	cr_assert_eq(PQresultStatus(r), PGRES_COMMAND_OK, "%s: %s", sql, PQerrorMessage(c));
	PQclear(r);
	PQfinish(c);
}

static void setup(void)
{
	GError *e = NULL;
	const char *base = g_getenv("KS_TEST_PG");

	dir = g_dir_make_tmp("ks-store-XXXXXX", &e);
	cr_assert_not_null(dir, "g_dir_make_tmp: %s", e != NULL ? e->message : "?");
	db = g_build_filename(dir, "ks.db", NULL);
	memcpy(key_b, key_a, sizeof(key_b));
	key_b[0] ^= 1;
	pg = base != NULL && *base != '\0';
	if (!pg) {
		spec = g_strdup(db);
		where = g_strdup(db);
		return;
	}
	/* Criterion runs each test in a process of its own. */
	pg_base = g_strdup(base);
	pg_db = g_strdup_printf("ks_t_%d", (int)getpid());
	spec = g_strdup_printf("postgresql:%s dbname=%s", pg_base, pg_db);
	where = g_strdup_printf("dbname=%s", pg_db);
	{
		char *sql = g_strdup_printf("CREATE DATABASE %s", pg_db);
		pg_admin(sql);
		g_free(sql);
	}
}

static void teardown(void)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *name;

	while (d != NULL && (name = g_dir_read_name(d)) != NULL) {
		char *p = g_build_filename(dir, name, NULL);
		unlink(p);
		g_free(p);
	}
	if (d != NULL)
		g_dir_close(d);
	rmdir(dir);
	if (pg_db != NULL) {
		char *sql = g_strdup_printf("DROP DATABASE IF EXISTS %s WITH (FORCE)", pg_db);
		pg_admin(sql);
		g_free(sql);
	}
	g_clear_pointer(&pg_db, g_free);
	g_clear_pointer(&pg_base, g_free);
	g_free(spec);
	g_free(where);
	g_free(db);
	g_free(dir);
}

/* Three suites: store (both back ends), store_sqlite (about the SQLite
 * file), store_pg (several key servers on one PostgreSQL). meson runs the
 * binary twice, each time with a --filter leaving the other back end's
 * suite out (tests/sip/store/meson.build), so nothing is skipped. */
TestSuite(store, .init = setup, .fini = teardown);
TestSuite(store_sqlite, .init = setup, .fini = teardown);
TestSuite(store_pg, .init = setup, .fini = teardown);

/* ---- helpers -------------------------------------------------------- */

static ks_store *open_with(const uint8_t *key)
{
	ks_store *s = NULL;
	GError *e = NULL;

	cr_assert(ks_store_open(spec, key, &s, &e), "open %s: %s", where, e != NULL ? e->message : "?");
	return s;
}

/* A second key server on the same store, named |instance|. */
static ks_store *open_as(const char *instance)
{
	ks_store *s = NULL;
	GError *e = NULL;

	cr_assert(ks_store_open_as(spec, instance, key_a, &s, &e), "open %s as %s: %s", where, instance,
		e != NULL ? e->message : "?");
	return s;
}

/* The suite's back end, as meson's --filter arranges it. */
static void need_pg(void)
{
	cr_assert(pg, "suite store_pg: run under tests/sip/pgcluster.py with --filter='!(store_sqlite)/*'");
}

static void need_sqlite(void)
{
	cr_assert_not(pg, "suite store_sqlite: run with --filter='!(store_pg)/*'");
}

/* A call that must fail with |code| and say so in a GError. */
static void expect_error(bool ok, GError **ep, int code, const char *what)
{
	GError *e = *ep; /* read here: the call that set it is an argument */

	cr_assert_not(ok, "%s succeeded", what);
	cr_assert_not_null(e, "%s: no GError", what);
	cr_assert_eq(e->domain, KS_STORE_ERROR, "%s: domain %s", what, g_quark_to_string(e->domain));
	cr_assert_eq(e->code, code, "%s: code %d, want %d (%s)", what, e->code, code, e->message);
}

static void fill_secret(uint8_t *p, size_t len, uint8_t seed)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)(seed * 37u + i * 11u + 0x5a);
}

/* Generation |epoch| with a 4-byte MKI |mki| and 48 bytes from |seed|. */
static ks_generation gen(uint32_t epoch, uint32_t mki, uint8_t *buf, uint8_t seed)
{
	ks_generation g = {.epoch = epoch, .mki_len = 4, .secret = buf, .secret_len = 48, .issued_at = 1000 + epoch};

	g.mki[0] = (uint8_t)(mki >> 24);
	g.mki[1] = (uint8_t)(mki >> 16);
	g.mki[2] = (uint8_t)(mki >> 8);
	g.mki[3] = (uint8_t)mki;
	fill_secret(buf, 48, seed);
	return g;
}

static void issue(ks_store *s, const char *group, uint32_t epoch, uint32_t mki, uint8_t seed)
{
	uint8_t buf[48];
	ks_generation g = gen(epoch, mki, buf, seed);
	GError *e = NULL;

	cr_assert(ks_store_issue_generation(s, group, &g, &e), "issue %s epoch %u: %s", group, epoch,
		e != NULL ? e->message : "?");
}

static void ensure(ks_store *s, const char *group, uint32_t csb)
{
	GError *e = NULL;
	uint32_t got = 0;

	cr_assert(ks_store_ensure_group(s, group, csb, &got, &e), "ensure %s: %s", group, e != NULL ? e->message : "?");
	cr_assert_eq(got, csb);
}

/* The current generation must be |epoch| / |mki| with |seed|'s secret. */
static void assert_current(ks_store *s, const char *group, uint32_t epoch, uint32_t mki, uint8_t seed)
{
	uint8_t want_buf[48];
	ks_generation want = gen(epoch, mki, want_buf, seed), got;
	GError *e = NULL;

	cr_assert(ks_store_current_generation(s, group, &got, &e), "current %s: %s", group, e != NULL ? e->message : "?");
	cr_assert_eq(got.epoch, epoch);
	cr_assert_eq(got.mki_len, 4);
	cr_assert_arr_eq(got.mki, want.mki, 4);
	cr_assert_eq(got.secret_len, 48);
	cr_assert_arr_eq(got.secret, want.secret, 48, "secret of %s epoch %u differs", group, epoch);
	cr_assert_eq(got.issued_at, want.issued_at);
	ks_generation_clear(&got);
	cr_assert_null(got.secret);
}

static unsigned count(ks_store *s, const char *group)
{
	unsigned n = 0;
	GError *e = NULL;

	cr_assert(ks_store_generation_count(s, group, &n, &e), "count %s: %s", group, e != NULL ? e->message : "?");
	return n;
}

/* A connection to the test's PostgreSQL database. */
static PGconn *pg_raw(void)
{
	char *ci = g_strdup_printf("%s dbname=%s", pg_base, pg_db);
	PGconn *c = PQconnectdb(ci);

	cr_assert_eq(PQstatus(c), CONNECTION_OK, "connect %s: %s", ci, PQerrorMessage(c));
	g_free(ci);
	return c;
}

/* The first column of the first row of |sql| as text (g_free), NULL for
 * SQL NULL. */
static char *pg_raw_text(const char *sql)
{
	PGconn *c = pg_raw();
	PGresult *r = PQexec(c, sql);
	char *v;

	cr_assert_eq(PQresultStatus(r), PGRES_TUPLES_OK, "%s: %s", sql, PQerrorMessage(c));
	cr_assert_geq(PQntuples(r), 1, "%s: no row", sql);
	v = PQgetisnull(r, 0, 0) ? NULL : g_strdup(PQgetvalue(r, 0, 0));
	PQclear(r);
	PQfinish(c);
	return v;
}

/* SQL on the store behind its back (an operator, an attacker). */
static void raw_exec(const char *sql)
{
	sqlite3 *h = NULL;
	char *msg = NULL;

	if (pg) {
		PGconn *c = pg_raw();
		PGresult *r = PQexec(c, sql);

		cr_assert_eq(PQresultStatus(r), PGRES_COMMAND_OK, "%s: %s", sql, PQerrorMessage(c));
		PQclear(r);
		PQfinish(c);
		return;
	}
	cr_assert_eq(sqlite3_open(db, &h), SQLITE_OK);
	sqlite3_busy_timeout(h, 5000);
	cr_assert_eq(sqlite3_exec(h, sql, NULL, NULL, &msg), SQLITE_OK, "%s: %s", sql, msg != NULL ? msg : "?");
	sqlite3_close(h);
}

static long long raw_int(const char *sql)
{
	sqlite3 *h = NULL;
	sqlite3_stmt *st = NULL;
	long long v;

	if (pg) {
		char *t = pg_raw_text(sql);

		cr_assert_not_null(t, "%s: NULL", sql);
		v = g_ascii_strtoll(t, NULL, 10);
		g_free(t);
		return v;
	}

	cr_assert_eq(sqlite3_open(db, &h), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK, "%s: %s", sql, sqlite3_errmsg(h));
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW, "%s: no row", sql);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(h);
	return v;
}

static void write_file(const char *path, const void *data, size_t len, mode_t mode)
{
	int fd;

	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	cr_assert_geq(fd, 0, "create %s", path);
	cr_assert_eq(write(fd, data, len), (ssize_t)len);
	cr_assert_eq(fchmod(fd, mode), 0);
	close(fd);
}

/* ---- schema and migrations ------------------------------------------ */

Test(store, open_creates_schema)
{
	ks_store *s = open_with(key_a);
	struct stat st;

	cr_assert_eq(ks_store_schema_version(s), KS_STORE_SCHEMA_VERSION);
	cr_assert_eq(raw_int("SELECT MAX(version) FROM schema_version"), KS_STORE_SCHEMA_VERSION);
	cr_assert_eq(raw_int("SELECT COUNT(*) FROM schema_version"), KS_STORE_SCHEMA_VERSION, "one row a migration");
	cr_assert_eq(raw_int(pg ? "SELECT COUNT(*) FROM information_schema.tables WHERE table_name IN"
				  " ('key_groups', 'generations', 'members', 'key_check')"
				: "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN"
				  " ('key_groups', 'generations', 'members', 'key_check')"),
		4);
	cr_assert_eq(raw_int("SELECT COUNT(*) FROM key_check"), 1);
	cr_assert_eq(ks_store_schema_version(NULL), -1);
	cr_assert_eq(ks_store_connection_serial(s), 1);
	if (pg) {
		/* Binary columns are BYTEA. */
		cr_assert_eq(raw_int("SELECT COUNT(*) FROM information_schema.columns WHERE data_type = 'bytea'"
				     " AND column_name IN ('mki', 'secret', 'wrapped')"),
			3);
		ks_store_close(s);
		return;
	}
	cr_assert_eq(raw_int("SELECT COUNT(*) FROM pragma_journal_mode WHERE journal_mode = 'wal'"), 1);
	cr_assert_eq(stat(db, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600, "store file mode %o", (unsigned)(st.st_mode & 0777));
	ks_store_close(s);
}

Test(store, migrates_from_version_1)
{
	char *v1 = ks_schema_migration(1, pg ? "BYTEA" : "BLOB");
	GPtrArray *groups = NULL;
	ks_store *s;

	cr_assert_not_null(v1);
	cr_assert_null(ks_schema_migration(KS_STORE_SCHEMA_VERSION + 1, "BLOB"));
	raw_exec(ks_schema_version_table);
	raw_exec(v1);
	raw_exec("INSERT INTO schema_version VALUES (1, 0);"
		 "INSERT INTO key_groups VALUES (7, 'sip:old@example.org', 3, 0)");
	g_free(v1);
	s = open_with(key_a);
	cr_assert_eq(ks_store_schema_version(s), KS_STORE_SCHEMA_VERSION);
	cr_assert_eq(raw_int("SELECT COUNT(*) FROM key_check"), 1);
	cr_assert(ks_store_list_groups(s, &groups, NULL));
	cr_assert_eq(groups->len, 1);
	cr_assert_str_eq(g_ptr_array_index(groups, 0), "sip:old@example.org");
	g_ptr_array_unref(groups);
	ks_store_close(s);
}

Test(store, newer_schema_refused)
{
	ks_store *s = (ks_store *)&s;
	GError *e = NULL;

	raw_exec(ks_schema_version_table);
	raw_exec("INSERT INTO schema_version VALUES (99, 0)");
	expect_error(ks_store_open(spec, key_a, &s, &e), &e, KS_STORE_ERR_OPEN, "open at version 99");
	cr_assert_null(s);
	cr_assert_not_null(strstr(e->message, where), "%s", e->message);
	cr_assert_not_null(strstr(e->message, "99"), "%s", e->message);
	g_error_free(e);
}

Test(store_sqlite, not_a_database)
{
	ks_store *s = NULL;
	GError *e = NULL;

	need_sqlite();
	write_file(db, "this is no SQLite database, it only has its name.......................................",
		88, 0600);
	expect_error(ks_store_open(db, key_a, &s, &e), &e, KS_STORE_ERR_OPEN, "open a text file");
	cr_assert_not_null(strstr(e->message, db), "%s", e->message);
	g_error_free(e);
}

Test(store, missing_directory)
{
	char *path = g_build_filename(dir, "no-such-dir", "ks.db", NULL);
	char *file_spec = g_strconcat("sqlite:", path, NULL);
	ks_store *s = NULL;
	GError *e = NULL;

	expect_error(ks_store_open(file_spec, key_a, &s, &e), &e, KS_STORE_ERR_OPEN, "open in a missing directory");
	cr_assert_null(s);
	cr_assert_not_null(strstr(e->message, path), "no path in: %s", e->message);
	g_error_free(e);
	g_free(file_spec);
	g_free(path);
}

/* ---- durability ------------------------------------------------------- */

/* Two groups, three generations, three members (one gone). No cr_assert:
 * a forked child runs it too. */
static bool fill(ks_store *s, GError **e)
{
	ks_member_rec m1 = {.member_id = "sip:alice@example.org", .ssrc = 0xffffffffu, .roc = 7, .joined_epoch = 1,
		.attrs = "[member]\ncontact=sip:alice@10.0.0.1\n"};
	ks_member_rec m2 = {.member_id = "sip:bob@example.org", .ssrc = 0x2222, .roc = 0, .joined_epoch = 2};
	ks_member_rec m3 = {.member_id = "sip:carol@example.org", .ssrc = 0x3333, .roc = 1, .joined_epoch = 2};
	uint8_t b1[48], b2[48], b3[48];
	ks_generation g1 = gen(1, 1, b1, 11), g2 = gen(2, 2, b2, 12), g3 = gen(0xffffffffu, 9, b3, 21);

	return ks_store_ensure_group(s, GROUP_A, 0x5ec0de01, NULL, e) &&
	       ks_store_ensure_group(s, GROUP_B, 0x5ec0de02, NULL, e) &&
	       ks_store_issue_generation(s, GROUP_A, &g1, e) && ks_store_issue_generation(s, GROUP_A, &g2, e) &&
	       ks_store_issue_generation(s, GROUP_B, &g3, e) && ks_store_put_member(s, GROUP_A, &m1, e) &&
	       ks_store_put_member(s, GROUP_A, &m2, e) && ks_store_put_member(s, GROUP_A, &m3, e) &&
	       ks_store_remove_member(s, GROUP_A, "sip:bob@example.org", 3, e);
}

static void assert_filled(ks_store *s)
{
	GPtrArray *groups = NULL, *members = NULL;
	ks_member_rec *m;
	uint32_t csb = 0;

	cr_assert(ks_store_list_groups(s, &groups, NULL));
	cr_assert_eq(groups->len, 2);
	cr_assert_str_eq(g_ptr_array_index(groups, 0), GROUP_A);
	cr_assert_str_eq(g_ptr_array_index(groups, 1), GROUP_B);
	g_ptr_array_unref(groups);
	/* The CSB ID stays the first one. */
	cr_assert(ks_store_ensure_group(s, GROUP_B, 0x1234, &csb, NULL));
	cr_assert_eq(csb, 0x5ec0de02);
	cr_assert_eq(count(s, GROUP_A), 2);
	cr_assert_eq(count(s, GROUP_B), 1);
	assert_current(s, GROUP_A, 2, 2, 12);
	assert_current(s, GROUP_B, 0xffffffffu, 9, 21);
	cr_assert(ks_store_list_members(s, GROUP_A, &members, NULL));
	cr_assert_eq(members->len, 2);
	m = g_ptr_array_index(members, 0);
	cr_assert_str_eq(m->member_id, "sip:alice@example.org");
	cr_assert_eq(m->ssrc, 0xffffffffu);
	cr_assert_eq(m->roc, 7);
	cr_assert_eq(m->joined_epoch, 1);
	cr_assert_str_eq(m->attrs, "[member]\ncontact=sip:alice@10.0.0.1\n");
	m = g_ptr_array_index(members, 1);
	cr_assert_str_eq(m->member_id, "sip:carol@example.org");
	cr_assert_null(m->attrs);
	g_ptr_array_unref(members);
}

Test(store, reopen_keeps_everything)
{
	ks_store *s = open_with(key_a);
	GError *e = NULL;

	cr_assert(fill(s, &e), "%s", e != NULL ? e->message : "?");
	ks_store_close(s);
	s = open_with(key_a);
	assert_filled(s);
	ks_store_close(s);
}

/* A child fills the store and is SIGKILLed with it open: what it was told
 * is committed must be there for the next process. */
Test(store, sigkill_keeps_everything)
{
	ks_store *s;
	int status = 0;
	pid_t pid = fork();

	cr_assert_geq(pid, 0);
	if (pid == 0) {
		ks_store *c = NULL;

		if (!ks_store_open(spec, key_a, &c, NULL) || !fill(c, NULL))
			_exit(1);
		raise(SIGKILL);
		_exit(2);
	}
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "child status %d", status);
	s = open_with(key_a);
	assert_filled(s);
	ks_store_close(s);
}

/* ---- the reuse rule --------------------------------------------------- */

/* Issuing |epoch| / |mki| must fail with KS_STORE_ERR_REUSE, saying
 * |says|, the group and the store. */
static void expect_reuse(ks_store *s, uint32_t epoch, uint32_t mki, const char *says)
{
	uint8_t buf[48];
	ks_generation g = gen(epoch, mki, buf, 99);
	GError *e = NULL;

	expect_error(ks_store_issue_generation(s, GROUP_A, &g, &e), &e, KS_STORE_ERR_REUSE, says);
	cr_assert_not_null(strstr(e->message, says), "%s", e->message);
	cr_assert_not_null(strstr(e->message, GROUP_A), "%s", e->message);
	cr_assert_not_null(strstr(e->message, where), "%s", e->message);
	g_error_free(e);
}

Test(store, epoch_reuse_refused)
{
	ks_store *s = open_with(key_a);

	ensure(s, GROUP_A, 1);
	issue(s, GROUP_A, 5, 5, 1);
	expect_reuse(s, 5, 6, "epoch 5 is not above epoch 5");
	expect_reuse(s, 4, 7, "epoch 4 is not above epoch 5");
	cr_assert_eq(count(s, GROUP_A), 1, "a refused generation was stored");
	assert_current(s, GROUP_A, 5, 5, 1);
	/* Epochs and MKIs are per group. */
	ensure(s, GROUP_B, 2);
	issue(s, GROUP_B, 5, 5, 4);
	issue(s, GROUP_A, 6, 6, 5);
	assert_current(s, GROUP_A, 6, 6, 5);
	ks_store_close(s);
}

Test(store, mki_reuse_refused)
{
	ks_store *s = open_with(key_a);
	uint8_t buf[48];
	ks_generation g;
	GError *e = NULL;

	ensure(s, GROUP_A, 1);
	issue(s, GROUP_A, 1, 0xa1, 1);
	issue(s, GROUP_A, 2, 0xa2, 2);
	expect_reuse(s, 3, 0xa1, "MKI 000000a1 was issued before, at epoch 1");
	cr_assert_eq(count(s, GROUP_A), 2);
	assert_current(s, GROUP_A, 2, 0xa2, 2);
	cr_assert_eq(raw_int("SELECT COUNT(*) FROM generations"), 2);
	/* A 1-byte MKI is another MKI than 000000a1's four bytes. */
	g = gen(3, 0, buf, 3);
	g.mki[0] = 0xa1;
	g.mki_len = 1;
	cr_assert(ks_store_issue_generation(s, GROUP_A, &g, &e), "%s", e != NULL ? e->message : "?");
	ks_store_close(s);
}

/* Two handles on one file (two key server processes): the second sees
 * what the first committed. */
Test(store, reuse_across_handles)
{
	ks_store *s1 = open_with(key_a), *s2 = open_with(key_a);

	ensure(s1, GROUP_A, 1);
	ensure(s2, GROUP_A, 1);
	issue(s1, GROUP_A, 1, 1, 1);
	expect_reuse(s2, 1, 2, "epoch 1 is not above epoch 1");
	issue(s2, GROUP_A, 2, 2, 2);
	expect_reuse(s1, 3, 2, "MKI 00000002 was issued before, at epoch 2");
	assert_current(s1, GROUP_A, 2, 2, 2);
	ks_store_close(s2);
	ks_store_close(s1);
}

/* Another writer holding the file past the busy timeout: KS_STORE_ERR_IO
 * with SQLite's word for it, and nothing written. */
Test(store, locked_store, .timeout = 60)
{
	ks_store *s = open_with(key_a);
	uint8_t buf[48];
	ks_generation g = gen(1, 1, buf, 1);
	sqlite3 *h = NULL;
	GError *e = NULL;

	ensure(s, GROUP_A, 1);
	if (pg) {
		/* Another key server holding the group's row past lock_timeout. */
		PGconn *c = pg_raw();

		PQclear(PQexec(c, "BEGIN"));
		PQclear(PQexec(c, "SELECT id FROM key_groups FOR UPDATE"));
		expect_error(ks_store_issue_generation(s, GROUP_A, &g, &e), &e, KS_STORE_ERR_IO, "issue while locked");
		cr_assert_not_null(strstr(e->message, "lock timeout"), "%s", e->message);
		cr_assert_not_null(strstr(e->message, "SQLSTATE 55P03"), "%s", e->message);
		cr_assert_not_null(strstr(e->message, "epoch 1"), "%s", e->message);
		cr_assert_not_null(strstr(e->message, GROUP_A), "%s", e->message);
		g_error_free(e);
		PQfinish(c);
		cr_assert_eq(count(s, GROUP_A), 0);
		issue(s, GROUP_A, 1, 1, 1);
		ks_store_close(s);
		return;
	}
	cr_assert_eq(sqlite3_open(db, &h), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(h, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	expect_error(ks_store_issue_generation(s, GROUP_A, &g, &e), &e, KS_STORE_ERR_IO, "issue while locked");
	cr_assert_not_null(strstr(e->message, "locked"), "%s", e->message);
	cr_assert_not_null(strstr(e->message, "epoch 1"), "%s", e->message);
	g_error_free(e);
	cr_assert_eq(sqlite3_exec(h, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
	cr_assert_eq(count(s, GROUP_A), 0);
	issue(s, GROUP_A, 1, 1, 1);
	ks_store_close(s);
}

Test(store, unknown_group)
{
	ks_store *s = open_with(key_a);
	uint8_t buf[48];
	ks_generation g = gen(1, 1, buf, 1), out;
	ks_member_rec m = {.member_id = "sip:x@example.org"};
	GPtrArray *a = NULL;
	unsigned n;
	GError *e = NULL;

	expect_error(ks_store_issue_generation(s, GROUP_A, &g, &e), &e, KS_STORE_ERR_NOT_FOUND, "issue");
	cr_assert_not_null(strstr(e->message, GROUP_A), "%s", e->message);
	g_clear_error(&e);
	expect_error(ks_store_current_generation(s, GROUP_A, &out, &e), &e, KS_STORE_ERR_NOT_FOUND, "current");
	g_clear_error(&e);
	expect_error(ks_store_generation_count(s, GROUP_A, &n, &e), &e, KS_STORE_ERR_NOT_FOUND, "count");
	g_clear_error(&e);
	expect_error(ks_store_put_member(s, GROUP_A, &m, &e), &e, KS_STORE_ERR_NOT_FOUND, "put member");
	g_clear_error(&e);
	expect_error(ks_store_list_members(s, GROUP_A, &a, &e), &e, KS_STORE_ERR_NOT_FOUND, "list members");
	g_clear_error(&e);
	cr_assert_eq(raw_int("SELECT COUNT(*) FROM key_groups"), 0);
	/* A group without generations has none current. */
	ensure(s, GROUP_A, 1);
	expect_error(ks_store_current_generation(s, GROUP_A, &out, &e), &e, KS_STORE_ERR_NOT_FOUND, "current of none");
	g_clear_error(&e);
	ks_generation_clear(&out);
	cr_assert_eq(count(s, GROUP_A), 0);
	ks_store_close(s);
}

/* ---- wrapping --------------------------------------------------------- */

static bool contains(const uint8_t *hay, size_t n, const void *needle, size_t len)
{
	for (size_t i = 0; i + len <= n; i++) {
		if (memcmp(hay + i, needle, len) == 0)
			return true;
	}
	return false;
}

static uint8_t *slurp(const char *path, size_t *len)
{
	char *data = NULL;
	gsize n = 0;

	if (!g_file_get_contents(path, &data, &n, NULL)) {
		*len = 0;
		return NULL;
	}
	*len = n;
	return (uint8_t *)data;
}

/* No 8-byte run of |secret| in the store's file nor its WAL; the group
 * name must be there (the search sees the data at all). Returns how many
 * files held the group name. */
static int assert_not_in_files(const uint8_t *secret, size_t len)
{
	const char *suffixes[] = {"", "-wal"};
	int seen = 0;

	for (size_t f = 0; f < G_N_ELEMENTS(suffixes); f++) {
		char *path = g_strconcat(db, suffixes[f], NULL);
		size_t n;
		uint8_t *data = slurp(path, &n);

		for (size_t i = 0; data != NULL && i + 8 <= len; i++)
			cr_assert_not(contains(data, n, secret + i, 8), "%s holds secret bytes %zu..%zu", path, i, i + 7);
		if (data != NULL && contains(data, n, GROUP_A, strlen(GROUP_A)))
			seen++;
		g_free(data);
		g_free(path);
	}
	return seen;
}

Test(store, secret_not_in_clear)
{
	ks_store *s = open_with(key_a);
	uint8_t buf[48];

	ensure(s, GROUP_A, 1);
	issue(s, GROUP_A, 1, 1, 77);
	fill_secret(buf, sizeof(buf), 77);
	cr_assert_eq(raw_int("SELECT length(secret) FROM generations"), KS_KEYWRAP_LEN(1 + 4 + 1 + 4 + 32 + 48));
	if (pg) {
		/* The column as the server holds it: no 8-byte run of the secret. */
		char *hex = pg_raw_text("SELECT encode(secret, 'hex') FROM generations");
		size_t n = strlen(hex) / 2;
		uint8_t *raw = g_malloc(n);

		for (size_t i = 0; i < n; i++)
			raw[i] = (uint8_t)g_ascii_strtoull((char[]){hex[2 * i], hex[2 * i + 1], 0}, NULL, 16);
		for (size_t i = 0; i + 8 <= sizeof(buf); i++)
			cr_assert_not(contains(raw, n, buf + i, 8), "the secret column holds bytes %zu..%zu", i, i + 7);
		g_free(raw);
		g_free(hex);
		ks_store_close(s);
		return;
	}
	/* Open: the new pages are in the WAL. */
	cr_assert_geq(assert_not_in_files(buf, sizeof(buf)), 1);
	ks_store_close(s);
	/* Closed: checkpointed into the file. */
	cr_assert_geq(assert_not_in_files(buf, sizeof(buf)), 1);
}

/* A store under key A holding group A's epoch 1. */
static void store_under_key_a(void)
{
	ks_store *s = open_with(key_a);

	ensure(s, GROUP_A, 1);
	issue(s, GROUP_A, 1, 1, 1);
	ks_store_close(s);
}

Test(store, wrong_master_key_refused_at_open)
{
	ks_store *s = NULL;
	GError *e = NULL;

	store_under_key_a();
	expect_error(ks_store_open(spec, key_b, &s, &e), &e, KS_STORE_ERR_WRAP, "open under another key");
	cr_assert_null(s);
	cr_assert_not_null(strstr(e->message, where), "%s", e->message);
	g_error_free(e);
	s = open_with(key_a);
	assert_current(s, GROUP_A, 1, 1, 1);
	ks_store_close(s);
}

/* Without the key check (a store from before it, a row deleted by hand),
 * the secrets still refuse another key. */
Test(store, wrong_master_key_does_not_unwrap)
{
	ks_store *s;
	ks_generation got;
	GError *e = NULL;

	store_under_key_a();
	raw_exec("DELETE FROM key_check");
	s = open_with(key_b);
	expect_error(ks_store_current_generation(s, GROUP_A, &got, &e), &e, KS_STORE_ERR_WRAP, "unwrap under key B");
	cr_assert_not_null(strstr(e->message, "does not unwrap"), "%s", e->message);
	cr_assert_null(got.secret);
	g_error_free(e);
	ks_store_close(s);
}

Test(store, moved_blob_refused)
{
	ks_store *s = open_with(key_a);
	ks_generation got;
	GError *e = NULL;

	ensure(s, GROUP_A, 1);
	ensure(s, GROUP_B, 2);
	issue(s, GROUP_A, 1, 1, 1);
	issue(s, GROUP_A, 2, 2, 2);
	issue(s, GROUP_B, 1, 1, 3);
	assert_current(s, GROUP_A, 2, 2, 2);
	assert_current(s, GROUP_B, 1, 1, 3);
	/* Epoch 1's blob into epoch 2's row of the same group. */
	raw_exec("UPDATE generations SET secret = (SELECT secret FROM generations g JOIN key_groups k"
		 " ON g.group_id = k.id WHERE k.name = '" GROUP_A "' AND g.epoch = 1)"
		 " WHERE epoch = 2");
	expect_error(ks_store_current_generation(s, GROUP_A, &got, &e), &e, KS_STORE_ERR_WRAP, "moved across epochs");
	cr_assert_not_null(strstr(e->message, "another group, epoch or MKI"), "%s", e->message);
	g_clear_error(&e);
	/* Group A's epoch 1 / MKI 1 blob into group B's epoch 1 / MKI 1 row. */
	raw_exec("UPDATE generations SET secret = (SELECT secret FROM generations g JOIN key_groups k"
		 " ON g.group_id = k.id WHERE k.name = '" GROUP_A "' AND g.epoch = 1)"
		 " WHERE group_id = (SELECT id FROM key_groups WHERE name = '" GROUP_B "')");
	expect_error(ks_store_current_generation(s, GROUP_B, &got, &e), &e, KS_STORE_ERR_WRAP, "moved across groups");
	cr_assert_not_null(strstr(e->message, GROUP_B), "%s", e->message);
	g_clear_error(&e);
	ks_store_close(s);
}

/* RFC 5649 §4.1: one padded block is wrapped as AES(K, A65959A6 || MLI ||
 * P || zeros); checked here with plain AES-256-ECB. */
Test(store, keywrap_format)
{
	const uint8_t plain[5] = {1, 2, 3, 4, 5};
	const uint8_t want[16] = {0xa6, 0x59, 0x59, 0xa6, 0, 0, 0, 5, 1, 2, 3, 4, 5, 0, 0, 0};
	uint8_t wrapped[KS_KEYWRAP_LEN(5)], block[32], back[8];
	size_t n = 0, m = 0;
	int outl = 0;
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();

	cr_assert(ks_keywrap_wrap(key_a, plain, sizeof(plain), wrapped, &n));
	cr_assert_eq(n, 16);
	cr_assert_eq(EVP_DecryptInit_ex(ctx, EVP_aes_256_ecb(), NULL, key_a, NULL), 1);
	EVP_CIPHER_CTX_set_padding(ctx, 0);
	cr_assert_eq(EVP_DecryptUpdate(ctx, block, &outl, wrapped, 16), 1);
	cr_assert_eq(outl, 16);
	cr_assert_arr_eq(block, want, 16);
	EVP_CIPHER_CTX_free(ctx);
	cr_assert(ks_keywrap_unwrap(key_a, wrapped, n, back, &m));
	cr_assert_eq(m, 5);
	cr_assert_arr_eq(back, plain, 5);
	cr_assert_not(ks_keywrap_unwrap(key_b, wrapped, n, back, &m));
	wrapped[15] ^= 0x80;
	cr_assert_not(ks_keywrap_unwrap(key_a, wrapped, n, back, &m));
	cr_assert_not(ks_keywrap_unwrap(key_a, wrapped, 12, back, &m), "a length not a multiple of 8");
}

Test(store, keywrap_lengths)
{
	uint8_t plain[41], wrapped[KS_KEYWRAP_LEN(41)], back[KS_KEYWRAP_LEN(41)];

	fill_secret(plain, sizeof(plain), 9);
	for (size_t len = 1; len <= sizeof(plain); len++) {
		size_t n = 0, m = 0;

		cr_assert(ks_keywrap_wrap(key_a, plain, len, wrapped, &n), "wrap %zu", len);
		cr_assert_eq(n, KS_KEYWRAP_LEN(len));
		cr_assert(ks_keywrap_unwrap(key_a, wrapped, n, back, &m), "unwrap %zu", len);
		cr_assert_eq(m, len);
		cr_assert_arr_eq(back, plain, len);
	}
}

/* ---- members ---------------------------------------------------------- */

static void assert_members(ks_store *s, const char *const *ids, const uint32_t *ssrcs, size_t n)
{
	GPtrArray *a = NULL;
	GError *e = NULL;

	cr_assert(ks_store_list_members(s, GROUP_A, &a, &e), "%s", e != NULL ? e->message : "?");
	cr_assert_eq(a->len, n, "%u members, want %zu", a->len, n);
	for (size_t i = 0; i < n; i++) {
		ks_member_rec *m = g_ptr_array_index(a, i);
		cr_assert_str_eq(m->member_id, ids[i], "member %zu", i);
		cr_assert_eq(m->ssrc, ssrcs[i], "member %zu ssrc", i);
	}
	g_ptr_array_unref(a);
}

Test(store, members)
{
	ks_store *s = open_with(key_a);
	ks_member_rec a = {.member_id = "sip:a@x", .ssrc = 1}, b = {.member_id = "sip:b@x", .ssrc = 2},
		      c = {.member_id = "sip:c@x", .ssrc = 3};
	GError *e = NULL;

	ensure(s, GROUP_A, 1);
	cr_assert(ks_store_put_member(s, GROUP_A, &a, NULL));
	cr_assert(ks_store_put_member(s, GROUP_A, &b, NULL));
	cr_assert(ks_store_put_member(s, GROUP_A, &c, NULL));
	assert_members(s, (const char *const[]){"sip:a@x", "sip:b@x", "sip:c@x"}, (const uint32_t[]){1, 2, 3}, 3);
	/* Replacing keeps the place in the joining order. */
	b.ssrc = 22;
	b.attrs = "roc carried";
	cr_assert(ks_store_put_member(s, GROUP_A, &b, NULL));
	assert_members(s, (const char *const[]){"sip:a@x", "sip:b@x", "sip:c@x"}, (const uint32_t[]){1, 22, 3}, 3);
	cr_assert(ks_store_remove_member(s, GROUP_A, "sip:a@x", 4, NULL));
	assert_members(s, (const char *const[]){"sip:b@x", "sip:c@x"}, (const uint32_t[]){22, 3}, 2);
	expect_error(ks_store_remove_member(s, GROUP_A, "sip:a@x", 5, &e), &e, KS_STORE_ERR_NOT_FOUND, "remove twice");
	cr_assert_not_null(strstr(e->message, "sip:a@x"), "%s", e->message);
	g_clear_error(&e);
	/* Coming back is a new join, at the end; the old row stays as history. */
	a.ssrc = 11;
	cr_assert(ks_store_put_member(s, GROUP_A, &a, NULL));
	assert_members(s, (const char *const[]){"sip:b@x", "sip:c@x", "sip:a@x"}, (const uint32_t[]){22, 3, 11}, 3);
	cr_assert_eq(raw_int("SELECT COUNT(*) FROM members"), 4);
	cr_assert_eq(raw_int("SELECT left_epoch FROM members WHERE member_id = 'sip:a@x' AND left_epoch IS NOT NULL"), 4);
	ks_store_close(s);
}

/* ---- master key file -------------------------------------------------- */

static char *key_path(void)
{
	return g_build_filename(dir, "master.key", NULL);
}

static void expect_key_error(const char *path, bool create, const char *what, const char *in_message)
{
	uint8_t key[KS_MASTER_KEY_LEN], zero[KS_MASTER_KEY_LEN] = {0};
	GError *e = NULL;

	memset(key, 0xee, sizeof(key));
	expect_error(ks_master_key_load(path, create, key, &e), &e, KS_STORE_ERR_MASTER_KEY, what);
	cr_assert_not_null(strstr(e->message, in_message), "%s: %s", what, e->message);
	cr_assert_arr_eq(key, zero, sizeof(key), "%s: the key is not wiped", what);
	g_error_free(e);
}

Test(store, master_key_create)
{
	char *path = key_path();
	uint8_t k1[KS_MASTER_KEY_LEN], k2[KS_MASTER_KEY_LEN], zero[KS_MASTER_KEY_LEN] = {0};
	struct stat st;
	GError *e = NULL;

	expect_key_error(path, false, "a missing file without create", path);
	cr_assert(ks_master_key_load(path, true, k1, &e), "%s", e != NULL ? e->message : "?");
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_mode & 07777, 0600, "mode %o", (unsigned)(st.st_mode & 07777));
	cr_assert_eq(st.st_size, 65, "64 hex digits and a newline");
	cr_assert(memcmp(k1, zero, sizeof(k1)) != 0);
	/* Made once: a second load with create reads it back. */
	cr_assert(ks_master_key_load(path, true, k2, NULL));
	cr_assert_arr_eq(k2, k1, sizeof(k1));
	cr_assert(ks_master_key_load(path, false, k2, NULL));
	cr_assert_arr_eq(k2, k1, sizeof(k1));
	g_free(path);
}

Test(store, master_key_mode)
{
	char *path = key_path();

	write_file(path, key_a, sizeof(key_a), 0644);
	expect_key_error(path, false, "mode 0644", "0644");
	expect_key_error(path, true, "mode 0644 with create", "group or others");
	write_file(path, key_a, sizeof(key_a), 0604);
	expect_key_error(path, false, "mode 0604", "0604");
	g_free(path);
}

Test(store, master_key_forms)
{
	char *path = key_path();
	GString *hex = g_string_new(NULL);
	uint8_t key[KS_MASTER_KEY_LEN];

	write_file(path, key_a, sizeof(key_a), 0600);
	cr_assert(ks_master_key_load(path, false, key, NULL));
	cr_assert_arr_eq(key, key_a, sizeof(key), "raw");
	for (size_t i = 0; i < sizeof(key_a); i++)
		g_string_append_printf(hex, "%02x", key_a[i]);
	write_file(path, hex->str, hex->len, 0600);
	memset(key, 0, sizeof(key));
	cr_assert(ks_master_key_load(path, false, key, NULL));
	cr_assert_arr_eq(key, key_a, sizeof(key), "hex");
	g_string_append_c(hex, '\n');
	write_file(path, hex->str, hex->len, 0400);
	memset(key, 0, sizeof(key));
	cr_assert(ks_master_key_load(path, false, key, NULL));
	cr_assert_arr_eq(key, key_a, sizeof(key), "hex and newline, mode 0400");
	g_string_ascii_up(hex);
	write_file(path, hex->str, hex->len, 0600);
	memset(key, 0, sizeof(key));
	cr_assert(ks_master_key_load(path, false, key, NULL));
	cr_assert_arr_eq(key, key_a, sizeof(key), "upper-case hex");
	g_string_free(hex, TRUE);
	g_free(path);
}

Test(store, master_key_wrong_size)
{
	char *path = key_path();
	char text[80];
	uint8_t raw[33] = {0};

	memcpy(raw, key_a, sizeof(key_a));
	write_file(path, raw, 31, 0600);
	expect_key_error(path, false, "31 raw bytes", "31 bytes");
	write_file(path, raw, 33, 0600);
	expect_key_error(path, false, "33 raw bytes", "33 bytes");
	memset(text, 'a', sizeof(text));
	write_file(path, text, 63, 0600);
	expect_key_error(path, false, "63 hex digits", "63 bytes");
	text[64] = '\n';
	text[65] = '\n';
	write_file(path, text, 66, 0600);
	expect_key_error(path, false, "two newlines", "66 bytes");
	write_file(path, text, sizeof(text), 0600);
	expect_key_error(path, false, "80 bytes", "80 bytes");
	text[10] = 'g';
	write_file(path, text, 64, 0600);
	expect_key_error(path, false, "not hex", "64 hex digits");
	write_file(path, "", 0, 0600);
	expect_key_error(path, false, "empty", "0 bytes");
	expect_key_error(dir, false, "a directory", "not a regular file");
	g_free(path);
}

/* ---- arguments -------------------------------------------------------- */

#define EXPECT_ARG(call)                                                          \
	do {                                                                      \
		GError *e_ = NULL;                                                \
		expect_error((call), &e_, KS_STORE_ERR_ARG, #call);                \
		g_error_free(e_);                                                 \
	} while (0)

Test(store, bad_arguments)
{
	ks_store *s = open_with(key_a), *none = NULL;
	uint8_t buf[KS_SECRET_MAX + 1] = {0}, key[KS_MASTER_KEY_LEN];
	ks_generation g = gen(1, 1, buf, 1), out;
	ks_member_rec m = {.member_id = NULL};
	GPtrArray *a = NULL;
	unsigned n;
	uint32_t csb;
	bool held;

	EXPECT_ARG(ks_store_open(NULL, key_a, &none, &e_));
	EXPECT_ARG(ks_store_open(spec, NULL, &none, &e_));
	EXPECT_ARG(ks_store_open(spec, key_a, NULL, &e_));
	EXPECT_ARG(ks_store_open("sqlite:", key_a, &none, &e_));
	EXPECT_ARG(ks_store_open("postgresql:", key_a, &none, &e_));
	EXPECT_ARG(ks_store_open("mysql:dbname=ks", key_a, &none, &e_));
	EXPECT_ARG(ks_store_open_as(spec, "", key_a, &none, &e_));
	EXPECT_ARG(ks_store_open_as(spec, "ks-\xff", key_a, &none, &e_));
	cr_assert_null(none);
	EXPECT_ARG(ks_master_key_load(NULL, true, key, &e_));
	EXPECT_ARG(ks_master_key_load(db, true, NULL, &e_));
	EXPECT_ARG(ks_store_ensure_group(NULL, GROUP_A, 1, &csb, &e_));
	EXPECT_ARG(ks_store_ensure_group(s, NULL, 1, &csb, &e_));
	EXPECT_ARG(ks_store_ensure_group(s, "", 1, &csb, &e_));
	EXPECT_ARG(ks_store_ensure_group(s, "sip:\xff@x", 1, &csb, &e_));
	EXPECT_ARG(ks_store_list_groups(s, NULL, &e_));
	cr_assert(ks_store_ensure_group(s, GROUP_A, 1, NULL, NULL), "csb_id_out may be NULL");
	EXPECT_ARG(ks_store_issue_generation(s, GROUP_A, NULL, &e_));
	g.mki_len = KS_MKI_MAX + 1;
	EXPECT_ARG(ks_store_issue_generation(s, GROUP_A, &g, &e_));
	g.mki_len = 0;
	EXPECT_ARG(ks_store_issue_generation(s, GROUP_A, &g, &e_));
	g.mki_len = 4;
	g.secret_len = KS_SECRET_MAX + 1;
	EXPECT_ARG(ks_store_issue_generation(s, GROUP_A, &g, &e_));
	g.secret_len = 0;
	EXPECT_ARG(ks_store_issue_generation(s, GROUP_A, &g, &e_));
	g.secret_len = 16;
	g.secret = NULL;
	EXPECT_ARG(ks_store_issue_generation(s, GROUP_A, &g, &e_));
	EXPECT_ARG(ks_store_current_generation(s, GROUP_A, NULL, &e_));
	EXPECT_ARG(ks_store_generation_count(s, GROUP_A, NULL, &e_));
	EXPECT_ARG(ks_store_put_member(s, GROUP_A, NULL, &e_));
	EXPECT_ARG(ks_store_put_member(s, GROUP_A, &m, &e_));
	m.member_id = "sip:m@x";
	m.attrs = "\xc3(";
	EXPECT_ARG(ks_store_put_member(s, GROUP_A, &m, &e_));
	EXPECT_ARG(ks_store_remove_member(s, GROUP_A, NULL, 1, &e_));
	EXPECT_ARG(ks_store_list_members(s, GROUP_A, NULL, &e_));
	EXPECT_ARG(ks_store_current_generation(NULL, GROUP_A, &out, &e_));
	EXPECT_ARG(ks_store_list_generations(s, GROUP_A, NULL, &e_));
	EXPECT_ARG(ks_store_list_generations(NULL, GROUP_A, &a, &e_));
	EXPECT_ARG(ks_store_try_lease(s, GROUP_A, NULL, &e_));
	EXPECT_ARG(ks_store_try_lease(s, "", &held, &e_));
	EXPECT_ARG(ks_store_release_lease(NULL, GROUP_A, &e_));
	EXPECT_ARG(ks_store_lease_holder(s, GROUP_A, NULL, &e_));
	EXPECT_ARG(ks_store_poll_notes(s, NULL, NULL, NULL, &e_));
	cr_assert_eq(ks_store_listen_fd(NULL), -1);
	cr_assert_eq(ks_store_connection_serial(NULL), 0);
	/* Nothing above changed the store. */
	cr_assert_eq(count(s, GROUP_A), 0);
	cr_assert(ks_store_list_members(s, GROUP_A, &a, NULL));
	cr_assert_eq(a->len, 0);
	g_ptr_array_unref(a);
	/* The largest secret passes. */
	g.secret = buf;
	g.secret_len = KS_SECRET_MAX;
	cr_assert(ks_store_issue_generation(s, GROUP_A, &g, NULL));
	cr_assert(ks_store_current_generation(s, GROUP_A, &out, NULL));
	cr_assert_eq(out.secret_len, KS_SECRET_MAX);
	cr_assert_arr_eq(out.secret, buf, KS_SECRET_MAX);
	ks_generation_clear(&out);
	cr_assert(ks_store_generation_count(s, GROUP_A, &n, NULL));
	cr_assert_eq(n, 1);
	ks_store_close(s);
	ks_store_close(NULL);
	ks_generation_clear(NULL);
	ks_member_rec_free(NULL);
}

/* ---- list of generations ---------------------------------------------- */

Test(store, list_generations)
{
	ks_store *s = open_with(key_a);
	GPtrArray *a = NULL;
	GError *e = NULL;
	const uint32_t epochs[] = {1, 2, 7, 0xffffffffu};

	expect_error(ks_store_list_generations(s, GROUP_A, &a, &e), &e, KS_STORE_ERR_NOT_FOUND, "list of no group");
	cr_assert_null(a);
	g_clear_error(&e);
	ensure(s, GROUP_A, 1);
	ensure(s, GROUP_B, 2);
	cr_assert(ks_store_list_generations(s, GROUP_A, &a, &e), "%s", e != NULL ? e->message : "?");
	cr_assert_eq(a->len, 0);
	g_ptr_array_unref(a);
	for (size_t i = 0; i < G_N_ELEMENTS(epochs); i++)
		issue(s, GROUP_A, epochs[i], 100 + (uint32_t)i, (uint8_t)(40 + i));
	issue(s, GROUP_B, 3, 100, 9);
	cr_assert(ks_store_list_generations(s, GROUP_A, &a, &e), "%s", e != NULL ? e->message : "?");
	cr_assert_eq(a->len, G_N_ELEMENTS(epochs));
	for (size_t i = 0; i < G_N_ELEMENTS(epochs); i++) {
		uint8_t want_buf[48];
		ks_generation want = gen(epochs[i], 100 + (uint32_t)i, want_buf, (uint8_t)(40 + i));
		ks_generation *got = g_ptr_array_index(a, i);

		cr_assert_eq(got->epoch, epochs[i], "row %zu: epoch %u", i, got->epoch);
		cr_assert_eq(got->mki_len, 4);
		cr_assert_arr_eq(got->mki, want.mki, 4);
		cr_assert_eq(got->secret_len, 48);
		cr_assert_arr_eq(got->secret, want.secret, 48);
		cr_assert_eq(got->issued_at, want.issued_at);
	}
	g_ptr_array_unref(a);
	/* One row moved: the whole list is refused, not half of it handed out. */
	raw_exec("UPDATE generations SET secret = (SELECT secret FROM generations WHERE epoch = 3)"
		 " WHERE epoch = 7");
	expect_error(ks_store_list_generations(s, GROUP_A, &a, &e), &e, KS_STORE_ERR_WRAP, "list with a moved blob");
	cr_assert_null(a);
	cr_assert_not_null(strstr(e->message, "epoch 7"), "%s", e->message);
	g_clear_error(&e);
	ks_store_close(s);
	ks_generation_free(NULL);
}

/* ---- leases and notifications ----------------------------------------- */

/* SQLite: one key server per file, so the lease is always granted and
 * there is nothing to listen to. */
Test(store_sqlite, single_server_calls)
{
	ks_store *s;
	bool held = false;
	char *holder = (char *)"x";
	unsigned skipped = 7;
	GError *e = NULL;

	need_sqlite();
	s = open_with(key_a);
	expect_error(ks_store_try_lease(s, GROUP_A, &held, &e), &e, KS_STORE_ERR_NOT_FOUND, "lease of no group");
	g_clear_error(&e);
	ensure(s, GROUP_A, 1);
	cr_assert(ks_store_try_lease(s, GROUP_A, &held, NULL));
	cr_assert(held);
	cr_assert(ks_store_lease_holder(s, GROUP_A, &holder, NULL));
	cr_assert_null(holder);
	cr_assert(ks_store_release_lease(s, GROUP_A, NULL));
	cr_assert_eq(ks_store_connection_serial(s), 1);
	cr_assert_eq(ks_store_listen_fd(s), -1);
	cr_assert(ks_store_poll_notes(s, (ks_store_note_fn)abort, NULL, &skipped, NULL));
	cr_assert_eq(skipped, 0);
	ks_store_close(s);
}

static bool try_lease(ks_store *s)
{
	bool held = false;
	GError *e = NULL;

	cr_assert(ks_store_try_lease(s, GROUP_A, &held, &e), "try_lease: %s", e != NULL ? e->message : "?");
	return held;
}

/* The lease holder's name, or NULL (g_free). */
static char *holder_of(ks_store *s)
{
	char *h = NULL;
	GError *e = NULL;

	cr_assert(ks_store_lease_holder(s, GROUP_A, &h, &e), "lease_holder: %s", e != NULL ? e->message : "?");
	return h;
}

static void assert_holder(ks_store *s, const char *want)
{
	char *h = holder_of(s);

	if (want == NULL)
		cr_assert_null(h, "holder %s, want none", h);
	else
		cr_assert(h != NULL && strcmp(h, want) == 0, "holder %s, want %s", h != NULL ? h : "none", want);
	g_free(h);
}

/* A closed session's locks go when its server process has finished with
 * it, a moment after the client hung up. */
static void wait_no_holder(ks_store *s)
{
	for (int i = 0; i < 200; i++) {
		char *h = holder_of(s);

		if (h == NULL)
			return;
		g_free(h);
		g_usleep(10 * 1000);
	}
	cr_assert_fail("the lease outlived its holder's connection");
}

Test(store_pg, leases)
{
	ks_store *one, *two;

	need_pg();
	one = open_as("ks-one");
	two = open_as("ks-two");
	ensure(one, GROUP_A, 1);
	ensure(one, GROUP_B, 2);
	assert_holder(two, NULL);
	cr_assert(try_lease(one));
	cr_assert(try_lease(one), "held already: granted again");
	cr_assert_not(try_lease(two));
	assert_holder(one, "ks-one");
	assert_holder(two, "ks-one");
	/* Another group's lease is another lock. */
	{
		bool held = false;

		cr_assert(ks_store_try_lease(two, GROUP_B, &held, NULL));
		cr_assert(held);
	}
	/* One release is enough, though it was taken twice. */
	cr_assert(ks_store_release_lease(one, GROUP_A, NULL));
	assert_holder(two, NULL);
	cr_assert(ks_store_release_lease(one, GROUP_A, NULL), "release when not held");
	cr_assert(try_lease(two));
	assert_holder(one, "ks-two");
	cr_assert_not(try_lease(one));
	/* The holder goes away without releasing: so does its lease. */
	ks_store_close(two);
	wait_no_holder(one);
	cr_assert(try_lease(one));
	assert_holder(one, "ks-one");
	ks_store_close(one);
}

typedef struct note_log {
	GPtrArray *lines; /* "KIND EPOCH ORIGIN|GROUP|MEMBER" */
} note_log;

static void log_note(const ks_store_note *n, void *user_data)
{
	note_log *log = user_data;
	const char kinds[] = {'G', 'J', 'L'};

	g_ptr_array_add(log->lines, g_strdup_printf("%c %u %s|%s|%s", kinds[n->kind], n->epoch, n->origin, n->group,
					    n->member != NULL ? n->member : "(none)"));
}

/* Polls |s| until |want| notes arrived (bounded: 5 s), waiting on its
 * listen fd in between. */
static void collect_notes(ks_store *s, note_log *log, unsigned want)
{
	gint64 deadline = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;

	while (log->lines->len < want && g_get_monotonic_time() < deadline) {
		struct pollfd pfd = {.fd = ks_store_listen_fd(s), .events = POLLIN};
		unsigned skipped = 0;
		GError *e = NULL;

		cr_assert_geq(pfd.fd, 0);
		poll(&pfd, 1, 100);
		cr_assert(ks_store_poll_notes(s, log_note, log, &skipped, &e), "poll: %s", e != NULL ? e->message : "?");
		cr_assert_eq(skipped, 0);
	}
}

/* Names with the payload's own separators and non-ASCII letters. */
#define ODD_GROUP "sip:3:grüße 5:x|y@example.org"
#define ODD_MEMBER "sip:ß 12:z@example.org"

Test(store_pg, notifications)
{
	ks_store *a, *b;
	note_log got_b = {g_ptr_array_new_with_free_func(g_free)}, got_a = {g_ptr_array_new_with_free_func(g_free)};
	ks_member_rec m = {.member_id = ODD_MEMBER, .ssrc = 5, .joined_epoch = 4};
	uint8_t buf[48];
	ks_generation g = gen(4, 4, buf, 1);
	GError *e = NULL;
	const char *want[] = {
		"G 4 ks-a|" ODD_GROUP "|(none)",
		"J 4 ks-a|" ODD_GROUP "|" ODD_MEMBER,
		"J 9 ks-a|" ODD_GROUP "|" ODD_MEMBER,
		"L 11 ks-a|" ODD_GROUP "|" ODD_MEMBER,
	};

	need_pg();
	a = open_as("ks-a");
	b = open_as("ks-b");
	ensure(a, ODD_GROUP, 1);
	cr_assert(ks_store_issue_generation(a, ODD_GROUP, &g, NULL));
	/* Refused writes tell no one. */
	cr_assert_not(ks_store_issue_generation(a, ODD_GROUP, &g, NULL));
	cr_assert_not(ks_store_remove_member(a, ODD_GROUP, "sip:nobody@x", 5, NULL));
	cr_assert(ks_store_put_member(a, ODD_GROUP, &m, NULL));
	m.joined_epoch = 9;
	cr_assert(ks_store_put_member(a, ODD_GROUP, &m, NULL));
	cr_assert(ks_store_remove_member(a, ODD_GROUP, ODD_MEMBER, 11, NULL));
	collect_notes(b, &got_b, G_N_ELEMENTS(want));
	cr_assert_eq(got_b.lines->len, G_N_ELEMENTS(want), "%u notes", got_b.lines->len);
	for (size_t i = 0; i < G_N_ELEMENTS(want); i++)
		cr_assert_str_eq(g_ptr_array_index(got_b.lines, i), want[i]);
	/* A saw none of its own; B's write reaches A, named as B's. */
	cr_assert(ks_store_poll_notes(a, log_note, &got_a, NULL, &e), "%s", e != NULL ? e->message : "?");
	cr_assert_eq(got_a.lines->len, 0, "A got its own: %s",
		got_a.lines->len > 0 ? (char *)g_ptr_array_index(got_a.lines, 0) : "");
	issue(b, ODD_GROUP, 5, 5, 2);
	collect_notes(a, &got_a, 1);
	cr_assert_eq(got_a.lines->len, 1);
	cr_assert_str_eq(g_ptr_array_index(got_a.lines, 0), "G 5 ks-b|" ODD_GROUP "|(none)");
	/* A payload that is not ours is skipped and counted. */
	{
		PGconn *c = pg_raw();
		unsigned skipped = 0;
		gint64 deadline = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;

		PQclear(PQexec(c, "NOTIFY mikey_ks, '1 G 7 99:short'"));
		PQclear(PQexec(c, "NOTIFY mikey_ks, 'hello'"));
		PQfinish(c);
		while (skipped < 2 && g_get_monotonic_time() < deadline) {
			unsigned n = 0;
			struct pollfd pfd = {.fd = ks_store_listen_fd(b), .events = POLLIN};

			poll(&pfd, 1, 100);
			cr_assert(ks_store_poll_notes(b, log_note, &got_b, &n, NULL));
			skipped += n;
		}
		cr_assert_eq(skipped, 2);
		cr_assert_eq(got_b.lines->len, G_N_ELEMENTS(want));
	}
	g_ptr_array_unref(got_a.lines);
	g_ptr_array_unref(got_b.lines);
	ks_store_close(b);
	ks_store_close(a);
}

/* ---- concurrent writers ----------------------------------------------- */

#define RACE_EPOCHS 40

typedef struct racer {
	ks_store *s;
	int id;
	GMutex *lock;
	GCond *go;
	bool *started;
	int result[RACE_EPOCHS + 1]; /* 1 issued, 0 refused as reuse, -1 other */
	char *other;
} racer;

static gpointer race(gpointer data)
{
	racer *r = data;

	g_mutex_lock(r->lock);
	while (!*r->started)
		g_cond_wait(r->go, r->lock);
	g_mutex_unlock(r->lock);
	for (uint32_t epoch = 1; epoch <= RACE_EPOCHS; epoch++) {
		uint8_t buf[48];
		/* MKIs never collide: only the epochs race. */
		ks_generation g = gen(epoch, epoch * 2 + (uint32_t)r->id, buf, (uint8_t)r->id);
		GError *e = NULL;

		if (ks_store_issue_generation(r->s, GROUP_A, &g, &e)) {
			r->result[epoch] = 1;
		} else if (e->code == KS_STORE_ERR_REUSE) {
			r->result[epoch] = 0;
		} else {
			r->result[epoch] = -1;
			if (r->other == NULL)
				r->other = g_strdup(e->message);
		}
		g_clear_error(&e);
	}
	return NULL;
}

/* Two key servers issuing the same epochs at once: each epoch is won by
 * exactly one, the other told KS_STORE_ERR_REUSE. */
Test(store, concurrent_issue)
{
	GMutex lock;
	GCond go;
	bool started = false;
	racer r[2] = {{.id = 0}, {.id = 1}};
	GThread *t[2];
	GPtrArray *a = NULL;

	g_mutex_init(&lock);
	g_cond_init(&go);
	for (int i = 0; i < 2; i++) {
		r[i].s = open_as(i == 0 ? "ks-one" : "ks-two");
		r[i].lock = &lock;
		r[i].go = &go;
		r[i].started = &started;
		ensure(r[i].s, GROUP_A, 1);
		t[i] = g_thread_new("racer", race, &r[i]);
	}
	g_mutex_lock(&lock);
	started = true;
	g_cond_broadcast(&go);
	g_mutex_unlock(&lock);
	for (int i = 0; i < 2; i++)
		g_thread_join(t[i]);
	for (int i = 0; i < 2; i++)
		cr_assert_null(r[i].other, "racer %d: %s", i, r[i].other);
	for (int epoch = 1; epoch <= RACE_EPOCHS; epoch++)
		cr_assert_eq(r[0].result[epoch] + r[1].result[epoch], 1, "epoch %d: %d and %d", epoch, r[0].result[epoch],
			r[1].result[epoch]);
	cr_assert(ks_store_list_generations(r[0].s, GROUP_A, &a, NULL));
	cr_assert_eq(a->len, RACE_EPOCHS);
	for (guint i = 0; i < a->len; i++) {
		ks_generation *g = g_ptr_array_index(a, i);
		int winner = r[0].result[i + 1] == 1 ? 0 : 1;

		cr_assert_eq(g->epoch, i + 1);
		cr_assert_eq(g->mki[3], (uint8_t)((i + 1) * 2 + (unsigned)winner), "epoch %u: the loser's MKI", i + 1);
	}
	g_ptr_array_unref(a);
	for (int i = 0; i < 2; i++)
		ks_store_close(r[i].s);
	g_cond_clear(&go);
	g_mutex_clear(&lock);
}

static gpointer open_thread(gpointer data)
{
	ks_store *s = NULL;

	return ks_store_open(spec, key_a, &s, NULL) ? s : NULL;
}

/* Key servers starting together on a new database: one migrates, the
 * others wait for it and find the schema made. */
Test(store_pg, concurrent_open)
{
	GThread *t[4];
	ks_store *s[4];

	need_pg();
	for (int i = 0; i < 4; i++)
		t[i] = g_thread_new("open", open_thread, NULL);
	for (int i = 0; i < 4; i++)
		s[i] = g_thread_join(t[i]);
	for (int i = 0; i < 4; i++) {
		cr_assert_not_null(s[i], "open %d failed", i);
		cr_assert_eq(ks_store_schema_version(s[i]), KS_STORE_SCHEMA_VERSION);
	}
	cr_assert_eq(raw_int("SELECT COUNT(*) FROM schema_version"), KS_STORE_SCHEMA_VERSION);
	cr_assert_eq(raw_int("SELECT COUNT(*) FROM key_check"), 1);
	for (int i = 0; i < 4; i++)
		ks_store_close(s[i]);
}

/* ---- PostgreSQL: connection strings and outages ------------------------ */

/* The value of |key| in the cluster's conninfo (g_free). */
static char *base_option(const char *key)
{
	PQconninfoOption *o = PQconninfoParse(pg_base, NULL), *i;
	char *v = NULL;

	cr_assert_not_null(o);
	for (i = o; i->keyword != NULL; i++) {
		if (strcmp(i->keyword, key) == 0 && i->val != NULL)
			v = g_strdup(i->val);
	}
	PQconninfoFree(o);
	return v;
}

Test(store_pg, pg_conninfo)
{
	char *host, *port, *user, *bad, *uri;
	ks_store *s = NULL;
	GError *e = NULL;

	need_pg();
	host = base_option("host");
	port = base_option("port");
	user = base_option("user");
	/* Messages name the conninfo, never its password. */
	bad = g_strdup_printf("postgresql:%s dbname=no_such_db password=sekrit-pw", pg_base);
	expect_error(ks_store_open(bad, key_a, &s, &e), &e, KS_STORE_ERR_OPEN, "open a missing database");
	cr_assert_null(s);
	cr_assert_not_null(strstr(e->message, "dbname=no_such_db"), "%s", e->message);
	cr_assert_null(strstr(e->message, "sekrit"), "%s", e->message);
	cr_assert_null(strstr(e->message, "password"), "%s", e->message);
	g_clear_error(&e);
	/* A URI works as well as key=value, with its password kept out too. */
	uri = g_strdup_printf("postgresql:postgresql://%s:sekrit2@%s:%s/no_such_db", user, host, port);
	expect_error(ks_store_open(uri, key_a, &s, &e), &e, KS_STORE_ERR_OPEN, "open a missing database by URI");
	cr_assert_null(strstr(e->message, "sekrit2"), "%s", e->message);
	cr_assert_not_null(strstr(e->message, "dbname=no_such_db"), "%s", e->message);
	g_clear_error(&e);
	g_free(uri);
	uri = g_strdup_printf("postgresql:postgresql://%s:sekrit2@%s:%s/%s?connect_timeout=5", user, host, port, pg_db);
	cr_assert(ks_store_open(uri, key_a, &s, &e), "%s", e != NULL ? e->message : "?");
	ensure(s, GROUP_A, 1);
	issue(s, GROUP_A, 1, 1, 1);
	{
		uint8_t buf[48];
		ks_generation g = gen(1, 2, buf, 1);

		expect_error(ks_store_issue_generation(s, GROUP_A, &g, &e), &e, KS_STORE_ERR_REUSE, "reuse by URI");
		cr_assert_null(strstr(e->message, "sekrit2"), "%s", e->message);
		g_clear_error(&e);
	}
	ks_store_close(s);
	g_free(uri);
	g_free(bad);
	g_free(user);
	g_free(port);
	g_free(host);
}

static void pg_ctl(const char *what)
{
	const char *ctl = g_getenv("KS_TEST_PG_CTL");
	char *cmd;
	int status = -1;

	cr_assert_not_null(ctl, "KS_TEST_PG_CTL is not set");
	cmd = g_strdup_printf("%s %s", ctl, what);
	cr_assert(g_spawn_command_line_sync(cmd, NULL, NULL, &status, NULL), "%s", cmd);
	cr_assert(g_spawn_check_wait_status(status, NULL), "%s failed", cmd);
	g_free(cmd);
}

/* Calls |s| until the store is back (bounded: reconnects are at most
 * once a second). */
static void wait_back(ks_store *s)
{
	for (int i = 0; i < 100; i++) {
		unsigned n;

		if (ks_store_generation_count(s, GROUP_A, &n, NULL))
			return;
		g_usleep(100 * 1000);
	}
	cr_assert_fail("the store did not come back after the restart");
}

Test(store_pg, pg_outage, .timeout = 60)
{
	ks_store *a, *b;
	uint8_t buf[48];
	ks_generation g = gen(2, 2, buf, 2), cur;
	ks_member_rec m = {.member_id = "sip:m@x", .ssrc = 1};
	note_log got = {g_ptr_array_new_with_free_func(g_free)};
	GPtrArray *list = NULL;
	bool held = true;
	char *holder = NULL;
	unsigned n = 0;
	GError *e = NULL;

	need_pg();
	cr_assert_not_null(g_getenv("KS_TEST_PG_CTL"), "KS_TEST_PG_CTL is not set (tests/sip/pgcluster.py run sets it)");
	a = open_as("ks-a");
	ensure(a, GROUP_A, 1);
	issue(a, GROUP_A, 1, 1, 1);
	cr_assert(try_lease(a));
	cr_assert_eq(ks_store_connection_serial(a), 1);
	pg_ctl("stop");
	/* Every call fails as unavailable, naming the store. */
	expect_error(ks_store_issue_generation(a, GROUP_A, &g, &e), &e, KS_STORE_ERR_UNAVAILABLE, "issue while down");
	cr_assert_not_null(strstr(e->message, where), "%s", e->message);
	g_clear_error(&e);
	cr_assert_eq(ks_store_listen_fd(a), -1);
	expect_error(ks_store_put_member(a, GROUP_A, &m, &e), &e, KS_STORE_ERR_UNAVAILABLE, "put while down");
	g_clear_error(&e);
	expect_error(ks_store_current_generation(a, GROUP_A, &cur, &e), &e, KS_STORE_ERR_UNAVAILABLE, "read while down");
	g_clear_error(&e);
	expect_error(ks_store_try_lease(a, GROUP_A, &held, &e), &e, KS_STORE_ERR_UNAVAILABLE, "lease while down");
	cr_assert_not(held);
	g_clear_error(&e);
	expect_error(ks_store_poll_notes(a, log_note, &got, NULL, &e), &e, KS_STORE_ERR_UNAVAILABLE, "poll while down");
	g_clear_error(&e);
	expect_error(ks_store_list_groups(a, &list, &e), &e, KS_STORE_ERR_UNAVAILABLE, "list while down");
	g_clear_error(&e);
	g_usleep(1100 * 1000); /* past the once-a-second limit: a real reconnect attempt fails too */
	expect_error(ks_store_generation_count(a, GROUP_A, &n, &e), &e, KS_STORE_ERR_UNAVAILABLE, "count while down");
	g_clear_error(&e);
	cr_assert_eq(ks_store_connection_serial(a), 1);
	pg_ctl("start");
	wait_back(a);
	cr_assert_eq(ks_store_connection_serial(a), 2, "serial %u", ks_store_connection_serial(a));
	cr_assert_geq(ks_store_listen_fd(a), 0);
	/* Nothing of the failed calls happened. */
	cr_assert_eq(count(a, GROUP_A), 1);
	assert_current(a, GROUP_A, 1, 1, 1);
	cr_assert(ks_store_list_members(a, GROUP_A, &list, NULL));
	cr_assert_eq(list->len, 0);
	g_ptr_array_unref(list);
	/* The lease went with the old session; it can be taken again. */
	cr_assert(ks_store_lease_holder(a, GROUP_A, &holder, NULL));
	cr_assert_null(holder, "holder %s", holder);
	b = open_as("ks-b");
	cr_assert(try_lease(b));
	cr_assert_not(try_lease(a));
	cr_assert(ks_store_release_lease(b, GROUP_A, NULL));
	cr_assert(try_lease(a));
	assert_holder(b, "ks-a");
	/* LISTEN again: B's write reaches A. */
	cr_assert(ks_store_issue_generation(b, GROUP_A, &g, NULL));
	collect_notes(a, &got, 1);
	cr_assert_eq(got.lines->len, 1);
	cr_assert_str_eq(g_ptr_array_index(got.lines, 0), "G 2 ks-b|" GROUP_A "|(none)");
	/* And A writes again. */
	issue(a, GROUP_A, 3, 3, 3);
	g_ptr_array_unref(got.lines);
	ks_store_close(b);
	ks_store_close(a);
}
