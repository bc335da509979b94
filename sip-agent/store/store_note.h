/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * store_note.h - the text of a store notification (PostgreSQL NOTIFY
 * payload on channel "mikey_ks"; docs/sip-agent-store.md):
 *   "1 KIND EPOCH " then origin, group and (JOIN, LEAVE) member, each as
 *   LENGTH:BYTES (decimal length, non-empty UTF-8), so any name round-trips.
 * KIND is G (generation), J (join) or L (leave). The payload comes from
 * other processes on the database: parsing is bounded and refuses
 * anything else. Internal to the store.
 */
#ifndef KS_STORE_NOTE_H
#define KS_STORE_NOTE_H

#include <glib.h>
#include <stdbool.h>

#include "store.h"

/* PostgreSQL refuses a payload of 8000 bytes or more. */
#define KS_NOTE_MAX 7999

/* ks_note_format: the payload for |note| (origin, group, and member for
 * joins and leaves, non-NULL), or NULL when it would pass KS_NOTE_MAX
 * bytes. g_free it. */
char *ks_note_format(const ks_store_note *note);

/* ks_note_parse: |payload| (NUL-terminated) into |note|, whose strings
 * are put in f[0..2] (g_free each, also after a failure). */
bool ks_note_parse(const char *payload, ks_store_note *note, char *f[3]);

#endif
