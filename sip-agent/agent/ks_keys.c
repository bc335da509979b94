/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ks_keys.c - who holds which group key: the key server's generations
 * (RFC 3830 §4.5: a new TGK, RAND and MKI under the same CSB ID), the
 * re-INVITEs that push them with MIKEY in SDP (RFC 4567 §4.1.2, the key
 * server the offerer and MIKEY Initiator, V flag set so each member proves
 * it holds the key), members admitted at their ACK, and members leaving
 * (RFC 4046 §4.1: whoever left must not read on, so every leave rekeys).
 */
#include <inttypes.h>
#include <string.h>

#include <sofia-sip/nua.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/sip_tag.h>

#include <mikey/group.h>
#include <mikey/mem.h>
#include <mikey/types.h>

#include "../media/relay.h"
#include "../store/store.h"
#include "agent_log.h"
#include "ks_generation.h"
#include "mikey_setup.h"
#include "sdp_keymgmt.h"
#include "sip_ua.h"
#include "tesla_text.h"
#include "ks_state.h"

/* ---- members ---------------------------------------------------------- */

char ks_orphan_handle;

void ks_member_free(ks_member *m)
{
	if (m == NULL)
		return;
	if (m->retry != 0)
		g_source_remove(m->retry);
	mikey_exchange_free(m->push_ex);
	g_free(m->id);
	g_free(m->media_addr);
	g_free(m);
}

ks_member *ks_find_member(ks_group *g, const char *id)
{
	for (guint i = 0; i < g->members->len; i++) {
		ks_member *m = g_ptr_array_index(g->members, i);
		if (strcmp(m->id, id) == 0)
			return m;
	}
	return NULL;
}

const agent_member_conf *ks_member_conf(const ks_group *g, const uint8_t *id, size_t len)
{
	for (guint i = 0; i < g->conf->members->len; i++) {
		const agent_member_conf *mc = g_ptr_array_index(g->conf->members, i);
		if (strlen(mc->identity) == len && memcmp(mc->identity, id, len) == 0)
			return mc;
	}
	return NULL;
}

char *ks_member_attrs(const ks_member *m)
{
	GKeyFile *kf = g_key_file_new();
	g_key_file_set_string(kf, "member", "media-addr", m->media_addr);
	g_key_file_set_integer(kf, "member", "media-port", m->media_port);
	if (m->has_tesla) {
		char *t = tesla_text_print(&m->tesla);
		g_key_file_set_string(kf, "member", "tesla", t);
		g_free(t);
	}
	char *s = g_key_file_to_data(kf, NULL, NULL);
	g_key_file_free(kf);
	return s;
}

/* senders: the group's members as a generation's senders (joining order). */
mikey_group_sender *ks_senders_of(ks_group *g, size_t *n)
{
	mikey_group_sender *s = g_new0(mikey_group_sender, g->members->len + 1);
	size_t k = 0;
	for (guint i = 0; i < g->members->len; i++) {
		const ks_member *m = g_ptr_array_index(g->members, i);
		if (!m->admitted)
			continue;
		s[k].ssrc = m->ssrc;
		s[k].policy_no = 0;
		/* The ROC the sender's stream reached (RFC 3830 §6.1.1), as the
		 * relay sees it; 0 for a stream not yet relayed. */
		if (!ks_relay_roc(g->relay, m->ssrc, &s[k].roc))
			s[k].roc = 0;
		s[k].tesla = m->has_tesla ? &m->tesla : NULL;
		k++;
	}
	*n = k;
	return s;
}

/* ---- generations ------------------------------------------------------ */

/* adopt_generation records |gen| (its stored form |rec|) and makes it the
 * group's; without a durable record no key leaves the server (an epoch or
 * MKI is never issued twice). Takes |gen| either way. */
bool ks_adopt_generation(ks_group *g, mikey_group_gen *gen, const ks_generation *rec, const char *why)
{
	GError *e = NULL;
	if (!ks_store_issue_generation(g->k->store, g->conf->name, rec, &e)) {
		agent_log_error("group %s: generation %u not recorded, not issued: %s", g->conf->name, rec->epoch,
		                e->message);
		g->adopt_error = e->domain == KS_STORE_ERROR ? e->code : KS_STORE_ERR_IO;
		g_error_free(e);
		mikey_group_gen_free(gen);
		return false;
	}
	g->adopt_error = -1;
	if (rec->epoch > g->seen_epoch)
		g->seen_epoch = rec->epoch;
	mikey_group_gen_free(g->gen);
	g->gen = gen;
	g->restored = false;
	g->epoch = mikey_group_gen_epoch(gen);
	g_array_append_val(g->epochs, g->epoch);
	if (g->relay != NULL) {
		ks_relay_stats rs;
		ks_relay_get_stats(g->relay, &rs);
		g->usage_base = rs.received;
	}
	char *mki = ks_mki_hex(gen);
	agent_log("group %s: epoch %u, MKI %s, %zu member(s) (%s)", g->conf->name, g->epoch, mki,
	          mikey_group_gen_cs_count(gen), why);
	g_free(mki);
	return true;
}

/* new_generation: the next epoch for the current members. */
bool ks_new_generation(ks_group *g, const char *why)
{
	size_t n = 0;
	mikey_group_sender *s = ks_senders_of(g, &n);
	mikey_group_gen *gen = NULL;
	ks_generation rec;
	GError *e = NULL;
	bool ok = false;

	if (!ks_generation_make(&g->conf->policy, g->csb_id, g->epoch + 1, s, n, NULL, &gen, &rec, &e)) {
		agent_log_error("group %s: no new generation (%s): %s", g->conf->name, why, e->message);
		goto out;
	}
	ok = ks_adopt_generation(g, gen, &rec, why);
out:
	ks_generation_clear(&rec);
	g_clear_error(&e);
	g_free(s);
	return ok;
}

/* update_rocs: the generation's CS map carries each sender's current ROC,
 * so a member joining after a sequence number wrapped starts right (the
 * members already running keep theirs: a rekey keeps every stream). */
static void update_rocs(ks_group *g)
{
	for (guint i = 0; g->gen != NULL && i < g->members->len; i++) {
		const ks_member *m = g_ptr_array_index(g->members, i);
		uint32_t roc;
		if (m->admitted && ks_relay_roc(g->relay, m->ssrc, &roc) &&
		    mikey_group_gen_set_roc(g->gen, m->ssrc, roc) != MIKEY_OK)
			agent_log_debug("group %s: SSRC %" PRIu32 " not in the generation yet", g->conf->name, m->ssrc);
	}
}

void ks_push_all(ks_group *g)
{
	/* Pushing everyone now serves the joins a pending round waited for. */
	if (g->push_timer != 0) {
		g_source_remove(g->push_timer);
		g->push_timer = 0;
	}
	update_rocs(g);
	for (guint i = 0; i < g->members->len; i++) {
		ks_member *m = g_ptr_array_index(g->members, i);
		if (m->admitted)
			ks_push(m);
	}
}

static gboolean push_all_now(gpointer p)
{
	ks_group *g = p;
	g->push_timer = 0;
	ks_push_all(g);
	return G_SOURCE_REMOVE;
}

/* ks_push_all_soon: joins only add a sender under the same key, so the
 * pushes that tell everyone wait a moment and serve every join in that
 * moment at once (one push per member, not one per member per join). A
 * rekey pushes at once and makes this wait moot. */
void ks_push_all_soon(ks_group *g)
{
	if (g->push_timer == 0)
		g->push_timer = g_timeout_add(KS_JOIN_PUSH_DELAY_MS, push_all_now, g);
}

void ks_rekey(ks_group *g, const char *why)
{
	if (g->k->stopping)
		return;
	if (g->members->len == 0) {
		/* Nobody to key: the next join opens a new epoch. */
		mikey_group_gen_free(g->gen);
		g->gen = NULL;
		return;
	}
	if (ks_new_generation(g, why)) {
		g->rekeys++;
		g->rekey_pending = false;
		ks_push_all(g);
		return;
	}
	if (g->adopt_error == KS_STORE_ERR_REUSE) {
		/* Another instance issued this epoch: it serves the group now. */
		ks_lose_group(g, "another instance issued the group's next epoch");
	} else if (g->adopt_error == KS_STORE_ERR_UNAVAILABLE || g->adopt_error == KS_STORE_ERR_IO) {
		/* No key leaves the server unrecorded: try again when the store is
		 * back (ks_lease.c's check), the members keep the current key. */
		if (!g->rekey_pending)
			g->deferred_rekeys++;
		g->rekey_pending = true;
		g_free(g->rekey_why);
		g->rekey_why = g_strdup(why);
	}
}

/* ks_usage_check: RFC 3711 §9.2 bounds what one master key may protect.
 * The relay sees every packet of the group, so the key server counts
 * them (all senders together: a bound on each sender's count) and rekeys
 * before the configured limit. */
gboolean ks_usage_check(gpointer p)
{
	ks_group *g = p;
	ks_relay_stats rs;
	if (g->relay == NULL || g->gen == NULL || g->members->len == 0)
		return G_SOURCE_CONTINUE;
	ks_relay_get_stats(g->relay, &rs);
	if (rs.received - g->usage_base >= g->conf->rekey_packets)
		ks_rekey(g, "key usage limit (RFC 3711 §9.2)");
	return G_SOURCE_CONTINUE;
}

gboolean ks_periodic_rekey(gpointer p)
{
	ks_group *g = p;
	if (g->members->len > 0)
		ks_rekey(g, "periodic");
	return G_SOURCE_CONTINUE;
}

/* ---- pushing the generation (re-INVITE) --------------------------------- */

static gboolean push_retry(gpointer p)
{
	ks_member *m = p;
	m->retry = 0;
	ks_push(m);
	return G_SOURCE_REMOVE;
}

void ks_push(ks_member *m)
{
	ks_group *g = m->group;
	mikey_offer o;
	mikey_exchange *ex = NULL;
	uint8_t *msg = NULL;
	size_t len = 0;
	mikey_error me;
	GError *e = NULL;
	/* A turn given by the window's FIFO (ks_window.c) is used up here,
	 * whatever follows: this push may remove |m|, so the FIFO cannot. */
	bool granted = m->push_granted;

	m->push_granted = false;
	if (g->gen == NULL || m->retry != 0 || g->k->stopping || m->ending)
		return;
	if (m->push_ex != NULL) {
		m->push_again = true;
		return;
	}
	if (!ks_window_enter(m, granted))
		return;
	m->push_again = false;
	memset(&me, 0, sizeof(me));
	/* RSA-R groups: members download the key at join (RFC 4738 §3.2);
	 * later generations are pushed in PK envelopes to their certificates
	 * (the same key-management protocol, RFC 4567 §4.1.2). */
	mikey_offer_init(&o, g->conf->mode == MIKEY_MODE_RSAR ? MIKEY_MODE_PK : g->conf->mode);
	o.group = g->gen;
	o.want_verify = true;
	o.peer_id_type = MIKEY_ID_URI;
	o.peer_id = m->id;
	o.peer_id_len = strlen(m->id);
	o.send_ids = true;
	int rc = mikey_initiate(g->k->mctx, &o, &ex, &msg, &len, &me);
	if (rc != MIKEY_OK) {
		agent_mikey_fail(&e, rc, &me, "push");
		agent_log_error("group %s: cannot key %s: %s", g->conf->name, m->id, e->message);
		g_clear_error(&e);
		ks_member_remove(m, "cannot be keyed", true);
		return;
	}
	sdp_out so = {.user = "mikey-ks", .session_id = g->csb_id, .version = ++m->sdp_version, .mikey = msg,
	              .mikey_len = len};
	ks_media_sdp(g, &so);
	char *sdp = sdp_build(&so, &e);
	mikey_buf_free(msg, len);
	if (sdp == NULL) {
		agent_log_error("group %s: %s", g->conf->name, e->message);
		g_clear_error(&e);
		mikey_exchange_free(ex);
		ks_member_remove(m, "cannot be keyed", true);
		return;
	}
	m->push_ex = ex;
	m->push_epoch = g->epoch;
	g->pushes++;
	ks_window_sent(g->k);
	nua_invite(m->nh, SIPTAG_CONTENT_TYPE_STR("application/sdp"), SIPTAG_PAYLOAD_STR(sdp), TAG_END());
	g_free(sdp);
}

void ks_on_push_answer(ks_member *m, int status, const sip_t *sip)
{
	ks_group *g = m->group;
	GError *e = NULL;
	sdp_intake in;
	mikey_error me;

	if (status < 200 || m->push_ex == NULL)
		return;
	mikey_exchange *ex = m->push_ex;
	m->push_ex = NULL;
	ks_window_done(g->k);
	/* RFC 3261 §14.1 glare (491), and a member or path that is busy for a
	 * moment (500 "Overlapping Requests", 503 when a transport queue is
	 * full): try again after a short random wait, a few times, before
	 * calling the member gone. The wait is jitter, no secret: GLib's
	 * generator is right for it. */
	if (status == 491 || ((status == 500 || status == 503) && m->push_retries < KS_PUSH_RETRIES)) {
		mikey_exchange_free(ex);
		if (status != 491)
			m->push_retries++;
		m->retry = g_timeout_add(g_random_int_range(100, 400) << (status == 491 ? 0 : m->push_retries), push_retry, m);
		return;
	}
	if (status >= 300) {
		mikey_exchange_free(ex);
		g->push_failures++;
		char why[128];
		g_snprintf(why, sizeof(why), "refused generation %u (%d %s)", m->push_epoch, status,
		           sip != NULL && sip->sip_status != NULL ? sip->sip_status->st_phrase : "");
		ks_member_remove(m, why, status != 481 && status != 408);
		return;
	}
	size_t blen = 0;
	const char *body = sip_ua_sdp_body(sip, &blen);
	memset(&me, 0, sizeof(me));
	if (!sdp_intake_parse(body, blen, true, false, &in, &e)) {
		mikey_exchange_free(ex);
		g->push_failures++;
		agent_log_error("group %s: %s answered generation %u without its verification: %s", g->conf->name, m->id,
		                m->push_epoch, e->message);
		g_clear_error(&e);
		ks_member_remove(m, "no verification message", true);
		return;
	}
	int rc = mikey_exchange_finish(ex, in.mikey, in.mikey_len, &me);
	sdp_intake_clear(&in);
	mikey_exchange_free(ex);
	if (rc != MIKEY_OK) {
		agent_mikey_fail(&e, rc, &me, "verification message");
		g->push_failures++;
		agent_log_error("group %s: %s: %s", g->conf->name, m->id, e->message);
		g_clear_error(&e);
		ks_member_remove(m, "verification failed", true);
		return;
	}
	m->confirmed = true;
	m->confirmed_epoch = m->push_epoch;
	m->push_retries = 0;
	agent_log_debug("group %s: %s holds epoch %u", g->conf->name, m->id, m->push_epoch);
	if (m->push_again || m->push_epoch != g->epoch)
		ks_push(m);
}

void ks_media_sdp(const ks_group *g, sdp_out *so)
{
	so->addr = g->k->host;
	if (g->conf->mcast_addr != NULL) {
		so->group = g->conf->mcast_addr;
		so->ttl = g->conf->mcast_ttl;
		so->port = g->conf->mcast_port;
	} else {
		so->port = ks_relay_port(g->relay);
	}
}

/* ---- leaving ---------------------------------------------------------- */

/* orphan: the call ended under a push; its handle goes when the push's
 * answer comes (key_server.c), counted so that shutdown waits for it. */
static void orphan(ks *k, nua_handle_t *nh)
{
	k->orphans++;
	nua_handle_bind(nh, (nua_hmagic_t *)&ks_orphan_handle);
}

void ks_member_remove(ks_member *m, const char *why, bool send_bye)
{
	ks_group *g = m->group;
	bool was_keyed = m->admitted && !m->rejoined && !m->moved;
	agent_log("group %s: %s %s (%s)", g->conf->name, m->id,
	          m->moved ? "moves on" : m->admitted ? "leaves" : "never joined", why);
	if (m->admitted && m->moved) {
		ks_relay_remove_member(g->relay, m->media_addr, m->media_port);
	} else if (m->admitted) {
		ks_relay_remove_member(g->relay, m->media_addr, m->media_port);
		ks_record_leave(g, m->id, g->epoch);
		g->leaves++;
		if (!m->rejoined)
			ks_announce(g, m, true);
	}
	ks_window_forget(m);
	/* A push out to a member that goes frees its place now, unless the
	 * handle lives on as an orphan until the answer (key_server.c). */
	if (m->push_ex != NULL && (m->nh == NULL || send_bye))
		ks_window_done(g->k);
	if (m->nh != NULL) {
		nua_handle_bind(m->nh, NULL);
		if (send_bye && m->moved)
			/* RFC 3326: the member rejoins, through the proxy, where the
			 * group is served now (docs/sip-agent.md, "Several key servers"). */
			nua_bye(m->nh, SIPTAG_REASON_STR("SIP ;cause=503 ;text=\"group served by another key server\""),
			        TAG_END());
		else if (send_bye)
			nua_bye(m->nh, TAG_END());
		else if (m->push_ex != NULL)
			orphan(g->k, m->nh);
		else
			nua_handle_destroy(m->nh);
		m->nh = NULL;
	}
	g_ptr_array_remove(g->members, m);
	ks_member_free(m);
	/* Forward secrecy (RFC 4046 §4.1): whoever left must not read on. */
	if (was_keyed)
		ks_rekey(g, "a member left");
}

/* admit: the ACK of a join came: the member becomes a sender of the
 * group (a new generation when it is the first or the group wants
 * backward secrecy, else the same key with one more sender), is recorded,
 * relayed, and every member gets the generation. Until then nothing in
 * the key server's state names it. */
void ks_admit(ks_member *m)
{
	ks_group *g = m->group;
	GError *e = NULL;
	mikey_error me;
	bool keyed;

	memset(&me, 0, sizeof(me));
	m->admitted = true;
	if (g->gen == NULL || g->conf->rekey_on_join || g->rekey_pending) {
		/* A rekey still owed to a departure (the store was away) is made
		 * now: the newcomer never gets a key a leaver holds. */
		bool first = g->gen == NULL;
		keyed = ks_new_generation(g, first ? "first member"
		                             : g->rekey_pending ? "a member joined; the rekey a departure owed"
		                                                : "a member joined (backward secrecy)");
		if (keyed && !first)
			g->rekeys++;
		if (keyed)
			g->rekey_pending = false;
	} else if (m->in_gen) {
		keyed = true; /* its RSA-R download made the generation */
	} else {
		mikey_group_sender s = {.ssrc = m->ssrc, .roc = 0, .policy_no = 0, .tesla = m->has_tesla ? &m->tesla : NULL};
		int rc = mikey_group_gen_add_sender(g->gen, &s, NULL, &me);
		keyed = rc == MIKEY_OK || agent_mikey_fail(&e, rc, &me, "add sender");
	}
	ks_member_rec rec = {.member_id = m->id, .ssrc = m->ssrc, .roc = 0, .joined_epoch = g->epoch};
	rec.attrs = ks_member_attrs(m);
	bool stored = keyed && ks_store_put_member(g->k->store, g->conf->name, &rec, &e);
	g_free(rec.attrs);
	if (!stored) {
		agent_log_error("group %s: %s not admitted: %s", g->conf->name, m->id, e != NULL ? e->message : "no key");
		g_clear_error(&e);
		m->admitted = false;
		ks_member_remove(m, "not admitted", true);
		return;
	}
	if (g->relay != NULL && !ks_relay_add_member(g->relay, m->media_addr, m->media_port, &e)) {
		agent_log_error("group %s: relay: %s", g->conf->name, e->message);
		g_clear_error(&e);
	}
	g->joins++;
	agent_log("group %s: %s joins, SSRC %" PRIu32 "%s", g->conf->name, m->id, m->ssrc,
	          m->has_tesla ? ", TESLA" : "");
	ks_announce(g, m, false);
	ks_push_all_soon(g);
}

