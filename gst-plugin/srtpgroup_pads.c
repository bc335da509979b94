/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* srtpgroup_pads.c - see srtpgroup_pads.h. */
#include "srtpgroup_pads.h"

#include "srtpgroup_caps.h"

GstCaps *sg_pad_query_caps(GstPad *pad, GstPad *other, const gchar *name,
                           GstCaps *filter)
{
	GstCaps *tmpl = gst_pad_get_pad_template_caps(pad);
	GstCaps *peer, *renamed, *out;

	/* What the far side accepts, in our media type. */
	peer = other != NULL ? gst_pad_peer_query_caps(other, NULL) : NULL;
	if (peer == NULL || gst_caps_is_any(peer)) {
		out = gst_caps_ref(tmpl);
	} else {
		renamed = sg_caps_rename(peer, name);
		out = gst_caps_intersect(renamed, tmpl);
		gst_caps_unref(renamed);
	}
	if (peer != NULL)
		gst_caps_unref(peer);
	gst_caps_unref(tmpl);
	if (filter != NULL) {
		GstCaps *f = gst_caps_intersect_full(filter, out, GST_CAPS_INTERSECT_FIRST);
		gst_caps_unref(out);
		out = f;
	}
	return out;
}

gboolean sg_drop_warn_due(guint64 *counts, gsize n_counts, int code)
{
	gsize i = (gsize)(code < 0 ? -code : code);
	guint64 c;

	if (i >= n_counts)
		i = n_counts - 1;
	c = ++counts[i];
	return (c & (c - 1)) == 0;
}

typedef struct {
	GstBuffer **out;
	guint n;
} TakeCtx;

static gboolean take_one(GstBuffer **buf, guint idx, gpointer user)
{
	TakeCtx *t = user;
	t->out[t->n++] = *buf;
	*buf = NULL; /* removed from the list, ownership is ours */
	return TRUE;
}

GstBuffer **sg_list_take(GstBufferList *list, guint *n)
{
	TakeCtx t;

	list = gst_buffer_list_make_writable(list);
	t.out = g_new(GstBuffer *, gst_buffer_list_length(list) + 1);
	t.n = 0;
	gst_buffer_list_foreach(list, take_one, &t);
	gst_buffer_list_unref(list);
	*n = t.n;
	return t.out;
}
