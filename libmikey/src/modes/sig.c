/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sig.c - signed messages (RFC 3830 §5.2, §6.5) and the certificates that
 * vouch for them (§4.3.1, §6.7), shared by the public-key, DH-signed and
 * RSA-R modes.
 *
 * §4.2.6 leaves the hash to "the certificate used". We sign with SHA-256
 * and accept SHA-256 or SHA-1 on input (docs/interpretations.md).
 */
#include <string.h>

#include "mikey/mem.h"
#include "modes/modes.h"

int sig_sign_msg(mikey_exchange *ex, mikey_msg *m, uint8_t s_type, const mikey_iov *trailer, size_t n_trailer,
                 uint8_t **out, size_t *out_len, mikey_error *err)
{
	const mikey_ctx *ctx = ex->ctx;
	int rc;

	*out = NULL;
	if (ctx->own_key == NULL)
		return mikey_fail(err, MIKEY_ERR_STATE, "no private key to sign with (mikey_ctx_set_credentials)");
	if (s_type != MIKEY_SIGN_RSA_PKCS1_15 && s_type != MIKEY_SIGN_RSA_PSS)
		return mikey_fail(err, MIKEY_ERR_UNSUPPORTED, "SIGN: S type %u is not supported", s_type);
	size_t sig_len = mikey_pkey_size(ctx->own_key);
	mikey_payload *s = mikey_msg_add_payload(m, &m->payloads, MIKEY_PT_SIGN);
	if (s == NULL || (s->u.sign.sig.data = mikey_msg_alloc(m, sig_len)) == NULL)
		return mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
	s->u.sign.s_type = s_type;
	s->u.sign.sig.len = sig_len;
	if ((rc = mikey_msg_build(m, out, out_len, err)) != MIKEY_OK)
		return rc;
	/* §5.2: the signature covers the whole message except the signature
	 * field, which ends it (SIGN is last, §6.5), then any trailer. */
	mikey_iov iov[4] = {{*out, *out_len - sig_len}};
	if (n_trailer > 3)
		return mikey_fail(err, MIKEY_ERR_ARG, "at most 3 trailer pieces");
	for (size_t i = 0; i < n_trailer; i++)
		iov[1 + i] = trailer[i];
	rc = mikey_rsa_sign(ctx->own_key, s_type == MIKEY_SIGN_RSA_PSS ? MIKEY_RSA_SIG_PSS : MIKEY_RSA_SIG_PKCS1_V15,
	                    MIKEY_MD_SHA256, iov, 1 + n_trailer, *out + *out_len - sig_len);
	if (rc != MIKEY_OK) {
		mikey_buf_free(*out, *out_len);
		*out = NULL;
		return mikey_fail(err, rc == MIKEY_ERR_NOMEM ? rc : MIKEY_ERR_CRYPTO, "signing failed");
	}
	return MIKEY_OK;
}

int sig_verify_msg(const mikey_msg *m, const uint8_t *raw, size_t len, const mikey_pkey *pub, mikey_error *err)
{
	const mikey_payload *s = m->payloads.last;
	if (s == NULL || s->type != MIKEY_PT_SIGN)
		return mikey_fail(err, MIKEY_ERR_PLACEMENT, "the message must end with a SIGN payload (RFC 3830 §6.5)");
	const mikey_sign *sg = &s->u.sign;
	mikey_rsa_sig scheme;
	if (sg->s_type == MIKEY_SIGN_RSA_PKCS1_15)
		scheme = MIKEY_RSA_SIG_PKCS1_V15;
	else if (sg->s_type == MIKEY_SIGN_RSA_PSS)
		scheme = MIKEY_RSA_SIG_PSS;
	else
		return mikey_fail(err, MIKEY_ERR_AUTH, "SIGN: S type %u is not supported", sg->s_type);
	mikey_iov iov = {raw, len - sg->sig.len};
	if (mikey_rsa_verify(pub, scheme, MIKEY_MD_SHA256, &iov, 1, sg->sig.data, sg->sig.len) == MIKEY_OK ||
	    mikey_rsa_verify(pub, scheme, MIKEY_MD_SHA1, &iov, 1, sg->sig.data, sg->sig.len) == MIKEY_OK)
		return MIKEY_OK;
	return mikey_fail(err, MIKEY_ERR_AUTH, "SIGN does not verify with the signer's certificate");
}

int sig_peer_key(const mikey_exchange *ex, const mikey_msg *m, const uint8_t *id, size_t id_len, mikey_pkey **pub,
                 mikey_error *err)
{
	/* §6.7: each certificate of a chain in its own CERT payload; the first
	 * is the signer's. Without CERT, a certificate known in advance. */
	const mikey_ctx *ctx = ex->ctx;
	mikey_x509 *certs[MIKEY_MAX_CERT_CHAIN];
	size_t n = 0;
	int rc = MIKEY_OK;

	*pub = NULL;
	for (const mikey_payload *p = m->payloads.first; p != NULL; p = p->next) {
		if (p->type != MIKEY_PT_CERT)
			continue;
		if (p->u.id.type != MIKEY_CERT_X509V3 && p->u.id.type != MIKEY_CERT_X509V3_SIGN)
			continue; /* URL and encryption-only certificates do not sign */
		if (n == sizeof(certs) / sizeof(certs[0])) {
			rc = mikey_fail(err, MIKEY_ERR_CERT, "more than %d CERT payloads", MIKEY_MAX_CERT_CHAIN);
			goto out;
		}
		int xrc = mikey_x509_from_der(&certs[n], p->u.id.data.data, p->u.id.data.len);
		if (xrc == MIKEY_ERR_NOMEM) {
			rc = mikey_fail(err, xrc, "out of memory");
			goto out;
		}
		if (xrc != MIKEY_OK) {
			rc = mikey_fail(err, MIKEY_ERR_CERT, "CERT payload at offset %zu is not a DER X.509 certificate",
			             p->offset);
			goto out;
		}
		n++;
	}
	if (n > 0) {
		rc = ex_verify_cert(ctx, certs[0], (const mikey_x509 *const *)certs + 1, n - 1, id, id_len, pub, err);
	} else {
		const mikey_x509 *known = NULL;
		mikey_x509 *looked_up = NULL;
		rc = ex_lookup_peer_cert(ctx, id, id_len, &known, &looked_up, err);
		if (rc == MIKEY_OK && known == NULL)
			rc = mikey_fail(err, MIKEY_ERR_CERT, "no CERT payload and no certificate known for the peer");
		else if (rc == MIKEY_OK)
			rc = ex_verify_cert(ctx, known, NULL, 0, id, id_len, pub, err);
		mikey_x509_free(looked_up);
	}
out:
	for (size_t i = 0; i < n; i++)
		mikey_x509_free(certs[i]);
	return rc;
}

/* IDi from the first CERT payload of an I_MESSAGE that sent CERTi
 * instead of IDi (RFC 3830 §3.3 "[IDi|CERTi]"). Nothing when there is no
 * CERT or it names no identity; the signature check binds it later. */
int sig_id_from_cert(mikey_exchange *ex, const mikey_msg *m, mikey_error *err)
{
	const mikey_payload *c = mikey_msg_find(m, MIKEY_PT_CERT, 0);
	mikey_x509 *x = NULL;
	int is_email = 0;
	if (c == NULL || mikey_x509_from_der(&x, c->u.id.data.data, c->u.id.data.len) != MIKEY_OK)
		return MIKEY_OK;
	int rc = mikey_x509_identity(x, &ex->id_i, &ex->id_i_len, &is_email);
	mikey_x509_free(x);
	if (rc == MIKEY_ERR_NOMEM)
		return mikey_fail(err, rc, "out of memory");
	ex->id_i_type = is_email ? MIKEY_ID_NAI : MIKEY_ID_URI;
	return MIKEY_OK;
}
