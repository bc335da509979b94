/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tests/common/msgs.h - a set of valid MIKEY messages, built with the public
 * builder API, that together cover every payload type, every map type and
 * the KEMAC/GEN_EXT sub-payload encodings. Used as the starting point of the
 * bad-input tests, the allocation-failure tests, the fuzz seed corpus and the
 * valgrind run.
 *
 * Include the .c directly (#include "../common/msgs.c"): it has no state.
 */
#ifndef MIKEY_TEST_MSGS_H
#define MIKEY_TEST_MSGS_H

#include <stddef.h>
#include <stdint.h>

#include "mikey/mikey.h"

/* One sample: |fill| adds the header fields and payloads to an empty
 * message from mikey_msg_new(). It returns MIKEY_OK, or the first error of
 * the public API it called (MIKEY_ERR_NOMEM when add_payload or alloc
 * returned NULL), leaving the message for the caller to free. */
typedef struct test_msg_desc {
	const char *name;
	int (*fill)(mikey_msg *m);
} test_msg_desc;

/* test_msgs_count returns how many samples test_msgs_get knows. */
size_t test_msgs_count(void);

/* test_msgs_get returns sample |i| (< test_msgs_count()). */
const test_msg_desc *test_msgs_get(size_t i);

/* test_msgs_find returns the index of the sample called |name|, or
 * (size_t)-1. */
size_t test_msgs_find(const char *name);

/* test_msgs_build builds sample |i| to bytes with the current allocator.
 * On success *out (free with mikey_buf_free) and *out_len are set.
 * Returns MIKEY_OK or the error of mikey_msg_new/fill/mikey_msg_build. */
int test_msgs_build(size_t i, uint8_t **out, size_t *out_len);

/* test_pattern fills |len| bytes at |buf| with a deterministic pattern
 * that depends on |seed|. */
void test_pattern(uint8_t *buf, size_t len, unsigned seed);

#endif
