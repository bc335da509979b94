/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * member.c - a conference member: joins a group by calling its URI,
 * takes the group key the key server pushes, runs group SRTP media with
 * TESLA through the srtpgroup elements, follows rekeys, and leaves.
 *
 * The dialogue is the key server's (key_server.c, docs/sip-agent.md): our
 * INVITE carries our I_MESSAGE (our SSRC and TESLA commitment, RFC 4442
 * §4, authenticated by the PSK or our signature); the key server's
 * re-INVITEs carry the group generation, which we check (its identity,
 * the CSB ID we joined, never an older generation: RFC 3830 §4.5) and
 * answer with the verification message, or refuse with 488 and a Warning
 * (RFC 4567 §4.1.2).
 */
#include "member.h"

#include <inttypes.h>
#include <string.h>

#include <gio/gio.h>
#include <glib-unix.h>

#include <sofia-sip/nua.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/sip_tag.h>
#include <sofia-sip/su_tag.h>

#include <mikey/mem.h>
#include <mikey/rng.h>
#include <mikey/tesla.h>
#include <mikey/types.h>

#include "../media/member_media.h"
#include "agent_log.h"
#include "confevent.h"
#include "summary_file.h"
#include "mikey_setup.h"
#include "sdp_keymgmt.h"
#include "sip_ua.h"

/* TESLA for each sender (RFC 4383 §6 defaults, HMAC-SHA1): 20 ms
 * intervals, keys disclosed 4 intervals later (80 ms of receiver delay). */
#define TESLA_T_INT_MS 20u
#define TESLA_DELAY 4u
#define TESLA_SEED_LEN 20u
/* Completed pushes kept (the newest): what a leaver still holds. */
#define KEEP_EXCHANGES 8u

typedef struct member {
	const agent_config *c;
	sip_ua *ua;
	mikey_ctx *mctx;
	GMainLoop *loop;
	nua_handle_t *nh;
	mikey_exchange *reg_ex;
	bool tesla;
	uint8_t tesla_seed[TESLA_SEED_LEN];
	mikey_tesla_params tesla_params;
	uint32_t ssrc;
	uint16_t local_port;
	member_media *media;
	member_media *eaves;
	GPtrArray *exchanges; /* mikey_exchange*, oldest first */
	bool have_csb;
	uint32_t csb_id;
	GPtrArray *mkis;      /* char* hex, every generation installed */
	bool joined, leaving, left, removed, failed;
	uint64_t sdp_version;
	member_media_stats final, eaves_stats;
	bool have_final, have_eaves;
	guint t_leave, t_end, t_forge, t_eaves, t_quit;
	unsigned refused_pushes;
	nua_handle_t *sub_nh;  /* conference event subscription (RFC 4575) */
	GPtrArray *departed;   /* char*: members the key server said left */
	unsigned notifies;
	unsigned conf_version; /* of the last conference-info taken */
} member;

static void quit_soon(member *m, unsigned ms);
static bool take_generation(member *m, mikey_exchange *ex, GError **err);

/* ---- the join ------------------------------------------------------------ */

static uint16_t free_udp_port(const char *addr, GError **err)
{
	GInetAddress *ia = g_inet_address_new_from_string(addr);
	if (ia == NULL) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "media-addr %s is not an IP address", addr);
		return 0;
	}
	GSocketAddress *sa = g_inet_socket_address_new(ia, 0);
	GSocket *s = g_socket_new(g_inet_address_get_family(ia), G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, err);
	uint16_t port = 0;
	if (s != NULL && g_socket_bind(s, sa, FALSE, err)) {
		GSocketAddress *local = g_socket_get_local_address(s, err);
		if (local != NULL) {
			port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(local));
			g_object_unref(local);
		}
	}
	if (s != NULL)
		g_object_unref(s);
	g_object_unref(sa);
	g_object_unref(ia);
	return port;
}

static bool make_tesla(member *m, GError **err)
{
	mikey_tesla_params p;
	mikey_tesla_sender *s = NULL;
	double secs = m->c->duration > 0 ? m->c->duration + 60 : 3600;

	mikey_tesla_params_default(&p);
	/* Interval 0 is the commitment's: start one interval back so the
	 * first packet falls in interval 1 (mikey/tesla.h). */
	p.t_0 = mikey_clock_system(NULL) - MIKEY_TESLA_NTP_FROM_MS(TESLA_T_INT_MS);
	p.t_int = TESLA_T_INT_MS;
	p.d = TESLA_DELAY;
	p.n_c = (uint32_t)(secs * 1000.0 / TESLA_T_INT_MS) + TESLA_DELAY + 2;
	if (mikey_rng_bytes(NULL, m->tesla_seed, sizeof(m->tesla_seed)) != MIKEY_OK) {
		g_set_error(err, AGENT_MIKEY_ERROR, MIKEY_ERR_CRYPTO, "the random number generator failed");
		return false;
	}
	int rc = mikey_tesla_sender_new(&p, m->tesla_seed, sizeof(m->tesla_seed), &s);
	if (rc != MIKEY_OK)
		return agent_mikey_fail(err, rc, NULL, "TESLA key chain");
	m->tesla_params = *mikey_tesla_sender_get0_params(s);
	mikey_tesla_sender_free(s);
	return true;
}

static bool send_join(member *m, GError **err)
{
	mikey_offer o;
	mikey_cs_desc cs = {.ssrc = m->ssrc, .roc = 0, .policy_no = 0};
	uint8_t *msg = NULL;
	size_t len = 0;
	mikey_error me;

	memset(&me, 0, sizeof(me));
	mikey_offer_init(&o, m->c->mode);
	o.want_verify = true;
	o.cs = &cs;
	o.n_cs = 1;
	o.policies = &m->c->policy;
	o.n_policies = 1;
	o.peer_id_type = MIKEY_ID_URI;
	o.peer_id = m->c->ks_identity;
	o.peer_id_len = strlen(m->c->ks_identity);
	o.send_ids = true;
	o.tesla = m->tesla ? &m->tesla_params : NULL;
	int rc = mikey_initiate(m->mctx, &o, &m->reg_ex, &msg, &len, &me);
	if (rc != MIKEY_OK)
		return agent_mikey_fail(err, rc, &me, "join message");
	sdp_out so = {.user = "mikey-member", .session_id = m->ssrc, .version = ++m->sdp_version,
	              .addr = m->c->media_addr, .port = m->local_port, .ssrc = m->ssrc, .mikey = msg, .mikey_len = len};
	char *sdp = sdp_build(&so, err);
	mikey_buf_free(msg, len);
	if (sdp == NULL)
		return false;
	m->nh = nua_handle(m->ua->nua, m, SIPTAG_TO_STR(m->c->group_uri), TAG_END());
	nua_invite(m->nh, SIPTAG_CONTENT_TYPE_STR("application/sdp"), SIPTAG_PAYLOAD_STR(sdp), TAG_END());
	g_free(sdp);
	agent_log("calling %s, SSRC %" PRIu32 "%s", m->c->group_uri, m->ssrc, m->tesla ? ", TESLA" : "");
	return true;
}

/* ---- timers: leave, end, forge, eavesdrop ------------------------------------ */

static void snapshot(member *m)
{
	if (m->media != NULL && !m->have_final) {
		member_media_get_stats(m->media, &m->final);
		m->have_final = true;
	}
}

static void leave(member *m)
{
	if (!m->joined || m->leaving)
		return;
	m->leaving = true;
	if (m->media != NULL)
		member_media_stop_sending(m->media);
	snapshot(m);
	agent_log("leaving (BYE)");
	if (m->sub_nh != NULL)
		nua_unsubscribe(m->sub_nh, TAG_END());
	nua_bye(m->nh, TAG_END());
}

static gboolean leave_timer(gpointer p)
{
	member *m = p;
	m->t_leave = 0;
	leave(m);
	return G_SOURCE_REMOVE;
}

static gboolean end_timer(gpointer p)
{
	member *m = p;
	m->t_end = 0;
	leave(m);
	return G_SOURCE_REMOVE;
}

static gboolean do_forge(gpointer p)
{
	member *m = p;
	GError *e = NULL;
	m->t_forge = 0;
	if (m->media == NULL || m->exchanges->len == 0 || m->leaving)
		return G_SOURCE_REMOVE;
	const mikey_exchange *ex = g_ptr_array_index(m->exchanges, m->exchanges->len - 1);
	/* The victim: another sender of the group. */
	uint32_t victim = 0;
	for (size_t i = 0; i < mikey_exchange_cs_count(ex) && victim == 0; i++) {
		mikey_crypto_session cs;
		mikey_error me;
		if (mikey_exchange_get_cs(ex, i, &cs, &me) == MIKEY_OK && cs.ssrc != m->ssrc)
			victim = cs.ssrc;
		mikey_crypto_session_cleanup(&cs);
	}
	if (victim == 0) {
		agent_log("no other sender to forge yet");
		return G_SOURCE_REMOVE;
	}
	if (!member_media_forge(m->media, ex, victim, m->c->forge, &e)) {
		agent_log_error("forging: %s", e->message);
		g_error_free(e);
	} else {
		agent_log("sent %u insider forgeries as SSRC %" PRIu32, m->c->forge, victim);
	}
	return G_SOURCE_REMOVE;
}

static gboolean eaves_end(gpointer p)
{
	member *m = p;
	m->t_eaves = 0;
	if (m->eaves != NULL) {
		member_media_get_stats(m->eaves, &m->eaves_stats);
		m->have_eaves = true;
		agent_log("eavesdropping after the rekey: %" PRIu64 " packets decrypted, %" PRIu64 " undecryptable",
		          m->eaves_stats.received, m->eaves_stats.dropped + m->eaves_stats.forged);
	}
	quit_soon(m, 0);
	return G_SOURCE_REMOVE;
}

/* eaves_start: listen where the relay copies the group's SRTP (as any
 * host on a multicast network would), or on the multicast group itself,
 * with every key we held. */
static gboolean eaves_start(gpointer p)
{
	member *m = p;
	GError *e = NULL;
	m->t_eaves = 0;
	char *colon = strrchr(m->c->eavesdrop, ':');
	guint64 port = colon != NULL ? g_ascii_strtoull(colon + 1, NULL, 10) : 0;
	char *addr = colon != NULL ? g_strndup(m->c->eavesdrop, (gsize)(colon - m->c->eavesdrop)) : NULL;
	member_media_config mc = {.local_addr = addr, .local_port = (uint16_t)port, .relay_addr = addr,
	                          .relay_port = (uint16_t)port, .ssrc = m->ssrc, .send = false,
	                          .grace_ms = 3600000, .switch_delay_ms = 0};
	/* A group: joined on our media interface, as a member would. */
	GInetAddress *ia = addr != NULL ? g_inet_address_new_from_string(addr) : NULL;
	if (ia != NULL && g_inet_address_get_is_multicast(ia))
		mc.local_addr = m->c->media_addr;
	g_clear_object(&ia);
	bool ok = addr != NULL && port > 0 && port <= 65535 && member_media_new(&mc, &m->eaves, &e);
	for (guint i = 0; ok && i < m->exchanges->len; i++)
		ok = member_media_install(m->eaves, g_ptr_array_index(m->exchanges, i), &e);
	g_free(addr);
	if (!ok) {
		agent_log_error("eavesdrop %s: %s", m->c->eavesdrop, e != NULL ? e->message : "expected ADDR:PORT");
		g_clear_error(&e);
		m->failed = true;
		quit_soon(m, 0);
		return G_SOURCE_REMOVE;
	}
	agent_log("eavesdropping on %s with the %u generation(s) held before leaving", m->c->eavesdrop,
	          m->exchanges->len);
	m->t_eaves = g_timeout_add((guint)(m->c->eavesdrop_for * 1000), eaves_end, m);
	return G_SOURCE_REMOVE;
}

static gboolean do_quit(gpointer p)
{
	member *m = p;
	m->t_quit = 0;
	g_main_loop_quit(m->loop);
	return G_SOURCE_REMOVE;
}

static void quit_soon(member *m, unsigned ms)
{
	if (m->t_quit == 0)
		m->t_quit = g_timeout_add(ms, do_quit, m);
}

/* ---- SIP events -------------------------------------------------------------- */

static void on_join_answer(member *m, int status, const char *phrase, const sip_t *sip)
{
	GError *e = NULL;
	sdp_intake in;
	mikey_error me;

	if (status < 200 || m->joined)
		return;
	if (status >= 300) {
		const char *w = sip != NULL && sip->sip_warning != NULL ? sip->sip_warning->w_text : NULL;
		agent_log_error("join refused: %d %s%s%s", status, phrase, w != NULL ? " - " : "", w != NULL ? w : "");
		m->failed = true;
		quit_soon(m, 0);
		return;
	}
	size_t blen = 0;
	const char *body = sip_ua_sdp_body(sip, &blen);
	memset(&me, 0, sizeof(me));
	bool ok = sdp_intake_parse(body, blen, true, true, &in, &e);
	if (ok) {
		int rc = mikey_exchange_finish(m->reg_ex, in.mikey, in.mikey_len, &me);
		ok = rc == MIKEY_OK || agent_mikey_fail(&e, rc, &me, "the key server's verification message");
	}
	if (ok) {
		member_media_config mc = {.local_addr = m->c->media_addr, .local_port = m->local_port,
		                          .relay_addr = in.media_addr, .relay_port = in.media_port,
		                          .mcast_ttl = in.media_ttl, .ssrc = m->ssrc,
		                          .send = true, .packet_ms = 20, .tesla_seed = m->tesla ? m->tesla_seed : NULL,
		                          .tesla_seed_len = m->tesla ? sizeof(m->tesla_seed) : 0,
		                          .grace_ms = m->c->grace_ms, .switch_delay_ms = m->c->switch_delay_ms};
		ok = member_media_new(&mc, &m->media, &e);
	}
	if (ok && m->c->mode == MIKEY_MODE_RSAR) {
		/* RFC 4738 §3.2: the answer downloaded the group key. It keys our
		 * media once it lists our SSRC (a first member's does; later ones
		 * get the generation that adds them in the next push). */
		mikey_crypto_session own;
		mikey_error oe;
		if (mikey_exchange_find_cs(m->reg_ex, m->ssrc, 0, &own, &oe) == MIKEY_OK) {
			mikey_crypto_session_cleanup(&own);
			ok = take_generation(m, m->reg_ex, &e);
			if (ok)
				m->reg_ex = NULL;
		} else {
			m->have_csb = true;
			m->csb_id = mikey_exchange_csb_id(m->reg_ex);
			agent_log("group key downloaded (CSB ID %" PRIu32 "); our SSRC comes with the next push", m->csb_id);
		}
	}
	char *media_to = g_strdup_printf("%s %s:%u", in.media_ttl != 0 ? "the multicast group" : "the relay at",
	                                 in.media_addr != NULL ? in.media_addr : "?", in.media_port);
	sdp_intake_clear(&in);
	if (!ok) {
		agent_log_error("join: %s", e->message);
		g_error_free(e);
		g_free(media_to);
		m->failed = true;
		m->joined = true; /* so that the BYE goes out */
		leave(m);
		return;
	}
	m->joined = true;
	agent_log("joined; media to %s", media_to);
	g_free(media_to);
	if (m->c->subscribe) {
		/* RFC 4575 §3: who is in the group, and who leaves. */
		m->sub_nh = nua_handle(m->ua->nua, NULL, SIPTAG_TO_STR(m->c->group_uri), TAG_END());
		nua_subscribe(m->sub_nh, SIPTAG_EVENT_STR(CONFEVENT_EVENT), SIPTAG_ACCEPT_STR(CONFEVENT_TYPE), TAG_END());
	}
	if (m->c->leave_after > 0)
		m->t_leave = g_timeout_add((guint)(m->c->leave_after * 1000), leave_timer, m);
	if (m->c->duration > 0)
		m->t_end = g_timeout_add((guint)(m->c->duration * 1000), end_timer, m);
	if (m->c->forge > 0)
		m->t_forge = g_timeout_add((guint)(m->c->forge_after * 1000), do_forge, m);
}

static void refuse_push(member *m, nua_handle_t *nh, const char *why)
{
	char *w = sip_ua_warning(399, m->c->media_addr, why);
	m->refused_pushes++;
	agent_log_error("group key refused: %s", why);
	nua_respond(nh, SIP_488_NOT_ACCEPTABLE, SIPTAG_WARNING_STR(w), TAG_END());
	g_free(w);
}

/* check_push: the push comes from the key server, for the CSB we joined,
 * not older than what we hold, and keys our own SSRC. */
static bool check_push(member *m, const mikey_exchange *ex, char **mki_hex, GError **err)
{
	size_t id_len = 0;
	const uint8_t *id = mikey_exchange_get0_peer_id(ex, &id_len);
	mikey_crypto_session cs;
	mikey_error me;

	if (id == NULL || id_len != strlen(m->c->ks_identity) || memcmp(id, m->c->ks_identity, id_len) != 0) {
		g_set_error(err, AGENT_MIKEY_ERROR, MIKEY_ERR_IDENTITY, "not from the key server %s", m->c->ks_identity);
		return false;
	}
	if (m->have_csb && mikey_exchange_csb_id(ex) != m->csb_id) {
		g_set_error(err, AGENT_MIKEY_ERROR, MIKEY_ERR_STATE, "CSB ID %" PRIu32 ", the group's is %" PRIu32,
		            mikey_exchange_csb_id(ex), m->csb_id);
		return false;
	}
	if (m->exchanges->len > 0) {
		const mikey_exchange *last = g_ptr_array_index(m->exchanges, m->exchanges->len - 1);
		if (mikey_exchange_compare_generation(ex, last) == MIKEY_GEN_OLDER) {
			g_set_error(err, AGENT_MIKEY_ERROR, MIKEY_ERR_REPLAY, "an older generation than the one held");
			return false;
		}
	}
	memset(&me, 0, sizeof(me));
	int rc = mikey_exchange_find_cs(ex, m->ssrc, 0, &cs, &me);
	if (rc != MIKEY_OK)
		return agent_mikey_fail(err, rc, &me, "our SSRC");
	GString *s = g_string_new(NULL);
	for (size_t i = 0; i < cs.mki_len; i++)
		g_string_append_printf(s, "%02x", cs.mki[i]);
	*mki_hex = g_string_free(s, FALSE);
	mikey_crypto_session_cleanup(&cs);
	return true;
}

/* take_generation: a checked generation goes to the media and is kept
 * (what a leaver still holds). Takes |ex| on success. */
static bool take_generation(member *m, mikey_exchange *ex, GError **err)
{
	char *mki = NULL;
	if (!check_push(m, ex, &mki, err) || (m->media != NULL && !member_media_install(m->media, ex, err))) {
		g_free(mki);
		return false;
	}
	m->have_csb = true;
	m->csb_id = mikey_exchange_csb_id(ex);
	if (m->mkis->len == 0 || strcmp(g_ptr_array_index(m->mkis, m->mkis->len - 1), mki) != 0) {
		agent_log("group key: CSB ID %" PRIu32 ", MKI %s, %zu sender(s)", m->csb_id, mki, mikey_exchange_cs_count(ex));
		g_ptr_array_add(m->mkis, mki);
	} else {
		agent_log_debug("group key: MKI %s again, %zu sender(s)", mki, mikey_exchange_cs_count(ex));
		g_free(mki);
	}
	g_ptr_array_add(m->exchanges, ex);
	if (m->exchanges->len > KEEP_EXCHANGES)
		g_ptr_array_remove_index(m->exchanges, 0);
	return true;
}

static void on_push(member *m, nua_handle_t *nh, const sip_t *sip)
{
	GError *e = NULL;
	sdp_intake in;
	mikey_exchange *ex = NULL;
	uint8_t *resp = NULL;
	size_t resp_len = 0;
	mikey_error me;
	char *sdp = NULL;

	memset(&me, 0, sizeof(me));
	size_t blen = 0;
	const char *body = sip_ua_sdp_body(sip, &blen);
	if (!sdp_intake_parse(body, blen, true, false, &in, &e)) {
		refuse_push(m, nh, e->message);
		goto out;
	}
	int rc = mikey_respond(m->mctx, in.mikey, in.mikey_len, &ex, &resp, &resp_len, &me);
	if (rc != MIKEY_OK) {
		agent_mikey_fail(&e, rc, &me, "group key");
		refuse_push(m, nh, e->message);
		goto out;
	}
	sdp_out so = {.user = "mikey-member", .session_id = m->ssrc, .version = ++m->sdp_version,
	              .addr = m->c->media_addr, .port = m->local_port, .ssrc = m->ssrc, .mikey = resp,
	              .mikey_len = resp_len};
	sdp = sdp_build(&so, &e);
	if (sdp == NULL || !take_generation(m, ex, &e)) {
		refuse_push(m, nh, e->message);
		goto out;
	}
	ex = NULL;
	nua_respond(nh, SIP_200_OK, SIPTAG_CONTENT_TYPE_STR("application/sdp"), SIPTAG_PAYLOAD_STR(sdp), TAG_END());
out:
	g_free(sdp);
	g_clear_error(&e);
	sdp_intake_clear(&in);
	if (resp != NULL)
		mikey_buf_free(resp, resp_len);
	mikey_exchange_free(ex);
}

static void on_conference_info(member *m, const char *body, size_t len)
{
	GError *e = NULL;
	unsigned version = 0;
	GPtrArray *gone = confevent_departed(body, len, &version, &e);
	m->notifies++;
	if (gone == NULL) {
		agent_log_error("conference-info: %s", e->message);
		g_error_free(e);
		return;
	}
	if (version <= m->conf_version) {
		g_ptr_array_unref(gone); /* seen already */
		return;
	}
	m->conf_version = version;
	for (guint i = 0; i < gone->len; i++) {
		const char *who = g_ptr_array_index(gone, i);
		agent_log("conference: %s left", who);
		g_ptr_array_add(m->departed, g_strdup(who));
	}
	g_ptr_array_unref(gone);
}

static void on_event(nua_event_t event, int status, char const *phrase, nua_t *nua, nua_magic_t *magic,
                     nua_handle_t *nh, nua_hmagic_t *hmagic, sip_t const *sip, tagi_t tags[])
{
	member *m = (member *)magic;

	switch (event) {
	case nua_r_invite:
		on_join_answer(m, status, phrase, sip);
		break;
	case nua_i_invite:
		if (hmagic == NULL) {
			/* Only the key server's pushes in our own dialog. */
			nua_respond(nh, 403, "Not A Key Server Dialog", TAG_END());
			break;
		}
		on_push(m, nh, sip);
		break;
	case nua_i_notify:
		if (nh == m->sub_nh && sip != NULL && sip->sip_payload != NULL)
			on_conference_info(m, sip->sip_payload->pl_data, sip->sip_payload->pl_len);
		break;
	case nua_i_bye:
		if (!m->leaving) {
			snapshot(m);
			m->removed = true;
			agent_log("the key server ended our membership (BYE)");
		}
		break;
	case nua_i_state: {
		int cs = nua_callstate_init;
		tl_gets(tags, NUTAG_CALLSTATE_REF(cs), TAG_END());
		if (cs != nua_callstate_terminated)
			break;
		if (hmagic == NULL) {
			nua_handle_destroy(nh);
			break;
		}
		snapshot(m);
		m->left = true;
		if (m->media != NULL)
			member_media_stop_sending(m->media);
		if (m->c->eavesdrop != NULL && m->leaving && !m->failed)
			m->t_eaves = g_timeout_add((guint)(m->c->eavesdrop_delay * 1000), eaves_start, m);
		else
			quit_soon(m, 0);
		break;
	}
	case nua_r_shutdown:
		if (status >= 200)
			m->ua->shut_down = true;
		break;
	default:
		break;
	}
	(void)nua;
}

/* ---- run --------------------------------------------------------------------- */

static void write_summary(member *m)
{
	summary s;
	json_writer *j = summary_open(&s);
	json_begin_object(j);
	json_kv_string(j, "role", "member");
	json_kv_string(j, "identity", m->c->identity);
	json_kv_uint(j, "ssrc", m->ssrc);
	json_kv_bool(j, "joined", m->joined);
	json_kv_bool(j, "left", m->leaving);
	json_kv_bool(j, "removed_by_key_server", m->removed);
	json_kv_bool(j, "failed", m->failed);
	json_kv_uint(j, "csb_id", m->csb_id);
	json_key(j, "mkis");
	json_begin_array(j);
	for (guint i = 0; i < m->mkis->len; i++)
		json_string(j, g_ptr_array_index(m->mkis, i));
	json_end_array(j);
	json_kv_uint(j, "refused_pushes", m->refused_pushes);
	json_kv_uint(j, "conference_notifies", m->notifies);
	json_key(j, "departures_seen");
	json_begin_array(j);
	for (guint i = 0; i < m->departed->len; i++)
		json_string(j, g_ptr_array_index(m->departed, i));
	json_end_array(j);
	json_key(j, "media");
	json_begin_object(j);
	json_kv_uint(j, "sent", m->final.sent);
	json_kv_uint(j, "received", m->final.received);
	json_kv_uint(j, "authenticated", m->final.authenticated);
	json_kv_uint(j, "forged_rejected", m->final.forged);
	json_kv_uint(j, "dropped", m->final.dropped);
	json_kv_uint(j, "senders", m->final.senders);
	json_kv_uint(j, "forged_sent", m->final.forged_sent);
	json_end_object(j);
	if (m->have_eaves) {
		json_key(j, "after_leaving");
		json_begin_object(j);
		json_kv_uint(j, "captured", m->eaves_stats.received + m->eaves_stats.dropped + m->eaves_stats.forged);
		json_kv_uint(j, "decrypted", m->eaves_stats.received);
		json_end_object(j);
	}
	json_end_object(j);
	summary_close(&s, m->c->summary);
}

static gboolean on_signal(gpointer p)
{
	member *m = p;
	if (m->joined && !m->leaving)
		leave(m);
	else
		quit_soon(m, 0);
	return G_SOURCE_CONTINUE;
}

int member_run(const agent_config *c)
{
	member m;
	GError *e = NULL;
	mikey_error me;
	int rc = 1;

	memset(&m, 0, sizeof(m));
	memset(&me, 0, sizeof(me));
	m.c = c;
	m.loop = g_main_loop_new(NULL, FALSE);
	m.exchanges = g_ptr_array_new_with_free_func((GDestroyNotify)mikey_exchange_free);
	m.mkis = g_ptr_array_new_with_free_func(g_free);
	m.departed = g_ptr_array_new_with_free_func(g_free);
	m.tesla = c->tesla;
	m.ssrc = c->ssrc;
	while (m.ssrc == 0)
		if (mikey_rng_bytes(NULL, (uint8_t *)&m.ssrc, sizeof(m.ssrc)) != MIKEY_OK)
			goto out;
	if (!agent_mikey_ctx_new(c, c->ks_identity, &m.mctx, &e))
		goto out;
	if (c->ks_cert_pem != NULL) {
		int r = mikey_ctx_add_peer_cert(m.mctx, c->ks_identity, strlen(c->ks_identity), c->ks_cert_pem,
		                                c->ks_cert_len, &me);
		if (r != MIKEY_OK) {
			agent_mikey_fail(&e, r, &me, "[member] key-server-cert");
			goto out;
		}
	}
	if ((m.tesla && !make_tesla(&m, &e)) || !member_media_init(c->plugin_path, &e))
		goto out;
	m.local_port = free_udp_port(c->media_addr, &e);
	if (m.local_port == 0)
		goto out;
	if (!sip_ua_new(c->bind, c->identity, c->proxy, 0, on_event, &m, &m.ua, &e) || !send_join(&m, &e))
		goto out;
	guint s1 = g_unix_signal_add(SIGTERM, on_signal, &m), s2 = g_unix_signal_add(SIGINT, on_signal, &m);
	g_main_loop_run(m.loop);
	g_source_remove(s1);
	g_source_remove(s2);
	snapshot(&m);
	agent_log("done: sent %" PRIu64 ", received %" PRIu64 " (%" PRIu64 " source-authenticated), %" PRIu64
	          " forgeries rejected, %" PRIu64 " dropped",
	          m.final.sent, m.final.received, m.final.authenticated, m.final.forged, m.final.dropped);
	write_summary(&m);
	rc = m.joined && !m.failed ? 0 : 1;
out:
	if (e != NULL) {
		agent_log_error("%s", e->message);
		g_error_free(e);
	}
	guint *timers[] = {&m.t_leave, &m.t_end, &m.t_forge, &m.t_eaves, &m.t_quit};
	for (size_t i = 0; i < G_N_ELEMENTS(timers); i++)
		if (*timers[i] != 0)
			g_source_remove(*timers[i]);
	member_media_free(m.eaves);
	member_media_free(m.media);
	sip_ua_free(m.ua);
	g_ptr_array_free(m.exchanges, TRUE);
	g_ptr_array_free(m.mkis, TRUE);
	g_ptr_array_free(m.departed, TRUE);
	mikey_exchange_free(m.reg_ex);
	mikey_ctx_free(m.mctx);
	mikey_wipe(m.tesla_seed, sizeof(m.tesla_seed));
	g_main_loop_unref(m.loop);
	return rc;
}
