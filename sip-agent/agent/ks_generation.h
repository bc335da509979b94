/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ks_generation.h - the key server's group key generations (mikey/group.h)
 * and their stored form.
 *
 * A generation is made from the group's policy, its CSB ID, an epoch, an
 * MKI (4-byte counter), the current members as senders (in joining order:
 * their CS IDs, RFC 3830 §6.1.1, follow that order, which the store keeps,
 * so a restarted key server rebuilds the same CS map) and key material:
 * a TGK and RAND drawn from OpenSSL's DRBG, or the stored ones when
 * restoring. The stored form (ks_generation.secret) is
 * key_len(1) || TGK || rand_len(1) || RAND, wrapped by the store.
 */
#ifndef AGENT_KS_GENERATION_H
#define AGENT_KS_GENERATION_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include <mikey/group.h>

#include "../store/store.h"

/* The MKI every generation carries: 4 bytes, big-endian, the epoch's
 * counter (RFC 3711 §3.1: the MKI names the master key). */
#define KS_MKI_LEN 4

/* ks_generation_make: a new generation at |epoch| with MKI = epoch.
 * |restore| (may be NULL) gives stored key material; otherwise it is drawn
 * and *record (may be NULL) receives it for the store (ks_generation_clear
 * it). */
bool ks_generation_make(const mikey_srtp_policy *policy, uint32_t csb_id, uint32_t epoch,
                        const mikey_group_sender *senders, size_t n_senders, const ks_generation *restore,
                        mikey_group_gen **out, ks_generation *record, GError **err);

/* ks_mki_hex: the MKI of |g| as hex (g_free). */
char *ks_mki_hex(const mikey_group_gen *g);

#endif
