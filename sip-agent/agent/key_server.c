/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * key_server.c - the group controller / key server (RFC 3740 §4, RFC 4046
 * §4.1): owns groups, admits members, draws group keys, pushes them, and
 * rekeys when a member leaves.
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

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <glib-unix.h>

#include <sofia-sip/nua.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/sip_tag.h>
#include <sofia-sip/su_tag.h>

#include <mikey/group.h>
#include <mikey/mem.h>
#include <mikey/msg.h>
#include <mikey/tesla_mikey.h>
#include <mikey/types.h>

#include "../media/relay.h"
#include "../store/store.h"
#include "agent_log.h"
#include "json_out.h"
#include "ks_generation.h"
#include "mikey_setup.h"
#include "sdp_keymgmt.h"
#include "sip_ua.h"
#include "tesla_text.h"

typedef struct ks ks;
typedef struct ks_group ks_group;

typedef struct ks_member {
	ks_group *group;
	char *id;
	nua_handle_t *nh;
	uint32_t ssrc;
	bool has_tesla;
	mikey_tesla_params tesla;
	char *media_addr;
	uint16_t media_port;
	bool admitted;           /* the join's ACK came: a sender, recorded, pushed to */
	mikey_exchange *push_ex; /* the push in flight */
	uint32_t push_epoch;
	bool push_again;         /* the generation changed while a push was out */
	bool rejoined;           /* replaced by a new join of the same identity */
	bool in_gen;             /* a sender of the generation already (RSA-R first join) */
	bool confirmed;
	uint32_t confirmed_epoch;
	guint retry;
	uint64_t sdp_version;
	bool options_out;
} ks_member;

struct ks_group {
	ks *k;
	const agent_group_conf *conf;
	uint32_t csb_id;
	uint32_t epoch;        /* of the last generation issued (0: none) */
	mikey_group_gen *gen;  /* NULL while no member holds a key */
	bool restored;         /* gen came from the store at start */
	GPtrArray *members;    /* ks_member*, joining order */
	ks_relay *relay;
	guint rekey_timer;
	unsigned joins, leaves, removed, rekeys, pushes, push_failures, refused;
	GArray *epochs;        /* uint32_t: every epoch issued in this run */
};

struct ks {
	const agent_config *c;
	sip_ua *ua;
	mikey_ctx *mctx;
	ks_store *store;
	GPtrArray *groups;
	GMainLoop *loop;
	guint keepalive;
	unsigned refused; /* INVITEs refused before a group was known */
	char *host;       /* our address, for Warning headers and SDP */
};

static void push(ks_member *m);
static void member_remove(ks_member *m, const char *why, bool send_bye);

/* ---- members ---------------------------------------------------------- */

static void member_free(ks_member *m)
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

static ks_member *find_member(ks_group *g, const char *id)
{
	for (guint i = 0; i < g->members->len; i++) {
		ks_member *m = g_ptr_array_index(g->members, i);
		if (strcmp(m->id, id) == 0)
			return m;
	}
	return NULL;
}

static const agent_member_conf *member_conf(const ks_group *g, const uint8_t *id, size_t len)
{
	for (guint i = 0; i < g->conf->members->len; i++) {
		const agent_member_conf *mc = g_ptr_array_index(g->conf->members, i);
		if (strlen(mc->identity) == len && memcmp(mc->identity, id, len) == 0)
			return mc;
	}
	return NULL;
}

static char *member_attrs(const ks_member *m)
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
static mikey_group_sender *senders_of(ks_group *g, size_t *n)
{
	mikey_group_sender *s = g_new0(mikey_group_sender, g->members->len + 1);
	size_t k = 0;
	for (guint i = 0; i < g->members->len; i++) {
		const ks_member *m = g_ptr_array_index(g->members, i);
		if (!m->admitted)
			continue;
		s[k].ssrc = m->ssrc;
		s[k].policy_no = 0;
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
static bool adopt_generation(ks_group *g, mikey_group_gen *gen, const ks_generation *rec, const char *why)
{
	GError *e = NULL;
	if (!ks_store_issue_generation(g->k->store, g->conf->name, rec, &e)) {
		agent_log_error("group %s: generation %u not recorded, not issued: %s", g->conf->name, rec->epoch,
		                e->message);
		g_error_free(e);
		mikey_group_gen_free(gen);
		return false;
	}
	mikey_group_gen_free(g->gen);
	g->gen = gen;
	g->restored = false;
	g->epoch = mikey_group_gen_epoch(gen);
	g_array_append_val(g->epochs, g->epoch);
	char *mki = ks_mki_hex(gen);
	agent_log("group %s: epoch %u, MKI %s, %zu member(s) (%s)", g->conf->name, g->epoch, mki,
	          mikey_group_gen_cs_count(gen), why);
	g_free(mki);
	return true;
}

/* new_generation: the next epoch for the current members. */
static bool new_generation(ks_group *g, const char *why)
{
	size_t n = 0;
	mikey_group_sender *s = senders_of(g, &n);
	mikey_group_gen *gen = NULL;
	ks_generation rec;
	GError *e = NULL;
	bool ok = false;

	if (!ks_generation_make(&g->conf->policy, g->csb_id, g->epoch + 1, s, n, NULL, &gen, &rec, &e)) {
		agent_log_error("group %s: no new generation (%s): %s", g->conf->name, why, e->message);
		goto out;
	}
	ok = adopt_generation(g, gen, &rec, why);
out:
	ks_generation_clear(&rec);
	g_clear_error(&e);
	g_free(s);
	return ok;
}

static void push_all(ks_group *g)
{
	for (guint i = 0; i < g->members->len; i++) {
		ks_member *m = g_ptr_array_index(g->members, i);
		if (m->admitted)
			push(m);
	}
}

static void rekey(ks_group *g, const char *why)
{
	if (g->members->len == 0) {
		/* Nobody to key: the next join opens a new epoch. */
		mikey_group_gen_free(g->gen);
		g->gen = NULL;
		return;
	}
	if (new_generation(g, why)) {
		g->rekeys++;
		push_all(g);
	}
}

static gboolean periodic_rekey(gpointer p)
{
	ks_group *g = p;
	if (g->members->len > 0)
		rekey(g, "periodic");
	return G_SOURCE_CONTINUE;
}

/* ---- pushing the generation (re-INVITE) --------------------------------- */

static gboolean push_retry(gpointer p)
{
	ks_member *m = p;
	m->retry = 0;
	push(m);
	return G_SOURCE_REMOVE;
}

static void push(ks_member *m)
{
	ks_group *g = m->group;
	mikey_offer o;
	mikey_exchange *ex = NULL;
	uint8_t *msg = NULL;
	size_t len = 0;
	mikey_error me;
	GError *e = NULL;

	if (g->gen == NULL || m->retry != 0)
		return;
	if (m->push_ex != NULL) {
		m->push_again = true;
		return;
	}
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
		member_remove(m, "cannot be keyed", true);
		return;
	}
	sdp_out so = {.user = "mikey-ks", .session_id = g->csb_id, .version = ++m->sdp_version, .addr = g->k->host,
	              .port = ks_relay_port(g->relay), .mikey = msg, .mikey_len = len};
	char *sdp = sdp_build(&so, &e);
	mikey_buf_free(msg, len);
	if (sdp == NULL) {
		agent_log_error("group %s: %s", g->conf->name, e->message);
		g_clear_error(&e);
		mikey_exchange_free(ex);
		member_remove(m, "cannot be keyed", true);
		return;
	}
	m->push_ex = ex;
	m->push_epoch = g->epoch;
	g->pushes++;
	nua_invite(m->nh, SIPTAG_CONTENT_TYPE_STR("application/sdp"), SIPTAG_PAYLOAD_STR(sdp), TAG_END());
	g_free(sdp);
}

static void on_push_answer(ks_member *m, int status, const sip_t *sip)
{
	ks_group *g = m->group;
	GError *e = NULL;
	sdp_intake in;
	mikey_error me;

	if (status < 200 || m->push_ex == NULL)
		return;
	mikey_exchange *ex = m->push_ex;
	m->push_ex = NULL;
	if (status == 491) {
		/* RFC 3261 §14.1: glare; try again after a short random wait. */
		mikey_exchange_free(ex);
		m->retry = g_timeout_add(g_random_int_range(100, 400), push_retry, m);
		return;
	}
	if (status >= 300) {
		mikey_exchange_free(ex);
		g->push_failures++;
		char why[128];
		g_snprintf(why, sizeof(why), "refused generation %u (%d %s)", m->push_epoch, status,
		           sip != NULL && sip->sip_status != NULL ? sip->sip_status->st_phrase : "");
		member_remove(m, why, status != 481 && status != 408);
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
		member_remove(m, "no verification message", true);
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
		member_remove(m, "verification failed", true);
		return;
	}
	m->confirmed = true;
	m->confirmed_epoch = m->push_epoch;
	agent_log_debug("group %s: %s holds epoch %u", g->conf->name, m->id, m->push_epoch);
	if (m->push_again || m->push_epoch != g->epoch)
		push(m);
}

/* ---- leaving ---------------------------------------------------------- */

static void member_remove(ks_member *m, const char *why, bool send_bye)
{
	ks_group *g = m->group;
	GError *e = NULL;

	bool was_keyed = m->admitted && !m->rejoined;
	agent_log("group %s: %s %s (%s)", g->conf->name, m->id, m->admitted ? "leaves" : "never joined", why);
	if (m->admitted) {
		ks_relay_remove_member(g->relay, m->media_addr, m->media_port);
		if (!ks_store_remove_member(g->k->store, g->conf->name, m->id, g->epoch, &e)) {
			agent_log_error("group %s: store: %s", g->conf->name, e->message);
			g_clear_error(&e);
		}
		g->leaves++;
	}
	if (m->nh != NULL) {
		nua_handle_bind(m->nh, NULL);
		if (send_bye)
			nua_bye(m->nh, TAG_END());
		else
			nua_handle_destroy(m->nh);
		m->nh = NULL;
	}
	g_ptr_array_remove(g->members, m);
	member_free(m);
	/* Forward secrecy (RFC 4046 §4.1): whoever left must not read on. */
	if (was_keyed)
		rekey(g, "a member left");
}

/* admit: the ACK of a join came: the member becomes a sender of the
 * group (a new generation when it is the first or the group wants
 * backward secrecy, else the same key with one more sender), is recorded,
 * relayed, and every member gets the generation. Until then nothing in
 * the key server's state names it. */
static void admit(ks_member *m)
{
	ks_group *g = m->group;
	GError *e = NULL;
	mikey_error me;
	bool keyed;

	memset(&me, 0, sizeof(me));
	m->admitted = true;
	if (g->gen == NULL || g->conf->rekey_on_join) {
		bool first = g->gen == NULL;
		keyed = new_generation(g, first ? "first member" : "a member joined (backward secrecy)");
		if (keyed && !first)
			g->rekeys++;
	} else if (m->in_gen) {
		keyed = true; /* its RSA-R download made the generation */
	} else {
		mikey_group_sender s = {.ssrc = m->ssrc, .roc = 0, .policy_no = 0, .tesla = m->has_tesla ? &m->tesla : NULL};
		int rc = mikey_group_gen_add_sender(g->gen, &s, NULL, &me);
		keyed = rc == MIKEY_OK || agent_mikey_fail(&e, rc, &me, "add sender");
	}
	ks_member_rec rec = {.member_id = m->id, .ssrc = m->ssrc, .roc = 0, .joined_epoch = g->epoch};
	rec.attrs = member_attrs(m);
	bool stored = keyed && ks_store_put_member(g->k->store, g->conf->name, &rec, &e);
	g_free(rec.attrs);
	if (!stored) {
		agent_log_error("group %s: %s not admitted: %s", g->conf->name, m->id, e != NULL ? e->message : "no key");
		g_clear_error(&e);
		m->admitted = false;
		member_remove(m, "not admitted", true);
		return;
	}
	if (!ks_relay_add_member(g->relay, m->media_addr, m->media_port, &e)) {
		agent_log_error("group %s: relay: %s", g->conf->name, e->message);
		g_clear_error(&e);
	}
	g->joins++;
	agent_log("group %s: %s joins, SSRC %" PRIu32 "%s", g->conf->name, m->id, m->ssrc,
	          m->has_tesla ? ", TESLA" : "");
	push_all(g);
}

/* ---- joining (INVITE) --------------------------------------------------- */

static void refuse(ks *k, nua_handle_t *nh, const sip_t *sip, int status, const char *phrase, unsigned warn,
                   const char *text)
{
	char *w = sip_ua_warning(warn, k->host, text);
	/* The handle goes when nua reports the call terminated. */
	nua_respond(nh, status, phrase, SIPTAG_WARNING_STR(w), TAG_END());
	g_free(w);
	(void)sip;
}

static ks_group *group_for(ks *k, const sip_t *sip)
{
	const char *user = sip != NULL && sip->sip_request != NULL ? sip->sip_request->rq_url->url_user : NULL;
	for (guint i = 0; user != NULL && i < k->groups->len; i++) {
		ks_group *g = g_ptr_array_index(k->groups, i);
		if (strcmp(g->conf->user, user) == 0)
			return g;
	}
	return NULL;
}

/* first_join_after_restart: members from before a restart hold no dialog
 * the key server could push through; they are dropped and the group goes
 * on at the next epoch. */
static void forget_restored(ks_group *g)
{
	if (!g->restored)
		return;
	GPtrArray *old = NULL;
	GError *e = NULL;
	if (ks_store_list_members(g->k->store, g->conf->name, &old, &e)) {
		for (guint i = 0; i < old->len; i++) {
			const ks_member_rec *r = g_ptr_array_index(old, i);
			if (find_member(g, r->member_id) == NULL &&
			    !ks_store_remove_member(g->k->store, g->conf->name, r->member_id, g->epoch, &e)) {
				agent_log_error("group %s: store: %s", g->conf->name, e->message);
				g_clear_error(&e);
			}
		}
		g_ptr_array_free(old, TRUE);
	} else {
		agent_log_error("group %s: store: %s", g->conf->name, e->message);
		g_clear_error(&e);
	}
	mikey_group_gen_free(g->gen);
	g->gen = NULL;
	g->restored = false;
}

/* rsar_sender: an RSA-R I_MESSAGE names the member's SSRC and TESLA
 * parameters (RFC 4738 §3.2, RFC 4442 §4); read them from the bytes that
 * mikey_respond then authenticates (its signature covers them). */
static bool rsar_sender(const uint8_t *msg, size_t len, mikey_crypto_session *cs, GError **err)
{
	mikey_msg *m = NULL;
	mikey_error me;
	bool ok = false;

	memset(&me, 0, sizeof(me));
	int rc = mikey_msg_parse(msg, len, NULL, &m, &me);
	if (rc != MIKEY_OK)
		return agent_mikey_fail(err, rc, &me, "key-mgmt");
	if (m->hdr.data_type != MIKEY_DT_RSAR_INIT) {
		g_set_error(err, AGENT_MIKEY_ERROR, MIKEY_ERR_DATA_TYPE, "this group is joined with MIKEY-RSA-R (RFC 4738)");
		goto out;
	}
	if (m->hdr.map_type != MIKEY_MAP_SRTP_ID || m->hdr.n_cs != 1 || m->hdr.srtp_cs == NULL) {
		g_set_error(err, AGENT_MIKEY_ERROR, MIKEY_ERR_ARG, "an RSA-R join names exactly one sender (SSRC)");
		goto out;
	}
	cs->ssrc = m->hdr.srtp_cs[0].ssrc;
	cs->has_tesla = false;
	for (unsigned p = 0; p < 256 && !cs->has_tesla; p++)
		cs->has_tesla = mikey_tesla_params_from_msg(m, (uint8_t)p, &cs->tesla, NULL) == MIKEY_OK;
	ok = true;
out:
	mikey_msg_free(m);
	return ok;
}

static const struct mikey_group_gen *rsar_serve(void *user, const uint8_t *member_id, size_t len)
{
	(void)member_id;
	(void)len;
	return user;
}

static void on_invite(ks *k, nua_handle_t *nh, const sip_t *sip)
{
	ks_group *g = group_for(k, sip);
	GError *e = NULL;
	sdp_intake in;
	mikey_exchange *ex = NULL;
	uint8_t *resp = NULL;
	size_t resp_len = 0;
	mikey_error me;
	mikey_crypto_session cs;
	mikey_group_gen *first = NULL; /* RSA-R: the first generation, made for this join */
	ks_generation first_rec;
	const char *from = sip->sip_from != NULL && sip->sip_from->a_url->url_user != NULL
	                       ? sip->sip_from->a_url->url_user
	                       : "?";
	char *sdp = NULL;

	memset(&me, 0, sizeof(me));
	memset(&cs, 0, sizeof(cs));
	memset(&in, 0, sizeof(in));
	memset(&first_rec, 0, sizeof(first_rec));
	if (g == NULL) {
		k->refused++;
		agent_log("INVITE from %s: no such group", from);
		refuse(k, nh, sip, 404, "No Such Group", 399, "no group at this Request-URI");
		return;
	}
	size_t blen = 0;
	const char *body = sip_ua_sdp_body(sip, &blen);
	if (!sdp_intake_parse(body, blen, true, true, &in, &e)) {
		g->refused++;
		agent_log("group %s: INVITE from %s refused: %s", g->conf->name, from, e->message);
		bool not_mikey = g_error_matches(e, AGENT_SDP_ERROR, AGENT_SDP_ERR_NO_MIKEY);
		refuse(k, nh, sip, SIP_488_NOT_ACCEPTABLE, not_mikey ? 306 : 399,
		       not_mikey ? "Attribute not understood: key-mgmt (MIKEY required)" : e->message);
		goto out;
	}
	bool rsar = g->conf->mode == MIKEY_MODE_RSAR;
	if (rsar) {
		/* Group key download: the group's generation, or a first one made
		 * for this member (recorded only once the join authenticates). */
		if (!rsar_sender(in.mikey, in.mikey_len, &cs, &e)) {
			g->refused++;
			agent_log("group %s: INVITE from %s refused: %s", g->conf->name, from, e->message);
			refuse(k, nh, sip, SIP_488_NOT_ACCEPTABLE, 399, e->message);
			goto out;
		}
		if (g->gen == NULL || g->restored) {
			mikey_group_sender s = {.ssrc = cs.ssrc, .tesla = cs.has_tesla ? &cs.tesla : NULL};
			if (!ks_generation_make(&g->conf->policy, g->csb_id, g->epoch + 1, &s, 1, NULL, &first, &first_rec,
			                        &e)) {
				agent_log_error("group %s: %s", g->conf->name, e->message);
				refuse(k, nh, sip, 500, "Key Server Error", 399, "no generation to hand out");
				goto out;
			}
		}
		mikey_ctx_set_rsar_group_fn(k->mctx, rsar_serve, first != NULL ? first : g->gen);
	}
	int rc = mikey_respond(k->mctx, in.mikey, in.mikey_len, &ex, &resp, &resp_len, &me);
	if (rsar)
		mikey_ctx_set_rsar_group_fn(k->mctx, NULL, NULL);
	if (rc != MIKEY_OK) {
		g->refused++;
		agent_mikey_fail(&e, rc, &me, "key-mgmt");
		agent_log("group %s: INVITE from %s refused: %s", g->conf->name, from, e->message);
		refuse(k, nh, sip, SIP_488_NOT_ACCEPTABLE, 399, e->message);
		goto out;
	}
	size_t id_len = 0;
	const uint8_t *id = mikey_exchange_get0_peer_id(ex, &id_len);
	const agent_member_conf *mc = id != NULL ? member_conf(g, id, id_len) : NULL;
	if (mc == NULL) {
		g->refused++;
		agent_log("group %s: INVITE from %s refused: MIKEY identity is not a member", g->conf->name, from);
		refuse(k, nh, sip, 403, "Not A Member", 399, "MIKEY identity is not a member of this group");
		goto out;
	}
	if ((!rsar && (mikey_exchange_cs_count(ex) != 1 || mikey_exchange_get_cs(ex, 0, &cs, &me) != MIKEY_OK)) ||
	    (g->conf->tesla && !cs.has_tesla)) {
		g->refused++;
		agent_log("group %s: %s refused: its MIKEY message must name one sender (SSRC)%s", g->conf->name,
		          mc->identity, g->conf->tesla ? " with TESLA parameters (RFC 4442)" : "");
		refuse(k, nh, sip, SIP_488_NOT_ACCEPTABLE, 399,
		       g->conf->tesla ? "one crypto session with TESLA parameters required" : "one crypto session required");
		goto out;
	}
	ks_member *old = find_member(g, mc->identity);
	for (guint i = 0; i < g->members->len; i++) {
		const ks_member *o = g_ptr_array_index(g->members, i);
		if (o != old && o->ssrc == cs.ssrc) {
			g->refused++;
			agent_log("group %s: %s refused: SSRC %" PRIu32 " is %s's", g->conf->name, mc->identity, cs.ssrc, o->id);
			refuse(k, nh, sip, SIP_488_NOT_ACCEPTABLE, 399, "SSRC in use by another member");
			goto out;
		}
	}
	if (old != NULL) {
		/* The same principal again (it restarted): same knowledge, no rekey. */
		old->rejoined = true;
		member_remove(old, "joined again", true);
	}
	forget_restored(g);
	bool in_gen = first != NULL;
	if (first != NULL) {
		mikey_group_gen *gen = first;
		first = NULL;
		if (!adopt_generation(g, gen, &first_rec, "first member (RSA-R download)")) {
			refuse(k, nh, sip, 500, "Key Server Cannot Record Generation", 399, "the key server could not record the key");
			goto out;
		}
	}

	ks_member *m = g_new0(ks_member, 1);
	m->in_gen = in_gen;
	m->group = g;
	m->id = g_strdup(mc->identity);
	m->nh = nh;
	m->ssrc = cs.ssrc;
	m->has_tesla = cs.has_tesla;
	if (cs.has_tesla)
		m->tesla = cs.tesla;
	m->media_addr = g_strdup(in.media_addr);
	m->media_port = in.media_port;
	g_ptr_array_add(g->members, m);
	nua_handle_bind(nh, m);

	sdp_out so = {.user = "mikey-ks", .session_id = g->csb_id, .version = ++m->sdp_version, .addr = k->host,
	              .port = ks_relay_port(g->relay), .mikey = resp, .mikey_len = resp_len};
	sdp = sdp_build(&so, &e);
	if (sdp == NULL) {
		agent_log_error("group %s: %s", g->conf->name, e->message);
		g_clear_error(&e);
		nua_handle_bind(nh, NULL);
		m->nh = NULL;
		member_remove(m, "cannot answer", false);
		refuse(k, nh, sip, 500, "Cannot Answer", 399, "the key server could not write its answer");
		goto out;
	}
	agent_log_debug("group %s: %s answered, waiting for its ACK", g->conf->name, m->id);
	nua_respond(nh, SIP_200_OK, SIPTAG_CONTENT_TYPE_STR("application/sdp"), SIPTAG_PAYLOAD_STR(sdp), TAG_END());
out:
	mikey_group_gen_free(first);
	ks_generation_clear(&first_rec);
	g_free(sdp);
	g_clear_error(&e);
	sdp_intake_clear(&in);
	mikey_crypto_session_cleanup(&cs);
	if (resp != NULL)
		mikey_buf_free(resp, resp_len);
	mikey_exchange_free(ex);
}

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

/* ---- nua events ----------------------------------------------------------- */

static void on_event(nua_event_t event, int status, char const *phrase, nua_t *nua, nua_magic_t *magic,
                     nua_handle_t *nh, nua_hmagic_t *hmagic, sip_t const *sip, tagi_t tags[])
{
	ks *k = (ks *)magic;
	ks_member *m = (ks_member *)hmagic;

	switch (event) {
	case nua_i_invite:
		if (m == NULL)
			on_invite(k, nh, sip);
		else /* The key server drives every rekey (RFC 4567 §4.1.2). */
			nua_respond(nh, SIP_488_NOT_ACCEPTABLE, SIPTAG_WARNING_STR("399 - \"the key server makes the offers\""),
			            TAG_END());
		break;
	case nua_i_ack:
		if (m != NULL && !m->admitted)
			admit(m);
		break;
	case nua_r_invite:
		if (m != NULL)
			on_push_answer(m, status, sip);
		break;
	case nua_r_options:
		if (m != NULL && status >= 200) {
			m->options_out = false;
			/* 405/501: alive but no OPTIONS; 408/481/5xx: gone. */
			if (status == 408 || status == 481 || (status >= 500 && status != 501))
				member_remove(m, "stopped answering OPTIONS", status != 481);
		}
		break;
	case nua_i_state: {
		int cs = nua_callstate_init;
		tl_gets(tags, NUTAG_CALLSTATE_REF(cs), TAG_END());
		if (cs == nua_callstate_terminated) {
			if (m != NULL)
				member_remove(m, "call ended", false);
			else
				nua_handle_destroy(nh);
		}
		break;
	}
	case nua_r_shutdown:
		if (status >= 200)
			k->ua->shut_down = true;
		break;
	default:
		break;
	}
	(void)phrase;
	(void)nua;
}

/* ---- start, restore, summary ---------------------------------------------- */

static bool restore_group(ks_group *g, GError **err)
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
	ok = ks_generation_make(&g->conf->policy, g->csb_id, rec.epoch, s, recs->len, &rec, &g->gen, NULL, err);
	if (ok) {
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

static bool group_start(ks *k, const agent_group_conf *gc, GError **err)
{
	ks_group *g = g_new0(ks_group, 1);
	uint32_t csb = 0;
	g->k = k;
	g->conf = gc;
	g->members = g_ptr_array_new();
	g->epochs = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	g_ptr_array_add(k->groups, g);
	while (csb == 0)
		if (mikey_rng_bytes(NULL, (uint8_t *)&csb, sizeof(csb)) != MIKEY_OK) {
			g_set_error(err, AGENT_MIKEY_ERROR, MIKEY_ERR_CRYPTO, "the random number generator failed");
			return false;
		}
	if (!ks_store_ensure_group(k->store, gc->name, csb, &g->csb_id, err) || !restore_group(g, err))
		return false;
	uint16_t port = k->c->relay_port == 0 ? 0 : (uint16_t)(k->c->relay_port + (k->groups->len - 1));
	if (!ks_relay_new(k->host, port, &g->relay, err))
		return false;
	if (k->c->relay_tap != NULL) {
		char *colon = strrchr(k->c->relay_tap, ':');
		guint64 tp = colon != NULL ? g_ascii_strtoull(colon + 1, NULL, 10) : 0;
		if (colon == NULL || tp == 0 || tp > 65535) {
			g_set_error(err, AGENT_MIKEY_ERROR, MIKEY_ERR_ARG, "[key-server] relay-tap: expected ADDR:PORT");
			return false;
		}
		char *addr = g_strndup(k->c->relay_tap, (gsize)(colon - k->c->relay_tap));
		bool ok = ks_relay_set_tap(g->relay, addr, (uint16_t)tp, err);
		g_free(addr);
		if (!ok)
			return false;
	}
	if (gc->rekey_interval > 0)
		g->rekey_timer = g_timeout_add_seconds(gc->rekey_interval, periodic_rekey, g);
	agent_log("group %s: sip:%s@..., CSB ID %" PRIu32 ", mode %s, policy %s%s, relay %s:%u", gc->name, gc->user,
	          g->csb_id, gc->mode == MIKEY_MODE_PK ? "pk" : "psk", gc->policy_name, gc->tesla ? ", TESLA" : "",
	          k->host, ks_relay_port(g->relay));
	return true;
}

static void write_summary(ks *k)
{
	json_out *j = json_out_new();
	json_obj_begin(j, NULL);
	json_str(j, "role", "key-server");
	json_str(j, "identity", k->c->identity);
	json_uint(j, "refused_no_group", k->refused);
	json_arr_begin(j, "groups");
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
		json_obj_begin(j, NULL);
		json_str(j, "name", g->conf->name);
		json_uint(j, "csb_id", g->csb_id);
		json_uint(j, "epoch", g->epoch);
		char mki[16];
		g_snprintf(mki, sizeof(mki), "%08" PRIx32, g->epoch);
		json_str(j, "mki", mki);
		json_arr_begin(j, "epochs_this_run");
		for (guint n = 0; n < g->epochs->len; n++)
			json_uint(j, NULL, g_array_index(g->epochs, uint32_t, n));
		json_arr_end(j);
		json_uint(j, "generations_stored", issued);
		json_uint(j, "joins", g->joins);
		json_uint(j, "leaves", g->leaves);
		json_uint(j, "rekeys", g->rekeys);
		json_uint(j, "pushes", g->pushes);
		json_uint(j, "push_failures", g->push_failures);
		json_uint(j, "refused", g->refused);
		json_uint(j, "relay_received", rs.received);
		json_uint(j, "relay_forwarded", rs.forwarded);
		json_uint(j, "relay_unknown_source", rs.unknown);
		json_arr_begin(j, "members");
		for (guint n = 0; n < g->members->len; n++) {
			const ks_member *m = g_ptr_array_index(g->members, n);
			json_obj_begin(j, NULL);
			json_str(j, "id", m->id);
			json_uint(j, "ssrc", m->ssrc);
			json_bool(j, "confirmed", m->confirmed);
			json_uint(j, "confirmed_epoch", m->confirmed_epoch);
			json_obj_end(j);
		}
		json_arr_end(j);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_obj_end(j);
	json_out_write(j, k->c->summary);
	json_out_free(j);
}

static gboolean on_signal(gpointer p)
{
	g_main_loop_quit(((ks *)p)->loop);
	return G_SOURCE_CONTINUE;
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
	if (!ks_master_key_load(c->master_key_file, true, master, &e) || !ks_store_open(c->store, master, &k.store, &e))
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
	if (c->keepalive > 0)
		k.keepalive = g_timeout_add_seconds(c->keepalive, keepalive, &k);
	guint s1 = g_unix_signal_add(SIGTERM, on_signal, &k), s2 = g_unix_signal_add(SIGINT, on_signal, &k);
	agent_log("key server %s listening on %s", c->identity, c->bind);
	g_main_loop_run(k.loop);
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
	if (k.keepalive != 0)
		g_source_remove(k.keepalive);
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
		for (guint j = 0; j < g->members->len; j++)
			member_free(g_ptr_array_index(g->members, j));
		g_ptr_array_free(g->members, TRUE);
		g_array_free(g->epochs, TRUE);
		mikey_group_gen_free(g->gen);
		ks_relay_free(g->relay);
		g_free(g);
	}
	g_ptr_array_free(k.groups, TRUE);
	mikey_ctx_free(k.mctx);
	ks_store_close(k.store);
	g_main_loop_unref(k.loop);
	g_free(k.host);
	return rc;
}
