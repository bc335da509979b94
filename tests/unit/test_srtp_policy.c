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
