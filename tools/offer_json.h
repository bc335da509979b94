/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* offer_json.h - an offer as JSON, turned into command-line options. */
#ifndef MIKEY_TOOL_OFFER_JSON_H
#define MIKEY_TOOL_OFFER_JSON_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

/* offer_json_to_args appends one "--name=value" (or "--name") string
 * (g_free) to |args| per member of the flat JSON object |text|. On a
 * syntax error it returns false and writes what and where into |why|. */
bool offer_json_to_args(const char *text, size_t len, GPtrArray *args, char *why, size_t cap);

#endif
