/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * json_out.c - JSON for the summary (RFC 8259 string escaping).
 */
#include "json_out.h"

#include <glib.h>
#include <inttypes.h>

#include "agent_log.h"

struct json_out {
	GString *s;
	bool need_comma;
};

json_out *json_out_new(void)
{
	json_out *j = g_new0(json_out, 1);
	j->s = g_string_new(NULL);
	return j;
}

void json_out_free(json_out *j)
{
	if (j == NULL)
		return;
	g_string_free(j->s, TRUE);
	g_free(j);
}

static void quoted(GString *s, const char *v)
{
	g_string_append_c(s, '"');
	for (const unsigned char *p = (const unsigned char *)v; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			g_string_append_printf(s, "\\%c", *p);
		else if (*p < 0x20)
			g_string_append_printf(s, "\\u%04x", *p);
		else
			g_string_append_c(s, (char)*p);
	}
	g_string_append_c(s, '"');
}

static void key(json_out *j, const char *k)
{
	if (j->need_comma)
		g_string_append_c(j->s, ',');
	if (k != NULL) {
		quoted(j->s, k);
		g_string_append_c(j->s, ':');
	}
	j->need_comma = true;
}

void json_obj_begin(json_out *j, const char *k)
{
	key(j, k);
	g_string_append_c(j->s, '{');
	j->need_comma = false;
}

void json_obj_end(json_out *j)
{
	g_string_append_c(j->s, '}');
	j->need_comma = true;
}

void json_arr_begin(json_out *j, const char *k)
{
	key(j, k);
	g_string_append_c(j->s, '[');
	j->need_comma = false;
}

void json_arr_end(json_out *j)
{
	g_string_append_c(j->s, ']');
	j->need_comma = true;
}

void json_str(json_out *j, const char *k, const char *v)
{
	key(j, k);
	quoted(j->s, v != NULL ? v : "");
}

void json_uint(json_out *j, const char *k, uint64_t v)
{
	key(j, k);
	g_string_append_printf(j->s, "%" PRIu64, v);
}

void json_bool(json_out *j, const char *k, bool v)
{
	key(j, k);
	g_string_append(j->s, v ? "true" : "false");
}

void json_out_write(json_out *j, const char *path)
{
	GError *e = NULL;
	if (path == NULL)
		return;
	g_string_append_c(j->s, '\n');
	if (!g_file_set_contents(path, j->s->str, (gssize)j->s->len, &e)) {
		agent_log_error("summary: %s", e->message);
		g_error_free(e);
	}
}
