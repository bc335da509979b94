/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* srtpgroup_error.c - see srtpgroup_error.h. */
#include "srtpgroup_error.h"

#include <mikey/error.h>

G_DEFINE_QUARK(srtpgroup-error-quark, sg_error)

void sg_set_error(GError **err, int mikey_code, const char *fmt, ...)
{
	va_list ap;
	gchar *what;

	if (err == NULL)
		return;
	va_start(ap, fmt);
	what = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error(err, SG_ERROR, mikey_code, "%s (%s): %s", mikey_error_name(mikey_code), mikey_strerror(mikey_code),
	            what);
	g_free(what);
}
