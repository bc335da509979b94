/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* input.c - see input.h. */
#include "input.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int tool_read_input(const char *path, uint8_t **out, size_t *len)
{
	const int use_stdin = path == NULL || strcmp(path, "-") == 0;
	const char *name = use_stdin ? "<stdin>" : path;
	FILE *f = use_stdin ? stdin : fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t cap = 0, n = 0;
	int rc = -1;

	if (f == NULL) {
		fprintf(stderr, "mikey-tool: cannot open %s: %s\n", name, strerror(errno));
		return -1;
	}
	for (;;) {
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 4096;
			uint8_t *nbuf;
			if (cap >= TOOL_INPUT_MAX) {
				fprintf(stderr, "mikey-tool: %s: input larger than %zu bytes\n", name, TOOL_INPUT_MAX);
				goto out;
			}
			nbuf = realloc(buf, ncap);
			if (nbuf == NULL) {
				fprintf(stderr, "mikey-tool: %s: out of memory\n", name);
				goto out;
			}
			buf = nbuf;
			cap = ncap;
		}
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0) {
			if (ferror(f)) {
				fprintf(stderr, "mikey-tool: cannot read %s: %s\n", name, strerror(errno));
				goto out;
			}
			break;
		}
	}
	*out = buf;
	*len = n;
	buf = NULL;
	rc = 0;
out:
	free(buf);
	if (!use_stdin)
		fclose(f);
	return rc;
}
