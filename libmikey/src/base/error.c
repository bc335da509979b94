/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "mikey/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/internal.h"
#include "mikey/types.h"

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

int mikey_error_to_err_no(int code)
{
	switch (code) {
	case MIKEY_ERR_AUTH:
		return MIKEY_ERRNO_AUTH_FAILURE;
	case MIKEY_ERR_POLICY:
		return MIKEY_ERRNO_INVALID_SPPAR;
	case MIKEY_ERR_TIMESTAMP:
	case MIKEY_ERR_REPLAY:
		return MIKEY_ERRNO_INVALID_TS;
	case MIKEY_ERR_IDENTITY:
		return MIKEY_ERRNO_INVALID_ID;
	case MIKEY_ERR_CERT:
		return MIKEY_ERRNO_INVALID_CERT;
	case MIKEY_ERR_DH_GROUP:
		return MIKEY_ERRNO_INVALID_DH;
	case MIKEY_ERR_DATA_TYPE:
		return MIKEY_ERRNO_INVALID_DT;
	case MIKEY_ERR_ENCR_ALG:
		return MIKEY_ERRNO_INVALID_EA;
	case MIKEY_ERR_MAC_ALG:
		return MIKEY_ERRNO_INVALID_MAC;
	case MIKEY_ERR_PRF:
		return MIKEY_ERRNO_INVALID_PRF;
	case MIKEY_ERR_HASH:
		return MIKEY_ERRNO_INVALID_HA;
	case MIKEY_ERR_TRUNCATED:
	case MIKEY_ERR_LENGTH:
	case MIKEY_ERR_TRAILING:
	case MIKEY_ERR_VERSION:
	case MIKEY_ERR_PAYLOAD_TYPE:
	case MIKEY_ERR_UNKNOWN_VALUE:
	case MIKEY_ERR_TOO_MANY:
	case MIKEY_ERR_PLACEMENT:
		/* RFC 4738 §3.9.2: "unparseable MIKEY message". */
		return MIKEY_ERRNO_UNSUPPORTED_MSG;
	default:
		return MIKEY_ERRNO_UNSPECIFIED;
	}
}

int mikey_fail(mikey_error *err, int code, const char *fmt, ...)
{
	if (err != NULL) {
		err->code = code;
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err->message, sizeof(err->message), fmt, ap);
		va_end(ap);
	}
	return code;
}
