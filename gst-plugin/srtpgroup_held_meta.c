/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* srtpgroup_held_meta.c - see srtpgroup_held_meta.h. */
#include "srtpgroup_held_meta.h"

typedef struct Held {
	guint16 seq;
	GstBuffer *meta; /* no memory: timestamps, flags, metas */
} Held;

struct SgHeldMeta {
	GHashTable *by_ssrc; /* SSRC -> GQueue of Held, oldest first */
};

static void held_free(gpointer p)
{
	Held *h = p;
	gst_buffer_unref(h->meta);
	g_free(h);
}

static void queue_free(gpointer p)
{
	g_queue_free_full(p, held_free);
}

SgHeldMeta *sg_held_meta_new(void)
{
	SgHeldMeta *m = g_new0(SgHeldMeta, 1);
	m->by_ssrc = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, queue_free);
	return m;
}

void sg_held_meta_free(SgHeldMeta *m)
{
	if (m == NULL)
		return;
	g_hash_table_unref(m->by_ssrc);
	g_free(m);
}

void sg_held_meta_keep(SgHeldMeta *m, guint32 ssrc, guint16 seq, GstBuffer *src, guint cap)
{
	GQueue *q = g_hash_table_lookup(m->by_ssrc, GUINT_TO_POINTER(ssrc));
	Held *h;

	if (q == NULL) {
		q = g_queue_new();
		g_hash_table_insert(m->by_ssrc, GUINT_TO_POINTER(ssrc), q);
	}
	h = g_new(Held, 1);
	h->seq = seq;
	h->meta = gst_buffer_new();
	gst_buffer_copy_into(h->meta, src, GST_BUFFER_COPY_METADATA, 0, (gsize)-1);
	g_queue_push_tail(q, h);
	while (g_queue_get_length(q) > MAX(cap, 1u))
		held_free(g_queue_pop_head(q));
}

static gint seq_is(gconstpointer held, gconstpointer seq)
{
	return ((const Held *)held)->seq == GPOINTER_TO_UINT(seq) ? 0 : 1;
}

void sg_held_meta_restore(SgHeldMeta *m, guint32 ssrc, guint16 seq, GstBuffer *out)
{
	GQueue *q = g_hash_table_lookup(m->by_ssrc, GUINT_TO_POINTER(ssrc));
	GList *at;

	if (q == NULL || (at = g_queue_find_custom(q, GUINT_TO_POINTER((guint)seq), seq_is)) == NULL)
		return;
	/* Older entries are of packets TESLA will not let out. */
	while (q->head != at)
		held_free(g_queue_pop_head(q));
	Held *h = g_queue_pop_head(q);
	gst_buffer_copy_into(out, h->meta, GST_BUFFER_COPY_METADATA, 0, (gsize)-1);
	held_free(h);
}
