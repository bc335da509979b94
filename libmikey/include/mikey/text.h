/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * mikey/text.h - MIKEY messages in their textual carriers: hex, base64,
 * an SDP body or a single "a=key-mgmt:mikey" attribute (RFC 4567 §3.1),
 * and an RTSP "KeyMgmt:" header (RFC 4567 §3.2).
 */
#ifndef MIKEY_TEXT_H
#define MIKEY_TEXT_H

#include "mikey/export.h"

#include <stddef.h>
#include <stdint.h>

#include "mikey/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum mikey_text_format {
	MIKEY_FORMAT_AUTO = 0, /* guess from the content */
	MIKEY_FORMAT_BIN,      /* raw MIKEY bytes */
	MIKEY_FORMAT_HEX,      /* hex digits; whitespace and ':' ignored */
	MIKEY_FORMAT_BASE64,   /* RFC 4648 base64; whitespace ignored */
	MIKEY_FORMAT_SDP,      /* SDP body or one a=key-mgmt line */
	MIKEY_FORMAT_RTSP      /* RTSP message or one KeyMgmt header */
} mikey_text_format;

/* mikey_text_format_from_name maps "auto", "bin", "hex", "base64", "sdp",
 * "rtsp" to the enum. Returns MIKEY_OK or MIKEY_ERR_ARG. */
MIKEY_API MIKEY_WARN_UNUSED int mikey_text_format_from_name(const char *name, mikey_text_format *out);

/* mikey_text_format_name is the inverse ("auto", ...). Never NULL. */
MIKEY_API const char *mikey_text_format_name(mikey_text_format f);

/* mikey_text_decode extracts the MIKEY message carried in |in| (|len|
 * bytes) in format |fmt|. For SDP and RTSP the first key-mgmt entry whose
 * protocol is "mikey" is used (session level before media level).
 * *detected (may be NULL) receives the format used. On success *out is a
 * new buffer freed with mikey_buf_free().
 * Returns MIKEY_OK, MIKEY_ERR_FORMAT (with |err| saying what and at which
 * offset of the input), MIKEY_ERR_NOT_FOUND (no mikey key-mgmt entry),
 * MIKEY_ERR_NOMEM, MIKEY_ERR_ARG. */
MIKEY_API MIKEY_WARN_UNUSED int mikey_text_decode(const uint8_t *in, size_t len, mikey_text_format fmt, uint8_t **out,
                                        size_t *out_len, mikey_text_format *detected, mikey_error *err);

/* mikey_base64_encode returns a new NUL-terminated base64 string of |len|
 * bytes (free with mikey_free), or NULL when out of memory. */
MIKEY_API char *mikey_base64_encode(const uint8_t *in, size_t len);

/* mikey_sdp_attribute returns a new "a=key-mgmt:mikey <base64>" line
 * (without CRLF) for |msg| (free with mikey_free), or NULL. */
MIKEY_API char *mikey_sdp_attribute(const uint8_t *msg, size_t len);

#ifdef __cplusplus
}
#endif
#endif
