/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * make_srtpgroup_seeds.c DIR - genuine inputs for fuzz_srtpgroup_dec
 * (srtpgroup_fuzz_input.h): for every profile and MKI length, packets of
 * two SSRCs protected by the sender side of the same code, an SRTCP
 * packet, and a rekey in the middle; and RFC 4771 RCCm1..3 streams.
 */
#include <stdio.h>
#include <string.h>

#include "srtpgroup_fuzz_input.h"
#include "srtpgroup_streams.h"

static size_t put(uint8_t *out, size_t at, uint8_t type, const uint8_t *d, size_t len)
{
	out[at] = type;
	out[at + 1] = (uint8_t)(len >> 8);
	out[at + 2] = (uint8_t)len;
	memcpy(out + at + 3, d, len);
	return at + 3 + len;
}

static int one(const char *dir, uint8_t prof_byte, uint8_t mode_byte)
{
	uint8_t mki_len = (uint8_t)(mode_byte % 5);
	uint8_t in[4096], pkt[512], key2[46];
	SgProfile p;
	SgStreams *tx = sg_streams_new(TRUE, 128, NULL);
	mikey_crypto_session cs;
	uint8_t mki[4];
	size_t at = SGF_HEADER;
	char path[512];
	FILE *f;

	if (tx == NULL)
		return 1;
	sgf_profile(prof_byte, &p);
	in[0] = prof_byte;
	in[1] = mode_byte;
	for (size_t i = 0; i < 46; i++) {
		in[2 + i] = (uint8_t)(i * 13 + prof_byte);
		key2[i] = (uint8_t)(i * 29 + 1);
	}
	sgf_mki(mki, mki_len, 1);
	if (!sg_profile_to_cs(&p, in + 2, sg_profile_key_len(&p), mki, mki_len, 0, 0, &cs, NULL))
		return 1;
	sgf_rcc(mode_byte, &cs);
	if (!sg_streams_install(tx, &cs, 1, 0, NULL))
		return 1;
	mikey_crypto_session_cleanup(&cs);
	for (int n = 0; n < 6; n++) {
		gsize out_len = 0;
		guint32 ssrc;
		if (n == 3) {
			/* The rekey, for both sides. */
			sgf_mki(mki, mki_len, 2);
			if (!sg_profile_to_cs(&p, key2, sg_profile_key_len(&p), mki, mki_len, 0, 0, &cs, NULL))
				return 1;
			sgf_rcc(mode_byte, &cs);
			if (!sg_streams_install(tx, &cs, 1, 0, NULL))
				return 1;
			mikey_crypto_session_cleanup(&cs);
			at = put(in, at, 2, key2, sizeof(key2));
		}
		memset(pkt, 0, sizeof(pkt));
		pkt[0] = 0x80;
		pkt[1] = 96;
		pkt[3] = (uint8_t)n;
		pkt[11] = (uint8_t)(1 + n % 2);
		for (int i = 12; i < 12 + 40; i++)
			pkt[i] = (uint8_t)(i + n);
		if (sg_streams_protect(tx, FALSE, pkt, 52, sizeof(pkt), &out_len, &ssrc, 0) != MIKEY_OK)
			return 1;
		at = put(in, at, 4, pkt, out_len);
	}
	{
		/* RTCP RR of SSRC 1, no report blocks */
		uint8_t rr[8] = {0x80, 201, 0, 1, 0, 0, 0, 1};
		gsize out_len = 0;
		guint32 ssrc;
		memcpy(pkt, rr, sizeof(rr));
		if (sg_streams_protect(tx, TRUE, pkt, sizeof(rr), sizeof(pkt), &out_len, &ssrc, 0) != MIKEY_OK)
			return 1;
		at = put(in, at, 1, pkt, out_len);
	}
	sg_streams_free(tx);
	snprintf(path, sizeof(path), "%s/srtpgroup-p%u-m%u.bin", dir, prof_byte, mode_byte);
	if ((f = fopen(path, "wb")) == NULL || fwrite(in, 1, at, f) != at || fclose(f) != 0)
		return 1;
	return 0;
}

int main(int argc, char **argv)
{
	/* AES-128-ICM and AES-256-ICM with both HMACs, and both GCMs. */
	static const uint8_t profiles[] = {1 + 5 * 2, 1 + 5 * 1, 2 + 5 * 2, 3, 4};
	int bad = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: make_srtpgroup_seeds DIR\n");
		return 2;
	}
	for (size_t i = 0; i < sizeof(profiles); i++)
		for (uint8_t m = 0; m <= 4; m += 4)
			bad |= one(argv[1], profiles[i], m);
	/* RFC 4771 on AES-128-ICM / HMAC-SHA1-80: RCCm1, m2, m3 (byte 1 =
	 * MKI length + 5 * mode + 20 * (R - 1)), with and without MKI. */
	static const uint8_t rcc[] = {5 + 20 * 1, 10 + 20 * 2 + 4, 15 + 20 * 0, 10 + 20 * 0};
	for (size_t i = 0; i < sizeof(rcc); i++)
		bad |= one(argv[1], 1 + 5 * 2, rcc[i]);
	return bad;
}
