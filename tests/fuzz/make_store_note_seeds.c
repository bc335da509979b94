/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * make_store_note_seeds DIR: genuine store notifications (store_note.c's
 * formatter) as seeds for fuzz_store_note.
 */
#include <stdio.h>

#include "store_note.h"

int main(int argc, char **argv)
{
	const ks_store_note notes[] = {
		{.kind = KS_NOTE_GENERATION, .group = "conf", .epoch = 7, .origin = "ks1"},
		{.kind = KS_NOTE_JOIN, .group = "conf", .member = "sip:alice@example.org", .epoch = 1, .origin = "ks2"},
		{.kind = KS_NOTE_LEAVE, .group = "gr\xc3\xbcppe 1", .member = "sip:b@example.org", .epoch = 4294967295u,
		 .origin = "sip:ks@example.org@sip:127.0.0.1:5070"},
	};

	if (argc != 2) {
		fprintf(stderr, "usage: make_store_note_seeds DIR\n");
		return 2;
	}
	for (size_t i = 0; i < sizeof(notes) / sizeof(notes[0]); i++) {
		char *text = ks_note_format(&notes[i]);
		char *path = g_strdup_printf("%s/note-%zu.bin", argv[1], i);
		gboolean ok = text != NULL && g_file_set_contents(path, text, -1, NULL);
		g_free(text);
		g_free(path);
		if (!ok)
			return 1;
	}
	return 0;
}
