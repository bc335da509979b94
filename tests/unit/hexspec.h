/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hexspec.h - test helper: bytes written as readable hex. Tokens are
 * separated by spaces; "0a0b" is two bytes, "55*96" is 0x55 ninety-six
 * times, and '|' is ignored (used to mark field boundaries).
 */
#ifndef TEST_HEXSPEC_H
#define TEST_HEXSPEC_H

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static size_t hexspec(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;
	while (*s) {
		while (*s == ' ' || *s == '|' || *s == '\n')
			s++;
		if (!*s)
			break;
		const char *tok = s;
		while (*s && *s != ' ' && *s != '|' && *s != '\n' && *s != '*')
			s++;
		size_t digits = (size_t)(s - tok);
		if (digits % 2 != 0)
			abort();
		if (*s == '*') {
			unsigned long rep = strtoul(s + 1, (char **)&s, 10);
			if (digits != 2)
				abort();
			unsigned byte = (unsigned)strtoul((char[3]){tok[0], tok[1], 0}, NULL, 16);
			for (unsigned long i = 0; i < rep; i++) {
				if (n >= cap)
					abort();
				out[n++] = (uint8_t)byte;
			}
			continue;
		}
		for (size_t i = 0; i < digits; i += 2) {
			if (!isxdigit((unsigned char)tok[i]) || !isxdigit((unsigned char)tok[i + 1]) || n >= cap)
				abort();
			out[n++] = (uint8_t)strtoul((char[3]){tok[i], tok[i + 1], 0}, NULL, 16);
		}
	}
	return n;
}

#endif
