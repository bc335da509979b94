/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "mikey/error.h"

#include <string.h>

const char *mikey_strerror(int code)
{
	switch (code) {
#define MIKEY_X_MSG(name, value, msg) \
	case value:                   \
		return msg;
		MIKEY_ERROR_ENTRIES(MIKEY_X_MSG)
#undef MIKEY_X_MSG
	}
	return "unknown error code";
}

const char *mikey_error_name(int code)
{
	switch (code) {
#define MIKEY_X_NAME(name, value, msg) \
	case value:                    \
		return #name;
		MIKEY_ERROR_ENTRIES(MIKEY_X_NAME)
#undef MIKEY_X_NAME
	}
	return "MIKEY_ERR_UNKNOWN";
}

void mikey_error_clear(mikey_error *err)
{
	if (err == NULL)
		return;
	memset(err, 0, sizeof(*err));
	err->code = 0;
	err->payload_index = -1;
	err->payload_type = -1;
}
