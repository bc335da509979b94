/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * mikey/exchange.h - MIKEY key exchanges, sans-I/O: bytes in, bytes out.
 *
 * A mikey_ctx holds what outlives one exchange: the RNG and clock, the
 * replay cache, our identity and credentials, pre-shared keys. A
 * mikey_exchange is one CSB being set up, on the initiator or responder
 * side; once complete it yields the crypto sessions (keys out).
 *
 *   initiator                                   responder
 *   mikey_initiate(ctx, offer) -> I_MESSAGE --> mikey_respond(ctx, I_MESSAGE)
 *                                               -> exchange (+ R_MESSAGE or NULL)
 *   mikey_exchange_finish(ex, R_MESSAGE) <----
 *
 * Ownership: mikey_ctx_new/mikey_ctx_free, mikey_exchange_free; output
 * message buffers are the caller's (mikey_buf_free). Every secret held by a
 * context or an exchange is wiped when it is freed. A ctx is not
 * thread-safe; use one per thread or lock around it.
 */
#ifndef MIKEY_EXCHANGE_H
#define MIKEY_EXCHANGE_H

#include "mikey/export.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mikey/error.h"
#include "mikey/msg.h"
#include "mikey/rng.h"
#include "mikey/srtp.h"
#include "mikey/tesla.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The current time as a 64-bit NTP timestamp (RFC 3830 §6.6 NTP-UTC:
 * seconds since 1900-01-01 in the high 32 bits, fraction in the low). */
typedef uint64_t (*mikey_clock_fn)(void *user);

/* mikey_clock_system reads the system's real-time clock. The library never
 * calls it on its own: pass it to mikey_ctx_set_clock() in applications. */
MIKEY_API uint64_t mikey_clock_system(void *user);

typedef enum mikey_mode {
	MIKEY_MODE_PSK = 1,     /* RFC 3830 §3.1 */
	MIKEY_MODE_PK = 2,      /* RFC 3830 §3.2, public-key envelope */
	MIKEY_MODE_DH_SIGN = 3, /* RFC 3830 §3.3 */
	MIKEY_MODE_DHHMAC = 4,  /* RFC 4650 */
	MIKEY_MODE_RSAR = 5     /* RFC 4738 */
} mikey_mode;

typedef struct mikey_ctx mikey_ctx;
typedef struct mikey_exchange mikey_exchange;

/* mikey_ctx_new returns a context with the default RNG (OpenSSL), no clock
 * (exchanges fail with MIKEY_ERR_STATE until one is set), a 5-minute
 * clock skew and a 1024-entry replay cache; NULL when out of memory. */
MIKEY_API mikey_ctx *mikey_ctx_new(void);
/* mikey_ctx_free wipes and frees |ctx|. NULL is fine. */
MIKEY_API void mikey_ctx_free(mikey_ctx *ctx);

/* mikey_ctx_set_rng makes |fn| (with |user|) the source of every random
 * byte the context's exchanges draw (CSB IDs, RAND, keys, DH values,
 * padding); NULL restores the default RNG (OpenSSL's DRBG). Tests and
 * fuzzers install a deterministic one. */
MIKEY_API void mikey_ctx_set_rng(mikey_ctx *ctx, mikey_rng_fn fn, void *user);
/* mikey_ctx_set_clock makes |fn| the clock (NTP 64-bit) the context's
 * timestamps, skew checks and certificate checks use, e.g.
 * mikey_clock_system; NULL leaves the context without a clock. */
MIKEY_API void mikey_ctx_set_clock(mikey_ctx *ctx, mikey_clock_fn fn, void *user);
/* mikey_ctx_set_max_skew sets how far (seconds) a received timestamp may
 * be from our clock (RFC 3830 §5.4). */
MIKEY_API void mikey_ctx_set_max_skew(mikey_ctx *ctx, uint32_t seconds);
/* mikey_ctx_set_replay_capacity resizes the replay cache (RFC 3830 §5.4),
 * keeping what it remembers (a resize never lets a message be replayed; a
 * smaller cache evicts as below). |entries| is where the cache starts: entries older than
 * now - max_skew expire, and when the live ones exceed the capacity the
 * cache doubles, up to max(entries, 2^20) entries of 72 bytes each. It
 * needs authenticated messages per second x 2 x max_skew entries; size it
 * so to avoid regrowth. Past the hard bound the entry accepted first is
 * evicted and messages at or below its timestamp are refused with
 * MIKEY_ERR_REPLAY (a replay is never accepted).
 * Returns MIKEY_OK, MIKEY_ERR_ARG (0 or more than 2^31 entries),
 * MIKEY_ERR_NOMEM. */
MIKEY_API MIKEY_WARN_UNUSED int mikey_ctx_set_replay_capacity(mikey_ctx *ctx, size_t entries);

/* mikey_ctx_replay_count returns the messages the replay cache remembers;
 * mikey_ctx_replay_evictions how many it had to forget before they left the
 * skew window (its hard bound was reached: from then on older timestamps
 * are refused as possible replays until the window passes). A key server
 * should watch the second and raise the capacity when it is not 0. */
MIKEY_API size_t mikey_ctx_replay_count(const mikey_ctx *ctx);
MIKEY_API uint64_t mikey_ctx_replay_evictions(const mikey_ctx *ctx);

/* mikey_ctx_set_id sets our identity (ID payload type NAI/URI/byte string
 * and its bytes, copied): sent as IDi/IDr and checked where the RFC asks.
 * Returns MIKEY_OK, MIKEY_ERR_ARG (longer than 65535), MIKEY_ERR_NOMEM. */
MIKEY_API MIKEY_WARN_UNUSED int mikey_ctx_set_id(mikey_ctx *ctx, uint8_t id_type, const void *id, size_t len);

/* mikey_ctx_add_psk stores (copies) a pre-shared key for the peer named
 * |peer_id| (the data of its ID payload); |peer_id| NULL sets the key used
 * when the peer sends no ID or one we have no key for. A later call for the
 * same peer replaces the key. Returns MIKEY_OK, MIKEY_ERR_ARG, MIKEY_ERR_NOMEM. */
MIKEY_API MIKEY_WARN_UNUSED int mikey_ctx_add_psk(mikey_ctx *ctx, const void *peer_id, size_t peer_id_len, const uint8_t *psk,
                                        size_t psk_len);

/* The longest certificate chain (our certificate and its issuers) a
 * context sends or takes: a receiver reads at most this many CERT
 * payloads. */
#define MIKEY_MAX_CERT_CHAIN 16

/* Certificates (RFC 3830 §4.3.1), all PEM text, copied in. Each setter
 * fills |err| (may be NULL) with what was wrong and in which input (a
 * key server must tell its operator which file is bad), and changes
 * nothing on failure.
 * mikey_ctx_set_credentials: our certificate (the first in |cert_pem|; any
 * further ones are its chain, sent as extra CERT payloads, at most
 * MIKEY_MAX_CERT_CHAIN in all) and our RSA private key, which must be the
 * certificate's (the public keys are compared). |cert_pem| may be NULL
 * (|cert_len| 0): a key alone lets a public-key responder open envelopes
 * addressed to it, but nothing can be signed. Returns MIKEY_OK,
 * MIKEY_ERR_FORMAT (not PEM / not a key / a certificate that does not
 * parse), MIKEY_ERR_TOO_MANY (too long a chain), MIKEY_ERR_UNSUPPORTED (not
 * RSA), MIKEY_ERR_ARG (NULL, or the key does not match the certificate),
 * MIKEY_ERR_NOMEM. */
MIKEY_API MIKEY_WARN_UNUSED int mikey_ctx_set_credentials(mikey_ctx *ctx, const char *cert_pem, size_t cert_len,
                                                          const char *key_pem, size_t key_len, mikey_error *err);
/* mikey_ctx_add_trust: every certificate in |ca_pem| becomes a trust anchor
 * for verifying peers' certificates. Returns MIKEY_OK, MIKEY_ERR_FORMAT,
 * MIKEY_ERR_ARG, MIKEY_ERR_NOMEM (|err| says which certificate). */
MIKEY_API MIKEY_WARN_UNUSED int mikey_ctx_add_trust(mikey_ctx *ctx, const char *ca_pem, size_t len, mikey_error *err);
/* mikey_ctx_add_peer_cert: the certificate of the peer named |peer_id|,
 * known in advance (public-key mode initiator: PKr). It must still verify
 * against the trust anchors when used. Returns as mikey_ctx_add_trust. */
MIKEY_API MIKEY_WARN_UNUSED int mikey_ctx_add_peer_cert(mikey_ctx *ctx, const void *peer_id, size_t peer_id_len,
                                                        const char *cert_pem, size_t len, mikey_error *err);

/* A PSK lookup (mikey_ctx_set_psk_lookup): copy the pre-shared key of the
 * peer whose ID is |peer_id| into |psk|, which holds *psk_len bytes
 * (MIKEY_PSK_LOOKUP_MAX), and set *psk_len to its length. Return MIKEY_OK,
 * MIKEY_ERR_NOT_FOUND (no such peer), or another MIKEY_ERR_* (the lookup
 * failed: the exchange fails with MIKEY_ERR_IDENTITY). Called from inside
 * mikey_initiate / mikey_respond, on their thread. */
typedef int (*mikey_psk_lookup_fn)(void *user, const uint8_t *peer_id, size_t peer_id_len, uint8_t *psk,
                                   size_t *psk_len);
#define MIKEY_PSK_LOOKUP_MAX 64

/* mikey_ctx_set_psk_lookup installs |fn| (NULL removes it): a key server
 * backed by a member database need not preload every PSK. A PSK added with
 * mikey_ctx_add_psk for the exact peer ID wins; then |fn| is asked; then
 * the default PSK (added with no peer ID) is used. */
MIKEY_API void mikey_ctx_set_psk_lookup(mikey_ctx *ctx, mikey_psk_lookup_fn fn, void *user);

/* A certificate lookup (mikey_ctx_set_cert_lookup): point *pem at the PEM
 * certificate of the peer whose ID is |peer_id| and set *pem_len (the text
 * must stay valid until the mikey_initiate / mikey_respond call that asked
 * returns). Return MIKEY_OK, MIKEY_ERR_NOT_FOUND, or another MIKEY_ERR_*.
 * The certificate is then checked like one added with
 * mikey_ctx_add_peer_cert: against the trust anchors, at the context's
 * clock, and bound to |peer_id|. */
typedef int (*mikey_cert_lookup_fn)(void *user, const uint8_t *peer_id, size_t peer_id_len, const char **pem,
                                    size_t *pem_len);

/* mikey_ctx_set_cert_lookup installs |fn| (NULL removes it): asked for a
 * peer's certificate when none was added with mikey_ctx_add_peer_cert and
 * the message carries no CERT payload (and by a public-key initiator for
 * the responder's certificate). */
MIKEY_API void mikey_ctx_set_cert_lookup(mikey_ctx *ctx, mikey_cert_lookup_fn fn, void *user);

/* mikey_ctx_allow_null_kemac lets a responder accept KEMACs with NULL
 * encryption and NULL MAC (RFC 3830 §4.2.3, §4.2.4: only where SIP/SDP is
 * protected end to end; GStreamer and gst-rtsp-server send these). Off by
 * default. */
MIKEY_API void mikey_ctx_allow_null_kemac(mikey_ctx *ctx, bool allow);

/* mikey_ctx_set_dh_private makes every following DH-signed or DH-HMAC
 * exchange on |ctx| (either role) use the private value |x| (|len| bytes,
 * big-endian) instead of one drawn from the RNG; NULL removes it. FOR TESTS
 * AND KNOWN-ANSWER VECTORS ONLY: a reused DH private value gives every
 * exchange the same key agreement. The value must lie in 2..p-2 of the
 * group the exchange uses (checked then: MIKEY_ERR_ARG from the exchange).
 * Returns MIKEY_OK, MIKEY_ERR_ARG (NULL, longer than 1024 bytes),
 * MIKEY_ERR_NOMEM. Wiped when replaced and when |ctx| is freed. */
MIKEY_API MIKEY_WARN_UNUSED int mikey_ctx_set_dh_private(mikey_ctx *ctx, const uint8_t *x, size_t len,
                                                         mikey_error *err);

/* mikey_ctx_allow_weak_dh says which DH groups a responder accepts:
 * OAKLEY 5 always; OAKLEY 1 and 2 (768 and 1024 bits) only when allowed
 * here (default: refused). */
MIKEY_API void mikey_ctx_allow_weak_dh(mikey_ctx *ctx, bool allow);

/* One crypto session of the offer (RFC 3830 §6.1.1 SRTP-ID entry). */
typedef struct mikey_cs_desc {
	uint32_t ssrc;
	uint32_t roc;
	uint8_t policy_no; /* index into mikey_offer.policies */
} mikey_cs_desc;

/* One more key for the same KEMAC (RFC 3830 §6.2: a KEMAC may carry
 * several Key data sub-payloads, §6.13), with its validity (§6.14): an MKI
 * (KV SPI) or an SRTP-index interval. Pointers are borrowed. */
typedef struct mikey_key_desc {
	uint8_t key_type; /* MIKEY_KEY_TGK, _TGK_SALT, _TEK, _TEK_SALT */
	const uint8_t *key;
	size_t key_len;     /* 1..64 */
	const uint8_t *salt; /* +SALT types */
	size_t salt_len;
	const uint8_t *mki; /* KV SPI: the MKI this key goes with; NULL: none */
	size_t mki_len;
	bool has_interval;   /* KV Interval instead: SRTP indices (48 bits) */
	uint64_t valid_from; /* first SRTP index the key is valid for */
	uint64_t valid_to;   /* last SRTP index the key is valid for */
} mikey_key_desc;

struct mikey_group_gen; /* mikey/group.h */

/* What an initiator proposes. Start from mikey_offer_init(); pointers are
 * borrowed for the duration of mikey_initiate() only. */
typedef struct mikey_offer {
	mikey_mode mode;
	uint32_t csb_id;  /* 0: drawn from the RNG */
	bool want_verify; /* HDR V flag: ask for a verification message */
	uint8_t prf_func; /* MIKEY_PRF_MIKEY_1 */
	uint8_t encr_alg; /* KEMAC: default AES-CM-128 */
	uint8_t mac_alg;  /* KEMAC and V: default HMAC-SHA-1-160 */
	const mikey_cs_desc *cs;
	size_t n_cs;
	const mikey_srtp_policy *policies; /* policy_no i is policies[i] */
	size_t n_policies;
	/* The key transported (PSK, PK, RSA-R): TGK (default, TEKs derived per
	 * crypto session, RFC 3830 §4.1.3) or TEK (used as is). NULL: random,
	 * of the length the first policy's master key needs. */
	uint8_t key_type; /* MIKEY_KEY_TGK, MIKEY_KEY_TGK_SALT, MIKEY_KEY_TEK, MIKEY_KEY_TEK_SALT */
	const uint8_t *key;
	size_t key_len;
	/* The master salt to carry (+SALT types). NULL: random, of the length
	 * the first policy needs. Without +SALT, salts are derived (§4.1.3). */
	const uint8_t *salt;
	size_t salt_len;
	/* KV: the MKI this key goes with (KV SPI, RFC 3830 §6.14); none if 0. */
	const uint8_t *mki;
	size_t mki_len;
	/* The peer, for IDr and for choosing the PSK. */
	uint8_t peer_id_type;
	const void *peer_id;
	size_t peer_id_len;
	bool send_ids;    /* put IDi (and IDr when known) in the message */
	size_t rand_len;  /* RAND length, default 16 (RFC 3830 §6.11) */
	uint8_t dh_group; /* DH modes: default OAKLEY 5 */
	/* Signed modes: SIGN S type (RFC 3830 §6.5), MIKEY_SIGN_RSA_PKCS1_15
	 * (default, 0) or MIKEY_SIGN_RSA_PSS. A DH-signed responder answers
	 * with the S type the initiator used. */
	uint8_t sign_type;
	/* Public-key envelope modes (PK, RSA-R): the PKE cache indicator C
	 * (RFC 3830 §6.3, Table 6.3), default MIKEY_PKE_NO_CACHE (0). */
	uint8_t pke_cache;
	/* Signed modes: leave out our CERT payloads (the peer already knows our
	 * certificate, RFC 3830 §3.2 "[IDi|CERTi]"). Default false: send them. */
	bool omit_certs;
	/* TESLA bootstrapping (RFC 4442 §4): the sender's TESLA parameters and
	 * key-chain commitment (mikey_tesla_sender_get0_params), sent as an SP
	 * of Prot type TESLA plus a TESLA I-Key extension, applying to every
	 * crypto session of the CSB (docs/interpretations.md). NULL: none. */
	const mikey_tesla_params *tesla;
	/* KEY-ID (RFC 4563 §4): key identifiers to send in a General Extension
	 * of type Key ID (e.g. MBMS key domain / service / traffic key IDs). */
	const mikey_key_id *key_ids;
	size_t n_key_ids;
	/* A given RAND of rand_len bytes instead of a drawn one (known-answer
	 * tests). NULL: drawn from the context's RNG. */
	const uint8_t *rand;
	/* Push a group key generation (mikey/group.h) in the PSK or PK mode:
	 * the generation decides the CSB ID, PRF, CS ID map, policies, RAND,
	 * key type, key, salt, MKI and the senders' TESLA parameters, so every
	 * member it is pushed to derives the same keys. The offer's fields for
	 * those are then not used (giving them as well is MIKEY_ERR_ARG).
	 * NULL: none. */
	const struct mikey_group_gen *group;
	/* More keys after the first in the same KEMAC, e.g. the next
	 * generation's key sent ahead of the switch (PSK, PK). */
	const mikey_key_desc *extra_keys;
	size_t n_extra_keys;
	/* TESLA per sender: n_cs parameter sets, the k-th for crypto session
	 * k (one TESLA SP and I-Key each, docs/interpretations.md §23). NULL:
	 * none, or |tesla| for every crypto session. */
	const mikey_tesla_params *cs_tesla;
	/* RFC 4442 §4.3 alternative 2, the in-band clock offset for TESLA
	 * (RSA-R, where the key server's clock is the senders' reference):
	 * a key server (mikey_ctx_set_rsar_keys) answers with its own time t_s
	 * in T and echoes the member's timestamp t_r in TESLA parameter 9; a
	 * member (mikey_initiate) accepts such an answer and sets every
	 * sender's D_t = t_s - t_r + tesla_drift, the drift bound S (an NTP
	 * 32.32 duration) (docs/interpretations.md §26). */
	bool tesla_time_sync;
	uint64_t tesla_drift;
} mikey_offer;

/* mikey_offer_init sets the defaults above for |mode|. */
MIKEY_API void mikey_offer_init(mikey_offer *offer, mikey_mode mode);

/* ---- MIKEY-RSA-R key server (RFC 4738) ----------------------------------
 * In RSA-R the Responder chooses the keys. mikey_ctx_set_rsar_keys tells a
 * responder context what to hand out, copied from |keys| (only these fields
 * are used): policies/n_policies (the SPs sent), cs/n_cs (the CS ID map
 * sent; when empty the initiator's map is echoed), key_type, key, salt,
 * mki (NULL key/salt: random), rand_len, encr_alg, mac_alg, sign_type,
 * pke_cache, omit_certs, send_ids.
 * |keys|->csb_id selects the mode: 0 = unicast (a fresh TGK per exchange
 * unless |keys|->key is given; the initiator's RAND is used); non-zero =
 * group key download (RFC 4738 §3.2): the TGK, salt and RAND are fixed
 * now, drawn from the context's RNG where not given, and every R_MESSAGE
 * carries that CSB ID in a General Extension CSB_ID, its RAND, its SPs
 * and its CS map, so every member derives the same TEKs.
 * |keys| NULL removes the configuration (RSA-R I_MESSAGEs are then refused
 * with MIKEY_ERR_STATE). Returns MIKEY_OK, MIKEY_ERR_ARG (inconsistent,
 * as for mikey_initiate), MIKEY_ERR_CRYPTO (the RNG failed),
 * MIKEY_ERR_NOMEM. */
MIKEY_API MIKEY_WARN_UNUSED int mikey_ctx_set_rsar_keys(mikey_ctx *ctx, const mikey_offer *keys);
/* |keys|->group may name a group generation (mikey/group.h) instead: its
 * CSB ID, CS map, policies, key, salt, MKI, RAND and senders' TESLA
 * parameters are then served, copied now, with the algorithms of |keys|. */

/* Which group generation an RSA-R key server hands to the member |member_id|
 * that asks (RFC 4738 §3.2 group key download): a generation the
 * application keeps alive at least until mikey_respond returns, or NULL to
 * refuse that member (MIKEY_ERR_IDENTITY, ERR "Invalid ID"). A key server
 * holding generations N and N+1 during a rekey answers each member with the
 * one it should have. */
typedef const struct mikey_group_gen *(*mikey_rsar_group_fn)(void *user, const uint8_t *member_id,
                                                             size_t member_id_len);

/* mikey_ctx_set_rsar_group_fn installs |fn| (NULL removes it). While it is
 * set, every RSA-R I_MESSAGE is answered with the generation |fn| returns;
 * the algorithms (encr_alg, mac_alg, sign_type, pke_cache, omit_certs,
 * send_ids) are those of mikey_ctx_set_rsar_keys when set, else
 * mikey_offer_init's. */
MIKEY_API void mikey_ctx_set_rsar_group_fn(mikey_ctx *ctx, mikey_rsar_group_fn fn, void *user);

/* mikey_initiate starts an exchange: *msg gets the I_MESSAGE (caller frees
 * with mikey_buf_free), *ex the exchange state.
 * Returns MIKEY_OK; MIKEY_ERR_ARG (inconsistent offer, e.g. a CS naming a
 * missing policy), MIKEY_ERR_STATE (no clock), MIKEY_ERR_IDENTITY (no PSK
 * for the peer), MIKEY_ERR_ENCR_ALG/MAC_ALG, MIKEY_ERR_UNSUPPORTED (mode
 * not available), MIKEY_ERR_CRYPTO, MIKEY_ERR_NOMEM. */
MIKEY_API MIKEY_WARN_UNUSED int mikey_initiate(mikey_ctx *ctx, const mikey_offer *offer, mikey_exchange **ex, uint8_t **msg,
                                     size_t *msg_len, mikey_error *err);

/* mikey_respond processes an initiator's message. On success *ex is the
 * completed exchange and *resp the response to send (the verification
 * message or DH response), or NULL when none is due (V flag clear).
 * On failure *ex is NULL, |err| says why, and *resp is the error message
 * to send back (RFC 3830 §5.1.2: HDR, T, ERR; unauthenticated), or NULL
 * when nothing should be sent (e.g. a replay: RFC 3830 §5.3 discards it).
 * Nothing in |ctx| changes on failure; on success the message enters the
 * replay cache.
 * Returns MIKEY_OK or the error that describes the rejection: parse errors
 * of mikey_msg_parse, MIKEY_ERR_DATA_TYPE, MIKEY_ERR_TIMESTAMP,
 * MIKEY_ERR_REPLAY, MIKEY_ERR_AUTH, MIKEY_ERR_IDENTITY, MIKEY_ERR_POLICY,
 * MIKEY_ERR_ENCR_ALG, MIKEY_ERR_MAC_ALG, MIKEY_ERR_PRF, MIKEY_ERR_CERT,
 * MIKEY_ERR_DH_GROUP, MIKEY_ERR_STATE, MIKEY_ERR_NOMEM, MIKEY_ERR_CRYPTO. */
MIKEY_API MIKEY_WARN_UNUSED int mikey_respond(mikey_ctx *ctx, const uint8_t *msg, size_t len, mikey_exchange **ex,
                                    uint8_t **resp, size_t *resp_len, mikey_error *err);

/* mikey_exchange_finish gives the initiator the responder's message (a
 * verification message, a DH response, or an error message). On MIKEY_OK
 * the exchange is complete. An error message from the peer gives
 * MIKEY_ERR_PEER_ERROR with the peer's first Error no in |err|'s text; the
 * exchange is then unusable. Other returns as mikey_respond. */
MIKEY_API MIKEY_WARN_UNUSED int mikey_exchange_finish(mikey_exchange *ex, const uint8_t *msg, size_t len, mikey_error *err);

/* mikey_exchange_is_complete: keys may be taken out. An initiator that did
 * not ask for verification is complete right after mikey_initiate. */
MIKEY_API bool mikey_exchange_is_complete(const mikey_exchange *ex);

/* mikey_exchange_mode, mikey_exchange_csb_id and
 * mikey_exchange_is_initiator return what they name. */
MIKEY_API mikey_mode mikey_exchange_mode(const mikey_exchange *ex);
MIKEY_API uint32_t mikey_exchange_csb_id(const mikey_exchange *ex);
MIKEY_API bool mikey_exchange_is_initiator(const mikey_exchange *ex);
/* mikey_exchange_get0_peer_id returns the peer's identity (ID payload
 * data, or what its certificate names) and its length in *len: NULL and
 * 0 when unknown. Valid while |ex| lives. */
MIKEY_API const uint8_t *mikey_exchange_get0_peer_id(const mikey_exchange *ex, size_t *len);

/* mikey_exchange_get0_key_ids returns the Key IDs (RFC 4563) the exchange
 * carried, sent or received (NULL and *n = 0 when none). Valid while |ex|
 * lives; each id points into exchange-owned memory. */
MIKEY_API const mikey_key_id *mikey_exchange_get0_key_ids(const mikey_exchange *ex, size_t *n);

/* mikey_exchange_set_user attaches |user| to |ex| (the application's own
 * per-exchange state, e.g. the SIP dialog); mikey_exchange_get_user
 * returns it (NULL until set). The library never touches it. */
MIKEY_API void mikey_exchange_set_user(mikey_exchange *ex, void *user);
MIKEY_API void *mikey_exchange_get_user(const mikey_exchange *ex);

/* How a completed exchange relates to an earlier one (RFC 3830 §4.5:
 * re-keying keeps the CSB ID and transports a new TGK, normally under a new
 * MKI). */
typedef enum mikey_generation_order {
	MIKEY_GEN_OTHER_GROUP = 0, /* different CSB IDs: not the same bundle */
	MIKEY_GEN_SAME,            /* the same CSB ID and the same key */
	MIKEY_GEN_NEWER,           /* |ex| rekeys |earlier|'s CSB with a newer generation */
	MIKEY_GEN_OLDER            /* |ex| carries an older generation than |earlier| */
} mikey_generation_order;

/* mikey_exchange_compare_generation tells whether |ex| rekeys the crypto
 * session bundle of |earlier|: the same CSB ID, another key, and later by
 * MKI (both MKIs of one length, read as big-endian counters, as
 * mikey_group_gen_next makes them) or, without MKIs, by the Initiator's
 * timestamp. Both must be complete; MIKEY_GEN_OTHER_GROUP otherwise. */
MIKEY_API mikey_generation_order mikey_exchange_compare_generation(const mikey_exchange *ex,
                                                                   const mikey_exchange *earlier);

/* mikey_exchange_free wipes and frees |ex|. NULL is fine. */
MIKEY_API void mikey_exchange_free(mikey_exchange *ex);

/* Everything libsrtp2 needs for one crypto session (RFC 3830 §4.1.3, §6.1.1). */
typedef struct mikey_crypto_session {
	uint8_t cs_id; /* 1-based, RFC 3830 §6.1.1 note */
	uint32_t ssrc;
	uint32_t roc;
	uint8_t policy_no;
	mikey_srtp_policy policy;
	uint8_t master_key[32];
	size_t master_key_len;
	uint8_t master_salt[14];
	size_t master_salt_len;
	uint8_t mki[255];
	size_t mki_len; /* 0: no MKI */
	/* The sender's TESLA parameters when the exchange carried them
	 * (RFC 4442); d_t is 0 and is the receiver's to set (RFC 4442 §4.3). */
	bool has_tesla;
	mikey_tesla_params tesla;
	/* Which key of the KEMAC this is (0: the first), and its validity
	 * (RFC 3830 §6.14): the MKI above (KV SPI), or an SRTP-index
	 * interval. */
	uint8_t key_index;
	bool has_interval;
	uint64_t valid_from;
	uint64_t valid_to;
} mikey_crypto_session;

/* mikey_exchange_cs_count returns the number of crypto sessions (#CS). */
MIKEY_API size_t mikey_exchange_cs_count(const mikey_exchange *ex);

/* mikey_exchange_get_cs copies crypto session |index| (0-based) out,
 * deriving its master key and salt from the TGK when needed. The caller
 * wipes it with mikey_crypto_session_cleanup().
 * Returns MIKEY_OK, MIKEY_ERR_STATE (exchange not complete), MIKEY_ERR_ARG
 * (no such session), MIKEY_ERR_POLICY (its SP is not usable), MIKEY_ERR_CRYPTO. */
MIKEY_API MIKEY_WARN_UNUSED int mikey_exchange_get_cs(const mikey_exchange *ex, size_t index, mikey_crypto_session *out,
                                            mikey_error *err);

/* mikey_exchange_key_count returns how many keys (Key data sub-payloads)
 * the exchange transported: 0 before it is complete or in a mode that
 * transports none, else 1 or more. */
MIKEY_API size_t mikey_exchange_key_count(const mikey_exchange *ex);

/* mikey_exchange_get_cs_key is mikey_exchange_get_cs for key |key_index|
 * (0-based; mikey_exchange_get_cs is key 0): the crypto session's master
 * key and salt under that key, with its MKI or interval. Returns the codes
 * of mikey_exchange_get_cs, MIKEY_ERR_ARG also for no such key. */
MIKEY_API MIKEY_WARN_UNUSED int mikey_exchange_get_cs_key(const mikey_exchange *ex, size_t index, size_t key_index,
                                                          mikey_crypto_session *out, mikey_error *err);

/* mikey_exchange_find_cs is mikey_exchange_get_cs_key for the crypto
 * session of SSRC |ssrc|, without deriving any other session's keys.
 * Returns the codes of mikey_exchange_get_cs_key, MIKEY_ERR_ARG when no
 * crypto session has that SSRC. */
MIKEY_API MIKEY_WARN_UNUSED int mikey_exchange_find_cs(const mikey_exchange *ex, uint32_t ssrc, size_t key_index,
                                                       mikey_crypto_session *out, mikey_error *err);

/* mikey_exchange_get_key copies transported key |key_index| (0: the first
 * Key data sub-payload of the KEMAC, RFC 3830 §6.13) as it travelled: the
 * TGK (or TEK) itself, before any derivation (§4.1.3), into |out| (|cap|
 * bytes), its length into *len and its Type (MIKEY_KEY_TGK, ...) into
 * *key_type when that is not NULL. For audit logs and key fingerprints;
 * SRTP wants mikey_exchange_get_cs. The caller wipes |out| (mikey_wipe).
 * Returns MIKEY_OK, MIKEY_ERR_ARG (NULL argument, no such key, |cap| below
 * the key's length), MIKEY_ERR_STATE (the exchange is not complete or
 * transported no key). */
MIKEY_API MIKEY_WARN_UNUSED int mikey_exchange_get_key(const mikey_exchange *ex, size_t key_index, uint8_t *out,
                                                       size_t cap, size_t *len, uint8_t *key_type, mikey_error *err);

/* mikey_exchange_get0_rand returns the RAND (RFC 3830 §6.11) of a complete
 * exchange, the one its keys are derived with, and its length in *len;
 * NULL and 0 before the exchange is complete. RAND travels in the clear:
 * borrowed, valid while |ex| lives. */
MIKEY_API const uint8_t *mikey_exchange_get0_rand(const mikey_exchange *ex, size_t *len);

/* mikey_crypto_session_cleanup wipes |cs|. */
MIKEY_API void mikey_crypto_session_cleanup(mikey_crypto_session *cs);

#ifdef __cplusplus
}
#endif
#endif
