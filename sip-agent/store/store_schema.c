/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * store_schema.c - the migrations and the statements both back ends run.
 * Migrations: append, never edit; a store that ran migration N must find
 * the same N in every later build.
 */
#include "store_schema.h"

#include <glib.h>

#define BLOB_TOKEN "@BLOB@"

const char ks_schema_version_table[] =
	"CREATE TABLE IF NOT EXISTS schema_version ("
	" version INTEGER PRIMARY KEY,"
	" applied_at BIGINT NOT NULL)";

static const char *const migrations[KS_STORE_SCHEMA_VERSION] = {
	/* 1: groups, the generations each issued, their members. */
	"CREATE TABLE key_groups ("
	" id INTEGER PRIMARY KEY,"
	" name TEXT NOT NULL UNIQUE,"
	" csb_id BIGINT NOT NULL CHECK (csb_id BETWEEN 0 AND 4294967295),"
	" created_at BIGINT NOT NULL);"
	"CREATE TABLE generations ("
	" group_id INTEGER NOT NULL REFERENCES key_groups (id),"
	" epoch BIGINT NOT NULL CHECK (epoch BETWEEN 0 AND 4294967295),"
	" mki " BLOB_TOKEN " NOT NULL CHECK (length(mki) BETWEEN 1 AND 4),"
	" secret " BLOB_TOKEN " NOT NULL,"
	" issued_at BIGINT NOT NULL,"
	" PRIMARY KEY (group_id, epoch),"
	" UNIQUE (group_id, mki));"
	"CREATE TABLE members ("
	" group_id INTEGER NOT NULL REFERENCES key_groups (id),"
	" seq INTEGER NOT NULL,"
	" member_id TEXT NOT NULL,"
	" ssrc BIGINT NOT NULL CHECK (ssrc BETWEEN 0 AND 4294967295),"
	" roc BIGINT NOT NULL CHECK (roc BETWEEN 0 AND 4294967295),"
	" joined_epoch BIGINT NOT NULL CHECK (joined_epoch BETWEEN 0 AND 4294967295),"
	" left_epoch BIGINT CHECK (left_epoch BETWEEN 0 AND 4294967295),"
	" attrs TEXT,"
	" updated_at BIGINT NOT NULL,"
	" PRIMARY KEY (group_id, seq));"
	/* One current row per member; rows of members who left stay as history. */
	"CREATE UNIQUE INDEX members_current ON members (group_id, member_id) WHERE left_epoch IS NULL",

	/* 2: a known value wrapped under the master key, to refuse another key at open. */
	"CREATE TABLE key_check ("
	" id INTEGER PRIMARY KEY CHECK (id = 1),"
	" wrapped " BLOB_TOKEN " NOT NULL)",
};

const char *const ks_sql[KS_SQL_N] = {
	[KS_SQL_GROUP_GET] = "SELECT id, csb_id FROM key_groups WHERE name = ?1",
	/* Ids assigned here, not generated: the schema stays portable. */
	[KS_SQL_GROUP_INSERT] = "INSERT INTO key_groups (id, name, csb_id, created_at)"
		" SELECT COALESCE(MAX(id), 0) + 1, ?1, ?2, ?3 FROM key_groups",
	[KS_SQL_GROUP_LIST] = "SELECT name FROM key_groups ORDER BY id",
	[KS_SQL_GEN_TOP] = "SELECT epoch, mki, secret, issued_at FROM generations WHERE group_id = ?1"
		" ORDER BY epoch DESC LIMIT 1",
	[KS_SQL_GEN_BY_MKI] = "SELECT epoch FROM generations WHERE group_id = ?1 AND mki = ?2",
	[KS_SQL_GEN_INSERT] = "INSERT INTO generations (group_id, epoch, mki, secret, issued_at) VALUES (?1, ?2, ?3, ?4, ?5)",
	[KS_SQL_GEN_COUNT] = "SELECT COUNT(*) FROM generations WHERE group_id = ?1",
	[KS_SQL_GEN_LIST] = "SELECT epoch, mki, secret, issued_at FROM generations WHERE group_id = ?1 ORDER BY epoch",
	[KS_SQL_MEMBER_UPDATE] = "UPDATE members SET ssrc = ?3, roc = ?4, joined_epoch = ?5, attrs = ?6, updated_at = ?7"
		" WHERE group_id = ?1 AND member_id = ?2 AND left_epoch IS NULL",
	[KS_SQL_MEMBER_INSERT] = "INSERT INTO members (group_id, seq, member_id, ssrc, roc, joined_epoch, attrs, updated_at)"
		" SELECT ?1, COALESCE(MAX(seq), 0) + 1, ?2, ?3, ?4, ?5, ?6, ?7 FROM members WHERE group_id = ?1",
	[KS_SQL_MEMBER_REMOVE] = "UPDATE members SET left_epoch = ?3, updated_at = ?4"
		" WHERE group_id = ?1 AND member_id = ?2 AND left_epoch IS NULL",
	[KS_SQL_MEMBER_LIST] = "SELECT member_id, ssrc, roc, joined_epoch, attrs FROM members"
		" WHERE group_id = ?1 AND left_epoch IS NULL ORDER BY seq",
	[KS_SQL_CHECK_GET] = "SELECT wrapped FROM key_check WHERE id = 1",
	[KS_SQL_CHECK_PUT] = "INSERT INTO key_check (id, wrapped) VALUES (1, ?1) ON CONFLICT (id) DO NOTHING",
};

char *ks_schema_migration(int version, const char *blob_type)
{
	char **parts;
	char *sql;

	if (version < 1 || version > KS_STORE_SCHEMA_VERSION || blob_type == NULL)
		return NULL;
	parts = g_strsplit(migrations[version - 1], BLOB_TOKEN, -1);
	sql = g_strjoinv(blob_type, parts);
	g_strfreev(parts);
	return sql;
}
