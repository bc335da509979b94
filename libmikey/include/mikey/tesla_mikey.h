/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * mikey/tesla_mikey.h - bootstrapping TESLA through MIKEY (RFC 4442 §4):
 * the TESLA parameters of mikey/tesla.h as an SP payload of Prot type TESLA
 * (RFC 4442 §4.1, §4.2) plus a TESLA I-Key General Extension (RFC 4442
 * §4.4), and the in-band clock offset D_t of RFC 4442 §4.3 alternative 2.
 *
 * Wire choices (docs/tesla.md, "Bootstrapping through MIKEY"):
 *  - SP parameter 2 ("Length of PRF f' output") carries n_f. RFC 4442 has
 *    no parameter for n_p (the chain key length), so n_p is RFC 4383 §6's
 *    160 bits; a params struct with another n_p is refused
 *    (MIKEY_ERR_POLICY).
 *  - Lengths (2, 4) in bits, one byte; PRF and MAC ids (1, 3) one byte;
 *    T_0 (5) and the receiver timestamp (9) NTP-UTC, 8 bytes; interval
 *    duration (6) 4 bytes in ms and delay (7) 2 bytes (RFC 4442 §4.2
 *    RECOMMENDED widths); chain length (8) 4 bytes. Integers are parsed
 *    big-endian from 1 to 8 bytes and range-checked.
 *  - The I-Key Data is K_c (n_p/8 = 20 bytes) when the committed key is
 *    K_0, or K_c || c (4 bytes, big-endian) for a later key K_c (late
 *    joiners, RFC 4082 §3.3). Its length tells which.
 *  - The k-th TESLA I-Key of a message belongs to the k-th SP payload of
 *    Prot type TESLA (General Extensions carry no policy number).
 *  - D_t (RFC 4383 §4.3 item 9) is not transported (RFC 4442 §3): parsing
 *    leaves it 0 and the caller sets it, from NTP or mikey_tesla_dt_*.
 *
 * The payloads are public (not in a KEMAC) but must be covered by the
 * message's MAC or signature (RFC 4442 §4.4, RFC 4383 §5): build them
 * before the SIGN / V payload is computed.
 */
#ifndef MIKEY_TESLA_MIKEY_H
#define MIKEY_TESLA_MIKEY_H

#include "mikey/export.h"

#include <stdbool.h>
#include <stdint.h>

#include "mikey/error.h"
#include "mikey/msg.h"
#include "mikey/tesla.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The only chain key length RFC 4442 can express (RFC 4383 §6), bits. */
#define MIKEY_TESLA_WIRE_N_P 160
/* Bytes of the optional key index after the key in the I-Key Data. */
#define MIKEY_TESLA_IKEY_INDEX_LEN 4

/* mikey_tesla_params_to_sp writes the parameters of |p| as Prot type
 * TESLA with |policy_no| into |sp| (owned by |msg|): types 1-8 in table
 * order, then type 9 = *|t_r| when |t_r| is not NULL (RFC 4442 §4.3
 * alternative 2: the media sender echoes the receiver's timestamp).
 * Returns MIKEY_OK, MIKEY_ERR_ARG (NULL), MIKEY_ERR_POLICY (|p| fails
 * mikey_tesla_params_check, or n_p != 160, or t_int/d/n_c too large for
 * their fields), MIKEY_ERR_NOMEM. */
MIKEY_API MIKEY_WARN_UNUSED int mikey_tesla_params_to_sp(mikey_msg *msg, const mikey_tesla_params *p, uint8_t policy_no,
                                               const uint64_t *t_r, mikey_sp *sp);

/* mikey_tesla_params_from_sp reads a Prot type TESLA SP into |p|: RFC 4383
 * §6 defaults for absent parameters 1-4; 5-8 are mandatory; unknown
 * types, duplicates, bad widths and unsupported values are refused. The
 * commitment is not in the SP: |p|'s commit_index and commitment are
 * zeroed (see mikey_tesla_ikey_from_gen_ext), d_t is 0. When |t_r| is not
 * NULL it receives parameter 9 and *|has_t_r| (may be NULL) says whether
 * it was present. |err| may be NULL; it names the parameter.
 * Returns MIKEY_OK, MIKEY_ERR_ARG (NULL, or Prot type not TESLA),
 * MIKEY_ERR_POLICY. */
MIKEY_API MIKEY_WARN_UNUSED int mikey_tesla_params_from_sp(const mikey_sp *sp, mikey_tesla_params *p, bool *has_t_r,
                                                 uint64_t *t_r, mikey_error *err);

/* mikey_tesla_ikey_to_gen_ext fills |ge| (owned by |msg|) as a TESLA I-Key
 * carrying p->commitment (and p->commit_index when it is not 0).
 * Returns MIKEY_OK, MIKEY_ERR_ARG, MIKEY_ERR_POLICY (n_p != 160),
 * MIKEY_ERR_NOMEM. */
MIKEY_API MIKEY_WARN_UNUSED int mikey_tesla_ikey_to_gen_ext(mikey_msg *msg, const mikey_tesla_params *p, mikey_gen_ext *ge);

/* mikey_tesla_ikey_from_gen_ext reads a TESLA I-Key into p->commitment and
 * p->commit_index (p->n_p must already be 160). Returns MIKEY_OK,
 * MIKEY_ERR_ARG (NULL, or not an I-Key), MIKEY_ERR_POLICY (length neither
 * 20 nor 24, or an index >= p->n_c when p->n_c is set). */
MIKEY_API MIKEY_WARN_UNUSED int mikey_tesla_ikey_from_gen_ext(const mikey_gen_ext *ge, mikey_tesla_params *p,
                                                    mikey_error *err);

/* mikey_tesla_params_to_payloads appends to |m| an SP payload (Prot type
 * TESLA, |policy_no|) and a TESLA I-Key General Extension for |p| (what
 * mikey_tesla_sender_get0_params returns). Call it once per TESLA policy,
 * in policy order, before signing. |p| is checked before anything is
 * appended, so only MIKEY_ERR_NOMEM leaves |m| partly extended (discard it
 * then). Returns the codes of mikey_tesla_params_to_sp. */
MIKEY_API MIKEY_WARN_UNUSED int mikey_tesla_params_to_payloads(mikey_msg *m, const mikey_tesla_params *p, uint8_t policy_no);

/* mikey_tesla_params_to_payloads_echo is the same with parameter 9 = |t_r|,
 * the receiver's timestamp from its initiator message (RFC 4442 §4.3
 * alternative 2). */
MIKEY_API MIKEY_WARN_UNUSED int mikey_tesla_params_to_payloads_echo(mikey_msg *m, const mikey_tesla_params *p,
                                                          uint8_t policy_no, uint64_t t_r);

/* mikey_tesla_params_from_msg finds the TESLA SP with |policy_no| in |m|
 * and its I-Key, and fills |out| (d_t = 0: see mikey_tesla_dt_from_msg).
 * The result passes mikey_tesla_params_check. Returns MIKEY_OK,
 * MIKEY_ERR_ARG, MIKEY_ERR_NOT_FOUND (no TESLA SP with that number),
 * MIKEY_ERR_POLICY (bad SP, I-Key missing or bad, or the counts of TESLA
 * SPs and I-Keys differ so the pairing is ambiguous). */
MIKEY_API MIKEY_WARN_UNUSED int mikey_tesla_params_from_msg(const mikey_msg *m, uint8_t policy_no, mikey_tesla_params *out,
                                                  mikey_error *err);

/* mikey_tesla_dt_compute is RFC 4442 §4.3 alternative 2 (RFC 4082 §3.3.1):
 * D_t = t_s - t_r + S, all NTP 64-bit (t_r the receiver's local time when
 * it sent its request, t_s the sender's time in its reply, S the drift
 * bound for the session as an NTP 32.32 duration). A negative result is
 * raised to 0 (still an upper bound on the lag) and an overflow saturates.
 * Returns MIKEY_OK or MIKEY_ERR_ARG (NULL |d_t|). */
MIKEY_API MIKEY_WARN_UNUSED int mikey_tesla_dt_compute(uint64_t t_s, uint64_t t_r, uint64_t s, uint64_t *d_t);

/* mikey_tesla_dt_from_msg applies mikey_tesla_dt_compute to a responder
 * message |resp| on the media receiver (the MIKEY initiator): t_s from its
 * T payload (TS type NTP-UTC or NTP), and checks that parameter 9 of the
 * TESLA SP |policy_no| echoes |t_r_sent|, the timestamp this receiver put
 * in its request (otherwise the reply is not for our request and the D_t
 * would be unfounded). |resp| must already be authenticated.
 * Returns MIKEY_OK, MIKEY_ERR_ARG, MIKEY_ERR_NOT_FOUND (no T payload, no
 * such SP, or no parameter 9), MIKEY_ERR_TIMESTAMP (echo differs, or
 * t_s is not a 64-bit NTP timestamp), MIKEY_ERR_POLICY (bad SP). */
MIKEY_API MIKEY_WARN_UNUSED int mikey_tesla_dt_from_msg(const mikey_msg *resp, uint8_t policy_no, uint64_t t_r_sent,
                                              uint64_t s, uint64_t *d_t, mikey_error *err);

#ifdef __cplusplus
}
#endif
#endif
