/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * member_media.c - see member_media.h.
 *
 * Two pipelines on one UDP socket (the relay answers the address packets
 * come from): the receiver runs from the start; the sender's encoder
 * waits in READY (so that add-exchange installs, and refuses, at once)
 * until the first key, then the sender plays. The encoder is given an
 * exchange that holds its own crypto session only (media_keys_wrap): the
 * caller's exchange is borrowed, the encoder may need its key later, and
 * it has no use for the other senders' keys.
 */
#include "member_media.h"

#include <errno.h>
#include <string.h>

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <gio/gio.h>
#include <gst/app/gstappsink.h>
#include <gst/gst.h>

#include <mikey/mem.h>
#include <mikey/rng.h>

#include "media_addr.h"
#include "media_keys.h"

G_DEFINE_QUARK(member-media-error-quark, member_media_error)

#define RATE 8000
#define DEFAULT_PACKET_MS 20
#define DEFAULT_GRACE_MS 5000
#define DEFAULT_SWITCH_MS 500
/* L16 mono at 8 kHz is 16 bytes a millisecond: 100 ms (1,600 bytes plus
 * SRTP and TESLA) still fits the relay's 2,048-byte datagrams. */
#define MAX_PACKET_MS 100
/* Forgeries start this far ahead of the victim's last sequence number:
 * clear of its coming packets, within every replay window. */
#define FORGE_SEQ_AHEAD 1000u

/* Packets out of the decoder from one SSRC; the wraps of its sequence
 * numbers give the ROC an insider needs for a valid SRTP tag. */
typedef struct from_ssrc {
	uint64_t packets;
	uint16_t last_seq;
	uint32_t wraps;
} from_ssrc;

/* A key for the encoder, due at |due_us| (monotonic). */
typedef struct enc_key {
	mikey_exchange *ex;
	gint64 due_us;
} enc_key;

struct member_media {
	uint32_t ssrc;
	bool send;
	unsigned packet_ms, grace_ms, switch_ms;
	uint8_t *seed;
	size_t seed_len;
	uint16_t port;
	GMainContext *ctx;
	GSocket *sock;
	GInetSocketAddress *relay;
	bool mcast;        /* relay is an IPv4 multicast group */
	unsigned mcast_ttl;
	mikey_ctx *wrap;
	GstElement *rx, *dec, *sink;
	GstElement *tx, *enc;
	GstElement *out;  /* the sender's udpsink (borrowed from tx) */
	GstPad *enc_sink; /* the encoder's request pad */
	bool enc_keyed;   /* the encoder has its first key: the sender plays */
	bool stopped;     /* member_media_stop_sending */
	bool own_tesla;   /* the encoder's SSRC is a TESLA sender ... */
	mikey_tesla_params own_params; /* ... with these parameters */
	uint64_t sent_at_stop;
	GQueue keys; /* enc_key, in order */
	GSource *timer;
	/* Below: written from streaming threads too. */
	GMutex lock;
	GHashTable *from; /* SSRC -> from_ssrc */
	uint64_t received, forgeries_in, forged_sent;
	char *refusal;    /* an element's last "keys not installed" warning */
	char *last_error; /* the last other warning or error of a pipeline */
};

static bool fail(GError **err, MemberMediaError code, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

static bool fail(GError **err, MemberMediaError code, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && *err == NULL) {
		va_start(ap, fmt);
		*err = g_error_new_valist(MEMBER_MEDIA_ERROR, code, fmt, ap);
		va_end(ap);
	}
	return false;
}

/* ---- GStreamer ---- */

static const char *const needed[][2] = {
	{"srtpgroupenc", "the srtpgroup plugin (gst-plugin/, meson -Dgst_plugin=enabled): pass its directory"},
	{"srtpgroupdec", "the srtpgroup plugin (gst-plugin/, meson -Dgst_plugin=enabled): pass its directory"},
	{"audiotestsrc", "gst-plugins-base (gstreamer1.0-plugins-base)"},
	{"appsink", "gst-plugins-base (gstreamer1.0-plugins-base)"},
	{"rtpL16pay", "gst-plugins-good (gstreamer1.0-plugins-good)"},
	{"udpsrc", "gst-plugins-good (gstreamer1.0-plugins-good)"},
	{"udpsink", "gst-plugins-good (gstreamer1.0-plugins-good)"},
};

bool member_media_init(const char *plugin_dir, GError **err)
{
	GError *gerr = NULL;

	if (!gst_init_check(NULL, NULL, &gerr)) {
		fail(err, MEMBER_MEDIA_ERR_INIT, "GStreamer does not start: %s", gerr->message);
		g_error_free(gerr);
		return false;
	}
	if (plugin_dir != NULL) {
		if (!g_file_test(plugin_dir, G_FILE_TEST_IS_DIR))
			return fail(err, MEMBER_MEDIA_ERR_INIT, "plugin directory %s does not exist", plugin_dir);
		/* FALSE only says the registry did not change (already known). */
		gst_registry_scan_path(gst_registry_get(), plugin_dir);
	}
	for (size_t i = 0; i < G_N_ELEMENTS(needed); i++) {
		GstElementFactory *f = gst_element_factory_find(needed[i][0]);
		if (f == NULL)
			return fail(err, MEMBER_MEDIA_ERR_INIT, "GStreamer element %s not found (plugin directory scanned: %s): %s",
			            needed[i][0], plugin_dir != NULL ? plugin_dir : "none", needed[i][1]);
		gst_object_unref(f);
	}
	return true;
}

/* Bus messages are read as they are posted and dropped: nothing queues
 * up on a bus nobody watches. A refusal of add-exchange is kept apart,
 * so that member_media_install can say why. */
static GstBusSyncReply on_bus(GstBus *bus, GstMessage *msg, gpointer user)
{
	member_media *m = user;
	GError *e = NULL;
	gchar *dbg = NULL;
	const char *detail;

	if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR)
		gst_message_parse_error(msg, &e, &dbg);
	else if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_WARNING)
		gst_message_parse_warning(msg, &e, &dbg);
	/* A sync handler that drops a message unrefs it. */
	if (e == NULL) {
		gst_message_unref(msg);
		return GST_BUS_DROP;
	}
	/* The debug text's last line is the element's own reason. */
	detail = dbg != NULL && strrchr(dbg, '\n') != NULL ? strrchr(dbg, '\n') + 1 : dbg;
	g_mutex_lock(&m->lock);
	if (e->domain == GST_STREAM_ERROR && e->code == GST_STREAM_ERROR_FAILED) {
		g_free(m->refusal);
		m->refusal = g_strdup(detail != NULL ? detail : e->message);
	} else {
		g_free(m->last_error);
		m->last_error = g_strdup_printf("%s: %s%s%s", GST_MESSAGE_SRC_NAME(msg), e->message,
		                                detail != NULL ? ": " : "", detail != NULL ? detail : "");
	}
	g_mutex_unlock(&m->lock);
	g_error_free(e);
	g_free(dbg);
	gst_message_unref(msg);
	return GST_BUS_DROP;
}

static GstElement *new_pipeline(member_media *m, const char *what)
{
	gchar *name = g_strdup_printf("member-%08x-%s", m->ssrc, what);
	GstElement *p = gst_pipeline_new(name);
	GstBus *bus = gst_pipeline_get_bus(GST_PIPELINE(p));

	gst_bus_set_sync_handler(bus, on_bus, m, NULL);
	gst_object_unref(bus);
	g_free(name);
	return p;
}

/* RTP header fields of a packet out of the decoder; the payload start. */
static bool parse_rtp(const guint8 *p, gsize len, guint32 *ssrc, guint16 *seq, gsize *payload)
{
	gsize hdr;

	if (len < 12 || (p[0] >> 6) != 2)
		return false;
	hdr = 12 + 4u * (p[0] & 0x0f);
	if ((p[0] & 0x10) != 0) {
		if (len < hdr + 4)
			return false;
		hdr += 4 + 4u * (((gsize)p[hdr + 2] << 8) | p[hdr + 3]);
	}
	if (hdr > len)
		return false;
	*seq = (guint16)((p[2] << 8) | p[3]);
	*ssrc = ((guint32)p[8] << 24) | ((guint32)p[9] << 16) | ((guint32)p[10] << 8) | p[11];
	*payload = hdr;
	return true;
}

static void count_packet(member_media *m, const guint8 *p, gsize len)
{
	guint32 ssrc;
	guint16 seq;
	gsize off;
	from_ssrc *f;

	if (!parse_rtp(p, len, &ssrc, &seq, &off))
		return;
	g_mutex_lock(&m->lock);
	m->received++;
	if (len - off >= MEDIA_FORGE_MARK_LEN && memcmp(p + off, MEDIA_FORGE_MARK, MEDIA_FORGE_MARK_LEN) == 0)
		m->forgeries_in++;
	if ((f = g_hash_table_lookup(m->from, GUINT_TO_POINTER(ssrc))) == NULL) {
		f = g_new0(from_ssrc, 1);
		f->last_seq = seq;
		g_hash_table_insert(m->from, GUINT_TO_POINTER(ssrc), f);
	} else if (seq != f->last_seq && (guint16)(seq - f->last_seq) < 0x8000) {
		/* Newer: a smaller number means the 16 bits wrapped. */
		if (seq < f->last_seq)
			f->wraps++;
		f->last_seq = seq;
	}
	f->packets++;
	g_mutex_unlock(&m->lock);
}

static GstFlowReturn on_sample(GstAppSink *sink, gpointer user)
{
	GstSample *s = gst_app_sink_pull_sample(sink);
	GstBuffer *b;
	GstMapInfo map;

	if (s == NULL)
		return GST_FLOW_EOS;
	b = gst_sample_get_buffer(s);
	if (b != NULL && gst_buffer_map(b, &map, GST_MAP_READ)) {
		count_packet(user, map.data, map.size);
		gst_buffer_unmap(b, &map);
	}
	gst_sample_unref(s);
	return GST_FLOW_OK;
}

/* Makes |n| elements into |bin| (which owns them from then on, even when
 * one is missing). */
static bool make_all(GstElement *bin, const char *const *factories, GstElement **out, size_t n, GError **err)
{
	bool ok = true;

	for (size_t i = 0; i < n; i++) {
		out[i] = gst_element_factory_make(factories[i], NULL);
		if (out[i] == NULL)
			ok = fail(err, MEMBER_MEDIA_ERR_INIT, "cannot make GStreamer element %s (member_media_init first?)",
			          factories[i]);
		else
			gst_bin_add(GST_BIN(bin), out[i]);
	}
	return ok;
}

/* udpsrc (our socket) ! srtpgroupdec ! appsink */
static bool build_rx(member_media *m, GError **err)
{
	static const char *const f[] = {"udpsrc", "srtpgroupdec", "appsink"};
	GstElement *e[G_N_ELEMENTS(f)];
	GstCaps *caps;
	GstAppSinkCallbacks cbs = {0};

	m->rx = new_pipeline(m, "rx");
	if (!make_all(m->rx, f, e, G_N_ELEMENTS(f), err))
		return false;
	m->dec = e[1];
	m->sink = e[2];
	caps = gst_caps_new_simple("application/x-srtp", "media", G_TYPE_STRING, "audio", "clock-rate", G_TYPE_INT, RATE,
	                           "encoding-name", G_TYPE_STRING, "L16", "payload", G_TYPE_INT, 96, "channels",
	                           G_TYPE_INT, 1, NULL);
	/* No join of udpsrc's own: bind_socket joined on the right interface. */
	g_object_set(e[0], "socket", m->sock, "close-socket", FALSE, "caps", caps, "auto-multicast", FALSE, NULL);
	gst_caps_unref(caps);
	g_object_set(m->dec, "grace-period", m->grace_ms, NULL);
	g_object_set(m->sink, "sync", FALSE, "async", FALSE, NULL);
	cbs.new_sample = on_sample;
	gst_app_sink_set_callbacks(GST_APP_SINK(m->sink), &cbs, m, NULL);
	if (!gst_element_link_pads(e[0], "src", m->dec, "rtp_sink") ||
	    !gst_element_link_pads(m->dec, "rtp_src", m->sink, "sink"))
		return fail(err, MEMBER_MEDIA_ERR_INIT, "cannot link udpsrc ! srtpgroupdec ! appsink");
	if (gst_element_set_state(m->rx, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
		return fail(err, MEMBER_MEDIA_ERR_INIT, "the receiving pipeline does not start");
	return true;
}

/* audiotestsrc ! S16BE mono 8 kHz ! rtpL16pay ! srtpgroupenc ! udpsink (our
 * socket). Built now, played at the first key; the encoder goes to READY
 * at once so that keys install (or are refused) when given. */
static bool build_tx(member_media *m, GError **err)
{
	static const char *const f[] = {"audiotestsrc", "capsfilter", "rtpL16pay", "srtpgroupenc", "udpsink"};
	GstElement *e[G_N_ELEMENTS(f)];
	GstElement *src, *filter, *pay, *out;
	GstPad *enc_src = NULL, *pay_src = NULL;
	GstCaps *caps;
	gchar *host;
	gint64 ptime = (gint64)m->packet_ms * GST_MSECOND;
	bool v6 = g_socket_get_family(m->sock) == G_SOCKET_FAMILY_IPV6;
	bool ok = false;

	m->tx = new_pipeline(m, "tx");
	if (!make_all(m->tx, f, e, G_N_ELEMENTS(f), err))
		return false;
	src = e[0];
	filter = e[1];
	pay = e[2];
	m->enc = e[3];
	out = m->out = e[4];
	g_object_set(src, "is-live", TRUE, "samplesperbuffer", RATE * m->packet_ms / 1000u, NULL);
	caps = gst_caps_new_simple("audio/x-raw", "format", G_TYPE_STRING, "S16BE", "layout", G_TYPE_STRING,
	                           "interleaved", "rate", G_TYPE_INT, RATE, "channels", G_TYPE_INT, 1, NULL);
	g_object_set(filter, "caps", caps, NULL);
	gst_caps_unref(caps);
	g_object_set(pay, "ssrc", m->ssrc, "pt", 96u, "min-ptime", ptime, "max-ptime", ptime, NULL);
	host = g_inet_address_to_string(g_inet_socket_address_get_address(m->relay));
	g_object_set(out, v6 ? "socket-v6" : "socket", m->sock, "close-socket", FALSE, "sync", FALSE, "async", FALSE,
	             "host", host, "port", (gint)g_inet_socket_address_get_port(m->relay), NULL);
	/* udpsink sets these on the socket when it sends to a group: keep
	 * bind_socket's (no loopback, our TTL, no second join). */
	if (m->mcast)
		g_object_set(out, "auto-multicast", FALSE, "loop", FALSE, "ttl-mc", (gint)m->mcast_ttl, NULL);
	g_free(host);
	if (m->seed != NULL) {
		char *hex = media_keys_hex(m->seed, m->seed_len);
		g_object_set(m->enc, "tesla-seed", hex, NULL);
		mikey_wipe(hex, strlen(hex));
		g_free(hex);
	}
	if (!gst_element_link_many(src, filter, pay, NULL)) {
		fail(err, MEMBER_MEDIA_ERR_INIT, "cannot link audiotestsrc ! capsfilter ! rtpL16pay");
		goto cleanup;
	}
	m->enc_sink = gst_element_request_pad_simple(m->enc, "rtp_sink_%u");
	pay_src = gst_element_get_static_pad(pay, "src");
	enc_src = m->enc_sink != NULL ? gst_element_get_static_pad(m->enc, "rtp_src_0") : NULL;
	if (enc_src == NULL || gst_pad_link(pay_src, m->enc_sink) != GST_PAD_LINK_OK ||
	    !gst_element_link_pads(m->enc, GST_PAD_NAME(enc_src), out, "sink")) {
		fail(err, MEMBER_MEDIA_ERR_INIT, "cannot link rtpL16pay ! srtpgroupenc ! udpsink");
		goto cleanup;
	}
	if (gst_element_set_state(m->enc, GST_STATE_READY) == GST_STATE_CHANGE_FAILURE) {
		fail(err, MEMBER_MEDIA_ERR_INIT, "srtpgroupenc does not start");
		goto cleanup;
	}
	ok = true;
cleanup:
	if (pay_src != NULL)
		gst_object_unref(pay_src);
	if (enc_src != NULL)
		gst_object_unref(enc_src);
	return ok;
}

/* ---- life ---- */

/* The name of the interface holding IPv4 address |addr|, or NULL (g_free). */
static char *iface_of(const char *addr)
{
	struct ifaddrs *all = NULL;
	struct in_addr want;
	char *name = NULL;

	if (inet_pton(AF_INET, addr, &want) != 1 || getifaddrs(&all) != 0)
		return NULL;
	for (const struct ifaddrs *i = all; i != NULL && name == NULL; i = i->ifa_next)
		if (i->ifa_addr != NULL && i->ifa_addr->sa_family == AF_INET &&
		    ((const struct sockaddr_in *)(const void *)i->ifa_addr)->sin_addr.s_addr == want.s_addr)
			name = g_strdup(i->ifa_name);
	freeifaddrs(all);
	return name;
}

/* The socket of a member of IPv4 multicast group m->relay: bound to the
 * group and its port, shared (SO_REUSEADDR: a leaver eavesdrops on the
 * port its media socket still holds), joined on the interface of
 * |local_addr|, sending from it with loopback off and TTL mcast_ttl. */
static bool join_group(member_media *m, const char *local_addr, GError **e)
{
	GInetAddress *group = g_inet_socket_address_get_address(m->relay);
	char *iface = iface_of(local_addr);
	struct in_addr out;
	bool ok;

	ok = g_socket_bind(m->sock, G_SOCKET_ADDRESS(m->relay), TRUE, e) &&
	     g_socket_join_multicast_group(m->sock, group, FALSE, iface, e);
	g_free(iface);
	if (!ok)
		return false;
	g_socket_set_multicast_loopback(m->sock, FALSE);
	g_socket_set_multicast_ttl(m->sock, m->mcast_ttl);
	/* Send from |local_addr|'s interface, whatever the routes say. */
	if (inet_pton(AF_INET, local_addr, &out) == 1 && out.s_addr != htonl(INADDR_ANY) &&
	    setsockopt(g_socket_get_fd(m->sock), IPPROTO_IP, IP_MULTICAST_IF, &out, sizeof(out)) != 0) {
		g_set_error(e, G_IO_ERROR, g_io_error_from_errno(errno), "IP_MULTICAST_IF %s: %s", local_addr,
		            g_strerror(errno));
		return false;
	}
	return true;
}

static bool bind_socket(member_media *m, const member_media_config *c, GError **err)
{
	GInetSocketAddress *local = media_addr_parse(c->local_addr, m->mcast ? c->relay_port : c->local_port, NULL);
	GSocketAddress *bound = NULL;
	GError *e = NULL;
	bool ok = false;

	if (local == NULL)
		return fail(err, MEMBER_MEDIA_ERR_NETWORK, "local_addr '%s' is no numeric IP address", c->local_addr);
	m->sock = g_socket_new(g_socket_address_get_family(G_SOCKET_ADDRESS(local)), G_SOCKET_TYPE_DATAGRAM,
	                       G_SOCKET_PROTOCOL_UDP, &e);
	if (m->sock == NULL ||
	    !(m->mcast ? join_group(m, c->local_addr, &e) : g_socket_bind(m->sock, G_SOCKET_ADDRESS(local), FALSE, &e)) ||
	    (bound = g_socket_get_local_address(m->sock, &e)) == NULL) {
		if (m->mcast)
			fail(err, MEMBER_MEDIA_ERR_NETWORK, "cannot join %s:%u on the interface of %s: %s", c->relay_addr,
			     c->relay_port, c->local_addr, e->message);
		else
			fail(err, MEMBER_MEDIA_ERR_NETWORK, "cannot bind %s:%u: %s", c->local_addr, c->local_port, e->message);
		goto cleanup;
	}
	m->port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound));
	ok = true;
cleanup:
	g_clear_error(&e);
	g_clear_object(&bound);
	g_object_unref(local);
	return ok;
}

static bool check_config(const member_media_config *c, GError **err)
{
	if (c->local_addr == NULL || (c->send && c->relay_addr == NULL))
		return fail(err, MEMBER_MEDIA_ERR_ARG, "local_addr (and relay_addr for a sender) are needed");
	if (c->send && c->ssrc == 0)
		return fail(err, MEMBER_MEDIA_ERR_ARG, "a sender needs an SSRC (0 names no sender in MIKEY)");
	if (c->send && c->relay_port == 0)
		return fail(err, MEMBER_MEDIA_ERR_ARG, "a sender needs the relay's port");
	if (c->mcast_ttl > 255)
		return fail(err, MEMBER_MEDIA_ERR_ARG, "mcast_ttl %u: at most 255", c->mcast_ttl);
	if (c->packet_ms > MAX_PACKET_MS)
		return fail(err, MEMBER_MEDIA_ERR_ARG, "packet_ms %u: at most %u", c->packet_ms, MAX_PACKET_MS);
	if ((c->tesla_seed == NULL) != (c->tesla_seed_len == 0))
		return fail(err, MEMBER_MEDIA_ERR_ARG, "tesla_seed and tesla_seed_len go together");
	return true;
}

bool member_media_new(const member_media_config *c, member_media **out, GError **err)
{
	member_media *m;

	if (out == NULL || c == NULL)
		return fail(err, MEMBER_MEDIA_ERR_ARG, "member_media_new: no configuration or no result pointer");
	*out = NULL;
	if (!check_config(c, err))
		return false;
	if (!gst_is_initialized())
		return fail(err, MEMBER_MEDIA_ERR_INIT, "call member_media_init first");
	m = g_new0(member_media, 1);
	g_mutex_init(&m->lock);
	g_queue_init(&m->keys);
	m->from = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
	m->ctx = g_main_context_ref_thread_default();
	m->ssrc = c->ssrc;
	m->send = c->send;
	m->packet_ms = c->packet_ms != 0 ? c->packet_ms : DEFAULT_PACKET_MS;
	m->grace_ms = c->grace_ms != 0 ? c->grace_ms : DEFAULT_GRACE_MS;
	m->switch_ms = c->switch_delay_ms != 0 ? c->switch_delay_ms : DEFAULT_SWITCH_MS;
	if (c->tesla_seed != NULL) {
		m->seed = g_memdup2(c->tesla_seed, c->tesla_seed_len);
		m->seed_len = c->tesla_seed_len;
	}
	if (c->relay_addr != NULL && (m->relay = media_addr_parse(c->relay_addr, c->relay_port, NULL)) == NULL) {
		fail(err, MEMBER_MEDIA_ERR_NETWORK, "relay_addr '%s' is no numeric IP address", c->relay_addr);
		goto cleanup;
	}
	if (m->relay != NULL) {
		GInetAddress *ra = g_inet_socket_address_get_address(m->relay);
		m->mcast = g_inet_address_get_family(ra) == G_SOCKET_FAMILY_IPV4 && g_inet_address_get_is_multicast(ra);
		m->mcast_ttl = c->mcast_ttl != 0 ? c->mcast_ttl : 1;
	}
	if (!bind_socket(m, c, err))
		goto cleanup;
	if (m->relay != NULL && g_socket_address_get_family(G_SOCKET_ADDRESS(m->relay)) != g_socket_get_family(m->sock)) {
		fail(err, MEMBER_MEDIA_ERR_NETWORK, "local_addr %s and relay_addr %s are not of one IP version",
		     c->local_addr, c->relay_addr);
		goto cleanup;
	}
	if (!build_rx(m, err))
		goto cleanup;
	if (m->send && ((m->wrap = media_keys_wrap_ctx(err)) == NULL || !build_tx(m, err)))
		goto cleanup;
	*out = m;
	return true;
cleanup:
	member_media_free(m);
	return false;
}

static void enc_key_free(gpointer p)
{
	enc_key *k = p;
	mikey_exchange_free(k->ex);
	g_free(k);
}

static void drop_pending(member_media *m)
{
	media_source_clear(&m->timer);
	g_queue_clear_full(&m->keys, enc_key_free);
}

static guint64 enc_sent(member_media *m);

void member_media_free(member_media *m)
{
	if (m == NULL)
		return;
	drop_pending(m);
	if (m->tx != NULL) {
		gst_element_set_state(m->tx, GST_STATE_NULL);
		if (m->enc_sink != NULL) {
			gst_element_release_request_pad(m->enc, m->enc_sink);
			gst_object_unref(m->enc_sink);
		}
		gst_object_unref(m->tx);
	}
	if (m->rx != NULL) {
		gst_element_set_state(m->rx, GST_STATE_NULL);
		gst_object_unref(m->rx);
	}
	media_socket_clear(&m->sock);
	g_clear_object(&m->relay);
	mikey_ctx_free(m->wrap);
	if (m->seed != NULL) {
		mikey_wipe(m->seed, m->seed_len);
		g_free(m->seed);
	}
	g_hash_table_unref(m->from);
	g_free(m->refusal);
	g_free(m->last_error);
	g_main_context_unref(m->ctx);
	g_mutex_clear(&m->lock);
	g_free(m);
}

uint16_t member_media_local_port(const member_media *m)
{
	return m != NULL ? m->port : 0;
}

/* ---- keys ---- */

/* add-exchange on |el|; on refusal the element's reason goes into |err|. */
static bool give(member_media *m, GstElement *el, const mikey_exchange *ex, GError **err)
{
	gboolean ok = FALSE;
	char *why;

	g_mutex_lock(&m->lock);
	g_clear_pointer(&m->refusal, g_free);
	g_mutex_unlock(&m->lock);
	g_signal_emit_by_name(el, "add-exchange", (gpointer)ex, &ok);
	if (ok)
		return true;
	g_mutex_lock(&m->lock);
	why = m->refusal;
	m->refusal = NULL;
	g_mutex_unlock(&m->lock);
	fail(err, MEMBER_MEDIA_ERR_KEY, "%s refused the keys of CSB ID 0x%08x: %s", GST_ELEMENT_NAME(el),
	     mikey_exchange_csb_id(ex), why != NULL ? why : "(no reason given)");
	g_free(why);
	return false;
}

/* The encoder back to READY with no key: a first key it took must not
 * stay when the decoder refused the exchange, or the sender won't start. */
static void reset_encoder(member_media *m)
{
	gst_element_set_state(m->enc, GST_STATE_NULL);
	gst_element_set_state(m->enc, GST_STATE_READY);
}

static void arm_timer(member_media *m);

/* The encoder takes every key that is due, in order. */
static gboolean switch_due(gpointer user)
{
	member_media *m = user;
	gint64 now = g_get_monotonic_time();
	enc_key *k;

	g_source_unref(m->timer);
	m->timer = NULL;
	while ((k = g_queue_peek_head(&m->keys)) != NULL && k->due_us <= now) {
		GError *e = NULL;
		g_queue_pop_head(&m->keys);
		if (!give(m, m->enc, k->ex, &e)) {
			/* Nobody to tell but the agent's log: keep it. */
			g_mutex_lock(&m->lock);
			g_free(m->last_error);
			m->last_error = g_strdup(e->message);
			g_mutex_unlock(&m->lock);
			g_error_free(e);
		}
		enc_key_free(k);
	}
	arm_timer(m);
	return G_SOURCE_REMOVE;
}

static void arm_timer(member_media *m)
{
	enc_key *k = g_queue_peek_head(&m->keys);
	gint64 wait_us;

	if (m->timer != NULL || k == NULL)
		return;
	wait_us = k->due_us - g_get_monotonic_time();
	m->timer = g_timeout_source_new(wait_us > 0 ? (guint)((wait_us + 999) / 1000) : 0);
	g_source_set_callback(m->timer, switch_due, m, NULL);
	g_source_attach(m->timer, m->ctx);
}

/* The encoder's share of |ex|: its own crypto session, checked. */
static mikey_exchange *encoder_keys(member_media *m, const mikey_exchange *ex, mikey_crypto_session *own,
                                    GError **err)
{
	if (!media_keys_own_cs(ex, m->ssrc, own, err))
		return NULL;
	if (own->has_tesla && m->seed == NULL) {
		fail(err, MEMBER_MEDIA_ERR_KEY, "the exchange makes SSRC 0x%08x a TESLA sender: tesla_seed is not set",
		     m->ssrc);
		return NULL;
	}
	/* A rekey keeps the sender's chain (RFC 4383: the chain outlives
	 * master keys); other TESLA parameters would need a new chain. */
	if (m->enc_keyed && (own->has_tesla != m->own_tesla ||
	                     (own->has_tesla && !media_keys_tesla_equal(&own->tesla, &m->own_params)))) {
		fail(err, MEMBER_MEDIA_ERR_KEY,
		     "the exchange changes SSRC 0x%08x's TESLA parameters: a rekey keeps the sender's key chain", m->ssrc);
		return NULL;
	}
	return media_keys_wrap(m->wrap, mikey_exchange_csb_id(ex), own, err);
}

/* The first key: the encoder first (it checks the TESLA seed), then the
 * decoder, then the sender plays. Nothing stays installed on failure but
 * what the decoder took. */
static bool first_key(member_media *m, const mikey_exchange *ex, const mikey_exchange *enc_ex,
                      const mikey_crypto_session *own, GError **err)
{
	if (!give(m, m->enc, enc_ex, err))
		goto fail;
	if (!give(m, m->dec, ex, err))
		goto fail;
	if (gst_element_set_state(m->tx, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
		fail(err, MEMBER_MEDIA_ERR_INIT, "the sending pipeline does not start");
		gst_element_set_state(m->tx, GST_STATE_NULL);
		goto fail;
	}
	m->enc_keyed = true;
	m->own_tesla = own->has_tesla;
	m->own_params = own->tesla;
	return true;
fail:
	reset_encoder(m);
	return false;
}

bool member_media_install(member_media *m, const mikey_exchange *ex, GError **err)
{
	mikey_crypto_session own;
	mikey_exchange *enc_ex = NULL;
	bool sending, ok = false;

	if (m == NULL || ex == NULL || !mikey_exchange_is_complete(ex))
		return fail(err, MEMBER_MEDIA_ERR_ARG, "member_media_install: no member, or no complete exchange");
	sending = m->send && !m->stopped;
	memset(&own, 0, sizeof(own));
	if (sending && (enc_ex = encoder_keys(m, ex, &own, err)) == NULL)
		goto cleanup;
	if (sending && !m->enc_keyed) {
		ok = first_key(m, ex, enc_ex, &own, err);
		goto cleanup;
	}
	if (!give(m, m->dec, ex, err))
		goto cleanup;
	if (sending) {
		/* Receivers hold the key before any sender uses it. */
		enc_key *k = g_new0(enc_key, 1);
		k->ex = enc_ex;
		k->due_us = g_get_monotonic_time() + (gint64)m->switch_ms * 1000;
		enc_ex = NULL;
		g_queue_push_tail(&m->keys, k);
		arm_timer(m);
	}
	ok = true;
cleanup:
	mikey_crypto_session_cleanup(&own);
	mikey_exchange_free(enc_ex);
	return ok;
}

void member_media_stop_sending(member_media *m)
{
	if (m == NULL || !m->send || m->stopped)
		return;
	drop_pending(m);
	m->sent_at_stop = enc_sent(m);
	m->stopped = true;
	/* NULL wipes the encoder's keys. */
	gst_element_set_state(m->tx, GST_STATE_NULL);
}

bool member_media_set_destination(member_media *m, const char *addr, uint16_t port, GError **err)
{
	GInetSocketAddress *to = NULL;
	GInetAddress *ia;
	GError *e = NULL;
	gchar *host = NULL, *uri = NULL;
	bool ok = false;

	if (m == NULL || addr == NULL || port == 0 || m->relay == NULL)
		return fail(err, MEMBER_MEDIA_ERR_ARG, "member_media_set_destination: no member, address or port, "
		                                       "or a member that never sent");
	to = media_addr_parse(addr, port, NULL);
	if (to == NULL) {
		fail(err, MEMBER_MEDIA_ERR_NETWORK, "destination '%s' is no numeric IP address", addr);
		goto cleanup;
	}
	if (media_addr_equal(to, m->relay)) {
		ok = true;
		goto cleanup;
	}
	ia = g_inet_socket_address_get_address(to);
	if (g_inet_address_get_family(ia) != g_socket_get_family(m->sock)) {
		fail(err, MEMBER_MEDIA_ERR_NETWORK, "destination %s:%u is not of the socket's IP version", addr, port);
		goto cleanup;
	}
	/* A multicast member's socket is bound to its group and joined it:
	 * another group (or none) needs new media, not a new destination. */
	if (m->mcast || g_inet_address_get_is_multicast(ia)) {
		fail(err, MEMBER_MEDIA_ERR_NETWORK, "cannot move the media to %s:%u: a multicast group's socket is "
		                                    "bound to the group", addr, port);
		goto cleanup;
	}
	if (m->out != NULL) {
		/* One URI, so that no packet goes to the new host at the old port
		 * (udpsink takes host and port apart otherwise). */
		host = g_inet_address_to_string(ia);
		uri = g_strdup_printf(g_inet_address_get_family(ia) == G_SOCKET_FAMILY_IPV6 ? "udp://[%s]:%u" : "udp://%s:%u",
		                      host, port);
		if (!gst_uri_handler_set_uri(GST_URI_HANDLER(m->out), uri, &e)) {
			fail(err, MEMBER_MEDIA_ERR_NETWORK, "udpsink refused %s: %s", uri, e != NULL ? e->message : "?");
			goto cleanup;
		}
	}
	g_clear_object(&m->relay);
	m->relay = to;
	to = NULL;
	ok = true;
cleanup:
	g_clear_error(&e);
	g_free(uri);
	g_free(host);
	g_clear_object(&to);
	return ok;
}

/* ---- forgeries ---- */

static bool send_forgery(const uint8_t *pkt, size_t len, void *user)
{
	member_media *m = user;

	return g_socket_send_to(m->sock, G_SOCKET_ADDRESS(m->relay), (const gchar *)pkt, len, NULL, NULL) >= 0;
}

/* A victim never heard from: its sequence numbers start at random (RFC 3550
 * §5.1), drawn like every other value a member sends, from libmikey's RNG. */
static uint32_t forge_seq_start(void)
{
	uint8_t b[2] = {0, 0};
	if (mikey_rng_bytes(NULL, b, sizeof(b)) != MIKEY_OK)
		return 1;
	return (uint32_t)(b[0] << 8 | b[1]) & 0x7fffu;
}

bool member_media_forge(member_media *m, const mikey_exchange *ex, uint32_t victim, unsigned n, GError **err)
{
	mikey_crypto_session cs;
	mikey_error merr;
	from_ssrc *f;
	uint32_t ext;
	unsigned made;

	if (m == NULL || ex == NULL || !mikey_exchange_is_complete(ex) || victim == 0)
		return fail(err, MEMBER_MEDIA_ERR_ARG, "member_media_forge: no member, complete exchange or victim SSRC");
	if (m->relay == NULL)
		return fail(err, MEMBER_MEDIA_ERR_ARG, "member_media_forge: this member has no relay to send to");
	if (n == 0)
		return true;
	if (mikey_exchange_find_cs(ex, victim, 0, &cs, &merr) != MIKEY_OK)
		return fail(err, MEMBER_MEDIA_ERR_KEY, "no crypto session for SSRC 0x%08x: %s", victim, merr.message);
	if (!cs.has_tesla) {
		mikey_crypto_session_cleanup(&cs);
		return fail(err, MEMBER_MEDIA_ERR_ARG,
		            "SSRC 0x%08x is no TESLA sender: any member can make its packets, there is nothing to show",
		            victim);
	}
	/* Ahead of what the victim sent last, with its ROC, as an insider
	 * who listens would: the SRTP tag then checks, only TESLA refuses. */
	g_mutex_lock(&m->lock);
	f = g_hash_table_lookup(m->from, GUINT_TO_POINTER(victim));
	if (f != NULL)
		ext = ((cs.roc + f->wraps) << 16 | f->last_seq) + FORGE_SEQ_AHEAD;
	else
		ext = cs.roc << 16 | forge_seq_start();
	g_mutex_unlock(&m->lock);
	made = media_keys_forge(&cs, ext >> 16, (uint16_t)ext, 2u * RATE / 1000u * m->packet_ms, n, send_forgery, m,
	                        err);
	mikey_crypto_session_cleanup(&cs);
	g_mutex_lock(&m->lock);
	m->forged_sent += made;
	g_mutex_unlock(&m->lock);
	if (made > 0 && made < n)
		fail(err, MEMBER_MEDIA_ERR_NETWORK, "%u of %u forgeries sent", made, n);
	return made == n;
}

/* ---- statistics ---- */

/* The sum of |field| over the structures in array |array| of |stats|,
 * those of SSRC |ssrc| only when |one|. A field left out counts 0. */
static guint64 sum_field(const GstStructure *stats, const char *array, bool one, guint32 ssrc, const char *field)
{
	const GValue *arr = stats != NULL ? gst_structure_get_value(stats, array) : NULL;
	guint64 sum = 0;

	if (arr == NULL || !GST_VALUE_HOLDS_ARRAY(arr))
		return 0;
	for (guint i = 0; i < gst_value_array_get_size(arr); i++) {
		const GValue *v = gst_value_array_get_value(arr, i);
		const GstStructure *s = GST_VALUE_HOLDS_STRUCTURE(v) ? gst_value_get_structure(v) : NULL;
		guint got = 0;
		guint64 x = 0;
		if (s == NULL || (one && (!gst_structure_get_uint(s, "ssrc", &got) || got != ssrc)))
			continue;
		if (gst_structure_get_uint64(s, field, &x))
			sum += x;
	}
	return sum;
}

static guint64 top_field(const GstStructure *stats, const char *field)
{
	guint64 x = 0;

	if (stats != NULL && !gst_structure_get_uint64(stats, field, &x))
		x = 0;
	return x;
}

static guint64 enc_sent(member_media *m)
{
	GstStructure *s = NULL;
	guint64 n;

	if (m->enc == NULL)
		return 0;
	if (m->stopped)
		return m->sent_at_stop;
	g_object_get(m->enc, "stats", &s, NULL);
	n = sum_field(s, "streams", true, m->ssrc, "packets") + sum_field(s, "tesla-streams", true, m->ssrc,
	                                                                  "tesla-protected");
	if (s != NULL)
		gst_structure_free(s);
	return n;
}

/* Every way the decoder drops a packet that is not a TESLA forgery. */
static const char *const plain_drops[] = {"auth-failures", "replays", "unknown-mki", "other-errors"};
static const char *const tesla_drops[] = {"tesla-unsafe",   "tesla-late",     "tesla-future", "tesla-too-far",
                                          "tesla-overflow", "tesla-duplicate", "srtp-bad-tag", "srtp-replay",
                                          "srtp-bad-mki",   "malformed",       "decrypt-failures"};

void member_media_get_stats(member_media *m, member_media_stats *st)
{
	GstStructure *d = NULL;

	if (st == NULL)
		return;
	memset(st, 0, sizeof(*st));
	if (m == NULL)
		return;
	g_object_get(m->dec, "stats", &d, NULL);
	st->authenticated = sum_field(d, "tesla-streams", false, 0, "tesla-verified");
	st->forged = sum_field(d, "tesla-streams", false, 0, "tesla-forged") +
	             sum_field(d, "tesla-streams", false, 0, "tesla-bad-key");
	st->dropped = top_field(d, "no-key-drops") + top_field(d, "malformed");
	for (size_t i = 0; i < G_N_ELEMENTS(plain_drops); i++)
		st->dropped += sum_field(d, "streams", false, 0, plain_drops[i]);
	for (size_t i = 0; i < G_N_ELEMENTS(tesla_drops); i++)
		st->dropped += sum_field(d, "tesla-streams", false, 0, tesla_drops[i]);
	if (d != NULL)
		gst_structure_free(d);
	st->sent = enc_sent(m);
	g_mutex_lock(&m->lock);
	st->received = m->received;
	st->senders = g_hash_table_size(m->from);
	st->forged_sent = m->forged_sent;
	g_mutex_unlock(&m->lock);
}

uint64_t member_media_received_from(member_media *m, uint32_t ssrc)
{
	from_ssrc *f;
	uint64_t n = 0;

	if (m == NULL)
		return 0;
	g_mutex_lock(&m->lock);
	if ((f = g_hash_table_lookup(m->from, GUINT_TO_POINTER(ssrc))) != NULL)
		n = f->packets;
	g_mutex_unlock(&m->lock);
	return n;
}

uint64_t member_media_forgeries_received(member_media *m)
{
	uint64_t n;

	if (m == NULL)
		return 0;
	g_mutex_lock(&m->lock);
	n = m->forgeries_in;
	g_mutex_unlock(&m->lock);
	return n;
}

char *member_media_last_error(member_media *m)
{
	char *s;

	if (m == NULL)
		return NULL;
	g_mutex_lock(&m->lock);
	s = g_strdup(m->last_error);
	g_mutex_unlock(&m->lock);
	return s;
}
