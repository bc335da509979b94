/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rsar_config.h - what an RSA-R key server hands out (RFC 4738 §3.6):
 * set by mikey_ctx_set_rsar_keys (rsar_config.c), read by modes/rsar.c.
 */
#ifndef MIKEY_SRC_RSAR_CONFIG_H
#define MIKEY_SRC_RSAR_CONFIG_H

#include "modes/exchange_state.h"

struct ex_rsar_config {
	bool group;      /* RFC 4738 §3.2: group key download */
	uint32_t csb_id; /* group: the CSB ID sent in GenExt(CSB_ID) */
	mikey_srtp_policy *policies;
	size_t n_policies;
	mikey_cs_desc *cs; /* the CS ID map the responder fills in (§3.6) */
	size_t n_cs;
	uint8_t key_type;
	uint8_t *key; /* NULL (unicast only): a fresh random key per exchange */
	size_t key_len;
	bool have_salt;
	uint8_t salt[14];
	size_t salt_len;
	uint8_t mki[255];
	size_t mki_len;
	/* group: the RAND every member gets; unicast: only its length, for
	 * an I_MESSAGE that brought no RAND (§3.6). */
	uint8_t rand[255];
	size_t rand_len;
	uint8_t encr_alg, mac_alg, sign_type, pke_cache;
	bool omit_certs, send_ids;
	/* TESLA bootstrap (RFC 4442) sent in every R_MESSAGE, if any: one
	 * policy for every crypto session, or one per sender (n_cs). */
	bool has_tesla;
	mikey_tesla_params tesla;
	mikey_tesla_params *cs_tesla;
	bool tesla_time_sync; /* RFC 4442 §4.3 alternative 2: our t_s in T */
};

/* rsar_config_new checks |o| as mikey_ctx_set_rsar_keys documents and
 * makes the configuration it describes (drawing what |o| leaves out from
 * the context's RNG). MIKEY_OK, MIKEY_ERR_ARG, MIKEY_ERR_CRYPTO,
 * MIKEY_ERR_NOMEM. rsar_config_free wipes and frees one (NULL is fine). */
int rsar_config_new(mikey_ctx *ctx, const mikey_offer *o, struct ex_rsar_config **out);
void rsar_config_free(struct ex_rsar_config *c);

#endif
