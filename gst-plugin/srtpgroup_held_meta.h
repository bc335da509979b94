/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * srtpgroup_held_meta.h - what the decoder remembers of an RTP buffer while
 * TESLA holds its packet (RFC 4383 §4.3: until the key of its interval is
 * disclosed, d intervals later): timestamps, duration, offsets, flags and
 * metas (a udpsrc's GstNetAddressMeta, for one), kept as a buffer with no
 * memory, so that the packet TESLA lets out later carries them again.
 *
 * Kept per SSRC in arrival order, found by RTP sequence number. TESLA lets
 * a sender's packets out in order, so the one looked for is at or near the
 * front; entries in front of it are of packets TESLA dropped (forged,
 * unsafe, evicted) and are freed. At most |cap| entries per SSRC.
 * RTCP is not kept: a decrypted RTCP packet carries no SRTCP index to find
 * its entry by.
 */
#ifndef SRTPGROUP_HELD_META_H
#define SRTPGROUP_HELD_META_H

#include <gst/gst.h>

typedef struct SgHeldMeta SgHeldMeta;

SgHeldMeta *sg_held_meta_new(void);
void sg_held_meta_free(SgHeldMeta *m); /* NULL is fine */

/* Remembers |src|'s metadata (not its memory) for packet |seq| of |ssrc|;
 * drops the oldest entry of that SSRC beyond |cap| (at least 1). */
void sg_held_meta_keep(SgHeldMeta *m, guint32 ssrc, guint16 seq, GstBuffer *src, guint cap);

/* Copies into |out| (writable) the metadata kept for |seq| of |ssrc| and
 * forgets it with the older entries of that SSRC. Nothing when none is
 * kept. */
void sg_held_meta_restore(SgHeldMeta *m, guint32 ssrc, guint16 seq, GstBuffer *out);

#endif
