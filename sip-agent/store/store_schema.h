/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * store_schema.h - the schema every back end applies, as numbered
 * migrations in SQL both SQLite and PostgreSQL read: INTEGER, BIGINT
 * (PostgreSQL's INTEGER is 32-bit signed; epochs, SSRCs and times are
 * not), TEXT, and the binary type a back end names (BLOB, BYTEA). No
 * generated keys: the back ends assign ids and sequence numbers
 * themselves, inside their transactions.
 */
#ifndef KS_STORE_SCHEMA_H
#define KS_STORE_SCHEMA_H

#define KS_STORE_SCHEMA_VERSION 2

/* The bookkeeping table, created (if absent) before any migration. */
extern const char ks_schema_version_table[];

/* ks_schema_migration: the statements (';'-separated) that take the schema
 * from version - 1 to |version| (1 to KS_STORE_SCHEMA_VERSION), with
 * |blob_type| as the binary column type; g_free it. NULL when out of range. */
char *ks_schema_migration(int version, const char *blob_type);

/* The statements both back ends run, with ?N parameters (store_pg.c
 * rewrites them to $N); ks_sql[KS_SQL_...]. */
enum {
	KS_SQL_GROUP_GET,    /* ?1 name: id, csb_id */
	KS_SQL_GROUP_INSERT, /* ?1 name, ?2 csb_id, ?3 now */
	KS_SQL_GROUP_LIST,   /* names in creation order */
	KS_SQL_GEN_TOP,      /* ?1 group id: epoch, mki, secret, issued_at */
	KS_SQL_GEN_BY_MKI,   /* ?1 group id, ?2 mki: epoch */
	KS_SQL_GEN_INSERT,   /* ?1 group id, ?2 epoch, ?3 mki, ?4 secret, ?5 issued_at */
	KS_SQL_GEN_COUNT,    /* ?1 group id */
	KS_SQL_GEN_LIST,     /* ?1 group id: as GEN_TOP, every row by epoch */
	KS_SQL_MEMBER_UPDATE, /* ?1 group id, ?2 member, ?3 ssrc, ?4 roc, ?5 joined, ?6 attrs, ?7 now */
	KS_SQL_MEMBER_INSERT, /* the same values */
	KS_SQL_MEMBER_REMOVE, /* ?1 group id, ?2 member, ?3 left epoch, ?4 now */
	KS_SQL_MEMBER_LIST,   /* ?1 group id: member_id, ssrc, roc, joined_epoch, attrs */
	KS_SQL_CHECK_GET,
	KS_SQL_CHECK_PUT, /* ?1 wrapped */
	KS_SQL_N
};
extern const char *const ks_sql[KS_SQL_N];

#endif
