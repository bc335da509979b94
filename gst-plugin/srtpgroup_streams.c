/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * srtpgroup_streams.c - keyed SRTP state of one element; see
 * srtpgroup_streams.h.
 */
#include "srtpgroup_streams.h"

#include <string.h>

#include <mikey/mem.h>
#include <mikey/srtp_libsrtp.h>

#include "srtpgroup_error.h"

/* One master key of a stream, by MKI (RFC 3711 §3.1). */
typedef struct SgKey {
	GBytes *mki;       /* empty for a stream without MKI */
	gint64 retire_at;  /* receiver: monotonic µs after which it goes; 0 = kept */
} SgKey;

typedef struct SgStream {
	guint32 ssrc;
	gboolean from_any;  /* made from the keys for any SSRC */
	GArray *keys;       /* SgKey, in the order added */
	GBytes *current;    /* sender: the MKI it protects with */
	guint64 packets, bytes, rtcp_packets;
	guint64 auth_failures, replays, unknown_mki, other_errors;
} SgStream;

struct SgStreams {
	mikey_srtp_sess *sess;
	gboolean sender;
	GHashTable *by_ssrc; /* SSRC -> SgStream */
	GArray *any;         /* mikey_crypto_session: keys for SSRCs not listed */
	gint64 grace_us;
	gint64 next_retire;  /* earliest retire_at of any key; 0 = none */
	guint64 no_key_drops, malformed;
	GArray *events;      /* SgEvent */
};

static void key_clear(gpointer p)
{
	SgKey *k = p;
	g_bytes_unref(k->mki);
}

static void stream_free(gpointer p)
{
	SgStream *st = p;
	g_array_unref(st->keys);
	if (st->current != NULL)
		g_bytes_unref(st->current);
	g_free(st);
}

static void cs_clear(gpointer p)
{
	mikey_crypto_session_cleanup(p);
}

static void on_event(mikey_srtp_sess *sess, const mikey_srtp_sess_event *ev, void *user)
{
	SgStreams *s = user;
	SgEvent e = {ev->ssrc, FALSE, ev->rtcp};

	if (ev->kind == MIKEY_SRTP_EVENT_KEY_HARD_LIMIT)
		e.hard = TRUE;
	else if (ev->kind != MIKEY_SRTP_EVENT_KEY_SOFT_LIMIT)
		return;
	/* Bounded: a key raises each limit once. */
	if (s->events->len < 4096)
		g_array_append_val(s->events, e);
}

SgStreams *sg_streams_new(gboolean sender, guint window, GError **err)
{
	return sg_streams_new_full(sender, window, 0, 0, FALSE, err);
}

SgStreams *sg_streams_new_full(gboolean sender, guint window, guint64 key_limit, guint64 soft_margin,
                               gboolean allow_repeat_tx, GError **err)
{
	SgStreams *s = g_new0(SgStreams, 1);
	mikey_srtp_sess_config cfg;
	int rc;

	mikey_srtp_sess_config_default(&cfg);
	cfg.window = window;
	if (key_limit != 0)
		cfg.srtp_limit = cfg.srtcp_limit = key_limit;
	if (soft_margin != 0)
		cfg.soft_margin = soft_margin;
	cfg.allow_repeat_tx = sender && allow_repeat_tx;
	cfg.on_event = on_event;
	cfg.user = s;
	s->sender = sender;
	rc = mikey_srtp_sess_new(sender ? MIKEY_SRTP_SESS_PROTECT : MIKEY_SRTP_SESS_UNPROTECT, &cfg, &s->sess);
	if (rc != MIKEY_OK) {
		sg_set_error(err, rc, "cannot start the SRTP session (replay window %u)", window);
		g_free(s);
		return NULL;
	}
	s->by_ssrc = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, stream_free);
	s->any = g_array_new(FALSE, TRUE, sizeof(mikey_crypto_session));
	g_array_set_clear_func(s->any, cs_clear);
	s->events = g_array_new(FALSE, FALSE, sizeof(SgEvent));
	s->grace_us = 5 * G_USEC_PER_SEC;
	return s;
}

void sg_streams_free(SgStreams *s)
{
	if (s == NULL)
		return;
	mikey_srtp_sess_free(s->sess);
	g_hash_table_unref(s->by_ssrc);
	g_array_unref(s->any);
	g_array_unref(s->events);
	g_free(s);
}

void sg_streams_set_allow_repeat_tx(SgStreams *s, gboolean allow)
{
	if (s->sender) {
		int rc = mikey_srtp_sess_set_allow_repeat_tx(s->sess, allow);
		(void)rc; /* a protect session: MIKEY_OK */
	}
}

void sg_streams_set_grace(SgStreams *s, gint64 grace_us)
{
	s->grace_us = grace_us < 0 ? 0 : grace_us;
}

static gboolean same_mki(GBytes *a, const mikey_crypto_session *cs)
{
	gsize n;
	const guint8 *d = g_bytes_get_data(a, &n);
	return n == cs->mki_len && (n == 0 || memcmp(d, cs->mki, n) == 0);
}

static SgKey *find_key(SgStream *st, const mikey_crypto_session *cs)
{
	for (guint i = 0; i < st->keys->len; i++) {
		SgKey *k = &g_array_index(st->keys, SgKey, i);
		if (same_mki(k->mki, cs))
			return k;
	}
	return NULL;
}

static void push_key(SgStream *st, const mikey_crypto_session *cs)
{
	SgKey k = {g_bytes_new(cs->mki, cs->mki_len), 0};
	g_array_append_val(st->keys, k);
}

/* A new stream for |ssrc| from the crypto sessions cs[0, n) (all of this
 * SSRC, or the keys for any SSRC); the first is the current key. */
static int stream_create(SgStreams *s, guint32 ssrc, const mikey_crypto_session *cs, gsize n, gboolean from_any,
                         SgStream **out)
{
	mikey_crypto_session one;
	SgStream *st;
	int rc;

	memcpy(&one, &cs[0], sizeof(one));
	one.ssrc = ssrc;
	rc = mikey_srtp_sess_add_stream(s->sess, &one);
	for (gsize i = 1; rc == MIKEY_OK && i < n; i++) {
		memcpy(&one, &cs[i], sizeof(one));
		one.ssrc = ssrc;
		rc = mikey_srtp_sess_add_key(s->sess, &one);
	}
	mikey_crypto_session_cleanup(&one);
	if (rc != MIKEY_OK) {
		/* Partly made: take it out again (the SSRC had no stream;
		 * MIKEY_ERR_UNKNOWN_SSRC when add_stream itself failed). */
		int gone = mikey_srtp_sess_remove_stream(s->sess, ssrc);
		(void)gone;
		return rc;
	}
	st = g_new0(SgStream, 1);
	st->ssrc = ssrc;
	st->from_any = from_any;
	st->keys = g_array_new(FALSE, TRUE, sizeof(SgKey));
	g_array_set_clear_func(st->keys, key_clear);
	for (gsize i = 0; i < n; i++)
		push_key(st, &cs[i]);
	st->current = g_bytes_new(cs[0].mki, cs[0].mki_len);
	g_hash_table_insert(s->by_ssrc, GUINT_TO_POINTER(ssrc), st);
	*out = st;
	return MIKEY_OK;
}

static void note_retire(SgStreams *s, gint64 at)
{
	if (s->next_retire == 0 || at < s->next_retire)
		s->next_retire = at;
}

/* Retire every key of |st| except the first |keep_from|.. ones: a sender
 * at once, a receiver after the grace period. */
static int retire_old(SgStreams *s, SgStream *st, guint first_new, gint64 now_us)
{
	int rc = MIKEY_OK;

	if (!s->sender && s->grace_us > 0) {
		for (guint i = 0; i < first_new; i++) {
			SgKey *k = &g_array_index(st->keys, SgKey, i);
			if (k->retire_at == 0)
				k->retire_at = now_us + s->grace_us;
			note_retire(s, k->retire_at);
		}
		return MIKEY_OK;
	}
	while (first_new-- > 0 && rc == MIKEY_OK) {
		SgKey *k = &g_array_index(st->keys, SgKey, 0);
		gsize n;
		const guint8 *mki = g_bytes_get_data(k->mki, &n);
		rc = mikey_srtp_sess_retire_key(s->sess, st->ssrc, mki, n);
		g_array_remove_index(st->keys, 0);
	}
	return rc;
}

/* Wipe the oldest key still in its grace period, before its time.
 * *first_new moves down with the keys. MIKEY_ERR_TOO_MANY when every key
 * is current. */
static int retire_oldest(SgStreams *s, SgStream *st, guint *first_new)
{
	for (guint i = 0; i < st->keys->len; i++) {
		SgKey *k = &g_array_index(st->keys, SgKey, i);
		gsize n;
		const guint8 *mki;
		int rc;
		if (k->retire_at == 0)
			continue;
		mki = g_bytes_get_data(k->mki, &n);
		if ((rc = mikey_srtp_sess_retire_key(s->sess, st->ssrc, mki, n)) != MIKEY_OK)
			return rc;
		g_array_remove_index(st->keys, i);
		if (i < *first_new)
			(*first_new)--;
		return MIKEY_OK;
	}
	return MIKEY_ERR_TOO_MANY;
}

/* Rekey the stream |st| with cs[0, n): keys with MKIs it lacks are added
 * (ROC and replay state kept), the first new one becomes current. A stream
 * without MKI has one key: it is made again, keeping its ROC. */
static int stream_rekey(SgStreams *s, SgStream *st, const mikey_crypto_session *cs, gsize n, gint64 now_us)
{
	mikey_crypto_session one;
	guint old = st->keys->len;
	gboolean added = FALSE;
	int rc = MIKEY_OK;

	if (cs[0].mki_len == 0) {
		SgKey *k = &g_array_index(st->keys, SgKey, 0);
		uint32_t roc = 0;
		gboolean from_any = st->from_any;
		guint32 ssrc = st->ssrc;
		SgStream *made;
		if (g_bytes_get_size(k->mki) != 0)
			return MIKEY_ERR_ARG; /* the stream has MKIs: keys without one cannot join */
		if ((rc = mikey_srtp_sess_get_roc(s->sess, ssrc, &roc)) != MIKEY_OK)
			return rc;
		if ((rc = mikey_srtp_sess_remove_stream(s->sess, ssrc)) != MIKEY_OK)
			return rc;
		g_hash_table_remove(s->by_ssrc, GUINT_TO_POINTER(ssrc));
		memcpy(&one, &cs[0], sizeof(one));
		one.roc = roc;
		rc = stream_create(s, ssrc, &one, 1, from_any, &made);
		mikey_crypto_session_cleanup(&one);
		return rc;
	}
	for (gsize i = 0; i < n && rc == MIKEY_OK; i++) {
		if (find_key(st, &cs[i]) != NULL)
			continue; /* installed already: the same key again */
		/* libsrtp2 holds 16 keys a stream: rekeys faster than the grace
		 * period end the oldest key's grace early. */
		if (st->keys->len >= MIKEY_SRTP_SESS_MAX_KEYS && (rc = retire_oldest(s, st, &old)) != MIKEY_OK)
			break;
		memcpy(&one, &cs[i], sizeof(one));
		one.ssrc = st->ssrc;
		rc = mikey_srtp_sess_add_key(s->sess, &one);
		mikey_crypto_session_cleanup(&one);
		if (rc == MIKEY_OK) {
			push_key(st, &cs[i]);
			added = TRUE;
		}
	}
	if (rc != MIKEY_OK || !added)
		return rc;
	if (s->sender) {
		SgKey *k = &g_array_index(st->keys, SgKey, old);
		gsize len;
		const guint8 *mki = g_bytes_get_data(k->mki, &len);
		if ((rc = mikey_srtp_sess_use_key(s->sess, st->ssrc, mki, len)) != MIKEY_OK)
			return rc;
		g_bytes_unref(st->current);
		st->current = g_bytes_ref(k->mki);
	}
	return retire_old(s, st, old, now_us);
}

/* Checks a crypto session against what a mikey_srtp_sess runs (libsrtp2,
 * and RFC 4771 RCC around it, which plain libsrtp2 policies cannot say)
 * without installing it: a throwaway session takes it or not. */
static int check_cs(const mikey_crypto_session *cs)
{
	mikey_srtp_sess *probe = NULL;
	int rc = mikey_srtp_sess_new(MIKEY_SRTP_SESS_PROTECT, NULL, &probe);
	if (rc == MIKEY_OK)
		rc = mikey_srtp_sess_add_stream(probe, cs);
	mikey_srtp_sess_free(probe); /* wipes its copy of the key */
	return rc;
}

gboolean sg_streams_install(SgStreams *s, const mikey_crypto_session *cs, gsize n, gint64 now_us, GError **err)
{
	GHashTable *groups;
	GHashTableIter it;
	gpointer key, val;
	gboolean ok = TRUE;
	int rc;

	if (n == 0) {
		sg_set_error(err, MIKEY_ERR_NOT_FOUND, "the key set holds no crypto session");
		return FALSE;
	}
	for (gsize i = 0; i < n; i++) {
		if ((rc = check_cs(&cs[i])) != MIKEY_OK) {
			sg_set_error(err, rc, "crypto session %u (SSRC 0x%08x) cannot run on libsrtp2", cs[i].cs_id,
			             cs[i].ssrc);
			return FALSE;
		}
		if (cs[i].mki_len > 128) {
			sg_set_error(err, MIKEY_ERR_POLICY, "crypto session %u: MKI of %zu bytes (libsrtp2 takes at most 128)",
			             cs[i].cs_id, cs[i].mki_len);
			return FALSE;
		}
	}
	/* SSRC -> indices into cs, in order. */
	groups = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, (GDestroyNotify)g_array_unref);
	for (gsize i = 0; i < n; i++) {
		GArray *idx = g_hash_table_lookup(groups, GUINT_TO_POINTER(cs[i].ssrc));
		if (idx == NULL) {
			idx = g_array_new(FALSE, FALSE, sizeof(gsize));
			g_hash_table_insert(groups, GUINT_TO_POINTER(cs[i].ssrc), idx);
		}
		if (idx->len >= MIKEY_SRTP_SESS_MAX_KEYS) {
			sg_set_error(err, MIKEY_ERR_TOO_MANY, "SSRC 0x%08x: more than %d keys", cs[i].ssrc,
			             MIKEY_SRTP_SESS_MAX_KEYS);
			g_hash_table_unref(groups);
			return FALSE;
		}
		g_array_append_val(idx, i);
	}
	g_hash_table_iter_init(&it, groups);
	while (ok && g_hash_table_iter_next(&it, &key, &val)) {
		guint32 ssrc = GPOINTER_TO_UINT(key);
		GArray *idx = val;
		mikey_crypto_session *set = g_new0(mikey_crypto_session, idx->len);
		for (guint j = 0; j < idx->len; j++)
			memcpy(&set[j], &cs[g_array_index(idx, gsize, j)], sizeof(set[j]));
		if (ssrc == 0) {
			/* Keys for any SSRC: the template, and a rekey of every
			 * stream made from it. */
			/* A rekey may make a stream again: list them first. */
			GList *ssrcs = g_hash_table_get_keys(s->by_ssrc);
			g_array_set_size(s->any, 0);
			g_array_append_vals(s->any, set, idx->len);
			for (GList *l = ssrcs; ok && l != NULL; l = l->next) {
				SgStream *st = g_hash_table_lookup(s->by_ssrc, l->data);
				if (st != NULL && st->from_any &&
				    (rc = stream_rekey(s, st, set, idx->len, now_us)) != MIKEY_OK) {
					sg_set_error(err, rc, "rekey of SSRC 0x%08x failed", GPOINTER_TO_UINT(l->data));
					ok = FALSE;
				}
			}
			g_list_free(ssrcs);
		} else {
			SgStream *st = g_hash_table_lookup(s->by_ssrc, GUINT_TO_POINTER(ssrc));
			rc = st != NULL ? stream_rekey(s, st, set, idx->len, now_us)
			                : stream_create(s, ssrc, set, idx->len, FALSE, &st);
			/* A stream without MKI is made again by a rekey: look it up. */
			if (rc == MIKEY_OK && (st = g_hash_table_lookup(s->by_ssrc, GUINT_TO_POINTER(ssrc))) != NULL)
				st->from_any = FALSE;
			if (rc != MIKEY_OK) {
				sg_set_error(err, rc, "installing the keys of SSRC 0x%08x failed", ssrc);
				ok = FALSE;
			}
		}
		mikey_wipe(set, sizeof(*set) * idx->len);
		g_free(set);
	}
	g_hash_table_unref(groups);
	return ok;
}

/* Receivers: wipe keys whose grace period is over. */
static void expire_keys(SgStreams *s, gint64 now_us)
{
	GHashTableIter it;
	gpointer v;

	if (s->next_retire == 0 || now_us < s->next_retire)
		return;
	s->next_retire = 0;
	g_hash_table_iter_init(&it, s->by_ssrc);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		SgStream *st = v;
		for (guint i = 0; i < st->keys->len;) {
			SgKey *k = &g_array_index(st->keys, SgKey, i);
			if (k->retire_at != 0 && k->retire_at <= now_us && st->keys->len > 1) {
				gsize n;
				const guint8 *mki = g_bytes_get_data(k->mki, &n);
				if (mikey_srtp_sess_retire_key(s->sess, st->ssrc, mki, n) == MIKEY_OK) {
					g_array_remove_index(st->keys, i);
					continue;
				}
				/* Could not rebuild: try again later. */
				k->retire_at = now_us + G_USEC_PER_SEC;
			}
			if (k->retire_at != 0)
				note_retire(s, k->retire_at);
			i++;
		}
	}
}

gboolean sg_packet_ssrc(const guint8 *buf, gsize len, gboolean rtcp, guint32 *ssrc)
{
	gsize at = rtcp ? 4 : 8;

	if (len < at + 4 || (buf[0] >> 6) != 2)
		return FALSE;
	*ssrc = ((guint32)buf[at] << 24) | ((guint32)buf[at + 1] << 16) | ((guint32)buf[at + 2] << 8) | buf[at + 3];
	return TRUE;
}

/* The stream of |ssrc|, made from the keys for any SSRC when there are some. */
static SgStream *stream_for(SgStreams *s, guint32 ssrc, int *rc)
{
	SgStream *st = g_hash_table_lookup(s->by_ssrc, GUINT_TO_POINTER(ssrc));

	*rc = MIKEY_OK;
	if (st != NULL)
		return st;
	if (s->any->len == 0) {
		*rc = MIKEY_ERR_UNKNOWN_SSRC;
		return NULL;
	}
	*rc = stream_create(s, ssrc, (const mikey_crypto_session *)(void *)s->any->data, s->any->len, TRUE, &st);
	return *rc == MIKEY_OK ? st : NULL;
}

static void count(SgStream *st, int rc, gboolean rtcp, gsize bytes)
{
	switch (rc) {
	case MIKEY_OK:
		if (rtcp)
			st->rtcp_packets++;
		else
			st->packets++;
		st->bytes += bytes;
		break;
	case MIKEY_ERR_AUTH:
		st->auth_failures++;
		break;
	case MIKEY_ERR_REPLAY:
		st->replays++;
		break;
	case MIKEY_ERR_UNKNOWN_MKI:
		st->unknown_mki++;
		break;
	default:
		st->other_errors++;
		break;
	}
}

static int run(SgStreams *s, gboolean rtcp, guint8 *buf, gsize len, gsize cap, gsize *out_len, guint32 *ssrc,
               gint64 now_us)
{
	SgStream *st;
	size_t out = 0;
	int rc;

	*ssrc = 0;
	*out_len = 0;
	if (!sg_packet_ssrc(buf, len, rtcp, ssrc)) {
		s->malformed++;
		return len < (rtcp ? 8u : 12u) ? MIKEY_ERR_TRUNCATED : MIKEY_ERR_FORMAT;
	}
	expire_keys(s, now_us);
	if ((st = stream_for(s, *ssrc, &rc)) == NULL) {
		if (rc == MIKEY_ERR_UNKNOWN_SSRC)
			s->no_key_drops++;
		return rc;
	}
	if (s->sender)
		rc = rtcp ? mikey_srtp_sess_protect_rtcp(s->sess, buf, len, cap, &out)
		          : mikey_srtp_sess_protect_rtp(s->sess, buf, len, cap, &out);
	else
		rc = rtcp ? mikey_srtp_sess_unprotect_rtcp(s->sess, buf, len, &out)
		          : mikey_srtp_sess_unprotect_rtp(s->sess, buf, len, &out);
	count(st, rc, rtcp, rc == MIKEY_OK ? out : 0);
	*out_len = out;
	return rc;
}

int sg_streams_protect(SgStreams *s, gboolean rtcp, guint8 *buf, gsize len, gsize cap, gsize *out_len,
                       guint32 *ssrc, gint64 now_us)
{
	return run(s, rtcp, buf, len, cap, out_len, ssrc, now_us);
}

int sg_streams_unprotect(SgStreams *s, gboolean rtcp, guint8 *buf, gsize len, gsize *out_len, guint32 *ssrc,
                         gint64 now_us)
{
	return run(s, rtcp, buf, len, len, out_len, ssrc, now_us);
}

void sg_streams_count_no_key(SgStreams *s)
{
	s->no_key_drops++;
}

gboolean sg_streams_has_key(const SgStreams *s, guint32 ssrc)
{
	return s->any->len > 0 || g_hash_table_contains(s->by_ssrc, GUINT_TO_POINTER(ssrc));
}

gboolean sg_streams_remove(SgStreams *s, guint32 ssrc)
{
	if (!g_hash_table_contains(s->by_ssrc, GUINT_TO_POINTER(ssrc)))
		return FALSE;
	/* Our table mirrors the session's: the stream is there. */
	int gone = mikey_srtp_sess_remove_stream(s->sess, ssrc);
	(void)gone;
	g_hash_table_remove(s->by_ssrc, GUINT_TO_POINTER(ssrc));
	return TRUE;
}

void sg_streams_clear(SgStreams *s)
{
	GHashTableIter it;
	gpointer k;

	g_hash_table_iter_init(&it, s->by_ssrc);
	while (g_hash_table_iter_next(&it, &k, NULL)) {
		int gone = mikey_srtp_sess_remove_stream(s->sess, GPOINTER_TO_UINT(k));
		(void)gone;
		g_hash_table_iter_remove(&it);
	}
	g_array_set_size(s->any, 0);
	s->next_retire = 0;
}

SgEvent *sg_streams_take_events(SgStreams *s, gsize *n)
{
	SgEvent *ev;

	*n = s->events->len;
	if (*n == 0)
		return NULL;
	ev = g_memdup2(s->events->data, sizeof(SgEvent) * *n);
	g_array_set_size(s->events, 0);
	return ev;
}

static gchar *hex(GBytes *b)
{
	gsize n;
	const guint8 *d = g_bytes_get_data(b, &n);
	GString *str = g_string_sized_new(2 * n + 1);
	for (gsize i = 0; i < n; i++)
		g_string_append_printf(str, "%02x", d[i]);
	return g_string_free(str, FALSE);
}

GstStructure *sg_streams_stats(const SgStreams *s)
{
	GstStructure *stats = gst_structure_new("application/x-srtpgroup-stats", "no-key-drops", G_TYPE_UINT64,
	                                        s->no_key_drops, "malformed", G_TYPE_UINT64, s->malformed, NULL);
	GValue arr = G_VALUE_INIT;
	GHashTableIter it;
	gpointer v;

	gst_value_array_init(&arr, g_hash_table_size(s->by_ssrc));
	g_hash_table_iter_init(&it, s->by_ssrc);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		const SgStream *st = v;
		GValue sv = G_VALUE_INIT;
		uint32_t roc = 0;
		gchar *mki = hex(st->current);
		if (mikey_srtp_sess_get_roc(s->sess, st->ssrc, &roc) != MIKEY_OK)
			roc = 0;
		g_value_init(&sv, GST_TYPE_STRUCTURE);
		g_value_take_boxed(&sv, gst_structure_new("application/x-srtpgroup-stream", "ssrc", G_TYPE_UINT,
		                                          st->ssrc, "packets", G_TYPE_UINT64, st->packets, "bytes",
		                                          G_TYPE_UINT64, st->bytes, "rtcp-packets", G_TYPE_UINT64,
		                                          st->rtcp_packets, "auth-failures", G_TYPE_UINT64,
		                                          st->auth_failures, "replays", G_TYPE_UINT64, st->replays,
		                                          "unknown-mki", G_TYPE_UINT64, st->unknown_mki, "other-errors",
		                                          G_TYPE_UINT64, st->other_errors, "roc", G_TYPE_UINT, roc,
		                                          "mki", G_TYPE_STRING, mki, "keys", G_TYPE_UINT,
		                                          st->keys->len, NULL));
		gst_value_array_append_and_take_value(&arr, &sv);
		g_free(mki);
	}
	gst_structure_take_value(stats, "streams", &arr);
	return stats;
}
