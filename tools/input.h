/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* input.h - reading a whole input file (or stdin) for mikey-tool verbs. */
#ifndef MIKEY_TOOL_INPUT_H
#define MIKEY_TOOL_INPUT_H

#include <stddef.h>
#include <stdint.h>

/* Inputs larger than this are refused: a MIKEY message in any of its
 * carriers is far smaller. */
#define TOOL_INPUT_MAX ((size_t)16 << 20)

/* tool_read_input reads all of |path| ("-" or NULL: stdin) into a new
 * buffer (*out, freed with free()) of *len bytes. On failure it prints a
 * message naming the file to stderr and returns -1; 0 on success. */
int tool_read_input(const char *path, uint8_t **out, size_t *len);

#endif
