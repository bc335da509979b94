/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_tesla_vectors.c - TESLA known answers from tests/vectors/tesla/
 * (made with Python's hmac/hashlib by make_vectors.py, independently of the
 * C code): key chains K_i and K'_i, interval arithmetic, and whole SRTP /
 * SRTCP TESLA extensions.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mikey/tesla.h"

#define MAX_FIELDS 128

/* One record of a "name = value" file; records are separated by blank
 * lines, '#' starts a comment line. */
typedef struct record {
	int n;
	char key[MAX_FIELDS][32];
	char val[MAX_FIELDS][512];
} record;

typedef struct vecfile {
	FILE *f;
	int line;
} vecfile;

static void vec_open(vecfile *v, const char *name)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/tests/vectors/tesla/%s", MIKEY_SOURCE_ROOT, name);
	v->f = fopen(path, "r");
	cr_assert_not_null(v->f, "cannot open %s", path);
	v->line = 0;
}

/* Reads the next record; returns 0 at end of file. */
static int vec_next(vecfile *v, record *r)
{
	char buf[1200];

	r->n = 0;
	while (fgets(buf, sizeof(buf), v->f) != NULL) {
		char *eq, *end;

		v->line++;
		buf[strcspn(buf, "\r\n")] = '\0';
		if (buf[0] == '#')
			continue;
		if (buf[0] == '\0') {
			if (r->n > 0)
				return 1;
			continue;
		}
		eq = strstr(buf, " = ");
		cr_assert_not_null(eq, "line %d: no ' = '", v->line);
		cr_assert_lt(r->n, MAX_FIELDS);
		*eq = '\0';
		end = eq + 3;
		cr_assert_lt(strlen(buf), sizeof(r->key[0]));
		cr_assert_lt(strlen(end), sizeof(r->val[0]));
		strcpy(r->key[r->n], buf);
		strcpy(r->val[r->n], end);
		r->n++;
	}
	return r->n > 0;
}

static const char *get(const record *r, const char *key)
{
	for (int k = 0; k < r->n; k++)
		if (strcmp(r->key[k], key) == 0)
			return r->val[k];
	cr_assert_fail("field %s missing", key);
	return NULL;
}

static uint64_t get_u(const record *r, const char *key, int base)
{
	return strtoull(get(r, key), NULL, base);
}

static size_t get_hex(const record *r, const char *key, uint8_t *out, size_t cap)
{
	const char *h = get(r, key);
	size_t n = strlen(h) / 2;

	cr_assert_eq(strlen(h) % 2, 0);
	cr_assert_leq(n, cap);
	for (size_t k = 0; k < n; k++) {
		unsigned b;
		cr_assert_eq(sscanf(h + 2 * k, "%2x", &b), 1);
		out[k] = (uint8_t)b;
	}
	return n;
}

static void base_params(mikey_tesla_params *p, const record *r)
{
	mikey_tesla_params_default(p);
	p->n_p = (uint16_t)get_u(r, "n_p", 10);
	p->n_f = (uint16_t)get_u(r, "n_f", 10);
	p->n_c = (uint32_t)get_u(r, "n_c", 10);
	p->t_int = 100;
	p->d = 2;
}

Test(tesla_vectors, chain_keys_and_mac_keys)
{
	vecfile v;
	record r;
	int records = 0;

	vec_open(&v, "chain.txt");
	while (vec_next(&v, &r)) {
		mikey_tesla_params p;
		mikey_tesla_chain *c;
		uint8_t seed[32], want[32], got[32];
		size_t seed_len;
		char name[16];

		base_params(&p, &r);
		seed_len = get_hex(&r, "seed", seed, sizeof(seed));
		cr_assert_eq(mikey_tesla_chain_new(&p, seed, seed_len, &c), MIKEY_OK);
		/* Descending, then ascending order: both cache directions. */
		for (int pass = 0; pass < 2; pass++) {
			for (uint32_t k = 0; k <= p.n_c; k++) {
				uint32_t i = pass == 0 ? p.n_c - k : k;
				snprintf(name, sizeof(name), "K%u", i);
				size_t n = get_hex(&r, name, want, sizeof(want));
				cr_assert_eq(n, p.n_p / 8u);
				cr_assert_eq(mikey_tesla_chain_key(c, i, got), MIKEY_OK);
				cr_assert_arr_eq(got, want, n, "%s K_%u", get(&r, "name"), i);
				/* F itself: K_{i-1} = F(K_i). */
				if (i > 0) {
					uint8_t prev[32];
					snprintf(name, sizeof(name), "K%u", i - 1);
					get_hex(&r, name, want, sizeof(want));
					cr_assert_eq(mikey_tesla_f(&p, got, prev), MIKEY_OK);
					cr_assert_arr_eq(prev, want, n);
				}
				/* F': K'_i. */
				snprintf(name, sizeof(name), "Kp%u", i);
				n = get_hex(&r, name, want, sizeof(want));
				cr_assert_eq(n, p.n_f / 8u);
				cr_assert_eq(mikey_tesla_f_prime(&p, got, got), MIKEY_OK);
				cr_assert_arr_eq(got, want, n, "%s K'_%u", get(&r, "name"), i);
			}
		}
		cr_assert_eq(mikey_tesla_chain_key(c, p.n_c + 1, got), MIKEY_ERR_ARG);
		mikey_tesla_chain_free(c);
		records++;
	}
	fclose(v.f);
	cr_assert_eq(records, 3);
}

Test(tesla_vectors, interval_arithmetic)
{
	vecfile v;
	record r;
	int records = 0;

	vec_open(&v, "interval.txt");
	while (vec_next(&v, &r)) {
		mikey_tesla_params p;
		uint64_t i = 0;

		mikey_tesla_params_default(&p);
		p.t_0 = get_u(&r, "t_0", 16);
		p.t_int = (uint32_t)get_u(&r, "t_int", 10);
		cr_assert_eq(mikey_tesla_interval(&p, get_u(&r, "t", 16), &i), MIKEY_OK);
		cr_assert_eq(i, get_u(&r, "i", 10), "record %d: %llu", records, (unsigned long long)i);
		if (p.t_0 > 0)
			cr_assert_eq(mikey_tesla_interval(&p, p.t_0 - 1, &i), MIKEY_ERR_STATE);
		records++;
	}
	fclose(v.f);
	cr_assert_eq(records, 10);
}

Test(tesla_vectors, srtp_and_srtcp_extension)
{
	vecfile v;
	record r;
	int records = 0;

	vec_open(&v, "ext.txt");
	while (vec_next(&v, &r)) {
		mikey_tesla_params p;
		mikey_tesla_sender *s;
		mikey_tesla_ext ext;
		uint8_t seed[32], buf[256], want[256], key[32];
		size_t seed_len, len, want_len, out_len = 0;
		int rtcp = (int)get_u(&r, "rtcp", 10);
		uint64_t now = get_u(&r, "now", 16);
		uint32_t roc = (uint32_t)get_u(&r, "roc", 10);

		mikey_tesla_params_default(&p);
		p.n_p = (uint16_t)get_u(&r, "n_p", 10);
		p.n_f = (uint16_t)get_u(&r, "n_f", 10);
		p.n_m = (uint16_t)get_u(&r, "n_m", 10);
		p.n_c = (uint32_t)get_u(&r, "n_c", 10);
		p.d = (uint32_t)get_u(&r, "d", 10);
		p.t_0 = get_u(&r, "t_0", 16);
		p.t_int = (uint32_t)get_u(&r, "t_int", 10);
		seed_len = get_hex(&r, "seed", seed, sizeof(seed));
		len = get_hex(&r, "input", buf, sizeof(buf));
		want_len = get_hex(&r, "output", want, sizeof(want));

		cr_assert_eq(mikey_tesla_sender_new(&p, seed, seed_len, &s), MIKEY_OK);
		if (rtcp)
			cr_assert_eq(mikey_tesla_sender_protect_rtcp(s, buf, len, sizeof(buf), now, &out_len), MIKEY_OK);
		else
			cr_assert_eq(mikey_tesla_sender_protect_rtp(s, buf, len, sizeof(buf), roc, now, &out_len),
			             MIKEY_OK);
		cr_assert_eq(out_len, want_len, "%s", get(&r, "name"));
		cr_assert_arr_eq(buf, want, want_len, "%s", get(&r, "name"));

		/* The parser finds the same fields in the expected bytes. */
		cr_assert_eq(mikey_tesla_ext_parse(&p, want, want_len, rtcp, &ext), MIKEY_OK);
		cr_assert_eq(ext.ext_offset, len);
		cr_assert_eq(ext.portion_len, rtcp ? len - 4 : len);
		cr_assert_eq(ext.key, want + len + 4);
		cr_assert_eq(ext.mac, want + len + 4 + p.n_p / 8u);
		uint64_t i;
		cr_assert_eq(mikey_tesla_interval(&p, now, &i), MIKEY_OK);
		cr_assert_eq(ext.i, i);
		/* The commitment of the sender is K_0 of the same chain. */
		mikey_tesla_chain *c;
		cr_assert_eq(mikey_tesla_chain_new(&p, seed, seed_len, &c), MIKEY_OK);
		cr_assert_eq(mikey_tesla_chain_key(c, 0, key), MIKEY_OK);
		cr_assert_arr_eq(mikey_tesla_sender_get0_params(s)->commitment, key, p.n_p / 8u);
		mikey_tesla_chain_free(c);
		mikey_tesla_sender_free(s);
		records++;
	}
	fclose(v.f);
	cr_assert_eq(records, 5);
}
