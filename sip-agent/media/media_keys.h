/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * media_keys.h - what the member media takes out of a MIKEY exchange:
 * its own sender's crypto session, an exchange holding only that session
 * for the encoder (kept until the encoder switches to it), and the
 * insider's forgeries member_media_forge sends.
 */
#ifndef MEDIA_KEYS_H
#define MEDIA_KEYS_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mikey/exchange.h>

/* media_keys_own_cs copies out the crypto session (key 0) of |ssrc|, or
 * one keying any SSRC (SSRC 0, no TESLA: TESLA needs the sender's own).
 * The caller wipes *out with mikey_crypto_session_cleanup. Errors in
 * MEMBER_MEDIA_ERROR (KEY). */
bool media_keys_own_cs(const mikey_exchange *ex, uint32_t ssrc, mikey_crypto_session *out, GError **err);

/* media_keys_wrap makes a complete exchange that carries |cs| alone (its
 * CSB ID, SSRC, ROC, policy, master key and salt as a TEK+SALT, MKI and
 * TESLA parameters), initiated on |ctx| (a clock and a PSK set): the
 * encoder's keys, owned here, while the caller's exchange is only
 * borrowed. NULL with |err| (KEY) on failure. */
mikey_exchange *media_keys_wrap(mikey_ctx *ctx, uint32_t csb_id, const mikey_crypto_session *cs, GError **err);

/* media_keys_wrap_ctx: a context for media_keys_wrap (system clock, a
 * random PSK that never leaves it). NULL with |err| (INIT). */
mikey_ctx *media_keys_wrap_ctx(GError **err);

/* media_keys_tesla_equal: the same TESLA sender (the parameters that tie
 * a chain to its receivers; D_t is each receiver's own). */
bool media_keys_tesla_equal(const mikey_tesla_params *a, const mikey_tesla_params *b);

/* The first bytes of every forgery's RTP payload, so that a receiver can
 * tell one that got through. */
#define MEDIA_FORGE_MARK "mikey-forgery-v1"
#define MEDIA_FORGE_MARK_LEN 16

/* media_keys_forge writes |n| forgeries into |send| (called once per
 * packet with the SRTP bytes): RTP under |victim_cs|'s SSRC, sequence
 * numbers from |seq|, ROC |roc|, a |payload_len|-byte payload starting
 * with MEDIA_FORGE_MARK, protected with the victim's SRTP keys and a
 * TESLA MAC from a fresh random chain under the victim's TESLA
 * parameters. Returns how many were made and handed to |send| (which
 * returns false to stop); *err when none could be. */
typedef bool (*media_forge_send_fn)(const uint8_t *pkt, size_t len, void *user);
unsigned media_keys_forge(const mikey_crypto_session *victim_cs, uint32_t roc, uint16_t seq, size_t payload_len,
                          unsigned n, media_forge_send_fn send, void *user, GError **err);

/* media_keys_hex: lower-case hex of |len| bytes (g_free; wipe first when
 * secret). */
char *media_keys_hex(const uint8_t *b, size_t len);

#endif
