/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * roundtrip DIR: for every corpus message DIR/NNN.bin files, parse must succeed and
 * build(parse(m)) must reproduce the file byte for byte (issue: the codec
 * must round-trip every valid message exactly). Prints "N passed, N failed".
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mikey/msg.h"

static int check(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		printf("FAIL %s: cannot open\n", path);
		return 0;
	}
	static uint8_t buf[1 << 17];
	size_t n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	mikey_msg *m = NULL;
	mikey_error err;
	int rc = mikey_msg_parse(buf, n, NULL, &m, &err);
	if (rc != MIKEY_OK) {
		printf("FAIL %s: parse: %s (%s) at offset %zu\n", path, mikey_error_name(rc), err.message, err.offset);
		return 0;
	}
	uint8_t *out = NULL;
	size_t out_len = 0;
	rc = mikey_msg_build(m, &out, &out_len, &err);
	int ok = rc == MIKEY_OK && out_len == n && memcmp(out, buf, n) == 0;
	if (!ok) {
		size_t at = 0;
		while (rc == MIKEY_OK && at < n && at < out_len && out[at] == buf[at])
			at++;
		printf("FAIL %s: build %s, %zu bytes vs %zu, first difference at %zu\n", path, mikey_error_name(rc),
		       out_len, n, at);
	}
	mikey_buf_free(out, out_len);
	mikey_msg_free(m);
	return ok;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
		return 2;
	}
	DIR *d = opendir(argv[1]);
	if (d == NULL) {
		perror(argv[1]);
		return 2;
	}
	char *names[4096];
	size_t count = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL && count < 4096) {
		size_t l = strlen(e->d_name);
		if (l > 4 && strcmp(e->d_name + l - 4, ".bin") == 0)
			names[count++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, count, sizeof(names[0]), by_name);
	int passed = 0, failed = 0;
	for (size_t i = 0; i < count; i++) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s", argv[1], names[i]);
		if (check(path))
			passed++;
		else
			failed++;
		free(names[i]);
	}
	if (count == 0)
		failed = 1, printf("FAIL: no .bin files in %s\n", argv[1]);
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
