/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* media_addr.c - see media_addr.h. */
#include "media_addr.h"

GInetSocketAddress *media_addr_parse(const char *addr, uint16_t port, GError **err)
{
	GInetAddress *ia = addr != NULL ? g_inet_address_new_from_string(addr) : NULL;
	GSocketAddress *sa;

	if (ia == NULL) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "'%s' is no numeric IP address",
		            addr != NULL ? addr : "(null)");
		return NULL;
	}
	sa = g_inet_socket_address_new(ia, port);
	g_object_unref(ia);
	return G_INET_SOCKET_ADDRESS(sa);
}

bool media_addr_equal(GInetSocketAddress *a, GInetSocketAddress *b)
{
	return g_inet_socket_address_get_port(a) == g_inet_socket_address_get_port(b) &&
	       g_inet_address_equal(g_inet_socket_address_get_address(a), g_inet_socket_address_get_address(b));
}

void media_socket_clear(GSocket **s)
{
	if (*s == NULL)
		return;
	g_socket_close(*s, NULL);
	g_object_unref(*s);
	*s = NULL;
}

void media_source_clear(GSource **s)
{
	if (*s == NULL)
		return;
	g_source_destroy(*s);
	g_source_unref(*s);
	*s = NULL;
}
