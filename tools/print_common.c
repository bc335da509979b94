/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* print_common.c - helpers shared by the text and JSON printers. */
#include "print.h"

unsigned long long be_uint(const uint8_t *p, size_t n)
{
	unsigned long long v = 0;

	for (size_t i = 0; i < n && i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

int is_printable(const uint8_t *p, size_t n)
{
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (p[i] < 0x20 || p[i] > 0x7e)
			return 0;
	return 1;
}

const char *sp_value_name(uint8_t prot_type, const mikey_sp_param *param, int *has_registry)
{
	const char *(*fn)(uint8_t) = NULL;

	if (prot_type == MIKEY_PROT_SRTP) {
		switch (param->type) {
		case MIKEY_SRTP_ENCR_ALG: /* RFC 3830 Table 6.10.1.b */
			fn = mikey_srtp_encr_name;
			break;
		case MIKEY_SRTP_AUTH_ALG: /* Table 6.10.1.c */
		case MIKEY_SRTP_SRTP_AUTH_ALG:  /* RFC 4771 §4 Table 3: SRTP and SRTCP */
		case MIKEY_SRTP_SRTCP_AUTH_ALG: /* auth algorithms take the same values */
			fn = mikey_srtp_auth_name;
			break;
		case MIKEY_SRTP_PRF: /* Table 6.10.1.d */
			fn = mikey_srtp_prf_name;
			break;
		case MIKEY_SRTP_FEC_ORDER: /* Table 6.10.1.e */
			fn = mikey_fec_order_name;
			break;
		default:
			break;
		}
	} else if (prot_type == MIKEY_PROT_TESLA) {
		if (param->type == MIKEY_TESLA_PRF) /* RFC 4442 §4.2 */
			fn = mikey_tesla_prf_name;
		else if (param->type == MIKEY_TESLA_MAC)
			fn = mikey_tesla_mac_name;
	}
	*has_registry = fn != NULL;
	if (fn == NULL || param->len == 0 || param->len > 8)
		return NULL;
	unsigned long long v = be_uint(param->value, param->len);
	return v <= 0xff ? fn((uint8_t)v) : NULL;
}

const char *payload_title(int type)
{
	switch (type) {
	case MIKEY_PT_HDR:
		return "Common Header";
	case MIKEY_PT_KEMAC:
		return "Key data transport";
	case MIKEY_PT_PKE:
		return "Envelope data";
	case MIKEY_PT_DH:
		return "DH data";
	case MIKEY_PT_SIGN:
		return "Signature";
	case MIKEY_PT_T:
		return "Timestamp";
	case MIKEY_PT_ID:
		return "ID";
	case MIKEY_PT_CERT:
		return "Certificate";
	case MIKEY_PT_CHASH:
		return "Cert hash";
	case MIKEY_PT_V:
		return "Ver msg";
	case MIKEY_PT_SP:
		return "Security Policy";
	case MIKEY_PT_RAND:
		return "RAND";
	case MIKEY_PT_ERR:
		return "Error";
	case MIKEY_PT_TR:
		return "Timestamp with role";
	case MIKEY_PT_IDR:
		return "ID with role";
	case MIKEY_PT_RANDR:
		return "RAND with role";
	case MIKEY_PT_TP:
		return "Ticket Policy";
	case MIKEY_PT_TICKET:
		return "Ticket";
	case MIKEY_PT_KEY_DATA:
		return "Key data sub-payload";
	case MIKEY_PT_GEN_EXT:
		return "General Extension";
	case MIKEY_PT_SAKKE:
		return "SAKKE";
	default:
		return "Unknown payload";
	}
}
