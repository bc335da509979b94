/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* input.h - reading a whole input file (or stdin) for mikey-tool verbs. */
#ifndef MIKEY_TOOL_INPUT_H
#define MIKEY_TOOL_INPUT_H

#include <stddef.h>
#include <stdint.h>

/* Inputs larger than this are refused: a MIKEY message in any of its
 * carriers (and a JSON offer) is far smaller. */
#define TOOL_INPUT_MAX ((size_t)16 << 20)
/* Credential files (PEM certificates and keys, --psk @FILE) and state
 * files: at most 1 MiB. */
#define TOOL_PEM_MAX ((size_t)1 << 20)

/* tool_read_input reads all of |path| ("-" or NULL: stdin), at most
 * TOOL_INPUT_MAX bytes, into a new buffer (*out, freed with free(), a NUL
 * after the data) of *len bytes. On failure it prints a message naming
 * the file to stderr and returns -1 (-2 when out of memory: not a usage
 * error); 0 on success. */
int tool_read_input(const char *path, uint8_t **out, size_t *len);

/* tool_read_file is the same for the file |path| given to option |what|
 * ("--cert"), at most |max| bytes; messages start "mikey-tool VERB". */
int tool_read_file(const char *verb, const char *what, const char *path, size_t max, uint8_t **out, size_t *len);

/* tool_text_bad_char: for input that is not binary MIKEY (first byte not
 * version 1), the offset of the first byte that no text carrier holds (a
 * NUL or another control character); -1 when there is none. */
long tool_text_bad_char(const uint8_t *p, size_t len);

#endif
