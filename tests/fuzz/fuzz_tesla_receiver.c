/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fuzz_tesla_receiver.c - arbitrary bytes as SRTP/SRTCP + TESLA packets
 * (RFC 4383 §4.2, §4.5) into a receiver (libmikey/src/srtp/ glue over the TESLA
 * core) with fixed parameters, interleaved with genuine packets from the
 * real sender so keys get disclosed and buffered packets get verified.
 *
 * Input: records of
 *   flags (1 byte): bit 0 SRTCP; bit 1 insider: overwrite the last 4 bytes
 *     with a valid SRTP tag made with the group key (RFC 4383 §7: any
 *     member can), so the bytes reach TESLA; bit 2 genuine: the data is
 *     the payload of an RTP packet the real sender protects; bits 3-7:
 *     milliseconds the clock advances first;
 *   length (2 bytes, big-endian, cut to what is left); data.
 * Oracle: besides the sanitizers, every packet the receiver releases must
 * be one the genuine sender sent, byte for byte (TESLA's promise); an
 * insider packet coming out aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mikey/srtp.h"
#include "mikey/srtp_tesla.h"
#include "mikey/tesla.h"
#include "srtp/srtp_kdf.h"

#define SSRC 0x0badcafeu
#define T0 ((uint64_t)3900000000u << 32)
#define MS(x) MIKEY_TESLA_NTP_FROM_MS(x)
#define MAX_GENUINE 4096
#define CAP 2048

static const uint8_t mkey[30] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                                 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30};
static const uint8_t seed[20] = {0xf0, 0x22};

/* Genuine RTP packets by sequence number (seq = 1..MAX_GENUINE). */
static uint8_t *genuine[MAX_GENUINE + 1];
static size_t genuine_len[MAX_GENUINE + 1];

static void check_released(const uint8_t *out, size_t len, bool rtcp)
{
	if (rtcp)
		abort(); /* the genuine sender sends no RTCP here */
	if (len < 12)
		abort();
	unsigned seq = (unsigned)out[2] << 8 | out[3];
	if (seq == 0 || seq > MAX_GENUINE || genuine[seq] == NULL || genuine_len[seq] != len ||
	    memcmp(genuine[seq], out, len) != 0)
		abort();
}

/* Built once in LLVMFuzzerInitialize (issue 7 §2: building the 300-key
 * chain and keying libsrtp2 per input held the target to a few hundred
 * inputs/s). Every input still starts from the same fresh state: a copy
 * of the template sender at interval 0, a new tx/rx pair and receiver. */
static mikey_tesla_params rx_params;
static mikey_crypto_session cs;
static mikey_tesla_receiver_config rcfg;
static mikey_tesla_sender *template_sender;
/* Held for the whole run: libsrtp2 as Debian builds it uses NSS, which
 * initialises (dlopen of its modules) on the first live session and shuts
 * down with the last; keeping one session alive makes srtp_create per
 * input cheap. It is never used for packets. */
static mikey_srtp_tesla_tx *keep_alive;
static uint8_t rtp_auth[20], rtcp_auth[20];

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	mikey_tesla_params p;

	(void)argc;
	(void)argv;
	mikey_tesla_params_default(&p);
	p.t_0 = T0;
	p.t_int = 20;
	p.d = 2;
	p.n_c = 300; /* 6 s of session */
	memset(&cs, 0, sizeof(cs));
	cs.ssrc = SSRC;
	mikey_srtp_policy_default(&cs.policy);
	memcpy(cs.master_key, mkey, 16);
	cs.master_key_len = 16;
	memcpy(cs.master_salt, mkey + 16, 14);
	cs.master_salt_len = 14;
	mikey_tesla_receiver_config_default(&rcfg);
	rcfg.max_packets = 64;
	rcfg.max_bytes = 32768;
	rcfg.max_gap = 16;
	if (mikey_srtp_kdf(mkey, 16, mkey + 16, MIKEY_SRTP_LABEL_RTP_AUTH, rtp_auth, 20) != MIKEY_OK ||
	    mikey_srtp_kdf(mkey, 16, mkey + 16, MIKEY_SRTP_LABEL_RTCP_AUTH, rtcp_auth, 20) != MIKEY_OK ||
	    mikey_tesla_sender_new(&p, seed, sizeof(seed), &template_sender) != MIKEY_OK)
		abort();
	rx_params = *mikey_tesla_sender_get0_params(template_sender);
	rx_params.d_t = MS(5);
	if (mikey_srtp_tesla_tx_new(&cs, NULL, template_sender, &keep_alive) != MIKEY_OK)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	mikey_tesla_sender *s = NULL;
	mikey_srtp_tesla_tx *tx = NULL;
	mikey_srtp_tesla_rx *rx = NULL;
	uint8_t pkt[CAP], out[CAP];
	uint64_t now = T0 + MS(21);
	unsigned next_seq = 1;

	if (mikey_tesla_sender_dup(template_sender, &s) != MIKEY_OK ||
	    mikey_srtp_tesla_tx_new(&cs, NULL, s, &tx) != MIKEY_OK ||
	    mikey_srtp_tesla_rx_new(&cs, NULL, &rx_params, &rcfg, &rx) != MIKEY_OK)
		abort();

	while (size >= 3) {
		uint8_t flags = data[0];
		size_t len = (size_t)data[1] << 8 | data[2];
		mikey_srtp_tesla_result res;
		bool rtcp = flags & 1;
		int rc;

		data += 3;
		size -= 3;
		if (len > size)
			len = size;
		if (len > 1400)
			len = 1400;
		now += MS(flags >> 3);
		if (flags & 4) {
			/* Genuine: RTP header + the data as payload. */
			if (next_seq > MAX_GENUINE)
				break;
			static const uint8_t hdr[12] = {0x80, 0, 0, 0, 0, 0, 0, 0, 0x0b, 0xad, 0xca, 0xfe};
			memcpy(pkt, hdr, 12);
			pkt[2] = (uint8_t)(next_seq >> 8);
			pkt[3] = (uint8_t)next_seq;
			memcpy(pkt + 12, data, len);
			free(genuine[next_seq]);
			genuine[next_seq] = malloc(12 + len);
			if (genuine[next_seq] == NULL)
				abort();
			memcpy(genuine[next_seq], pkt, 12 + len);
			genuine_len[next_seq] = 12 + len;
			next_seq++;
			size_t plen;
			if (mikey_srtp_tesla_tx_protect_rtp(tx, pkt, 12 + len, sizeof(pkt), now, &plen) == MIKEY_OK)
				rc = mikey_srtp_tesla_rx_input_rtp(rx, pkt, plen, now, &res);
			else
				rc = MIKEY_OK; /* chain exhausted: nothing sent */
		} else {
			memcpy(pkt, data, len);
			if ((flags & 2) && len >= 4 + 12)
				(void)mikey_srtp_tag(rtcp ? rtcp_auth : rtp_auth, pkt, len - 4, !rtcp, 0, pkt + len - 4, 4);
			rc = rtcp ? mikey_srtp_tesla_rx_input_rtcp(rx, pkt, len, now, &res)
			          : mikey_srtp_tesla_rx_input_rtp(rx, pkt, len, now, &res);
		}
		if (rc != MIKEY_OK)
			abort();
		data += len;
		size -= len;
		size_t out_len;
		bool out_rtcp;
		while ((rc = mikey_srtp_tesla_rx_next(rx, out, sizeof(out), &out_len, &out_rtcp)) == MIKEY_OK)
			check_released(out, out_len, out_rtcp);
		if (rc != MIKEY_ERR_NOT_FOUND)
			abort();
	}

	mikey_srtp_tesla_rx_free(rx);
	mikey_srtp_tesla_tx_free(tx);
	mikey_tesla_sender_free(s);
	for (unsigned i = 0; i < next_seq; i++) {
		free(genuine[i]);
		genuine[i] = NULL;
	}
	return 0;
}
