/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench/srtp_session.c - per-packet cost of protect + unprotect with 1 and
 * with 1,000 streams (SSRCs) in one session, 160-byte payloads,
 * AES-CM-128 / HMAC-SHA1-80:
 *   - plain libsrtp2, all streams in one srtp_t (it walks a list to find
 *     the stream): the measurement behind the design of
 *     mikey/srtp_session.h;
 *   - mikey_srtp_sess (one srtp_t per SSRC behind a hash table);
 *     target: 1,000 streams cost at most 1.2x one stream.
 * Packets go round-robin over the streams; they are built outside the
 * timed loops. Rounds alternate the configurations; the median counts.
 *
 *   bench/srtp_session [--packets N] [--rounds R] [--streams S] [--null] [--nss-time]
 *
 * Prints packets/s and ratios; never asserts on time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <srtp2/srtp.h>

#include "mikey/srtp.h"
#include "mikey/srtp_session.h"

#ifdef BENCH_HAVE_NSS
#include <nss.h>
#endif

#define PKT_CAP 256
#define PAYLOAD 160
#define SSRC_BASE 0x40000000u

static size_t n_packets = 50000, n_rounds = 5, n_streams = 1000;
/* --null: NULL cipher and NULL auth, no crypto at all: what is left is
 * the stream lookup and replay bookkeeping, without the crypto backend. */
static bool null_policy;
/* --nss-time: Debian's libsrtp2 runs on NSS and initialises it with
 * NSS_INIT_OPTIMIZESPACE, which gives NSS's softoken 32-bucket hash tables
 * for sessions and objects: every packet walks chains that grow with the
 * keys alive in the process. An application that initialises NSS first,
 * without that flag, gets 1024 buckets (libsrtp2 then joins its init). */
static bool nss_time;

static void nss_init_if_asked(void)
{
	if (!nss_time)
		return;
#ifdef BENCH_HAVE_NSS
	if (NSS_InitContext("", "", "", "", NULL,
	                    NSS_INIT_READONLY | NSS_INIT_NOCERTDB | NSS_INIT_NOMODDB | NSS_INIT_FORCEOPEN |
	                        NSS_INIT_NOROOTINIT) == NULL) {
		fprintf(stderr, "bench/srtp_session: NSS_InitContext failed\n");
		exit(1);
	}
#else
	fprintf(stderr, "bench/srtp_session: built without NSS, --nss-time ignored\n");
#endif
}

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

_Noreturn static void die(const char *what)
{
	fprintf(stderr, "bench/srtp_session: %s failed\n", what);
	exit(1);
}

static uint32_t ssrc_of(size_t i)
{
	return SSRC_BASE + (uint32_t)i * 0x9e3779b1u % 0x10000000u;
}

static size_t make_rtp(uint8_t *b, uint32_t ssrc, uint16_t seq)
{
	b[0] = 0x80;
	b[1] = 0;
	b[2] = (uint8_t)(seq >> 8);
	b[3] = (uint8_t)seq;
	memset(b + 4, 0x11, 4);
	b[8] = (uint8_t)(ssrc >> 24);
	b[9] = (uint8_t)(ssrc >> 16);
	b[10] = (uint8_t)(ssrc >> 8);
	b[11] = (uint8_t)ssrc;
	memset(b + 12, 0x55 ^ (seq & 0xff), PAYLOAD);
	return 12 + PAYLOAD;
}

static void make_cs(mikey_crypto_session *cs, size_t i)
{
	memset(cs, 0, sizeof(*cs));
	cs->ssrc = ssrc_of(i);
	mikey_srtp_policy_default(&cs->policy); /* AES-CM-128 / HMAC-SHA1-80 */
	if (null_policy) {
		cs->policy.encr_alg = MIKEY_SRTP_ENCR_NULL;
		cs->policy.auth_alg = MIKEY_SRTP_AUTH_NULL;
		cs->policy.srtp_encr = cs->policy.srtcp_encr = false;
	}
	cs->master_key_len = 16;
	cs->master_salt_len = 14;
	for (size_t k = 0; k < 16; k++)
		cs->master_key[k] = (uint8_t)(i * 13 + k);
	for (size_t k = 0; k < 14; k++)
		cs->master_salt[k] = (uint8_t)(i * 7 + 0x80 + k);
}

/* Plain libsrtp2: one srtp_t holding |n| ssrc_specific streams. */
static srtp_t plain_session(size_t n)
{
	srtp_policy_t *pol = calloc(n, sizeof(*pol));
	uint8_t(*keys)[30] = calloc(n, sizeof(*keys));
	srtp_t s;

	if (pol == NULL || keys == NULL)
		die("calloc");
	for (size_t i = 0; i < n; i++) {
		mikey_crypto_session cs;
		make_cs(&cs, i);
		memcpy(keys[i], cs.master_key, 16);
		memcpy(keys[i] + 16, cs.master_salt, 14);
		if (null_policy) {
			srtp_crypto_policy_set_null_cipher_hmac_null(&pol[i].rtp);
			srtp_crypto_policy_set_null_cipher_hmac_null(&pol[i].rtcp);
		} else {
			srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol[i].rtp);
			srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol[i].rtcp);
		}
		pol[i].key = keys[i];
		pol[i].ssrc.type = ssrc_specific;
		pol[i].ssrc.value = cs.ssrc;
		pol[i].next = i + 1 < n ? &pol[i + 1] : NULL;
	}
	if (srtp_create(&s, pol) != srtp_err_status_ok)
		die("srtp_create");
	free(pol);
	free(keys);
	return s;
}

static mikey_srtp_sess *our_session(mikey_srtp_sess_dir dir, size_t n)
{
	mikey_srtp_sess *s;

	if (mikey_srtp_sess_new(dir, NULL, &s) != MIKEY_OK)
		die("mikey_srtp_sess_new");
	for (size_t i = 0; i < n; i++) {
		mikey_crypto_session cs;
		make_cs(&cs, i);
		if (mikey_srtp_sess_add_stream(s, &cs) != MIKEY_OK)
			die("mikey_srtp_sess_add_stream");
		mikey_crypto_session_cleanup(&cs);
	}
	return s;
}

typedef struct config {
	const char *name;
	size_t streams;
	bool ours;
	srtp_t ptx, prx;
	mikey_srtp_sess *tx, *rx;
	uint16_t next_seq; /* per round: every stream gets the same seqs */
	double ns[32];
} config;

static uint8_t (*pkt)[PKT_CAP];
static size_t *plen;

/* One round: n_packets round-robin over the streams, protect all, then
 * unprotect all; ns per packet for protect + unprotect. */
static double run_round(config *c)
{
	size_t per = n_packets / c->streams, n = per * c->streams;
	double a, b, t;

	for (size_t k = 0; k < n; k++)
		plen[k] = make_rtp(pkt[k], ssrc_of(k % c->streams), (uint16_t)(c->next_seq + k / c->streams));
	c->next_seq = (uint16_t)(c->next_seq + per);
	a = now_ns();
	for (size_t k = 0; k < n; k++) {
		if (c->ours) {
			if (mikey_srtp_sess_protect_rtp(c->tx, pkt[k], plen[k], PKT_CAP, &plen[k]) != MIKEY_OK)
				die("mikey protect");
		} else {
			int l = (int)plen[k];
			if (srtp_protect(c->ptx, pkt[k], &l) != srtp_err_status_ok)
				die("srtp_protect");
			plen[k] = (size_t)l;
		}
	}
	for (size_t k = 0; k < n; k++) {
		size_t out;
		if (c->ours) {
			if (mikey_srtp_sess_unprotect_rtp(c->rx, pkt[k], plen[k], &out) != MIKEY_OK)
				die("mikey unprotect");
		} else {
			int l = (int)plen[k];
			if (srtp_unprotect(c->prx, pkt[k], &l) != srtp_err_status_ok)
				die("srtp_unprotect");
		}
	}
	b = now_ns();
	t = (b - a) / (double)n;
	return t;
}

static void setup(config *c)
{
	if (c->ours) {
		c->tx = our_session(MIKEY_SRTP_SESS_PROTECT, c->streams);
		c->rx = our_session(MIKEY_SRTP_SESS_UNPROTECT, c->streams);
	} else {
		/* mikey_srtp_sess_new starts libsrtp2 for the library; a plain
		 * srtp_t needs it started too. */
		mikey_srtp_sess *dummy;
		if (mikey_srtp_sess_new(MIKEY_SRTP_SESS_PROTECT, NULL, &dummy) != MIKEY_OK)
			die("mikey_srtp_sess_new");
		mikey_srtp_sess_free(dummy);
		c->ptx = plain_session(c->streams);
		c->prx = plain_session(c->streams);
	}
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

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i += 2) {
		if (strcmp(argv[i], "--null") == 0) {
			null_policy = true;
			i--;
		} else if (strcmp(argv[i], "--nss-time") == 0) {
			nss_time = true;
			i--;
		} else if (i + 1 >= argc) {
			fprintf(stderr, "usage: %s [--packets N] [--rounds R] [--streams S] [--null] [--nss-time]\n", argv[0]);
			return 2;
		} else if (strcmp(argv[i], "--packets") == 0)
			n_packets = strtoul(argv[i + 1], NULL, 10);
		else if (strcmp(argv[i], "--rounds") == 0)
			n_rounds = strtoul(argv[i + 1], NULL, 10);
		else if (strcmp(argv[i], "--streams") == 0)
			n_streams = strtoul(argv[i + 1], NULL, 10);
		else {
			fprintf(stderr, "usage: %s [--packets N] [--rounds R] [--streams S] [--null] [--nss-time]\n", argv[0]);
			return 2;
		}
	}
	if (n_rounds == 0 || n_rounds > 32 || n_streams == 0 || n_packets < n_streams) {
		fprintf(stderr, "bench/srtp_session: 1..32 rounds, packets >= streams\n");
		return 2;
	}
	/* The plain libsrtp2 rows run on this program's own libsrtp2 (with the
	 * default build, libmikey keeps its copy inside libmikey.so): start it. */
	if (srtp_init() != srtp_err_status_ok)
		die("srtp_init");
	pkt = malloc(n_packets * sizeof(*pkt));
	plen = malloc(n_packets * sizeof(*plen));
	if (pkt == NULL || plen == NULL)
		die("malloc");

	config cfg[4] = {
		{"libsrtp2, 1 stream in one srtp_t", 1, false, NULL, NULL, NULL, NULL, 1, {0}},
		{"libsrtp2, N streams in one srtp_t", n_streams, false, NULL, NULL, NULL, NULL, 1, {0}},
		{"mikey_srtp_sess, 1 stream", 1, true, NULL, NULL, NULL, NULL, 1, {0}},
		{"mikey_srtp_sess, N streams", n_streams, true, NULL, NULL, NULL, NULL, 1, {0}},
	};
	double med[4], shared[4];

	/* 1. Each configuration alone in a child process: Debian's libsrtp2
	 * runs on NSS, whose per-packet cost grows with the number of keys
	 * alive in the process (see docs/srtp-sessions.md), so only here
	 * does "1 stream" mean one stream's keys. */
	for (int c = 0; c < 4; c++) {
		int fd[2];
		pid_t pid = -1;
		if (pipe(fd) != 0 || (pid = fork()) < 0)
			die("fork");
		if (pid == 0) {
			close(fd[0]);
			/* NSS must not cross a fork: initialised in each child. */
			nss_init_if_asked();
			setup(&cfg[c]);
			for (size_t r = 0; r < n_rounds; r++)
				cfg[c].ns[r] = run_round(&cfg[c]);
			double m = median(cfg[c].ns, n_rounds);
			if (write(fd[1], &m, sizeof(m)) != (ssize_t)sizeof(m))
				_exit(1);
			_exit(0);
		}
		close(fd[1]);
		int st;
		if (read(fd[0], &med[c], sizeof(med[c])) != (ssize_t)sizeof(med[c]) || waitpid(pid, &st, 0) != pid ||
		    !WIFEXITED(st) || WEXITSTATUS(st) != 0)
			die("child");
		close(fd[0]);
	}
	printf("== protect + unprotect per RTP packet, %d-byte payload, %s, N = %zu, "
	       "%zu packets x %zu rounds (median) ==\n",
	       PAYLOAD, null_policy ? "NULL cipher/NULL auth (lookup only)" : "AES-CM-128/HMAC-SHA1-80", n_streams,
	       n_packets, n_rounds);
	if (nss_time)
		printf("   (NSS initialised by the application first, without NSS_INIT_OPTIMIZESPACE)\n");
	printf("-- each configuration alone in its process --\n");
	for (int c = 0; c < 4; c++)
		printf("  %-40s %8.0f ns  %10.0f packets/s\n", cfg[c].name, med[c], 1e9 / med[c]);
	printf("  ratio libsrtp2 N streams / 1 stream        : %5.2fx\n", med[1] / med[0]);
	printf("  ratio mikey_srtp_sess N streams / 1 stream : %5.2fx  (target <= 1.2)\n", med[3] / med[2]);
	printf("  ratio mikey_srtp_sess / libsrtp2, 1 stream : %5.2fx\n", med[2] / med[0]);

	/* 2. All four in one process, rounds alternating: what an
	 * application with many keys alive sees, whatever the lookup. */
	nss_init_if_asked();
	for (int c = 0; c < 4; c++)
		setup(&cfg[c]);
	for (size_t r = 0; r < n_rounds; r++)
		for (int c = 0; c < 4; c++)
			cfg[c].ns[r] = run_round(&cfg[c]);
	printf("-- all four in one process (4 x (1 + N) x 2 streams' keys alive) --\n");
	for (int c = 0; c < 4; c++) {
		shared[c] = median(cfg[c].ns, n_rounds);
		printf("  %-40s %8.0f ns  %10.0f packets/s\n", cfg[c].name, shared[c], 1e9 / shared[c]);
	}
	printf("  ratio libsrtp2 N streams / 1 stream        : %5.2fx\n", shared[1] / shared[0]);
	printf("  ratio mikey_srtp_sess N streams / 1 stream : %5.2fx\n", shared[3] / shared[2]);
	for (int c = 0; c < 4; c++) {
		mikey_srtp_sess_free(cfg[c].tx);
		mikey_srtp_sess_free(cfg[c].rx);
		if (cfg[c].ptx != NULL)
			srtp_dealloc(cfg[c].ptx);
		if (cfg[c].prx != NULL)
			srtp_dealloc(cfg[c].prx);
	}
	free(pkt);
	free(plen);
	return 0;
}
