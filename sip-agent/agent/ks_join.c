/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ks_join.c - a member's INVITE (docs/sip-agent.md, "Protocol"): its SDP
 * offer carries its own MIKEY I_MESSAGE (PSK or PK, V flag) naming its one
 * SSRC and TESLA parameters (RFC 4442 §4), or an RSA-R request whose answer
 * downloads the group key (RFC 4738 §3.2). Every failure is answered 488
 * with a Warning (RFC 4567 §4.1.2), 403 for a stranger, 404 for no group,
 * and changes nothing; the member is admitted only at its ACK (ks_admit).
 */
#include <inttypes.h>
#include <string.h>

#include <sofia-sip/nua.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/sip_tag.h>

#include <mikey/group.h>
#include <mikey/mem.h>
#include <mikey/msg.h>
#include <mikey/tesla_mikey.h>
#include <mikey/types.h>

#include "../media/relay.h"
#include "../store/store.h"
#include "agent_log.h"
#include "ks_generation.h"
#include "mikey_setup.h"
#include "sdp_keymgmt.h"
#include "sip_ua.h"
#include "ks_state.h"

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

ks_group *ks_group_for(ks *k, const sip_t *sip)
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
			if (ks_find_member(g, r->member_id) == NULL &&
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

void ks_on_invite(ks *k, nua_handle_t *nh, const sip_t *sip)
{
	ks_group *g = ks_group_for(k, sip);
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
	/* Before MIKEY sees the message: the instance that serves the group
	 * takes it, with its own replay cache. */
	bool unavailable = false;
	char *why = NULL;
	if (!ks_serve_group(g, &unavailable, &why)) {
		if (unavailable)
			g->refused_unavailable++;
		else
			g->refused_elsewhere++;
		agent_log("group %s: INVITE from %s: 503, %s", g->conf->name, from, why);
		char *w = sip_ua_warning(399, k->host, why);
		/* RFC 3261 §21.5.4: the proxy tries another instance, the member later. */
		nua_respond(nh, SIP_503_SERVICE_UNAVAILABLE, SIPTAG_RETRY_AFTER_STR("1"), SIPTAG_WARNING_STR(w), TAG_END());
		g_free(w);
		g_free(why);
		goto out;
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
	const agent_member_conf *mc = id != NULL ? ks_member_conf(g, id, id_len) : NULL;
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
	ks_member *old = ks_find_member(g, mc->identity);
	unsigned limit = g->conf->tesla ? KS_MAX_TESLA_SENDERS : KS_MAX_SENDERS;
	if (old == NULL && g->members->len >= limit) {
		g->refused++;
		agent_log("group %s: %s refused: the group is full (%u senders)", g->conf->name, mc->identity, limit);
		refuse(k, nh, sip, SIP_488_NOT_ACCEPTABLE, 399, "group full: MIKEY carries no more senders");
		goto out;
	}
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
		ks_member_remove(old, "joined again", true);
	}
	forget_restored(g);
	bool in_gen = first != NULL;
	if (first != NULL) {
		mikey_group_gen *gen = first;
		first = NULL;
		if (!ks_adopt_generation(g, gen, &first_rec, "first member (RSA-R download)")) {
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
	/* A group is all TESLA or none (one push cannot mix them). */
	m->has_tesla = cs.has_tesla && g->conf->tesla;
	if (cs.has_tesla)
		m->tesla = cs.tesla;
	m->media_addr = g_strdup(in.media_addr);
	m->media_port = in.media_port;
	g_ptr_array_add(g->members, m);
	nua_handle_bind(nh, m);

	sdp_out so = {.user = "mikey-ks", .session_id = g->csb_id, .version = ++m->sdp_version, .mikey = resp,
	              .mikey_len = resp_len};
	ks_media_sdp(g, &so);
	sdp = sdp_build(&so, &e);
	if (sdp == NULL) {
		agent_log_error("group %s: %s", g->conf->name, e->message);
		g_clear_error(&e);
		nua_handle_bind(nh, NULL);
		m->nh = NULL;
		ks_member_remove(m, "cannot answer", false);
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

