/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * context.h - the long-lived side of MIKEY (struct mikey_ctx): RNG, clock,
 * replay cache, identity, pre-shared keys, certificates and trust anchors.
 * Below the modes: the modes read the context, the context knows no mode.
 */
#ifndef MIKEY_SRC_CONTEXT_H
#define MIKEY_SRC_CONTEXT_H

#include "base/internal.h"
#include "context/replay.h"
#include "crypto/crypto.h"
#include "mikey/exchange.h"

typedef struct psk_entry {
	struct psk_entry *next;
	uint8_t *peer; /* NULL: the default key */
	size_t peer_len;
	uint8_t *key;
	size_t key_len;
} psk_entry;

typedef struct peer_cert {
	struct peer_cert *next;
	uint8_t *peer;
	size_t peer_len;
	mikey_x509 *cert;
} peer_cert;

struct mikey_ctx {
	mikey_rng rng;
	mikey_clock_fn clock;
	void *clock_user;
	uint32_t max_skew; /* seconds */
	mikey_replay replay;
	uint8_t id_type;
	uint8_t *id;
	size_t id_len;
	psk_entry *psks;
	bool allow_weak_dh;
	bool allow_null_kemac;
	/* Certificates: ours (leaf first, then its chain), our key, the
	 * trust anchors, and peers' certificates known in advance. */
	mikey_x509 **own_certs;
	size_t n_own_certs;
	mikey_pkey *own_key;
	mikey_trust *trust;
	peer_cert *peer_certs;
	/* RSA-R: which group generation a member downloads. */
	mikey_rsar_group_fn rsar_group_fn;
	void *rsar_group_user;
	/* A DH private value for the next DH exchange (mikey_ctx_set_dh_private). */
	uint8_t *dh_private;
	size_t dh_private_len;
	/* Certificate lookup (mikey_ctx_set_cert_lookup). */
	mikey_cert_lookup_fn cert_lookup;
	void *cert_lookup_user;
	/* PSK lookup for peers not preloaded (mikey_ctx_set_psk_lookup). */
	mikey_psk_lookup_fn psk_lookup;
	void *psk_lookup_user;
	/* RSA-R key server configuration (mikey_ctx_set_rsar_keys in
	 * modes/rsar_config.c), owned. The modes layer installs it with its
	 * destructor, so the context never calls up into the modes. */
	struct ex_rsar_config *rsar;
	void (*rsar_free)(struct ex_rsar_config *rsar);
};

/* The certificate known for |peer| (exact ID match), or NULL. */
const mikey_x509 *ex_find_peer_cert(const mikey_ctx *ctx, const uint8_t *peer, size_t peer_len);

/* The certificate of |peer|: added to the context (*owned NULL), else from
 * the context's lookup callback (parsed into *owned, which the caller frees
 * with mikey_x509_free). *cert is NULL when neither has one. MIKEY_OK,
 * MIKEY_ERR_CERT (the lookup failed or gave no certificate), MIKEY_ERR_NOMEM. */
int ex_lookup_peer_cert(const mikey_ctx *ctx, const uint8_t *peer, size_t peer_len, const mikey_x509 **cert,
                        mikey_x509 **owned, mikey_error *err);

/* Verify |leaf| (plus untrusted |chain|) against ctx->trust at ctx's clock
 * and, when |id| is given, that the certificate names it. On success
 * *pub is the leaf's public key (caller frees). MIKEY_ERR_CERT,
 * MIKEY_ERR_IDENTITY, MIKEY_ERR_STATE (no clock / no trust anchors). */
int ex_verify_cert(const mikey_ctx *ctx, const mikey_x509 *leaf, const mikey_x509 *const *chain, size_t n_chain,
                   const uint8_t *id, size_t id_len, mikey_pkey **pub, mikey_error *err);

/* Append our certificates as CERT payloads (type X.509v3) to |m|. */
int ex_add_own_certs(const mikey_ctx *ctx, mikey_msg *m, mikey_error *err);

/* The PSK for |peer| (exact match, else the default), or NULL. */
const psk_entry *ex_find_psk(const mikey_ctx *ctx, const uint8_t *peer, size_t peer_len);
/* The PSK added for exactly |peer| (not the default), or NULL. */
const psk_entry *ex_find_psk_exact(const mikey_ctx *ctx, const uint8_t *peer, size_t peer_len);

#endif
