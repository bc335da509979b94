/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * roc_track.c - RFC 3711 §3.3.1 index estimation from RTP headers.
 */
#include "roc_track.h"

#include <glib.h>

typedef struct stream {
	uint32_t roc;
	uint16_t s_l; /* highest sequence number seen */
} stream;

struct roc_track {
	GHashTable *by_ssrc; /* uint32 -> stream */
};

roc_track *roc_track_new(void)
{
	roc_track *t = g_new0(roc_track, 1);
	t->by_ssrc = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
	return t;
}

void roc_track_free(roc_track *t)
{
	if (t == NULL)
		return;
	g_hash_table_destroy(t->by_ssrc);
	g_free(t);
}

void roc_track_packet(roc_track *t, const uint8_t *pkt, size_t len)
{
	if (len < 12 || (pkt[0] >> 6) != 2 || (pkt[1] >= 192 && pkt[1] <= 223))
		return;
	uint16_t seq = (uint16_t)(pkt[2] << 8 | pkt[3]);
	uint32_t ssrc = (uint32_t)pkt[8] << 24 | (uint32_t)pkt[9] << 16 | (uint32_t)pkt[10] << 8 | pkt[11];
	stream *s = g_hash_table_lookup(t->by_ssrc, GUINT_TO_POINTER(ssrc));
	if (s == NULL) {
		if (g_hash_table_size(t->by_ssrc) >= ROC_TRACK_MAX_STREAMS)
			return;
		s = g_new0(stream, 1);
		s->s_l = seq;
		g_hash_table_insert(t->by_ssrc, GUINT_TO_POINTER(ssrc), s);
		return;
	}
	/* RFC 3711 §3.3.1: v is ROC-1, ROC or ROC+1 by where SEQ lies from s_l. */
	if (s->s_l < 32768) {
		if (seq > s->s_l && seq - s->s_l > 32768)
			return; /* v = ROC - 1: a late packet from before the wrap */
		if (seq > s->s_l)
			s->s_l = seq;
	} else if ((uint32_t)s->s_l - 32768u > seq) {
		s->roc++; /* v = ROC + 1: the sequence number wrapped */
		s->s_l = seq;
	} else if (seq > s->s_l) {
		s->s_l = seq;
	}
}

bool roc_track_get(const roc_track *t, uint32_t ssrc, uint32_t *roc)
{
	const stream *s = g_hash_table_lookup(t->by_ssrc, GUINT_TO_POINTER(ssrc));
	if (s == NULL)
		return false;
	*roc = s->roc;
	return true;
}
