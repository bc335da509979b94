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

#endif
