/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* plugin.c - the srtpgroup plugin: srtpgroupenc and srtpgroupdec. */
#include <gst/gst.h>

#include "gstsrtpgroupdec.h"
#include "gstsrtpgroupenc.h"

#define PACKAGE "mikey"

static gboolean plugin_init(GstPlugin *plugin)
{
	gboolean ok = FALSE;

	ok |= GST_ELEMENT_REGISTER(srtpgroupenc, plugin);
	ok |= GST_ELEMENT_REGISTER(srtpgroupdec, plugin);
	return ok;
}

GST_PLUGIN_DEFINE(GST_VERSION_MAJOR, GST_VERSION_MINOR, srtpgroup,
                  "Group SRTP keyed by MIKEY: many senders, MKI rekeys, libsrtp2", plugin_init, "0.1.0",
                  "LGPL", "mikey", "https://www.rfc-editor.org/rfc/rfc3830")
