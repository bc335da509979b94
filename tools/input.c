/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* input.c - see input.h. */
#include "input.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mikey/mem.h>

/* A file name for a message: at most 200 characters, then "...". */
#define NAME_FMT "%.200s%s"
#define NAME_ARG(n) (n), strlen(n) > 200 ? "..." : ""

/* Reads at most |max| bytes of |f|; one more byte is an error. The buffer
 * has a NUL after the data. Returns 0 or -1 after printing why. */
static int read_bounded(const char *prefix, const char *name, const char *what, FILE *f, size_t max, uint8_t **out,
                        size_t *len)
{
	uint8_t *buf = NULL;
	size_t cap = 0, n = 0;
	int rc = -1;

	for (;;) {
		if (n == cap) {
			if (cap > max) {
				fprintf(stderr, "%s: %s%s" NAME_FMT ": larger than %zu bytes (the limit)\n", prefix, what ? what : "",
				        what ? " " : "", NAME_ARG(name), max);
				goto out;
			}
			size_t ncap = cap ? cap * 2 : 4096;
			if (ncap > max + 1)
				ncap = max + 1;
			uint8_t *nbuf = realloc(buf, ncap + 1);
			if (nbuf == NULL) {
				fprintf(stderr, "%s: " NAME_FMT ": out of memory\n", prefix, NAME_ARG(name));
				rc = -2;
				goto out;
			}
			buf = nbuf;
			cap = ncap;
		}
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0) {
			if (ferror(f)) {
				fprintf(stderr, "%s: cannot read %s%s" NAME_FMT ": %s\n", prefix, what ? what : "", what ? " " : "",
				        NAME_ARG(name), strerror(errno));
				goto out;
			}
			break;
		}
	}
	if (n > max) {
		fprintf(stderr, "%s: %s%s" NAME_FMT ": larger than %zu bytes (the limit)\n", prefix, what ? what : "",
		        what ? " " : "", NAME_ARG(name), max);
		goto out;
	}
	if (buf == NULL && (buf = malloc(1)) == NULL) {
		fprintf(stderr, "%s: " NAME_FMT ": out of memory\n", prefix, NAME_ARG(name));
		rc = -2;
		goto out;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	buf = NULL;
	rc = 0;
out:
	if (buf != NULL) {
		mikey_wipe(buf, n);
		free(buf);
	}
	return rc;
}

int tool_read_input(const char *path, uint8_t **out, size_t *len)
{
	const int use_stdin = path == NULL || strcmp(path, "-") == 0;
	const char *name = use_stdin ? "<stdin>" : path;
	FILE *f = use_stdin ? stdin : fopen(path, "rb");
	int rc;

	if (f == NULL) {
		fprintf(stderr, "mikey-tool: cannot open " NAME_FMT ": %s\n", NAME_ARG(name), strerror(errno));
		return -1;
	}
	rc = read_bounded("mikey-tool", name, NULL, f, TOOL_INPUT_MAX, out, len);
	if (!use_stdin)
		fclose(f);
	return rc;
}

int tool_read_file(const char *verb, const char *what, const char *path, size_t max, uint8_t **out, size_t *len)
{
	char prefix[64];
	snprintf(prefix, sizeof(prefix), "mikey-tool %s", verb);
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		fprintf(stderr, "%s: %s: cannot open " NAME_FMT ": %s\n", prefix, what, NAME_ARG(path), strerror(errno));
		return -1;
	}
	int rc = read_bounded(prefix, path, what, f, max, out, len);
	fclose(f);
	return rc;
}

long tool_text_bad_char(const uint8_t *p, size_t len)
{
	/* MIKEY binary starts with version 1 (RFC 3830 Sec. 6.1); text
	 * carriers (hex, base64, SDP, RTSP) hold no control characters. */
	if (len == 0 || p[0] == 0x01)
		return -1;
	for (size_t i = 0; i < len; i++) {
		uint8_t c = p[i];
		if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\v' && c != '\f') || c == 0x7f)
			return (long)i;
	}
	return -1;
}
