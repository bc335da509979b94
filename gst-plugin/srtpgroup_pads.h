/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * srtpgroup_pads.h - pad plumbing both elements share: caps queries and
 * events answered by renaming the media type across the element
 * (application/x-rtp <-> application/x-srtp, x-rtcp <-> x-srtcp), and
 * warnings about dropped packets that cannot flood the bus.
 */
#ifndef SRTPGROUP_PADS_H
#define SRTPGROUP_PADS_H

#include <gst/gst.h>

G_BEGIN_DECLS

/* The caps this pad can take or give: the peer of |other| (the pad on the
 * other side of the element) asked for its caps, renamed to
 * |name|, intersected with |pad|'s template and |filter|. */
GstCaps *sg_pad_query_caps(GstPad *pad, GstPad *other, const gchar *name,
                           GstCaps *filter);

/* Count a dropped packet of MIKEY error |code|; TRUE when a warning is due
 * (the 1st, 2nd, 4th, 8th ... drop of that code), so that a flood of bad
 * packets posts a logarithmic number of messages. */
gboolean sg_drop_warn_due(guint64 *counts, gsize n_counts, int code);

/* sg_list_take takes |list| apart: a new array of its n buffers, each
 * ours (g_free the array). Taken, not referenced, so that a buffer nobody
 * else holds is writable in place. */
GstBuffer **sg_list_take(GstBufferList *list, guint *n);

/* Number of counters sg_drop_warn_due needs (one per MIKEY error code). */
#define SG_DROP_KINDS 64

G_END_DECLS
#endif
