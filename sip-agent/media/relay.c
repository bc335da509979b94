/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * relay.c - see relay.h. One non-blocking UDP socket, one GSource on the
 * caller's thread-default main context; datagrams are copied out to the
 * other members as they are, never changed; only the clear RTP header is
 * read, to follow each stream's ROC (roc_track.h).
 */
#include "relay.h"

#include <gio/gio.h>

#include "media_addr.h"
#include "roc_track.h"

/* A datagram longer than this is dropped: SRTP of one audio frame is far
 * shorter, and a bounded buffer keeps the relay's memory fixed. */
#define RELAY_MAX_DATAGRAM 2048
/* Datagrams handled per wake-up, so that one busy relay cannot starve the
 * other sources of its main context. */
#define RELAY_BURST 64

struct ks_relay {
	GSocket *sock;
	GSource *source;
	GPtrArray *members; /* GInetSocketAddress */
	GInetSocketAddress *tap;
	uint16_t port;
	ks_relay_stats st;
	ks_relay_drops drops;
	roc_track *rocs;
	/* one byte more than the bound: a datagram that fills it was too long */
	uint8_t buf[RELAY_MAX_DATAGRAM + 1];
};

static gint find_member(const ks_relay *r, GInetSocketAddress *a)
{
	for (guint i = 0; i < r->members->len; i++)
		if (media_addr_equal(g_ptr_array_index(r->members, i), a))
			return (gint)i;
	return -1;
}

/* Sending never waits: a full socket buffer costs this copy, not the
 * relay's time. */
static void send_copy(ks_relay *r, GInetSocketAddress *to, gsize len)
{
	GError *e = NULL;

	if (g_socket_send_to(r->sock, G_SOCKET_ADDRESS(to), (const gchar *)r->buf, len, NULL, &e) < 0) {
		if (g_error_matches(e, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
			r->drops.would_block++;
		else
			r->drops.send_failed++;
		g_error_free(e);
		return;
	}
	r->st.forwarded++;
}

static void forward(ks_relay *r, GInetSocketAddress *from, gsize len)
{
	gint src = find_member(r, from);

	if (src < 0) {
		r->st.unknown++;
		return;
	}
	roc_track_packet(r->rocs, r->buf, len);
	for (guint i = 0; i < r->members->len; i++)
		if ((gint)i != src)
			send_copy(r, g_ptr_array_index(r->members, i), len);
	/* The tap is a listener: it gets what the members get, but never its
	 * own datagrams back, nor a member's twice. */
	if (r->tap != NULL && !media_addr_equal(r->tap, from) && find_member(r, r->tap) < 0)
		send_copy(r, r->tap, len);
}

static gboolean readable(GSocket *sock, GIOCondition cond, gpointer user)
{
	ks_relay *r = user;

	for (int i = 0; i < RELAY_BURST; i++) {
		GSocketAddress *from = NULL;
		GError *e = NULL;
		gssize n = g_socket_receive_from(sock, &from, (gchar *)r->buf, sizeof(r->buf), NULL, &e);

		if (n < 0) {
			gboolean done = g_error_matches(e, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
			/* Anything else (an ICMP error reported on the socket)
			 * concerns one earlier send: go on reading. */
			if (!done)
				r->drops.receive_failed++;
			g_error_free(e);
			if (done)
				break;
			continue;
		}
		r->st.received++;
		if (n > RELAY_MAX_DATAGRAM)
			r->drops.oversize++;
		else if (G_IS_INET_SOCKET_ADDRESS(from))
			forward(r, G_INET_SOCKET_ADDRESS(from), (gsize)n);
		else
			r->st.unknown++;
		g_clear_object(&from);
	}
	return G_SOURCE_CONTINUE;
}

bool ks_relay_new(const char *addr, uint16_t port, ks_relay **out, GError **err)
{
	ks_relay *r = NULL;
	GInetSocketAddress *bound = NULL;
	GSocketAddress *local = NULL;
	bool ok = false;

	if (out == NULL || addr == NULL) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "ks_relay_new: no address or no result pointer");
		return false;
	}
	*out = NULL;
	if ((bound = media_addr_parse(addr, port, err)) == NULL)
		return false;
	r = g_new0(ks_relay, 1);
	r->members = g_ptr_array_new_with_free_func(g_object_unref);
	r->rocs = roc_track_new();
	r->sock = g_socket_new(g_socket_address_get_family(G_SOCKET_ADDRESS(bound)), G_SOCKET_TYPE_DATAGRAM,
	                       G_SOCKET_PROTOCOL_UDP, err);
	if (r->sock == NULL)
		goto cleanup;
	g_socket_set_blocking(r->sock, FALSE);
	if (!g_socket_bind(r->sock, G_SOCKET_ADDRESS(bound), FALSE, err))
		goto cleanup;
	if ((local = g_socket_get_local_address(r->sock, err)) == NULL)
		goto cleanup;
	r->port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(local));
	r->source = g_socket_create_source(r->sock, G_IO_IN, NULL);
	g_source_set_callback(r->source, G_SOURCE_FUNC(readable), r, NULL);
	g_source_attach(r->source, g_main_context_get_thread_default());
	ok = true;
cleanup:
	g_clear_object(&bound);
	g_clear_object(&local);
	if (!ok) {
		ks_relay_free(r);
		return false;
	}
	*out = r;
	return true;
}

void ks_relay_free(ks_relay *r)
{
	if (r == NULL)
		return;
	media_source_clear(&r->source);
	media_socket_clear(&r->sock);
	g_ptr_array_unref(r->members);
	roc_track_free(r->rocs);
	g_clear_object(&r->tap);
	g_free(r);
}

uint16_t ks_relay_port(const ks_relay *r)
{
	return r != NULL ? r->port : 0;
}

bool ks_relay_add_member(ks_relay *r, const char *addr, uint16_t port, GError **err)
{
	GInetSocketAddress *a;

	if (r == NULL || addr == NULL || port == 0) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "ks_relay_add_member: no relay, address or port");
		return false;
	}
	if ((a = media_addr_parse(addr, port, err)) == NULL)
		return false;
	if (find_member(r, a) >= 0) {
		g_object_unref(a);
		return true;
	}
	g_ptr_array_add(r->members, a);
	return true;
}

void ks_relay_remove_member(ks_relay *r, const char *addr, uint16_t port)
{
	GInetSocketAddress *a;
	gint i;

	if (r == NULL || addr == NULL || (a = media_addr_parse(addr, port, NULL)) == NULL)
		return;
	if ((i = find_member(r, a)) >= 0)
		g_ptr_array_remove_index(r->members, (guint)i);
	g_object_unref(a);
}

bool ks_relay_set_tap(ks_relay *r, const char *addr, uint16_t port, GError **err)
{
	GInetSocketAddress *a = NULL;

	if (r == NULL) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "ks_relay_set_tap: no relay");
		return false;
	}
	if (addr != NULL && (a = media_addr_parse(addr, port, err)) == NULL)
		return false;
	g_clear_object(&r->tap);
	r->tap = a;
	return true;
}

void ks_relay_get_stats(const ks_relay *r, ks_relay_stats *st)
{
	if (st == NULL)
		return;
	if (r == NULL) {
		*st = (ks_relay_stats){0};
		return;
	}
	*st = r->st;
	st->members = r->members->len;
}

void ks_relay_get_drops(const ks_relay *r, ks_relay_drops *d)
{
	if (d == NULL)
		return;
	*d = r != NULL ? r->drops : (ks_relay_drops){0};
}

bool ks_relay_roc(const ks_relay *r, uint32_t ssrc, uint32_t *roc)
{
	return r != NULL && roc_track_get(r->rocs, ssrc, roc);
}
