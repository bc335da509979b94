/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "codec/writer.h"

#include "mikey/error.h"
#include "mikey/mem.h"

void wr_init(mikey_writer *w, size_t hint)
{
	w->buf = NULL;
	w->len = 0;
	w->cap = hint;
	w->nomem = false;
}

void wr_cleanup(mikey_writer *w)
{
	if (w->buf != NULL) {
		mikey_wipe(w->buf, w->len);
		mikey_free(w->buf);
	}
	w->buf = NULL;
	w->len = w->cap = 0;
}

int wr_status(const mikey_writer *w)
{
	return w->nomem ? MIKEY_ERR_NOMEM : MIKEY_OK;
}

int wr_finish(mikey_writer *w, uint8_t **out, size_t *out_len)
{
	if (w->nomem) {
		wr_cleanup(w);
		return MIKEY_ERR_NOMEM;
	}
	if (w->buf == NULL) {
		/* An empty result still gets a buffer so the caller can free it. */
		w->buf = mikey_malloc(1);
		if (w->buf == NULL)
			return MIKEY_ERR_NOMEM;
	}
	*out = w->buf;
	*out_len = w->len;
	w->buf = NULL;
	w->len = w->cap = 0;
	return MIKEY_OK;
}

/* malloc+copy+wipe rather than realloc, so no stale copy of key material
 * is left behind in freed memory. */
bool wr_grow(mikey_writer *w, size_t n)
{
	if (w->nomem)
		return false;
	if (w->buf != NULL && n <= w->cap - w->len)
		return true;
	if (n > SIZE_MAX / 2 - w->len) {
		w->nomem = true;
		return false;
	}
	size_t cap = w->buf != NULL ? w->cap : (w->cap ? w->cap : 256);
	while (cap < w->len + n)
		cap *= 2;
	uint8_t *nb = mikey_malloc(cap);
	if (nb == NULL) {
		w->nomem = true;
		return false;
	}
	if (w->buf != NULL) {
		memcpy(nb, w->buf, w->len);
		mikey_wipe(w->buf, w->len);
		mikey_free(w->buf);
	}
	w->buf = nb;
	w->cap = cap;
	return true;
}
