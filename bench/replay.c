/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench/replay.c - the responder's replay cache (RFC 3830 §5.4) with
 * 10,000 cached entries against an empty cache, in the same run.
 *
 * 1. cache: mikey_replay_check + mikey_replay_add per second (what a
 *    responder does per authenticated message), on a cache holding 10,000
 *    entries of the current skew window vs on an empty one of the same
 *    allocated size. Target: >= 0.9x.
 * 2. exchange: complete PSK responder exchanges per second (mikey_respond
 *    on a prepared I_MESSAGE + mikey_exchange_free), public API only, on a
 *    responder that has already accepted 10,000 messages in this window vs
 *    a fresh one.
 * Rounds (and, for the cache, chunks of 500 messages) alternate which
 * side runs first; the median per-round ratio counts. Never asserts on time.
 *
 *   bench/replay [--rounds R] [--ops N] [--exchanges N]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "context/replay.h"
#include "mikey/error.h"
#include "mikey/mikey.h"

#define CACHED 10000
#define T0 ((uint64_t)0xe9000000u << 32)
#define SEC(s) ((uint64_t)(s) << 32)
#define MAX_ROUNDS 31

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void die(const char *what)
{
	fprintf(stderr, "bench/replay: %s\n", what);
	exit(2);
}

static uint64_t xs = 0x9e3779b97f4a7c15u;
static uint64_t rnd(void)
{
	xs ^= xs << 13, xs ^= xs >> 7, xs ^= xs << 17;
	return xs;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_d);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* ---- 1. the cache alone ------------------------------------------------ */

typedef struct { uint64_t t; uint8_t d[MIKEY_REPLAY_DIGEST]; } msg_id;

static void fill_ids(msg_id *ids, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		ids[i].t = T0 - SEC(200) + (rnd() % SEC(400));
		for (size_t k = 0; k < MIKEY_REPLAY_DIGEST; k += 8) {
			uint64_t x = rnd();
			memcpy(ids[i].d + k, &x, 8);
		}
	}
}

/* Times |n| responder-side check+insert on |r|; returns seconds. */
static double run_cache(mikey_replay *r, const msg_id *ids, size_t n)
{
	size_t refused = 0;
	double t0 = now_s();
	for (size_t i = 0; i < n; i++) {
		if (mikey_replay_check(r, ids[i].t, ids[i].d) != MIKEY_OK) {
			refused++;
			continue;
		}
		(void)mikey_replay_add(r, ids[i].t, ids[i].d, T0 - SEC(300));
	}
	double dt = now_s() - t0;
	if (refused != 0)
		die("a fresh message was refused");
	return dt;
}

#define CHUNK 500

static void bench_cache(unsigned rounds, size_t ops)
{
	msg_id *base = malloc(CACHED * sizeof(*base)), *fa = malloc(ops * sizeof(*fa)), *fb = malloc(ops * sizeof(*fb));
	double full[MAX_ROUNDS], empty[MAX_ROUNDS], ratio[MAX_ROUNDS];
	size_t cap = 1;

	if (base == NULL || fa == NULL || fb == NULL)
		die("out of memory");
	while (cap < CACHED + ops)
		cap <<= 1; /* both caches allocated alike: no growth while timed */
	fill_ids(base, CACHED);
	for (unsigned k = 0; k < rounds; k++) {
		mikey_replay a, b;
		/* Each side its own fresh messages. */
		if (mikey_replay_init(&a, cap) != MIKEY_OK || mikey_replay_init(&b, cap) != MIKEY_OK)
			die("init");
		for (size_t i = 0; i < CACHED; i++)
			(void)mikey_replay_add(&a, base[i].t, base[i].d, T0 - SEC(300));
		fill_ids(fa, ops);
		fill_ids(fb, ops);
		/* Chunks of CHUNK messages, alternating sides, so that both see
		 * the same load from the rest of the machine. */
		double ta = 0, tb = 0;
		for (size_t off = 0, c = 0; off < ops; off += CHUNK, c++) {
			size_t m = ops - off < CHUNK ? ops - off : CHUNK;
			if ((c + k) % 2 == 0) {
				ta += run_cache(&a, fa + off, m);
				tb += run_cache(&b, fb + off, m);
			} else {
				tb += run_cache(&b, fb + off, m);
				ta += run_cache(&a, fa + off, m);
			}
		}
		full[k] = (double)ops / ta;
		empty[k] = (double)ops / tb;
		ratio[k] = full[k] / empty[k];
		mikey_replay_cleanup(&a);
		mikey_replay_cleanup(&b);
	}
	double mr = median(ratio, rounds), mf = median(full, rounds), me = median(empty, rounds);
	printf("cache: check+insert/s  %u rounds x %zu ops\n", rounds, ops);
	printf("  10,000 cached : %12.0f /s\n", mf);
	printf("  empty         : %12.0f /s\n", me);
	printf("  ratio cached / empty : %5.2fx  (target >= 0.9) %s\n", mr, mr >= 0.9 ? "met" : "NOT met");
	free(base);
	free(fa);
	free(fb);
}

/* ---- 2. PSK responder exchanges, public API ---------------------------- */

static uint64_t clock_now = T0;
static uint64_t bench_clock(void *user)
{
	(void)user;
	return clock_now;
}

static const uint8_t PSK[20] = "0123456789abcdefghij";

static mikey_ctx *make_ctx(void)
{
	mikey_ctx *c = mikey_ctx_new();
	if (c == NULL)
		die("mikey_ctx_new");
	mikey_ctx_set_clock(c, bench_clock, NULL);
	if (mikey_ctx_add_psk(c, NULL, 0, PSK, sizeof(PSK)) != MIKEY_OK)
		die("add_psk");
	if (mikey_ctx_set_replay_capacity(c, 16384) != MIKEY_OK)
		die("replay capacity");
	return c;
}

typedef struct { uint8_t *b; size_t len; } wire;

static void make_msgs(mikey_ctx *ini, wire *w, size_t n)
{
	mikey_srtp_policy policy;
	mikey_cs_desc cs = {0x11111111, 0, 0};
	mikey_offer o;

	mikey_srtp_policy_default(&policy);
	mikey_offer_init(&o, MIKEY_MODE_PSK);
	o.cs = &cs;
	o.n_cs = 1;
	o.policies = &policy;
	o.n_policies = 1;
	for (size_t i = 0; i < n; i++) {
		mikey_exchange *ex;
		if (mikey_initiate(ini, &o, &ex, &w[i].b, &w[i].len, NULL) != MIKEY_OK)
			die("mikey_initiate");
		mikey_exchange_free(ex);
	}
}

static double run_respond(mikey_ctx *rsp, const wire *w, size_t n)
{
	double t0 = now_s();
	for (size_t i = 0; i < n; i++) {
		mikey_exchange *ex;
		uint8_t *resp;
		size_t rlen;
		if (mikey_respond(rsp, w[i].b, w[i].len, &ex, &resp, &rlen, NULL) != MIKEY_OK)
			die("a fresh I_MESSAGE was refused");
		mikey_buf_free(resp, rlen);
		mikey_exchange_free(ex);
	}
	return (double)n / (now_s() - t0);
}

static void free_msgs(wire *w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		mikey_buf_free(w[i].b, w[i].len);
}

static void bench_exchange(unsigned rounds, size_t n)
{
	mikey_ctx *ini = make_ctx();
	wire *base = malloc(CACHED * sizeof(*base)), *fresh = malloc(n * sizeof(*fresh));
	double full[MAX_ROUNDS], empty[MAX_ROUNDS], ratio[MAX_ROUNDS];

	if (base == NULL || fresh == NULL)
		die("out of memory");
	make_msgs(ini, base, CACHED);
	for (unsigned k = 0; k < rounds; k++) {
		mikey_ctx *a = make_ctx(), *b = make_ctx();
		make_msgs(ini, fresh, n);
		(void)run_respond(a, base, CACHED); /* a now caches 10,000 */
		if (k % 2 == 0) {
			full[k] = run_respond(a, fresh, n);
			empty[k] = run_respond(b, fresh, n);
		} else {
			empty[k] = run_respond(b, fresh, n);
			full[k] = run_respond(a, fresh, n);
		}
		ratio[k] = full[k] / empty[k];
		free_msgs(fresh, n);
		mikey_ctx_free(a);
		mikey_ctx_free(b);
	}
	double mr = median(ratio, rounds);
	printf("exchange: PSK mikey_respond/s  %u rounds x %zu exchanges\n", rounds, n);
	printf("  10,000 cached : %12.0f /s\n", median(full, rounds));
	printf("  empty         : %12.0f /s\n", median(empty, rounds));
	printf("  ratio cached / empty : %5.2fx\n", mr);
	free_msgs(base, CACHED);
	free(base);
	free(fresh);
	mikey_ctx_free(ini);
}

int main(int argc, char **argv)
{
	unsigned rounds = 31;
	size_t ops = 6000, exchanges = 2000;

	for (int i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--rounds") == 0)
			rounds = (unsigned)strtoul(argv[i + 1], NULL, 10);
		else if (strcmp(argv[i], "--ops") == 0)
			ops = strtoul(argv[i + 1], NULL, 10);
		else if (strcmp(argv[i], "--exchanges") == 0)
			exchanges = strtoul(argv[i + 1], NULL, 10);
	}
	if (rounds == 0 || rounds > MAX_ROUNDS || ops == 0 || exchanges == 0) {
		fprintf(stderr, "usage: %s [--rounds R (1..31)] [--ops N] [--exchanges N]\n", argv[0]);
		return 2;
	}
	bench_cache(rounds, ops);
	if (getenv("BENCH_CACHE_ONLY") != NULL)
		return 0;
	bench_exchange(rounds, exchanges);
	return 0;
}
