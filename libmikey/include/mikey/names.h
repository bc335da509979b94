/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * mikey/names.h - printable names of MIKEY registry values, as the RFCs
 * write them (e.g. "HMAC-SHA-1-160"). Each returns a static string, or NULL
 * when the value is not registered (callers print the number then).
 */
#ifndef MIKEY_NAMES_H
#define MIKEY_NAMES_H

#include "mikey/export.h"

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

MIKEY_API const char *mikey_data_type_name(uint8_t v);
MIKEY_API const char *mikey_payload_type_name(uint8_t v); /* "KEMAC", "Key data", ... */
MIKEY_API const char *mikey_prf_name(uint8_t v);
MIKEY_API const char *mikey_map_type_name(uint8_t v);
MIKEY_API const char *mikey_encr_alg_name(uint8_t v);
MIKEY_API const char *mikey_mac_alg_name(uint8_t v);
MIKEY_API const char *mikey_pke_cache_name(uint8_t v);
MIKEY_API const char *mikey_dh_group_name(uint8_t v);
MIKEY_API const char *mikey_sign_type_name(uint8_t v);
MIKEY_API const char *mikey_ts_type_name(uint8_t v);
MIKEY_API const char *mikey_ts_role_name(uint8_t v);
MIKEY_API const char *mikey_id_type_name(uint8_t v);
MIKEY_API const char *mikey_id_role_name(uint8_t v);
MIKEY_API const char *mikey_cert_type_name(uint8_t v);
MIKEY_API const char *mikey_hash_func_name(uint8_t v);
MIKEY_API const char *mikey_prot_type_name(uint8_t v);
/* Policy parameter name for |prot_type| (SRTP, TESLA). */
MIKEY_API const char *mikey_sp_param_name(uint8_t prot_type, uint8_t param_type);
MIKEY_API const char *mikey_srtp_encr_name(uint8_t v);
MIKEY_API const char *mikey_srtp_auth_name(uint8_t v);
MIKEY_API const char *mikey_srtp_prf_name(uint8_t v);
MIKEY_API const char *mikey_fec_order_name(uint8_t v);
MIKEY_API const char *mikey_tesla_prf_name(uint8_t v);
MIKEY_API const char *mikey_tesla_mac_name(uint8_t v);
MIKEY_API const char *mikey_err_no_name(uint8_t v);
MIKEY_API const char *mikey_err_no_description(uint8_t v);
MIKEY_API const char *mikey_key_type_name(uint8_t v);
MIKEY_API const char *mikey_kv_type_name(uint8_t v);
MIKEY_API const char *mikey_gen_ext_type_name(uint8_t v);
MIKEY_API const char *mikey_key_id_type_name(uint8_t v);
MIKEY_API const char *mikey_rand_role_name(uint8_t v);
MIKEY_API const char *mikey_ticket_type_name(uint16_t v);
MIKEY_API const char *mikey_sakke_params_name(uint8_t v);
MIKEY_API const char *mikey_sakke_id_scheme_name(uint8_t v);

#ifdef __cplusplus
}
#endif
#endif
