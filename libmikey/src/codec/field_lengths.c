/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * field_lengths.c - the lengths that registry values imply (MAC, hash, DH
 * value, TS value: RFC 3830 §6.2, §6.3, §6.6, §6.8) and which payload opens
 * a KEMAC's plaintext for a data type.
 */
#include "codec/codec.h"

uint8_t mikey_kemac_first_type(uint8_t data_type)
{
	switch (data_type) {
	case MIKEY_DT_PK_INIT:   /* RFC 3830 §6.2: ID first in the public-key method */
	case MIKEY_DT_RSAR_RESP: /* RFC 4738 §3.2: E(encr_key, IDr || {TGK}) */
		return MIKEY_PT_ID;
	default:
		return MIKEY_PT_KEY_DATA;
	}
}

int mikey_mac_len(uint8_t mac_alg)
{
	switch (mac_alg) {
	case MIKEY_MAC_NULL:
		return 0;
	case MIKEY_MAC_HMAC_SHA1_160:
		return 20;
	case MIKEY_MAC_HMAC_SHA256_256:
		return 32;
	}
	return -1;
}

int mikey_hash_len(uint8_t hash_func)
{
	switch (hash_func) {
	case MIKEY_HASH_SHA1:
		return 20;
	case MIKEY_HASH_MD5:
		return 16;
	case MIKEY_HASH_SHA256:
		return 32;
	}
	return -1;
}

int mikey_dh_value_len(uint8_t group)
{
	switch (group) {
	case MIKEY_DH_OAKLEY_5:
		return 192;
	case MIKEY_DH_OAKLEY_1:
		return 96;
	case MIKEY_DH_OAKLEY_2:
		return 128;
	}
	return -1;
}

int mikey_ts_value_len(uint8_t ts_type)
{
	switch (ts_type) {
	case MIKEY_TS_NTP_UTC:
	case MIKEY_TS_NTP:
		return 8;
	case MIKEY_TS_COUNTER:
	case MIKEY_TS_NTP_UTC_32:
		return 4;
	}
	return -1;
}
