/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * relay.h - the key server's SRTP relay for loopback conferences: every
 * datagram one member sends goes on to every other member, untouched (the
 * relay never holds media keys it would need to decrypt: it forwards
 * ciphertext, as a multicast network would).
 *
 * Optional tap: a copy of every forwarded datagram goes to one more
 * address, as an eavesdropper on a multicast group sees it (the demo's
 * leaver listens there after it left, to show it decrypts nothing).
 *
 * Bounded: a datagram longer than 2048 bytes is dropped, and the relay
 * never waits on its socket: a copy the kernel will not take at once is
 * dropped and counted (ks_relay_get_drops), as a congested network would.
 *
 * Runs on the thread-default GLib main context of the caller.
 * Ownership: ks_relay_new / ks_relay_free.
 */
#ifndef KS_RELAY_H
#define KS_RELAY_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct ks_relay ks_relay;

/* ks_relay_new binds |addr|:|port| (0: any free port, read back with
 * ks_relay_port). Addresses here are numeric (IPv4 or IPv6 literals);
 * errors are in G_IO_ERROR. */
bool ks_relay_new(const char *addr, uint16_t port, ks_relay **out, GError **err);
void ks_relay_free(ks_relay *r);
uint16_t ks_relay_port(const ks_relay *r);

/* ks_relay_add_member / _remove_member: the member reached at
 * |addr|:|port| (it also sends from there). Adding one twice is fine. */
bool ks_relay_add_member(ks_relay *r, const char *addr, uint16_t port, GError **err);
void ks_relay_remove_member(ks_relay *r, const char *addr, uint16_t port);

/* ks_relay_set_tap: copy everything to |addr|:|port| too (NULL: no tap). */
bool ks_relay_set_tap(ks_relay *r, const char *addr, uint16_t port, GError **err);

typedef struct ks_relay_stats {
	uint64_t received;  /* datagrams in */
	uint64_t forwarded; /* datagrams out (one per recipient) */
	uint64_t unknown;   /* from an address that is no member: dropped */
	unsigned members;
} ks_relay_stats;

void ks_relay_get_stats(const ks_relay *r, ks_relay_stats *st);

/* ks_relay_roc: the rollover counter of the SRTP stream |ssrc| as the
 * relay estimates it from the members' packets (roc_track.h); false when
 * it never forwarded that SSRC. */
bool ks_relay_roc(const ks_relay *r, uint32_t ssrc, uint32_t *roc);

/* What the relay dropped besides datagrams from non-members: never
 * waiting on a full socket buffer costs a copy instead. */
typedef struct ks_relay_drops {
	uint64_t oversize;       /* longer than 2048 bytes: not forwarded */
	uint64_t would_block;    /* a copy not sent: the send buffer was full */
	uint64_t send_failed;    /* a copy not sent for another reason */
	uint64_t receive_failed; /* errors reading the socket */
} ks_relay_drops;

void ks_relay_get_drops(const ks_relay *r, ks_relay_drops *d);

#endif
