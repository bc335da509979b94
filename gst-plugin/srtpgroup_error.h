/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * srtpgroup_error.h - GErrors that carry a libmikey error code, so that
 * every message the elements post names the libmikey error (its name and
 * text) and then what was wrong and where.
 */
#ifndef SRTPGROUP_ERROR_H
#define SRTPGROUP_ERROR_H

#include <glib.h>

G_BEGIN_DECLS

/* Domain of the elements' GErrors; the code is a MIKEY_OK / MIKEY_ERR_* value. */
#define SG_ERROR (sg_error_quark())
GQuark sg_error_quark(void);

/* sg_set_error sets *err (when err is not NULL) to
 * "MIKEY_ERR_NAME (library text): <fmt ...>". */
void sg_set_error(GError **err, int mikey_code, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

G_END_DECLS
#endif
