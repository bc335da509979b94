/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * srtp_lib.c - libsrtp2 started once for the whole library, and its one
 * process-wide event handler dispatching to libmikey objects. See
 * srtp_lib.h.
 */
#include "srtp/srtp_lib.h"

#include <pthread.h>
#include <stddef.h>

#include "mikey/error.h"
#include "mikey/srtp_session.h"

static pthread_once_t lib_once = PTHREAD_ONCE_INIT;
static _Thread_local mikey_srtp_sink *in_flight;
/* Written by the application before it expects events; read on the packet
 * path of any thread. A pointer-sized store: documented as "set it once,
 * before use" in mikey/srtp_session.h. */
static mikey_srtp_foreign_event_fn foreign_fn;
static void *foreign_user;

static void dispatch(srtp_event_data_t *data)
{
	mikey_srtp_sink *s = in_flight;

	/* Ours only if the calling thread is inside a call for a sink and the
	 * event names that sink's srtp_t; srtp_get_user_data of a foreign
	 * srtp_t may hold anything, so it is never dereferenced here. */
	if (s != NULL && data != NULL && data->session == s->srtp) {
		s->on_event(s, data->event);
		return;
	}
	if (foreign_fn != NULL && data != NULL)
		foreign_fn(data, foreign_user);
}

static void lib_init_once(void)
{
	/* libsrtp2 2.5 answers a second srtp_init() with an error (the
	 * application may have called it first): the result is ignored, and
	 * srtp_create fails later if libsrtp2 is really unusable. */
	(void)srtp_init();
	srtp_install_event_handler(dispatch);
}

int mikey_srtp_lib_init(void)
{
	return pthread_once(&lib_once, lib_init_once) == 0 ? MIKEY_OK : MIKEY_ERR_CRYPTO;
}

mikey_srtp_sink *mikey_srtp_sink_enter(mikey_srtp_sink *sink)
{
	mikey_srtp_sink *prev = in_flight;
	in_flight = sink;
	return prev;
}

void mikey_srtp_sink_leave(mikey_srtp_sink *prev)
{
	in_flight = prev;
}

void mikey_srtp_set_foreign_event_handler(mikey_srtp_foreign_event_fn fn, void *user)
{
	foreign_fn = fn;
	foreign_user = user;
	(void)mikey_srtp_lib_init();
}
