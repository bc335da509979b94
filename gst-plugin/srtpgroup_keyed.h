/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * srtpgroup_keyed.h - what srtpgroupenc and srtpgroupdec share: the lock,
 * the keyed SRTP state (srtpgroup_streams.h), the MIKEY key source
 * (srtpgroup_mikey.h), and the per-buffer transform.
 *
 * Locking: |lock| guards everything here. The streaming threads (RTP and
 * RTCP pads) and the application (properties, action signals) take it;
 * signals are emitted with it released.
 */
#ifndef SRTPGROUP_KEYED_H
#define SRTPGROUP_KEYED_H

#include <gst/gst.h>

#include "srtpgroup_mikey.h"
#include "srtpgroup_streams.h"
#include "srtpgroup_tesla.h"

G_BEGIN_DECLS

typedef struct SgKeyed {
	GMutex lock;
	gboolean sender;
	SgStreams *streams; /* NULL while the element is in NULL state */
	SgMikey mikey;
	guint window;       /* replay window, packets */
	gboolean allow_repeat_tx; /* senders: a packet may be protected again */
	guint64 key_limit;  /* RFC 3711 §9.2 packets per master key; 0: default */
	guint64 soft_margin; /* soft-limit this many packets before; 0: default */
	gint64 grace_us;    /* receivers: how long old keys stay after a rekey */
	GArray *pending;    /* mikey_crypto_session installed before the start */
	SgTesla *tesla;     /* SSRCs with TESLA (RFC 4383); NULL while stopped */
	gchar *tesla_seeds; /* sender: chain seeds, hex, comma separated */
	guint64 tesla_lag;  /* receiver: D_t, NTP 32.32 */
	guint tesla_max_held; /* receiver: packets held per TESLA sender */
	gint tesla_active;  /* atomic: a TESLA SSRC is installed (TESLA needs the time) */
	/* The NTP time of |base_clock| on the element's clock, for TESLA's
	 * intervals: a pipeline clock (a test clock in tests) runs TESLA time. */
	guint64 base_ntp;
	GstClockTime base_clock;
} SgKeyed;

/* Senders: sg_streams_set_allow_repeat_tx of the running streams, and the
 * choice for the next start. Takes the lock. */
void sg_keyed_set_allow_repeat_tx(SgKeyed *k, gboolean allow);

void sg_keyed_init(SgKeyed *k, gboolean sender);

/* The properties both elements have beyond MIKEY's: key-limit and
 * key-soft-margin, ids |first| and |first| + 1. */
#define SG_KEYED_N_PROPS 2
void sg_keyed_install_properties(GObjectClass *klass, guint first);
void sg_keyed_set_property(SgKeyed *k, guint rel_id, const GValue *v);
void sg_keyed_get_property(SgKeyed *k, guint rel_id, GValue *v);

/* Both elements number key-limit and key-soft-margin from |first|, then
 * the MIKEY properties (srtpgroup_mikey.h). sg_keyed_set_common /
 * sg_keyed_get_common handle property |id| when it is one of those (TRUE),
 * taking the lock; the mikey message installs at once on a running
 * element. Call them without the object lock. */
gboolean sg_keyed_set_common(SgKeyed *k, GstElement *el, guint first, guint id, const GValue *v);
gboolean sg_keyed_get_common(SgKeyed *k, guint first, guint id, GValue *v);
void sg_keyed_clear(SgKeyed *k);

/* sg_keyed_attach ties |k| to its element (in the element's init), for
 * the action signal below. */
void sg_keyed_attach(SgKeyed *k, GstElement *el);

/* Installs the add-exchange action signal (gpointer to a complete
 * mikey_exchange, borrowed; returns TRUE when its crypto sessions were
 * installed, else posts a warning naming the libmikey error) on an element
 * class whose instances called sg_keyed_attach. Returns the signal id. */
guint sg_keyed_install_add_exchange(GObjectClass *klass);

/* Adds the four static pad templates of an element class. */
void sg_add_pad_templates(GstElementClass *ec, GstStaticPadTemplate *a, GstStaticPadTemplate *b,
                          GstStaticPadTemplate *c, GstStaticPadTemplate *d);

/* sg_keyed_start makes the SRTP state (NULL -> READY) and installs the keys
 * set before: the MIKEY message, then keys handed in earlier. FALSE with
 * |err| when they do not install (the element then fails to start). */
gboolean sg_keyed_start(SgKeyed *k, GError **err);
/* sg_keyed_stop drops the SRTP state and wipes its keys (READY -> NULL). */
void sg_keyed_stop(SgKeyed *k);

/* sg_keyed_set_message stores the mikey property; when the element runs,
 * processes it at once (a rekey). On failure posts a warning on |el|
 * naming the libmikey error; the keys in use do not change. */
void sg_keyed_set_message(SgKeyed *k, GstElement *el, const gchar *text);

/* sg_keyed_install installs crypto sessions (kept for the start when the
 * element is not running yet). Takes the lock. */
gboolean sg_keyed_install(SgKeyed *k, const mikey_crypto_session *cs, gsize n, GError **err);

/* sg_keyed_install_exchange installs the crypto sessions of a complete
 * exchange (borrowed). Takes the lock. */
gboolean sg_keyed_install_exchange(SgKeyed *k, const mikey_exchange *ex, GError **err);

/* Statistics (a new structure), with the lock taken. */
GstStructure *sg_keyed_stats(SgKeyed *k);

/* sg_keyed_now_ntp is the NTP time TESLA uses: the system clock, moved on
 * by the element's clock when it has one; 0 (and no clock read) while no
 * TESLA SSRC is installed. Call it without the lock. */
guint64 sg_keyed_now_ntp(SgKeyed *k, GstElement *el);

/* sg_keyed_unprotect_one (receivers) is sg_keyed_unprotect_into for one
 * buffer while no TESLA SSRC is installed, without buffer lists: *out is
 * the decrypted packet (or NULL: dropped, *rc says why). When TESLA is
 * installed it does nothing, sets *needs_tesla and hands |buf| back: use
 * sg_keyed_unprotect_into. Otherwise returns |buf| only as deferred (see
 * |defer| below), else NULL. */
GstBuffer *sg_keyed_unprotect_one(SgKeyed *k, gboolean rtcp, GstBuffer *buf, gboolean defer, GstBuffer **out,
                                  gboolean *needs_tesla, int *rc, guint32 *ssrc, SgEvent **events, gsize *n_events);

/* sg_keyed_unprotect_into (receivers) checks one buffer (taken) and appends
 * what comes out to |rtp| or |rtcp|: the packet itself, or for a TESLA
 * SSRC every packet TESLA verified by now (of any sender). *rc and *ssrc
 * as sg_keyed_transform; *rc is MIKEY_OK when TESLA holds the packet.
 * With |defer|, a packet of an SSRC that has no key is handed back
 * untouched (*rc MIKEY_ERR_UNKNOWN_SSRC, *ssrc set) for the caller to ask
 * for a key and call again; otherwise it returns NULL. */
GstBuffer *sg_keyed_unprotect_into(SgKeyed *k, gboolean rtcp, GstBuffer *buf, guint64 now_ntp, gboolean defer,
                                   GstBufferList *rtp, GstBufferList *rtcp_out, int *rc, guint32 *ssrc,
                                   SgEvent **events, gsize *n_events);

/* The latency TESLA adds (0 without TESLA). Takes the lock. */
GstClockTime sg_keyed_tesla_latency(SgKeyed *k);

/* sg_keyed_transform protects (sender) or unprotects one buffer, which it
 * takes. Returns the output buffer, or NULL when the packet is dropped;
 * *rc is the MIKEY code and *ssrc the packet's SSRC. |events| gets key
 * limit events raised (g_free; may stay NULL). Takes the lock. */
GstBuffer *sg_keyed_transform(SgKeyed *k, gboolean rtcp, GstBuffer *buf, guint64 now_ntp, int *rc, guint32 *ssrc,
                              SgEvent **events, gsize *n_events);


G_END_DECLS
#endif
