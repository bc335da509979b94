/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_srtp_tesla_group.c - one receiver, one TESLA verifier per sender
 * (mikey/srtp_tesla_group.h): interleaved senders with their own key
 * chains all come through intact; an insider who holds another sender's
 * SRTP keys (every member does in a group) but not its TESLA chain never
 * gets a packet through; unknown SSRCs are dropped and counted; senders
 * join, take a new key and leave; 200 senders in one table.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "mikey/srtp_tesla_group.h"

#define T0 ((uint64_t)3900000000u << 32)
#define MS(x) MIKEY_TESLA_NTP_FROM_MS(x)

typedef struct member {
	uint32_t ssrc;
	mikey_tesla_sender *chain;
	mikey_crypto_session cs; /* with cs.tesla: what its exchange gives */
	mikey_srtp_tesla_tx *tx;
} member;

static void make_member(member *m, uint32_t ssrc, uint8_t key_byte, uint8_t seed_byte)
{
	uint8_t seed[20];
	mikey_tesla_params p;
	memset(m, 0, sizeof(*m));
	memset(seed, seed_byte, sizeof(seed));
	mikey_tesla_params_default(&p);
	p.t_0 = T0;
	p.t_int = 20;
	p.d = 2;
	p.n_c = 1000;
	cr_assert_eq(mikey_tesla_sender_new(&p, seed, sizeof(seed), &m->chain), MIKEY_OK);
	m->ssrc = ssrc;
	m->cs.ssrc = ssrc;
	m->cs.cs_id = 1;
	mikey_srtp_policy_default(&m->cs.policy);
	memset(m->cs.master_key, key_byte, 16);
	m->cs.master_key_len = 16;
	memset(m->cs.master_salt, key_byte ^ 0x5a, 14);
	m->cs.master_salt_len = 14;
	m->cs.has_tesla = true;
	m->cs.tesla = *mikey_tesla_sender_get0_params(m->chain);
	m->cs.tesla.d_t = MS(5);
	cr_assert_eq(mikey_srtp_tesla_tx_new(&m->cs, NULL, m->chain, &m->tx), MIKEY_OK);
}

static void free_member(member *m)
{
	mikey_srtp_tesla_tx_free(m->tx);
	mikey_tesla_sender_free(m->chain);
	mikey_crypto_session_cleanup(&m->cs);
}

static size_t make_rtp(uint8_t *b, uint32_t ssrc, uint16_t seq, uint8_t fill)
{
	memset(b, 0, 12);
	b[0] = 0x80;
	b[1] = 96;
	b[2] = (uint8_t)(seq >> 8);
	b[3] = (uint8_t)seq;
	b[8] = (uint8_t)(ssrc >> 24);
	b[9] = (uint8_t)(ssrc >> 16);
	b[10] = (uint8_t)(ssrc >> 8);
	b[11] = (uint8_t)ssrc;
	for (size_t i = 0; i < 40; i++)
		b[12 + i] = (uint8_t)(fill + i);
	return 52;
}

/* Two senders, packets interleaved, plus an insider forging B's SSRC with
 * B's SRTP keys and its own chain. */
Test(tesla_group, senders_apart_and_insiders_rejected)
{
	member a, b, insider;
	make_member(&a, 0xaaaa0001, 0x11, 0xa1);
	make_member(&b, 0xbbbb0002, 0x22, 0xb2);
	/* The insider: B's crypto session (the group key gives every member
	 * every sender's SRTP keys) with A's key chain. */
	memset(&insider, 0, sizeof(insider));
	cr_assert_eq(mikey_srtp_tesla_tx_new(&b.cs, NULL, a.chain, &insider.tx), MIKEY_OK);

	mikey_srtp_tesla_group *g = NULL;
	cr_assert_eq(mikey_srtp_tesla_group_new(NULL, NULL, &g), MIKEY_OK);
	cr_assert_eq(mikey_srtp_tesla_group_add_sender(g, &a.cs), MIKEY_OK);
	cr_assert_eq(mikey_srtp_tesla_group_add_sender(g, &b.cs), MIKEY_OK);
	cr_assert_eq(mikey_srtp_tesla_group_count(g), 2);

	uint8_t pkt[256], out[256];
	size_t len, out_len, got[2] = {0, 0};
	uint64_t now = T0 + MS(21);
	mikey_srtp_tesla_result res;
	bool rtcp;
	uint32_t ssrc;
	for (uint16_t k = 0; k < 40; k++, now += MS(10)) {
		member *m = k % 2 ? &b : &a;
		len = make_rtp(pkt, m->ssrc, (uint16_t)(1000 + k), (uint8_t)k);
		cr_assert_eq(mikey_srtp_tesla_tx_protect_rtp(m->tx, pkt, len, sizeof(pkt), now, &len), MIKEY_OK);
		cr_assert_eq(mikey_srtp_tesla_group_input_rtp(g, pkt, len, now + MS(1), &res), MIKEY_OK);
		cr_assert_eq(res.status, MIKEY_SRTP_TESLA_PASSED);
		if (k % 5 == 3) {
			len = make_rtp(pkt, b.ssrc, (uint16_t)(3000 + k), 0xee);
			cr_assert_eq(mikey_srtp_tesla_tx_protect_rtp(insider.tx, pkt, len, sizeof(pkt), now, &len), MIKEY_OK);
			cr_assert_eq(mikey_srtp_tesla_group_input_rtp(g, pkt, len, now + MS(1), &res), MIKEY_OK);
			cr_assert_eq(res.status, MIKEY_SRTP_TESLA_PASSED, "the insider's SRTP tag is valid");
		}
		while (mikey_srtp_tesla_group_next(g, out, sizeof(out), &out_len, &rtcp, &ssrc) == MIKEY_OK) {
			uint16_t seq = (uint16_t)(out[2] << 8 | out[3]);
			cr_assert_lt(seq, 3000, "an insider packet (seq %u) left the receiver", seq);
			uint32_t in_pkt = (uint32_t)out[8] << 24 | (uint32_t)out[9] << 16 | (uint32_t)out[10] << 8 | out[11];
			cr_assert_eq(in_pkt, ssrc, "next names the packet's sender");
			uint8_t want[64];
			cr_assert_eq(out_len, make_rtp(want, ssrc, seq, (uint8_t)(seq - 1000)));
			cr_assert_arr_eq(out, want, out_len, "seq %u decrypted intact", seq);
			got[ssrc == b.ssrc]++;
		}
	}
	cr_assert_geq(got[0], 15, "sender A: %zu packets through", got[0]);
	cr_assert_geq(got[1], 15, "sender B: %zu packets through", got[1]);
	mikey_srtp_tesla_rx_counters ca, cb;
	cr_assert_eq(mikey_srtp_tesla_group_get_counters(g, a.ssrc, &ca), MIKEY_OK);
	cr_assert_eq(mikey_srtp_tesla_group_get_counters(g, b.ssrc, &cb), MIKEY_OK);
	cr_assert_eq(ca.tesla.forged, 0);
	cr_assert_eq(cb.tesla.forged + cb.tesla.bad_key, 8, "every insider packet fails B's TESLA check");
	cr_assert_eq(ca.released, got[0]);
	cr_assert_eq(cb.released, got[1]);

	/* A stranger's SSRC and a runt are dropped and counted. */
	len = make_rtp(pkt, 0x0badf00d, 1, 0);
	cr_assert_eq(mikey_srtp_tesla_group_input_rtp(g, pkt, len, now, &res), MIKEY_OK);
	cr_assert_eq(res.status, MIKEY_SRTP_TESLA_OTHER_SSRC);
	cr_assert_eq(mikey_srtp_tesla_group_input_rtcp(g, pkt, 6, now, &res), MIKEY_OK);
	cr_assert_eq(res.status, MIKEY_SRTP_TESLA_MALFORMED);
	cr_assert_eq(mikey_srtp_tesla_group_dropped(g), 2);
	cr_assert_eq(mikey_srtp_tesla_group_get_counters(g, 0x0badf00d, &ca), MIKEY_ERR_UNKNOWN_SSRC);

	/* B leaves: its packets are strangers now. */
	cr_assert_eq(mikey_srtp_tesla_group_remove_sender(g, b.ssrc), MIKEY_OK);
	cr_assert_eq(mikey_srtp_tesla_group_remove_sender(g, b.ssrc), MIKEY_ERR_UNKNOWN_SSRC);
	len = make_rtp(pkt, b.ssrc, 2000, 0);
	cr_assert_eq(mikey_srtp_tesla_tx_protect_rtp(b.tx, pkt, len, sizeof(pkt), now, &len), MIKEY_OK);
	cr_assert_eq(mikey_srtp_tesla_group_input_rtp(g, pkt, len, now, &res), MIKEY_OK);
	cr_assert_eq(res.status, MIKEY_SRTP_TESLA_OTHER_SSRC);

	mikey_srtp_tesla_group_free(g);
	mikey_srtp_tesla_tx_free(insider.tx);
	free_member(&a);
	free_member(&b);
}

/* 200 senders: every one found again after removals in between (the
 * table keeps its probe chains through deletions). */
Test(tesla_group, many_senders_join_and_leave)
{
	enum { N = 200 };
	static member m[N];
	mikey_srtp_tesla_group *g = NULL;
	cr_assert_eq(mikey_srtp_tesla_group_new(NULL, NULL, &g), MIKEY_OK);
	for (size_t i = 0; i < N; i++) {
		/* SSRCs that collide in the low bits. */
		make_member(&m[i], (uint32_t)(i << 20 | 0x7), (uint8_t)i, (uint8_t)(i + 1));
		cr_assert_eq(mikey_srtp_tesla_group_add_sender(g, &m[i].cs), MIKEY_OK, "sender %zu", i);
	}
	cr_assert_eq(mikey_srtp_tesla_group_count(g), N);
	for (size_t i = 0; i < N; i += 3)
		cr_assert_eq(mikey_srtp_tesla_group_remove_sender(g, m[i].ssrc), MIKEY_OK);
	uint8_t pkt[256];
	mikey_srtp_tesla_result res;
	uint64_t now = T0 + MS(21);
	for (size_t i = 0; i < N; i++) {
		size_t len = make_rtp(pkt, m[i].ssrc, 1, 0);
		cr_assert_eq(mikey_srtp_tesla_tx_protect_rtp(m[i].tx, pkt, len, sizeof(pkt), now, &len), MIKEY_OK);
		cr_assert_eq(mikey_srtp_tesla_group_input_rtp(g, pkt, len, now + MS(1), &res), MIKEY_OK);
		cr_assert_eq(res.status, i % 3 == 0 ? MIKEY_SRTP_TESLA_OTHER_SSRC : MIKEY_SRTP_TESLA_PASSED,
		             "sender %zu (removed: %d)", i, i % 3 == 0);
	}
	mikey_srtp_tesla_group_free(g);
	for (size_t i = 0; i < N; i++)
		free_member(&m[i]);
}

Test(tesla_group, bad_arguments)
{
	mikey_srtp_tesla_group *g = NULL;
	mikey_crypto_session cs;
	memset(&cs, 0, sizeof(cs));
	cr_assert_eq(mikey_srtp_tesla_group_new(NULL, NULL, NULL), MIKEY_ERR_ARG);
	cr_assert_eq(mikey_srtp_tesla_group_new(NULL, NULL, &g), MIKEY_OK);
	cr_assert_eq(mikey_srtp_tesla_group_add_sender(g, &cs), MIKEY_ERR_ARG, "no TESLA parameters");
	cr_assert_eq(mikey_srtp_tesla_group_count(g), 0);
	cr_assert_eq(mikey_srtp_tesla_group_next(g, (uint8_t[8]){0}, 8, &(size_t){0}, &(bool){0}, NULL),
	             MIKEY_ERR_NOT_FOUND);
	mikey_srtp_tesla_group_free(g);
	mikey_srtp_tesla_group_free(NULL);
}
