/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fuzz_store_note: the key server's store notifications (PostgreSQL NOTIFY
 * payloads other processes on the database send; sip-agent/store/
 * store_note.c). Every payload either fails to parse or parses into a
 * note that formats back into a payload parsing to the same note.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store_note.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool same(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A payload arrives as a C string. */
	char *payload = g_strndup((const char *)data, size);
	ks_store_note note, again;
	char *f[3], *g[3] = {NULL, NULL, NULL};

	memset(&note, 0, sizeof(note));
	memset(&again, 0, sizeof(again));
	if (ks_note_parse(payload, &note, f)) {
		char *text = ks_note_format(&note);
		/* What parsed is no longer than what came, so it fits again. */
		if (text == NULL || !ks_note_parse(text, &again, g) || again.kind != note.kind ||
		    again.epoch != note.epoch || !same(again.origin, note.origin) || !same(again.group, note.group) ||
		    !same(again.member, note.member))
			abort();
		g_free(text);
	}
	for (int i = 0; i < 3; i++) {
		g_free(f[i]);
		g_free(g[i]);
	}
	g_free(payload);
	return 0;
}
