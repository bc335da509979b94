/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ssrc_table.c - SSRC -> item map; see ssrc_table.h. */
#include <string.h>

#include "base/ssrc_table.h"
#include "mikey/error.h"
#include "mikey/mem.h"

static void place(ssrc_slot *slots, size_t cap, unsigned shift, uint32_t ssrc, void *item)
{
	size_t i = ssrc_table_home(ssrc, shift);
	while (slots[i].item != NULL)
		i = (i + 1) & (cap - 1);
	slots[i].ssrc = ssrc;
	slots[i].item = item;
}

int ssrc_table_reserve(ssrc_table *t)
{
	if ((t->count + 1) * 2 <= t->cap)
		return MIKEY_OK;
	size_t cap = t->cap == 0 ? 16 : t->cap * 2;
	if (cap > ((size_t)1 << 31) || cap > SIZE_MAX / sizeof(ssrc_slot))
		return MIKEY_ERR_NOMEM;
	ssrc_slot *slots = mikey_malloc(cap * sizeof(*slots));
	if (slots == NULL)
		return MIKEY_ERR_NOMEM;
	memset(slots, 0, cap * sizeof(*slots));
	unsigned shift = 32;
	while (((size_t)1 << (32 - shift)) < cap)
		shift--;
	for (size_t i = 0; i < t->cap; i++)
		if (t->slots[i].item != NULL)
			place(slots, cap, shift, t->slots[i].ssrc, t->slots[i].item);
	mikey_free(t->slots);
	t->slots = slots;
	t->cap = cap;
	t->shift = shift;
	return MIKEY_OK;
}

void ssrc_table_insert(ssrc_table *t, uint32_t ssrc, void *item)
{
	place(t->slots, t->cap, t->shift, ssrc, item);
	t->count++;
}

void *ssrc_table_remove(ssrc_table *t, uint32_t ssrc)
{
	if (t->cap == 0)
		return NULL;
	size_t i = ssrc_table_home(ssrc, t->shift);
	while (t->slots[i].item != NULL && t->slots[i].ssrc != ssrc)
		i = (i + 1) & (t->cap - 1);
	void *item = t->slots[i].item;
	if (item == NULL)
		return NULL;
	t->slots[i].item = NULL;
	/* Backward-shift deletion: re-place the rest of the probe chain. */
	for (size_t j = (i + 1) & (t->cap - 1); t->slots[j].item != NULL; j = (j + 1) & (t->cap - 1)) {
		ssrc_slot m = t->slots[j];
		t->slots[j].item = NULL;
		place(t->slots, t->cap, t->shift, m.ssrc, m.item);
	}
	t->count--;
	return item;
}

void ssrc_table_cleanup(ssrc_table *t)
{
	mikey_free(t->slots);
	memset(t, 0, sizeof(*t));
}
