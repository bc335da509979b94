/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * media_addr.h - UDP addresses and sockets for the member media and the
 * relay: numeric literals only (no name lookup: nothing here may block on
 * DNS).
 */
#ifndef MEDIA_ADDR_H
#define MEDIA_ADDR_H

#include <gio/gio.h>
#include <stdbool.h>
#include <stdint.h>

/* media_addr_parse makes |addr|:|port| (an IPv4 or IPv6 literal) a socket
 * address (the caller's), or NULL with G_IO_ERROR_INVALID_ARGUMENT. */
GInetSocketAddress *media_addr_parse(const char *addr, uint16_t port, GError **err);

/* media_addr_equal: the same address and port. */
bool media_addr_equal(GInetSocketAddress *a, GInetSocketAddress *b);

/* media_socket_clear closes and releases *s; media_source_clear takes *s
 * off its main context and releases it. Both set *s to NULL; NULL is fine. */
void media_socket_clear(GSocket **s);
void media_source_clear(GSource **s);

#endif
