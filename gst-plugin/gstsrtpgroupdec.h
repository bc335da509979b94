/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * gstsrtpgroupdec.h - srtpgroupdec: SRTP/SRTCP of any number of senders in,
 * RTP/RTCP out, keyed from MIKEY (docs/gst-elements.md).
 */
#ifndef GST_SRTP_GROUP_DEC_H
#define GST_SRTP_GROUP_DEC_H

#include <gst/gst.h>

G_BEGIN_DECLS

#define GST_TYPE_SRTP_GROUP_DEC (gst_srtp_group_dec_get_type())
G_DECLARE_FINAL_TYPE(GstSrtpGroupDec, gst_srtp_group_dec, GST, SRTP_GROUP_DEC, GstElement)

GST_ELEMENT_REGISTER_DECLARE(srtpgroupdec);

G_END_DECLS
#endif
