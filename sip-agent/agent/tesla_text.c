/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tesla_text.c - TESLA parameters as text for the store.
 */
#include "tesla_text.h"

#include <glib.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

char *tesla_text_print(const mikey_tesla_params *p)
{
	GString *s = g_string_new(NULL);
	g_string_append_printf(s, "%u %u %u %u %u %" PRIu64 " %" PRIu32 " %" PRIu32 " %" PRIu32 " %" PRIu32 " ",
	                       p->prf, p->n_p, p->n_f, p->mac, p->n_m, p->t_0, p->t_int, p->d, p->n_c, p->commit_index);
	for (unsigned i = 0; i < p->n_p / 8u && i < MIKEY_TESLA_MAX_KEY_LEN; i++)
		g_string_append_printf(s, "%02x", p->commitment[i]);
	return g_string_free(s, FALSE);
}

bool tesla_text_parse(const char *s, mikey_tesla_params *p)
{
	unsigned prf, n_p, n_f, mac, n_m;
	uint64_t t_0;
	uint32_t t_int, d, n_c, ci;
	char hex[2 * MIKEY_TESLA_MAX_KEY_LEN + 2];
	int used = 0;

	if (s == NULL)
		return false;
	memset(p, 0, sizeof(*p));
	if (sscanf(s, "%u %u %u %u %u %" SCNu64 " %" SCNu32 " %" SCNu32 " %" SCNu32 " %" SCNu32 " %41s%n", &prf, &n_p,
	           &n_f, &mac, &n_m, &t_0, &t_int, &d, &n_c, &ci, hex, &used) != 11 || s[used] != '\0')
		return false;
	if (prf > 255 || mac > 255 || n_p > 160 || n_f > 160 || n_m > 160 || strlen(hex) != n_p / 4u)
		return false;
	p->prf = (uint8_t)prf;
	p->n_p = (uint16_t)n_p;
	p->n_f = (uint16_t)n_f;
	p->mac = (uint8_t)mac;
	p->n_m = (uint16_t)n_m;
	p->t_0 = t_0;
	p->t_int = t_int;
	p->d = d;
	p->n_c = n_c;
	p->commit_index = ci;
	for (unsigned i = 0; i < n_p / 8u; i++) {
		int hi = g_ascii_xdigit_value(hex[2 * i]), lo = g_ascii_xdigit_value(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		p->commitment[i] = (uint8_t)(hi << 4 | lo);
	}
	return mikey_tesla_params_check(p) == MIKEY_OK;
}
