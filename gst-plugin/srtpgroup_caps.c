/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* srtpgroup_caps.c - see srtpgroup_caps.h. */
#include "srtpgroup_caps.h"

#include <string.h>

#include <mikey/exchange.h>

#include "srtpgroup_error.h"
#include "srtpgroup_profile.h"

static void cs_clear(gpointer p)
{
	mikey_crypto_session_cleanup(p);
}

static gboolean get_nick(const GstStructure *s, const gchar *field, gboolean cipher, gint *out, GError **err)
{
	const gchar *v = gst_structure_get_string(s, field);
	gboolean ok;

	if (v == NULL) {
		sg_set_error(err, MIKEY_ERR_NOT_FOUND, "caps field %s (string) is missing", field);
		return FALSE;
	}
	if (cipher) {
		SgCipher c;
		ok = sg_cipher_from_nick(v, &c);
		*out = (gint)c;
	} else {
		SgAuth a;
		ok = sg_auth_from_nick(v, &a);
		*out = (gint)a;
	}
	if (!ok)
		sg_set_error(err, MIKEY_ERR_UNSUPPORTED, "caps field %s: unknown value \"%s\"", field, v);
	return ok;
}

/* One key (srtp-keyN) with its MKI (mkiN), appended to |keys|. */
static gboolean add_key(const GstStructure *s, const SgProfile *prof, const gchar *kfield, const gchar *mfield,
                        guint32 ssrc, guint32 roc, GArray *keys, GError **err)
{
	const GValue *kv = gst_structure_get_value(s, kfield), *mv = gst_structure_get_value(s, mfield);
	GstBuffer *kb, *mb = NULL;
	GstMapInfo km = GST_MAP_INFO_INIT, mm = GST_MAP_INFO_INIT;
	mikey_crypto_session cs;
	gboolean ok = FALSE;

	if (kv == NULL || !GST_VALUE_HOLDS_BUFFER(kv) || (kb = gst_value_get_buffer(kv)) == NULL) {
		sg_set_error(err, MIKEY_ERR_FORMAT, "caps field %s must be a buffer", kfield);
		return FALSE;
	}
	if (mv != NULL) {
		if (!GST_VALUE_HOLDS_BUFFER(mv) || (mb = gst_value_get_buffer(mv)) == NULL) {
			sg_set_error(err, MIKEY_ERR_FORMAT, "caps field %s must be a buffer", mfield);
			return FALSE;
		}
	}
	if (!gst_buffer_map(kb, &km, GST_MAP_READ) || (mb != NULL && !gst_buffer_map(mb, &mm, GST_MAP_READ))) {
		sg_set_error(err, MIKEY_ERR_NOMEM, "cannot map caps field %s", kfield);
		goto out;
	}
	if (!sg_profile_to_cs(prof, km.data, km.size, mm.data, mm.size, ssrc, roc, &cs, err))
		goto out;
	g_array_append_val(keys, cs);
	mikey_crypto_session_cleanup(&cs);
	ok = TRUE;
out:
	if (km.memory != NULL)
		gst_buffer_unmap(kb, &km);
	if (mm.memory != NULL)
		gst_buffer_unmap(mb, &mm);
	return ok;
}

GArray *sg_caps_keys(const GstStructure *s, guint32 ssrc, gboolean *present, GError **err)
{
	SgProfile prof;
	gint v[4];
	guint roc = 0;
	GArray *keys;

	*present = gst_structure_has_field(s, "srtp-key");
	if (!*present)
		return NULL;
	if (!get_nick(s, "srtp-cipher", TRUE, &v[0], err) || !get_nick(s, "srtp-auth", FALSE, &v[1], err) ||
	    !get_nick(s, "srtcp-cipher", TRUE, &v[2], err) || !get_nick(s, "srtcp-auth", FALSE, &v[3], err))
		return NULL;
	prof.rtp_cipher = (SgCipher)v[0];
	prof.rtp_auth = (SgAuth)v[1];
	prof.rtcp_cipher = (SgCipher)v[2];
	prof.rtcp_auth = (SgAuth)v[3];
	if (gst_structure_has_field(s, "roc") && !gst_structure_get_uint(s, "roc", &roc)) {
		sg_set_error(err, MIKEY_ERR_FORMAT, "caps field roc must be a uint");
		return NULL;
	}
	keys = g_array_new(FALSE, TRUE, sizeof(mikey_crypto_session));
	g_array_set_clear_func(keys, cs_clear);
	if (!add_key(s, &prof, "srtp-key", "mki", ssrc, roc, keys, err))
		goto fail;
	for (int i = 2; i <= 16; i++) {
		gchar kf[16], mf[16];
		g_snprintf(kf, sizeof(kf), "srtp-key%d", i);
		g_snprintf(mf, sizeof(mf), "mki%d", i);
		if (!gst_structure_has_field(s, kf))
			break;
		if (!gst_structure_has_field(s, mf)) {
			sg_set_error(err, MIKEY_ERR_NOT_FOUND, "caps field %s needs %s (keys after the first need an MKI)",
			             kf, mf);
			goto fail;
		}
		if (!add_key(s, &prof, kf, mf, ssrc, roc, keys, err))
			goto fail;
	}
	return keys;
fail:
	g_array_unref(keys);
	return NULL;
}

static gboolean strip_field(GQuark field, GValue *value, gpointer user)
{
	const gchar *f = g_quark_to_string(field);
	return !(g_str_has_prefix(f, "srtp") || g_str_has_prefix(f, "srtcp") || g_str_has_prefix(f, "mki") || strcmp(f, "roc") == 0 ||
	         strcmp(f, "mikey") == 0 || strcmp(f, "key-mgmt") == 0);
}

GstCaps *sg_caps_rename(const GstCaps *caps, const gchar *name)
{
	GstCaps *out = gst_caps_copy(caps);

	for (guint i = 0; i < gst_caps_get_size(out); i++) {
		GstStructure *s = gst_caps_get_structure(out, i);
		gst_structure_set_name(s, name);
		gst_structure_filter_and_map_in_place(s, strip_field, NULL);
	}
	return out;
}
