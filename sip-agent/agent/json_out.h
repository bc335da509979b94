/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * json_out.h - a small JSON writer for the agent's summary file (what the
 * conference driver and the tests read). Keys are NULL inside arrays.
 */
#ifndef AGENT_JSON_OUT_H
#define AGENT_JSON_OUT_H

#include <stdbool.h>
#include <stdint.h>

typedef struct json_out json_out;

json_out *json_out_new(void);
void json_out_free(json_out *j);
void json_obj_begin(json_out *j, const char *key);
void json_obj_end(json_out *j);
void json_arr_begin(json_out *j, const char *key);
void json_arr_end(json_out *j);
void json_str(json_out *j, const char *key, const char *v);
void json_uint(json_out *j, const char *key, uint64_t v);
void json_bool(json_out *j, const char *key, bool v);
/* json_out_write writes the document to |path| (NULL: nothing) and says
 * so on stderr when it cannot. */
void json_out_write(json_out *j, const char *path);

#endif
