/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_media.c - the key server's relay and the conference members'
 * media on loopback: real pipelines (audiotestsrc ! rtpL16pay !
 * srtpgroupenc ! udpsink, udpsrc ! srtpgroupdec ! appsink), keyed by a
 * group generation that a key server pushes through real PSK exchanges,
 * with TESLA (RFC 4383) for every sender. The main loop runs for bounded
 * times; every check is on counts that would be wrong if the keys, the
 * relay, the rekey order or TESLA did not do their part.
 */
#include <criterion/criterion.h>
#include <string.h>

#include <gio/gio.h>

#include <mikey/exchange.h>
#include <mikey/group.h>
#include <mikey/mem.h>
#include <mikey/tesla.h>

#include "member_media.h"
#include "relay.h"
#include "roc_track.h"

/* Under AddressSanitizer each test ends with a leak check of its own: a
 * leak LeakSanitizer reports at exit does not fail a criterion test. */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MEDIA_TEST_ASAN 1
#endif
#elif defined(__SANITIZE_ADDRESS__)
#define MEDIA_TEST_ASAN 1
#endif
#ifdef MEDIA_TEST_ASAN
#include <sanitizer/lsan_interface.h>
#endif

#define LOOP "127.0.0.1"
#define MAX_MEMBERS 4
/* TESLA: 40 ms intervals, keys disclosed 4 intervals later. A packet may
 * be up to about (d - 1) * T_int late before it is unsafe (RFC 4082
 * §3.5): room for a loaded machine running six pipelines. */
#define T_INT_MS 40
#define TESLA_D 4
#define CHAIN_LEN 2500 /* 100 s of intervals */
#define SWITCH_MS 300

static const uint8_t psk[16] = {0x10, 0x21, 0x32, 0x43, 0x54, 0x65, 0x76, 0x87,
                                0x98, 0xa9, 0xba, 0xcb, 0xdc, 0xed, 0xfe, 0x0f};

static void assert_no_leaks(void)
{
#ifdef MEDIA_TEST_ASAN
	cr_assert_eq(__lsan_do_recoverable_leak_check(), 0, "memory leaked: LeakSanitizer's report is above");
#endif
}

/* ---- main loop ---- */

static gboolean set_flag(gpointer p)
{
	*(gboolean *)p = TRUE;
	return G_SOURCE_REMOVE;
}

/* Runs the thread-default main context for |ms|. */
static void spin(guint ms)
{
	gboolean done = FALSE;
	GSource *t = g_timeout_source_new(ms);

	g_source_set_callback(t, set_flag, &done, NULL);
	g_source_attach(t, g_main_context_get_thread_default());
	while (!done)
		g_main_context_iteration(g_main_context_get_thread_default(), TRUE);
	g_source_unref(t);
}

/* ---- the relay with plain sockets ---- */

static GSocket *udp_socket(uint16_t *port)
{
	GInetAddress *a = g_inet_address_new_from_string(LOOP);
	GSocketAddress *sa = g_inet_socket_address_new(a, 0), *bound;
	GSocket *s = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, NULL);

	cr_assert_not_null(s);
	cr_assert(g_socket_bind(s, sa, FALSE, NULL));
	g_socket_set_blocking(s, FALSE);
	bound = g_socket_get_local_address(s, NULL);
	*port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound));
	g_object_unref(bound);
	g_object_unref(sa);
	g_object_unref(a);
	return s;
}

static void send_to(GSocket *s, uint16_t port, const void *data, size_t len)
{
	GInetAddress *a = g_inet_address_new_from_string(LOOP);
	GSocketAddress *sa = g_inet_socket_address_new(a, port);

	cr_assert_eq(g_socket_send_to(s, sa, data, len, NULL, NULL), (gssize)len);
	g_object_unref(sa);
	g_object_unref(a);
}

/* Datagrams waiting on |s|; the last one's text into |last|. */
static unsigned drain(GSocket *s, char *last, size_t cap)
{
	char buf[4096];
	unsigned n = 0;
	gssize got;

	while ((got = g_socket_receive(s, buf, sizeof(buf), NULL, NULL)) >= 0) {
		n++;
		if (last != NULL) {
			size_t l = (size_t)got < cap - 1 ? (size_t)got : cap - 1;
			memcpy(last, buf, l);
			last[l] = '\0';
		}
	}
	return n;
}

typedef struct fake_members {
	ks_relay *relay;
	GSocket *s[3];
	uint16_t port[3];
} fake_members;

static void fake_setup(fake_members *f)
{
	cr_assert(ks_relay_new(LOOP, 0, &f->relay, NULL));
	cr_assert_neq(ks_relay_port(f->relay), 0);
	for (int i = 0; i < 3; i++) {
		f->s[i] = udp_socket(&f->port[i]);
		cr_assert(ks_relay_add_member(f->relay, LOOP, f->port[i], NULL));
	}
}

static void fake_teardown(fake_members *f)
{
	ks_relay_free(f->relay);
	for (int i = 0; i < 3; i++)
		g_object_unref(f->s[i]);
}

TestSuite(relay);

/* A's datagram reaches B and C, untouched, and never comes back to A. */
Test(relay, a_member_reaches_every_other_member)
{
	fake_members f;
	ks_relay_stats st;
	char got[64];

	fake_setup(&f);
	/* Adding a member twice changes nothing. */
	cr_assert(ks_relay_add_member(f.relay, LOOP, f.port[1], NULL));
	send_to(f.s[0], ks_relay_port(f.relay), "from A", 6);
	spin(200);
	cr_assert_eq(drain(f.s[1], got, sizeof(got)), 1);
	cr_assert_str_eq(got, "from A");
	cr_assert_eq(drain(f.s[2], got, sizeof(got)), 1);
	cr_assert_str_eq(got, "from A");
	cr_assert_eq(drain(f.s[0], NULL, 0), 0, "A got its own datagram back");
	ks_relay_get_stats(f.relay, &st);
	cr_assert_eq(st.members, 3);
	cr_assert_eq(st.received, 1);
	cr_assert_eq(st.forwarded, 2);
	cr_assert_eq(st.unknown, 0);
	fake_teardown(&f);
	assert_no_leaks();
}

/* A stranger's datagram goes nowhere and is counted; a removed member
 * hears nothing more; a datagram over 2048 bytes goes nowhere. */
Test(relay, strangers_removed_members_and_oversize_get_nothing)
{
	fake_members f;
	ks_relay_stats st;
	ks_relay_drops d;
	uint16_t xport;
	GSocket *x = udp_socket(&xport);
	static char big[3000];

	fake_setup(&f);
	send_to(x, ks_relay_port(f.relay), "stranger", 8);
	spin(150);
	for (int i = 0; i < 3; i++)
		cr_assert_eq(drain(f.s[i], NULL, 0), 0, "member %d got a stranger's datagram", i);
	ks_relay_get_stats(f.relay, &st);
	cr_assert_eq(st.unknown, 1);
	cr_assert_eq(st.forwarded, 0);

	ks_relay_remove_member(f.relay, LOOP, f.port[2]);
	send_to(f.s[0], ks_relay_port(f.relay), "after C left", 12);
	send_to(f.s[2], ks_relay_port(f.relay), "C speaks", 8);
	send_to(f.s[0], ks_relay_port(f.relay), big, sizeof(big));
	spin(150);
	cr_assert_eq(drain(f.s[1], NULL, 0), 1, "B: only A's short datagram");
	cr_assert_eq(drain(f.s[2], NULL, 0), 0, "a removed member still hears the group");
	ks_relay_get_stats(f.relay, &st);
	ks_relay_get_drops(f.relay, &d);
	cr_assert_eq(st.members, 2);
	cr_assert_eq(st.unknown, 2, "the removed member's datagram is a stranger's now");
	cr_assert_eq(d.oversize, 1);
	cr_assert_eq(st.forwarded, 1);
	g_object_unref(x);
	fake_teardown(&f);
	assert_no_leaks();
}

/* The tap hears a copy of what the members hear, and stops when unset. */
Test(relay, the_tap_gets_a_copy)
{
	fake_members f;
	ks_relay_stats st;
	uint16_t tport;
	GSocket *tap = udp_socket(&tport);
	char got[64];

	fake_setup(&f);
	cr_assert(ks_relay_set_tap(f.relay, LOOP, tport, NULL));
	send_to(f.s[1], ks_relay_port(f.relay), "from B", 6);
	spin(150);
	cr_assert_eq(drain(tap, got, sizeof(got)), 1);
	cr_assert_str_eq(got, "from B");
	cr_assert_eq(drain(f.s[0], NULL, 0), 1);
	cr_assert_eq(drain(f.s[2], NULL, 0), 1);
	ks_relay_get_stats(f.relay, &st);
	cr_assert_eq(st.forwarded, 3);
	cr_assert(ks_relay_set_tap(f.relay, NULL, 0, NULL));
	send_to(f.s[1], ks_relay_port(f.relay), "again", 5);
	spin(150);
	cr_assert_eq(drain(tap, NULL, 0), 0);
	cr_assert_eq(drain(f.s[0], NULL, 0), 1);
	g_object_unref(tap);
	fake_teardown(&f);
	assert_no_leaks();
}

Test(relay, bad_addresses_are_errors)
{
	ks_relay *r = NULL;
	GError *e = NULL;

	cr_assert_not(ks_relay_new("not an address", 0, &r, &e));
	cr_assert_null(r);
	cr_assert_not_null(e);
	g_clear_error(&e);
	cr_assert(ks_relay_new(LOOP, 0, &r, NULL));
	cr_assert_not(ks_relay_add_member(r, "example.org", 5000, &e));
	cr_assert_not_null(e);
	g_clear_error(&e);
	cr_assert_not(ks_relay_add_member(r, LOOP, 0, &e));
	g_clear_error(&e);
	ks_relay_free(r);
	assert_no_leaks();
}

/* ---- a key server, members, and their media ---- */

typedef struct conf {
	ks_relay *relay;
	mikey_ctx *ks;
	mikey_ctx *mctx[MAX_MEMBERS];
	mikey_tesla_params tesla[MAX_MEMBERS];
	uint8_t seed[MAX_MEMBERS][20];
	uint32_t ssrc[MAX_MEMBERS];
	size_t n;
	mikey_group_gen *gen;
	member_media *m[MAX_MEMBERS];
	mikey_exchange *ex[MAX_MEMBERS]; /* each member's current exchange */
} conf;

static mikey_ctx *clocked_ctx(void)
{
	mikey_ctx *c = mikey_ctx_new();

	cr_assert_not_null(c);
	mikey_ctx_set_clock(c, mikey_clock_system, NULL);
	cr_assert_eq(mikey_ctx_add_psk(c, NULL, 0, psk, sizeof(psk)), MIKEY_OK);
	return c;
}

/* Generation 1 of a group of |n| TESLA senders: each chain from a known
 * seed, interval 0 one T_int before now (the first packet falls in
 * interval 1 or later); MKI counter of 4 bytes for the rekeys. */
static void conf_group(conf *c, size_t n)
{
	mikey_group_sender senders[MAX_MEMBERS];
	mikey_srtp_policy pol;
	mikey_group_config gc;
	mikey_error err;
	uint64_t t0 = mikey_clock_system(NULL) - MIKEY_TESLA_NTP_FROM_MS(T_INT_MS);

	memset(c, 0, sizeof(*c));
	c->n = n;
	c->ks = clocked_ctx();
	for (size_t i = 0; i < n; i++) {
		mikey_tesla_params p;
		mikey_tesla_sender *s = NULL;
		c->ssrc[i] = 0x5100a000u + (uint32_t)i * 0x1111u;
		for (size_t j = 0; j < sizeof(c->seed[i]); j++)
			c->seed[i][j] = (uint8_t)(0x40 + 17 * i + j);
		mikey_tesla_params_default(&p);
		p.t_0 = t0;
		p.t_int = T_INT_MS;
		p.d = TESLA_D;
		p.n_c = CHAIN_LEN;
		cr_assert_eq(mikey_tesla_sender_new(&p, c->seed[i], sizeof(c->seed[i]), &s), MIKEY_OK);
		c->tesla[i] = *mikey_tesla_sender_get0_params(s);
		mikey_tesla_sender_free(s);
		senders[i] = (mikey_group_sender){c->ssrc[i], 0, 0, &c->tesla[i]};
		c->mctx[i] = clocked_ctx();
	}
	mikey_srtp_policy_default(&pol);
	mikey_group_config_init(&gc);
	gc.policies = &pol;
	gc.n_policies = 1;
	gc.senders = senders;
	gc.n_senders = n;
	gc.mki_len = 4;
	cr_assert_eq(mikey_group_gen_new(&gc, NULL, &c->gen, &err), MIKEY_OK, "%s", err.message);
}

/* The key server pushes |gen| to a member (RFC 3830 PSK mode): the
 * member's completed exchange. */
static mikey_exchange *push(conf *c, const mikey_group_gen *gen, mikey_ctx *member)
{
	mikey_offer o;
	mikey_exchange *iex = NULL, *rex = NULL;
	uint8_t *msg = NULL, *resp = NULL;
	size_t len = 0, resp_len = 0;
	mikey_error err;

	mikey_offer_init(&o, MIKEY_MODE_PSK);
	o.group = gen;
	cr_assert_eq(mikey_initiate(c->ks, &o, &iex, &msg, &len, &err), MIKEY_OK, "%s", err.message);
	cr_assert_eq(mikey_respond(member, msg, len, &rex, &resp, &resp_len, &err), MIKEY_OK, "%s", err.message);
	cr_assert(mikey_exchange_is_complete(rex));
	if (resp != NULL)
		mikey_buf_free(resp, resp_len);
	mikey_buf_free(msg, len);
	mikey_exchange_free(iex);
	return rex;
}

static member_media *new_member(conf *c, uint32_t ssrc, const uint8_t *seed, bool send)
{
	member_media_config mc = {0};
	member_media *m = NULL;
	GError *e = NULL;

	mc.local_addr = LOOP;
	mc.relay_addr = send ? LOOP : NULL;
	mc.relay_port = ks_relay_port(c->relay);
	mc.ssrc = ssrc;
	mc.send = send;
	mc.packet_ms = 20;
	mc.tesla_seed = seed;
	mc.tesla_seed_len = seed != NULL ? 20 : 0;
	mc.switch_delay_ms = SWITCH_MS;
	cr_assert(member_media_new(&mc, &m, &e), "%s", e != NULL ? e->message : "?");
	cr_assert_neq(member_media_local_port(m), 0);
	return m;
}

/* A relay and |n| sending members, in the relay, keyed by generation 1. */
static void conf_start(conf *c, size_t n)
{
	conf_group(c, n);
	cr_assert(ks_relay_new(LOOP, 0, &c->relay, NULL));
	for (size_t i = 0; i < n; i++) {
		c->m[i] = new_member(c, c->ssrc[i], c->seed[i], true);
		cr_assert(ks_relay_add_member(c->relay, LOOP, member_media_local_port(c->m[i]), NULL));
	}
	for (size_t i = 0; i < n; i++) {
		GError *e = NULL;
		c->ex[i] = push(c, c->gen, c->mctx[i]);
		cr_assert(member_media_install(c->m[i], c->ex[i], &e), "member %zu: %s", i, e != NULL ? e->message : "?");
	}
}

static void conf_stop(conf *c)
{
	for (size_t i = 0; i < c->n; i++) {
		member_media_free(c->m[i]);
		mikey_exchange_free(c->ex[i]);
		mikey_ctx_free(c->mctx[i]);
	}
	mikey_group_gen_free(c->gen);
	mikey_ctx_free(c->ks);
	ks_relay_free(c->relay);
}

static void stats(member_media *m, member_media_stats *st)
{
	member_media_get_stats(m, st);
	cr_log_info("sent %lu received %lu authenticated %lu forged %lu dropped %lu senders %u forged_sent %lu",
	            (unsigned long)st->sent, (unsigned long)st->received, (unsigned long)st->authenticated,
	            (unsigned long)st->forged, (unsigned long)st->dropped, st->senders, (unsigned long)st->forged_sent);
}

static void setup_gst(void)
{
	GError *e = NULL;
	cr_assert(member_media_init(GST_PLUGIN_DIR, &e), "%s", e != NULL ? e->message : "?");
}

TestSuite(media, .init = setup_gst);

/* Three members: each hears both others, every packet TESLA-verified,
 * nothing forged or dropped once all hold the key. */
Test(media, three_members_hear_each_other_authenticated)
{
	conf c;
	member_media_stats before[3], st;

	conf_start(&c, 3);
	spin(1000);
	for (int i = 0; i < 3; i++)
		stats(c.m[i], &before[i]);
	spin(2000);
	for (int i = 0; i < 3; i++) {
		char *why = member_media_last_error(c.m[i]);
		stats(c.m[i], &st);
		cr_assert_gt(st.sent, 50, "member %d sent %lu", i, (unsigned long)st.sent);
		cr_assert_eq(st.senders, 2, "member %d heard %u senders", i, st.senders);
		for (int j = 0; j < 3; j++)
			if (j != i)
				cr_assert_gt(member_media_received_from(c.m[i], c.ssrc[j]), 40, "member %d from %d: %lu", i,
				             j, (unsigned long)member_media_received_from(c.m[i], c.ssrc[j]));
		cr_assert_gt(st.received, before[i].received + 100, "member %d: %lu -> %lu", i,
		             (unsigned long)before[i].received, (unsigned long)st.received);
		cr_assert_gt(st.authenticated, 0);
		/* Nothing leaves the decoder unverified. */
		cr_assert_geq(st.authenticated, st.received);
		cr_assert_eq(st.forged, 0);
		cr_assert_eq(st.dropped, before[i].dropped, "member %d dropped %lu (%s)", i,
		             (unsigned long)(st.dropped - before[i].dropped), why != NULL ? why : "");
		cr_assert_eq(member_media_forgeries_received(c.m[i]), 0);
		g_free(why);
	}
	conf_stop(&c);
	assert_no_leaks();
}

/* Generation 2 while packets flow: receivers first, senders
 * SWITCH_MS later, so nothing is lost. A leaver on the relay's tap with
 * only generation 1 decrypts nothing sent under generation 2. */
Test(media, rekey_loses_nothing_and_the_leaver_hears_nothing_new)
{
	conf c;
	member_media *leaver;
	mikey_ctx *lctx = clocked_ctx();
	mikey_exchange *lex;
	mikey_group_gen *gen2 = NULL;
	member_media_stats before[3], mid[3], st, l1, l2;
	mikey_error err;
	GError *e = NULL;

	conf_start(&c, 3);
	leaver = new_member(&c, 0, NULL, false);
	cr_assert(ks_relay_set_tap(c.relay, LOOP, member_media_local_port(leaver), NULL));
	lex = push(&c, c.gen, lctx);
	cr_assert(member_media_install(leaver, lex, &e), "%s", e != NULL ? e->message : "?");
	spin(1000);
	stats(leaver, &l1);
	cr_assert_gt(l1.received, 50, "the leaver heard nothing while a member: %lu", (unsigned long)l1.received);
	for (int i = 0; i < 3; i++)
		stats(c.m[i], &before[i]);

	cr_assert_eq(mikey_group_gen_next(c.gen, NULL, &gen2, &err), MIKEY_OK, "%s", err.message);
	/* The key server reaches the members one after another (as SIP
	 * would), well within SWITCH_MS: a sender that switched at once
	 * would lose its packets at the members not yet reached. */
	for (int i = 0; i < 3; i++) {
		mikey_exchange_free(c.ex[i]);
		c.ex[i] = push(&c, gen2, c.mctx[i]);
		cr_assert(member_media_install(c.m[i], c.ex[i], &e), "member %d: %s", i, e != NULL ? e->message : "?");
		spin(SWITCH_MS / 4);
	}
	/* The switch, then TESLA's d intervals for what was held. */
	spin(SWITCH_MS + 2 * TESLA_D * T_INT_MS + 200);
	stats(leaver, &l1);
	for (int i = 0; i < 3; i++)
		stats(c.m[i], &mid[i]);
	spin(1200);
	stats(leaver, &l2);
	cr_assert_eq(l2.received, l1.received, "the leaver decrypted %lu packets of generation 2",
	             (unsigned long)(l2.received - l1.received));
	cr_assert_gt(l2.dropped, l1.dropped + 50, "the leaver's packets under the new MKI are not refused");
	cr_assert_eq(l2.forged, 0);
	for (int i = 0; i < 3; i++) {
		char *why = member_media_last_error(c.m[i]);
		stats(c.m[i], &st);
		cr_assert_gt(st.received, mid[i].received + 80, "member %d: nothing under generation 2", i);
		cr_assert_eq(st.dropped, before[i].dropped, "member %d dropped %lu across the rekey (%s)", i,
		             (unsigned long)(st.dropped - before[i].dropped), why != NULL ? why : "");
		cr_assert_eq(st.forged, 0);
		cr_assert_eq(st.senders, 2);
		g_free(why);
	}
	member_media_free(leaver);
	mikey_exchange_free(lex);
	mikey_ctx_free(lctx);
	mikey_group_gen_free(gen2);
	conf_stop(&c);
	assert_no_leaks();
}

/* A holds the group key, so its packets in B's name carry a valid SRTP
 * tag; only TESLA can tell, and it does: every receiver counts them as
 * forged and none comes out of a decoder, while B's own go on. */
Test(media, insider_forgeries_are_caught)
{
	conf c;
	member_media_stats before, st, a;
	const unsigned n = 20;
	GError *e = NULL;

	conf_start(&c, 3);
	spin(1000);
	stats(c.m[2], &before);
	uint64_t from_b = member_media_received_from(c.m[2], c.ssrc[1]);
	cr_assert(member_media_forge(c.m[0], c.ex[0], c.ssrc[1], n, &e), "%s", e != NULL ? e->message : "?");
	spin(2 * TESLA_D * T_INT_MS + 600);
	stats(c.m[0], &a);
	cr_assert_eq(a.forged_sent, n);
	stats(c.m[2], &st);
	cr_assert_eq(st.forged, n, "C caught %lu of %u", (unsigned long)st.forged, n);
	cr_assert_eq(st.dropped, before.dropped, "C dropped %lu forgeries otherwise than as forged",
	             (unsigned long)(st.dropped - before.dropped));
	cr_assert_gt(member_media_received_from(c.m[2], c.ssrc[1]), from_b + 20, "B's own packets stopped");
	stats(c.m[1], &st);
	cr_assert_gt(st.forged, 0, "B does not see forgeries in its own name");
	for (int i = 0; i < 3; i++)
		cr_assert_eq(member_media_forgeries_received(c.m[i]), 0, "a forgery left member %d's decoder", i);
	/* No TESLA sender of that SSRC: nothing to forge against. */
	cr_assert_not(member_media_forge(c.m[0], c.ex[0], 0x12345678u, 1, &e));
	cr_assert_eq(e->code, MEMBER_MEDIA_ERR_KEY);
	g_clear_error(&e);
	conf_stop(&c);
	assert_no_leaks();
}

/* Keys that are not this member's are refused with a reason, and its
 * sender stays silent; so are bad arguments. */
Test(media, wrong_keys_and_bad_input_are_errors)
{
	conf c;
	member_media *stranger, *wrong_seed, *mm = NULL;
	mikey_exchange *ex;
	member_media_stats st;
	member_media_config mc = {0};
	uint8_t bad_seed[20];
	GError *e = NULL;

	conf_group(&c, 2);
	cr_assert(ks_relay_new(LOOP, 0, &c.relay, NULL));
	ex = push(&c, c.gen, c.mctx[0]);

	stranger = new_member(&c, 0x0badf00d, c.seed[0], true);
	cr_assert_not(member_media_install(stranger, ex, &e));
	cr_assert_eq(e->domain, MEMBER_MEDIA_ERROR);
	cr_assert_eq(e->code, MEMBER_MEDIA_ERR_KEY);
	cr_assert(strstr(e->message, "0badf00d") != NULL, "%s", e->message);
	g_clear_error(&e);

	memcpy(bad_seed, c.seed[0], sizeof(bad_seed));
	bad_seed[7] ^= 1;
	wrong_seed = new_member(&c, c.ssrc[0], bad_seed, true);
	cr_assert_not(member_media_install(wrong_seed, ex, &e));
	cr_assert_eq(e->code, MEMBER_MEDIA_ERR_KEY);
	cr_assert(strstr(e->message, "commitment") != NULL, "%s", e->message);
	g_clear_error(&e);
	/* TESLA sender without any seed. */
	mm = new_member(&c, c.ssrc[0], NULL, true);
	cr_assert_not(member_media_install(mm, ex, &e));
	cr_assert_eq(e->code, MEMBER_MEDIA_ERR_KEY);
	g_clear_error(&e);
	member_media_free(mm);
	mm = NULL;
	spin(300);
	stats(stranger, &st);
	cr_assert_eq(st.sent, 0);
	stats(wrong_seed, &st);
	cr_assert_eq(st.sent, 0);

	cr_assert_not(member_media_install(stranger, NULL, &e));
	cr_assert_eq(e->code, MEMBER_MEDIA_ERR_ARG);
	g_clear_error(&e);
	cr_assert_not(member_media_install(NULL, ex, &e));
	cr_assert_eq(e->code, MEMBER_MEDIA_ERR_ARG);
	g_clear_error(&e);
	cr_assert_not(member_media_forge(stranger, ex, 0, 1, &e));
	g_clear_error(&e);

	mc.local_addr = "no such address";
	mc.relay_addr = LOOP;
	mc.relay_port = 9;
	mc.ssrc = 1;
	mc.send = true;
	cr_assert_not(member_media_new(&mc, &mm, &e));
	cr_assert_null(mm);
	cr_assert_eq(e->code, MEMBER_MEDIA_ERR_NETWORK);
	g_clear_error(&e);
	mc.local_addr = LOOP;
	mc.ssrc = 0;
	cr_assert_not(member_media_new(&mc, &mm, &e));
	cr_assert_eq(e->code, MEMBER_MEDIA_ERR_ARG);
	g_clear_error(&e);
	cr_assert_not(member_media_init("/nonexistent/plugins", &e));
	cr_assert_eq(e->code, MEMBER_MEDIA_ERR_INIT);
	g_clear_error(&e);

	/* The right seed for the same exchange is taken. */
	mm = new_member(&c, c.ssrc[0], c.seed[0], true);
	cr_assert(member_media_install(mm, ex, &e), "%s", e != NULL ? e->message : "?");
	spin(300);
	stats(mm, &st);
	cr_assert_gt(st.sent, 0);
	member_media_free(mm);

	member_media_free(stranger);
	member_media_free(wrong_seed);
	mikey_exchange_free(ex);
	conf_stop(&c);
	assert_no_leaks();
}

/* A key server that takes the group over relays from another port: the
 * members move their sending there while playing (member_media_set_
 * destination) and hear each other again through the new relay; the
 * port they receive on stays. Moves to a multicast group, to port 0 or
 * to no address are refused. */
Test(media, a_new_relay_takes_over_while_playing)
{
	conf c;
	ks_relay *second = NULL;
	member_media_stats before[2], st;
	GError *e = NULL;

	conf_start(&c, 2);
	spin(800);
	cr_assert(ks_relay_new(LOOP, 0, &second, NULL));
	cr_assert_neq(ks_relay_port(second), ks_relay_port(c.relay));
	for (int i = 0; i < 2; i++) {
		uint16_t local = member_media_local_port(c.m[i]);
		cr_assert(ks_relay_add_member(second, LOOP, local, NULL));
		cr_assert(member_media_set_destination(c.m[i], LOOP, ks_relay_port(second), &e), "%s",
		          e != NULL ? e->message : "?");
		cr_assert(member_media_set_destination(c.m[i], LOOP, ks_relay_port(second), &e), "the same again: a no-op");
		cr_assert_eq(member_media_local_port(c.m[i]), local, "the receiving port stays");
	}
	/* The first relay dies with the key server that ran it. */
	ks_relay_free(c.relay);
	c.relay = second;
	spin(300);
	for (int i = 0; i < 2; i++)
		stats(c.m[i], &before[i]);
	spin(1500);
	for (int i = 0; i < 2; i++) {
		stats(c.m[i], &st);
		cr_assert_gt(member_media_received_from(c.m[i], c.ssrc[1 - i]), 0);
		cr_assert_gt(st.received, before[i].received + 30, "member %d through the new relay: %lu -> %lu", i,
		             (unsigned long)before[i].received, (unsigned long)st.received);
		cr_assert_eq(st.forged, 0);
	}
	cr_assert_not(member_media_set_destination(c.m[0], "239.255.77.1", 5004, &e));
	cr_assert_eq(e->code, MEMBER_MEDIA_ERR_NETWORK);
	g_clear_error(&e);
	cr_assert_not(member_media_set_destination(c.m[0], "not an address", 5004, &e));
	cr_assert_eq(e->code, MEMBER_MEDIA_ERR_NETWORK);
	g_clear_error(&e);
	cr_assert_not(member_media_set_destination(c.m[0], LOOP, 0, &e));
	cr_assert_eq(e->code, MEMBER_MEDIA_ERR_ARG);
	g_clear_error(&e);
	cr_assert_not(member_media_set_destination(NULL, LOOP, 5004, &e));
	cr_assert_eq(e->code, MEMBER_MEDIA_ERR_ARG);
	g_clear_error(&e);
	conf_stop(&c);
	assert_no_leaks();
}

/* ---- the relay's ROC estimate (RFC 3711 §3.3.1) ---- */

static void rtp_header(uint8_t *p, uint8_t pt, uint16_t seq, uint32_t ssrc)
{
	memset(p, 0, 12);
	p[0] = 0x80;
	p[1] = pt;
	p[2] = (uint8_t)(seq >> 8);
	p[3] = (uint8_t)seq;
	p[8] = (uint8_t)(ssrc >> 24);
	p[9] = (uint8_t)(ssrc >> 16);
	p[10] = (uint8_t)(ssrc >> 8);
	p[11] = (uint8_t)ssrc;
}

Test(roc_track, follows_wraps_and_ignores_late_packets_and_rtcp)
{
	roc_track *t = roc_track_new();
	uint8_t p[12];
	uint32_t roc = 99;

	cr_assert_not(roc_track_get(t, 7, &roc), "an SSRC never seen has no ROC");
	for (uint32_t i = 0; i < 3 * 65536u + 100; i += 7) {
		rtp_header(p, 96, (uint16_t)i, 7);
		roc_track_packet(t, p, sizeof(p));
	}
	cr_assert(roc_track_get(t, 7, &roc));
	cr_assert_eq(roc, 3, "three wraps: ROC %u", roc);
	/* A late packet from before the last wrap does not move it back. */
	rtp_header(p, 96, 65530, 7);
	roc_track_packet(t, p, sizeof(p));
	cr_assert(roc_track_get(t, 7, &roc) && roc == 3);
	/* RTCP (RFC 5761 §4: PT 200..204 in the second byte) and short or
	 * non-RTP datagrams are not RTP. */
	rtp_header(p, 200, 1, 9);
	roc_track_packet(t, p, sizeof(p));
	p[0] = 0x40;
	p[1] = 96;
	roc_track_packet(t, p, sizeof(p));
	roc_track_packet(t, p, 11);
	cr_assert_not(roc_track_get(t, 9, &roc), "RTCP and non-RTP ignored");
	roc_track_free(t);
}
