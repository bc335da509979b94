/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench/keystore.c - looking up a crypto session by SSRC (and MKI) in the
 * key store (mikey/keystore.h) among 1, N (default 1,000) and 10 N
 * senders, as ratios measured in one run (target O(1): the cost must not
 * grow with N; a larger table costs some cache misses, so compare the N and
 * 10 N ratios: a list walk would grow tenfold between them). Lookups
 * cycle over the SSRCs present in a scattered order, so the cost of a hash
 * walk over a large table shows. Rounds alternate which store runs first;
 * the median ratio is printed. Never asserts on time.
 * Usage: keystore [--senders N] [--lookups N] [--rounds N]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mikey/mikey.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint32_t ssrc_of(size_t i)
{
	return (uint32_t)(i * 2654435761u + 12345u); /* distinct, scattered */
}

static mikey_keystore *make_store(size_t n)
{
	mikey_keystore *ks = mikey_keystore_new();
	if (ks == NULL)
		exit(2);
	for (size_t i = 0; i < n; i++) {
		mikey_crypto_session cs;
		memset(&cs, 0, sizeof(cs));
		cs.ssrc = ssrc_of(i);
		mikey_srtp_policy_default(&cs.policy);
		cs.master_key_len = 16;
		cs.master_salt_len = 14;
		memset(cs.master_key, (int)i, 16);
		cs.mki[0] = 1;
		cs.mki_len = 1;
		if (mikey_keystore_put(ks, &cs, 0x5eed, 1, NULL) != MIKEY_OK) {
			fprintf(stderr, "keystore: put failed\n");
			exit(2);
		}
	}
	return ks;
}

/* Lookups per second, (SSRC, MKI) and SSRC alone alternating. */
static double rate(mikey_keystore *ks, size_t n, size_t lookups)
{
	static const uint8_t mki[1] = {1};
	mikey_crypto_session out;
	size_t hits = 0;
	double t0 = now_s();
	for (size_t k = 0; k < lookups; k++) {
		uint32_t ssrc = ssrc_of((k * 7919) % n);
		int rc = k % 2 ? mikey_keystore_get(ks, ssrc, mki, 1, &out, NULL)
		               : mikey_keystore_get_by_ssrc(ks, ssrc, NULL, &out, NULL);
		hits += rc == MIKEY_OK;
	}
	double r = (double)lookups / (now_s() - t0);
	mikey_crypto_session_cleanup(&out);
	if (hits != lookups) {
		fprintf(stderr, "keystore: %zu of %zu lookups missed\n", lookups - hits, lookups);
		exit(2);
	}
	return r;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	size_t senders = 1000, lookups = 200000, rounds = 5;
	for (int i = 1; i + 1 < argc; i += 2) {
		size_t v = strtoul(argv[i + 1], NULL, 10);
		if (strcmp(argv[i], "--senders") == 0)
			senders = v;
		else if (strcmp(argv[i], "--lookups") == 0)
			lookups = v;
		else if (strcmp(argv[i], "--rounds") == 0)
			rounds = v;
		else {
			fprintf(stderr, "usage: keystore [--senders N] [--lookups N] [--rounds N]\n");
			return 2;
		}
	}
	if (senders == 0 || senders > 1000000 || lookups == 0 || rounds == 0 || rounds > 51) {
		fprintf(stderr, "keystore: senders 1..1e6, lookups > 0, rounds 1..51\n");
		return 2;
	}
	mikey_keystore *one = make_store(1), *many = make_store(senders), *more = make_store(10 * senders);
	double r1[51], rn[51], r10[51], ratio[51], ratio10[51];
	for (size_t r = 0; r < rounds; r++) {
		if (r % 2 == 0) {
			r1[r] = rate(one, 1, lookups);
			rn[r] = rate(many, senders, lookups);
			r10[r] = rate(more, 10 * senders, lookups);
		} else {
			r10[r] = rate(more, 10 * senders, lookups);
			rn[r] = rate(many, senders, lookups);
			r1[r] = rate(one, 1, lookups);
		}
		ratio[r] = r1[r] / rn[r];
		ratio10[r] = r1[r] / r10[r];
	}
	qsort(r1, rounds, sizeof(double), cmp_double);
	qsort(rn, rounds, sizeof(double), cmp_double);
	qsort(r10, rounds, sizeof(double), cmp_double);
	qsort(ratio, rounds, sizeof(double), cmp_double);
	qsort(ratio10, rounds, sizeof(double), cmp_double);
	printf("key store lookups/s (median of %zu rounds of %zu):\n", rounds, lookups);
	printf("  1 sender            %12.0f\n", r1[rounds / 2]);
	printf("  %-7zu senders     %12.0f   cost %.3fx of one\n", senders, rn[rounds / 2], ratio[rounds / 2]);
	printf("  %-7zu senders     %12.0f   cost %.3fx of one\n", 10 * senders, r10[rounds / 2],
	       ratio10[rounds / 2]);
	printf("  O(1): tenfold the senders costs %.2fx more per lookup (a list would cost 10x)\n",
	       ratio10[rounds / 2] / ratio[rounds / 2]);
	mikey_keystore_free(one);
	mikey_keystore_free(many);
	mikey_keystore_free(more);
	return 0;
}
