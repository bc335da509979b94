/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * store.h - the key server's durable state, behind a small interface.
 *
 * What a key server must not forget across a crash (SIGKILL included):
 * its groups and their CSB IDs, every generation (epoch, MKI, key
 * material) it issued, and the members of each group with what they told
 * it (SSRC, ROC, TESLA parameters, contact). RFC 3830 §4.5 rekeys under
 * the same CSB ID with a new MKI: an epoch or MKI issued twice with other
 * key material reuses SRTP keystream, so ks_store_issue_generation refuses
 * any epoch that does not move forward and any MKI the group used before,
 * in one transaction.
 *
 * Key material is stored wrapped (AES key wrap with padding, RFC 5649,
 * under a 256-bit master key the caller reads from a file), never in
 * clear; the master key lives only in this process's memory and is wiped
 * on close. Each secret is wrapped together with its row's epoch, MKI and
 * a SHA-256 of its group name, and unwrapping checks them against the
 * row, so a wrapped blob copied to another row is refused
 * (KS_STORE_ERR_WRAP), not taken for that row's key material. The first
 * open also stores a key check wrapped under the master key; a later open
 * under another master key fails with KS_STORE_ERR_WRAP, so a store is
 * never written under two master keys. docs/sip-agent-store.md has the
 * schema and the formats.
 *
 * Back ends, through the ops table in store_backend.h: "sqlite:PATH" (or
 * a bare PATH), one key server per file; "postgresql:CONNINFO" (libpq
 * connection string or URI), any number of key servers on one database,
 * with the lease and notification calls at the end of this file.
 *
 * Ownership: ks_store_open returns a store the caller closes with
 * ks_store_close. Records returned are the caller's: free them with the
 * _free / _clear functions named beside them (secrets are wiped).
 * Errors: GError in KS_STORE_ERROR with the codes below; the message says
 * what and where (file, group, epoch). A failed call changes nothing.
 * A call naming a group that ks_store_ensure_group never made fails with
 * KS_STORE_ERR_NOT_FOUND.
 * Not thread-safe: one store per thread.
 */
#ifndef KS_STORE_H
#define KS_STORE_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KS_STORE_ERROR (ks_store_error_quark())
GQuark ks_store_error_quark(void);

typedef enum {
	KS_STORE_ERR_OPEN,      /* cannot open / create / migrate the store */
	KS_STORE_ERR_IO,        /* a statement failed (disk full, locked, ...) */
	KS_STORE_ERR_NOT_FOUND, /* no such group / generation / member */
	KS_STORE_ERR_REUSE,     /* an epoch not above the last, or an MKI used before */
	KS_STORE_ERR_WRAP,      /* key material does not unwrap under this master key */
	KS_STORE_ERR_ARG,       /* bad argument (NULL, too long, ...) */
	KS_STORE_ERR_MASTER_KEY, /* master key file missing, unreadable, wrong size or mode */
	KS_STORE_ERR_UNAVAILABLE /* the database cannot be reached now (retry later) */
} KsStoreError;

#define KS_MASTER_KEY_LEN 32
#define KS_MKI_MAX 4
#define KS_SECRET_MAX 512

typedef struct ks_store ks_store;

/* ks_master_key_load reads the 256-bit master key from |path|: 32 raw
 * bytes or 64 hex digits (a trailing newline allowed). With |create| true
 * and no file there, draws a new key from OpenSSL's RNG and writes it with
 * mode 0600 (O_EXCL). A file readable by group or others is refused. */
bool ks_master_key_load(const char *path, bool create, uint8_t key[KS_MASTER_KEY_LEN], GError **err);

/* ks_store_open opens (creating and migrating the schema when needed) the
 * store named by |spec| ("sqlite:PATH" or PATH) with |master_key| (copied).
 * A new SQLite file is made with mode 0600. An unknown "name:" prefix is
 * KS_STORE_ERR_ARG (write ./name:x for such a file); a master key other
 * than the store's first is KS_STORE_ERR_WRAP. */
bool ks_store_open(const char *spec, const uint8_t master_key[KS_MASTER_KEY_LEN], ks_store **out, GError **err);
/* ks_store_open_as: the same, naming this key server |instance| (NULL:
 * "mikey-sip-agent"): PostgreSQL's application_name, so lease holders and
 * notification origins name it (ks_store_lease_holder, ks_store_note). */
bool ks_store_open_as(const char *spec, const char *instance, const uint8_t master_key[KS_MASTER_KEY_LEN],
	ks_store **out, GError **err);
void ks_store_close(ks_store *s);

/* ks_store_schema_version returns the schema version the store is at
 * (-1 for a NULL store). */
int ks_store_schema_version(ks_store *s);

/* ks_store_ensure_group: the group named |group| (its SIP URI); created
 * with CSB ID |csb_id| when absent. *csb_id_out gets the stored CSB ID
 * (the old one when the group existed); |csb_id_out| may be NULL.
 * Names (group, member_id) are non-empty UTF-8. */
bool ks_store_ensure_group(ks_store *s, const char *group, uint32_t csb_id, uint32_t *csb_id_out, GError **err);

/* ks_store_list_groups: the names of every group (a GPtrArray of char*
 * with g_free as its free function), in creation order. */
bool ks_store_list_groups(ks_store *s, GPtrArray **out, GError **err);

/* One generation: epoch, MKI and key material (opaque to the store, e.g.
 * TGK || salt || RAND as the key server lays it out). */
typedef struct ks_generation {
	uint32_t epoch;
	uint8_t mki[KS_MKI_MAX];
	size_t mki_len;
	uint8_t *secret; /* unwrapped; ks_generation_clear wipes and frees it */
	size_t secret_len;
	gint64 issued_at; /* g_get_real_time() at issue (microseconds) */
} ks_generation;

void ks_generation_clear(ks_generation *g);

/* ks_store_issue_generation records generation |g| of |group| before the
 * key server sends it: refused with KS_STORE_ERR_REUSE when g->epoch is
 * not above every epoch the group issued or g->mki was issued before for
 * the group. secret_len 1 to KS_SECRET_MAX; mki_len 1 to KS_MKI_MAX (a
 * generation without an MKI could not be told from the next).
 * g->issued_at is stored as given, or as g_get_real_time() when 0. */
bool ks_store_issue_generation(ks_store *s, const char *group, const ks_generation *g, GError **err);

/* ks_store_current_generation: the group's highest epoch, unwrapped into
 * *out (ks_generation_clear it; zeroed first, so clearing after a failure
 * is safe too). KS_STORE_ERR_NOT_FOUND when none. */
bool ks_store_current_generation(ks_store *s, const char *group, ks_generation *out, GError **err);

/* ks_store_generation_count: how many generations the group issued. */
bool ks_store_generation_count(ks_store *s, const char *group, unsigned *out, GError **err);

/* A member of a group as the key server knows it. |attrs| is the key
 * server's own text (e.g. a GKeyFile) for what the store need not
 * understand: contact, media address, TESLA parameters. */
typedef struct ks_member_rec {
	char *member_id; /* its MIKEY / SIP identity */
	uint32_t ssrc;
	uint32_t roc;
	uint32_t joined_epoch;
	char *attrs;
} ks_member_rec;

void ks_member_rec_free(ks_member_rec *m);

/* ks_store_put_member inserts or replaces (by member_id) a current member.
 * A replaced member keeps its place in the joining order; one that left
 * and comes back joins anew, at the end. |attrs| may be NULL. */
bool ks_store_put_member(ks_store *s, const char *group, const ks_member_rec *m, GError **err);

/* ks_store_remove_member marks |member_id| as gone (left at |epoch|); its
 * row stays as history. KS_STORE_ERR_NOT_FOUND when not a member. */
bool ks_store_remove_member(ks_store *s, const char *group, const char *member_id, uint32_t epoch, GError **err);

/* ks_store_list_members: the current members (GPtrArray of ks_member_rec*
 * freeing with ks_member_rec_free), in joining order. */
bool ks_store_list_members(ks_store *s, const char *group, GPtrArray **out, GError **err);

/* ks_store_list_generations: every generation the group issued, in epoch
 * order, unwrapped (a GPtrArray of ks_generation* freeing with
 * ks_generation_free). For audits and tests: the key server itself only
 * needs the current one. */
bool ks_store_list_generations(ks_store *s, const char *group, GPtrArray **out, GError **err);
void ks_generation_free(ks_generation *g);

/* ---- several key servers on one store (PostgreSQL) ---------------------
 *
 * Leases: one key server at a time drives a group (issues its
 * generations, keeps its members' dialogs). ks_store_try_lease takes the
 * group's lease for this store connection when no other connection holds
 * it (*held true, also when this one held it already) and never waits. On
 * PostgreSQL it is a session advisory lock keyed by the group's id, so it
 * goes when its holder's connection goes (a process killed, a database
 * restart): see ks_store_connection_serial. SQLite has one key server per
 * file: the lease is always granted there.
 *
 * Lost connections: a call that finds the database unreachable fails
 * with KS_STORE_ERR_UNAVAILABLE and changes nothing; the next call tries
 * to connect again (at most once a second), so a caller retries by
 * calling again. Nothing is served from memory meanwhile.
 */
bool ks_store_try_lease(ks_store *s, const char *group, bool *held, GError **err);
/* ks_store_release_lease: give the lease back (no-op when not held). */
bool ks_store_release_lease(ks_store *s, const char *group, GError **err);
/* ks_store_lease_holder: the application_name of the connection holding
 * the group's lease (the key server's instance name), or NULL in *holder
 * when none holds it (g_free it). SQLite: always NULL. */
bool ks_store_lease_holder(ks_store *s, const char *group, char **holder, GError **err);

/* ks_store_connection_serial: counts the connections this store made,
 * from 1 after open. When it moved since a lease was taken, the
 * connection that held that lease is gone and so is the lease. */
unsigned ks_store_connection_serial(ks_store *s);

/* Notifications (PostgreSQL LISTEN/NOTIFY on channel "mikey_ks"). A
 * committed ks_store_issue_generation, ks_store_put_member or
 * ks_store_remove_member tells every other connection on the database,
 * in the same transaction (sent only if it commits). Also on open (and
 * every reconnect) the store LISTENs. SQLite: no notifications. */
typedef enum {
	KS_NOTE_GENERATION, /* epoch: the one issued */
	KS_NOTE_JOIN,       /* member: put; epoch: its joined_epoch */
	KS_NOTE_LEAVE,      /* member: removed; epoch: its left epoch */
} KsStoreNoteKind;

typedef struct ks_store_note {
	KsStoreNoteKind kind;
	const char *group;
	const char *member; /* NULL for KS_NOTE_GENERATION */
	uint32_t epoch;
	const char *origin; /* the sender's application_name (instance name) */
} ks_store_note;

/* ks_store_listen_fd: a file descriptor that becomes readable when
 * notifications may be waiting (PostgreSQL's socket), or -1 (SQLite, or
 * not connected now). It changes on reconnect: read it again after each
 * ks_store_poll_notes. */
int ks_store_listen_fd(ks_store *s);
/* ks_store_poll_notes: reads what arrived and calls |cb| for each note
 * sent by another connection (this connection's own are skipped), in
 * order. Malformed payloads are skipped (counted in *skipped when not
 * NULL). Fails with KS_STORE_ERR_UNAVAILABLE when the connection is lost
 * (reconnects at the next call). */
typedef void (*ks_store_note_fn)(const ks_store_note *note, void *user_data);
bool ks_store_poll_notes(ks_store *s, ks_store_note_fn cb, void *user_data, unsigned *skipped, GError **err);

#endif
