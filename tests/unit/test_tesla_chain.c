/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_tesla_chain.c - the O(sqrt(n_c)) key-chain store against a plain
 * array of every key (F itself is checked against Python in
 * test_tesla_vectors.c), its memory and work bounds, and argument and
 * allocation-failure handling.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "mikey/mem.h"
#include "mikey/tesla.h"

static void params(mikey_tesla_params *p, uint32_t n_c, uint16_t n_p)
{
	mikey_tesla_params_default(p);
	p->n_p = n_p;
	p->t_int = 10;
	p->d = 2;
	p->n_c = n_c;
}

/* Every key, the naive way: n_c + 1 keys of n_p/8 bytes. */
static uint8_t *all_keys(const mikey_tesla_params *p, const uint8_t *seed)
{
	size_t kl = p->n_p / 8u;
	uint8_t *k = malloc(((size_t)p->n_c + 1) * kl);

	cr_assert_not_null(k);
	memcpy(k + (size_t)p->n_c * kl, seed, kl);
	for (uint32_t i = p->n_c; i > 0; i--)
		cr_assert_eq(mikey_tesla_f(p, k + (size_t)i * kl, k + (size_t)(i - 1) * kl), MIKEY_OK);
	return k;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15u;
static uint32_t rnd(void)
{
	/* xorshift64*: fixed seed, deterministic. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 2685821657736338717u) >> 32);
}

Test(tesla_chain, matches_naive_chain_in_every_access_order)
{
	static const uint32_t sizes[] = {1, 2, 3, 4, 8, 15, 16, 17, 24, 99, 100, 101, 1000};
	uint8_t seed[20], got[20];

	for (size_t k = 0; k < sizeof(seed); k++)
		seed[k] = (uint8_t)(0xa5 ^ k);
	for (size_t z = 0; z < sizeof(sizes) / sizeof(sizes[0]); z++) {
		for (int np = 0; np < 2; np++) {
			mikey_tesla_params p;
			mikey_tesla_chain *c;
			params(&p, sizes[z], np ? 96 : 160);
			size_t kl = p.n_p / 8u;
			uint8_t *ref = all_keys(&p, seed);

			cr_assert_eq(mikey_tesla_chain_new(&p, seed, kl, &c), MIKEY_OK);
			for (uint32_t i = 0; i <= p.n_c; i++) { /* ascending, as a sender reads */
				cr_assert_eq(mikey_tesla_chain_key(c, i, got), MIKEY_OK);
				cr_assert_arr_eq(got, ref + (size_t)i * kl, kl, "n_c %u K_%u", p.n_c, i);
			}
			for (uint32_t i = p.n_c + 1; i-- > 0;) { /* descending */
				cr_assert_eq(mikey_tesla_chain_key(c, i, got), MIKEY_OK);
				cr_assert_arr_eq(got, ref + (size_t)i * kl, kl);
			}
			for (int n = 0; n < 500; n++) { /* random, and pairs d apart */
				uint32_t i = rnd() % (p.n_c + 1);
				cr_assert_eq(mikey_tesla_chain_key(c, i, got), MIKEY_OK);
				cr_assert_arr_eq(got, ref + (size_t)i * kl, kl);
				uint32_t j = i >= 7 ? i - 7 : 0;
				cr_assert_eq(mikey_tesla_chain_key(c, j, got), MIKEY_OK);
				cr_assert_arr_eq(got, ref + (size_t)j * kl, kl);
			}
			cr_assert_eq(mikey_tesla_chain_key(c, p.n_c + 1, got), MIKEY_ERR_ARG);
			mikey_tesla_chain_free(c);
			free(ref);
		}
	}
}

Test(tesla_chain, memory_is_sqrt_and_sequential_access_is_cheap)
{
	static const uint32_t sizes[] = {100, 10000, 1u << 18};
	uint8_t seed[20] = {1}, k[20];

	for (size_t z = 0; z < sizeof(sizes) / sizeof(sizes[0]); z++) {
		mikey_tesla_params p;
		mikey_tesla_chain *c;
		mikey_tesla_chain_stats st;
		uint32_t n_c = sizes[z];
		double root = sqrt((double)n_c + 1);

		params(&p, n_c, 160);
		cr_assert_eq(mikey_tesla_chain_new(&p, seed, 20, &c), MIKEY_OK);
		mikey_tesla_chain_get_stats(c, &st);
		cr_assert_eq(st.f_calls, n_c, "building costs exactly n_c F calls");
		cr_assert_leq(st.stored_keys, (size_t)(3 * root + 4), "n_c %u keeps %zu keys", n_c, st.stored_keys);
		cr_assert_leq(st.bytes, st.stored_keys * 20 + 512);
		/* A sender's walk: K_i and K_{i-d} for every i. Each segment is
		 * filled once (at most twice with the lagging reader), so the whole
		 * walk costs about n_c more F calls, i.e. O(1) per key. */
		for (uint32_t i = 1; i <= n_c; i++) {
			cr_assert_eq(mikey_tesla_chain_key(c, i, k), MIKEY_OK);
			cr_assert_eq(mikey_tesla_chain_key(c, i >= 4 ? i - 4 : 0, k), MIKEY_OK);
		}
		mikey_tesla_chain_get_stats(c, &st);
		cr_assert_leq(st.f_calls - n_c, (uint64_t)n_c + 2 * (uint64_t)root + 2, "walk cost %llu",
		              (unsigned long long)(st.f_calls - n_c));
		/* Random access: at most one segment fill (<= spacing calls). */
		uint64_t before = st.f_calls;
		cr_assert_eq(mikey_tesla_chain_key(c, n_c / 3 + 1, k), MIKEY_OK);
		mikey_tesla_chain_get_stats(c, &st);
		cr_assert_leq(st.f_calls - before, st.spacing);
		mikey_tesla_chain_free(c);
	}
}

Test(tesla_chain, rejects_bad_arguments)
{
	mikey_tesla_params p;
	mikey_tesla_chain *c = (mikey_tesla_chain *)&p;
	uint8_t seed[20] = {0};

	params(&p, 10, 160);
	cr_assert_eq(mikey_tesla_chain_new(&p, seed, 19, &c), MIKEY_ERR_LENGTH);
	cr_assert_null(c);
	cr_assert_eq(mikey_tesla_chain_new(NULL, seed, 20, &c), MIKEY_ERR_ARG);
	cr_assert_eq(mikey_tesla_chain_new(&p, NULL, 20, &c), MIKEY_ERR_ARG);
	p.n_c = 0;
	cr_assert_eq(mikey_tesla_chain_new(&p, seed, 20, &c), MIKEY_ERR_ARG);
	params(&p, 10, 72);
	cr_assert_eq(mikey_tesla_chain_new(&p, seed, 9, &c), MIKEY_ERR_FIELD_RANGE);
	params(&p, 10, 168);
	cr_assert_eq(mikey_tesla_chain_new(&p, seed, 21, &c), MIKEY_ERR_FIELD_RANGE);
	params(&p, 10, 150);
	cr_assert_eq(mikey_tesla_chain_new(&p, seed, 18, &c), MIKEY_ERR_FIELD_RANGE);
	params(&p, 10, 160);
	p.prf = 1;
	cr_assert_eq(mikey_tesla_chain_new(&p, seed, 20, &c), MIKEY_ERR_UNSUPPORTED);
	mikey_tesla_chain_free(NULL);
}

/* Allocator that fails the n-th allocation. */
static int alloc_left;
static void *fail_malloc(size_t size, void *user)
{
	(void)user;
	if (alloc_left-- == 0)
		return NULL;
	return malloc(size);
}
static void *fail_realloc(void *ptr, size_t size, void *user)
{
	(void)user;
	return realloc(ptr, size);
}
static void fail_free(void *ptr, void *user)
{
	(void)user;
	free(ptr);
}

Test(tesla_chain, every_allocation_failure_is_clean)
{
	static const mikey_mem m = {fail_malloc, fail_realloc, fail_free, NULL};
	mikey_tesla_params p;
	uint8_t seed[20] = {7};
	int ok = 0;

	params(&p, 50, 160);
	for (int n = 0; n < 20 && !ok; n++) {
		mikey_tesla_chain *c = NULL;
		mikey_tesla_sender *s = NULL;
		alloc_left = n;
		mikey_mem_set(&m);
		int rc = mikey_tesla_chain_new(&p, seed, 20, &c);
		int rc2 = MIKEY_ERR_NOMEM;
		if (rc == MIKEY_OK) {
			alloc_left = n;
			rc2 = mikey_tesla_sender_new(&p, seed, 20, &s);
		}
		mikey_mem_set(NULL);
		cr_assert(rc == MIKEY_OK || rc == MIKEY_ERR_NOMEM);
		cr_assert(rc2 == MIKEY_OK || rc2 == MIKEY_ERR_NOMEM);
		if (rc != MIKEY_OK)
			cr_assert_null(c);
		if (rc2 != MIKEY_OK)
			cr_assert_null(s);
		mikey_tesla_sender *d = NULL;
		int rc3 = MIKEY_ERR_NOMEM;
		if (rc2 == MIKEY_OK) {
			alloc_left = n;
			mikey_mem_set(&m);
			rc3 = mikey_tesla_sender_dup(s, &d);
			mikey_mem_set(NULL);
			cr_assert(rc3 == MIKEY_OK || rc3 == MIKEY_ERR_NOMEM);
			if (rc3 != MIKEY_OK)
				cr_assert_null(d);
		}
		ok = rc == MIKEY_OK && rc2 == MIKEY_OK && rc3 == MIKEY_OK;
		mikey_tesla_chain_free(c); /* leaks would show under ASan */
		mikey_tesla_sender_free(s);
		mikey_tesla_sender_free(d);
	}
	cr_assert(ok, "succeeds once enough allocations are allowed");
}
