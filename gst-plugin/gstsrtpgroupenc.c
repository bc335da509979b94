/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * gstsrtpgroupenc.c - srtpgroupenc; see docs/gst-elements.md.
 *
 * Pads as srtpenc: each requested rtp_sink_N / rtcp_sink_N brings its
 * rtp_src_N / rtcp_src_N. Every SSRC gets its own stream (ROC from its
 * crypto session; SSRCs no CS names use the keys for any SSRC). Keys come
 * from a MIKEY message, from an application's exchange (add-exchange), or
 * from srtpenc's properties (key, mki, ciphers), which key any SSRC.
 * Installing new keys while PLAYING is a rekey: the next packet of every
 * stream goes out under the new MKI, with its ROC unchanged.
 */
#include "gstsrtpgroupenc.h"

#include <string.h>

#include <mikey/mem.h>
#include <mikey/rng.h>

#include "srtpgroup_caps.h"
#include "srtpgroup_error.h"
#include "srtpgroup_keyed.h"
#include "srtpgroup_pads.h"
#include "srtpgroup_profile.h"

GST_DEBUG_CATEGORY_STATIC(srtpgroupenc_debug);
#define GST_CAT_DEFAULT srtpgroupenc_debug

struct _GstSrtpGroupEnc {
	GstElement parent;
	SgKeyed keyed;
	/* srtpenc-style keying; guarded by the object lock */
	GstBuffer *key, *mki;
	SgProfile profile;
	gboolean random_key;
	gint key_dirty; /* atomic: key or mki set while running, install at the next packet */
	guint64 drops[SG_DROP_KINDS];
};

G_DEFINE_TYPE(GstSrtpGroupEnc, gst_srtp_group_enc, GST_TYPE_ELEMENT)
GST_ELEMENT_REGISTER_DEFINE(srtpgroupenc, "srtpgroupenc", GST_RANK_NONE, GST_TYPE_SRTP_GROUP_ENC)

enum {
	PROP_0,
	PROP_KEY,
	PROP_MKI,
	PROP_RTP_CIPHER,
	PROP_RTP_AUTH,
	PROP_RTCP_CIPHER,
	PROP_RTCP_AUTH,
	PROP_RANDOM_KEY,
	PROP_WINDOW,
	PROP_ALLOW_REPEAT_TX,
	PROP_STATS,
	PROP_TESLA_SEED,
	PROP_KEYED_FIRST,
	PROP_MIKEY_FIRST = PROP_KEYED_FIRST + SG_KEYED_N_PROPS
};

enum { SIG_SOFT_LIMIT, SIG_HARD_LIMIT, SIG_ADD_EXCHANGE, N_SIGNALS };
static guint signals[N_SIGNALS];

static GstStaticPadTemplate rtp_sink_tmpl =
    GST_STATIC_PAD_TEMPLATE("rtp_sink_%u", GST_PAD_SINK, GST_PAD_REQUEST, GST_STATIC_CAPS("application/x-rtp"));
static GstStaticPadTemplate rtp_src_tmpl =
    GST_STATIC_PAD_TEMPLATE("rtp_src_%u", GST_PAD_SRC, GST_PAD_SOMETIMES, GST_STATIC_CAPS("application/x-srtp"));
static GstStaticPadTemplate rtcp_sink_tmpl =
    GST_STATIC_PAD_TEMPLATE("rtcp_sink_%u", GST_PAD_SINK, GST_PAD_REQUEST, GST_STATIC_CAPS("application/x-rtcp"));
static GstStaticPadTemplate rtcp_src_tmpl = GST_STATIC_PAD_TEMPLATE("rtcp_src_%u", GST_PAD_SRC, GST_PAD_SOMETIMES,
                                                                    GST_STATIC_CAPS("application/x-srtcp"));

static gboolean is_rtcp(GstPad *pad)
{
	return g_str_has_prefix(GST_PAD_NAME(pad), "rtcp_");
}

/* The src pad paired with a sink pad, and back. */
static GstPad *other_pad(GstPad *pad)
{
	return gst_pad_get_element_private(pad);
}

/* srtpenc's key properties as a crypto session keying any SSRC. */
static gboolean install_key_props(GstSrtpGroupEnc *self, GError **err)
{
	GstMapInfo km = GST_MAP_INFO_INIT, mm = GST_MAP_INFO_INIT;
	GstBuffer *key, *mki;
	SgProfile prof;
	mikey_crypto_session cs;
	gboolean ok = FALSE;

	GST_OBJECT_LOCK(self);
	key = self->key != NULL ? gst_buffer_ref(self->key) : NULL;
	mki = self->mki != NULL ? gst_buffer_ref(self->mki) : NULL;
	prof = self->profile;
	GST_OBJECT_UNLOCK(self);
	if (key == NULL)
		return TRUE; /* keys come from MIKEY, or later */
	if (!gst_buffer_map(key, &km, GST_MAP_READ) || (mki != NULL && !gst_buffer_map(mki, &mm, GST_MAP_READ))) {
		sg_set_error(err, MIKEY_ERR_NOMEM, "cannot map the key or mki property");
		goto out;
	}
	if (!sg_profile_to_cs(&prof, km.data, km.size, mm.data, mm.size, 0, 0, &cs, err))
		goto out;
	ok = sg_keyed_install(&self->keyed, &cs, 1, err);
	mikey_crypto_session_cleanup(&cs);
out:
	if (km.memory != NULL)
		gst_buffer_unmap(key, &km);
	if (mm.memory != NULL)
		gst_buffer_unmap(mki, &mm);
	gst_buffer_unref(key);
	if (mki != NULL)
		gst_buffer_unref(mki);
	return ok;
}

/* random-key: a master key and salt from the cryptographic RNG (OpenSSL's
 * DRBG through libmikey), when no key was given. */
static gboolean make_random_key(GstSrtpGroupEnc *self, GError **err)
{
	guint8 buf[64];
	gsize len;
	int rc;

	GST_OBJECT_LOCK(self);
	if (!self->random_key || self->key != NULL) {
		GST_OBJECT_UNLOCK(self);
		return TRUE;
	}
	len = sg_profile_key_len(&self->profile);
	rc = mikey_rng_bytes(NULL, buf, len);
	if (rc == MIKEY_OK)
		self->key = gst_buffer_new_memdup(buf, len);
	GST_OBJECT_UNLOCK(self);
	mikey_wipe(buf, sizeof(buf));
	if (rc != MIKEY_OK) {
		sg_set_error(err, rc, "random-key: the RNG failed");
		return FALSE;
	}
	return TRUE;
}

static void emit_events(GstSrtpGroupEnc *self, SgEvent *ev, gsize n)
{
	for (gsize i = 0; i < n; i++) {
		GST_INFO_OBJECT(self, "SSRC 0x%08x: %s key-usage limit (RFC 3711 9.2)", ev[i].ssrc,
		                ev[i].hard ? "hard" : "soft");
		g_signal_emit(self, signals[ev[i].hard ? SIG_HARD_LIMIT : SIG_SOFT_LIMIT], 0);
	}
	g_free(ev);
}

static GstBuffer *encode_one(GstSrtpGroupEnc *self, gboolean rtcp, GstBuffer *buf)
{
	SgEvent *ev = NULL;
	gsize n_ev = 0;
	guint32 ssrc = 0;
	gboolean warn;
	int rc;

	if (g_atomic_int_compare_and_exchange(&self->key_dirty, TRUE, FALSE)) {
		/* key and mki set together (one g_object_set) apply together,
		 * at a packet boundary, as srtpenc does. */
		GError *err = NULL;
		if (!make_random_key(self, &err) || !install_key_props(self, &err)) {
			GST_ELEMENT_WARNING(self, STREAM, ENCODE, ("new key not installed; the key in use stays"),
			                    ("%s", err->message));
			g_error_free(err);
		}
	}
	buf = sg_keyed_transform(&self->keyed, rtcp, buf, sg_keyed_now_ntp(&self->keyed, GST_ELEMENT(self)), &rc, &ssrc,
	                         &ev, &n_ev);
	if (ev != NULL)
		emit_events(self, ev, n_ev);
	if (buf != NULL)
		return buf;
	GST_OBJECT_LOCK(self);
	warn = sg_drop_warn_due(self->drops, SG_DROP_KINDS, rc);
	GST_OBJECT_UNLOCK(self);
	GST_DEBUG_OBJECT(self, "packet of SSRC 0x%08x not protected: %s", ssrc, mikey_error_name(rc));
	if (warn)
		GST_ELEMENT_WARNING(self, STREAM, ENCODE, ("%s packet dropped", rtcp ? "RTCP" : "RTP"),
		                    ("%s (%s): SSRC 0x%08x%s", mikey_error_name(rc), mikey_strerror(rc), ssrc,
		                     rc == MIKEY_ERR_UNKNOWN_SSRC ? " has no key (set mikey, key, or add-exchange)" : ""));
	return NULL;
}

static GstFlowReturn chain(GstPad *pad, GstObject *parent, GstBuffer *buf)
{
	GstSrtpGroupEnc *self = GST_SRTP_GROUP_ENC(parent);

	buf = encode_one(self, is_rtcp(pad), buf);
	return buf == NULL ? GST_FLOW_OK : gst_pad_push(other_pad(pad), buf);
}

static GstFlowReturn chain_list(GstPad *pad, GstObject *parent, GstBufferList *list)
{
	GstSrtpGroupEnc *self = GST_SRTP_GROUP_ENC(parent);
	gboolean rtcp = is_rtcp(pad);
	guint n;
	GstBuffer **in = sg_list_take(list, &n);
	GstBufferList *out = gst_buffer_list_new_sized(n);

	for (guint i = 0; i < n; i++) {
		GstBuffer *b = encode_one(self, rtcp, in[i]);
		if (b != NULL)
			gst_buffer_list_add(out, b);
	}
	g_free(in);
	if (gst_buffer_list_length(out) == 0) {
		gst_buffer_list_unref(out);
		return GST_FLOW_OK;
	}
	return gst_pad_push_list(other_pad(pad), out);
}

static gboolean sink_event(GstPad *pad, GstObject *parent, GstEvent *event)
{
	GstPad *src = other_pad(pad);

	if (GST_EVENT_TYPE(event) == GST_EVENT_CAPS) {
		GstCaps *caps, *out;
		gboolean ok;
		gst_event_parse_caps(event, &caps);
		/* Keys never go into caps: caps end up in logs and dot files. */
		out = sg_caps_rename(caps, is_rtcp(pad) ? "application/x-srtcp" : "application/x-srtp");
		gst_event_unref(event);
		ok = gst_pad_push_event(src, gst_event_new_caps(out));
		gst_caps_unref(out);
		return ok;
	}
	return gst_pad_push_event(src, event);
}

static gboolean src_event(GstPad *pad, GstObject *parent, GstEvent *event)
{
	return gst_pad_push_event(other_pad(pad), event);
}

static gboolean query(GstPad *pad, GstObject *parent, GstQuery *q)
{
	if (GST_QUERY_TYPE(q) == GST_QUERY_CAPS) {
		GstCaps *filter, *caps;
		gboolean sink = GST_PAD_DIRECTION(pad) == GST_PAD_SINK, rtcp = is_rtcp(pad);
		const gchar *name = sink ? (rtcp ? "application/x-rtcp" : "application/x-rtp")
		                         : (rtcp ? "application/x-srtcp" : "application/x-srtp");
		gst_query_parse_caps(q, &filter);
		caps = sg_pad_query_caps(pad, other_pad(pad), name, filter);
		gst_query_set_caps_result(q, caps);
		gst_caps_unref(caps);
		return TRUE;
	}
	return gst_pad_query_default(pad, parent, q);
}

/* Each pad's internal link is its pair, so that default query and event
 * handling (latency, allocation ...) reach the other side. */
static GstIterator *internal_links(GstPad *pad, GstObject *parent)
{
	GValue v = G_VALUE_INIT;
	GstIterator *it;

	g_value_init(&v, GST_TYPE_PAD);
	g_value_set_object(&v, other_pad(pad));
	it = gst_iterator_new_single(GST_TYPE_PAD, &v);
	g_value_unset(&v);
	return it;
}

static GstPad *request_new_pad(GstElement *el, GstPadTemplate *tmpl, const gchar *name, const GstCaps *caps)
{
	GstElementClass *klass = GST_ELEMENT_GET_CLASS(el);
	gboolean rtcp = g_str_has_prefix(tmpl->name_template, "rtcp_");
	GstPadTemplate *src_tmpl = gst_element_class_get_pad_template(klass, rtcp ? "rtcp_src_%u" : "rtp_src_%u");
	const gchar *prefix = rtcp ? "rtcp_sink_" : "rtp_sink_";
	guint n = 0;
	gchar *sink_name, *src_name;
	GstPad *sink, *src;

	if (name != NULL) {
		gchar *end = NULL;
		if (!g_str_has_prefix(name, prefix))
			return NULL;
		n = (guint)g_ascii_strtoull(name + strlen(prefix), &end, 10);
		if (end == NULL || *end != '\0')
			return NULL;
	} else {
		gchar probe[32];
		do {
			g_snprintf(probe, sizeof(probe), "%s%u", prefix, n);
		} while (gst_element_get_static_pad(el, probe) != NULL && ++n);
	}
	sink_name = g_strdup_printf("%s%u", prefix, n);
	src_name = g_strdup_printf("%s%u", rtcp ? "rtcp_src_" : "rtp_src_", n);
	if ((sink = gst_element_get_static_pad(el, sink_name)) != NULL) {
		gst_object_unref(sink);
		g_free(sink_name);
		g_free(src_name);
		return NULL; /* taken */
	}
	sink = gst_pad_new_from_template(tmpl, sink_name);
	src = gst_pad_new_from_template(src_tmpl, src_name);
	g_free(sink_name);
	g_free(src_name);
	gst_pad_set_element_private(sink, src);
	gst_pad_set_element_private(src, sink);
	gst_pad_set_chain_function(sink, chain);
	gst_pad_set_chain_list_function(sink, chain_list);
	gst_pad_set_event_function(sink, sink_event);
	gst_pad_set_query_function(sink, query);
	gst_pad_set_event_function(src, src_event);
	gst_pad_set_query_function(src, query);
	gst_pad_set_iterate_internal_links_function(sink, internal_links);
	gst_pad_set_iterate_internal_links_function(src, internal_links);
	GST_PAD_SET_PROXY_ALLOCATION(sink);
	if (GST_STATE(el) >= GST_STATE_PAUSED) {
		gst_pad_set_active(src, TRUE);
		gst_pad_set_active(sink, TRUE);
	}
	gst_element_add_pad(el, src);
	gst_element_add_pad(el, sink);
	return sink;
}

static void release_pad(GstElement *el, GstPad *sink)
{
	GstPad *src = other_pad(sink);

	gst_pad_set_active(src, FALSE);
	gst_element_remove_pad(el, src);
	gst_pad_set_active(sink, FALSE);
	gst_element_remove_pad(el, sink);
}

static GstStateChangeReturn change_state(GstElement *el, GstStateChange t)
{
	GstSrtpGroupEnc *self = GST_SRTP_GROUP_ENC(el);
	GError *err = NULL;

	if (t == GST_STATE_CHANGE_NULL_TO_READY) {
		if (!make_random_key(self, &err) || !install_key_props(self, &err) ||
		    !sg_keyed_start(&self->keyed, &err)) {
			GST_ELEMENT_ERROR(self, STREAM, ENCODE, ("cannot key srtpgroupenc"), ("%s", err->message));
			g_error_free(err);
			sg_keyed_stop(&self->keyed);
			return GST_STATE_CHANGE_FAILURE;
		}
	}
	GstStateChangeReturn ret = GST_ELEMENT_CLASS(gst_srtp_group_enc_parent_class)->change_state(el, t);
	if (t == GST_STATE_CHANGE_READY_TO_NULL)
		sg_keyed_stop(&self->keyed);
	return ret;
}

static void replace_buffer(GstBuffer **field, GstBuffer *b)
{
	if (*field != NULL)
		gst_buffer_unref(*field);
	*field = b;
}

static void set_property(GObject *obj, guint id, const GValue *v, GParamSpec *pspec)
{
	GstSrtpGroupEnc *self = GST_SRTP_GROUP_ENC(obj);
	gboolean rekey = FALSE;

	if (sg_keyed_set_common(&self->keyed, GST_ELEMENT(self), PROP_KEYED_FIRST, id, v))
		return;
	GST_OBJECT_LOCK(self);
	switch (id) {
	case PROP_KEY:
		replace_buffer(&self->key, g_value_dup_boxed(v));
		rekey = TRUE;
		break;
	case PROP_MKI:
		replace_buffer(&self->mki, g_value_dup_boxed(v));
		rekey = TRUE;
		break;
	case PROP_RTP_CIPHER:
		self->profile.rtp_cipher = (SgCipher)g_value_get_enum(v);
		break;
	case PROP_RTP_AUTH:
		self->profile.rtp_auth = (SgAuth)g_value_get_enum(v);
		break;
	case PROP_RTCP_CIPHER:
		self->profile.rtcp_cipher = (SgCipher)g_value_get_enum(v);
		break;
	case PROP_RTCP_AUTH:
		self->profile.rtcp_auth = (SgAuth)g_value_get_enum(v);
		break;
	case PROP_RANDOM_KEY:
		self->random_key = g_value_get_boolean(v);
		rekey = self->random_key && self->key == NULL;
		break;
	case PROP_ALLOW_REPEAT_TX:
		/* Applies from the next packet, also while PLAYING. */
		sg_keyed_set_allow_repeat_tx(&self->keyed, g_value_get_boolean(v));
		break;
	case PROP_WINDOW:
		self->keyed.window = g_value_get_uint(v);
		break;
	case PROP_TESLA_SEED:
		g_mutex_lock(&self->keyed.lock);
		if (self->keyed.tesla_seeds != NULL) {
			mikey_wipe(self->keyed.tesla_seeds, strlen(self->keyed.tesla_seeds));
			g_free(self->keyed.tesla_seeds);
		}
		self->keyed.tesla_seeds = g_value_dup_string(v);
		if (self->keyed.tesla != NULL)
			sg_tesla_set_seeds(self->keyed.tesla, self->keyed.tesla_seeds);
		g_mutex_unlock(&self->keyed.lock);
		break;
	default:
		G_OBJECT_WARN_INVALID_PROPERTY_ID(obj, id, pspec);
	}
	if (rekey && GST_STATE(self) >= GST_STATE_READY)
		g_atomic_int_set(&self->key_dirty, TRUE);
	GST_OBJECT_UNLOCK(self);
}

static void get_property(GObject *obj, guint id, GValue *v, GParamSpec *pspec)
{
	GstSrtpGroupEnc *self = GST_SRTP_GROUP_ENC(obj);

	if (id == PROP_STATS) {
		g_value_take_boxed(v, sg_keyed_stats(&self->keyed));
		return;
	}
	if (sg_keyed_get_common(&self->keyed, PROP_KEYED_FIRST, id, v))
		return;
	GST_OBJECT_LOCK(self);
	switch (id) {
	case PROP_KEY:
		g_value_set_boxed(v, self->key);
		break;
	case PROP_MKI:
		g_value_set_boxed(v, self->mki);
		break;
	case PROP_RTP_CIPHER:
		g_value_set_enum(v, self->profile.rtp_cipher);
		break;
	case PROP_RTP_AUTH:
		g_value_set_enum(v, self->profile.rtp_auth);
		break;
	case PROP_RTCP_CIPHER:
		g_value_set_enum(v, self->profile.rtcp_cipher);
		break;
	case PROP_RTCP_AUTH:
		g_value_set_enum(v, self->profile.rtcp_auth);
		break;
	case PROP_RANDOM_KEY:
		g_value_set_boolean(v, self->random_key);
		break;
	case PROP_WINDOW:
		g_value_set_uint(v, self->keyed.window);
		break;
	case PROP_ALLOW_REPEAT_TX:
		g_value_set_boolean(v, self->keyed.allow_repeat_tx);
		break;
	case PROP_TESLA_SEED:
		/* A secret: say whether one is set, never what it is. */
		g_value_set_string(v, self->keyed.tesla_seeds != NULL ? "(set)" : NULL);
		break;
	default:
		G_OBJECT_WARN_INVALID_PROPERTY_ID(obj, id, pspec);
	}
	GST_OBJECT_UNLOCK(self);
}

/* A GstBuffer's memory is not ours to wipe in place when shared; wipe what
 * we can reach when it is only ours. */
static void wipe_buffer(GstBuffer **b)
{
	GstMapInfo map;

	if (*b == NULL)
		return;
	if (gst_buffer_is_writable(*b) && gst_buffer_map(*b, &map, GST_MAP_WRITE)) {
		mikey_wipe(map.data, map.size);
		gst_buffer_unmap(*b, &map);
	}
	gst_buffer_unref(*b);
	*b = NULL;
}

static void finalize(GObject *obj)
{
	GstSrtpGroupEnc *self = GST_SRTP_GROUP_ENC(obj);

	wipe_buffer(&self->key);
	wipe_buffer(&self->mki);
	sg_keyed_clear(&self->keyed);
	G_OBJECT_CLASS(gst_srtp_group_enc_parent_class)->finalize(obj);
}

static void gst_srtp_group_enc_init(GstSrtpGroupEnc *self)
{
	sg_keyed_init(&self->keyed, TRUE);
	sg_keyed_attach(&self->keyed, GST_ELEMENT(self));
	self->profile.rtp_cipher = self->profile.rtcp_cipher = SG_CIPHER_AES_128_ICM;
	self->profile.rtp_auth = self->profile.rtcp_auth = SG_AUTH_HMAC_SHA1_80;
}

static void gst_srtp_group_enc_class_init(GstSrtpGroupEncClass *klass)
{
	GObjectClass *oc = G_OBJECT_CLASS(klass);
	GstElementClass *ec = GST_ELEMENT_CLASS(klass);
	const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS;

	GST_DEBUG_CATEGORY_INIT(srtpgroupenc_debug, "srtpgroupenc", 0, "group SRTP encoder keyed by MIKEY");
	oc->set_property = set_property;
	oc->get_property = get_property;
	oc->finalize = finalize;
	ec->change_state = change_state;
	ec->request_new_pad = request_new_pad;
	ec->release_pad = release_pad;

	g_object_class_install_property(
	    oc, PROP_KEY,
	    g_param_spec_boxed("key", "Master key",
	                       "Master key || salt for any SSRC, as srtpenc takes it (30 bytes for AES-128-ICM, 46 for "
	                       "AES-256-ICM, 28 for AES-128-GCM, 44 for AES-256-GCM). Setting it while PLAYING "
	                       "rekeys at the next packet; with an MKI the ROC and sequence go on",
	                       GST_TYPE_BUFFER, rw | GST_PARAM_MUTABLE_PLAYING));
	g_object_class_install_property(
	    oc, PROP_MKI,
	    g_param_spec_boxed("mki", "MKI",
	                       "Master Key Identifier sent with every packet (RFC 3711 3.1); NULL: none. Set it with "
	                       "a new key to rekey without restarting any ROC",
	                       GST_TYPE_BUFFER, rw | GST_PARAM_MUTABLE_PLAYING));
	g_object_class_install_property(oc, PROP_RTP_CIPHER,
	                                g_param_spec_enum("rtp-cipher", "RTP cipher", "SRTP cipher (with the key property)",
	                                                  SG_TYPE_CIPHER, SG_CIPHER_AES_128_ICM, rw));
	g_object_class_install_property(
	    oc, PROP_RTP_AUTH,
	    g_param_spec_enum("rtp-auth", "RTP authentication", "SRTP authentication (null with AES-GCM)", SG_TYPE_AUTH,
	                      SG_AUTH_HMAC_SHA1_80, rw));
	g_object_class_install_property(
	    oc, PROP_RTCP_CIPHER,
	    g_param_spec_enum("rtcp-cipher", "RTCP cipher", "SRTCP cipher: rtp-cipher's, or null for unencrypted SRTCP",
	                      SG_TYPE_CIPHER, SG_CIPHER_AES_128_ICM, rw));
	g_object_class_install_property(
	    oc, PROP_RTCP_AUTH,
	    g_param_spec_enum("rtcp-auth", "RTCP authentication", "SRTCP authentication: must be rtp-auth's",
	                      SG_TYPE_AUTH, SG_AUTH_HMAC_SHA1_80, rw));
	g_object_class_install_property(
	    oc, PROP_RANDOM_KEY,
	    g_param_spec_boolean("random-key", "Random key",
	                         "Draw the key from the cryptographic RNG at start when none is set", FALSE, rw));
	g_object_class_install_property(oc, PROP_WINDOW,
	                                g_param_spec_uint("replay-window-size", "Replay window",
	                                                  "Packets in the replay window of each SSRC", 64, 32767, 128,
	                                                  rw | GST_PARAM_MUTABLE_READY));
	g_object_class_install_property(
	    oc, PROP_ALLOW_REPEAT_TX,
	    g_param_spec_boolean("allow-repeat-tx", "Allow repeated packets",
	                         "Protect an RTP packet again whose sequence number was already sent (and is still inside "
	                         "the replay window), e.g. a retransmission of the same packet; srtpenc's property. Only "
	                         "for identical packets: other data under the same index reuses keystream (RFC 3711 "
	                         "§3.3.2). Off: such a packet is dropped and counted",
	                         FALSE, rw | GST_PARAM_MUTABLE_PLAYING));
	g_object_class_install_property(
	    oc, PROP_STATS,
	    g_param_spec_boxed("stats", "Statistics",
	                       "Per SSRC: packets, bytes, rtcp-packets, roc, mki, keys, errors; per TESLA sender "
	                       "(tesla-streams): tesla-protected; and no-key-drops, malformed",
	                       GST_TYPE_STRUCTURE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
	g_object_class_install_property(
	    oc, PROP_TESLA_SEED,
	    g_param_spec_string("tesla-seed", "TESLA chain seeds",
	                        "When the MIKEY message carries TESLA parameters (RFC 4442): this sender's key-chain "
	                        "seed K_n_c, hex (mikey-tool create --tesla-seed), comma separated for several SSRCs, or @FILE holding them. "
	                        "Each TESLA SSRC takes the seed whose chain ends in its commitment",
	                        NULL, rw | GST_PARAM_MUTABLE_READY));
	sg_keyed_install_properties(oc, PROP_KEYED_FIRST);
	sg_mikey_install_properties(oc, PROP_MIKEY_FIRST);

	signals[SIG_SOFT_LIMIT] = g_signal_new("soft-limit", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
	                                       NULL, G_TYPE_NONE, 0);
	signals[SIG_HARD_LIMIT] = g_signal_new("hard-limit", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
	                                       NULL, G_TYPE_NONE, 0);
	signals[SIG_ADD_EXCHANGE] = sg_keyed_install_add_exchange(oc);

	sg_add_pad_templates(ec, &rtp_sink_tmpl, &rtp_src_tmpl, &rtcp_sink_tmpl, &rtcp_src_tmpl);
	gst_element_class_set_static_metadata(
	    ec, "Group SRTP encoder", "Filter/Network/SRTP",
	    "Protects RTP/RTCP of any number of senders as SRTP/SRTCP, keyed from MIKEY (RFC 3830) or srtpenc "
	    "properties, switching MKI on rekey without restarting any ROC",
	    "The MIKEY stack developers");
}
