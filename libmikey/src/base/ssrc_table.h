/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ssrc_table.h - a map from SSRC to an item pointer, for code that must
 * find a sender's state per packet in constant time however many senders
 * there are (SRTP sessions, TESLA receivers): open addressing with linear
 * probing, at most half full, Fibonacci hashing (the top bits of
 * SSRC * 2^32/phi, so SSRCs that differ only in their high bits spread
 * too), backward-shift deletion so probe chains never break. Only the
 * application inserts SSRCs, so a peer cannot lengthen the chains.
 */
#ifndef MIKEY_SRC_BASE_SSRC_TABLE_H
#define MIKEY_SRC_BASE_SSRC_TABLE_H

#include <stddef.h>
#include <stdint.h>

typedef struct ssrc_slot {
	uint32_t ssrc;
	void *item; /* NULL: empty */
} ssrc_slot;

typedef struct ssrc_table {
	ssrc_slot *slots; /* cap of them, a power of two (0 before the first insert) */
	size_t cap;
	size_t count;
	unsigned shift; /* 32 - log2(cap) */
} ssrc_table;

/* The home slot of |ssrc| in a table of 2^(32 - shift) slots. */
static inline size_t ssrc_table_home(uint32_t ssrc, unsigned shift)
{
	return (size_t)((uint32_t)(ssrc * 0x9e3779b1u) >> shift);
}

/* ssrc_table_find returns the item of |ssrc|, or NULL. */
static inline void *ssrc_table_find(const ssrc_table *t, uint32_t ssrc)
{
	if (t->cap == 0)
		return NULL;
	for (size_t i = ssrc_table_home(ssrc, t->shift); t->slots[i].item != NULL; i = (i + 1) & (t->cap - 1))
		if (t->slots[i].ssrc == ssrc)
			return t->slots[i].item;
	return NULL;
}

/* ssrc_table_reserve makes room for one more item (growing the table);
 * MIKEY_OK or MIKEY_ERR_NOMEM, the table unchanged then.
 * ssrc_table_insert adds |item| (not NULL) under |ssrc|, which must not be
 * in the table, after a successful reserve: it cannot fail. */
int ssrc_table_reserve(ssrc_table *t);
void ssrc_table_insert(ssrc_table *t, uint32_t ssrc, void *item);

/* ssrc_table_remove takes |ssrc| out and returns its item (NULL: absent). */
void *ssrc_table_remove(ssrc_table *t, uint32_t ssrc);

/* ssrc_table_cleanup frees the slots (not the items: walk t->slots first). */
void ssrc_table_cleanup(ssrc_table *t);

#endif
