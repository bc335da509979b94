/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * srtp_lib.h - the one start-up of libsrtp2 for all of libmikey (srtp_init
 * and the one process-wide event handler), and the way an event raised
 * inside srtp_protect / srtp_unprotect finds the libmikey object that made
 * the call. Internal to src/srtp/; not installed.
 *
 * libsrtp2 2.5 has ONE event handler per process (srtp_install_event_handler)
 * and calls it synchronously from inside srtp_protect*, srtp_unprotect* (key
 * soft / hard limit, SSRC collision, packet index limit): no other libsrtp2
 * call raises events. So the caller marks the object it is working for in a
 * thread-local slot around each such call (mikey_srtp_sink_enter / _leave),
 * and the dispatcher hands the event to that object when the event's srtp_t
 * is the one the object owns. Events of srtp_t that libmikey does not run
 * for a sink (mikey_srtp_session_new, the TESLA glue, the application's own)
 * go to the handler set with mikey_srtp_set_foreign_event_handler, if any.
 */
#ifndef MIKEY_SRTP_LIB_H
#define MIKEY_SRTP_LIB_H

#include <stdbool.h>

#include <srtp2/srtp.h>

#include "mikey/srtp_libsrtp.h"

typedef struct mikey_srtp_sink mikey_srtp_sink;
struct mikey_srtp_sink {
	srtp_t srtp; /* the srtp_t whose events this sink takes */
	void (*on_event)(mikey_srtp_sink *sink, srtp_event_t ev);
};

/* mikey_srtp_lib_init initialises libsrtp2 and installs the dispatcher,
 * once per process (pthread_once). Returns MIKEY_OK or MIKEY_ERR_CRYPTO. */
int mikey_srtp_lib_init(void);

/* The sink of the calling thread while it is inside a libsrtp2 call;
 * returns the previous one (restore it with mikey_srtp_sink_leave). */
mikey_srtp_sink *mikey_srtp_sink_enter(mikey_srtp_sink *sink);
void mikey_srtp_sink_leave(mikey_srtp_sink *prev);

/* mikey_srtp_fill_policy_ex is mikey_srtp_fill_policy that, with
 * |rcc_ok|, also takes an RFC 4771 RCC policy: its SRTP crypto policy then
 * has NULL auth (the caller runs RCC around libsrtp2, srtp/rcc.h). */
int mikey_srtp_fill_policy_ex(const mikey_crypto_session *cs, mikey_srtp_ssrc_mode mode, bool rcc_ok,
                              srtp_policy_t *policy, mikey_srtp_key_buf *kb);

#endif
