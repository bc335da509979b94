/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * confevent.c - conference-info documents (RFC 4575 §5), written with
 * GLib's markup escaping and read with its GMarkup parser.
 */
#include "confevent.h"

#include <inttypes.h>
#include <string.h>

static void head(GString *s, const char *conf_uri, unsigned version, const char *state)
{
	char *e = g_markup_escape_text(conf_uri, -1);
	g_string_append_printf(s,
	                       "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	                       "<conference-info xmlns=\"urn:ietf:params:xml:ns:conference-info\" entity=\"%s\" "
	                       "state=\"%s\" version=\"%u\">\n <users>\n",
	                       e, state, version);
	g_free(e);
}

static void user(GString *s, const confevent_user *u, bool deleted)
{
	char *e = g_markup_escape_text(u->entity, -1);
	if (deleted) {
		g_string_append_printf(s, "  <user entity=\"%s\" state=\"deleted\"/>\n", e);
	} else {
		/* RFC 4575 §5.7: endpoint status; §5.7.4 media with its SSRC. */
		g_string_append_printf(s,
		                       "  <user entity=\"%s\" state=\"full\">\n"
		                       "   <endpoint entity=\"%s\" state=\"full\">\n"
		                       "    <status>connected</status>\n"
		                       "    <media id=\"1\"><type>audio</type><src-id>%" PRIu32 "</src-id></media>\n"
		                       "   </endpoint>\n  </user>\n",
		                       e, e, u->ssrc);
	}
	g_free(e);
}

static char *tail(GString *s)
{
	g_string_append(s, " </users>\n</conference-info>\n");
	return g_string_free(s, FALSE);
}

char *confevent_full(const char *conf_uri, unsigned version, const confevent_user *users, size_t n)
{
	GString *s = g_string_new(NULL);
	head(s, conf_uri, version, "full");
	for (size_t i = 0; i < n; i++)
		user(s, &users[i], false);
	return tail(s);
}

char *confevent_change(const char *conf_uri, unsigned version, const confevent_user *u, bool deleted)
{
	GString *s = g_string_new(NULL);
	head(s, conf_uri, version, "partial");
	user(s, u, deleted);
	return tail(s);
}

typedef struct parse_state {
	GPtrArray *departed;
	unsigned version;
} parse_state;

static void on_start(GMarkupParseContext *ctx, const gchar *name, const gchar **attr_names,
                     const gchar **attr_values, gpointer user_data, GError **error)
{
	parse_state *ps = user_data;
	const char *entity = NULL, *state = NULL;
	if (strcmp(name, "conference-info") == 0) {
		for (size_t i = 0; attr_names[i] != NULL; i++)
			if (strcmp(attr_names[i], "version") == 0) {
				guint64 v = g_ascii_strtoull(attr_values[i], NULL, 10);
				ps->version = v > G_MAXUINT ? G_MAXUINT : (unsigned)v;
			}
		return;
	}
	if (strcmp(name, "user") != 0)
		return;
	for (size_t i = 0; attr_names[i] != NULL; i++) {
		if (strcmp(attr_names[i], "entity") == 0)
			entity = attr_values[i];
		else if (strcmp(attr_names[i], "state") == 0)
			state = attr_values[i];
	}
	if (entity != NULL && state != NULL && strcmp(state, "deleted") == 0)
		g_ptr_array_add(ps->departed, g_strdup(entity));
	(void)ctx;
	(void)error;
}

GPtrArray *confevent_departed(const char *body, size_t len, unsigned *version, GError **err)
{
	static const GMarkupParser parser = {.start_element = on_start};
	parse_state ps = {.departed = g_ptr_array_new_with_free_func(g_free), .version = 0};
	GPtrArray *out = ps.departed;
	GMarkupParseContext *ctx = g_markup_parse_context_new(&parser, 0, &ps, NULL);
	bool ok = len <= 65536 && g_markup_parse_context_parse(ctx, body, (gssize)len, err) &&
	          g_markup_parse_context_end_parse(ctx, err);
	g_markup_parse_context_free(ctx);
	if (!ok) {
		if (err != NULL && *err == NULL)
			g_set_error(err, G_MARKUP_ERROR, G_MARKUP_ERROR_PARSE, "conference-info body over 64 KiB");
		g_ptr_array_unref(out);
		return NULL;
	}
	*version = ps.version;
	return out;
}
