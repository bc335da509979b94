/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * mikey/types.h - registry values of MIKEY (RFC 3830 §6 and the RFCs that
 * add to its registries: 4442, 4563, 4650, 4738, 5410, 6043, 6509; IANA
 * rules per RFC 6309). Names for printing are in mikey/names.h.
 */
#ifndef MIKEY_TYPES_H
#define MIKEY_TYPES_H

#ifdef __cplusplus
extern "C" {
#endif

#define MIKEY_VERSION_1 1 /* RFC 3830 §6.1 */

/* HDR data type: RFC 3830 Table 6.1.a, RFC 4650 §4.1, RFC 4738 §3.9.1,
 * RFC 6043 Table 6.1, RFC 6509 §7. */
enum mikey_data_type {
	MIKEY_DT_PSK_INIT = 0,
	MIKEY_DT_PSK_RESP = 1,
	MIKEY_DT_PK_INIT = 2,
	MIKEY_DT_PK_RESP = 3,
	MIKEY_DT_DH_INIT = 4,
	MIKEY_DT_DH_RESP = 5,
	MIKEY_DT_ERROR = 6,
	MIKEY_DT_DHHMAC_INIT = 7,
	MIKEY_DT_DHHMAC_RESP = 8,
	MIKEY_DT_RSAR_INIT = 9,
	MIKEY_DT_RSAR_RESP = 10,
	MIKEY_DT_TICKET_REQUEST_INIT_PSK = 11,
	MIKEY_DT_TICKET_REQUEST_INIT_PK = 12,
	MIKEY_DT_TICKET_REQUEST_RESP = 13,
	MIKEY_DT_TICKET_TRANSFER_INIT = 14,
	MIKEY_DT_TICKET_TRANSFER_RESP = 15,
	MIKEY_DT_TICKET_RESOLVE_INIT_PSK = 16,
	MIKEY_DT_TICKET_RESOLVE_INIT_PK = 17,
	MIKEY_DT_TICKET_RESOLVE_RESP = 18,
	MIKEY_DT_SAKKE = 26
};

/* Next payload / payload type: RFC 3830 Table 6.1.b, RFC 6043 Table 6.2,
 * RFC 6509 §7. */
enum mikey_payload_type {
	MIKEY_PT_LAST = 0,
	MIKEY_PT_KEMAC = 1,
	MIKEY_PT_PKE = 2,
	MIKEY_PT_DH = 3,
	MIKEY_PT_SIGN = 4,
	MIKEY_PT_T = 5,
	MIKEY_PT_ID = 6,
	MIKEY_PT_CERT = 7,
	MIKEY_PT_CHASH = 8,
	MIKEY_PT_V = 9,
	MIKEY_PT_SP = 10,
	MIKEY_PT_RAND = 11,
	MIKEY_PT_ERR = 12,
	MIKEY_PT_TR = 13,
	MIKEY_PT_IDR = 14,
	MIKEY_PT_RANDR = 15,
	MIKEY_PT_TP = 16,
	MIKEY_PT_TICKET = 17,
	MIKEY_PT_KEY_DATA = 20,
	MIKEY_PT_GEN_EXT = 21,
	MIKEY_PT_SAKKE = 26
};

/* PRF func: RFC 3830 Table 6.1.c, RFC 6043 Table 6.3. */
enum mikey_prf {
	MIKEY_PRF_MIKEY_1 = 0,
	MIKEY_PRF_HMAC_SHA_256 = 1
};

/* CS ID map type: RFC 3830 Table 6.1.d, RFC 4563 §5, RFC 6043 Table 6.4. */
enum mikey_map_type {
	MIKEY_MAP_SRTP_ID = 0,
	MIKEY_MAP_EMPTY = 1,
	MIKEY_MAP_GENERIC_ID = 2
};

/* KEMAC Encr alg: RFC 3830 Table 6.2.a, RFC 6043 Table 6.5. */
enum mikey_encr_alg {
	MIKEY_ENCR_NULL = 0,
	MIKEY_ENCR_AES_CM_128 = 1,
	MIKEY_ENCR_AES_KW_128 = 2,
	MIKEY_ENCR_AES_CM_256 = 3
};

/* KEMAC MAC alg and V Auth alg: RFC 3830 Table 6.2.b, RFC 6043 Table 6.6.
 * (RFC 4650 Table 4.2.a numbers these differently; see
 * docs/interpretations.md.) */
enum mikey_mac_alg {
	MIKEY_MAC_NULL = 0,
	MIKEY_MAC_HMAC_SHA1_160 = 1,
	MIKEY_MAC_HMAC_SHA256_256 = 2
};

/* PKE C (cache indicator): RFC 3830 Table 6.3. */
enum mikey_pke_cache {
	MIKEY_PKE_NO_CACHE = 0,
	MIKEY_PKE_CACHE = 1,
	MIKEY_PKE_CACHE_CSB = 2
};

/* DH-Group: RFC 3830 Table 6.4. */
enum mikey_dh_group {
	MIKEY_DH_OAKLEY_5 = 0,
	MIKEY_DH_OAKLEY_1 = 1,
	MIKEY_DH_OAKLEY_2 = 2
};

/* SIGN S type: RFC 3830 Table 6.5, RFC 6509 Table 6. */
enum mikey_sign_type {
	MIKEY_SIGN_RSA_PKCS1_15 = 0,
	MIKEY_SIGN_RSA_PSS = 1,
	MIKEY_SIGN_ECCSI = 2
};

/* T TS type: RFC 3830 Table 6.6, RFC 6043 Table 6.8. */
enum mikey_ts_type {
	MIKEY_TS_NTP_UTC = 0,
	MIKEY_TS_NTP = 1,
	MIKEY_TS_COUNTER = 2,
	MIKEY_TS_NTP_UTC_32 = 3
};

/* TR TS role: RFC 6043 Table 6.9. */
enum mikey_ts_role {
	MIKEY_TS_ROLE_ISSUE = 1,
	MIKEY_TS_ROLE_START = 2,
	MIKEY_TS_ROLE_END = 3,
	MIKEY_TS_ROLE_REKEY = 4
};

/* ID type: RFC 3830 Table 6.7.a, RFC 6043 Table 6.10. */
enum mikey_id_type {
	MIKEY_ID_NAI = 0,
	MIKEY_ID_URI = 1,
	MIKEY_ID_BYTE_STRING = 2
};

/* IDR ID role: RFC 6043 Table 6.11, RFC 6509 Table 7. */
enum mikey_id_role {
	MIKEY_ID_ROLE_INITIATOR = 1,
	MIKEY_ID_ROLE_RESPONDER = 2,
	MIKEY_ID_ROLE_KMS = 3,
	MIKEY_ID_ROLE_PSK = 4,
	MIKEY_ID_ROLE_APP = 5,
	MIKEY_ID_ROLE_INITIATOR_KMS = 6,
	MIKEY_ID_ROLE_RESPONDER_KMS = 7
};

/* CERT type: RFC 3830 Table 6.7.b. */
enum mikey_cert_type {
	MIKEY_CERT_X509V3 = 0,
	MIKEY_CERT_X509V3_URL = 1,
	MIKEY_CERT_X509V3_SIGN = 2,
	MIKEY_CERT_X509V3_ENCR = 3
};

/* CHASH hash func: RFC 3830 Table 6.8, RFC 6043 Table 6.12. */
enum mikey_hash_func {
	MIKEY_HASH_SHA1 = 0,
	MIKEY_HASH_MD5 = 1,
	MIKEY_HASH_SHA256 = 2
};

/* SP prot type: RFC 3830 Table 6.10, RFC 4442 §4.1. */
enum mikey_prot_type {
	MIKEY_PROT_SRTP = 0,
	MIKEY_PROT_TESLA = 1
};

/* SRTP policy parameter types: RFC 3830 Table 6.10.1.a. */
enum mikey_srtp_param {
	MIKEY_SRTP_ENCR_ALG = 0,
	MIKEY_SRTP_ENCR_KEY_LEN = 1,
	MIKEY_SRTP_AUTH_ALG = 2,
	MIKEY_SRTP_AUTH_KEY_LEN = 3,
	MIKEY_SRTP_SALT_KEY_LEN = 4,
	MIKEY_SRTP_PRF = 5,
	MIKEY_SRTP_KEY_DERIV_RATE = 6,
	MIKEY_SRTP_SRTP_ENCR = 7,
	MIKEY_SRTP_SRTCP_ENCR = 8,
	MIKEY_SRTP_FEC_ORDER = 9,
	MIKEY_SRTP_SRTP_AUTH = 10,
	MIKEY_SRTP_AUTH_TAG_LEN = 11,
	MIKEY_SRTP_PREFIX_LEN = 12,
	MIKEY_SRTP_ROC_TX_RATE = 13,  /* RFC 4771 §4 Table 2 */
	/* RFC 4771 §4 Table 3: SRTP- or SRTCP-specific integrity. */
	MIKEY_SRTP_SRTP_AUTH_ALG = 14,
	MIKEY_SRTP_SRTCP_AUTH_ALG = 15,
	MIKEY_SRTP_SRTP_AUTH_KEY_LEN = 16,
	MIKEY_SRTP_SRTCP_AUTH_KEY_LEN = 17,
	MIKEY_SRTP_SRTP_AUTH_TAG_LEN = 18,
	MIKEY_SRTP_SRTCP_AUTH_TAG_LEN = 19,
	MIKEY_SRTP_AEAD_TAG_LEN = 20  /* RFC 7714 §14.3 */
};

/* SRTP encr alg values: RFC 3830 Table 6.10.1.b, RFC 7714 §14.3.
 * AES-192/256 (RFC 6188) are AES-CM with a longer key length parameter. */
enum mikey_srtp_encr {
	MIKEY_SRTP_ENCR_NULL = 0,
	MIKEY_SRTP_ENCR_AES_CM = 1,
	MIKEY_SRTP_ENCR_AES_F8 = 2,
	MIKEY_SRTP_ENCR_AES_GCM = 6
};

/* SRTP auth alg values: RFC 3830 Table 6.10.1.c, RFC 4771 §4 Table 1. */
enum mikey_srtp_auth {
	MIKEY_SRTP_AUTH_NULL = 0,
	MIKEY_SRTP_AUTH_HMAC_SHA1 = 1,
	MIKEY_SRTP_AUTH_RCCM1 = 2,
	MIKEY_SRTP_AUTH_RCCM2 = 3,
	MIKEY_SRTP_AUTH_RCCM3 = 4
};

/* TESLA policy parameter types: RFC 4442 §4.2. */
enum mikey_tesla_param {
	MIKEY_TESLA_PRF = 1,
	MIKEY_TESLA_PRF_OUT_LEN = 2,
	MIKEY_TESLA_MAC = 3,
	MIKEY_TESLA_MAC_LEN = 4,
	MIKEY_TESLA_START = 5,
	MIKEY_TESLA_INTERVAL = 6,
	MIKEY_TESLA_DELAY = 7,
	MIKEY_TESLA_CHAIN_LEN = 8,
	MIKEY_TESLA_RECEIVER_TS = 9
};

/* ERR error no: RFC 3830 Table 6.12, RFC 4738 §3.9.2, RFC 6043 Table 6.14. */
enum mikey_err_no {
	MIKEY_ERRNO_AUTH_FAILURE = 0,
	MIKEY_ERRNO_INVALID_TS = 1,
	MIKEY_ERRNO_INVALID_PRF = 2,
	MIKEY_ERRNO_INVALID_MAC = 3,
	MIKEY_ERRNO_INVALID_EA = 4,
	MIKEY_ERRNO_INVALID_HA = 5,
	MIKEY_ERRNO_INVALID_DH = 6,
	MIKEY_ERRNO_INVALID_ID = 7,
	MIKEY_ERRNO_INVALID_CERT = 8,
	MIKEY_ERRNO_INVALID_SP = 9,
	MIKEY_ERRNO_INVALID_SPPAR = 10,
	MIKEY_ERRNO_INVALID_DT = 11,
	MIKEY_ERRNO_UNSPECIFIED = 12,
	MIKEY_ERRNO_UNSUPPORTED_MSG = 13,
	MIKEY_ERRNO_INVALID_TICKET = 14,
	MIKEY_ERRNO_INVALID_TPPAR = 15
};

/* Key data sub-payload type: RFC 3830 Table 6.13.a, RFC 6043 Table 6.7. */
enum mikey_key_type {
	MIKEY_KEY_TGK = 0,
	MIKEY_KEY_TGK_SALT = 1,
	MIKEY_KEY_TEK = 2,
	MIKEY_KEY_TEK_SALT = 3,
	MIKEY_KEY_GTGK = 4,
	MIKEY_KEY_GTGK_SALT = 5,
	MIKEY_KEY_MPK = 6
};

/* KV (key validity) type: RFC 3830 Table 6.13.b. */
enum mikey_kv_type {
	MIKEY_KV_NULL = 0,
	MIKEY_KV_SPI = 1,
	MIKEY_KV_INTERVAL = 2
};

/* General Extension type: RFC 3830 Table 6.15, RFC 4442 §4.4,
 * RFC 4563 Table 1, RFC 4738 §3.9.3, RFC 5410 §3. */
enum mikey_gen_ext_type {
	MIKEY_GEN_VENDOR_ID = 0,
	MIKEY_GEN_SDP_IDS = 1,
	MIKEY_GEN_TESLA_IKEY = 2,
	MIKEY_GEN_KEY_ID = 3,
	MIKEY_GEN_CSB_ID = 4,
	MIKEY_GEN_OMA_BCAST = 5
};

/* KEY-ID sub-payload Key ID type: RFC 4563 Table 2. */
enum mikey_key_id_type {
	MIKEY_KEYID_MBMS_DOMAIN = 0,
	MIKEY_KEYID_MBMS_SERVICE = 1,
	MIKEY_KEYID_MBMS_TRAFFIC = 2
};

/* RANDR role: RFC 6043 Table 6.13. */
enum mikey_rand_role {
	MIKEY_RAND_ROLE_INITIATOR = 1,
	MIKEY_RAND_ROLE_RESPONDER = 2,
	MIKEY_RAND_ROLE_KMS = 3
};

/* Ticket type: RFC 6043 Table 6.15. */
enum mikey_ticket_type {
	MIKEY_TICKET_MIKEY_BASE = 1,
	MIKEY_TICKET_3GPP_BASE = 2
};

#ifdef __cplusplus
}
#endif
#endif
