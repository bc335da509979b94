/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_srtpgroup.c - srtpgroupenc / srtpgroupdec driven through GstHarness:
 * many senders, rekeys under the same CSB ID while packets flow (RFC 3830
 * §4.5), MKIs (RFC 3711 §3.1), srtpdec's request-key and caps keys, and
 * bad packets dropped and counted. Keys come from MIKEY messages made here
 * with libmikey as the initiator; the elements are responders.
 *
 * Expected values are what went in: every payload must come out of the
 * decoder bit-exact, and every refusal must be the one RFC 3711 names.
 */
#include <criterion/criterion.h>
#include <string.h>

#include <gst/check/gstharness.h>
#include <gst/gst.h>

#include <mikey/exchange.h>
#include <mikey/mem.h>
#include <mikey/msg.h>
#include <mikey/srtp.h>
#include <mikey/text.h>
#include <mikey/types.h>

#define PAYLOAD 160
#define N_SENDERS 10
#define N_REKEYS 100

static const uint8_t psk[16] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
                                0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff};
static const char *psk_hex = "00112233445566778899aabbccddeeff";

static void setup(void)
{
	gst_init(NULL, NULL);
}

static void make_rtp(uint8_t *b, uint32_t ssrc, uint16_t seq)
{
	b[0] = 0x80;
	b[1] = 96;
	b[2] = (uint8_t)(seq >> 8);
	b[3] = (uint8_t)seq;
	b[4] = 0;
	b[5] = 0;
	b[6] = (uint8_t)(seq >> 8);
	b[7] = (uint8_t)seq;
	b[8] = (uint8_t)(ssrc >> 24);
	b[9] = (uint8_t)(ssrc >> 16);
	b[10] = (uint8_t)(ssrc >> 8);
	b[11] = (uint8_t)ssrc;
	for (size_t i = 0; i < PAYLOAD; i++)
		b[12 + i] = (uint8_t)(i * 7 + seq + ssrc);
}

static GstBuffer *rtp_buffer(uint32_t ssrc, uint16_t seq)
{
	uint8_t b[12 + PAYLOAD];
	make_rtp(b, ssrc, seq);
	return gst_buffer_new_memdup(b, sizeof(b));
}

static void assert_rtp(GstBuffer *out, uint32_t ssrc, uint16_t seq)
{
	uint8_t want[12 + PAYLOAD];
	GstMapInfo m;

	cr_assert_not_null(out, "no packet for SSRC %u seq %u", ssrc, seq);
	make_rtp(want, ssrc, seq);
	cr_assert(gst_buffer_map(out, &m, GST_MAP_READ));
	cr_assert_eq(m.size, sizeof(want), "SSRC %u seq %u: %zu bytes", ssrc, seq, m.size);
	cr_assert_arr_eq(m.data, want, sizeof(want), "SSRC %u seq %u: payload differs", ssrc, seq);
	gst_buffer_unmap(out, &m);
}

/* A PSK initiator for generation |gen| of CSB |csb| keying |n| SSRCs:
 * AES-CM-128 / HMAC-SHA1-80, MKI = big-endian |gen| (4 bytes), fresh TGK.
 * Returns the complete initiator exchange; *b64 the I_MESSAGE in base64. */
static mikey_exchange *make_gen_pol(mikey_ctx *ctx, uint32_t csb, uint32_t gen, const uint32_t *ssrcs,
                                    const uint32_t *rocs, size_t n, const mikey_srtp_policy *policy, gchar **b64)
{
	mikey_cs_desc cs[N_SENDERS];
	mikey_srtp_policy pol;
	mikey_offer o;
	mikey_exchange *ex = NULL;
	uint8_t mki[4] = {(uint8_t)(gen >> 24), (uint8_t)(gen >> 16), (uint8_t)(gen >> 8), (uint8_t)gen};
	uint8_t *msg = NULL;
	size_t len = 0;
	mikey_error err;
	char *text;

	cr_assert(n <= N_SENDERS);
	for (size_t i = 0; i < n; i++) {
		cs[i].ssrc = ssrcs[i];
		cs[i].roc = rocs != NULL ? rocs[i] : 0;
		cs[i].policy_no = 0;
	}
	if (policy != NULL)
		pol = *policy;
	else
		mikey_srtp_policy_default(&pol);
	mikey_offer_init(&o, MIKEY_MODE_PSK);
	o.csb_id = csb;
	o.cs = cs;
	o.n_cs = n;
	o.policies = &pol;
	o.n_policies = 1;
	o.mki = mki;
	o.mki_len = sizeof(mki);
	cr_assert_eq(mikey_initiate(ctx, &o, &ex, &msg, &len, &err), MIKEY_OK, "%s", err.message);
	cr_assert(mikey_exchange_is_complete(ex));
	text = mikey_base64_encode(msg, len);
	cr_assert_not_null(text);
	*b64 = g_strdup(text);
	mikey_free(text);
	mikey_buf_free(msg, len);
	return ex;
}

static mikey_exchange *make_gen(mikey_ctx *ctx, uint32_t csb, uint32_t gen, const uint32_t *ssrcs, const uint32_t *rocs,
                                size_t n, gchar **b64)
{
	return make_gen_pol(ctx, csb, gen, ssrcs, rocs, n, NULL, b64);
}

static mikey_ctx *initiator(void)
{
	mikey_ctx *ctx = mikey_ctx_new();
	cr_assert_not_null(ctx);
	mikey_ctx_set_clock(ctx, mikey_clock_system, NULL);
	cr_assert_eq(mikey_ctx_add_psk(ctx, NULL, 0, psk, sizeof(psk)), MIKEY_OK);
	return ctx;
}

static guint64 stream_stat(GstElement *el, uint32_t ssrc, const char *field)
{
	GstStructure *stats = NULL;
	const GValue *arr;
	guint64 v = G_MAXUINT64;

	g_object_get(el, "stats", &stats, NULL);
	cr_assert_not_null(stats);
	arr = gst_structure_get_value(stats, "streams");
	cr_assert_not_null(arr);
	for (guint i = 0; i < gst_value_array_get_size(arr); i++) {
		const GstStructure *s = gst_value_get_structure(gst_value_array_get_value(arr, i));
		guint got;
		cr_assert(gst_structure_get_uint(s, "ssrc", &got));
		if (got != ssrc)
			continue;
		if (strcmp(field, "roc") == 0 || strcmp(field, "keys") == 0) {
			guint u;
			cr_assert(gst_structure_get_uint(s, field, &u));
			v = u;
		} else {
			cr_assert(gst_structure_get_uint64(s, field, &v), "no field %s", field);
		}
	}
	gst_structure_free(stats);
	cr_assert_neq(v, G_MAXUINT64, "no stream for SSRC %u in the stats", ssrc);
	return v;
}

static guint64 element_stat(GstElement *el, const char *field)
{
	GstStructure *stats = NULL;
	guint64 v = 0;
	g_object_get(el, "stats", &stats, NULL);
	cr_assert(gst_structure_get_uint64(stats, field, &v), "no field %s", field);
	gst_structure_free(stats);
	return v;
}

static GstHarness *enc_harness(void)
{
	GstHarness *h = gst_harness_new_with_padnames("srtpgroupenc", "rtp_sink_0", "rtp_src_0");
	gst_harness_set_src_caps_str(h, "application/x-rtp, payload=(int)96, clock-rate=(int)8000");
	return h;
}

static GstHarness *dec_harness(void)
{
	GstHarness *h = gst_harness_new_with_padnames("srtpgroupdec", "rtp_sink", "rtp_src");
	gst_harness_set_src_caps_str(h, "application/x-srtp, payload=(int)96, clock-rate=(int)8000");
	return h;
}

TestSuite(srtpgroup, .init = setup);

/* 10 senders through one encoder and one decoder; 100 rekeys of the same
 * CSB while packets flow; the decoder learns each new key before the
 * packets under the previous one arrive (they use the grace period).
 * Sequence numbers start near the wrap, so every ROC moves during the
 * test and must survive the rekeys. Nothing may be lost or refused. */
Test(srtpgroup, ten_senders_hundred_rekeys_lose_nothing)
{
	uint32_t ssrcs[N_SENDERS];
	mikey_ctx *ctx = initiator();
	mikey_exchange *gens[N_REKEYS + 1];
	gchar *b64[N_REKEYS + 1];
	GstHarness *enc = enc_harness(), *dec = dec_harness();
	gboolean ok = FALSE;
	guint16 seq0 = 65500;

	for (size_t i = 0; i < N_SENDERS; i++)
		ssrcs[i] = 0x1000 + (uint32_t)i * 7919;
	for (uint32_t g = 0; g <= N_REKEYS; g++)
		gens[g] = make_gen(ctx, 0xC5B0001, g + 1, ssrcs, NULL, N_SENDERS, &b64[g]);
	g_object_set(dec->element, "mikey-psk", psk_hex, "mikey", b64[0], NULL);
	g_signal_emit_by_name(enc->element, "add-exchange", gens[0], &ok);
	cr_assert(ok);
	gst_harness_play(enc);
	gst_harness_play(dec);

	for (uint32_t g = 0; g <= N_REKEYS; g++) {
		GstBuffer *srtp[N_SENDERS];
		if (g > 0) {
			g_signal_emit_by_name(enc->element, "add-exchange", gens[g], &ok);
			cr_assert(ok, "encoder rekey %u", g);
		}
		for (size_t i = 0; i < N_SENDERS; i++) {
			cr_assert_eq(gst_harness_push(enc, rtp_buffer(ssrcs[i], (guint16)(seq0 + g))), GST_FLOW_OK);
			srtp[i] = gst_harness_pull(enc);
			cr_assert_not_null(srtp[i]);
		}
		/* The next key reaches the decoder before these packets do. */
		if (g < N_REKEYS)
			g_object_set(dec->element, "mikey", b64[g + 1], NULL);
		for (size_t i = 0; i < N_SENDERS; i++) {
			GstBuffer *out;
			cr_assert_eq(gst_harness_push(dec, srtp[i]), GST_FLOW_OK);
			out = gst_harness_pull(dec);
			assert_rtp(out, ssrcs[i], (guint16)(seq0 + g));
			gst_buffer_unref(out);
		}
	}
	for (size_t i = 0; i < N_SENDERS; i++) {
		cr_assert_eq(stream_stat(dec->element, ssrcs[i], "packets"), N_REKEYS + 1);
		cr_assert_eq(stream_stat(dec->element, ssrcs[i], "auth-failures"), 0);
		cr_assert_eq(stream_stat(dec->element, ssrcs[i], "unknown-mki"), 0);
		cr_assert_eq(stream_stat(dec->element, ssrcs[i], "replays"), 0);
		/* 65500 + 100 crossed 65535 once. */
		cr_assert_eq(stream_stat(enc->element, ssrcs[i], "roc"), 1);
		cr_assert_eq(stream_stat(dec->element, ssrcs[i], "roc"), 1);
		/* The encoder keeps only the current key. */
		cr_assert_eq(stream_stat(enc->element, ssrcs[i], "keys"), 1);
		cr_assert_leq(stream_stat(dec->element, ssrcs[i], "keys"), 16);
	}
	for (uint32_t g = 0; g <= N_REKEYS; g++) {
		mikey_exchange_free(gens[g]);
		g_free(b64[g]);
	}
	gst_harness_teardown(enc);
	gst_harness_teardown(dec);
	mikey_ctx_free(ctx);
}

/* A MIKEY crypto session with a ROC (RFC 3830 §6.1.1): a member joining
 * late decrypts from its first packet, and the stats show that ROC. */
Test(srtpgroup, late_joiner_starts_at_the_roc_of_its_crypto_session)
{
	uint32_t ssrc = 0xabcdef01, roc = 7;
	mikey_ctx *ctx = initiator();
	gchar *b64;
	mikey_exchange *ex = make_gen(ctx, 99, 1, &ssrc, &roc, 1, &b64);
	GstHarness *enc = enc_harness(), *dec = dec_harness();
	GstBuffer *out;

	g_object_set(enc->element, "mikey-psk", psk_hex, "mikey", b64, NULL);
	g_object_set(dec->element, "mikey-psk", psk_hex, "mikey", b64, NULL);
	gst_harness_play(enc);
	gst_harness_play(dec);
	cr_assert_eq(gst_harness_push(enc, rtp_buffer(ssrc, 1234)), GST_FLOW_OK);
	cr_assert_eq(gst_harness_push(dec, gst_harness_pull(enc)), GST_FLOW_OK);
	out = gst_harness_pull(dec);
	assert_rtp(out, ssrc, 1234);
	gst_buffer_unref(out);
	cr_assert_eq(stream_stat(dec->element, ssrc, "roc"), roc);
	mikey_exchange_free(ex);
	g_free(b64);
	gst_harness_teardown(enc);
	gst_harness_teardown(dec);
	mikey_ctx_free(ctx);
}

/* RFC 4771: the MIKEY message's SP asks for RCCm2 (type 14), R = 8
 * (type 13) and a 14-byte SRTP tag (type 18). The decoder joins after the
 * sender's ROC has moved past the one in the message; it drops the
 * packets before the first ROC-carrying one (their HMAC uses its stale
 * ROC), resynchronises there, decrypts every later packet bit-exact, and
 * its stats show the learnt ROC. The same with plain HMAC-SHA1-80 never
 * recovers. */
Test(srtpgroup, rcc_late_decoder_resynchronises_from_the_packets)
{
	for (int rcc = 1; rcc >= 0; rcc--) {
		uint32_t ssrc = 0x4771;
		mikey_ctx *ctx = initiator();
		mikey_srtp_policy pol;
		gchar *b64;
		GstHarness *enc = enc_harness(), *dec = dec_harness();
		GstBuffer *out;
		guint decoded = 0;

		mikey_srtp_policy_default(&pol);
		if (rcc) {
			pol.srtp_auth_alg = MIKEY_SRTP_AUTH_RCCM2;
			pol.srtp_auth_key_len = 20;
			pol.srtp_auth_tag_len = 14;
			pol.roc_tx_rate = 8;
			pol.specific = MIKEY_SRTP_SPEC_SRTP_AUTH_ALG | MIKEY_SRTP_SPEC_SRTP_TAG_LEN;
		}
		mikey_exchange *ex = make_gen_pol(ctx, 4771, 1, &ssrc, NULL, 1, &pol, &b64);
		g_object_set(enc->element, "mikey-psk", psk_hex, "mikey", b64, NULL);
		g_object_set(dec->element, "mikey-psk", psk_hex, "mikey", b64, NULL);
		gst_harness_play(enc);
		gst_harness_play(dec);
		for (guint32 i = 0; i < 80; i++) {
			guint16 seq = (guint16)(65500 + i); /* seq 0 at i = 36: ROC 1 */
			cr_assert_eq(gst_harness_push(enc, rtp_buffer(ssrc, seq)), GST_FLOW_OK);
			GstBuffer *srtp = gst_harness_pull(enc);
			cr_assert_not_null(srtp);
			if (rcc && seq % 8 == 0)
				cr_assert_eq(gst_buffer_get_size(srtp), 12 + PAYLOAD + 4 + 14, "MKI, then ROC || MAC_tr");
			if (i < 40) { /* the decoder is not there yet */
				gst_buffer_unref(srtp);
				continue;
			}
			cr_assert_eq(gst_harness_push(dec, srtp), GST_FLOW_OK);
			if (seq < 8) { /* seq 4..7 before the first ROC packet, seq 8 */
				cr_assert_eq(gst_harness_buffers_in_queue(dec), 0, "seq %u: dropped", seq);
				continue;
			}
			if (!rcc) {
				cr_assert_eq(gst_harness_buffers_in_queue(dec), 0, "seq %u: never recovers", seq);
				continue;
			}
			out = gst_harness_pull(dec);
			assert_rtp(out, ssrc, seq);
			gst_buffer_unref(out);
			decoded++;
		}
		cr_assert_eq(stream_stat(enc->element, ssrc, "roc"), 1);
		cr_assert_eq(stream_stat(dec->element, ssrc, "auth-failures"), rcc ? 4 : 40);
		cr_assert_eq(stream_stat(dec->element, ssrc, "packets"), rcc ? 36 : 0);
		cr_assert_eq(stream_stat(dec->element, ssrc, "roc"), rcc ? 1 : 0);
		cr_assert_eq(decoded, rcc ? 36 : 0);
		mikey_exchange_free(ex);
		g_free(b64);
		gst_harness_teardown(enc);
		gst_harness_teardown(dec);
		mikey_ctx_free(ctx);
	}
}

static const guint8 key1[30] = {0xe1, 0xf9, 0x7a, 0x0d, 0x3e, 0x01, 0x8b, 0xe0, 0xd6, 0x4f, 0xa3, 0x2c, 0x06, 0xde, 0x41,
                                0x39, 0x0e, 0xc6, 0x75, 0xad, 0x49, 0x8a, 0xfe, 0xeb, 0xb6, 0x96, 0x0b, 0x3a, 0xab, 0xe6};
static const guint8 key2[30] = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff,
                                0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x80, 0x90, 0xa0, 0xb0, 0xc0, 0xd0, 0xe0, 0xf0};
static const guint8 mki1[4] = {0, 0, 0, 1}, mki2[4] = {0, 0, 0, 2}, mki3[4] = {0, 0, 0, 3};

static guint request_key_calls;

/* srtpdec's request-key contract: caps with two keys, each by MKI. */
static GstCaps *two_keys(GstElement *el, guint ssrc, gpointer user)
{
	GstBuffer *k1 = gst_buffer_new_memdup(key1, sizeof(key1)), *k2 = gst_buffer_new_memdup(key2, sizeof(key2));
	GstBuffer *m1 = gst_buffer_new_memdup(mki1, sizeof(mki1)), *m2 = gst_buffer_new_memdup(mki2, sizeof(mki2));
	GstCaps *caps = gst_caps_new_simple(
	    "application/x-srtp", "ssrc", G_TYPE_UINT, ssrc, "srtp-key", GST_TYPE_BUFFER, k1, "srtp-cipher", G_TYPE_STRING,
	    "aes-128-icm", "srtp-auth", G_TYPE_STRING, "hmac-sha1-80", "srtcp-cipher", G_TYPE_STRING, "aes-128-icm",
	    "srtcp-auth", G_TYPE_STRING, "hmac-sha1-80", "mki", GST_TYPE_BUFFER, m1, "srtp-key2", GST_TYPE_BUFFER, k2,
	    "mki2", GST_TYPE_BUFFER, m2, NULL);
	gst_buffer_unref(k1);
	gst_buffer_unref(k2);
	gst_buffer_unref(m1);
	gst_buffer_unref(m2);
	request_key_calls++;
	return caps;
}

static void set_enc_key(GstElement *enc, const guint8 *key, const guint8 *mki)
{
	GstBuffer *k = gst_buffer_new_memdup(key, 30), *m = gst_buffer_new_memdup(mki, 4);
	g_object_set(enc, "key", k, "mki", m, NULL);
	gst_buffer_unref(k);
	gst_buffer_unref(m);
}

/* The shape of srtpdec's multiple-MKI test: the decoder holds two keys
 * from request-key; the sender uses one, then the other; a third MKI is
 * refused and counted, and the stream goes on. */
Test(srtpgroup, request_key_with_two_mkis_like_srtpdec)
{
	GstHarness *enc = enc_harness(), *dec = dec_harness();
	uint32_t ssrc = 0x11223344;
	GstBuffer *out;

	request_key_calls = 0;
	g_signal_connect(dec->element, "request-key", G_CALLBACK(two_keys), NULL);
	set_enc_key(enc->element, key1, mki1);
	gst_harness_play(enc);
	gst_harness_play(dec);
	for (guint16 seq = 0; seq < 30; seq++) {
		if (seq == 10)
			set_enc_key(enc->element, key2, mki2);
		if (seq == 20)
			set_enc_key(enc->element, key1, mki3); /* an MKI the decoder never got */
		cr_assert_eq(gst_harness_push(enc, rtp_buffer(ssrc, seq)), GST_FLOW_OK);
		cr_assert_eq(gst_harness_push(dec, gst_harness_pull(enc)), GST_FLOW_OK);
		if (seq < 20) {
			out = gst_harness_pull(dec);
			assert_rtp(out, ssrc, seq);
			gst_buffer_unref(out);
		}
	}
	cr_assert_eq(gst_harness_buffers_in_queue(dec), 0);
	cr_assert_eq(request_key_calls, 1);
	cr_assert_eq(stream_stat(dec->element, ssrc, "packets"), 20);
	cr_assert_eq(stream_stat(dec->element, ssrc, "unknown-mki"), 10);
	gst_harness_teardown(enc);
	gst_harness_teardown(dec);
}

/* srtpenc's allow-repeat-tx: with it a packet pushed again comes out as
 * the same SRTP bytes (a retransmission); without it the repeat is
 * dropped and counted. */
Test(srtpgroup, allow_repeat_tx_like_srtpenc)
{
	const uint32_t ssrc = 0x0badcafe;

	for (int allow = 0; allow < 2; allow++) {
		GstHarness *enc = enc_harness();
		GstBuffer *a, *b;
		GstMapInfo ma, mb;

		g_object_set(enc->element, "allow-repeat-tx", allow, NULL);
		set_enc_key(enc->element, key1, mki1);
		gst_harness_play(enc);
		for (guint16 seq = 0; seq < 5; seq++) {
			cr_assert_eq(gst_harness_push(enc, rtp_buffer(ssrc, seq)), GST_FLOW_OK);
			gst_buffer_unref(gst_harness_pull(enc));
		}
		cr_assert_eq(gst_harness_push(enc, rtp_buffer(ssrc, 5)), GST_FLOW_OK);
		a = gst_harness_pull(enc);
		cr_assert_eq(gst_harness_push(enc, rtp_buffer(ssrc, 5)), GST_FLOW_OK);
		if (!allow) {
			cr_assert_eq(gst_harness_buffers_in_queue(enc), 0, "a repeat left the encoder");
			cr_assert_eq(stream_stat(enc->element, ssrc, "replays"), 1);
		} else {
			b = gst_harness_pull(enc);
			cr_assert(gst_buffer_map(a, &ma, GST_MAP_READ) && gst_buffer_map(b, &mb, GST_MAP_READ));
			cr_assert_eq(ma.size, mb.size);
			cr_assert_arr_eq(ma.data, mb.data, ma.size, "the repeat is not the same packet");
			gst_buffer_unmap(a, &ma);
			gst_buffer_unmap(b, &mb);
			gst_buffer_unref(b);
		}
		gst_buffer_unref(a);
		gst_harness_teardown(enc);
	}
}

static GstCaps *no_key(GstElement *el, guint ssrc, gpointer user)
{
	request_key_calls++;
	return NULL;
}

/* An SSRC nobody has a key for: request-key each time, packets dropped
 * and counted, nothing else happens. */
Test(srtpgroup, ssrc_without_key_is_asked_for_and_dropped)
{
	GstHarness *enc = enc_harness(), *dec = dec_harness();

	request_key_calls = 0;
	g_signal_connect(dec->element, "request-key", G_CALLBACK(no_key), NULL);
	set_enc_key(enc->element, key1, mki1);
	gst_harness_play(enc);
	gst_harness_play(dec);
	for (guint16 seq = 0; seq < 5; seq++) {
		cr_assert_eq(gst_harness_push(enc, rtp_buffer(77, seq)), GST_FLOW_OK);
		cr_assert_eq(gst_harness_push(dec, gst_harness_pull(enc)), GST_FLOW_OK);
	}
	cr_assert_eq(gst_harness_buffers_in_queue(dec), 0);
	cr_assert_eq(request_key_calls, 5);
	cr_assert_eq(element_stat(dec->element, "no-key-drops"), 5);
	gst_harness_teardown(enc);
	gst_harness_teardown(dec);
}

static GstBuffer *with_byte(GstBuffer *b, gsize at, guint8 xor_mask)
{
	GstMapInfo m;
	b = gst_buffer_make_writable(b);
	cr_assert(gst_buffer_map(b, &m, GST_MAP_WRITE));
	m.data[at] ^= xor_mask;
	gst_buffer_unmap(b, &m);
	return b;
}

/* Bad packets: each dropped, counted in its own counter, and the stream
 * goes on with the next good packet. */
Test(srtpgroup, bad_packets_dropped_and_counted)
{
	GstHarness *enc = enc_harness(), *dec = dec_harness();
	uint32_t ssrc = 0x5eed;
	GstBuffer *good[8], *out;
	guint8 junk[5] = {0x80, 0, 0, 1, 2};

	g_signal_connect(dec->element, "request-key", G_CALLBACK(two_keys), NULL);
	set_enc_key(enc->element, key1, mki1);
	gst_harness_play(enc);
	gst_harness_play(dec);
	for (guint16 seq = 0; seq < 8; seq++) {
		cr_assert_eq(gst_harness_push(enc, rtp_buffer(ssrc, seq)), GST_FLOW_OK);
		good[seq] = gst_harness_pull(enc);
	}
	/* short */
	cr_assert_eq(gst_harness_push(dec, gst_buffer_new_memdup(junk, sizeof(junk))), GST_FLOW_OK);
	/* not RTP version 2 */
	cr_assert_eq(gst_harness_push(dec, with_byte(gst_buffer_copy(good[0]), 0, 0xc0)), GST_FLOW_OK);
	/* a flipped payload bit: the tag fails */
	cr_assert_eq(gst_harness_push(dec, with_byte(gst_buffer_copy(good[0]), 40, 0x01)), GST_FLOW_OK);
	/* an empty buffer */
	cr_assert_eq(gst_harness_push(dec, gst_buffer_new()), GST_FLOW_OK);
	cr_assert_eq(gst_harness_buffers_in_queue(dec), 0);
	/* the good packet, then its replay */
	cr_assert_eq(gst_harness_push(dec, gst_buffer_ref(good[0])), GST_FLOW_OK);
	cr_assert_eq(gst_harness_push(dec, good[0]), GST_FLOW_OK);
	out = gst_harness_pull(dec);
	assert_rtp(out, ssrc, 0);
	gst_buffer_unref(out);
	cr_assert_eq(gst_harness_buffers_in_queue(dec), 0);
	for (guint16 seq = 1; seq < 8; seq++) {
		cr_assert_eq(gst_harness_push(dec, good[seq]), GST_FLOW_OK);
		out = gst_harness_pull(dec);
		assert_rtp(out, ssrc, seq);
		gst_buffer_unref(out);
	}
	cr_assert_eq(stream_stat(dec->element, ssrc, "auth-failures"), 1);
	cr_assert_eq(stream_stat(dec->element, ssrc, "replays"), 1);
	cr_assert_eq(stream_stat(dec->element, ssrc, "packets"), 8);
	cr_assert_eq(element_stat(dec->element, "malformed"), 3);
	gst_harness_teardown(enc);
	gst_harness_teardown(dec);
}

/* Buffer lists go through as lists, every packet in them processed. */
Test(srtpgroup, buffer_lists_stay_lists)
{
	GstHarness *enc = enc_harness(), *dec = dec_harness();
	GstBufferList *list = gst_buffer_list_new();
	GstBuffer *out;

	g_signal_connect(dec->element, "request-key", G_CALLBACK(two_keys), NULL);
	set_enc_key(enc->element, key1, mki1);
	gst_harness_play(enc);
	gst_harness_play(dec);
	for (guint16 seq = 0; seq < 32; seq++)
		gst_buffer_list_add(list, rtp_buffer(0x10 + seq % 4, seq));
	cr_assert_eq(gst_pad_push_list(enc->srcpad, list), GST_FLOW_OK);
	cr_assert_eq(gst_harness_buffers_in_queue(enc), 32);
	list = gst_buffer_list_new();
	for (guint16 seq = 0; seq < 32; seq++)
		gst_buffer_list_add(list, gst_harness_pull(enc));
	cr_assert_eq(gst_pad_push_list(dec->srcpad, list), GST_FLOW_OK);
	for (guint16 seq = 0; seq < 32; seq++) {
		out = gst_harness_pull(dec);
		assert_rtp(out, 0x10 + seq % 4, seq);
		gst_buffer_unref(out);
	}
	gst_harness_teardown(enc);
	gst_harness_teardown(dec);
}

static gboolean bus_has(GstBus *bus, GstMessageType type, const char *needle)
{
	GstMessage *msg;
	gboolean found = FALSE;

	while (!found && (msg = gst_bus_pop_filtered(bus, type)) != NULL) {
		GError *err = NULL;
		gchar *dbg = NULL;
		if (type == GST_MESSAGE_ERROR)
			gst_message_parse_error(msg, &err, &dbg);
		else
			gst_message_parse_warning(msg, &err, &dbg);
		found = dbg != NULL && strstr(dbg, needle) != NULL;
		g_clear_error(&err);
		g_free(dbg);
		gst_message_unref(msg);
	}
	return found;
}

/* A MIKEY message under the wrong PSK: the element does not start, and
 * the error names the libmikey error. While PLAYING, a bad message is a
 * warning and the keys in use stay. */
Test(srtpgroup, mikey_errors_are_named_and_change_nothing)
{
	uint32_t ssrc = 4242;
	mikey_ctx *ctx = initiator();
	gchar *b64, *b64_2;
	mikey_exchange *ex = make_gen(ctx, 7, 1, &ssrc, NULL, 1, &b64);
	mikey_exchange *ex2 = make_gen(ctx, 7, 2, &ssrc, NULL, 1, &b64_2);
	GstElement *dec = gst_element_factory_make("srtpgroupdec", NULL);
	GstBus *bus = gst_bus_new();
	GstHarness *enc, *h;
	GstBuffer *out;

	cr_assert_not_null(dec);
	gst_element_set_bus(dec, bus);
	g_object_set(dec, "mikey-psk", "ffffffffffffffffffffffffffffffff", "mikey", b64, NULL);
	cr_assert_eq(gst_element_set_state(dec, GST_STATE_READY), GST_STATE_CHANGE_FAILURE);
	cr_assert(bus_has(bus, GST_MESSAGE_ERROR, "MIKEY_ERR_AUTH"));
	gst_element_set_state(dec, GST_STATE_NULL);
	gst_object_unref(dec);
	gst_object_unref(bus);

	enc = enc_harness();
	h = dec_harness();
	bus = gst_bus_new();
	gst_element_set_bus(h->element, bus);
	g_object_set(enc->element, "mikey-psk", psk_hex, "mikey", b64, NULL);
	g_object_set(h->element, "mikey-psk", psk_hex, "mikey", b64, NULL);
	gst_harness_play(enc);
	gst_harness_play(h);
	/* Not MIKEY; then the same message again (a replay, RFC 3830 §5.4);
	 * then a tampered newer one. */
	g_object_set(h->element, "mikey", "bm90IG1pa2V5", NULL);
	cr_assert(bus_has(bus, GST_MESSAGE_WARNING, "MIKEY_ERR_"));
	g_object_set(h->element, "mikey", b64, NULL);
	cr_assert(bus_has(bus, GST_MESSAGE_WARNING, "MIKEY_ERR_REPLAY"));
	b64_2[20] = b64_2[20] == 'A' ? 'B' : 'A';
	g_object_set(h->element, "mikey", b64_2, NULL);
	cr_assert(bus_has(bus, GST_MESSAGE_WARNING, "MIKEY_ERR_"));
	cr_assert_eq(gst_harness_push(enc, rtp_buffer(ssrc, 9)), GST_FLOW_OK);
	cr_assert_eq(gst_harness_push(h, gst_harness_pull(enc)), GST_FLOW_OK);
	out = gst_harness_pull(h);
	assert_rtp(out, ssrc, 9);
	gst_buffer_unref(out);
	cr_assert_eq(stream_stat(h->element, ssrc, "keys"), 1);
	gst_harness_teardown(enc);
	gst_harness_teardown(h);
	gst_object_unref(bus);
	mikey_exchange_free(ex);
	mikey_exchange_free(ex2);
	g_free(b64);
	g_free(b64_2);
	mikey_ctx_free(ctx);
}

/* SRTCP through the RTCP pads, both elements. */
Test(srtpgroup, srtcp_both_ways)
{
	GstHarness *enc = gst_harness_new_with_padnames("srtpgroupenc", "rtcp_sink_0", "rtcp_src_0");
	GstHarness *dec = gst_harness_new_with_padnames("srtpgroupdec", "rtcp_sink", "rtcp_src");
	/* RTCP SR (RFC 3550 §6.4.1), SSRC 0x0badcafe, no report blocks. */
	guint8 sr[28] = {0x80, 200, 0, 6, 0x0b, 0xad, 0xca, 0xfe, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 160, 0, 0, 0, 9,
	                 0, 0, 5, 160};
	GstBuffer *out;
	GstMapInfo m;

	gst_harness_set_src_caps_str(enc, "application/x-rtcp");
	gst_harness_set_src_caps_str(dec, "application/x-srtcp");
	g_signal_connect(dec->element, "request-key", G_CALLBACK(two_keys), NULL);
	set_enc_key(enc->element, key2, mki2);
	gst_harness_play(enc);
	gst_harness_play(dec);
	for (int i = 0; i < 3; i++) {
		cr_assert_eq(gst_harness_push(enc, gst_buffer_new_memdup(sr, sizeof(sr))), GST_FLOW_OK);
		out = gst_harness_pull(enc);
		/* E flag || index, MKI, 10-byte tag (RFC 3711 §3.4) */
		cr_assert_eq(gst_buffer_get_size(out), sizeof(sr) + 4 + 4 + 10);
		cr_assert_eq(gst_harness_push(dec, out), GST_FLOW_OK);
		out = gst_harness_pull(dec);
		cr_assert(gst_buffer_map(out, &m, GST_MAP_READ));
		cr_assert_eq(m.size, sizeof(sr));
		cr_assert_arr_eq(m.data, sr, sizeof(sr));
		gst_buffer_unmap(out, &m);
		gst_buffer_unref(out);
	}
	cr_assert_eq(stream_stat(dec->element, 0x0badcafe, "rtcp-packets"), 3);
	gst_harness_teardown(enc);
	gst_harness_teardown(dec);
}

/* random-key draws a key of the profile's length; two elements never
 * draw the same one. */
Test(srtpgroup, random_key_has_the_profile_length)
{
	GstHarness *a = enc_harness(), *b = enc_harness();
	GstBuffer *ka = NULL, *kb = NULL;

	g_object_set(a->element, "random-key", TRUE, "rtp-cipher", 4, "rtcp-cipher", 4, "rtp-auth", 0, "rtcp-auth", 0,
	             NULL);
	g_object_set(b->element, "random-key", TRUE, "rtp-cipher", 4, "rtcp-cipher", 4, "rtp-auth", 0, "rtcp-auth", 0,
	             NULL);
	gst_harness_play(a);
	gst_harness_play(b);
	/* The key is drawn at start, or at the first packet when random-key
	 * was set on a running element. */
	cr_assert_eq(gst_harness_push(b, rtp_buffer(2, 1)), GST_FLOW_OK);
	gst_buffer_unref(gst_harness_pull(b));
	cr_assert_eq(gst_harness_push(a, rtp_buffer(1, 1)), GST_FLOW_OK);
	g_object_get(a->element, "key", &ka, NULL);
	g_object_get(b->element, "key", &kb, NULL);
	cr_assert_not_null(ka);
	cr_assert_eq(gst_buffer_get_size(ka), 44); /* AES-256-GCM: 32 + 12 */
	{
		GstMapInfo m;
		cr_assert(gst_buffer_map(kb, &m, GST_MAP_READ));
		cr_assert_neq(gst_buffer_memcmp(ka, 0, m.data, m.size), 0);
		gst_buffer_unmap(kb, &m);
	}
	{
		GstBuffer *o = gst_harness_pull(a);
		/* 12 + 160 + 16-byte GCM tag */
		cr_assert_eq(gst_buffer_get_size(o), 12 + PAYLOAD + 16);
		gst_buffer_unref(o);
	}
	gst_buffer_unref(ka);
	gst_buffer_unref(kb);
	gst_harness_teardown(a);
	gst_harness_teardown(b);
}

/* ---- TESLA (RFC 4383) in the pipeline ---- */

#include <gst/check/gsttestclock.h>
#include <mikey/srtp_tesla.h>
#include <mikey/tesla.h>

#define T_INT_MS 100
#define TESLA_D 2

static const uint8_t seed_a[20] = {0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa,
                                   0xab, 0xac, 0xad, 0xae, 0xaf, 0xb0, 0xb1, 0xb2, 0xb3, 0xb4};
static const uint8_t seed_b[20] = {0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a,
                                   0x5b, 0x5c, 0x5d, 0x5e, 0x5f, 0x60, 0x61, 0x62, 0x63, 0x64};
static const char *seed_a_hex = "a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4";
static const char *seed_b_hex = "5152535455565758595a5b5c5d5e5f6061626364";

/* TESLA parameters of a sender with chain seed |seed|, interval 0 one
 * T_int before now (RFC 4383 §4.3; the first packet goes in interval 1). */
static mikey_tesla_sender *tesla_sender(const uint8_t *seed, uint64_t t0)
{
	mikey_tesla_params p;
	mikey_tesla_sender *s = NULL;

	mikey_tesla_params_default(&p);
	p.t_0 = t0;
	p.t_int = T_INT_MS;
	p.d = TESLA_D;
	p.n_c = 1000;
	cr_assert_eq(mikey_tesla_sender_new(&p, seed, 20, &s), MIKEY_OK);
	return s;
}

/* Two senders A and B with their own chains, in one group message. */
static mikey_exchange *tesla_group_message(mikey_ctx *ctx, uint32_t a, uint32_t b, gchar **b64,
                                           mikey_tesla_sender **sa, mikey_tesla_sender **sb)
{
	uint64_t t0 = mikey_clock_system(NULL) - MIKEY_TESLA_NTP_FROM_MS(T_INT_MS);
	mikey_cs_desc cs[2] = {{a, 0, 0}, {b, 0, 0}};
	mikey_tesla_params tp[2];
	mikey_srtp_policy pol;
	mikey_offer o;
	mikey_exchange *ex = NULL;
	uint8_t mki[2] = {0, 1};
	uint8_t *msg = NULL;
	size_t len = 0;
	mikey_error err;
	char *text;

	*sa = tesla_sender(seed_a, t0);
	*sb = tesla_sender(seed_b, t0);
	tp[0] = *mikey_tesla_sender_get0_params(*sa);
	tp[1] = *mikey_tesla_sender_get0_params(*sb);
	mikey_srtp_policy_default(&pol);
	mikey_offer_init(&o, MIKEY_MODE_PSK);
	o.csb_id = 0x7e51a;
	o.cs = cs;
	o.n_cs = 2;
	o.policies = &pol;
	o.n_policies = 1;
	o.mki = mki;
	o.mki_len = sizeof(mki);
	o.cs_tesla = tp;
	cr_assert_eq(mikey_initiate(ctx, &o, &ex, &msg, &len, &err), MIKEY_OK, "%s", err.message);
	text = mikey_base64_encode(msg, len);
	*b64 = g_strdup(text);
	mikey_free(text);
	mikey_buf_free(msg, len);
	return ex;
}

static GstHarness *tesla_enc(const gchar *b64, const char *seed_hex)
{
	GstHarness *h = enc_harness();
	g_object_set(h->element, "mikey-psk", psk_hex, "tesla-seed", seed_hex, "mikey", b64, NULL);
	gst_harness_use_testclock(h);
	gst_harness_play(h);
	return h;
}

static void advance(GstHarness *h, GstClockTime t)
{
	GstTestClock *c = gst_harness_get_testclock(h);
	gst_test_clock_advance_time(c, (GstClockTimeDiff)t);
	gst_object_unref(c);
}

static guint64 tesla_stat(GstElement *el, uint32_t ssrc, const char *field)
{
	GstStructure *stats = NULL;
	const GValue *arr;
	guint64 v = G_MAXUINT64;

	g_object_get(el, "stats", &stats, NULL);
	arr = gst_structure_get_value(stats, "tesla-streams");
	cr_assert_not_null(arr, "no tesla-streams in the stats");
	for (guint i = 0; i < gst_value_array_get_size(arr); i++) {
		const GstStructure *s = gst_value_get_structure(gst_value_array_get_value(arr, i));
		guint got;
		cr_assert(gst_structure_get_uint(s, "ssrc", &got));
		if (got == ssrc)
			cr_assert(gst_structure_get_uint64(s, field, &v), "no field %s", field);
	}
	gst_structure_free(stats);
	cr_assert_neq(v, G_MAXUINT64, "no TESLA stream %u", ssrc);
	return v;
}

/* Two TESLA senders, each with its own chain, into one decoder; an
 * insider holding the group key (it can derive A's SRTP keys, so the SRTP
 * tag is right) forges packets in A's SSRC with a chain of its own. Only
 * the senders' own packets come out, each once, bit-exact; every forgery
 * is counted and none leaves the decoder. The decoder's latency includes
 * d * T_int. */
/* The PTS the test gives sender |s|'s packet |n| on its way in. */
static GstClockTime tesla_pts(int s, guint n)
{
	return n * 40 * GST_MSECOND + (GstClockTime)s * GST_MSECOND;
}

Test(srtpgroup, tesla_insider_forgeries_never_leave_the_decoder)
{
	const uint32_t a = 0xaaaa0001, b = 0xbbbb0002;
	mikey_ctx *ctx = initiator();
	mikey_tesla_sender *sa, *sb, *fake;
	gchar *b64;
	mikey_exchange *ex = tesla_group_message(ctx, a, b, &b64, &sa, &sb);
	GstHarness *ea = tesla_enc(b64, seed_a_hex), *eb = tesla_enc(b64, seed_b_hex), *dec = dec_harness();
	mikey_crypto_session cs_a;
	mikey_srtp_tesla_tx *forger = NULL;
	mikey_error err;
	guint out_a = 0, out_b = 0;     /* packets out, per sender */
	guint next_a = 0, next_b = 0;   /* the lowest sequence number each may have next */
	GstQuery *q;
	GstClockTime min_lat, max_lat;
	gboolean live;

	/* The insider: A's crypto session (group key material every member
	 * derives), with a chain A never committed to. */
	cr_assert_eq(mikey_exchange_find_cs(ex, a, 0, &cs_a, &err), MIKEY_OK, "%s", err.message);
	fake = tesla_sender(seed_b, mikey_tesla_sender_get0_params(sa)->t_0);
	/* A competent forger: the SRTP tag length of the policy (10). */
	mikey_srtp_tesla_config fcfg = {cs_a.policy.auth_tag_len, 0};
	cr_assert_eq(mikey_srtp_tesla_tx_new(&cs_a, &fcfg, fake, &forger), MIKEY_OK);

	g_object_set(dec->element, "mikey-psk", psk_hex, "mikey", b64, "tesla-clock-lag", 50, NULL);
	gst_harness_use_testclock(dec);
	gst_harness_play(dec);

	/* The forger keeps the senders' time: the pipeline clocks start now
	 * and move 40 ms a round. */
	uint64_t forger_t = mikey_clock_system(NULL);
	for (guint16 n = 0; n < 30; n++) {
		GstHarness *enc[2] = {ea, eb};
		uint32_t ssrc[2] = {a, b};
		uint8_t pkt[512];
		size_t out_len = 0;
		for (int s = 0; s < 2; s++) {
			cr_assert_eq(gst_harness_push(enc[s], rtp_buffer(ssrc[s], n)), GST_FLOW_OK);
			/* What a udpsrc would stamp; it must come out with the
			 * packet when TESLA lets it go, intervals later. */
			GstBuffer *srtp = gst_buffer_make_writable(gst_harness_pull(enc[s]));
			GST_BUFFER_PTS(srtp) = tesla_pts(s, n);
			GST_BUFFER_DURATION(srtp) = 20 * GST_MSECOND;
			cr_assert_eq(gst_harness_push(dec, srtp), GST_FLOW_OK);
		}
		/* A forgery in A's SSRC, under another sequence number range. */
		make_rtp(pkt, a, (uint16_t)(1000 + n));
		cr_assert_eq(mikey_srtp_tesla_tx_protect_rtp(forger, pkt, 12 + PAYLOAD, sizeof(pkt),
		                                             forger_t + MIKEY_TESLA_NTP_FROM_MS(40u * n), &out_len),
		             MIKEY_OK);
		GstBuffer *forged = gst_buffer_new_memdup(pkt, out_len);
		GST_BUFFER_PTS(forged) = 999 * GST_SECOND;
		cr_assert_eq(gst_harness_push(dec, forged), GST_FLOW_OK);
		while (gst_harness_buffers_in_queue(dec) > 0) {
			GstBuffer *o = gst_harness_pull(dec);
			guint8 hdr[12];
			uint32_t who;
			uint16_t seq;
			cr_assert_eq(gst_buffer_extract(o, 0, hdr, 12), 12);
			who = ((uint32_t)hdr[8] << 24) | ((uint32_t)hdr[9] << 16) | ((uint32_t)hdr[10] << 8) | hdr[11];
			seq = (uint16_t)((hdr[2] << 8) | hdr[3]);
			cr_assert_lt(seq, 1000, "a forged packet (seq %u) left the decoder", seq);
			assert_rtp(o, who, seq);
			cr_assert_eq(GST_BUFFER_PTS(o), tesla_pts(who == a ? 0 : 1, seq),
			             "SSRC %08x seq %u: PTS %" GST_TIME_FORMAT " not the input's", who, seq,
			             GST_TIME_ARGS(GST_BUFFER_PTS(o)));
			cr_assert_eq(GST_BUFFER_DURATION(o), 20 * GST_MSECOND);
			/* In order and never twice. A gap is allowed: on a loaded
			 * machine (ASan, tests in parallel) the wall clock each
			 * element ties its clock to at its first packet can set
			 * a sender more than D_t ahead or behind, and TESLA then
			 * drops a first packet as future or unsafe (counted
			 * below), as RFC 4082 §3.5 asks. */
			guint *next = who == a ? &next_a : &next_b;
			cr_assert_geq(seq, *next, "%s's packet %u out of order or repeated", who == a ? "A" : "B", seq);
			*next = seq + 1u;
			if (who == a)
				out_a++;
			else
				out_b++;
			gst_buffer_unref(o);
		}
		/* 40 ms of pipeline time per round. */
		advance(ea, 40 * GST_MSECOND);
		advance(eb, 40 * GST_MSECOND);
		advance(dec, 40 * GST_MSECOND);
	}
	/* 30 rounds span 12 intervals; keys come d = 2 intervals late, so all
	 * but the packets of the last intervals are out. */
	cr_assert_geq(out_a, 20, "only %u of A's packets verified", out_a);
	cr_assert_geq(out_b, 20, "only %u of B's packets verified", out_b);
	cr_assert_eq(tesla_stat(dec->element, a, "tesla-verified"), out_a);
	cr_assert_eq(tesla_stat(dec->element, b, "tesla-verified"), out_b);
	GstStructure *st = NULL; g_object_get(dec->element, "stats", &st, NULL); gchar *x = gst_structure_to_string(st);
	/* Every packet of A's SSRC (30 genuine, 30 forged) is accounted
	 * for: verified, still held for a key not yet disclosed, or dropped
	 * as forged (wrong MAC, or a disclosed key off A's chain), unsafe,
	 * late or from the future. */
	guint64 forged = tesla_stat(dec->element, a, "tesla-forged") + tesla_stat(dec->element, a, "tesla-bad-key");
	cr_assert_eq(tesla_stat(dec->element, a, "tesla-verified") + tesla_stat(dec->element, a, "tesla-held") + forged +
	                 tesla_stat(dec->element, a, "tesla-unsafe") + tesla_stat(dec->element, a, "tesla-late") +
	                 tesla_stat(dec->element, a, "tesla-future"),
	             60, "packets of A not accounted for: %s", x);
	cr_assert_geq(forged, 20, "forgeries not caught by their MAC: %s", x);
	g_free(x);
	gst_structure_free(st);
	cr_assert_eq(tesla_stat(dec->element, b, "tesla-forged"), 0);
	cr_assert_eq(tesla_stat(ea->element, a, "tesla-protected"), 30);

	q = gst_query_new_latency();
	cr_assert(gst_pad_peer_query(dec->sinkpad, q));
	gst_query_parse_latency(q, &live, &min_lat, &max_lat);
	cr_assert_geq(min_lat, TESLA_D * T_INT_MS * GST_MSECOND + 50 * GST_MSECOND, "latency %" G_GUINT64_FORMAT " live %d", min_lat, live);
	gst_query_unref(q);

	mikey_srtp_tesla_tx_free(forger);
	mikey_tesla_sender_free(fake);
	mikey_crypto_session_cleanup(&cs_a);
	mikey_tesla_sender_free(sa);
	mikey_tesla_sender_free(sb);
	mikey_exchange_free(ex);
	g_free(b64);
	gst_harness_teardown(ea);
	gst_harness_teardown(eb);
	gst_harness_teardown(dec);
	mikey_ctx_free(ctx);
}

/* A TESLA message with a seed that is not the sender's: refused at start,
 * naming the problem. */
Test(srtpgroup, tesla_wrong_seed_is_refused)
{
	const uint32_t a = 0xaaaa0001, b = 0xbbbb0002;
	mikey_ctx *ctx = initiator();
	mikey_tesla_sender *sa, *sb;
	gchar *b64;
	mikey_exchange *ex = tesla_group_message(ctx, a, b, &b64, &sa, &sb);
	GstElement *enc = gst_element_factory_make("srtpgroupenc", NULL);
	GstBus *bus = gst_bus_new();

	gst_element_set_bus(enc, bus);
	g_object_set(enc, "mikey-psk", psk_hex, "tesla-seed", "0102030405060708090a0b0c0d0e0f1011121314", "mikey", b64,
	             NULL);
	cr_assert_eq(gst_element_set_state(enc, GST_STATE_READY), GST_STATE_CHANGE_FAILURE);
	cr_assert(bus_has(bus, GST_MESSAGE_ERROR, "commitment"));
	gst_element_set_state(enc, GST_STATE_NULL);
	gst_object_unref(enc);
	gst_object_unref(bus);
	mikey_tesla_sender_free(sa);
	mikey_tesla_sender_free(sb);
	mikey_exchange_free(ex);
	g_free(b64);
	mikey_ctx_free(ctx);
}

/* ---- Key-usage limits (RFC 3711 §9.2) ---- */

static guint soft_calls, hard_calls;

static void on_enc_limit(GstElement *el, gpointer hard)
{
	if (GPOINTER_TO_INT(hard))
		hard_calls++;
	else
		soft_calls++;
}


/* Key-usage limits raise soft-limit once, then hard-limit, and packets
 * past the hard limit are refused — with GStreamer's srtpenc running in
 * the same process and re-installing libsrtp2's one event handler before
 * each of its packets: its packets all go through, and our counts stay
 * right. */
Test(srtpgroup, key_limits_signal_and_refuse_beside_srtpenc)
{
	GstElement *srtpenc = gst_element_factory_make("srtpenc", NULL);
	GstElement *ours = gst_element_factory_make("srtpgroupenc", NULL);
	GstHarness *theirs, *enc, *dec = dec_harness();
	GstBuffer *k = gst_buffer_new_memdup(key1, sizeof(key1));
	guint through = 0, theirs_out = 0;

	/* Limits apply to the SRTP state made at start: set them first. */
	g_object_set(ours, "key-limit", (guint64)50, "key-soft-margin", (guint64)10, NULL);
	enc = gst_harness_new_with_element(ours, "rtp_sink_0", "rtp_src_0");
	gst_harness_set_src_caps_str(enc, "application/x-rtp, payload=(int)96, clock-rate=(int)8000");

	/* srtpenc wants its key before the harness starts it. */
	cr_assert_not_null(srtpenc, "GStreamer's srtpenc (gstreamer1.0-plugins-bad) is needed");
	g_object_set(srtpenc, "key", k, NULL);
	gst_buffer_unref(k);
	theirs = gst_harness_new_with_element(srtpenc, "rtp_sink_0", "rtp_src_0");
	gst_harness_set_src_caps_str(theirs, "application/x-rtp, payload=(int)96, clock-rate=(int)8000");
	soft_calls = hard_calls = 0;
	set_enc_key(enc->element, key1, mki1);
	g_signal_connect(enc->element, "soft-limit", G_CALLBACK(on_enc_limit), GINT_TO_POINTER(0));
	g_signal_connect(enc->element, "hard-limit", G_CALLBACK(on_enc_limit), GINT_TO_POINTER(1));
	g_signal_connect(dec->element, "request-key", G_CALLBACK(two_keys), NULL);
	gst_harness_play(theirs);
	gst_harness_play(enc);
	gst_harness_play(dec);
	for (guint16 seq = 0; seq < 60; seq++) {
		cr_assert_eq(gst_harness_push(theirs, rtp_buffer(0x7777, seq)), GST_FLOW_OK);
		if (gst_harness_buffers_in_queue(theirs) > 0) {
			gst_buffer_unref(gst_harness_pull(theirs));
			theirs_out++;
		}
		cr_assert_eq(gst_harness_push(enc, rtp_buffer(0x8888, seq)), GST_FLOW_OK);
		if (gst_harness_buffers_in_queue(enc) > 0) {
			GstBuffer *out;
			cr_assert_eq(gst_harness_push(dec, gst_harness_pull(enc)), GST_FLOW_OK);
			out = gst_harness_pull(dec);
			assert_rtp(out, 0x8888, seq);
			gst_buffer_unref(out);
			through++;
		}
	}
	cr_assert_eq(theirs_out, 60, "srtpenc protected %u of 60", theirs_out);
	cr_assert_eq(through, 50, "%u packets went through a key limited to 50", through);
	cr_assert_eq(soft_calls, 1, "soft-limit emitted %u times", soft_calls);
	cr_assert_eq(hard_calls, 1, "hard-limit emitted %u times", hard_calls);
	cr_assert_eq(stream_stat(enc->element, 0x8888, "other-errors"), 10);
	gst_harness_teardown(theirs);
	gst_harness_teardown(enc);
	gst_harness_teardown(dec);
}
