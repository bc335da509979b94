/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sip_ua.c - nua on the GLib main loop (su_glib_root_create and its
 * GSource), soa off.
 */
#include "sip_ua.h"

#include <string.h>

#include <sofia-sip/nta_tag.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_tag.h>
#include <sofia-sip/su_tag.h>
#include <sofia-sip/tport_tag.h>

#define SIP_UA_ERROR (sip_ua_error_quark())
/* Messages queued on one connection (see sip_ua_new). */
#define SIP_UA_QUEUESIZE 1000u
static G_DEFINE_QUARK(sip-ua-error-quark, sip_ua_error)

bool sip_ua_new(const char *bind_url, const char *from, const char *proxy, unsigned timeout_ms, nua_callback_f cb,
                void *magic, sip_ua **out, GError **err)
{
	sip_ua *ua = g_new0(sip_ua, 1);
	*out = NULL;
	su_init();
	ua->root = su_glib_root_create(NULL);
	if (ua->root == NULL) {
		g_set_error(err, SIP_UA_ERROR, 0, "cannot create the sofia-sip root");
		goto fail;
	}
	g_source_attach(su_glib_root_gsource(ua->root), NULL);
	ua->nua = nua_create(ua->root, cb, magic, NUTAG_URL(bind_url), SIPTAG_FROM_STR(from),
	                     TAG_IF(proxy != NULL, NUTAG_PROXY(proxy)),
	                     TAG_IF(timeout_ms > 0, NTATAG_SIP_T1X64(timeout_ms)),
	                     /* Messages queued per connection (default 64, then ENOBUFS
	                      * and a local 503): behind a proxy every push of every
	                      * group goes out on one connection, a group's at once. */
	                     TPTAG_QUEUESIZE(SIP_UA_QUEUESIZE),
	                     /* soa off: the agent answers each offer itself. */
	                     NUTAG_MEDIA_ENABLE(0), NUTAG_APPL_METHOD("UPDATE"), NUTAG_AUTOANSWER(0),
	                     NUTAG_AUTOACK(1), NUTAG_ENABLEMESSAGE(0),
	                     NUTAG_ALLOW("INVITE, ACK, BYE, CANCEL, OPTIONS, UPDATE"), TAG_END());
	if (ua->nua == NULL) {
		g_set_error(err, SIP_UA_ERROR, 0, "cannot bind SIP to %s (in use, or not an address of this host)",
		            bind_url);
		goto fail;
	}
	*out = ua;
	return true;
fail:
	sip_ua_free(ua);
	return false;
}

static gboolean shutdown_timeout(gpointer p)
{
	*(bool *)p = true;
	return G_SOURCE_REMOVE;
}

void sip_ua_free(sip_ua *ua)
{
	if (ua == NULL)
		return;
	if (ua->nua != NULL) {
		bool timed_out = false;
		guint t = g_timeout_add(5000, shutdown_timeout, &timed_out);
		nua_shutdown(ua->nua);
		/* The callback sets shut_down on nua_r_shutdown >= 200. */
		while (!ua->shut_down && !timed_out)
			g_main_context_iteration(NULL, TRUE);
		if (!timed_out)
			g_source_remove(t);
		nua_destroy(ua->nua);
	}
	if (ua->root != NULL)
		su_root_destroy(ua->root);
	su_deinit();
	g_free(ua);
}

const char *sip_ua_sdp_body(const sip_t *sip, size_t *len)
{
	*len = 0;
	if (sip == NULL || sip->sip_payload == NULL || sip->sip_payload->pl_data == NULL)
		return NULL;
	if (sip->sip_content_type != NULL && sip->sip_content_type->c_type != NULL &&
	    g_ascii_strcasecmp(sip->sip_content_type->c_type, "application/sdp") != 0)
		return NULL;
	*len = sip->sip_payload->pl_len;
	return sip->sip_payload->pl_data;
}

char *sip_ua_warning(unsigned code, const char *agent, const char *text)
{
	char *t = g_strdup(text != NULL ? text : "");
	for (char *p = t; *p != '\0'; p++)
		if (*p == '"' || *p == '\\' || *p == '\r' || *p == '\n')
			*p = '\'';
	char *w = g_strdup_printf("%u %s \"%s\"", code, agent != NULL && *agent != '\0' ? agent : "-", t);
	g_free(t);
	return w;
}
