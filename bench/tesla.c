/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench/tesla.c - per-packet cost of RFC 4383 TESLA-SRTP (libmikey/src/srtp/
 * glue: libsrtp2 AES-CM encryption + TESLA extension + 32-bit SRTP tag)
 * against baselines measured in the same run:
 *   - plain libsrtp2 AES_CM_128_HMAC_SHA1_80 srtp_protect / srtp_unprotect
 *     (target: TESLA <= 2x);
 *   - per-packet ECDSA P-256 / SHA-256 sign and verify through OpenSSL EVP
 *     (target: TESLA >= 50x cheaper);
 * and the receiver's buffer memory against the disclosure delay d and the
 * packet rate. Rounds alternate the operations; the median round counts.
 *
 *   bench/tesla [--packets N] [--rounds R] [--payload BYTES]
 *
 * Prints ratios; never asserts on time.
 */
#include <openssl/evp.h>
#include <openssl/ec.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <srtp2/srtp.h>

#include "mikey/srtp.h"
#include "mikey/srtp_tesla.h"
#include "mikey/tesla.h"

#define SSRC 0x5e1f0001u
#define T0 ((uint64_t)3900000000u << 32)
#define MS(x) MIKEY_TESLA_NTP_FROM_MS(x)
#define PKT_CAP 1600

static const uint8_t mkey[30] = {0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0xfe, 0xdc,
                                 0xba, 0x98, 0x76, 0x54, 0x32, 0x10, 0x0e, 0xc6, 0x75, 0xad,
                                 0x49, 0x8a, 0xfe, 0xeb, 0xb6, 0x96, 0x0b, 0x3a, 0xab, 0xe6};
static const uint8_t seed[20] = {0xbe, 0x9c, 0x11};

static size_t n_packets = 20000, n_rounds = 5, payload = 160;

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "bench/tesla: %s failed\n", what);
	exit(1);
}

static size_t make_rtp(uint8_t *b, uint16_t seq, uint32_t ts)
{
	b[0] = 0x80;
	b[1] = 0;
	b[2] = (uint8_t)(seq >> 8);
	b[3] = (uint8_t)seq;
	b[4] = (uint8_t)(ts >> 24);
	b[5] = (uint8_t)(ts >> 16);
	b[6] = (uint8_t)(ts >> 8);
	b[7] = (uint8_t)ts;
	b[8] = (uint8_t)(SSRC >> 24);
	b[9] = (uint8_t)(SSRC >> 16);
	b[10] = (uint8_t)(SSRC >> 8);
	b[11] = (uint8_t)SSRC;
	memset(b + 12, 0x55 ^ (seq & 0xff), payload);
	return 12 + payload;
}

static srtp_t srtp_session(srtp_ssrc_type_t dir)
{
	srtp_policy_t pol;
	srtp_t s;

	memset(&pol, 0, sizeof(pol));
	srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtp);
	srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtcp);
	pol.key = (unsigned char *)mkey;
	pol.ssrc.type = dir;
	pol.window_size = 1024;
	if (srtp_create(&s, &pol) != srtp_err_status_ok)
		die("srtp_create");
	return s;
}

static void make_cs(mikey_crypto_session *cs)
{
	memset(cs, 0, sizeof(*cs));
	cs->ssrc = SSRC;
	mikey_srtp_policy_default(&cs->policy);
	memcpy(cs->master_key, mkey, 16);
	cs->master_key_len = 16;
	memcpy(cs->master_salt, mkey + 16, 14);
	cs->master_salt_len = 14;
}

/* One round's storage: n packets, protected by each scheme. */
typedef struct round_buf {
	uint8_t (*pkt)[PKT_CAP];
	size_t *len;
} round_buf;

static void rb_init(round_buf *rb)
{
	rb->pkt = malloc(n_packets * sizeof(*rb->pkt));
	rb->len = malloc(n_packets * sizeof(*rb->len));
	if (rb->pkt == NULL || rb->len == NULL)
		die("malloc");
}

static void rb_free(round_buf *rb)
{
	free(rb->pkt);
	free(rb->len);
}

typedef struct tesla_setup {
	mikey_tesla_sender *sender;
	mikey_tesla_params p;
	uint32_t t_int, per_interval;
} tesla_setup;

static void tesla_setup_new(tesla_setup *t, uint32_t t_int, uint32_t per_interval, uint32_t d)
{
	mikey_tesla_params p;

	mikey_tesla_params_default(&p);
	p.t_0 = T0;
	p.t_int = t_int;
	p.d = d;
	p.n_c = (uint32_t)((n_packets + 8u * per_interval) * n_rounds / per_interval + d + 16);
	if (mikey_tesla_sender_new(&p, seed, sizeof(seed), &t->sender) != MIKEY_OK)
		die("mikey_tesla_sender_new");
	t->p = *mikey_tesla_sender_get0_params(t->sender);
	t->p.d_t = MS(5);
	t->t_int = t_int;
	t->per_interval = per_interval;
}

/* Sending time of packet |k| counted from the start of the session:
 * |per_interval| packets spread over each interval, from interval 1. */
static uint64_t send_time(const tesla_setup *t, uint64_t k)
{
	uint64_t us = (uint64_t)t->t_int * 1000u * (1 + k / t->per_interval) +
	              (uint64_t)t->t_int * 1000u * (k % t->per_interval) / t->per_interval + 100;
	return T0 + (uint64_t)(((__uint128_t)us << 32) / 1000000u);
}

static double median(double *v, size_t n)
{
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && v[j - 1] > v[j]; j--) {
			double x = v[j];
			v[j] = v[j - 1];
			v[j - 1] = x;
		}
	return v[n / 2];
}

enum { OP_SRTP_P, OP_SRTP_U, OP_TESLA_TX, OP_TESLA_RX, OP_CORE_TX, OP_ECDSA_S, OP_ECDSA_V, N_OPS };
static const char *const op_name[N_OPS] = {
	"libsrtp2 protect (AES-CM-128 + HMAC-SHA1-80)", "libsrtp2 unprotect",
	"TESLA-SRTP sender (glue protect)", "TESLA-SRTP receiver (input + next)",
	"  of which TESLA extension alone (core sender)",
	"ECDSA P-256 sign (EVP, SHA-256)", "ECDSA P-256 verify",
};

static void bench_speed(uint32_t t_int, uint32_t per_interval)
{
	double t[N_OPS][32];
	tesla_setup ts;
	mikey_crypto_session cs;
	round_buf rb;
	EVP_PKEY *key = EVP_EC_gen("P-256");
	uint8_t sig[128], tmp[PKT_CAP];
	size_t sig_len = 0;
	uint64_t k_base = 0;

	if (key == NULL)
		die("EVP_EC_gen");
	rb_init(&rb);
	tesla_setup_new(&ts, t_int, per_interval, 2);
	make_cs(&cs);
	size_t ecdsa_n = n_packets / 20 + 1; /* ECDSA is slow: fewer, per packet */

	for (size_t r = 0; r < n_rounds; r++) {
		double a, b;
		/* libsrtp2 baseline. Fresh sessions each round (sequence numbers
		 * restart); packets are prepared outside the timed region. */
		srtp_t tx = srtp_session(ssrc_any_outbound), rx = srtp_session(ssrc_any_inbound);
		for (size_t k = 0; k < n_packets; k++)
			rb.len[k] = make_rtp(rb.pkt[k], (uint16_t)k, (uint32_t)k * 160);
		a = now_ns();
		for (size_t k = 0; k < n_packets; k++) {
			int l = (int)rb.len[k];
			if (srtp_protect(tx, rb.pkt[k], &l) != srtp_err_status_ok)
				die("srtp_protect");
			rb.len[k] = (size_t)l;
		}
		b = now_ns();
		t[OP_SRTP_P][r] = (b - a) / (double)n_packets;
		a = now_ns();
		for (size_t k = 0; k < n_packets; k++) {
			int l = (int)rb.len[k];
			if (srtp_unprotect(rx, rb.pkt[k], &l) != srtp_err_status_ok)
				die("srtp_unprotect");
		}
		b = now_ns();
		t[OP_SRTP_U][r] = (b - a) / (double)n_packets;
		srtp_dealloc(tx);
		srtp_dealloc(rx);

		/* TESLA: the sender continues its chain across rounds (time runs
		 * on); a fresh receiver each round, bootstrapped with the key of
		 * the interval before the round. */
		mikey_srtp_tesla_tx *gtx;
		mikey_srtp_tesla_rx *grx;
		mikey_tesla_params rp = ts.p;
		mikey_tesla_receiver_config rcfg;
		mikey_tesla_receiver_config_default(&rcfg);
		rcfg.max_packets = 4096;
		rcfg.max_bytes = 8u << 20;
		if (mikey_srtp_tesla_tx_new(&cs, NULL, ts.sender, &gtx) != MIKEY_OK)
			die("tx_new");
		for (size_t k = 0; k < n_packets; k++)
			rb.len[k] = make_rtp(rb.pkt[k], (uint16_t)k, (uint32_t)k * 160);
		a = now_ns();
		for (size_t k = 0; k < n_packets; k++) {
			int rc = mikey_srtp_tesla_tx_protect_rtp(gtx, rb.pkt[k], rb.len[k], PKT_CAP,
			                                         send_time(&ts, k_base + k), &rb.len[k]);
			if (rc != MIKEY_OK) {
				fprintf(stderr, "round %zu packet %zu: %s\n", r, k, mikey_error_name(rc));
				die("tesla protect");
			}
		}
		b = now_ns();
		t[OP_TESLA_TX][r] = (b - a) / (double)n_packets;
		mikey_srtp_tesla_tx_free(gtx);


		/* The receiver's commitment: the chain key just before this
		 * round's first interval (what key management would hand a late
		 * joiner, RFC 4082 §3.3). */
		uint64_t first_i;
		if (mikey_tesla_interval(&ts.p, send_time(&ts, k_base), &first_i) != MIKEY_OK || first_i == 0)
			die("interval");
		if (first_i > 1) {
			mikey_tesla_chain *ch;
			if (mikey_tesla_chain_new(&ts.p, seed, sizeof(seed), &ch) != MIKEY_OK ||
			    mikey_tesla_chain_key(ch, (uint32_t)(first_i - 1), rp.commitment) != MIKEY_OK)
				die("chain");
			rp.commit_index = (uint32_t)(first_i - 1);
			mikey_tesla_chain_free(ch);
		}
		if (mikey_srtp_tesla_rx_new(&cs, NULL, &rp, &rcfg, &grx) != MIKEY_OK)
			die("rx_new");
		size_t released = 0, out_len;
		bool rtcp;
		mikey_srtp_tesla_result res;
		a = now_ns();
		for (size_t k = 0; k < n_packets; k++) {
			if (mikey_srtp_tesla_rx_input_rtp(grx, rb.pkt[k], rb.len[k], send_time(&ts, k_base + k) + MS(1),
			                                  &res) != MIKEY_OK)
				die("tesla input");
			while (mikey_srtp_tesla_rx_next(grx, tmp, sizeof(tmp), &out_len, &rtcp) == MIKEY_OK)
				released++;
		}
		b = now_ns();
		/* The last d intervals wait for keys that come later: count only
		 * the released packets' share of the work. */
		if (released + 2 * (size_t)per_interval * 3 < n_packets)
			die("tesla receiver released too few packets");
		t[OP_TESLA_RX][r] = (b - a) / (double)n_packets;
		mikey_srtp_tesla_rx_free(grx);
		k_base += n_packets + 8 * per_interval; /* skip ahead a little */

		/* The TESLA core alone on fresh copies of the packets (no encryption, no
		 * tag): what the extension costs by itself. */
		{
			tesla_setup core;
			size_t l;
			tesla_setup_new(&core, t_int, per_interval, 2);
			for (size_t k = 0; k < n_packets; k++)
				rb.len[k] = make_rtp(rb.pkt[k], (uint16_t)k, (uint32_t)k * 160);
			a = now_ns();
			for (size_t k = 0; k < n_packets; k++) {
				if (mikey_tesla_sender_protect_rtp(core.sender, rb.pkt[k], rb.len[k], PKT_CAP, 0,
				                                   send_time(&core, k), &l) != MIKEY_OK)
					die("core protect");
			}
			b = now_ns();
			t[OP_CORE_TX][r] = (b - a) / (double)n_packets;
			mikey_tesla_sender_free(core.sender);
		}

		/* ECDSA per packet over the same bytes a packet would carry. */
		a = now_ns();
		for (size_t k = 0; k < ecdsa_n; k++) {
			EVP_MD_CTX *ctx = EVP_MD_CTX_new();
			sig_len = sizeof(sig);
			if (ctx == NULL || EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, key) != 1 ||
			    EVP_DigestSign(ctx, sig, &sig_len, rb.pkt[k], 12 + payload) != 1)
				die("ECDSA sign");
			EVP_MD_CTX_free(ctx);
		}
		b = now_ns();
		t[OP_ECDSA_S][r] = (b - a) / (double)ecdsa_n;
		a = now_ns();
		for (size_t k = 0; k < ecdsa_n; k++) {
			EVP_MD_CTX *ctx = EVP_MD_CTX_new();
			/* Verifies the last signature over its own packet (k = last). */
			if (ctx == NULL || EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, key) != 1 ||
			    EVP_DigestVerify(ctx, sig, sig_len, rb.pkt[ecdsa_n - 1], 12 + payload) != 1)
				die("ECDSA verify");
			EVP_MD_CTX_free(ctx);
		}
		b = now_ns();
		t[OP_ECDSA_V][r] = (b - a) / (double)ecdsa_n;
	}

	double med[N_OPS];
	for (int o = 0; o < N_OPS; o++)
		med[o] = median(t[o], n_rounds);
	printf("\n== per packet, %zu-byte payload, T_int %u ms, %u packet(s) per interval, d = 2 ==\n", payload,
	       t_int, per_interval);
	for (int o = 0; o < N_OPS; o++)
		printf("  %-46s %9.0f ns\n", op_name[o], med[o]);
	printf("  ratio TESLA sender   / libsrtp2 protect   : %5.2fx  (target <= 2)\n", med[OP_TESLA_TX] / med[OP_SRTP_P]);
	printf("  ratio TESLA receiver / libsrtp2 unprotect : %5.2fx  (target <= 2)\n", med[OP_TESLA_RX] / med[OP_SRTP_U]);
	printf("  ECDSA sign   / TESLA sender   : %6.1fx cheaper  (target >= 50)\n", med[OP_ECDSA_S] / med[OP_TESLA_TX]);
	printf("  ECDSA verify / TESLA receiver : %6.1fx cheaper  (target >= 50)\n", med[OP_ECDSA_V] / med[OP_TESLA_RX]);
	mikey_tesla_sender_free(ts.sender);
	mikey_crypto_session_cleanup(&cs);
	EVP_PKEY_free(key);
	rb_free(&rb);
}

/* Receiver memory: peak bytes held against d and the packet rate, with
 * T_int = 20 ms and packets arriving in time. Counts, not times. */
static void bench_memory(void)
{
	static const uint32_t ds[] = {1, 2, 4, 8};
	static const uint32_t per_iv[] = {1, 4, 20}; /* 50, 200, 1000 packets/s */
	mikey_crypto_session cs;

	make_cs(&cs);
	printf("\n== receiver memory (peak held bytes / packets), %zu-byte payload, T_int 20 ms ==\n", payload);
	printf("  %-6s", "d");
	for (size_t j = 0; j < sizeof(per_iv) / sizeof(per_iv[0]); j++)
		printf("   %5u pkt/s: peak, bound, unsafe", per_iv[j] * 50);
	printf("\n");
	for (size_t i = 0; i < sizeof(ds) / sizeof(ds[0]); i++) {
		printf("  %-6u", ds[i]);
		for (size_t j = 0; j < sizeof(per_iv) / sizeof(per_iv[0]); j++) {
			size_t saved_n = n_packets, saved_r = n_rounds;
			n_packets = 40 * per_iv[j] + 100;
			n_rounds = 1;
			tesla_setup ts;
			tesla_setup_new(&ts, 20, per_iv[j], ds[i]);
			mikey_tesla_receiver_config rcfg;
			mikey_tesla_receiver_config_default(&rcfg);
			rcfg.max_packets = 100000;
			rcfg.max_bytes = 64u << 20;
			mikey_srtp_tesla_tx *tx;
			mikey_srtp_tesla_rx *rx;
			if (mikey_srtp_tesla_tx_new(&cs, NULL, ts.sender, &tx) != MIKEY_OK ||
			    mikey_srtp_tesla_rx_new(&cs, NULL, &ts.p, &rcfg, &rx) != MIKEY_OK)
				die("memory setup");
			uint8_t pkt[PKT_CAP], out[PKT_CAP];
			size_t len, out_len;
			bool rtcp;
			mikey_srtp_tesla_result res;
			for (size_t k = 0; k < n_packets; k++) {
				len = make_rtp(pkt, (uint16_t)k, 0);
				if (mikey_srtp_tesla_tx_protect_rtp(tx, pkt, len, sizeof(pkt), send_time(&ts, k), &len) !=
				        MIKEY_OK ||
				    mikey_srtp_tesla_rx_input_rtp(rx, pkt, len, send_time(&ts, k) + MS(1), &res) != MIKEY_OK)
					die("memory run");
				while (mikey_srtp_tesla_rx_next(rx, out, sizeof(out), &out_len, &rtcp) == MIKEY_OK)
					;
			}
			mikey_srtp_tesla_rx_counters c;
			mikey_srtp_tesla_rx_get_counters(rx, &c);
			/* Held packets peak at about (d + 1) intervals of traffic. */
			/* Unsafe drops are TESLA working as specified (RFC 4082 §3.5):
			 * with d = 1, packets sent in the last D_t + latency of an
			 * interval may already have their key disclosed. */
			printf(" %9zu B %3u %4.1f%%", c.tesla.peak_bytes, (ds[i] + 1) * per_iv[j],
			       100.0 * (double)c.tesla.unsafe / (double)n_packets);
			if (c.tesla.overflow != 0 || c.tesla.forged != 0)
				die("memory run: overflow or forged");
			mikey_srtp_tesla_rx_free(rx);
			mikey_srtp_tesla_tx_free(tx);
			mikey_tesla_sender_free(ts.sender);
			n_packets = saved_n;
			n_rounds = saved_r;
		}
		printf("\n");
	}
	printf("  (peak: high-water mark of held bytes, entry overhead included; the backlog\n"
	       "   bound in packets: (d+1)*rate*T_int; unsafe: share dropped by the RFC 4082 safety test with\n"
	       "   D_t = 5 ms and 1 ms latency. The receiver's fixed part, (max_gap + 1) keys and two\n"
	       "   replay bitmaps, is not included)\n");
	mikey_crypto_session_cleanup(&cs);
}

int main(int argc, char **argv)
{
	for (int i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--packets") == 0)
			n_packets = strtoul(argv[i + 1], NULL, 10);
		else if (strcmp(argv[i], "--rounds") == 0)
			n_rounds = strtoul(argv[i + 1], NULL, 10);
		else if (strcmp(argv[i], "--payload") == 0)
			payload = strtoul(argv[i + 1], NULL, 10);
		else {
			fprintf(stderr, "usage: %s [--packets N] [--rounds R (<= 31)] [--payload BYTES (<= 1400)]\n",
			        argv[0]);
			return 2;
		}
	}
	if (n_packets < 200 || n_rounds == 0 || n_rounds > 31 || payload > 1400) {
		fprintf(stderr, "bench/tesla: bad arguments\n");
		return 2;
	}
	(void)srtp_init();
	printf("bench/tesla: libsrtp2 %s; medians of %zu rounds of %zu packets\n", srtp_get_version_string(), n_rounds,
	       n_packets);
	printf("note: Debian's libsrtp2 is built on NSS (about 5x slower than on OpenSSL); the TESLA path\n"
	       "      also uses it for AES-CM, but its HMACs go through OpenSSL.\n");
	bench_speed(20, 1);
	bench_speed(20, 5);
	bench_memory();
	return 0;
}
