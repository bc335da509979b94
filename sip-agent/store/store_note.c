/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * store_note.c - the text of a store notification (store_note.h).
 */
#include "store_note.h"

#include <string.h>

#define NOTE_FORMAT '1'

static char kind_char(KsStoreNoteKind k)
{
	return k == KS_NOTE_GENERATION ? 'G' : k == KS_NOTE_JOIN ? 'J' : 'L';
}

static void append_field(GString *s, const char *v)
{
	g_string_append_printf(s, "%zu:%s", strlen(v), v);
}

char *ks_note_format(const ks_store_note *note)
{
	GString *s = g_string_new(NULL);

	g_string_printf(s, "%c %c %" G_GUINT32_FORMAT " ", NOTE_FORMAT, kind_char(note->kind), note->epoch);
	append_field(s, note->origin);
	append_field(s, note->group);
	if (note->kind != KS_NOTE_GENERATION)
		append_field(s, note->member);
	if (s->len > KS_NOTE_MAX) {
		g_string_free(s, TRUE);
		return NULL;
	}
	return g_string_free(s, FALSE);
}

/* Reads "LENGTH:BYTES" at *p into a new string: NULL when malformed,
 * empty or not UTF-8. */
static char *take_field(const char **p, const char *end)
{
	const char *q = *p;
	size_t n = 0;

	if (q >= end || !g_ascii_isdigit(*q))
		return NULL;
	for (; q < end && g_ascii_isdigit(*q); q++) {
		n = n * 10 + (size_t)(*q - '0');
		if (n > KS_NOTE_MAX)
			return NULL;
	}
	if (q >= end || *q != ':' || n == 0 || (size_t)(end - q - 1) < n || !g_utf8_validate(q + 1, (gssize)n, NULL))
		return NULL;
	*p = q + 1 + n;
	return g_strndup(q + 1, n);
}

bool ks_note_parse(const char *payload, ks_store_note *note, char *f[3])
{
	const char *p = payload, *end = payload + strlen(payload);
	guint64 epoch = 0;
	int digits = 0;

	f[0] = f[1] = f[2] = NULL;
	if (end - p < 4 || p[0] != NOTE_FORMAT || p[1] != ' ' || p[3] != ' ')
		return false;
	switch (p[2]) {
	case 'G': note->kind = KS_NOTE_GENERATION; break;
	case 'J': note->kind = KS_NOTE_JOIN; break;
	case 'L': note->kind = KS_NOTE_LEAVE; break;
	default: return false;
	}
	for (p += 4; p < end && g_ascii_isdigit(*p) && digits < 10; p++, digits++)
		epoch = epoch * 10 + (guint64)(*p - '0');
	if (digits == 0 || epoch > G_MAXUINT32 || p >= end || *p++ != ' ')
		return false;
	note->epoch = (uint32_t)epoch;
	f[0] = take_field(&p, end);
	f[1] = take_field(&p, end);
	if (note->kind != KS_NOTE_GENERATION)
		f[2] = take_field(&p, end);
	if (f[0] == NULL || f[1] == NULL || (note->kind != KS_NOTE_GENERATION && f[2] == NULL) || p != end)
		return false;
	note->origin = f[0];
	note->group = f[1];
	note->member = f[2];
	return true;
}
