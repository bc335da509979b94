/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_srtp_tesla.c - RFC 4383 SRTP/SRTCP packets with TESLA on libsrtp2
 * (libmikey/src/srtp/). Known answers: RFC 3711 Appendix B.3 for the key
 * derivation; libsrtp2's own HMAC-SHA1 tags and AES-CM ciphertexts (code
 * we did not write) for the tag and encryption; libsrtp2 alone decrypting
 * what the glue sends.
 */
#include <criterion/criterion.h>
#include <string.h>

#include <srtp2/srtp.h>

#include "hexspec.h"
#include "mikey/srtp.h"
#include "mikey/srtp_tesla.h"
#include "mikey/tesla.h"
#include "srtp/srtp_kdf.h"

#define T0 ((uint64_t)3900000000u << 32)
#define MS(x) MIKEY_TESLA_NTP_FROM_MS(x)
#define SSRC 0xcafe0001u

static const uint8_t master_key[16] = {0xe1, 0xf9, 0x7a, 0x0d, 0x3e, 0x01, 0x8b, 0xe0,
                                       0xd6, 0x4f, 0xa3, 0x2c, 0x06, 0xde, 0x41, 0x39};
static const uint8_t master_salt[14] = {0x0e, 0xc6, 0x75, 0xad, 0x49, 0x8a, 0xfe,
                                        0xeb, 0xb6, 0x96, 0x0b, 0x3a, 0xab, 0xe6};

Test(srtp_tesla, kdf_rfc3711_b3)
{
	uint8_t want[94], got[94];
	size_t n;

	n = hexspec("C61E7A93744F39EE10734AFE3FF7A087", want, sizeof(want));
	cr_assert_eq(mikey_srtp_kdf(master_key, 16, master_salt, MIKEY_SRTP_LABEL_RTP_ENCR, got, n), MIKEY_OK);
	cr_assert_arr_eq(got, want, n);
	n = hexspec("30CBBC08863D8C85D49DB34A9AE1", want, sizeof(want));
	cr_assert_eq(mikey_srtp_kdf(master_key, 16, master_salt, MIKEY_SRTP_LABEL_RTP_SALT, got, n), MIKEY_OK);
	cr_assert_arr_eq(got, want, n);
	n = hexspec("CEBE321F6FF7716B6FD4AB49AF256A15 6D38BAA48F0A0ACF3C34E2359E6CDBCE"
	            "E049646C43D9327AD175578EF7227098 6371C10C9A369AC2F94A8C5FBCDDDC25"
	            "6D6E919A48B610EF17C2041E47403576 6B68642C59BBFC2F34DB60DBDFB2",
	            want, sizeof(want));
	cr_assert_eq(n, 94);
	cr_assert_eq(mikey_srtp_kdf(master_key, 16, master_salt, MIKEY_SRTP_LABEL_RTP_AUTH, got, n), MIKEY_OK);
	cr_assert_arr_eq(got, want, n);
	cr_assert_eq(mikey_srtp_kdf(master_key, 15, master_salt, 0, got, 16), MIKEY_ERR_ARG);
}

static void make_cs(mikey_crypto_session *cs, size_t mki_len)
{
	memset(cs, 0, sizeof(*cs));
	cs->cs_id = 1;
	cs->ssrc = SSRC;
	mikey_srtp_policy_default(&cs->policy);
	memcpy(cs->master_key, master_key, 16);
	cs->master_key_len = 16;
	memcpy(cs->master_salt, master_salt, 14);
	cs->master_salt_len = 14;
	for (size_t i = 0; i < mki_len; i++)
		cs->mki[i] = (uint8_t)(0xa0 + i);
	cs->mki_len = mki_len;
}

static size_t make_rtp(uint8_t *b, uint16_t seq, uint32_t ts, size_t payload, uint8_t fill)
{
	b[0] = 0x80;
	b[1] = 96;
	b[2] = (uint8_t)(seq >> 8);
	b[3] = (uint8_t)seq;
	b[4] = (uint8_t)(ts >> 24);
	b[5] = (uint8_t)(ts >> 16);
	b[6] = (uint8_t)(ts >> 8);
	b[7] = (uint8_t)ts;
	b[8] = (uint8_t)(SSRC >> 24);
	b[9] = (uint8_t)(SSRC >> 16);
	b[10] = (uint8_t)(SSRC >> 8);
	b[11] = (uint8_t)SSRC;
	for (size_t i = 0; i < payload; i++)
		b[12 + i] = (uint8_t)(fill + i * 7);
	return 12 + payload;
}

static size_t make_rtcp(uint8_t *b, uint8_t fill)
{
	/* RTCP SR with no report blocks: 28 bytes, length field 6. */
	static const uint8_t sr[8] = {0x80, 200, 0x00, 0x06, (uint8_t)(SSRC >> 24), (uint8_t)(SSRC >> 16),
	                              (uint8_t)(SSRC >> 8), (uint8_t)SSRC};
	memcpy(b, sr, 8);
	for (int i = 8; i < 28; i++)
		b[i] = (uint8_t)(fill ^ i);
	return 28;
}

static srtp_t libsrtp_session(bool with_auth, srtp_ssrc_type_t type)
{
	srtp_policy_t pol;
	uint8_t key[30];
	srtp_t s = NULL;

	/* Once per process; a second call returns an error in libsrtp2 2.5
	 * and the glue may have called it already. */
	(void)srtp_init();
	memset(&pol, 0, sizeof(pol));
	if (with_auth) {
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtp);
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtcp);
	} else {
		srtp_crypto_policy_set_aes_cm_128_null_auth(&pol.rtp);
		srtp_crypto_policy_set_aes_cm_128_null_auth(&pol.rtcp);
	}
	memcpy(key, master_key, 16);
	memcpy(key + 16, master_salt, 14);
	pol.key = key;
	pol.ssrc.type = type;
	pol.ssrc.value = SSRC;
	pol.window_size = 1024;
	cr_assert_eq(srtp_create(&s, &pol), srtp_err_status_ok);
	return s;
}

/* Our tag and key derivation against libsrtp2's HMAC-SHA1-80 on the same
 * master key: same ciphertext, same tag (RTP with ROC, RTCP with index). */
Test(srtp_tesla, tag_matches_libsrtp2)
{
	srtp_t s = libsrtp_session(true, ssrc_any_outbound);
	uint8_t pkt[256], auth[20], tag[10];
	int len;

	cr_assert_eq(mikey_srtp_kdf(master_key, 16, master_salt, MIKEY_SRTP_LABEL_RTP_AUTH, auth, 20), MIKEY_OK);
	len = (int)make_rtp(pkt, 4321, 99, 60, 3);
	cr_assert_eq(srtp_protect(s, pkt, &len), srtp_err_status_ok);
	cr_assert_eq(len, 12 + 60 + 10);
	cr_assert_eq(mikey_srtp_tag(auth, pkt, 72, true, 0, tag, 10), MIKEY_OK);
	cr_assert_arr_eq(tag, pkt + 72, 10);

	cr_assert_eq(mikey_srtp_kdf(master_key, 16, master_salt, MIKEY_SRTP_LABEL_RTCP_AUTH, auth, 20), MIKEY_OK);
	len = (int)make_rtcp(pkt, 5);
	cr_assert_eq(srtp_protect_rtcp(s, pkt, &len), srtp_err_status_ok);
	cr_assert_eq(len, 28 + 4 + 10);
	cr_assert_eq(mikey_srtp_tag(auth, pkt, 32, false, 0, tag, 10), MIKEY_OK);
	cr_assert_arr_eq(tag, pkt + 32, 10);
	srtp_dealloc(s);
}

typedef struct fixture {
	mikey_tesla_sender *sender;
	mikey_srtp_tesla_tx *tx;
	mikey_srtp_tesla_rx *rx;
	mikey_tesla_params p;
	mikey_crypto_session cs;
} fixture;

static void setup(fixture *f, size_t mki_len, uint32_t d)
{
	static const uint8_t seed[20] = {0x5e, 0xed, 0x42};
	mikey_tesla_params p;

	memset(f, 0, sizeof(*f));
	mikey_tesla_params_default(&p);
	p.t_0 = T0;
	p.t_int = 20;
	p.d = d;
	p.n_c = 1000;
	cr_assert_eq(mikey_tesla_sender_new(&p, seed, sizeof(seed), &f->sender), MIKEY_OK);
	f->p = *mikey_tesla_sender_get0_params(f->sender);
	f->p.d_t = MS(5);
	make_cs(&f->cs, mki_len);
	cr_assert_eq(mikey_srtp_tesla_tx_new(&f->cs, NULL, f->sender, &f->tx), MIKEY_OK);
	cr_assert_eq(mikey_srtp_tesla_rx_new(&f->cs, NULL, &f->p, NULL, &f->rx), MIKEY_OK);
}

static void teardown(fixture *f)
{
	mikey_srtp_tesla_rx_free(f->rx);
	mikey_srtp_tesla_tx_free(f->tx);
	mikey_tesla_sender_free(f->sender);
	mikey_crypto_session_cleanup(&f->cs);
}

/* Sends |n| media packets, two per 20 ms interval from interval 1, RTCP
 * every 5th, then null packets for d + 1 intervals; checks every media
 * packet comes out of the receiver, decrypted, equal to what was sent,
 * in order, and nothing else fails. */
static void round_trip_rekey(size_t mki_len, uint16_t seq0, size_t n, size_t rekey_at)
{
	fixture f;
	uint8_t sent[64][128], pkt[256], out[256];
	size_t sent_len[64], got = 0, got_rtcp = 0, sent_rtcp = 0;
	mikey_srtp_tesla_result res;
	uint64_t now = T0 + MS(21); /* MS() rounds down: T0 + MS(20) is still interval 0 */
	size_t len, out_len;
	bool rtcp;

	cr_assert_leq(n, 48);
	setup(&f, mki_len, 2);
	for (size_t k = 0; k < n + 16; k++, now += MS(10)) {
		bool media = k < n;
		uint16_t seq = (uint16_t)(seq0 + k);
		if (rekey_at != 0 && k == rekey_at) {
			/* The next key: the receiver learns it first (key
			 * management), the sender switches at this packet.
			 * TESLA still holds packets under the old key. */
			mikey_crypto_session next = f.cs;
			next.master_key[0] ^= 0x5a;
			next.master_salt[3] ^= 0x11;
			next.mki[0] ^= 0xff;
			cr_assert_eq(mikey_srtp_tesla_rx_rekey(f.rx, &next), MIKEY_OK);
			cr_assert_eq(mikey_srtp_tesla_tx_rekey(f.tx, &next), MIKEY_OK);
			mikey_crypto_session_cleanup(&next);
		}
		len = make_rtp(pkt, seq, (uint32_t)k * 160, media ? 40 + k : 0, (uint8_t)k);
		if (media) {
			memcpy(sent[k], pkt, len);
			sent_len[k] = len;
		}
		int rc = mikey_srtp_tesla_tx_protect_rtp(f.tx, pkt, len, sizeof(pkt), now, &len);
		cr_assert_eq(rc, MIKEY_OK, "packet %zu: %s", k, mikey_error_name(rc));
		cr_assert_eq(len, (media ? 52 + k : 12) + 34 + mki_len + 4, "RFC 4383 §6: ext 34 + tag 4");
		cr_assert_eq(mikey_srtp_tesla_rx_input_rtp(f.rx, pkt, len, now + MS(1), &res), MIKEY_OK);
		cr_assert_eq(res.status, MIKEY_SRTP_TESLA_PASSED, "packet %zu", k);
		cr_assert_eq(res.tesla, MIKEY_TESLA_BUFFERED, "packet %zu: verdict %d", k, res.tesla);
		if (k % 5 == 0 && media) {
			len = make_rtcp(pkt, (uint8_t)k);
			cr_assert_eq(mikey_srtp_tesla_tx_protect_rtcp(f.tx, pkt, len, sizeof(pkt), now, &len), MIKEY_OK);
			cr_assert_eq(len, 28 + 4 + 34 + mki_len + 4);
			cr_assert_eq(mikey_srtp_tesla_rx_input_rtcp(f.rx, pkt, len, now + MS(1), &res), MIKEY_OK);
			cr_assert_eq(res.status, MIKEY_SRTP_TESLA_PASSED);
			sent_rtcp++;
		}
		while (mikey_srtp_tesla_rx_next(f.rx, out, sizeof(out), &out_len, &rtcp) == MIKEY_OK) {
			if (rtcp) {
				uint8_t want[64];
				size_t wl = make_rtcp(want, (uint8_t)(got_rtcp * 5));
				cr_assert_eq(out_len, wl);
				cr_assert_arr_eq(out, want, wl, "RTCP %zu", got_rtcp);
				got_rtcp++;
				continue;
			}
			if (got < n) {
				cr_assert_eq(out_len, sent_len[got], "packet %zu", got);
				cr_assert_arr_eq(out, sent[got], out_len, "packet %zu decrypted", got);
			}
			got++;
		}
	}
	mikey_srtp_tesla_rx_counters c;
	mikey_srtp_tesla_rx_get_counters(f.rx, &c);
	cr_assert_geq(got, n, "all media packets released");
	cr_assert_eq(got_rtcp, sent_rtcp);
	cr_assert_eq(c.decrypt_fail, 0);
	cr_assert_eq(c.bad_tag + c.replay + c.bad_mki + c.malformed, 0);
	cr_assert_eq(c.tesla.forged + c.tesla.unsafe + c.tesla.bad_key, 0);
	teardown(&f);
}

static void round_trip(size_t mki_len, uint16_t seq0, size_t n)
{
	round_trip_rekey(mki_len, seq0, n, 0);
}

/* A new key mid-stream: packets TESLA buffered under the old key are
 * released and decrypted after the switch; nothing is lost or refused. */
Test(srtp_tesla, rekey_keeps_buffers_and_state)
{
	round_trip_rekey(4, 1000, 40, 13);
}

/* The switch six packets before the sequence number wraps (ROC 0 -> 1
 * under the new key, on a fresh libsrtp2 stream on the receiver). */
Test(srtp_tesla, rekey_across_seq_wrap)
{
	round_trip_rekey(4, 65520, 40, 10);
}

Test(srtp_tesla, rekey_argument_checks)
{
	fixture f;
	mikey_crypto_session next;

	setup(&f, 4, 2);
	next = f.cs;
	cr_assert_eq(mikey_srtp_tesla_tx_rekey(f.tx, &next), MIKEY_ERR_ARG, "same MKI");
	next.mki[0] ^= 0xff;
	next.ssrc ^= 1;
	cr_assert_eq(mikey_srtp_tesla_rx_rekey(f.rx, &next), MIKEY_ERR_ARG, "other SSRC");
	next.ssrc ^= 1;
	next.mki_len = 3;
	cr_assert_eq(mikey_srtp_tesla_tx_rekey(f.tx, &next), MIKEY_ERR_ARG, "other MKI length");
	next.mki_len = 0;
	cr_assert_eq(mikey_srtp_tesla_rx_rekey(f.rx, &next), MIKEY_ERR_ARG, "no MKI");
	next.mki_len = 4;
	next.policy.kdr = 1;
	cr_assert_eq(mikey_srtp_tesla_tx_rekey(f.tx, &next), MIKEY_ERR_POLICY);
	cr_assert_eq(mikey_srtp_tesla_tx_rekey(NULL, &next), MIKEY_ERR_ARG);
	cr_assert_eq(mikey_srtp_tesla_rx_rekey(f.rx, NULL), MIKEY_ERR_ARG);
	teardown(&f);
}

/* A receiver given its current key again (a group generation re-sent with
 * one more sender) keeps going; another key under the current MKI is
 * refused (an MKI names one key, RFC 3711 §3.1). */
Test(srtp_tesla, rx_rekey_same_key_is_a_no_op)
{
	fixture f;
	mikey_crypto_session again;

	setup(&f, 4, 2);
	again = f.cs;
	cr_assert_eq(mikey_srtp_tesla_rx_rekey(f.rx, &again), MIKEY_OK, "the current key again");
	again.master_key[0] ^= 1;
	cr_assert_eq(mikey_srtp_tesla_rx_rekey(f.rx, &again), MIKEY_ERR_ARG, "another key, same MKI");
	again = f.cs;
	again.master_salt[0] ^= 1;
	cr_assert_eq(mikey_srtp_tesla_rx_rekey(f.rx, &again), MIKEY_ERR_ARG, "another salt, same MKI");
	teardown(&f);
}

Test(srtp_tesla, round_trip_no_mki)
{
	round_trip(0, 1000, 40);
}

Test(srtp_tesla, round_trip_with_mki)
{
	round_trip(4, 7, 40);
}

/* Sequence numbers wrap: ROC 0 -> 1 enters the TESLA MAC and the tag
 * (RFC 4383 §4.6) and the index estimate on both sides. */
Test(srtp_tesla, round_trip_across_seq_wrap)
{
	round_trip(0, 65520, 40);
}

/* libsrtp2 alone, with the same keys and NULL auth, decrypts what the
 * glue sends once extension, MKI and tag are cut off; and the glue's
 * ciphertext equals libsrtp2's own AES-CM-128/HMAC-SHA1-80 ciphertext. */
Test(srtp_tesla, libsrtp2_alone_sees_the_same_plaintext)
{
	fixture f;
	srtp_t plain = libsrtp_session(false, ssrc_any_inbound);
	srtp_t ref = libsrtp_session(true, ssrc_any_outbound);
	uint8_t orig[128], pkt[256], refpkt[256];
	size_t len, olen;
	int ilen;

	setup(&f, 2, 2);
	olen = make_rtp(orig, 555, 1234, 50, 9);
	memcpy(pkt, orig, olen);
	memcpy(refpkt, orig, olen);
	cr_assert_eq(mikey_srtp_tesla_tx_protect_rtp(f.tx, pkt, olen, sizeof(pkt), T0 + MS(25), &len), MIKEY_OK);
	cr_assert_eq(len, olen + 34 + 2 + 4);
	ilen = (int)olen;
	cr_assert_eq(srtp_protect(ref, refpkt, &ilen), srtp_err_status_ok);
	cr_assert_arr_eq(pkt, refpkt, olen, "same AES-CM ciphertext as libsrtp2 with auth");
	cr_assert_neq(memcmp(pkt + 12, orig + 12, olen - 12), 0, "payload is encrypted");
	/* The extension: i = 1 (T0 + 25 ms, 20 ms intervals). */
	cr_assert_eq(pkt[olen] | pkt[olen + 1] | pkt[olen + 2], 0);
	cr_assert_eq(pkt[olen + 3], 1);
	/* MKI between extension and tag (RFC 4383 §4.2). */
	cr_assert_eq(pkt[olen + 34], 0xa0);
	cr_assert_eq(pkt[olen + 35], 0xa1);
	ilen = (int)olen;
	cr_assert_eq(srtp_unprotect(plain, pkt, &ilen), srtp_err_status_ok);
	cr_assert_eq((size_t)ilen, olen);
	cr_assert_arr_eq(pkt, orig, olen);
	srtp_dealloc(plain);
	srtp_dealloc(ref);
	teardown(&f);
}

/* Builds a packet as a group member (insider) would: knows the master key
 * and salt, so it encrypts with libsrtp2 and makes a valid SRTP tag, but
 * has no TESLA chain key: it guesses the TESLA MAC. */
static size_t insider_packet(srtp_t enc, uint8_t *pkt, uint16_t seq, uint32_t interval, const uint8_t *disclosed,
                             uint8_t mac_byte)
{
	uint8_t auth[20];
	int ilen = (int)make_rtp(pkt, seq, 7, 30, 0x66);
	size_t len;

	cr_assert_eq(srtp_protect(enc, pkt, &ilen), srtp_err_status_ok);
	len = (size_t)ilen;
	pkt[len++] = (uint8_t)(interval >> 24);
	pkt[len++] = (uint8_t)(interval >> 16);
	pkt[len++] = (uint8_t)(interval >> 8);
	pkt[len++] = (uint8_t)interval;
	memcpy(pkt + len, disclosed, 20);
	len += 20;
	memset(pkt + len, mac_byte, 10);
	len += 10;
	cr_assert_eq(mikey_srtp_kdf(master_key, 16, master_salt, MIKEY_SRTP_LABEL_RTP_AUTH, auth, 20), MIKEY_OK);
	cr_assert_eq(mikey_srtp_tag(auth, pkt, len, true, 0, pkt + len, 4), MIKEY_OK);
	return len + 4;
}

Test(srtp_tesla, insider_forgery_outsider_and_replay_rejected)
{
	fixture f;
	srtp_t insider = libsrtp_session(false, ssrc_any_outbound);
	uint8_t pkt[256], out[256], genuine[256], k0[20];
	mikey_srtp_tesla_result res;
	mikey_srtp_tesla_rx_counters c;
	uint64_t now = T0 + MS(21); /* MS() rounds down: T0 + MS(20) is still interval 0 */
	size_t len, glen = 0, out_len, released = 0;
	bool rtcp;

	setup(&f, 0, 2);
	memcpy(k0, f.p.commitment, 20);
	for (uint16_t k = 0; k < 20; k++, now += MS(10)) {
		len = make_rtp(pkt, (uint16_t)(100 + k), k, 20, 1);
		cr_assert_eq(mikey_srtp_tesla_tx_protect_rtp(f.tx, pkt, len, sizeof(pkt), now, &len), MIKEY_OK);
		if (k == 3) {
			memcpy(genuine, pkt, len);
			glen = len;
		}
		cr_assert_eq(mikey_srtp_tesla_rx_input_rtp(f.rx, pkt, len, now + MS(1), &res), MIKEY_OK);
		if (k == 4) {
			/* Insider: fresh sequence number, current interval, any MAC,
			 * valid SRTP tag: passes the tag, then fails TESLA. */
			uint64_t i;
			cr_assert_eq(mikey_tesla_interval(&f.p, now, &i), MIKEY_OK);
			len = insider_packet(insider, pkt, 5000, (uint32_t)i, k0, 0x77);
			cr_assert_eq(mikey_srtp_tesla_rx_input_rtp(f.rx, pkt, len, now + MS(1), &res), MIKEY_OK);
			cr_assert_eq(res.status, MIKEY_SRTP_TESLA_PASSED, "the group key makes a valid tag");
			/* Insider modifies a genuine packet and re-tags it. */
			uint8_t auth[20];
			memcpy(pkt, genuine, glen);
			pkt[20] ^= 0x01;
			cr_assert_eq(mikey_srtp_kdf(master_key, 16, master_salt, MIKEY_SRTP_LABEL_RTP_AUTH, auth, 20),
			             MIKEY_OK);
			cr_assert_eq(mikey_srtp_tag(auth, pkt, glen - 4, true, 0, pkt + glen - 4, 4), MIKEY_OK);
			cr_assert_eq(mikey_srtp_tesla_rx_input_rtp(f.rx, pkt, glen, now + MS(1), &res), MIKEY_OK);
			cr_assert_eq(res.status, MIKEY_SRTP_TESLA_PASSED);
			/* Outsider: right layout, wrong tag. */
			pkt[glen - 1] ^= 0x80;
			cr_assert_eq(mikey_srtp_tesla_rx_input_rtp(f.rx, pkt, glen, now + MS(1), &res), MIKEY_OK);
			cr_assert_eq(res.status, MIKEY_SRTP_TESLA_BAD_TAG);
		}
		while (mikey_srtp_tesla_rx_next(f.rx, out, sizeof(out), &out_len, &rtcp) == MIKEY_OK) {
			cr_assert(!rtcp);
			uint16_t seq = (uint16_t)(out[2] << 8 | out[3]);
			cr_assert(seq >= 100 && seq < 120, "only the sender's packets come out (seq %u)", seq);
			uint8_t want[64];
			size_t wl = make_rtp(want, seq, seq - 100u, 20, 1);
			cr_assert_eq(out_len, wl);
			cr_assert_arr_eq(out, want, wl, "seq %u decrypted intact", seq);
			released++;
		}
	}
	/* The genuine packet with seq 103 was released; its copy is a replay. */
	cr_assert_eq(mikey_srtp_tesla_rx_input_rtp(f.rx, genuine, glen, now, &res), MIKEY_OK);
	cr_assert_eq(res.status, MIKEY_SRTP_TESLA_REPLAY);
	mikey_srtp_tesla_rx_get_counters(f.rx, &c);
	cr_assert_eq(c.tesla.forged, 2, "both insider packets fail the TESLA MAC");
	cr_assert_eq(c.bad_tag, 1);
	cr_assert_eq(c.replay, 1);
	cr_assert_geq(released, 14);
	cr_assert_eq(c.released, released);
	srtp_dealloc(insider);
	teardown(&f);
}

Test(srtp_tesla, argument_and_policy_checks)
{
	fixture f;
	mikey_crypto_session cs;
	mikey_srtp_tesla_rx *rx = NULL;
	mikey_srtp_tesla_result res;
	uint8_t pkt[256];
	size_t len;

	setup(&f, 0, 2);
	make_cs(&cs, 0);
	cs.policy.kdr = 1u << 16;
	cr_assert_eq(mikey_srtp_tesla_rx_new(&cs, NULL, &f.p, NULL, &rx), MIKEY_ERR_POLICY, "KDR != 0");
	make_cs(&cs, 0);
	cs.policy.encr_alg = MIKEY_SRTP_ENCR_AES_F8;
	cr_assert_eq(mikey_srtp_tesla_rx_new(&cs, NULL, &f.p, NULL, &rx), MIKEY_ERR_POLICY, "F8");
	cr_assert_null(rx);
	/* Wrong SSRC, short buffer, short packet. */
	len = make_rtp(pkt, 1, 1, 10, 0);
	pkt[11] ^= 1;
	cr_assert_eq(mikey_srtp_tesla_tx_protect_rtp(f.tx, pkt, len, sizeof(pkt), T0 + MS(25), &len), MIKEY_ERR_ARG);
	pkt[11] ^= 1;
	cr_assert_eq(mikey_srtp_tesla_tx_protect_rtp(f.tx, pkt, len, len + 37, T0 + MS(25), &len), MIKEY_ERR_LENGTH);
	cr_assert_eq(mikey_srtp_tesla_rx_input_rtp(f.rx, pkt, 40, T0, &res), MIKEY_OK);
	cr_assert_eq(res.status, MIKEY_SRTP_TESLA_MALFORMED);
	cr_assert_eq(mikey_srtp_tesla_rx_input_rtcp(f.rx, pkt, 49, T0, &res), MIKEY_OK);
	cr_assert_eq(res.status, MIKEY_SRTP_TESLA_MALFORMED);
	teardown(&f);
	mikey_crypto_session_cleanup(&cs);
}
