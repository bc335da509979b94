/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_id_order.c - identities by position in the signed modes.
 *
 * RFC 3830 §3.2 and §3.3 write the initiator's message "HDR, T, RAND,
 * [IDi|CERTi], [IDr], ...", and §1.3 defines "|" as a selection: an ID
 * before any CERT is IDi, an ID after CERTi is IDr, two IDs are IDi then IDr
 * (docs/interpretations.md §28). Responses are "[IDr|CERTr], [IDi]" the same
 * way round. Every test takes a genuine message, removes or keeps ID
 * payloads to make one order, signs it again with the sender's key (as a
 * peer that chose that order would) and checks that it is accepted and
 * that each identity lands where it belongs.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "../common/exchange_fixture.h"
#include "modes/modes.h"

static uint32_t rng_i, rng_r;
static mikey_ctx *ini, *rsp;
static mikey_srtp_policy policy;
static mikey_cs_desc cs[1] = {{0x11111111, 0, 0}};

static void setup(void)
{
	now_ntp = T0;
	rng_i = 1;
	rng_r = 1000;
	ini = make_cert_ctx(ALICE, &rng_i, "alice.pem", "alice.key");
	rsp = make_cert_ctx(BOB, &rng_r, "bob.pem", "bob.key");
	add_peer_cert(ini, BOB, "bob.pem");
	add_peer_cert(rsp, ALICE, "alice.pem"); /* for messages without CERTi */
	mikey_offer k;
	mikey_srtp_policy_default(&policy);
	mikey_offer_init(&k, MIKEY_MODE_RSAR);
	k.policies = &policy;
	k.n_policies = 1;
	cr_assert_eq(mikey_ctx_set_rsar_keys(rsp, &k), MIKEY_OK);
}

static void teardown(void)
{
	mikey_ctx_free(ini);
	mikey_ctx_free(rsp);
}

TestSuite(id_order, .init = setup, .fini = teardown, .timeout = 120);

static void offer_for(mikey_offer *o, mikey_mode mode)
{
	mikey_offer_init(o, mode);
	o->cs = cs;
	o->n_cs = 1;
	o->policies = &policy;
	o->n_policies = 1;
	o->peer_id = BOB;
	o->peer_id_len = strlen(BOB);
	o->want_verify = mode == MIKEY_MODE_PK;
}

/* Remove |p| from the top-level payload list of |m|. */
static void unlink_payload(mikey_msg *m, mikey_payload *p)
{
	mikey_payload **pp = &m->payloads.first, *prev = NULL;
	while (*pp != NULL && *pp != p) {
		prev = *pp;
		pp = &(*pp)->next;
	}
	cr_assert_not_null(*pp);
	*pp = p->next;
	if (m->payloads.last == p)
		m->payloads.last = prev;
	m->payloads.count--;
}

/* |m| (its SIGN already unlinked) signed by |signer| as a peer in |mode|
 * would sign it, into *out. */
static void resign(mikey_msg *m, mikey_ctx *signer, mikey_mode mode, bool initiator, const mikey_iov *trailer,
                   size_t n_trailer, uint8_t **out, size_t *out_len)
{
	mikey_error err;
	mikey_exchange *signer_ex = ex_new(signer, mode, initiator);
	cr_assert_not_null(signer_ex);
	cr_assert_eq(sig_sign_msg(signer_ex, m, MIKEY_SIGN_RSA_PKCS1_15, trailer, n_trailer, out, out_len, &err),
	             MIKEY_OK, "%s", err.message);
	mikey_exchange_free(signer_ex);
}

/* Which ID and CERT payloads to keep: a pattern over the message's ID
 * payloads in order ('k' keep, 'd' drop) and whether CERTs stay. */
typedef struct shape {
	const char *ids;
	bool certs;
} shape;

/* |msg| reshaped and signed again by |signer| (the trailer is RSA-R's
 * IDi || IDr || T for its responses, else none). */
static void reshape(const uint8_t *msg, size_t len, shape s, mikey_ctx *signer, mikey_mode mode,
                    const mikey_iov *trailer, size_t n_trailer, uint8_t **out, size_t *out_len)
{
	mikey_msg *m = NULL;
	mikey_error err;
	cr_assert_eq(mikey_msg_parse(msg, len, NULL, &m, &err), MIKEY_OK, "%s", err.message);
	size_t nth = 0;
	for (mikey_payload *p = m->payloads.first, *next; p != NULL; p = next) {
		next = p->next;
		if (p->type == MIKEY_PT_ID) {
			cr_assert_lt(nth, strlen(s.ids), "the message has more IDs than the shape names");
			if (s.ids[nth++] == 'd')
				unlink_payload(m, p);
		} else if (p->type == MIKEY_PT_CERT && !s.certs) {
			unlink_payload(m, p);
		}
	}
	cr_assert_eq(nth, strlen(s.ids), "the message has fewer IDs than the shape names");
	cr_assert_eq(m->payloads.last->type, MIKEY_PT_SIGN);
	unlink_payload(m, m->payloads.last);
	resign(m, signer, mode, true, trailer, n_trailer, out, out_len);
	mikey_msg_free(m);
}

/* The order of ID / CERT payloads in |msg|, e.g. "ICI" or "CI". */
static void order_of(const uint8_t *msg, size_t len, char *out)
{
	mikey_msg *m = NULL;
	cr_assert_eq(mikey_msg_parse(msg, len, NULL, &m, NULL), MIKEY_OK);
	size_t n = 0;
	for (mikey_payload *p = m->payloads.first; p != NULL; p = p->next) {
		if (p->type == MIKEY_PT_ID)
			out[n++] = 'I';
		else if (p->type == MIKEY_PT_CERT && (n == 0 || out[n - 1] != 'C'))
			out[n++] = 'C';
	}
	out[n] = 0;
	mikey_msg_free(m);
}

static void expect_peer(const mikey_exchange *ex, const char *id)
{
	size_t len;
	const uint8_t *got = mikey_exchange_get0_peer_id(ex, &len);
	cr_assert_not_null(got, "no peer identity");
	cr_assert_eq(len, strlen(id));
	cr_assert_eq(memcmp(got, id, len), 0, "peer is %.*s, want %s", (int)len, (const char *)got, id);
}

/* An I_MESSAGE of |mode| reshaped to |s|: the responder accepts it and
 * knows the initiator as Alice. */
static void initiator_order(mikey_mode mode, shape s, const char *want_order)
{
	mikey_offer o;
	mikey_exchange *ei = NULL, *er = NULL;
	uint8_t *msg = NULL, *re = NULL, *resp = NULL;
	size_t len = 0, rlen = 0, resp_len = 0;
	mikey_error err;
	char order[16];
	offer_for(&o, mode);
	cr_assert_eq(mikey_initiate(ini, &o, &ei, &msg, &len, &err), MIKEY_OK, "%s", err.message);
	order_of(msg, len, order);
	cr_assert_str_eq(order, "ICI", "we send IDi, CERTi, IDr");
	reshape(msg, len, s, ini, mode, NULL, 0, &re, &rlen);
	order_of(re, rlen, order);
	cr_assert_str_eq(order, want_order);
	int rc = mikey_respond(rsp, re, rlen, &er, &resp, &resp_len, &err);
	cr_assert_eq(rc, MIKEY_OK, "%s order %s refused: %s (%s)", mikey_error_name(rc), want_order, err.message,
	             mode == MIKEY_MODE_PK ? "PK" : mode == MIKEY_MODE_DH_SIGN ? "DH" : "RSA-R");
	expect_peer(er, ALICE);
	mikey_buf_free(msg, len);
	mikey_buf_free(re, rlen);
	mikey_buf_free(resp, resp_len);
	mikey_exchange_free(ei);
	mikey_exchange_free(er);
	now_ntp += 1u << 24;
}

static const mikey_mode signed_modes[] = {MIKEY_MODE_PK, MIKEY_MODE_DH_SIGN, MIKEY_MODE_RSAR};

/* "CERTi, IDr": the one ID after CERTi is IDr (refused before as an IDi
 * that CERTi does not name). */
Test(id_order, certi_then_idr)
{
	for (size_t i = 0; i < 3; i++)
		initiator_order(signed_modes[i], (shape){"dk", true}, "CI");
}

/* "IDi, CERTi, IDr" as we send it. */
Test(id_order, idi_certi_idr)
{
	for (size_t i = 0; i < 3; i++)
		initiator_order(signed_modes[i], (shape){"kk", true}, "ICI");
}

/* "IDi, CERTi": no IDr. */
Test(id_order, idi_certi)
{
	for (size_t i = 0; i < 3; i++)
		initiator_order(signed_modes[i], (shape){"kd", true}, "IC");
}

/* "IDi, IDr" without certificates: two IDs are IDi then IDr (the
 * responder knows Alice's certificate). */
Test(id_order, idi_idr_no_cert)
{
	for (size_t i = 0; i < 3; i++)
		initiator_order(signed_modes[i], (shape){"kk", false}, "II");
}

/* "IDr" alone, no certificate: order cannot tell, the ID names us, so it
 * is IDr. Only PK carries IDi elsewhere (inside the KEMAC). */
Test(id_order, lone_idr_naming_us)
{
	initiator_order(MIKEY_MODE_PK, (shape){"dk", false}, "I");
}

/* A third ID is a placement error, not a guess. */
Test(id_order, three_ids_are_refused)
{
	mikey_offer o;
	mikey_exchange *ei = NULL;
	uint8_t *msg = NULL;
	size_t len = 0;
	mikey_error err;
	offer_for(&o, MIKEY_MODE_DH_SIGN);
	cr_assert_eq(mikey_initiate(ini, &o, &ei, &msg, &len, &err), MIKEY_OK, "%s", err.message);
	mikey_msg *m = NULL;
	cr_assert_eq(mikey_msg_parse(msg, len, NULL, &m, &err), MIKEY_OK);
	unlink_payload(m, m->payloads.last);
	/* Insert a copy of IDr right after the first ID. */
	mikey_payload *first = mikey_msg_find(m, MIKEY_PT_ID, 0), *idr = mikey_msg_find(m, MIKEY_PT_ID, 1);
	mikey_payload *extra = mikey_msg_alloc(m, sizeof(*extra));
	cr_assert_not_null(extra);
	*extra = *idr;
	extra->next = first->next;
	first->next = extra;
	m->payloads.count++;
	uint8_t *re = NULL;
	size_t rlen = 0;
	resign(m, ini, MIKEY_MODE_DH_SIGN, true, NULL, 0, &re, &rlen);
	expect_rejected(rsp, re, rlen, MIKEY_ERR_PLACEMENT, MIKEY_ERRNO_UNSUPPORTED_MSG, &err);
	mikey_msg_free(m);
	mikey_buf_free(re, rlen);
	mikey_buf_free(msg, len);
	mikey_exchange_free(ei);
}

/* Alice's I_MESSAGE of |mode| and Bob's answer, untouched. */
static void answered(mikey_mode mode, mikey_exchange **ei, mikey_exchange **er, uint8_t **msg, size_t *len,
                     uint8_t **resp, size_t *resp_len)
{
	mikey_offer o;
	mikey_error err;
	offer_for(&o, mode);
	cr_assert_eq(mikey_initiate(ini, &o, ei, msg, len, &err), MIKEY_OK, "%s", err.message);
	cr_assert_eq(mikey_respond(rsp, *msg, *len, er, resp, resp_len, &err), MIKEY_OK, "%s", err.message);
}

/* Responses: "[IDr|CERTr], [IDi]". DH: CERTr then IDi (no IDr) is
 * accepted and IDi is checked as the echo of ours. */
Test(id_order, dh_response_certr_then_idi)
{
	mikey_exchange *ei = NULL, *er = NULL;
	uint8_t *msg = NULL, *resp = NULL, *re = NULL;
	size_t len = 0, resp_len = 0, rlen = 0;
	mikey_error err;
	char order[16];
	answered(MIKEY_MODE_DH_SIGN, &ei, &er, &msg, &len, &resp, &resp_len);
	order_of(resp, resp_len, order);
	cr_assert_str_eq(order, "ICI", "the responder sends IDr, CERTr, IDi");
	reshape(resp, resp_len, (shape){"dk", true}, rsp, MIKEY_MODE_DH_SIGN, NULL, 0, &re, &rlen);
	order_of(re, rlen, order);
	cr_assert_str_eq(order, "CI");
	cr_assert_eq(mikey_exchange_finish(ei, re, rlen, &err), MIKEY_OK, "%s", err.message);
	mikey_buf_free(msg, len);
	mikey_buf_free(resp, resp_len);
	mikey_buf_free(re, rlen);
	mikey_exchange_free(ei);
	mikey_exchange_free(er);
}

/* RSA-R: "CERTr, IDi" in the R_MESSAGE (SIGNr covers IDi || IDr || T as
 * well, RFC 4738 §3.6): the ID after CERTr is IDi, not IDr. */
Test(id_order, rsar_response_certr_then_idi)
{
	mikey_exchange *ei = NULL, *er = NULL;
	uint8_t *msg = NULL, *resp = NULL, *re = NULL;
	size_t len = 0, resp_len = 0, rlen = 0;
	mikey_error err;
	char order[16];
	answered(MIKEY_MODE_RSAR, &ei, &er, &msg, &len, &resp, &resp_len);
	order_of(resp, resp_len, order);
	/* Our key server sends [IDr], CERTr and no IDi: add IDi after CERTr. */
	mikey_msg *m = NULL;
	cr_assert_eq(mikey_msg_parse(resp, resp_len, NULL, &m, &err), MIKEY_OK);
	unlink_payload(m, m->payloads.last);
	mikey_payload *idr = mikey_msg_find(m, MIKEY_PT_ID, 0);
	cr_assert_not_null(idr, "R_MESSAGE order %s", order);
	unlink_payload(m, idr);
	mikey_payload *last_cert = NULL;
	for (mikey_payload *p = m->payloads.first; p != NULL; p = p->next)
		if (p->type == MIKEY_PT_CERT)
			last_cert = p;
	cr_assert_not_null(last_cert);
	mikey_payload *idi = mikey_msg_alloc(m, sizeof(*idi));
	cr_assert_not_null(idi);
	memset(idi, 0, sizeof(*idi));
	idi->type = MIKEY_PT_ID;
	idi->u.id.type = MIKEY_ID_URI;
	cr_assert_eq(mikey_msg_set_bytes(m, &idi->u.id.data, ALICE, strlen(ALICE)), MIKEY_OK);
	idi->next = last_cert->next;
	last_cert->next = idi;
	m->payloads.count++;
	/* SIGNr trailer: IDi || IDr || T as the key server signs it. */
	uint8_t tb[8];
	for (int i = 0; i < 8; i++)
		tb[i] = (uint8_t)(now_ntp >> (56 - 8 * i));
	mikey_iov trailer[3] = {{(const uint8_t *)ALICE, strlen(ALICE)}, {(const uint8_t *)BOB, strlen(BOB)}, {tb, 8}};
	resign(m, rsp, MIKEY_MODE_RSAR, false, trailer, 3, &re, &rlen);
	order_of(re, rlen, order);
	cr_assert_str_eq(order, "CI");
	cr_assert_eq(mikey_exchange_finish(ei, re, rlen, &err), MIKEY_OK, "%s", err.message);
	expect_peer(ei, BOB);
	mikey_msg_free(m);
	mikey_buf_free(msg, len);
	mikey_buf_free(resp, resp_len);
	mikey_buf_free(re, rlen);
	mikey_exchange_free(ei);
	mikey_exchange_free(er);
}
