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
 *
 * Failover (docs/sip-agent.md, "Key server failover"): in-dialog OPTIONS
 * (RFC 3261 §11) every ks-keepalive ms; a 408, 481 or 5xx answer, no
 * answer within the transaction timeout, or a dialog that ends without a
 * BYE of ours or the key server's means the key server is gone. Media
 * goes on under the keys held while the member calls the group again on a
 * new dialog with a fresh I_MESSAGE (same identity, SSRC and TESLA chain),
 * with backoff, until rejoin-timeout. Whoever answers continues the group
 * at a later generation (RFC 3830 §4.5: the same CSB ID, a new TGK and
 * MKI), which check_push holds it to like any push.
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
#include "key_fingerprint.h"
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
/* Rejoin backoff: the first attempt at once, then 200 ms doubling to 2 s. */
#define REJOIN_FIRST_MS 200u
#define REJOIN_MAX_MS 2000u
/* The MKI is the epoch as 4 big-endian bytes (ks_generation.c). */
#define EPOCH_MKI_LEN 4u
/* RFC 3830 §6.13: a Key data length is one byte. */
#define KEY_MAX 255u

/* One generation installed, for the summary's key log: no key, only a
 * one-way fingerprint of it (key_fingerprint.h). */
typedef struct key_log_entry {
	bool has_epoch;
	uint32_t epoch;
	char *mki; /* hex */
	char fp[KS_KEY_FP_SIZE]; /* "" when the exchange gave no key */
} key_log_entry;

/* One loss of the key server and what followed. */
typedef struct failover {
	int64_t lost_at_ms;   /* wall clock, Unix milliseconds */
	char why[96];
	int64_t rejoined_ms;  /* after the loss; -1: not rejoined */
	int64_t rekeyed_ms;   /* first generation installed after the rejoin; -1: none */
	uint64_t received_at_lost, received_at_rekey;
} failover;

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
	/* Key server liveness and failover. */
	guint t_keepalive, t_rejoin, t_rejoin_deadline;
	bool options_out;   /* an OPTIONS to the key server awaits its answer */
	bool rejoining;     /* the key server is gone: calling the group again */
	bool rekey_pending; /* rejoined; no generation installed since */
	bool rejoin_failed;
	unsigned rejoin_delay_ms; /* before the next attempt */
	unsigned rejoins;
	gint64 lost_us;     /* monotonic time of the last loss */
	gint64 first_call_us; /* monotonic time of the first join */
	unsigned join_retries; /* first join answered 503/480 with Retry-After, tried again */
	GArray *failovers;  /* failover */
	GArray *key_log;    /* key_log_entry, one per MKI installed */
} member;

static void quit_soon(member *m, unsigned ms);

static void key_log_entry_clear(gpointer p)
{
	g_free(((key_log_entry *)p)->mki);
}
static bool take_generation(member *m, mikey_exchange *ex, GError **err);
static void snapshot(member *m);

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

static void clear_timer(guint *t)
{
	if (*t != 0) {
		g_source_remove(*t);
		*t = 0;
	}
}

/* drop_dialog forgets the call handle: a lost key server's dialog, or a
 * rejoin attempt that failed. nua ends a live call with a BYE (RFC 3261
 * §15): a dead key server never sees it, a live one that answered 5xx
 * learns we left that dialog before our new INVITE arrives. */
static void drop_dialog(member *m)
{
	if (m->nh != NULL) {
		nua_handle_destroy(m->nh);
		m->nh = NULL;
	}
	m->options_out = false;
}

static void leave(member *m)
{
	if (!m->joined || m->leaving)
		return;
	m->leaving = true;
	if (m->media != NULL)
		member_media_stop_sending(m->media);
	snapshot(m);
	if (m->rejoining) {
		/* No key server holds a dialog of ours: nobody to say BYE to. */
		m->rejoining = false;
		clear_timer(&m->t_rejoin);
		clear_timer(&m->t_rejoin_deadline);
		drop_dialog(m);
		agent_log("leaving while rejoining: no dialog to end");
		quit_soon(m, 0);
		return;
	}
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

/* ---- key server liveness and failover ------------------------------------- */

/* RFC 3261 §11: OPTIONS inside the dialog, one at a time; its answer (or
 * the transaction timeout, sip-timeout-ms) tells whether the key server
 * still holds the dialog. */
static gboolean ks_keepalive(gpointer p)
{
	member *m = p;
	if (m->joined && !m->leaving && !m->rejoining && !m->removed && !m->failed && m->nh != NULL &&
	    !m->options_out) {
		m->options_out = true;
		nua_options(m->nh, TAG_END());
	}
	return G_SOURCE_CONTINUE;
}

static failover *last_failover(member *m)
{
	return m->failovers->len > 0 ? &g_array_index(m->failovers, failover, m->failovers->len - 1) : NULL;
}

static int64_t ms_since_lost(const member *m)
{
	return (g_get_monotonic_time() - m->lost_us) / 1000;
}

static uint64_t received_now(member *m)
{
	member_media_stats st;
	if (m->media == NULL)
		return 0;
	member_media_get_stats(m->media, &st);
	return st.received;
}

static void rejoin_give_up(member *m, const char *why)
{
	agent_log_error("rejoin: %s; no key server took us back, giving up", why);
	m->rejoining = false;
	m->rejoin_failed = true;
	m->failed = true;
	clear_timer(&m->t_rejoin);
	clear_timer(&m->t_rejoin_deadline);
	drop_dialog(m);
	if (m->media != NULL)
		member_media_stop_sending(m->media);
	snapshot(m);
	quit_soon(m, 0);
}

static gboolean rejoin_expired(gpointer p)
{
	member *m = p;
	char why[64];
	m->t_rejoin_deadline = 0;
	g_snprintf(why, sizeof(why), "rejoin-timeout (%u ms) passed", m->c->rejoin_timeout_ms);
	if (m->rejoining)
		rejoin_give_up(m, why);
	return G_SOURCE_REMOVE;
}

/* A new dialog and a fresh I_MESSAGE, built as the first join's: the same
 * identity, SSRC and TESLA parameters (the chain made at start-up: the
 * other members' receivers keep verifying it across the failover). */
static gboolean rejoin_attempt(gpointer p)
{
	member *m = p;
	GError *e = NULL;
	m->t_rejoin = 0;
	if (!m->rejoining)
		return G_SOURCE_REMOVE;
	mikey_exchange_free(m->reg_ex);
	m->reg_ex = NULL;
	drop_dialog(m);
	if (!send_join(m, &e)) {
		char why[160];
		g_snprintf(why, sizeof(why), "cannot call the group: %s", e->message);
		g_error_free(e);
		rejoin_give_up(m, why);
	}
	return G_SOURCE_REMOVE;
}

static void schedule_rejoin(member *m)
{
	unsigned d = m->rejoin_delay_ms;
	m->rejoin_delay_ms = d >= REJOIN_MAX_MS / 2 ? REJOIN_MAX_MS : d * 2;
	clear_timer(&m->t_rejoin);
	m->t_rejoin = g_timeout_add(d, rejoin_attempt, m);
}

/* ks_lost: the key server no longer holds our dialog. The decoder keeps
 * every key and the encoder its current one, so media goes on (among the
 * members a relay still serves) until a key server pushes the next
 * generation. A BYE from the key server is not this: that removes us. */
static void ks_lost(member *m, const char *why)
{
	failover f;
	if (!m->joined || m->leaving || m->left || m->rejoining || m->removed || m->failed)
		return;
	memset(&f, 0, sizeof(f));
	f.lost_at_ms = g_get_real_time() / 1000;
	g_strlcpy(f.why, why, sizeof(f.why));
	f.rejoined_ms = -1;
	f.rekeyed_ms = -1;
	f.received_at_lost = received_now(m);
	g_array_append_val(m->failovers, f);
	m->lost_us = g_get_monotonic_time();
	m->rejoining = true;
	m->rekey_pending = false;
	agent_log("the key server is gone (%s): calling %s again%s%s, media goes on under the keys held", why,
	          m->c->group_uri, m->c->proxy != NULL ? " via " : "", m->c->proxy != NULL ? m->c->proxy : "");
	drop_dialog(m);
	if (m->sub_nh != NULL) {
		/* Its NOTIFYs came from the lost key server. */
		nua_handle_destroy(m->sub_nh);
		m->sub_nh = NULL;
	}
	m->conf_version = 0; /* the next key server counts its own versions */
	m->rejoin_delay_ms = REJOIN_FIRST_MS;
	clear_timer(&m->t_rejoin_deadline);
	m->t_rejoin_deadline = g_timeout_add(m->c->rejoin_timeout_ms, rejoin_expired, m);
	clear_timer(&m->t_rejoin);
	m->t_rejoin = g_idle_add(rejoin_attempt, m);
}

/* handed_on: a key server that no longer serves the group ends our dialog
 * with `Reason: SIP ;cause=503` (RFC 3326; docs/sip-agent-ha.md): not a
 * removal, the group goes on at another instance. */
static bool handed_on(const sip_t *sip)
{
	for (const sip_reason_t *r = sip != NULL ? sip->sip_reason : NULL; r != NULL; r = r->re_next)
		if (r->re_protocol != NULL && g_ascii_strcasecmp(r->re_protocol, "SIP") == 0 && r->re_cause != NULL &&
		    strcmp(r->re_cause, "503") == 0)
			return true;
	return false;
}

/* A refusal no other attempt changes (our credentials, our SDP); the rest
 * (timeouts, 5xx, a proxy with no instance yet, a group not restored yet)
 * is retried. */
static bool rejoin_retryable(int status)
{
	return status == 404 || status == 408 || status == 480 || status == 481 || status >= 500;
}

static void subscribe(member *m)
{
	if (!m->c->subscribe)
		return;
	/* RFC 4575 §3: who is in the group, and who leaves. */
	m->sub_nh = nua_handle(m->ua->nua, NULL, SIPTAG_TO_STR(m->c->group_uri), TAG_END());
	nua_subscribe(m->sub_nh, SIPTAG_EVENT_STR(CONFEVENT_EVENT), SIPTAG_ACCEPT_STR(CONFEVENT_TYPE), TAG_END());
}

/* ---- SIP events -------------------------------------------------------------- */

static gboolean join_again(gpointer p)
{
	member *m = p;
	GError *e = NULL;
	m->t_rejoin = 0;
	mikey_exchange_free(m->reg_ex);
	m->reg_ex = NULL;
	drop_dialog(m);
	if (!send_join(m, &e)) {
		agent_log_error("cannot call the group: %s", e->message);
		g_error_free(e);
		m->failed = true;
		quit_soon(m, 0);
	}
	return G_SOURCE_REMOVE;
}

/* join_later: a first join answered 503 or 480 with Retry-After (RFC 3261
 * §21.5.4: no key server can take it now, e.g. the key store is away) is
 * made again after that delay (1 to 10 s), with a fresh I_MESSAGE, until
 * rejoin-timeout has passed since the first call. */
static bool join_later(member *m, int status, const char *phrase, const sip_t *sip)
{
	if ((status != 503 && status != 480) || sip == NULL || sip->sip_retry_after == NULL)
		return false;
	gint64 waited_ms = (g_get_monotonic_time() - m->first_call_us) / 1000;
	unsigned after = (unsigned)CLAMP(sip->sip_retry_after->af_delta, 1, 10);
	if (waited_ms + after * 1000 > (gint64)m->c->rejoin_timeout_ms)
		return false;
	m->join_retries++;
	agent_log("join: %d %s, calling again in %u s (Retry-After)", status, phrase, after);
	clear_timer(&m->t_rejoin);
	m->t_rejoin = g_timeout_add_seconds(after, join_again, m);
	return true;
}

static void on_join_answer(member *m, nua_handle_t *nh, int status, const char *phrase, const sip_t *sip)
{
	GError *e = NULL;
	sdp_intake in;
	mikey_error me;
	bool rejoin = m->rejoining;

	/* Only the answer to the call in progress: a first join, or a rejoin. */
	if (status < 200 || nh != m->nh || m->leaving || (m->joined && !rejoin))
		return;
	if (status >= 300) {
		const char *w = sip != NULL && sip->sip_warning != NULL ? sip->sip_warning->w_text : NULL;
		if (rejoin) {
			agent_log("rejoin: %d %s%s%s", status, phrase, w != NULL ? " - " : "", w != NULL ? w : "");
			drop_dialog(m);
			if (rejoin_retryable(status)) {
				schedule_rejoin(m);
			} else {
				char why[96];
				g_snprintf(why, sizeof(why), "refused with %d", status);
				rejoin_give_up(m, why);
			}
			return;
		}
		if (join_later(m, status, phrase, sip))
			return;
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
	if (ok && m->media == NULL) {
		member_media_config mc = {.local_addr = m->c->media_addr, .local_port = m->local_port,
		                          .relay_addr = in.media_addr, .relay_port = in.media_port,
		                          .mcast_ttl = in.media_ttl, .ssrc = m->ssrc,
		                          .send = true, .packet_ms = 20, .tesla_seed = m->tesla ? m->tesla_seed : NULL,
		                          .tesla_seed_len = m->tesla ? sizeof(m->tesla_seed) : 0,
		                          .grace_ms = m->c->grace_ms, .switch_delay_ms = m->c->switch_delay_ms};
		ok = member_media_new(&mc, &m->media, &e);
	} else if (ok) {
		/* The key server that took over may relay from elsewhere; we keep
		 * receiving on our port, which its relay sends to. */
		ok = member_media_set_destination(m->media, in.media_addr, in.media_port, &e);
	}
	m->rekey_pending = rejoin;
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
			ok = !m->have_csb || mikey_exchange_csb_id(m->reg_ex) == m->csb_id;
			if (!ok)
				g_set_error(&e, AGENT_MIKEY_ERROR, MIKEY_ERR_STATE, "CSB ID %" PRIu32 ", the group's is %" PRIu32,
				            mikey_exchange_csb_id(m->reg_ex), m->csb_id);
			else {
				m->have_csb = true;
				m->csb_id = mikey_exchange_csb_id(m->reg_ex);
				agent_log("group key downloaded (CSB ID %" PRIu32 "); our SSRC comes with the next push",
				          m->csb_id);
			}
		}
	}
	char *media_to = g_strdup_printf("%s %s:%u", in.media_ttl != 0 ? "the multicast group" : "the relay at",
	                                 in.media_addr != NULL ? in.media_addr : "?", in.media_port);
	sdp_intake_clear(&in);
	if (!ok) {
		agent_log_error("%s: %s", rejoin ? "rejoin" : "join", e->message);
		g_error_free(e);
		g_free(media_to);
		m->failed = true;
		if (rejoin) {
			/* Answered but not acceptable: end that dialog too. */
			m->rejoining = false;
			m->rejoin_failed = true;
			clear_timer(&m->t_rejoin);
			clear_timer(&m->t_rejoin_deadline);
		}
		m->joined = true; /* so that the BYE goes out */
		leave(m);
		return;
	}
	if (rejoin) {
		failover *f = last_failover(m);
		m->rejoining = false;
		m->rejoins++;
		clear_timer(&m->t_rejoin);
		clear_timer(&m->t_rejoin_deadline);
		if (f != NULL)
			f->rejoined_ms = ms_since_lost(m);
		agent_log("rejoined %" PRId64 " ms after the key server was lost; media to %s", ms_since_lost(m), media_to);
		g_free(media_to);
		subscribe(m);
		return;
	}
	m->joined = true;
	agent_log("joined; media to %s", media_to);
	g_free(media_to);
	subscribe(m);
	if (m->c->ks_keepalive_ms > 0)
		m->t_keepalive = g_timeout_add(m->c->ks_keepalive_ms, ks_keepalive, m);
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
 * not older than what we hold, and keys our own SSRC. A key server that
 * took the group over is held to the same: the key servers share the
 * identity, the CSB ID goes on and the MKI never moves back (RFC 3830
 * §4.5). *mki_hex gets our crypto session's MKI; *epoch the epoch it
 * encodes, when it is 4 bytes (*has_epoch). */
static bool check_push(member *m, const mikey_exchange *ex, char **mki_hex, bool *has_epoch, uint32_t *epoch,
                       GError **err)
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
	*has_epoch = cs.mki_len == EPOCH_MKI_LEN;
	*epoch = *has_epoch ? (uint32_t)cs.mki[0] << 24 | (uint32_t)cs.mki[1] << 16 | (uint32_t)cs.mki[2] << 8 | cs.mki[3]
	                    : 0;
	mikey_crypto_session_cleanup(&cs);
	return true;
}

/* fingerprint: the generation's key and RAND as the exchange carried them
 * (the TGK before derivation), hashed (key_fingerprint.h); "" when the
 * exchange gives none. */
static void fingerprint(const mikey_exchange *ex, char out[KS_KEY_FP_SIZE])
{
	uint8_t key[KEY_MAX];
	size_t key_len = 0, rand_len = 0;
	mikey_error me;

	out[0] = '\0';
	memset(&me, 0, sizeof(me));
	if (mikey_exchange_get_key(ex, 0, key, sizeof(key), &key_len, NULL, &me) != MIKEY_OK) {
		agent_log_error("key log: no key to fingerprint: %s", me.message);
		return;
	}
	const uint8_t *rand = mikey_exchange_get0_rand(ex, &rand_len);
	if (!ks_key_fingerprint(key, key_len, rand, rand_len, out))
		agent_log_error("key log: the fingerprint failed");
	mikey_wipe(key, sizeof(key));
}

/* take_generation: a checked generation goes to the media and is kept
 * (what a leaver still holds). Takes |ex| on success. */
static bool take_generation(member *m, mikey_exchange *ex, GError **err)
{
	char *mki = NULL;
	bool has_epoch = false;
	uint32_t epoch = 0;
	if (!check_push(m, ex, &mki, &has_epoch, &epoch, err) ||
	    (m->media != NULL && !member_media_install(m->media, ex, err))) {
		g_free(mki);
		return false;
	}
	m->have_csb = true;
	m->csb_id = mikey_exchange_csb_id(ex);
	if (m->rekey_pending) {
		failover *f = last_failover(m);
		m->rekey_pending = false;
		if (f != NULL) {
			f->rekeyed_ms = ms_since_lost(m);
			f->received_at_rekey = received_now(m);
		}
		agent_log("rekeyed %" PRId64 " ms after the key server was lost", ms_since_lost(m));
	}
	if (m->mkis->len == 0 || strcmp(g_ptr_array_index(m->mkis, m->mkis->len - 1), mki) != 0) {
		key_log_entry k = {.has_epoch = has_epoch, .epoch = epoch, .mki = g_strdup(mki)};
		fingerprint(ex, k.fp);
		g_array_append_val(m->key_log, k);
		agent_log("group key: CSB ID %" PRIu32 ", MKI %s, %zu sender(s), fingerprint %s", m->csb_id, mki,
		          mikey_exchange_cs_count(ex), k.fp[0] != '\0' ? k.fp : "-");
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
		on_join_answer(m, nh, status, phrase, sip);
		break;
	case nua_r_options:
		if (nh != m->nh || status < 200)
			break;
		m->options_out = false;
		/* 405/501: alive, without OPTIONS. 408 (also nua's own on no
		 * answer within 64*T1), 481 (the dialog is unknown: a restarted
		 * key server), 5xx (503 is nua's on a transport failure): gone. */
		if (status == 408 || status == 481 || (status >= 500 && status != 501)) {
			char why[64];
			g_snprintf(why, sizeof(why), "OPTIONS answered %d", status);
			ks_lost(m, why);
		}
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
		if (!m->leaving && handed_on(sip)) {
			ks_lost(m, "the key server handed the group on (BYE with Reason cause 503)");
		} else if (!m->leaving) {
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
		if (nh != m->nh)
			break; /* dropped already (drop_dialog) */
		if (m->rejoining) {
			/* A rejoin attempt ended without a final answer we took. */
			drop_dialog(m);
			if (m->t_rejoin == 0)
				schedule_rejoin(m);
			break;
		}
		if (!m->joined && m->t_rejoin != 0) {
			/* A first join to call again (join_later): nothing ended. */
			drop_dialog(m);
			break;
		}
		if (m->joined && !m->leaving && !m->removed && !m->failed) {
			/* Neither we nor the key server said BYE: its end died (no
			 * ACK, a 408 or 481 inside the dialog, RFC 3261 §12.2.1.2). */
			ks_lost(m, "the dialog ended");
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
	json_key(j, "key_log");
	json_begin_array(j);
	for (guint i = 0; i < m->key_log->len; i++) {
		const key_log_entry *k = &g_array_index(m->key_log, key_log_entry, i);
		json_begin_object(j);
		json_key(j, "epoch");
		if (k->has_epoch)
			json_uint(j, k->epoch);
		else
			json_null(j);
		json_kv_string(j, "mki", k->mki);
		json_key(j, "fp");
		if (k->fp[0] != '\0')
			json_string(j, k->fp);
		else
			json_null(j);
		json_end_object(j);
	}
	json_end_array(j);
	json_kv_uint(j, "rejoins", m->rejoins);
	json_kv_uint(j, "join_retries", m->join_retries);
	json_kv_bool(j, "rejoin_failed", m->rejoin_failed);
	json_key(j, "ks_lost_at");
	json_begin_array(j);
	for (guint i = 0; i < m->failovers->len; i++)
		json_int(j, g_array_index(m->failovers, failover, i).lost_at_ms);
	json_end_array(j);
	json_key(j, "failovers");
	json_begin_array(j);
	for (guint i = 0; i < m->failovers->len; i++) {
		const failover *f = &g_array_index(m->failovers, failover, i);
		json_begin_object(j);
		json_kv_int(j, "lost_at", f->lost_at_ms);
		json_kv_string(j, "why", f->why);
		json_kv_int(j, "rejoined_after_ms", f->rejoined_ms);
		json_kv_int(j, "rekeyed_after_ms", f->rekeyed_ms);
		json_kv_uint(j, "received_at_lost", f->received_at_lost);
		json_kv_uint(j, "received_at_rekey", f->received_at_rekey);
		json_end_object(j);
	}
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
	m.failovers = g_array_new(FALSE, TRUE, sizeof(failover));
	m.key_log = g_array_new(FALSE, TRUE, sizeof(key_log_entry));
	g_array_set_clear_func(m.key_log, key_log_entry_clear);
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
	m.first_call_us = g_get_monotonic_time();
	if (!sip_ua_new(c->bind, c->identity, c->proxy, c->sip_timeout_ms, on_event, &m, &m.ua, &e) ||
	    !send_join(&m, &e))
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
	guint *timers[] = {&m.t_leave, &m.t_end,     &m.t_forge,  &m.t_eaves,
	                   &m.t_quit,  &m.t_keepalive, &m.t_rejoin, &m.t_rejoin_deadline};
	for (size_t i = 0; i < G_N_ELEMENTS(timers); i++)
		if (*timers[i] != 0)
			g_source_remove(*timers[i]);
	member_media_free(m.eaves);
	member_media_free(m.media);
	sip_ua_free(m.ua);
	g_ptr_array_free(m.exchanges, TRUE);
	g_ptr_array_free(m.mkis, TRUE);
	g_ptr_array_free(m.departed, TRUE);
	g_array_free(m.failovers, TRUE);
	g_array_free(m.key_log, TRUE);
	mikey_exchange_free(m.reg_ex);
	mikey_ctx_free(m.mctx);
	mikey_wipe(m.tesla_seed, sizeof(m.tesla_seed));
	g_main_loop_unref(m.loop);
	return rc;
}
