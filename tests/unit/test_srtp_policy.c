/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* SP payload <-> SRTP policy (RFC 3830 §6.10.1, RFC 3711 §8.2, RFC 7714 §15). */
#include <criterion/criterion.h>

#include "mikey/srtp.h"

static mikey_sp sp_of(mikey_sp_param *params, size_t n)
{
	mikey_sp sp = {.policy_no = 0, .prot_type = MIKEY_PROT_SRTP, .n_params = n, .params = params};
	return sp;
}

#define P1(t, v) {(t), 1, (uint8_t[]){(v)}}

Test(srtp_policy, empty_sp_means_srtp_defaults)
{
	mikey_srtp_policy p;
	mikey_sp sp = sp_of(NULL, 0);
	cr_assert_eq(mikey_srtp_policy_from_sp(&sp, &p, NULL), MIKEY_OK);
	cr_assert_eq(p.encr_alg, MIKEY_SRTP_ENCR_AES_CM);
	cr_assert_eq(p.encr_key_len, 16);
	cr_assert_eq(p.salt_key_len, 14);
	cr_assert_eq(p.auth_key_len, 20);
	cr_assert_eq(p.auth_tag_len, 10);
	cr_assert(p.srtp_encr && p.srtcp_encr && p.srtp_auth);
	cr_assert_eq(p.quirks, 0);
}

Test(srtp_policy, aes256_sha1_32)
{
	mikey_sp_param params[] = {P1(0, 1), P1(1, 32), P1(2, 1), P1(11, 4), P1(8, 0)};
	mikey_sp sp = sp_of(params, 5);
	mikey_srtp_policy p;
	cr_assert_eq(mikey_srtp_policy_from_sp(&sp, &p, NULL), MIKEY_OK);
	cr_assert_eq(p.encr_key_len, 32);
	cr_assert_eq(p.auth_tag_len, 4);
	cr_assert_not(p.srtcp_encr);
}

Test(srtp_policy, aes_gcm_defaults_follow_rfc7714)
{
	mikey_sp_param params[] = {P1(0, MIKEY_SRTP_ENCR_AES_GCM), P1(1, 32), P1(20, 16)};
	mikey_sp sp = sp_of(params, 3);
	mikey_srtp_policy p;
	cr_assert_eq(mikey_srtp_policy_from_sp(&sp, &p, NULL), MIKEY_OK);
	cr_assert_eq(p.salt_key_len, 12);
	cr_assert_eq(p.auth_alg, MIKEY_SRTP_AUTH_NULL);
	cr_assert_eq(p.aead_tag_len, 16);
}

Test(srtp_policy, gstreamer_tag_in_auth_key_len_is_tolerated_and_flagged)
{
	mikey_sp_param params[] = {P1(0, 1), P1(1, 16), P1(2, 1), P1(3, 10), P1(4, 14)};
	mikey_sp sp = sp_of(params, 5);
	mikey_srtp_policy p;
	cr_assert_eq(mikey_srtp_policy_from_sp(&sp, &p, NULL), MIKEY_OK);
	cr_assert_eq(p.auth_tag_len, 10);
	cr_assert_eq(p.auth_key_len, 20);
	cr_assert(p.quirks & MIKEY_SRTP_QUIRK_TAG_IN_AUTH_KEY_LEN);
}

Test(srtp_policy, unsupported_values_are_named)
{
	mikey_error err;
	mikey_srtp_policy p;
	mikey_sp_param bad_key[] = {P1(1, 17)};
	mikey_sp sp = sp_of(bad_key, 1);
	cr_assert_eq(mikey_srtp_policy_from_sp(&sp, &p, &err), MIKEY_ERR_POLICY);
	cr_assert(strstr(err.message, "AES-CM") != NULL, "%s", err.message);
	cr_assert_eq(mikey_error_to_err_no(err.code), MIKEY_ERRNO_INVALID_SPPAR);

	mikey_sp_param bad_bool[] = {P1(7, 2)};
	sp = sp_of(bad_bool, 1);
	cr_assert_eq(mikey_srtp_policy_from_sp(&sp, &p, &err), MIKEY_ERR_POLICY);

	mikey_sp_param unknown[] = {P1(99, 0)};
	sp = sp_of(unknown, 1);
	cr_assert_eq(mikey_srtp_policy_from_sp(&sp, &p, &err), MIKEY_ERR_POLICY);

	mikey_sp tesla = {.prot_type = MIKEY_PROT_TESLA};
	cr_assert_eq(mikey_srtp_policy_from_sp(&tesla, &p, &err), MIKEY_ERR_ARG);
}

Test(srtp_policy, round_trip_through_sp_and_bytes)
{
	mikey_msg *m = mikey_msg_new();
	mikey_srtp_policy in, out;
	mikey_srtp_policy_default(&in);
	in.encr_key_len = 24;
	in.kdr = 1u << 16;
	in.auth_tag_len = 4;
	in.srtcp_encr = false;
	mikey_payload *p = mikey_msg_add_payload(m, &m->payloads, MIKEY_PT_SP);
	cr_assert_eq(mikey_srtp_policy_to_sp(m, &in, 3, &p->u.sp), MIKEY_OK);
	uint8_t *buf;
	size_t len;
	cr_assert_eq(mikey_msg_build(m, &buf, &len, NULL), MIKEY_OK);
	mikey_msg *back;
	cr_assert_eq(mikey_msg_parse(buf, len, NULL, &back, NULL), MIKEY_OK);
	mikey_sp *sp = &back->payloads.first->u.sp;
	cr_assert_eq(sp->policy_no, 3);
	cr_assert_eq(mikey_sp_find(sp, MIKEY_SRTP_KEY_DERIV_RATE)->len, 3, "KDR 2^16 takes three bytes");
	cr_assert_eq(mikey_srtp_policy_from_sp(sp, &out, NULL), MIKEY_OK);
	cr_assert_eq(out.encr_key_len, 24);
	cr_assert_eq(out.kdr, 1u << 16);
	cr_assert_eq(out.auth_tag_len, 4);
	cr_assert_not(out.srtcp_encr);
	mikey_buf_free(buf, len);
	mikey_msg_free(back);
	mikey_msg_free(m);
}

/* ------------------------------------------------------------------ */
/* RFC 4771: RCC transforms, R, and the SRTP/SRTCP-specific types 14-19 */

#define P2(t, v) {(t), 2, (uint8_t[]){(uint8_t)((v) >> 8), (uint8_t)(v)}}

Test(srtp_policy, rfc4771_example_specific_wins_over_general)
{
	/* RFC 4771 §4: type 2 HMAC-SHA-1, type 14 RCCm1: SRTP runs RCCm1,
	 * SRTCP the general HMAC-SHA-1. No R given: R = 1. */
	mikey_sp_param params[] = {P1(2, MIKEY_SRTP_AUTH_HMAC_SHA1), P1(14, MIKEY_SRTP_AUTH_RCCM1), P1(18, 14)};
	mikey_sp sp = sp_of(params, 3);
	mikey_srtp_policy p;
	mikey_srtp_integrity rtp, rtcp;
	cr_assert_eq(mikey_srtp_policy_from_sp(&sp, &p, NULL), MIKEY_OK);
	cr_assert_eq(p.srtp_auth_alg, MIKEY_SRTP_AUTH_RCCM1);
	cr_assert_eq(p.srtcp_auth_alg, MIKEY_SRTP_AUTH_HMAC_SHA1);
	cr_assert_eq(p.srtp_auth_tag_len, 14);
	cr_assert_eq(p.srtcp_auth_tag_len, 10, "the general default");
	cr_assert_eq(p.specific, MIKEY_SRTP_SPEC_SRTP_AUTH_ALG | MIKEY_SRTP_SPEC_SRTP_TAG_LEN);
	cr_assert_eq(mikey_srtp_policy_integrity(&p, false, &rtp), MIKEY_OK);
	cr_assert_eq(mikey_srtp_policy_integrity(&p, true, &rtcp), MIKEY_OK);
	cr_assert_eq(rtp.alg, MIKEY_SRTP_AUTH_RCCM1);
	cr_assert_eq(rtp.rate, 1, "RFC 4771 §4: R defaults to 1");
	cr_assert_eq(rtcp.alg, MIKEY_SRTP_AUTH_HMAC_SHA1);
	cr_assert_eq(rtcp.rate, 0);
	cr_assert(mikey_srtp_policy_is_rcc(&p));
}

Test(srtp_policy, general_rcc_means_hmac_for_srtcp)
{
	/* Type 2 RCCm2 with no type 15: RCC never for SRTCP (RFC 4771 §2). */
	mikey_sp_param params[] = {P1(2, MIKEY_SRTP_AUTH_RCCM2), P1(11, 14), P2(13, 300)};
	mikey_sp sp = sp_of(params, 3);
	mikey_srtp_policy p;
	cr_assert_eq(mikey_srtp_policy_from_sp(&sp, &p, NULL), MIKEY_OK);
	cr_assert_eq(p.srtp_auth_alg, MIKEY_SRTP_AUTH_RCCM2);
	cr_assert_eq(p.srtcp_auth_alg, MIKEY_SRTP_AUTH_HMAC_SHA1);
	cr_assert_eq(p.srtp_auth_tag_len, 14);
	cr_assert_eq(p.srtcp_auth_tag_len, 14);
	cr_assert_eq(p.roc_tx_rate, 300);
	cr_assert_eq(p.specific, 0);
}

Test(srtp_policy, specific_key_and_tag_lengths_per_protocol)
{
	mikey_sp_param params[] = {P1(15, MIKEY_SRTP_AUTH_HMAC_SHA1), P1(14, MIKEY_SRTP_AUTH_RCCM3), P1(11, 10),
	                           P1(18, 4), P1(19, 4), P1(16, 20), P1(17, 20)};
	mikey_sp sp = sp_of(params, 7);
	mikey_srtp_policy p;
	cr_assert_eq(mikey_srtp_policy_from_sp(&sp, &p, NULL), MIKEY_OK);
	cr_assert_eq(p.srtp_auth_alg, MIKEY_SRTP_AUTH_RCCM3);
	cr_assert_eq(p.srtp_auth_tag_len, 4);
	cr_assert_eq(p.srtcp_auth_tag_len, 4, "type 19 over type 11");
	cr_assert_eq(p.auth_tag_len, 10, "the general value stays as given");
	cr_assert_eq(p.srtcp_auth_key_len, 20);
}

Test(srtp_policy, rcc_round_trip_through_sp_and_bytes)
{
	mikey_sp_param params[] = {P1(2, MIKEY_SRTP_AUTH_HMAC_SHA1), P1(11, 10), P2(13, 1000),
	                           P1(14, MIKEY_SRTP_AUTH_RCCM2), P1(16, 20), P1(18, 14), P1(19, 8)};
	mikey_sp sp = sp_of(params, 7);
	mikey_srtp_policy in, out;
	cr_assert_eq(mikey_srtp_policy_from_sp(&sp, &in, NULL), MIKEY_OK);

	mikey_msg *m = mikey_msg_new();
	mikey_payload *pl = mikey_msg_add_payload(m, &m->payloads, MIKEY_PT_SP);
	cr_assert_eq(mikey_srtp_policy_to_sp(m, &in, 7, &pl->u.sp), MIKEY_OK);
	uint8_t *buf, *buf2;
	size_t len, len2;
	cr_assert_eq(mikey_msg_build(m, &buf, &len, NULL), MIKEY_OK);
	mikey_msg *back;
	cr_assert_eq(mikey_msg_parse(buf, len, NULL, &back, NULL), MIKEY_OK);
	mikey_sp *bsp = &back->payloads.first->u.sp;
	for (uint8_t t = 14; t <= 19; t++) {
		bool given = t != 15 && t != 17;
		cr_assert_eq(mikey_sp_find(bsp, t) != NULL, given, "type %u written back only when given", t);
	}
	cr_assert_eq(mikey_sp_find(bsp, MIKEY_SRTP_ROC_TX_RATE)->len, 2);
	cr_assert_eq(mikey_srtp_policy_from_sp(bsp, &out, NULL), MIKEY_OK);
	cr_assert(mikey_srtp_policy_equal(&in, &out));
	cr_assert_eq(out.specific, in.specific);
	cr_assert_eq(out.srtp_auth_tag_len, 14);
	cr_assert_eq(out.srtcp_auth_tag_len, 8);
	/* Encoding the decoded policy again gives the same bytes. */
	mikey_msg *m2 = mikey_msg_new();
	mikey_payload *pl2 = mikey_msg_add_payload(m2, &m2->payloads, MIKEY_PT_SP);
	cr_assert_eq(mikey_srtp_policy_to_sp(m2, &out, 7, &pl2->u.sp), MIKEY_OK);
	cr_assert_eq(mikey_msg_build(m2, &buf2, &len2, NULL), MIKEY_OK);
	cr_assert_eq(len2, len);
	cr_assert_arr_eq(buf2, buf, len);
	mikey_buf_free(buf, len);
	mikey_buf_free(buf2, len2);
	mikey_msg_free(back);
	mikey_msg_free(m);
	mikey_msg_free(m2);
}

/* Each bad RCC policy is MIKEY_ERR_POLICY (ERR payload Invalid SPpar) and
 * its message names what is wrong. */
static void refused(mikey_sp_param *params, size_t n, const char *needle)
{
	mikey_sp sp = sp_of(params, n);
	mikey_srtp_policy p;
	mikey_error err;
	cr_assert_eq(mikey_srtp_policy_from_sp(&sp, &p, &err), MIKEY_ERR_POLICY, "expected a refusal: %s", needle);
	cr_assert_eq(err.code, MIKEY_ERR_POLICY);
	cr_assert(strstr(err.message, needle) != NULL, "\"%s\" not in \"%s\"", needle, err.message);
	cr_assert_eq(mikey_error_to_err_no(err.code), MIKEY_ERRNO_INVALID_SPPAR);
}

Test(srtp_policy, bad_rcc_policies_are_refused_by_name)
{
	mikey_sp_param r0[] = {P1(2, MIKEY_SRTP_AUTH_RCCM2), P1(11, 14), P1(13, 0)};
	refused(r0, 3, "R > 0");
	mikey_sp_param r_big[] = {P1(2, MIKEY_SRTP_AUTH_RCCM2), P1(11, 14), {13, 3, (uint8_t[]){1, 0, 0}}};
	refused(r_big, 3, "16 bits");
	mikey_sp_param m3_tag[] = {P1(14, MIKEY_SRTP_AUTH_RCCM3), P1(18, 10)};
	refused(m3_tag, 2, "RCCm3 needs an SRTP tag length of 4");
	mikey_sp_param m3_default_tag[] = {P1(2, MIKEY_SRTP_AUTH_RCCM3)};
	refused(m3_default_tag, 1, "RCCm3 needs an SRTP tag length of 4");
	mikey_sp_param m1_short[] = {P1(2, MIKEY_SRTP_AUTH_RCCM1), P1(11, 3)};
	refused(m1_short, 2, "RCCm1 tag of 3 bytes");
	mikey_sp_param m2_four[] = {P1(14, MIKEY_SRTP_AUTH_RCCM2), P1(18, 4)};
	refused(m2_four, 2, "RCCm2 tag of 4 bytes");
	mikey_sp_param gcm[] = {P1(0, MIKEY_SRTP_ENCR_AES_GCM), P1(14, MIKEY_SRTP_AUTH_RCCM1), P1(18, 14)};
	refused(gcm, 3, "AES-GCM");
	mikey_sp_param srtcp_rcc[] = {P1(15, MIKEY_SRTP_AUTH_RCCM2), P1(19, 14)};
	refused(srtcp_rcc, 2, "forbids it for SRTCP");
	mikey_sp_param r_alone[] = {P1(13, 5)};
	refused(r_alone, 1, "without an RCC transform");
	mikey_sp_param off[] = {P1(2, MIKEY_SRTP_AUTH_RCCM1), P1(11, 14), P1(10, 0)};
	refused(off, 3, "SRTP authentication off");
	mikey_sp_param kdr[] = {P1(2, MIKEY_SRTP_AUTH_RCCM1), P1(11, 14), P1(6, 24)};
	refused(kdr, 3, "key derivation rate");
	mikey_sp_param srtcp_key[] = {P1(17, 16)};
	refused(srtcp_key, 1, "SRTCP HMAC-SHA-1 needs a 20-byte");
}
