/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * codec_errors.c - how the codec reports what is wrong and where: the
 * payload index, type and byte offset in a mikey_error, and the one helper
 * that points a field at bytes of the input.
 */
#include <stdarg.h>
#include <stdio.h>

#include "codec/codec.h"
#include "mikey/names.h"

static const char *type_name(int type)
{
	if (type == MIKEY_PT_HDR)
		return "HDR";
	if (type < 0 || type > 255)
		return "message";
	/* The registry's names (base/names.c), not the payload table's, so that
	 * reporting an error never calls up into the table and the payloads. */
	const char *name = mikey_payload_type_name((uint8_t)type);
	return type != MIKEY_PT_LAST && name != NULL ? name : "payload";
}

const char *payload_name(const mikey_pctx *c)
{
	return type_name(c->payload_type);
}

const char *bpayload_name(const mikey_bctx *c)
{
	return type_name(c->payload_type);
}

int mikey_perr(mikey_pctx *c, int code, size_t offset, const char *fmt, ...)
{
	mikey_error *e = c->err;
	if (e == NULL)
		return code;
	e->code = code;
	e->payload_index = c->payload_index;
	e->payload_type = c->payload_type;
	e->offset = offset;
	va_list ap;
	va_start(ap, fmt);
	int n = 0;
	if (c->in_kemac)
		n = snprintf(e->message, sizeof(e->message), "KEMAC sub-payload ");
	if (n < 0 || (size_t)n >= sizeof(e->message))
		n = 0;
	vsnprintf(e->message + n, sizeof(e->message) - (size_t)n, fmt, ap);
	va_end(ap);
	return code;
}

int mikey_berr(mikey_bctx *c, int code, const char *fmt, ...)
{
	mikey_error *e = c->err;
	if (e == NULL)
		return code;
	e->code = code;
	e->payload_index = c->payload_index;
	e->payload_type = c->payload_type;
	e->offset = 0;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof(e->message), fmt, ap);
	va_end(ap);
	return code;
}

bool mikey_pbytes(mikey_reader *r, size_t n, mikey_bytes *dst)
{
	const uint8_t *b;
	if (!rd_take(r, n, &b))
		return false;
	/* The reader runs over the message's own arena copy of the input, so
	 * fields can point into it. */
	dst->data = n ? (uint8_t *)b : NULL;
	dst->len = n;
	return true;
}
