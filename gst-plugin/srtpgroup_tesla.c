/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* srtpgroup_tesla.c - see srtpgroup_tesla.h. */
#include "srtpgroup_tesla.h"

#include <string.h>

#include <mikey/mem.h>
#include <mikey/srtp_tesla_group.h>
#include <mikey/tesla.h>
#include <mikey/text.h>

#include "srtpgroup_error.h"
#include "srtpgroup_held_meta.h"
#include "srtpgroup_mikey.h"

/* Largest packet a receiver hands back (RTP over UDP). */
#define SG_TESLA_MAX_PACKET 65536

typedef struct SgTeslaTx {
	mikey_tesla_sender *chain; /* borrowed by tx: freed after it */
	mikey_srtp_tesla_tx *tx;
	mikey_tesla_params params;
	guint8 mki[255];
	gsize mki_len;
	guint64 protected;
} SgTeslaTx;

struct SgTesla {
	gboolean sender;
	GHashTable *tx;                /* SSRC -> SgTeslaTx (sender) */
	mikey_srtp_tesla_group *group; /* receiver */
	GHashTable *params;            /* SSRC -> mikey_tesla_params (receiver) */
	guint64 d_t;
	guint max_held;                /* receiver: packets held per sender */
	gchar *seeds;
	guint8 *scratch;               /* SG_TESLA_MAX_PACKET bytes for next() */
	SgHeldMeta *held_meta;         /* receiver: timestamps of held RTP */
};

static void tx_free(gpointer p)
{
	SgTeslaTx *t = p;
	mikey_srtp_tesla_tx_free(t->tx);
	mikey_tesla_sender_free(t->chain);
	mikey_wipe(t, sizeof(*t));
	g_free(t);
}

SgTesla *sg_tesla_new(gboolean sender)
{
	SgTesla *t = g_new0(SgTesla, 1);

	t->sender = sender;
	t->tx = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, tx_free);
	t->params = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
	if (!sender)
		t->held_meta = sg_held_meta_new();
	return t;
}

static void wipe_str(gchar **s)
{
	if (*s != NULL) {
		mikey_wipe(*s, strlen(*s));
		g_free(*s);
		*s = NULL;
	}
}

void sg_tesla_free(SgTesla *t)
{
	if (t == NULL)
		return;
	g_hash_table_unref(t->tx);
	g_hash_table_unref(t->params);
	mikey_srtp_tesla_group_free(t->group);
	wipe_str(&t->seeds);
	g_free(t->scratch);
	sg_held_meta_free(t->held_meta);
	g_free(t);
}

void sg_tesla_set_lag(SgTesla *t, guint64 d_t)
{
	t->d_t = d_t;
}

void sg_tesla_set_max_held(SgTesla *t, guint packets)
{
	t->max_held = packets;
}

void sg_tesla_set_seeds(SgTesla *t, const gchar *hex_list)
{
	wipe_str(&t->seeds);
	t->seeds = g_strdup(hex_list);
}

/* The SRTP tag length: the crypto session's (RFC 4383 §4.6: the SRTP MAC
 * still covers the packet); none is not allowed with TESLA. */
static void tesla_config(const mikey_crypto_session *cs, mikey_srtp_tesla_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->tag_len = cs->policy.srtp_auth ? cs->policy.auth_tag_len : 0;
	cfg->window = 0;
}

/* The sender whose chain, grown from one of the seeds, ends in the
 * commitment |want| (index 0) carries. */
static int sender_for(const SgTesla *t, const mikey_tesla_params *want, mikey_tesla_sender **out, GError **err)
{
	gchar **list;
	int rc = MIKEY_ERR_NOT_FOUND;

	*out = NULL;
	if (t->seeds == NULL) {
		sg_set_error(err, MIKEY_ERR_NOT_FOUND,
		             "the MIKEY message asks for TESLA but tesla-seed is not set (the sender's chain seed)");
		return MIKEY_ERR_NOT_FOUND;
	}
	if (want->commit_index != 0) {
		sg_set_error(err, MIKEY_ERR_UNSUPPORTED, "TESLA commitment at index %u: a sender starts at 0",
		             want->commit_index);
		return MIKEY_ERR_UNSUPPORTED;
	}
	if (t->seeds[0] == '@') {
		gchar *text = NULL;
		gsize len = 0;
		if (!sg_read_file("tesla-seed", t->seeds + 1, SG_PEM_MAX, &text, &len, err))
			return MIKEY_ERR_NOT_FOUND;
		list = g_strsplit_set(text, ",\n", 64);
		mikey_wipe(text, len);
		g_free(text);
	} else {
		list = g_strsplit(t->seeds, ",", 64);
	}
	for (gchar **s = list; *s != NULL && *out == NULL; s++) {
		uint8_t *seed = NULL;
		size_t seed_len = 0;
		mikey_tesla_sender *snd = NULL;
		gchar *hex = g_strstrip(*s);
		if (*hex == '\0')
			continue;
		if (mikey_text_decode((const uint8_t *)hex, strlen(hex), MIKEY_FORMAT_HEX, &seed, &seed_len, NULL, NULL) !=
		    MIKEY_OK)
			continue;
		if (mikey_tesla_sender_new(want, seed, seed_len, &snd) == MIKEY_OK) {
			const mikey_tesla_params *got = mikey_tesla_sender_get0_params(snd);
			/* The commitment is public (it travels in the MIKEY
			 * message): a plain comparison leaks nothing. */
			if (memcmp(got->commitment, want->commitment, want->n_p / 8u) == 0)
				*out = snd;
			else
				mikey_tesla_sender_free(snd);
		}
		mikey_buf_free(seed, seed_len);
	}
	for (gchar **s = list; *s != NULL; s++)
		mikey_wipe(*s, strlen(*s));
	g_strfreev(list);
	if (*out != NULL)
		return MIKEY_OK;
	sg_set_error(err, rc, "no tesla-seed grows a chain that ends in the commitment of this crypto session");
	return rc;
}

static gboolean install_tx(SgTesla *t, const mikey_crypto_session *cs, GError **err)
{
	SgTeslaTx *have = g_hash_table_lookup(t->tx, GUINT_TO_POINTER(cs->ssrc)), *n;
	mikey_srtp_tesla_config cfg;
	int rc;

	if (have != NULL) {
		if (have->mki_len == cs->mki_len && memcmp(have->mki, cs->mki, cs->mki_len) == 0)
			return TRUE; /* the same key again */
		if ((rc = mikey_srtp_tesla_tx_rekey(have->tx, cs)) != MIKEY_OK) {
			sg_set_error(err, rc, "TESLA sender SSRC 0x%08x: rekey refused", cs->ssrc);
			return FALSE;
		}
		memcpy(have->mki, cs->mki, cs->mki_len);
		have->mki_len = cs->mki_len;
		return TRUE;
	}
	n = g_new0(SgTeslaTx, 1);
	if (sender_for(t, &cs->tesla, &n->chain, err) != MIKEY_OK) {
		g_free(n);
		return FALSE;
	}
	tesla_config(cs, &cfg);
	if ((rc = mikey_srtp_tesla_tx_new(cs, &cfg, n->chain, &n->tx)) != MIKEY_OK) {
		sg_set_error(err, rc, "TESLA sender SSRC 0x%08x cannot run this crypto session", cs->ssrc);
		tx_free(n);
		return FALSE;
	}
	n->params = cs->tesla;
	memcpy(n->mki, cs->mki, cs->mki_len);
	n->mki_len = cs->mki_len;
	g_hash_table_insert(t->tx, GUINT_TO_POINTER(cs->ssrc), n);
	return TRUE;
}

static gboolean install_rx(SgTesla *t, const mikey_crypto_session *cs, GError **err)
{
	mikey_crypto_session c;
	mikey_srtp_tesla_config cfg;
	int rc;

	if (t->group == NULL) {
		mikey_tesla_receiver_config rcfg;
		tesla_config(cs, &cfg);
		mikey_tesla_receiver_config_default(&rcfg);
		/* A member joining a running stream verifies the first key it
		 * sees by hashing it down to the commitment: allow the most
		 * intervals libmikey bounds (RFC 4082 §3.7's g), 4096. */
		rcfg.max_gap = MIKEY_TESLA_MAX_GAP_LIMIT;
		/* A sender at rate r holds about r * (d + 1) * T_int packets. */
		if (t->max_held != 0) {
			rcfg.max_packets = t->max_held;
			rcfg.max_bytes = (size_t)t->max_held * 2048u;
		}
		if ((rc = mikey_srtp_tesla_group_new(&cfg, &rcfg, &t->group)) != MIKEY_OK) {
			sg_set_error(err, rc, "cannot make the TESLA receiver");
			return FALSE;
		}
	}
	memcpy(&c, cs, sizeof(c));
	c.tesla.d_t = t->d_t;
	rc = mikey_srtp_tesla_group_add_sender(t->group, &c);
	mikey_crypto_session_cleanup(&c);
	if (rc != MIKEY_OK) {
		sg_set_error(err, rc, "TESLA verifier for SSRC 0x%08x not installed", cs->ssrc);
		return FALSE;
	}
	g_hash_table_insert(t->params, GUINT_TO_POINTER(cs->ssrc), g_memdup2(&cs->tesla, sizeof(cs->tesla)));
	return TRUE;
}

gboolean sg_tesla_install_all(SgTesla *t, const mikey_crypto_session *cs, gsize n, GError **err)
{
	gsize tesla = 0, mine = 0;
	GError *first = NULL;

	for (gsize i = 0; i < n; i++) {
		GError *e = NULL;
		if (!cs[i].has_tesla)
			continue;
		tesla++;
		if (sg_tesla_install(t, &cs[i], &e)) {
			mine++;
		} else if (!t->sender || e->code != MIKEY_ERR_NOT_FOUND) {
			g_propagate_error(err, e);
			g_clear_error(&first);
			return FALSE;
		} else if (first == NULL) {
			first = e;
		} else {
			g_error_free(e);
		}
	}
	/* A sender sends its own SSRCs: the group's other TESLA senders are
	 * not its to protect. None at all is a missing or wrong seed. */
	if (tesla > 0 && mine == 0 && first != NULL) {
		g_propagate_error(err, first);
		return FALSE;
	}
	g_clear_error(&first);
	return TRUE;
}

gboolean sg_tesla_install(SgTesla *t, const mikey_crypto_session *cs, GError **err)
{
	if (!cs->has_tesla) {
		sg_set_error(err, MIKEY_ERR_ARG, "crypto session %u carries no TESLA parameters", cs->cs_id);
		return FALSE;
	}
	if (cs->ssrc == 0) {
		sg_set_error(err, MIKEY_ERR_ARG, "TESLA needs the sender's SSRC in the CS map (each sender has a chain)");
		return FALSE;
	}
	return t->sender ? install_tx(t, cs, err) : install_rx(t, cs, err);
}

gboolean sg_tesla_has(const SgTesla *t, guint32 ssrc)
{
	return g_hash_table_contains(t->sender ? t->tx : t->params, GUINT_TO_POINTER(ssrc));
}

gsize sg_tesla_overhead(const SgTesla *t, guint32 ssrc, gboolean rtcp)
{
	SgTeslaTx *tx = g_hash_table_lookup(t->tx, GUINT_TO_POINTER(ssrc));
	return tx != NULL ? mikey_srtp_tesla_tx_overhead(tx->tx, rtcp) : 0;
}

int sg_tesla_protect(SgTesla *t, guint32 ssrc, gboolean rtcp, guint8 *buf, gsize len, gsize cap, guint64 now,
                     gsize *out_len)
{
	SgTeslaTx *tx = g_hash_table_lookup(t->tx, GUINT_TO_POINTER(ssrc));
	size_t out = 0;
	int rc;

	if (tx == NULL)
		return MIKEY_ERR_UNKNOWN_SSRC;
	rc = rtcp ? mikey_srtp_tesla_tx_protect_rtcp(tx->tx, buf, len, cap, now, &out)
	          : mikey_srtp_tesla_tx_protect_rtp(tx->tx, buf, len, cap, now, &out);
	if (rc == MIKEY_OK)
		tx->protected++;
	*out_len = out;
	return rc;
}

/* Why a packet did not reach TESLA's buffer, as a MIKEY code. */
static int verdict_code(const mikey_srtp_tesla_result *r)
{
	switch (r->status) {
	case MIKEY_SRTP_TESLA_PASSED:
		switch (r->tesla) {
		case MIKEY_TESLA_BUFFERED:
			return MIKEY_OK;
		case MIKEY_TESLA_DUPLICATE:
			return MIKEY_ERR_REPLAY;
		case MIKEY_TESLA_UNSAFE: /* RFC 4082 §3.5: its key may be out */
		case MIKEY_TESLA_LATE:
		case MIKEY_TESLA_FUTURE:
			return MIKEY_ERR_TIMESTAMP;
		case MIKEY_TESLA_TOO_FAR: /* more intervals to hash than allowed */
		case MIKEY_TESLA_OVERFLOW:
			return MIKEY_ERR_TOO_MANY;
		default: /* a disclosed key off the chain */
			return MIKEY_ERR_AUTH;
		}
	case MIKEY_SRTP_TESLA_MALFORMED:
		return MIKEY_ERR_TRUNCATED;
	case MIKEY_SRTP_TESLA_OTHER_SSRC:
		return MIKEY_ERR_UNKNOWN_SSRC;
	case MIKEY_SRTP_TESLA_REPLAY:
		return MIKEY_ERR_REPLAY;
	case MIKEY_SRTP_TESLA_BAD_MKI:
		return MIKEY_ERR_UNKNOWN_MKI;
	default:
		return MIKEY_ERR_AUTH;
	}
}

static guint16 rtp_seq(const guint8 *pkt)
{
	return (guint16)(pkt[2] << 8 | pkt[3]); /* RFC 3550 §5.1 */
}

int sg_tesla_input(SgTesla *t, gboolean rtcp, GstBuffer *src, const guint8 *buf, gsize len, guint64 now,
                   int *verdict_rc)
{
	mikey_srtp_tesla_result res;
	int rc;

	*verdict_rc = MIKEY_ERR_UNKNOWN_SSRC;
	if (t->group == NULL)
		return MIKEY_OK;
	rc = rtcp ? mikey_srtp_tesla_group_input_rtcp(t->group, buf, len, now, &res)
	          : mikey_srtp_tesla_group_input_rtp(t->group, buf, len, now, &res);
	if (rc == MIKEY_OK)
		*verdict_rc = verdict_code(&res);
	/* Held: its timestamps wait with it (a TESLA packet is at least an
	 * RTP header long, or it would be MALFORMED). */
	if (rc == MIKEY_OK && *verdict_rc == MIKEY_OK && !rtcp && len >= 12)
		sg_held_meta_keep(t->held_meta, (guint32)buf[8] << 24 | (guint32)buf[9] << 16 | (guint32)buf[10] << 8 | buf[11],
		                  rtp_seq(buf), src, t->max_held != 0 ? t->max_held : 65536u);
	return rc;
}

GstBuffer *sg_tesla_next(SgTesla *t, gboolean *rtcp, guint32 *ssrc)
{
	size_t len = 0;
	bool is_rtcp = false;
	uint32_t who = 0;
	int rc;

	if (t->group == NULL)
		return NULL;
	if (t->scratch == NULL)
		t->scratch = g_malloc(SG_TESLA_MAX_PACKET);
	rc = mikey_srtp_tesla_group_next(t->group, t->scratch, SG_TESLA_MAX_PACKET, &len, &is_rtcp, &who);
	if (rc != MIKEY_OK)
		return NULL; /* MIKEY_ERR_NOT_FOUND: nothing verified yet */
	*rtcp = is_rtcp;
	*ssrc = who;
	GstBuffer *out = gst_buffer_new_memdup(t->scratch, len);
	if (!is_rtcp && len >= 12)
		sg_held_meta_restore(t->held_meta, who, rtp_seq(t->scratch), out);
	return out;
}

GstClockTime sg_tesla_latency(const SgTesla *t)
{
	GHashTableIter it;
	gpointer v;
	guint64 most = 0;

	g_hash_table_iter_init(&it, t->sender ? t->tx : t->params);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		const mikey_tesla_params *p = t->sender ? &((SgTeslaTx *)v)->params : v;
		guint64 ms = (guint64)p->d * p->t_int;
		if (ms > most)
			most = ms;
	}
	if (most == 0)
		return 0;
	/* D_t is NTP 32.32: seconds in the high word. */
	return most * GST_MSECOND + gst_util_uint64_scale_ceil(t->d_t, GST_SECOND, G_GUINT64_CONSTANT(1) << 32);
}

void sg_tesla_add_stats(const SgTesla *t, guint32 ssrc, GstStructure *s)
{
	mikey_srtp_tesla_rx_counters c;

	if (t->sender) {
		SgTeslaTx *tx = g_hash_table_lookup(t->tx, GUINT_TO_POINTER(ssrc));
		if (tx != NULL)
			gst_structure_set(s, "tesla-protected", G_TYPE_UINT64, tx->protected, NULL);
		return;
	}
	if (t->group == NULL || mikey_srtp_tesla_group_get_counters(t->group, ssrc, &c) != MIKEY_OK)
		return;
	gst_structure_set(s, "tesla-verified", G_TYPE_UINT64, c.tesla.accepted, "tesla-unsafe", G_TYPE_UINT64,
	                  c.tesla.unsafe, "tesla-forged", G_TYPE_UINT64, c.tesla.forged, "tesla-late", G_TYPE_UINT64,
	                  c.tesla.late, "tesla-bad-key", G_TYPE_UINT64, c.tesla.bad_key, "tesla-held", G_TYPE_UINT64,
	                  (guint64)c.tesla.held_packets, "tesla-future", G_TYPE_UINT64, c.tesla.future, "tesla-too-far",
	                  G_TYPE_UINT64, c.tesla.too_far, "tesla-overflow", G_TYPE_UINT64, c.tesla.overflow,
	                  "tesla-duplicate", G_TYPE_UINT64, c.tesla.duplicate, "srtp-bad-tag", G_TYPE_UINT64, c.bad_tag,
	                  "srtp-replay", G_TYPE_UINT64, c.replay, "srtp-bad-mki", G_TYPE_UINT64, c.bad_mki, "malformed",
	                  G_TYPE_UINT64, c.malformed, "decrypt-failures", G_TYPE_UINT64, c.decrypt_fail, NULL);
}

GList *sg_tesla_ssrcs(const SgTesla *t)
{
	return g_hash_table_get_keys(t->sender ? t->tx : t->params);
}
