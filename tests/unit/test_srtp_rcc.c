/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_srtp_rcc.c - RFC 4771 Roll-over Counter Carrying on the SRTP
 * sessions (mikey/srtp_session.h, src/srtp/rcc.c). The expected bytes come
 * from code we did not write: a plain libsrtp2 srtp_t with AES-CM-128 /
 * HMAC-SHA1 of the same tag length, made here from libsrtp2's own setters,
 * protects the same packets; the RCC tag's MAC is checked against
 * OpenSSL's HMAC directly.
 */
#include <criterion/criterion.h>
#include <string.h>

#include <openssl/hmac.h>
#include <srtp2/srtp.h>

#include "mikey/srtp.h"
#include "mikey/srtp_libsrtp.h"
#include "mikey/srtp_session.h"
#include "srtp/rcc.h"

#define CAP 512
#define PAYLOAD 60
#define SSRC 0x5eed0001u

/* A crypto session with SRTP auth |alg| (RCCm1..3), R |rate| (0 = not
 * given), tag length |tag|, key from |fill|, MKI {0xb0, mki} unless 0. */
static void make_cs(mikey_crypto_session *cs, uint8_t alg, uint32_t rate, uint32_t tag, uint32_t roc, uint8_t fill,
                    uint8_t mki)
{
	memset(cs, 0, sizeof(*cs));
	cs->cs_id = 1;
	cs->ssrc = SSRC;
	cs->roc = roc;
	mikey_srtp_policy_default(&cs->policy);
	cs->policy.auth_alg = alg;
	cs->policy.auth_tag_len = tag;
	cs->policy.roc_tx_rate = rate;
	cs->master_key_len = 16;
	cs->master_salt_len = 14;
	for (size_t i = 0; i < 16; i++)
		cs->master_key[i] = (uint8_t)(fill * 29 + i);
	for (size_t i = 0; i < 14; i++)
		cs->master_salt[i] = (uint8_t)(fill * 13 + 0x30 + i);
	if (mki != 0) {
		cs->mki[0] = 0xb0;
		cs->mki[1] = mki;
		cs->mki_len = 2;
	}
}

static size_t make_rtp(uint8_t *b, uint16_t seq)
{
	b[0] = 0x80;
	b[1] = 96;
	b[2] = (uint8_t)(seq >> 8);
	b[3] = (uint8_t)seq;
	memset(b + 4, 0x11, 4);
	b[8] = (uint8_t)(SSRC >> 24);
	b[9] = (uint8_t)(SSRC >> 16);
	b[10] = (uint8_t)(SSRC >> 8);
	b[11] = (uint8_t)SSRC;
	for (size_t i = 0; i < PAYLOAD; i++)
		b[12 + i] = (uint8_t)(i * 3 + seq);
	return 12 + PAYLOAD;
}

static mikey_srtp_sess *sess(mikey_srtp_sess_dir dir, bool trust_local)
{
	mikey_srtp_sess_config cfg;
	mikey_srtp_sess *s = NULL;
	mikey_srtp_sess_config_default(&cfg);
	cfg.rcc_trust_local_roc = trust_local;
	cr_assert_eq(mikey_srtp_sess_new(dir, &cfg, &s), MIKEY_OK);
	return s;
}

static mikey_srtp_sess *sess_with(mikey_srtp_sess_dir dir, const mikey_crypto_session *cs)
{
	mikey_srtp_sess *s = sess(dir, false);
	cr_assert_eq(mikey_srtp_sess_add_stream(s, cs), MIKEY_OK);
	return s;
}

/* Plain libsrtp2 sender: AES-CM-128 / HMAC-SHA1 with a |tag|-byte tag,
 * the key of |cs|, its ROC; no MKI. */
static srtp_t plain_sender(const mikey_crypto_session *cs, int tag)
{
	srtp_policy_t pol;
	uint8_t key[30];
	srtp_t s = NULL;

	(void)srtp_init();
	memset(&pol, 0, sizeof(pol));
	srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtp);
	srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtcp);
	pol.rtp.auth_tag_len = tag;
	pol.rtcp.auth_tag_len = tag;
	memcpy(key, cs->master_key, 16);
	memcpy(key + 16, cs->master_salt, 14);
	pol.key = key;
	pol.ssrc.type = ssrc_specific;
	pol.ssrc.value = cs->ssrc;
	cr_assert_eq(srtp_create(&s, &pol), srtp_err_status_ok);
	if (cs->roc != 0)
		cr_assert_eq(srtp_set_stream_roc(s, cs->ssrc, cs->roc), srtp_err_status_ok);
	return s;
}

static size_t protect(mikey_srtp_sess *tx, uint16_t seq, uint8_t *out)
{
	size_t len = make_rtp(out, seq), l;
	cr_assert_eq(mikey_srtp_sess_protect_rtp(tx, out, len, CAP, &l), MIKEY_OK, "protect seq %u", seq);
	return l;
}

/* Unprotect a copy of pkt[0, len); returns the code, *plain_ok whether it
 * gave the RTP packet of |seq| bit-exact. */
static int unprotect(mikey_srtp_sess *rx, const uint8_t *pkt, size_t len, uint16_t seq, bool *plain_ok)
{
	uint8_t buf[CAP], want[CAP];
	size_t l = 0, wl = make_rtp(want, seq);
	memcpy(buf, pkt, len);
	int rc = mikey_srtp_sess_unprotect_rtp(rx, buf, len, &l);
	*plain_ok = rc == MIKEY_OK && l == wl && memcmp(buf, want, wl) == 0;
	return rc;
}

static uint32_t roc_of(const mikey_srtp_sess *s)
{
	uint32_t roc = 0xdead;
	cr_assert_eq(mikey_srtp_sess_get_roc(s, SSRC, &roc), MIKEY_OK);
	return roc;
}

static uint32_t get32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* (a) RCCm2, R = 1..7, tag 14, across a ROC wrap: packets without the ROC
 * are byte for byte plain libsrtp2 HMAC-SHA1 with a 14-byte tag; those
 * with it are the same encrypted packet, then ROC_sender, then the first
 * 10 bytes of plain libsrtp2's 14-byte tag (= HMAC(auth || ROC), checked
 * against OpenSSL's HMAC with the RFC 3711 session auth key as well). */
Test(srtp_rcc, mode2_matches_plain_libsrtp2_hmac_sha1)
{
	for (uint32_t rate = 1; rate <= 7; rate++) {
		mikey_crypto_session cs;
		make_cs(&cs, MIKEY_SRTP_AUTH_RCCM2, rate, 14, 5, 1, 0);
		mikey_srtp_sess *tx = sess_with(MIKEY_SRTP_SESS_PROTECT, &cs);
		mikey_srtp_sess *rx = sess_with(MIKEY_SRTP_SESS_UNPROTECT, &cs);
		srtp_t plain = plain_sender(&cs, 14);
		uint8_t auth[20];
		cr_assert_eq(mikey_rcc_auth_key(cs.master_key, 16, cs.master_salt, auth), MIKEY_OK);
		unsigned with_roc = 0, without = 0;
		for (uint32_t i = 0; i < 40; i++) {
			uint16_t seq = (uint16_t)(65515 + i); /* wraps to ROC 6 */
			uint32_t roc = seq >= 65515 ? 5 : 6;
			uint8_t a[CAP], b[CAP];
			size_t la = protect(tx, seq, a);
			int lb = (int)make_rtp(b, seq);
			cr_assert_eq(srtp_protect(plain, b, &lb), srtp_err_status_ok);
			cr_assert_eq((size_t)lb, 12 + PAYLOAD + 14);
			bool ok;
			cr_assert_eq(la, (size_t)lb, "R %u seq %u: same length either way", rate, seq);
			if (seq % rate != 0) {
				cr_assert_arr_eq(a, b, la, "R %u seq %u: plain HMAC-SHA1 bytes", rate, seq);
				without++;
			} else {
				size_t body = 12 + PAYLOAD;
				cr_assert_arr_eq(a, b, body, "same encryption");
				cr_assert_eq(get32(a + body), roc, "ROC_sender in the tag");
				cr_assert_arr_eq(a + body + 4, b + body, 10, "MAC_tr = first 10 bytes of the 14-byte tag");
				uint8_t m[EVP_MAX_MD_SIZE], msg[CAP];
				unsigned ml = 0;
				memcpy(msg, a, body);
				memcpy(msg + body, a + body, 4); /* || ROC, big-endian as carried */
				cr_assert_not_null(HMAC(EVP_sha1(), auth, 20, msg, body + 4, m, &ml));
				cr_assert_arr_eq(a + body + 4, m, 10, "MAC_tr = HMAC-SHA1(auth, AP || ROC), OpenSSL");
				with_roc++;
			}
			cr_assert_eq(unprotect(rx, a, la, seq, &ok), MIKEY_OK, "R %u seq %u", rate, seq);
			cr_assert(ok);
		}
		cr_assert_gt(with_roc, 0);
		cr_assert(rate == 1 ? without == 0 : without > 0);
		cr_assert_eq(roc_of(rx), 6);
		srtp_dealloc(plain);
		mikey_srtp_sess_free(tx);
		mikey_srtp_sess_free(rx);
	}
}

/* (b) A receiver that joins with ROC 0 while the sender is at ROC 3 near
 * the wrap: plain HMAC-SHA1 never recovers; RCC resynchronises at the
 * first ROC-carrying packet and decrypts bit-exact from there, across the
 * wrap to ROC 4. */
static void late_joiner(uint8_t alg, uint32_t tag, uint32_t rate)
{
	mikey_crypto_session cs_tx, cs_rx;
	make_cs(&cs_tx, alg, rate, tag, 3, 2, 0);
	cs_rx = cs_tx;
	cs_rx.roc = 0;
	mikey_srtp_sess *tx = sess_with(MIKEY_SRTP_SESS_PROTECT, &cs_tx);
	mikey_srtp_sess *rx = sess_with(MIKEY_SRTP_SESS_UNPROTECT, &cs_rx);
	bool synced = false;
	for (uint32_t i = 0; i < 3 * rate + 80; i++) {
		uint16_t seq = (uint16_t)(65500 + i);
		uint8_t pkt[CAP];
		size_t l = protect(tx, seq, pkt);
		bool ok;
		int rc = unprotect(rx, pkt, l, seq, &ok);
		if (!synced && seq % rate == 0) {
			cr_assert_eq(rc, MIKEY_OK, "resync at seq %u", seq);
			synced = true;
		}
		if (synced) {
			cr_assert_eq(rc, MIKEY_OK, "seq %u after resync", seq);
			cr_assert(ok, "seq %u bit-exact after resync", seq);
		} else if (alg == MIKEY_SRTP_AUTH_RCCM2) {
			cr_assert_eq(rc, MIKEY_ERR_AUTH, "seq %u: wrong ROC before resync", seq);
			cr_assert_eq(roc_of(rx), 0);
		} else {
			cr_assert_not(ok, "seq %u: no MAC, decrypted with the wrong ROC", seq);
		}
	}
	cr_assert(synced);
	cr_assert_eq(roc_of(rx), 4);
	mikey_srtp_sess_free(tx);
	mikey_srtp_sess_free(rx);
}

Test(srtp_rcc, late_joiner_resynchronises_mode2) { late_joiner(MIKEY_SRTP_AUTH_RCCM2, 14, 16); }
Test(srtp_rcc, late_joiner_resynchronises_mode1) { late_joiner(MIKEY_SRTP_AUTH_RCCM1, 14, 10); }
Test(srtp_rcc, late_joiner_resynchronises_mode3) { late_joiner(MIKEY_SRTP_AUTH_RCCM3, 4, 8); }

Test(srtp_rcc, without_rcc_a_late_joiner_never_recovers)
{
	mikey_crypto_session cs_tx, cs_rx;
	make_cs(&cs_tx, MIKEY_SRTP_AUTH_HMAC_SHA1, 0, 10, 3, 2, 0);
	cs_rx = cs_tx;
	cs_rx.roc = 0;
	mikey_srtp_sess *tx = sess_with(MIKEY_SRTP_SESS_PROTECT, &cs_tx);
	mikey_srtp_sess *rx = sess_with(MIKEY_SRTP_SESS_UNPROTECT, &cs_rx);
	for (uint32_t i = 0; i < 100; i++) {
		uint16_t seq = (uint16_t)(65500 + i);
		uint8_t pkt[CAP];
		size_t l = protect(tx, seq, pkt);
		bool ok;
		cr_assert_eq(unprotect(rx, pkt, l, seq, &ok), MIKEY_ERR_AUTH, "seq %u", seq);
	}
	mikey_srtp_sess_free(tx);
	mikey_srtp_sess_free(rx);
}

/* (c) A bit flipped in the carried ROC or in MAC_tr (or in the payload)
 * of a ROC-carrying packet is dropped with MIKEY_ERR_AUTH, and the local
 * ROC does not move; the genuine packet then still goes through. */
Test(srtp_rcc, forged_roc_or_mac_is_dropped_and_roc_kept)
{
	for (int mode = 1; mode <= 2; mode++) {
		mikey_crypto_session cs_tx, cs_rx;
		make_cs(&cs_tx, mode == 1 ? MIKEY_SRTP_AUTH_RCCM1 : MIKEY_SRTP_AUTH_RCCM2, 4, 14, 3, 3, 0);
		cs_rx = cs_tx;
		cs_rx.roc = 0;
		mikey_srtp_sess *tx = sess_with(MIKEY_SRTP_SESS_PROTECT, &cs_tx);
		mikey_srtp_sess *rx = sess_with(MIKEY_SRTP_SESS_UNPROTECT, &cs_rx);
		uint8_t pkt[CAP], bad[CAP];
		size_t l = protect(tx, 400, pkt), body = 12 + PAYLOAD;
		bool ok;
		size_t flips[] = {body + 3, body, body + 4, body + 13, 20};
		for (size_t f = 0; f < sizeof(flips) / sizeof(flips[0]); f++) {
			for (int bit = 0; bit < 8; bit++) {
				memcpy(bad, pkt, l);
				bad[flips[f]] ^= (uint8_t)(1u << bit);
				cr_assert_eq(unprotect(rx, bad, l, 400, &ok), MIKEY_ERR_AUTH, "mode %d byte %zu bit %d", mode,
				             flips[f], bit);
				cr_assert_eq(roc_of(rx), 0, "the local ROC is unchanged");
			}
		}
		/* A whole other ROC with the MAC kept. */
		memcpy(bad, pkt, l);
		bad[body] = 0, bad[body + 1] = 0, bad[body + 2] = 0, bad[body + 3] = 7;
		cr_assert_eq(unprotect(rx, bad, l, 400, &ok), MIKEY_ERR_AUTH);
		cr_assert_eq(roc_of(rx), 0);
		/* Cut short: the tag cannot be there. */
		cr_assert_eq(unprotect(rx, pkt, 12 + 10, 400, &ok), MIKEY_ERR_TRUNCATED);
		cr_assert_eq(unprotect(rx, pkt, l, 400, &ok), MIKEY_OK);
		cr_assert(ok);
		cr_assert_eq(roc_of(rx), 3);
		/* Replay protection stays: the same ROC packet again. */
		cr_assert_eq(unprotect(rx, pkt, l, 400, &ok), MIKEY_ERR_REPLAY);
		mikey_srtp_sess_free(tx);
		mikey_srtp_sess_free(rx);
	}
}

/* A ROC that would move the index back beyond the replay window (an old,
 * genuine ROC-carrying packet played again) is a replay, not a resync. */
Test(srtp_rcc, old_roc_packet_replayed_does_not_move_roc_back)
{
	mikey_crypto_session cs;
	make_cs(&cs, MIKEY_SRTP_AUTH_RCCM2, 8, 14, 1, 4, 0);
	mikey_srtp_sess *tx = sess_with(MIKEY_SRTP_SESS_PROTECT, &cs);
	mikey_srtp_sess *rx = sess_with(MIKEY_SRTP_SESS_UNPROTECT, &cs);
	uint8_t old[CAP], pkt[CAP];
	size_t lo = protect(tx, 80, old), l;
	bool ok;
	cr_assert_eq(unprotect(rx, old, lo, 80, &ok), MIKEY_OK);
	for (uint32_t seq = 81; seq < 70000; seq += 500) {
		l = protect(tx, (uint16_t)seq, pkt);
		cr_assert_eq(unprotect(rx, pkt, l, (uint16_t)seq, &ok), MIKEY_OK);
	}
	cr_assert_eq(roc_of(rx), 2);
	cr_assert_eq(unprotect(rx, old, lo, 80, &ok), MIKEY_ERR_REPLAY);
	cr_assert_eq(roc_of(rx), 2);
	mikey_srtp_sess_free(tx);
	mikey_srtp_sess_free(rx);
}

/* (d) Mode 1: only ROC-carrying packets have a tag (ROC || MAC_tr); the
 * others none at all, so a flipped payload bit there goes undetected
 * (RFC 4771 §5: mode 1 is not integrity protection unless R = 1). Mode 3:
 * the tag is the 4-byte ROC alone, no MAC anywhere. */
Test(srtp_rcc, mode1_and_mode3_packet_shapes)
{
	for (int mode = 1; mode <= 3; mode += 2) {
		mikey_crypto_session cs;
		make_cs(&cs, mode == 1 ? MIKEY_SRTP_AUTH_RCCM1 : MIKEY_SRTP_AUTH_RCCM3, 5, mode == 1 ? 12 : 4, 9, 5, 0);
		mikey_srtp_sess *tx = sess_with(MIKEY_SRTP_SESS_PROTECT, &cs);
		mikey_srtp_sess *rx = sess_with(MIKEY_SRTP_SESS_UNPROTECT, &cs);
		srtp_t plain = plain_sender(&cs, 10);
		for (uint16_t seq = 10; seq < 30; seq++) {
			uint8_t pkt[CAP], ref[CAP];
			size_t l = protect(tx, seq, pkt), body = 12 + PAYLOAD;
			int lr = (int)make_rtp(ref, seq);
			cr_assert_eq(srtp_protect(plain, ref, &lr), srtp_err_status_ok);
			cr_assert_arr_eq(pkt, ref, body, "mode %d seq %u: libsrtp2's AES-CM", mode, seq);
			bool ok;
			if (seq % 5 == 0) {
				cr_assert_eq(l, body + (mode == 1 ? 12 : 4));
				cr_assert_eq(get32(pkt + body), 9);
				if (mode == 1) {
					pkt[20] ^= 1;
					cr_assert_eq(unprotect(rx, pkt, l, seq, &ok), MIKEY_ERR_AUTH);
					pkt[20] ^= 1;
				}
				cr_assert_eq(unprotect(rx, pkt, l, seq, &ok), MIKEY_OK);
				cr_assert(ok);
			} else {
				cr_assert_eq(l, body, "mode %d seq %u: no tag", mode, seq);
				pkt[20] ^= 1;
				cr_assert_eq(unprotect(rx, pkt, l, seq, &ok), MIKEY_OK, "no MAC to catch it");
				cr_assert_not(ok);
			}
		}
		srtp_dealloc(plain);
		mikey_srtp_sess_free(tx);
		mikey_srtp_sess_free(rx);
	}
}

/* Mode 3, RFC 4771 §3: with rcc_trust_local_roc the receiver ignores the
 * carried ROC (a forged one cannot move it), but still strips it. */
Test(srtp_rcc, mode3_trusting_the_local_roc_ignores_the_carried_one)
{
	mikey_crypto_session cs;
	make_cs(&cs, MIKEY_SRTP_AUTH_RCCM3, 4, 4, 2, 6, 0);
	mikey_srtp_sess *tx = sess_with(MIKEY_SRTP_SESS_PROTECT, &cs);
	mikey_srtp_sess *rx = sess(MIKEY_SRTP_SESS_UNPROTECT, true);
	mikey_srtp_sess *rx_taking = sess_with(MIKEY_SRTP_SESS_UNPROTECT, &cs);
	cr_assert_eq(mikey_srtp_sess_add_stream(rx, &cs), MIKEY_OK);
	uint8_t pkt[CAP];
	size_t l = protect(tx, 100, pkt), body = 12 + PAYLOAD;
	bool ok;
	pkt[body + 3] = 9; /* forged ROC, no MAC to notice */
	cr_assert_eq(unprotect(rx, pkt, l, 100, &ok), MIKEY_OK);
	cr_assert(ok, "decrypted with the local ROC 2");
	cr_assert_eq(roc_of(rx), 2);
	cr_assert_eq(unprotect(rx_taking, pkt, l, 100, &ok), MIKEY_OK);
	cr_assert_not(ok, "taken from the packet: wrong keystream");
	cr_assert_eq(roc_of(rx_taking), 9, "the DoS RFC 4771 §5 warns of");
	mikey_srtp_sess_free(tx);
	mikey_srtp_sess_free(rx);
	mikey_srtp_sess_free(rx_taking);
}

/* (e) Rekey with MKI (RFC 3711 §3.1: MKI before the tag): the sender
 * switches keys at the ROC wrap; a receiver joining only then, with both
 * keys and ROC 0, resynchronises from the first ROC-carrying packet of the
 * new key; a late packet of the old key still goes through; a retired
 * key's packets are refused. */
Test(srtp_rcc, rekey_with_mki)
{
	mikey_crypto_session a, b, a_rx, b_rx;
	make_cs(&a, MIKEY_SRTP_AUTH_RCCM2, 6, 14, 7, 7, 1);
	make_cs(&b, MIKEY_SRTP_AUTH_RCCM2, 6, 14, 7, 8, 2);
	a_rx = a, b_rx = b;
	a_rx.roc = b_rx.roc = 0;
	mikey_srtp_sess *tx = sess_with(MIKEY_SRTP_SESS_PROTECT, &a);
	cr_assert_eq(mikey_srtp_sess_add_key(tx, &b), MIKEY_OK);
	mikey_srtp_sess *rx = sess_with(MIKEY_SRTP_SESS_UNPROTECT, &a_rx);
	cr_assert_eq(mikey_srtp_sess_add_key(rx, &b_rx), MIKEY_OK);
	uint8_t old[CAP];
	size_t lold = 0;
	bool ok;
	for (uint32_t i = 0; i < 60; i++) {
		uint16_t seq = (uint16_t)(65521 + i); /* i = 15: seq 0, ROC 8 */
		if (i == 15)
			cr_assert_eq(mikey_srtp_sess_use_key(tx, SSRC, b.mki, 2), MIKEY_OK);
		uint8_t pkt[CAP];
		size_t l = protect(tx, seq, pkt), body = 12 + PAYLOAD;
		cr_assert_eq(l, body + 2 + 14);
		cr_assert_eq(pkt[body], 0xb0, "MKI right after the encrypted portion");
		cr_assert_eq(pkt[body + 1], i < 15 ? 1 : 2);
		if (i == 12)
			memcpy(old, pkt, l), lold = l;
		if (i < 15)
			continue; /* the receiver joins after the rekey */
		cr_assert_eq(unprotect(rx, pkt, l, seq, &ok), MIKEY_OK, "seq %u", seq);
		cr_assert(ok);
	}
	cr_assert_eq(roc_of(rx), 8);
	cr_assert_eq(unprotect(rx, old, lold, 65533, &ok), MIKEY_OK, "late packet of the old key, ROC 7");
	cr_assert(ok);
	cr_assert_eq(roc_of(rx), 8);
	cr_assert_eq(mikey_srtp_sess_retire_key(rx, SSRC, a.mki, 2), MIKEY_OK);
	cr_assert_eq(unprotect(rx, old, lold, 65533, &ok), MIKEY_ERR_UNKNOWN_MKI);
	mikey_srtp_sess_free(tx);
	mikey_srtp_sess_free(rx);
}

/* (f) What cannot run is refused with MIKEY_ERR_POLICY: RCC on a plain
 * libsrtp2 session (it has no RCC), AES-192 (no AES-192 PRF here), GCM,
 * hand-made policies out of range. */
Test(srtp_rcc, bad_policies_refused)
{
	mikey_crypto_session cs;
	mikey_srtp_sess *s = sess(MIKEY_SRTP_SESS_UNPROTECT, false);
	srtp_t plain = NULL;

	make_cs(&cs, MIKEY_SRTP_AUTH_RCCM2, 1, 14, 0, 9, 0);
	cr_assert_eq(mikey_srtp_session_new(&cs, MIKEY_SRTP_SSRC_SPECIFIC, &plain), MIKEY_ERR_POLICY);
	cr_assert_null(plain);

	make_cs(&cs, MIKEY_SRTP_AUTH_RCCM2, 1, 14, 0, 9, 0);
	/* AES-192 runs where libsrtp2 derives its keys as RFC 6188 §7.4 says
	 * (the patched build; test_srtp_rfc_vectors.c), and only there. */
	cs.policy.encr_key_len = cs.master_key_len = 24;
	cr_assert_eq(mikey_srtp_sess_add_stream(s, &cs), MIKEY_LIBSRTP2_PATCHED ? MIKEY_OK : MIKEY_ERR_POLICY);
	if (MIKEY_LIBSRTP2_PATCHED)
		cr_assert_eq(mikey_srtp_sess_remove_stream(s, cs.ssrc), MIKEY_OK);

	make_cs(&cs, MIKEY_SRTP_AUTH_RCCM1, 1, 14, 0, 9, 0);
	cs.policy.encr_alg = MIKEY_SRTP_ENCR_AES_GCM;
	cs.policy.salt_key_len = cs.master_salt_len = 12;
	cr_assert_eq(mikey_srtp_sess_add_stream(s, &cs), MIKEY_ERR_POLICY);

	make_cs(&cs, MIKEY_SRTP_AUTH_RCCM3, 1, 10, 0, 9, 0);
	cr_assert_eq(mikey_srtp_sess_add_stream(s, &cs), MIKEY_ERR_POLICY, "RCCm3 tag must be 4");
	make_cs(&cs, MIKEY_SRTP_AUTH_RCCM2, 70000, 14, 0, 9, 0);
	cr_assert_eq(mikey_srtp_sess_add_stream(s, &cs), MIKEY_ERR_POLICY, "R over 16 bits");
	make_cs(&cs, MIKEY_SRTP_AUTH_RCCM1, 1, 4, 0, 9, 0);
	cr_assert_eq(mikey_srtp_sess_add_stream(s, &cs), MIKEY_ERR_POLICY, "no room for MAC_tr");
	make_cs(&cs, MIKEY_SRTP_AUTH_HMAC_SHA1, 5, 10, 0, 9, 0);
	cr_assert_eq(mikey_srtp_sess_add_stream(s, &cs), MIKEY_ERR_POLICY, "R without RCC");
	cr_assert_eq(mikey_srtp_sess_stream_count(s), 0);

	/* A key whose policy is not the stream's (other R) is refused. */
	mikey_crypto_session k2;
	make_cs(&cs, MIKEY_SRTP_AUTH_RCCM2, 4, 14, 0, 9, 1);
	make_cs(&k2, MIKEY_SRTP_AUTH_RCCM2, 8, 14, 0, 10, 2);
	cr_assert_eq(mikey_srtp_sess_add_stream(s, &cs), MIKEY_OK);
	cr_assert_eq(mikey_srtp_sess_add_key(s, &k2), MIKEY_ERR_POLICY);
	mikey_srtp_sess_free(s);
}

/* SRTCP of an RCC stream is the default HMAC-SHA1 transform (RFC 4771
 * §2), byte-identical with plain libsrtp2. */
Test(srtp_rcc, srtcp_is_plain_hmac_sha1)
{
	mikey_crypto_session cs;
	make_cs(&cs, MIKEY_SRTP_AUTH_RCCM2, 3, 14, 0, 11, 0);
	mikey_srtp_sess *tx = sess_with(MIKEY_SRTP_SESS_PROTECT, &cs);
	mikey_srtp_sess *rx = sess_with(MIKEY_SRTP_SESS_UNPROTECT, &cs);
	srtp_t plain = plain_sender(&cs, 14);
	uint8_t a[CAP] = {0x80, 200, 0, 6, (uint8_t)(SSRC >> 24), (uint8_t)(SSRC >> 16), (uint8_t)(SSRC >> 8),
	                  (uint8_t)SSRC};
	memset(a + 8, 0x5a, 20);
	uint8_t b[CAP];
	memcpy(b, a, 28);
	size_t la, l2;
	int lb = 28;
	cr_assert_eq(mikey_srtp_sess_protect_rtcp(tx, a, 28, CAP, &la), MIKEY_OK);
	cr_assert_eq(srtp_protect_rtcp(plain, b, &lb), srtp_err_status_ok);
	cr_assert_eq(la, 28 + 4 + 14, "SRTCP tag 14 (type 11), no ROC");
	cr_assert_eq(la, (size_t)lb);
	cr_assert_arr_eq(a, b, la);
	cr_assert_eq(mikey_srtp_sess_unprotect_rtcp(rx, a, la, &l2), MIKEY_OK);
	cr_assert_eq(l2, 28);
	srtp_dealloc(plain);
	mikey_srtp_sess_free(tx);
	mikey_srtp_sess_free(rx);
}
