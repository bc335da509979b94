/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ks_window.c - how many pushes (re-INVITEs carrying a generation) one key
 * server has out at once ([key-server] push-window), and the FIFO of
 * members whose push waits for a free place.
 *
 * Why: a rekey of every group at once sends one re-INVITE per member, and
 * behind a proxy all of them share one connection. Thousands in flight
 * overflow sofia-sip's queue, make the answers come back as one burst
 * (each answer read from a burst keeps a copy of the rest of it: sofia-sip
 * moves the unread bytes of a read into the next message's buffer) and
 * run the last transactions past their timeout, so that members who did
 * nothing wrong are removed. With a window, a push waits in the FIFO
 * before its transaction starts: waiting costs no SIP timer, and a member
 * that waits while the generation changes again gets only the newest.
 */
#include "ks_state.h"

/* drain: pushes for waiting members while places are free. Run from the
 * main loop, never from inside a push's answer: ks_push can remove a
 * member (and rekey), which must not happen under the handler that freed
 * the place. */
static gboolean drain(gpointer p)
{
	ks *k = p;
	/* Bounded by the members waiting now: one taken per turn, whether
	 * its push goes out or ks_push finds nothing to send. */
	guint turns = k->push_wait.length;
	k->drain_src = 0;
	for (guint i = 0; i < turns && k->pushes_out < k->c->push_window; i++) {
		ks_member *m = g_queue_pop_head(&k->push_wait);
		if (m == NULL)
			break;
		m->push_waiting = false;
		m->push_granted = true; /* ks_push clears it first: |m| may go */
		ks_push(m);
	}
	return G_SOURCE_REMOVE;
}

static void drain_soon(ks *k)
{
	if (k->drain_src == 0 && k->push_wait.length > 0 && !k->stopping)
		k->drain_src = g_idle_add(drain, k);
}

bool ks_window_enter(ks_member *m, bool granted)
{
	ks *k = m->group->k;
	if (granted || k->c->push_window == 0)
		return true;
	if (m->push_waiting)
		return false; /* its turn pushes the generation current then */
	/* First come, first served: nobody overtakes a member that waits. */
	if (k->pushes_out < k->c->push_window && k->push_wait.length == 0)
		return true;
	m->push_waiting = true;
	g_queue_push_tail(&k->push_wait, m);
	k->pushes_waited++;
	drain_soon(k);
	return false;
}

void ks_window_sent(ks *k)
{
	k->pushes_out++;
	if (k->pushes_out > k->pushes_out_max)
		k->pushes_out_max = k->pushes_out;
}

void ks_window_done(ks *k)
{
	if (k->pushes_out > 0)
		k->pushes_out--;
	drain_soon(k);
}

void ks_window_forget(ks_member *m)
{
	if (!m->push_waiting)
		return;
	g_queue_remove(&m->group->k->push_wait, m);
	m->push_waiting = false;
}

void ks_window_stop(ks *k)
{
	if (k->drain_src != 0)
		g_source_remove(k->drain_src);
	k->drain_src = 0;
	g_queue_clear(&k->push_wait);
}
