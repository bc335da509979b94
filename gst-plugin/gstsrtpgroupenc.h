/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * gstsrtpgroupenc.h - srtpgroupenc: RTP/RTCP of any number of senders in,
 * SRTP/SRTCP out, keyed from MIKEY or srtpenc-style properties
 * (docs/gst-elements.md).
 */
#ifndef GST_SRTP_GROUP_ENC_H
#define GST_SRTP_GROUP_ENC_H

#include <gst/gst.h>

G_BEGIN_DECLS

#define GST_TYPE_SRTP_GROUP_ENC (gst_srtp_group_enc_get_type())
G_DECLARE_FINAL_TYPE(GstSrtpGroupEnc, gst_srtp_group_enc, GST, SRTP_GROUP_ENC, GstElement)

GST_ELEMENT_REGISTER_DECLARE(srtpgroupenc);

G_END_DECLS
#endif
