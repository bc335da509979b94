/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* srtpgroup_mikey.c - see srtpgroup_mikey.h. */
#include "srtpgroup_mikey.h"

#include <string.h>

#include <glib/gstdio.h>

#include <mikey/mem.h>
#include <mikey/msg.h>
#include <mikey/text.h>
#include <mikey/types.h>

#include "srtpgroup_error.h"

/* Cap on message files read (as mikey-tool's). */
#define SG_MSG_MAX (16u << 20)

static const struct {
	const char *name, *nick, *blurb;
} str_props[] = {
	[SG_MIKEY_PROP_MESSAGE] = {"mikey", "MIKEY message",
	                           "MIKEY message whose keys to use (this element is the responder): base64, "
	                           "@FILE (raw, hex or base64), or an SDP a=key-mgmt:mikey line or body. Setting it "
	                           "again while PLAYING with a newer key of the same CSB ID rekeys (RFC 3830 4.5)"},
	[SG_MIKEY_PROP_PSK] = {"mikey-psk", "MIKEY pre-shared key",
	                       "Pre-shared key for PSK and DH-HMAC messages: hex, or @FILE holding hex"},
	[SG_MIKEY_PROP_CERT] = {"mikey-cert", "Certificate file",
	                        "PEM certificate (chain) of this responder, for the public-key modes"},
	[SG_MIKEY_PROP_KEY] = {"mikey-key", "Private key file",
	                       "PEM RSA private key of this responder (opens PK envelopes; signs DH responses)"},
	[SG_MIKEY_PROP_CA] = {"mikey-ca", "CA file", "PEM certificates trusted to verify the initiator's certificate"},
	[SG_MIKEY_PROP_ID] = {"mikey-id", "Own identity", "This responder's identity (URI), as mikey-tool's --id"},
	[SG_MIKEY_PROP_PEER_ID] = {"mikey-peer-id", "Initiator identity",
	                           "Identity the pre-shared key belongs to (NULL: the key is for any initiator)"},
};

void sg_mikey_install_properties(GObjectClass *klass, guint first)
{
	for (guint i = 0; i < G_N_ELEMENTS(str_props); i++)
		g_object_class_install_property(
		    klass, first + i,
		    g_param_spec_string(str_props[i].name, str_props[i].nick, str_props[i].blurb, NULL,
		                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING));
	g_object_class_install_property(
	    klass, first + SG_MIKEY_PROP_ALLOW_NULL_KEMAC,
	    g_param_spec_boolean("mikey-allow-null-kemac", "Allow NULL KEMAC",
	                         "Accept PSK messages whose keys travel unencrypted (as gst-rtsp-server sends them)",
	                         FALSE, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING));
	g_object_class_install_property(
	    klass, first + SG_MIKEY_PROP_MAX_SKEW,
	    g_param_spec_uint("mikey-max-skew", "Clock skew",
	                      "Seconds a MIKEY timestamp may differ from our clock (0: libmikey's default)", 0,
	                      G_MAXUINT32, 0,
	                      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING));
	g_object_class_install_property(
	    klass, first + SG_MIKEY_PROP_RESPONSE,
	    g_param_spec_string("mikey-response", "MIKEY response",
	                        "Base64 of the response the initiator asked for (V flag, or a DH response) to the last "
	                        "message installed; NULL when none is due. Send it back yourself",
	                        NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
}

static void free_secret(gchar *p, gsize len)
{
	if (p != NULL) {
		mikey_wipe(p, len);
		g_free(p);
	}
}

static void drop_ctx(SgMikey *m)
{
	mikey_ctx_free(m->ctx);
	m->ctx = NULL;
}

static void set_secret_string(gchar **field, const GValue *value)
{
	if (*field != NULL) {
		mikey_wipe(*field, strlen(*field));
		g_free(*field);
	}
	*field = g_value_dup_string(value);
}

void sg_mikey_set_property(SgMikey *m, guint rel_id, const GValue *value)
{
	switch (rel_id) {
	case SG_MIKEY_PROP_PSK:
		set_secret_string(&m->psk, value);
		break;
	case SG_MIKEY_PROP_CERT:
		set_secret_string(&m->cert, value);
		break;
	case SG_MIKEY_PROP_KEY:
		set_secret_string(&m->key, value);
		break;
	case SG_MIKEY_PROP_CA:
		set_secret_string(&m->ca, value);
		break;
	case SG_MIKEY_PROP_ID:
		set_secret_string(&m->id, value);
		break;
	case SG_MIKEY_PROP_PEER_ID:
		set_secret_string(&m->peer_id, value);
		break;
	case SG_MIKEY_PROP_ALLOW_NULL_KEMAC:
		m->allow_null_kemac = g_value_get_boolean(value);
		break;
	case SG_MIKEY_PROP_MAX_SKEW:
		m->max_skew = g_value_get_uint(value);
		break;
	default:
		return;
	}
	drop_ctx(m);
}

void sg_mikey_get_property(const SgMikey *m, guint rel_id, GValue *value)
{
	switch (rel_id) {
	case SG_MIKEY_PROP_MESSAGE:
		g_value_set_string(value, m->message);
		break;
	case SG_MIKEY_PROP_PSK:
		/* A secret: say whether one is set, never what it is. */
		g_value_set_string(value, m->psk != NULL ? "(set)" : NULL);
		break;
	case SG_MIKEY_PROP_CERT:
		g_value_set_string(value, m->cert);
		break;
	case SG_MIKEY_PROP_KEY:
		g_value_set_string(value, m->key);
		break;
	case SG_MIKEY_PROP_CA:
		g_value_set_string(value, m->ca);
		break;
	case SG_MIKEY_PROP_ID:
		g_value_set_string(value, m->id);
		break;
	case SG_MIKEY_PROP_PEER_ID:
		g_value_set_string(value, m->peer_id);
		break;
	case SG_MIKEY_PROP_ALLOW_NULL_KEMAC:
		g_value_set_boolean(value, m->allow_null_kemac);
		break;
	case SG_MIKEY_PROP_MAX_SKEW:
		g_value_set_uint(value, m->max_skew);
		break;
	case SG_MIKEY_PROP_RESPONSE:
		g_value_set_string(value, m->response);
		break;
	default:
		break;
	}
}

void sg_mikey_clear(SgMikey *m)
{
	GValue none = G_VALUE_INIT;

	g_value_init(&none, G_TYPE_STRING);
	for (guint i = SG_MIKEY_PROP_PSK; i <= SG_MIKEY_PROP_PEER_ID; i++)
		sg_mikey_set_property(m, i, &none);
	g_value_unset(&none);
	free_secret(m->message, m->message != NULL ? strlen(m->message) : 0);
	m->message = NULL;
	drop_ctx(m);
	mikey_exchange_free(m->last);
	m->last = NULL;
	g_free(m->response);
	m->response = NULL;
}

gboolean sg_read_file(const gchar *what, const gchar *path, gsize max, gchar **data, gsize *len, GError **err)
{
	GStatBuf st;
	GError *gerr = NULL;

	if (g_stat(path, &st) != 0) {
		sg_set_error(err, MIKEY_ERR_NOT_FOUND, "%s: cannot read %s: %s", what, path, g_strerror(errno));
		return FALSE;
	}
	if ((guint64)st.st_size > max) {
		sg_set_error(err, MIKEY_ERR_LENGTH, "%s: %s is %lld bytes, more than the %zu allowed", what, path,
		             (long long)st.st_size, (gsize)max);
		return FALSE;
	}
	if (!g_file_get_contents(path, data, len, &gerr)) {
		sg_set_error(err, MIKEY_ERR_NOT_FOUND, "%s: %s", what, gerr->message);
		g_error_free(gerr);
		return FALSE;
	}
	return TRUE;
}

static gboolean add_psk(SgMikey *m, GError **err)
{
	gchar *text = NULL;
	gsize tlen = 0;
	uint8_t *psk = NULL;
	size_t psk_len = 0;
	mikey_error merr;
	int rc;
	gboolean ok = FALSE;

	if (m->psk[0] == '@') {
		if (!sg_read_file("mikey-psk", m->psk + 1, SG_PEM_MAX, &text, &tlen, err))
			return FALSE;
	} else {
		text = g_strdup(m->psk);
		tlen = strlen(text);
	}
	rc = mikey_text_decode((const uint8_t *)text, tlen, MIKEY_FORMAT_HEX, &psk, &psk_len, NULL, &merr);
	if (rc != MIKEY_OK || psk_len == 0) {
		sg_set_error(err, rc != MIKEY_OK ? rc : MIKEY_ERR_FORMAT, "mikey-psk: %s",
		             rc != MIKEY_OK ? merr.message : "empty key");
		goto out;
	}
	rc = mikey_ctx_add_psk(m->ctx, m->peer_id, m->peer_id != NULL ? strlen(m->peer_id) : 0, psk, psk_len);
	if (rc != MIKEY_OK) {
		sg_set_error(err, rc, "mikey-psk: not accepted");
		goto out;
	}
	ok = TRUE;
out:
	if (psk != NULL)
		mikey_buf_free(psk, psk_len);
	free_secret(text, tlen);
	return ok;
}

static gboolean add_certs(SgMikey *m, GError **err)
{
	gchar *cert = NULL, *key = NULL, *ca = NULL;
	gsize cert_len = 0, key_len = 0, ca_len = 0;
	mikey_error merr;
	gboolean ok = FALSE;
	int rc;

	if (m->key != NULL) {
		if ((m->cert != NULL && !sg_read_file("mikey-cert", m->cert, SG_PEM_MAX, &cert, &cert_len, err)) ||
		    !sg_read_file("mikey-key", m->key, SG_PEM_MAX, &key, &key_len, err))
			goto out;
		rc = mikey_ctx_set_credentials(m->ctx, cert, cert_len, key, key_len, &merr);
		if (rc != MIKEY_OK) {
			sg_set_error(err, rc, "mikey-cert %s / mikey-key %s: %s", m->cert ? m->cert : "(none)", m->key,
			             merr.message);
			goto out;
		}
	} else if (m->cert != NULL) {
		sg_set_error(err, MIKEY_ERR_ARG, "mikey-cert needs mikey-key (this responder's private key)");
		goto out;
	}
	if (m->ca != NULL) {
		if (!sg_read_file("mikey-ca", m->ca, SG_PEM_MAX, &ca, &ca_len, err))
			goto out;
		if ((rc = mikey_ctx_add_trust(m->ctx, ca, ca_len, &merr)) != MIKEY_OK) {
			sg_set_error(err, rc, "mikey-ca %s: %s", m->ca, merr.message);
			goto out;
		}
	}
	ok = TRUE;
out:
	free_secret(cert, cert_len);
	free_secret(key, key_len);
	g_free(ca);
	return ok;
}

static gboolean build_ctx(SgMikey *m, GError **err)
{
	if (m->ctx != NULL)
		return TRUE;
	if ((m->ctx = mikey_ctx_new()) == NULL) {
		sg_set_error(err, MIKEY_ERR_NOMEM, "cannot make a MIKEY context");
		return FALSE;
	}
	mikey_ctx_set_clock(m->ctx, mikey_clock_system, NULL);
	if (m->max_skew != 0)
		mikey_ctx_set_max_skew(m->ctx, m->max_skew);
	mikey_ctx_allow_null_kemac(m->ctx, m->allow_null_kemac);
	if (m->id != NULL && mikey_ctx_set_id(m->ctx, MIKEY_ID_URI, m->id, strlen(m->id)) != MIKEY_OK) {
		sg_set_error(err, MIKEY_ERR_ARG, "mikey-id: too long");
		goto fail;
	}
	if ((m->psk != NULL && !add_psk(m, err)) || !add_certs(m, err))
		goto fail;
	return TRUE;
fail:
	drop_ctx(m);
	return FALSE;
}

static void cs_clear(gpointer p)
{
	mikey_crypto_session_cleanup(p);
}

GArray *sg_exchange_sessions(const mikey_exchange *ex, GError **err)
{
	GArray *out = g_array_new(FALSE, TRUE, sizeof(mikey_crypto_session));
	size_t ncs = mikey_exchange_cs_count(ex), nkeys = mikey_exchange_key_count(ex);
	mikey_error merr;

	g_array_set_clear_func(out, cs_clear);
	if (!mikey_exchange_is_complete(ex)) {
		sg_set_error(err, MIKEY_ERR_STATE, "the MIKEY exchange is not complete");
		goto fail;
	}
	if (nkeys == 0)
		nkeys = 1; /* DH modes: keys come from the TGK, one per CS */
	for (size_t i = 0; i < ncs; i++) {
		for (size_t k = 0; k < nkeys; k++) {
			mikey_crypto_session cs;
			int rc = mikey_exchange_get_cs_key(ex, i, k, &cs, &merr);
			if (rc != MIKEY_OK) {
				sg_set_error(err, rc, "crypto session %zu, key %zu: %s", i + 1, k + 1, merr.message);
				goto fail;
			}
			g_array_append_val(out, cs);
			mikey_crypto_session_cleanup(&cs);
		}
	}
	if (out->len == 0) {
		sg_set_error(err, MIKEY_ERR_NOT_FOUND, "the MIKEY message names no crypto session (CS ID map)");
		goto fail;
	}
	return out;
fail:
	g_array_unref(out);
	return NULL;
}

mikey_exchange *sg_mikey_receive(SgMikey *m, const gchar *text, GArray **sessions, GError **err)
{
	gchar *raw = NULL;
	gsize raw_len = 0;
	uint8_t *msg = NULL, *resp = NULL;
	size_t msg_len = 0, resp_len = 0;
	mikey_exchange *ex = NULL;
	mikey_error merr;
	GArray *cs = NULL;
	int rc;

	*sessions = NULL;
	if (text == NULL || text[0] == '\0') {
		sg_set_error(err, MIKEY_ERR_ARG, "no MIKEY message");
		return NULL;
	}
	if (text[0] == '@') {
		if (!sg_read_file("mikey", text + 1, SG_MSG_MAX, &raw, &raw_len, err))
			return NULL;
	} else {
		raw = g_strdup(text);
		raw_len = strlen(raw);
	}
	rc = mikey_text_decode((const uint8_t *)raw, raw_len, MIKEY_FORMAT_AUTO, &msg, &msg_len, NULL, &merr);
	if (rc != MIKEY_OK) {
		sg_set_error(err, rc, "mikey: the message text does not decode: %s", merr.message);
		goto out;
	}
	if (!build_ctx(m, err))
		goto out;
	rc = mikey_respond(m->ctx, msg, msg_len, &ex, &resp, &resp_len, &merr);
	if (rc != MIKEY_OK) {
		sg_set_error(err, rc, "mikey: the message was refused: %s", merr.message);
		goto out;
	}
	if (m->last != NULL && mikey_exchange_compare_generation(ex, m->last) == MIKEY_GEN_OLDER) {
		sg_set_error(err, MIKEY_ERR_REPLAY,
		             "mikey: CSB ID 0x%08x: this key is older than the one installed (RFC 3830 4.5)",
		             mikey_exchange_csb_id(ex));
		goto out;
	}
	if ((cs = sg_exchange_sessions(ex, err)) == NULL)
		goto out;
	g_free(m->response);
	m->response = resp != NULL ? mikey_base64_encode(resp, resp_len) : NULL;
	if (m->response != NULL) {
		/* mikey_base64_encode's memory is libmikey's: copy into GLib's. */
		gchar *copy = g_strdup(m->response);
		mikey_free(m->response);
		m->response = copy;
	}
	mikey_exchange_free(m->last);
	m->last = ex;
	ex = NULL;
	*sessions = cs;
out:
	mikey_exchange_free(ex);
	if (msg != NULL)
		mikey_buf_free(msg, msg_len);
	if (resp != NULL)
		mikey_buf_free(resp, resp_len);
	free_secret(raw, raw_len);
	return *sessions != NULL ? m->last : NULL;
}
