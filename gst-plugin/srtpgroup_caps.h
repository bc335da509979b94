/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * srtpgroup_caps.h - the key fields srtpdec reads from caps (on its sink
 * pad, or returned by its request-key / soft-limit / hard-limit signals),
 * read the same way here: srtp-key, srtp-cipher, srtp-auth, srtcp-cipher,
 * srtcp-auth, roc, mki, and srtp-key2/mki2 ... srtp-key16/mki16 for
 * further master keys (RFC 3711 §3.1 MKI).
 */
#ifndef SRTPGROUP_CAPS_H
#define SRTPGROUP_CAPS_H

#include <gst/gst.h>

G_BEGIN_DECLS

/* sg_caps_keys reads the key fields of |s| as crypto sessions of |ssrc|
 * (a GArray of mikey_crypto_session whose clear function wipes them).
 * *present is FALSE (and NULL returned, no error) when |s| has no
 * srtp-key field. NULL with |err| when a field is missing or wrong. */
GArray *sg_caps_keys(const GstStructure *s, guint32 ssrc, gboolean *present, GError **err);

/* sg_caps_rename returns a copy of |caps| with every structure named
 * |name| and the key fields (and MIKEY fields) removed: the caps on the
 * other side of the element. */
GstCaps *sg_caps_rename(const GstCaps *caps, const gchar *name);

G_END_DECLS
#endif
