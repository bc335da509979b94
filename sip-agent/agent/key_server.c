/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * key_server.c - the group controller / key server (RFC 3740 §4, RFC 4046
 * §4.1): owns groups, admits members, draws group keys, pushes them, and
 * rekeys when a member leaves. This file: SIP events, liveness (OPTIONS),
 * start-up from the store, the summary; joining is ks_join.c, keys and
 * leaving ks_keys.c, the shared state ks_state.h.
 *
 * The SIP/MIKEY dialogue (docs/sip-agent.md, "Protocol"):
 *   join   member INVITE, SDP offer with a=key-mgmt:mikey: the member's
 *          I_MESSAGE (PSK or PK, V flag set) registers its SSRC and, for
 *          source authentication, its TESLA parameters (RFC 4442 §4);
 *          200 OK answers with the verification message (RFC 4567 §4.1.2)
 *          and the relay's address; after the ACK the key server pushes
 *          the group generation, which now lists the new sender, to every
 *          member.
 *   push   key server re-INVITE, SDP offer with its I_MESSAGE carrying the
 *          generation (mikey_offer.group, V flag set); the member answers
 *          with the verification message. A member that refuses or fails
 *          to answer is removed (never left on a stale key).
 *   leave  BYE from the member, or a member that stops answering OPTIONS:
 *          a new generation (new TGK, RAND and MKI, same CSB ID: RFC 3830
 *          §4.5) is recorded in the store and pushed to every remaining
 *          member; members switch senders only after their receivers hold
 *          it (RFC 4567 §4.1.2: the rekey exchange completes before the
 *          keys change).
 */
#include "key_server.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <glib-unix.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <sofia-sip/nua.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/sip_tag.h>
#include <sofia-sip/su_tag.h>

#include <mikey/group.h>
#include <mikey/mem.h>
#include <mikey/types.h>

#include "../media/relay.h"
#include "../store/store.h"
#include "agent_log.h"
#include "confevent.h"
#include "summary_file.h"
#include "ks_generation.h"
#include "mikey_setup.h"
#include "sip_ua.h"
#include "tesla_text.h"
#include "ks_state.h"

/* ---- keepalive (RFC 3261 §11: OPTIONS inside the dialog) ------------------ */

static gboolean keepalive(gpointer p)
{
	ks *k = p;
	for (guint i = 0; i < k->groups->len; i++) {
		ks_group *g = g_ptr_array_index(k->groups, i);
		for (guint j = 0; j < g->members->len; j++) {
			ks_member *m = g_ptr_array_index(g->members, j);
			if (m->admitted && !m->options_out && m->push_ex == NULL) {
				m->options_out = true;
				nua_options(m->nh, TAG_END());
			}
		}
	}
	return G_SOURCE_CONTINUE;
}

/* ---- memory ------------------------------------------------------------------ */

/* Every push's transaction (request, answer, ACK) is held by sofia-sip
 * 1.12 for a fixed 32 s after its answer (nta's Timer D queue, not
 * configurable in that version), in the arena of sofia's stack thread.
 * After a rekey of many groups that is hundreds of MB freed at once, which
 * glibc keeps in the arena unless asked: without this the key server's
 * RSS stays at its highest (docs/bench.md, bench/scale). */
#define KS_TRIM_INTERVAL_S 10

static gboolean trim_heap(gpointer p)
{
	(void)p;
#if defined(__GLIBC__)
	malloc_trim(0);
#endif
	return G_SOURCE_CONTINUE;
}

/* ---- conference event package (RFC 4575) ------------------------------------ */

static void notify(nua_handle_t *nh, const char *xml)
{
	nua_notify(nh, NUTAG_SUBSTATE(nua_substate_active), SIPTAG_EVENT_STR(CONFEVENT_EVENT),
	           SIPTAG_CONTENT_TYPE_STR(CONFEVENT_TYPE), SIPTAG_PAYLOAD_STR(xml), TAG_END());
}

static char *conf_uri(const ks_group *g)
{
	return g_strdup_printf("sip:%s@%s", g->conf->user, g->k->host);
}

void ks_announce(ks_group *g, const ks_member *m, bool left)
{
	if (g->subs->len == 0)
		return;
	confevent_user u = {.entity = m->id, .ssrc = m->ssrc};
	char *uri = conf_uri(g);
	char *xml = confevent_change(uri, ++g->conf_version, &u, left);
	for (guint i = 0; i < g->subs->len; i++)
		notify(g_ptr_array_index(g->subs, i), xml);
	g_free(xml);
	g_free(uri);
}

/* on_subscribe: RFC 4575 §3: SUBSCRIBE to the group's URI, Event:
 * conference; the first NOTIFY holds the full state. */
static void on_subscribe(ks *k, nua_t *nua, nua_handle_t *nh, const sip_t *sip)
{
	ks_group *g = ks_group_for(k, sip);
	if (g == NULL || sip->sip_event == NULL || strcmp(sip->sip_event->o_type, CONFEVENT_EVENT) != 0) {
		nua_respond(nh, SIP_489_BAD_EVENT, NUTAG_WITH_THIS(nua), TAG_END());
		return;
	}
	nua_respond(nh, SIP_202_ACCEPTED, NUTAG_WITH_THIS(nua), TAG_END());
	if (!g_ptr_array_find(g->subs, nh, NULL))
		g_ptr_array_add(g->subs, nh);
	confevent_user *u = g_new0(confevent_user, g->members->len + 1);
	size_t n = 0;
	for (guint i = 0; i < g->members->len; i++) {
		const ks_member *m = g_ptr_array_index(g->members, i);
		if (m->admitted)
			u[n++] = (confevent_user){.entity = m->id, .ssrc = m->ssrc};
	}
	char *uri = conf_uri(g);
	char *xml = confevent_full(uri, ++g->conf_version, u, n);
	notify(nh, xml);
	g_free(xml);
	g_free(uri);
	g_free(u);
}

/* A NOTIFY refused or timed out: that subscriber is gone. */
static void drop_subscriber(ks *k, nua_handle_t *nh)
{
	for (guint i = 0; i < k->groups->len; i++) {
		ks_group *g = g_ptr_array_index(k->groups, i);
		if (g_ptr_array_remove(g->subs, nh)) {
			nua_handle_destroy(nh);
			return;
		}
	}
}

/* ---- nua events ----------------------------------------------------------- */

static void on_event(nua_event_t event, int status, char const *phrase, nua_t *nua, nua_magic_t *magic,
                     nua_handle_t *nh, nua_hmagic_t *hmagic, sip_t const *sip, tagi_t tags[])
{
	ks *k = (ks *)magic;
	ks_member *m = (ks_member *)hmagic;

	if (hmagic == (nua_hmagic_t *)&ks_orphan_handle) {
		/* A push's final answer for a call already over. */
		if (event == nua_r_invite && status >= 200) {
			nua_handle_destroy(nh);
			k->orphans--;
			ks_window_done(k);
		}
		return;
	}

	switch (event) {
	case nua_i_invite:
		if (m == NULL)
			ks_on_invite(k, nh, sip);
		else /* The key server drives every rekey (RFC 4567 §4.1.2). */
			nua_respond(nh, SIP_488_NOT_ACCEPTABLE, SIPTAG_WARNING_STR("399 - \"the key server makes the offers\""),
			            TAG_END());
		break;
	case nua_i_bye:
		/* The dialog is over once nua answers: a push now would be sent
		 * into it (and sofia-sip 1.12 leaks such a request). */
		if (m != NULL)
			m->ending = true;
		break;
	case nua_i_ack:
		if (m != NULL && !m->admitted)
			ks_admit(m);
		break;
	case nua_r_invite:
		if (m != NULL)
			ks_on_push_answer(m, status, sip);
		break;
	case nua_r_options:
		if (m != NULL && status >= 200) {
			m->options_out = false;
			/* 405/501: alive but no OPTIONS; 408/481/5xx: gone. */
			if (status == 408 || status == 481 || (status >= 500 && status != 501))
				ks_member_remove(m, "stopped answering OPTIONS", status != 481);
		}
		break;
	case nua_i_state: {
		int cs = nua_callstate_init;
		tl_gets(tags, NUTAG_CALLSTATE_REF(cs), TAG_END());
		if (cs == nua_callstate_terminated) {
			if (m != NULL)
				ks_member_remove(m, "call ended", false);
			else
				nua_handle_destroy(nh);
		}
		break;
	}
	case nua_i_subscribe:
		if (m == NULL)
			on_subscribe(k, nua, nh, sip);
		else
			nua_respond(nh, SIP_489_BAD_EVENT, NUTAG_WITH_THIS(nua), TAG_END());
		break;
	case nua_r_notify:
		if (status >= 300)
			drop_subscriber(k, nh);
		break;
	case nua_r_shutdown:
		if (status >= 200)
			k->ua->shut_down = true;
		break;
	default:
		break;
	}
	(void)phrase;
}

/* ---- start, restore, summary ---------------------------------------------- */

bool ks_restore_group(ks_group *g, GError **err)
{
	ks_generation rec;
	GPtrArray *recs = NULL;
	GError *e = NULL;
	bool ok = false;

	memset(&rec, 0, sizeof(rec));
	if (!ks_store_current_generation(g->k->store, g->conf->name, &rec, &e)) {
		if (g_error_matches(e, KS_STORE_ERROR, KS_STORE_ERR_NOT_FOUND)) {
			g_error_free(e);
			return true;
		}
		g_propagate_error(err, e);
		return false;
	}
	if (!ks_store_list_members(g->k->store, g->conf->name, &recs, err))
		goto out;
	mikey_group_sender *s = g_new0(mikey_group_sender, recs->len + 1);
	mikey_tesla_params *t = g_new0(mikey_tesla_params, recs->len + 1);
	for (guint i = 0; i < recs->len; i++) {
		const ks_member_rec *r = g_ptr_array_index(recs, i);
		GKeyFile *kf = g_key_file_new();
		s[i].ssrc = r->ssrc;
		s[i].roc = r->roc;
		if (r->attrs != NULL && g_key_file_load_from_data(kf, r->attrs, (gsize)-1, G_KEY_FILE_NONE, NULL)) {
			char *ts = g_key_file_get_string(kf, "member", "tesla", NULL);
			if (ts != NULL && tesla_text_parse(ts, &t[i]))
				s[i].tesla = &t[i];
			g_free(ts);
		}
		g_key_file_free(kf);
	}
	mikey_group_gen_free(g->gen);
	g->gen = NULL;
	ok = ks_generation_make(&g->conf->policy, g->csb_id, rec.epoch, s, recs->len, &rec, &g->gen, NULL, err);
	if (ok) {
		if (rec.epoch > g->seen_epoch)
			g->seen_epoch = rec.epoch;
		g->epoch = rec.epoch;
		g->restored = true;
		char *mki = ks_mki_hex(g->gen);
		agent_log("group %s: restored CSB ID %" PRIu32 ", epoch %u, MKI %s, %u member(s) to rejoin",
		          g->conf->name, g->csb_id, g->epoch, mki, recs->len);
		g_free(mki);
	}
	g_free(s);
	g_free(t);
out:
	if (recs != NULL)
		g_ptr_array_free(recs, TRUE);
	ks_generation_clear(&rec);
	return ok;
}

/* The group's relay (and its tap): for groups without a multicast address. */
static bool relay_start(ks *k, ks_group *g, GError **err)
{
	uint16_t port = k->c->relay_port == 0 ? 0 : (uint16_t)(k->c->relay_port + (k->groups->len - 1));
	if (!ks_relay_new(k->host, port, &g->relay, err))
		return false;
	if (k->c->relay_tap == NULL)
		return true;
	char *colon = strrchr(k->c->relay_tap, ':');
	guint64 tp = colon != NULL ? g_ascii_strtoull(colon + 1, NULL, 10) : 0;
	if (colon == NULL || tp == 0 || tp > 65535) {
		g_set_error(err, AGENT_MIKEY_ERROR, MIKEY_ERR_ARG, "[key-server] relay-tap: expected ADDR:PORT");
		return false;
	}
	char *addr = g_strndup(k->c->relay_tap, (gsize)(colon - k->c->relay_tap));
	bool ok = ks_relay_set_tap(g->relay, addr, (uint16_t)tp, err);
	g_free(addr);
	return ok;
}

static bool group_start(ks *k, const agent_group_conf *gc, GError **err)
{
	ks_group *g = g_new0(ks_group, 1);
	uint32_t csb = 0;
	g->k = k;
	g->conf = gc;
	g->members = g_ptr_array_new();
	g->epochs = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	g->subs = g_ptr_array_new();
	g_ptr_array_add(k->groups, g);
	while (csb == 0)
		if (mikey_rng_bytes(NULL, (uint8_t *)&csb, sizeof(csb)) != MIKEY_OK) {
			g_set_error(err, AGENT_MIKEY_ERROR, MIKEY_ERR_CRYPTO, "the random number generator failed");
			return false;
		}
	g->adopt_error = -1;
	if (!ks_store_ensure_group(k->store, gc->name, csb, &g->csb_id, err) || !ks_restore_group(g, err))
		return false;
	/* A multicast group's media goes over the network: no relay (nor tap). */
	if (gc->mcast_addr == NULL && !relay_start(k, g, err))
		return false;
	if (gc->rekey_interval > 0)
		g->rekey_timer = g_timeout_add_seconds(gc->rekey_interval, ks_periodic_rekey, g);
	if (gc->rekey_packets > 0 && g->relay != NULL)
		g->usage_timer = g_timeout_add(250, ks_usage_check, g);
	else if (gc->rekey_packets > 0)
		agent_log("group %s: rekey-packets needs the relay (a multicast group's packets pass the key server by)",
		          gc->name);
	char *media = gc->mcast_addr != NULL
	                  ? g_strdup_printf("multicast %s:%u/%u", gc->mcast_addr, gc->mcast_port, gc->mcast_ttl)
	                  : g_strdup_printf("relay %s:%u", k->host, ks_relay_port(g->relay));
	agent_log("group %s: sip:%s@..., CSB ID %" PRIu32 ", mode %s, policy %s%s, %s", gc->name, gc->user, g->csb_id,
	          gc->mode == MIKEY_MODE_PK ? "pk" : "psk", gc->policy_name, gc->tesla ? ", TESLA" : "", media);
	g_free(media);
	return true;
}

static void write_summary(ks *k)
{
	summary s;
	json_writer *j = summary_open(&s);
	json_begin_object(j);
	json_kv_string(j, "role", "key-server");
	json_kv_string(j, "identity", k->c->identity);
	json_kv_uint(j, "refused_no_group", k->refused);
	json_kv_string(j, "instance", k->instance);
	json_kv_uint(j, "store_outages", k->store_outages);
	json_kv_uint(j, "notes_heard", k->notes_heard);
	json_kv_uint(j, "notes_skipped", k->notes_skipped);
	json_kv_uint(j, "push_window", k->c->push_window);
	json_kv_uint(j, "pushes_out_max", k->pushes_out_max);
	json_kv_uint(j, "pushes_waited", k->pushes_waited);
	json_key(j, "groups");
	json_begin_array(j);
	for (guint i = 0; i < k->groups->len; i++) {
		ks_group *g = g_ptr_array_index(k->groups, i);
		ks_relay_stats rs;
		memset(&rs, 0, sizeof(rs));
		if (g->relay != NULL)
			ks_relay_get_stats(g->relay, &rs);
		unsigned issued = 0;
		GError *e = NULL;
		if (!ks_store_generation_count(k->store, g->conf->name, &issued, &e))
			g_clear_error(&e);
		json_begin_object(j);
		json_kv_string(j, "name", g->conf->name);
		json_kv_uint(j, "csb_id", g->csb_id);
		json_kv_uint(j, "epoch", g->epoch);
		char mki[16];
		g_snprintf(mki, sizeof(mki), "%08" PRIx32, g->epoch);
		json_kv_string(j, "mki", mki);
		json_key(j, "epochs_this_run");
		json_begin_array(j);
		for (guint n = 0; n < g->epochs->len; n++)
			json_uint(j, g_array_index(g->epochs, uint32_t, n));
		json_end_array(j);
		json_kv_uint(j, "generations_stored", issued);
		json_kv_uint(j, "joins", g->joins);
		json_kv_uint(j, "leaves", g->leaves);
		json_kv_uint(j, "rekeys", g->rekeys);
		json_kv_uint(j, "pushes", g->pushes);
		json_kv_uint(j, "push_failures", g->push_failures);
		json_kv_uint(j, "refused", g->refused);
		json_kv_bool(j, "served_here", g->leased);
		json_kv_uint(j, "lease_lost", g->lease_lost);
		json_kv_uint(j, "refused_served_elsewhere", g->refused_elsewhere);
		json_kv_uint(j, "refused_store_unavailable", g->refused_unavailable);
		json_kv_uint(j, "deferred_rekeys", g->deferred_rekeys);
		json_kv_uint(j, "notes", g->notes);
		json_kv_uint(j, "seen_epoch", g->seen_epoch);
		json_kv_uint(j, "relay_received", rs.received);
		json_kv_uint(j, "relay_forwarded", rs.forwarded);
		json_kv_uint(j, "relay_unknown_source", rs.unknown);
		json_key(j, "members");
		json_begin_array(j);
		for (guint n = 0; n < g->members->len; n++) {
			const ks_member *m = g_ptr_array_index(g->members, n);
			json_begin_object(j);
			json_kv_string(j, "id", m->id);
			json_kv_uint(j, "ssrc", m->ssrc);
			json_kv_bool(j, "confirmed", m->confirmed);
			json_kv_uint(j, "confirmed_epoch", m->confirmed_epoch);
			json_end_object(j);
		}
		json_end_array(j);
		json_end_object(j);
	}
	json_end_array(j);
	json_end_object(j);
	summary_close(&s, k->c->summary);
}

static gboolean on_signal(gpointer p)
{
	g_main_loop_quit(((ks *)p)->loop);
	return G_SOURCE_CONTINUE;
}

static gboolean orphan_wait_over(gpointer p)
{
	*(bool *)p = true;
	return G_SOURCE_REMOVE;
}

/* Pushes still out to calls that ended get their answer (or time out)
 * before nua shuts down: sofia-sip 1.12 leaks a request whose handle is
 * torn down under it. Bounded by the SIP transaction timeout. */
static void wait_for_orphans(ks *k)
{
	bool over = false;
	guint t = g_timeout_add(k->c->sip_timeout_ms > 0 ? k->c->sip_timeout_ms + 500 : 33000, orphan_wait_over, &over);
	while (k->orphans > 0 && !over)
		g_main_context_iteration(NULL, TRUE);
	if (!over)
		g_source_remove(t);
}

static char *host_of(const char *bind)
{
	/* sip:HOST[:PORT][;params] */
	const char *h = g_str_has_prefix(bind, "sip:") ? bind + 4 : bind;
	size_t n = strcspn(h, ":;");
	return n > 0 && h[0] != '*' ? g_strndup(h, n) : g_strdup("127.0.0.1");
}

int key_server_run(const agent_config *c)
{
	ks k;
	GError *e = NULL;
	uint8_t master[KS_MASTER_KEY_LEN];
	int rc = 1;

	memset(&k, 0, sizeof(k));
	k.c = c;
	k.groups = g_ptr_array_new();
	k.loop = g_main_loop_new(NULL, FALSE);
	k.host = host_of(c->bind);
	k.notes_fd = -1;
	/* Named on the store, so that other instances can say who serves a group. */
	k.instance = c->instance != NULL ? g_strdup(c->instance) : g_strdup_printf("%s@%s", c->identity, c->bind);
	if (!ks_master_key_load(c->master_key_file, true, master, &e) ||
	    !ks_store_open_as(c->store, k.instance, master, &k.store, &e))
		goto out;
	if (!agent_mikey_ctx_new(c, NULL, &k.mctx, &e))
		goto out;
	/* Every join and push answer is an authenticated message to remember
	 * for the skew window (RFC 3830 §5.4). */
	if (mikey_ctx_set_replay_capacity(k.mctx, 1u << 16) != MIKEY_OK)
		agent_log_error("replay cache: out of memory, keeping the default size");
	for (guint i = 0; i < c->groups->len; i++) {
		const agent_group_conf *gc = g_ptr_array_index(c->groups, i);
		for (guint j = 0; j < gc->members->len; j++) {
			const agent_member_conf *mc = g_ptr_array_index(gc->members, j);
			mikey_error me;
			memset(&me, 0, sizeof(me));
			int r = MIKEY_OK;
			if (mc->creds.psk_len > 0)
				r = mikey_ctx_add_psk(k.mctx, mc->identity, strlen(mc->identity), mc->creds.psk, mc->creds.psk_len);
			if (r == MIKEY_OK && mc->creds.cert_pem != NULL)
				r = mikey_ctx_add_peer_cert(k.mctx, mc->identity, strlen(mc->identity), mc->creds.cert_pem,
				                            mc->creds.cert_len, &me);
			if (r != MIKEY_OK) {
				agent_mikey_fail(&e, r, &me, mc->name);
				goto out;
			}
		}
		if (!group_start(&k, gc, &e))
			goto out;
	}
	if (!sip_ua_new(c->bind, c->identity, NULL, c->sip_timeout_ms, on_event, &k, &k.ua, &e))
		goto out;
	nua_set_params(k.ua->nua, NUTAG_ALLOW_EVENTS(CONFEVENT_EVENT), TAG_END());
	if (c->keepalive > 0)
		k.keepalive = g_timeout_add_seconds(c->keepalive, keepalive, &k);
	k.trim_timer = g_timeout_add_seconds(KS_TRIM_INTERVAL_S, trim_heap, NULL);
	ks_lease_start(&k);
	guint s1 = g_unix_signal_add(SIGTERM, on_signal, &k), s2 = g_unix_signal_add(SIGINT, on_signal, &k);
	agent_log("key server %s (instance %s) listening on %s", c->identity, k.instance, c->bind);
	g_main_loop_run(k.loop);
	/* A request started now would be queued to a nua that is going away
	 * (and leaked with it): calls ending from here on rekey nobody. */
	k.stopping = true;
	ks_window_stop(&k);
	wait_for_orphans(&k);
	g_source_remove(s1);
	g_source_remove(s2);
	agent_log("key server stopping");
	write_summary(&k);
	rc = 0;
out:
	if (e != NULL) {
		agent_log_error("%s", e->message);
		g_error_free(e);
	}
	mikey_wipe(master, sizeof(master));
	ks_window_stop(&k);
	ks_lease_stop(&k);
	if (k.keepalive != 0)
		g_source_remove(k.keepalive);
	if (k.trim_timer != 0)
		g_source_remove(k.trim_timer);
	for (guint i = 0; i < k.groups->len; i++) {
		ks_group *g = g_ptr_array_index(k.groups, i);
		for (guint j = 0; j < g->members->len; j++) {
			ks_member *m = g_ptr_array_index(g->members, j);
			if (m->nh != NULL) {
				nua_handle_bind(m->nh, NULL);
				nua_bye(m->nh, TAG_END());
			}
		}
	}
	sip_ua_free(k.ua);
	for (guint i = 0; i < k.groups->len; i++) {
		ks_group *g = g_ptr_array_index(k.groups, i);
		if (g->rekey_timer != 0)
			g_source_remove(g->rekey_timer);
		if (g->push_timer != 0)
			g_source_remove(g->push_timer);
		if (g->usage_timer != 0)
			g_source_remove(g->usage_timer);
		for (guint j = 0; j < g->members->len; j++)
			ks_member_free(g_ptr_array_index(g->members, j));
		g_ptr_array_free(g->members, TRUE);
		g_array_free(g->epochs, TRUE);
		g_ptr_array_free(g->subs, TRUE);
		mikey_group_gen_free(g->gen);
		ks_relay_free(g->relay);
		g_free(g->rekey_why);
		if (g->pending_leaves != NULL)
			g_ptr_array_free(g->pending_leaves, TRUE);
		g_free(g);
	}
	g_ptr_array_free(k.groups, TRUE);
	mikey_ctx_free(k.mctx);
	ks_store_close(k.store);
	g_main_loop_unref(k.loop);
	g_free(k.host);
	g_free(k.instance);
	return rc;
}

