/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * credentials.c - certificates and keys of a context (RFC 3830 §4.3.1):
 * ours to send and sign with, trust anchors and known peer certificates
 * to check the other side against.
 */
#include <string.h>

#include "context/context.h"
#include "mikey/mem.h"

#define PEM_BEGIN "-----BEGIN CERTIFICATE-----"
#define PEM_END "-----END CERTIFICATE-----"

/* Split PEM text into certificates; calls |fn| for each. */
static int each_cert(const char *pem, size_t len, int (*fn)(void *user, mikey_x509 *c), void *user)
{
	size_t off = 0, n = 0;
	const size_t bl = strlen(PEM_BEGIN), el = strlen(PEM_END);
	while (off < len) {
		const char *b = NULL;
		for (size_t i = off; i + bl <= len; i++) {
			if (memcmp(pem + i, PEM_BEGIN, bl) == 0) {
				b = pem + i;
				break;
			}
		}
		if (b == NULL)
			break;
		const char *e = NULL;
		for (size_t i = (size_t)(b - pem) + bl; i + el <= len; i++) {
			if (memcmp(pem + i, PEM_END, el) == 0) {
				e = pem + i + el;
				break;
			}
		}
		if (e == NULL)
			return MIKEY_ERR_FORMAT;
		mikey_x509 *c;
		int rc = mikey_x509_from_pem(&c, b, (size_t)(e - b));
		if (rc != MIKEY_OK)
			return rc;
		if ((rc = fn(user, c)) != MIKEY_OK)
			return rc;
		n++;
		off = (size_t)(e - pem);
	}
	return n > 0 ? MIKEY_OK : MIKEY_ERR_FORMAT;
}

typedef struct cert_list {
	mikey_x509 **v;
	size_t n;
} cert_list;

static int collect(void *user, mikey_x509 *c)
{
	cert_list *l = user;
	mikey_x509 **nv = mikey_realloc(l->v, (l->n + 1) * sizeof(*nv));
	if (nv == NULL) {
		mikey_x509_free(c);
		return MIKEY_ERR_NOMEM;
	}
	l->v = nv;
	l->v[l->n++] = c;
	return MIKEY_OK;
}

static void free_list(cert_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		mikey_x509_free(l->v[i]);
	mikey_free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* What went wrong reading PEM certificates, for the operator. */
static int pem_fail(mikey_error *err, int rc, const char *what, size_t parsed)
{
	if (rc == MIKEY_ERR_NOMEM)
		return mikey_fail(err, rc, "out of memory");
	if (parsed == 0)
		return mikey_fail(err, MIKEY_ERR_FORMAT, "%s: no PEM certificate (-----BEGIN CERTIFICATE-----) in it", what);
	if (rc == MIKEY_ERR_TOO_MANY)
		return mikey_fail(err, rc, "%s: more than %d certificates", what, MIKEY_MAX_CERT_CHAIN);
	return mikey_fail(err, MIKEY_ERR_FORMAT, "%s: certificate %zu does not parse", what, parsed + 1);
}

/* Like collect, refusing chains a receiver would refuse (sig.c takes at
 * most MIKEY_MAX_CERT_CHAIN CERT payloads). */
static int collect_chain(void *user, mikey_x509 *c)
{
	cert_list *l = user;
	if (l->n >= MIKEY_MAX_CERT_CHAIN) {
		mikey_x509_free(c);
		return MIKEY_ERR_TOO_MANY;
	}
	return collect(user, c);
}

int mikey_ctx_set_credentials(mikey_ctx *ctx, const char *cert_pem, size_t cert_len, const char *key_pem,
                              size_t key_len, mikey_error *err)
{
	cert_list l = {0};
	mikey_pkey *key = NULL, *pub = NULL;
	int rc;

	mikey_error_clear(err);
	if (ctx == NULL || key_pem == NULL || (cert_pem == NULL && cert_len > 0))
		return mikey_fail(err, MIKEY_ERR_ARG, "NULL argument");
	/* No certificate: a key alone, enough to open public-key envelopes
	 * addressed to us (RFC 3830 §3.2 responder); signing needs the chain. */
	if (cert_pem != NULL && cert_len > 0 && (rc = each_cert(cert_pem, cert_len, collect_chain, &l)) != MIKEY_OK) {
		rc = pem_fail(err, rc, "the certificate file", l.n);
		goto fail;
	}
	if ((rc = mikey_pkey_from_pem(&key, key_pem, key_len, 1)) != MIKEY_OK) {
		rc = rc == MIKEY_ERR_NOMEM ? mikey_fail(err, rc, "out of memory")
		                           : mikey_fail(err, MIKEY_ERR_FORMAT, "the private key file: no PEM private key in it");
		goto fail;
	}
	if (l.n > 0) {
		if ((rc = mikey_x509_get1_pkey(l.v[0], &pub)) != MIKEY_OK) {
			rc = mikey_fail(err, rc, "the certificate's public key cannot be read");
			goto fail;
		}
		if (!mikey_pkey_public_eq(pub, key)) {
			rc = mikey_fail(err, MIKEY_ERR_ARG, "the private key does not belong to the (first) certificate");
			goto fail;
		}
	}
	mikey_pkey_free(pub);
	for (size_t i = 0; i < ctx->n_own_certs; i++)
		mikey_x509_free(ctx->own_certs[i]);
	mikey_free(ctx->own_certs);
	mikey_pkey_free(ctx->own_key);
	ctx->own_certs = l.v;
	ctx->n_own_certs = l.n;
	ctx->own_key = key;
	return MIKEY_OK;
fail:
	mikey_pkey_free(pub);
	mikey_pkey_free(key);
	free_list(&l);
	return rc;
}

typedef struct anchors {
	mikey_trust *store;
	size_t n;
} anchors;

static int add_anchor(void *user, mikey_x509 *c)
{
	anchors *a = user;
	int rc = mikey_trust_add(a->store, c);
	mikey_x509_free(c); /* the store keeps its own reference */
	a->n += rc == MIKEY_OK;
	return rc;
}

int mikey_ctx_add_trust(mikey_ctx *ctx, const char *ca_pem, size_t len, mikey_error *err)
{
	mikey_error_clear(err);
	if (ctx == NULL || ca_pem == NULL)
		return mikey_fail(err, MIKEY_ERR_ARG, "NULL argument");
	if (ctx->trust == NULL) {
		int rc = mikey_trust_new(&ctx->trust);
		if (rc != MIKEY_OK)
			return mikey_fail(err, rc, "cannot make a trust store");
	}
	anchors a = {ctx->trust, 0};
	int rc = each_cert(ca_pem, len, add_anchor, &a);
	return rc == MIKEY_OK ? MIKEY_OK : pem_fail(err, rc, "the CA file", a.n);
}

int mikey_ctx_add_peer_cert(mikey_ctx *ctx, const void *peer_id, size_t peer_id_len, const char *cert_pem,
                            size_t len, mikey_error *err)
{
	cert_list l = {0};
	mikey_error_clear(err);
	if (ctx == NULL || peer_id == NULL || cert_pem == NULL)
		return mikey_fail(err, MIKEY_ERR_ARG, "NULL argument");
	int rc = each_cert(cert_pem, len, collect, &l);
	if (rc != MIKEY_OK) {
		rc = pem_fail(err, rc, "the peer certificate file", l.n);
		free_list(&l);
		return rc;
	}
	peer_cert *p = mikey_malloc(sizeof(*p));
	if (p == NULL || mikey_copy_bytes(&p->peer, &p->peer_len, peer_id, peer_id_len) != MIKEY_OK) {
		mikey_free(p);
		free_list(&l);
		return mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
	}
	p->cert = l.v[0];
	for (size_t i = 1; i < l.n; i++)
		mikey_x509_free(l.v[i]);
	mikey_free(l.v);
	p->next = ctx->peer_certs;
	ctx->peer_certs = p;
	return MIKEY_OK;
}

const mikey_x509 *ex_find_peer_cert(const mikey_ctx *ctx, const uint8_t *peer, size_t peer_len)
{
	for (const peer_cert *p = ctx->peer_certs; p != NULL; p = p->next) {
		if (peer != NULL && p->peer_len == peer_len && memcmp(p->peer, peer, peer_len) == 0)
			return p->cert;
	}
	return NULL;
}

void mikey_ctx_set_cert_lookup(mikey_ctx *ctx, mikey_cert_lookup_fn fn, void *user)
{
	if (ctx != NULL) {
		ctx->cert_lookup = fn;
		ctx->cert_lookup_user = fn != NULL ? user : NULL;
	}
}

int ex_lookup_peer_cert(const mikey_ctx *ctx, const uint8_t *peer, size_t peer_len, const mikey_x509 **cert,
                        mikey_x509 **owned, mikey_error *err)
{
	*owned = NULL;
	*cert = peer != NULL ? ex_find_peer_cert(ctx, peer, peer_len) : NULL;
	if (*cert != NULL || ctx->cert_lookup == NULL || peer == NULL)
		return MIKEY_OK;
	const char *pem = NULL;
	size_t pem_len = 0;
	int rc = ctx->cert_lookup(ctx->cert_lookup_user, peer, peer_len, &pem, &pem_len);
	if (rc == MIKEY_ERR_NOT_FOUND)
		return MIKEY_OK;
	if (rc != MIKEY_OK || pem == NULL || pem_len == 0)
		return mikey_fail(err, MIKEY_ERR_CERT, "the certificate lookup failed (%s)",
		               rc != MIKEY_OK ? mikey_strerror(rc) : "no certificate");
	rc = mikey_x509_from_pem(owned, pem, pem_len);
	if (rc != MIKEY_OK)
		return mikey_fail(err, rc == MIKEY_ERR_NOMEM ? rc : MIKEY_ERR_CERT,
		               "the certificate lookup gave no PEM certificate");
	*cert = *owned;
	return MIKEY_OK;
}

int ex_verify_cert(const mikey_ctx *ctx, const mikey_x509 *leaf, const mikey_x509 *const *chain, size_t n_chain,
                   const uint8_t *id, size_t id_len, mikey_pkey **pub, mikey_error *err)
{
	if (ctx->trust == NULL)
		return mikey_fail(err, MIKEY_ERR_STATE, "no trust anchors (mikey_ctx_add_trust)");
	if (ctx->clock == NULL)
		return mikey_fail(err, MIKEY_ERR_STATE, "no clock: call mikey_ctx_set_clock() first");
	/* NTP seconds to Unix seconds. */
	int64_t now = (int64_t)(ctx->clock(ctx->clock_user) >> 32) - 2208988800LL;
	int rc = mikey_x509_verify(ctx->trust, leaf, chain, n_chain, now, pub);
	if (rc == MIKEY_ERR_AUTH)
		return mikey_fail(err, MIKEY_ERR_CERT, "certificate does not verify against the trust anchors "
		                                    "(unknown issuer, bad signature, expired or not yet valid)");
	if (rc != MIKEY_OK)
		return mikey_fail(err, rc == MIKEY_ERR_UNSUPPORTED ? MIKEY_ERR_CERT : rc, "certificate check failed");
	if (id != NULL && mikey_x509_check_id(leaf, id, id_len) != MIKEY_OK) {
		if (pub != NULL) {
			mikey_pkey_free(*pub);
			*pub = NULL;
		}
		return mikey_fail(err, MIKEY_ERR_IDENTITY, "the identity %.*s is not named in its certificate",
		               (int)(id_len > 64 ? 64 : id_len), (const char *)id);
	}
	return MIKEY_OK;
}

int ex_add_own_certs(const mikey_ctx *ctx, mikey_msg *m, mikey_error *err)
{
	/* Refuse now what a receiver would refuse: the parser takes 256
	 * payloads, a verifier MIKEY_MAX_CERT_CHAIN CERTs (set_credentials
	 * already keeps the chain that short; this also bounds the payloads
	 * around it). */
	if (ctx->n_own_certs > MIKEY_MAX_CERT_CHAIN || m->payloads.count + ctx->n_own_certs > 240)
		return mikey_fail(err, MIKEY_ERR_TOO_MANY, "%zu certificates do not fit one MIKEY message", ctx->n_own_certs);
	for (size_t i = 0; i < ctx->n_own_certs; i++) {
		uint8_t *der;
		size_t len;
		int drc = mikey_x509_to_der(ctx->own_certs[i], &der, &len);
		if (drc != MIKEY_OK)
			return mikey_fail(err, drc == MIKEY_ERR_NOMEM ? drc : MIKEY_ERR_CRYPTO, "cannot encode our certificate");
		mikey_payload *p = mikey_msg_add_payload(m, &m->payloads, MIKEY_PT_CERT);
		int rc = p == NULL ? MIKEY_ERR_NOMEM : mikey_msg_set_bytes(m, &p->u.id.data, der, len);
		mikey_free(der);
		if (rc != MIKEY_OK)
			return mikey_fail(err, rc, "out of memory");
		p->u.id.type = MIKEY_CERT_X509V3;
	}
	return MIKEY_OK;
}
