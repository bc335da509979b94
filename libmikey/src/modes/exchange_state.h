/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * exchange_state.h - one exchange's state (struct mikey_exchange), the
 * steps every mode shares and the per-mode table. Keys
 * flow one way: bytes -> codec -> mode (verify, decrypt, KDF) -> crypto
 * sessions (sessions/) -> SRTP policy -> libsrtp2 (srtp/).
 */
#ifndef MIKEY_SRC_EXCHANGE_STATE_H
#define MIKEY_SRC_EXCHANGE_STATE_H

#include "context/context.h"
#include "mikey/kdf.h"

enum ex_state { EX_WAIT_RESPONSE = 1, EX_COMPLETE, EX_FAILED };

/* A key after the first of a KEMAC (RFC 3830 §6.2, §6.13) with its
 * validity (§6.14); the first lives in mikey_exchange itself. */
typedef struct ex_key {
	uint8_t key_type;
	uint8_t key[64];
	size_t key_len;
	uint8_t salt[14];
	size_t salt_len;
	uint8_t mki[255];
	size_t mki_len;
	bool has_interval;
	uint64_t valid_from, valid_to;
} ex_key;

/* The most keys one exchange takes from a KEMAC (libsrtp2 keeps at most
 * 16 master keys per stream). */
#define EX_MAX_KEYS 16

/* One SP the exchange agreed on, by policy number. */
typedef struct ex_policy {
	uint8_t policy_no;
	mikey_srtp_policy policy;
	bool usable; /* false: the SP could not be mapped (error kept in |why|) */
	char why[160];
} ex_policy;

struct mikey_exchange {
	mikey_ctx *ctx; /* borrowed: must outlive the exchange */
	mikey_mode mode;
	bool initiator;
	enum ex_state state;
	uint32_t csb_id;
	uint8_t prf_func;
	uint8_t ts_type;
	uint64_t t; /* the Initiator's timestamp, echoed by the Responder */
	uint8_t rand[255];
	size_t rand_len;
	uint8_t map_type;
	size_t n_cs;
	mikey_srtp_cs *cs;
	size_t n_policies;
	ex_policy *policies;
	/* The transported key (TGK or TEK), its salt and MKI. */
	uint8_t key_type;
	uint8_t *key;
	size_t key_len;
	uint8_t salt[14];
	size_t salt_len;
	uint8_t mki[255];
	size_t mki_len;
	bool key_has_interval; /* the first key's KV Interval (SRTP indices) */
	uint64_t key_valid_from, key_valid_to;
	/* Keys 2.. of the KEMAC (n_extra_keys of them), owned and wiped. */
	ex_key *extra_keys;
	size_t n_extra_keys;
	/* Identities as sent (ID payload data). */
	uint8_t id_i_type, id_r_type;
	uint8_t *id_i, *id_r;
	size_t id_i_len, id_r_len;
	/* Message keys (RFC 3830 §4.1.4) for the verification message. */
	uint8_t mac_alg;
	mikey_msg_keys msg_keys;
	bool want_verify;
	/* Key IDs carried by the exchange (RFC 4563), if any. */
	mikey_msg *key_id_msg; /* owns the arrays below */
	mikey_key_id *key_ids;
	size_t n_key_ids;
	/* TESLA parameters carried by the exchange (RFC 4442), if any. */
	bool has_tesla;
	mikey_tesla_params tesla;
	/* TESLA per crypto session (n_cs entries) when the message carried
	 * one TESLA SP per CS (docs/interpretations.md §23); NULL otherwise. */
	mikey_tesla_params *cs_tesla;
	/* RFC 4442 §4.3 alternative 2 (offer.tesla_time_sync, tesla_drift). */
	bool tesla_time_sync;
	uint64_t tesla_drift;
	/* A PSK the context's lookup callback gave (ex_psk_for); wiped with
	 * the exchange. */
	psk_entry looked_up_psk;
	uint8_t looked_up_key[MIKEY_PSK_LOOKUP_MAX];
	void *user; /* mikey_exchange_set_user */
	/* Mode-specific state (e.g. a DH key pair), freed with the exchange. */
	void *mode_state;
	void (*mode_state_free)(void *state);
};

/* An offer pushing a group generation (mikey_offer.group), turned into the
 * plain offer it stands for (group_offer.c); |buf| holds what |eff| points
 * into. Without a generation *eff = *o. MIKEY_OK or MIKEY_ERR_ARG. */
typedef struct ex_group_offer {
	mikey_cs_desc cs[255];
	mikey_tesla_params tesla[255];
	mikey_srtp_policy default_policy;
} ex_group_offer;
int ex_offer_from_group(const mikey_offer *o, mikey_offer *eff, ex_group_offer *buf, mikey_error *err);

/* Common steps: exchange_state.c (an exchange, its randomness),
 * message_head.c (HDR, T, RAND, IDs, SPs, replay, responses, errors),
 * key_transport.c (Key data, PSKs), extensions.c (KEY-ID, TESLA). */
mikey_exchange *ex_new(mikey_ctx *ctx, mikey_mode mode, bool initiator);
/* ex_draw fills |out| from the context's RNG; MIKEY_ERR_CRYPTO if it fails. */
int ex_draw(mikey_exchange *ex, uint8_t *out, size_t len, mikey_error *err);
int ex_now(mikey_ctx *ctx, uint64_t *ntp, mikey_error *err);

/* Initiator: fill HDR, T, RAND, IDs and SPs of |m| from |offer| and record
 * them in |ex|. */
int ex_build_head(mikey_exchange *ex, const mikey_offer *offer, mikey_msg *m, uint8_t data_type, mikey_error *err);
/* Initiator: choose the key/salt/MKI to transport and append Key data to
 * |list|. */
int ex_choose_key(mikey_exchange *ex, const mikey_offer *offer, mikey_error *err);
int ex_add_key_data(mikey_exchange *ex, mikey_msg *m, mikey_payload_list *list, mikey_error *err);

/* Both sides: add / read the KEY-ID extension (RFC 4563 §4). */
int ex_add_key_ids(mikey_exchange *ex, const mikey_offer *o, mikey_msg *m, mikey_error *err);
int ex_read_key_ids(mikey_exchange *ex, const mikey_msg *m, mikey_error *err);

/* Both sides: add / read the TESLA policy and I-Key (RFC 4442 §4). */
int ex_add_tesla(mikey_exchange *ex, const mikey_offer *o, mikey_msg *m, mikey_error *err);
int ex_read_tesla(mikey_exchange *ex, const mikey_msg *m, mikey_error *err);
/* The same for a message whose CS map has |n_cs| entries (an RSA-R
 * response, read before its map replaces the exchange's). */
int ex_read_tesla_n(mikey_exchange *ex, const mikey_msg *m, size_t n_cs, mikey_error *err);

/* Responder: check T against the clock and replay cache, pick up HDR, T,
 * RAND, IDs and SPs. |digest| gets the message digest for the replay cache. */
int ex_read_head(mikey_exchange *ex, const mikey_msg *m, const uint8_t *raw, size_t len,
                 uint8_t digest[MIKEY_REPLAY_DIGEST], mikey_error *err);
/* The identities of |m| by position (RFC 3830 §3: "[ID|CERT], [ID]"): an
 * ID before any CERT is the sender's (*own), an ID after a CERT or a second
 * ID the peer's (*peer); *has_cert tells whether CERT payloads came.
 * MIKEY_OK, or MIKEY_ERR_PLACEMENT for more than two IDs. */
int ex_message_ids(const mikey_msg *m, const mikey_payload **own, const mikey_payload **peer, bool *has_cert,
                   mikey_error *err);

/* The PSK for |peer|: added for exactly that peer, else from the context's
 * lookup callback (kept in |ex|), else the default; NULL when none. */
const psk_entry *ex_psk_for(mikey_exchange *ex, const uint8_t *peer, size_t peer_len);

/* Responder: pick up the key from Key data sub-payloads. */
int ex_read_key_data(mikey_exchange *ex, const mikey_payload_list *sub, mikey_error *err);
/* Responder: the message authenticated; remember it. */
void ex_remember(mikey_exchange *ex, const uint8_t digest[MIKEY_REPLAY_DIGEST]);

/* An error message (RFC 3830 §5.1.2: HDR, T, ERR) answering |m| (may be
 * NULL when it did not parse: then CSB ID 0 and our clock's time). */
int ex_error_message(mikey_ctx *ctx, const mikey_msg *m, int code, uint8_t **out, size_t *out_len);

/* Responses (RFC 3830 §3, §5.2): a header echoing the exchange's PRF and
 * CS map under |csb_id|; the Initiator's timestamp echoed in a T payload;
 * the TS value as sent on the wire (for MACs and signatures that cover it),
 * whose length ex_ts_bytes returns. */
int ex_response_hdr(const mikey_exchange *ex, mikey_msg *m, uint8_t data_type, uint32_t csb_id, mikey_error *err);
int ex_echo_t(const mikey_exchange *ex, mikey_msg *m, mikey_error *err);
size_t ex_ts_bytes(const mikey_exchange *ex, uint8_t out[8]);

/* The peer's error message: MIKEY_ERR_PEER_ERROR with its Error no. */
int ex_peer_error(const mikey_msg *m, mikey_error *err);


/* One row per mode (one file each in modes/). |respond| and |finish| get the parsed
 * message and its raw bytes (MACs and signatures cover the bytes). */
typedef struct mikey_mode_ops {
	mikey_mode mode;
	const char *name;
	uint8_t init_data_type; /* the I_MESSAGE data type the responder dispatches on */
	int (*initiate)(mikey_exchange *ex, const mikey_offer *offer, uint8_t **out, size_t *out_len,
	                mikey_error *err);
	int (*respond)(mikey_exchange *ex, const mikey_msg *m, const uint8_t *raw, size_t len, uint8_t **resp,
	               size_t *resp_len, mikey_error *err);
	int (*finish)(mikey_exchange *ex, const mikey_msg *m, const uint8_t *raw, size_t len, mikey_error *err);
} mikey_mode_ops;

extern const mikey_mode_ops mikey_mode_psk_ops;    /* modes/psk.c */
extern const mikey_mode_ops mikey_mode_pk_ops;     /* modes/pk.c */
extern const mikey_mode_ops mikey_mode_dh_ops;     /* modes/dh_signed.c */
extern const mikey_mode_ops mikey_mode_dhhmac_ops; /* modes/dhhmac.c */
extern const mikey_mode_ops mikey_mode_rsar_ops;   /* modes/rsar.c */

#endif
