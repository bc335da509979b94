/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench/group.c - what a key server serving a group costs, as a ratio
 * measured in one run: PSK exchanges answered per second by a responder
 * whose replay cache already holds N entries (default 10,000) from members
 * answered inside the same clock-skew window, against a responder with an
 * empty cache (target >= 0.9x: the cache must not slow a key server down
 * as it fills). Messages are made before timing starts; only mikey_respond
 * is timed; the rounds alternate which side runs first. Never asserts on
 * time. Usage: group [--cached N] [--batch N] [--rounds N]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mikey/mikey.h"

#define NTP_2025 ((uint64_t)0xEB000000u << 32)

static uint64_t clock_ntp = NTP_2025;

static uint64_t bench_clock(void *user)
{
	(void)user;
	return clock_ntp;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void die(const char *what, const mikey_error *err)
{
	fprintf(stderr, "bench/group: %s%s%s\n", what, err ? ": " : "", err ? err->message : "");
	exit(2);
}

static const uint8_t PSK[16] = "group-bench-psk!";

typedef struct wire {
	uint8_t *msg;
	size_t len;
} wire;

/* |n| distinct I_MESSAGEs from members, timestamps 1 ms apart (all inside
 * one skew window). */
static wire *make_messages(size_t n)
{
	mikey_ctx *member = mikey_ctx_new();
	if (member == NULL || mikey_ctx_add_psk(member, NULL, 0, PSK, sizeof(PSK)) != MIKEY_OK)
		die("member context", NULL);
	mikey_ctx_set_clock(member, bench_clock, NULL);
	wire *w = calloc(n, sizeof(*w));
	if (w == NULL)
		die("out of memory", NULL);
	mikey_cs_desc cs = {.ssrc = 1};
	mikey_srtp_policy pol;
	mikey_srtp_policy_default(&pol);
	for (size_t i = 0; i < n; i++) {
		mikey_offer o;
		mikey_offer_init(&o, MIKEY_MODE_PSK);
		cs.ssrc = (uint32_t)i + 1;
		o.cs = &cs;
		o.n_cs = 1;
		o.policies = &pol;
		o.n_policies = 1;
		mikey_exchange *ex = NULL;
		mikey_error err;
		clock_ntp = NTP_2025 + (((uint64_t)i << 32) / 1000);
		if (mikey_initiate(member, &o, &ex, &w[i].msg, &w[i].len, &err) != MIKEY_OK)
			die("initiate", &err);
		mikey_exchange_free(ex);
	}
	mikey_ctx_free(member);
	return w;
}

static mikey_ctx *server_ctx(size_t capacity)
{
	mikey_ctx *s = mikey_ctx_new();
	if (s == NULL || mikey_ctx_add_psk(s, NULL, 0, PSK, sizeof(PSK)) != MIKEY_OK)
		die("server context", NULL);
	mikey_ctx_set_clock(s, bench_clock, NULL);
	if (mikey_ctx_set_replay_capacity(s, capacity) != MIKEY_OK)
		die("replay capacity", NULL);
	return s;
}

static void answer(mikey_ctx *s, const wire *w)
{
	mikey_exchange *ex = NULL;
	uint8_t *resp = NULL;
	size_t rlen = 0;
	mikey_error err;
	if (mikey_respond(s, w->msg, w->len, &ex, &resp, &rlen, &err) != MIKEY_OK)
		die("respond", &err);
	mikey_buf_free(resp, rlen);
	mikey_exchange_free(ex);
}

/* Exchanges/s answering msgs[from, from + batch) on |s|. */
static double rate(mikey_ctx *s, const wire *msgs, size_t from, size_t batch)
{
	double t0 = now_s();
	for (size_t i = 0; i < batch; i++)
		answer(s, &msgs[from + i]);
	return (double)batch / (now_s() - t0);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	size_t cached = 10000, batch = 2000, rounds = 5;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--cached") == 0)
			cached = strtoul(argv[i + 1], NULL, 10);
		else if (strcmp(argv[i], "--batch") == 0)
			batch = strtoul(argv[i + 1], NULL, 10);
		else if (strcmp(argv[i], "--rounds") == 0)
			rounds = strtoul(argv[i + 1], NULL, 10);
		else {
			fprintf(stderr, "usage: group [--cached N] [--batch N] [--rounds N]\n");
			return 2;
		}
	}
	if (batch == 0 || rounds == 0 || rounds > 50 || cached > 1000000 || batch > 100000) {
		fprintf(stderr, "group: --batch and --rounds must be > 0 (rounds <= 50, cached <= 1e6)\n");
		return 2;
	}
	size_t n = cached + 2 * batch * rounds;
	wire *msgs = make_messages(n);
	/* The responder's clock: the newest message's time, so every message
	 * is inside the skew window. */
	clock_ntp = NTP_2025 + (((uint64_t)n << 32) / 1000);

	double ratios[50], full_rates[50], empty_rates[50];
	size_t next = cached;
	mikey_ctx *full = server_ctx(cached + 2 * batch * rounds + 16);
	for (size_t i = 0; i < cached; i++)
		answer(full, &msgs[i]); /* the cache now holds |cached| entries */
	for (size_t r = 0; r < rounds; r++) {
		mikey_ctx *empty = server_ctx(cached + 2 * batch * rounds + 16);
		/* Alternate which side runs first. */
		if (r % 2 == 0) {
			empty_rates[r] = rate(empty, msgs, next, batch);
			full_rates[r] = rate(full, msgs, next + batch, batch);
		} else {
			full_rates[r] = rate(full, msgs, next, batch);
			empty_rates[r] = rate(empty, msgs, next + batch, batch);
		}
		next += 2 * batch;
		ratios[r] = full_rates[r] / empty_rates[r];
		mikey_ctx_free(empty);
	}
	mikey_ctx_free(full);
	qsort(ratios, rounds, sizeof(double), cmp_double);
	qsort(full_rates, rounds, sizeof(double), cmp_double);
	qsort(empty_rates, rounds, sizeof(double), cmp_double);
	double med = ratios[rounds / 2];
	printf("responder, PSK exchanges/s (median of %zu rounds of %zu):\n", rounds, batch);
	printf("  empty replay cache            %10.0f\n", empty_rates[rounds / 2]);
	printf("  %6zu cached entries          %10.0f\n", cached, full_rates[rounds / 2]);
	printf("  ratio cached / empty          %10.3fx  (target >= 0.9x: %s)\n", med, med >= 0.9 ? "met" : "NOT met");
	for (size_t i = 0; i < n; i++)
		mikey_buf_free(msgs[i].msg, msgs[i].len);
	free(msgs);
	return 0;
}
