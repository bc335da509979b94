/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* srtpgroup_keyed.c - see srtpgroup_keyed.h. */
#include "srtpgroup_keyed.h"

#include <string.h>

#include "srtpgroup_error.h"

#include <mikey/mem.h>

/* Room a sender needs after the packet: SRTCP index (4, RFC 3711 §3.4),
 * MKI (at most 128 bytes in libsrtp2), tag (at most 20), and a TESLA
 * extension (RFC 4383 §4.1: 4 + n_p/8 + n_m/8, at most 44). */
#define SG_TRAILER_MAX (4 + 128 + 20 + 44)

static void cs_clear(gpointer p)
{
	mikey_crypto_session_cleanup(p);
}

void sg_keyed_init(SgKeyed *k, gboolean sender)
{
	memset(k, 0, sizeof(*k));
	g_mutex_init(&k->lock);
	k->sender = sender;
	k->window = 128;
	k->grace_us = 5 * G_USEC_PER_SEC;
	k->tesla_max_held = 4096;
	k->pending = g_array_new(FALSE, TRUE, sizeof(mikey_crypto_session));
	g_array_set_clear_func(k->pending, cs_clear);
}

static GQuark sg_keyed_quark(void);
G_DEFINE_QUARK(srtpgroup-keyed, sg_keyed)

void sg_keyed_attach(SgKeyed *k, GstElement *el)
{
	g_object_set_qdata(G_OBJECT(el), sg_keyed_quark(), k);
}

static gboolean add_exchange(GstElement *el, gpointer exchange)
{
	SgKeyed *k = g_object_get_qdata(G_OBJECT(el), sg_keyed_quark());
	GError *err = NULL;

	if (sg_keyed_install_exchange(k, exchange, &err))
		return TRUE;
	GST_ELEMENT_WARNING(el, STREAM, FAILED, ("keys of the MIKEY exchange not installed"), ("%s", err->message));
	g_error_free(err);
	return FALSE;
}

guint sg_keyed_install_add_exchange(GObjectClass *klass)
{
	return g_signal_new_class_handler("add-exchange", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
	                                  G_CALLBACK(add_exchange), NULL, NULL, NULL, G_TYPE_BOOLEAN, 1, G_TYPE_POINTER);
}

void sg_add_pad_templates(GstElementClass *ec, GstStaticPadTemplate *a, GstStaticPadTemplate *b,
                          GstStaticPadTemplate *c, GstStaticPadTemplate *d)
{
	gst_element_class_add_static_pad_template(ec, a);
	gst_element_class_add_static_pad_template(ec, b);
	gst_element_class_add_static_pad_template(ec, c);
	gst_element_class_add_static_pad_template(ec, d);
}

void sg_keyed_install_properties(GObjectClass *klass, guint first)
{
	const GParamFlags f = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY;

	g_object_class_install_property(
	    klass, first,
	    g_param_spec_uint64("key-limit", "Key-usage limit",
	                        "Packets a master key may protect or check (RFC 3711 9.2), SRTP and SRTCP counted "
	                        "apart; then its packets are refused and hard-limit is emitted. 0: 2^48 for SRTP, "
	                        "2^31 for SRTCP",
	                        0, G_GUINT64_CONSTANT(1) << 48, 0, f));
	g_object_class_install_property(
	    klass, first + 1,
	    g_param_spec_uint64("key-soft-margin", "Soft-limit margin",
	                        "soft-limit is emitted once per key when this many packets are left before key-limit "
	                        "(0: 65536, libsrtp2's margin): time to rekey",
	                        0, G_GUINT64_CONSTANT(1) << 48, 0, f));
}

void sg_keyed_set_property(SgKeyed *k, guint rel_id, const GValue *v)
{
	g_mutex_lock(&k->lock);
	if (rel_id == 0)
		k->key_limit = g_value_get_uint64(v);
	else
		k->soft_margin = g_value_get_uint64(v);
	g_mutex_unlock(&k->lock);
}

void sg_keyed_get_property(SgKeyed *k, guint rel_id, GValue *v)
{
	g_mutex_lock(&k->lock);
	g_value_set_uint64(v, rel_id == 0 ? k->key_limit : k->soft_margin);
	g_mutex_unlock(&k->lock);
}

gboolean sg_keyed_set_common(SgKeyed *k, GstElement *el, guint first, guint id, const GValue *v)
{
	guint mikey_first = first + SG_KEYED_N_PROPS;

	if (id < first || id >= mikey_first + SG_MIKEY_N_PROPS)
		return FALSE;
	if (id < mikey_first) {
		sg_keyed_set_property(k, id - first, v);
	} else if (id == mikey_first + SG_MIKEY_PROP_MESSAGE) {
		sg_keyed_set_message(k, el, g_value_get_string(v));
	} else {
		g_mutex_lock(&k->lock);
		sg_mikey_set_property(&k->mikey, id - mikey_first, v);
		g_mutex_unlock(&k->lock);
	}
	return TRUE;
}

gboolean sg_keyed_get_common(SgKeyed *k, guint first, guint id, GValue *v)
{
	guint mikey_first = first + SG_KEYED_N_PROPS;

	if (id < first || id >= mikey_first + SG_MIKEY_N_PROPS)
		return FALSE;
	if (id < mikey_first) {
		sg_keyed_get_property(k, id - first, v);
	} else {
		g_mutex_lock(&k->lock);
		sg_mikey_get_property(&k->mikey, id - mikey_first, v);
		g_mutex_unlock(&k->lock);
	}
	return TRUE;
}

void sg_keyed_clear(SgKeyed *k)
{
	sg_keyed_stop(k);
	sg_mikey_clear(&k->mikey);
	g_array_unref(k->pending);
	if (k->tesla_seeds != NULL) {
		mikey_wipe(k->tesla_seeds, strlen(k->tesla_seeds));
		g_free(k->tesla_seeds);
	}
	g_mutex_clear(&k->lock);
}

/* Crypto sessions with TESLA parameters go to the TESLA side, the others
 * to the plain streams. Runs with the lock held and the element started. */
static gboolean install_sessions(SgKeyed *k, const mikey_crypto_session *cs, gsize n, GError **err)
{
	GArray *plain = g_array_new(FALSE, FALSE, sizeof(mikey_crypto_session));
	gboolean ok = TRUE;

	for (gsize i = 0; i < n; i++) {
		if (cs[i].has_tesla)
			continue;
		g_array_append_val(plain, cs[i]);
	}
	if (plain->len > 0)
		ok = sg_streams_install(k->streams, (const mikey_crypto_session *)(void *)plain->data, plain->len,
		                        g_get_monotonic_time(), err);
	mikey_wipe(plain->data, plain->len * sizeof(mikey_crypto_session));
	g_array_unref(plain);
	if (!ok || !sg_tesla_install_all(k->tesla, cs, n, err))
		return FALSE;
	for (gsize i = 0; i < n; i++)
		if (cs[i].has_tesla)
			g_atomic_int_set(&k->tesla_active, 1);
	return TRUE;
}

static gboolean install_message(SgKeyed *k, const gchar *text, GError **err)
{
	GArray *cs = NULL;

	if (sg_mikey_receive(&k->mikey, text, &cs, err) == NULL)
		return FALSE;
	gboolean ok = install_sessions(k, (const mikey_crypto_session *)(void *)cs->data, cs->len, err);
	g_array_unref(cs);
	return ok;
}

void sg_keyed_set_allow_repeat_tx(SgKeyed *k, gboolean allow)
{
	g_mutex_lock(&k->lock);
	k->allow_repeat_tx = allow;
	if (k->streams != NULL)
		sg_streams_set_allow_repeat_tx(k->streams, allow);
	g_mutex_unlock(&k->lock);
}

gboolean sg_keyed_start(SgKeyed *k, GError **err)
{
	gboolean ok = FALSE;

	g_mutex_lock(&k->lock);
	if (k->streams == NULL &&
	    (k->streams = sg_streams_new_full(k->sender, k->window, k->key_limit, k->soft_margin,
	                                                   k->allow_repeat_tx, err)) == NULL)
		goto out;
	sg_streams_set_grace(k->streams, k->grace_us);
	if (k->tesla == NULL)
		k->tesla = sg_tesla_new(k->sender);
	sg_tesla_set_seeds(k->tesla, k->tesla_seeds);
	sg_tesla_set_lag(k->tesla, k->tesla_lag);
	sg_tesla_set_max_held(k->tesla, k->tesla_max_held);
	if (k->mikey.message != NULL && !install_message(k, k->mikey.message, err))
		goto out;
	if (k->pending->len > 0 &&
	    !install_sessions(k, (const mikey_crypto_session *)(void *)k->pending->data, k->pending->len, err))
		goto out;
	g_array_set_size(k->pending, 0);
	ok = TRUE;
out:
	if (!ok) {
		sg_streams_free(k->streams);
		k->streams = NULL;
		sg_tesla_free(k->tesla);
		k->tesla = NULL;
	}
	g_mutex_unlock(&k->lock);
	return ok;
}

void sg_keyed_stop(SgKeyed *k)
{
	g_mutex_lock(&k->lock);
	sg_streams_free(k->streams);
	k->streams = NULL;
	sg_tesla_free(k->tesla);
	k->tesla = NULL;
	k->base_ntp = 0;
	g_atomic_int_set(&k->tesla_active, 0);
	g_mutex_unlock(&k->lock);
}

void sg_keyed_set_message(SgKeyed *k, GstElement *el, const gchar *text)
{
	GError *err = NULL;

	g_mutex_lock(&k->lock);
	if (k->mikey.message != NULL) {
		memset(k->mikey.message, 0, strlen(k->mikey.message));
		g_free(k->mikey.message);
	}
	k->mikey.message = g_strdup(text);
	if (k->streams != NULL && text != NULL && !install_message(k, text, &err)) {
		g_mutex_unlock(&k->lock);
		GST_ELEMENT_WARNING(el, STREAM, DECRYPT_NOKEY, ("MIKEY message not installed; the keys in use stay"),
		                    ("%s", err->message));
		g_error_free(err);
		return;
	}
	g_mutex_unlock(&k->lock);
}

gboolean sg_keyed_install(SgKeyed *k, const mikey_crypto_session *cs, gsize n, GError **err)
{
	gboolean ok = TRUE;

	g_mutex_lock(&k->lock);
	if (k->streams != NULL)
		ok = install_sessions(k, cs, n, err);
	else
		g_array_append_vals(k->pending, cs, n);
	g_mutex_unlock(&k->lock);
	return ok;
}

gboolean sg_keyed_install_exchange(SgKeyed *k, const mikey_exchange *ex, GError **err)
{
	GArray *cs;
	gboolean ok;

	if (ex == NULL) {
		sg_set_error(err, MIKEY_ERR_ARG, "no exchange given");
		return FALSE;
	}
	if ((cs = sg_exchange_sessions(ex, err)) == NULL)
		return FALSE;
	ok = sg_keyed_install(k, (const mikey_crypto_session *)(void *)cs->data, cs->len, err);
	g_array_unref(cs);
	return ok;
}

GstStructure *sg_keyed_stats(SgKeyed *k)
{
	GstStructure *s;

	g_mutex_lock(&k->lock);
	s = k->streams != NULL ? sg_streams_stats(k->streams)
	                       : gst_structure_new_empty("application/x-srtpgroup-stats");
	if (k->tesla != NULL) {
		GList *ssrcs = sg_tesla_ssrcs(k->tesla);
		GValue arr = G_VALUE_INIT;
		gst_value_array_init(&arr, g_list_length(ssrcs));
		for (GList *l = ssrcs; l != NULL; l = l->next) {
			GValue v = G_VALUE_INIT;
			GstStructure *one = gst_structure_new("application/x-srtpgroup-tesla-stream", "ssrc", G_TYPE_UINT,
			                                      GPOINTER_TO_UINT(l->data), NULL);
			sg_tesla_add_stats(k->tesla, GPOINTER_TO_UINT(l->data), one);
			g_value_init(&v, GST_TYPE_STRUCTURE);
			g_value_take_boxed(&v, one);
			gst_value_array_append_and_take_value(&arr, &v);
		}
		g_list_free(ssrcs);
		gst_structure_take_value(s, "tesla-streams", &arr);
	}
	g_mutex_unlock(&k->lock);
	return s;
}

/* Sender: a new buffer with room for the trailer, the packet copied in
 * (the input may be shared with other branches of the pipeline). */
static GstBuffer *protect(SgKeyed *k, gboolean rtcp, GstBuffer *in, guint64 now_ntp, int *rc, guint32 *ssrc)
{
	gsize len = gst_buffer_get_size(in), out_len = 0;
	GstBuffer *out = gst_buffer_new_allocate(NULL, len + SG_TRAILER_MAX, NULL);
	GstMapInfo map;

	if (out == NULL || !gst_buffer_map(out, &map, GST_MAP_WRITE)) {
		*rc = MIKEY_ERR_NOMEM;
		if (out != NULL)
			gst_buffer_unref(out);
		return NULL;
	}
	gst_buffer_extract(in, 0, map.data, len);
	if (k->streams == NULL)
		*rc = MIKEY_ERR_STATE;
	else if (g_atomic_int_get(&k->tesla_active) && sg_packet_ssrc(map.data, len, rtcp, ssrc) &&
	         sg_tesla_has(k->tesla, *ssrc))
		*rc = sg_tesla_protect(k->tesla, *ssrc, rtcp, map.data, len, map.size, now_ntp, &out_len);
	else
		*rc = sg_streams_protect(k->streams, rtcp, map.data, len, map.size, &out_len, ssrc,
		                         g_get_monotonic_time());
	gst_buffer_unmap(out, &map);
	if (*rc != MIKEY_OK) {
		gst_buffer_unref(out);
		return NULL;
	}
	gst_buffer_set_size(out, (gssize)out_len);
	gst_buffer_copy_into(out, in, GST_BUFFER_COPY_METADATA, 0, (gsize)-1);
	return out;
}

/* Receiver: in place on a writable buffer. */
static GstBuffer *unprotect(SgKeyed *k, gboolean rtcp, GstBuffer *buf, int *rc, guint32 *ssrc)
{
	GstMapInfo map;
	gsize out_len = 0;

	buf = gst_buffer_make_writable(buf);
	if (!gst_buffer_map(buf, &map, GST_MAP_READWRITE)) {
		*rc = MIKEY_ERR_NOMEM;
		gst_buffer_unref(buf);
		return NULL;
	}
	*rc = k->streams == NULL ? MIKEY_ERR_STATE
	                         : sg_streams_unprotect(k->streams, rtcp, map.data, map.size, &out_len, ssrc,
	                                                g_get_monotonic_time());
	gst_buffer_unmap(buf, &map);
	if (*rc != MIKEY_OK) {
		gst_buffer_unref(buf);
		return NULL;
	}
	gst_buffer_set_size(buf, (gssize)out_len);
	return buf;
}

GstBuffer *sg_keyed_transform(SgKeyed *k, gboolean rtcp, GstBuffer *buf, guint64 now_ntp, int *rc, guint32 *ssrc,
                              SgEvent **events, gsize *n_events)
{
	GstBuffer *out;

	*ssrc = 0;
	g_mutex_lock(&k->lock);
	if (k->sender) {
		out = protect(k, rtcp, buf, now_ntp, rc, ssrc);
		gst_buffer_unref(buf);
	} else {
		out = unprotect(k, rtcp, buf, rc, ssrc);
	}
	if (k->streams != NULL)
		*events = sg_streams_take_events(k->streams, n_events);
	g_mutex_unlock(&k->lock);
	return out;
}

/* Hands out every packet TESLA verified so far. */
static void drain_tesla(SgKeyed *k, GstBufferList *rtp, GstBufferList *rtcp)
{
	GstBuffer *b;
	gboolean is_rtcp;
	guint32 who;

	while ((b = sg_tesla_next(k->tesla, &is_rtcp, &who)) != NULL)
		gst_buffer_list_add(is_rtcp ? rtcp : rtp, b);
}

/* The plain-SRTP part of a receiver's packet, with the lock held: *out is
 * the decrypted packet or NULL; returns |buf| untouched when |defer| and
 * its SSRC has no key (RTP's SSRC is in its first 12 bytes, RTCP's in 8),
 * else NULL. */
static GstBuffer *unprotect_plain(SgKeyed *k, gboolean rtcp, GstBuffer *buf, gboolean defer, GstBuffer **out,
                                  int *rc, guint32 *ssrc, SgEvent **events, gsize *n_events)
{
	guint8 head[12];

	*out = NULL;
	if (defer && k->streams != NULL &&
	    sg_packet_ssrc(head, gst_buffer_extract(buf, 0, head, sizeof(head)), rtcp, ssrc) &&
	    !sg_streams_has_key(k->streams, *ssrc)) {
		*rc = MIKEY_ERR_UNKNOWN_SSRC;
		return buf;
	}
	*out = unprotect(k, rtcp, buf, rc, ssrc);
	if (k->streams != NULL)
		*events = sg_streams_take_events(k->streams, n_events);
	return NULL;
}

GstBuffer *sg_keyed_unprotect_into(SgKeyed *k, gboolean rtcp, GstBuffer *buf, guint64 now_ntp, gboolean defer,
                                   GstBufferList *rtp, GstBufferList *rtcp_out, int *rc, guint32 *ssrc,
                                   SgEvent **events, gsize *n_events)
{
	GstMapInfo map;
	GstBuffer *out;

	*ssrc = 0;
	g_mutex_lock(&k->lock);
	if (k->tesla != NULL && g_atomic_int_get(&k->tesla_active) && gst_buffer_map(buf, &map, GST_MAP_READ)) {
		gboolean tesla = sg_packet_ssrc(map.data, map.size, rtcp, ssrc) && sg_tesla_has(k->tesla, *ssrc);
		if (tesla) {
			int hard = sg_tesla_input(k->tesla, rtcp, buf, map.data, map.size, now_ntp, rc);
			if (hard != MIKEY_OK)
				*rc = hard;
		}
		gst_buffer_unmap(buf, &map);
		if (tesla) {
			gst_buffer_unref(buf);
			drain_tesla(k, rtp, rtcp_out);
			g_mutex_unlock(&k->lock);
			return NULL;
		}
	}
	buf = unprotect_plain(k, rtcp, buf, defer, &out, rc, ssrc, events, n_events);
	if (out != NULL)
		gst_buffer_list_add(rtcp ? rtcp_out : rtp, out);
	g_mutex_unlock(&k->lock);
	return buf;
}

GstBuffer *sg_keyed_unprotect_one(SgKeyed *k, gboolean rtcp, GstBuffer *buf, gboolean defer, GstBuffer **out,
                                  gboolean *needs_tesla, int *rc, guint32 *ssrc, SgEvent **events, gsize *n_events)
{
	*ssrc = 0;
	*out = NULL;
	g_mutex_lock(&k->lock);
	*needs_tesla = k->tesla != NULL && g_atomic_int_get(&k->tesla_active);
	if (*needs_tesla) {
		*rc = MIKEY_OK;
		g_mutex_unlock(&k->lock);
		return buf;
	}
	buf = unprotect_plain(k, rtcp, buf, defer, out, rc, ssrc, events, n_events);
	g_mutex_unlock(&k->lock);
	return buf;
}

GstClockTime sg_keyed_tesla_latency(SgKeyed *k)
{
	GstClockTime t;

	g_mutex_lock(&k->lock);
	t = k->tesla != NULL ? sg_tesla_latency(k->tesla) : 0;
	g_mutex_unlock(&k->lock);
	return t;
}

guint64 sg_keyed_now_ntp(SgKeyed *k, GstElement *el)
{
	GstClock *clock;
	guint64 now;

	/* Plain SRTP needs no time: spare every packet the clock reads. */
	if (!g_atomic_int_get(&k->tesla_active))
		return 0;
	clock = gst_element_get_clock(el);
	if (clock == NULL)
		return mikey_clock_system(NULL);
	now = gst_clock_get_time(clock);
	gst_object_unref(clock);
	g_mutex_lock(&k->lock);
	/* First call: tie the element's clock to the wall clock. */
	if (k->base_ntp == 0) {
		k->base_ntp = mikey_clock_system(NULL);
		k->base_clock = now;
	}
	/* ns -> NTP 32.32 */
	now = now < k->base_clock ? k->base_ntp
	                          : k->base_ntp + gst_util_uint64_scale(now - k->base_clock, G_GUINT64_CONSTANT(1) << 32,
	                                                                GST_SECOND);
	g_mutex_unlock(&k->lock);
	return now;
}
