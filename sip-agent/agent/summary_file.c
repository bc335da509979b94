/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * summary_file.c - JSON summaries through tools/json.c.
 */
#include "summary_file.h"

#include <glib.h>
#include <string.h>

#include "agent_log.h"

json_writer *summary_open(summary *s)
{
	memset(s, 0, sizeof(*s));
	s->f = open_memstream(&s->buf, &s->len);
	if (s->f == NULL)
		s->f = fopen("/dev/null", "w");
	json_init(&s->w, s->f, false);
	return &s->w;
}

void summary_close(summary *s, const char *path)
{
	GError *e = NULL;

	if (s->f == NULL)
		return;
	json_finish(&s->w);
	fclose(s->f);
	s->f = NULL;
	if (path != NULL && s->buf != NULL && !g_file_set_contents(path, s->buf, (gssize)s->len, &e)) {
		agent_log_error("summary: %s", e->message);
		g_error_free(e);
	} else if (path != NULL && s->buf == NULL) {
		agent_log_error("summary: out of memory, %s not written", path);
	}
	free(s->buf);
	s->buf = NULL;
}
