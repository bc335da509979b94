/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ks_lease.c - several key servers on one store (docs/sip-agent.md,
 * "Several key servers"; RFC 4046 §5 names distributed key distributors).
 *
 * One instance at a time serves a group: the one holding its lease in the
 * store (a PostgreSQL session advisory lock, gone when its holder's
 * connection goes). An instance takes a group's lease when a join for it
 * arrives and the lease is free, reloading the group from the store
 * first; a join for a group another instance serves is answered 503 with
 * Retry-After, so the proxy tries the next instance. The store, not this
 * file, is what keeps an epoch or MKI from being issued twice: its issue
 * transaction refuses anything that does not move forward, so two
 * instances that both believe they serve a group cannot both issue.
 *
 * While the database is away nothing new is keyed: joins get 503 and a
 * rekey waits (ks_keys.c), retried here until the store takes it. The
 * members keep the key they hold meanwhile.
 *
 * Other instances' writes arrive as notifications (LISTEN/NOTIFY): a
 * generation issued elsewhere for a group served here means the lease
 * was lost; a member of ours joining elsewhere has moved.
 */
#include <inttypes.h>
#include <string.h>

#include <glib-unix.h>

#include <sofia-sip/nua.h>

#include <mikey/group.h>

#include "../store/store.h"
#include "agent_log.h"
#include "ks_state.h"

/* ---- serving a group ---------------------------------------------------- */

/* The store's latest epoch for |g| (0 when none), false when it cannot say. */
static bool stored_epoch(ks_group *g, uint32_t *epoch, GError **err)
{
	ks_generation rec;
	GError *e = NULL;

	memset(&rec, 0, sizeof(rec));
	*epoch = 0;
	if (!ks_store_current_generation(g->k->store, g->conf->name, &rec, &e)) {
		if (!g_error_matches(e, KS_STORE_ERROR, KS_STORE_ERR_NOT_FOUND)) {
			g_propagate_error(err, e);
			return false;
		}
		g_error_free(e);
		return true;
	}
	*epoch = rec.epoch;
	ks_generation_clear(&rec);
	return true;
}

/* take_over: the lease is ours (again). When the store moved past what we
 * know, another instance served the group meanwhile: our dialogs are
 * stale, and the group is reloaded from the store. */
static bool take_over(ks_group *g, bool had_it, GError **err)
{
	uint32_t epoch;

	if (!stored_epoch(g, &epoch, err))
		return false;
	if (epoch == g->epoch && (g->gen != NULL || epoch == 0))
		return true;
	if (had_it)
		ks_lose_group(g, "another instance served the group while this one was away from the store");
	return ks_restore_group(g, err);
}

static bool unavailable_error(const GError *e)
{
	return e->domain == KS_STORE_ERROR && (e->code == KS_STORE_ERR_UNAVAILABLE || e->code == KS_STORE_ERR_IO);
}

static void note_outage(ks *k, const GError *e)
{
	if (!k->store_down) {
		k->store_outages++;
		agent_log_error("store unavailable, nothing new is keyed until it is back: %s", e->message);
	}
	k->store_down = true;
}

static void note_back(ks *k)
{
	if (k->store_down)
		agent_log("store reachable again");
	k->store_down = false;
}

bool ks_serve_group(ks_group *g, bool *unavailable, char **why)
{
	ks *k = g->k;
	GError *e = NULL;
	bool held = false;

	*unavailable = false;
	*why = NULL;
	/* Asked of the store on every join: a key is handed out only while
	 * the store can record it. */
	if (!ks_store_try_lease(k->store, g->conf->name, &held, &e))
		goto fail;
	note_back(k);
	if (!held) {
		char *holder = NULL;
		if (!ks_store_lease_holder(k->store, g->conf->name, &holder, &e))
			goto fail;
		*why = g_strdup_printf("group %s is served by instance %s", g->conf->name,
		                       holder != NULL ? holder : "(another)");
		g_free(holder);
		if (g->leased) {
			g->lease_lost++;
			ks_lose_group(g, *why);
		}
		return false;
	}
	unsigned serial = ks_store_connection_serial(k->store);
	if (g->leased && serial == g->lease_serial)
		return true;
	if (!take_over(g, g->leased, &e)) {
		ks_store_release_lease(k->store, g->conf->name, NULL);
		goto fail;
	}
	if (!g->leased)
		agent_log("group %s: served here (instance %s), at epoch %u", g->conf->name, k->instance, g->epoch);
	g->leased = true;
	g->lease_serial = serial;
	return true;
fail:
	*unavailable = unavailable_error(e);
	if (*unavailable)
		note_outage(k, e);
	*why = g_strdup_printf("key store unavailable: %s", e->message);
	g_error_free(e);
	return false;
}

void ks_lose_group(ks_group *g, const char *why)
{
	agent_log("group %s: no longer served here (%s); %u member(s) rejoin elsewhere", g->conf->name, why,
	          g->members->len);
	while (g->members->len > 0) {
		ks_member *m = g_ptr_array_index(g->members, g->members->len - 1);
		m->moved = true;
		ks_member_remove(m, why, true);
	}
	if (g->push_timer != 0) {
		g_source_remove(g->push_timer);
		g->push_timer = 0;
	}
	mikey_group_gen_free(g->gen);
	g->gen = NULL;
	g->restored = false;
	g->rekey_pending = false;
	g->leased = false;
}

/* ---- departures while the store is away --------------------------------- */

void ks_pending_leave_free(gpointer p)
{
	ks_pending_leave *l = p;
	g_free(l->member_id);
	g_free(l);
}

static bool store_leave(ks_group *g, const char *member_id, uint32_t epoch, bool *retry)
{
	GError *e = NULL;

	*retry = false;
	if (ks_store_remove_member(g->k->store, g->conf->name, member_id, epoch, &e))
		return true;
	*retry = unavailable_error(e);
	if (*retry)
		note_outage(g->k, e);
	else
		agent_log_error("group %s: store: %s", g->conf->name, e->message);
	g_error_free(e);
	return false;
}

void ks_record_leave(ks_group *g, const char *member_id, uint32_t epoch)
{
	bool retry;

	if (store_leave(g, member_id, epoch, &retry) || !retry)
		return;
	ks_pending_leave *l = g_new0(ks_pending_leave, 1);
	l->member_id = g_strdup(member_id);
	l->epoch = epoch;
	if (g->pending_leaves == NULL)
		g->pending_leaves = g_ptr_array_new_with_free_func(ks_pending_leave_free);
	g_ptr_array_add(g->pending_leaves, l);
}

/* A member gone while the store was away would otherwise stay a current
 * member in it, to be waited for by the next instance to serve the group. */
static void flush_leaves(ks_group *g)
{
	while (g->pending_leaves != NULL && g->pending_leaves->len > 0) {
		ks_pending_leave *l = g_ptr_array_index(g->pending_leaves, 0);
		bool retry;
		if (!store_leave(g, l->member_id, l->epoch, &retry) && retry)
			return;
		g_ptr_array_remove_index(g->pending_leaves, 0);
	}
}

/* ---- the periodic check ------------------------------------------------- */

/* check_group: a lease taken on a connection that is gone went with it;
 * take it again, or give the group up when another instance has it. */
static void check_group(ks_group *g)
{
	ks *k = g->k;
	bool unavailable;
	char *why = NULL;

	if (!g->leased)
		return;
	if (g->lease_serial == ks_store_connection_serial(k->store) && !g->rekey_pending && !k->store_down &&
	    (g->pending_leaves == NULL || g->pending_leaves->len == 0))
		return;
	if (!ks_serve_group(g, &unavailable, &why)) {
		if (!unavailable)
			agent_log("group %s: %s", g->conf->name, why);
		g_free(why);
		return;
	}
	flush_leaves(g);
	if (g->rekey_pending)
		ks_rekey(g, g->rekey_why != NULL ? g->rekey_why : "deferred");
}

/* ---- notifications ------------------------------------------------------ */

static void on_note(const ks_store_note *n, void *user)
{
	ks *k = user;
	ks_group *g = NULL;

	k->notes_heard++;
	for (guint i = 0; i < k->groups->len && g == NULL; i++) {
		ks_group *c = g_ptr_array_index(k->groups, i);
		if (strcmp(c->conf->name, n->group) == 0)
			g = c;
	}
	if (g == NULL)
		return; /* a group another instance is configured for */
	g->notes++;
	switch (n->kind) {
	case KS_NOTE_GENERATION:
		if (n->epoch > g->seen_epoch)
			g->seen_epoch = n->epoch;
		if (g->leased && n->epoch > g->epoch) {
			g->lease_lost++;
			ks_lose_group(g, "another instance issued a newer epoch");
		}
		break;
	case KS_NOTE_JOIN: {
		ks_member *m = n->member != NULL ? ks_find_member(g, n->member) : NULL;
		if (m != NULL) {
			/* The member rejoined at another instance (it thought us gone). */
			m->moved = true;
			ks_member_remove(m, "joined again at another instance", true);
		}
		break;
	}
	case KS_NOTE_LEAVE:
		break;
	}
	agent_log_debug("store note from %s: group %s, %s %s epoch %" PRIu32, n->origin != NULL ? n->origin : "?",
	                n->group, n->kind == KS_NOTE_GENERATION ? "generation" : n->kind == KS_NOTE_JOIN ? "join" : "leave",
	                n->member != NULL ? n->member : "", n->epoch);
}

static void watch_notes(ks *k);

static gboolean on_notes_readable(gint fd, GIOCondition cond, gpointer p)
{
	ks *k = p;
	GError *e = NULL;
	unsigned skipped = 0;

	(void)fd;
	(void)cond;
	if (!ks_store_poll_notes(k->store, on_note, k, &skipped, &e)) {
		note_outage(k, e);
		g_error_free(e);
		k->notes_src = 0;
		k->notes_fd = -1;
		return G_SOURCE_REMOVE; /* watched again once the store reconnects */
	}
	k->notes_skipped += skipped;
	if (ks_store_listen_fd(k->store) != k->notes_fd) {
		k->notes_src = 0;
		watch_notes(k);
		return G_SOURCE_REMOVE;
	}
	return G_SOURCE_CONTINUE;
}

static void watch_notes(ks *k)
{
	int fd = ks_store_listen_fd(k->store);

	if (k->notes_src != 0 && fd == k->notes_fd)
		return;
	if (k->notes_src != 0)
		g_source_remove(k->notes_src);
	k->notes_src = 0;
	k->notes_fd = fd;
	if (fd >= 0)
		k->notes_src = g_unix_fd_add(fd, G_IO_IN | G_IO_ERR | G_IO_HUP, on_notes_readable, k);
}

static gboolean lease_check(gpointer p)
{
	ks *k = p;

	for (guint i = 0; i < k->groups->len; i++)
		check_group(g_ptr_array_index(k->groups, i));
	if (k->notes_src == 0) {
		/* Lost with the connection: polling reconnects (at most once a
		 * second, store.h) and reads what waited. */
		GError *e = NULL;
		unsigned skipped = 0;
		if (ks_store_poll_notes(k->store, on_note, k, &skipped, &e))
			note_back(k);
		else
			note_outage(k, e);
		g_clear_error(&e);
		k->notes_skipped += skipped;
	}
	watch_notes(k);
	return G_SOURCE_CONTINUE;
}

void ks_lease_start(ks *k)
{
	watch_notes(k);
	k->lease_timer = g_timeout_add(k->c->lease_check_ms, lease_check, k);
}

void ks_lease_stop(ks *k)
{
	if (k->lease_timer != 0)
		g_source_remove(k->lease_timer);
	if (k->notes_src != 0)
		g_source_remove(k->notes_src);
	k->lease_timer = 0;
	k->notes_src = 0;
}
