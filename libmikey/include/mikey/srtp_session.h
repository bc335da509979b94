/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * mikey/srtp_session.h - per-SSRC, multi-key SRTP sessions on libsrtp2.
 *
 * One mikey_srtp_sess protects (sender) or unprotects (receiver) the
 * SRTP and SRTCP packets of many SSRCs, one direction per object:
 *  - streams are added per SSRC from a MIKEY crypto session (its master
 *    key, salt, MKI, policy and ROC, RFC 3830 §6.1.1), and removed;
 *  - each stream holds up to MIKEY_SRTP_SESS_MAX_KEYS master keys, told
 *    apart by their MKI (RFC 3711 §3.1); keys are added and retired while
 *    the stream runs, keeping its ROC and replay state; a sender protects
 *    with the stream's current key and switches at a packet boundary;
 *  - key-usage limits (RFC 3711 §9.2) are reported per session through a
 *    callback with user data.
 *
 * Inside, every SSRC has its own libsrtp2 srtp_t, found through a hash
 * table keyed by SSRC: libsrtp2 2.5 walks a list to find a stream in an
 * srtp_t, so packet cost would otherwise grow with the number of streams
 * (docs/srtp-sessions.md has the numbers).
 *
 * What libsrtp2 keeps of a key, and what we wipe: see docs/srtp-sessions.md
 * ("Retiring a key"). libsrtp2 holds no master key after a stream is made;
 * it holds the session keys derived from it (cipher and HMAC contexts) and
 * destroys them when the stream is rebuilt without that key.
 *
 * Not to be confused with mikey_srtp_session_new (mikey/srtp_libsrtp.h),
 * which makes one plain libsrtp2 srtp_t for one crypto session.
 *
 * A session is not thread-safe: one thread at a time per session. Sessions
 * in different threads are independent.
 */
#ifndef MIKEY_SRTP_SESSION_H
#define MIKEY_SRTP_SESSION_H

#include "mikey/export.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <srtp2/srtp.h>

#include "mikey/error.h"
#include "mikey/exchange.h"

#ifdef __cplusplus
extern "C" {
#endif

/* libsrtp2 2.5 takes at most 16 master keys per stream. */
#define MIKEY_SRTP_SESS_MAX_KEYS 16

typedef struct mikey_srtp_sess mikey_srtp_sess;

typedef enum mikey_srtp_sess_dir {
	MIKEY_SRTP_SESS_PROTECT = 0, /* sender: protect RTP / RTCP */
	MIKEY_SRTP_SESS_UNPROTECT    /* receiver: unprotect SRTP / SRTCP */
} mikey_srtp_sess_dir;

typedef enum mikey_srtp_sess_event_kind {
	MIKEY_SRTP_EVENT_KEY_SOFT_LIMIT = 1, /* a key nears its limit: rekey now */
	MIKEY_SRTP_EVENT_KEY_HARD_LIMIT,     /* a key is used up: its packets are refused */
	MIKEY_SRTP_EVENT_SSRC_COLLISION,     /* libsrtp2 saw the SSRC in both directions */
	MIKEY_SRTP_EVENT_INDEX_LIMIT         /* libsrtp2: the packet index ran out */
} mikey_srtp_sess_event_kind;

/* What the callback is told. mki points into the session (valid during the
 * callback only); mki_len 0 for a stream without MKI. */
typedef struct mikey_srtp_sess_event {
	mikey_srtp_sess_event_kind kind;
	uint32_t ssrc;
	const uint8_t *mki;
	size_t mki_len;
	bool rtcp;          /* the limit reached is the SRTCP one */
	bool from_libsrtp;  /* raised by libsrtp2's own key limit (2^48 packets) */
	uint64_t used;      /* packets protected / unprotected with the key so far */
} mikey_srtp_sess_event;

/* Called from inside protect / unprotect, on the calling thread. It may not
 * call back into the session. */
typedef void (*mikey_srtp_sess_event_fn)(mikey_srtp_sess *sess, const mikey_srtp_sess_event *ev, void *user);

typedef struct mikey_srtp_sess_config {
	/* Replay window in packets (RFC 3711 §3.3.2), 64..32767; 0 = 128
	 * (libsrtp2's default). Kept by libsrtp2 and, across rekeys, by us. */
	unsigned long window;
	/* Key-usage limits per master key (RFC 3711 §9.2): hard limit in SRTP
	 * packets (0 = 2^48) and in SRTCP packets (0 = 2^31); the soft-limit
	 * event fires once per key when |soft_margin| packets are left
	 * (0 = 2^16, libsrtp2's margin; a margin at least the limit fires it
	 * on the first packet). libsrtp2 lets no caller set its own limit
	 * (fixed at 2^48), so the session counts itself; libsrtp2's events
	 * are passed on as well (from_libsrtp). */
	uint64_t srtp_limit;
	uint64_t srtcp_limit;
	uint64_t soft_margin;
	mikey_srtp_sess_event_fn on_event; /* may be NULL */
	void *user;
	/* RFC 4771 §3, RCCm3 receivers: the application knows the local ROC
	 * is synchronised with the sender's, so the ROC in the packets is
	 * removed but not used ("SHOULD ignore"). Default false: the ROC of
	 * every ROC-carrying RCCm3 packet is taken (there is no MAC to check
	 * it). Modes 1 and 2 always verify and take it. */
	bool rcc_trust_local_roc;
	/* Senders: an RTP packet whose index was protected before, and is
	 * still inside the replay window, may be protected again, giving the
	 * same bytes (a retransmission of the same packet; srtpenc's
	 * allow-repeat-tx, libsrtp2's allow_repeat_tx). RFC 3711 §3.3.2 lets
	 * an index carry one packet only: the application vouches that the
	 * repeat carries the same payload, or keystream is reused. Default
	 * false: a repeated index is MIKEY_ERR_REPLAY. Changed on a running
	 * session with mikey_srtp_sess_set_allow_repeat_tx. */
	bool allow_repeat_tx;
} mikey_srtp_sess_config;

/* mikey_srtp_sess_config_default fills |cfg| with the defaults above. */
MIKEY_API void mikey_srtp_sess_config_default(mikey_srtp_sess_config *cfg);

/* mikey_srtp_sess_new creates an empty session for direction |dir| with
 * |cfg| (copied; NULL = defaults); initialises libsrtp2 and installs
 * libmikey's event dispatcher once per process. Returns MIKEY_OK,
 * MIKEY_ERR_ARG (NULL |out|, bad |dir|, window out of range),
 * MIKEY_ERR_NOMEM, MIKEY_ERR_CRYPTO (libsrtp2 failed to start). */
MIKEY_API MIKEY_WARN_UNUSED int mikey_srtp_sess_new(mikey_srtp_sess_dir dir, const mikey_srtp_sess_config *cfg,
                                                    mikey_srtp_sess **out);

/* mikey_srtp_sess_free frees |sess|, its libsrtp2 sessions, and wipes
 * every key it holds. NULL is fine. */
MIKEY_API void mikey_srtp_sess_free(mikey_srtp_sess *sess);

/* mikey_srtp_sess_set_allow_repeat_tx sets the allow_repeat_tx of a
 * protect session's config from the next packet on. Returns MIKEY_OK,
 * MIKEY_ERR_ARG (NULL), MIKEY_ERR_STATE (an unprotect session). */
MIKEY_API MIKEY_WARN_UNUSED int mikey_srtp_sess_set_allow_repeat_tx(mikey_srtp_sess *sess, bool allow);

/* mikey_srtp_sess_add_stream adds the stream of crypto session |cs|: SSRC
 * cs->ssrc, ROC cs->roc, its policy (see mikey/srtp_libsrtp.h for what
 * libsrtp2 runs) and its master key and salt under MKI cs->mki (none when
 * cs->mki_len is 0; such a stream has exactly one key). That key is the
 * current one. An RFC 4771 policy (SRTP auth RCCm1, RCCm2 or RCCm3)
 * runs as well: libsrtp2 encrypts, the session puts on and checks the RCC
 * tags (docs/srtp-sessions.md "RFC 4771"); it needs a 16 or 32-byte
 * master key. Returns MIKEY_OK, MIKEY_ERR_ARG (NULL argument),
 * MIKEY_ERR_STATE (the SSRC has a stream already), MIKEY_ERR_POLICY (not
 * runnable on libsrtp2), MIKEY_ERR_NOMEM, MIKEY_ERR_CRYPTO (libsrtp2
 * refused). */
MIKEY_API MIKEY_WARN_UNUSED int mikey_srtp_sess_add_stream(mikey_srtp_sess *sess, const mikey_crypto_session *cs);

/* mikey_srtp_sess_remove_stream removes the stream of |ssrc| and wipes its
 * keys. Returns MIKEY_OK, MIKEY_ERR_ARG, MIKEY_ERR_UNKNOWN_SSRC. */
MIKEY_API MIKEY_WARN_UNUSED int mikey_srtp_sess_remove_stream(mikey_srtp_sess *sess, uint32_t ssrc);

/* mikey_srtp_sess_stream_count returns the number of streams. */
MIKEY_API size_t mikey_srtp_sess_stream_count(const mikey_srtp_sess *sess);

/* mikey_srtp_sess_add_key adds the master key and salt of |cs| under MKI
 * cs->mki to the existing stream of cs->ssrc (cs->roc is not used: the
 * stream keeps its ROC, s_l and replay state; libsrtp2's
 * srtp_update_stream). The current key does not change. cs's policy must
 * be the stream's. Returns MIKEY_OK, MIKEY_ERR_ARG (NULL, no MKI, an MKI
 * length other than the stream's, or an MKI the stream has),
 * MIKEY_ERR_UNKNOWN_SSRC, MIKEY_ERR_TOO_MANY (16 keys already),
 * MIKEY_ERR_POLICY, MIKEY_ERR_NOMEM, MIKEY_ERR_CRYPTO. On MIKEY_ERR_NOMEM
 * or MIKEY_ERR_CRYPTO the stream may have been lost inside libsrtp2 (it
 * removes before it re-adds); it is then removed here as well. */
MIKEY_API MIKEY_WARN_UNUSED int mikey_srtp_sess_add_key(mikey_srtp_sess *sess, const mikey_crypto_session *cs);

/* mikey_srtp_sess_use_key makes the key with MKI mki[0, mki_len) the one
 * the sender protects the stream of |ssrc| with, from the next packet on.
 * Returns MIKEY_OK, MIKEY_ERR_ARG, MIKEY_ERR_STATE (an unprotect session),
 * MIKEY_ERR_UNKNOWN_SSRC, MIKEY_ERR_UNKNOWN_MKI. */
MIKEY_API MIKEY_WARN_UNUSED int mikey_srtp_sess_use_key(mikey_srtp_sess *sess, uint32_t ssrc, const uint8_t *mki,
                                                        size_t mki_len);

/* mikey_srtp_sess_retire_key removes the key with MKI mki[0, mki_len)
 * from the stream of |ssrc|: the stream is rebuilt in libsrtp2 without it
 * (keeping ROC and replay state), libsrtp2 destroys the session keys it
 * derived from it, and our copy is wiped. Its packets are then refused
 * with MIKEY_ERR_UNKNOWN_MKI. Returns MIKEY_OK, MIKEY_ERR_ARG,
 * MIKEY_ERR_UNKNOWN_SSRC, MIKEY_ERR_UNKNOWN_MKI, MIKEY_ERR_STATE (the
 * sender's current key, or the stream's last key: remove the stream),
 * and the failure codes of mikey_srtp_sess_add_key. */
MIKEY_API MIKEY_WARN_UNUSED int mikey_srtp_sess_retire_key(mikey_srtp_sess *sess, uint32_t ssrc, const uint8_t *mki,
                                                           size_t mki_len);

/* mikey_srtp_sess_get_roc puts the ROC of the stream of |ssrc| (of the
 * highest packet index processed, with RFC 4771 as learnt from the
 * packets; the initial ROC before any packet) in *roc. Returns MIKEY_OK, MIKEY_ERR_ARG, MIKEY_ERR_UNKNOWN_SSRC. */
MIKEY_API MIKEY_WARN_UNUSED int mikey_srtp_sess_get_roc(const mikey_srtp_sess *sess, uint32_t ssrc, uint32_t *roc);

/* mikey_srtp_sess_protect_rtp protects the RTP packet buf[0, len) in place
 * with the current key of its SSRC's stream (MKI and tag appended); |cap|
 * is the size of |buf|; *out_len gets the new length. Returns MIKEY_OK,
 * MIKEY_ERR_ARG (NULL, an unprotect session, over INT_MAX bytes), MIKEY_ERR_TRUNCATED (shorter
 * than its RTP header), MIKEY_ERR_FORMAT (not RTP version 2),
 * MIKEY_ERR_LENGTH (|cap| too small), MIKEY_ERR_UNKNOWN_SSRC (no stream),
 * MIKEY_ERR_REPLAY (index used already), MIKEY_ERR_KEY_LIMIT (the key's
 * hard limit is reached), MIKEY_ERR_CRYPTO. */
MIKEY_API MIKEY_WARN_UNUSED int mikey_srtp_sess_protect_rtp(mikey_srtp_sess *sess, uint8_t *buf, size_t len,
                                                            size_t cap, size_t *out_len);

/* mikey_srtp_sess_protect_rtcp is the same for an RTCP compound packet
 * (E || SRTCP index, MKI and tag appended, RFC 3711 §3.4). Same codes. */
MIKEY_API MIKEY_WARN_UNUSED int mikey_srtp_sess_protect_rtcp(mikey_srtp_sess *sess, uint8_t *buf, size_t len,
                                                             size_t cap, size_t *out_len);

/* mikey_srtp_sess_unprotect_rtp checks and decrypts the SRTP packet
 * buf[0, len) in place; *out_len gets the RTP packet's length. Returns
 * MIKEY_OK, MIKEY_ERR_ARG (NULL, a protect session), MIKEY_ERR_TRUNCATED
 * (too short for header, MKI and tag), MIKEY_ERR_FORMAT (not version 2),
 * MIKEY_ERR_UNKNOWN_SSRC, MIKEY_ERR_UNKNOWN_MKI (retired or never added),
 * MIKEY_ERR_AUTH (tag mismatch; RFC 4771: also a ROC-carrying packet
 * whose MAC over the ROC it carries does not verify, the local ROC then
 * unchanged), MIKEY_ERR_REPLAY (seen, or older than the window; RFC 4771:
 * also a carried ROC that would move the index back beyond the window),
 * MIKEY_ERR_KEY_LIMIT, MIKEY_ERR_CRYPTO. With RFC 4771 a verified
 * ROC-carrying packet sets the stream's ROC to the sender's (a late
 * joiner resynchronises). On failure |buf| may hold garbage. */
MIKEY_API MIKEY_WARN_UNUSED int mikey_srtp_sess_unprotect_rtp(mikey_srtp_sess *sess, uint8_t *buf, size_t len,
                                                              size_t *out_len);

/* mikey_srtp_sess_unprotect_rtcp is the same for SRTCP. Same codes. */
MIKEY_API MIKEY_WARN_UNUSED int mikey_srtp_sess_unprotect_rtcp(mikey_srtp_sess *sess, uint8_t *buf, size_t len,
                                                               size_t *out_len);

/* mikey_srtp_error_from_libsrtp maps a libsrtp2 status to a MIKEY_ERR_*
 * code: auth_fail -> MIKEY_ERR_AUTH, replay_fail / replay_old /
 * pkt_idx_old -> MIKEY_ERR_REPLAY, no_ctx -> MIKEY_ERR_UNKNOWN_SSRC,
 * bad_mki -> MIKEY_ERR_UNKNOWN_MKI, key_expired -> MIKEY_ERR_KEY_LIMIT,
 * parse_err -> MIKEY_ERR_TRUNCATED, bad_param -> MIKEY_ERR_ARG,
 * alloc_fail -> MIKEY_ERR_NOMEM, ok -> MIKEY_OK, anything else ->
 * MIKEY_ERR_CRYPTO. */
MIKEY_API int mikey_srtp_error_from_libsrtp(srtp_err_status_t st);

/* Events libsrtp2 raises for srtp_t that no mikey_srtp_sess is working on
 * (the application's own, mikey_srtp_session_new's): libsrtp2 has one
 * handler per process, and libmikey installs its dispatcher there. */
typedef void (*mikey_srtp_foreign_event_fn)(srtp_event_data_t *data, void *user);

/* mikey_srtp_set_foreign_event_handler sets where those events go (NULL:
 * dropped, the default). Call it once, before packets flow; do not call
 * srtp_install_event_handler yourself, or session events stop coming
 * from libsrtp2 (the session's own key counters still work). */
MIKEY_API void mikey_srtp_set_foreign_event_handler(mikey_srtp_foreign_event_fn fn, void *user);

#ifdef __cplusplus
}
#endif
#endif
