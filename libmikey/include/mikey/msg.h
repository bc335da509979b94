/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * mikey/msg.h - MIKEY messages as typed C structures, parsed from and built
 * to bytes (RFC 3830 §6 and extensions).
 *
 * Ownership
 * ---------
 * A mikey_msg owns every byte reachable from it: payload structures, byte
 * fields (mikey_bytes) and arrays all live in the message's arena and are
 * released, and wiped, by mikey_msg_free(). Pointers into a message are
 * borrowed ("get0") and die with it. To put bytes into a message use
 * mikey_msg_set_bytes() (copies, "set1") or mikey_msg_alloc().
 *
 * The structures are plain data: read them directly. The next-payload
 * fields of the wire are not stored; they follow from list order and are
 * computed by mikey_msg_build(). The parser records where each payload
 * started (offset) and how long it was (length).
 *
 * One source of truth per field
 * -----------------------------
 * - KEMAC with Encr alg NULL: the parser decodes the Key data (and ID)
 *   sub-payloads into kemac.sub and leaves kemac.encr_data empty; the
 *   builder encodes kemac.sub. For any other Encr alg, encr_data holds the
 *   ciphertext and sub is filled only by mikey_kemac_parse_plaintext().
 * - General Extension KEY-ID (RFC 4563): decoded into gen_ext.key_ids, data
 *   left empty; the builder encodes key_ids. Other types keep raw data.
 * - HDR map info: typed for SRTP-ID, Empty and GENERIC-ID.
 */
#ifndef MIKEY_MSG_H
#define MIKEY_MSG_H

#include "mikey/export.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mikey/error.h"
#include "mikey/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A byte string owned by the message that contains it. */
typedef struct mikey_bytes {
	uint8_t *data; /* NULL when len == 0 */
	size_t len;
} mikey_bytes;

typedef struct mikey_payload mikey_payload;

/* A singly linked list of payloads in wire order. */
typedef struct mikey_payload_list {
	mikey_payload *first;
	mikey_payload *last;
	size_t count;
} mikey_payload_list;

/* RFC 3830 §6.1.1: one SRTP-ID map entry (9 bytes on the wire). */
typedef struct mikey_srtp_cs {
	uint8_t policy_no;
	uint32_t ssrc;
	uint32_t roc;
} mikey_srtp_cs;

/* RFC 6043 §6.1.1: one GENERIC-ID map block. */
typedef struct mikey_generic_cs {
	uint8_t cs_id;
	uint8_t prot_type;
	bool s_flag;
	uint8_t n_policies; /* #P, 7 bits */
	uint8_t *policies;  /* n_policies policy numbers */
	mikey_bytes session_data;
	mikey_bytes spi;
} mikey_generic_cs;

/* RFC 3830 §6.1: Common Header. */
typedef struct mikey_hdr {
	uint8_t version;
	uint8_t data_type;
	bool v;           /* verification message expected */
	uint8_t prf_func; /* 7 bits */
	uint32_t csb_id;
	uint8_t n_cs; /* #CS */
	uint8_t map_type;
	/* map_type SRTP-ID: n_cs entries. */
	mikey_srtp_cs *srtp_cs;
	/* map_type GENERIC-ID: n_cs blocks. */
	mikey_generic_cs *generic_cs;
	/* map_type Empty: no map info. Other map types cannot be parsed. */
} mikey_hdr;

/* RFC 3830 §6.14: Key validity data, in Key data and DH payloads. */
typedef struct mikey_kv {
	uint8_t type;      /* MIKEY_KV_*; 4 bits on the wire */
	mikey_bytes spi;   /* type SPI: the SPI/MKI */
	mikey_bytes valid_from; /* type Interval */
	mikey_bytes valid_to;   /* type Interval */
} mikey_kv;

/* RFC 3830 §6.2 */
typedef struct mikey_kemac {
	uint8_t encr_alg;
	mikey_bytes encr_data;  /* ciphertext; empty when encr_alg is NULL */
	mikey_payload_list sub; /* Key data (and ID/IDR) sub-payloads */
	uint8_t mac_alg;
	mikey_bytes mac;
} mikey_kemac;

/* RFC 3830 §6.3 */
typedef struct mikey_pke {
	uint8_t cache; /* C, 2 bits */
	mikey_bytes data; /* at most 16383 bytes (14-bit length) */
} mikey_pke;

/* RFC 3830 §6.4 */
typedef struct mikey_dh {
	uint8_t group;
	mikey_bytes value; /* length implied by the group */
	uint8_t reserved;  /* 4 bits, kept for exact round trips */
	mikey_kv kv;
} mikey_dh;

/* RFC 3830 §6.5 (always the last payload; it has no next-payload field) */
typedef struct mikey_sign {
	uint8_t s_type;  /* 4 bits */
	mikey_bytes sig; /* at most 4095 bytes (12-bit length) */
} mikey_sign;

/* RFC 3830 §6.6 (T) and RFC 6043 §6.4 (TR: same with a role) */
typedef struct mikey_ts {
	uint8_t role; /* TR only */
	uint8_t ts_type;
	uint64_t value; /* NTP 64-bit, or COUNTER / NTP-UTC-32 in the low 32 bits */
} mikey_ts;

/* RFC 3830 §6.7 (ID, CERT) and RFC 6043 §6.6 (IDR: ID with a role) */
typedef struct mikey_id {
	uint8_t role; /* IDR only */
	uint8_t type; /* ID type or Cert type */
	mikey_bytes data;
} mikey_id;

/* RFC 3830 §6.8 */
typedef struct mikey_chash {
	uint8_t hash_func;
	mikey_bytes hash; /* length implied by the hash function */
} mikey_chash;

/* RFC 3830 §6.9 */
typedef struct mikey_v {
	uint8_t auth_alg;
	mikey_bytes ver_data; /* length implied by the algorithm */
} mikey_v;

/* RFC 3830 §6.10: one Type/Length/Value policy parameter. */
typedef struct mikey_sp_param {
	uint8_t type;
	uint8_t len;
	uint8_t *value;
} mikey_sp_param;

/* RFC 3830 §6.10, RFC 4442 §4.1 */
typedef struct mikey_sp {
	uint8_t policy_no;
	uint8_t prot_type;
	size_t n_params;
	mikey_sp_param *params; /* wire order */
} mikey_sp;

/* RFC 3830 §6.11 (RAND) and RFC 6043 §6.8 (RANDR) */
typedef struct mikey_rand {
	uint8_t role; /* RANDR only */
	mikey_bytes rand;
} mikey_rand;

/* RFC 3830 §6.12 */
typedef struct mikey_err {
	uint8_t err_no;
	uint16_t reserved;
} mikey_err;

/* RFC 3830 §6.13 */
typedef struct mikey_key_data {
	uint8_t key_type; /* 4 bits; salt present for TGK+SALT, TEK+SALT, GTGK+SALT */
	mikey_bytes key;
	mikey_bytes salt;
	mikey_kv kv;
} mikey_key_data;

/* RFC 4563 §4: one Key ID sub-payload. */
typedef struct mikey_key_id {
	uint8_t type;
	mikey_bytes id;
} mikey_key_id;

/* RFC 3830 §6.15 */
typedef struct mikey_gen_ext {
	uint8_t ext_type;
	mikey_bytes data;       /* every type but KEY-ID */
	size_t n_key_ids;       /* KEY-ID only */
	mikey_key_id *key_ids;
} mikey_gen_ext;

/* RFC 6043 §6.10: TP and TICKET. TP has no ticket/initiator data. */
typedef struct mikey_ticket {
	uint16_t ticket_type;
	uint8_t subtype;
	uint8_t version;
	uint8_t prf_func; /* 7 bits */
	uint16_t flags;   /* 12 bits: D (bit 11, MSB) ... O (bit 0) */
	uint8_t reserved; /* 5 bits */
	mikey_bytes tp_data;
	mikey_bytes ticket_data;    /* TICKET only */
	mikey_bytes initiator_data; /* TICKET only */
} mikey_ticket;

/* RFC 6509 §4.2 */
typedef struct mikey_sakke {
	uint8_t params;
	uint8_t id_scheme;
	mikey_bytes data;
} mikey_sakke;

struct mikey_payload {
	mikey_payload *next;
	uint8_t type;  /* MIKEY_PT_* */
	size_t offset; /* parse: start in the message (sub-payloads: in the message too when
	                  NULL-encrypted, in the plaintext otherwise); build: 0 */
	size_t length; /* parse: bytes on the wire */
	union {
		mikey_kemac kemac;     /* KEMAC */
		mikey_pke pke;         /* PKE */
		mikey_dh dh;           /* DH */
		mikey_sign sign;       /* SIGN */
		mikey_ts ts;           /* T, TR */
		mikey_id id;           /* ID, CERT, IDR */
		mikey_chash chash;     /* CHASH */
		mikey_v v;             /* V */
		mikey_sp sp;           /* SP */
		mikey_rand rand;       /* RAND, RANDR */
		mikey_err err;         /* ERR */
		mikey_key_data key_data; /* Key data */
		mikey_gen_ext gen_ext; /* General Extension */
		mikey_ticket ticket;   /* TP, TICKET */
		mikey_sakke sakke;     /* SAKKE */
	} u;
};

typedef struct mikey_arena mikey_arena;

typedef struct mikey_msg {
	mikey_hdr hdr;
	mikey_payload_list payloads; /* after the header, wire order */
	size_t hdr_length;           /* parse: bytes of the Common Header */
	mikey_arena *arena;          /* private */
} mikey_msg;

/* Limits that keep a hostile message from costing more than it should. */
typedef struct mikey_parse_opts {
	size_t max_payloads;  /* per chain; 0 = default 256 */
	size_t max_sp_params; /* per SP; 0 = default 256 */
	/* Accept the RFC 4650 Table 4.2.a numbering in DH-HMAC messages (MAC alg
	 * 0 followed by a 20-byte HMAC at the end of the message). Default on:
	 * set true to refuse it. */
	bool strict_rfc4650_mac;
} mikey_parse_opts;

/* mikey_msg_parse decodes |len| bytes at |buf| into a new message.
 * |opts| may be NULL (defaults). |err| may be NULL; when given it is filled
 * on failure with code, payload index and type, and byte offset.
 * On success *out is a new message the caller frees with mikey_msg_free().
 * On failure *out is NULL and nothing is leaked.
 * Returns MIKEY_OK, MIKEY_ERR_TRUNCATED, MIKEY_ERR_LENGTH, MIKEY_ERR_TRAILING,
 * MIKEY_ERR_VERSION, MIKEY_ERR_PAYLOAD_TYPE, MIKEY_ERR_UNKNOWN_VALUE,
 * MIKEY_ERR_TOO_MANY, MIKEY_ERR_PLACEMENT, MIKEY_ERR_NOMEM, MIKEY_ERR_ARG. */
MIKEY_API MIKEY_WARN_UNUSED int mikey_msg_parse(const uint8_t *buf, size_t len, const mikey_parse_opts *opts,
                                      mikey_msg **out, mikey_error *err);

/* mikey_msg_build encodes |msg|. On success *out is a new buffer of *out_len
 * bytes, freed by the caller with mikey_buf_free(). |err| may be NULL.
 * Returns MIKEY_OK, MIKEY_ERR_FIELD_RANGE (a value does not fit its wire
 * field, e.g. a 70000-byte ID), MIKEY_ERR_PLACEMENT (SIGN not last),
 * MIKEY_ERR_UNKNOWN_VALUE (map type without an encoding), MIKEY_ERR_NOMEM,
 * MIKEY_ERR_ARG. */
MIKEY_API MIKEY_WARN_UNUSED int mikey_msg_build(const mikey_msg *msg, uint8_t **out, size_t *out_len, mikey_error *err);

/* mikey_payloads_build encodes a payload list on its own, as the plaintext
 * of a KEMAC (each payload's next-payload field names the following one,
 * the last says Last payload). Same returns as mikey_msg_build. */
MIKEY_API MIKEY_WARN_UNUSED int mikey_payloads_build(const mikey_payload_list *list, uint8_t **out, size_t *out_len,
                                           mikey_error *err);

/* mikey_kemac_parse_plaintext decodes decrypted KEMAC data into
 * kemac->sub (which must be empty). |first_type| is the type of the first
 * sub-payload (MIKEY_PT_KEY_DATA, or MIKEY_PT_ID/MIKEY_PT_IDR in the
 * public-key and RSA-R modes, RFC 3830 §6.2). Offsets in |err| are relative
 * to |plain|. Returns as mikey_msg_parse; on failure kemac->sub is empty. */
MIKEY_API MIKEY_WARN_UNUSED int mikey_kemac_parse_plaintext(mikey_msg *msg, mikey_kemac *kemac, const uint8_t *plain,
                                                  size_t len, uint8_t first_type, mikey_error *err);

/* mikey_kemac_first_type returns the type of the first sub-payload a
 * KEMAC carries in a message of |data_type|: ID in the public-key envelope
 * (RFC 3830 §6.2) and RSA-R responder (RFC 4738 §3.2) messages, Key data
 * otherwise. */
MIKEY_API uint8_t mikey_kemac_first_type(uint8_t data_type);

/* mikey_msg_new returns an empty message (version 1, everything else 0),
 * or NULL when out of memory. */
MIKEY_API mikey_msg *mikey_msg_new(void);

/* mikey_msg_free wipes and frees |msg| and all it owns. NULL is fine. */
MIKEY_API void mikey_msg_free(mikey_msg *msg);

/* mikey_msg_alloc returns |n| zeroed bytes owned by |msg|, or NULL. */
MIKEY_API void *mikey_msg_alloc(mikey_msg *msg, size_t n);

/* mikey_msg_set_bytes copies |len| bytes from |src| into |msg| and points
 * |dst| at the copy (set1). len 0 makes |dst| empty.
 * Returns MIKEY_OK or MIKEY_ERR_NOMEM (|dst| unchanged). */
MIKEY_API MIKEY_WARN_UNUSED int mikey_msg_set_bytes(mikey_msg *msg, mikey_bytes *dst, const void *src, size_t len);

/* mikey_msg_add_payload appends a zeroed payload of |type| to |list| (the
 * message's payloads, or a KEMAC's sub list) and returns it (get0), or
 * NULL when out of memory. */
MIKEY_API mikey_payload *mikey_msg_add_payload(mikey_msg *msg, mikey_payload_list *list, uint8_t type);

/* mikey_msg_find returns the |nth| (0-based) payload of |type| at the top
 * level of |msg| (get0), or NULL. */
MIKEY_API mikey_payload *mikey_msg_find(const mikey_msg *msg, uint8_t type, size_t nth);

/* mikey_sp_find returns the first parameter of |type| in |sp| (get0), or NULL. */
MIKEY_API const mikey_sp_param *mikey_sp_find(const mikey_sp *sp, uint8_t type);

/* mikey_buf_free wipes |len| bytes at |buf| and frees it. NULL is fine. */
MIKEY_API void mikey_buf_free(uint8_t *buf, size_t len);

/* Implicit lengths (RFC 3830 §6): mikey_mac_len, mikey_hash_len,
 * mikey_dh_value_len and mikey_ts_value_len each return the byte length
 * the registry value implies, or -1 when the value is unknown. */
MIKEY_API int mikey_mac_len(uint8_t mac_alg);
MIKEY_API int mikey_hash_len(uint8_t hash_func);
MIKEY_API int mikey_dh_value_len(uint8_t group);
MIKEY_API int mikey_ts_value_len(uint8_t ts_type);

#ifdef __cplusplus
}
#endif
#endif
