/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * summary_file.h - a JSON summary written with mikey-tool's JSON writer
 * (tools/json.h) into memory, then to its file in one step
 * (g_file_set_contents), so that a reader never sees half a document.
 */
#ifndef AGENT_SUMMARY_FILE_H
#define AGENT_SUMMARY_FILE_H

#include <stddef.h>
#include <stdio.h>

#include "json.h"

typedef struct summary {
	json_writer w;
	FILE *f;
	char *buf;
	size_t len;
} summary;

/* summary_open starts a document in memory and returns its writer (one
 * that writes nowhere when memory runs out). */
json_writer *summary_open(summary *s);
/* summary_close ends the document and writes it to |path| (NULL: nowhere),
 * saying so on stderr when it cannot; frees the memory either way. */
void summary_close(summary *s, const char *path);

#endif
