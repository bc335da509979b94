/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * msg_memory.c - a message's life and storage: the arena every parsed or
 * built field lives in, adding and finding payloads, and wiping buffers
 * the codec hands out. The lowest layer of the codec: payload parsers call
 * it, it calls no parser.
 */
#include <string.h>

#include "base/arena.h"
#include "codec/codec.h"
#include "mikey/mem.h"

mikey_msg *mikey_msg_new_sized(size_t arena_size)
{
	mikey_arena *a = mikey_arena_new(sizeof(mikey_msg) + arena_size);
	if (a == NULL)
		return NULL;
	mikey_msg *m = mikey_arena_alloc(a, sizeof(*m));
	if (m == NULL) {
		mikey_arena_free(a);
		return NULL;
	}
	m->arena = a;
	m->hdr.version = MIKEY_VERSION_1;
	return m;
}

mikey_msg *mikey_msg_new(void)
{
	return mikey_msg_new_sized(1024);
}

void mikey_msg_free(mikey_msg *msg)
{
	if (msg != NULL)
		mikey_arena_free(msg->arena); /* |msg| itself lives in the arena */
}

void *mikey_msg_alloc(mikey_msg *msg, size_t n)
{
	return msg != NULL ? mikey_arena_alloc(msg->arena, n) : NULL;
}

int mikey_msg_set_bytes(mikey_msg *msg, mikey_bytes *dst, const void *src, size_t len)
{
	if (msg == NULL || dst == NULL || (src == NULL && len > 0))
		return MIKEY_ERR_ARG;
	if (len == 0) {
		dst->data = NULL;
		dst->len = 0;
		return MIKEY_OK;
	}
	uint8_t *copy = mikey_arena_alloc(msg->arena, len);
	if (copy == NULL)
		return MIKEY_ERR_NOMEM;
	memcpy(copy, src, len);
	dst->data = copy;
	dst->len = len;
	return MIKEY_OK;
}

mikey_payload *mikey_msg_add_payload(mikey_msg *msg, mikey_payload_list *list, uint8_t type)
{
	if (msg == NULL || list == NULL)
		return NULL;
	mikey_payload *p = mikey_arena_alloc(msg->arena, sizeof(*p));
	if (p == NULL)
		return NULL;
	p->type = type;
	if (list->last != NULL)
		list->last->next = p;
	else
		list->first = p;
	list->last = p;
	list->count++;
	return p;
}

mikey_payload *mikey_msg_find(const mikey_msg *msg, uint8_t type, size_t nth)
{
	if (msg == NULL)
		return NULL;
	for (mikey_payload *p = msg->payloads.first; p != NULL; p = p->next) {
		if (p->type == type && nth-- == 0)
			return p;
	}
	return NULL;
}

const mikey_sp_param *mikey_sp_find(const mikey_sp *sp, uint8_t type)
{
	if (sp == NULL)
		return NULL;
	for (size_t i = 0; i < sp->n_params; i++) {
		if (sp->params[i].type == type)
			return &sp->params[i];
	}
	return NULL;
}

void mikey_buf_free(uint8_t *buf, size_t len)
{
	if (buf == NULL)
		return;
	mikey_wipe(buf, len);
	mikey_free(buf);
}
