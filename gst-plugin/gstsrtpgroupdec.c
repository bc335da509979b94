/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * gstsrtpgroupdec.c - srtpgroupdec; see docs/gst-elements.md.
 *
 * Per packet: find the SSRC's stream (libmikey's hash table, one libsrtp2
 * context per SSRC), unprotect in place, count. A packet whose SSRC has no
 * key makes the element ask the application (request-key, as srtpdec
 * does); without an answer it is dropped and counted. Every drop is
 * counted per SSRC and kind; a warning naming the libmikey error goes on
 * the bus for the 1st, 2nd, 4th ... drop of each kind.
 */
#include "gstsrtpgroupdec.h"

#include <mikey/tesla.h>

#include "srtpgroup_caps.h"
#include "srtpgroup_error.h"
#include "srtpgroup_keyed.h"
#include "srtpgroup_pads.h"

GST_DEBUG_CATEGORY_STATIC(srtpgroupdec_debug);
#define GST_CAT_DEFAULT srtpgroupdec_debug

struct _GstSrtpGroupDec {
	GstElement parent;
	GstPad *rtp_sink, *rtp_src, *rtcp_sink, *rtcp_src;
	SgKeyed keyed;
	guint64 drops[SG_DROP_KINDS]; /* guarded by the object lock */
};

G_DEFINE_TYPE(GstSrtpGroupDec, gst_srtp_group_dec, GST_TYPE_ELEMENT)
GST_ELEMENT_REGISTER_DEFINE(srtpgroupdec, "srtpgroupdec", GST_RANK_NONE, GST_TYPE_SRTP_GROUP_DEC)

enum { PROP_0, PROP_WINDOW, PROP_GRACE, PROP_STATS, PROP_TESLA_LAG, PROP_TESLA_HELD, PROP_KEYED_FIRST, PROP_MIKEY_FIRST = PROP_KEYED_FIRST + SG_KEYED_N_PROPS };

enum { SIG_REQUEST_KEY, SIG_SOFT_LIMIT, SIG_HARD_LIMIT, SIG_CLEAR_KEYS, SIG_REMOVE_KEY, SIG_ADD_EXCHANGE, N_SIGNALS };
static guint signals[N_SIGNALS];

static GstStaticPadTemplate rtp_sink_tmpl =
    GST_STATIC_PAD_TEMPLATE("rtp_sink", GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS("application/x-srtp"));
static GstStaticPadTemplate rtp_src_tmpl =
    GST_STATIC_PAD_TEMPLATE("rtp_src", GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS("application/x-rtp"));
static GstStaticPadTemplate rtcp_sink_tmpl =
    GST_STATIC_PAD_TEMPLATE("rtcp_sink", GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS("application/x-srtcp"));
static GstStaticPadTemplate rtcp_src_tmpl =
    GST_STATIC_PAD_TEMPLATE("rtcp_src", GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS("application/x-rtcp"));

/* Keys in srtpdec's caps form for |ssrc|; FALSE (with a warning) when the
 * caps carry keys that do not install. No keys in the caps: TRUE. */
static gboolean install_caps(GstSrtpGroupDec *self, const GstCaps *caps, guint32 ssrc, const gchar *from)
{
	GError *err = NULL;
	gboolean present = FALSE, ok;
	GArray *keys;

	if (caps == NULL || gst_caps_get_size(caps) == 0)
		return TRUE;
	keys = sg_caps_keys(gst_caps_get_structure(caps, 0), ssrc, &present, &err);
	if (keys == NULL) {
		if (!present)
			return TRUE;
		GST_ELEMENT_WARNING(self, STREAM, DECRYPT_NOKEY, ("keys for SSRC 0x%08x from %s not usable", ssrc, from),
		                    ("%s", err->message));
		g_error_free(err);
		return FALSE;
	}
	ok = sg_keyed_install(&self->keyed, (const mikey_crypto_session *)(void *)keys->data, keys->len, &err);
	g_array_unref(keys);
	if (!ok) {
		GST_ELEMENT_WARNING(self, STREAM, DECRYPT_NOKEY, ("keys for SSRC 0x%08x from %s not installed", ssrc, from),
		                    ("%s", err->message));
		g_error_free(err);
	}
	return ok;
}

/* Emits a signal that returns caps (request-key, soft-limit, hard-limit)
 * and installs what it returns. */
static void ask_for_key(GstSrtpGroupDec *self, guint sig, guint32 ssrc)
{
	GstCaps *caps = NULL;

	g_signal_emit(self, signals[sig], 0, ssrc, &caps);
	if (caps != NULL) {
		install_caps(self, caps, ssrc, g_signal_name(signals[sig]));
		gst_caps_unref(caps);
	}
}

static void emit_events(GstSrtpGroupDec *self, SgEvent *ev, gsize n)
{
	for (gsize i = 0; i < n; i++) {
		GST_INFO_OBJECT(self, "SSRC 0x%08x: %s key-usage limit (RFC 3711 9.2)", ev[i].ssrc,
		                ev[i].hard ? "hard" : "soft");
		ask_for_key(self, ev[i].hard ? SIG_HARD_LIMIT : SIG_SOFT_LIMIT, ev[i].ssrc);
	}
	g_free(ev);
}

static void report_drop(GstSrtpGroupDec *self, gboolean rtcp, int rc, guint32 ssrc)
{
	gboolean warn;

	GST_OBJECT_LOCK(self);
	warn = sg_drop_warn_due(self->drops, SG_DROP_KINDS, rc);
	GST_OBJECT_UNLOCK(self);
	GST_DEBUG_OBJECT(self, "%s packet of SSRC 0x%08x dropped: %s", rtcp ? "SRTCP" : "SRTP", ssrc,
	                 mikey_error_name(rc));
	if (warn)
		GST_ELEMENT_WARNING(self, STREAM, DECRYPT, ("%s packet dropped", rtcp ? "SRTCP" : "SRTP"),
		                    ("%s (%s): SSRC 0x%08x (counted in the stats property; further drops of this kind "
		                     "are reported at powers of two)",
		                     mikey_error_name(rc), mikey_strerror(rc), ssrc));
}

/* One packet in; what comes out (the packet, or packets TESLA released)
 * is appended to |rtp| / |rtcp|. */
static void decode_one(GstSrtpGroupDec *self, gboolean rtcp, GstBuffer *buf, guint64 now, GstBufferList *rtp,
                       GstBufferList *rtcp_out)
{
	SgEvent *ev = NULL;
	gsize n_ev = 0;
	guint32 ssrc = 0;
	int rc;

	buf = sg_keyed_unprotect_into(&self->keyed, rtcp, buf, now, TRUE, rtp, rtcp_out, &rc, &ssrc, &ev, &n_ev);
	if (buf != NULL) {
		/* No key for its SSRC: ask (srtpdec's request-key), then once more. */
		ask_for_key(self, SIG_REQUEST_KEY, ssrc);
		buf = sg_keyed_unprotect_into(&self->keyed, rtcp, buf, now, FALSE, rtp, rtcp_out, &rc, &ssrc, &ev, &n_ev);
	}
	if (ev != NULL)
		emit_events(self, ev, n_ev);
	if (rc != MIKEY_OK)
		report_drop(self, rtcp, rc, ssrc);
}

static GstFlowReturn push_out(GstPad *pad, GstBufferList *list)
{
	guint n = gst_buffer_list_length(list);

	if (n == 0) {
		gst_buffer_list_unref(list);
		return GST_FLOW_OK;
	}
	if (n == 1) {
		GstBuffer *b = gst_buffer_ref(gst_buffer_list_get(list, 0));
		gst_buffer_list_unref(list);
		return gst_pad_push(pad, b);
	}
	return gst_pad_push_list(pad, list);
}

/* Whatever came out goes on: RTP and RTCP each as a list. */
static GstFlowReturn push_both(GstSrtpGroupDec *self, GstBufferList *rtp, GstBufferList *rtcp)
{
	GstFlowReturn a = push_out(self->rtp_src, rtp), b = push_out(self->rtcp_src, rtcp);
	/* RTCP going nowhere must not stop RTP. */
	return a != GST_FLOW_OK ? a : (b == GST_FLOW_NOT_LINKED ? GST_FLOW_OK : b);
}

/* Plain SRTP, one buffer: at most one comes out, so no lists (they cost
 * two allocations a packet). FALSE, with |buf| untouched, when TESLA is
 * installed: decode_one's way then. */
static gboolean decode_plain(GstSrtpGroupDec *self, gboolean rtcp, GstBuffer *buf, GstFlowReturn *ret)
{
	SgEvent *ev = NULL;
	gsize n_ev = 0;
	guint32 ssrc = 0;
	GstBuffer *out = NULL;
	gboolean needs_tesla = FALSE;
	int rc;

	buf = sg_keyed_unprotect_one(&self->keyed, rtcp, buf, TRUE, &out, &needs_tesla, &rc, &ssrc, &ev, &n_ev);
	if (needs_tesla)
		return FALSE;
	if (buf != NULL) {
		/* No key for its SSRC: ask (srtpdec's request-key), then once more. */
		ask_for_key(self, SIG_REQUEST_KEY, ssrc);
		buf = sg_keyed_unprotect_one(&self->keyed, rtcp, buf, FALSE, &out, &needs_tesla, &rc, &ssrc, &ev, &n_ev);
		if (needs_tesla) /* the key asked for brought TESLA */
			return FALSE;
	}
	if (ev != NULL)
		emit_events(self, ev, n_ev);
	if (rc != MIKEY_OK)
		report_drop(self, rtcp, rc, ssrc);
	*ret = GST_FLOW_OK;
	if (out != NULL) {
		*ret = gst_pad_push(rtcp ? self->rtcp_src : self->rtp_src, out);
		/* RTCP going nowhere must not stop RTP. */
		if (rtcp && *ret == GST_FLOW_NOT_LINKED)
			*ret = GST_FLOW_OK;
	}
	return TRUE;
}

static GstFlowReturn chain(GstPad *pad, GstObject *parent, GstBuffer *buf)
{
	GstSrtpGroupDec *self = GST_SRTP_GROUP_DEC(parent);
	gboolean rtcp = pad == self->rtcp_sink;
	GstBufferList *rtp_out, *rtcp_out;
	GstFlowReturn ret;

	if (decode_plain(self, rtcp, buf, &ret))
		return ret;
	rtp_out = gst_buffer_list_new();
	rtcp_out = gst_buffer_list_new();
	decode_one(self, rtcp, buf, sg_keyed_now_ntp(&self->keyed, GST_ELEMENT(self)), rtp_out, rtcp_out);
	return push_both(self, rtp_out, rtcp_out);
}

/* Buffer lists stay lists: the survivors go out as one list. */
static GstFlowReturn chain_list(GstPad *pad, GstObject *parent, GstBufferList *list)
{
	GstSrtpGroupDec *self = GST_SRTP_GROUP_DEC(parent);
	gboolean is_rtcp = pad == self->rtcp_sink;
	guint n;
	GstBuffer **in = sg_list_take(list, &n);
	GstBufferList *rtp = gst_buffer_list_new_sized(n), *rtcp = gst_buffer_list_new();
	guint64 now = sg_keyed_now_ntp(&self->keyed, GST_ELEMENT(self));

	for (guint i = 0; i < n; i++)
		decode_one(self, is_rtcp, in[i], now, rtp, rtcp);
	g_free(in);
	return push_both(self, rtp, rtcp);
}

static gboolean sink_event(GstPad *pad, GstObject *parent, GstEvent *event)
{
	GstSrtpGroupDec *self = GST_SRTP_GROUP_DEC(parent);
	gboolean rtcp = pad == self->rtcp_sink;
	GstPad *src = rtcp ? self->rtcp_src : self->rtp_src;

	if (GST_EVENT_TYPE(event) == GST_EVENT_CAPS) {
		GstCaps *caps, *out;
		guint ssrc;
		gboolean ok;
		gst_event_parse_caps(event, &caps);
		/* srtpdec: keys in the sink caps belong to the caps' SSRC. */
		if (gst_caps_get_size(caps) > 0 &&
		    gst_structure_get_uint(gst_caps_get_structure(caps, 0), "ssrc", &ssrc))
			install_caps(self, caps, ssrc, "the sink caps");
		out = sg_caps_rename(caps, rtcp ? "application/x-rtcp" : "application/x-rtp");
		gst_event_unref(event);
		ok = gst_pad_push_event(src, gst_event_new_caps(out));
		gst_caps_unref(out);
		return ok;
	}
	return gst_pad_push_event(src, event);
}

static gboolean query(GstPad *pad, GstObject *parent, GstQuery *q)
{
	GstSrtpGroupDec *self = GST_SRTP_GROUP_DEC(parent);

	if (GST_QUERY_TYPE(q) == GST_QUERY_CAPS) {
		GstCaps *filter, *caps;
		GstPad *other;
		const gchar *name;
		gst_query_parse_caps(q, &filter);
		if (pad == self->rtp_sink) {
			other = self->rtp_src;
			name = "application/x-srtp";
		} else if (pad == self->rtcp_sink) {
			other = self->rtcp_src;
			name = "application/x-srtcp";
		} else if (pad == self->rtp_src) {
			other = self->rtp_sink;
			name = "application/x-rtp";
		} else {
			other = self->rtcp_sink;
			name = "application/x-rtcp";
		}
		caps = sg_pad_query_caps(pad, other, name, filter);
		gst_query_set_caps_result(q, caps);
		gst_caps_unref(caps);
		return TRUE;
	}
	if (GST_QUERY_TYPE(q) == GST_QUERY_LATENCY && GST_PAD_IS_SRC(pad)) {
		/* TESLA holds a packet until its key is disclosed: d * T_int
		 * plus the clock lag D_t (RFC 4082 §3.5, RFC 4383 §4.4). */
		GstPad *sink = pad == self->rtp_src ? self->rtp_sink : self->rtcp_sink;
		gboolean live;
		GstClockTime min, max, add = sg_keyed_tesla_latency(&self->keyed);
		if (!gst_pad_peer_query(sink, q))
			return FALSE;
		gst_query_parse_latency(q, &live, &min, &max);
		gst_query_set_latency(q, live, min + add, max == GST_CLOCK_TIME_NONE ? max : max + add);
		return TRUE;
	}
	return gst_pad_query_default(pad, parent, q);
}

static GstPad *add_pad(GstSrtpGroupDec *self, GstStaticPadTemplate *tmpl)
{
	GstPad *pad = gst_pad_new_from_static_template(tmpl, tmpl->name_template);

	if (tmpl->direction == GST_PAD_SINK) {
		gst_pad_set_chain_function(pad, chain);
		gst_pad_set_chain_list_function(pad, chain_list);
		gst_pad_set_event_function(pad, sink_event);
	}
	gst_pad_set_query_function(pad, query);
	GST_PAD_SET_PROXY_ALLOCATION(pad);
	gst_element_add_pad(GST_ELEMENT(self), pad);
	return pad;
}

static void clear_keys(GstSrtpGroupDec *self)
{
	g_mutex_lock(&self->keyed.lock);
	if (self->keyed.streams != NULL)
		sg_streams_clear(self->keyed.streams);
	g_mutex_unlock(&self->keyed.lock);
}

static void remove_key(GstSrtpGroupDec *self, guint ssrc)
{
	g_mutex_lock(&self->keyed.lock);
	if (self->keyed.streams != NULL)
		(void)sg_streams_remove(self->keyed.streams, ssrc);
	g_mutex_unlock(&self->keyed.lock);
}

static GstStateChangeReturn change_state(GstElement *el, GstStateChange t)
{
	GstSrtpGroupDec *self = GST_SRTP_GROUP_DEC(el);
	GstStateChangeReturn ret;
	GError *err = NULL;

	if (t == GST_STATE_CHANGE_NULL_TO_READY && !sg_keyed_start(&self->keyed, &err)) {
		GST_ELEMENT_ERROR(self, STREAM, DECRYPT_NOKEY, ("cannot key srtpgroupdec"), ("%s", err->message));
		g_error_free(err);
		return GST_STATE_CHANGE_FAILURE;
	}
	ret = GST_ELEMENT_CLASS(gst_srtp_group_dec_parent_class)->change_state(el, t);
	if (t == GST_STATE_CHANGE_READY_TO_NULL)
		sg_keyed_stop(&self->keyed);
	return ret;
}

static void set_property(GObject *obj, guint id, const GValue *v, GParamSpec *pspec)
{
	GstSrtpGroupDec *self = GST_SRTP_GROUP_DEC(obj);

	if (sg_keyed_set_common(&self->keyed, GST_ELEMENT(self), PROP_KEYED_FIRST, id, v))
		return;
	switch (id) {
	case PROP_WINDOW:
		g_mutex_lock(&self->keyed.lock);
		self->keyed.window = g_value_get_uint(v);
		g_mutex_unlock(&self->keyed.lock);
		break;
	case PROP_GRACE:
		g_mutex_lock(&self->keyed.lock);
		self->keyed.grace_us = (gint64)g_value_get_uint(v) * 1000;
		if (self->keyed.streams != NULL)
			sg_streams_set_grace(self->keyed.streams, self->keyed.grace_us);
		g_mutex_unlock(&self->keyed.lock);
		break;
	case PROP_TESLA_LAG:
		g_mutex_lock(&self->keyed.lock);
		self->keyed.tesla_lag = MIKEY_TESLA_NTP_FROM_MS(g_value_get_uint(v));
		if (self->keyed.tesla != NULL)
			sg_tesla_set_lag(self->keyed.tesla, self->keyed.tesla_lag);
		g_mutex_unlock(&self->keyed.lock);
		break;
	case PROP_TESLA_HELD:
		g_mutex_lock(&self->keyed.lock);
		self->keyed.tesla_max_held = g_value_get_uint(v);
		if (self->keyed.tesla != NULL)
			sg_tesla_set_max_held(self->keyed.tesla, self->keyed.tesla_max_held);
		g_mutex_unlock(&self->keyed.lock);
		break;
	default:
		G_OBJECT_WARN_INVALID_PROPERTY_ID(obj, id, pspec);
	}
}

static void get_property(GObject *obj, guint id, GValue *v, GParamSpec *pspec)
{
	GstSrtpGroupDec *self = GST_SRTP_GROUP_DEC(obj);

	if (sg_keyed_get_common(&self->keyed, PROP_KEYED_FIRST, id, v))
		return;
	switch (id) {
	case PROP_WINDOW:
		g_value_set_uint(v, self->keyed.window);
		break;
	case PROP_GRACE:
		g_value_set_uint(v, (guint)(self->keyed.grace_us / 1000));
		break;
	case PROP_STATS:
		g_value_take_boxed(v, sg_keyed_stats(&self->keyed));
		break;
	case PROP_TESLA_LAG:
		g_value_set_uint(v, (guint)((self->keyed.tesla_lag * 1000) >> 32));
		break;
	case PROP_TESLA_HELD:
		g_value_set_uint(v, self->keyed.tesla_max_held);
		break;
	default:
		G_OBJECT_WARN_INVALID_PROPERTY_ID(obj, id, pspec);
	}
}

static void finalize(GObject *obj)
{
	GstSrtpGroupDec *self = GST_SRTP_GROUP_DEC(obj);

	sg_keyed_clear(&self->keyed);
	G_OBJECT_CLASS(gst_srtp_group_dec_parent_class)->finalize(obj);
}

static void gst_srtp_group_dec_init(GstSrtpGroupDec *self)
{
	sg_keyed_init(&self->keyed, FALSE);
	sg_keyed_attach(&self->keyed, GST_ELEMENT(self));
	self->rtp_sink = add_pad(self, &rtp_sink_tmpl);
	self->rtp_src = add_pad(self, &rtp_src_tmpl);
	self->rtcp_sink = add_pad(self, &rtcp_sink_tmpl);
	self->rtcp_src = add_pad(self, &rtcp_src_tmpl);
}

static void gst_srtp_group_dec_class_init(GstSrtpGroupDecClass *klass)
{
	GObjectClass *oc = G_OBJECT_CLASS(klass);
	GstElementClass *ec = GST_ELEMENT_CLASS(klass);

	GST_DEBUG_CATEGORY_INIT(srtpgroupdec_debug, "srtpgroupdec", 0, "group SRTP decoder keyed by MIKEY");
	oc->set_property = set_property;
	oc->get_property = get_property;
	oc->finalize = finalize;
	ec->change_state = change_state;

	g_object_class_install_property(
	    oc, PROP_WINDOW,
	    g_param_spec_uint("replay-window-size", "Replay window",
	                      "Packets in the replay window of each SSRC (RFC 3711 3.3.2); applies to streams made "
	                      "after the element starts",
	                      64, 32767, 128, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));
	g_object_class_install_property(
	    oc, PROP_GRACE,
	    g_param_spec_uint("grace-period", "Grace period (ms)",
	                      "After a rekey, how long packets under the old MKI are still accepted before the old "
	                      "key is wiped (0: at once)",
	                      0, G_MAXUINT, 5000, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING));
	g_object_class_install_property(
	    oc, PROP_STATS,
	    g_param_spec_boxed("stats", "Statistics",
	                       "Per SSRC: packets, bytes, rtcp-packets, auth-failures, replays, unknown-mki, "
	                       "other-errors, roc, mki, keys; per TESLA sender (tesla-streams): tesla-verified, "
	                       "tesla-unsafe, tesla-forged, tesla-late, tesla-bad-key, tesla-held, srtp-bad-tag; and "
	                       "no-key-drops, malformed",
	                       GST_TYPE_STRUCTURE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
	g_object_class_install_property(
	    oc, PROP_TESLA_LAG,
	    g_param_spec_uint("tesla-clock-lag", "TESLA clock lag (ms)",
	                      "Bound on how far this receiver's clock lags each TESLA sender's (D_t, RFC 4383 4.3 item "
	                      "9; set by the receiver, RFC 4442 4.3); applies to senders installed after it is set",
	                      0, 3600000, 0, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING));
	g_object_class_install_property(
	    oc, PROP_TESLA_HELD,
	    g_param_spec_uint("tesla-max-held", "TESLA packets held",
	                      "Packets held per TESLA sender while their keys are not yet disclosed (about rate x (d + 1) "
	                      "x T_int); more are dropped and counted as tesla-overflow",
	                      16, 1u << 20, 4096, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));
	sg_keyed_install_properties(oc, PROP_KEYED_FIRST);
	sg_mikey_install_properties(oc, PROP_MIKEY_FIRST);

	signals[SIG_REQUEST_KEY] = g_signal_new("request-key", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
	                                        NULL, GST_TYPE_CAPS, 1, G_TYPE_UINT);
	signals[SIG_SOFT_LIMIT] = g_signal_new("soft-limit", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
	                                       NULL, GST_TYPE_CAPS, 1, G_TYPE_UINT);
	signals[SIG_HARD_LIMIT] = g_signal_new("hard-limit", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
	                                       NULL, GST_TYPE_CAPS, 1, G_TYPE_UINT);
	signals[SIG_CLEAR_KEYS] = g_signal_new_class_handler("clear-keys", G_TYPE_FROM_CLASS(klass),
	                                                     G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION, G_CALLBACK(clear_keys),
	                                                     NULL, NULL, NULL, G_TYPE_NONE, 0);
	signals[SIG_REMOVE_KEY] = g_signal_new_class_handler("remove-key", G_TYPE_FROM_CLASS(klass),
	                                                     G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION, G_CALLBACK(remove_key),
	                                                     NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
	signals[SIG_ADD_EXCHANGE] = sg_keyed_install_add_exchange(oc);

	sg_add_pad_templates(ec, &rtp_sink_tmpl, &rtp_src_tmpl, &rtcp_sink_tmpl, &rtcp_src_tmpl);
	gst_element_class_set_static_metadata(
	    ec, "Group SRTP decoder", "Filter/Network/SRTP",
	    "Decrypts and authenticates SRTP/SRTCP of any number of senders, keyed from MIKEY (RFC 3830) or srtpdec "
	    "caps, with several keys per stream by MKI and lossless rekeys",
	    "The MIKEY stack developers");
}
