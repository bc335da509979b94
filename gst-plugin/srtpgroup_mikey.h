/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * srtpgroup_mikey.h - keys from a MIKEY message, for both elements: the
 * properties that carry the message and the responder's credentials (named
 * after mikey-tool derive's options), and what turns them into crypto
 * sessions.
 *
 * The element is the MIKEY responder (RFC 3830 §4.2). One mikey_ctx lives
 * as long as the credentials do, so its replay cache (§5.4) refuses a
 * message installed twice. The last exchange is kept to order generations:
 * a message of the same CSB ID with an older key is refused (§4.5).
 */
#ifndef SRTPGROUP_MIKEY_H
#define SRTPGROUP_MIKEY_H

#include <gst/gst.h>

#include <mikey/exchange.h>

G_BEGIN_DECLS

typedef struct SgMikey {
	gchar *message; /* the property as set: BASE64, @FILE, or an SDP line / body */
	gchar *psk;     /* HEX or @FILE */
	gchar *cert, *key, *ca; /* PEM files */
	gchar *id, *peer_id;
	gboolean allow_null_kemac;
	guint max_skew;         /* seconds; 0 = the library's */
	mikey_ctx *ctx;         /* built from the above on first use */
	mikey_exchange *last;   /* last installed exchange */
	gchar *response;        /* base64 of the last response due (V flag), or NULL */
} SgMikey;

/* Property ids, relative to the |first| given to sg_mikey_install_properties. */
enum {
	SG_MIKEY_PROP_MESSAGE = 0,
	SG_MIKEY_PROP_PSK,
	SG_MIKEY_PROP_CERT,
	SG_MIKEY_PROP_KEY,
	SG_MIKEY_PROP_CA,
	SG_MIKEY_PROP_ID,
	SG_MIKEY_PROP_PEER_ID,
	SG_MIKEY_PROP_ALLOW_NULL_KEMAC,
	SG_MIKEY_PROP_MAX_SKEW,
	SG_MIKEY_PROP_RESPONSE,
	SG_MIKEY_N_PROPS
};

void sg_mikey_install_properties(GObjectClass *klass, guint first);

/* Store a credential property (changing one drops the context). The
 * message property is stored by the element itself (it installs keys). */
void sg_mikey_set_property(SgMikey *m, guint rel_id, const GValue *value);
void sg_mikey_get_property(const SgMikey *m, guint rel_id, GValue *value);

/* Wipe and free everything. */
void sg_mikey_clear(SgMikey *m);

/* sg_mikey_receive processes the MIKEY message in |text| (as the message
 * property takes it) as responder. On success returns the complete
 * exchange (kept as m->last; do not free) and its crypto sessions in
 * *sessions (every CS with every key of the KEMAC; free with
 * g_array_unref, which wipes); on failure NULL with |err| naming the
 * libmikey error, and nothing in |m| changed except the replay cache. */
mikey_exchange *sg_mikey_receive(SgMikey *m, const gchar *text, GArray **sessions, GError **err);

/* sg_exchange_sessions lists the crypto sessions of a complete exchange:
 * every CS, each with every key. NULL with |err| on failure. */
GArray *sg_exchange_sessions(const mikey_exchange *ex, GError **err);

/* sg_read_file reads the whole file |path| of at most |max| bytes (NUL
 * added after them); |what| names the property in errors. */
gboolean sg_read_file(const gchar *what, const gchar *path, gsize max, gchar **data, gsize *len, GError **err);

/* Files with keys or certificates: at most 1 MiB, as mikey-tool. */
#define SG_PEM_MAX (1u << 20)

G_END_DECLS
#endif
