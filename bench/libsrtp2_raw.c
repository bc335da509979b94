/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libsrtp2_raw.c - plain libsrtp2 throughput, whatever libsrtp2 this
 * binary was linked with: protect, and protect + unprotect, of RTP packets
 * with a 160-byte payload (172 bytes), for AES-CM-128/HMAC-SHA1-80 and
 * AES-GCM-128. Built twice (bench/meson.build): against the libsrtp2 this
 * project builds from Debian's source on OpenSSL, and against Debian's
 * binary libsrtp2 (NSS); bench/libsrtp2_compare.sh runs both and prints
 * the ratio (docs/libsrtp2-openssl.md).
 *
 *   libsrtp2_raw [--iterations N] [--rounds R]
 *
 * Prints one line per profile and operation: packets/s, best of R rounds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <srtp2/srtp.h>

#define PAYLOAD 160
#define HDR 12

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void make_rtp(unsigned char *b, unsigned seq)
{
	memset(b, 0, HDR + PAYLOAD);
	b[0] = 0x80;
	b[1] = 96;
	b[2] = (unsigned char)(seq >> 8);
	b[3] = (unsigned char)seq;
	b[11] = 0x42;
	for (int i = 0; i < PAYLOAD; i++)
		b[HDR + i] = (unsigned char)(i * 7 + seq);
}

static srtp_t make_session(int gcm, int inbound, unsigned char *key)
{
	srtp_policy_t p;
	srtp_t s = NULL;

	memset(&p, 0, sizeof(p));
	if (gcm) {
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&p.rtp);
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&p.rtcp);
	} else {
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p.rtp);
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p.rtcp);
	}
	p.ssrc.type = inbound ? ssrc_any_inbound : ssrc_any_outbound;
	p.key = key;
	p.window_size = 1024;
	if (srtp_create(&s, &p) != srtp_err_status_ok) {
		fprintf(stderr, "libsrtp2_raw: srtp_create failed\n");
		exit(1);
	}
	return s;
}

/* One round of |n| packets; returns packets/s. */
static double round_once(int gcm, int both, unsigned n, unsigned *seq)
{
	unsigned char key[46], pkt[HDR + PAYLOAD + SRTP_MAX_TRAILER_LEN];
	srtp_t tx, rx;
	double t0, t;

	for (int i = 0; i < 46; i++)
		key[i] = (unsigned char)(i + 1);
	tx = make_session(gcm, 0, key);
	rx = make_session(gcm, 1, key);
	t0 = now_s();
	for (unsigned i = 0; i < n; i++) {
		int len = HDR + PAYLOAD;
		make_rtp(pkt, (*seq)++ & 0xffff);
		if (srtp_protect(tx, pkt, &len) != srtp_err_status_ok) {
			fprintf(stderr, "libsrtp2_raw: protect failed\n");
			exit(1);
		}
		if (both && srtp_unprotect(rx, pkt, &len) != srtp_err_status_ok) {
			fprintf(stderr, "libsrtp2_raw: unprotect failed\n");
			exit(1);
		}
	}
	t = now_s() - t0;
	srtp_dealloc(tx);
	srtp_dealloc(rx);
	return t > 0 ? n / t : 0;
}

int main(int argc, char **argv)
{
	unsigned n = 200000, rounds = 3;

	for (int i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--iterations") == 0)
			n = (unsigned)strtoul(argv[i + 1], NULL, 10);
		else if (strcmp(argv[i], "--rounds") == 0)
			rounds = (unsigned)strtoul(argv[i + 1], NULL, 10);
	}
	/* Each round restarts at sequence 0: a new session per round. */
	if (n == 0 || n > 60000)
		n = n == 0 ? 1 : 60000;
	if (srtp_init() != srtp_err_status_ok)
		return 1;
	printf("libsrtp2_raw: %s, %u packets of %d bytes, best of %u rounds\n", srtp_get_version_string(), n,
	       HDR + PAYLOAD, rounds);
	for (int gcm = 0; gcm <= 1; gcm++) {
		for (int both = 0; both <= 1; both++) {
			double best = 0;
			for (unsigned r = 0; r < rounds; r++) {
				unsigned seq = 0;
				double v = round_once(gcm, both, n, &seq);
				if (v > best)
					best = v;
			}
			printf("%-22s %-20s %12.0f packets/s\n", gcm ? "AES-GCM-128" : "AES-CM-128/HMAC-SHA1-80",
			       both ? "protect+unprotect" : "protect", best);
		}
	}
	srtp_shutdown();
	return 0;
}
