/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * mikey/group.h - key generations of a group.
 *
 * A group (a conference, a broadcast, a push-to-talk group) shares one
 * crypto session bundle: one CSB ID, its SRTP policies, and a CS ID map with
 * one crypto session per sender (SSRC, ROC, policy). A *generation* is that
 * bundle plus one transported key: TGK or TEK, salt, RAND and MKI. Every
 * member that receives the generation derives the same SRTP master keys for
 * every sender, because RFC 3830 §4.1.3 derives TEKs from TGK, CS ID, CSB ID
 * and RAND, and all four are the generation's. The next generation keeps the
 * CSB ID, the policies and the senders, and draws a new key, RAND and MKI
 * (RFC 3830 §4.5: re-keying under the same CSB ID).
 *
 * A key server makes a generation, sends it (mikey_offer.group in the push
 * modes PSK and PK; mikey_ctx_set_rsar_group for RSA-R download) and keys
 * its own media from it (mikey_group_gen_get_cs / _find_cs). Members receive
 * it through an exchange and read their crypto sessions from the exchange.
 *
 * Ownership: mikey_group_gen_new and _next return a new generation that the
 * caller frees with mikey_group_gen_free (which wipes the key). A generation
 * is read-only once made except for mikey_group_gen_add_sender: any number
 * of threads may read one concurrently, but adding a sender needs exclusive
 * access. Keys and salts come from the RNG given (NULL: mikey_rng_default(),
 * OpenSSL's DRBG) unless the configuration gives them.
 */
#ifndef MIKEY_GROUP_H
#define MIKEY_GROUP_H

#include "mikey/export.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mikey/error.h"
#include "mikey/exchange.h"
#include "mikey/rng.h"
#include "mikey/srtp.h"
#include "mikey/tesla.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The most senders (crypto sessions) one generation holds: #CS is one byte
 * in the MIKEY header (RFC 3830 §6.1). */
#define MIKEY_GROUP_MAX_SENDERS 255
/* The longest MKI counter a generation keeps (bytes). */
#define MIKEY_GROUP_MAX_MKI 4

typedef struct mikey_group_gen mikey_group_gen;

/* One sender of the group: its SSRC, the ROC its stream is at when the
 * generation is made (RFC 3830 §6.1.1), its SRTP policy (index into the
 * configuration's policies) and, for source authentication, its TESLA
 * parameters (RFC 4383, bootstrapped by RFC 4442; NULL: none). */
typedef struct mikey_group_sender {
	uint32_t ssrc;
	uint32_t roc;
	uint8_t policy_no;
	const mikey_tesla_params *tesla;
} mikey_group_sender;

/* How to make the first generation. Start from mikey_group_config_init();
 * pointers are borrowed for the duration of mikey_group_gen_new only. */
typedef struct mikey_group_config {
	uint32_t csb_id;  /* 0: drawn from the RNG (never 0) */
	uint32_t epoch;   /* the first generation's number; _next adds 1 */
	uint8_t prf_func; /* MIKEY_PRF_MIKEY_1 (default) or MIKEY_PRF_HMAC_SHA_256 */
	const mikey_srtp_policy *policies; /* policy_no i is policies[i]; none: SRTP's defaults */
	size_t n_policies;                 /* at most 256 */
	const mikey_group_sender *senders; /* at most MIKEY_GROUP_MAX_SENDERS */
	size_t n_senders;
	/* The key transported: MIKEY_KEY_TGK (default: every sender's TEK is
	 * derived), MIKEY_KEY_TGK_SALT, MIKEY_KEY_TEK or MIKEY_KEY_TEK_SALT
	 * (the SRTP master key itself, shared by every sender). */
	uint8_t key_type;
	size_t key_len;   /* 0: the first policy's master key length; 1..64 */
	size_t rand_len;  /* RAND bytes, 16 (default) to 255 (RFC 3830 §6.11) */
	size_t mki_len;   /* 0: no MKI; 1..MIKEY_GROUP_MAX_MKI: an MKI counter */
	/* Given values instead of drawn ones, for known-answer tests and for
	 * restoring a generation from a key server's store. NULL: drawn. */
	const uint8_t *key;  /* key_len bytes */
	const uint8_t *salt; /* +SALT key types: salt_len bytes */
	size_t salt_len;     /* 0: the first policy's salt length */
	const uint8_t *rand; /* rand_len bytes */
	const uint8_t *mki;  /* mki_len bytes: the first MKI (default 0...01) */
} mikey_group_config;

/* mikey_group_config_init sets the defaults above: TGK, PRF MIKEY-1, RAND
 * of 16 bytes, no MKI, epoch 0, everything else zero / NULL. */
MIKEY_API void mikey_group_config_init(mikey_group_config *c);

/* mikey_group_gen_new makes the first generation of a group from |c| with
 * randomness from |rng|. *out is the caller's (mikey_group_gen_free).
 * Returns MIKEY_OK, MIKEY_ERR_ARG (NULL, a length out of range, a sender
 * naming a missing policy, an SSRC twice, TESLA parameters that do not
 * check), MIKEY_ERR_POLICY (a policy libmikey cannot derive keys for),
 * MIKEY_ERR_NOMEM, MIKEY_ERR_CRYPTO (the RNG failed). */
MIKEY_API MIKEY_WARN_UNUSED int mikey_group_gen_new(const mikey_group_config *c, const mikey_rng *rng,
                                                    mikey_group_gen **out, mikey_error *err);

/* mikey_group_gen_next makes the generation after |g| (RFC 3830 §4.5):
 * the same CSB ID, PRF, policies, senders (with the ROCs given to
 * mikey_group_gen_set_roc since) and key type; a new key, salt and RAND
 * from |rng|; epoch + 1; the MKI counter + 1. |g| is unchanged.
 * Returns MIKEY_OK, MIKEY_ERR_ARG (NULL), MIKEY_ERR_STATE (the MKI counter
 * or the epoch would wrap: an MKI must never be issued twice for one CSB),
 * MIKEY_ERR_NOMEM, MIKEY_ERR_CRYPTO. */
MIKEY_API MIKEY_WARN_UNUSED int mikey_group_gen_next(const mikey_group_gen *g, const mikey_rng *rng,
                                                     mikey_group_gen **out, mikey_error *err);

/* mikey_group_gen_free wipes and frees |g|. NULL is fine. */
MIKEY_API void mikey_group_gen_free(mikey_group_gen *g);

/* mikey_group_gen_csb_id, mikey_group_gen_epoch, mikey_group_gen_prf_func
 * and mikey_group_gen_key_type return what they name.
 * mikey_group_gen_get0_mki returns the MKI (borrowed; NULL and *len 0
 * without one), mikey_group_gen_get0_rand the RAND (borrowed). */
MIKEY_API uint32_t mikey_group_gen_csb_id(const mikey_group_gen *g);
MIKEY_API uint32_t mikey_group_gen_epoch(const mikey_group_gen *g);
MIKEY_API uint8_t mikey_group_gen_prf_func(const mikey_group_gen *g);
MIKEY_API uint8_t mikey_group_gen_key_type(const mikey_group_gen *g);
MIKEY_API const uint8_t *mikey_group_gen_get0_mki(const mikey_group_gen *g, size_t *len);
MIKEY_API const uint8_t *mikey_group_gen_get0_rand(const mikey_group_gen *g, size_t *len);

/* mikey_group_gen_cs_count returns the number of senders (#CS). */
MIKEY_API size_t mikey_group_gen_cs_count(const mikey_group_gen *g);

/* mikey_group_gen_add_sender adds a sender that joined (a new CS ID, the
 * same key: joining needs no rekey unless the key server wants backward
 * secrecy). *cs_id (may be NULL) gets its CS ID. Returns MIKEY_OK,
 * MIKEY_ERR_ARG (NULL, unknown policy, an SSRC already present, bad TESLA
 * parameters), MIKEY_ERR_FIELD_RANGE (already MIKEY_GROUP_MAX_SENDERS),
 * MIKEY_ERR_NOMEM. On failure |g| is unchanged. */
MIKEY_API MIKEY_WARN_UNUSED int mikey_group_gen_add_sender(mikey_group_gen *g, const mikey_group_sender *s,
                                                           uint8_t *cs_id, mikey_error *err);

/* mikey_group_gen_set_roc records the ROC sender |ssrc| has reached, so
 * that the next generation (and members joining late) start from it.
 * Returns MIKEY_OK or MIKEY_ERR_ARG (no such sender). */
MIKEY_API MIKEY_WARN_UNUSED int mikey_group_gen_set_roc(mikey_group_gen *g, uint32_t ssrc, uint32_t roc);

/* mikey_group_gen_get_cs copies crypto session |index| (0-based: CS ID
 * index + 1) out with its SRTP master key and salt, exactly as every member
 * derives it from the same generation. The caller wipes it with
 * mikey_crypto_session_cleanup(). Returns MIKEY_OK, MIKEY_ERR_ARG (NULL, no
 * such session), MIKEY_ERR_POLICY, MIKEY_ERR_CRYPTO. */
MIKEY_API MIKEY_WARN_UNUSED int mikey_group_gen_get_cs(const mikey_group_gen *g, size_t index,
                                                       mikey_crypto_session *out, mikey_error *err);

/* mikey_group_gen_find_cs does the same for the sender with SSRC |ssrc|,
 * found in constant time without deriving any other session's keys.
 * Returns the codes of mikey_group_gen_get_cs, MIKEY_ERR_ARG when no sender
 * has that SSRC. */
MIKEY_API MIKEY_WARN_UNUSED int mikey_group_gen_find_cs(const mikey_group_gen *g, uint32_t ssrc,
                                                        mikey_crypto_session *out, mikey_error *err);

#ifdef __cplusplus
}
#endif
#endif
