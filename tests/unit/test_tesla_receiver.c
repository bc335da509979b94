/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_tesla_receiver.c - sender -> network -> receiver simulations with a
 * fixed-seed PRNG: loss up to 50 %, reordering, duplication, clock skew
 * inside and outside D_t, an insider holding the group SRTP key but not
 * the chain, a flood against the buffer bounds, and an outage longer than
 * max_gap. Expected outcomes are computed from the simulation's own
 * bookkeeping, not from the receiver.
 */
#include <criterion/criterion.h>
#include <openssl/hmac.h>
#include <stdlib.h>
#include <string.h>

#include "mikey/mem.h"
#include "mikey/tesla.h"

#define T0 ((uint64_t)3900000000u << 32)
#define MS(x) MIKEY_TESLA_NTP_FROM_MS(x)
#define T_INT 20u
#define DELAY 4u
#define PERIOD_MS 5u /* 4 packets per interval */
#define MAX_EVENTS 20000
#define PKT_CAP 128
#define PAYLOAD 20

static const uint8_t seed[20] = {0xc0, 0xff, 0xee};

static uint64_t rng;
static uint32_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (uint32_t)((rng * 2685821657736338717u) >> 32);
}
static int chance(double p)
{
	return rnd() < p * 4294967296.0;
}

typedef struct event {
	int64_t arrive;     /* NTP, sender clock */
	uint64_t order;     /* tie-break: stable */
	uint64_t index;
	uint32_t roc;
	uint32_t interval;
	int kind;           /* 0 genuine; >0 attacker variants */
	size_t len;
	uint8_t data[PKT_CAP];
} event;

static event *ev;
static size_t n_ev;

static void params(mikey_tesla_params *p)
{
	mikey_tesla_params_default(p);
	p->t_0 = T0;
	p->t_int = T_INT;
	p->d = DELAY;
	p->d_t = MS(30);
	p->n_c = 4000;
}

/* The plaintext-independent RTP packet the sender protects for |index|:
 * header (seq = low 16 bits) and a payload derived from the index. */
static void make_rtp(uint64_t index, uint8_t *b)
{
	memset(b, 0, 12 + PAYLOAD);
	b[0] = 0x80;
	b[1] = 96;
	b[2] = (uint8_t)(index >> 8);
	b[3] = (uint8_t)index;
	b[8] = 0xde;
	b[9] = 0xad;
	for (int k = 0; k < PAYLOAD; k++)
		b[12 + k] = (uint8_t)(index * 31 + (uint64_t)k);
}

static event *push(void)
{
	cr_assert_lt(n_ev, MAX_EVENTS);
	event *e = &ev[n_ev];
	memset(e, 0, sizeof(*e));
	e->order = n_ev++;
	return e;
}

static int cmp_event(const void *a, const void *b)
{
	const event *x = a, *y = b;
	if (x->arrive != y->arrive)
		return x->arrive < y->arrive ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* Sends |n| genuine packets (then null packets for d+1 intervals, RFC
 * 4383 §5) through a network with |loss|, |dup| and delay 0..max_delay
 * ms. Returns the sender (caller frees). */
static mikey_tesla_sender *send_stream(const mikey_tesla_params *p, uint32_t n, double loss, double dup,
                                       uint32_t max_delay)
{
	mikey_tesla_sender *s;
	uint32_t total = n + (DELAY + 1) * (T_INT / PERIOD_MS);

	cr_assert_eq(mikey_tesla_sender_new(p, seed, 20, &s), MIKEY_OK);
	for (uint32_t k = 0; k < total; k++) {
		uint64_t index = 65530 + k; /* crosses a ROC boundary */
		int64_t sent = (int64_t)(T0 + MS(T_INT + PERIOD_MS * k + 1));
		uint8_t b[PKT_CAP];
		size_t len;
		uint64_t i;

		make_rtp(index, b);
		cr_assert_eq(mikey_tesla_sender_protect_rtp(s, b, 12 + PAYLOAD, sizeof(b), (uint32_t)(index >> 16),
		                                            (uint64_t)sent, &len), MIKEY_OK);
		cr_assert_eq(mikey_tesla_interval(p, (uint64_t)sent, &i), MIKEY_OK);
		if (chance(loss))
			continue;
		int copies = chance(dup) ? 2 : 1;
		for (int c = 0; c < copies; c++) {
			event *e = push();
			e->arrive = sent + (int64_t)MS(rnd() % (max_delay + 1));
			e->index = index;
			e->roc = (uint32_t)(index >> 16);
			e->interval = (uint32_t)i;
			e->len = len;
			memcpy(e->data, b, len);
		}
	}
	return s;
}

typedef struct outcome {
	uint64_t inputs, unique, dups, accepted_expected;
	mikey_tesla_counters c;
	uint64_t released, released_bogus;
} outcome;

/* Feeds the events, in arrival order, to a receiver whose clock reads the
 * sender's time + |skew|; takes released packets after every input and
 * checks each against what the genuine sender sent for its index. */
static void run(const mikey_tesla_params *sp, const mikey_tesla_receiver_config *cfg, int64_t skew,
                outcome *o)
{
	mikey_tesla_receiver *r;
	static uint8_t seen_idx[MAX_EVENTS + 70000];
	static uint8_t released_idx[MAX_EVENTS + 70000];
	int64_t max_w = -1;

	memset(o, 0, sizeof(*o));
	memset(seen_idx, 0, sizeof(seen_idx));
	memset(released_idx, 0, sizeof(released_idx));
	qsort(ev, n_ev, sizeof(*ev), cmp_event);
	cr_assert_eq(mikey_tesla_receiver_new(sp, cfg, &r), MIKEY_OK);
	for (size_t k = 0; k < n_ev; k++) {
		event *e = &ev[k];
		mikey_tesla_verdict v;
		mikey_tesla_released info;
		uint8_t out[PKT_CAP], want[PKT_CAP];
		int rc;

		o->inputs++;
		if (e->kind == 0) {
			cr_assert_lt(e->index, sizeof(seen_idx));
			if (seen_idx[e->index]++)
				o->dups++;
			else
				o->unique++;
			if ((int64_t)e->interval - (int64_t)DELAY > max_w)
				max_w = (int64_t)e->interval - (int64_t)DELAY;
		}
		cr_assert_eq(mikey_tesla_receiver_input_rtp(r, e->data, e->len, e->roc, e->index,
		                                           (uint64_t)(e->arrive + skew), &v), MIKEY_OK);
		mikey_tesla_receiver_get_counters(r, &o->c);
		cr_assert_leq(o->c.held_packets, cfg->max_packets);
		cr_assert_leq(o->c.held_bytes, cfg->max_bytes);
		while ((rc = mikey_tesla_receiver_next(r, out, sizeof(out), &info)) == MIKEY_OK) {
			o->released++;
			cr_assert_eq(info.len, 12 + PAYLOAD, "released without the extension");
			make_rtp(info.index, want);
			if (memcmp(out, want, info.len) != 0)
				o->released_bogus++;
			cr_assert_lt(info.index, sizeof(released_idx));
			cr_assert_eq(released_idx[info.index]++, 0, "index %llu released twice",
			             (unsigned long long)info.index);
			cr_assert(mikey_tesla_receiver_seen(r, false, info.index), "replay list updated on release");
		}
		cr_assert_eq(rc, MIKEY_ERR_NOT_FOUND);
	}
	mikey_tesla_receiver_get_counters(r, &o->c);
	/* Independent expectation: a delivered genuine packet of interval i is
	 * verifiable once some delivered packet discloses K_w with w >= i. */
	for (size_t k = 0; k < n_ev; k++)
		if (ev[k].kind == 0 && (int64_t)ev[k].interval <= max_w && seen_idx[ev[k].index] != 0xff) {
			o->accepted_expected++;
			seen_idx[ev[k].index] = 0xff;
		}
	mikey_tesla_receiver_free(r);
}

static void setup(void)
{
	ev = calloc(MAX_EVENTS, sizeof(*ev));
	cr_assert_not_null(ev);
	n_ev = 0;
}
static void teardown(void)
{
	free(ev);
}

TestSuite(tesla_receiver, .init = setup, .fini = teardown);

Test(tesla_receiver, loss_reordering_duplication_within_d_t)
{
	static const double losses[] = {0.0, 0.1, 0.3, 0.5};
	/* Receiver clock behind the sender by up to D_t, or slightly ahead
	 * (network delay + skew + D_t stays below (d - 1) * T_int). */
	static const int64_t skews_ms[] = {-30, -12, 0, 5};
	mikey_tesla_params p;
	mikey_tesla_receiver_config cfg;

	mikey_tesla_receiver_config_default(&cfg);
	for (size_t a = 0; a < 4; a++) {
		for (size_t b = 0; b < 4; b++) {
			outcome o;
			n_ev = 0;
			rng = 0x1234567u + a * 977 + b;
			params(&p);
			mikey_tesla_sender *s = send_stream(&p, 1500, losses[a], 0.1, 20);
			int64_t skew = skews_ms[b] < 0 ? -(int64_t)MS(-skews_ms[b]) : (int64_t)MS(skews_ms[b]);
			run(mikey_tesla_sender_get0_params(s), &cfg, skew, &o);
			cr_assert_gt(o.accepted_expected, 1400 * (1 - losses[a]) - 100);
			cr_assert_eq(o.c.accepted, o.accepted_expected, "loss %.1f skew %lld: accepted %llu of %llu",
			             losses[a], (long long)skews_ms[b], (unsigned long long)o.c.accepted,
			             (unsigned long long)o.accepted_expected);
			cr_assert_eq(o.released, o.c.accepted);
			cr_assert_eq(o.released_bogus, 0);
			cr_assert_eq(o.c.duplicate, o.dups);
			cr_assert_eq(o.c.unsafe + o.c.future + o.c.late + o.c.forged + o.c.bad_key + o.c.too_far +
			                 o.c.overflow + o.c.malformed, 0);
			/* What is left waits for keys that were never delivered. */
			cr_assert_eq(o.c.held_packets, o.unique - o.accepted_expected);
			mikey_tesla_sender_free(s);
		}
	}
}

Test(tesla_receiver, clock_skew_beyond_bounds_is_dropped_and_counted)
{
	mikey_tesla_params p;
	mikey_tesla_receiver_config cfg;
	outcome o;

	mikey_tesla_receiver_config_default(&cfg);
	params(&p);
	/* Receiver clock 80 ms ahead: every packet looks as if its key could
	 * already be out (RFC 4082 §3.5 step 1) -> unsafe. */
	rng = 42;
	n_ev = 0;
	mikey_tesla_sender *s = send_stream(&p, 400, 0.2, 0.0, 20);
	run(mikey_tesla_sender_get0_params(s), &cfg, (int64_t)MS(80), &o);
	cr_assert_eq(o.c.unsafe, o.inputs);
	cr_assert_eq(o.c.accepted, 0);
	cr_assert_eq(o.c.held_packets, 0);
	/* Receiver clock 100 ms behind with D_t = 30 ms: the D_t promise is
	 * broken; packets claim intervals the sender cannot be in yet. */
	run(mikey_tesla_sender_get0_params(s), &cfg, -(int64_t)MS(100), &o);
	cr_assert_eq(o.c.future, o.inputs);
	cr_assert_eq(o.c.accepted, 0);
	mikey_tesla_sender_free(s);
}

/* HMAC-SHA1 straight from OpenSSL: the insider's own tool. */
static void insider_mac(const uint8_t *mac_key, uint32_t roc, const uint8_t *pkt, size_t len, uint8_t *out10)
{
	uint8_t m[PKT_CAP + 4], md[20];
	unsigned md_len = 0;

	m[0] = (uint8_t)(roc >> 24);
	m[1] = (uint8_t)(roc >> 16);
	m[2] = (uint8_t)(roc >> 8);
	m[3] = (uint8_t)roc;
	memcpy(m + 4, pkt, len);
	cr_assert_not_null(HMAC(EVP_sha1(), mac_key, 20, m, len + 4, md, &md_len));
	memcpy(out10, md, 10);
}

Test(tesla_receiver, insider_without_the_chain_never_gets_a_packet_accepted)
{
	mikey_tesla_params p;
	mikey_tesla_receiver_config cfg;
	uint64_t want_forged = 0, want_bad_key = 0, want_unsafe = 0, want_future = 0;
	uint64_t bogus_index = 200000;
	outcome o;

	mikey_tesla_receiver_config_default(&cfg);
	cfg.max_packets = 4096;
	cfg.max_bytes = 4u << 20;
	params(&p);
	rng = 7;
	mikey_tesla_sender *s = send_stream(&p, 800, 0.0, 0.0, 0);
	size_t genuine = n_ev;
	uint8_t last_key[20] = {0};
	for (size_t k = 0; k < genuine; k++) {
		event g = ev[k];
		mikey_tesla_ext x;
		cr_assert_eq(mikey_tesla_ext_parse(&p, g.data, g.len, false, &x), MIKEY_OK);
		int first_of_interval = k == 0 || ev[k - 1].interval != g.interval;

		/* (a) the genuine packet with a changed payload, same extension,
		 * sent just before it. */
		event *e = push();
		*e = g;
		e->order = n_ev - 1;
		e->kind = 1;
		e->data[20] ^= 0x55;
		e->arrive = g.arrive - 1;
		want_forged++;
		/* (b) a new packet in the current interval, the key disclosed so
		 * far, a guessed MAC. */
		e = push();
		e->kind = 2;
		e->index = bogus_index++;
		e->interval = g.interval;
		e->arrive = g.arrive;
		make_rtp(e->index, e->data);
		e->data[13] ^= 1;
		memcpy(e->data + 32, g.data + 32, 24); /* i and disclosed key */
		for (int b = 0; b < 10; b++)
			e->data[56 + b] = (uint8_t)rnd();
		e->len = 66;
		want_forged++;
		/* (c) before the first genuine packet of an interval, disclose a
		 * made-up key for the new index i - d. */
		if (first_of_interval && g.interval > DELAY) {
			e = push();
			*e = ev[k + 0];
			e->order = n_ev - 1;
			e->kind = 3;
			e->index = bogus_index++;
			e->arrive = g.arrive - 2;
			for (int b = 0; b < 20; b++)
				e->data[36 + b] = (uint8_t)rnd();
			want_bad_key++;
		}
		/* (d) a packet for interval w = i - d, whose key K_w the sender
		 * has just disclosed: the insider can compute a valid MAC. */
		if (g.interval > DELAY && memcmp(last_key, x.key, 20) != 0) {
			uint8_t mk[20];
			memcpy(last_key, x.key, 20);
			e = push();
			e->kind = 4;
			e->index = bogus_index++;
			e->roc = 1;
			e->interval = g.interval - DELAY;
			e->arrive = g.arrive + 1;
			make_rtp(e->index, e->data);
			e->data[14] ^= 1;
			e->data[32] = (uint8_t)(e->interval >> 24);
			e->data[33] = (uint8_t)(e->interval >> 16);
			e->data[34] = (uint8_t)(e->interval >> 8);
			e->data[35] = (uint8_t)e->interval;
			memcpy(e->data + 36, x.key, 20);
			cr_assert_eq(mikey_tesla_f_prime(&p, x.key, mk), MIKEY_OK);
			insider_mac(mk, e->roc, e->data, 32, e->data + 56);
			e->len = 66;
			want_unsafe++;
		}
		/* (e) a claim on an interval the sender has not reached. */
		if (k % 7 == 0) {
			e = push();
			*e = g;
			e->order = n_ev - 1;
			e->kind = 5;
			e->index = bogus_index++;
			uint32_t fut = g.interval + 5;
			e->data[32] = (uint8_t)(fut >> 24);
			e->data[33] = (uint8_t)(fut >> 16);
			e->data[34] = (uint8_t)(fut >> 8);
			e->data[35] = (uint8_t)fut;
			want_future++;
		}
	}
	run(mikey_tesla_sender_get0_params(s), &cfg, 0, &o);
	cr_assert_eq(o.released_bogus, 0, "no forged packet accepted");
	cr_assert_eq(o.c.accepted, o.accepted_expected);
	cr_assert_gt(o.c.accepted, 800 - 30);
	cr_assert_eq(o.c.forged + o.c.held_packets - (o.unique - o.accepted_expected), want_forged,
	             "forged %llu want %llu", (unsigned long long)o.c.forged, (unsigned long long)want_forged);
	cr_assert_eq(o.c.bad_key, want_bad_key);
	cr_assert_eq(o.c.unsafe, want_unsafe);
	cr_assert_eq(o.c.future, want_future);
	cr_assert_gt(want_bad_key, 100);
	cr_assert_gt(want_unsafe, 100);
	mikey_tesla_sender_free(s);
}

Test(tesla_receiver, flood_keeps_buffer_within_bounds)
{
	mikey_tesla_params p;
	mikey_tesla_receiver_config cfg;
	outcome o;
	uint64_t bogus_index = 300000;

	mikey_tesla_receiver_config_default(&cfg);
	cfg.max_packets = 32;
	cfg.max_bytes = 4096;
	params(&p);
	rng = 99;
	mikey_tesla_sender *s = send_stream(&p, 300, 0.0, 0.0, 10);
	size_t genuine = n_ev;
	for (size_t k = 0; k < genuine; k++) {
		for (int f = 0; f < 40; f++) {
			event *e = push();
			e->kind = 6;
			e->index = bogus_index++;
			e->interval = ev[k].interval;
			e->arrive = ev[k].arrive - 1 - f;
			make_rtp(e->index, e->data);
			e->data[15] ^= 0x80;
			memcpy(e->data + 32, ev[k].data + 32, 24);
			for (int b = 0; b < 10; b++)
				e->data[56 + b] = (uint8_t)rnd();
			e->len = 66;
		}
	}
	run(mikey_tesla_sender_get0_params(s), &cfg, 0, &o); /* asserts the bounds after every input */
	cr_assert_eq(o.released_bogus, 0);
	cr_assert_gt(o.c.overflow, 0);
	cr_assert_gt(o.c.forged, 0);
	cr_assert_leq(o.c.peak_bytes, cfg.max_bytes);
	cr_assert_eq(o.c.accepted + o.c.forged + o.c.overflow + o.c.held_packets, o.inputs);
	mikey_tesla_sender_free(s);
}

Test(tesla_receiver, outage_longer_than_max_gap_then_reanchor)
{
	mikey_tesla_params p;
	mikey_tesla_receiver_config cfg;
	mikey_tesla_receiver *r;
	mikey_tesla_sender *s;
	mikey_tesla_chain *c;
	mikey_tesla_counters ctr;
	mikey_tesla_verdict v;
	uint8_t b[PKT_CAP], k38[20];
	size_t len;
	uint64_t index = 1;

	params(&p);
	mikey_tesla_receiver_config_default(&cfg);
	cfg.max_gap = 8;
	cr_assert_eq(mikey_tesla_sender_new(&p, seed, 20, &s), MIKEY_OK);
	cr_assert_eq(mikey_tesla_receiver_new(mikey_tesla_sender_get0_params(s), &cfg, &r), MIKEY_OK);
	/* Intervals 1..6, then silence until 40. */
	uint32_t ivs[] = {1, 2, 3, 4, 5, 6, 40, 41, 42, 43, 44, 45, 46, 47};
	for (size_t n = 0; n < sizeof(ivs) / sizeof(ivs[0]); n++) {
		uint64_t now = T0 + MS(T_INT * ivs[n] + 3);
		make_rtp(index, b);
		cr_assert_eq(mikey_tesla_sender_protect_rtp(s, b, 32, sizeof(b), 0, now, &len), MIKEY_OK);
		if (ivs[n] == 44) {
			/* Key management hands over a newer, authenticated key. */
			cr_assert_eq(mikey_tesla_chain_new(&p, seed, 20, &c), MIKEY_OK);
			cr_assert_eq(mikey_tesla_chain_key(c, 38, k38), MIKEY_OK);
			mikey_tesla_chain_free(c);
			cr_assert_eq(mikey_tesla_receiver_set_anchor(r, k38, 38), MIKEY_OK);
			cr_assert_eq(mikey_tesla_receiver_set_anchor(r, k38, 38), MIKEY_ERR_ARG, "not newer");
		}
		cr_assert_eq(mikey_tesla_receiver_input_rtp(r, b, len, 0, index++, now, &v), MIKEY_OK);
		if (ivs[n] >= 40 && ivs[n] < 44)
			cr_assert_eq(v, MIKEY_TESLA_TOO_FAR);
		else
			cr_assert_eq(v, MIKEY_TESLA_BUFFERED, "interval %u verdict %d", ivs[n], v);
	}
	mikey_tesla_receiver_get_counters(r, &ctr);
	cr_assert_eq(ctr.too_far, 4);
	/* d = 4: intervals 5 and 6 disclosed K_1, K_2 (packets 1, 2 accepted);
	 * 40..43 disclose keys 34+ intervals past v = 2: too far. Re-anchoring
	 * at K_38 drops the packets of 3..6 as late; 44..47 then disclose
	 * K_40..K_43 normally. */
	cr_assert_eq(ctr.accepted, 2);
	cr_assert_eq(ctr.late, 4);
	cr_assert_eq(ctr.verified_index, 43);
	mikey_tesla_receiver_free(r);
	mikey_tesla_sender_free(s);
}

Test(tesla_receiver, replay_list_and_argument_checks)
{
	mikey_tesla_params p;
	mikey_tesla_receiver *r;
	mikey_tesla_sender *s;
	mikey_tesla_receiver_config cfg;
	mikey_tesla_verdict v;
	mikey_tesla_released info;
	uint8_t b[8][PKT_CAP], out[PKT_CAP];
	size_t len[8];

	params(&p);
	cr_assert_eq(mikey_tesla_sender_new(&p, seed, 20, &s), MIKEY_OK);
	mikey_tesla_receiver_config_default(&cfg);
	cfg.max_packets = 0;
	cr_assert_eq(mikey_tesla_receiver_new(mikey_tesla_sender_get0_params(s), &cfg, &r), MIKEY_ERR_ARG);
	cr_assert_eq(mikey_tesla_receiver_new(mikey_tesla_sender_get0_params(s), NULL, &r), MIKEY_OK);
	for (int k = 0; k < 8; k++) {
		make_rtp((uint64_t)k, b[k]);
		cr_assert_eq(mikey_tesla_sender_protect_rtp(s, b[k], 32, PKT_CAP, 0, T0 + MS(T_INT * (k + 1) + 1),
		                                            &len[k]), MIKEY_OK);
	}
	cr_assert_eq(mikey_tesla_receiver_input_rtp(r, b[0], 45, 0, 0, T0, &v), MIKEY_ERR_TRUNCATED);
	for (int k = 0; k < 6; k++) {
		cr_assert_eq(mikey_tesla_receiver_input_rtp(r, b[k], len[k], 0, (uint64_t)k, T0 + MS(T_INT * (k + 1) + 2),
		                                           &v), MIKEY_OK);
		cr_assert_eq(v, MIKEY_TESLA_BUFFERED);
	}
	/* Interval 6 disclosed K_2: packets 0 and 1 (intervals 1, 2). */
	cr_assert_eq(mikey_tesla_receiver_next(r, out, 10, &info), MIKEY_ERR_LENGTH);
	cr_assert_eq(info.len, 32);
	cr_assert_eq(mikey_tesla_receiver_next(r, out, sizeof(out), &info), MIKEY_OK);
	cr_assert_eq(info.index, 0);
	cr_assert_eq(info.interval, 1);
	cr_assert_arr_eq(out, b[0], 32);
	cr_assert_eq(mikey_tesla_receiver_next(r, out, sizeof(out), &info), MIKEY_OK);
	cr_assert_eq(info.index, 1);
	cr_assert_eq(mikey_tesla_receiver_next(r, out, sizeof(out), &info), MIKEY_ERR_NOT_FOUND);
	cr_assert(mikey_tesla_receiver_seen(r, false, 1));
	cr_assert_not(mikey_tesla_receiver_seen(r, false, 2), "buffered is not verified");
	cr_assert_not(mikey_tesla_receiver_seen(r, true, 1), "RTCP has its own list");
	/* Replays: of a verified packet, and of a buffered one. */
	cr_assert_eq(mikey_tesla_receiver_input_rtp(r, b[1], len[1], 0, 1, T0 + MS(T_INT * 6 + 3), &v), MIKEY_OK);
	cr_assert_eq(v, MIKEY_TESLA_DUPLICATE);
	cr_assert_eq(mikey_tesla_receiver_input_rtp(r, b[5], len[5], 0, 5, T0 + MS(T_INT * 6 + 3), &v), MIKEY_OK);
	cr_assert_eq(v, MIKEY_TESLA_DUPLICATE);
	mikey_tesla_counters c;
	mikey_tesla_receiver_get_counters(r, &c);
	cr_assert_eq(c.duplicate, 2);
	cr_assert_eq(c.malformed, 1);
	cr_assert_eq(c.accepted, 2);
	cr_assert_eq(c.held_packets, 4);
	mikey_tesla_receiver_free(r);
	mikey_tesla_sender_free(s);
}

Test(tesla_receiver, srtcp_round_trip)
{
	mikey_tesla_params p;
	mikey_tesla_receiver *r;
	mikey_tesla_sender *s;
	mikey_tesla_verdict v;
	mikey_tesla_released info;
	uint8_t b[10][PKT_CAP], out[PKT_CAP];
	size_t len[10];

	params(&p);
	cr_assert_eq(mikey_tesla_sender_new(&p, seed, 20, &s), MIKEY_OK);
	cr_assert_eq(mikey_tesla_receiver_new(mikey_tesla_sender_get0_params(s), NULL, &r), MIKEY_OK);
	for (int k = 0; k < 10; k++) {
		memset(b[k], 0, PKT_CAP);
		b[k][0] = 0x80;
		b[k][1] = 200;
		b[k][7] = (uint8_t)k;
		b[k][35] = (uint8_t)k; /* E||SRTCP index in bytes 32..35 */
		b[k][32] = 0x80;
		cr_assert_eq(mikey_tesla_sender_protect_rtcp(s, b[k], 36, PKT_CAP, T0 + MS(T_INT * (k + 1) + 1), &len[k]),
		             MIKEY_OK);
		if (k == 3)
			b[k][33] ^= 1; /* outside the TESLA MAC: still verifies */
		if (k == 4)
			b[k][9] ^= 1; /* inside: forged */
		cr_assert_eq(mikey_tesla_receiver_input_rtcp(r, b[k], len[k], (uint64_t)k, T0 + MS(T_INT * (k + 1) + 2), &v),
		             MIKEY_OK);
		cr_assert_eq(v, MIKEY_TESLA_BUFFERED);
	}
	int got = 0;
	while (mikey_tesla_receiver_next(r, out, sizeof(out), &info) == MIKEY_OK) {
		cr_assert(info.rtcp);
		cr_assert_eq(info.len, 36, "E||index kept, extension removed");
		cr_assert_arr_eq(out, b[info.index], 36);
		cr_assert_neq(info.index, 4);
		got++;
	}
	mikey_tesla_counters c;
	mikey_tesla_receiver_get_counters(r, &c);
	cr_assert_eq(got, 5, "intervals 1..6 verified, minus the forged one");
	cr_assert_eq(c.forged, 1);
	cr_assert(mikey_tesla_receiver_seen(r, true, 3));
	mikey_tesla_receiver_free(r);
	mikey_tesla_sender_free(s);
}

/* First NTP time of interval |i| (found with the library's own interval
 * function, whose arithmetic is checked against Python in
 * test_tesla_vectors.c). */
static uint64_t interval_start(const mikey_tesla_params *p, uint64_t i)
{
	uint64_t t = T0 + MS(T_INT * i) - 3, got = 0;

	for (int n = 0; n < 8; n++, t++) {
		cr_assert_eq(mikey_tesla_interval(p, t, &got), MIKEY_OK);
		if (got == i)
			return t;
	}
	cr_assert_fail("no start found");
	return 0;
}

/* RFC 4082 §3.5 step 1 at its edges: safe iff x < i + d, where
 * x = floor((now + D_t - T_0) / T_int); and i <= x for a real sender. */
Test(tesla_receiver, safety_condition_boundaries)
{
	mikey_tesla_params p;
	mikey_tesla_receiver *r;
	mikey_tesla_sender *s;
	mikey_tesla_verdict v;
	uint8_t b[PKT_CAP];
	size_t len;
	const uint32_t i = 5;

	params(&p);
	cr_assert_eq(mikey_tesla_sender_new(&p, seed, 20, &s), MIKEY_OK);
	cr_assert_eq(mikey_tesla_receiver_new(mikey_tesla_sender_get0_params(s), NULL, &r), MIKEY_OK);
	make_rtp(1, b);
	cr_assert_eq(mikey_tesla_sender_protect_rtp(s, b, 32, sizeof(b), 0, T0 + MS(T_INT * i + 10), &len), MIKEY_OK);
	uint64_t unsafe_at = interval_start(&p, i + DELAY) - p.d_t;
	uint64_t real_at = interval_start(&p, i) - p.d_t;

	cr_assert_eq(mikey_tesla_receiver_input_rtp(r, b, len, 0, 10, unsafe_at, &v), MIKEY_OK);
	cr_assert_eq(v, MIKEY_TESLA_UNSAFE);
	cr_assert_eq(mikey_tesla_receiver_input_rtp(r, b, len, 0, 11, unsafe_at - 1, &v), MIKEY_OK);
	cr_assert_eq(v, MIKEY_TESLA_BUFFERED);
	cr_assert_eq(mikey_tesla_receiver_input_rtp(r, b, len, 0, 12, real_at - 1, &v), MIKEY_OK);
	cr_assert_eq(v, MIKEY_TESLA_FUTURE);
	cr_assert_eq(mikey_tesla_receiver_input_rtp(r, b, len, 0, 13, real_at, &v), MIKEY_OK);
	cr_assert_eq(v, MIKEY_TESLA_BUFFERED);
	/* An identical copy with the same index is a duplicate. */
	cr_assert_eq(mikey_tesla_receiver_input_rtp(r, b, len, 0, 13, real_at, &v), MIKEY_OK);
	cr_assert_eq(v, MIKEY_TESLA_DUPLICATE);
	mikey_tesla_receiver_free(r);
	mikey_tesla_sender_free(s);
}

/* Allocator that counts live and peak heap bytes (size kept in a header). */
static size_t live_bytes, peak_bytes, n_allocs;
static void *count_malloc(size_t size, void *user)
{
	(void)user;
	max_align_t *h = malloc(sizeof(max_align_t) + size);
	if (h == NULL)
		return NULL;
	*(size_t *)h = size;
	live_bytes += size;
	n_allocs++;
	if (live_bytes > peak_bytes)
		peak_bytes = live_bytes;
	return h + 1;
}
static void count_free(void *ptr, void *user)
{
	(void)user;
	if (ptr == NULL)
		return;
	max_align_t *h = (max_align_t *)ptr - 1;
	live_bytes -= *(size_t *)h;
	free(h);
}
static void *count_realloc(void *ptr, size_t size, void *user)
{
	void *n = count_malloc(size, user);
	if (n != NULL && ptr != NULL) {
		size_t old = *(size_t *)((max_align_t *)ptr - 1);
		memcpy(n, ptr, old < size ? old : size);
		count_free(ptr, user);
	}
	return n;
}

/* Issue 7: n_c is the peer's choice (RFC 4442 §4.2); a receiver for the
 * longest chain the wire allows must fit in its configured limits. The
 * packets come from a short genuine chain: its keys K_0 .. K_100 are also
 * the first keys of a chain of length 2^32 - 1 with the same K_0. */
Test(tesla_receiver, longest_chain_fits_in_configured_memory)
{
	static const mikey_mem m = {count_malloc, count_realloc, count_free, NULL};
	mikey_tesla_params p, rp;
	mikey_tesla_receiver *r = NULL;
	mikey_tesla_sender *s;
	mikey_tesla_receiver_config cfg;
	mikey_tesla_verdict v;
	mikey_tesla_released info;
	uint8_t b[PKT_CAP], out[PKT_CAP];
	size_t len, bound;
	int released = 0;

	params(&p);
	p.n_c = 100;
	cr_assert_eq(mikey_tesla_sender_new(&p, seed, 20, &s), MIKEY_OK);
	rp = *mikey_tesla_sender_get0_params(s);
	rp.n_c = UINT32_MAX;
	mikey_tesla_receiver_config_default(&cfg);
	bound = 4096 + ((size_t)cfg.max_gap + 1) * 20 + 2 * (size_t)cfg.replay_window / 8 + cfg.max_bytes;

	live_bytes = peak_bytes = n_allocs = 0;
	mikey_mem_set(&m);
	int rc = mikey_tesla_receiver_new(&rp, &cfg, &r);
	size_t after_new = live_bytes, allocs_new = n_allocs;
	for (uint64_t k = 0; rc == MIKEY_OK && k < 80; k++) {
		uint64_t t = T0 + MS(T_INT + PERIOD_MS * k + 1);
		make_rtp(k, b);
		rc = mikey_tesla_sender_protect_rtp(s, b, 12 + PAYLOAD, sizeof(b), 0, t, &len);
		if (rc == MIKEY_OK)
			rc = mikey_tesla_receiver_input_rtp(r, b, len, 0, k, t + MS(1), &v);
		while (rc == MIKEY_OK && mikey_tesla_receiver_next(r, out, sizeof(out), &info) == MIKEY_OK) {
			cr_assert_eq(info.index, (uint64_t)released);
			released++;
		}
	}
	mikey_tesla_receiver_free(r);
	mikey_mem_set(NULL);
	mikey_tesla_sender_free(s);
	cr_assert_eq(rc, MIKEY_OK);
	cr_assert_eq(live_bytes, 0, "everything freed");
	cr_assert_leq(allocs_new, 4, "receiver_new allocates a fixed number of buffers");
	cr_assert_leq(after_new, 4096 + ((size_t)cfg.max_gap + 1) * 20 + 2 * (size_t)cfg.replay_window / 8,
	              "receiver_new took %zu bytes for n_c = 2^32 - 1", after_new);
	cr_assert_leq(peak_bytes, bound, "peak %zu bytes, bound %zu", peak_bytes, bound);
	/* 4 packets per interval, d = 4: intervals 1 .. 16 are disclosed by
	 * the packets of interval 20. */
	cr_assert_geq(released, 60, "released %d", released);

	/* max_gap is bounded too, so the walk buffer cannot follow n_c. */
	cfg.max_gap = UINT32_MAX;
	cr_assert_eq(mikey_tesla_receiver_new(&rp, &cfg, &r), MIKEY_ERR_ARG);
	cr_assert_null(r);
	cfg.max_gap = MIKEY_TESLA_MAX_GAP_LIMIT;
	cr_assert_eq(mikey_tesla_receiver_new(&rp, &cfg, &r), MIKEY_OK);
	mikey_tesla_receiver_free(r);
}
