/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * mikey/error.h - the one error enum of libmikey.
 *
 * Every function that can fail returns an int: MIKEY_OK (0) or one of the
 * negative MIKEY_ERR_* codes below. Return codes are never lengths.
 * Decoders additionally fill a mikey_error that says where it went wrong.
 *
 * The mapping to RFC 3830 §6.12 ERR payload codes is separate and explicit:
 * see mikey_error_to_err_payload().
 */
#ifndef MIKEY_ERROR_H
#define MIKEY_ERROR_H

#include "mikey/export.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) || defined(__clang__)
#define MIKEY_WARN_UNUSED __attribute__((warn_unused_result))
#else
#define MIKEY_WARN_UNUSED
#endif

/* X(name, value, message) */
#define MIKEY_ERROR_ENTRIES(X)                                                                                   \
	X(MIKEY_OK, 0, "success")                                                                                \
	X(MIKEY_ERR_NOMEM, -1, "out of memory")                                                                  \
	X(MIKEY_ERR_ARG, -2, "invalid argument")                                                                 \
	X(MIKEY_ERR_TRUNCATED, -3, "message ends inside a field")                                                \
	X(MIKEY_ERR_LENGTH, -4, "a length field disagrees with the data it frames")                              \
	X(MIKEY_ERR_TRAILING, -5, "bytes follow the last payload")                                               \
	X(MIKEY_ERR_VERSION, -6, "unsupported MIKEY version")                                                    \
	X(MIKEY_ERR_PAYLOAD_TYPE, -7, "unknown payload type in the next-payload chain")                          \
	X(MIKEY_ERR_UNKNOWN_VALUE, -8, "registry value unknown, so the field's length cannot be determined")      \
	X(MIKEY_ERR_TOO_MANY, -9, "more payloads or items than the configured limit")                            \
	X(MIKEY_ERR_PLACEMENT, -10, "payload where the RFC does not allow it")                                   \
	X(MIKEY_ERR_FIELD_RANGE, -11, "value does not fit its wire field")                                       \
	X(MIKEY_ERR_FORMAT, -12, "input text is not in the expected format")                                    \
	X(MIKEY_ERR_NOT_FOUND, -13, "the requested item is not present")                                         \
	X(MIKEY_ERR_UNSUPPORTED, -14, "algorithm or feature not supported")                                      \
	X(MIKEY_ERR_CRYPTO, -15, "the cryptographic library reported a failure")                                 \
	X(MIKEY_ERR_AUTH, -16, "authentication failed (MAC or signature does not verify)")                       \
	X(MIKEY_ERR_STATE, -17, "operation not allowed in the current state")                                 \
	X(MIKEY_ERR_POLICY, -18, "security policy parameter not supported")                                   \
	X(MIKEY_ERR_TIMESTAMP, -19, "timestamp outside the accepted clock skew")                                \
	X(MIKEY_ERR_REPLAY, -20, "message already seen (replay)")                                                \
	X(MIKEY_ERR_IDENTITY, -21, "identity missing, unknown, or not the one its credentials name")           \
	X(MIKEY_ERR_CERT, -22, "certificate not trusted, expired or unusable")                                 \
	X(MIKEY_ERR_DH_GROUP, -23, "Diffie-Hellman group not allowed by policy")                               \
	X(MIKEY_ERR_DATA_TYPE, -24, "message data type not expected here")                                     \
	X(MIKEY_ERR_ENCR_ALG, -25, "KEMAC encryption algorithm not supported")                                 \
	X(MIKEY_ERR_MAC_ALG, -26, "MAC or verification algorithm not supported")                               \
	X(MIKEY_ERR_PRF, -27, "PRF not supported")                                                               \
	X(MIKEY_ERR_HASH, -28, "hash function not supported")                                                    \
	X(MIKEY_ERR_PEER_ERROR, -29, "the peer answered with an error message")                                  \
	X(MIKEY_ERR_UNKNOWN_SSRC, -30, "no SRTP stream for this SSRC")                                           \
	X(MIKEY_ERR_UNKNOWN_MKI, -31, "no SRTP master key with this MKI (never added, or retired)")              \
	X(MIKEY_ERR_KEY_LIMIT, -32, "the SRTP master key reached its usage limit (RFC 3711 §9.2)")

typedef enum mikey_err_code {
#define MIKEY_X_ENUM(name, value, msg) name = value,
	MIKEY_ERROR_ENTRIES(MIKEY_X_ENUM)
#undef MIKEY_X_ENUM
} mikey_err_code;

/* A pseudo payload type used in mikey_error.payload_type for the Common
 * Header, which has no wire payload type of its own. */
#define MIKEY_PT_HDR 256

/* Where and why a decode (or build) failed. Plain data; no cleanup needed. */
typedef struct mikey_error {
	int code;          /* MIKEY_OK or MIKEY_ERR_* */
	int payload_index; /* 0 = Common Header, n = n-th payload after it, -1 = none */
	int payload_type;  /* wire payload type, MIKEY_PT_HDR, or -1 */
	size_t offset;     /* byte offset in the message where the fault lies */
	char message[200]; /* human-readable, NUL-terminated */
} mikey_error;

/* mikey_strerror returns a static description of |code| ("unknown error
 * code" for values outside the enum). Never NULL. */
MIKEY_API const char *mikey_strerror(int code);

/* mikey_error_name returns the enum identifier of |code| as a string, e.g.
 * "MIKEY_ERR_TRUNCATED". Never NULL. */
MIKEY_API const char *mikey_error_name(int code);

/* mikey_error_to_err_no maps a libmikey error code to the RFC 3830 §6.12
 * Error no (Table 6.12, RFC 4738 §3.9.2) a responder puts in the ERR
 * payload it sends back. Codes that describe a message we could not parse
 * map to "Unsupported message type" (13, RFC 4738); anything without a
 * better match maps to "Unspecified error" (12). */
MIKEY_API int mikey_error_to_err_no(int code);

/* mikey_error_clear resets |err| to MIKEY_OK with no position. NULL is fine. */
MIKEY_API void mikey_error_clear(mikey_error *err);

#ifdef __cplusplus
}
#endif
#endif
